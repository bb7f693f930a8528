"""
The stability threshold kappa_c of an oscillator memory
=======================================================

A stored pattern of the oscillator associative memory (Nishikawa, Lai & Hoppensteadt 2004)
is a stable phase-locked state iff the second-harmonic strength ``kappa`` exceeds
``kappa_c``, read from the spectrum of a signed Laplacian. Starting next to the pattern, the
overlap after the run jumps from below 1 to 1 as ``kappa`` crosses ``kappa_c``.
"""

import sys

import matplotlib.pyplot as plt
import numpy as np

import attractor

rng = np.random.default_rng(1)
xi = np.where(rng.random((6, 40)) < 0.5, -1.0, 1.0)
kc = attractor.OscillatorMemory().fit(xi).critical_kappa(xi[0])
print(f"N = 40, K = 6: kappa_c of pattern 1 = {kc:.4f}")
ratios = np.linspace(0.2, 2.0, 10)
overlaps = []
for r in ratios:
    mem = attractor.OscillatorMemory(kappa=max(r * kc, 1e-6), jitter=0.05, random_state=2).fit(xi)
    out = mem.predict(xi[:1])
    overlaps.append(abs(float(out[0] @ xi[0]) / 40))
    print(f"kappa = {r:.2f} kappa_c: |m| = {overlaps[-1]:.3f}")
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(ratios, overlaps, "o-")
ax.axvline(1.0, color="gray", ls=":", label="kappa = kappa_c")
ax.set_xlabel("kappa / kappa_c")
ax.set_ylabel("|overlap| after the run")
ax.legend()
fig.tight_layout()
if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
else:
    plt.show()
