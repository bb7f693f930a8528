"""Sparse coding by competitive networks (FCN, PFCN, LCA) with a scikit-learn face.

A signal ``y`` (a row of ``X``, ``n_features`` long) is coded by ``a`` (``n_atoms`` long) over a
dictionary ``D`` (``n_atoms x n_features``, atoms as rows, scikit-learn's layout) by minimising::

    1/2 ||y - D^T a||^2 + alpha ||a||_1        (a >= 0 with positive=True)

which is scikit-learn's ``sparse_encode(X, D, alpha=alpha)`` / ``SparseCoder(transform_alpha=
alpha)`` objective. The minimisers are the equilibria of the networks (``method``):

- ``"fcn"``: the firing-rate competitive network (LASSO; the default when ``positive=False``),
- ``"pfcn"``: the positive FCN (non-negative LASSO; the default when ``positive=True``),
- ``"lca"``: the locally competitive algorithm with a soft threshold,
- ``"lca-hard"``: the LCA with a hard threshold (an l0 cost ``1/2 ||y - D^T a||^2 +
  alpha^2/2 ||a||_0``; local minima only).

``momentum`` gives any of them inertia: ``"nesterov"`` runs the second-order network
``x'' + (3/s) x' = f(x)/tau`` whose force ``f`` is the network's own vector field (FISTA at
``dt=1``) with the gradient restart of O'Donoghue & Candes (velocity and clock ``s`` reset when
``<f, x'> < 0``); ``"nesterov-no-restart"`` the same without restart; ``"heavy-ball:<c>"`` a
constant damping ``c > 0``; ``None`` (default) the first-order network. Same minimisers and
certificates, far fewer steps with ``equilibrium_solve=False`` on coherent dictionaries.

Every signal stops on its optimality certificate: the relative duality gap
``(P(a) - D(nu)) / P(a) <= tol`` (so the objective is within ``tol`` of the optimum,
relatively), the relative fixed-point residual for the hard threshold. The numerics live in
the Rust library; this module translates. Ctrl-C stops a long encode and raises
:class:`~attractor.Interrupted` whose ``result`` holds the codes reached.
"""

from dataclasses import dataclass

import numpy as np

from . import _attractor
from ._records import ArrayRecord
from .errors import (
    AttractorError,
    Interrupted,
    NotConverged,
    NotFittedError,
    as_rows,
    check_strict,
    threads,
    warn_not_converged,
    whole,
)
from .memory import _Base, _Conventions, _Mixin

__all__ = [
    "SparseCoder",
    "SparseCodes",
    "SparseDictionary",
    "sparse_encode",
    "sparse_path",
    "sparse_trajectory",
]

SparseDictionary = _attractor.SparseDictionary

#: The networks, by the names ``method`` takes.
METHODS = ("pfcn", "fcn", "lca", "lca-hard")

#: The momentum settings ``momentum`` takes (``"heavy-ball:<damping>"`` with a number > 0).
MOMENTA = (None, "none", "nesterov", "nesterov-no-restart", "heavy-ball:<damping>")


def _momentum(m):
    """``momentum`` as the library reads it (a string or ``None``); the library checks its value."""
    if m is None or isinstance(m, str):
        return m
    raise AttractorError(
        f"momentum={m!r}: give None, 'nesterov', 'nesterov-no-restart' or 'heavy-ball:<damping>' "
        "(a string, e.g. 'heavy-ball:0.1')"
    )


