"""Classifiers trained by equilibrium propagation or contrastive Hebbian learning, with
scikit-learn's face; the numerics are in Rust (``attractor::models::layered``,
``attractor::learn::{equilibrium_propagation, contrastive_hebbian}``).

A layered energy network (Scellier & Bengio, Frontiers in Computational Neuroscience 2017) has
an input layer clamped to ``x``, hidden layers and an output layer with one unit per class,
weights ``W_k`` between consecutive layers and biases ``b_k``; its state relaxes to a minimum of
the energy ``E(x, s)`` (the *free phase*, ``free_steps`` steps of size ``epsilon`` from the
state last reached for that example when ``persistent``). A prediction is the most active
output unit after ``predict_steps`` steps from zero.

- :class:`EquilibriumPropagationClassifier` nudges the outputs towards the one-hot target with
  strength ``beta`` (``nudge_steps`` more steps; ``nudging="symmetric"`` takes ``+beta`` and
  ``-beta``, ``"random-sign"`` a random sign per minibatch) and moves the parameters by the
  difference of the two equilibria's Hebbian statistics divided by ``beta``, an estimate of the
  gradient of the ``cost`` at the free equilibrium.
- :class:`ContrastiveHebbianClassifier` (Movellan 1991) clamps the outputs to the target
  instead (``nudge_steps`` are the clamped phase's).

Both take SGD steps with one ``learning_rate`` per weight layer (input first; the last repeats)
and ``momentum``. Training releases the interpreter lock; Ctrl-C stops it between minibatches
and raises :class:`~attractor.Interrupted` whose ``result`` is the estimator with the
parameters reached (a diverged run raises too); with ``strict=False`` both keep the parameters
reached, with a :class:`~attractor.ConvergenceWarning` and the status in ``fit_status_``.
``n_threads`` has scikit-learn's meaning (``None``/1 one thread, -1 every core). Results
depend on ``random_state`` only, never on ``n_threads``.

:func:`gradient_check` compares equilibrium propagation with the implicit gradient of the loss
at the free equilibrium (and that with backpropagation through the relaxation and finite
differences) on a small network.
"""

import numbers
import warnings

import numpy as np

from . import _attractor
from .errors import AttractorError, Interrupted, check_strict, threads
from .memory import _Checked, _seed
from .rbm import _as_rows, _not_fitted, _stopped, _whole

try:
    from sklearn.exceptions import DataConversionWarning as _DataConversionWarning
except ImportError:  # pragma: no cover - exercised only without scikit-learn

    class _DataConversionWarning(UserWarning):
        """A column-vector ``y`` was raveled."""


try:
    from sklearn.base import BaseEstimator as _Base
    from sklearn.base import ClassifierMixin as _Classifier
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    from .memory import _Base

    class _Classifier:
        _estimator_type = "classifier"

        def score(self, X, y, sample_weight=None):
            y = np.asarray(y)
            hit = (self.predict(X) == y).astype(float)
            return float(np.average(hit, weights=sample_weight))


__all__ = ["EquilibriumPropagationClassifier", "ContrastiveHebbianClassifier", "gradient_check"]


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
        np.isfinite(value) and value > 0
    ):
        raise AttractorError(f"{name} = {value!r}: give a finite number > 0")
    return float(value)


def _rates(value):
    """``learning_rate`` as a non-empty list of finite positive numbers."""
    seq = [value] if isinstance(value, numbers.Real) and not isinstance(value, bool) else value
    try:
        seq = list(seq)
    except TypeError:
        raise AttractorError(
            f"learning_rate = {value!r}: give a number or one per weight layer, e.g. (0.1, 0.05)"
        ) from None
    if not seq:
        raise AttractorError("learning_rate = (): give at least one learning rate, e.g. (0.1, 0.05)")
    for v in seq:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not (np.isfinite(v) and v > 0):
            raise AttractorError(
                f"learning_rate = {value!r}: every learning rate must be finite and > 0 "
                "(e.g. (0.1, 0.05))"
            )
    return [float(v) for v in seq]


