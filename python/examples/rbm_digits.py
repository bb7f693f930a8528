"""
A restricted Boltzmann machine on binarised digits
==================================================

An RBM ``E(v, h) = -a.v - b.h - v.W h`` with 16 hidden units is trained by persistent
contrastive divergence (PCD-1, Tieleman 2008) on the 8x8 digits bundled with scikit-learn,
binarised. With 16 hidden units the partition function is exact (a sum over the ``2^16``
hidden states), so the log-likelihood of the data can be followed epoch by epoch, and
annealed importance sampling (Salakhutdinov & Murray 2008) can be checked against it.
Samples are drawn by block Gibbs sampling.
"""

import sys

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

import attractor

images, _ = load_digits(return_X_y=True)
X = (images > 7).astype(float)  # 1797 binary images of 64 pixels
train, test = X[:1500], X[1500:]

rbm = attractor.BernoulliRBM(n_components=16, learning_rate=0.05, batch_size=20, n_iter=1,
                             random_state=0)
curve = []
for epoch in range(15):
    rbm.partial_fit(train) if epoch else rbm.fit(train)
    curve.append((rbm.log_likelihood(train), rbm.log_likelihood(test)))
print(f"after {len(curve)} epochs: exact log-likelihood {curve[-1][0]:.2f} (train), "
      f"{curve[-1][1]:.2f} (test) nats per image")

# %%
# AIS against the exact partition function.
exact = rbm.log_partition("exact")
ais, se = rbm.log_partition("ais", n_runs=100, n_betas=2000, X=train, random_state=1,
                            return_std=True)
print(f"log Z exact {exact:.3f}, AIS {ais:.3f} +- {se:.3f}")

# %%
# Samples after 500 Gibbs sweeps from random states.
samples = rbm.sample(16, n_steps=500, random_state=2)
fig = plt.figure(figsize=(9, 3.4))
ax = fig.add_subplot(1, 2, 1)
ax.plot(np.arange(1, len(curve) + 1), [c[0] for c in curve], "o-", label="train")
ax.plot(np.arange(1, len(curve) + 1), [c[1] for c in curve], "s-", label="test")
ax.set_xlabel("epoch")
ax.set_ylabel("log-likelihood (nats / image)")
ax.legend()
grid = samples.reshape(2, 8, 8, 8).transpose(0, 2, 1, 3).reshape(16, 64)
ax2 = fig.add_subplot(1, 2, 2)
ax2.imshow(grid, cmap="gray_r")
ax2.set_axis_off()
ax2.set_title("16 samples (500 Gibbs sweeps)")
fig.tight_layout()
if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
else:
    plt.show()
