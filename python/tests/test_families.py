"""Every public family of the library has a Python entry point: the test reads the Rust crate's
module lists (models, samplers, learning rules, analysis) and fails on a family that is not
mapped below to a name of the package, or whose entry point does not exist. Each new family
of the library must add its line here (and its binding) or be listed as shared machinery."""

import importlib
import os
import re

import numpy as np
import pytest

import attractor

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SRC = os.path.join(ROOT, "crates", "attractor", "src")

# family (crate module) -> the Python name that reaches it
ENTRY = {
    # models
    "models::activation": "HopfieldNetwork",  # activation="tanh", "logistic", ...
    "models::boltzmann": "BoltzmannMachine",
    "models::box_qp": "BoxQP",
    "models::dense": "DenseMemory",
    "models::firing_rate": "FiringRateNetwork",
    "models::hopfield": "HopfieldNetwork",
    "models::hopfield_memory": "ClassicalHopfield",
    "models::krotov2021": "Krotov2021",
    "models::kuramoto_ring": "KuramotoRing",
    "models::layered": "EquilibriumPropagationClassifier",
    "models::memory": "ClassicalHopfield",
    "models::modern": "ModernHopfield",
    "models::neural_synaptic": "NeuralSynapticNetwork",
    "models::oim": "OscillatorIsingSampler",
    "models::oscillator_memory": "OscillatorMemory",
    "models::oscillator_network": "OscillatorEquilibriumPropagationClassifier",
    "models::pi_pgd": "PiPgd",
    "models::rbm": "BernoulliRBM",
    "models::score_energy": "ScoreMatchingEnergy",
    "models::sparse": "SparseCoder",
    # samplers
    "samplers::annealing": "AnnealingSampler",
    "samplers::batch_langevin": "ScoreMatchingEnergy",  # .sample
    "samplers::bifurcation": "SimulatedBifurcationSampler",
    "samplers::bifurcation_flow": "SimulatedBifurcationSampler",
    "samplers::langevin": "LangevinSampler",
    "samplers::tempering": "BernoulliRBM",  # .sample(method="tempering")
    "samplers::tts": "time_to_solution",
    # learning rules
    "learn::boltzmann_rule": "BoltzmannMachine",  # .fit
    "learn::bptt": "gradient_check",
    "learn::contrastive_divergence": "BernoulliRBM",
    "learn::contrastive_hebbian": "ContrastiveHebbianClassifier",
    "learn::equilibrium_propagation": "EquilibriumPropagationClassifier",
    "learn::gradient_check": "gradient_check",
    "learn::hebbian": "ClassicalHopfield",
    "learn::oscillator_eqprop": "OscillatorEquilibriumPropagationClassifier",
    "learn::pseudo_inverse": "ClassicalHopfield",  # rule="pinv"
    "learn::score_matching": "ScoreMatchingEnergy",
    "learn::storkey": "ClassicalHopfield",  # rule="storkey"
    # problems
    "problems::ising": "qubo_to_ising",
    "problems::formats": "read_gset",
    "problems::npy": "read_npy",
    "problems::idx": "read_idx",
}

# shared machinery, not a family a user calls by itself (reached through every family above)
SHARED = {
    "learn::optimizer", "learn::store", "learn::trainer", "learn::two_phase",
    "problems::corruption", "problems::image_data", "problems::image_patterns",
    "problems::labels", "problems::patterns", "problems::brute_force", "problems::rounding",
    "problems::sparse_instance",
}


def crate_modules(group):
    path = os.path.join(SRC, group, "mod.rs")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return {f"{group}::{m}" for m in re.findall(r"^pub mod (\w+);", text, re.M)}


@pytest.mark.skipif(not os.path.isdir(SRC), reason="the Rust sources are not beside the package")
def test_every_public_family_has_a_python_entry_point():
    families = set()
    for group in ("models", "samplers", "learn", "problems"):
        families |= crate_modules(group)
    assert len(families) > 40  # the lists were read
    unmapped = sorted(families - set(ENTRY) - SHARED)
    assert not unmapped, f"families of the library without a Python entry point: {unmapped}"
    stale = sorted((set(ENTRY) | SHARED) - families)
    assert not stale, f"entries for modules the library no longer has: {stale}"


@pytest.mark.parametrize("family,name", sorted(ENTRY.items()))
def test_entry_point_exists(family, name):
    assert hasattr(attractor, name), f"{family}: attractor.{name} is missing"
    assert name in attractor.__all__


