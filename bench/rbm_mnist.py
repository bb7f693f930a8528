#!/usr/bin/env python3
"""RBM training on binarised MNIST (issue 13): attractor.BernoulliRBM against scikit-learn's
BernoulliRBM with the same settings, in the same run on the same data.

Data: the first --n-train (10000) MNIST training images and the first --n-test (1000) test
images, /255 and thresholded at 0.5 (pixels in {0, 1}), 784 visible units.

Model and training, the same for both: 784 x --hidden (256) Bernoulli RBM, W ~ N(0, 0.01^2)
and zero biases at the start, PCD-1 (persistent chains, one Gibbs sweep per update, as
scikit-learn's BernoulliRBM does), learning rate 0.1 (the step is lr / batch size times the
difference of the batch sums, in both), --epochs (5) epochs, random_state --seed; minibatches
taken in order (scikit-learn does not shuffle; --shuffle makes attractor shuffle). Two
configurations: minibatches of 10 and of 100 (--batch-sizes).

Measured for each trained model:
- the wall time of fit (one run each, after a small untimed warm-up of each implementation);
- the mean pseudo-likelihood of the training images, two ways: scikit-learn's
  stochastic estimate (the mean of each implementation's own score_samples: one random unit
  per image, times 784), and the exact pseudo-likelihood sum_i log p(v_i | v_-i) computed by
  attractor for both models (scikit-learn's parameters loaded into an attractor RBM);
- the log-likelihood per test image, mean(-F(v)) - log Z, with log Z estimated by attractor's
  annealed importance sampling (Salakhutdinov & Murray 2008) for both models: --ais-runs (100)
  runs over --ais-betas (10000) linear inverse temperatures, base model from the smoothed pixel
  marginals of the training images; "+-" is the AIS standard error of log Z.

Usage (from anywhere in the repository; installs scikit-learn with pip if missing):

    python3 bench/rbm_mnist.py [--mnist ../shared/data/mnist] [--n-train 10000] [--n-test 1000]
        [--epochs 5] [--hidden 256] [--batch-sizes 10 100] [--threads 0] [--seed 0] [--quick]
    python3 bench/rbm_mnist.py --quick          # 1000 images, 1 epoch, 64 hidden, short AIS
"""

import argparse
import contextlib
import os
import platform
import sys
import time
from pathlib import Path

from _common import install_missing, read_images, set_threads

ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mnist", default=str(ROOT.parent / "shared" / "data" / "mnist"), help="folder with the MNIST IDX .gz files")
    p.add_argument("--n-train", type=int, default=None, help="training images (default 10000; 1000 with --quick)")
    p.add_argument("--n-test", type=int, default=None, help="held-out test images for the AIS log-likelihood (default 1000; 200 with --quick)")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default 5; 1 with --quick)")
    p.add_argument("--hidden", type=int, default=None, help="hidden units (default 256; 64 with --quick)")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[10, 100], help="minibatch sizes, one configuration each (default 10 100)")
    p.add_argument("--learning-rate", type=float, default=0.1, help="learning rate (default 0.1)")
    p.add_argument("--ais-runs", type=int, default=None, help="AIS runs (default 100; 32 with --quick)")
    p.add_argument("--ais-betas", type=int, default=None, help="AIS inverse temperatures (default 10000; 1000 with --quick)")
    p.add_argument("--seed", type=int, default=0, help="random_state of both implementations (default 0)")
    p.add_argument("--threads", type=int, default=0, help="threads for both (0 = all cores; BLAS for scikit-learn, n_threads for attractor)")
    p.add_argument("--shuffle", action="store_true", help="let attractor shuffle the minibatches every epoch (scikit-learn never does)")
    p.add_argument("--quick", action="store_true", help="a small version that checks the script: 1000 images, 1 epoch, 64 hidden, short AIS")
    p.add_argument("--no-install", action="store_true", help="do not pip-install scikit-learn when missing")
    a = p.parse_args()
    quick = {"n_train": 1000, "n_test": 200, "epochs": 1, "hidden": 64, "ais_runs": 32, "ais_betas": 1000}
    full = {"n_train": 10000, "n_test": 1000, "epochs": 5, "hidden": 256, "ais_runs": 100, "ais_betas": 10000}
    for k, v in (quick if a.quick else full).items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    return a


ARGS = parse_args()
NTHREADS = set_threads(ARGS.threads)
install_missing({"sklearn": "scikit-learn"}, ARGS.no_install)

import numpy as np  # noqa: E402  (after the thread variables)

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None


# ---------------------------------------------------------------- data


def read_binarised(path, count):
    """The first `count` images of an IDX file, /255 and thresholded at 0.5, as float64 rows."""
    return np.ascontiguousarray((read_images(path, count) > 0.5).astype(np.float64))


# ---------------------------------------------------------------- the two implementations


def make_sklearn(batch_size):
    from sklearn.neural_network import BernoulliRBM

    return BernoulliRBM(n_components=ARGS.hidden, learning_rate=ARGS.learning_rate, batch_size=batch_size,
                        n_iter=ARGS.epochs, random_state=ARGS.seed)


def make_attractor(batch_size):
    import attractor

    return attractor.BernoulliRBM(n_components=ARGS.hidden, learning_rate=ARGS.learning_rate,
                                  batch_size=batch_size, n_iter=ARGS.epochs, random_state=ARGS.seed,
                                  cd_k=1, persistent=True, shuffle=ARGS.shuffle,
                                  n_threads=-1 if ARGS.threads == 0 else ARGS.threads)


