"""
Equilibrium propagation on the 8x8 digits
=========================================

A layered energy network 64-32-10 (hard-sigmoid units) learns to classify the 8x8 digits
bundled with scikit-learn by equilibrium propagation (Scellier & Bengio 2017): a free phase
relaxes the network to an equilibrium of its energy, a weakly nudged phase (the outputs
pulled towards the target with strength ``beta``) relaxes to a nearby one, and each weight
moves by the difference of a local, Hebbian quantity between the two phases. The same
network trained by contrastive Hebbian learning (Movellan 1991; outputs clamped) is shown
beside it. Finally, :func:`attractor.gradient_check` compares the EP update with the exact
gradient of the loss at the free equilibrium: they agree as ``beta -> 0``.
"""

import sys

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

import attractor

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixels in [0, 1], the range of the units
Xtr, ytr, Xte, yte = X[:1400], y[:1400], X[1400:], y[1400:]

curves = {}
for name, cls in [("equilibrium propagation", attractor.EquilibriumPropagationClassifier),
                  ("contrastive Hebbian", attractor.ContrastiveHebbianClassifier)]:
    clf = cls(hidden_layer_sizes=(32,), learning_rate=(0.2, 0.1), max_iter=1, random_state=0)
    errs = []
    for epoch in range(15):
        clf.partial_fit(Xtr, ytr, classes=list(range(10)))
        errs.append(1.0 - clf.score(Xte, yte))
    curves[name] = errs
    print(f"{name}: test error {errs[-1]:.1%} after {len(errs)} epochs")

# %%
# The EP update against the implicit gradient, for decreasing beta.
check = attractor.gradient_check(Xtr[:8], (ytr[:8, None] == range(10)).astype(float),
                                 sizes=[64, 16, 10], betas=[0.5, 0.1, 0.02], fd_step=None)
for b, nud, cos in zip(check["beta"], check["nudging"], check["cosine"]):
    print(f"beta = {b:<5} {nud:>10}: 1 - cosine with the gradient = {1 - cos:.1e}")

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, errs in curves.items():
    ax.plot(range(1, len(errs) + 1), errs, "o-", label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("test error")
ax.set_title("64-32-10 energy network on the 8x8 digits")
ax.legend()
fig.tight_layout()
if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
else:
    plt.show()
