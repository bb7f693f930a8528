"""Energy-based density models fitted by score matching, with a scikit-learn face, trained in Rust.

A model is an energy ``E(x)`` whose unnormalised density is ``p(x) ~ exp(-E(x))``; score
matching fits it without the normalising constant, by matching the model's score
``-grad E(x)`` to the data's. Three energies (``model=``):

- ``"gaussian"``: ``E(x) = 1/2 (x - mean_)^T precision_ (x - mean_)``; exact score matching
  recovers the maximum-likelihood estimate (``method="closed_form"`` computes it directly);
- ``"network"``: ``E(x) = sum_k a_k softplus(w_k.x + b_k) + ||x||^2 / (2 s^2)``, a one-hidden-layer
  energy network (``weights_`` rows ``w_k``, ``biases_`` ``b``, ``output_weights_`` ``a``) with a
  Gaussian confinement of scale ``s = scale_``: multimodal densities;
- ``"dense_memory"``: ``E(x) = -1/beta log sum_mu exp(beta xi_mu.x) + ||x||^2 / (2 s^2)``, the
  modern Hopfield energy; for ``beta = 1`` its density is a mixture of ``N(s^2 xi_mu, s^2 I)``,
  so with ``scale`` about the clusters' width (not the default, which suits the network) the
  fitted ``patterns_`` sit at the data's clusters (times ``1/s^2``).

Three objectives (``objective=``): ``"denoising"`` (Vincent 2011; the data perturbed by
``sigma * N(0, I)`` at each of ``noise_levels``, absolute), ``"exact"`` (Hyvärinen 2005, the
trace of the Hessian) and ``"sliced"`` (Song et al. 2019, ``n_projections`` random directions).
Training is Adam on shuffled minibatches; samples come from Langevin dynamics on the fitted
energy, annealed from a higher temperature.

The numerics live in the Rust library (``attractor::models::score_energy``,
``attractor::learn::score_matching``, ``attractor::samplers::LangevinSampler``); this module
translates. Training and sampling release the interpreter lock; Ctrl-C stops them and raises
:class:`~attractor.Interrupted` whose ``result`` is the estimator with the parameters reached
(or the samples reached). Results depend on ``random_state`` only.
"""

import numbers

import numpy as np

from . import _attractor
from .errors import AttractorError, Interrupted, as_float_array, check_strict  # noqa: F401
from .memory import _Base, _Checked, _seed
from .rbm import _as_rows, _not_fitted, _stopped, _whole

__all__ = ["ScoreMatchingEnergy"]

_MODELS = ("network", "gaussian", "dense_memory")
_OBJECTIVES = ("denoising", "exact", "sliced")
_METHODS = ("adam", "closed_form")


def _positive_real(name, value, fix):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise AttractorError(f"{name} = {value!r}: give a real number; {fix}")
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise AttractorError(f"{name} = {value!r}: {fix}")
    return value


