"""Restricted Boltzmann machines from Python: training raises the exact likelihood, the
partition function against enumeration in NumPy, AIS against the exact value, the features and
pseudo-likelihoods against formulas computed here, Gaussian units, seeds and threads,
partial_fit against fit, files, clear errors, the scikit-learn conventions (Pipeline, clone,
pickle), the interpreter lock and Ctrl-C."""

import itertools
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import attractor
from attractor import AttractorError, BernoulliRBM, GaussianBernoulliRBM


def binary_data(n=300, d=6, seed=0):
    """Noisy copies of three binary prototypes: data an RBM can learn."""
    rng = np.random.default_rng(seed)
    protos = (rng.random((3, d)) < 0.5).astype(float)
    x = protos[rng.integers(0, 3, n)]
    flip = rng.random(x.shape) < 0.1
    return np.where(flip, 1 - x, x)


def random_model(nv, nh, scale=1.0, seed=0, cls=BernoulliRBM, **params):
    rng = np.random.default_rng(seed)
    return cls.from_parameters(
        scale * rng.standard_normal((nh, nv)), 0.5 * rng.standard_normal(nh),
        0.5 * rng.standard_normal(nv), **params,
    )


def states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def brute_log_z(c, b, a):
    """log sum_{v,h} exp(a.v + b.h + v.W h), W = c.T, over every joint state."""
    nh, nv = c.shape
    V, H = states(nv), states(nh)
    neg_e = (V @ a)[:, None] + (H @ b)[None, :] + V @ c.T @ H.T
    return logsumexp(neg_e.ravel())


def free_energy(x, c, b, a):
    return -x @ a - np.logaddexp(0, x @ c.T + b).sum(axis=1)


# ---------------------------------------------------------------- likelihoods


def test_training_raises_the_exact_log_likelihood():
    x = binary_data()
    before = BernoulliRBM(n_components=4, n_iter=0, random_state=1).fit(x)
    after = BernoulliRBM(n_components=4, n_iter=30, learning_rate=0.1, random_state=1).fit(x)
    ll0, ll1 = before.log_likelihood(x), after.log_likelihood(x)
    # W ~ N(0, 0.01^2), zero biases: almost uniform over 2^6 states
    assert ll0 == pytest.approx(-6 * np.log(2), abs=0.05)
    assert ll1 > ll0 + 1.0, (ll0, ll1)
    assert after.report_["n_epochs"] == 30 and after.report_["status"] == "completed"
    assert after.report_["n_updates"] == 30 * 30  # 300 samples in minibatches of 10


def test_exact_log_partition_equals_enumeration():
    m = random_model(6, 4, seed=2)
    want = brute_log_z(m.components_, m.intercept_hidden_, m.intercept_visible_)
    assert m.log_partition() == pytest.approx(want, abs=1e-10)
    # more hidden than visible units: the other layer is enumerated
    m2 = random_model(4, 7, seed=3)
    want2 = brute_log_z(m2.components_, m2.intercept_hidden_, m2.intercept_visible_)
    assert m2.log_partition(method="exact") == pytest.approx(want2, abs=1e-10)
    # and the log-likelihood is -F - log Z, normalised over all 2^6 states
    v = states(6)
    p = np.exp(-m.free_energy(v) - m.log_partition())
    assert p.sum() == pytest.approx(1.0, abs=1e-10)
    np.testing.assert_allclose(
        m.free_energy(v), free_energy(v, m.components_, m.intercept_hidden_, m.intercept_visible_),
        atol=1e-12,
    )
    assert m.log_likelihood(v[:5]) == pytest.approx(np.mean(np.log(p[:5])), abs=1e-10)


