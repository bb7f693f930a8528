"""ScoreMatchingEnergy: score matching against closed forms, samples against the data, the
scikit-learn protocol (get_params, clone, pickling), Ctrl-C, and bad input named in messages."""

import pickle
import textwrap

import numpy as np
import pytest

import attractor
from attractor import AttractorError, ScoreMatchingEnergy


def gaussian_data(n=500, seed=0):
    rng = np.random.default_rng(seed)
    a = np.array([[1.0, 0.3, 0.0], [0.0, 0.8, 0.2], [0.1, 0.0, 0.5]])
    return rng.normal(size=(n, 3)) @ a + np.array([1.0, -0.5, 2.0])


def two_clusters(n=1000, left=0.3, seed=1):
    rng = np.random.default_rng(seed)
    lab = rng.random(n) < left
    return np.where(lab[:, None], [-2.0, 0.0], [2.0, 0.0]) + 0.4 * rng.normal(size=(n, 2))


@pytest.fixture(scope="module")
def clusters():
    return two_clusters()


@pytest.fixture(scope="module")
def network(clusters):
    return ScoreMatchingEnergy(n_hidden=32, noise_levels=(0.3,), max_epochs=60,
                               learning_rate=0.02).fit(clusters)


def test_exact_score_matching_of_a_gaussian_is_the_closed_form():
    x = gaussian_data()
    mean = x.mean(axis=0)
    precision = np.linalg.inv(np.cov(x.T, bias=True))
    # one full batch per epoch: Adam on the deterministic objective
    est = ScoreMatchingEnergy(model="gaussian", objective="exact", learning_rate=0.05,
                              batch_size=len(x), max_epochs=2000).fit(x)
    np.testing.assert_allclose(est.mean_, mean, atol=1e-3)
    np.testing.assert_allclose(est.precision_, precision, atol=1e-3)
    assert len(est.loss_curve_) == 2000 and est.loss_curve_[-1] <= est.loss_curve_[0]
    assert est.report_["status"] == "completed" and est.report_["n_updates"] == 2000
    cf = ScoreMatchingEnergy(model="gaussian", method="closed_form").fit(x)
    np.testing.assert_allclose(cf.mean_, mean, atol=1e-12)
    np.testing.assert_allclose(cf.precision_, precision, rtol=1e-10)
    # the closed form minimises the exact objective: no other fit scores higher on x
    cf.set_params(objective="exact")
    assert cf.score(x) >= est.score(x) - 1e-9


def test_denoising_network_samples_the_cluster_fractions(clusters, network):
    s = network.sample(1000, n_steps=1000, step_size=0.01, random_state=3)
    assert s.shape == (1000, 2) and np.all(np.isfinite(s))
    data_left = np.mean(clusters[:, 0] < 0)
    assert abs(np.mean(s[:, 0] < 0) - data_left) < 0.1, (np.mean(s[:, 0] < 0), data_left)
    # both wells are found, near the cluster centres
    assert abs(np.median(s[s[:, 0] > 0, 0]) - 2.0) < 0.5
    assert abs(np.median(s[s[:, 0] < 0, 0]) + 2.0) < 0.5
    # reproducible from random_state, different from call to call without it
    np.testing.assert_array_equal(s, network.sample(1000, n_steps=1000, random_state=3))
    a, b = network.sample(5, n_steps=10), network.sample(5, n_steps=10)
    assert not np.array_equal(a, b)


def test_score_samples_rank_data_above_an_outlier(network):
    ll = network.score_samples([[2.0, 0.0], [-2.0, 0.0], [10.0, 10.0]])
    assert ll[0] > ll[2] and ll[1] > ll[2]
    np.testing.assert_array_equal(ll, -network.energy([[2.0, 0.0], [-2.0, 0.0], [10.0, 10.0]]))


def test_score_function_is_minus_the_energy_gradient(network):
    x = np.array([[0.3, -0.7], [1.9, 0.2]])
    h = 1e-5
    fd = np.stack([
        -(network.energy(x + h * e) - network.energy(x - h * e)) / (2 * h) for e in np.eye(2)
    ], axis=1)
    np.testing.assert_allclose(network.score_function(x), fd, rtol=1e-5, atol=1e-7)


def test_partial_fit_continues_and_score_improves(clusters):
    est = ScoreMatchingEnergy(n_hidden=16, noise_levels=0.3, learning_rate=0.02)
    est.partial_fit(clusters[:128])
    before = est.score(clusters)
    for k in range(1, 40):
        est.partial_fit(clusters[128 * (k % 7):128 * (k % 7 + 1)])
    assert len(est.loss_curve_) == 40
    assert est.score(clusters) > before
    assert est.weights_.shape == (16, 2) and est.biases_.shape == (16,)
    assert est.output_weights_.shape == (16,) and est.scale_ > 0


