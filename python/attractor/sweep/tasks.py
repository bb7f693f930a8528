"""The sweep's built-in tasks. Each is a plain function of named parameters and ``seed`` that
calls into the extension (which releases the interpreter lock) and returns a flat dict of
results; any importable callable (``"module:function"``) can be a task the same way.

- :func:`maxcut` -- a Max-Cut run on a G-set graph (a name such as ``"G1"`` or a file) or on a
  random graph of ``n`` nodes and edge probability ``p``: cut, energy, time, status, gap to
  the best-known cut when known.
- :func:`recall` -- store ``k`` random ``±1`` patterns of ``n`` units in a memory and recall
  them from cues with a fraction ``noise`` of flipped bits: the fraction recalled exactly and
  the mean overlap.
- :func:`capacity` -- a capacity point: store ``k = alpha n`` patterns and count the stored
  patterns that are fixed points (and, with ``noise > 0``, those recalled from noisy cues).
- :func:`train_rbm` -- a training run: an RBM fitted to synthetic binary data, its held-out
  log-likelihood and pseudo-likelihood.
"""

import csv
import importlib
import os

import numpy as np

__all__ = ["BUILTIN", "resolve_task", "maxcut", "recall", "capacity", "train_rbm"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))


def gset_dirs():
    """Where G-set names are looked up: ``$ATTRACTOR_GSET``, then ``../shared/data/gset`` and
    ``data/gset`` beside the repository (for a source checkout)."""
    out = []
    if os.environ.get("ATTRACTOR_GSET"):
        out.append(os.environ["ATTRACTOR_GSET"])
    out += [os.path.join(_REPO, "..", "shared", "data", "gset"), os.path.join(_REPO, "data", "gset")]
    return [d for d in out if os.path.isdir(d)]


def _gset_path(graph, gset_dir):
    if os.path.exists(graph):
        return graph, None
    dirs = [gset_dir] if gset_dir else gset_dirs()
    for d in dirs:
        p = os.path.join(d, graph + ".txt")
        if os.path.exists(p):
            best = None
            tsv = os.path.join(d, "best_known.tsv")
            if os.path.exists(tsv):
                with open(tsv) as f:
                    for row in csv.DictReader(f, delimiter="\t"):
                        if row.get("instance") == graph:
                            best = float(row["best_known_cut"])
            return p, best
    raise FileNotFoundError(f"graph = {graph!r}: no such file, nor {graph}.txt in {dirs or 'any G-set folder (set ATTRACTOR_GSET)'}")


def maxcut(graph=None, n=None, p=0.1, solver="oim", time=None, rounds=None, steps=None,
           replicas=None, n_threads=1, gset_dir=None, seed=0, threads=None):
    """A Max-Cut run (:func:`attractor.maxcut`) on ``graph`` (a G-set name or file) or, with
    ``graph=None``, on an Erdős–Rényi graph of ``n`` nodes and edge probability ``p`` drawn
    from ``seed``. ``time`` is a budget in seconds (results then depend on the machine's speed);
    ``rounds`` makes a run reproducible. ``n_threads``: threads of one run (1; -1 every core;
    ``threads`` is its deprecated spelling)."""
    from .. import maxcut as _maxcut

    best = None
    if graph is None:
        if n is None:
            raise ValueError("maxcut: give graph (a G-set name or file) or n (a random graph)")
        rng = np.random.default_rng(seed)
        i, j = np.triu_indices(int(n), 1)
        keep = rng.random(i.size) < float(p)
        g = np.column_stack([i[keep], j[keep]]).astype(np.int64)
        m = int(keep.sum())
    else:
        path, best = _gset_path(str(graph), gset_dir)
        g = path
        with open(path) as f:
            n, m = (int(x) for x in f.readline().split()[:2])
    th = {"n_threads": n_threads} if threads is None else {"threads": threads}
    r = _maxcut(g, time=time, rounds=rounds, seed=int(seed) % (2**63), replicas=replicas,
                steps=steps, solver=solver, strict=False, **th)
    out = {"n": int(n), "m": int(m), "cut": r.cut, "energy": r.energy, "elapsed": r.elapsed,
           "stop": r.status}
    if best is not None:
        out["best_known"] = best
        out["gap_pct"] = 100.0 * (best - r.cut) / best
    return out


def _memory(model, seed, beta, separation):
    from .. import ClassicalHopfield, DenseMemory, ModernHopfield

    if model in ("hebbian", "storkey", "pinv"):
        return ClassicalHopfield(rule=model, random_state=seed)
    if model == "dense":
        return DenseMemory(separation=separation, random_state=seed)
    if model == "modern":
        return ModernHopfield(beta=beta)
    raise ValueError(f"model = {model!r}: use 'hebbian', 'storkey', 'pinv', 'dense' or 'modern'")


