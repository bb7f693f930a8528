#!/usr/bin/env python3
"""G-set Max-Cut: the oscillator Ising machine (attractor) against simulated annealing
(dwave-neal), same wall-clock budget, one core each, in the same run.

Setup:   pip install dwave-neal
         cargo build --release -p attractor-bench --bin oim_maxcut
Run:     python3 bench/maxcut_gset.py [--data ../shared/data/gset] [--time 10] [--max-n 3000]
                                      [--only G1,G22,...]
Prints one markdown table: best cut within the budget (pure oscillator readout, and after the
greedy single-flip descent), gap to best-known, time to first reach the best-known cut, the same
for SA, and oscillator replica-steps per second. Both solvers stop early once they reach the
best-known cut (so "best" equals best-known where it was reached).
"""
import argparse
import csv
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_gset(path):
    with open(path) as f:
        n, m = map(int, f.readline().split())
        edges = [tuple(int(t) for t in line.split()) for line in f if line.strip()]
    return n, edges


def run_oim(path, budget, target, seed):
    exe = os.path.join(ROOT, "target", "release", "oim_maxcut")
    args = [exe, path, f"time={budget}", f"target={target}", f"seed={seed}", "threads=1",
            "replicas=16", "steps=20000", "readout=50"]
    # mu: the default of OimParams::for_model (0.15 mean row sum for one-sign couplings, else 0.1)
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    kv = dict(tok.split("=", 1) for tok in out.split())
    return kv


def run_sa(n, edges, budget, target, seed, sweeps=1000):
    import neal
    # Max-Cut as Ising: minimise sum_edges w s_i s_j; cut = (W - E)/2
    J = {}
    for i, j, w in edges:
        J[(i - 1, j - 1)] = J.get((i - 1, j - 1), 0) + w
    h = {i: 0.0 for i in range(n)}
    W = sum(w for _, _, w in edges)
    import dimod
    bqm = dimod.BinaryQuadraticModel.from_ising(h, J)  # built once, outside the timed loop
    sampler = neal.SimulatedAnnealingSampler()
    best, t_best, t_target = -1, None, None
    start = time.perf_counter()
    k = 0
    while time.perf_counter() - start < budget:
        ss = sampler.sample(bqm, num_reads=4 if sweeps <= 1000 else 1, num_sweeps=sweeps,
                            seed=seed + k)
        k += 1
        e = ss.first.energy
        cut = int(round((W - e) / 2))
        now = time.perf_counter() - start
        if cut > best:
            best, t_best = cut, now
        if cut >= target and t_target is None:
            t_target = now
            break
    return best, t_best, t_target, k * (4 if sweeps <= 1000 else 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "gset"))
    ap.add_argument("--time", type=float, default=10.0)
    ap.add_argument("--max-n", type=int, default=3000)
    ap.add_argument("--only", default="")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    best_known = {}
    with open(os.path.join(a.data, "best_known.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            best_known[row["instance"]] = (int(row["n"]), int(row["best_known_cut"]))
    names = [x for x in a.only.split(",") if x] or sorted(
        (k for k in best_known if os.path.exists(os.path.join(a.data, k + ".txt"))),
        key=lambda s: int(s[1:]) if s[1:].isdigit() else 10**9)
    names = [k for k in names if best_known[k][0] <= a.max_n]
    print(f"budget {a.time} s per solver per instance, one core each, seed {a.seed}\n")
    print("| graph | n | best-known | OIM pure | OIM +greedy | gap % | OIM t→best-known (s) "
          "| SA (neal) | SA gap % | SA t→best-known (s) | OIM replica-steps/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for name in names:
        path = os.path.join(a.data, name + ".txt")
        n, bk = best_known[name]
        o = run_oim(path, a.time, bk, a.seed)
        n_, edges = read_gset(path)
        sa_best, _, sa_t, _ = run_sa(n_, edges, a.time, bk, a.seed)
        ob = max(int(float(o["osc_cut"])), int(float(o["greedy_cut"])))
        gap = 100.0 * (bk - ob) / bk
        sgap = 100.0 * (bk - sa_best) / bk
        print(f"| {name} | {n} | {bk} | {int(float(o['osc_cut']))} | {int(float(o['greedy_cut']))} "
              f"| {gap:.3f} | {o['target_t']} | {sa_best} | {sgap:.3f} | "
              f"{'-' if sa_t is None else f'{sa_t:.2f}'} | {float(o['steps_per_s']):.0f} |")
        sys.stdout.flush()
        rows.append((name, bk, ob, sa_best, o["target_t"], sa_t))
    if not rows:
        return
    within = lambda c, bk: 100.0 * (bk - c) / bk <= 0.1
    print(f"\nwithin 0.1% of best-known: OIM {sum(within(r[2], r[1]) for r in rows)}/{len(rows)}, "
          f"SA {sum(within(r[3], r[1]) for r in rows)}/{len(rows)}")
    print(f"best-known reached: OIM {sum(r[2] >= r[1] for r in rows)}, SA {sum(r[3] >= r[1] for r in rows)}")
    print(f"OIM better than SA on {sum(r[2] > r[3] for r in rows)}, tied {sum(r[2] == r[3] for r in rows)}, "
          f"worse {sum(r[2] < r[3] for r in rows)}: "
          + ", ".join(r[0] for r in rows if r[2] < r[3]))
    both = [r for r in rows if r[4] != "-" and r[5] is not None]
    print("both reached best-known (OIM s / SA s): "
          + ", ".join(f"{r[0]} {float(r[4]):.2f}/{r[5]:.2f}" for r in both))


if __name__ == "__main__":
    main()
