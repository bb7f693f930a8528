"""The memories as scikit-learn estimators: conventions, clone, pipelines, estimator checks
that apply, recall against theory and against the Rust CLI."""

import numpy as np
import pytest

import attractor

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.utils import estimator_checks  # noqa: E402

ESTIMATORS = [
    attractor.ClassicalHopfield(),
    attractor.ClassicalHopfield(rule="storkey", update="sync"),
    attractor.ClassicalHopfield(rule="pinv"),
    attractor.DenseMemory(separation=3),
    attractor.DenseMemory(separation="exp"),
    attractor.ModernHopfield(beta=1.0),
]


def patterns(k, n, seed):
    return np.where(np.random.default_rng(seed).random((k, n)) < 0.5, -1.0, 1.0)


def flip(x, frac, seed):
    rng = np.random.default_rng(seed)
    y = x.copy()
    for row in y:
        idx = rng.choice(len(row), int(round(frac * len(row))), replace=False)
        row[idx] *= -1
    return y


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: repr(e))
def test_parameter_conventions(est):
    name = type(est).__name__
    estimator_checks.check_get_params_invariance(name, est)
    estimator_checks.check_set_params(name, est)
    estimator_checks.check_no_attributes_set_in_init(name, est)
    estimator_checks.check_parameters_default_constructible(name, est)
    c = clone(est)
    assert c.get_params() == est.get_params() and c is not est


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: repr(e))
def test_fit_predict_recovers_stored_patterns(est):
    p = patterns(5, 100, 1)
    est = clone(est).fit(p)
    q = flip(p, 0.1, 2)
    r = est.predict(q)
    assert r.shape == p.shape
    assert np.all(np.sign(r) == p), est
    assert est.score(p) == 1.0
    e = est.energy(np.vstack([p[:1], q[:1]]))
    assert e[0] <= e[1] + 1e-9


def test_not_fitted_and_bad_shapes():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        attractor.ModernHopfield().predict(np.ones((1, 3)))
    est = attractor.ClassicalHopfield().fit(patterns(3, 20, 1))
    with pytest.raises(attractor.AttractorError, match="features"):
        est.predict(np.ones((1, 21)))
    with pytest.raises(attractor.AttractorError, match="rule"):
        attractor.ClassicalHopfield(rule="oja").fit(patterns(3, 20, 1))
    with pytest.raises(attractor.AttractorError, match="beta"):
        attractor.ModernHopfield(beta=-1).fit(np.ones((2, 3)))
    with pytest.raises(TypeError, match="random_state"):
        attractor.ClassicalHopfield(random_state="x").fit(patterns(3, 20, 1))


def test_random_state_reproducible_and_used():
    p = patterns(30, 100, 3)  # overloaded: the visiting order matters
    q = flip(p, 0.3, 4)
    a = attractor.ClassicalHopfield(random_state=1).fit(p).predict(q)
    b = attractor.ClassicalHopfield(random_state=1).fit(p).predict(q)
    c = attractor.ClassicalHopfield(random_state=2).fit(p).predict(q)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_capacity_dense_beyond_classical():
    # 40 patterns in N = 100: far beyond 0.138 N for the Hebbian memory, easy for dense n = 3
    p = patterns(40, 100, 5)
    q = flip(p, 0.05, 6)
    classical = attractor.ClassicalHopfield().fit(p).score(p)
    dense = attractor.DenseMemory(separation=3).fit(p)
    assert classical < 0.5
    assert np.mean(np.all(dense.predict(q) == p, axis=1)) >= 0.95


def test_pipeline_step():
    p = patterns(4, 64, 7)
    pipe = make_pipeline(attractor.ModernHopfield(beta=2.0))
    pipe.fit(p)
    np.testing.assert_array_equal(np.sign(pipe.transform(flip(p, 0.1, 8))), p)


def test_modern_batched_retrieve_equals_one_update():
    rng = np.random.default_rng(11)
    p = rng.standard_normal((50, 16))
    q = rng.standard_normal((37, 16))
    est = attractor.ModernHopfield(beta=0.7, max_iter=1).fit(p)
    one = est.predict(q)
    for threads in (1, 2):
        np.testing.assert_allclose(est.retrieve(q, n_steps=1, block=8, n_threads=threads), one, atol=1e-12, rtol=0)
    with pytest.raises(attractor.AttractorError, match="modern"):
        attractor.ClassicalHopfield().fit(patterns(3, 16, 1)).memory_.retrieve(q)


def test_krotov2021_models_recall_and_follow_sklearn_conventions():
    p = patterns(6, 40, 12)
    q = flip(p, 0.1, 13)
    for est in (attractor.Krotov2021(model="B", beta=0.5), attractor.Krotov2021(model="A", n=3)):
        name = type(est).__name__
        estimator_checks.check_get_params_invariance(name, est)
        v = clone(est).fit(p).predict(q)
        assert np.all(np.sign(v) == p), est
    with pytest.raises(attractor.AttractorError, match="model"):
        attractor.Krotov2021(model="D").fit(p)