def test_dense_memory_patterns_move_to_the_clusters(clusters):
    # beta = scale = 1: exp(-E) is a mixture of N(xi_mu, I), so the patterns are the centres
    est = ScoreMatchingEnergy(model="dense_memory", n_patterns=2, scale=1.0, beta=1.0,
                              objective="sliced", max_epochs=40, learning_rate=0.05).fit(clusters)
    p = est.patterns_[np.argsort(est.patterns_[:, 0])]
    np.testing.assert_allclose(p, [[-2.0, 0.0], [2.0, 0.0]], atol=0.3)
    assert est.scale_ == 1.0
    assert not hasattr(est, "weights_") and not hasattr(est, "mean_")


def test_pickling_round_trip_gives_identical_energies(clusters, network):
    back = pickle.loads(pickle.dumps(network))
    np.testing.assert_array_equal(back.energy(clusters[:50]), network.energy(clusters[:50]))
    np.testing.assert_array_equal(back.weights_, network.weights_)
    back.partial_fit(clusters[:64])  # a fresh trainer for the unpickled model
    for model in ("gaussian", "dense_memory"):
        est = ScoreMatchingEnergy(model=model, n_patterns=2, max_epochs=2).fit(clusters)
        back = pickle.loads(pickle.dumps(est))
        np.testing.assert_array_equal(back.energy(clusters[:50]), est.energy(clusters[:50]))


def test_get_params_and_clone(network):
    sklearn_base = pytest.importorskip("sklearn.base")
    p = network.get_params()
    assert p["n_hidden"] == 32 and p["noise_levels"] == (0.3,) and p["model"] == "network"
    c = sklearn_base.clone(network)
    assert c.get_params() == p and not hasattr(c, "n_features_in_")
    c.set_params(max_epochs=3, objective="sliced")
    assert c.fit(two_clusters(200)).get_params()["objective"] == "sliced"


def test_not_fitted():
    with pytest.raises(Exception, match="not fitted"):
        ScoreMatchingEnergy().energy([[0.0]])


def test_the_interpreter_lock_is_released_while_fitting(assert_gil_released):
    x = np.random.default_rng(2).normal(size=(20000, 8))
    est = ScoreMatchingEnergy(n_hidden=128, batch_size=32, max_epochs=2)
    assert_gil_released(lambda: est.fit(x), "fit")


CHILD = textwrap.dedent(
    """
    import numpy as np, attractor
    x = np.random.default_rng(0).normal(size=(200000, 8))
    est = attractor.ScoreMatchingEnergy(n_hidden=256, batch_size=8, max_epochs=1000)
    print("ready", flush=True)
    try:
        est.fit(x)
        print("finished")
    except attractor.Interrupted as e:
        r = e.result
        print("interrupted", r.report_["status"], r.report_["n_updates"] > 0,
              bool(np.all(np.isfinite(r.weights_))))
    """
)


def test_sigint_stops_a_fit_keeping_the_parameters(interrupt_child):
    out, waited = interrupt_child(CHILD, wait=1.0, timeout=30)
    assert out.split() == ["interrupted", "interrupted", "True", "True"], out
    assert waited < 1.5, f"took {waited:.2f} s to stop"


X2 = two_clusters(100)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: ScoreMatchingEnergy(model="mlp").fit(X2), "model = 'mlp'"),
        (lambda: ScoreMatchingEnergy(noise_levels=(0.1, -0.2)).fit(X2), "-0.2"),
        (lambda: ScoreMatchingEnergy(objective="ssm").fit(X2), "objective = 'ssm'"),
        (lambda: ScoreMatchingEnergy(max_epochs=-1).fit(X2), "max_epochs = -1"),
        (lambda: ScoreMatchingEnergy(batch_size=0).fit(X2), "batch_size = 0"),
        (lambda: ScoreMatchingEnergy(learning_rate=-1.0).fit(X2), "learning_rate = -1.0"),
        (lambda: ScoreMatchingEnergy(scale=0.0).fit(X2), "scale = 0.0"),
        (lambda: ScoreMatchingEnergy(model="dense_memory", n_patterns=101).fit(X2),
         "n_patterns = 101"),
        (lambda: ScoreMatchingEnergy(method="closed_form").fit(X2), "closed_form"),
        (lambda: ScoreMatchingEnergy(max_epochs=1).fit(X2).energy(np.ones((3, 3))),
         "X has 3 features"),
        (lambda: ScoreMatchingEnergy(max_epochs=1).fit(np.array([[0.0, np.nan], [1.0, 2.0]])),
         "nan"),
        (lambda: ScoreMatchingEnergy(max_epochs=1).fit(X2).sample(2, step_size=-0.1),
         "step_size = -0.1"),
        (lambda: ScoreMatchingEnergy(max_epochs=1).fit(X2).sample(2, anneal_from=0.5),
         "anneal_from = 0.5"),
        (lambda: ScoreMatchingEnergy(max_epochs=1).fit(X2).sample(0), "n_samples = 0"),
    ],
)
def test_bad_arguments_are_named(call, words):
    with pytest.raises(AttractorError) as info:
        call()
    assert words in str(info.value), str(info.value)


def test_exported():
    assert "ScoreMatchingEnergy" in attractor.__all__
    assert attractor.ScoreMatchingEnergy is ScoreMatchingEnergy