def test_gaussian_log_partition_equals_the_integral_over_v():
    # int exp(-1/2 |v - a|^2 + v.W h) dv = (2 pi)^(n/2) exp(a.W h + 1/2 |W h|^2)
    m = random_model(5, 4, scale=0.3, seed=4, cls=GaussianBernoulliRBM)
    c, b, a = m.components_, m.intercept_hidden_, m.intercept_visible_
    H = states(4)
    wh = H @ c
    terms = H @ b + wh @ a + 0.5 * np.sum(wh * wh, axis=1)
    want = 0.5 * 5 * np.log(2 * np.pi) + logsumexp(terms)
    assert m.log_partition() == pytest.approx(want, abs=1e-10)


def test_ais_is_within_a_tenth_of_a_nat_of_exact():
    m = random_model(20, 10, seed=5)
    exact = m.log_partition("exact")
    z, se = m.log_partition("ais", n_runs=100, n_betas=10000, random_state=0, return_std=True)
    assert abs(z - exact) < 0.1, (z, exact, se)
    assert 0 < se < 0.1
    assert set(m.ais_) >= {"log_z", "std_err", "log_weights", "log_z_base"}
    assert m.ais_["log_weights"].shape == (100,)
    # with a base model from the data marginals, through log_likelihood
    x = (np.random.default_rng(6).random((50, 20)) < 0.3).astype(float)
    ll_ais, se2 = m.log_likelihood(x, method="ais", random_state=1, return_std=True)
    assert abs(ll_ais - m.log_likelihood(x)) < 0.1 and se2 > 0


def test_transform_is_the_sigmoid_of_the_hidden_input():
    x = binary_data(n=40)
    m = BernoulliRBM(n_components=5, n_iter=3, random_state=0).fit(x)
    want = 1 / (1 + np.exp(-(x @ m.components_.T + m.intercept_hidden_)))
    np.testing.assert_allclose(m.transform(x), want, rtol=1e-12, atol=1e-15)
    assert m.transform(x).shape == (40, 5)
    # the same numbers as scikit-learn's BernoulliRBM holding these parameters
    sk = pytest.importorskip("sklearn.neural_network").BernoulliRBM(n_components=5)
    sk.components_, sk.intercept_hidden_, sk.intercept_visible_ = (
        m.components_, m.intercept_hidden_, m.intercept_visible_)
    np.testing.assert_allclose(m.transform(x), sk.transform(x), rtol=1e-12)


def test_score_samples_is_the_stochastic_pseudo_likelihood():
    m = random_model(6, 4, seed=7)
    x = binary_data(n=30, seed=8)
    c, b, a = m.components_, m.intercept_hidden_, m.intercept_visible_
    f = free_energy(x, c, b, a)
    # log p(v_i | v_-i) = -softplus(F(v) - F(v with unit i flipped)), for every unit
    cond = np.empty_like(x)
    for i in range(6):
        flipped = x.copy()
        flipped[:, i] = 1 - flipped[:, i]
        cond[:, i] = -np.logaddexp(0, f - free_energy(flipped, c, b, a))
    s = m.score_samples(x)
    assert s.shape == (30,)
    # each sample's score is n_features times one unit's conditional
    hit = np.isclose(s[:, None], 6 * cond, rtol=1e-10, atol=1e-12)
    assert hit.any(axis=1).all()
    assert len({int(np.argmax(h)) for h in hit}) > 1  # the unit is drawn per sample
    np.testing.assert_array_equal(m.score_samples(x), s)  # the same draw on every call
    assert m.pseudo_likelihood(x) == pytest.approx(cond.sum(axis=1).mean(), rel=1e-12)
    assert np.all(s <= 0)


