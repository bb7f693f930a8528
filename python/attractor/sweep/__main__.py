"""``python -m attractor.sweep CONFIG.toml [--address ADDR] [--out results.csv] ...``

Runs the sweep a TOML file describes and writes its records as tasks finish (an interrupted
run started again with the same ``--out`` runs only the missing tasks). The file::

    task = "maxcut"            # or "recall", "capacity", "module:function"
    seed = 1                   # the sweep's seed; every task's seed derives from it
    repeats = 4                # runs of every parameter point (different seeds)

    [grid]                     # lists are axes, other values fixed
    graph = ["G1", "G2", "G3"]
    solver = ["oim", "sb"]

    [fixed]                    # added to every point
    time = 1.0

    [run]                      # defaults of the options below
    backend = "processes"      # "sequential", "processes" or "ray"
    workers = 2
    out = "results.csv"

``[random]`` instead of ``[grid]``: ``n = 20`` points drawn from the other keys (a list: a
choice; ``{low = 1e-3, high = 1.0, log = true}``: a range).
"""

import argparse
import json
import sys

from . import SweepConfigError, load_config, run_sweep


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m attractor.sweep", description=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("config", help="the sweep's TOML file")
    ap.add_argument("--out", help="results file: .csv, .jsonl or .parquet (default: [run] out)")
    ap.add_argument("--backend", choices=["sequential", "processes", "local", "ray"])
    ap.add_argument("--address", help="a Ray cluster's address ('auto': the running one); implies --backend ray")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--chunk-size", type=int)
    ap.add_argument("--no-resume", action="store_true", help="start over even if --out holds results")
    ap.add_argument("--no-progress", action="store_true")
    a = ap.parse_args(argv)
    try:
        sweep, run = load_config(a.config)
    except (SweepConfigError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if a.out:
        run["out"] = a.out
    if a.address:
        run["address"], run["backend"] = a.address, "ray"
    if a.backend:
        run["backend"] = a.backend
    if a.workers:
        run["workers"] = a.workers
    if a.chunk_size:
        run["chunk_size"] = a.chunk_size
    if a.no_resume:
        run["resume"] = False
    if not run.get("out"):
        print("error: give --out results.csv (or out in [run])", file=sys.stderr)
        return 2
    res = run_sweep(sweep, progress=not a.no_progress, **run)
    st = res.stats
    print(json.dumps({k: (round(v, 6) if isinstance(v, float) else v) for k, v in st.items()}),
          file=sys.stderr)
    print(f"{len(res.records)} records in {run['out']} ({st['tasks_run']} run, "
          f"{st['tasks_skipped']} already done, {st['errors']} errors)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
