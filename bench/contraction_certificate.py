#!/usr/bin/env python3
"""Time to compute contraction certificates (attractor.analysis::certify) of random
non-symmetric networks W = g G / sqrt(n) (G_ij ~ N(0, 1), seed 42, g = 0.5), tanh, for the
firing-rate and Hopfield forms: the closed-form weighted l1 / l-infinity certificates at
n = 100, 1000, 5000 and the diagonally weighted l2 certificate (sector LMI) at n = 50, 100.

Runs the Rust program `contraction_certificate` (crates/attractor-bench) and prints a markdown
table (best of --reps runs). Usage (from anywhere in the repository):

    cargo build --release -p attractor-bench --bin contraction_certificate
    python3 bench/contraction_certificate.py [--sizes 100,1000,5000] [--l2-sizes 50,100] [--reps 3]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100,1000,5000", help="n for the l1w / linfw certificates")
    p.add_argument("--l2-sizes", default="50,100", help="n for the l2w certificate (<= 400)")
    p.add_argument("--gain", type=float, default=0.5, help="g in W = g G / sqrt(n) (default 0.5)")
    p.add_argument("--reps", type=int, default=3, help="runs per measurement, best kept (default 3)")
    a = p.parse_args()
    exe = ROOT / "target" / "release" / "contraction_certificate"
    if not exe.exists():
        subprocess.run(
            ["cargo", "build", "--release", "-p", "attractor-bench", "--bin", "contraction_certificate"],
            cwd=ROOT,
            check=True,
        )
    out = subprocess.run(
        [str(exe), "--sizes", a.sizes, "--l2-sizes", a.l2_sizes, "--gain", str(a.gain), "--reps", str(a.reps)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    print("| n | model | norm | time (s) | certified rate | contracting |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['n']} | {r['model']} | {r['norm']} | {r['seconds']:.4f} | {r['rate']:+.4f} | "
            f"{'yes' if r['contracting'] else 'no'} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
