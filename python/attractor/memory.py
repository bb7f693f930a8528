"""Associative memories as scikit-learn-style estimators: ``fit(patterns)`` stores the rows of
``X``, ``predict(queries)`` (also ``transform``) recalls every row by iterating the memory's
update to a fixed point in Rust, ``energy(X)`` evaluates the memory's energy. With
scikit-learn installed they are ``BaseEstimator``/``TransformerMixin`` subclasses (``clone``,
``Pipeline``, ``GridSearchCV`` work); without it they keep the same ``get_params`` /
``set_params`` protocol.
"""

import numbers

import numpy as np

from . import _attractor
from .errors import AttractorError, Interrupted, as_float_array
from ._records import Rebuilt

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


class _Memory(Rebuilt, _Mixin, _Base):
    """Shared estimator logic; subclasses say which Rust memory to build."""

    def _memory_args(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, X, y=None):
        """Store the rows of ``X`` (``n_patterns x n_features``) as the memory's patterns."""
        X = as_float_array(X, "X", 2)
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise AttractorError(f"X: store at least one pattern of at least one entry, got shape {X.shape}")
        model, kwargs = self._memory_args()
        self._build("memory_", "Memory", model, X.copy(), **kwargs)
        self.n_features_in_ = X.shape[1]
        self.n_patterns_ = X.shape[0]
        return self

    def _check_fitted(self):
        if not hasattr(self, "memory_"):
            from_sklearn = None
            try:
                from sklearn.exceptions import NotFittedError as from_sklearn
            except ImportError:  # pragma: no cover
                pass
            msg = f"this {type(self).__name__} stores no patterns yet; call fit(patterns) first"
            raise (from_sklearn or AttractorError)(msg)

    def predict(self, X):
        """Recall every row of ``X``: the fixed point the memory's update reaches from it.
        Also sets ``n_sweeps_`` (updates per query) and ``status_`` (``"fixed point"``,
        ``"two-cycle"`` or ``"max steps"`` per query). Ctrl-C raises :class:`Interrupted`
        with the queries recalled so far."""
        self._check_fitted()
        X = as_float_array(X, "X", 2)
        if X.shape[1] != self.n_features_in_:
            raise AttractorError(
                f"X has {X.shape[1]} features, but the memory stores patterns of {self.n_features_in_}"
            )
        states, status, sweeps, energies, stopped = self.memory_.recall(X)
        self.status_, self.n_sweeps_, self.recall_energy_ = list(status), sweeps, energies
        if stopped:
            raise Interrupted(states)
        return states

    def transform(self, X):
        """The same as :meth:`predict` (so that a memory can be a ``Pipeline`` step)."""
        return self.predict(X)

    def energy(self, X):
        """The memory's energy of every row of ``X``."""
        self._check_fitted()
        return self.memory_.energy(as_float_array(X, "X", 2))

    def score(self, X, y=None):
        """The fraction of rows of ``X`` that are fixed points of recall (recovered exactly)."""
        X = as_float_array(X, "X", 2)
        R = self.predict(X)
        if np.all(np.isin(X, (-1.0, 1.0))):
            return float(np.mean(np.all(np.where(R >= 0, 1.0, -1.0) == X, axis=1)))
        return float(np.mean(np.all(np.abs(R - X) <= 1e-6 * (1 + np.abs(X).max()), axis=1)))