def _patterns(n, k, seed):
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=(int(k), int(n))), rng


def _recall_of(mem, X, noise, rng):
    cues = X.copy()
    flip = rng.random(X.shape) < float(noise)
    cues[flip] *= -1.0
    R = np.where(mem.predict(cues) >= 0, 1.0, -1.0)
    return float(np.mean(np.all(R == X, axis=1))), float(np.mean(np.sum(R * X, axis=1) / X.shape[1]))


def recall(n=100, k=10, noise=0.1, model="hebbian", beta=1.0, separation=3, seed=0):
    """Recall of ``k`` random ``±1`` patterns of ``n`` units from cues with a fraction
    ``noise`` of flipped bits, by ``model`` (``"hebbian"``, ``"storkey"``, ``"pinv"``,
    ``"dense"`` with ``separation``, ``"modern"`` with ``beta``): ``recall`` the fraction
    recalled exactly, ``overlap`` the mean overlap with the stored pattern."""
    X, rng = _patterns(n, k, seed)
    mem = _memory(model, int(seed) % (2**63), beta, separation).fit(X)
    frac, overlap = _recall_of(mem, X, noise, rng)
    return {"recall": frac, "overlap": overlap}


def capacity(n=100, alpha=0.1, model="hebbian", noise=0.0, beta=1.0, separation=3, seed=0):
    """A capacity point: ``k = max(1, round(alpha n))`` random patterns stored in ``model``;
    ``stable`` the fraction of them that are fixed points, ``recall`` the fraction recalled
    exactly from cues with ``noise`` flipped bits."""
    k = max(1, int(round(float(alpha) * int(n))))
    X, rng = _patterns(n, k, seed)
    mem = _memory(model, int(seed) % (2**63), beta, separation).fit(X)
    stable, _ = _recall_of(mem, X, 0.0, rng)
    out = {"k": k, "stable": stable}
    if noise:
        out["recall"], out["overlap"] = _recall_of(mem, X, noise, rng)
    return out


def train_rbm(n_visible=16, n_hidden=8, n_iter=10, learning_rate=0.05, batch_size=10, cd_k=1,
              persistent=True, samples=500, modes=4, flip=0.05, seed=0):
    """A training run: a :class:`attractor.BernoulliRBM` of ``n_hidden`` units fitted for
    ``n_iter`` epochs to ``samples`` binary rows drawn from ``seed`` (``modes`` random
    prototypes, each bit flipped with probability ``flip``): ``log_likelihood`` (exact, per
    row, nats; for ``n_hidden <= 20``) and ``pseudo_likelihood`` on held-out rows."""
    from .. import BernoulliRBM

    rng = np.random.default_rng(seed)
    protos = rng.random((int(modes), int(n_visible))) < 0.5

    def draw(m):
        x = protos[rng.integers(0, len(protos), m)]
        return np.where(rng.random(x.shape) < float(flip), ~x, x).astype(np.float64)

    train, test = draw(int(samples)), draw(max(1, int(samples) // 5))
    rbm = BernoulliRBM(n_components=int(n_hidden), n_iter=int(n_iter), learning_rate=learning_rate,
                       batch_size=int(batch_size), cd_k=int(cd_k), persistent=bool(persistent),
                       random_state=int(seed) % (2**63), n_threads=1).fit(train)
    out = {"pseudo_likelihood": float(rbm.pseudo_likelihood(test))}
    if int(n_hidden) <= 20:
        out["log_likelihood"] = float(rbm.log_likelihood(test))
    return out


BUILTIN = {"maxcut": maxcut, "recall": recall, "capacity": capacity, "train_rbm": train_rbm}


def resolve_task(task):
    """The callable of ``task``: a built-in name, ``"module:function"`` or a callable."""
    if callable(task):
        return task
    if not isinstance(task, str):
        raise TypeError(f"task: expected a name, 'module:function' or a callable, got {task!r}")
    if task in BUILTIN:
        return BUILTIN[task]
    if ":" in task:
        mod, _, name = task.partition(":")
        try:
            obj = importlib.import_module(mod)
        except ImportError as e:
            raise ValueError(f"task = {task!r}: cannot import module {mod!r} ({e})") from e
        for part in name.split("."):
            if not hasattr(obj, part):
                raise ValueError(f"task = {task!r}: module {mod!r} has no {name!r}")
            obj = getattr(obj, part)
        if not callable(obj):
            raise ValueError(f"task = {task!r}: {name!r} is not callable")
        return obj
    raise ValueError(
        f"unknown task {task!r}: use one of {sorted(BUILTIN)} or an importable 'module:function'"
    )
