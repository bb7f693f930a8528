#!/usr/bin/env python3
"""Sparse coding of MNIST test images over a dictionary of MNIST training images (issue 12):
attractor's solvers next to scikit-learn and SPAMS, all in the same run on the same data.

Problem, per signal y (an MNIST test image / 255, 784 pixels):

    minimise  1/2 ||y - D^T a||^2 + lambda ||a||_1      (a >= 0 for the non-negative problem)

D is n_atoms x n_features (512 x 784): the first n_atoms MNIST training images / 255, each
scaled to unit l2 norm (scikit-learn's SparseCoder layout: atoms are rows). Y is
n_signals x n_features (1000 x 784): the first n_signals test images. The total objective is
the sum over signals. The reference is the per-signal minimum over every run of every
solver in this invocation; "gap" is (sum f - sum f_best) / sum f_best. Every solver family has
a ladder of settings from its default to tighter ones; the time reported is the median of
--repeat timed runs (after one untimed warm-up run) of the loosest setting that reaches a gap
of at most --target (1e-6), or of the tightest setting when none does (then its best gap is
reported and the row is marked). Times include everything the solver needs from (Y, D): the
Gram matrix D D^T and the correlations D y (computed inside each call; no solver is handed a
precomputed Gram), and the conversion of its output to a dense n_signals x n_atoms array.

Peers (installed with pip if missing): scikit-learn (`sparse_encode` lasso_cd and lasso_lars,
`Lasso` with an explicit tolerance) and SPAMS (`spams-bin`, `spams.lasso`, LARS homotopy).
attractor's rows need `attractor.sparse_encode` (not released yet; the script says so and runs
the peers alone).

Usage (from anywhere in the repository):

    python3 bench/sparse_mnist.py [--mnist ../shared/data/mnist] [--signals 1000] [--atoms 512]
        [--lambda 0.1] [--repeat 3] [--threads 0] [--quick] [--no-signed] [--no-lars]
        [--no-dynamics] [--no-inertial]

The "dynamics only" rows run the networks without the active-set equilibrium solve: the
first-order networks (Euler at dt = tau, i.e. ISTA) and their inertial versions
(momentum='nesterov': the second-order network with Nesterov's 3/t damping and the gradient
restart of O'Donoghue & Candes, i.e. restarted FISTA), each stopping on its duality gap.
"""

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

from _common import install_missing, read_images, set_threads

ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mnist", default=str(ROOT.parent / "shared" / "data" / "mnist"), help="folder with the MNIST IDX .gz files")
    p.add_argument("--signals", type=int, default=None, help="test images coded (default 1000; 200 with --quick)")
    p.add_argument("--atoms", type=int, default=512, help="training images used as atoms (default 512)")
    p.add_argument("--lambda", dest="lam", type=float, default=0.1, help="l1 weight lambda (default 0.1)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per solver after one warm-up; the median is reported (default 3)")
    p.add_argument("--target", type=float, default=1e-6, help="relative objective gap to reach (default 1e-6)")
    p.add_argument("--threads", type=int, default=0, help="threads for every solver (0 = all cores)")
    p.add_argument("--quick", action="store_true", help="200 signals, 1 timed run")
    p.add_argument("--no-signed", action="store_true", help="skip the signed problem")
    p.add_argument("--no-lars", action="store_true", help="skip scikit-learn's lasso_lars rows (slow on the signed problem)")
    p.add_argument("--no-install", action="store_true", help="do not pip-install missing peers")
    p.add_argument("--no-dynamics", action="store_true", help="skip the rows of the networks' dynamics alone (slow: they do not reach the target)")
    p.add_argument("--no-inertial", action="store_true", help="skip the rows of the inertial networks' dynamics alone (momentum='nesterov')")
    p.add_argument("--dynamics-steps", type=int, nargs="+", default=[300, 1000],
                   help="max_iter ladder of the dynamics-only rows (default 300 1000)")
    a = p.parse_args()
    if a.signals is None:
        a.signals = 200 if a.quick else 1000
    if a.quick and "--repeat" not in sys.argv:
        a.repeat = 1
    return a


ARGS = parse_args()
NTHREADS = set_threads(ARGS.threads)
install_missing({"sklearn": "scikit-learn", "spams": "spams-bin"}, ARGS.no_install)

import numpy as np  # noqa: E402  (after the thread variables)

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None


# ---------------------------------------------------------------- data




# ---------------------------------------------------------------- objective (shared by all rows)


