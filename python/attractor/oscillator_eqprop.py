"""A classifier made of phase oscillators and trained by equilibrium propagation, with
scikit-learn's face; the numerics are in Rust (``attractor::models::oscillator_network``,
``attractor::learn::oscillator_eqprop``).

The network is Gower's layered oscillator Ising machine ("How to train an oscillator Ising
machine using equilibrium propagation", arXiv 2505.02103; "Learning at the speed of physics:
equilibrium propagation on oscillator Ising machines", arXiv 2510.12934): the input layer holds
the clamped phases ``phi_0 = pi * x`` (each feature in ``[0, 1]`` becomes a phase in
``[0, pi]``), hidden and output layers hold free phases ``theta``, and couplings ``W_k`` between
consecutive layers and bias fields ``h_k`` give the energy::

    E = -sum_k sum_ij W_k[i, j] cos(theta^k_i - theta^{k+1}_j) - sum_k sum_i h_k[i] cos theta^k_i

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
input; ``fit`` warns (:class:`PhaseWrapWarning`) when a feature spans 2 or more. Training
releases the interpreter lock; Ctrl-C stops it between minibatches and raises
:class:`~attractor.Interrupted` whose ``result`` is the estimator with the parameters reached
(with ``strict=False`` ``fit`` returns the estimator instead, ``report_["status"]`` being
``"interrupted"``). Results depend on ``random_state`` only, never on ``n_threads``.
"""

import numbers
import warnings

import numpy as np

from . import _attractor
from .eqprop import _Base, _Classifier, _hidden, _labels, _positive, _rates
from .errors import AttractorError, Interrupted
from .memory import _seed
from .rbm import _as_rows, _not_fitted, _whole

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
            stacklevel=3,
        )


