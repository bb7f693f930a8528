#!/usr/bin/env python3
"""Equilibrium propagation on MNIST (Scellier & Bengio 2017, arXiv 1602.05179; SCIENCE.md §7):
`attractor train eqprop` against a PyTorch implementation of the same algorithm, in the same
run on the same data, plus attractor's backpropagation through the relaxation (`--rule bptt`).

Network and algorithm (the same for every row):
- layers s_0 = x (the image /255, clamped), s_1 (--hidden, 500), s_2 (10 outputs);
  rho(s) = clip(s, 0, 1), states kept in [0, 1];
- E(s) = 1/2 sum_{k>=1} |s_k|^2 - sum_{k>=1} b_k . rho(s_k) - sum_k rho(s_k)^T W_k rho(s_{k+1}),
  W_0 784 x 500, W_1 500 x 10; F = E + beta * 1/2 |s_2 - y|^2 (y one-hot);
- relaxation: synchronous projected gradient steps s <- clip(s - eps dF/ds, 0, 1), eps = 0.5,
  dE/ds_k = s_k - rho'(s_k) (b_k + W_{k-1}^T rho(s_{k-1}) + W_k rho(s_{k+1})), with rho'(s) = 1
  on the closed interval [0, 1] (as Theano's clip gradient in Scellier's code: with rho'(0) = 0
  a state at 0 could never move). Since every state stays in [0, 1], rho(s) = s in the code;
- free phase: --free-steps (20) steps from the example's persistent particle (zeros at the
  start; the free state is written back); nudged phase: --nudge-steps (4) steps from the free
  state with beta = 0.5 (one-sided; attractor's extra row with --symmetric uses +-beta and 1/(2 beta));
- update, mean over the minibatch of 20: dW_k = (eta_k / beta) mean(rho(s_k^b) rho(s_{k+1}^b)^T -
  rho(s_k^0) rho(s_{k+1}^0)^T), db_k = (eta_k / beta) mean(rho(s_k^b) - rho(s_k^0)),
  eta = 0.1 for (W_0, b_1), 0.05 for (W_1, b_2); Glorot-uniform weights, zero biases;
  minibatches of 20 in a fresh shuffled order every epoch; --epochs (25) epochs;
- train error: the free-phase outputs (argmax of s_2) of the epoch's minibatches, before each
  update (as in Scellier's code); test error: argmax of s_2 after --test-steps (100) free steps
  from zeros on the 10,000 test images, after every epoch (--torch-test-particles: the PyTorch
  peer instead keeps persistent test particles and gives them --free-steps more steps after
  every epoch, as Scellier's code measures its validation error; the network is multistable,
  and the two can differ by 1-2 points in the early epochs);
- seconds per epoch: the minibatch loop only (the test evaluation is timed apart).

The PyTorch peer (`torch_eqprop` below) is written as research code writes it: plain CPU
tensors, float32 (--torch-dtype float64 for double), explicit formulas for the relaxation
and the update (no autograd), the input drive x W_0 + b_1 computed once per minibatch (it is
constant while x is clamped), persistent particles as two (N, hidden) and (N, 10) tensors.
Its initial weights and its shuffled orders come from NumPy (seed --seed), so float32 and
float64 see the same minibatches. Its thread count is torch.set_num_threads(--threads).

Ours: `target/release/attractor train eqprop ...` (built with `cargo build --release -p
attractor-cli` when missing), one line per epoch on stdout,
`epoch 3/25  train error 2.31%  test error 2.95%  11.8 s`, parsed here; `--rule bptt` with the
same flags for the backpropagation-through-the-relaxation row. RAYON_NUM_THREADS and --threads
are set to --threads. Every implementation runs alone (one after the other).

Installing PyTorch: only PyPI is reachable here, and `pip install torch` from PyPI installs the
CUDA build with its nvidia-* and triton dependency wheels (5.5 GB in a venv with NumPy and matplotlib, under two
minutes on this machine); it runs on the CPU as is (no GPU needed). That is what this script
does when torch is missing (`pip install torch`). To keep it out of the system Python:

    python3 -m venv /tmp/eqvenv && /tmp/eqvenv/bin/pip install torch numpy matplotlib
    /tmp/eqvenv/bin/python bench/eqprop_mnist.py --skip-ours --quick

Usage (from anywhere in the repository; needs ../shared/data/mnist):

    python3 bench/eqprop_mnist.py [--data ../shared/data/mnist] [--epochs 25] [--count 60000]
        [--threads 1] [--seed 1] [--symmetric] [--torch-dtype float32|float64] [--plot out.png]
        [--skip-torch] [--skip-ours] [--skip-bptt] [--quick]
    python3 bench/eqprop_mnist.py --quick       # 2000 training images, 2 epochs
"""

