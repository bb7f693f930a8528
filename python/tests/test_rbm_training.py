"""RBMs, round two, from Python: training options (schedules, centring, tempered chains, visible
biases from the data), the RAISE / AIS log-likelihood bracket against the exact value,
sampling from data, and the messages of bad settings."""

import pickle

import numpy as np
import pytest

from attractor import AttractorError, BernoulliRBM, LikelihoodBracket


def binary_data(n=300, d=8, seed=0):
    rng = np.random.default_rng(seed)
    protos = (rng.random((3, d)) < 0.3).astype(float)
    x = protos[rng.integers(0, 3, n)]
    flip = rng.random(x.shape) < 0.05
    return np.where(flip, 1 - x, x)


def model(**kw):
    params = dict(n_components=6, n_iter=100, learning_rate=0.1, batch_size=20, random_state=3)
    params.update(kw)
    return BernoulliRBM(**params)


@pytest.mark.parametrize("kw", [
    dict(),
    dict(centering="data:0.05"),
    dict(centering="enhanced:0.05"),
    dict(method="tempering", n_temperatures=4, max_temperature=4.0),
    dict(method="pcd", n_chains=50),
    dict(momentum=0.9, momentum_schedule="step:0.5:5", learning_rate_schedule="linear:0.01:100"),
    dict(visible_bias_init="data", learning_rate_schedule="inverse:100"),
])
def test_every_training_option_raises_the_exact_likelihood(kw):
    x = binary_data()
    before = model(n_iter=0, **kw).fit(x).log_likelihood(x, method="exact")
    m = model(**kw).fit(x)
    after = m.log_likelihood(x, method="exact")
    assert after > before + 1.0, (kw, before, after)
    if kw.get("method") == "tempering":
        rates = m.swap_rates_
        assert len(rates) == 3 and all(0.0 < r <= 1.0 for r in rates)
        assert m.v_samples_.shape == (20, 8)
    else:
        assert m.swap_rates_ is None
    if kw.get("n_chains"):
        assert m.v_samples_.shape == (50, 8)


def test_visible_biases_from_the_data_are_the_smoothed_logits():
    x = binary_data()
    m = model(n_iter=0, visible_bias_init="data").fit(x)
    p = (x.sum(axis=0) + 1) / (len(x) + 2)
    np.testing.assert_allclose(m.intercept_visible_, np.log(p / (1 - p)), rtol=0, atol=1e-12)
    assert np.all(model(n_iter=0).fit(x).intercept_visible_ == 0)


def test_the_bracket_holds_the_exact_likelihood_and_raise_errs_low_when_short():
    rng = np.random.default_rng(5)
    m = BernoulliRBM.from_parameters(2.0 * rng.standard_normal((8, 10)),
                                     0.5 * rng.standard_normal(8), 0.5 * rng.standard_normal(10))
    x = m.sample(300, n_steps=300, random_state=1)  # (nearly) the model's own law
    exact = m.log_likelihood(x, method="exact")
    b = m.log_likelihood(x, method="bracket", n_betas=3000, n_runs=100, random_state=0)
    assert isinstance(b, LikelihoodBracket) and m.bracket_ == b
    assert b.contains(exact, 3.0), (b, exact)
    assert b.upper - b.lower < 0.2, b
    assert b.raise_samples == len(x)
    assert "RAISE" in repr(b) and pickle.loads(pickle.dumps(b)) == b
    # RAISE alone, with its standard error; a 3-step reverse run errs lower
    r, se = m.log_likelihood(x, method="raise", n_betas=3000, random_state=0, return_std=True)
    assert r <= exact + 3 * se
    short = m.log_likelihood(x, method="raise", n_betas=3, random_state=0)
    assert short < r, (short, r)
    # RAISE on a subset of the rows
    sub = m.log_likelihood(x, method="bracket", n_betas=1000, max_samples=50, random_state=0)
    assert sub.raise_samples == 50 and sub.contains(exact, 3.0), sub


def test_sampling_from_the_data_and_bad_settings():
    x = binary_data()
    m = model().fit(x)
    s = m.sample(10, n_steps=5, start=x[:10], random_state=0)
    assert s.shape == (10, 8) and set(np.unique(s)) <= {0.0, 1.0}
    with pytest.raises(AttractorError, match="start has 3 rows"):
        m.sample(10, start=x[:3])
    with pytest.raises(AttractorError, match="method='gibbs'"):
        m.sample(3, start=x[:3], method="tempering")
    with pytest.raises(AttractorError, match="return_std"):
        m.log_likelihood(x, method="bracket", return_std=True)
    with pytest.raises(AttractorError, match="'raise' or 'bracket'"):
        m.log_likelihood(x, method="nope")
    bad = [
        (dict(learning_rate_schedule="linear:-0.1:10"), "learning_rate schedule end"),
        (dict(learning_rate_schedule="cosine"), "linear:END:EPOCHS"),
        (dict(momentum=0.9, momentum_schedule="step:1.5:3"), "[0, 1)"),
        (dict(centering="data:0"), "centering rate"),
        (dict(centering="middle"), "data[:RATE]"),
        (dict(method="tempering", temperatures=[1.0, 3.0, 2.0]), "increasing"),
        (dict(method="tempering", temperatures=[2.0, 3.0]), "T_0 = 1"),
        (dict(method="tempering", n_temperatures=0), "n_temperatures"),
        (dict(method="annealing"), "method = 'annealing'"),
        (dict(visible_bias_init="ones"), "visible_bias_init"),
        (dict(batch_size=0), "batch_size"),
        (dict(method="pcd", n_chains=0), "n_chains"),
        (dict(learning_rate_schedule=3), "learning_rate_schedule = 3"),
    ]
    for kw, needle in bad:
        with pytest.raises(AttractorError) as e:
            model(**kw).fit(x)
        assert needle in str(e.value), (kw, str(e.value))
    with pytest.raises(AttractorError, match="chains_per_sample"):
        m.log_likelihood(x, method="raise", chains_per_sample=0)