def test_gibbs_and_sample_follow_the_model():
    m = random_model(5, 3, seed=9)
    v = states(5)
    p = np.exp(-m.free_energy(v) - m.log_partition())
    marg = p @ v  # exact P(v_i = 1)
    draws = m.sample(4000, n_steps=30, random_state=1)
    assert set(np.unique(draws)) <= {0.0, 1.0}
    np.testing.assert_allclose(draws.mean(axis=0), marg, atol=0.04)
    # one Gibbs step from the stationary law stays there
    step = m.gibbs(draws, random_state=2)
    assert step.shape == draws.shape
    np.testing.assert_allclose(step.mean(axis=0), marg, atol=0.04)
    # seeded: the same random_state gives the same step; successive unseeded calls differ
    np.testing.assert_array_equal(m.gibbs(draws[:50], random_state=3), m.gibbs(draws[:50], random_state=3))
    assert not np.array_equal(m.gibbs(draws[:50]), m.gibbs(draws[:50]))
    # strong visible biases force the visible units on
    on = BernoulliRBM.from_parameters(np.zeros((3, 5)), np.zeros(3), np.full(5, 40.0))
    np.testing.assert_array_equal(on.gibbs(np.zeros((4, 5))), np.ones((4, 5)))


# ---------------------------------------------------------------- Gaussian units


def test_gaussian_bernoulli_reconstruction_error_falls_with_training():
    rng = np.random.default_rng(10)
    centres = 2.0 * rng.standard_normal((3, 8))
    x = centres[rng.integers(0, 3, 400)] + 0.3 * rng.standard_normal((400, 8))
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    kw = dict(n_components=12, batch_size=20, random_state=0)
    before = GaussianBernoulliRBM(n_iter=0, **kw).fit(x).reconstruction_error(x)
    m = GaussianBernoulliRBM(n_iter=30, **kw).fit(x)
    after = m.reconstruction_error(x)
    assert after < 0.7 * before, (before, after)
    assert m.learning_rate == 0.01
    np.testing.assert_allclose(m.reconstruct(x).shape, x.shape)
    with pytest.raises(AttributeError):
        m.pseudo_likelihood  # defined for binary units only
    # real-valued samples
    s = m.sample(10, n_steps=5)
    assert s.shape == (10, 8) and len(np.unique(s)) > 20


# ---------------------------------------------------------------- seeds, threads, partial_fit


def test_same_seed_same_parameters_on_any_number_of_threads():
    x = binary_data(n=200, d=12, seed=11)
    fits = [BernoulliRBM(n_components=7, n_iter=4, random_state=5, n_threads=t).fit(x)
            for t in (None, -1, 2)]
    for f in fits[1:]:
        np.testing.assert_array_equal(f.components_, fits[0].components_)
        np.testing.assert_array_equal(f.intercept_hidden_, fits[0].intercept_hidden_)
        np.testing.assert_array_equal(f.intercept_visible_, fits[0].intercept_visible_)
        np.testing.assert_array_equal(f.h_samples_, fits[0].h_samples_)
    other = BernoulliRBM(n_components=7, n_iter=4, random_state=6).fit(x)
    assert not np.array_equal(other.components_, fits[0].components_)


@pytest.mark.parametrize("persistent, momentum", [(True, 0.0), (False, 0.0), (True, 0.5)])
def test_partial_fit_over_the_minibatches_equals_one_epoch_of_fit(persistent, momentum):
    x = binary_data(n=95, seed=12)  # the last minibatch has 5 samples
    kw = dict(n_components=4, batch_size=10, random_state=3, shuffle=False,
              persistent=persistent, momentum=momentum)
    fit = BernoulliRBM(n_iter=1, **kw).fit(x)
    part = BernoulliRBM(**kw)
    for s in range(0, 95, 10):
        part.partial_fit(x[s:s + 10])
    np.testing.assert_array_equal(part.components_, fit.components_)
    np.testing.assert_array_equal(part.intercept_hidden_, fit.intercept_hidden_)
    np.testing.assert_array_equal(part.intercept_visible_, fit.intercept_visible_)
    if persistent:
        np.testing.assert_array_equal(part.v_samples_, fit.v_samples_)
        assert part.h_samples_.shape == (10, 4)
    else:
        assert part.h_samples_ is None
    # one more update moves the parameters (the trainer is kept between calls)
    before = part.components_
    part.partial_fit(x[:10])
    assert not np.array_equal(part.components_, before)
    # a changed learning rate takes effect (a fresh trainer): a tiny one barely moves W
    before = part.components_
    part.set_params(learning_rate=1e-9).partial_fit(x[:10])
    assert 0 < np.abs(part.components_ - before).max() < 1e-8


