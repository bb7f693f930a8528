#!/usr/bin/env python3
"""Time to the best-known cut of the library's Ising samplers on G-set graphs, over seeds, one
core each: simulated annealing and discrete simulated bifurcation (`sampler_maxcut`) and the
oscillator Ising machine (`oim_maxcut`).

Setup:   cargo build --release -p attractor-bench
Run:     python3 bench/ising_tts.py [--data ../shared/data/gset] [--only G1,G22,G43]
                                    [--seeds 10] [--time 10] [--solvers anneal,dsb,oim]
Prints, per graph and solver, the seeds that reached the best-known cut within the time limit,
the median time to it (over the seeds that reached it) and the cuts of the others.
"""
import argparse
import csv
import os
import statistics
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(solver, path, bk, seed, limit):
    rel = os.path.join(ROOT, "target", "release")
    if solver == "oim":
        args = [os.path.join(rel, "oim_maxcut"), path, f"time={limit}", f"target={bk}",
                f"seed={seed}", "threads=1", "replicas=16", "steps=20000", "readout=50"]
    else:
        args = [os.path.join(rel, "sampler_maxcut"), path, f"solver={0 if solver == 'anneal' else 1}",
                f"time={limit}", f"target={bk}", f"seed={seed}", "threads=1"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    kv = dict(tok.split("=", 1) for tok in out.split())
    cut = float(kv.get("greedy_cut", kv.get("cut")))
    t = kv.get("target_t", "-")
    return cut, (None if t == "-" else float(t))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "gset"))
    ap.add_argument("--only", default="G1,G22,G43")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--time", type=float, default=10.0)
    ap.add_argument("--solvers", default="anneal,dsb,oim")
    a = ap.parse_args()
    best = {}
    with open(os.path.join(a.data, "best_known.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            best[row["instance"]] = int(row["best_known_cut"])
    print(f"time limit {a.time} s, seeds 1..{a.seeds}, one core each\n")
    print("| graph | best-known | solver | reached | median time to it (s) | cuts not reaching it |")
    print("|---|---:|---|---:|---:|---|")
    for name in [x for x in a.only.split(",") if x]:
        path = os.path.join(a.data, name + ".txt")
        bk = best[name]
        for solver in [s for s in a.solvers.split(",") if s]:
            res = [run(solver, path, bk, seed, a.time) for seed in range(1, a.seeds + 1)]
            times = [t for _, t in res if t is not None]
            miss = [int(c) for c, t in res if t is None]
            med = f"{statistics.median(times):.3f}" if times else "-"
            print(f"| {name} | {bk} | {solver} | {len(times)}/{a.seeds} | {med} | {miss} |",
                  flush=True)


if __name__ == "__main__":
    main()