def test_contraction_certificates_reachable():
    # analysis::contraction
    assert callable(attractor.certify_contraction)
    importlib.import_module("attractor.contraction")


# --- the new entry points compute the right things --------------------------------------


def test_boltzmann_machine_exact_law_and_gibbs_agree():
    rng = np.random.default_rng(0)
    n = 5
    w = rng.normal(0, 0.6, (n, n))
    w = np.triu(w, 1)
    w = w + w.T
    b = rng.normal(0, 0.3, n)
    bm = attractor.BoltzmannMachine(w, b)
    states, p = bm.exact()
    assert states.shape == (2**n, n) and abs(p.sum() - 1) < 1e-12
    # P(s) = exp(-E(s) - log Z) for every state, by brute force
    e = bm.energy(states)
    np.testing.assert_allclose(p, np.exp(-e - bm.log_partition()), rtol=1e-10)
    np.testing.assert_allclose(bm.log_partition(), np.log(np.exp(-e).sum()), rtol=1e-12)
    # Gibbs marginals within 4 standard errors of the exact ones
    x = bm.sample(4000, n_sweeps=30, random_state=3)
    exact_mean = p @ states
    se = np.sqrt(exact_mean * (1 - exact_mean) / 4000)
    assert np.all(np.abs(x.mean(0) - exact_mean) < 4 * se + 1e-3)
    # same seed, same samples, on any thread count
    np.testing.assert_array_equal(bm.sample(50, 10, random_state=1),
                                  bm.sample(50, 10, random_state=1, n_threads=2))


def test_boltzmann_learning_raises_the_likelihood():
    rng = np.random.default_rng(1)
    data = (rng.random((200, 4)) < [0.9, 0.8, 0.2, 0.5]).astype(float)
    bm = attractor.BoltzmannMachine(np.zeros((4, 4)))
    before = bm.log_likelihood(data)
    bm.fit(data, learning_rate=0.5, n_updates=200, statistics="exact")
    assert bm.log_likelihood(data) > before + 0.3
    # exact statistics match the data marginals at the optimum of an independent model
    p_on = np.array([s for s in (bm.exact()[1] @ bm.exact()[0])])
    np.testing.assert_allclose(p_on, data.mean(0), atol=0.02)


def test_boltzmann_machine_refuses_bad_input():
    with pytest.raises(attractor.AttractorError, match="units"):
        attractor.BoltzmannMachine(np.zeros((2, 2)), units="ternary")
    with pytest.raises(attractor.AttractorError, match=r"W\[0\]\[0\]"):
        attractor.BoltzmannMachine(np.eye(2))
    bm = attractor.BoltzmannMachine(np.zeros((3, 3)), units="spin")
    with pytest.raises(attractor.ShapeError):
        bm.energy(np.ones((2, 4)))


def test_langevin_samples_a_gaussian():
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    b = np.array([1.0, -1.0])
    s = attractor.LangevinSampler(attractor.QuadraticEnergy(A, b), step_size=0.01,
                                  temperature=0.5)
    x = s.sample(6000, n_steps=600, random_state=2)
    mean = np.linalg.solve(A, b)
    cov = 0.5 * np.linalg.inv(A)
    assert np.all(np.abs(x.mean(0) - mean) < 0.05)
    # ULA's stationary covariance T A^-1 (I - hA/2)^-1 is within O(h) of the target
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.04)


def test_langevin_on_a_hopfield_energy_concentrates_at_low_temperature():
    w = np.array([[0.0, 2.0], [2.0, 0.0]])
    net = attractor.HopfieldNetwork(w)
    s = attractor.LangevinSampler(net, step_size=0.01, temperature=0.01)
    x = s.sample(200, n_steps=2000, random_state=0)
    e_low = net.energy(x).mean()
    hot = attractor.LangevinSampler(net, step_size=0.01, temperature=1.0)
    e_hot = net.energy(hot.sample(200, n_steps=2000, random_state=0)).mean()
    assert e_low < e_hot