def _hidden(value):
    seq = [value] if isinstance(value, numbers.Integral) and not isinstance(value, bool) else value
    try:
        seq = list(seq)
    except TypeError:
        raise AttractorError(
            f"hidden_layer_sizes = {value!r}: give a tuple of layer widths, e.g. (500,)"
        ) from None
    for v in seq:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise AttractorError(
                f"hidden_layer_sizes = {value!r}: every hidden layer needs a whole number >= 1 "
                "of units"
            )
    return [int(v) for v in seq]


def _labels(y, n, who):
    """``y`` as a 1-D array of ``n`` class labels (scikit-learn's rules: ``None`` and
    continuous targets refused, a column vector raveled with a ``DataConversionWarning``)."""
    if y is None:
        raise AttractorError(
            f"{who} requires y to be passed, but the target y is None; give one class label per "
            "row of X"
        )
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; y is raveled to shape "
            f"({y.shape[0]},)",
            _DataConversionWarning,
            stacklevel=3,
        )
        y = y.ravel()
    if y.ndim != 1:
        raise AttractorError(
            f"y: expected a 1-D array of class labels, got shape {y.shape}"
        )
    if y.shape[0] != n:
        raise AttractorError(f"y: {y.shape[0]} labels for {n} rows of X; give one label per row")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise AttractorError("y: NaN or infinite labels; give finite class labels")
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        raise AttractorError(
            "Unknown label type: continuous. y holds non-integer numbers, which a classifier "
            "cannot take as classes; pass class labels (integers or strings)"
        )
    return y


