#!/usr/bin/env python3
"""Time to the best-known cut of the library's Ising samplers on G-set graphs, over seeds, one
core each: simulated annealing and discrete simulated bifurcation (`sampler_maxcut`) and the
oscillator Ising machine (`oim_maxcut`).

Setup:   cargo build --release -p attractor-bench
Run:     python3 bench/ising_tts.py [--data ../shared/data/gset] [--only G1,G22,G43]
                                    [--seeds 10] [--time 10] [--solvers anneal,dsb,oim]
Prints, per graph and solver, the seeds that reached the best-known cut within the time limit,
the median time to it (over the seeds that reached it) and the cuts of the others.

    python3 bench/ising_tts.py --table [--max-n 3000] [--time 10]

prints instead one row per G-set graph with --min-n to --max-n nodes: each solver's best cut in
the time limit (one seed), its gap to best-known and its time to best-known, and how many graphs
each solver gets within 0.1%. Solvers: anneal (the library's simulated annealing, 1000 sweeps per
read), dsb (discrete simulated bifurcation in one call over the budget: ramps of 1000 steps
doubling each round up to 10 000), oim (the oscillator machine, 20 000-step rounds, warm
restarts) and neal (dwave-neal, --neal-sweeps sweeps per read, repeated until the time limit;
needs `pip install dwave-neal`). The large graphs with a minute each:

    python3 bench/ising_tts.py --table --min-n 4000 --max-n 20000 --time 60 \
        --solvers dsb,oim,neal --neal-sweeps 10000
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(solver, path, bk, seed, limit, neal_sweeps=1000):
    rel = os.path.join(ROOT, "target", "release")
    if solver == "neal":
        # dwave-neal's simulated annealing, repeated calls until the time limit (the peer)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from maxcut_gset import read_gset, run_sa
        n, edges = read_gset(path)
        best, _, t_target, _ = run_sa(n, edges, limit, bk, seed, sweeps=neal_sweeps)
        return float(best), t_target
    if solver == "oim":
        args = [os.path.join(rel, "oim_maxcut"), path, f"time={limit}", f"target={bk}",
                f"seed={seed}", "threads=1", "replicas=16", "steps=20000", "readout=50"]
    else:
        args = [os.path.join(rel, "sampler_maxcut"), path, f"solver={0 if solver == 'anneal' else 1}",
                f"time={limit}", f"target={bk}", f"seed={seed}", "threads=1"]
        if solver == "dsb":
            # one sampler call over the budget: its ramps double from 1000 to 10000 steps
            args.append("oneshot=1")
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
    ap.add_argument("--table", action="store_true")
    ap.add_argument("--max-n", type=int, default=3000)
    ap.add_argument("--min-n", type=int, default=0)
    ap.add_argument("--neal-sweeps", type=int, default=1000)
    a = ap.parse_args()
    best, size = {}, {}
    with open(os.path.join(a.data, "best_known.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            best[row["instance"]] = int(row["best_known_cut"])
            size[row["instance"]] = int(row["n"])
    solvers = [s for s in a.solvers.split(",") if s]
    if a.table:
        names = sorted((k for k in best if a.min_n <= size[k] <= a.max_n
                        and os.path.exists(os.path.join(a.data, k + ".txt"))),
                       key=lambda k: int(k[1:]))
        print(f"time limit {a.time} s, seed 1, one core each\n")
        print("| graph | n | best-known | " + " | ".join(f"{s} cut | {s} gap % | {s} t (s)"
                                                     for s in solvers) + " |")
        print("|---|---:|---:|" + "---:|---:|---:|" * len(solvers))
        within = {s: 0 for s in solvers}
        for name in names:
            bk = best[name]
            cells = []
            for s in solvers:
                cut, t = run(s, os.path.join(a.data, name + ".txt"), bk, 1, a.time,
                             a.neal_sweeps)
                gap = 100.0 * (bk - cut) / bk
                within[s] += gap <= 0.1
                cells.append(f"{int(cut)} | {gap:.3f} | {'-' if t is None else f'{t:.3f}'}")
            print(f"| {name} | {size[name]} | {bk} | " + " | ".join(cells) + " |", flush=True)
        print("\nwithin 0.1% of best-known: " + ", ".join(f"{s} {within[s]}/{len(names)}"
                                                        for s in solvers))
        return
    print(f"time limit {a.time} s, seeds 1..{a.seeds}, one core each\n")
    print("| graph | best-known | solver | reached | median time to it (s) | cuts not reaching it |")
    print("|---|---:|---|---:|---:|---|")
    for name in [x for x in a.only.split(",") if x]:
        path = os.path.join(a.data, name + ".txt")
        bk = best[name]
        for solver in solvers:
            res = [run(solver, path, bk, seed, a.time, a.neal_sweeps)
                   for seed in range(1, a.seeds + 1)]
            times = [t for _, t in res if t is not None]
            miss = [int(c) for c, t in res if t is None]
            med = f"{statistics.median(times):.3f}" if times else "-"
            print(f"| {name} | {bk} | {solver} | {len(times)}/{a.seeds} | {med} | {miss} |",
                  flush=True)


if __name__ == "__main__":
    main()