class ScoreMatchingEnergy(_Checked, _Base):
    """An energy-based density model ``p(x) ~ exp(-E(x))`` fitted by score matching.

    The energies (module docs): ``"gaussian"`` ``E(x) = 1/2 (x - m)^T P (x - m)``;
    ``"network"`` ``E(x) = sum_k a_k softplus(w_k.x + b_k) + ||x||^2 / (2 s^2)``;
    ``"dense_memory"`` ``E(x) = -1/beta log sum_mu exp(beta xi_mu.x) + ||x||^2 / (2 s^2)``.

    Parameters
    ----------
    model : {"network", "gaussian", "dense_memory"}, default="network"
        The energy (see the module).
    n_hidden : int, default=64
        Hidden units of the network.
    n_patterns : int, default=8
        Patterns of the dense memory, started at distinct samples of ``X``.
    scale : float or None, default=None
        The confinement scale ``s`` of the network and the dense memory; ``None`` is 3
        times the largest standard deviation of the features of ``X``, resolved at fit
        (``scale_``).
    beta : float, default=1.0
        The inverse temperature of the dense memory's softmax.
    objective : {"denoising", "exact", "sliced"}, default="denoising"
        Denoising (Vincent 2011), exact (Hyvärinen 2005) or sliced (Song et al. 2019)
        score matching.
    noise_levels : float or sequence of float, default=(0.1,)
        The noise levels ``sigma > 0`` of denoising score matching, absolute (in the units
        of ``X``), used in turn across a minibatch.
    n_projections : int, default=1
        Directions per sample of sliced score matching.
    learning_rate : float, default=0.01
        Adam's step size.
    batch_size : int, default=128
        Samples per minibatch (at most the number of samples).
    max_epochs : int, default=100
        Passes over the data in :meth:`fit`.
    random_state : int, numpy.random.Generator or None, default=0
        ``None`` draws a fresh seed; an int; or a NumPy generator that draws the seed.
        Seeds the initial parameters, the minibatch order, the noises and projections, and
        (with a count of the draws) :meth:`sample`.
    method : {"adam", "closed_form"}, default="adam"
        ``"closed_form"``: the exact score-matching minimiser of a Gaussian,
        ``mean_ = mean(X)``, ``precision_ = inv(cov(X, bias=True))`` (only with
        ``model="gaussian"``).
    weight_decay : float, default=0.0
        L2 weight decay of Adam.
    strict : bool, default=True
        ``True``: a fit stopped by Ctrl-C raises :class:`~attractor.Interrupted` and a
        diverged epoch an :class:`~attractor.AttractorError`; ``False``: the parameters
        reached are kept, with a :class:`~attractor.ConvergenceWarning` and the status in
        ``fit_status_``.

    Attributes
    ----------
    n_features_in_ : int
        The number of features.
    loss_curve_ : list of float
        The objective on all of ``X`` after each epoch of :meth:`fit` (its noises and
        projections the same every epoch); one value per :meth:`partial_fit` call (that
        minibatch's objective before the update).
    scale_ : float
        The confinement scale in use.
    report_ : dict
        ``n_epochs``, ``n_updates``, ``elapsed``, ``status`` of the last fit.
    mean_, precision_ : ndarray
        The Gaussian's parameters (``model="gaussian"``).
    weights_, biases_, output_weights_ : ndarray
        The network's ``w_k`` (rows, ``(n_hidden, n_features)``), ``b`` and ``a``.
    patterns_ : ndarray of shape (n_patterns, n_features)
        The dense memory's patterns.

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import ScoreMatchingEnergy
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal([1.0, -2.0], [1.0, 0.5], size=(500, 2))
    >>> g = ScoreMatchingEnergy(model="gaussian", objective="exact", learning_rate=0.05,
    ...                         max_epochs=200, random_state=0).fit(X)
    >>> g.mean_.round(1), np.diag(g.precision_).round(1)  # 1/sigma^2 = 1, 4 (sample: 4.3)
    (array([ 0.9, -2. ]), array([1. , 4.3]))
    >>> S = g.sample(500, n_steps=300, random_state=0)
    >>> S.mean(axis=0).round(1), S.std(axis=0).round(1)
    (array([ 0.9, -2. ]), array([1. , 0.5]))
    """

    def __init__(
        self,
        model="network",
        n_hidden=64,
        n_patterns=8,
        scale=None,
        beta=1.0,
        objective="denoising",
        noise_levels=(0.1,),
        n_projections=1,
        learning_rate=0.01,
        batch_size=128,
        max_epochs=100,
        random_state=0,
        *,
        method="adam",
        weight_decay=0.0,
        strict=True,
    ):
        self.model = model
        self.n_hidden = n_hidden
        self.n_patterns = n_patterns
        self.scale = scale
        self.beta = beta
        self.objective = objective
        self.noise_levels = noise_levels
        self.n_projections = n_projections
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.random_state = random_state
        self.method = method
        self.weight_decay = weight_decay
        self.strict = strict

    # ------------------------------------------------------------------ checks

    def _check_params(self):
        """Every constructor parameter, checked at fit time (scikit-learn's convention); the
        ranges of the trainer's settings are the library's to check. Returns the seed."""
        if self.model not in _MODELS:
            raise AttractorError(
                f"model = {self.model!r}: use 'network' (an energy network), 'gaussian' or "
                "'dense_memory' (a modern Hopfield energy)"
            )
        if self.objective not in _OBJECTIVES:
            raise AttractorError(
                f"objective = {self.objective!r}: use 'denoising' (Vincent 2011), 'exact' "
                "(Hyvärinen 2005) or 'sliced' (Song et al. 2019)"
            )
        if self.method not in _METHODS:
            raise AttractorError(
                f"method = {self.method!r}: use 'adam' (score matching by gradient steps) or "
                "'closed_form' (the Gaussian's exact minimiser)"
            )
        if self.method == "closed_form" and self.model != "gaussian":
            raise AttractorError(
                f"method = 'closed_form' with model = {self.model!r}: only the Gaussian energy "
                "has a closed-form score-matching fit; use method='adam'"
            )
        _whole("n_hidden", self.n_hidden, 1, "give a whole number of hidden units >= 1")
        _whole("n_patterns", self.n_patterns, 1, "give a whole number of patterns >= 1")
        _whole("n_projections", self.n_projections, 1,
               "give a whole number of directions per sample >= 1 (1 is usual)")
        _whole("batch_size", self.batch_size, 1, "give a whole number of samples >= 1 (e.g. 128)")
        _whole("max_epochs", self.max_epochs, 0, "give a whole number of epochs >= 0")
        if self.scale is not None:
            _positive_real("scale", self.scale,
                           "the confinement ||x||^2/(2 s^2) needs a finite s > 0, or None")
        _positive_real("beta", self.beta, "the inverse temperature must be a finite beta > 0")
        _positive_real("learning_rate", self.learning_rate, "give a finite step size > 0")
        self._noise_levels()
        check_strict(self.strict)
        return _seed(self.random_state)

    def _noise_levels(self):
        levels = self.noise_levels
        if isinstance(levels, numbers.Real) and not isinstance(levels, bool):
            levels = (levels,)
        try:
            levels = [float(s) for s in levels]
        except (TypeError, ValueError):
            raise AttractorError(
                f"noise_levels = {self.noise_levels!r}: give a number sigma > 0 or a sequence "
                "of them"
            ) from None
        for s in levels:
            if not (np.isfinite(s) and s > 0):
                raise AttractorError(
                    f"noise_levels: noise level {s!r} is not > 0; denoising score matching "
                    "perturbs the data by sigma * N(0, I) with a finite sigma > 0"
                )
        if not levels:
            raise AttractorError("noise_levels = (): give at least one noise level sigma > 0")
        return levels

    def _objective_settings(self):
        return dict(
            objective=self.objective,
            noise_levels=self._noise_levels(),
            n_projections=int(self.n_projections),
        )

    def _settings(self):
        return dict(
            **self._objective_settings(),
            learning_rate=float(self.learning_rate),
            batch_size=int(self.batch_size),
            weight_decay=float(self.weight_decay),
        )

    def _rows(self, X, name="X"):
        """``X`` as finite float64 rows of the fitted width."""
        return self._fitted_rows(X, name)

    def __sklearn_is_fitted__(self):
        return getattr(self, "_model", None) is not None

    def _fitted(self):
        m = getattr(self, "_model", None)
        if m is None:
            raise _not_fitted(self)
        return m

    # ------------------------------------------------------------------ training

    def _initialise(self, X, seed):
        """A fresh model for the rows of ``X`` and its trainer; the estimator holds them only
        once both are built."""
        if X.shape[0] == 0:
            raise AttractorError(f"X: pass at least one sample, got shape {X.shape}")
        std = X.std(axis=0)
        spread = float(std.max()) if X.shape[0] > 1 else 0.0
        scale = float(self.scale) if self.scale is not None else (3.0 * spread if spread > 0 else 1.0)
        d = X.shape[1]
        if self.model == "gaussian":
            if self.method == "closed_form":
                m = _attractor.ScoreEnergyModel.gaussian_closed_form(X)
            else:
                m = _attractor.ScoreEnergyModel.standard_gaussian(d)
        elif self.model == "network":
            m = _attractor.ScoreEnergyModel.random_network(d, int(self.n_hidden), scale, seed=seed)
        else:
            m = _attractor.ScoreEnergyModel.dense_memory_from_data(
                X, int(self.n_patterns), float(self.beta), scale, seed=seed
            )
        m.set_trainer(**self._settings(), seed=seed)
        self._model = m
        self._trainer_settings = self._settings()
        self.n_features_in_ = d
        self.scale_ = scale if self.model != "gaussian" else None
        self._center = [float(v) for v in X.mean(axis=0)]
        self._spread = spread if spread > 0 else 1.0
        self._seed_ = seed
        self._n_draws = 0
        self.loss_curve_ = []

    def _raise_for(self, report):
        def stop():
            if report["status"] == "diverged":
                raise AttractorError(
                    f"training diverged in epoch {report['diverged_epoch']}: a parameter became "
                    "non-finite, so that epoch was undone and training stopped (the parameters "
                    f"before it are kept); lower learning_rate (now {self.learning_rate}) or "
                    f"raise weight_decay (now {self.weight_decay}), or pass strict=False to keep "
                    "the parameters reached"
                )
            if report["interrupted"]:
                e = Interrupted(self)
                e.report = report
                raise e

        _stopped(self, report, stop)

    def fit(self, X, y=None):
        """Fit a new model to the rows of ``X``.

        ``max_epochs`` epochs of Adam on shuffled minibatches of ``batch_size`` (or the
        closed form with ``method="closed_form"``). Every parameter is checked first. Sets
        ``loss_curve_`` and ``report_`` (``n_epochs``, ``n_updates``, ``elapsed``,
        ``status``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        attractor.Interrupted
            On Ctrl-C (between minibatches) with ``strict=True`` (``result``: this
            estimator, with the parameters reached).
        attractor.AttractorError
            When a parameter is out of its range, or an epoch diverged with ``strict=True``.
        """
        seed = self._check_params()
        self._remember_feature_names(X)
        X = _as_rows(X, "X")
        self._model = None  # a fit that fails leaves the estimator unfitted
        self.__dict__.pop("n_features_in_", None)
        self._initialise(X, seed)
        if self.method == "closed_form":
            self.report_ = dict(n_epochs=0, n_updates=0, elapsed=0.0, status="completed",
                                diverged_epoch=None, interrupted=False, loss=[])
            self.fit_status_ = "completed"
            return self
        report = self._model.fit_epochs(X, int(self.max_epochs), monitor_seed=seed)
        self.loss_curve_ = list(report["loss"])
        self._raise_for(report)
        return self

    def partial_fit(self, X, y=None):
        """One Adam update on the minibatch formed by all rows of ``X``.

        The first call initialises the model as :meth:`fit` does; later calls continue
        Adam's moments. A fresh trainer starts for an unpickled model and when a training
        parameter changed since the last update. Appends that minibatch's objective (before
        the update) to ``loss_curve_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The minibatch.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The updated estimator.
        """
        seed = self._check_params()
        if not self.__sklearn_is_fitted__():
            self._remember_feature_names(X)
            X = _as_rows(X, "X")
            self._initialise(X, seed)
        else:
            X = self._rows(X)
            m = self._model
            if not m.has_trainer or self._settings() != getattr(self, "_trainer_settings", None):
                m.set_trainer(**self._settings(), seed=seed)
                self._trainer_settings = self._settings()
        self.loss_curve_.append(self._model.partial_fit(X))
        return self

    # ------------------------------------------------------------------ parameters

    def _param(self, kind, key):
        m = self._fitted()
        if m.kind != kind:
            raise AttributeError(f"{key}_ exists only for model={kind!r} (this one is {m.kind!r})")
        return m.parameters()[key]

    mean_ = property(lambda self: self._param("gaussian", "mean"),
                     doc="The Gaussian's mean, ``(n_features,)`` (a copy).")
    precision_ = property(lambda self: self._param("gaussian", "precision"),
                          doc="The Gaussian's precision, ``(n_features, n_features)``.")
    weights_ = property(lambda self: self._param("network", "weights"),
                        doc="The network's weights ``w_k`` as rows, ``(n_hidden, n_features)``.")
    biases_ = property(lambda self: self._param("network", "biases"),
                       doc="The network's hidden biases ``b``, ``(n_hidden,)``.")
    output_weights_ = property(lambda self: self._param("network", "output_weights"),
                               doc="The network's output weights ``a``, ``(n_hidden,)``.")
    patterns_ = property(lambda self: self._param("dense_memory", "patterns"),
                         doc="The dense memory's patterns as rows, ``(n_patterns, n_features)``.")

    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__
        state = dict(state)
        m = state.pop("_model", None)
        if m is not None:
            state["_model_state"] = (m.kind, dict(m.parameters()))
        state.pop("_trainer_settings", None)
        return state

    def __setstate__(self, state):
        state = dict(state)
        saved = state.pop("_model_state", None)
        if hasattr(super(), "__setstate__"):
            super().__setstate__(state)
        else:  # pragma: no cover - without scikit-learn
            self.__dict__.update(state)
        if saved is not None:
            kind, p = saved
            if kind == "gaussian":
                m = _attractor.ScoreEnergyModel.gaussian(p["mean"], p["precision"])
            elif kind == "network":
                m = _attractor.ScoreEnergyModel.network(
                    p["weights"], p["biases"], p["output_weights"], p["scale"]
                )
            else:
                m = _attractor.ScoreEnergyModel.dense_memory(p["patterns"], p["beta"], p["scale"])
            self._model = m

    # ------------------------------------------------------------------ inference

    def energy(self, X):
        """The energy ``E(x)`` of every row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The points.

        Returns
        -------
        energy : ndarray of shape (n_samples,)
            ``E(x)`` of each row.
        """
        m = self._fitted()
        return m.energies(self._rows(X))

    def score_samples(self, X):
        """The unnormalised log-density ``-E(x) = log p(x) + log Z`` of every row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The points.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
            Larger is more likely.
        """
        return -self.energy(X)

    def score_function(self, X):
        """The model's score ``-grad E(x)`` (the gradient of the log-density) at every row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The points.

        Returns
        -------
        score : ndarray of shape (n_samples, n_features)
            ``-grad E(x)`` at each row.
        """
        m = self._fitted()
        return m.scores(self._rows(X))

    def score(self, X, y=None):
        """Minus the score-matching objective on the rows of ``X``. Not a log-likelihood.

        The estimator's objective, its noises and projections from ``random_state``: larger
        is better, as for scikit-learn's ``score``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Minus the objective.
        """
        m = self._fitted()
        X = self._rows(X)
        seed = self._check_params()
        return -m.objective(X, **self._objective_settings(), seed=seed)

    def _draw_seed(self, random_state):
        """A seed for one random call: from ``random_state`` when given, else the estimator's
        ``random_state`` and a count of the draws so far (reproducible, different each call)."""
        if random_state is not None:
            return _seed(random_state)
        k = self._n_draws
        self._n_draws += 1
        return int(np.random.SeedSequence([self._seed_, k]).generate_state(1, np.uint64)[0] >> 1)

    def sample(self, n_samples, n_steps=1000, step_size=0.01, temperature=1.0, anneal_from=3.0,
               random_state=None):
        """Approximate samples of ``p(x) ~ exp(-E(x)/T)`` by Langevin dynamics.

        Independent chains ``x <- x - h grad E(x) + sqrt(2 T h) N(0, I)`` (``h =
        step_size``) of ``n_steps`` steps, started around the data's mean (spread: the
        largest standard deviation of the features). With ``anneal_from > 1`` the
        temperature falls geometrically from ``anneal_from * T`` to ``T`` over the first
        half of the steps, so that chains cross between wells.

        Parameters
        ----------
        n_samples : int
            The number of chains (and samples).
        n_steps : int, default=1000
            The steps per chain.
        step_size : float, default=0.01
            The step ``h``.
        temperature : float, default=1.0
            ``T`` (1: the fitted density).
        anneal_from : float, default=3.0
            The factor ``>= 1`` of the starting temperature (1: no annealing).
        random_state : int, numpy.random.Generator or None, default=None
            The seed (default: from the estimator's ``random_state`` and a count of the
            draws, so that calls differ reproducibly).

        Returns
        -------
        samples : ndarray of shape (n_samples, n_features)
            The final states.

        Raises
        ------
        attractor.Interrupted
            On Ctrl-C (within a fraction of a second), with the states reached as
            ``result``.
        attractor.AttractorError
            When a setting is out of its range.
        """
        m = self._fitted()
        n = _whole("n_samples", n_samples, 1, "give a whole number of samples >= 1")
        steps = _whole("n_steps", n_steps, 1, "give a whole number of Langevin steps >= 1")
        step_size = _positive_real("step_size", step_size,
                                   "the Langevin step needs a finite h > 0 (e.g. 0.01)")
        temperature = _positive_real("temperature", temperature,
                                     "sample at a finite temperature T > 0 (1: the fitted density)")
        anneal_from = _positive_real("anneal_from", anneal_from,
                                     "give a finite factor >= 1 (1: no annealing; e.g. 3)")
        if anneal_from < 1:
            raise AttractorError(
                f"anneal_from = {anneal_from!r}: the chains start at anneal_from * T and cool to "
                "T; give a factor >= 1 (1: no annealing)"
            )
        center = getattr(self, "_center", None)
        states, interrupted = m.sample(
            n, steps, step_size=step_size, temperature=temperature, anneal_from=anneal_from,
            seed=self._draw_seed(random_state), center=center,
            spread=float(getattr(self, "_spread", 1.0)),
        )
        if interrupted:
            raise Interrupted(states)
        return states
