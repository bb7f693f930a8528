"""NeuralSynapticNetwork: the certificate on a known case, measured convergence at least at
the certified rate, the Hebbian fixed point, and bad arguments named in the error."""

import math

import numpy as np
import pytest

import attractor


def ring(n):
    """Each neuron hears both neighbours (in-degree 2)."""
    m = np.zeros((n, n), dtype=bool)
    for i in range(n):
        m[i, (i + 1) % n] = True
        m[i, (i - 1) % n] = True
    return m


def test_certificate_on_a_known_case():
    # Hopfield-Hebbian, tanh, d = 2, rho = 0.1, c = gamma = tau = 1, epsilon = 0.5:
    # G = [[-1 + 2*0.1, 2], [2*0.5*0.1, -0.5]], alpha = -0.65 + sqrt(0.15**2 + 0.2)
    net = attractor.NeuralSynapticNetwork(6, mask=ring(6), gain=0.1, epsilon=0.5)
    c = net.certificate()
    assert c["contracting"] is True
    assert c["max_in_degree"] == 2
    assert c["weight_bound"] == pytest.approx(0.1)
    assert c["rate"] == pytest.approx(0.65 - math.sqrt(0.0225 + 0.2), rel=1e-12)
    np.testing.assert_allclose(c["gains"], [[-0.8, 2.0], [0.1, -0.5]], rtol=1e-12)
    # past c > 3 d rho / gamma the test fails
    assert not attractor.NeuralSynapticNetwork(6, mask=ring(6), gain=0.2).certificate()[
        "contracting"]


@pytest.mark.parametrize("rule", ["hebbian", "anti_hebbian", "oja"])
def test_measured_decay_is_at_least_the_certified_rate(rule):
    n = 6
    rng = np.random.default_rng(3)
    net = attractor.NeuralSynapticNetwork(n, rule=rule, mask=ring(n), gain=0.1, epsilon=0.5,
                                          u=rng.uniform(-1, 1, n))
    cert = net.certificate()
    assert cert["contracting"]
    wb = cert["weight_bound"]
    for seed in range(6):
        r = np.random.default_rng(seed)
        starts = [(r.uniform(-3, 3, n), r.uniform(-wb, wb, net.n_synapses)) for _ in range(2)]
        p, q = (net.simulate(x, w, t_end=25.0, dt=0.01, every=100) for x, w in starts)
        assert p["status"] == "end time"
        np.testing.assert_array_equal(p["t"], q["t"])
        d = np.array([net.distance(cert, p["x"][k], p["w"][k], q["x"][k], q["w"][k])
                      for k in range(len(p["t"]))])
        bound = d[0] * np.exp(-cert["rate"] * p["t"])
        assert np.all(d <= bound * (1 + 1e-9) + 1e-13)
        measured = -math.log(d[-1] / d[0]) / p["t"][-1]
        assert measured >= cert["rate"]


def test_hebbian_weights_reach_their_fixed_point():
    n = 4
    u = np.array([1.0, -0.5, 0.3, 0.8])
    net = attractor.NeuralSynapticNetwork(n, gain=0.3, synaptic_decay=0.5, epsilon=0.5, u=u)
    out = net.simulate(np.zeros(n), np.zeros((n, n)), t_end=150.0, dt=0.02, every=1000)
    x, w = out["x"][-1], out["w"][-1]
    a = np.tanh(x)
    e = net.edges
    np.testing.assert_allclose(w, 0.3 / 0.5 * a[e[:, 0]] * a[e[:, 1]], atol=1e-9)
    W = net.weight_matrix(w)
    np.testing.assert_allclose(-x + W @ a + u, 0.0, atol=1e-9)


def test_bad_arguments_are_named():
    with pytest.raises(attractor.AttractorError, match="tau"):
        attractor.NeuralSynapticNetwork(3, tau=0.0)
    with pytest.raises(attractor.AttractorError, match="anti_hebbian"):
        attractor.NeuralSynapticNetwork(3, rule="hebb")
    with pytest.raises(attractor.AttractorError, match="epsilon"):
        attractor.NeuralSynapticNetwork(3, epsilon=float("nan"))
    with pytest.raises(attractor.AttractorError, match=r"mask: expected shape \(3, 3\)"):
        attractor.NeuralSynapticNetwork(3, mask=np.ones((3, 4)))
    with pytest.raises(attractor.AttractorError, match="input u"):
        attractor.NeuralSynapticNetwork(3, u=np.zeros(2))
    net = attractor.NeuralSynapticNetwork(3)
    with pytest.raises(attractor.AttractorError, match="synaptic state w"):
        net.simulate(np.zeros(3), np.zeros(5), t_end=1.0)
    with pytest.raises(attractor.AttractorError, match="bounded activation"):
        attractor.NeuralSynapticNetwork(3, activation="relu").certificate()