def test_qubo_ising_round_trip_by_brute_force():
    rng = np.random.default_rng(4)
    n = 5
    Q = np.triu(rng.normal(size=(n, n)))
    h, J, c = attractor.qubo_to_ising(Q, 0.7)
    xs = np.array([[(k >> i) & 1 for i in range(n)] for k in range(2**n)], dtype=float)
    f = np.einsum("ki,ij,kj->k", xs, Q, xs) + 0.7
    np.testing.assert_allclose(attractor.qubo_energy(Q, xs, 0.7), f, rtol=1e-12)
    np.testing.assert_allclose(attractor.ising_energy(h, J, 2 * xs - 1, c), f, atol=1e-12)
    Q2, c2 = attractor.ising_to_qubo(h, J, c)
    np.testing.assert_allclose(attractor.qubo_energy(Q2, xs, c2), f, atol=1e-12)
    with pytest.raises(attractor.AttractorError, match="-1 or \\+1"):
        attractor.ising_energy(h, J, xs[:2])  # 0/1 where spins are needed


def test_flows_field_trajectory_and_optimality():
    qp = attractor.BoxQP(np.diag([1.0, 2.0]), [-3.0, 1.0], [0.0, 0.0], [1.0, 1.0])
    sol = qp.run(np.array([0.5, 0.5]), stepper="euler", dt=0.5, states_every=1, max_steps=200)
    np.testing.assert_allclose(sol.state, [1.0, 0.0], atol=1e-8)
    assert qp.kkt_residual(sol.state) < 1e-8
    assert sol.max_energy_increase <= 1e-12  # the objective never increases
    np.testing.assert_allclose(qp.field(sol.state), 0.0, atol=1e-8)
    # the states along the way: every step, the last where the run stopped
    assert sol.trajectory.shape == (sol.n_steps + 1, 2)
    np.testing.assert_array_equal(sol.trajectory_step, np.arange(sol.n_steps + 1))
    np.testing.assert_allclose(sol.trajectory[-1], sol.state)
    assert np.all(np.diff(sol.trajectory_t) > 0)
    # a bounded buffer: at most max_states (+ the last), evenly spaced
    thin = qp.run(np.array([0.5, 0.5]), stepper="euler", dt=0.5, states_every=1,
                  max_states=8, steady=None, max_steps=100)
    assert len(thin.trajectory) <= 9 and thin.trajectory_step[-1] == 100
    assert len(set(np.diff(thin.trajectory_step[:-1]))) == 1
    # PI-PGD: min 1/2|x|^2 + 0.1|x|_1 s.t. x0 + x1 = 1 -> x = (1/2, 1/2), nu = -0.6
    pg = attractor.PiPgd(np.eye(2), np.ones((1, 2)), [1.0], lam=0.1)
    z = pg.run(stepper="euler", dt=0.01, t_end=20.0, steady=None).state
    x, nu = pg.split(z)
    np.testing.assert_allclose(x, [0.5, 0.5], atol=1e-7)
    np.testing.assert_allclose(nu, [-0.6], atol=1e-7)
    ring = attractor.KuramotoRing(12)
    assert ring.stable_twists() == [-2, -1, 0, 1, 2]
    th = ring.twisted_state(2) + 0.05 * np.sin(np.arange(12))
    out = ring.run(th, t_end=30.0, steady=None)
    assert attractor.KuramotoRing.winding_number(out.state) == 2


def test_time_to_solution():
    r = attractor.time_to_solution([-10] * 3 + [-9] * 7, [0.5] * 10, [True] * 3 + [False] * 7,
                                   resamples=200, seed=1)
    assert r["successes"] == 3
    np.testing.assert_allclose(r["tts"], 0.5 * np.log(0.01) / np.log(0.7))
    lo, hi = r["interval"]
    assert lo <= r["tts"] <= hi


def test_hopfield_field_and_trajectory():
    rng = np.random.default_rng(5)
    n = 6
    w = rng.normal(0, 0.5, (n, n))
    w = (w + w.T) / 2
    b = rng.normal(0, 0.2, n)
    net = attractor.HopfieldNetwork(w, tau=2.0, bias=b)
    x = rng.normal(size=(3, n))
    np.testing.assert_allclose(net.field(x), (-x + np.tanh(x) @ w.T + b) / 2.0, rtol=1e-12)
    np.testing.assert_allclose(net.field(x[0]), net.field(x)[0])
    sol = net.run(x[0], stepper="rk4", dt=0.05, states_every=5, max_steps=400, steady=None)
    assert sol.trajectory.shape[1] == n and sol.trajectory_step[-1] == sol.n_steps
    np.testing.assert_allclose(sol.trajectory[0], x[0])
    # the Lyapunov function never increases along the recorded states
    e = net.energy(sol.trajectory)
    assert np.all(np.diff(e) <= 1e-9)
    with pytest.raises(attractor.ShapeError):
        net.field(np.ones((2, n + 1)))