def test_epochs_in_separate_calls_equal_one_call(capsys):
    x = binary_data(n=60, seed=13)
    kw = dict(n_components=4, n_iter=3, random_state=4, momentum=0.5)
    quiet = BernoulliRBM(**kw).fit(x)
    loud = BernoulliRBM(verbose=1, **kw).fit(x)  # one call per epoch, to print each
    np.testing.assert_array_equal(loud.components_, quiet.components_)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and out[0].startswith("[BernoulliRBM] Iteration 1, pseudo-likelihood = ")
    assert loud.report_["n_epochs"] == 3 and len(loud.report_["pseudo_likelihood"]) == 3


# ---------------------------------------------------------------- files


def test_save_load_round_trip_and_bad_files(tmp_path):
    x = binary_data(n=50)
    m = BernoulliRBM(n_components=4, n_iter=2).fit(x)
    path = tmp_path / "rbm.safetensors"
    m.save(path)
    back = BernoulliRBM.load(path)
    assert back.n_components == 4 and back.n_features_in_ == 6
    np.testing.assert_array_equal(back.components_, m.components_)
    np.testing.assert_array_equal(back.intercept_visible_, m.intercept_visible_)
    np.testing.assert_array_equal(back.transform(x), m.transform(x))
    back.partial_fit(x[:10])  # a loaded model trains on with a fresh trainer
    # a Gaussian file is refused by the Bernoulli class, with the class to use
    g = tmp_path / "g.safetensors"
    GaussianBernoulliRBM(n_components=2, n_iter=1).fit(x).save(g)
    with pytest.raises(AttractorError, match="gaussian visible units; load it with GaussianBernoulliRBM.load"):
        BernoulliRBM.load(g)
    assert GaussianBernoulliRBM.load(g).n_components == 2
    # truncated and corrupt files
    data = path.read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AttractorError) as e:
        BernoulliRBM.load(cut)
    msg = str(e.value)
    assert str(cut) in msg and "not a valid safetensors RBM file" in msg and "corrupt or truncated" in msg
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"this is not a safetensors file")
    with pytest.raises(AttractorError, match="junk.safetensors is not a valid safetensors RBM file"):
        BernoulliRBM.load(junk)
    with pytest.raises(AttractorError, match="missing.safetensors: .*check the path"):
        BernoulliRBM.load(tmp_path / "missing.safetensors")


# ---------------------------------------------------------------- errors


X0 = binary_data(n=20)


def _with(x, i, j, value):
    x = x.copy()
    x[i, j] = value
    return x


