"""Restricted Boltzmann machines with scikit-learn's ``BernoulliRBM`` face, trained in Rust.

An RBM has visible units ``v`` (``n_features``), Bernoulli hidden units ``h``
(``n_components``), weights ``W = components_.T`` and biases ``a = intercept_visible_``,
``b = intercept_hidden_``::

    E(v, h) = -a.v - b.h - v.W h              (BernoulliRBM: v in {0, 1})
    E(v, h) = 1/2 ||v - a||^2 - b.h - v.W h   (GaussianBernoulliRBM: v real, unit variance)
    p(v, h) = exp(-E(v, h)) / Z,   F(v) = -log sum_h exp(-E(v, h)),   p(v) = exp(-F(v)) / Z

with ``p(h_j = 1 | v) = sigmoid(b_j + W_j . v)`` (``transform``) and ``p(v_i = 1 | h) =
sigmoid(a_i + W_i . h)`` (or ``v | h ~ N(a + W h, I)``). Training is contrastive divergence
CD-k (Hinton, Neural Computation 2002) or, by default as in scikit-learn, persistent CD
(Tieleman, ICML 2008): each minibatch moves the parameters by ``learning_rate`` times the data
statistics ``<v p(h|v)^T>`` minus those of Gibbs chains advanced ``cd_k`` sweeps, with optional
momentum and L2 weight decay (on ``W``). What scikit-learn lacks is here too: the exact
partition function (enumerating the smaller layer, up to 24 units) and its estimate by annealed
importance sampling (Salakhutdinov & Murray, ICML 2008), log-likelihoods, the exact
pseudo-likelihood (Besag 1975), sampling, and safetensors files.

The numerics live in the Rust library (``attractor::models::rbm``,
``attractor::learn::contrastive_divergence``); this module translates. Training releases the
interpreter lock; Ctrl-C stops it between minibatches and raises
:class:`~attractor.Interrupted` whose ``result`` is the estimator with the parameters reached.
Results depend on ``random_state`` only, never on ``n_threads``.
"""

import numbers

import numpy as np

from . import _attractor
from .errors import (
    AttractorError,
    Interrupted,
    as_float_array,
    as_rows,
    check_strict,
    threads,
    warn_not_converged,
)
from .errors import not_fitted as _not_fitted_error
from .memory import _Base, _Checked, _Conventions, _Mixin, _seed

__all__ = ["BernoulliRBM", "GaussianBernoulliRBM", "LikelihoodBracket"]


def _not_fitted(est):
    return _not_fitted_error(est, "call fit(X) (or partial_fit, or load) first")


def _whole(name, value, low, fix):
    """``value`` as an int ``>= low``; the message names it and says ``fix``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise AttractorError(f"{name} = {value!r}: {fix}")
    if value > 2**63 - 1:
        raise AttractorError(f"{name} = {value}: at most {2**63 - 1}; {fix}")
    return int(value)


def _real(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise AttractorError(f"{name} = {value!r}: give a real number")
    return float(value)


def _fitted_rows(est, X, name):
    """``X`` as float64 rows (see :func:`_as_rows`) of the width ``est`` was fitted with, its
    feature names checked against the fit's."""
    if isinstance(est, _Checked):  # feature names remembered at fit
        est._check_feature_names(X)
    return as_rows(X, name, getattr(est, "n_features_in_", None), type(est).__name__)


def _as_rows(X, name):
    """``X`` as float64 rows: ``TypeError`` for non-numbers and sparse matrices,
    ``AttractorError`` for other than 2-D, no features or samples, NaN/inf
    (:func:`~attractor.errors.as_rows`). The range of Bernoulli data is the library's to
    check."""
    return as_rows(X, name)


def _stopped(est, report, what):
    """After a training run: raise for a stopped run (``strict``) or keep the parameters
    reached with a :class:`~attractor.ConvergenceWarning` (``strict=False``); the status is in
    ``fit_status_`` (``"completed"``, ``"diverged"``, ``"interrupted"``) and ``report_``."""
    est.report_ = report
    est.fit_status_ = "interrupted" if report["interrupted"] else report["status"]
    if est.fit_status_ == "completed":
        return
    if check_strict(est.strict):
        what()
        return
    warn_not_converged(
        f"{type(est).__name__}: training stopped early ({est.fit_status_}); the parameters "
        f"reached are kept (strict=False); see report_"
    )