import argparse
import gzip
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import install_missing, read_images, set_threads

ROOT = Path(__file__).resolve().parent.parent
# the train error is absent from `--rule bptt`'s lines (no free phase during its training)
EPOCH_LINE = re.compile(r"epoch\s+(\d+)\s*/\s*(\d+)\s+(?:train error\s+([0-9.]+)\s*%\s+)?test error\s+([0-9.]+)\s*%\s+([0-9.]+)\s*s")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "mnist"), help="folder with the MNIST IDX .gz files")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default 25; 2 with --quick)")
    p.add_argument("--count", type=int, default=None, help="training examples, the first of the set (default 60000; 2000 with --quick)")
    p.add_argument("--threads", type=int, default=1, help="threads for each implementation (default 1; 0 = all cores)")
    p.add_argument("--seed", type=int, default=1, help="seed of both implementations (default 1)")
    p.add_argument("--hidden", type=int, default=500, help="hidden units (default 500)")
    p.add_argument("--batch-size", type=int, default=20, help="minibatch size (default 20)")
    p.add_argument("--beta", type=float, default=0.5, help="nudging strength (default 0.5)")
    p.add_argument("--free-steps", type=int, default=20, help="free-phase steps (default 20)")
    p.add_argument("--nudge-steps", type=int, default=4, help="nudged-phase steps (default 4)")
    p.add_argument("--epsilon", type=float, default=0.5, help="relaxation step size (default 0.5)")
    p.add_argument("--lr", default="0.1,0.05", help="learning rates of (W_0, b_1) and (W_1, b_2) (default 0.1,0.05)")
    p.add_argument("--test-steps", type=int, default=100, help="free steps from zeros for the test prediction of the PyTorch peer (default 100)")
    p.add_argument("--torch-test-particles", action="store_true",
                   help="PyTorch's test prediction as in Scellier's code instead: persistent test particles, "
                        "--free-steps more free steps after every epoch")
    p.add_argument("--symmetric", action="store_true", help="add a row: attractor EP with two nudged phases +-beta")
    p.add_argument("--torch-symmetric", action="store_true", help="let the PyTorch peer use the symmetric (+-beta) update too")
    p.add_argument("--torch-peers", default="research,explicit",
                   help="the PyTorch implementations to run, comma-separated: research (autograd of the energy at "
                        "every step, as Scellier's and Laborieux's code) and explicit (hand-written velocity with the "
                        "input drive computed once per minibatch) (default both)")
    p.add_argument("--torch-dtype", choices=("float32", "float64"), default="float32", help="PyTorch dtype (default float32)")
    p.add_argument("--plot", default=None, help="draw the learning curves (test error per epoch) into this PNG")
    p.add_argument("--skip-torch", action="store_true", help="do not run the PyTorch peer")
    p.add_argument("--skip-ours", action="store_true", help="do not run attractor")
    p.add_argument("--skip-bptt", action="store_true", help="do not run attractor's BPTT row")
    p.add_argument("--quick", action="store_true", help="a small version that checks the script: 2000 examples, 2 epochs")
    p.add_argument("--no-install", action="store_true", help="do not pip-install torch / numpy / matplotlib when missing")
    a = p.parse_args()
    for k, quick, full in (("epochs", 2, 25), ("count", 2000, 60000)):
        if getattr(a, k) is None:
            setattr(a, k, quick if a.quick else full)
    a.torch_peers = [v.strip() for v in a.torch_peers.split(",") if v.strip()]
    if any(v not in ("research", "explicit") for v in a.torch_peers):
        p.error("--torch-peers takes research and/or explicit, e.g. research,explicit")
    a.lrs = [float(v) for v in a.lr.split(",")]
    if len(a.lrs) != 2:
        p.error("--lr takes two learning rates, e.g. 0.1,0.05")
    return a


