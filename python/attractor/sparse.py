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

import numpy as np

from . import _attractor
from .errors import AttractorError, Interrupted, whole
from .memory import _Base, _Mixin

__all__ = [
    "SparseCoder",
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
    """The sparse codes of the rows of ``X`` (``n_samples x n_features``) over ``dictionary``
    (``n_atoms x n_features``, or a :class:`SparseDictionary` to reuse its Gram matrix):
    an ``(n_samples, n_atoms)`` array, the minimisers of ``1/2 ||x - D^T a||^2 + alpha
    ||a||_1`` (``a >= 0`` with ``positive``), each certified to a relative duality gap of
    ``tol``.

    ``method`` is ``"pfcn"``, ``"fcn"``, ``"lca"`` or ``"lca-hard"`` (``None``: PFCN when
    ``positive`` else FCN); ``momentum`` (``None``, ``"nesterov"``, ``"nesterov-no-restart"``,
    ``"heavy-ball:<damping>"``) runs the network's inertial version (module docs); ``init`` warm-starts from codes; ``gamma`` is the proximal step
    (``None``: ``1/L``, ``L`` the largest eigenvalue of ``D D^T``); ``dt`` the Euler step in
    units of the time constant (1 is the proximal gradient iteration); the certificate is
    checked every ``check_every`` steps, where ``equilibrium_solve`` also solves for the
    equilibrium on the current support; ``n_threads``: ``None`` or 1 sequential, -1 all
    cores; ``time`` a wall-clock budget in seconds. With ``return_report`` returns ``(codes,
    report)``, the report holding per-sample ``objective``, ``duality_gap``, ``certificate``,
    ``support``, ``n_steps``, ``status`` and the batch's ``elapsed`` seconds and ``gamma``."""
    max_iter, check_every = _steps(max_iter, check_every)
    codes, report = _attractor.sparse_encode(
        X, dictionary, alpha=alpha, positive=positive, method=method, momentum=_momentum(momentum), tol=tol,
        max_iter=max_iter, init=init, gamma=gamma, dt=dt, check_every=check_every,
        equilibrium_solve=equilibrium_solve, time=time, n_threads=n_threads,
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
    """The regularisation path: the codes of ``X`` for every weight of ``alphas`` (a
    decreasing sequence), each run warm-started from the codes of the previous one. Returns
    ``(codes, reports)``: an ``(n_alphas, n_samples, n_atoms)`` array and one report per
    weight (as :func:`sparse_encode` with ``return_report``)."""
    max_iter, check_every = _steps(max_iter, check_every)
    out = _attractor.sparse_path(
        X, dictionary, alphas, positive=positive, method=method, momentum=_momentum(momentum), tol=tol, max_iter=max_iter,
        gamma=gamma, dt=dt, check_every=check_every, equilibrium_solve=equilibrium_solve,
        time=time, n_threads=n_threads,
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
    """The network's own trajectory for one signal ``x`` (``n_features``; no equilibrium
    solve): a dict with ``t``, ``codes`` (``(n_points, n_atoms)``), ``objective`` and
    ``certificate`` every ``every`` steps (at most ``max_points`` points; the stride doubles
    when full), and the final ``code`` with its ``report``."""
    max_iter, check_every = _steps(max_iter, check_every)
    every = whole("every", every, 1)
    max_points = whole("max_points", max_points, 2)
    tr = _attractor.sparse_trajectory(
        x, dictionary, alpha=alpha, positive=positive, method=method, momentum=_momentum(momentum), tol=tol,
        max_iter=max_iter, init=init, gamma=gamma, dt=dt, check_every=check_every,
        every=every, max_points=max_points, time=time, n_threads=n_threads,
    )
    if tr["interrupted"]:
        raise _interrupted(tr, tr["report"])
    return tr


class SparseCoder(_Mixin, _Base):
    """Sparse coding over a fixed dictionary as a scikit-learn transformer (the shape of
    :class:`sklearn.decomposition.SparseCoder`): ``transform(X)`` returns the codes
    ``(n_samples, n_atoms)`` minimising ``1/2 ||x - D^T a||^2 + alpha ||a||_1`` (``a >= 0`` with
    ``positive``), computed by a competitive network (``method``, see the module docs) and
    certified to a relative duality gap of ``tol``.

    ``dictionary`` (``n_atoms x n_features``): when given, ``fit`` ignores its ``X`` (as
    scikit-learn's ``SparseCoder``) and the coder can transform without fitting; when
    ``None``, ``fit(X)`` takes ``X`` as the dictionary. The other parameters are those of
    :func:`sparse_encode`.

    Attributes after ``fit``: ``components_`` (the dictionary), ``n_components_``,
    ``n_features_in_``, ``gamma_`` (the proximal step in use); after ``transform``:
    ``report_`` (per sample ``objective``, ``duality_gap``, ``certificate``, ``support``,
    ``n_steps``, ``status``; ``elapsed`` seconds)."""

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
            n_threads=self.n_threads,
        )

    def fit(self, X=None, y=None):
        """Build the coder: the constructor's ``dictionary`` if given (``X`` is then ignored),
        else ``X`` (``n_atoms x n_features``) as the dictionary. Checks every parameter."""
        atoms = self.dictionary if self.dictionary is not None else X
        if atoms is None:
            raise AttractorError(
                "SparseCoder: no dictionary; pass dictionary= (n_atoms x n_features) or fit(D)"
            )
        compiled = _attractor.SparseDictionary(atoms, n_threads=self.n_threads)
        self.gamma_ = _attractor.sparse_gamma(compiled, alpha=float(self.alpha), **self._settings())
        self.components_ = compiled.atoms()
        self.n_components_ = compiled.n_atoms
        self.n_features_in_ = compiled.n_features
        self._compiled = compiled
        return self

    def __sklearn_is_fitted__(self):
        return self.dictionary is not None or hasattr(self, "components_")

    def _dictionary(self):
        """The compiled dictionary (fitting on the constructor's dictionary if need be)."""
        if not hasattr(self, "components_"):
            if self.dictionary is None:
                try:
                    from sklearn.exceptions import NotFittedError as not_fitted
                except ImportError:  # pragma: no cover
                    not_fitted = AttractorError
                raise not_fitted(
                    "this SparseCoder has no dictionary yet; pass dictionary= or call fit(D) first"
                )
            self.fit()
        if getattr(self, "_compiled", None) is None:  # after unpickling
            self._compiled = _attractor.SparseDictionary(self.components_, n_threads=self.n_threads)
        return self._compiled

    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__
        state = dict(state)
        state.pop("_compiled", None)  # rebuilt from components_ on first use
        return state

    def transform(self, X):
        """The codes of the rows of ``X`` (``n_samples x n_features``): ``(n_samples,
        n_atoms)``; sets ``report_``. Ctrl-C raises :class:`~attractor.Interrupted` with the
        codes reached (``report_`` set as well)."""
        d = self._dictionary()
        codes, self.report_ = _attractor.sparse_encode(
            X, d, alpha=float(self.alpha), equilibrium_solve=bool(self.equilibrium_solve),
            **self._settings(),
        )
        return _check(codes, self.report_)[0]

    def fit_transform(self, X, y=None):
        """``fit(X).transform(X)`` when ``X`` is the data (a constructor ``dictionary``);
        without one, ``X`` is the dictionary, and its rows are coded over themselves."""
        return self.fit(X, y).transform(X)

    def inverse_transform(self, codes):
        """The reconstructions ``codes @ components_`` (``n_samples x n_features``)."""
        self._dictionary()
        return np.asarray(codes, dtype=np.float64) @ self.components_

    def path(self, X, alphas):
        """The codes of ``X`` along decreasing ``alphas``, warm-started: an ``(n_alphas,
        n_samples, n_atoms)`` array; sets ``path_reports_`` (one report per weight)."""
        out = _attractor.sparse_path(
            X, self._dictionary(), alphas, equilibrium_solve=bool(self.equilibrium_solve),
            **self._settings(),
        )
        codes = np.stack([c for c, _ in out])
        self.path_reports_ = [r for _, r in out]
        if any(r["interrupted"] for r in self.path_reports_):
            raise _interrupted(codes, self.path_reports_[-1])
        return codes

    def trajectory(self, x, every=1, max_points=4096):
        """The network's trajectory for one sample ``x`` (see :func:`sparse_trajectory`)."""
        tr = sparse_trajectory(
            x, self._dictionary(), alpha=float(self.alpha), every=every,
            max_points=max_points, **self._settings(),
        )
        if tr["interrupted"]:
            raise _interrupted(tr, tr["report"])
        return tr

    @property
    def contraction_rate_(self):
        """The contraction rate (per time constant) of the network's flow,
        ``1 - max(|1 - gamma rho|, |1 - gamma L|)`` with ``rho, L`` the extreme eigenvalues of
        ``D D^T``, or ``None`` when ``rho = 0`` (more atoms than features) or for
        ``"lca-hard"``. The first call computes the spectrum."""
        s = self._settings()
        return _attractor.sparse_contraction_rate(
            self._dictionary(), positive=s["positive"], method=s["method"], gamma=s["gamma"]
        )