def _refuse_diverged(report):
    """Raise :class:`~attractor.AttractorError` when the network diverged on any signal: codes
    of 1e307 are not an answer. Callers that pass ``return_report=True`` receive the status
    instead."""
    bad = [k for k, s in enumerate(report["status"]) if s == "diverged"]
    if bad:
        shown = ", ".join(str(k) for k in bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise AttractorError(
            f"the network diverged on sample(s) {shown} of {len(report['status'])} "
            f"(step gamma = {report['gamma']:.4g}): give a smaller gamma (below 2/L, L the "
            "largest eigenvalue of D D^T) or dt, or keep equilibrium_solve=True; pass "
            "return_report=True to receive the codes with their status instead"
        )


def _interrupted(result, report):
    e = Interrupted(result)
    e.report = report
    return e


def _check(codes, report):
    if report["interrupted"]:
        raise _interrupted(codes, report)
    _refuse_diverged(report)
    return codes, report


def _steps(max_iter, check_every):
    return whole("max_iter", max_iter, 1), whole("check_every", check_every, 1)


def sparse_encode(
    X,
    dictionary,
    alpha=1.0,
    positive=False,
    method=None,
    momentum=None,
    tol=1e-6,
    max_iter=10000,
    init=None,
    gamma=None,
    dt=1.0,
    check_every=10,
    equilibrium_solve=True,
    n_threads=None,
    time=None,
    return_report=False,
):
    """The sparse codes of the rows of ``X`` over a dictionary, by a competitive network.

    Each code is the minimiser of ``1/2 ||x - D^T a||^2 + alpha ||a||_1`` (``a >= 0`` with
    ``positive``; for ``"lca-hard"`` a local minimiser of ``1/2 ||x - D^T a||^2 + alpha^2/2
    ||a||_0``), certified to a relative duality gap of ``tol``: scikit-learn's
    ``sparse_encode(X, D, alpha=alpha)`` objective.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The signals, one per row.
    dictionary : array-like of shape (n_atoms, n_features) or attractor.SparseDictionary
        The atoms ``D`` as rows (a :class:`SparseDictionary` reuses its Gram matrix).
    alpha : float, default=1.0
        The weight of the l1 penalty.
    positive : bool, default=False
        Whether the codes are non-negative (``a >= 0``).
    method : {"pfcn", "fcn", "lca", "lca-hard"} or None, default=None
        The network (module docs); ``None``: PFCN when ``positive`` else FCN.
    momentum : str or None, default=None
        ``None``, ``"nesterov"``, ``"nesterov-no-restart"`` or ``"heavy-ball:<damping>"``:
        the network's inertial version (module docs).
    tol : float, default=1e-6
        The relative duality gap each code is certified to.
    max_iter : int, default=10000
        The most steps per signal.
    init : array-like of shape (n_samples, n_atoms) or None, default=None
        Codes to warm-start from (zeros by default).
    gamma : float or None, default=None
        The proximal step (``None``: ``1/L``, ``L`` the largest eigenvalue of ``D D^T``).
    dt : float, default=1.0
        The Euler step in units of the time constant (1 is the proximal gradient iteration).
    check_every : int, default=10
        The certificate is checked every ``check_every`` steps.
    equilibrium_solve : bool, default=True
        At each check, also solve for the equilibrium on the current support.
    n_threads : int or None, default=None
        scikit-learn's meaning: ``None`` or 1 one thread, ``k`` threads, -1 every core, -2
        all but one.
    time : float or None, default=None
        A wall-clock budget in seconds.
    return_report : bool, default=False
        Whether to return the report too.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_atoms)
        The codes.
    report : dict
        With ``return_report``: per-sample ``objective``, ``duality_gap``,
        ``certificate``, ``support``, ``n_steps``, ``status``, and the batch's ``elapsed``
        seconds and ``gamma``.

    Raises
    ------
    attractor.AttractorError
        When the network diverged on a signal (without ``return_report``; with it, the
        report's ``status`` says ``"diverged"``).
    attractor.Interrupted
        On Ctrl-C, with the codes reached as ``result``.
    attractor.ShapeError
        When ``X`` and the dictionary do not have the same number of features.

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> rng = np.random.default_rng(0)
    >>> D = rng.standard_normal((8, 5))
    >>> D /= np.linalg.norm(D, axis=1, keepdims=True)  # 8 unit-norm atoms in 5-D
    >>> X = rng.standard_normal((3, 5))
    >>> codes, report = attractor.sparse_encode(X, D, alpha=0.5, return_report=True)
    >>> codes.shape, report["status"]
    ((3, 8), ['certified', 'certified', 'certified'])
    >>> (codes != 0).sum(axis=1)  # nonzeros per code
    array([3, 5, 2])
    """
    max_iter, check_every = _steps(max_iter, check_every)
    codes, report = _attractor.sparse_encode(
        X, dictionary, alpha=alpha, positive=positive, method=method, momentum=_momentum(momentum), tol=tol,
        max_iter=max_iter, init=init, gamma=gamma, dt=dt, check_every=check_every,
        equilibrium_solve=equilibrium_solve, time=time, n_threads=threads(n_threads),
    )
    if report["interrupted"]:
        raise _interrupted((codes, report) if return_report else codes, report)
    if not return_report:
        _refuse_diverged(report)
    return (codes, report) if return_report else codes


def sparse_path(
    X,
    dictionary,
    alphas,
    positive=False,
    method=None,
    momentum=None,
    tol=1e-6,
    max_iter=10000,
    gamma=None,
    dt=1.0,
    check_every=10,
    equilibrium_solve=True,
    n_threads=None,
    time=None,
):
    """The regularisation path: the codes of ``X`` for every weight of ``alphas``.

    Each run is warm-started from the codes of the previous one; the parameters not listed
    are those of :func:`sparse_encode`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The signals.
    dictionary : array-like of shape (n_atoms, n_features) or attractor.SparseDictionary
        The atoms as rows.
    alphas : array-like of shape (n_alphas,)
        A decreasing sequence of weights.
    positive : bool, default=False
        Whether the codes are non-negative (``a >= 0``).
    method : {"pfcn", "fcn", "lca", "lca-hard"} or None, default=None
        The network (module docs); ``None``: PFCN when ``positive`` else FCN.
    momentum : str or None, default=None
        ``None``, ``"nesterov"``, ``"nesterov-no-restart"`` or ``"heavy-ball:<damping>"``:
        the network's inertial version (module docs).
    tol : float, default=1e-6
        The relative duality gap each code is certified to.
    max_iter : int, default=10000
        The most steps per signal.
    gamma : float or None, default=None
        The proximal step (``None``: ``1/L``, ``L`` the largest eigenvalue of ``D D^T``).
    dt : float, default=1.0
        The Euler step in units of the time constant (1 is the proximal gradient iteration).
    check_every : int, default=10
        The certificate is checked every ``check_every`` steps.
    equilibrium_solve : bool, default=True
        At each check, also solve for the equilibrium on the current support.
    n_threads : int or None, default=None
        scikit-learn's meaning.
    time : float or None, default=None
        A wall-clock budget in seconds.

    Returns
    -------
    codes : ndarray of shape (n_alphas, n_samples, n_atoms)
        The codes for every weight.
    reports : list of dict
        One report per weight (as :func:`sparse_encode` with ``return_report``).

    Raises
    ------
    attractor.Interrupted
        On Ctrl-C, with ``(codes, reports)`` as ``result``.

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> rng = np.random.default_rng(0)
    >>> D = rng.standard_normal((8, 5))
    >>> D /= np.linalg.norm(D, axis=1, keepdims=True)
    >>> X = rng.standard_normal((3, 5))
    >>> codes, reports = attractor.sparse_path(X, D, [2.0, 1.0, 0.5])
    >>> codes.shape, len(reports)
    ((3, 3, 8), 3)
    >>> [int((c != 0).sum()) for c in codes]  # sparser codes for larger weights
    [2, 7, 10]
    """
    max_iter, check_every = _steps(max_iter, check_every)
    out = _attractor.sparse_path(
        X, dictionary, alphas, positive=positive, method=method, momentum=_momentum(momentum), tol=tol, max_iter=max_iter,
        gamma=gamma, dt=dt, check_every=check_every, equilibrium_solve=equilibrium_solve,
        time=time, n_threads=threads(n_threads),
    )
    codes = np.stack([c for c, _ in out])
    reports = [r for _, r in out]
    if any(r["interrupted"] for r in reports):
        raise _interrupted((codes, reports), reports[-1])
    return codes, reports


def sparse_trajectory(
    x,
    dictionary,
    alpha=1.0,
    positive=False,
    method=None,
    momentum=None,
    tol=1e-6,
    max_iter=10000,
    init=None,
    gamma=None,
    dt=1.0,
    check_every=10,
    every=1,
    max_points=4096,
    n_threads=None,
    time=None,
):
    """The network's own trajectory for one signal (no equilibrium solve).

    The parameters not listed are those of :func:`sparse_encode`.

    Parameters
    ----------
    x : array-like of shape (n_features,)
        The signal.
    dictionary : array-like of shape (n_atoms, n_features) or attractor.SparseDictionary
        The atoms as rows.
    alpha : float, default=1.0
        The weight of the l1 penalty.
    positive : bool, default=False
        Whether the codes are non-negative (``a >= 0``).
    method : {"pfcn", "fcn", "lca", "lca-hard"} or None, default=None
        The network (module docs); ``None``: PFCN when ``positive`` else FCN.
    momentum : str or None, default=None
        ``None``, ``"nesterov"``, ``"nesterov-no-restart"`` or ``"heavy-ball:<damping>"``:
        the network's inertial version (module docs).
    tol : float, default=1e-6
        The relative duality gap each code is certified to.
    max_iter : int, default=10000
        The most steps per signal.
    init : array-like of shape (n_atoms,) or None, default=None
        A code to start from.
    gamma : float or None, default=None
        The proximal step (``None``: ``1/L``, ``L`` the largest eigenvalue of ``D D^T``).
    dt : float, default=1.0
        The Euler step in units of the time constant (1 is the proximal gradient iteration).
    check_every : int, default=10
        The certificate is checked every ``check_every`` steps.
    every : int, default=1
        Record every ``every`` steps.
    max_points : int, default=4096
        The most points kept (the stride doubles when full).
    n_threads : int or None, default=None
        scikit-learn's meaning.
    time : float or None, default=None
        A wall-clock budget in seconds.

    Returns
    -------
    trajectory : dict
        ``t``, ``codes`` (``(n_points, n_atoms)``), ``objective`` and ``certificate`` at the
        recorded steps, and the final ``code`` with its ``report``.

    Raises
    ------
    attractor.Interrupted
        On Ctrl-C, with the dict as ``result``.

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> rng = np.random.default_rng(0)
    >>> D = rng.standard_normal((8, 5))
    >>> D /= np.linalg.norm(D, axis=1, keepdims=True)
    >>> x = rng.standard_normal((3, 5))[0]
    >>> tr = attractor.sparse_trajectory(x, D, alpha=0.5)
    >>> tr["codes"].shape[1], bool(np.all(np.diff(tr["objective"]) <= 1e-12))  # cost descends
    (8, True)
    """
    max_iter, check_every = _steps(max_iter, check_every)
    every = whole("every", every, 1)
    max_points = whole("max_points", max_points, 2)
    tr = _attractor.sparse_trajectory(
        x, dictionary, alpha=alpha, positive=positive, method=method, momentum=_momentum(momentum), tol=tol,
        max_iter=max_iter, init=init, gamma=gamma, dt=dt, check_every=check_every,
        every=every, max_points=max_points, time=time, n_threads=threads(n_threads),
    )
    if tr["interrupted"]:
        raise _interrupted(tr, tr["report"])
    return tr


@dataclass(eq=False, repr=False)
class SparseCodes(ArrayRecord):
    """What :meth:`SparseCoder.encode` gave: the codes and their report.

    Attributes
    ----------
    codes : ndarray of shape (n_samples, n_atoms)
        The codes.
    report : dict
        Per sample ``objective``, ``duality_gap``, ``certificate``, ``support``,
        ``n_steps``, ``status``; the batch's ``elapsed``, ``gamma``, ``interrupted``.
    """

    codes: np.ndarray
    report: dict

    @property
    def status(self):
        """The status of every sample (``"certified"``, ``"max steps"``, ``"timeout"``,
        ``"diverged"``, ...)."""
        return list(self.report["status"])

    @property
    def converged(self):
        """Whether every code was certified (and no Ctrl-C stopped the batch)."""
        return not self.report["interrupted"] and all(s == "certified" for s in self.status)


class SparseCoder(_Conventions, _Mixin, _Base):
    """Sparse coding over a fixed dictionary as a scikit-learn transformer.

    The shape of :class:`sklearn.decomposition.SparseCoder`: :meth:`transform` returns the
    codes minimising ``1/2 ||x - D^T a||^2 + alpha ||a||_1`` (``a >= 0`` with ``positive``),
    computed by a competitive network (``method``, see the module docs) and certified to a
    relative duality gap of ``tol``. ``transform`` never changes the coder; :meth:`encode`
    returns the codes with their report.

    Parameters
    ----------
    dictionary : array-like of shape (n_atoms, n_features) or None, default=None
        When given, :meth:`fit` ignores its ``X`` (as scikit-learn's ``SparseCoder``) and
        the coder can transform without fitting (fit once to reuse the dictionary's Gram
        matrix across calls); when ``None``, ``fit(X)`` takes ``X`` as the dictionary.
    alpha : float, default=1.0
        The weight of the l1 penalty.
    positive, method, momentum, tol, max_iter, dt, gamma, check_every, equilibrium_solve
        As for :func:`sparse_encode`.
    n_threads : int or None, default=None
        scikit-learn's meaning (``None`` or 1 one thread, -1 every core).
    time_limit : float or None, default=None
        Seconds each encoding may take (``None``: no limit).
    strict : bool, default=True
        Whether a run stopped early raises (below); with ``strict=False`` the codes reached
        are returned, with a ``ConvergenceWarning`` (the status of each sample is in
        :meth:`encode`'s report).

    Attributes
    ----------
    components_ : ndarray of shape (n_atoms, n_features)
        The dictionary (after fit).
    n_components_ : int
        The number of atoms.
    n_features_in_ : int
        The number of features.
    gamma_ : float
        The proximal step in use.
    report_ : dict
        After :meth:`fit_transform`: the report of its encoding.

    Raises
    ------
    attractor.NotConverged
        With ``strict=True``, when ``time_limit`` stopped an encoding (the exception's
        ``result`` holds the codes reached, its ``report`` the report).
    attractor.Interrupted
        With ``strict=True``, on Ctrl-C.
    attractor.AttractorError
        With ``strict=True``, when the network diverged.

    Warns
    -----
    attractor.ConvergenceWarning
        For samples that reach ``max_iter`` uncertified.

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> rng = np.random.default_rng(0)
    >>> D = rng.standard_normal((8, 5))
    >>> D /= np.linalg.norm(D, axis=1, keepdims=True)
    >>> X = rng.standard_normal((3, 5))
    >>> coder = attractor.SparseCoder(dictionary=D, alpha=0.5, positive=True)
    >>> out = coder.encode(X)
    >>> out.converged, out.codes.shape, bool((out.codes >= 0).all())
    (True, (3, 8), True)
    >>> coder.inverse_transform(coder.transform(X)).shape
    (3, 5)
    """

    _feature_names_out = "prefixed"

    def __init__(
        self,
        dictionary=None,
        alpha=1.0,
        positive=False,
        method=None,
        momentum=None,
        tol=1e-6,
        max_iter=10000,
        dt=1.0,
        gamma=None,
        check_every=10,
        equilibrium_solve=True,
        n_threads=None,
        time_limit=None,
        strict=True,
    ):
        self.dictionary = dictionary
        self.alpha = alpha
        self.positive = positive
        self.method = method
        self.momentum = momentum
        self.tol = tol
        self.max_iter = max_iter
        self.dt = dt
        self.gamma = gamma
        self.check_every = check_every
        self.equilibrium_solve = equilibrium_solve
        self.n_threads = n_threads
        self.time_limit = time_limit
        self.strict = strict

    # the settings of every call, from the parameters
    def _settings(self):
        return dict(
            positive=bool(self.positive),
            method=self.method,
            momentum=_momentum(self.momentum),
            tol=float(self.tol),
            max_iter=whole("max_iter", self.max_iter, 1),
            gamma=None if self.gamma is None else float(self.gamma),
            dt=float(self.dt),
            check_every=whole("check_every", self.check_every, 1),
            n_threads=threads(self.n_threads),
        )

    def _time(self):
        t = self.time_limit
        if t is None:
            return None
        if isinstance(t, bool) or not isinstance(t, (int, float, np.integer, np.floating)) or not t > 0:
            raise AttractorError(f"time_limit = {t!r}: give a number of seconds > 0, or None")
        return float(t)

    def _compile(self, atoms, name):
        return _attractor.SparseDictionary(as_rows(atoms, name), n_threads=threads(self.n_threads))

    def fit(self, X=None, y=None):
        """Build the coder and check every parameter.

        Parameters
        ----------
        X : array-like of shape (n_atoms, n_features) or None, default=None
            The dictionary, when the constructor has none (ignored otherwise).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted coder.

        Raises
        ------
        attractor.ParameterError
            When a parameter is out of its range, or there is no dictionary.
        """
        check_strict(self.strict)
        self._time()
        if self.dictionary is not None:
            compiled = self._compile(self.dictionary, "dictionary")
            self.__dict__.pop("feature_names_in_", None)
        elif X is None:
            raise AttractorError(
                "SparseCoder: no dictionary; pass dictionary= (n_atoms x n_features) or fit(D)"
            )
        else:
            compiled = self._compile(X, "X")
            self._remember_feature_names(X)
        self.gamma_ = _attractor.sparse_gamma(compiled, alpha=float(self.alpha), **self._settings())
        self.components_ = compiled.atoms()
        self.n_components_ = compiled.n_atoms
        self.n_features_in_ = compiled.n_features
        self._compiled = compiled
        return self

    def __sklearn_is_fitted__(self):
        return self.dictionary is not None or hasattr(self, "components_")

    def _dictionary(self):
        """The compiled dictionary: the fitted one, or (unfitted, with a constructor
        dictionary) one built for this call; the coder is not changed."""
        if hasattr(self, "components_"):
            return self._compiled
        if self.dictionary is None:
            raise NotFittedError(
                "this SparseCoder has no dictionary yet; pass dictionary= or call fit(D) first"
            )
        return self._compile(self.dictionary, "dictionary")

    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__
        state = dict(state)
        state.pop("_compiled", None)  # rebuilt from components_ on unpickling
        return state

    def __setstate__(self, state):
        if hasattr(super(), "__setstate__"):
            super().__setstate__(state)
        else:  # pragma: no cover - without scikit-learn
            self.__dict__.update(state)
        if "components_" in self.__dict__:
            self._compiled = _attractor.SparseDictionary(
                self.components_, n_threads=threads(self.n_threads)
            )

    def _rows(self, X):
        """``X`` checked against the dictionary's width (and the fit's feature names)."""
        if hasattr(self, "components_"):
            return self._fitted_rows(X)
        return as_rows(X, "X", np.shape(self.dictionary)[-1], type(self).__name__)

    def encode(self, X):
        """The codes of the rows of ``X`` with their report.

        Raises or returns as the class docs say for ``strict``; warns for samples that
        reached ``max_iter``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The signals.

        Returns
        -------
        codes : attractor.SparseCodes
            ``codes``, ``report``, ``status``, ``converged``.
        """
        d = self._dictionary()
        X = self._rows(X)
        codes, report = _attractor.sparse_encode(
            X, d, alpha=float(self.alpha), equilibrium_solve=bool(self.equilibrium_solve),
            time=self._time(), **self._settings(),
        )
        self._judge(codes, report)
        return SparseCodes(codes, report)

    def _judge(self, codes, report):
        """Raise (``strict``) or warn for a run stopped early; warn for samples that ran out of
        steps."""
        status = list(report["status"])
        timeout = sum(s == "timeout" for s in status)
        diverged = [k for k, s in enumerate(status) if s == "diverged"]
        if check_strict(self.strict):
            if report["interrupted"]:
                raise _interrupted(codes, report)
            if timeout:
                e = NotConverged(
                    f"time_limit = {self.time_limit} s stopped the encoding of {timeout} of "
                    f"{len(status)} samples before their certificate; raise time_limit, or pass "
                    "strict=False to receive the codes reached (encode(X) gives their status)"
                )
                e.result, e.report = codes, report
                raise e
            _refuse_diverged(report)
        else:
            stopped = ("Ctrl-C" if report["interrupted"] else
                       f"time_limit = {self.time_limit} s" if timeout else
                       "divergence" if diverged else None)
            if stopped:
                warn_not_converged(
                    f"SparseCoder: {stopped} stopped the encoding; the codes are returned as "
                    "reached (strict=False); encode(X) gives the status of each sample"
                )
        short = sum(s == "max steps" for s in status)
        if short:
            warn_not_converged(
                f"SparseCoder: {short} of {len(status)} samples reached max_iter = "
                f"{self.max_iter} before their certificate (relative duality gap <= tol = "
                f"{self.tol}); raise max_iter, or call encode(X) for the status of each sample"
            )

    def transform(self, X):
        """The codes of the rows of ``X``.

        Never changes the coder; :meth:`encode` gives the report.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The signals.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_atoms)
            The codes.
        """
        return self.encode(X).codes

    def fit_transform(self, X, y=None):
        """``fit(X).transform(X)``; sets ``report_``, the report of this encoding.

        With a constructor ``dictionary``, ``X`` is the data; without one, ``X`` is the
        dictionary, and its rows are coded over themselves.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data (or the dictionary).
        y : None
            Ignored.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_atoms)
            The codes.
        """
        out = self.fit(X, y).encode(X)
        self.report_ = out.report
        return out.codes

    def _n_features_out(self):
        return self.n_components_ if hasattr(self, "components_") else np.shape(self.dictionary)[0]

    def get_feature_names_out(self, input_features=None):
        """The names of ``transform``'s columns: one per atom.

        Parameters
        ----------
        input_features : None
            Ignored (scikit-learn's convention).

        Returns
        -------
        names : ndarray of str objects
            ``sparsecoder0, sparsecoder1, ...``.
        """
        self._dictionary() if not self.__sklearn_is_fitted__() else None
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{k}" for k in range(self._n_features_out())], dtype=object)

    def inverse_transform(self, codes):
        """The reconstructions ``codes @ components_``.

        Parameters
        ----------
        codes : array-like of shape (n_samples, n_atoms)
            Codes.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The reconstructions.
        """
        d = self._dictionary()
        return np.asarray(codes, dtype=np.float64) @ d.atoms()

    def path(self, X, alphas):
        """The codes of ``X`` along decreasing ``alphas``, warm-started.

        Sets ``path_reports_`` (one report per weight).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The signals.
        alphas : array-like of shape (n_alphas,)
            A decreasing sequence of weights.

        Returns
        -------
        codes : ndarray of shape (n_alphas, n_samples, n_atoms)
            The codes for every weight.
        """
        d = self._dictionary()
        out = _attractor.sparse_path(
            self._rows(X), d, alphas, equilibrium_solve=bool(self.equilibrium_solve),
            time=self._time(), **self._settings(),
        )
        codes = np.stack([c for c, _ in out])
        self.path_reports_ = [r for _, r in out]
        if any(r["interrupted"] for r in self.path_reports_):
            raise _interrupted(codes, self.path_reports_[-1])
        return codes

    def trajectory(self, x, every=1, max_points=4096):
        """The network's trajectory for one sample (see :func:`sparse_trajectory`).

        Parameters
        ----------
        x : array-like of shape (n_features,)
            The signal.
        every : int, default=1
            Record every ``every`` steps.
        max_points : int, default=4096
            The most points kept.

        Returns
        -------
        trajectory : dict
            As :func:`sparse_trajectory` returns.
        """
        tr = sparse_trajectory(
            x, self._dictionary(), alpha=float(self.alpha), every=every,
            max_points=max_points, **self._settings(),
        )
        if tr["interrupted"]:
            raise _interrupted(tr, tr["report"])
        return tr

    @property
    def contraction_rate_(self):
        """The contraction rate (per time constant) of the network's flow.

        ``1 - max(|1 - gamma rho|, |1 - gamma L|)`` with ``rho, L`` the extreme eigenvalues
        of ``D D^T`` (Gokhale, Davydov & Bullo, arXiv:2409.10664), or ``None`` when
        ``rho = 0`` (more atoms than features), when the bound is not positive, or for
        ``"lca-hard"``. The first call computes the spectrum.
        """
        s = self._settings()
        return _attractor.sparse_contraction_rate(
            self._dictionary(), positive=s["positive"], method=s["method"], gamma=s["gamma"]
        )
