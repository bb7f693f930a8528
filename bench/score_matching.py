#!/usr/bin/env python3
"""Denoising score matching of a 2-D Gaussian mixture and of the 8x8 digits (issue 21): wall
time of training and of Langevin sampling, attractor against the same model written in
PyTorch on the CPU, in the same run on the same data.

Data (the same array is handed to both):
- mixture: n = --n-mixture (5000) points from 3 equally weighted isotropic Gaussians with
  standard deviation 0.3 and means on the circle of radius 2 (angles 0, 120, 240 degrees),
  drawn with NumPy's default_rng(--seed);
- digits: scikit-learn's 8x8 digits (1797 x 64, pixel values 0..16) divided by 16, so every
  pixel lies in [0, 1] (read from ../shared/data/digits/digits_X_uint8.npy, or from
  sklearn.datasets.load_digits when that file is missing).

Model, the same for both: E(x) = sum_k a_k softplus(w_k.x + b_k) + |x|^2 / (2 s^2), H hidden
units, s = --scale (3), initialised w_k ~ N(0, I/d), b_k ~ N(0, 1), a_k ~ N(0, 1/H) (the same
distribution, not the same draws), float64. Training: the sigma^2-weighted denoising
score-matching loss 1/2 |sigma grad_x E(x + sigma z) - z|^2 (z ~ N(0, I)) averaged over
minibatches of 128 in a fresh shuffle every epoch (the last minibatch shorter), Adam
(lr --lr, betas 0.9/0.999, eps 1e-8, no weight decay), 50 epochs. Sampling: the unadjusted
Langevin algorithm x <- x - h grad_x E(x) + sqrt(2h) z at T = 1 from x0 ~ N(0, I).

- attractor: the Rust program `score_matching` (crates/attractor-bench; built here with cargo
  when missing): EnergyNetwork + ScoreMatchingTrainer (closed-form parameter gradients of the
  score) and LangevinSampler (one chain per column; Par::Seq with --threads 1).
- PyTorch: autograd, as users write it: grad_x E with torch.autograd.grad(create_graph=True)
  inside the loss, loss.backward(), torch.optim.Adam; sampling with torch.autograd.grad of
  E(x).sum() (parameters frozen) on all chains as one batch. torch.set_num_threads(--threads).
  An untimed warm-up (one minibatch, two Langevin steps) precedes the timed run.

"loss" is the DSM loss of the trained model on the whole data set, averaged over
--loss-draws (10) noise draws (each implementation with its own draws), to show that both
reach the same fit; "loss at init" the same for the initial model.

PyTorch is installed with pip when missing: first the CPU-only wheel from
download.pytorch.org/whl/cpu, then (if that host cannot be reached) PyPI's default wheel,
which pulls about 5 GB of CUDA packages that the CPU run does not use.

Usage (from anywhere in the repository):

    python3 bench/score_matching.py [--datasets mixture digits] [--threads 1] [--repeat 1]
        [--torch-f32] [--quick]
    python3 bench/score_matching.py --threads 1 0       # also every core for both
"""

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import set_threads

ROOT = Path(__file__).resolve().parent.parent
EXE = ROOT / "target" / "release" / "score_matching"

