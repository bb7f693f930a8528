#!/usr/bin/env python3
"""Simulated annealing per sweep: attractor's `AnnealingSampler` against dwave-neal, the same
graphs, reads, sweeps and geometric beta range, one core each, in the same run.

Setup:   pip install dwave-neal   (the script installs it when missing)
         cargo build --release -p attractor-bench --bin sampler_maxcut
Run:     python3 bench/anneal_neal.py [--data ../shared/data/gset] [--only G1,G22,G43]
                                      [--reads 4] [--sweeps 1000] [--repeat 3] [--seed 1]
Prints one markdown table: microseconds per sweep (median over --repeat calls of `reads` reads),
the ratio neal / attractor (above 1: attractor is faster), and the best cut of each.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure(pkg, module):
    try:
        __import__(module)
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", pkg], check=True)


def read_gset(path):
    with open(path) as f:
        n, _ = map(int, f.readline().split())
        edges = [tuple(int(t) for t in line.split()) for line in f if line.strip()]
    return n, edges


def ours(path, reads, sweeps, seed, beta=None):
    exe = os.path.join(ROOT, "target", "release", "sampler_maxcut")
    args = [exe, path, f"reads={reads}", f"sweeps={sweeps}", f"seed={seed}", "threads=1"]
    if beta:
        args += [f"beta0={beta[0]}", f"beta1={beta[1]}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return dict(tok.split("=", 1) for tok in out.split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "gset"))
    ap.add_argument("--only", default="G1,G22,G43,G14,G55")
    ap.add_argument("--reads", type=int, default=4)
    ap.add_argument("--sweeps", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    ensure("dwave-neal", "neal")
    import dimod
    import neal

    exe = os.path.join(ROOT, "target", "release", "sampler_maxcut")
    if not os.path.exists(exe):
        subprocess.run(["cargo", "build", "--release", "-p", "attractor-bench", "--bin",
                        "sampler_maxcut"], cwd=ROOT, check=True)
    print(f"{a.reads} reads x {a.sweeps} sweeps per call, median of {a.repeat} calls, one core "
          f"each, geometric beta over attractor's default range, seed {a.seed}; "
          f"neal {getattr(neal, '__version__', '?')}\n")
    print("| graph | n | edges | attractor us/sweep | neal us/sweep | neal / attractor "
          "| attractor best cut | neal best cut |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in [x for x in a.only.split(",") if x]:
        path = os.path.join(a.data, name + ".txt")
        if not os.path.exists(path):
            print(f"| {name} | (missing) | | | | | | |")
            continue
        n, edges = read_gset(path)
        first = ours(path, a.reads, a.sweeps, a.seed)
        beta = (float(first["beta0"]), float(first["beta1"]))
        ours_us, ours_cut = [], []
        for r in range(a.repeat):
            o = ours(path, a.reads, a.sweeps, a.seed + r, beta)
            ours_us.append(float(o["sweep_us"]))
            ours_cut.append(float(o["cut"]))
        J = {}
        for i, j, w in edges:
            J[(i - 1, j - 1)] = J.get((i - 1, j - 1), 0) + w
        bqm = dimod.BinaryQuadraticModel.from_ising({i: 0.0 for i in range(n)}, J)
        W = sum(w for _, _, w in edges)
        sampler = neal.SimulatedAnnealingSampler()
        neal_us, neal_cut = [], []
        for r in range(a.repeat):
            t = time.perf_counter()
            ss = sampler.sample(bqm, num_reads=a.reads, num_sweeps=a.sweeps, beta_range=beta,
                                beta_schedule_type="geometric", seed=a.seed + r)
            dt = time.perf_counter() - t
            neal_us.append(1e6 * dt / (a.reads * a.sweeps))
            neal_cut.append((W - ss.first.energy) / 2)
        mo, mn = statistics.median(ours_us), statistics.median(neal_us)
        print(f"| {name} | {n} | {len(edges)} | {mo:.2f} | {mn:.2f} | **{mn / mo:.2f}x** "
              f"| {max(ours_cut):.0f} | {max(neal_cut):.0f} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