@pytest.mark.parametrize(
    "params, X, needle",
    [
        (dict(), _with(X0, 3, 2, 2.0),
         "training data = 2 at sample 3, feature 2: Bernoulli visible units take values in {0, 1} "
         "(or probabilities in [0, 1]); binarise or scale the data to [0, 1]"),
        (dict(), _with(X0, 1, 3, -0.5), "= -0.5 at sample 1, feature 3"),
        (dict(), _with(X0, 1, 3, np.nan), "X: non-finite value nan at index (1, 3); replace NaN/inf"),
        (dict(), np.zeros((2, 3, 4)), "X: expected a 2-D array (n_samples, n_features), got shape (2, 3, 4)"),
        (dict(cd_k=0), X0, "cd_k = 0: contrastive divergence needs at least one Gibbs sweep per update"),
        (dict(learning_rate=0.0), X0, "learning_rate = 0: the learning rate must be finite and > 0"),
        (dict(learning_rate=-1.0), X0, "learning_rate = -1: the learning rate must be finite and > 0"),
        (dict(learning_rate="fast"), X0, "learning_rate = 'fast': give a real number"),
        (dict(batch_size=0), X0, "batch_size = 0: a minibatch holds at least one sample"),
        (dict(n_components=0), X0, "n_components = 0: give a whole number of hidden units >= 1"),
        (dict(n_iter=-1), X0, "n_iter = -1: give a whole number of epochs >= 0"),
        (dict(momentum=1.0), X0, "momentum = 1: the momentum must lie in [0, 1)"),
        (dict(weight_decay=-1e-3), X0, "weight_decay = -0.001: the weight decay must be finite and >= 0"),
        (dict(persistent="yes"), X0, "persistent = 'yes': give True or False"),
        (dict(n_threads=0), X0, "n_threads = 0: give None or 1 (one thread)"),
        (dict(random_state=-1), X0, "random_state = -1: give a seed >= 0"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_it(params, X, needle):
    with pytest.raises(AttractorError) as e:
        BernoulliRBM(n_components=params.pop("n_components", 3), **params).fit(X)
    assert needle in str(e.value)


def test_more_errors():
    with pytest.raises(TypeError, match="expected an array of numbers, got dtype <U"):
        BernoulliRBM().fit(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(ValueError, match="not fitted yet"):  # NotFittedError is a ValueError
        BernoulliRBM().transform(X0)
    m = BernoulliRBM(n_components=3, n_iter=1).fit(X0)
    with pytest.raises(AttractorError, match="X has 5 features, but BernoulliRBM is expecting 6 features as input"):
        m.transform(X0[:, :5])
    with pytest.raises(AttractorError, match="v has 7 features"):
        m.gibbs(np.zeros((2, 7)))
    refit = BernoulliRBM(n_components=3, n_iter=1).fit(X0).set_params(learning_rate=0.0)
    with pytest.raises(AttractorError, match="learning_rate = 0"):
        refit.fit(X0)
    assert not hasattr(refit, "components_") and not hasattr(refit, "n_features_in_")  # a failed fit leaves it unfitted
    with pytest.raises(AttractorError, match="method = 'mcmc': use 'auto', 'exact' or 'ais'"):
        m.log_partition("mcmc")
    big = BernoulliRBM(n_components=30, n_iter=0).fit(np.zeros((2, 30)))
    with pytest.raises(AttractorError, match="limited to 24 units.*method='ais'"):
        big.log_partition("exact")
    with pytest.raises(AttractorError, match="n_betas = 0"):
        m.log_partition("ais", n_betas=0)
    with pytest.raises(AttractorError, match="n_runs = 1: AIS needs at least 2 runs"):
        m.log_partition("ais", n_runs=1)
    # diverging training is undone and reported
    wild = 5 * np.random.default_rng(0).standard_normal((200, 6))
    g = GaussianBernoulliRBM(n_components=20, n_iter=50, learning_rate=0.5, momentum=0.9)
    with pytest.raises(AttractorError, match=r"diverged in epoch \d+: .*undone.*lower learning_rate \(now 0.5\)"):
        g.fit(wild)
    assert g.report_["status"] == "diverged" and g.report_["n_epochs"] == g.report_["diverged_epoch"] - 1
    assert np.all(np.isfinite(g.components_))


def test_sparse_and_one_dimensional_input_say_what_to_pass():
    m = BernoulliRBM(n_components=3, n_iter=1).fit(X0)
    with pytest.raises(AttractorError, match=r"X: expected a 2-D array .* got shape \(6,\)\. Reshape your data with X.reshape\(1, -1\)"):
        m.transform(X0[0])
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match=r"X: a sparse matrix was passed, but dense data is required; pass X.toarray\(\)"):
        BernoulliRBM().fit(sparse.csr_matrix(X0))


# ---------------------------------------------------------------- scikit-learn conventions


def test_pipeline_on_the_digits():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from threadpoolctl import threadpool_limits

    x, y = load_digits(return_X_y=True)
    x = x / 16.0
    pipe = Pipeline([("rbm", BernoulliRBM(n_components=64, learning_rate=0.06, n_iter=20, random_state=0)),
                     ("logistic", LogisticRegression(C=100.0, max_iter=1000))])
    with threadpool_limits(1):  # BLAS threads on a busy machine make lbfgs 100x slower
        pipe.fit(x[:1200], y[:1200])
        acc = pipe.score(x[1200:], y[1200:])
    assert acc > 0.85, acc
    pipe.set_params(rbm__n_components=32)
    assert pipe.named_steps["rbm"].n_components == 32


def test_clone_get_set_params_and_pickle():
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.utils import estimator_checks

    for e in (BernoulliRBM(), GaussianBernoulliRBM(), BernoulliRBM(n_components=3, cd_k=2, persistent=False)):
        name = type(e).__name__
        estimator_checks.check_get_params_invariance(name, e)
        estimator_checks.check_set_params(name, e)
        estimator_checks.check_no_attributes_set_in_init(name, e)
        estimator_checks.check_parameters_default_constructible(name, e)
    x = binary_data(n=60)
    est = BernoulliRBM(n_components=4, n_iter=3, random_state=7, momentum=0.3)
    fitted = est.fit(x)
    c = clone(fitted)
    assert c.momentum == 0.3 and not hasattr(c, "components_") and not hasattr(c, "n_features_in_")
    np.testing.assert_array_equal(c.fit(x).components_, fitted.components_)
    back = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(back.components_, fitted.components_)
    np.testing.assert_array_equal(back.transform(x), fitted.transform(x))
    assert back.get_params() == fitted.get_params()
    assert "_rbm" not in fitted.__getstate__()
    back.partial_fit(x[:10])  # trains on after unpickling
    assert not np.array_equal(back.components_, fitted.components_)
    # parameters can be replaced by assignment (e.g. from scikit-learn)
    fitted.intercept_visible_ = np.full(6, 0.25)
    np.testing.assert_array_equal(fitted.intercept_visible_, np.full(6, 0.25))


# ---------------------------------------------------------------- the interpreter lock, Ctrl-C


def test_the_interpreter_lock_is_released_while_fitting(assert_gil_released):
    x = (np.random.default_rng(14).random((2000, 200)) < 0.3).astype(float)
    est = BernoulliRBM(n_components=100, n_iter=30, batch_size=20)  # about 0.3 s
    assert_gil_released(lambda: est.fit(x), "fit")


CHILD = textwrap.dedent(
    """
    import time, numpy as np, attractor
    # epochs of 20000 updates (seconds each): Ctrl-C must stop between minibatches
    x = (np.random.default_rng(0).random((20000, 200)) < 0.3).astype(float)
    est = attractor.BernoulliRBM(n_components=200, n_iter=1000, batch_size=1, cd_k=10)
    print("ready", flush=True)
    t0 = time.time()
    try:
        est.fit(x)
        print("finished", flush=True)
    except attractor.Interrupted as e:
        r = e.report
        ok = e.result is est and bool(np.all(np.isfinite(est.components_)))
        print(f"interrupted {r['n_epochs']} {r['n_updates']} {r['status']} {ok} {time.time() - t0:.2f}", flush=True)
    """
)


def test_sigint_stops_a_long_fit_between_minibatches_keeping_the_parameters(interrupt_child):
    out, waited = interrupt_child(CHILD, timeout=30)
    assert out.startswith("interrupted"), out
    assert waited < 1.0, f"took {waited:.2f} s to stop"
    _, epochs, updates, status, ok, _ = out.split()
    assert status == "interrupted" and ok == "True"
    # stopped inside an epoch: the updates made are kept, the epoch is not counted
    assert int(updates) > 0 and int(updates) % 20000 != 0, out
    assert int(updates) // 20000 == int(epochs), out
