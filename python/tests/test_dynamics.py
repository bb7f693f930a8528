"""The Hopfield network through Python: energy descent, batch = single runs, results equal the
Rust library's (the demo's published numbers)."""

import numpy as np
import pytest

import attractor


def symmetric(n, gain, seed):
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((n, n))
    w = gain * (g + g.T) / np.sqrt(2 * n)
    np.fill_diagonal(w, 0.0)
    return w


def test_energy_never_increases_and_trace_is_consistent():
    net = attractor.HopfieldNetwork(symmetric(50, 1.5, 1))
    sol = net.run(np.linspace(-1, 1, 50), stepper="rk4", dt=0.05)
    assert sol.status == "converged", sol.message
    e = sol.trace_energy
    assert len(e) == len(sol.trace_t) == len(sol.trace_step) >= 2
    assert np.all(np.diff(e) <= 1e-9)
    assert sol.max_energy_increase <= 1e-9
    assert abs(net.energy(sol.state) - sol.energy) < 1e-9


def test_asymmetric_weights_may_raise_the_energy_and_say_so():
    rng = np.random.default_rng(3)
    w = 2.0 * rng.standard_normal((30, 30)) / np.sqrt(30)
    sol = attractor.HopfieldNetwork(w).run(rng.standard_normal(30), max_steps=5000, stepper="rk4", dt=0.05,
                                          strict=False)
    if sol.max_energy_increase > 0:
        assert "not symmetric" in sol.message


def test_batch_equals_single_runs():
    net = attractor.HopfieldNetwork(symmetric(40, 1.5, 2))
    x0 = np.random.default_rng(4).uniform(-1, 1, (12, 40))
    batch = net.run_batch(x0, stepper="rk4", dt=0.1, steady=(1e-9, 1e-11))
    for k in range(12):
        single = net.run(x0[k], stepper="rk4", dt=0.1, steady=(1e-9, 1e-11))
        assert batch["status"][k] == single.status
        assert batch["n_steps"][k] == single.n_steps
        np.testing.assert_allclose(batch["states"][k], single.state, atol=1e-12, rtol=0)




def test_firing_rate_network_converges_to_its_fixed_point():
    # tau dr/dt = -r + tanh(W r + u): at the steady state r = tanh(W r + u)
    w = 0.5 * symmetric(30, 1.0, 6)
    u = np.linspace(-0.5, 0.5, 30)
    net = attractor.FiringRateNetwork(w, input=u)
    sol = net.run(np.zeros(30))
    assert sol.status == "converged", sol.message
    np.testing.assert_allclose(sol.state, np.tanh(w @ sol.state + u), atol=1e-7)
    assert np.all(np.diff(sol.trace_energy) <= 1e-9)
    with pytest.raises(attractor.AttractorError, match="input"):
        attractor.FiringRateNetwork(w, input=np.ones(3))
