#!/usr/bin/env python3
"""Side-by-side benchmark of the continuous Hopfield flow  x' = -x + W tanh(x).

Runs the Rust program `hopfield_flow` (crates/attractor-bench) (attractor's Euler, Heun, RK4 and Dopri5, plus
one faer mat-vec of the same size), then, in the same run on the same machine and on the same
W and x0 (read from the .npy files the Rust program writes):

  (a) a hand-written NumPy RK4 with the same dt,
  (b) one NumPy mat-vec `W @ x`,
  (c) SciPy's solve_ivp(method='RK45', rtol=1e-6, atol=1e-9) over the same span [0, T] as the
      Rust Dopri5 run, checking that the final states agree.

Prints one markdown table per measurement kind. Usage (from anywhere in the repository):

    python3 bench/hopfield_flow.py [--sizes 100,1000,4000] [--t-end 5] [--blas-threads N]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RTOL, ATOL = 1e-6, 1e-9


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100,1000,4000", help="comma-separated n (default 100,1000,4000)")
    p.add_argument("--dt", type=float, default=0.01, help="fixed step size (default 0.01)")
    p.add_argument("--t-end", type=float, default=5.0, help="span [0, T] of the Dopri5/RK45 run (default 5)")
    p.add_argument("--seed", type=int, default=42, help="seed of W and x0 (default 42)")
    p.add_argument("--target-secs", type=float, default=0.4, help="length of one timed run (default 0.4 s)")
    p.add_argument("--reps", type=int, default=3, help="timed runs per measurement, best kept (default 3)")
    p.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="limit NumPy's BLAS to N threads (default: the BLAS default, all cores); attractor is single-threaded",
    )
    p.add_argument("--keep", metavar="DIR", default=None, help="write W, x0 and final states to DIR and keep them")
    a = p.parse_args()
    try:
        a.sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    except ValueError:
        p.error(f"--sizes {a.sizes!r}: give comma-separated integers such as 100,1000")
    if not a.sizes or min(a.sizes) < 1:
        p.error("--sizes needs at least one size, each >= 1")
    return a


ARGS = parse_args()
if ARGS.blas_threads is not None:
    # Must be set before NumPy loads its BLAS.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = str(ARGS.blas_threads)

try:
    import numpy as np
    import scipy
    from scipy.integrate import solve_ivp
except ImportError as e:
    sys.exit(f"error: this benchmark needs NumPy and SciPy ({e}).\nInstall them with:  pip install numpy scipy")

REPO = Path(__file__).resolve().parent.parent


def best_per_call(fn, total=0.3):
    """Best seconds per call of fn: batches of >= 5 ms, repeated for `total` seconds (>= 5 batches)."""
    batch = 1
    while True:
        t = time.perf_counter()
        for _ in range(batch):
            fn()
        if time.perf_counter() - t >= 5e-3 or batch >= 1 << 24:
            break
        batch *= 2
    best, start, rounds = float("inf"), time.perf_counter(), 0
    while rounds < 5 or time.perf_counter() - start < total:
        t = time.perf_counter()
        for _ in range(batch):
            fn()
        best = min(best, (time.perf_counter() - t) / batch)
        rounds += 1
    return best


def make_rhs(W):
    def f(x):
        return -x + W @ np.tanh(x)

    return f


def numpy_rk4(f, x, h, steps):
    """The classical RK4, written the way one would in NumPy."""
    h2, h6 = 0.5 * h, h / 6.0
    for _ in range(steps):
        k1 = f(x)
        k2 = f(x + h2 * k1)
        k3 = f(x + h2 * k2)
        k4 = f(x + h * k3)
        x = x + h6 * (k1 + 2.0 * (k2 + k3) + k4)
    return x


def time_numpy_rk4(f, x0, h, target, reps):
    steps = 1
    while True:
        t = time.perf_counter()
        numpy_rk4(f, x0, h, steps)
        secs = time.perf_counter() - t
        if secs >= 0.1 * target:
            break
        steps *= 4
    steps = max(1, int(np.ceil(target / (secs / steps))))
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        numpy_rk4(f, x0, h, steps)
        best = min(best, time.perf_counter() - t)
    return steps, best


def time_solve_ivp(W, x0, t_end, dt, target, reps):
    def rhs(_t, x):
        return -x + W @ np.tanh(x)

    best, sol, start, r = float("inf"), None, time.perf_counter(), 0
    while True:
        elapsed = time.perf_counter() - start
        if r > 0 and (elapsed > 5.0 or (r >= reps and elapsed >= target)):
            break
        t = time.perf_counter()
        s = solve_ivp(rhs, (0.0, t_end), x0, method="RK45", rtol=RTOL, atol=ATOL, first_step=dt)
        secs = time.perf_counter() - t
        if secs < best:
            best, sol = secs, s
        r += 1
    return best, sol


def run_rust(dump_dir):
    cmd = [
        "cargo", "run", "--release", "-q", "-p", "attractor-bench", "--bin", "hopfield_flow", "--",
        "--sizes", ",".join(map(str, ARGS.sizes)),
        "--dt", repr(ARGS.dt),
        "--t-end", repr(ARGS.t_end),
        "--seed", str(ARGS.seed),
        "--target-secs", repr(ARGS.target_secs),
        "--reps", str(ARGS.reps),
        "--dump", str(dump_dir),
    ]  # fmt: skip
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    # stderr (cargo's build output and the program's own table) goes straight to the terminal.
    out = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(f"error: the Rust benchmark failed (exit status {out.returncode}); see the messages above")
    recs = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    return recs


def cpu_model():
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def busy_cpu_seconds():
    """CPU-seconds the whole machine has spent busy since boot (Linux /proc/stat; None elsewhere)."""
    try:
        with open("/proc/stat") as fh:
            v = [int(t) for t in fh.readline().split()[1:8]]
        return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def own_cpu_seconds():
    """CPU-seconds used by this process and its finished children (the Rust benchmark)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def fmt(v, digits=3):
    if v is None:
        return "—"
    if v >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}" if v < 1 else f"{v:,.{max(0, digits - len(str(int(v))))}f}"