ARGS = parse_args()
NTHREADS = set_threads(ARGS.threads)
peers = {"numpy": "numpy"}
if not ARGS.skip_torch:
    peers["torch"] = "torch"
if ARGS.plot:
    peers["matplotlib"] = "matplotlib"
install_missing(peers, ARGS.no_install)

import numpy as np  # noqa: E402  (after the thread variables)


# ---------------------------------------------------------------- data


def read_labels(path, count):
    b = gzip.open(path).read()
    return np.frombuffer(b, dtype=np.uint8, offset=8)[:count].astype(np.int64)


def load_mnist(folder, count):
    folder = Path(folder)
    return (read_images(folder / "train-images-idx3-ubyte.gz", count), read_labels(folder / "train-labels-idx1-ubyte.gz", count),
            read_images(folder / "t10k-images-idx3-ubyte.gz", 10000), read_labels(folder / "t10k-labels-idx1-ubyte.gz", 10000))


# ---------------------------------------------------------------- the PyTorch peer


def torch_eqprop(xtrain, ltrain, xtest, ltest, *, hidden=500, epochs=25, batch_size=20, beta=0.5, free_steps=20,
                 nudge_steps=4, epsilon=0.5, lrs=(0.1, 0.05), symmetric=False, test_steps=100, test_particles=False,
                 seed=1, dtype="float32", threads=1, report=None):
    """Equilibrium propagation on a 784-hidden-10 layered network with plain torch tensors.
    Returns one dict per epoch: train and test error (%), seconds of the minibatch loop and of
    the test evaluation. Test prediction: argmax of s_2 after `test_steps` free steps from zeros,
    or (test_particles) after `free_steps` more free steps of persistent test particles."""
    import torch

    torch.set_num_threads(threads)
    dt = getattr(torch, dtype)
    rng = np.random.default_rng(seed)
    n, n_in = xtrain.shape

    def glorot(fan_in, fan_out):
        a = np.sqrt(6.0 / (fan_in + fan_out))
        return torch.tensor(rng.uniform(-a, a, size=(fan_in, fan_out)), dtype=dt)

    W0, W1 = glorot(n_in, hidden), glorot(hidden, 10)
    b1, b2 = torch.zeros(hidden, dtype=dt), torch.zeros(10, dtype=dt)
    X = torch.tensor(xtrain, dtype=dt)
    L = torch.from_numpy(ltrain)
    Y = torch.nn.functional.one_hot(L, 10).to(dt)
    Xt, Lt = torch.tensor(xtest, dtype=dt), torch.from_numpy(ltest)
    H_p = torch.zeros(n, hidden, dtype=dt)  # persistent particles
    O_p = torch.zeros(n, 10, dtype=dt)
    Ht_p = torch.zeros(Xt.shape[0], hidden, dtype=dt)  # test particles (test_particles only)
    Ot_p = torch.zeros(Xt.shape[0], 10, dtype=dt)
    eta0, eta1 = lrs

    def relax(h, o, drive, steps, b=0.0, y=None):
        # s <- clip(s - eps dF/ds, 0, 1), both layers from the old state (synchronous)
        for _ in range(steps):
            gh = h - (drive + o @ W1.T)
            go = o - (h @ W1 + b2)
            if b:
                go = go + b * (o - y)
            h = (h - epsilon * gh).clamp_(0.0, 1.0)
            o = (o - epsilon * go).clamp_(0.0, 1.0)
        return h, o

    def test_error():
        wrong = 0
        for i in range(0, Xt.shape[0], 1000):
            x = Xt[i:i + 1000]
            if test_particles:
                h, o = relax(Ht_p[i:i + 1000], Ot_p[i:i + 1000], x @ W0 + b1, free_steps)
                Ht_p[i:i + 1000], Ot_p[i:i + 1000] = h, o
            else:
                h = torch.zeros(x.shape[0], hidden, dtype=dt)
                o = torch.zeros(x.shape[0], 10, dtype=dt)
                h, o = relax(h, o, x @ W0 + b1, test_steps)
            wrong += int((o.argmax(1) != Lt[i:i + 1000]).sum())
        return 100.0 * wrong / Xt.shape[0]

    order_rng = np.random.RandomState(seed)
    history = []
    with torch.no_grad():
        for epoch in range(1, epochs + 1):
            order = torch.from_numpy(order_rng.permutation(n))
            wrong = 0
            t0 = time.perf_counter()
            for i in range(0, n, batch_size):
                idx = order[i:i + batch_size]
                x, y, m = X[idx], Y[idx], idx.shape[0]
                drive = x @ W0 + b1
                # free phase from the persistent particles
                h0, o0 = relax(H_p[idx], O_p[idx], drive, free_steps)
                H_p[idx], O_p[idx] = h0, o0
                wrong += int((o0.argmax(1) != L[idx]).sum())
                # nudged phase(s) from the free state
                hp, op = relax(h0, o0, drive, nudge_steps, beta, y)
                if symmetric:
                    hm, om = relax(h0, o0, drive, nudge_steps, -beta, y)
                    c = 1.0 / (2.0 * beta * m)
                else:
                    hm, om = h0, o0
                    c = 1.0 / (beta * m)
                dh = hp - hm
                W0 += (eta0 * c) * (x.T @ dh)  # x is clamped: rho(x) rho(h+)^T - rho(x) rho(h-)^T = x^T (h+ - h-)
                b1 += (eta0 * c) * dh.sum(0)
                W1 += (eta1 * c) * (hp.T @ op - hm.T @ om)
                b2 += (eta1 * c) * (op - om).sum(0)
            t_train = time.perf_counter() - t0
            t0 = time.perf_counter()
            terr = test_error()
            t_test = time.perf_counter() - t0
            row = {"epoch": epoch, "train": 100.0 * wrong / n, "test": terr, "secs": t_train, "test_secs": t_test}
            history.append(row)
            if report:
                report(row)
    return history


