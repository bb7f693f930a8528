"""certify_contraction: rates on known cases and error messages."""

import numpy as np
import pytest

import attractor


def test_feedforward_chain_is_certified_in_weighted_linf():
    # x' = -x + tanh(W x) with W strictly lower triangular: ||W||_2 = 3 fails the crude test,
    # the weighted l-infinity norm certifies nearly the full rate 1 / tau (the supremum, not
    # attained: the majorant is reducible, and its Perron vector is regularised by 1e-9).
    W = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [0.0, 3.0, 0.0]])
    c = attractor.certify_contraction(W, norm="linfw", tau=2.0)
    assert c.norm == "linfw" and c.contracting
    assert 0.495 < c.rate < 0.5
    assert c.weights.shape == (3,) and c.weights.max() == pytest.approx(1.0)
    assert c.lipschitz_input == pytest.approx(1.0 / (2.0 * c.rate))  # s / (tau c)


def test_perron_rate_of_a_nonnegative_matrix():
    # W >= 0 with zero diagonal: optimal l-infinity rate 1 - s * rho(W).
    rng = np.random.default_rng(0)
    W = rng.uniform(0.0, 0.1, size=(8, 8))
    np.fill_diagonal(W, 0.0)
    rho = max(abs(np.linalg.eigvals(W)))
    for model, norm in [("firing_rate", "linfw"), ("hopfield", "l1w")]:
        c = attractor.certify_contraction(W, activation="logistic", norm=norm, model=model)
        assert c.rate == pytest.approx(1.0 - 0.25 * rho, abs=1e-8)


def test_bistable_network_is_not_certified():
    W = 2.0 * np.eye(4)
    for norm in ["auto", "l1w", "linfw", "l2w"]:
        c = attractor.certify_contraction(W, norm=norm, model="hopfield")
        assert not c.contracting and c.rate <= 0 and c.lipschitz_input is None


def test_auto_is_at_least_every_norm():
    rng = np.random.default_rng(3)
    W = rng.normal(scale=0.5 / np.sqrt(10), size=(10, 10))
    auto = attractor.certify_contraction(W)
    for norm in ["l1w", "linfw", "l2w"]:
        assert auto.rate >= attractor.certify_contraction(W, norm=norm).rate


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(W=np.zeros((3, 2))), ["W (columns)", "square"]),
        (dict(W=np.array([[0.0, np.nan], [0.0, 0.0]])), ["non-finite", "NaN"]),
        (dict(W=np.zeros((2, 2)), tau=0.0), ["tau", "positive"]),
        (dict(W=np.zeros((2, 2)), norm="l3"), ["norm = l3", "auto, l1w, linfw, l2w"]),
        (dict(W=np.zeros((2, 2)), model="lstm"), ["model = lstm", "firing_rate"]),
        (dict(W=np.zeros((2, 2)), activation="softmax"), ["softmax", "tanh"]),
        (dict(W=np.zeros(3)), ["W", "2-D"]),
    ],
)
def test_bad_input_raises_attractor_error(kwargs, words):
    with pytest.raises(attractor.AttractorError) as e:
        attractor.certify_contraction(**kwargs)
    for w in words:
        assert w in str(e.value), str(e.value)