def evaluate(A, Y, D, lam, positive):
    """Per-signal objective 1/2 ||y - D^T a||^2 + lam ||a||_1, support size, and the most
    negative entry (a violation of a >= 0 when positive). A: n_signals x n_atoms."""
    A = np.asarray(A, dtype=np.float64)
    if A.shape != (Y.shape[0], D.shape[0]):
        raise ValueError(f"code has shape {A.shape}, expected {(Y.shape[0], D.shape[0])}")
    R = Y - A @ D
    f = 0.5 * np.einsum("ij,ij->i", R, R) + lam * np.abs(A).sum(axis=1)
    nnz = np.count_nonzero(A, axis=1)
    neg = float(min(A.min(), 0.0)) if positive else 0.0
    return f, nnz, neg


# ---------------------------------------------------------------- solvers


def sk_parallel(n_jobs):
    """scikit-learn's joblib backend: threads (the coordinate-descent and LARS loops release
    the GIL for the heavy parts; no process start or pickling in the timed region)."""
    from joblib import parallel_backend

    return parallel_backend("threading", n_jobs=n_jobs)


def sk_sparse_encode(algorithm, max_iter):
    from sklearn.decomposition import sparse_encode

    def run(Y, D, lam, positive):
        # sparse_encode divides alpha by n_features and fits Lasso/LassoLars with
        # (1 / (2 n_features)) ||y - D^T a||^2, so alpha = lambda is our objective / n_features.
        with sk_parallel(NTHREADS):
            return sparse_encode(Y, D, algorithm=algorithm, alpha=lam, positive=positive,
                                 max_iter=max_iter, n_jobs=NTHREADS)

    return run


def sk_lasso(tol, max_iter):
    from joblib import Parallel, delayed
    from sklearn.linear_model import Lasso

    def fit(Yb, D, gram, lam, positive):
        # Lasso's data term is (1 / (2 n_samples)) ||y - X w||^2 with n_samples = n_features
        # here (X = D^T), so alpha = lambda / n_features gives our objective / n_features.
        clf = Lasso(alpha=lam / D.shape[1], fit_intercept=False, precompute=gram, tol=tol,
                    max_iter=max_iter, positive=positive)
        clf.fit(D.T, Yb.T)
        return np.atleast_2d(clf.coef_)

    def run(Y, D, lam, positive):
        gram = D @ D.T
        slices = np.array_split(np.arange(Y.shape[0]), NTHREADS)
        with sk_parallel(NTHREADS):
            parts = Parallel()(delayed(fit)(Y[s], D, gram, lam, positive) for s in slices if len(s))
        return np.vstack(parts)

    return run


def spams_lasso(**extra):
    import spams

    def run(Y, D, lam, positive):
        # spams mode=2: min 0.5 ||x - D a||^2 + lambda1 ||a||_1 + 0.5 lambda2 ||a||^2, signals
        # and atoms as Fortran-ordered columns: Y.T and D.T of C-ordered Y, D are such views.
        X = np.asfortranarray(Y.T)
        Dc = np.asfortranarray(D.T)
        a = spams.lasso(X, D=Dc, lambda1=lam, lambda2=0.0, mode=2, pos=positive, numThreads=NTHREADS, **extra)
        return a.toarray().T

    return run


def attractor_encode(method, tol, max_iter, solve=True, momentum=None):
    from attractor import sparse_encode

    extra = {} if momentum is None else {"momentum": momentum}

    def run(Y, D, lam, positive):
        return np.asarray(sparse_encode(Y, D, alpha=lam, positive=positive, method=method, tol=tol,
                                        max_iter=max_iter, equilibrium_solve=solve,
                                        n_threads=-1, **extra))  # all of RAYON_NUM_THREADS

    return run