def timed_fit(est, X):
    t0 = time.perf_counter()
    est.fit(X)
    return time.perf_counter() - t0


def as_attractor(est):
    """An attractor RBM with the parameters of a trained model (scikit-learn's or ours)."""
    import attractor

    return attractor.BernoulliRBM.from_parameters(
        est.components_, est.intercept_hidden_, est.intercept_visible_,
        random_state=ARGS.seed, n_threads=-1 if ARGS.threads == 0 else ARGS.threads)


def evaluate(est, Xtrain, Xtest):
    """Pseudo-likelihoods on the training images and the AIS log-likelihood of the test images."""
    ours = as_attractor(est)
    t0 = time.perf_counter()
    log_z, se = ours.log_partition("ais", n_runs=ARGS.ais_runs, n_betas=ARGS.ais_betas,
                                   random_state=ARGS.seed, X=Xtrain, return_std=True)
    t_ais = time.perf_counter() - t0
    return {
        "pl_stochastic": float(np.mean(est.score_samples(Xtrain))),
        "pl_exact": ours.pseudo_likelihood(Xtrain),
        "log_z": log_z,
        "log_z_se": se,
        "ll_test": float(-np.mean(ours.free_energy(Xtest)) - log_z),
        "ll_train": float(-np.mean(ours.free_energy(Xtrain)) - log_z),
        "t_ais": t_ais,
    }


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
    for mod in ("sklearn", "attractor"):
        try:
            m = __import__(mod)
            out.append(f"{mod} {getattr(m, '__version__', '?')}")
        except Exception:
            out.append(f"{mod} missing")
    return ", ".join(out)


def main():
    mnist = Path(ARGS.mnist)
    Xtrain = read_binarised(mnist / "train-images-idx3-ubyte.gz", ARGS.n_train)
    Xtest = read_binarised(mnist / "t10k-images-idx3-ubyte.gz", ARGS.n_test)
    try:
        import attractor  # noqa: F401

        attractor.BernoulliRBM  # noqa: B018
    except (ImportError, AttributeError):
        sys.exit("attractor.BernoulliRBM is not available: build the Python package first (pip install ./python)")
    try:
        import sklearn  # noqa: F401
    except ImportError:
        sys.exit("scikit-learn is missing (pip install scikit-learn, or run without --no-install)")

    print(f"RBM on binarised MNIST: {Xtrain.shape[0]} training images (/255 > 0.5), 784 x {ARGS.hidden}, "
          f"PCD-1, learning rate {ARGS.learning_rate:g}, {ARGS.epochs} epoch(s), random_state {ARGS.seed}, "
          f"minibatches in order{' (attractor shuffled)' if ARGS.shuffle else ''}; AIS {ARGS.ais_runs} runs x "
          f"{ARGS.ais_betas} betas (attractor, for both models) on {Xtest.shape[0]} test images; "
          f"{NTHREADS} thread(s) for both (BLAS / n_threads)")
    print(f"machine: {machine_line()}; {versions()}")

    limits = threadpool_limits(NTHREADS) if threadpool_limits else contextlib.nullcontext()
    rows = []
    with limits:
        # untimed warm-up of both (imports, first allocations, thread pools)
        warm = Xtrain[: min(100, len(Xtrain))]
        for make in (make_sklearn, make_attractor):
            w = make(10)
            w.set_params(n_iter=1)
            w.fit(warm)
        for bs in ARGS.batch_sizes:
            for name, make in (("scikit-learn", make_sklearn), ("attractor", make_attractor)):
                print(f"batch {bs}: fitting {name}", file=sys.stderr)
                est = make(bs)
                t = timed_fit(est, Xtrain)
                print(f"batch {bs}: {name} fit {t:.2f} s; evaluating (AIS)", file=sys.stderr)
                r = evaluate(est, Xtrain, Xtest)
                rows.append({"batch": bs, "name": name, "time": t, **r})

    print("\n| minibatch | implementation | fit time (s) | sklearn / attractor | pseudo-lik. (score_samples mean) | "
          "pseudo-lik. exact | AIS log Z (+- s.e.) | log-lik. per test image | log-lik. per train image |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for bs in ARGS.batch_sizes:
        pair = {r["name"]: r for r in rows if r["batch"] == bs}
        ratio = pair["scikit-learn"]["time"] / pair["attractor"]["time"]
        for name in ("scikit-learn", "attractor"):
            r = pair[name]
            shown = f"**{ratio:.1f}x**" if name == "attractor" else ""
            print(f"| {bs} | {name} | {r['time']:.2f} | {shown} | {r['pl_stochastic']:.2f} | {r['pl_exact']:.2f} | "
                  f"{r['log_z']:.2f} +- {r['log_z_se']:.2f} | {r['ll_test']:.2f} | {r['ll_train']:.2f} |")
    print("\n(pseudo-likelihoods on the training images, nats per image; score_samples is each "
          "implementation's own stochastic estimate, the exact one is attractor's for both; "
          "AIS wall time per model: " + ", ".join(f"{r['t_ais']:.1f} s" for r in rows) + ")")


if __name__ == "__main__":
    main()