# per data set: hidden, epochs, batch, sigma, lr, scale, chains, steps, step
CONFIGS = {
    "mixture": dict(hidden=64, epochs=50, batch=128, sigma=0.1, lr=0.01, scale=3.0, chains=5000, steps=1000, step=0.01),
    "digits": dict(hidden=256, epochs=50, batch=128, sigma=0.1, lr=0.01, scale=3.0, chains=1000, steps=500, step=0.002),
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", nargs="+", default=["mixture", "digits"], choices=list(CONFIGS))
    p.add_argument("--threads", type=int, nargs="+", default=[1], help="thread counts, one row pair each (0 = all cores; default 1)")
    p.add_argument("--repeat", type=int, default=1, help="timed runs of each; the median is reported (default 1)")
    p.add_argument("--n-mixture", type=int, default=5000, help="mixture points (default 5000)")
    p.add_argument("--digits", default=str(ROOT.parent / "shared" / "data" / "digits" / "digits_X_uint8.npy"))
    p.add_argument("--loss-draws", type=int, default=10, help="noise draws of the final loss on the data (default 10)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--torch-f32", action="store_true", help="also time PyTorch in float32 (its usual dtype)")
    p.add_argument("--quick", action="store_true", help="5 epochs, 1/10 of the chains and steps")
    p.add_argument("--no-install", action="store_true", help="do not pip-install PyTorch when missing")
    for k in ("hidden", "epochs", "batch", "sigma", "lr", "scale", "chains", "steps", "step"):
        p.add_argument(f"--{k}", type=float if k in ("sigma", "lr", "scale", "step") else int, default=None,
                       help=f"override the {k} of every data set")
    return p.parse_args()


ARGS = parse_args()
# the thread variables must be set before NumPy / PyTorch load their pools; the per-row count
# is then set with torch.set_num_threads and the Rust program's --threads
set_threads(max(ARGS.threads) if 0 not in ARGS.threads else 0)


def install_torch():
    if importlib.util.find_spec("torch") is not None or ARGS.no_install:
        return
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    print("$ pip install torch --index-url https://download.pytorch.org/whl/cpu", file=sys.stderr)
    r = subprocess.run([*pip, "torch", "--index-url", "https://download.pytorch.org/whl/cpu"], check=False)
    if r.returncode != 0:
        print("(the CPU-only index is unreachable) $ pip install torch   # PyPI: ~5 GB with CUDA packages",
              file=sys.stderr)
        subprocess.run([*pip, "torch"], check=False)
    importlib.invalidate_caches()


install_torch()

import numpy as np  # noqa: E402


# ---------------------------------------------------------------- data


def mixture(n, seed):
    rng = np.random.default_rng(seed)
    ang = 2 * np.pi * np.arange(3) / 3
    means = 2.0 * np.stack([np.cos(ang), np.sin(ang)], axis=1)
    comp = rng.integers(0, 3, size=n)
    return means[comp] + 0.3 * rng.standard_normal((n, 2))


def digits(path):
    if Path(path).exists():
        x = np.load(path)
    else:
        from sklearn.datasets import load_digits

        x = load_digits().data
    return np.ascontiguousarray(x, dtype=np.float64) / 16.0


# ---------------------------------------------------------------- attractor


def run_attractor(npy, cfg, threads):
    if not EXE.exists():
        print("$ cargo build --release -p attractor-bench --bin score_matching", file=sys.stderr)
        subprocess.run(["cargo", "build", "--release", "-p", "attractor-bench", "--bin", "score_matching"],
                       cwd=ROOT, check=True)
    cmd = [str(EXE), "--data", str(npy), "--threads", str(threads), "--seed", str(ARGS.seed),
           "--loss-draws", str(ARGS.loss_draws)]
    for k, v in cfg.items():
        cmd += [f"--{k}", str(v)]
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads or os.cpu_count()))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    r = json.loads(out.strip().splitlines()[-1])
    return {"train_s": r["train_s"], "sample_s": r["sample_s"], "loss_init": r["loss_init"], "loss": r["loss"],
            "mean_norm": r["sample_mean_norm"]}


# ---------------------------------------------------------------- PyTorch


def run_torch(x_np, cfg, threads, dtype_name):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads or os.cpu_count())
    dtype = getattr(torch, dtype_name)
    torch.manual_seed(ARGS.seed)
    x = torch.tensor(x_np, dtype=dtype)
    n, d = x.shape
    H, sigma, inv_s2 = cfg["hidden"], cfg["sigma"], 1.0 / cfg["scale"] ** 2

    def init():
        W = (torch.randn(H, d, dtype=dtype) / d ** 0.5).requires_grad_()
        b = torch.randn(H, dtype=dtype).requires_grad_()
        a = (torch.randn(H, dtype=dtype) / H ** 0.5).requires_grad_()
        return [W, b, a]

    def energy(p, xs):
        W, b, a = p
        return F.softplus(xs @ W.T + b) @ a + 0.5 * inv_s2 * (xs * xs).sum(1)

    def dsm_loss(p, xb, create_graph=True):
        z = torch.randn_like(xb)
        xt = (xb + sigma * z).requires_grad_(True)
        (g,) = torch.autograd.grad(energy(p, xt).sum(), xt, create_graph=create_graph)
        return 0.5 * ((sigma * g - z) ** 2).sum(1).mean()

    def loss_on_data(p):
        tot = 0.0
        for _ in range(ARGS.loss_draws):
            for s in range(0, n, 1024):
                xb = x[s:s + 1024]
                tot += dsm_loss(p, xb, create_graph=False).item() * len(xb)
        return tot / (n * ARGS.loss_draws)

    def train(p, epochs):
        opt = torch.optim.Adam(p, lr=cfg["lr"])
        B = cfg["batch"]
        for _ in range(epochs):
            perm = torch.randperm(n)
            for s in range(0, n, B):
                loss = dsm_loss(p, x[perm[s:s + B]])
                opt.zero_grad()
                loss.backward()
                opt.step()

    def sample(p, chains, steps):
        for t in p:
            t.requires_grad_(False)
        h = cfg["step"]
        c = (2 * h) ** 0.5
        xs = torch.randn(chains, d, dtype=dtype)
        for _ in range(steps):
            xs.requires_grad_(True)
            (g,) = torch.autograd.grad(energy(p, xs).sum(), xs)
            with torch.no_grad():
                xs = xs - h * g + c * torch.randn_like(xs)
        return xs

    # untimed warm-up: one minibatch, two Langevin steps
    w = init()
    opt = torch.optim.Adam(w, lr=cfg["lr"])
    loss = dsm_loss(w, x[: cfg["batch"]])
    opt.zero_grad()
    loss.backward()
    opt.step()
    sample(w, cfg["chains"], 2)

    p = init()
    loss_init = loss_on_data(p)
    t0 = time.perf_counter()
    train(p, cfg["epochs"])
    train_s = time.perf_counter() - t0
    loss = loss_on_data(p)
    t0 = time.perf_counter()
    xs = sample(p, cfg["chains"], cfg["steps"])
    sample_s = time.perf_counter() - t0
    if not torch.isfinite(xs).all():
        raise RuntimeError("PyTorch chains left the finite numbers: lower --step")
    return {"train_s": train_s, "sample_s": sample_s, "loss_init": loss_init, "loss": loss,
            "mean_norm": float(xs.mean(0).norm())}


