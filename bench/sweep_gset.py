#!/usr/bin/env python3
"""The sweep layer on the G-set table: every G-set graph with n <= --max-n (41 graphs up to
3000 nodes in ../shared/data/gset) x --seeds seeds, one Max-Cut run of --time seconds each
(``attractor.sweep`` task ``maxcut``, solver --solver, one thread), on --workers local
processes and on a local Ray cluster of as many CPUs. Prints per backend: wall time, start-up
(workers spawned and the extension imported), the tasks' own time, the scheduling overhead
(worker time not in tasks, per task and as a fraction) and Amdahl's estimate of the wall time
on N workers from the measured serial part (start-up) and parallel part (tasks + overhead).

Setup:  pip install "./python[sweep]"   (or maturin develop; Ray for the Ray rows)
Run:    python3 bench/sweep_gset.py [--time 1] [--seeds 4] [--workers 2] [--backends processes,ray]
        python3 bench/sweep_gset.py --short   # 10000 sub-millisecond recall tasks: chunking on and off
        python3 bench/sweep_gset.py --short --chunked-only --repeat 3 --tasks 20000
                                              # the chunked rows only, three times each (the
                                              # median is the figure: a shared machine is noisy)
"""
import argparse
import csv
import math
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def graphs(data, max_n):
    out = []
    with open(os.path.join(data, "best_known.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if int(row["n"]) <= max_n and os.path.exists(os.path.join(data, row["instance"] + ".txt")):
                out.append(row["instance"])
    return sorted(out, key=lambda k: int(k[1:]))


def run(sweep, backend, workers, **kw):
    from attractor.sweep import run_sweep

    import time

    ray = None
    t0 = time.perf_counter()
    if backend == "ray":
        import ray

        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    cluster_s = time.perf_counter() - t0
    try:
        with tempfile.TemporaryDirectory() as d:
            res = run_sweep(sweep, backend=backend, workers=workers, out=os.path.join(d, "r.csv"), **kw)
    finally:
        if ray is not None:
            ray.shutdown()
    # the cluster's start is start-up too (the process pool's is inside run_sweep)
    res.stats["startup_s"] = res.stats.get("startup_s", 0.0) + cluster_s
    res.stats["wall_s"] += cluster_s
    return res


def row(label, res):
    st = res.stats
    n = st["tasks_run"]
    return (f"| {label} | {n} | {st.get('chunks', 0)} | {st['wall_s']:.1f} | {st.get('startup_s', 0):.2f} | "
            f"{st['task_s']:.1f} | {1e3 * st['overhead_per_task_s']:.3f} | {100 * st['overhead']:.1f} | "
            f"{st['errors']} |")


HEAD = ("| backend | tasks | chunks | wall (s) | start-up (s) | tasks' time (s) | overhead per task (ms) "
        "| overhead % | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")


def amdahl(res, ns):
    """Wall time on N workers: serial start-up + the parallel part (tasks and their overhead)
    shared by N, but never less than the longest task."""
    st = res.stats
    serial = st.get("startup_s", 0.0)
    par = st["task_s"] + st["overhead_per_task_s"] * st["tasks_run"]
    longest = max((r["wall_s"] or 0) for r in res.records)
    t1 = serial + par
    cells = []
    for n in ns:
        tn = serial + max(par / n, longest) if n > 1 else t1
        cells.append(f"N={n}: {tn:.0f} s (x{t1 / tn:.1f})")
    f = serial / t1
    return (f"Amdahl ({res.stats['backend']}): serial fraction {100 * f:.2f} % "
            f"(start-up {serial:.1f} s of {t1:.0f} s on one worker), speed-up limit {1 / f:.0f}x; "
            + ", ".join(cells))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "gset"))
    ap.add_argument("--max-n", type=int, default=3000)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--time", type=float, default=1.0)
    ap.add_argument("--solver", default="sb")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--backends", default="processes,ray")
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--tasks", type=int, default=10000, help="--short: the number of tasks (a multiple of 80)")
    ap.add_argument("--chunked-only", action="store_true", help="--short: skip the one-task-per-chunk rows")
    ap.add_argument("--repeat", type=int, default=1, help="--short: run every row this many times")
    a = ap.parse_args()
    from attractor.sweep import Sweep, grid

    backends = [b for b in a.backends.split(",") if b]
    if a.short:
        reps = max(1, a.tasks // 80)
        s = Sweep("recall", grid(n=[50, 100], k=list(range(1, 21)), noise=[0.1, 0.2]), seed=1, repeats=reps)
        print(f"{80 * reps} recall tasks (under 1 ms each), {a.workers} workers\n\n{HEAD}")
        rows = ((None, "chunks sized to 1 s"),) if a.chunked_only else (
            (1, "one task per chunk"), (None, "chunks sized to 1 s"))
        for b in backends:
            for cs, label in rows:
                over = []
                for _ in range(a.repeat):
                    try:
                        res = run(s, b, a.workers, chunk_size=cs)
                    except ImportError as e:
                        print(f"| {b} | skipped: {e} |")
                        break
                    over.append(res.stats["overhead"])
                    print(row(f"{b}, {label}", res), flush=True)
                if len(over) > 1:
                    print(f"| {b}, {label}: median overhead | | | | | | | {100 * sorted(over)[len(over) // 2]:.1f} | |")
        return
    names = graphs(a.data, a.max_n)
    s = Sweep("maxcut", grid(graph=names, solver=a.solver, time=a.time, n_threads=1,
                             gset_dir=os.path.abspath(a.data)), seed=1, repeats=a.seeds)
    print(f"{len(names)} G-set graphs (n <= {a.max_n}) x {a.seeds} seeds, maxcut solver={a.solver} "
          f"time={a.time} s per task, one thread, {a.workers} workers\n\n{HEAD}")
    results = []
    for b in backends:
        try:
            res = run(s, b, a.workers)
        except ImportError as e:
            print(f"| {b} | skipped: {e} |")
            continue
        results.append(res)
        print(row(b, res), flush=True)
    print()
    for res in results:
        print(amdahl(res, [1, 2, 4, 8, 16, 32, 64, 164]))
    if results:
        ok = [r for r in results[0].records if r["status"] == "ok"]
        within = sum(1 for r in ok if r.get("gap_pct", 1) <= 0.1)
        print(f"\n{within}/{len(ok)} runs within 0.1% of best-known ({a.solver}, {a.time} s)")


if __name__ == "__main__":
    sys.exit(main())
