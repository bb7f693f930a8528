"""
Recall of corrupted MNIST digits
================================

The classical (Hebbian) and the modern Hopfield memory store K binarised MNIST digits (the
300 digits shipped in the repository's ``data/mnist``); each query is a stored digit with 20%
of its pixels flipped. The Hebbian memory fails already at K = 5: the digits are correlated,
far below the random-pattern capacity 0.138 N. The modern memory (Ramsauer et al. 2021)
recalls all of them.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import attractor

# the repository's data/ folder (sphinx-gallery runs the script in its folder, without __file__)
here = Path(globals().get("__file__", "x")).resolve().parent
root = next(d for d in (here, *here.parents) if (d / "data" / "gset").is_dir())
images = attractor.read_idx(root / "data" / "mnist" / "train-images-first.idx3-ubyte.gz")
x = np.where(images.reshape(len(images), -1) / 255.0 > 0.5, 1.0, -1.0)
rng = np.random.default_rng(0)
rows = []
for k in (5, 20, 100):
    p = x[:k]
    q = p * np.where(rng.random(p.shape) < 0.2, -1.0, 1.0)
    classical = attractor.ClassicalHopfield(random_state=0).fit(p).predict(q)
    modern = attractor.ModernHopfield(beta=1.0).fit(p).predict(q)
    ok = lambda r: int(np.sum(np.all(np.sign(r) == p, axis=1)))
    print(f"K = {k:3d}: Hebbian {ok(classical)}/{k}, modern {ok(modern)}/{k}")
    rows.append((p[0], q[0], classical[0], modern[0]))
fig, axes = plt.subplots(len(rows), 4, figsize=(6, 1.6 * len(rows)))
for r, imgs in enumerate(rows):
    for c, (img, title) in enumerate(zip(imgs, ["stored", "query", "Hebbian", "modern"])):
        axes[r, c].imshow(img.reshape(28, 28), cmap="gray_r")
        axes[r, c].set_axis_off()
        if r == 0:
            axes[r, c].set_title(title)
fig.tight_layout()
if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
else:
    plt.show()
