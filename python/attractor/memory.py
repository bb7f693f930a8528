"""Associative memories as scikit-learn-style estimators: ``fit(patterns)`` stores the rows of
``X``, ``predict(queries)`` (also ``transform``) recalls every row by iterating the memory's
update to a fixed point in Rust, ``energy(X)`` evaluates the memory's energy. With
scikit-learn installed they are ``BaseEstimator``/``TransformerMixin`` subclasses (``clone``,
``Pipeline``, ``GridSearchCV`` work); without it they keep the same ``get_params`` /
``set_params`` protocol.
"""

import numbers

import numpy as np

from .errors import (
    AttractorError,
    Interrupted,
    as_rows,
    check_strict,
    not_fitted,
    threads,
    warn_not_converged,
)
from ._records import Rebuilt, Recall

try:
    from sklearn.base import BaseEstimator as _Base
    from sklearn.base import TransformerMixin as _Mixin
except ImportError:  # pragma: no cover - exercised only without scikit-learn

    class _Base:
        """The parameter protocol of scikit-learn's BaseEstimator."""

        def get_params(self, deep=True):
            import inspect

            names = [
                p for p in inspect.signature(type(self).__init__).parameters if p != "self"
            ]
            return {n: getattr(self, n) for n in names}

        def set_params(self, **params):
            valid = self.get_params()
            for k, v in params.items():
                if k not in valid:
                    raise ValueError(f"invalid parameter {k!r} for {type(self).__name__}")
                setattr(self, k, v)
            return self

    class _Mixin:
        def fit_transform(self, X, y=None):
            return self.fit(X, y).transform(X)


