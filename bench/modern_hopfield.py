#!/usr/bin/env python3
"""Side-by-side benchmark of batched modern-Hopfield retrieval  R = X softmax(beta X^T Q).

Stores the 60,000 MNIST training images (X: 784 x 60000, pixels / 255) and retrieves the
10,000 test images (Q: 784 x 10000) in one update. Runs the Rust program
`modern_hopfield` in crates/attractor-bench (attractor, faer matrix products, blocks of queries), which also
measures faer's matrix-product peak and classical Hopfield asynchronous sweeps at N = 4096;
then, in the same run on the same machine and the same data, the same computation in NumPy
(float64, same block size; PyTorch too if it is installed), checks that the results agree,
and prints a markdown table.

Usage (from anywhere in the repository):

    python3 bench/modern_hopfield.py [--mnist ../shared/data/mnist] [--stored 60000]
        [--queries 10000] [--beta 0.05] [--block 2048] [--threads 0] [--reps 1]
"""

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).resolve().parent.parent
    p.add_argument("--mnist", default=str(root.parent / "shared" / "data" / "mnist"), help="folder with the MNIST IDX .gz files")
    p.add_argument("--stored", type=int, default=60000, help="stored training images (default 60000)")
    p.add_argument("--queries", type=int, default=10000, help="test-image queries (default 10000)")
    p.add_argument("--beta", type=float, default=0.05, help="inverse temperature (default 0.05)")
    p.add_argument("--block", type=int, default=2048, help="queries per block (default 2048)")
    p.add_argument("--threads", type=int, default=0, help="threads for both (0 = all cores)")
    p.add_argument("--reps", type=int, default=1, help="timed runs of each implementation, best kept (default 1)")
    return p.parse_args()


ARGS = parse_args()
NTHREADS = ARGS.threads or os.cpu_count() or 1
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[var] = str(NTHREADS)
import numpy as np  # noqa: E402  (after the thread variables)

ROOT = Path(__file__).resolve().parent.parent


def idx_images(path, count):
    b = gzip.open(path).read()
    n, h, w = (int.from_bytes(b[4 + 4 * i: 8 + 4 * i], "big") for i in range(3))
    a = np.frombuffer(b, dtype=np.uint8, offset=16).reshape(n, h * w)[:count]
    return a.astype(np.float64) / 255.0


def softmax_cols(s):
    s -= s.max(axis=0, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=0, keepdims=True)
    return s


def numpy_retrieve(x, q, beta, block):
    out = np.empty_like(q)
    for start in range(0, q.shape[1], block):
        qb = q[:, start:start + block]
        s = beta * (x.T @ qb)
        out[:, start:start + block] = x @ softmax_cols(s)
    return out


def torch_retrieve(torch, x, q, beta, block):
    out = torch.empty_like(q)
    for start in range(0, q.shape[1], block):
        s = torch.softmax(beta * (x.T @ q[:, start:start + block]), dim=0)
        out[:, start:start + block] = x @ s
    return out


def main():
    mnist = Path(ARGS.mnist)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            "cargo", "run", "--quiet", "--release", "-p", "attractor-bench", "--bin", "modern_hopfield", "--",
            "--mnist", str(mnist), "--stored", str(ARGS.stored), "--queries", str(ARGS.queries),
            "--beta", str(ARGS.beta), "--block", str(ARGS.block), "--threads", str(NTHREADS), "--reps", str(ARGS.reps), "--dump", tmp,
        ]
        print("$", " ".join(cmd), file=sys.stderr)
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        sys.stderr.write(res.stderr)
        if res.returncode != 0:
            sys.exit(f"the Rust benchmark failed (exit {res.returncode})")
        rows = [json.loads(l) for l in res.stdout.splitlines() if l.startswith("{")]
        rust_out = np.load(Path(tmp) / "rust_out.npy")

    modern = next(r for r in rows if r["kind"] == "modern")
    x = idx_images(mnist / "train-images-idx3-ubyte.gz", ARGS.stored).T.copy()  # 784 x K
    q = idx_images(mnist / "t10k-images-idx3-ubyte.gz", ARGS.queries).T.copy()  # 784 x B
    n, k = x.shape
    b = q.shape[1]
    flops = 4.0 * n * k * b

    # NumPy matmul peak (2048^3) in the same run
    a = np.random.default_rng(0).random((2048, 2048))

    def np_peak_now():
        best = float("inf")
        for _ in range(4):
            t = time.perf_counter()
            a @ a
            best = min(best, time.perf_counter() - t)
        return 2 * 2048**3 / best / 1e9

    np_peak = np_peak_now()

    np_secs = float("inf")
    for _ in range(max(1, ARGS.reps)):
        t = time.perf_counter()
        out = numpy_retrieve(x, q, ARGS.beta, ARGS.block)
        np_secs = min(np_secs, time.perf_counter() - t)
    np_peak = max(np_peak, np_peak_now())  # before and after, like the Rust side
    diff = float(np.abs(out[:, : rust_out.shape[1]] - rust_out).max())

    results = [
        ("attractor (Rust, faer)", modern["seconds"], modern["gflops"], modern["peak_gflops"]),
        (f"NumPy {np.__version__}", np_secs, flops / np_secs / 1e9, np_peak),
    ]
    try:
        import torch

        torch.set_num_threads(NTHREADS)
        xt, qt = torch.from_numpy(x), torch.from_numpy(q)
        t = time.perf_counter()
        torch_retrieve(torch, xt, qt, ARGS.beta, ARGS.block)
        tt = time.perf_counter() - t
        results.append((f"PyTorch {torch.__version__}", tt, flops / tt / 1e9, float("nan")))
    except ImportError:
        pass

    print(f"\nModern Hopfield retrieval, X = {n} x {k} (MNIST train / 255), {b} queries (MNIST test), "
          f"beta = {ARGS.beta}, block {ARGS.block}, float64, {NTHREADS} thread(s); "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}; "
          f"max |R_numpy - R_rust| on the first {rust_out.shape[1]} queries = {diff:.2e}\n")
    print("| implementation | seconds | queries/s | GFLOP/s | matmul peak GFLOP/s (same run) | % of own peak | speed vs NumPy |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, secs, gf, peak in results:
        pct = f"{100 * gf / peak:.0f}%" if peak == peak else "–"
        peak_s = f"{peak:.1f}" if peak == peak else "–"
        print(f"| {name} | {secs:.2f} | {b / secs:,.0f} | {gf:.1f} | {peak_s} | {pct} | {np_secs / secs:.2f}x |")
    print(f"\nfaer peak: retrieval-shaped product {modern['peak_scores_gflops']:.1f} GFLOP/s, 2048^3 {modern['peak_square_gflops']:.1f} GFLOP/s")
    print("\nClassical Hopfield, asynchronous sweeps (seeded random order, incremental local fields):\n")
    print("| N | K | start | sweeps per recall | sweeps/s (excl. initial fields) | ms per recall |")
    print("|---:|---:|---|---:|---:|---:|")
    for r in rows:
        if r["kind"] == "hopfield_async":
            start = "random state" if r["start_flip"] >= 0.5 else f"{100 * r['start_flip']:.0f}% flipped pattern"
            print(f"| {r['n']} | {r['k']} | {start} | {r['sweeps_per_recall']:.2f} | {r['sweeps_per_s']:,.0f} | {r['ms_per_recall']:.2f} |")
    if diff > 1e-8:
        sys.exit(f"results differ: max |R_numpy - R_rust| = {diff}")


if __name__ == "__main__":
    main()
