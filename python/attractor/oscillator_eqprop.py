"""A classifier made of phase oscillators and trained by equilibrium propagation, with
scikit-learn's face; the numerics are in Rust (``attractor::models::oscillator_network``,
``attractor::learn::oscillator_eqprop``).

The network is Gower's layered oscillator Ising machine ("How to train an oscillator Ising
machine using equilibrium propagation", arXiv 2505.02103; "Learning at the speed of physics:
equilibrium propagation on oscillator Ising machines", arXiv 2510.12934): the input layer holds
the clamped phases ``phi_0 = pi * x`` (each feature in ``[0, 1]`` becomes a phase in
``[0, pi]``), hidden and output layers hold free phases ``theta``, and couplings ``W_k`` between
consecutive layers and bias fields ``h_k`` give the energy::

    E = -sum_k sum_ij W_k[i, j] cos(theta^k_i - theta^{k+1}_j) - sum_{k>=1} sum_i h_k[i] cos theta^k_i

The *free phase* relaxes ``dtheta/dt = -dE/dtheta`` from ``theta = pi/2`` by ``free_steps``
Euler steps of size ``epsilon``; the output is read as ``cos theta^L`` (in ``[-1, 1]``), the
predicted class its largest entry. Training nudges the outputs towards the one-hot target (in
phase with the reference for the class, in antiphase for the others: the cost
``C = 1/2 sum_k (cos theta^L_k - (2 y_k - 1))^2``) with strength ``beta`` for ``nudge_steps``
more steps (``nudging="symmetric"``, the default, takes ``+beta`` and ``-beta``: Laborieux et
al. 2021; ``"one-sided"`` only ``+beta``; ``"random-sign"`` a random sign per minibatch) and
moves the parameters by the difference of the two equilibria's correlations
``cos(theta_i - theta_j)`` divided by ``beta`` (Scellier & Bengio 2017), with SGD steps of one
``learning_rate`` per coupling layer (input first; the last repeats) and ``momentum``.

Features should lie in ``[0, 1]`` (scale them first, e.g. with
``sklearn.preprocessing.MinMaxScaler``): a phase is periodic, so values 2 apart are the same
input; ``fit`` (and the first ``partial_fit``) warns (:class:`PhaseWrapWarning`) when a
feature spans 2 or more. Training releases the interpreter lock; Ctrl-C stops it between
minibatches and raises :class:`~attractor.Interrupted` whose ``result`` is the estimator with
the parameters reached (a diverged run raises an :class:`~attractor.AttractorError`); with
``strict=False`` both keep the parameters reached, with a :class:`~attractor.ConvergenceWarning`
and the status in ``fit_status_``. ``n_threads`` has scikit-learn's meaning (``None``/1 one
thread, -1 every core); results depend on ``random_state`` only, never on ``n_threads``.
"""

import numbers
import warnings

import numpy as np

from . import _attractor
from .eqprop import _EnergyClassifier, _hidden, _positive, _rates
from .errors import AttractorError, check_strict, threads
from .memory import _seed
from .rbm import _whole

__all__ = ["OscillatorEquilibriumPropagationClassifier", "PhaseWrapWarning"]

_NUDGINGS = ("symmetric", "one-sided", "random-sign")


class PhaseWrapWarning(UserWarning):
    """A feature spans 2 or more: its phases ``pi * x`` wrap around, so distinct values
    (``x`` and ``x + 2``) reach the network as the same input."""


def _warn_if_wrapping(X):
    """Warn when a column of ``X`` spans 2 or more (``pi * x`` then covers a whole turn)."""
    if X.shape[0] == 0:
        return
    span = X.max(axis=0) - X.min(axis=0)
    wide = np.flatnonzero(span >= 2.0)
    if wide.size:
        j = int(wide[0])
        warnings.warn(
            f"X: feature {j} spans [{X[:, j].min():.3g}, {X[:, j].max():.3g}] "
            f"({wide.size} feature(s) span 2 or more): the input phases pi * x wrap around, so "
            "values 2 apart are the same input to the network; scale the features to [0, 1] "
            "(e.g. sklearn.preprocessing.MinMaxScaler)",
            PhaseWrapWarning,
            stacklevel=4,
        )


