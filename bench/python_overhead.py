#!/usr/bin/env python3
"""Python overhead of the oscillator Ising machine: Max-Cut of a G-set graph for a fixed
number of rounds through `attractor.maxcut` (Python) and through the `attractor` CLI (Rust),
same seed and rounds, so the same work; and the OIM sampler next to dwave-neal's simulated
annealing on the same dimod BQM from this script, with the same wall-clock budget.

    pip install ./python dwave-neal
    cargo build --release -p attractor-cli
    python3 bench/python_overhead.py [--graph ../shared/data/gset/G1.txt] [--rounds 5] [--time 5]
"""

import argparse
import re
import subprocess
import time
from pathlib import Path

import numpy as np

import attractor

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graph", default=str(ROOT / "data" / "gset" / "G1.txt"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--time", type=float, default=5.0, help="budget of the sampler comparison (s)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--mnist", default=None, help="MNIST folder: also time modern retrieval (60k stored x 10k queries)")
    a = ap.parse_args()
    if a.mnist:
        modern_mnist(Path(a.mnist))
    exe = ROOT / "target" / "release" / "attractor"
    py_t, cli_t = [], []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        r = attractor.maxcut(a.graph, rounds=a.rounds, seed=1)
        py_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = subprocess.run([str(exe), "maxcut", a.graph, "--rounds", str(a.rounds), "--seed", "1"],
                             capture_output=True, text=True, check=True).stdout
        cli_t.append(time.perf_counter() - t0)
        cli_cut = float(re.search(r"after greedy descent\): (\S+)", out).group(1))
    print(f"Max-Cut of {Path(a.graph).name}, {a.rounds} rounds, seed 1 (best of {a.reps}):")
    print(f"| face | wall s | cut |\n|---|---|---|")
    print(f"| Python attractor.maxcut | {min(py_t):.3f} | {r.cut:g} |")
    print(f"| Rust CLI (process start, read, certificate included) | {min(cli_t):.3f} | {cli_cut:g} |")
    print(f"Python / CLI wall time: {min(py_t) / min(cli_t):.3f}")
    try:
        import dimod
        import neal
    except ImportError:
        print("(pip install dwave-neal for the sampler comparison)")
        return
    n, edges = attractor.read_gset(a.graph)
    # cut(s) = sum w (1 - s_i s_j) / 2 = (W - E) / 2 with E = sum w s_i s_j
    bqm = dimod.BinaryQuadraticModel({}, {(int(i), int(j)): w for i, j, w in edges}, 0.0, "SPIN")
    total = float(edges[:, 2].sum())
    t0 = time.perf_counter()
    ss = attractor.OscillatorIsingSampler().sample(bqm, time_limit=a.time, seed=1)
    t_oim = time.perf_counter() - t0
    sa = neal.SimulatedAnnealingSampler()
    best, t0 = None, time.perf_counter()
    while time.perf_counter() - t0 < a.time:
        e = sa.sample(bqm, num_reads=4, num_sweeps=1000, seed=int(1000 * (time.perf_counter() - t0))).first.energy
        best = e if best is None else min(best, e)
    t_sa = time.perf_counter() - t0
    cut = lambda e: (total - e) / 2
    print(f"\nsame BQM ({n} spins, {len(edges)} couplings), budget {a.time} s:")
    print(f"| sampler | wall s | best cut |\n|---|---|---|")
    print(f"| OscillatorIsingSampler | {t_oim:.2f} | {cut(ss.first.energy):g} |")
    print(f"| neal SimulatedAnnealingSampler | {t_sa:.2f} | {cut(best):g} |")


def modern_mnist(folder):
    """Modern Hopfield retrieval X softmax(beta X^T Q) with the MNIST training images stored
    and the test images as queries, through Python (`ModernHopfield.retrieve`) and through the
    Rust program `modern_hopfield` (same shapes, beta and block), same machine, same run."""
    stored = attractor.read_idx(folder / "train-images-idx3-ubyte.gz").reshape(60000, -1) / 255.0
    queries = attractor.read_idx(folder / "t10k-images-idx3-ubyte.gz").reshape(10000, -1) / 255.0
    est = attractor.ModernHopfield(beta=0.05).fit(stored)
    t0 = time.perf_counter()
    est.retrieve(queries, n_steps=1, block=2048, n_threads=0)
    t_py = time.perf_counter() - t0
    exe = ROOT / "target" / "release" / "modern_hopfield"
    out = subprocess.run([str(exe), "--mnist", str(folder), "--hopfield-n", "64"],
                         capture_output=True, text=True, check=True).stderr
    t_rs = float(re.search(r"([0-9.]+) s, [0-9]+ queries/s", out).group(1))
    print("Modern Hopfield retrieval, MNIST 60000 stored x 10000 queries, beta 0.05, f64, all threads:")
    print(f"| face | s |\n|---|---|\n| Python ModernHopfield.retrieve | {t_py:.3f} |\n| Rust modern_hopfield | {t_rs:.3f} |")
    print(f"Python / Rust: {t_py / t_rs:.3f}\n")


if __name__ == "__main__":
    main()