def main():
    t_start = time.perf_counter()
    busy0, own0 = busy_cpu_seconds(), own_cpu_seconds()
    threads = ARGS.blas_threads if ARGS.blas_threads is not None else f"default ({os.cpu_count()} cores)"
    print(
        f"# machine: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"NumPy {np.__version__}, SciPy {scipy.__version__}; NumPy BLAS threads: {threads}; "
        "attractor: 1 thread below 2^18 matrix entries, all rayon threads above (n >= 512)",
        flush=True,
    )
    ctx = tempfile.TemporaryDirectory(prefix="hopfield_bench_") if ARGS.keep is None else None
    dump = Path(ctx.name if ctx else ARGS.keep)
    dump.mkdir(parents=True, exist_ok=True)
    try:
        recs = run_rust(dump)
        meta = next(r for r in recs if r["kind"] == "meta")
        rows, span_rows, checks, notes = [], [], [], []
        for n in ARGS.sizes:
            micro = next(r for r in recs if r["kind"] == "micro" and r["n"] == n)
            steppers = [r for r in recs if r["kind"] == "stepper" and r["n"] == n]
            span = next(r for r in recs if r["kind"] == "span" and r["n"] == n)
            W = np.load(dump / f"W_n{n}.npy")
            x0 = np.load(dump / f"x0_n{n}.npy")
            f = make_rhs(W)

            # (b) NumPy mat-vec, on the same argument as the Rust one (tanh(x0)).
            phi0 = np.tanh(x0)
            np_mv = best_per_call(lambda: W @ phi0)
            # (a) NumPy RK4.
            np_steps, np_secs = time_numpy_rk4(f, x0, ARGS.dt, ARGS.target_secs, ARGS.reps)
            np_rk4_sps = np_steps / np_secs
            np_rk4_eps = 4 * np_steps / np_secs
            # Same system? RK4 after check_steps steps, Rust vs NumPy.
            x_np = numpy_rk4(f, x0, ARGS.dt, meta["check_steps"])
            x_rs = np.load(dump / f"rk4_check_n{n}.npy")
            d_rk4 = float(np.max(np.abs(x_np - x_rs)))
            # (c) SciPy RK45 over the span of the Rust Dopri5 run.
            sp_secs, sol = time_solve_ivp(W, x0, ARGS.t_end, ARGS.dt, ARGS.target_secs, ARGS.reps)
            x_rs_T = np.load(dump / f"dopri5_T_n{n}.npy")
            d_T = float(np.max(np.abs(sol.y[:, -1] - x_rs_T)))
            checks.append((n, d_rk4, d_T, float(np.max(np.abs(x_rs_T))), sol.status))
            notes.append(
                f"- n = {n}: faer mat-vec {fmt(micro['matvec_us'])} µs at the best of 8 output placements, "
                f"{fmt(micro['matvec_worst_us'])} µs at the worst; attractor `eval_into` alone "
                f"{fmt(micro['eval_us'])} µs, of which the tanh pass {fmt(micro['tanh_us'])} µs"
            )

            mv_us = micro["matvec_us"]
            for r in steppers:
                rows.append(
                    dict(
                        n=n,
                        impl="attractor",
                        method=r["stepper"],
                        sps=r["steps_per_s"],
                        eps=r["evals_per_s"],
                        us=r["us_per_eval"],
                        ratio=r["us_per_eval"] / mv_us,
                        vs=r["evals_per_s"] / np_rk4_eps,
                    )
                )
            np_us = np_secs / (4 * np_steps) * 1e6
            rows.append(
                dict(n=n, impl="NumPy", method="rk4", sps=np_rk4_sps, eps=np_rk4_eps, us=np_us,
                     ratio=np_us / (np_mv * 1e6), vs=1.0)
            )  # fmt: skip
            rows.append(dict(n=n, impl="attractor (faer)", method="mat-vec", sps=None, eps=1e6 / mv_us, us=mv_us,
                             ratio=1.0, vs=None))  # fmt: skip
            rows.append(dict(n=n, impl="NumPy (BLAS)", method="mat-vec", sps=None, eps=1 / np_mv, us=np_mv * 1e6,
                             ratio=1.0, vs=None))  # fmt: skip
            span_rows.append(
                dict(
                    n=n,
                    rs_ms=span["secs"] * 1e3,
                    rs_steps=span["steps"],
                    rs_nfev=span["evals"],
                    sp_ms=sp_secs * 1e3,
                    sp_steps=len(sol.t) - 1,
                    sp_nfev=sol.nfev,
                    speedup=sp_secs / span["secs"],
                    d=d_T,
                )
            )
    finally:
        if ctx:
            ctx.cleanup()

    print()
    print(f"Fixed-step and per-evaluation speed (dt = {ARGS.dt}; Dopri5 rtol = {RTOL:g}, atol = {ATOL:g}):")
    print()
    print("| n | implementation | method | steps/s | evals/s | µs / eval | eval ÷ mat-vec | evals/s ÷ NumPy RK4 |")
    print("|---:|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        vs = "—" if r["vs"] is None else f"{r['vs']:.2f}×"
        print(
            f"| {r['n']} | {r['impl']} | {r['method']} | {fmt(r['sps'])} | {fmt(r['eps'])} | "
            f"{fmt(r['us'])} | {r['ratio']:.2f} | {vs} |"
        )
    print()
    print(f"Same integration over [0, {ARGS.t_end:g}] (attractor Dopri5 vs SciPy solve_ivp RK45, same tolerances):")
    print()
    print("| n | attractor ms | steps | evals | SciPy ms | steps | nfev | SciPy ÷ attractor (wall) | max abs Δx(T) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in span_rows:
        print(
            f"| {s['n']} | {fmt(s['rs_ms'])} | {s['rs_steps']} | {s['rs_nfev']} | {fmt(s['sp_ms'])} | "
            f"{s['sp_steps']} | {s['sp_nfev']} | {s['speedup']:.2f}× | {s['d']:.1e} |"
        )
    print()
    print("Where an evaluation's time goes (attractor):")
    print()
    print("\n".join(notes))
    print()
    print("Checks (same system, same answer):")
    print()
    ok = True
    for n, d_rk4, d_T, scale, status in checks:
        # Loose: the two adaptive methods take different steps, so they agree only to about
        # the tolerance times the error growth over the span.
        good = d_rk4 <= 1e-10 * (1 + scale) and d_T <= 1e-3 * (1 + scale) and status == 0
        ok &= good
        print(
            f"- n = {n}: RK4 after {meta['check_steps']} steps, max |x_attractor − x_NumPy| = {d_rk4:.1e}; "
            f"Dopri5 vs RK45 at T: {d_T:.1e} (max |x(T)| = {scale:.2f}, SciPy status {status}) "
            f"{'OK' if good else 'MISMATCH'}"
        )
    print()
    busy1 = busy_cpu_seconds()
    if busy0 is not None and busy1 is not None:
        wall = time.perf_counter() - t_start
        others = max(0.0, (busy1 - busy0) - (own_cpu_seconds() - own0)) / wall
        print(
            f"Other processes used {others:.2f} of {os.cpu_count()} cores on average during the run"
            + (
                " — the numbers are skewed (NumPy's multithreaded BLAS most): rerun on an idle machine."
                if others > 0.1
                else " (idle machine)."
            )
        )
    print(f"total benchmark time: {time.perf_counter() - t_start:.0f} s", file=sys.stderr)
    if not ok:
        sys.exit("error: attractor and NumPy/SciPy disagree on the final states (see the checks above)")


if __name__ == "__main__":
    main()
