"""Energy descent of a continuous Hopfield network (the demo's first chapter): a random
symmetric W with several attractors, integrated by Dopri5 to a steady state; the energy never
rises. Writes hopfield_energy.png (or the path given as the first argument)."""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import attractor  # noqa: E402

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
fig.savefig(sys.argv[1] if len(sys.argv) > 1 else "hopfield_energy.png", dpi=100)
