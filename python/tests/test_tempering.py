"""Parallel tempering of an RBM from Python (``BernoulliRBM.sample(method="tempering")``): on
a bimodal RBM whose exact visible law is enumerated here in NumPy, tempering started at random
matches it within a stated total variation while its swap rates lie in [0, 1]; the same seed
gives the same samples on 1 and 2 threads; bad ladders and methods are refused with messages
that name the value."""

import itertools

import numpy as np
import pytest

from attractor import AttractorError, BernoulliRBM

NV = 8


def bimodal(w=6.0, **params):
    """One hidden unit, ``W = w``, ``a = -w/2``, ``b = -w n/2``: equal modes near v = 0 and
    v = 1, separated by a valley that block Gibbs sweeps rarely cross."""
    return BernoulliRBM.from_parameters(
        np.full((1, NV), w), np.array([-w * NV / 2]), np.full(NV, -w / 2), **params)


def exact_law(w=6.0):
    """p(v) over all 2^NV states (index sum_i v_i 2^i), from the free energy in NumPy."""
    states = np.array(list(itertools.product([0.0, 1.0], repeat=NV)))[:, ::-1]
    x = -w * NV / 2 + w * states.sum(1)
    log_p = (-w / 2) * states.sum(1) + np.logaddexp(0.0, x)
    log_p -= np.logaddexp.reduce(log_p)
    index = (states * (2 ** np.arange(NV))).sum(1).astype(int)
    p = np.zeros(2**NV)
    p[index] = np.exp(log_p)
    return p


def tv(samples, p):
    index = (samples * (2 ** np.arange(NV))).sum(1).astype(int)
    q = np.bincount(index, minlength=len(p)) / len(samples)
    return 0.5 * np.abs(q - p).sum()


def test_tempering_matches_the_exact_law_of_a_bimodal_rbm():
    p = exact_law()
    assert abs(p[0] - p[-1]) < 1e-12 and p[0] > 0.2
    rbm = bimodal()
    v = rbm.sample(3000, n_steps=300, random_state=1, method="tempering", n_temperatures=6)
    assert v.shape == (3000, NV) and set(np.unique(v)) <= {0.0, 1.0}
    info = rbm.tempering_
    assert info["n_steps"] == 300
    assert len(info["temperatures"]) == 6 and info["temperatures"][0] == 1.0
    assert np.allclose(info["temperatures"][-1], 10.0)
    rates = np.asarray(info["swap_rates"])
    assert rates.shape == (5,) and np.all((rates >= 0) & (rates <= 1))
    assert list(info["swap_attempts"]) == [3000 * 300] * 5
    # 3000 independent exact draws are about 0.035 away from p (the noise floor)
    assert tv(v, p) < 0.07, tv(v, p)
    # both modes are populated about equally
    assert abs(v.mean() - 0.5) < 0.05
    # an explicit ladder
    v2 = rbm.sample(200, n_steps=50, random_state=1, method="tempering",
                    temperatures=[1.0, 2.0, 5.0])
    assert v2.shape == (200, NV) and rbm.tempering_["temperatures"] == [1.0, 2.0, 5.0]


def test_same_seed_same_samples_on_one_and_two_threads():
    a = bimodal(n_threads=1).sample(100, 40, random_state=3, method="tempering")
    b = bimodal(n_threads=2).sample(100, 40, random_state=3, method="tempering")
    c = bimodal(n_threads=1).sample(100, 40, random_state=4, method="tempering")
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(temperatures=[1.0, 3.0, 2.0]), ["temperatures[2]", "strictly increasing"]),
        (dict(temperatures=[2.0, 4.0]), ["temperatures[0]", "start at T_0 = 1"]),
        (dict(temperatures=[]), ["zero replicas"]),
        (dict(n_temperatures=0), ["n_temperatures", ">= 1"]),
        (dict(n_temperatures=3, max_temperature=0.5), ["max_temperature", "> 1"]),
        (dict(n_temperatures=2, temperatures=[1.0, 2.0, 3.0]), ["n_temperatures = 2"]),
    ],
)
def test_bad_ladders_are_refused(kwargs, words):
    with pytest.raises(AttractorError) as e:
        bimodal().sample(10, 5, method="tempering", **kwargs)
    for w in words:
        assert w in str(e.value), str(e.value)


def test_bad_method_and_options_are_refused():
    with pytest.raises(AttractorError, match="method = 'metropolis'"):
        bimodal().sample(10, 5, method="metropolis")
    with pytest.raises(AttractorError, match="method='tempering'"):
        bimodal().sample(10, 5, n_temperatures=4)
    with pytest.raises(AttractorError, match="n_samples"):
        bimodal().sample(0, 5, method="tempering")


def ferromagnet(j=0.6, n=NV):
    """Spins with W_ij = j: modes s = +1 and s = -1 of equal probability, barrier j n^2 / 2."""
    from attractor import BoltzmannMachine

    w = np.full((n, n), j)
    np.fill_diagonal(w, 0.0)
    return BoltzmannMachine(w, np.zeros(n), units="spin")


def test_boltzmann_machine_tempering_matches_its_exact_law():
    bm = ferromagnet()
    states, probs = bm.exact()
    bits = states > 0
    index = (bits * (2 ** np.arange(NV))).sum(1).astype(int)
    p = np.zeros(2**NV)
    p[index] = probs
    s = bm.sample(3000, 300, random_state=2, method="tempering", n_temperatures=6)
    assert s.shape == (3000, NV) and set(np.unique(s)) <= {-1.0, 1.0}
    assert tv(s > 0, p) < 0.05, tv(s > 0, p)
    info = bm.tempering_
    rates = np.asarray(info["swap_rates"])
    assert rates.shape == (5,) and np.all((rates >= 0) & (rates <= 1))
    assert np.allclose(info["temperatures"][-1], 10.0)
    a = ferromagnet().sample(50, 20, random_state=5, method="tempering", n_threads=1)
    b = ferromagnet().sample(50, 20, random_state=5, method="tempering", n_threads=2)
    assert np.array_equal(a, b)
    with pytest.raises(AttractorError, match="strictly increasing"):
        bm.sample(10, 5, method="tempering", temperatures=[1.0, 0.5])
    with pytest.raises(AttractorError, match="method = 'swap'"):
        bm.sample(10, 5, method="swap")