def families(positive, have_attractor):
    """(row name, [(setting label, factory)], loosest first)."""
    fam = []
    if have_attractor:
        methods = ("pfcn", "lca") if positive else ("fcn", "lca")
        for m in methods:
            mi = 100_000 if m.startswith("lca") else 10_000
            fam.append((f"attractor sparse_encode method={m!r}",
                        [(f"tol={t:g}, max_iter={mi}", lambda t=t, m=m, mi=mi: attractor_encode(m, t, mi)) for t in (1e-6, 1e-8, 1e-10)]))
        if not ARGS.no_dynamics:
            # the networks' own dynamics (Euler at dt = tau, gamma = 1/L), no equilibrium solve
            for m in methods:
                fam.append((f"attractor method={m!r}, dynamics only",
                            [(f"tol=1e-6, max_iter={mi}", lambda m=m, mi=mi: attractor_encode(m, 1e-6, mi, solve=False))
                             for mi in ARGS.dynamics_steps]))
        if not ARGS.no_inertial:
            # the inertial networks' dynamics alone (Nesterov's 3/t damping with the gradient
            # restart; FISTA at dt = tau), no equilibrium solve
            for m in methods:
                fam.append((f"attractor method={m!r}, momentum='nesterov', dynamics only",
                            [(f"tol={t:g}, max_iter=10000", lambda m=m, t=t: attractor_encode(m, t, 10_000, solve=False, momentum="nesterov"))
                             for t in (1e-6, 1e-7, 1e-8)]))
    fam.append(("SPAMS spams.lasso (LARS)", [("default", lambda: spams_lasso()),
                                              ("cholesky=True", lambda: spams_lasso(cholesky=True))]))
    fam.append(("sklearn sparse_encode lasso_cd (tol=1e-8 fixed)",
                [(f"max_iter={mi}", lambda mi=mi: sk_sparse_encode("lasso_cd", mi)) for mi in (1000, 2000, 3000, 5000, 10_000, 30_000)]))
    # max_iter high enough that the tolerance is what stops it (sklearn's default is 1000)
    fam.append(("sklearn Lasso(precompute=Gram), max_iter=100000",
                [(f"tol={t:g}", lambda t=t: sk_lasso(t, 100_000)) for t in (1e-4, 1e-5, 1e-6, 1e-7, 1e-8)]))
    if not ARGS.no_lars:
        fam.append(("sklearn sparse_encode lasso_lars", [("max_iter=1000", lambda: sk_sparse_encode("lasso_lars", 1000))]))
    return fam


# ---------------------------------------------------------------- driver


def timed(run, Y, D, lam, positive):
    t = time.perf_counter()
    A = run(Y, D, lam, positive)
    return A, time.perf_counter() - t


def bench_problem(Y, D, lam, positive, have_attractor):
    """Run every ladder, pick each family's setting, time it; returns rows and the reference."""
    fams = families(positive, have_attractor)
    runs = {}  # (family index, setting index) -> (f, nnz, neg, warm-up seconds)
    best = np.full(Y.shape[0], np.inf)

    def feasible(neg):
        return neg >= -1e-12

    def add(key, run):
        try:
            A, secs = timed(run, Y, D, lam, positive)
            f, nnz, neg = evaluate(A, Y, D, lam, positive)
        except Exception as e:  # a solver that fails or does not exist yet
            runs[key] = e
            print(f"    {fams[key[0]][0]} [{fams[key[0]][1][key[1]][0]}]: failed: {type(e).__name__}: {e}", file=sys.stderr)
            return None
        runs[key] = (f, nnz, neg, secs)
        if feasible(neg):
            np.minimum(best, f, out=best)
        return f

    def gap(f):
        return (f.sum() - best.sum()) / best.sum()

    # the tightest setting of every family first, so that the reference is good before the
    # ladders are walked from the loosest setting
    for i, (name, ladder) in enumerate(fams):
        print(f"  reference run: {name} [{ladder[-1][0]}]", file=sys.stderr)
        add((i, len(ladder) - 1), ladder[-1][1]())
    chosen = {}
    for i, (name, ladder) in enumerate(fams):
        pick = len(ladder) - 1
        for j, (label, make) in enumerate(ladder):
            if (i, j) not in runs:
                print(f"  ladder: {name} [{label}]", file=sys.stderr)
                add((i, j), make())
            r = runs[(i, j)]
            if isinstance(r, Exception):
                continue
            if feasible(r[2]) and gap(r[0]) <= ARGS.target:
                pick = j
                break
        chosen[i] = pick

    rows = []
    for i, (name, ladder) in enumerate(fams):
        j = chosen[i]
        label, make = ladder[j]
        r = runs[(i, j)]
        if isinstance(r, Exception):
            rows.append(dict(name=name, setting=label, error=f"{type(r).__name__}: {r}"))
            continue
        run = make()
        secs = []
        for _ in range(ARGS.repeat):  # the ladder run above was the warm-up
            print(f"  timing: {name} [{label}]", file=sys.stderr)
            A, s = timed(run, Y, D, lam, positive)
            secs.append(s)
        f, nnz, neg = evaluate(A, Y, D, lam, positive)
        if feasible(neg):
            np.minimum(best, f, out=best)
        rows.append(dict(name=name, setting=label, f=f, nnz=nnz, neg=neg, secs=secs,
                         ladder=[(ladder[k][0], runs[(i, k)]) for k in range(len(ladder)) if (i, k) in runs]))
    return rows, best


