"""The oscillator machine's settings reach it from Python by name (params), are checked, and
change what it does."""

import pickle

import numpy as np
import pytest

import attractor


def graph(n=60, seed=0):
    rng = np.random.default_rng(seed)
    e = {(min(a, b), max(a, b)) for a, b in rng.integers(0, n, (4 * n, 2)) if a != b}
    return np.array([[a, b, 1.0] for a, b in sorted(e)])


def test_settings_change_the_run_and_the_defaults_are_the_library_defaults():
    e = graph()
    base = attractor.maxcut(e, rounds=1, seed=3)
    same = attractor.maxcut(e, rounds=1, seed=3, params={})
    assert base.cut == same.cut and np.array_equal(base.partition, same.partition)
    d0 = attractor.sample_ising_arrays(60, np.zeros(60), e[:, 0], e[:, 1], e[:, 2], seed=3,
                                       num_rounds=1, params={"greedy": False})
    d1 = attractor.sample_ising_arrays(60, np.zeros(60), e[:, 0], e[:, 1], e[:, 2], seed=3,
                                       num_rounds=1, params={"greedy": False, "noise": 2.0,
                                                             "mu": {"linear": [0.0, 0.05]}})
    # hot noise and a weak second harmonic: the replicas do not lock; the samples differ
    assert not np.array_equal(d0["samples"], d1["samples"])
    assert d1["energies"].min() > d0["energies"].min()


def test_a_warm_start_from_a_known_partition_keeps_it():
    e = graph(40, 1)
    best = attractor.maxcut(e, rounds=4, seed=0)
    again = attractor.maxcut(e, rounds=1, seed=9, params={
        "initial_spins": best.partition, "warm_kick": 0.05})
    assert again.cut >= best.cut  # a refinement never reports worse than its start


def test_bad_settings_are_refused_with_their_name():
    e = graph(20)
    with pytest.raises(attractor.AttractorError, match="unknown setting 'temperature'"):
        attractor.maxcut(e, rounds=1, params={"temperature": 1.0})
    with pytest.raises(attractor.ParameterError, match=r'params\["noise"\]'):
        attractor.maxcut(e, rounds=1, params={"noise": {"cubic": [1, 2]}})
    with pytest.raises(attractor.ParameterError, match="dt"):
        attractor.maxcut(e, rounds=1, params={"dt": 0.0})
    with pytest.raises(attractor.ParameterError, match="initial_spins"):
        attractor.maxcut(e, rounds=1, params={"initial_spins": [0] * 20, "warm_kick": 0.1})
    with pytest.raises(attractor.AttractorError, match="solver='oim'"):
        attractor.maxcut(e, rounds=1, solver="sb", params={"dt": 0.5})
    with pytest.raises(TypeError, match="params: expected a dict"):
        attractor.maxcut(e, rounds=1, params=[("dt", 0.5)])


def test_the_dimod_sampler_takes_params_and_pickles():
    pytest.importorskip("dimod")
    s = attractor.OscillatorIsingSampler()
    assert "params" in s.parameters
    h, J = {}, {(0, 1): 1.0, (1, 2): 1.0, (0, 2): 1.0}
    ss = s.sample_ising(h, J, seed=1, num_rounds=1, params={"mu": 0.5, "noise": 0.1})
    assert ss.first.energy == -1.0
    assert pickle.loads(pickle.dumps(s)) == s
