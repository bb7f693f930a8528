#!/usr/bin/env python3
"""RBMs at the published MNIST likelihoods (issue 23): attractor's CD-1, its best training
method, and scikit-learn's BernoulliRBM, each judged by the same test log-likelihood bracket
(RAISE below, AIS above), with a PNG of samples.

Data: MNIST, 60,000 training and 10,000 test images, binarised stochastically (each pixel on
with probability intensity/255, drawn once from --seed), the convention of Salakhutdinov &
Murray's binarised MNIST; 784 x 500 Bernoulli RBMs (the reference's size).

Published (Salakhutdinov & Murray, ICML 2008, 500 hidden units, AIS): CD-1 about -125.5,
CD-25 about -86.3 nats per test image. Goals of the issue: CD-1 reaching -128 or better, the
best method -90 or better.

The configurations (all 784 x 500, minibatches of 100, W ~ N(0, 0.01^2), visible biases from
the data marginals, momentum 0.5 for 5 epochs then 0.9, weight decay 2e-4):
  cd1  CD-1, learning rate 0.05, --epochs-cd epochs;
  pcd  PCD-1 (100 persistent chains), centred gradient (rate 0.01), learning rate 0.01
       decayed linearly to 1e-4 over --epochs-pcd epochs (Tieleman 2008);
  pt   the same with tempered persistent chains (10 temperatures, geometric to 10;
       Desjardins et al. 2010), --epochs-pt epochs;
  sklearn  scikit-learn's BernoulliRBM (PCD-1, no momentum), learning rate --sk-lr (0.05),
       minibatches of --sk-batch (100), --epochs-sk epochs.
Attractor's runs use the Rust benchmark binary `rbm_mnist` (built here with cargo); each
prints its wall time and the bracket. scikit-learn's model is saved as safetensors and
evaluated by the same binary (`--load`), on the same binarised images (`--write-data`).

Usage (from anywhere in the repository; installs scikit-learn with pip if missing):

    python3 bench/rbm_likelihood.py [--configs cd1,pcd,pt,sklearn] [--epochs-cd 50]
        [--epochs-pcd 100] [--epochs-pt 40] [--epochs-sk 20] [--ais-betas 10000]
        [--raise-samples 300] [--out-dir bench/out/rbm] [--png docs/_static/rbm-samples.png]
    python3 bench/rbm_likelihood.py --quick   # 2,000 images, 64 hidden, 2 epochs: checks the script
"""

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

from _common import install_missing

ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mnist", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    p.add_argument("--configs", default="cd1,pcd,pt,sklearn")
    p.add_argument("--epochs-cd", type=int, default=50)
    p.add_argument("--epochs-pcd", type=int, default=100)
    p.add_argument("--epochs-pt", type=int, default=40)
    p.add_argument("--epochs-sk", type=int, default=20)
    p.add_argument("--sk-lr", type=float, default=0.05)
    p.add_argument("--sk-batch", type=int, default=100)
    p.add_argument("--ais-runs", type=int, default=100)
    p.add_argument("--ais-betas", type=int, default=10000)
    p.add_argument("--raise-samples", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out-dir", default=str(ROOT / "bench" / "out" / "rbm"))
    p.add_argument("--png", default=None, help="write a grid of samples of the best model here")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--no-install", action="store_true")
    return p.parse_args()


ARGS = parse_args()
install_missing({"sklearn": "scikit-learn"}, ARGS.no_install)
import numpy as np  # noqa: E402


def binary(name):
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "attractor-bench", "--bin", "rbm_mnist",
                    "-p", "attractor-cli"], cwd=ROOT, check=True)
    return str(ROOT / "target" / "release" / name)


SIZE = ["--images", "2000", "--test-images", "500", "--hidden", "64"] if ARGS.quick else []
EVAL = ["--ais-runs", str(ARGS.ais_runs), "--ais-betas", str(1000 if ARGS.quick else ARGS.ais_betas),
        "--raise-samples", str(100 if ARGS.quick else ARGS.raise_samples), "--seed", str(ARGS.seed),
        "--mnist", ARGS.mnist]