class _RBM(_Conventions, _Mixin, _Base):
    """What both RBMs share; subclasses name the visible units."""

    _visible = "bernoulli"
    _feature_names_out = "prefixed"

    def __init__(
        self,
        n_components=256,
        learning_rate=0.1,
        batch_size=10,
        n_iter=10,
        verbose=0,
        random_state=None,
        *,
        cd_k=1,
        persistent=True,
        momentum=0.0,
        weight_decay=0.0,
        shuffle=True,
        n_threads=None,
        strict=True,
        method=None,
        n_chains=None,
        learning_rate_schedule="constant",
        momentum_schedule="constant",
        centering="none",
        visible_bias_init="zero",
        n_temperatures=None,
        temperatures=None,
        max_temperature=10.0,
    ):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.verbose = verbose
        self.random_state = random_state
        self.cd_k = cd_k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.shuffle = shuffle
        self.n_threads = n_threads
        self.strict = strict
        self.method = method
        self.n_chains = n_chains
        self.learning_rate_schedule = learning_rate_schedule
        self.momentum_schedule = momentum_schedule
        self.centering = centering
        self.visible_bias_init = visible_bias_init
        self.n_temperatures = n_temperatures
        self.temperatures = temperatures
        self.max_temperature = max_temperature

    # ------------------------------------------------------------------ checks

    def _check_params(self):
        """Every constructor parameter, checked (scikit-learn checks them at fit time): the
        types here, the ranges of the trainer's settings and ``n_threads`` by the library when
        it builds the model and trainer (its messages name the parameter and its valid range).
        Returns the seed."""
        _whole("n_components", self.n_components, 1, "give a whole number of hidden units >= 1")
        _whole("batch_size", self.batch_size, 1,
               "a minibatch holds at least one sample; give a whole number >= 1 (e.g. 10)")
        _whole("n_iter", self.n_iter, 0, "give a whole number of epochs >= 0")
        _whole("cd_k", self.cd_k, 1,
               "contrastive divergence needs at least one Gibbs sweep per update; give cd_k >= 1")
        _whole("verbose", self.verbose, 0, "give 0 (silent) or a whole number >= 1")
        for name in ("persistent", "shuffle"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise AttractorError(f"{name} = {getattr(self, name)!r}: give True or False")
        for name in ("learning_rate", "momentum", "weight_decay", "max_temperature"):
            _real(name, getattr(self, name))
        if self.method is not None and self.method not in ("cd", "pcd", "tempering"):
            raise AttractorError(
                f"method = {self.method!r}: use 'cd' (CD-k), 'pcd' (persistent chains), "
                "'tempering' (persistent tempered chains) or None (from persistent)")
        for name in ("learning_rate_schedule", "momentum_schedule", "centering"):
            if not isinstance(getattr(self, name), str):
                raise AttractorError(
                    f"{name} = {getattr(self, name)!r}: give a string such as "
                    + ("'data:0.01'" if name == "centering" else "'linear:0.001:50'"))
        if self.visible_bias_init not in ("zero", "data"):
            raise AttractorError(
                f"visible_bias_init = {self.visible_bias_init!r}: use 'zero' (scikit-learn's "
                "start) or 'data' (the logit of the data marginals, Hinton's guide)")
        if self.n_chains is not None:
            _whole("n_chains", self.n_chains, 1,
                   "give a whole number of persistent chains >= 1, or None for batch_size")
        if self.n_temperatures is not None:
            _whole("n_temperatures", self.n_temperatures, 1,
                   "give a whole number of temperatures >= 1")
        check_strict(self.strict)
        threads(self.n_threads)
        return _seed(self.random_state)

    def _settings(self):
        temperatures = (None if self.temperatures is None else
                        [float(t) for t in np.asarray(self.temperatures, dtype=float).ravel()])
        return dict(
            method=self.method,
            n_chains=None if self.n_chains is None else int(self.n_chains),
            learning_rate_schedule=self.learning_rate_schedule,
            momentum_schedule=self.momentum_schedule,
            centering=self.centering,
            temperatures=temperatures,
            n_temperatures=None if self.n_temperatures is None else int(self.n_temperatures),
            max_temperature=float(self.max_temperature),
            persistent=bool(self.persistent),
            k=int(self.cd_k),
            learning_rate=float(self.learning_rate),
            momentum=float(self.momentum),
            weight_decay=float(self.weight_decay),
            batch_size=int(self.batch_size),
            shuffle=bool(self.shuffle),
        )

    def _rows(self, X, name="X"):
        """``X`` as float64 rows (see :func:`_as_rows`) of the fitted width and names."""
        return self._fitted_rows(X, name)

    def _n_features_out(self):
        return self._model().n_hidden

    def __sklearn_is_fitted__(self):
        return getattr(self, "_rbm", None) is not None

    def _model(self):
        rbm = getattr(self, "_rbm", None)
        if rbm is None:
            raise _not_fitted(self)
        rbm.set_n_threads(threads(self.n_threads))
        return rbm

    # ------------------------------------------------------------------ training

    def _start_trainer(self, seed):
        self._rbm.set_trainer(**self._settings(), seed=seed)
        self._trainer_settings = self._settings()

    def _initialise(self, X, seed):
        """``W_ij ~ N(0, 0.01^2)``, zero biases (scikit-learn's start) or visible biases from
        the data marginals of ``X`` (``visible_bias_init="data"``), and a fresh trainer; the
        estimator holds them only once both are built (the library checks the settings)."""
        n_features = X.shape[1]
        rbm = _attractor.Rbm.random(
            n_features, int(self.n_components), visible=self._visible, scale=0.01, seed=seed,
            n_threads=threads(self.n_threads),
        )
        if self.visible_bias_init == "data":
            rbm.init_visible_bias(X)
        rbm.set_trainer(**self._settings(), seed=seed)
        self._rbm = rbm
        self._trainer_settings = self._settings()
        self.n_features_in_ = n_features
        self._seed_ = seed
        self._n_draws = 0

    def _raise_for(self, report):
        def stop():
            if report["status"] == "diverged":
                raise AttractorError(
                    f"training diverged in epoch {report['diverged_epoch']}: a parameter became "
                    "non-finite, so that epoch was undone and training stopped (the parameters "
                    f"before it are kept); lower learning_rate (now {self.learning_rate}) or "
                    f"raise weight_decay (now {self.weight_decay}), or pass strict=False to "
                    "keep the parameters reached"
                )
            if report["interrupted"]:
                e = Interrupted(self)
                e.report = report
                raise e

        _stopped(self, report, stop)

    def _train(self, X, n_epochs):
        rbm = self._model()
        if not self.verbose:
            self._raise_for(rbm.fit_epochs(X, n_epochs))
            return
        # one call per epoch, so that every line shows as its epoch ends
        total = None
        for _ in range(n_epochs):
            r = rbm.fit_epochs(X, 1, monitor=True)
            total = r if total is None else _merge(total, r)
            if r["epoch"]:
                pl = r["pseudo_likelihood"][0]
                what = (f"pseudo-likelihood = {pl:.2f}" if pl is not None
                        else f"reconstruction error = {r['reconstruction_error'][0]:.4f}")
                print(f"[{type(self).__name__}] Iteration {r['epoch'][0]}, {what}, "
                      f"time = {r['time'][0]:.2f}s", flush=True)
            if r["status"] != "completed":
                break
        self._raise_for(total if total is not None else rbm.fit_epochs(X, 0))

    def fit(self, X, y=None):
        """Train a new RBM on the rows of ``X``.

        ``n_iter`` epochs of minibatches of ``batch_size`` (shuffled each epoch when ``shuffle``),
        from ``W ~ N(0, 0.01^2)`` and zero biases (or visible biases from the data marginals with
        ``visible_bias_init="data"``), by CD-k, PCD or tempered persistent chains (``method``). Each
        minibatch moves the parameters along the data statistics ``<v p(h|v)^T>`` minus those of the
        chains, with momentum, weight decay, the schedules and the centring of the constructor.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, in ``[0, 1]`` for Bernoulli units (standardised for Gaussian units).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator; ``report_`` holds ``n_epochs``, ``n_updates``, ``elapsed``,
            ``status`` (and per epoch ``pseudo_likelihood`` / ``reconstruction_error`` when
            ``verbose``), ``fit_status_`` the status.

        Raises
        ------
        attractor.AttractorError
            For a parameter out of range (the message names it), data of the wrong shape or
            outside ``[0, 1]``, or an epoch that made a parameter non-finite (undone).
        attractor.Interrupted
            On Ctrl-C, between minibatches; ``result`` is this estimator with the parameters
            reached. With ``strict=False`` neither stop raises: the parameters reached are kept,
            with a :class:`~attractor.ConvergenceWarning`.

        Examples
        --------
        >>> import numpy as np
        >>> import attractor
        >>> X = (np.random.default_rng(0).random((100, 6)) < 0.3).astype(float)
        >>> rbm = attractor.BernoulliRBM(n_components=4, n_iter=3, random_state=0).fit(X)
        >>> rbm.report_["n_epochs"], rbm.components_.shape
        (3, (4, 6))
        """
        seed = self._check_params()
        self._rbm = None  # a fit that fails leaves the estimator unfitted
        self.__dict__.pop("n_features_in_", None)
        self._remember_feature_names(X)
        Xa = _as_rows(X, "X")
        self._initialise(Xa, seed)
        self._train(Xa, int(self.n_iter))
        return self

    def partial_fit(self, X, y=None):
        """One parameter update on the minibatch formed by all rows of ``X``.

        The first call initialises the model as :meth:`fit` does; later calls continue its momentum
        and persistent chains. A fresh trainer (zero momentum, new chains) starts for a model that
        was unpickled, loaded or built with :meth:`from_parameters`, and when a training parameter
        changed since the last update.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The minibatch.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The estimator.
        """
        seed = self._check_params()
        if not self.__sklearn_is_fitted__():
            self._remember_feature_names(X)
            X = _as_rows(X, "X")
            self._initialise(X, seed)
        else:
            X = self._rows(X)
            if not self._rbm.has_trainer or self._settings() != getattr(self, "_trainer_settings", None):
                self._start_trainer(seed)
        self._model().partial_fit(X)
        return self

    # ------------------------------------------------------------------ parameters

    @property
    def components_(self):
        """``W^T``, ``(n_components, n_features)`` (a copy; assign to replace it)."""
        return self._model().components()

    @components_.setter
    def components_(self, value):
        rbm = self._model()
        rbm.set_parameters(value, rbm.visible_bias(), rbm.hidden_bias())

    @property
    def intercept_hidden_(self):
        """The hidden bias ``b``, ``(n_components,)`` (a copy; assign to replace it)."""
        return self._model().hidden_bias()

    @intercept_hidden_.setter
    def intercept_hidden_(self, value):
        rbm = self._model()
        rbm.set_parameters(rbm.components(), rbm.visible_bias(), np.asarray(value, dtype=np.float64))

    @property
    def intercept_visible_(self):
        """The visible bias ``a``, ``(n_features,)`` (a copy; assign to replace it)."""
        return self._model().visible_bias()

    @intercept_visible_.setter
    def intercept_visible_(self, value):
        rbm = self._model()
        rbm.set_parameters(rbm.components(), np.asarray(value, dtype=np.float64), rbm.hidden_bias())

    @property
    def v_samples_(self):
        """The persistent chains' visible states (for ``method="tempering"`` their ``T = 1``
        replicas), ``(n_chains, n_features)`` (``n_chains`` defaults to ``batch_size``); ``None``
        for CD-k or before the first update."""
        return self._model().persistent_chains()

    @property
    def swap_rates_(self):
        """The swap acceptance rates between neighbouring temperatures of tempered training
        (``method="tempering"``) so far; ``None`` otherwise."""
        return self._model().swap_rates()

    @property
    def h_samples_(self):
        """The hidden-unit probabilities ``p(h = 1 | v)`` of the persistent chains,
        ``(batch_size, n_components)`` (scikit-learn stores binary draws of them); ``None``
        for CD-k (``persistent=False``) or before the first update."""
        v = self.v_samples_
        return None if v is None else self._model().transform(v)

    @classmethod
    def from_parameters(cls, components, intercept_hidden, intercept_visible, **params):
        """A fitted estimator with these parameters (e.g. those of a scikit-learn
        ``BernoulliRBM``: ``components_``, ``intercept_hidden_``, ``intercept_visible_``);
        ``params`` are constructor parameters (``n_components`` is set from ``components``)."""
        components = as_float_array(components, "components", 2)
        est = cls(**{**params, "n_components": components.shape[0]})
        rbm = _attractor.Rbm(
            components, np.asarray(intercept_visible, dtype=np.float64).ravel(),
            np.asarray(intercept_hidden, dtype=np.float64).ravel(), visible=cls._visible,
            n_threads=threads(est.n_threads),
        )
        est._adopt(rbm)
        return est

    def _adopt(self, rbm):
        self._rbm = rbm
        self.n_features_in_ = rbm.n_visible
        self._seed_ = _seed(self.random_state)
        self._n_draws = 0

    def save(self, path):
        """Write the parameters to ``path`` as a safetensors file (``W`` as
        ``[n_features, n_components]``, ``visible_bias``, ``hidden_bias``, the unit type in the
        metadata), atomically. The trainer's state (momentum, chains) is not saved."""
        self._model().save(str(path))

    @classmethod
    def load(cls, path, **params):
        """An estimator with the parameters of a safetensors file written by :meth:`save`;
        ``params`` are constructor parameters (``n_components`` comes from the file). A
        missing, truncated or corrupt file is an :class:`~attractor.AttractorError` naming
        the file and the defect."""
        rbm = _attractor.Rbm.load(str(path))
        if rbm.visible_units != cls._visible:
            other = "GaussianBernoulliRBM" if rbm.visible_units == "gaussian" else "BernoulliRBM"
            raise AttractorError(
                f"{path}: the file holds an RBM with {rbm.visible_units} visible units; "
                f"load it with {other}.load"
            )
        est = cls(**{**params, "n_components": rbm.n_hidden})
        est._adopt(rbm)
        return est

    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__
        state = dict(state)
        rbm = state.pop("_rbm", None)
        if rbm is not None:
            state["_rbm_bytes"] = bytes(rbm.to_bytes())
        return state

    def __setstate__(self, state):
        state = dict(state)
        data = state.pop("_rbm_bytes", None)
        if hasattr(super(), "__setstate__"):
            super().__setstate__(state)
        else:  # pragma: no cover - without scikit-learn
            self.__dict__.update(state)
        if data is not None:
            self._rbm = _attractor.Rbm.from_bytes(data, "pickled RBM",
                                                  n_threads=threads(self.n_threads))

    # ------------------------------------------------------------------ inference

    def transform(self, X):
        """The hidden features ``p(h = 1 | v) = sigmoid(X @ components_.T + intercept_hidden_)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Visible states.

        Returns
        -------
        H : ndarray of shape (n_samples, n_components)
            The hidden units' probabilities.
        """
        return self._model().transform(self._rows(X))

    def fit_transform(self, X, y=None):
        """``fit(X).transform(X)``."""
        return self.fit(X, y).transform(X)

    def reconstruct(self, X):
        """The mean-field reconstructions ``E[v | h = p(h | v)]`` of the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Visible states.

        Returns
        -------
        R : ndarray of shape (n_samples, n_features)
            The reconstructions.
        """
        return self._model().reconstruct(self._rows(X))

    def reconstruction_error(self, X):
        """The mean over samples and features of ``(v - E[v | h = p(h | v)])^2``.

        A cheap progress indicator, not the likelihood (Hinton's practical guide, 2010).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Visible states.

        Returns
        -------
        error : float
            The mean squared reconstruction error.
        """
        return self._model().reconstruction_error(self._rows(X))

    def free_energy(self, X):
        """The free energy ``F(v) = -log sum_h exp(-E(v, h))`` of every row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Visible states.

        Returns
        -------
        F : ndarray of shape (n_samples,)
            ``-a.v - sum_j softplus(b_j + W_j . v)`` (Bernoulli units).
        """
        return self._model().free_energies(self._rows(X))

    def _draw_seed(self, random_state):
        """A seed for one random call: from ``random_state`` when given, else the estimator's
        ``random_state`` and a count of the draws so far (reproducible, different each call)."""
        if random_state is not None:
            return _seed(random_state)
        k = self._n_draws
        self._n_draws += 1
        return int(np.random.SeedSequence([self._seed_, k]).generate_state(1, np.uint64)[0] >> 1)

    def gibbs(self, v, random_state=None):
        """One block Gibbs step from every row of ``v``: ``h ~ p(h | v)``, then ``v' ~ p(v | h)``.

        Parameters
        ----------
        v : array-like of shape (n_samples, n_features)
            The starting visible states.
        random_state : int, numpy.random.Generator or None, default=None
            The seed; ``None`` draws from the estimator's ``random_state`` and a count of the
            draws so far (successive calls differ, reproducibly).

        Returns
        -------
        v_new : ndarray of shape (n_samples, n_features)
            The visible samples.
        """
        self._model()
        return self._rbm.gibbs(self._rows(v, "v"), seed=self._draw_seed(random_state), n_steps=1)

    def sample(self, n_samples, n_steps=1000, random_state=None, method="gibbs",
               n_temperatures=None, temperatures=None, max_temperature=10.0, start=None):
        """Approximate samples of ``p(v)`` from independent chains.

        The chains start at random (``v_i ~ Bernoulli(1/2)``, or ``N(a, I)``), or at the rows of
        ``start`` (long chains from the data, ``method="gibbs"`` only).

        ``method="gibbs"``: ``n_steps`` block Gibbs sweeps per chain. ``method="tempering"``:
        parallel tempering (replica exchange; Swendsen & Wang 1986, Geyer 1991; for RBMs Desjardins
        et al., AISTATS 2010), which crosses the low-probability valleys between modes that trap
        plain Gibbs chains: each chain carries one replica per temperature ``1 = T_0 < T_1 < ...``;
        each of the ``n_steps`` rounds is one sweep at every temperature, then swaps of neighbouring
        replicas accepted with the Metropolis probability of the tempered free energies, so that
        replica ``k`` samples ``p_k(v) ∝ Σ_h exp(-E(v,h)/T_k)`` exactly; the ``T = 1`` replicas are
        returned, and ``tempering_`` holds ``temperatures``, ``swap_rates``, ``swap_attempts``,
        ``swap_accepts`` (per neighbouring pair) and ``n_steps``.

        Parameters
        ----------
        n_samples : int
            The number of chains (one sample each).
        n_steps : int, default=1000
            Gibbs sweeps (``"gibbs"``) or rounds (``"tempering"``).
        random_state : int, numpy.random.Generator or None, default=None
            The seed (see :meth:`gibbs`).
        method : {"gibbs", "tempering"}, default="gibbs"
            How the chains move.
        n_temperatures : int or None, default=None
            Rungs of the geometric ladder of ``"tempering"`` (10 when ``None``).
        temperatures : array-like of float or None, default=None
            An explicit ladder, strictly increasing from exactly 1.
        max_temperature : float, default=10.0
            The hottest rung of the geometric ladder.
        start : array-like of shape (n_samples, n_features) or None, default=None
            Starting states (``"gibbs"`` only).

        Returns
        -------
        samples : ndarray of shape (n_samples, n_features)
            The chains' last states.

        Raises
        ------
        attractor.AttractorError
            For a bad ladder (the message names the temperature), ``start`` with the wrong number
            of rows, or options of the other method.
        attractor.Interrupted
            On Ctrl-C, within a fraction of a second; ``result`` holds the states reached.

        Examples
        --------
        >>> import numpy as np
        >>> import attractor
        >>> X = (np.random.default_rng(0).random((100, 6)) < 0.3).astype(float)
        >>> rbm = attractor.BernoulliRBM(n_components=4, n_iter=3, random_state=0).fit(X)
        >>> rbm.sample(5, n_steps=20, random_state=1).shape
        (5, 6)
        >>> s = rbm.sample(5, n_steps=20, method="tempering", n_temperatures=3, random_state=1)
        >>> len(rbm.tempering_["swap_rates"])
        2
        """
        rbm = self._model()
        n = _whole("n_samples", n_samples, 1, "give a whole number of samples >= 1")
        seed = self._draw_seed(random_state)
        if start is not None:
            if method != "gibbs":
                raise AttractorError("start applies to method='gibbs'; drop it or use gibbs")
            v0 = self._rows(start, "start")
            if v0.shape[0] != n:
                raise AttractorError(
                    f"start has {v0.shape[0]} rows but n_samples = {n}: give one row per chain")
            return rbm.gibbs(v0, seed=seed, n_steps=_whole(
                "n_steps", n_steps, 0, "give a whole number of Gibbs sweeps >= 0"))
        if method == "gibbs":
            if n_temperatures is not None or temperatures is not None:
                raise AttractorError(
                    "n_temperatures/temperatures apply to method='tempering'; "
                    "drop them or pass method='tempering'")
            states, interrupted = rbm.sample(
                n, _whole("n_steps", n_steps, 0, "give a whole number of Gibbs sweeps >= 0"),
                seed=seed,
            )
        elif method == "tempering":
            if n_temperatures is not None:
                n_temperatures = _whole("n_temperatures", n_temperatures, 1,
                                        "give a whole number of temperatures >= 1")
            if temperatures is not None:
                temperatures = [float(t) for t in np.asarray(temperatures, dtype=float).ravel()]
            states, interrupted, info = rbm.sample_tempering(
                n, _whole("n_steps", n_steps, 0, "give a whole number of rounds >= 0"),
                seed=seed, temperatures=temperatures, n_temperatures=n_temperatures,
                max_temperature=_real("max_temperature", max_temperature),
            )
            self.tempering_ = info
        else:
            raise AttractorError(
                f"method = {method!r}: use 'gibbs' (block Gibbs sweeps) or 'tempering' "
                "(parallel tempering)")
        if interrupted:
            raise Interrupted(states)
        return states

    def log_partition(self, method="auto", n_runs=100, n_betas=10000, random_state=None,
                      X=None, return_std=False):
        """The log partition function ``log Z``.

        ``method="auto"``: exact when the enumerated layer has at most 24 units, AIS otherwise.
        ``method="exact"``: a log-sum-exp over the states of the smaller layer (the hidden one for
        Gaussian units), refused above 24 units. ``method="ais"``: annealed importance sampling
        (Salakhutdinov & Murray, ICML 2008) with ``n_runs`` runs over ``n_betas`` linearly spaced
        inverse temperatures, from a base model with the smoothed marginals of the rows of ``X``
        when given (a uniform base otherwise); ``log Z`` is then biased low when the schedule is too
        short. Sets ``ais_`` (``log_z``, ``std_err``, ``log_weights``, ``log_z_base``) after AIS.

        Parameters
        ----------
        method : {"auto", "exact", "ais"}, default="auto"
            How to compute it.
        n_runs : int, default=100
            AIS runs.
        n_betas : int, default=10000
            AIS inverse temperatures.
        random_state : int, numpy.random.Generator or None, default=None
            The seed of AIS.
        X : array-like of shape (n_samples, n_features) or None, default=None
            Data whose marginals give the AIS base model.
        return_std : bool, default=False
            Also return the standard error (delta method; 0 when exact).

        Returns
        -------
        log_z : float
            ``log Z``, or ``(log_z, std_err)`` with ``return_std``.
        """
        rbm = self._model()
        if method not in ("auto", "exact", "ais"):
            raise AttractorError(f"method = {method!r}: use 'auto', 'exact' or 'ais'")
        if method in ("auto", "exact"):
            try:
                z, se = rbm.log_z_exact(), 0.0
            except AttractorError as e:
                if "annealed importance sampling" not in str(e):
                    raise
                if method == "exact":
                    raise AttractorError(f"{e} (here: method='ais' or 'auto')") from None
                method = "ais"
        if method == "ais":
            data = None if X is None else self._rows(X)
            self.ais_ = rbm.ais(
                n_runs=n_runs, n_betas=n_betas, seed=self._draw_seed(random_state), data=data,
                base="data" if data is not None else "zero",
            )
            z, se = self.ais_["log_z"], self.ais_["std_err"]
        return (z, se) if return_std else z

    def log_likelihood(self, X, method="auto", n_runs=100, n_betas=10000, random_state=None,
                       return_std=False, base_X=None, chains_per_sample=1, max_samples=None):
        """The mean log-likelihood per sample over the rows of ``X`` (nats).

        ``method="auto"`` / ``"exact"`` / ``"ais"``: ``mean(-F(v)) - log Z`` with ``log Z`` from
        :meth:`log_partition` (AIS takes its base model from the marginals of ``base_X``, the
        training data, when given, else of ``X``); AIS's ``log Z`` is biased low, so this estimate
        errs high when the schedule is short. ``method="raise"``: the conservative estimate of reverse
        annealing (RAISE; Burda, Grosse & Salakhutdinov, AISTATS 2015): ``chains_per_sample`` reverse
        chains of ``n_betas`` steps from every row, each an unbiased estimate of the likelihood of the
        annealed directed model, so it errs low. ``method="bracket"``: both, AIS above and RAISE below
        (RAISE on at most ``max_samples`` evenly spaced rows), as a :class:`LikelihoodBracket`, also
        stored in ``bracket_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data (test images).
        method : {"auto", "exact", "ais", "raise", "bracket"}, default="auto"
            The estimate.
        n_runs : int, default=100
            AIS runs.
        n_betas : int, default=10000
            Inverse temperatures of AIS and RAISE.
        random_state : int, numpy.random.Generator or None, default=None
            The seed.
        return_std : bool, default=False
            Also return the standard error (not for ``"bracket"``, which carries both).
        base_X : array-like of shape (n, n_features) or None, default=None
            Data whose marginals give the base model (the training data).
        chains_per_sample : int, default=1
            RAISE's reverse chains per row.
        max_samples : int or None, default=None
            Run RAISE on at most this many rows (``"bracket"``).

        Returns
        -------
        value : float or LikelihoodBracket
            The estimate (``(value, std_err)`` with ``return_std``), or the bracket.

        Raises
        ------
        attractor.AttractorError
            For an unknown method, ``return_std`` with ``"bracket"``, or a non-positive count.

        Examples
        --------
        >>> import numpy as np
        >>> import attractor
        >>> X = (np.random.default_rng(0).random((100, 6)) < 0.3).astype(float)
        >>> rbm = attractor.BernoulliRBM(n_components=4, n_iter=3, random_state=0).fit(X)
        >>> exact = rbm.log_likelihood(X, method="exact")
        >>> b = rbm.log_likelihood(X, method="bracket", n_betas=1000, random_state=0)
        >>> bool(b.contains(exact))
        True
        """
        rows = self._rows(X)
        base = None if base_X is None else self._rows(base_X, "base_X")
        if method in ("raise", "bracket"):
            rbm = self._model()
            seed = self._draw_seed(random_state)
            m = _whole("chains_per_sample", chains_per_sample, 1,
                       "give a whole number of reverse chains per sample >= 1")
            if method == "raise":
                r = rbm.raise_log_likelihood(rows, n_betas=n_betas, seed=seed, base_data=base,
                                             chains_per_sample=m)
                self.raise_ = r
                return (r["log_likelihood"], r["std_err"]) if return_std else r["log_likelihood"]
            if return_std:
                raise AttractorError("return_std does not apply to method='bracket': the "
                                     "bracket carries both standard errors")
            if max_samples is not None:
                max_samples = _whole("max_samples", max_samples, 1,
                                     "give a whole number of samples >= 1, or None for all")
            d = rbm.log_likelihood_bracket(rows, n_runs=n_runs, n_betas=n_betas, seed=seed,
                                           base_data=base, chains_per_sample=m,
                                           max_samples=max_samples)
            self.bracket_ = LikelihoodBracket(
                d["lower"], d["lower_std_err"], d["upper"], d["upper_std_err"],
                d["log_z_lower"], d["log_z_upper"], d["raise_samples"])
            return self.bracket_
        if method not in ("auto", "exact", "ais"):
            raise AttractorError(
                f"method = {method!r}: use 'auto', 'exact', 'ais', 'raise' or 'bracket'")
        z, se = self.log_partition(method, n_runs=n_runs, n_betas=n_betas,
                                   random_state=random_state,
                                   X=base if base is not None else rows, return_std=True)
        ll = self._model().log_likelihood(rows, log_z=z)
        return (ll, se) if return_std else ll


class LikelihoodBracket(tuple):
    """The mean test log-likelihood between two estimates that err in opposite directions.

    ``lower`` is RAISE's (conservative) and ``upper`` AIS's (optimistic), each with its standard
    error; ``[log_z_lower, log_z_upper]`` is the matching bracket of ``log Z``, and
    ``raise_samples`` the number of rows RAISE ran on. A tuple, so it pickles and compares as
    one. Returned by :meth:`BernoulliRBM.log_likelihood` with ``method="bracket"``.

    Parameters
    ----------
    lower, lower_std_err, upper, upper_std_err, log_z_lower, log_z_upper : float
        The two estimates, their standard errors and the ``log Z`` bracket.
    raise_samples : int
        Rows RAISE ran on.
    """

    __slots__ = ()
    _fields = ("lower", "lower_std_err", "upper", "upper_std_err", "log_z_lower",
               "log_z_upper", "raise_samples")

    def __new__(cls, lower, lower_std_err, upper, upper_std_err, log_z_lower, log_z_upper,
                raise_samples):
        return super().__new__(cls, (float(lower), float(lower_std_err), float(upper),
                                     float(upper_std_err), float(log_z_lower),
                                     float(log_z_upper), int(raise_samples)))

    def __getnewargs__(self):
        return tuple(self)

    lower = property(lambda self: self[0], doc="RAISE's estimate (nats per sample).")
    lower_std_err = property(lambda self: self[1], doc="Its standard error.")
    upper = property(lambda self: self[2], doc="AIS's estimate (nats per sample).")
    upper_std_err = property(lambda self: self[3], doc="Its standard error.")
    log_z_lower = property(lambda self: self[4], doc="AIS's log Z.")
    log_z_upper = property(lambda self: self[5], doc="RAISE's log Z.")
    raise_samples = property(lambda self: self[6], doc="Rows RAISE ran on.")

    def contains(self, value, z=3.0):
        """Whether ``value`` lies within ``[lower - z*lower_std_err, upper + z*upper_std_err]``."""
        return self.lower - z * self.lower_std_err <= value <= self.upper + z * self.upper_std_err

    def __repr__(self):
        return (f"LikelihoodBracket([{self.lower:.2f} ± {self.lower_std_err:.2f} (RAISE), "
                f"{self.upper:.2f} ± {self.upper_std_err:.2f} (AIS)] nats per sample; "
                f"log Z in [{self.log_z_lower:.2f}, {self.log_z_upper:.2f}])")


def _merge(total, r):
    """Two consecutive training reports as one."""
    out = dict(r)
    for k in ("n_epochs", "n_updates", "elapsed"):
        out[k] = total[k] + r[k]
    for k in ("epoch", "reconstruction_error", "pseudo_likelihood", "time"):
        out[k] = list(total.get(k, [])) + list(r.get(k, []))
    return out


class BernoulliRBM(_RBM):
    """A Bernoulli restricted Boltzmann machine, trained in Rust.

Binary visible and hidden units, ``E(v, h) = -a.v - b.h - v.W h``, with scikit-learn's
``BernoulliRBM`` interface and defaults (PCD-1, ``learning_rate=0.1``, minibatches of 10,
10 epochs, ``W ~ N(0, 0.01^2)``). Data are rows of ``n_features`` values in ``{0, 1}`` or
probabilities in ``[0, 1]`` (scikit-learn accepts any real numbers; anything outside
``[0, 1]`` is refused here, the message naming the value and its place).

Parameters
----------
n_components : int, default=256
    Hidden units.
learning_rate : float, default=0.1
    The step ``eta`` (times the minibatch mean of the statistics).
batch_size : int, default=10
    Samples per minibatch.
n_iter : int, default=10
    Epochs of :meth:`fit`.
verbose : int, default=0
    Print the pseudo-likelihood (or reconstruction error) after each epoch.
random_state : int, numpy.random.Generator or None, default=None
    ``None`` draws a fresh seed (scikit-learn's meaning), an int makes a run reproducible.
cd_k : int, default=1
    Gibbs sweeps (or tempering rounds) per update.
persistent : bool, default=True
    PCD (``True``) or CD-k, when ``method`` is ``None``.
momentum : float, default=0.0
    The momentum in ``[0, 1)``.
weight_decay : float, default=0.0
    L2 penalty on ``W``.
shuffle : bool, default=True
    Shuffle the minibatch order each epoch (scikit-learn does not).
n_threads : int or None, default=None
    scikit-learn's meaning: ``None``/1 one thread, ``k`` threads, -1 every core, -2 all
    but one; results do not depend on it.
strict : bool, default=True
    ``False``: a run stopped by Ctrl-C or a diverged epoch keeps the parameters reached
    instead of raising (see :meth:`fit`).
method : {"cd", "pcd", "tempering"} or None, default=None
    The negative phase: CD-k, persistent chains, or persistent tempered chains with one
    replica per temperature (Desjardins et al., AISTATS 2010); ``None`` follows
    ``persistent``.
n_chains : int or None, default=None
    Persistent chains of ``"pcd"``/``"tempering"`` (``None``: ``batch_size``).
learning_rate_schedule : str, default="constant"
    The rate per epoch: ``"constant"``, ``"linear:END:EPOCHS"``, ``"exponential:FACTOR"``,
    ``"inverse:TAU"`` (``eta/(1 + t/tau)``) or ``"step:BEFORE:EPOCHS"``.
momentum_schedule : str, default="constant"
    The momentum per epoch, in the same forms (Hinton's ``momentum=0.9`` with
    ``"step:0.5:5"``).
centering : str, default="none"
    ``"data:RATE"``: the centred gradient (Melchior, Fischer & Wiskott, JMLR 2016), offsets
    the running data means; ``"enhanced:RATE"``: Cho et al.'s enhanced gradient.
visible_bias_init : {"zero", "data"}, default="zero"
    scikit-learn's zero start, or the logit of the data marginals (Hinton's guide).
n_temperatures : int or None, default=None
    Rungs of the tempering ladder (geometric from 1 to ``max_temperature``; 10 when
    ``None``).
temperatures : array-like of float or None, default=None
    An explicit ladder, strictly increasing from exactly 1.
max_temperature : float, default=10.0
    The hottest rung of the geometric ladder.

Attributes
----------
components_ : ndarray of shape (n_components, n_features)
    ``W^T``.
intercept_hidden_ : ndarray of shape (n_components,)
    The hidden bias ``b``.
intercept_visible_ : ndarray of shape (n_features,)
    The visible bias ``a``.
v_samples_, h_samples_ : ndarray or None
    The persistent chains and their hidden probabilities.
swap_rates_ : list of float or None
    The swap acceptance rates of tempered training.
n_features_in_ : int
    Features seen at fit.
report_ : dict
    How training went; ``fit_status_`` its status.

Examples
--------
>>> import numpy as np
>>> import attractor
>>> X = (np.random.default_rng(0).random((200, 8)) < 0.3).astype(float)
>>> rbm = attractor.BernoulliRBM(n_components=6, n_iter=5, random_state=0, momentum=0.9,
...                              momentum_schedule="step:0.5:2", centering="data:0.05",
...                              visible_bias_init="data").fit(X)
>>> rbm.transform(X).shape
(200, 6)
>>> bool(rbm.log_likelihood(X) > -8 * np.log(2))
True
"""

    _visible = "bernoulli"

    def score_samples(self, X):
        """The stochastic pseudo-log-likelihood of every row of ``X``, as scikit-learn's
        ``BernoulliRBM.score_samples``: for each sample one unit ``i`` drawn at random (from
        ``random_state``; the same draw on every call), ``n_features * log p(v_i | v_-i) =
        -n_features * softplus(F(v) - F(v with unit i flipped))``, an unbiased estimate of the
        exact pseudo-likelihood ``sum_i log p(v_i | v_-i)`` (:meth:`pseudo_likelihood`)."""
        rbm = self._model()
        # the seed resolved at fit: the same draw on every call, fresh per unseeded fit
        return rbm.pseudo_likelihood_stochastic(self._rows(X), seed=self._seed_)

    def pseudo_likelihood(self, X):
        """The exact pseudo-log-likelihood ``sum_i log p(v_i | v_-i)`` (Besag 1975), averaged
        over the rows of ``X``: every unit's conditional, not one drawn at random."""
        return self._model().pseudo_likelihood_exact(self._rows(X))


class GaussianBernoulliRBM(_RBM):
    """An RBM with real-valued Gaussian visible units of unit variance and binary hidden units.

``E(v, h) = 1/2 ||v - a||^2 - b.h - v.W h``, so ``v | h ~ N(a + W h, I)`` (Hinton's
practical guide, 2010, section 13.2). Standardise the data first (zero mean, unit variance
per feature): the variance is fixed at 1, not learned. Gaussian units want a smaller learning
rate than binary ones, hence the default ``learning_rate=0.01``; an epoch that diverges is
undone and reported as an error. The interface is :class:`BernoulliRBM`'s, less the
pseudo-likelihood (defined for binary units); track training with
:meth:`~BernoulliRBM.reconstruction_error` or :meth:`~BernoulliRBM.log_likelihood`.

Parameters
----------
n_components : int, default=256
    Hidden units.
learning_rate : float, default=0.01
    The step.
batch_size, n_iter, verbose, random_state, cd_k, persistent, momentum, weight_decay, shuffle, n_threads, strict, method, n_chains, learning_rate_schedule, momentum_schedule, centering, visible_bias_init, n_temperatures, temperatures, max_temperature
    As for :class:`BernoulliRBM`.

Examples
--------
>>> import numpy as np
>>> import attractor
>>> X = np.random.default_rng(0).standard_normal((200, 5))
>>> rbm = attractor.GaussianBernoulliRBM(n_components=3, n_iter=3, random_state=0).fit(X)
>>> rbm.reconstruct(X).shape
(200, 5)
"""

    _visible = "gaussian"

    def __init__(
        self,
        n_components=256,
        learning_rate=0.01,
        batch_size=10,
        n_iter=10,
        verbose=0,
        random_state=None,
        *,
        cd_k=1,
        persistent=True,
        momentum=0.0,
        weight_decay=0.0,
        shuffle=True,
        n_threads=None,
        strict=True,
        method=None,
        n_chains=None,
        learning_rate_schedule="constant",
        momentum_schedule="constant",
        centering="none",
        visible_bias_init="zero",
        n_temperatures=None,
        temperatures=None,
        max_temperature=10.0,
    ):
        super().__init__(
            n_components=n_components, learning_rate=learning_rate, batch_size=batch_size,
            n_iter=n_iter, verbose=verbose, random_state=random_state, cd_k=cd_k,
            persistent=persistent, momentum=momentum, weight_decay=weight_decay,
            shuffle=shuffle, n_threads=n_threads, strict=strict, method=method, n_chains=n_chains,
            learning_rate_schedule=learning_rate_schedule, momentum_schedule=momentum_schedule,
            centering=centering, visible_bias_init=visible_bias_init,
            n_temperatures=n_temperatures, temperatures=temperatures,
            max_temperature=max_temperature,
        )