def print_table(title, rows, best, positive):
    fb = best.sum()
    print(f"\n### {title}\n")
    print(f"reference: sum over signals of the per-signal minimum over all runs = {fb:.10g} "
          f"(min over solvers of the totals: {min(r['f'].sum() for r in rows if 'f' in r):.10g})\n")
    print("| solver | setting (loosest reaching the target) | objective | rel. gap | worst signal gap | mean nnz | "
          f"time s (median of {ARGS.repeat}) | min–max s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if "error" in r:
            print(f"| {r['name']} | {r['setting']} | – | – | – | – | failed: {r['error'][:80]} | |")
            continue
        f = r["f"]
        g = (f.sum() - fb) / fb
        worst = float(np.max((f - best) / best))
        mark = "" if g <= ARGS.target else f" (target {ARGS.target:g} not reached)"
        if positive and r["neg"] < -1e-12:
            mark += f" (infeasible: min entry {r['neg']:.1e})"
        print(f"| {r['name']} | {r['setting']}{mark} | {f.sum():.10g} | {g:.2e} | {worst:.2e} | "
              f"{r['nnz'].mean():.2f} | {statistics.median(r['secs']):.3f} | {min(r['secs']):.3f}–{max(r['secs']):.3f} |")
    print("\nladders (setting: gap of its single untimed run, its wall time):")
    for r in rows:
        if "ladder" not in r:
            continue
        parts = []
        for label, run in r["ladder"]:
            if isinstance(run, Exception):
                parts.append(f"{label}: failed")
            else:
                parts.append(f"{label}: {(run[0].sum() - fb) / fb:.1e}, {run[3]:.2f} s")
        print(f"- {r['name']}: " + "; ".join(parts))


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
    for mod in ("sklearn", "spams", "attractor"):
        try:
            m = __import__(mod)
            v = getattr(m, "__version__", None)
            if v is None:
                from importlib.metadata import version

                v = version({"sklearn": "scikit-learn", "spams": "spams-bin"}.get(mod, mod))
            out.append(f"{mod} {v}")
        except Exception:
            out.append(f"{mod} missing")
    return ", ".join(out)


def main():
    warnings.filterwarnings("ignore", message=".*did not converge.*")
    try:
        from sklearn.exceptions import ConvergenceWarning

        warnings.filterwarnings("ignore", category=ConvergenceWarning)
    except ImportError:
        pass
    mnist = Path(ARGS.mnist)
    atoms = read_images(mnist / "train-images-idx3-ubyte.gz", ARGS.atoms)
    D = np.ascontiguousarray(atoms / np.linalg.norm(atoms, axis=1, keepdims=True))
    Y = read_images(mnist / "t10k-images-idx3-ubyte.gz", ARGS.signals)
    lam = ARGS.lam

    try:
        from attractor import sparse_encode  # noqa: F401

        have_attractor = True
    except ImportError:
        have_attractor = False
        print("attractor: sparse_encode not available yet")

    print(f"Sparse coding of MNIST: {Y.shape[0]} test images (/255) as signals, D = first {D.shape[0]} training "
          f"images (/255, unit l2 rows), {D.shape[0]} x {D.shape[1]}, lambda = {lam:g}, float64; "
          f"objective sum_i 1/2 ||y_i - D^T a_i||^2 + lambda ||a_i||_1; target gap {ARGS.target:g}; "
          f"{NTHREADS} thread(s) for every solver (BLAS, SPAMS numThreads, sklearn n_jobs with joblib threads, "
          f"RAYON_NUM_THREADS)")
    print(f"machine: {machine_line()}; {versions()}")

    limits = threadpool_limits(NTHREADS) if threadpool_limits else contextlib.nullcontext()
    problems = [(True, "non-negative codes (a >= 0)")]
    if not ARGS.no_signed:
        problems.append((False, "signed codes"))
    with limits:
        for positive, title in problems:
            print(f"\n{title}:", file=sys.stderr)
            rows, best = bench_problem(Y, D, lam, positive, have_attractor)
            print_table(title, rows, best, positive)
    if not have_attractor:
        print("\nattractor: sparse_encode not available yet (peer rows only)")


if __name__ == "__main__":
    main()