class ClassicalHopfield(_Memory):
    """The classical Hopfield memory (Hopfield, PNAS 79, 1982) of ``±1`` patterns::

        E(s) = -1/2 s^T W s,   s_i <- sgn((W s)_i)

    with ``W`` learned by ``rule``: ``"hebbian"`` (``W = X^T X / N``, zero diagonal; capacity
    about ``0.138 N``), ``"storkey"`` (Storkey 1997) or ``"pinv"`` (projection rule).
    ``update="async"`` visits the units one at a time in a random order drawn from
    ``random_state`` (always ends at a fixed point); ``"sync"`` updates all at once (may end in
    a two-cycle)."""

    def __init__(self, rule="hebbian", update="async", max_sweeps=100, random_state=None):
        self.rule = rule
        self.update = update
        self.max_sweeps = max_sweeps
        self.random_state = random_state

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
    """The dense associative memory (Krotov & Hopfield 2016; Demircigil et al. 2017) of ``±1``
    patterns::

        E(s) = -sum_mu F(xi_mu . s),   F(x) = x^n  (or exp(x), or max(x, 0)^n)

    whose capacity grows like ``N^(n-1)`` (exponentially for ``exp``). ``separation`` is a
    degree ``n >= 2``, ``"exp"`` or ``"rectN"``; asynchronous updates in an order drawn from
    ``random_state``. With ``"exp"``, ``energy`` returns the log form
    ``-ln sum_mu exp(xi_mu . s)`` (an increasing function of ``E``, which never overflows)."""

    def __init__(self, separation=3, max_sweeps=100, random_state=None):
        self.separation = separation
        self.max_sweeps = max_sweeps
        self.random_state = random_state

    def _memory_args(self):
        return "dense", dict(
            separation=str(self.separation),
            seed=_seed(self.random_state),
            max_sweeps=int(self.max_sweeps),
        )


class ModernHopfield(_Memory):
    """The modern Hopfield memory (Ramsauer et al., ICLR 2021) of real patterns::

        E(x) = -lse(beta, X^T x) + 1/2 x^T x + const,   x <- X softmax(beta X^T x)

    one update retrieves a pattern with exponentially small error when patterns are well
    separated; ``predict`` iterates to a fixed point (at most ``max_iter`` updates)."""

    def __init__(self, beta=1.0, max_iter=100):
        self.beta = beta
        self.max_iter = max_iter

    def _memory_args(self):
        return "modern", dict(beta=float(self.beta), max_sweeps=int(self.max_iter))

    def retrieve(self, X, n_steps=1, block=2048, n_threads=0):
        """The one-step retrieval of Ramsauer et al. for every row of ``X`` at once,
        ``x <- X softmax(beta X^T x)`` repeated ``n_steps`` times, as matrix products in blocks
        of ``block`` queries on ``n_threads`` threads (0: all)."""
        self._check_fitted()
        X = as_float_array(X, "X", 2)
        if X.shape[1] != self.n_features_in_:
            raise AttractorError(
                f"X has {X.shape[1]} features, but the memory stores patterns of {self.n_features_in_}"
            )
        return self.memory_.retrieve(X, int(n_steps), int(block), int(n_threads))


class Krotov2021(Rebuilt, _Mixin, _Base):
    """The Krotov-Hopfield hidden-neuron network (ICLR 2021, arXiv:2008.06996): feature neurons
    ``v`` and one hidden neuron per stored pattern, ``tau_f dv/dt = xi^T f(h) - v``,
    ``tau_h dh/dt = xi g(v) - h``, whose energy never increases. ``model="A"`` (dense memory
    limit, degree ``n``), ``"B"`` (modern Hopfield limit, ``beta``) or ``"C"`` (spherical).
    ``predict`` integrates from every query (hidden neurons at rest) and returns the final
    ``v``."""

    def __init__(self, model="B", n=3, beta=1.0, tau_f=1.0, tau_h=1.0, t_end=50.0, dt=0.05):
        self.model = model
        self.n = n
        self.beta = beta
        self.tau_f = tau_f
        self.tau_h = tau_h
        self.t_end = t_end
        self.dt = dt

    def fit(self, X, y=None):
        X = as_float_array(X, "X", 2)
        self._build("network_", "Krotov2021", X.copy(), str(self.model), int(self.n),
                    float(self.beta), float(self.tau_f), float(self.tau_h))
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        if not hasattr(self, "network_"):
            raise AttractorError("this Krotov2021 stores no patterns yet; call fit(patterns) first")
        X = as_float_array(X, "X", 2)
        if X.shape[1] != self.n_features_in_:
            raise AttractorError(
                f"X has {X.shape[1]} features, but the network stores patterns of {self.n_features_in_}"
            )
        v, self.status_, stopped = self.network_.recall(X, float(self.t_end), float(self.dt))
        if stopped:
            raise Interrupted(v)
        return v

    def transform(self, X):
        return self.predict(X)
