"""Equilibrium propagation and contrastive Hebbian learning with scikit-learn's classifier face.

Measured (load_digits scaled to [0, 1], first 1200 samples for training, the other 597 for
testing, one hidden layer of 100 units, 10 epochs, seed 0): equilibrium propagation 0.886,
contrastive Hebbian learning 0.851 test accuracy (the floors are 0.85 and 0.80). The defaults
(500 hidden units, 25 epochs) reached 0.802 on the same split in 1.5 s.

``check_estimator`` runs on both classifiers; the check that fails is listed with its reason
in ``CHECK_ESTIMATOR_EXCEPTIONS``.
"""

import pickle
import signal
import threading
import time

import numpy as np
import pytest

import attractor
from attractor import (
    AttractorError,
    ContrastiveHebbianClassifier,
    EquilibriumPropagationClassifier,
    Interrupted,
)

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return X[:1200], y[:1200], X[1200:], y[1200:]


def small(cls=EquilibriumPropagationClassifier, **kw):
    params = dict(hidden_layer_sizes=(32,), max_iter=3, random_state=0)
    params.update(kw)
    return cls(**params)


def toy():
    rng = np.random.default_rng(0)
    X = rng.random((60, 8))
    y = (X[:, 0] + X[:, 1] > 1.0).astype(int)
    return X, y


def test_digits_accuracy(digits):
    Xtr, ytr, Xte, yte = digits
    ep = EquilibriumPropagationClassifier(hidden_layer_sizes=(100,), max_iter=10, random_state=0)
    ep.fit(Xtr, ytr)
    acc = ep.score(Xte, yte)
    # measured 0.886 (10 epochs, 0.2 s; training error of the last epoch 3.3 %); the floor
    # leaves room for other platforms' rounding
    assert acc > 0.85, acc
    assert len(ep.report_["train_error"]) == 10
    assert ep.report_["status"] == "completed"
    assert "all 10 epochs done" in ep.report_["message"], ep.report_["message"]
    chl = ContrastiveHebbianClassifier(hidden_layer_sizes=(100,), max_iter=10, random_state=0)
    acc_chl = chl.fit(Xtr, ytr).score(Xte, yte)
    # measured 0.851
    assert acc_chl > 0.80, acc_chl


def test_string_labels_and_proba(digits):
    Xtr, ytr, Xte, _ = digits
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                      "nine"])
    clf = small().fit(Xtr[:300], names[ytr[:300]])
    assert list(clf.classes_) == sorted(names)
    pred = clf.predict(Xte[:50])
    assert pred.dtype.kind == "U" and set(pred) <= set(names)
    p = clf.predict_proba(Xte[:50])
    assert p.shape == (50, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[p.argmax(axis=1)], pred)
    assert clf.n_features_in_ == 64
    ce = small(cost="cross-entropy").fit(Xtr[:300], ytr[:300])
    q = ce.predict_proba(Xte[:20])
    np.testing.assert_allclose(q.sum(axis=1), 1.0)
    assert np.all(q > 0)


def test_pickle_round_trip(digits):
    Xtr, ytr, Xte, _ = digits
    clf = small().fit(Xtr[:300], ytr[:300])
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(back.predict(Xte), clf.predict(Xte))
    np.testing.assert_array_equal(back.decision_function(Xte), clf.decision_function(Xte))
    for a, b in zip(back.coefs_, clf.coefs_):
        np.testing.assert_array_equal(a, b)
    assert [w.shape for w in clf.coefs_] == [(64, 32), (32, 10)]
    assert [b.shape for b in clf.intercepts_] == [(32,), (10,)]
    # an unpickled estimator can go on with partial_fit (a fresh trainer)
    back.partial_fit(Xtr[:40], ytr[:40])


def test_reproducible_and_thread_independent(digits):
    Xtr, ytr, Xte, _ = digits
    a = small(max_iter=1).fit(Xtr[:200], ytr[:200]).decision_function(Xte[:30])
    b = small(max_iter=1, n_threads=2).fit(Xtr[:200], ytr[:200]).decision_function(Xte[:30])
    np.testing.assert_array_equal(a, b)


def test_clone_and_pipeline(digits):
    Xtr, ytr, Xte, yte = digits
    clf = small(beta=0.3, learning_rate=(0.2, 0.1))
    c = clone(clf)
    assert c.get_params() == clf.get_params()
    pipe = make_pipeline(MinMaxScaler(), ContrastiveHebbianClassifier(
        hidden_layer_sizes=(32,), max_iter=3, random_state=0))
    pipe.fit(Xtr * 16, ytr)
    assert pipe.score(Xte * 16, yte) > 0.6
    assert sklearn.base.is_classifier(clf)