def torch_eqprop_autograd(xtrain, ltrain, xtest, ltest, *, hidden=500, epochs=25, batch_size=20, beta=0.5,
                          free_steps=20, nudge_steps=4, epsilon=0.5, lrs=(0.1, 0.05), symmetric=False, test_steps=100,
                          seed=1, dtype="float32", threads=1, report=None):
    """The same algorithm as research code writes it (Scellier's Theano code, arXiv 1602.05179, and the
    PyTorch code of Laborieux et al. 2021, arXiv 2006.03824, have this shape): the state's velocity is the
    automatic gradient of the total energy F = E + beta C, the whole energy (its input term rho(x) W_0
    rho(s_1) included) evaluated again at every step, and the update is the automatic gradient with
    respect to the parameters of (E(s^beta) - E(s^0)) / beta. Same initial weights, orders, particles and
    test protocol (`test_steps` free steps from zeros) as `torch_eqprop`. Returns one dict per epoch."""
    import torch

    torch.set_num_threads(threads)
    dt = getattr(torch, dtype)
    rng = np.random.default_rng(seed)
    n, n_in = xtrain.shape

    def glorot(fan_in, fan_out):
        a = np.sqrt(6.0 / (fan_in + fan_out))
        return torch.tensor(rng.uniform(-a, a, size=(fan_in, fan_out)), dtype=dt)

    params = [glorot(n_in, hidden), torch.zeros(hidden, dtype=dt), glorot(hidden, 10), torch.zeros(10, dtype=dt)]
    for p in params:
        p.requires_grad_(True)
    W0, b1, W1, b2 = params
    X = torch.tensor(xtrain, dtype=dt)
    L = torch.from_numpy(ltrain)
    Y = torch.nn.functional.one_hot(L, 10).to(dt)
    Xt, Lt = torch.tensor(xtest, dtype=dt), torch.from_numpy(ltest)
    H_p = torch.zeros(n, hidden, dtype=dt)
    O_p = torch.zeros(n, 10, dtype=dt)
    eta = [lrs[0], lrs[0], lrs[1], lrs[1]]
    # rho = clip(s, 0, 1) with the derivative 1 on the closed interval [0, 1], as Theano's clip (torch's clamp
    # has derivative 0 at 0 and 1, where a state could never leave 0); every state stays in [0, 1]
    rho = lambda s: s - (s - s.clamp(0.0, 1.0)).detach()  # noqa: E731

    def energy(x, h, o):
        # per example: 1/2 |s|^2 - b . rho(s) - rho(x)^T W_0 rho(h) - rho(h)^T W_1 rho(o)
        rh, ro = rho(h), rho(o)
        return (0.5 * (rh * rh).sum(1) + 0.5 * (ro * ro).sum(1) - rh @ b1 - ro @ b2
                - ((rho(x) @ W0) * rh).sum(1) - ((rh @ W1) * ro).sum(1))

    def relax(x, h, o, steps, b=0.0, y=None):
        for _ in range(steps):
            h = h.detach().requires_grad_(True)
            o = o.detach().requires_grad_(True)
            f = energy(x, h, o)
            if b:
                f = f + b * 0.5 * ((o - y) ** 2).sum(1)
            gh, go = torch.autograd.grad(f.sum(), [h, o])
            with torch.no_grad():
                h = (h - epsilon * gh).clamp(0.0, 1.0)
                o = (o - epsilon * go).clamp(0.0, 1.0)
        return h.detach(), o.detach()

    def test_error():
        wrong = 0
        with torch.no_grad():
            for i in range(0, Xt.shape[0], 1000):
                x = Xt[i:i + 1000]
                h = torch.zeros(x.shape[0], hidden, dtype=dt)
                o = torch.zeros(x.shape[0], 10, dtype=dt)
                for _ in range(test_steps):  # explicit steps: the evaluation is not what is timed
                    gh = h - (x @ W0 + b1 + o @ W1.T)
                    go = o - (h @ W1 + b2)
                    h, o = (h - epsilon * gh).clamp(0.0, 1.0), (o - epsilon * go).clamp(0.0, 1.0)
                wrong += int((o.argmax(1) != Lt[i:i + 1000]).sum())
        return 100.0 * wrong / Xt.shape[0]

    order_rng = np.random.RandomState(seed)
    history = []
    for epoch in range(1, epochs + 1):
        order = torch.from_numpy(order_rng.permutation(n))
        wrong = 0
        t0 = time.perf_counter()
        for i in range(0, n, batch_size):
            idx = order[i:i + batch_size]
            x, y = X[idx], Y[idx]
            h0, o0 = relax(x, H_p[idx], O_p[idx], free_steps)
            H_p[idx], O_p[idx] = h0, o0
            wrong += int((o0.argmax(1) != L[idx]).sum())
            hp, op = relax(x, h0, o0, nudge_steps, beta, y)
            if symmetric:
                hm, om = relax(x, h0, o0, nudge_steps, -beta, y)
                scale = 2.0 * beta
            else:
                hm, om, scale = h0, o0, beta
            delta = (energy(x, hp, op).mean() - energy(x, hm, om).mean()) / scale
            grads = torch.autograd.grad(delta, params)
            with torch.no_grad():
                for p, g, e in zip(params, grads, eta):
                    p -= e * g
        t_train = time.perf_counter() - t0
        t0 = time.perf_counter()
        terr = test_error()
        t_test = time.perf_counter() - t0
        row = {"epoch": epoch, "train": 100.0 * wrong / n, "test": terr, "secs": t_train, "test_secs": t_test}
        history.append(row)
        if report:
            report(row)
    return history