class _EnergyClassifier(_Checked, _Classifier, _Base):
    """What both classifiers share; subclasses name the rule."""

    _rule = "ep"

    # ------------------------------------------------------------------ tags

    def __sklearn_tags__(self):
        # The networks' units live in [0, 1] (hard-sigmoid rates; pixel intensities in), and
        # a few epochs on scikit-learn's standardised blobs do not reach its 0.83 accuracy.
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"poor_score": True}

    # ------------------------------------------------------------------ checks

    def _check_params(self):
        """Every constructor parameter, checked at fit time (scikit-learn's convention): the
        types and ranges here; ``activation``, ``nudging``, ``cost``, ``momentum`` and
        ``n_threads`` by the library (its messages name them). Returns the seed."""
        _hidden(self.hidden_layer_sizes)
        _rates(self.learning_rate)
        _positive("epsilon", self.epsilon)
        if self._rule == "ep":
            _positive("beta", self.beta)
        for name, fix in (
            ("free_steps", "the free phase needs at least one step (e.g. 20)"),
            ("nudge_steps", "the second phase needs at least one step (e.g. 4)"),
            ("predict_steps", "prediction needs at least one relaxation step (e.g. 100)"),
            ("batch_size", "a minibatch holds at least one sample (e.g. 20)"),
            ("max_iter", "train for at least one epoch (e.g. 25)"),
        ):
            _whole(name, getattr(self, name), 1, fix)
        if not isinstance(self.persistent, (bool, np.bool_)):
            raise AttractorError(f"persistent = {self.persistent!r}: give True or False")
        if isinstance(self.momentum, bool) or not isinstance(self.momentum, numbers.Real):
            raise AttractorError(f"momentum = {self.momentum!r}: give a number in [0, 1)")
        check_strict(self.strict)
        threads(self.n_threads)
        return _seed(self.random_state)

    def _trainer_kwargs(self, seed):
        kw = dict(
            rule=self._rule,
            epsilon=float(self.epsilon),
            free_steps=int(self.free_steps),
            nudge_steps=int(self.nudge_steps),
            persistent=bool(self.persistent),
            learning_rate=_rates(self.learning_rate),
            momentum=float(self.momentum),
            batch_size=int(self.batch_size),
            shuffle=True,
            seed=seed,
        )
        if self._rule == "ep":
            kw.update(beta=float(self.beta), nudging=self.nudging, cost=self.cost)
        return kw

    def __sklearn_is_fitted__(self):
        return getattr(self, "_net", None) is not None

    def _model(self):
        if not self.__sklearn_is_fitted__():
            raise _not_fitted(self)
        return self._net

    def _rows(self, X):
        return self._fitted_rows(X)

    def _onehot(self, codes):
        Y = np.zeros((codes.shape[0], len(self.classes_)))
        Y[np.arange(codes.shape[0]), codes] = 1.0
        return Y

    def _initialise(self, X, classes, seed):
        classes = np.asarray(classes)
        if classes.ndim != 1:
            raise AttractorError(f"classes: expected a 1-D array of labels, got shape {classes.shape}")
        classes = np.unique(classes)
        if len(classes) < 2:
            raise AttractorError(
                f"the data hold {len(classes)} class(es) ({list(classes)!r}): a classifier "
                "needs samples of at least two classes"
            )
        sizes = [X.shape[1], *_hidden(self.hidden_layer_sizes), len(classes)]
        net = _attractor.LayeredNet(sizes, self.activation, seed, n_threads=threads(self.n_threads))
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
        self.n_iter_ = self._net.epochs_done

        def stop():
            if report["status"] == "diverged":
                raise AttractorError(
                    f"training diverged: {report['message']} (learning_rate = "
                    f"{self.learning_rate}); pass strict=False to keep the parameters reached"
                )
            if report["interrupted"]:
                e = Interrupted(self)
                e.report = report
                raise e

        _stopped(self, report, stop)

    # ------------------------------------------------------------------ training

    def fit(self, X, y):
        """Train a new network on the rows of ``X`` and labels ``y``.

        ``max_iter`` epochs of minibatches of ``batch_size`` (shuffled each epoch), from
        Glorot-uniform weights drawn from ``random_state``. Sets ``classes_``,
        ``n_features_in_`` and ``report_`` (``n_epochs``, ``n_updates``, ``elapsed``,
        ``status``; per epoch ``train_error``, the free phase's misclassification rate).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs.
        y : array-like of shape (n_samples,)
            The class labels.

        Returns
        -------
        self : object
            The trained classifier.

        Raises
        ------
        attractor.Interrupted
            On Ctrl-C (between minibatches) with ``strict=True`` (``result``: this
            estimator, parameters reached).
        attractor.AttractorError
            When a parameter is out of its range, ``y`` is not class labels, or the run
            diverged with ``strict=True``.
        """
        seed = self._check_params()
        self._remember_feature_names(X)
        X = _as_rows(X, "X")
        y = _labels(y, X.shape[0], type(self).__name__)
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
        """One pass over the rows of ``X`` in their order, in minibatches of ``batch_size``.

        One parameter update per minibatch, continuing the trainer's momentum
        (scikit-learn's ``partial_fit``, as ``MLPClassifier`` has it). With ``persistent``,
        the free phase of row ``i`` of a minibatch starts from the state row ``i`` of the
        previous minibatch of that size reached (a warm start; exact persistence when the
        same minibatches recur). A network that was unpickled has no trainer: a fresh one
        starts (zero momentum).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs.
        y : array-like of shape (n_samples,)
            The class labels.
        classes : array-like or None, default=None
            All labels that will occur, on the first call (on an unfitted estimator: it
            fixes ``classes_``); otherwise the labels of ``y`` are taken.

        Returns
        -------
        self : object
            The updated classifier.
        """
        seed = self._check_params()
        if not self.__sklearn_is_fitted__():
            self._remember_feature_names(X)
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
        Y = self._onehot(self._codes(y))
        bs = int(self.batch_size)
        for start in range(0, X.shape[0], bs):
            self._net.partial_fit(X[start:start + bs], Y[start:start + bs])
        return self

    # ------------------------------------------------------------------ inference

    def _outputs(self, X):
        """The output layer ``s_L`` at the free equilibrium of every row of ``X`` (relaxed from
        zero by ``predict_steps`` steps of size ``epsilon``): ``(n_samples, n_classes)``."""
        net = self._model()
        X = self._rows(X)
        return net.predict_outputs(X, int(self.predict_steps), float(self.epsilon))

    def decision_function(self, X):
        """The output layer ``s_L`` at the free equilibrium of every row of ``X``.

        Relaxed from zero by ``predict_steps`` steps of size ``epsilon``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            ``s_L``; with two classes (scikit-learn's convention) the margin
            ``s_L[1] - s_L[0]``, positive for ``classes_[1]``.
        """
        out = self._outputs(X)
        return out[:, 1] - out[:, 0] if out.shape[1] == 2 else out

    def predict(self, X):
        """The class of the most active output unit of every row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            The predicted classes (ties go to the first class).
        """
        out = self._outputs(X)
        return self.classes_[np.argmax(out, axis=1)]

    def predict_proba(self, X):
        """Class probabilities ``softmax(s_L)`` of the output layer.

        With ``cost="cross-entropy"`` this is the readout the network is trained through.
        Softmax is monotone in the outputs, so the most probable class is always
        :meth:`predict`'s and, with two classes, ``predict_proba[:, 1]`` ranks rows as
        :meth:`decision_function` does.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probabilities, in the order of ``classes_``.
        """
        out = self._outputs(X)
        z = np.exp(out - out.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """The logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log softmax(s_L)``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    # ------------------------------------------------------------------ parameters

    @property
    def coefs_(self):
        """The weights ``W_k`` as ``(d_k, d_{k+1})`` arrays (copies), input first."""
        return list(self._model().weights)

    @property
    def intercepts_(self):
        """The biases ``b_1 ... b_L`` (copies)."""
        return list(self._model().biases)

    def to_bytes(self):
        """The network's parameters as the bytes of a safetensors file.

        Returns
        -------
        data : bytes
            The file's bytes.
        """
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
            self._net = _attractor.LayeredNet.from_bytes(
                data, "pickled network", n_threads=threads(self.n_threads)
            )


class EquilibriumPropagationClassifier(_EnergyClassifier):
    """A layered energy network trained by equilibrium propagation (Scellier & Bengio 2017).

    The defaults are theirs for one hidden layer of 500 units (and the CLI's
    ``attractor train eqprop``). See the module's documentation.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(500,)
        The hidden layers' sizes.
    activation : str, default="hard-sigmoid"
        The units' activation.
    beta : float, default=0.5
        The nudging strength.
    nudging : {"one-sided", "symmetric", "random-sign"}, default="one-sided"
        ``+beta``; ``+beta`` and ``-beta``; or a random sign per minibatch.
    cost : {"squared-error", "cross-entropy"}, default="squared-error"
        The cost the outputs are nudged by.
    epsilon : float, default=0.5
        The relaxation's step size.
    free_steps : int, default=20
        Steps of the free phase.
    nudge_steps : int, default=4
        Steps of the nudged phase.
    predict_steps : int, default=100
        Steps from zero of a prediction.
    learning_rate : float or sequence of float, default=(0.1, 0.05)
        One per weight layer, input first (the last repeats).
    momentum : float, default=0.0
        SGD's momentum.
    batch_size : int, default=20
        Samples per minibatch.
    max_iter : int, default=25
        Epochs of :meth:`fit`.
    persistent : bool, default=True
        Start each example's free phase from the state last reached for it.
    random_state : int, numpy.random.Generator or None, default=None
        The seed of the weights and the minibatch order.
    n_threads : int or None, default=1
        scikit-learn's meaning (``None``/1 one thread, -1 every core); results do not depend
        on it.
    verbose : bool, default=False
        Print progress.
    strict : bool, default=True
        ``False``: keep the parameters reached after Ctrl-C or divergence, with a
        :class:`~attractor.ConvergenceWarning` and the status in ``fit_status_``.

    Attributes
    ----------
    classes_ : ndarray
        The class labels.
    n_features_in_ : int
        The number of features.
    report_ : dict
        The last training's report (the parameters are the properties ``coefs_`` and
        ``intercepts_``).

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import EquilibriumPropagationClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0.2, 0.1, (40, 4)), rng.normal(0.8, 0.1, (40, 4))])
    >>> y = np.repeat([0, 1], 40)
    >>> clf = EquilibriumPropagationClassifier(hidden_layer_sizes=(8,), batch_size=10,
    ...                                        max_iter=20, random_state=0).fit(X, y)
    >>> clf.score(X, y), [w.shape for w in clf.coefs_]
    (1.0, [(4, 8), (8, 2)])
    >>> clf.predict_proba(X[[0, -1]]).round(2)
    array([[0.73, 0.27],
           [0.27, 0.73]])
    """

    _rule = "ep"

    def __init__(
        self,
        hidden_layer_sizes=(500,),
        activation="hard-sigmoid",
        beta=0.5,
        nudging="one-sided",
        cost="squared-error",
        epsilon=0.5,
        free_steps=20,
        nudge_steps=4,
        predict_steps=100,
        learning_rate=(0.1, 0.05),
        momentum=0.0,
        batch_size=20,
        max_iter=25,
        persistent=True,
        random_state=None,
        n_threads=1,
        verbose=False,
        strict=True,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.beta = beta
        self.nudging = nudging
        self.cost = cost
        self.epsilon = epsilon
        self.free_steps = free_steps
        self.nudge_steps = nudge_steps
        self.predict_steps = predict_steps
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.persistent = persistent
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.strict = strict


class ContrastiveHebbianClassifier(_EnergyClassifier):
    """A layered energy network trained by contrastive Hebbian learning (Movellan 1991).

    The free phase against a phase with the outputs clamped to the one-hot target
    (``nudge_steps`` steps). ``predict_proba`` is ``softmax(s_L)``, as for
    :class:`EquilibriumPropagationClassifier`. See the module's documentation.

    Parameters
    ----------
    hidden_layer_sizes, activation, epsilon, free_steps, nudge_steps, predict_steps
        As for :class:`EquilibriumPropagationClassifier` (``nudge_steps``: the clamped
        phase's steps).
    learning_rate, momentum, batch_size, max_iter, persistent, random_state, n_threads
        As for :class:`EquilibriumPropagationClassifier`.
    verbose, strict
        As for :class:`EquilibriumPropagationClassifier`.

    Attributes
    ----------
    classes_, n_features_in_, report_
        As for :class:`EquilibriumPropagationClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import ContrastiveHebbianClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0.2, 0.1, (40, 4)), rng.normal(0.8, 0.1, (40, 4))])
    >>> y = np.repeat([0, 1], 40)
    >>> clf = ContrastiveHebbianClassifier(hidden_layer_sizes=(8,), batch_size=10,
    ...                                    max_iter=20, random_state=0).fit(X, y)
    >>> clf.score(X, y)
    1.0
    """

    _rule = "chl"

    def __init__(
        self,
        hidden_layer_sizes=(500,),
        activation="hard-sigmoid",
        epsilon=0.5,
        free_steps=20,
        nudge_steps=4,
        predict_steps=100,
        learning_rate=(0.1, 0.05),
        momentum=0.0,
        batch_size=20,
        max_iter=25,
        persistent=True,
        random_state=None,
        n_threads=1,
        verbose=False,
        strict=True,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.epsilon = epsilon
        self.free_steps = free_steps
        self.nudge_steps = nudge_steps
        self.predict_steps = predict_steps
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.persistent = persistent
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.strict = strict


def gradient_check(X, Y, sizes=None, *, weights=None, biases=None, activation="sigmoid",
                   random_state=0, cost="squared-error", betas=None, epsilon=0.2,
                   max_steps=20000, tol=1e-11, bptt_steps=2000, fd_step=1e-5):
    """Compare equilibrium propagation with the implicit gradient of the loss.

    The implicit gradient ``dL/dtheta`` of the mean ``cost`` at the free equilibria, against
    equilibrium propagation's estimates, backpropagation through the relaxation and finite
    differences. Relaxations run ``epsilon``-steps to ``||ds/dt|| <= tol``.

    Parameters
    ----------
    X : array-like of shape (n, d_0)
        The inputs.
    Y : array-like of shape (n, d_L)
        The targets.
    sizes : sequence of int or None, default=None
        The layer sizes of a network with Glorot-uniform weights from ``random_state``.
    weights : sequence of array-like or None, default=None
        Or the weights, ``(d_k, d_{k+1})`` arrays (with ``biases``).
    biases : sequence of array-like or None, default=None
        One per non-input layer.
    activation : str, default="sigmoid"
        The units' activation.
    random_state : int, numpy.random.Generator or None, default=0
        The seed of the weights from ``sizes``.
    cost : {"squared-error", "cross-entropy"}, default="squared-error"
        The cost.
    betas : sequence of float or None, default=None
        The nudging strengths (default 0.5, 0.2, 0.1, 0.05, 0.02, 0.01).
    epsilon : float, default=0.2
        The relaxation's step size.
    max_steps : int, default=20000
        The most steps of a relaxation.
    tol : float, default=1e-11
        The relaxation's stopping threshold on ``||ds/dt||``.
    bptt_steps : int, default=2000
        The steps backpropagation runs through.
    fd_step : float or None, default=1e-5
        The finite-difference step (``None``: no finite differences).

    Returns
    -------
    report : dict
        ``beta``, ``nudging`` (``"one-sided"``/``"symmetric"``), ``cosine`` and
        ``relative_error`` -- one entry per (beta, nudging) -- ``implicit`` (the flattened
        gradient), and the scalars ``bptt_error`` (backpropagation against the implicit
        gradient, relative), ``finite_difference_error`` (``None`` when ``fd_step`` is
        ``None``) and ``loss``.

    Raises
    ------
    attractor.AttractorError
        When neither or both of ``sizes`` and ``weights`` are given, or ``weights`` come
        without ``biases``.

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> rng = np.random.default_rng(0)
    >>> r = attractor.gradient_check(rng.random((3, 4)), rng.random((3, 2)), sizes=[4, 3, 2],
    ...                              betas=[0.01])
    >>> r["nudging"].tolist(), bool(np.all(r["cosine"] > 0.9999))
    (['one-sided', 'symmetric'], True)
    >>> bool(r["relative_error"][1] < r["relative_error"][0])  # symmetric nudging: O(beta^2)
    True
    """
    if weights is not None:
        if sizes is not None:
            raise AttractorError("gradient_check: give sizes or weights and biases, not both")
        if biases is None:
            raise AttractorError("gradient_check: weights need biases (one per non-input layer)")
        net = _attractor.LayeredNet.from_parameters(list(weights), list(biases), activation)
    elif sizes is not None:
        net = _attractor.LayeredNet(list(sizes), activation, _seed(random_state))
    else:
        raise AttractorError("gradient_check: give the layer sizes or weights and biases")
    r = _attractor.gradient_check(
        net, X, Y, cost=cost, betas=None if betas is None else [float(b) for b in betas],
        epsilon=epsilon, max_steps=max_steps, tol=tol, bptt_steps=bptt_steps, fd_step=fd_step,
    )
    r["nudging"] = np.asarray(r["nudging"])
    return r
