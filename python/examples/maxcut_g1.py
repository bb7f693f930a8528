"""Max-Cut of G-set G1 by the oscillator Ising machine against simulated annealing (dwave-neal,
when installed) under the same budget; draws the best cut found over time. Writes
maxcut_g1.png. Arguments: [PNG] [seconds]."""

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import attractor  # noqa: E402

root = Path(__file__).resolve().parents[2]
g1 = root / "data" / "gset" / "G1.txt"
budget = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
oim = []
t0 = time.perf_counter()
seed = 0
while time.perf_counter() - t0 < budget:
    r = attractor.maxcut(g1, rounds=1, seed=seed)
    best = max(r.cut, oim[-1][1] if oim else 0)
    oim.append((time.perf_counter() - t0, best))
    seed += 1
print(f"oscillator Ising machine: cut {oim[-1][1]:g} in {budget} s ({seed} rounds)")
series = [("oscillator Ising machine", oim)]
try:
    import dimod
    import neal

    n, edges = attractor.read_gset(g1)
    bqm = dimod.BinaryQuadraticModel({}, {(int(i), int(j)): w for i, j, w in edges}, 0.0, "SPIN")
    total = edges[:, 2].sum()
    sa, t0, pts = neal.SimulatedAnnealingSampler(), time.perf_counter(), []
    while time.perf_counter() - t0 < budget:
        e = sa.sample(bqm, num_reads=4, num_sweeps=1000, seed=len(pts)).first.energy
        pts.append((time.perf_counter() - t0, max((total - e) / 2, pts[-1][1] if pts else 0)))
    print(f"simulated annealing (neal): cut {pts[-1][1]:g} in {budget} s")
    series.append(("simulated annealing (neal)", pts))
except ImportError:
    print("(pip install dwave-neal to compare with simulated annealing)")
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, pts in series:
    ax.step([t for t, _ in pts], [c for _, c in pts], where="post", label=name)
ax.axhline(11624, color="gray", ls=":", label="best known 11624")
ax.set_xlabel("wall time (s)")
ax.set_ylabel("best cut")
ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[1] if len(sys.argv) > 1 else "maxcut_g1.png", dpi=100)