# ---------------------------------------------------------------- ours (the CLI)


def attractor_exe():
    exe = ROOT / "target" / "release" / "attractor"
    if not exe.exists():
        print("$ cargo build --release -p attractor-cli", file=sys.stderr)
        subprocess.run(["cargo", "build", "--release", "-p", "attractor-cli"], cwd=ROOT, check=False)
    return exe


def run_ours(rule, symmetric, label):
    """Run `attractor train eqprop` and parse its per-epoch lines; None when it fails."""
    exe = attractor_exe()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(exe), "train", "eqprop", "--data", str(ARGS.data), "--hidden", str(ARGS.hidden),
               "--epochs", str(ARGS.epochs), "--batch-size", str(ARGS.batch_size), "--beta", repr(ARGS.beta),
               "--free-steps", str(ARGS.free_steps), "--nudge-steps", str(ARGS.nudge_steps),
               "--epsilon", repr(ARGS.epsilon), "--lr", ARGS.lr, "--seed", str(ARGS.seed),
               "--threads", str(ARGS.threads), "--count", str(ARGS.count), "--out", os.path.join(tmp, "model.safetensors")]
        if symmetric:
            cmd.append("--symmetric")
        if rule:
            cmd += ["--rule", rule]
        print("$ " + " ".join(cmd), file=sys.stderr)
        history = []
        try:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        except OSError as e:
            print(f"{label}: cannot start {exe}: {e}", file=sys.stderr)
            return None
        for line in proc.stdout:
            m = EPOCH_LINE.search(line)
            if m:
                history.append({"epoch": int(m[1]), "train": float(m[3]) if m[3] else None, "test": float(m[4]), "secs": float(m[5])})
                print(f"{label}: {line.rstrip()}", file=sys.stderr)
        rc = proc.wait()
    if rc != 0 or not history:
        print(f"{label}: the command failed (exit {rc}, {len(history)} epoch line(s) parsed)", file=sys.stderr)
        return None
    return history


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
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{model}, {os.cpu_count()} cores (load average {load:.2f} at start)"


