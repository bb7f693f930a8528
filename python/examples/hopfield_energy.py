"""
Energy descent of a continuous Hopfield network
===============================================

A continuous-time Hopfield network ``tau dx/dt = -x + W tanh(x)`` with a random symmetric
``W`` (100 neurons, several attractors) is integrated by the adaptive Dormand-Prince stepper to
a steady state. For symmetric ``W`` the flow is a preconditioned gradient flow of the energy
``E(x)``, so ``E`` never rises along it: it is a Lyapunov function (Hopfield 1984). The run
reports the largest one-step energy increase it saw, a check that can fail (try a
non-symmetric ``W``).
"""

import sys

import matplotlib.pyplot as plt
import numpy as np

import attractor

n = 100
rng = np.random.default_rng(42)
g = rng.standard_normal((n, n))
w = 1.5 * (g + g.T) / np.sqrt(2 * n)
np.fill_diagonal(w, 0.0)
net = attractor.HopfieldNetwork(w)
sol = net.run(0.1 * rng.standard_normal(n))
print(f"{sol.status}: E from {sol.trace_energy[0]:.4f} to {sol.energy:.4f} in {sol.n_steps} steps; "
      f"largest energy increase {sol.max_energy_increase:.2e}")
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(sol.trace_t, sol.trace_energy)
ax.set_xlabel("t")
ax.set_ylabel("E(x(t))")
ax.set_title("continuous Hopfield network: the energy is a Lyapunov function")
fig.tight_layout()
if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
else:
    plt.show()