def test_partial_fit(digits):
    Xtr, ytr, Xte, yte = digits
    clf = small(momentum=0.5)
    with pytest.raises(AttractorError, match="two classes"):
        clf.partial_fit(Xtr[:5], np.zeros(5, int))
    for epoch in range(3):
        for s in range(0, 1200, 100):
            clf.partial_fit(Xtr[s:s + 100], ytr[s:s + 100], classes=np.arange(10))
    assert clf._net.n_updates == 3 * 1200 // 20
    assert clf.score(Xte, yte) > 0.7
    with pytest.raises(AttractorError, match="not among classes_"):
        clf.partial_fit(Xtr[:3], np.array([1, 2, 11]))
    with pytest.raises(AttractorError, match="differ from classes_"):
        clf.partial_fit(Xtr[:3], ytr[:3], classes=np.arange(5))
    # a first call with classes fixes labels absent from that minibatch
    first = small().partial_fit(Xtr[:20], ytr[:20] % 2, classes=[0, 1, 2])
    assert list(first.classes_) == [0, 1, 2]
    first.partial_fit(Xtr[20:40], np.full(20, 2))


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(beta=0.0), "beta"),
        (dict(beta=-0.5), "beta"),
        (dict(learning_rate=(0.1, 0.0)), "learning_rate"),
        (dict(learning_rate=-1.0), "learning_rate"),
        (dict(max_iter=0), "max_iter"),
        (dict(batch_size=0), "batch_size"),
        (dict(free_steps=0), "free_steps"),
        (dict(epsilon=0.0), "epsilon"),
        (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
        (dict(nudging="sideways"), "nudging"),
        (dict(cost="hinge"), "cost"),
        (dict(activation="relu"), "activation|relu"),
        (dict(momentum=1.5), "momentum"),
        (dict(n_threads=0), "n_threads = 0"),
        (dict(random_state=-1), "random_state"),
    ],
)
def test_bad_parameters(kw, match):
    X, y = toy()
    with pytest.raises(ValueError, match=match):
        small(**kw).fit(X, y)


def test_bad_data():
    X, y = toy()
    clf = small()
    with pytest.raises(AttractorError, match="two classes"):
        clf.fit(X, np.ones(len(y)))
    Xn = X.copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match="X: non-finite"):
        clf.fit(Xn, y)
    with pytest.raises(ValueError, match="labels for"):
        clf.fit(X, y[:-1])
    with pytest.raises(sklearn.exceptions.NotFittedError):
        clf.predict(X)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="X has 7 features, but .* expecting 8"):
        clf.predict(X[:, :7])
    with pytest.raises(ValueError, match="X: non-finite"):
        clf.predict(Xn)


def test_gradient_check():
    rng = np.random.default_rng(1)
    X = rng.random((4, 5))
    Y = np.eye(3)[[0, 1, 2, 0]]
    r = attractor.gradient_check(X, Y, sizes=[5, 4, 3], activation="sigmoid",
                                 betas=[0.1, 0.01], fd_step=1e-5)
    assert list(r["beta"]) == [0.1, 0.1, 0.01, 0.01]
    assert list(r["nudging"]) == ["one-sided", "symmetric"] * 2
    assert np.all(r["cosine"][2:] > 0.99), r["cosine"]
    assert r["relative_error"][3] < r["relative_error"][1]  # symmetric at the smaller beta
    assert r["finite_difference_error"] < 1e-4
    assert r["bptt_error"] < 1e-3
    assert r["loss"] > 0
    # the same network by its parameters
    net = attractor._attractor.LayeredNet([5, 4, 3], "sigmoid", 0)
    r2 = attractor.gradient_check(X, Y, weights=net.weights, biases=net.biases,
                                  betas=[0.01], fd_step=None)
    np.testing.assert_allclose(r2["cosine"], r["cosine"][2:])
    assert r2["finite_difference_error"] is None
    with pytest.raises(AttractorError, match="beta"):
        attractor.gradient_check(X, Y, sizes=[5, 4, 3], betas=[0.0])


def test_gil_released_while_training(digits, assert_gil_released):
    Xtr, ytr, _, _ = digits
    clf = small(hidden_layer_sizes=(500,), max_iter=10)
    assert_gil_released(lambda: clf.fit(Xtr, ytr), "eqprop training")


def test_ctrl_c_stops_training(digits):
    Xtr, ytr, Xte, _ = digits
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach only the main thread")
    clf = EquilibriumPropagationClassifier(hidden_layer_sizes=(200,), max_iter=200,
                                           random_state=0)
    timer = threading.Timer(0.5, lambda: signal.raise_signal(signal.SIGINT))
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(Interrupted) as info:
            clf.fit(Xtr, ytr)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 10
    assert info.value.result is clf
    assert info.value.report["status"] == "interrupted"
    assert clf.predict(Xte[:5]).shape == (5,)


CHECK_ESTIMATOR_EXCEPTIONS = {
    "check_classifiers_train": (
        "5 epochs of 16 hidden units with the MNIST-tuned defaults do not reach the check's 83% "
        "accuracy on its standardised 2-D blobs: the input is read through rho, so the hard "
        "sigmoid clips negative features to 0 (scale inputs to [0, 1], or use tanh)"
    ),
}


@pytest.mark.parametrize(
    "make",
    [
        lambda: EquilibriumPropagationClassifier(hidden_layer_sizes=(16,), max_iter=5),
        lambda: attractor.ContrastiveHebbianClassifier(hidden_layer_sizes=(16,), max_iter=5),
    ],
    ids=["ep", "chl"],
)
def test_check_estimator_passes_except_where_documented(make):
    """scikit-learn's ``check_estimator`` runs on both classifiers; the one check that fails is
    listed, with the reason, in ``CHECK_ESTIMATOR_EXCEPTIONS`` (and an unexpected failure fails
    this test)."""
    estimator_checks = pytest.importorskip("sklearn.utils.estimator_checks")
    results = estimator_checks.check_estimator(
        make(), expected_failed_checks=CHECK_ESTIMATOR_EXCEPTIONS, on_fail=None, on_skip=None
    )
    failed = sorted({r["check_name"] for r in results if r["status"] == "failed"})
    assert failed == [], failed
    passed = [r for r in results if r["status"] == "passed"]
    assert len(passed) >= 50, len(passed)


def test_check_estimator_notes():
    """The estimator's parameters survive ``clone`` and ``set_params`` (the checks above run
    the rest of scikit-learn's contract)."""
    clf = EquilibriumPropagationClassifier()
    assert clf.get_params()["hidden_layer_sizes"] == (500,)
    assert clone(clf).set_params(max_iter=2).max_iter == 2
