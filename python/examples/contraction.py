"""
Contraction of a firing-rate network
====================================

For the firing-rate network ``tau dr/dt = -r + tanh(W r + u)`` with symmetric ``W``, the
condition ``lambda_max(W) < 1`` makes the network strongly contracting (Centorrino et al.
2023): any two trajectories approach each other at least as fast as
``exp(-(1 - lambda_max) t / tau)``, so there is a single equilibrium and it is globally
stable. Above the threshold the network is multistable: two trajectories can settle in
different attractors. :func:`attractor.certify_contraction` gives the certified rate.
"""

import sys

import matplotlib.pyplot as plt
import numpy as np

import attractor

n = 50
rng = np.random.default_rng(3)
g = rng.standard_normal((n, n))
g = (g + g.T) / 2
g /= np.linalg.eigvalsh(g).max()  # lambda_max(g) = 1
u = 0.1 * rng.standard_normal(n)
# rates start inside the range of tanh: the energy has int_0^r artanh, infinite at |r| >= 1
x0, y0 = rng.uniform(-0.9, 0.9, n), rng.uniform(-0.9, 0.9, n)
times = np.linspace(0.25, 10.0, 30)

fig, ax = plt.subplots(figsize=(6, 3.6))
for lam in (0.5, 2.5):
    W = lam * g
    cert = attractor.certify_contraction(W, activation="tanh", norm="auto")
    net = attractor.FiringRateNetwork(W, activation="tanh", input=u)
    dist = []
    for t in times:
        a = net.run(x0, stepper="rk4", dt=0.01, t_end=t, steady=None).state
        b = net.run(y0, stepper="rk4", dt=0.01, t_end=t, steady=None).state
        dist.append(np.linalg.norm(a - b))
    print(f"lambda_max = {lam}: certified rate {cert.rate:+.3f} ({cert.norm}); "
          f"distance {dist[0]:.2e} at t = {times[0]} -> {dist[-1]:.2e} at t = {times[-1]}")
    ax.semilogy(times, dist, "o-", label=f"lambda_max(W) = {lam}")
    if cert.contracting:
        ax.semilogy(times, dist[0] * np.exp(-cert.rate * (times - times[0])), "k:",
                    label=f"certified exp(-{cert.rate:.2f} t)")
ax.set_xlabel("t")
ax.set_ylabel("|r(t) - r'(t)|")
ax.legend()
fig.tight_layout()
if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
else:
    plt.show()
