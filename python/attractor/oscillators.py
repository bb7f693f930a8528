"""The oscillator Ising machine (Wang & Roychowdhury 2019): coupled phase oscillators with
second-harmonic injection whose phases settle at 0 or pi and spell out a low-energy Ising
state, as a dimod sampler and as a Max-Cut solver."""

import os
from dataclasses import dataclass

import numpy as np

from . import _attractor
from .errors import AttractorError, Interrupted, whole, whole_or_none
from ._records import ArrayRecord, Rebuilt


def _seconds(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number of seconds, got {value!r}")
    return float(value)


def _machine_kwargs(seed, num_replicas, num_rounds, time_limit, num_threads, num_steps, progress=None):
    if time_limit is None and num_rounds is None:
        num_rounds = 1
    if progress is not None and not callable(progress):
        raise TypeError(f"progress: expected a callable (rounds, elapsed_s, best_energy), got {progress!r}")
    return dict(
        progress=progress,
        seed=whole("seed", seed),
        replicas=whole("num_replicas", num_replicas, 1),
        rounds=0 if num_rounds is None else whole("num_rounds", num_rounds, 1),
        time=None if time_limit is None else _seconds("time_limit", time_limit),
        threads=whole("num_threads", num_threads),
        steps=whole_or_none("num_steps", num_steps, 1),
    )


def sample_ising_arrays(n, linear, i, j, b, offset=0.0, seed=0, num_replicas=16, num_rounds=None,
                        time_limit=None, num_threads=1, num_steps=None, progress=None):
    """Sample ``E(s) = sum_i linear_i s_i + sum_k b_k s_{i_k} s_{j_k} + offset`` over
    ``s in {-1, +1}^n``. Returns a dict of ``samples`` (rows, lowest energy first),
    ``energies``, ``num_occurrences``, ``status``, ``elapsed``."""
    d = _attractor.sample_ising(
        int(n),
        np.ascontiguousarray(linear, dtype=np.float64),
        np.ascontiguousarray(i, dtype=np.int64),
        np.ascontiguousarray(j, dtype=np.int64),
        np.ascontiguousarray(b, dtype=np.float64),
        float(offset),
        **_machine_kwargs(seed, num_replicas, num_rounds, time_limit, num_threads, num_steps, progress),
    )
    if d["status"] == "interrupted":
        raise Interrupted(d)
    return d


@dataclass(eq=False, repr=False)
class MaxCutResult(ArrayRecord):
    """The best cut found: its value, the partition (``+1``/``-1`` per node, in the order of the
    graph's nodes), its Ising energy, why the machine stopped and how long it ran."""

    cut: float
    partition: np.ndarray
    energy: float
    status: str
    elapsed: float
    nodes: "list | range"


def _edges_of(graph):
    """``(n, i, j, w, nodes)`` from a networkx graph, an ``(m, 2|3)`` edge array or a G-set
    file path."""
    if isinstance(graph, (str, os.PathLike)):
        n, i, j, w = _attractor.read_graph(os.fspath(graph), "rudy")
        # a range, not a list: n may be huge until Rust refuses it
        return n, i, j, w, range(n)
    if hasattr(graph, "nodes") and hasattr(graph, "edges"):
        nodes = list(graph.nodes)
        index = {v: k for k, v in enumerate(nodes)}
        rows = [(index[a], index[c], float(d.get("weight", 1.0))) for a, c, d in graph.edges(data=True)]
        arr = np.array(rows, dtype=np.float64).reshape(-1, 3)
        return len(nodes), arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2], nodes
    arr = np.asarray(graph)
    if arr.ndim != 2 or arr.shape[1] not in (2, 3):
        raise AttractorError(
            f"graph: expected a networkx graph, a G-set file or an (m, 2) / (m, 3) edge array, got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"graph: expected numeric edges, got dtype {arr.dtype}")
    ij = arr[:, :2]
    if ij.size and (np.any(ij < 0) or np.any(ij != np.round(ij))):
        raise AttractorError("graph: node ids must be non-negative integers (0-based)")
    w = arr[:, 2].astype(np.float64) if arr.shape[1] == 3 else np.ones(len(arr))
    n = int(ij.max()) + 1 if ij.size else 0
    # a range, not a list of every node: a single edge with node id 2**26 would otherwise build
    # a list of 2**26 ints before Rust refuses the graph
    return n, ij[:, 0].astype(np.int64), ij[:, 1].astype(np.int64), w, range(n)


def maxcut(graph, time=None, rounds=None, seed=0, replicas=None, threads=1, steps=None,
           progress=None, solver="oim"):
    """The maximum cut of ``graph`` (a networkx graph with optional ``weight`` attributes, an
    ``(m, 2)`` or ``(m, 3)`` array of 0-based edges, or a G-set file) by ``solver``: ``"oim"``
    the oscillator Ising machine (``replicas`` per round, ``steps`` per round), ``"anneal"``
    simulated annealing (``replicas`` reads of ``steps`` sweeps per round) or ``"sb"`` discrete
    simulated bifurcation (``replicas`` agents of ``steps`` steps per round); for ``rounds``
    rounds (reproducible) or a ``time`` budget in seconds (default: one round).
    ``progress(rounds, elapsed_s, best_energy)`` (``"oim"`` only) is called as rounds finish (an
    exception in it stops the run and is raised). Ctrl-C raises :class:`Interrupted` with the
    best cut so far."""
    if solver not in ("oim", "anneal", "sb"):
        raise AttractorError(f"solver = {solver!r}: use 'oim', 'anneal' or 'sb'")
    n, i, j, w, nodes = _edges_of(graph)
    if solver == "oim":
        d = _attractor.sample_max_cut(
            n, np.ascontiguousarray(i), np.ascontiguousarray(j),
            np.ascontiguousarray(w, dtype=np.float64),
            **_machine_kwargs(seed, 16 if replicas is None else replicas, rounds, time,
                              threads, steps, progress),
        )
    else:
        if progress is not None:
            raise AttractorError("progress: reported by solver='oim' only")
        from .annealing import anneal_ising_arrays, bifurcate_ising_arrays

        # Max-Cut as the Ising objective sum w_ij s_i s_j (dimod's convention): cut = (W - E)/2
        w = np.ascontiguousarray(w, dtype=np.float64)
        kw = dict(seed=seed, num_rounds=rounds, time_limit=time, num_threads=threads)
        try:
            if solver == "anneal":
                d = anneal_ising_arrays(n, np.zeros(n), i, j, w,
                                        num_reads=16 if replicas is None else replicas,
                                        num_sweeps=1000 if steps is None else steps, **kw)
            else:
                d = bifurcate_ising_arrays(n, np.zeros(n), i, j, w,
                                           num_agents=64 if replicas is None else replicas,
                                           num_steps=10000 if steps is None else steps, **kw)
        except Interrupted as e:
            d = e.result
        d["cuts"] = (float(w.sum()) - np.asarray(d["energies"])) / 2
    best = MaxCutResult(
        cut=float(d["cuts"][0]),
        partition=d["samples"][0].astype(np.int8),
        energy=float(d["energies"][0]),
        status=d["status"],
        elapsed=d["elapsed"],
        nodes=nodes,
    )
    if best.status == "interrupted":
        raise Interrupted(best)
    return best


def _ising_arrays(h, J):
    """dimod's ``(h, J)`` (dicts or a list of fields) as ``(labels, n, linear, i, j, b)``: the
    variables in order of appearance, their fields and the couplings as index arrays."""
    labels = list(h.keys()) if hasattr(h, "keys") else list(range(len(h)))
    hd = dict(h) if hasattr(h, "keys") else dict(enumerate(h))
    for a, b in J:
        for v in (a, b):
            if v not in hd:
                hd[v] = 0.0
                labels.append(v)
    index = {v: k for k, v in enumerate(labels)}
    linear = np.array([float(hd[v]) for v in labels], dtype=np.float64)
    if J:
        i = np.array([index[a] for a, _ in J], dtype=np.int64)
        j = np.array([index[b] for _, b in J], dtype=np.int64)
        bq = np.array([float(v) for v in J.values()], dtype=np.float64)
    else:
        i = j = np.zeros(0, dtype=np.int64)
        bq = np.zeros(0)
    return labels, len(labels), linear, i, j, bq


try:
    import dimod
except ImportError:  # pragma: no cover - dimod is an optional extra
    dimod = None

if dimod is not None:

    class OscillatorIsingSampler(dimod.Sampler):
        """The oscillator Ising machine as a dimod sampler: ``sample_ising(h, J)``,
        ``sample_qubo(Q)`` and ``sample(bqm)`` return a ``dimod.SampleSet`` whose samples are the
        final states of every replica of every round (aggregated, lowest energy first) and whose
        energies are dimod's own, ``E(s) = sum h_i s_i + sum J_ij s_i s_j + offset``.

        Parameters of a call: ``seed``, ``num_replicas`` (16 per SIMD block), ``num_rounds``
        (reproducible), ``time_limit`` (seconds; with no ``num_rounds``, rounds until it is
        spent), ``num_threads``, ``num_steps`` (per round), ``progress`` (a callable
        ``(rounds, elapsed_s, best_energy)`` called as rounds finish)."""

        @property
        def parameters(self):
            return {
                "seed": [],
                "num_replicas": [],
                "num_rounds": [],
                "time_limit": [],
                "num_threads": [],
                "num_steps": [],
                "progress": [],
            }

        @property
        def properties(self):
            return {"description": "oscillator Ising machine (attractor)", "version": _attractor.__version__}

        def sample_ising(self, h, J, seed=0, num_replicas=16, num_rounds=None, time_limit=None,
                         num_threads=1, num_steps=None, progress=None, **kwargs):
            self.remove_unknown_kwargs(**kwargs)
            labels, n, linear, i, j, bq = _ising_arrays(h, J)
            if n == 0:
                return dimod.SampleSet.from_samples(([], labels), vartype="SPIN", energy=[])
            d = sample_ising_arrays(n, linear, i, j, bq, 0.0, seed, num_replicas, num_rounds,
                                    time_limit, num_threads, num_steps, progress)
            return dimod.SampleSet.from_samples(
                (d["samples"], labels),
                vartype="SPIN",
                energy=d["energies"],
                num_occurrences=d["num_occurrences"],
                info={"timing": {"elapsed": d["elapsed"]}, "status": d["status"]},
            )


class OscillatorMemory(Rebuilt):
    """The oscillator associative memory (Nishikawa, Lai & Hoppensteadt, PRL 92, 2004)::

        dphi_i/dt = sum_j W_ij sin(phi_j - phi_i) + (kappa/N) sum_j sin 2(phi_j - phi_i),

    with Hebbian ``W = Xi^T Xi / N`` (``scale="n"``) or ``Xi^T Xi / K`` (``scale="k"``, the
    tutorial's), the gradient flow of ``E(phi) = -1/2 sum_ij W_ij cos(phi_j - phi_i) -
    (kappa/4N) sum_ij cos 2(phi_j - phi_i)``,

    whose phase-locked states at 0/pi spell the stored ``±1`` patterns; a stored pattern is a
    stable equilibrium iff ``kappa > critical_kappa(pattern)`` (signed-Laplacian spectrum,
    tutorial section on oscillator networks). ``fit(patterns)`` stores, ``predict(queries)``
    integrates from the queries' phases (with ``jitter`` radians of seeded noise) and reads the
    patterns out (up to a global sign)."""

    def __init__(self, kappa=0.2, scale="n", t_end=120.0, dt=0.05, jitter=0.0, random_state=None):
        self.kappa = kappa
        self.scale = scale
        self.t_end = t_end
        self.dt = dt
        self.jitter = jitter
        self.random_state = random_state

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in ("kappa", "scale", "t_end", "dt", "jitter", "random_state")}

    def set_params(self, **params):
        for k, v in params.items():
            if k not in self.get_params():
                raise ValueError(f"invalid parameter {k!r} for OscillatorMemory")
            setattr(self, k, v)
        return self

    def fit(self, X, y=None):
        from .errors import as_float_array

        X = as_float_array(X, "X", 2)
        self._build("memory_", "OscillatorMemory", X.copy(), float(self.kappa), self.scale)
        self.patterns_ = X
        return self

    def critical_kappa(self, pattern):
        """``kappa_c`` of a stored pattern (it is stable iff ``kappa > kappa_c``)."""
        from .errors import as_float_array

        return self.memory_.critical_kappa(as_float_array(pattern, "pattern", 1))

    def predict(self, X):
        from .errors import as_float_array
        from .memory import _seed

        read, self.phases_ = self.memory_.recall(
            as_float_array(X, "X", 2), float(self.t_end), float(self.dt), float(self.jitter),
            _seed(self.random_state),
        )
        return read