def versions():
    out = [f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    if not ARGS.skip_torch:
        try:
            import torch

            out.append(f"PyTorch {torch.__version__}")
        except ImportError:
            out.append("PyTorch missing")
    return ", ".join(out)


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for name, hist in results.items():
        ax.plot([r["epoch"] for r in hist], [r["test"] for r in hist], marker="o", ms=3, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("test error (%)")
    ax.set_title(f"EP on MNIST, 784-{ARGS.hidden}-10, {ARGS.count} training examples")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"learning curves written to {path}")


def main():
    xtrain, ltrain, xtest, ltest = load_mnist(ARGS.data, ARGS.count)
    print(f"EP on MNIST: {xtrain.shape[0]} training examples, 784-{ARGS.hidden}-10, rho = clip(s, 0, 1), "
          f"beta {ARGS.beta:g}, {ARGS.free_steps} free / {ARGS.nudge_steps} nudged steps, eps {ARGS.epsilon:g}, "
          f"lr {ARGS.lr}, minibatch {ARGS.batch_size}, {ARGS.epochs} epoch(s), seed {ARGS.seed}; "
          f"{NTHREADS} thread(s) each, one implementation at a time")
    print(f"machine: {machine_line()}; {versions()}")

    results = {}  # name -> per-epoch history
    if not ARGS.skip_ours:
        runs = [("attractor EP", None, False)]
        if ARGS.symmetric:
            runs.append(("attractor EP symmetric", None, True))
        if not ARGS.skip_bptt:
            runs.append(("attractor BPTT", "bptt", False))
        for name, rule, sym in runs:
            h = run_ours(rule, sym, name)
            if h:
                results[name] = h
    torch_names = []  # the PyTorch rows, in the order of the ratio columns
    if not ARGS.skip_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            sys.exit("PyTorch is missing (pip install torch, or run with --skip-torch)")
        sym = " symmetric" if ARGS.torch_symmetric else ""
        peers = {
            "research": (f"PyTorch EP{sym}, research code ({ARGS.torch_dtype})", torch_eqprop_autograd, {}),
            "explicit": (f"PyTorch EP{sym}, explicit and hoisted ({ARGS.torch_dtype})", torch_eqprop,
                         {"test_particles": ARGS.torch_test_particles}),
        }
        for key in ARGS.torch_peers:
            name, fn, extra = peers[key]

            def report(r, name=name):
                print(f"{name}: epoch {r['epoch']}/{ARGS.epochs}  train error {r['train']:.2f}%  test error "
                      f"{r['test']:.2f}%  {r['secs']:.1f} s (test evaluation {r['test_secs']:.1f} s)", file=sys.stderr)

            results[name] = fn(
                xtrain, ltrain, xtest, ltest, hidden=ARGS.hidden, epochs=ARGS.epochs, batch_size=ARGS.batch_size,
                beta=ARGS.beta, free_steps=ARGS.free_steps, nudge_steps=ARGS.nudge_steps, epsilon=ARGS.epsilon,
                lrs=ARGS.lrs, symmetric=ARGS.torch_symmetric, test_steps=ARGS.test_steps, seed=ARGS.seed,
                dtype=ARGS.torch_dtype, threads=NTHREADS, report=report, **extra)
            torch_names.append(name)
    if not results:
        sys.exit("nothing ran")

    med = {name: statistics.median(r["secs"] for r in hist) for name, hist in results.items()}
    heads = "".join(f" {t} s/epoch / s/epoch |" for t in torch_names)
    print(f"\n| method | epochs | train error (last) | test error (last) | best test error | s/epoch (median) |{heads}")
    print("|---|---:|---:|---:|---:|---:|" + "---:|" * len(torch_names))
    for name, hist in results.items():
        last = hist[-1]
        ratios = "".join(f" **{med[t] / med[name]:.2f}x** |" if name not in torch_names else " |" for t in torch_names)
        train = "-" if last["train"] is None else f"{last['train']:.2f}%"
        print(f"| {name} | {len(hist)} | {train} | {last['test']:.2f}% | {min(r['test'] for r in hist):.2f}% | "
              f"{med[name]:.2f} |{ratios}")
    if torch_names:
        how = (f"{ARGS.free_steps} more free steps of persistent test particles (hoisted peer)"
               if ARGS.torch_test_particles else f"{ARGS.test_steps} free steps from zeros")
        print(f"\n(s/epoch: the minibatch loop only; PyTorch's test evaluation ({how} on 10,000 images) is "
              f"timed apart; a ratio above 1 means attractor is faster)")

    names = list(results)
    print("\nTest error (%) after each epoch:\n")
    print("| epoch | " + " | ".join(names) + " |")
    print("|---:|" + "---:|" * len(names))
    for e in range(1, max(len(h) for h in results.values()) + 1):
        cells = [f"{h[e - 1]['test']:.2f}" if e <= len(h) else "" for h in results.values()]
        print(f"| {e} | " + " | ".join(cells) + " |")
    if ARGS.plot:
        plot(results, ARGS.plot)


if __name__ == "__main__":
    main()
