"""
Score matching and Langevin sampling of a learned energy
========================================================

An energy ``E_theta(x)`` (a one-hidden-layer network) is fitted to samples of a
two-dimensional mixture of three Gaussians by denoising score matching (Vincent 2011): the
model's score ``-grad E`` is matched to the score of the noised data, which needs no
normalising constant. The learned density ``exp(-E)`` is then sampled by the stochastic
(Langevin) flow ``x <- x - h grad E(x) + sqrt(2 T h) N(0, I)``, annealed from a higher
temperature so that chains cross between the wells.
"""

import sys

import matplotlib.pyplot as plt
import numpy as np

import attractor

rng = np.random.default_rng(0)
centres = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]])
X = centres[rng.integers(0, 3, 1500)] + 0.4 * rng.standard_normal((1500, 2))

model = attractor.ScoreMatchingEnergy(model="network", n_hidden=64, objective="denoising",
                                      noise_levels=(0.2,), max_epochs=150, random_state=0)
model.fit(X)
print(f"denoising loss from {model.loss_curve_[0]:.3f} to {model.loss_curve_[-1]:.3f} "
      f"in {len(model.loss_curve_)} epochs")

# %%
# Langevin chains on the learned energy.
S = model.sample(600, n_steps=2000, step_size=0.01, random_state=1)
near = np.argmin(((S[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
print("share of samples nearest each centre:", np.round(np.bincount(near, minlength=3) / len(S), 2))

g = np.linspace(-4.5, 4.5, 120)
gx, gy = np.meshgrid(g, np.linspace(-2.5, 5.0, 100))
E = model.energy(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6), sharex=True, sharey=True)
a.scatter(X[:, 0], X[:, 1], s=2, alpha=0.4)
a.set_title("data")
b.contourf(gx, gy, E - E.min(), levels=20, cmap="viridis_r")
b.scatter(S[:, 0], S[:, 1], s=2, color="w")
b.set_title("learned energy and Langevin samples")
fig.tight_layout()
if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
else:
    plt.show()