class OscillatorEquilibriumPropagationClassifier(_EnergyClassifier):
    """A layered network of phase oscillators (Gower 2025) trained by equilibrium propagation.

    See the module's documentation for the energy and the training rule. The defaults are the library's and the CLI's suggestion
    (``attractor train eqprop --network oscillator --epsilon 0.3 --free-steps 40
    --nudge-steps 20 --symmetric``). Training, prediction, pickling and ``partial_fit`` are
    :class:`~attractor.EquilibriumPropagationClassifier`'s, on the oscillator network.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(500,)
        The widths of the hidden layers (at least one oscillator each).
    beta : float, default=0.5
        The nudging strength ``> 0``.
    nudging : {"symmetric", "one-sided", "random-sign"}, default="symmetric"
        ``+beta`` and ``-beta``; ``+beta`` only; or a random sign per minibatch.
    epsilon : float, default=0.3
        The Euler step of every relaxation.
    free_steps, nudge_steps, predict_steps : int, default=40, 20, 100
        The steps of the free phase, of each nudged phase, and of the free relaxation that
        predicts (every one starts from ``theta = pi/2``).
    learning_rate : float or sequence of float, default=(0.1, 0.05)
        One rate per coupling layer (input first; the last repeats); bias fields take their
        layer's.
    momentum : float, default=0.0
        SGD momentum in ``[0, 1)``.
    batch_size, max_iter : int, default=20, 25
        Examples per minibatch; epochs.
    random_state : None, int, RandomState or Generator, default=None
        The seed of the couplings, the minibatch order and the random signs (``None``: a fresh
        seed each fit).
    n_threads : None or int, default=None
        Threads of the products (scikit-learn's meaning: ``None`` or 1 one thread, ``-1`` every
        core, ``k`` threads). Results never depend on it.
    verbose : bool, default=False
        Print the training error of every epoch.
    strict : bool, default=True
        Whether a fit stopped by Ctrl-C (or diverged) raises (:class:`~attractor.Interrupted`,
        or an :class:`~attractor.AttractorError`) or keeps the parameters reached with a
        :class:`~attractor.ConvergenceWarning` and the status in ``fit_status_``.

    Attributes
    ----------
    classes_ : ndarray
        The class labels.
    n_features_in_ : int
        The number of features.
    report_ : dict
        ``n_epochs``, ``n_updates``, ``elapsed``, ``status``, ``message``; per epoch
        ``epoch`` and ``train_error`` (the free phase's misclassification rate). The
        parameters are the properties ``coefs_`` (couplings) and ``intercepts_`` (bias
        fields).
    fit_status_ : str
        How the last fit ended.
    n_iter_ : int
        The epochs run.

    Warns
    -----
    attractor.oscillator_eqprop.PhaseWrapWarning
        At fit (and the first ``partial_fit``), when a feature spans 2 or more.

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import OscillatorEquilibriumPropagationClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0.2, 0.1, (40, 4)), rng.normal(0.8, 0.1, (40, 4))]).clip(0, 1)
    >>> y = np.repeat([0, 1], 40)
    >>> clf = OscillatorEquilibriumPropagationClassifier(hidden_layer_sizes=(8,), batch_size=10,
    ...                                                  max_iter=10, random_state=0).fit(X, y)
    >>> clf.score(X, y)
    1.0
    >>> clf.predict_proba(X[[0, -1]]).round(2)
    array([[0.82, 0.18],
           [0.18, 0.82]])
    """

    def __init__(
        self,
        hidden_layer_sizes=(500,),
        beta=0.5,
        nudging="symmetric",
        epsilon=0.3,
        free_steps=40,
        nudge_steps=20,
        predict_steps=100,
        learning_rate=(0.1, 0.05),
        momentum=0.0,
        batch_size=20,
        max_iter=25,
        random_state=None,
        n_threads=None,
        verbose=False,
        strict=True,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.beta = beta
        self.nudging = nudging
        self.epsilon = epsilon
        self.free_steps = free_steps
        self.nudge_steps = nudge_steps
        self.predict_steps = predict_steps
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.strict = strict

    # ------------------------------------------------------------------ checks

    def _check_params(self):
        """Every constructor parameter, checked at fit time (scikit-learn's convention): the
        types and ranges here; ``momentum`` by the library too (its message names it).
        Returns the seed."""
        _hidden(self.hidden_layer_sizes)
        _rates(self.learning_rate)
        _positive("epsilon", self.epsilon)
        _positive("beta", self.beta)
        if not isinstance(self.nudging, str) or self.nudging not in _NUDGINGS:
            raise AttractorError(
                f"nudging = {self.nudging!r}: use 'symmetric', 'one-sided' or 'random-sign'"
            )
        for name, fix in (
            ("free_steps", "the free phase needs at least one step (e.g. 40)"),
            ("nudge_steps", "the nudged phase needs at least one step (e.g. 20)"),
            ("predict_steps", "prediction needs at least one relaxation step (e.g. 100)"),
            ("batch_size", "a minibatch holds at least one sample (e.g. 20)"),
            ("max_iter", "train for at least one epoch (e.g. 25)"),
        ):
            _whole(name, getattr(self, name), 1, fix)
        if isinstance(self.momentum, bool) or not isinstance(self.momentum, numbers.Real):
            raise AttractorError(f"momentum = {self.momentum!r}: give a number in [0, 1)")
        check_strict(self.strict)
        threads(self.n_threads)
        return _seed(self.random_state)

    def _trainer_kwargs(self, seed):
        return dict(
            beta=float(self.beta),
            nudging=self.nudging,
            epsilon=float(self.epsilon),
            free_steps=int(self.free_steps),
            nudge_steps=int(self.nudge_steps),
            learning_rate=_rates(self.learning_rate),
            momentum=float(self.momentum),
            batch_size=int(self.batch_size),
            shuffle=True,
            seed=seed,
        )

    def _initialise(self, X, classes, seed):
        """A fresh network and trainer for rows ``X`` and the labels ``classes`` (fit and the
        first ``partial_fit``); warns when a feature's phases wrap."""
        classes = np.asarray(classes)
        if classes.ndim != 1:
            raise AttractorError(
                f"classes: expected a 1-D array of labels, got shape {classes.shape}"
            )
        classes = np.unique(classes)
        if len(classes) < 2:
            raise AttractorError(
                f"the data hold {len(classes)} class(es) ({list(classes)!r}): a classifier "
                "needs samples of at least two classes"
            )
        _warn_if_wrapping(X)
        sizes = [X.shape[1], *_hidden(self.hidden_layer_sizes), len(classes)]
        net = _attractor.OscillatorNet(sizes, seed, n_threads=threads(self.n_threads))
        net.set_trainer(**self._trainer_kwargs(seed))
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self._net = net

    # ------------------------------------------------------------------ inference

    def decision_function(self, X):
        """The readout ``cos theta^L`` (in ``[-1, 1]``) at the free equilibrium of every row.

        Relaxed from ``theta = pi/2`` by ``predict_steps`` steps of size ``epsilon``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs, in ``[0, 1]``.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            ``cos theta^L``; with two classes (scikit-learn's convention) the margin
            ``cos theta^L_1 - cos theta^L_0``, positive for ``classes_[1]``.
        """
        return super().decision_function(X)

    def predict(self, X):
        """The class whose output oscillator has the largest ``cos theta`` at the free equilibrium.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs, in ``[0, 1]``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            The predicted classes (ties go to the first class).
        """
        return super().predict(X)

    def predict_proba(self, X):
        """Class scores ``softmax(cos theta^L)`` of the readout (as
        :class:`~attractor.EquilibriumPropagationClassifier` has them). Softmax is monotone in
        the readout, so the most probable class is always ``predict``'s and, with two classes,
        ``predict_proba[:, 1]`` ranks rows as ``decision_function`` does. The readout lies in
        ``[-1, 1]``, so these are scores, not calibrated probabilities: no class gets more than
        ``e^2 / (e^2 + k - 1)`` of ``k``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs, in ``[0, 1]``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The scores, in the order of ``classes_``.
        """
        return super().predict_proba(X)

    # ------------------------------------------------------------------ parameters

    @property
    def coefs_(self):
        """The couplings ``W_k`` as ``(d_k, d_{k+1})`` arrays (copies), input first."""
        return list(self._model().weights)

    @property
    def intercepts_(self):
        """The bias fields ``h_1 ... h_L`` (copies)."""
        return list(self._model().biases)

    def to_bytes(self):
        """The network's parameters as the bytes of a safetensors file.

        Returns
        -------
        data : bytes
            The format ``attractor train eqprop --network oscillator --out`` writes.
        """
        return bytes(self._model().to_bytes())

    def __setstate__(self, state):
        state = dict(state)
        data = state.pop("_net_bytes", None)
        super().__setstate__(state)
        if data is not None:
            self._net = _attractor.OscillatorNet.from_bytes(
                data, "pickled network", n_threads=threads(self.n_threads)
            )