def _seed(random_state):
    """An integer seed from ``random_state``, with scikit-learn's meaning: ``None`` draws a
    fresh seed from the operating system's entropy (two unseeded calls differ), an int is used
    as is (reproducible), a ``numpy.random.RandomState``/``Generator`` draws one."""
    if random_state is None:
        return int(np.random.default_rng().integers(0, 2**63 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise AttractorError(f"random_state = {random_state}: give a seed >= 0")
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    raise TypeError(
        f"random_state: expected None, an int or a numpy random generator, got {random_state!r}"
    )


def _column_names(X):
    """The column names of a DataFrame-like ``X`` when they are all strings, else ``None``."""
    cols = getattr(X, "columns", None)
    if cols is None or hasattr(X, "tocsr"):
        return None
    names = np.asarray(list(cols), dtype=object)
    if len(names) and all(isinstance(c, str) for c in names):
        return names
    return None


class _Checked:
    """scikit-learn's input conventions that every estimator of the package shares, written
    once: feature names (``feature_names_in_`` remembered at fit and checked after, with
    scikit-learn's messages) and the checks of inputs after fit."""

    def _remember_feature_names(self, X):
        names = _column_names(X)
        if names is None:
            self.__dict__.pop("feature_names_in_", None)
        else:
            self.feature_names_in_ = names

    def _check_feature_names(self, X):
        import warnings

        fitted = getattr(self, "feature_names_in_", None)
        given = _column_names(X)
        if fitted is None and given is not None:
            warnings.warn(
                f"X has feature names, but {type(self).__name__} was fitted without feature names",
                UserWarning, stacklevel=3,
            )
        elif fitted is not None and given is None:
            warnings.warn(
                f"X does not have valid feature names, but {type(self).__name__} was fitted "
                "with feature names", UserWarning, stacklevel=3,
            )
        elif fitted is not None and (len(fitted) != len(given) or np.any(fitted != given)):
            raise AttractorError(
                "The feature names should match those that were passed during fit; fitted with "
                f"{list(fitted)[:5]}..., given {list(given)[:5]}...: pass the columns in the "
                "order of fit"
            )

    def _fitted_rows(self, X, name="X"):
        """``X`` checked against the fit: dense finite rows of ``n_features_in_`` columns,
        feature names as at fit."""
        self._check_feature_names(X)
        return as_rows(X, name, getattr(self, "n_features_in_", None), type(self).__name__)



class _Conventions(_Checked):
    """:class:`_Checked` and ``get_feature_names_out``, for transformers."""

    #: ``"one-to-one"``: a transform's output columns are the input's (memories);
    #: ``"prefixed"``: ``<classname><k>`` for ``k < n_components_`` (coders, RBMs).
    _feature_names_out = None

    def get_feature_names_out(self, input_features=None):
        """The names of ``transform``'s output columns.

        So that ``set_output(transform="pandas")`` gives a DataFrame.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            The input's names (checked against ``feature_names_in_`` when fitted with names).

        Returns
        -------
        names : ndarray of str objects
            The input's names for a memory (its output lives in the input's space;
            ``input_features``, ``feature_names_in_`` or ``x0, x1, ...``), ``<classname>0,
            <classname>1, ...`` for a coder or an RBM (one per atom or hidden unit).

        Raises
        ------
        attractor.AttractorError
            When ``input_features`` has the wrong length or differs from the fit's names.
        """
        if not self.__sklearn_is_fitted__():
            raise not_fitted(self)
        n = self.n_features_in_
        fitted = getattr(self, "feature_names_in_", None)
        if input_features is not None:
            input_features = np.asarray(input_features, dtype=object)
            if len(input_features) != n:
                raise AttractorError(
                    f"input_features has {len(input_features)} names, but "
                    f"{type(self).__name__} is expecting {n} features; pass one name per column"
                )
            if fitted is not None and np.any(input_features != fitted):
                raise AttractorError(
                    "input_features is not equal to feature_names_in_; pass the names of fit "
                    "or None"
                )
        if self._feature_names_out == "prefixed":
            prefix = type(self).__name__.lower()
            return np.asarray([f"{prefix}{k}" for k in range(self._n_features_out())], dtype=object)
        if input_features is not None:
            return input_features
        if fitted is not None:
            return np.asarray(fitted, dtype=object)
        return np.asarray([f"x{i}" for i in range(n)], dtype=object)


class _Memory(_Conventions, Rebuilt, _Mixin, _Base):
    """Shared estimator logic; subclasses say which Rust memory to build.

    ``predict``/``transform``/``score`` never change the estimator; :meth:`recall` returns
    what a recall did (states, status and steps per query). A query whose run ends on the
    iteration limit (``max_sweeps``/``max_iter``) gives a :class:`~attractor.ConvergenceWarning`
    and its state as reached. Ctrl-C raises :class:`~attractor.Interrupted` unless
    ``strict=False``, when the recall returns with the queries not reached left as given
    (status ``"not run"``)."""

    _feature_names_out = "one-to-one"

    def _memory_args(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, X, y=None):
        """Store the rows of ``X`` as the memory's patterns.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_features)
            The patterns, one per row (``±1`` entries for :class:`ClassicalHopfield` and
            :class:`DenseMemory`, real entries for :class:`ModernHopfield`).
        y : None
            Ignored (scikit-learn's convention).

        Returns
        -------
        self : object
            The fitted memory.

        Raises
        ------
        attractor.ShapeError
            When ``X`` is not a non-empty 2-D array.
        attractor.NonFiniteError
            When ``X`` holds NaN or inf.
        attractor.AttractorError
            When a constructor parameter is out of its range (an unknown ``rule``, ``update``
            or ``separation``).
        """
        check_strict(self.strict)
        Xa = as_rows(X, "X")
        model, kwargs = self._memory_args()
        self._build("memory_", "Memory", model, Xa.copy(), **kwargs)
        self._remember_feature_names(X)
        self.n_features_in_ = Xa.shape[1]
        self.n_patterns_ = Xa.shape[0]
        return self

    def __sklearn_is_fitted__(self):
        return hasattr(self, "memory_")

    def _check_fitted(self):
        if not self.__sklearn_is_fitted__():
            raise not_fitted(self, "call fit(patterns) first")

    def recall(self, X):
        """Recall every row of ``X`` and say how each run ended.

        Each query is updated until it is a fixed point of the memory's update (or the
        iteration limit, ``max_sweeps`` or ``max_iter``, is reached).

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries, one per row.

        Returns
        -------
        recall : attractor.Recall
            ``states`` (what :meth:`predict` returns), ``status`` per query (``"fixed
            point"``, ``"two-cycle"`` or ``"max steps"``), ``n_steps`` (updates per query)
            and ``energy`` (of each final state).

        Raises
        ------
        attractor.ShapeError
            When ``X`` does not have the ``n_features_in_`` columns of the fit.
        attractor.NonFiniteError
            When ``X`` holds NaN or inf.
        attractor.Interrupted
            On Ctrl-C (``result``: the states of the queries recalled so far; ``recall``:
            this record), unless ``strict=False``, when the record returns with
            ``interrupted=True``.

        Warns
        -----
        attractor.ConvergenceWarning
            When a query ran out of updates.

        Examples
        --------
        >>> import numpy as np
        >>> import attractor
        >>> rng = np.random.default_rng(0)
        >>> X = np.where(rng.standard_normal((3, 64)) >= 0, 1.0, -1.0)
        >>> queries = X.copy()
        >>> queries[:, :6] *= -1  # flip 6 of the 64 signs
        >>> rec = attractor.ClassicalHopfield(random_state=0).fit(X).recall(queries)
        >>> rec.status
        ['fixed point', 'fixed point', 'fixed point']
        >>> bool(np.array_equal(rec.states, X))
        True
        """
        self._check_fitted()
        X = self._fitted_rows(X)
        states, status, sweeps, energies, stopped = self.memory_.recall(X)
        rec = _finish(self, X, states, list(status), np.asarray(sweeps), np.asarray(energies),
                      stopped, limit="max_sweeps" if hasattr(self, "max_sweeps") else "max_iter")
        return rec

    def predict(self, X):
        """Recall every row of ``X``: the fixed point the memory's update reaches from it.

        Never changes the estimator; see :meth:`recall` for the status of each query (and
        the exceptions and warnings).

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries, one per row.

        Returns
        -------
        states : ndarray of shape (n_queries, n_features)
            The recalled states.

        Examples
        --------
        >>> import numpy as np
        >>> import attractor
        >>> rng = np.random.default_rng(0)
        >>> X = np.where(rng.standard_normal((3, 64)) >= 0, 1.0, -1.0)
        >>> queries = X.copy()
        >>> queries[:, :6] *= -1
        >>> memory = attractor.DenseMemory(separation=3, random_state=0).fit(X)
        >>> bool(np.array_equal(memory.predict(queries), X))
        True
        """
        return self.recall(X).states

    def transform(self, X):
        """The same as :meth:`predict` (so that a memory can be a ``Pipeline`` step).

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries, one per row.

        Returns
        -------
        states : ndarray of shape (n_queries, n_features)
            The recalled states.
        """
        return self.predict(X)

    def energy(self, X):
        """The memory's energy of every row of ``X``.

        The energy is the one in the class's description (for :class:`DenseMemory` with
        ``separation="exp"``, its log form).

        Parameters
        ----------
        X : array-like of shape (n_states, n_features)
            The states, one per row.

        Returns
        -------
        energy : ndarray of shape (n_states,)
            The energy of each row.

        Raises
        ------
        attractor.ShapeError
            When ``X`` does not have the ``n_features_in_`` columns of the fit.

        Examples
        --------
        >>> import numpy as np
        >>> import attractor
        >>> X = np.array([[1.0, -1.0, 1.0, -1.0]])
        >>> memory = attractor.ClassicalHopfield(random_state=0).fit(X)
        >>> memory.energy(X)  # -1/2 s^T W s with W = X^T X / 4, zero diagonal
        array([-1.5])
        """
        self._check_fitted()
        return self.memory_.energy(self._fitted_rows(X))

    def score(self, X, y=None):
        """The fraction of rows of ``X`` that recall recovers exactly.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries (usually the stored patterns).
        y : None
            Ignored (scikit-learn's convention).

        Returns
        -------
        score : float
            The fraction of rows whose recall equals them (the signs of the recalled state
            for ``±1`` rows; within a relative ``1e-6`` otherwise).
        """
        R = self.predict(X)  # checks X against the fit
        X = as_rows(X, "X")
        if np.all(np.isin(X, (-1.0, 1.0))):
            return float(np.mean(np.all(np.where(R >= 0, 1.0, -1.0) == X, axis=1)))
        return float(np.mean(np.all(np.abs(R - X) <= 1e-6 * (1 + np.abs(X).max()), axis=1)))


def _finish(est, X, states, status, n_steps, energy, stopped, limit, phases=None):
    """The :class:`Recall` of a compiled recall: rows not reached after a Ctrl-C hold their
    queries (``strict=False``) or raise :class:`Interrupted` (``strict=True``); a
    :class:`ConvergenceWarning` for queries that ran out of steps."""
    done = states.shape[0]
    if stopped:
        k = X.shape[0]
        full = np.array(X, dtype=np.float64, copy=True)
        full[:done] = states
        status = list(status) + ["not run"] * (k - done)
        n_steps = np.concatenate([n_steps, np.zeros(k - done, dtype=n_steps.dtype)])
        energy = np.concatenate([energy, np.full(k - done, np.nan)])
        rec = Recall(full, status, n_steps, energy, True, phases)
        if check_strict(est.strict):
            e = Interrupted(states)
            e.recall = rec
            raise e
        warn_not_converged(
            f"{type(est).__name__}: Ctrl-C stopped the recall after {done} of {k} queries; the "
            "rest are returned as given (strict=False), status 'not run'",
        )
    else:
        rec = Recall(states, status, n_steps, energy, False, phases)
    bad = rec.n_unconverged
    if bad:
        warn_not_converged(
            f"{type(est).__name__}: {bad} of {len(status)} queries stopped before settling "
            f"({limit} = {getattr(est, limit)} reached); raise {limit}, or call recall(X) for "
            "the status of each query",
            stacklevel=4,
        )
    return rec


class ClassicalHopfield(_Memory):
    """The classical Hopfield memory of ``±1`` patterns.

    The memory of Hopfield (PNAS 79, 1982)::

        E(s) = -1/2 s^T W s,   s_i <- sgn((W s)_i)

    (ties keep ``s_i``), with ``W`` learned from the ``N``-feature patterns ``X`` by ``rule``:
    ``"hebbian"`` (``W = X^T X / N``, zero diagonal; capacity about ``0.138 N``),
    ``"storkey"`` (Storkey 1997) or ``"pinv"`` (projection rule).

    Parameters
    ----------
    rule : {"hebbian", "storkey", "pinv"}, default="hebbian"
        The learning rule of ``W``.
    update : {"async", "sync"}, default="async"
        ``"async"`` visits the units one at a time in a random order drawn from
        ``random_state`` (always ends at a fixed point); ``"sync"`` updates all at once (may
        end in a two-cycle).
    max_sweeps : int, default=100
        The most sweeps (updates of every unit) per query.
    random_state : int, numpy.random.Generator or None, default=None
        The seed of the asynchronous order (``None``: a fresh seed each fit).
    strict : bool, default=True
        Whether Ctrl-C raises :class:`~attractor.Interrupted` (see :meth:`recall`).

    Attributes
    ----------
    n_features_in_ : int
        The number of features ``N`` seen at fit.
    n_patterns_ : int
        The number of stored patterns.

    See Also
    --------
    attractor.DenseMemory, attractor.ModernHopfield

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> rng = np.random.default_rng(0)
    >>> X = np.where(rng.standard_normal((3, 64)) >= 0, 1.0, -1.0)
    >>> memory = attractor.ClassicalHopfield(rule="storkey", random_state=0).fit(X)
    >>> noisy = X.copy()
    >>> noisy[:, :6] *= -1
    >>> bool(np.array_equal(memory.predict(noisy), X))
    True
    >>> memory.score(X)
    1.0
    """

    def __init__(self, rule="hebbian", update="async", max_sweeps=100, random_state=None,
                 strict=True):
        self.rule = rule
        self.update = update
        self.max_sweeps = max_sweeps
        self.random_state = random_state
        self.strict = strict

    def _memory_args(self):
        if self.rule not in ("hebbian", "storkey", "pinv"):
            raise AttractorError(f"rule = {self.rule!r}: use 'hebbian', 'storkey' or 'pinv'")
        if self.update not in ("async", "sync"):
            raise AttractorError(f"update = {self.update!r}: use 'async' or 'sync'")
        return self.rule, dict(
            synchronous=self.update == "sync",
            seed=_seed(self.random_state),
            max_sweeps=int(self.max_sweeps),
        )


class DenseMemory(_Memory):
    """The dense associative memory of ``±1`` patterns.

    The memory of Krotov & Hopfield (2016) and Demircigil et al. (2017)::

        E(s) = -sum_mu F(xi_mu . s),   F(x) = x^n  (or exp(x), or max(x, 0)^n)

    whose capacity grows like ``N^(n-1)`` (exponentially for ``exp``). The asynchronous update
    sets each ``s_i`` (in an order drawn from ``random_state``) to the sign of lower energy
    (ties keep ``s_i``). With ``"exp"``, :meth:`energy` returns the log form
    ``-ln sum_mu exp(xi_mu . s)`` (an increasing function of ``E``, which never overflows).

    Parameters
    ----------
    separation : int or str, default=3
        A polynomial degree ``n >= 2``, ``"exp"`` or ``"rectN"`` (``max(x, 0)^N``, e.g.
        ``"rect3"``).
    max_sweeps : int, default=100
        The most sweeps per query.
    random_state : int, numpy.random.Generator or None, default=None
        The seed of the asynchronous order.
    strict : bool, default=True
        Whether Ctrl-C raises :class:`~attractor.Interrupted` (see :meth:`recall`).

    Attributes
    ----------
    n_features_in_ : int
        The number of features seen at fit.
    n_patterns_ : int
        The number of stored patterns.

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> rng = np.random.default_rng(1)
    >>> X = np.where(rng.standard_normal((20, 32)) >= 0, 1.0, -1.0)  # 20 patterns, N = 32
    >>> memory = attractor.DenseMemory(separation="exp", random_state=0).fit(X)
    >>> memory.score(X)
    1.0
    """

    def __init__(self, separation=3, max_sweeps=100, random_state=None, strict=True):
        self.separation = separation
        self.max_sweeps = max_sweeps
        self.random_state = random_state
        self.strict = strict

    def _memory_args(self):
        return "dense", dict(
            separation=str(self.separation),
            seed=_seed(self.random_state),
            max_sweeps=int(self.max_sweeps),
        )


class ModernHopfield(_Memory):
    """The modern Hopfield memory of real patterns.

    The memory of Ramsauer et al. (ICLR 2021)::

        E(x) = -lse(beta, Xi x) + 1/2 x^T x + ln(K)/beta + 1/2 M^2,   x <- Xi^T softmax(beta Xi x)

    where ``Xi`` is the ``K x N`` matrix of the fitted patterns (the rows of ``X`` in
    :meth:`fit`; the paper's ``X`` is its transpose), ``lse(beta, z) = ln(sum_mu exp(beta
    z_mu)) / beta`` and ``M`` the largest pattern norm. One update retrieves a pattern with
    exponentially small error when patterns are well separated; :meth:`predict` iterates to a
    fixed point (at most ``max_iter`` updates).

    Parameters
    ----------
    beta : float, default=1.0
        The inverse temperature.
    max_iter : int, default=100
        The most updates per query.
    strict : bool, default=True
        Whether Ctrl-C raises :class:`~attractor.Interrupted` (see :meth:`recall`).

    Attributes
    ----------
    n_features_in_ : int
        The number of features seen at fit.
    n_patterns_ : int
        The number of stored patterns.

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> rng = np.random.default_rng(0)
    >>> X = np.where(rng.standard_normal((3, 64)) >= 0, 1.0, -1.0)
    >>> noisy = X.copy()
    >>> noisy[:, :6] *= -1
    >>> memory = attractor.ModernHopfield(beta=1.0).fit(X)
    >>> bool(np.allclose(memory.predict(noisy), X))
    True
    """

    def __init__(self, beta=1.0, max_iter=100, strict=True):
        self.beta = beta
        self.max_iter = max_iter
        self.strict = strict

    def _memory_args(self):
        return "modern", dict(beta=float(self.beta), max_sweeps=int(self.max_iter))

    def retrieve(self, X, n_steps=1, block=2048, n_threads=-1):
        """The one-step retrieval of Ramsauer et al. for every row of ``X`` at once.

        The update ``x <- Xi^T softmax(beta Xi x)`` (``Xi``: the fitted patterns as rows)
        repeated ``n_steps`` times, computed as matrix products in blocks of queries.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries, one per row.
        n_steps : int, default=1
            The number of updates.
        block : int, default=2048
            The number of queries per block of matrix products.
        n_threads : int or None, default=-1
            scikit-learn's meaning: ``None`` or 1 one thread, ``k`` threads, -1 every core,
            -2 all but one.

        Returns
        -------
        states : ndarray of shape (n_queries, n_features)
            The queries after ``n_steps`` updates.

        Examples
        --------
        >>> import numpy as np
        >>> import attractor
        >>> X = np.array([[1.0, 1.0, -1.0, -1.0], [1.0, -1.0, 1.0, -1.0]])
        >>> memory = attractor.ModernHopfield(beta=4.0).fit(X)
        >>> memory.retrieve([[1.0, 1.0, -1.0, 0.0]]).round(3)
        array([[ 1.,  1., -1., -1.]])
        """
        self._check_fitted()
        X = self._fitted_rows(X)
        t = threads(n_threads)
        # the compiled retrieve reads 0 as every thread, 1 as sequential
        t = 1 if t is None else (0 if t == -1 else t)
        return self.memory_.retrieve(X, int(n_steps), int(block), t)


class Krotov2021(_Conventions, Rebuilt, _Mixin, _Base):
    """The Krotov-Hopfield hidden-neuron network.

    The network of Krotov & Hopfield (ICLR 2021, arXiv:2008.06996): feature neurons ``v`` and
    one hidden neuron per stored pattern, ``tau_f dv/dt = xi^T f(h) - v``,
    ``tau_h dh/dt = xi g(v) - h``, whose energy never increases. :meth:`predict` integrates
    from every query (hidden neurons at rest) to a steady state (at most to ``t_end``, with a
    :class:`~attractor.ConvergenceWarning` for queries that get there unsettled) and returns
    the final ``v``; :meth:`recall` says how each run ended.

    Parameters
    ----------
    model : {"A", "B", "C"}, default="B"
        ``"A"`` (dense memory limit, degree ``n``), ``"B"`` (modern Hopfield limit,
        ``beta``) or ``"C"`` (spherical).
    n : int, default=3
        The degree of model A.
    beta : float, default=1.0
        The inverse temperature of model B.
    tau_f, tau_h : float, default=1.0
        The time constants of the feature and hidden neurons.
    t_end : float, default=50.0
        The longest integration time per query.
    dt : float, default=0.05
        The time step.
    strict : bool, default=True
        As for the other memories (:meth:`ClassicalHopfield.recall`).

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> rng = np.random.default_rng(0)
    >>> X = np.where(rng.standard_normal((3, 64)) >= 0, 1.0, -1.0)
    >>> noisy = X.copy()
    >>> noisy[:, :6] *= -1
    >>> network = attractor.Krotov2021(model="B", beta=1.0).fit(X)
    >>> bool(np.array_equal(np.sign(network.predict(noisy)), X))
    True
    """

    _feature_names_out = "one-to-one"

    def __init__(self, model="B", n=3, beta=1.0, tau_f=1.0, tau_h=1.0, t_end=50.0, dt=0.05,
                 strict=True):
        self.model = model
        self.n = n
        self.beta = beta
        self.tau_f = tau_f
        self.tau_h = tau_h
        self.t_end = t_end
        self.dt = dt
        self.strict = strict

    def fit(self, X, y=None):
        """Store the rows of ``X``, one hidden neuron each.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_features)
            The patterns.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted network.

        Raises
        ------
        attractor.ShapeError
            When ``X`` is not a non-empty 2-D array.
        attractor.ParameterError
            When ``model`` or a time constant is out of its range.
        """
        check_strict(self.strict)
        Xa = as_rows(X, "X")
        self._build("network_", "Krotov2021", Xa.copy(), str(self.model), int(self.n),
                    float(self.beta), float(self.tau_f), float(self.tau_h))
        self._remember_feature_names(X)
        self.n_features_in_ = Xa.shape[1]
        self.n_patterns_ = Xa.shape[0]
        return self

    def __sklearn_is_fitted__(self):
        return hasattr(self, "network_")

    def recall(self, X):
        """Integrate from every row of ``X`` and say how each run ended.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries.

        Returns
        -------
        recall : attractor.Recall
            The final ``states`` and each run's ``status`` (``"converged"``: a steady state;
            ``"end time"``: ``t_end`` reached first, with a
            :class:`~attractor.ConvergenceWarning`).

        Raises
        ------
        attractor.ShapeError
            When ``X`` does not have the columns of the fit.
        attractor.Interrupted
            On Ctrl-C, as :meth:`ClassicalHopfield.recall`.
        """
        if not self.__sklearn_is_fitted__():
            raise not_fitted(self, "call fit(patterns) first")
        X = self._fitted_rows(X)
        v, status, stopped = self.network_.recall(X, float(self.t_end), float(self.dt))
        k = v.shape[0]
        return _finish(self, X, v, list(status), np.zeros(k, dtype=np.uint64),
                       np.full(k, np.nan), stopped, limit="t_end")

    def predict(self, X):
        """The final feature neurons ``v`` from every row of ``X`` (see :meth:`recall`).

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries.

        Returns
        -------
        states : ndarray of shape (n_queries, n_features)
            The final ``v`` of each run.
        """
        return self.recall(X).states

    def transform(self, X):
        """The same as :meth:`predict`.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries.

        Returns
        -------
        states : ndarray of shape (n_queries, n_features)
            The final ``v`` of each run.
        """
        return self.predict(X)