# ---------------------------------------------------------------- report


def machine_line():
    model = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores (load average {os.getloadavg()[0]:.2f})"


def median_run(fn):
    runs = [fn() for _ in range(ARGS.repeat)]
    out = dict(runs[0])
    for k in ("train_s", "sample_s"):
        out[k] = statistics.median(r[k] for r in runs)
    return out


def main():
    try:
        import torch
    except ImportError:
        sys.exit("PyTorch is missing (pip install torch, or run without --no-install)")
    print(f"machine: {machine_line()}; Python {platform.python_version()}, NumPy {np.__version__}, "
          f"PyTorch {torch.__version__} ({torch.backends.cpu.get_cpu_capability()})")
    rows, data_means = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ARGS.datasets:
            x = mixture(ARGS.n_mixture, ARGS.seed) if name == "mixture" else digits(ARGS.digits)
            cfg = dict(CONFIGS[name])
            for k in cfg:
                if getattr(ARGS, k) is not None:
                    cfg[k] = getattr(ARGS, k)
            if ARGS.quick:
                cfg.update(epochs=5, chains=max(1, cfg["chains"] // 10), steps=max(1, cfg["steps"] // 10))
            data_means[name] = float(np.linalg.norm(x.mean(0)))
            npy = Path(tmp) / f"{name}.npy"
            np.save(npy, x)
            print(f"{name}: n = {x.shape[0]}, d = {x.shape[1]}, " + ", ".join(f"{k} {v}" for k, v in cfg.items()),
                  file=sys.stderr)
            for threads in ARGS.threads:
                impls = [("attractor", lambda: run_attractor(npy, cfg, threads)),
                         ("PyTorch f64", lambda: run_torch(x, cfg, threads, "float64"))]
                if ARGS.torch_f32:
                    impls.append(("PyTorch f32", lambda: run_torch(x, cfg, threads, "float32")))
                for impl, fn in impls:
                    print(f"  {threads or 'all'} thread(s): {impl} ... (load {os.getloadavg()[0]:.2f})", file=sys.stderr)
                    r = median_run(fn)
                    print(f"    train {r['train_s']:.2f} s, sample {r['sample_s']:.2f} s, loss {r['loss']:.4f}",
                          file=sys.stderr)
                    rows.append({"data": name, "n": x.shape[0], "d": x.shape[1], "threads": threads, "impl": impl,
                                 **cfg, **r})

    print("\n| data | threads | implementation | train (s) | train time / attractor's | sample (s) | "
          "sample time / attractor's | DSM loss at init | DSM loss trained | abs(mean of samples) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ref = next(q for q in rows if q["data"] == r["data"] and q["threads"] == r["threads"] and q["impl"] == "attractor")
        tr = r["train_s"] / ref["train_s"]
        sa = r["sample_s"] / ref["sample_s"]
        label = (f"{r['data']} (n {r['n']}, d {r['d']}, H {r['hidden']}; {r['epochs']} ep.; "
                 f"{r['chains']} x {r['steps']} steps)")
        print(f"| {label} | {r['threads'] or 'all'} | {r['impl']} | {r['train_s']:.2f} | {tr:.2f}x | "
              f"{r['sample_s']:.2f} | {sa:.2f}x | {r['loss_init']:.4f} | {r['loss']:.4f} | {r['mean_norm']:.3f} |")
    print("\n(abs(mean) of the data: " + ", ".join(f"{k} {v:.3f}" for k, v in data_means.items()) +
          f"; load average at the end {os.getloadavg()[0]:.2f})")

if __name__ == "__main__":
    main()
