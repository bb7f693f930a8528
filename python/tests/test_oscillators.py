"""The oscillator Ising machine from Python: dimod's sampler conventions and tests, energies
recomputed by dimod, Max-Cut equal to the Rust CLI's for the same seed, graph inputs."""

import itertools
import re
import subprocess

import numpy as np
import pytest

import attractor

dimod = pytest.importorskip("dimod")


def brute_force_ising(h, J):
    labels = sorted(set(h) | {v for e in J for v in e})
    best = None
    for s in itertools.product([-1, 1], repeat=len(labels)):
        x = dict(zip(labels, s))
        e = sum(h.get(v, 0.0) * x[v] for v in labels) + sum(b * x[u] * x[v] for (u, v), b in J.items())
        best = e if best is None else min(best, e)
    return best


def test_dimod_conventions_and_energies():
    sampler = attractor.OscillatorIsingSampler()
    assert isinstance(sampler, dimod.Sampler)
    assert set(sampler.parameters) >= {"seed", "num_replicas", "num_rounds", "time_limit"}
    rng = np.random.default_rng(7)
    labels = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
    h = {v: float(rng.normal()) for v in labels}
    J = {(u, v): float(rng.normal()) for u, v in itertools.combinations(labels, 2) if rng.random() < 0.5}
    ss = sampler.sample_ising(h, J, seed=3, num_replicas=32, num_rounds=2)
    dimod.testing.assert_sampleset_energies(ss, dimod.BinaryQuadraticModel.from_ising(h, J))
    assert set(ss.variables) == set(labels)
    assert ss.first.energy == pytest.approx(brute_force_ising(h, J))
    energies = ss.record.energy
    assert np.all(np.diff(energies) >= 0)


def test_qubo_and_bqm_through_dimod():
    Q = {(0, 0): -1.0, (1, 1): -1.0, (0, 1): 2.0, (2, 2): 0.5, (1, 2): -3.0}
    sampler = attractor.OscillatorIsingSampler()
    ss = sampler.sample_qubo(Q, seed=1, num_rounds=1)
    bqm = dimod.BinaryQuadraticModel.from_qubo(Q, offset=0.25)
    dimod.testing.assert_sampleset_energies(sampler.sample_qubo(Q, seed=1), dimod.BinaryQuadraticModel.from_qubo(Q))
    best = dimod.ExactSolver().sample(bqm).first.energy
    assert sampler.sample(bqm, seed=2).first.energy == pytest.approx(best)
    assert ss.vartype == dimod.BINARY


def test_dimod_sampler_api_checks():
    sampler = attractor.OscillatorIsingSampler()
    dimod.testing.assert_sampler_api(sampler)
    with pytest.raises(attractor.AttractorError, match="time"):
        sampler.sample_ising({0: 1.0}, {}, time_limit=-1)


def test_maxcut_equals_the_rust_cli(repo, g1):
    exe = repo / "target" / "release" / "attractor"
    if not exe.exists():
        pytest.skip("the CLI is built by cargo (cargo build --release)")
    out = subprocess.run([str(exe), "maxcut", str(g1), "--rounds", "1", "--seed", "5"],
                         capture_output=True, text=True, check=True).stdout
    cli = float(re.search(r"best cut \(after greedy descent\): (\S+)", out).group(1))
    py = attractor.maxcut(g1, rounds=1, seed=5)
    assert py.cut == cli
    assert py.partition.shape == (800,) and set(np.unique(py.partition)) <= {-1, 1}


def test_maxcut_inputs_agree():
    edges = np.array([[0, 1, 1.0], [1, 2, 2.0], [2, 0, 1.0], [2, 3, 1.0]])
    a = attractor.maxcut(edges, rounds=2, seed=1)
    assert a.cut == 4.0  # {2} against {0, 1, 3}: 2 + 1 + 1
    b = attractor.maxcut(edges[:, :2], rounds=2, seed=1)
    assert b.cut == 3.0
    with pytest.raises(attractor.AttractorError, match=r"graph: a 1-D array .*give an \(m, 2\) array"):
        attractor.maxcut(np.ones(5))
    nx = pytest.importorskip("networkx")
    g = nx.Graph()
    g.add_weighted_edges_from([("x", "y", 1.0), ("y", "z", 2.0), ("z", "x", 1.0), ("z", "w", 1.0)])
    c = attractor.maxcut(g, rounds=2, seed=1)
    assert c.cut == 4.0 and c.nodes == ["x", "y", "z", "w"]


def test_oscillator_memory_is_stable_exactly_above_kappa_c():
    rng = np.random.default_rng(1)
    xi = np.where(rng.random((6, 40)) < 0.5, -1.0, 1.0)
    kc = attractor.OscillatorMemory().fit(xi).critical_kappa(xi[0])
    assert kc > 0
    above = attractor.OscillatorMemory(kappa=1.3 * kc, jitter=0.05, random_state=2).fit(xi)
    below = attractor.OscillatorMemory(kappa=0.5 * kc, jitter=0.05, random_state=2).fit(xi)
    m = lambda est: abs(float(est.predict(xi[:1])[0] @ xi[0])) / 40
    assert m(above) == 1.0
    assert m(below) < 1.0
    with pytest.raises(attractor.AttractorError, match="scale"):
        attractor.OscillatorMemory(scale="q").fit(xi)


def test_progress_callback_sees_the_rounds_and_can_stop_the_run(g1):
    seen = []
    r = attractor.maxcut(g1, rounds=3, seed=1, progress=lambda k, t, e: seen.append((k, t, e)))
    assert seen and seen[-1][0] == 3
    assert [k for k, _, _ in seen] == sorted({k for k, _, _ in seen})
    assert seen[-1][2] <= seen[0][2]

    class Stop(Exception):
        pass

    def stop(k, t, e):
        raise Stop

    with pytest.raises(Stop):
        attractor.maxcut(g1, time=30, seed=1, progress=stop)
    with pytest.raises(TypeError, match="progress"):
        attractor.maxcut(g1, rounds=1, progress=3)
