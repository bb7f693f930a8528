"""Simulated annealing as a dimod sampler: the exact optimum of small problems, dimod's energies,
reproducibility, the budget and bad input."""

import itertools

import numpy as np
import pytest

import attractor

dimod = pytest.importorskip("dimod")


def brute_force(h, J):
    n = len(h)
    best = None
    for s in itertools.product((-1, 1), repeat=n):
        e = sum(h[i] * s[i] for i in range(n)) + sum(v * s[a] * s[b] for (a, b), v in J.items())
        best = e if best is None else min(best, e)
    return best


def random_problem(n, seed):
    rng = np.random.default_rng(seed)
    h = {i: float(rng.normal(0, 0.5)) for i in range(n)}
    J = {(a, b): float(rng.choice([-1.0, 1.0, 2.0]))
         for a in range(n) for b in range(a + 1, n) if rng.random() < 0.4}
    return h, J


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_annealing_finds_the_optimum_with_dimod_energies(seed):
    h, J = random_problem(12, seed)
    ss = attractor.AnnealingSampler().sample_ising(h, J, seed=seed, num_reads=8, num_sweeps=300)
    assert ss.first.energy == pytest.approx(brute_force(h, J), abs=1e-9)
    bqm = dimod.BinaryQuadraticModel.from_ising(h, J)
    for sample, energy in ss.data(["sample", "energy"]):
        assert bqm.energy(sample) == pytest.approx(energy, abs=1e-9)
    # the QUBO and BQM faces come from dimod's Sampler
    qs = attractor.AnnealingSampler().sample(bqm, seed=seed, num_reads=8, num_sweeps=300)
    assert qs.first.energy == pytest.approx(ss.first.energy, abs=1e-9)


def test_annealing_is_reproducible_and_thread_independent():
    h, J = random_problem(40, 5)
    kw = dict(seed=3, num_reads=12, num_sweeps=100, num_rounds=2)
    a = attractor.AnnealingSampler().sample_ising(h, J, n_threads=1, **kw)
    b = attractor.AnnealingSampler().sample_ising(h, J, n_threads=2, **kw)
    assert a.record.sample.tolist() == b.record.sample.tolist()
    assert int(a.record.num_occurrences.sum()) == 24


def test_time_limit_and_bad_input():
    h, J = random_problem(30, 6)
    ss = attractor.AnnealingSampler().sample_ising(h, J, time_limit=0.2, num_sweeps=1000)
    assert ss.info["status"] == "timeout"
    with pytest.raises(attractor.AttractorError, match="num_sweeps"):
        attractor.AnnealingSampler().sample_ising(h, J, num_sweeps=0)
    with pytest.raises(attractor.AttractorError, match="beta start"):
        attractor.AnnealingSampler().sample_ising(h, J, beta_range=(0.0, 1.0))
    with pytest.raises(TypeError):
        attractor.AnnealingSampler().sample_ising(h, J, num_reads="many")


def test_simulated_bifurcation_finds_the_optimum_with_dimod_energies():
    h, J = random_problem(12, 4)
    for variant in ("discrete", "ballistic"):
        ss = attractor.SimulatedBifurcationSampler().sample_ising(h, J, seed=1, variant=variant)
        assert ss.first.energy == pytest.approx(brute_force(h, J), abs=1e-9)
        bqm = dimod.BinaryQuadraticModel.from_ising(h, J)
        for sample, energy in ss.data(["sample", "energy"]):
            assert bqm.energy(sample) == pytest.approx(energy, abs=1e-9)
    with pytest.raises(attractor.AttractorError, match="variant"):
        attractor.SimulatedBifurcationSampler().sample_ising(h, J, variant="chaotic")


def test_simulated_bifurcation_heating_and_doubling_ramps():
    h, J = random_problem(14, 7)
    sampler = attractor.SimulatedBifurcationSampler()
    kw = dict(seed=3, num_agents=32, num_rounds=3, heating=0.02, num_steps=800, num_steps_first=200)
    a = sampler.sample_ising(h, J, n_threads=1, **kw)
    b = sampler.sample_ising(h, J, n_threads=2, **kw)
    assert a.record.sample.tolist() == b.record.sample.tolist()
    assert a.first.energy == pytest.approx(brute_force(h, J), abs=1e-9)
    assert int(a.record.num_occurrences.sum()) == 96
    fixed = sampler.sample_ising(h, J, seed=3, num_agents=32, num_steps=800, num_steps_first=None)
    assert int(fixed.record.num_occurrences.sum()) == 32
    with pytest.raises(attractor.AttractorError, match="heating = -0.5"):
        sampler.sample_ising(h, J, heating=-0.5)
    with pytest.raises(ValueError, match="num_steps_first"):
        sampler.sample_ising(h, J, num_steps_first=0)


@pytest.mark.parametrize("solver", ["oim", "anneal", "sb"])
def test_maxcut_with_every_solver(solver):
    edges = np.array([[0, 1], [1, 2], [2, 0], [2, 3], [3, 4], [4, 0]])
    r = attractor.maxcut(edges, rounds=2, seed=1, solver=solver)
    assert r.cut == 5
    s = r.partition
    assert sum(s[a] != s[b] for a, b in edges) == 5
    with pytest.raises(attractor.AttractorError, match="solver"):
        attractor.maxcut(edges, rounds=1, solver="quantum")
