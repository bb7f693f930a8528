"""
Max-Cut of G1: oscillators against annealing and bifurcation
============================================================

The G-set graph G1 (800 nodes, 19 176 edges, shipped in the repository's ``data/gset``) is
cut by the oscillator Ising machine, by simulated annealing and by discrete simulated
bifurcation, each given the same wall-clock budget, one reproducible round (seed) after the
other; the figure draws the best cut found over time against the best known cut 11 624.
Arguments: ``[PNG] [seconds per solver]``.
"""

import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt

import attractor

# the repository's data/ folder (sphinx-gallery runs the script in its folder, without __file__)
here = Path(globals().get("__file__", "x")).resolve().parent
root = next(d for d in (here, *here.parents) if (d / "data" / "gset").is_dir())
g1 = root / "data" / "gset" / "G1.txt"
budget = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
series = []
for name, solver in [("oscillator Ising machine", "oim"), ("simulated annealing", "anneal"),
                     ("simulated bifurcation", "sb")]:
    pts, t0, seed = [], time.perf_counter(), 0
    while time.perf_counter() - t0 < budget:
        r = attractor.maxcut(g1, rounds=1, seed=seed, solver=solver)
        pts.append((time.perf_counter() - t0, max(r.cut, pts[-1][1] if pts else 0)))
        seed += 1
    print(f"{name}: best cut {pts[-1][1]:g} in {budget:g} s ({seed} rounds)")
    series.append((name, pts))
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, pts in series:
    ax.step([t for t, _ in pts], [c for _, c in pts], where="post", label=name)
ax.axhline(11624, color="gray", ls=":", label="best known 11624")
ax.set_xlabel("wall time (s)")
ax.set_ylabel("best cut")
ax.legend()
fig.tight_layout()
if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
else:
    plt.show()