class OscillatorEquilibriumPropagationClassifier(_Classifier, _Base):
    """A layered network of phase oscillators (Gower 2025) trained by equilibrium propagation;
    see the module's documentation. The defaults are the library's and the CLI's suggestion
    (``attractor train eqprop --network oscillator --epsilon 0.3 --free-steps 40
    --nudge-steps 20 --symmetric``).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int
        The widths of the hidden layers (at least one unit each).
    beta : float
        The nudging strength ``> 0``.
    nudging : {"symmetric", "one-sided", "random-sign"}
    epsilon : float
        The Euler step of every relaxation.
    free_steps, nudge_steps, predict_steps : int
        The steps of the free phase, of each nudged phase, and of the free relaxation that
        predicts.
    learning_rate : float or sequence of float
        One rate per coupling layer (input first; the last repeats); bias fields take their
        layer's.
    momentum : float
        SGD momentum in ``[0, 1)``.
    batch_size, max_iter : int
        Examples per minibatch; epochs.
    random_state : None, int, RandomState or Generator
        The seed of the couplings, the minibatch order and the random signs (``None``: a fresh
        seed each fit).
    n_threads : None or int
        Threads of the products (joblib's meaning: ``None`` or 1 one thread, ``-1`` all, ``k``
        threads). Results never depend on it.
    strict : bool
        Whether an interrupted fit raises :class:`~attractor.Interrupted` (``True``) or returns
        the estimator with the parameters reached.
    verbose : bool
        Print the training error of every epoch.

    Attributes after ``fit``: ``classes_``, ``n_features_in_``, ``coefs_`` (couplings),
    ``intercepts_`` (bias fields), ``report_`` (``n_epochs``, ``n_updates``, ``elapsed``,
    ``status``, ``message``; per epoch ``epoch`` and ``train_error``, the free phase's
    misclassification rate), ``n_iter_``.
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
        strict=True,
        verbose=False,
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
        self.strict = strict
        self.verbose = verbose

    # ------------------------------------------------------------------ checks

    def _check_params(self):
        """Every constructor parameter, checked at fit time (scikit-learn's convention): the
        types and ranges here; ``momentum`` and ``n_threads`` by the library too (its messages
        name them). Returns the seed."""
        _hidden(self.hidden_layer_sizes)
        _rates(self.learning_rate)
        _positive("epsilon", self.epsilon)
        _positive("beta", self.beta)
        if self.nudging not in _NUDGINGS:
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
        if not isinstance(self.strict, (bool, np.bool_)):
            raise AttractorError(f"strict = {self.strict!r}: give True or False")
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

    def __sklearn_is_fitted__(self):
        return getattr(self, "_net", None) is not None

    def _model(self):
        if not self.__sklearn_is_fitted__():
            raise _not_fitted(self)
        return self._net

    def _rows(self, X):
        X = _as_rows(X, "X")
        n = self.n_features_in_
        if X.shape[1] != n:
            raise AttractorError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting {n} "
                "features as input"
            )
        return X

    def _onehot(self, codes):
        Y = np.zeros((codes.shape[0], len(self.classes_)))
        Y[np.arange(codes.shape[0]), codes] = 1.0
        return Y

    def _initialise(self, X, classes, seed):
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
        sizes = [X.shape[1], *_hidden(self.hidden_layer_sizes), len(classes)]
        net = _attractor.OscillatorNet(sizes, seed, n_threads=self.n_threads)
        net.set_trainer(**self._trainer_kwargs(seed))
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self._net = net

    def _codes(self, y):
        """Class indices of the labels ``y``; labels not in ``classes_`` are an error."""
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, len(self.classes_) - 1)
        unseen = self.classes_[idx] != y
        if np.any(unseen):
            raise AttractorError(
                f"y holds labels {list(np.unique(y[unseen]))!r} not among classes_ "
                f"{list(self.classes_)!r}; the classes are fixed by fit or the first partial_fit "
                "(pass classes=... there to name all of them)"
            )
        return idx

    def _raise_for(self, report):
        self.report_ = report
        self.n_iter_ = self._net.epochs_done
        if report["status"] == "diverged":
            raise AttractorError(
                f"training diverged: {report['message']} (learning_rate = {self.learning_rate})"
            )
        if report["interrupted"] and self.strict:
            e = Interrupted(self)
            e.report = report
            raise e

    # ------------------------------------------------------------------ training

    def fit(self, X, y):
        """Train a new network on the rows of ``X`` (features in ``[0, 1]``) and labels ``y``
        for ``max_iter`` epochs of minibatches of ``batch_size`` (shuffled each epoch), from
        Glorot-uniform couplings drawn from ``random_state``. Sets ``classes_``,
        ``n_features_in_``, ``n_iter_`` and ``report_``. Ctrl-C stops between minibatches and
        raises :class:`~attractor.Interrupted` (``result``: this estimator, parameters
        reached), or returns the estimator when ``strict=False``."""
        seed = self._check_params()
        X = _as_rows(X, "X")
        y = _labels(y, X.shape[0], type(self).__name__)
        _warn_if_wrapping(X)
        self._net = None  # a fit that fails leaves the estimator unfitted
        self.__dict__.pop("n_features_in_", None)
        self._initialise(X, y, seed)
        Y = self._onehot(self._codes(y))
        net = self._net
        if not self.verbose:
            self._raise_for(net.fit_epochs(X, Y, int(self.max_iter)))
            return self
        total = None
        for _ in range(int(self.max_iter)):
            r = net.fit_epochs(X, Y, 1)
            if total is None:
                total = r
            else:
                for k in ("n_epochs", "n_updates", "elapsed"):
                    total[k] += r[k]
                for k in ("epoch", "train_error"):
                    total[k] = total[k] + r[k]
                total.update(status=r["status"], message=r["message"],
                             interrupted=r["interrupted"])
            if r["epoch"]:
                print(f"[{type(self).__name__}] epoch {r['epoch'][0]}, training error "
                      f"{100 * r['train_error'][0]:.2f}%, {r['elapsed']:.2f}s", flush=True)
            if r["status"] != "completed":
                break
        self._raise_for(total)
        return self

    def partial_fit(self, X, y, classes=None):
        """One pass over the rows of ``X`` in their order, in minibatches of ``batch_size``
        (one parameter update each), continuing the trainer's momentum. The first call (on an
        unfitted estimator) fixes ``classes_``: pass ``classes`` there (all labels that will
        occur), or the labels of ``y`` are taken. A network that was unpickled has no trainer:
        a fresh one starts (zero momentum)."""
        seed = self._check_params()
        if not self.__sklearn_is_fitted__():
            X = _as_rows(X, "X")
            y = _labels(y, X.shape[0], type(self).__name__)
            self._initialise(X, y if classes is None else classes, seed)
        else:
            X = self._rows(X)
            y = _labels(y, X.shape[0], type(self).__name__)
            if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
                raise AttractorError(
                    f"classes = {list(np.unique(classes))!r} differ from classes_ "
                    f"{list(self.classes_)!r} fixed by the first call"
                )
            if not self._net.has_trainer:
                self._net.set_trainer(**self._trainer_kwargs(seed))
        _warn_if_wrapping(X)
        Y = self._onehot(self._codes(y))
        bs = int(self.batch_size)
        for start in range(0, X.shape[0], bs):
            self._net.partial_fit(X[start:start + bs], Y[start:start + bs])
        return self

    # ------------------------------------------------------------------ inference

    def _outputs(self, X):
        """The readout ``cos theta^L`` at the free equilibrium of every row of ``X`` (relaxed
        from ``theta = pi/2`` by ``predict_steps`` steps of size ``epsilon``):
        ``(n_samples, n_classes)``, entries in ``[-1, 1]``."""
        net = self._model()
        X = self._rows(X)
        return net.predict_outputs(X, int(self.predict_steps), float(self.epsilon))

    def decision_function(self, X):
        """The readout ``cos theta^L`` of every row of ``X``, ``(n_samples, n_classes)``; with
        two classes (scikit-learn's convention) the margin ``cos theta^L_1 - cos theta^L_0``,
        ``(n_samples,)``, positive for ``classes_[1]``."""
        out = self._outputs(X)
        return out[:, 1] - out[:, 0] if out.shape[1] == 2 else out

    def predict(self, X):
        """The class whose output oscillator has the largest ``cos theta`` at the free
        equilibrium of every row of ``X`` (ties go to the first class)."""
        out = self._outputs(X)
        return self.classes_[np.argmax(out, axis=1)]

    def predict_proba(self, X):
        """Class scores ``softmax(cos theta^L)`` of the readout (as
        :class:`~attractor.EquilibriumPropagationClassifier` has them). Softmax is monotone in
        the readout, so the most probable class is always ``predict``'s and, with two classes,
        ``predict_proba[:, 1]`` ranks rows as ``decision_function`` does. The readout lies in
        ``[-1, 1]``, so these are scores, not calibrated probabilities: no class gets more than
        ``e^2 / (e^2 + (k - 1))`` of ``k``."""
        out = self._outputs(X)
        z = np.exp(out - out.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

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
        """The network's parameters as the bytes of a safetensors file (the format
        ``attractor train eqprop --network oscillator --out`` writes)."""
        return bytes(self._model().to_bytes())

    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__
        state = dict(state)
        net = state.pop("_net", None)
        if net is not None:
            state["_net_bytes"] = bytes(net.to_bytes())
        return state

    def __setstate__(self, state):
        state = dict(state)
        data = state.pop("_net_bytes", None)
        if hasattr(super(), "__setstate__"):
            super().__setstate__(state)
        else:  # pragma: no cover - without scikit-learn
            self.__dict__.update(state)
        self._net = None
        if data is not None:
            self._net = _attractor.OscillatorNet.from_bytes(
                data, "pickled network", n_threads=self.n_threads
            )