COMMON = ["--batch", "100", "--momentum", "0.9", "--momentum-warmup", "0.5:5", "--weight-decay", "2e-4"]


def epochs(n):
    return str(2 if ARGS.quick else n)


CONFIGS = {
    "cd1": ["--method", "cd", "--k", "1", "--lr", "0.05", "--epochs", epochs(ARGS.epochs_cd)] + COMMON,
    "pcd": ["--method", "pcd", "--k", "1", "--lr", "0.01", "--lr-schedule", "linear:0.0001",
            "--centering", "data:0.01", "--epochs", epochs(ARGS.epochs_pcd)] + COMMON,
    "pt": ["--method", "pt", "--k", "1", "--lr", "0.01", "--lr-schedule", "linear:0.0001",
           "--centering", "data:0.01", "--epochs", epochs(ARGS.epochs_pt)] + COMMON,
}


def parse(out):
    """The wall time and the bracket from rbm_mnist's output."""
    wall = re.search(r"^train: .*: ([0-9.]+) s$", out, re.M)
    b = re.search(r"bracket: \[(-?[0-9.]+) ± ([0-9.]+) .*?, (-?[0-9.]+) ± ([0-9.]+) \(AIS", out)
    return {"train_s": float(wall.group(1)) if wall else None,
            "lower": float(b.group(1)), "lower_se": float(b.group(2)),
            "upper": float(b.group(3)), "upper_se": float(b.group(4))}


def run(cmd):
    print("$", " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return r.stdout


def main():
    out_dir = Path(ARGS.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    bench = binary("rbm_mnist")
    results = {}
    for name in ARGS.configs.split(","):
        model = out_dir / f"{name}.safetensors"
        if name in CONFIGS:
            out = run([bench] + SIZE + CONFIGS[name] + EVAL + ["--save", str(model)])
        elif name == "sklearn":
            from sklearn.neural_network import BernoulliRBM as SkRBM

            import attractor

            run([bench] + SIZE + ["--seed", str(ARGS.seed), "--mnist", ARGS.mnist,
                                  "--write-data", str(out_dir), "--data-only"])
            x = np.load(out_dir / "train.npy")
            model = out_dir / f"sklearn-lr{ARGS.sk_lr}-b{ARGS.sk_batch}.safetensors"
            sk = SkRBM(n_components=64 if ARGS.quick else 500, learning_rate=ARGS.sk_lr, batch_size=ARGS.sk_batch,
                       n_iter=int(epochs(ARGS.epochs_sk)), random_state=ARGS.seed)
            t0 = time.perf_counter()
            sk.fit(x)
            wall = time.perf_counter() - t0
            attractor.BernoulliRBM.from_parameters(sk.components_, sk.intercept_hidden_,
                                                   sk.intercept_visible_).save(model)
            out = run([bench] + SIZE + EVAL + ["--load", str(model)])
            out = out.replace("bracket:", f"(scikit-learn fit {wall:.1f} s) bracket:")
            results[f"sklearn (lr {ARGS.sk_lr}, batch {ARGS.sk_batch})"] = {**parse(out), "train_s": wall}
            continue
        else:
            raise SystemExit(f"unknown configuration {name!r}: use cd1, pcd, pt, sklearn")
        results[name] = parse(out)
    print()
    print("| model | training wall time | test log-likelihood bracket (nats per image) |")
    print("|---|---|---|")
    for name, r in results.items():
        t = f"{r['train_s']:.0f} s" if r["train_s"] is not None else "-"
        print(f"| {name} | {t} | [{r['lower']:.2f} ± {r['lower_se']:.2f}, {r['upper']:.2f} ± {r['upper_se']:.2f}] |")
    if ARGS.png and results:
        best = max((k for k in results if k in CONFIGS), key=lambda k: results[k]["lower"], default=None)
        if best is None:
            return
        run([binary("attractor"), "sample", str(out_dir / f"{best}.safetensors"), "--png", ARGS.png,
             "--count", "64", "--steps", "1000", "--seed", str(ARGS.seed)])
        print(f"samples of the best model ({best}) in {ARGS.png}")


if __name__ == "__main__":
    main()
