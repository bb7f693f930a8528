"""The oscillator Ising machine (Wang & Roychowdhury 2019): coupled phase oscillators with
second-harmonic injection whose phases settle at 0 or pi and spell out a low-energy Ising
state, as a dimod sampler and as a Max-Cut solver."""

import os
from dataclasses import dataclass

import numpy as np

from . import _attractor
from ._calls import UNSET, check_ids, edge_array, finish, n_threads_arg, sample_failure
from .errors import AttractorError, whole, whole_or_none
from ._records import ArrayRecord, Rebuilt


def _seconds(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number of seconds, got {value!r}")
    return float(value)


#: The oscillator machine's settings a ``params`` dict may hold (the library's ``OimParams``).
MACHINE_PARAMS = ("dt", "precondition", "steps_first", "mu", "mu_spread", "noise",
                  "readout_every", "greedy", "greedy_readouts", "warm_kick", "warm_skip",
                  "cold_every", "initial_spins")


def _machine_params(params):
    """``params`` as the plain dict the compiled machine reads (``None`` passes through):
    ``dt`` (step in units of 1/d, or None for the model's default), ``precondition`` (one clock
    per node), ``steps_first`` (the first round's steps, doubling each round), ``mu`` and
    ``noise`` (schedules over a round: a number, or ``{"linear": [start, end]}``,
    ``{"geometric": [start, end]}``, ``{"values": [...]}``), ``mu_spread`` (heterogeneity of
    mu), ``readout_every``, ``greedy``, ``greedy_readouts``, ``warm_kick``, ``warm_skip``,
    ``cold_every`` (restarts), ``initial_spins`` (±1 per spin: a warm first round)."""
    if params is None:
        return None
    if not isinstance(params, dict):
        raise TypeError(f"params: expected a dict of the machine's settings, got {params!r}")
    out = {}
    for k, v in params.items():
        if k not in MACHINE_PARAMS:
            raise AttractorError(
                f"params has an unknown setting {k!r}: the oscillator machine's settings are "
                f"{', '.join(MACHINE_PARAMS)}"
            )
        out[k] = np.asarray(v, dtype=np.float64).tolist() if k == "initial_spins" else v
    return out


def _machine_kwargs(seed, num_replicas, num_rounds, time_limit, threads, num_steps, progress=None,
                    params=None):
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
        threads=threads,
        steps=whole_or_none("num_steps", num_steps, 1),
        params=_machine_params(params),
    )


def sample_ising_arrays(n, linear, i, j, b, offset=0.0, seed=0, num_replicas=16, num_rounds=None,
                        time_limit=None, n_threads=None, num_steps=None, progress=None, *,
                        params=None, strict=True, num_threads=UNSET):
    """Sample an Ising energy with the oscillator Ising machine, from plain arrays.

    The energy ``E(s) = sum_i linear_i s_i + sum_k b_k s_{i_k} s_{j_k} + offset`` over
    ``s in {-1, +1}^n`` (Wang & Roychowdhury 2019).

    Parameters
    ----------
    n : int
        The number of spins.
    linear : array-like of shape (n,)
        The fields.
    i, j : array-like of shape (m,)
        0-based ids of the coupled pairs.
    b : array-like of shape (m,)
        The couplings of the pairs.
    offset : float, default=0.0
        A constant added to every energy.
    seed : int, default=0
        The seed (runs are reproducible for a fixed ``num_rounds``).
    num_replicas : int, default=16
        The replicas per round.
    num_rounds : int or None, default=None
        The rounds (one when neither it nor ``time_limit`` is given).
    time_limit : float or None, default=None
        A budget in seconds (with no ``num_rounds``: rounds until it is spent).
    n_threads : int or None, default=None
        ``None`` or 1 one thread, -1 every core, -2 all but one (results do not depend on
        it; ``num_threads`` is its deprecated spelling).
    num_steps : int or None, default=None
        The steps of the first round (the model's default when ``None``).
    progress : callable or None, default=None
        Called as ``progress(rounds, elapsed_s, best_energy)`` as rounds finish.
    params : dict or None, default=None
        The machine's other settings by name (``mu`` and ``noise`` schedules, ``dt``,
        readouts, restarts; see ``attractor.oscillators.MACHINE_PARAMS``).
    strict : bool, default=True
        Whether failures raise (below); ``strict=False`` returns the dict with its
        ``status`` instead.

    Returns
    -------
    result : dict
        ``samples`` (rows, lowest energy first), ``energies``, ``num_occurrences``,
        ``status``, ``elapsed``, ``num_reads``.

    Raises
    ------
    attractor.Interrupted
        On Ctrl-C with ``strict=True`` (the dict as ``.result``).
    attractor.NotConverged
        With ``strict=True``, when ``time_limit`` ends before the first round.
    attractor.ParameterError
        When an id is out of range or a setting is unknown or out of its range.

    Examples
    --------
    A chain of three spins with antiferromagnetic couplings:

    >>> import attractor
    >>> d = attractor.sample_ising_arrays(3, [0.0, 0.0, 0.0], [0, 1], [1, 2], [1.0, 1.0],
    ...                                   seed=0, num_rounds=1)
    >>> d["samples"][0], float(d["energies"][0])
    (array([-1,  1, -1], dtype=int8), -2.0)
    """
    threads = n_threads_arg(n_threads, "sample_ising_arrays", num_threads=num_threads)
    n = whole("n", n, 0)
    i, j = check_ids(i, j, n)
    d = _attractor.sample_ising(
        n,
        np.ascontiguousarray(linear, dtype=np.float64),
        i,
        j,
        np.ascontiguousarray(b, dtype=np.float64),
        float(offset),
        **_machine_kwargs(seed, num_replicas, num_rounds, time_limit, threads, num_steps, progress,
                          params),
    )
    return finish(d, d["status"], strict, sample_failure(d, time_limit, whole("num_replicas", num_replicas, 1)))


@dataclass(eq=False, repr=False)
class MaxCutResult(ArrayRecord):
    """The best cut found by :func:`maxcut`.

    Attributes
    ----------
    cut : float
        The cut's value (the total weight of the cut edges; NaN when no round completed).
    partition : ndarray of shape (n,)
        ``+1``/``-1`` per node, in the order of ``nodes`` (empty when no round completed).
    energy : float
        The Ising energy ``sum w_ij s_i s_j`` of the partition (``cut = (sum w - energy)/2``).
    status : str
        Why the machine stopped.
    elapsed : float
        How long it ran, in seconds.
    nodes : list or range
        The graph's nodes, in the order of ``partition``.
    """

    cut: float
    partition: np.ndarray
    energy: float
    status: str
    elapsed: float
    nodes: "list | range"


def _edges_of(graph, n=None):
    """``(n, i, j, w, nodes)`` from a networkx graph, an ``(m, 2|3)`` edge array or a G-set
    file path."""
    if isinstance(graph, (str, os.PathLike)):
        if n is not None:
            raise AttractorError("n: a G-set file states its number of nodes; give n only with an edge array")
        n, i, j, w = _attractor.read_graph(os.fspath(graph), "rudy")
        # a range, not a list: n may be huge until Rust refuses it
        return n, i, j, w, range(n)
    if hasattr(graph, "nodes") and hasattr(graph, "edges"):
        if n is not None:
            raise AttractorError("n: a networkx graph has its own nodes; give n only with an edge array")
        nodes = list(graph.nodes)
        index = {v: k for k, v in enumerate(nodes)}
        rows = [(index[a], index[c], float(d.get("weight", 1.0))) for a, c, d in graph.edges(data=True)]
        arr = np.array(rows, dtype=np.float64).reshape(-1, 3)
        return len(nodes), arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2], nodes
    n, i, j, w = edge_array(graph, n)
    # a range, not a list of every node: a single edge with node id 2**26 would otherwise build
    # a list of 2**26 ints before Rust refuses the graph
    return n, i, j, w, range(n)


def maxcut(graph, time=None, rounds=None, seed=0, replicas=None, n_threads=None, steps=None,
           progress=None, solver="oim", *, n=None, params=None, strict=True, threads=UNSET):
    """The maximum cut of a graph, by the oscillator Ising machine or a baseline solver.

    The cut of a partition ``s`` is ``sum_edges w_ij (1 - s_i s_j) / 2``, so the solvers
    minimise the Ising energy ``sum_edges w_ij s_i s_j``.

    Parameters
    ----------
    graph : networkx graph, array-like of shape (m, 2) or (m, 3), or path-like
        A networkx graph with optional ``weight`` attributes, an array of 0-based edges
        ``(i, j[, weight])``, or a G-set file.
    time : float or None, default=None
        A time budget in seconds (default: one round).
    rounds : int or None, default=None
        The rounds (reproducible).
    seed : int, default=0
        The seed.
    replicas : int or None, default=None
        ``"oim"``: replicas per round (16); ``"anneal"``: reads per round (16); ``"sb"``:
        agents per round (64).
    n_threads : int or None, default=None
        ``None`` or 1 one thread, -1 every core, -2 all but one (``threads`` is its
        deprecated spelling).
    steps : int or None, default=None
        Steps per round (``"anneal"``: sweeps, 1000; ``"sb"``: 10000).
    progress : callable or None, default=None
        ``"oim"`` only: called as ``progress(rounds, elapsed_s, best_energy)`` as rounds
        finish (an exception in it stops the run and is raised).
    solver : {"oim", "anneal", "sb"}, default="oim"
        The oscillator Ising machine, simulated annealing or discrete simulated bifurcation.
    n : int or None, default=None
        With an edge array: the number of nodes, when the last ones, or node 0, have no
        edges.
    params : dict or None, default=None
        ``"oim"`` only: the machine's other settings by name, e.g. ``{"mu": {"linear": [0,
        2]}, "noise": 0.1}`` (see ``attractor.oscillators.MACHINE_PARAMS``).
    strict : bool, default=True
        Whether failures raise (below); ``strict=False`` returns the
        :class:`MaxCutResult` with its ``status`` (``"interrupted"``, ``"timeout"``; with no
        complete round, ``cut`` NaN and an empty ``partition``).

    Returns
    -------
    result : attractor.MaxCutResult
        The best cut found.

    Raises
    ------
    attractor.Interrupted
        On Ctrl-C with ``strict=True``, with the best cut so far.
    attractor.NotConverged
        With ``strict=True``, when ``time`` ends before the first round.
    attractor.AttractorError
        When ``solver`` is unknown, or ``progress``/``params`` are given to another solver.
    attractor.FileFormatError
        When a G-set file cannot be parsed.

    Examples
    --------
    The 4-cycle, whose maximum cut takes every edge:

    >>> import numpy as np
    >>> import attractor
    >>> edges = np.array([[0, 1], [1, 2], [2, 3], [3, 0]])
    >>> result = attractor.maxcut(edges, rounds=1, seed=0)
    >>> result.cut, result.energy
    (4.0, -4.0)
    >>> result.partition
    array([-1,  1, -1,  1], dtype=int8)
    >>> attractor.maxcut(edges, rounds=1, seed=0, solver="anneal").cut
    4.0
    """
    if solver not in ("oim", "anneal", "sb"):
        raise AttractorError(f"solver = {solver!r}: use 'oim', 'anneal' or 'sb'")
    th = n_threads_arg(n_threads, "maxcut", threads=threads)
    n, i, j, w, nodes = _edges_of(graph, n)
    if solver == "oim":
        d = _attractor.sample_max_cut(
            n, np.ascontiguousarray(i), np.ascontiguousarray(j),
            np.ascontiguousarray(w, dtype=np.float64),
            **_machine_kwargs(seed, 16 if replicas is None else replicas, rounds, time,
                              th, steps, progress, params),
        )
        failed = sample_failure(d, time, whole("replicas", 16 if replicas is None else replicas, 1), "time")
    else:
        if progress is not None:
            raise AttractorError("progress: reported by solver='oim' only")
        if params is not None:
            raise AttractorError("params: the oscillator machine's settings (solver='oim'); the "
                                 "other solvers take replicas, steps, rounds and time")
        from .annealing import anneal_ising_arrays, bifurcate_ising_arrays

        # Max-Cut as the Ising objective sum w_ij s_i s_j (dimod's convention): cut = (W - E)/2
        w = np.ascontiguousarray(w, dtype=np.float64)
        kw = dict(seed=seed, num_rounds=rounds, time_limit=time, n_threads=_n_threads_of(th),
                  strict=False)
        if solver == "anneal":
            d = anneal_ising_arrays(n, np.zeros(n), i, j, w,
                                    num_reads=16 if replicas is None else replicas,
                                    num_sweeps=1000 if steps is None else steps, **kw)
        else:
            d = bifurcate_ising_arrays(n, np.zeros(n), i, j, w,
                                       num_agents=64 if replicas is None else replicas,
                                       num_steps=10000 if steps is None else steps, **kw)
        d["cuts"] = (float(w.sum()) - np.asarray(d["energies"])) / 2
        failed = sample_failure(d, time, name="time")
    if failed:
        best = MaxCutResult(cut=float("nan"), partition=np.zeros(0, dtype=np.int8),
                            energy=float("nan"), status=d["status"], elapsed=d["elapsed"], nodes=nodes)
    else:
        best = MaxCutResult(
            cut=float(d["cuts"][0]),
            partition=d["samples"][0].astype(np.int8),
            energy=float(d["energies"][0]),
            status=d["status"],
            elapsed=d["elapsed"],
            nodes=nodes,
        )
    return finish(best, best.status, strict, failed)


def _n_threads_of(threads):
    """``n_threads`` for a compiled ``threads`` value (0: every core)."""
    return -1 if threads == 0 else threads


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

def _sample_set(d, labels):
    """A ``dimod.SampleSet`` of a sampler's dict (``info``: its ``status`` and timing); a run
    with no complete read (``strict=False``) gives an empty set."""
    rows = d["samples"][:0] if d.get("_no_sample") else d["samples"]
    n = len(rows)
    return dimod.SampleSet.from_samples(
        (rows, labels),
        vartype="SPIN",
        energy=d["energies"][:n],
        num_occurrences=d["num_occurrences"][:n],
        info={"timing": {"elapsed": d["elapsed"]}, "status": d["status"]},
    )


class _Sampler:
    """What the package's dimod samplers share: ``parameters`` (dimod's convention: every
    keyword of ``sample_ising`` beyond ``h`` and ``J``, each with no related property) and
    plain pickling and copying (a sampler holds no state; its settings are per call)."""

    _params = ()
    _description = ""

    @property
    def parameters(self):
        """dimod's ``parameters``: every keyword of ``sample_ising`` beyond ``h`` and ``J``."""
        return {k: [] for k in self._params}

    @property
    def properties(self):
        """dimod's ``properties``: the sampler's ``description`` and the package ``version``."""
        return {"description": self._description, "version": _attractor.__version__}

    def __reduce__(self):
        return (type(self), ())

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __repr__(self):
        return f"{type(self).__name__}()"

    def _finish(self, d, labels, strict, failed):
        if failed:
            d["_no_sample"] = True
        finish(d, d["status"], strict, failed)
        return _sample_set(d, labels)


if dimod is not None:

    class OscillatorIsingSampler(_Sampler, dimod.Sampler):
        """The oscillator Ising machine as a dimod sampler.

        ``sample_ising(h, J)``, ``sample_qubo(Q)`` and ``sample(bqm)`` return a
        ``dimod.SampleSet`` whose samples are the final states of every replica of every round
        (aggregated, lowest energy first) and whose energies are dimod's own,
        ``E(s) = sum h_i s_i + sum J_ij s_i s_j + offset``. The parameters of a call are those
        of :meth:`sample_ising`. Samplers pickle and copy.

        Examples
        --------
        >>> import attractor
        >>> sampler = attractor.OscillatorIsingSampler()
        >>> sampleset = sampler.sample_ising({"a": 0.0}, {("a", "b"): 1.0, ("b", "c"): 1.0},
        ...                                  num_rounds=1, seed=0)
        >>> float(sampleset.first.energy)
        -2.0
        >>> {v: int(s) for v, s in sampleset.first.sample.items()}
        {'a': -1, 'b': 1, 'c': -1}
        """

        _params = ("seed", "num_replicas", "num_rounds", "time_limit", "n_threads", "num_steps",
                   "progress", "params", "strict")
        _description = "oscillator Ising machine (attractor)"

        def sample_ising(self, h, J, seed=0, num_replicas=16, num_rounds=None, time_limit=None,
                         n_threads=None, num_steps=None, progress=None, params=None,
                         strict=True, num_threads=UNSET, **kwargs):
            """Sample ``E(s) = sum h_i s_i + sum J_ij s_i s_j`` with the oscillator machine.

            Parameters
            ----------
            h : dict or list
                The fields, by variable (a list: by index).
            J : dict
                The couplings, by pair of variables.
            seed : int, default=0
                The seed.
            num_replicas : int, default=16
                Replicas per round (16 per SIMD block).
            num_rounds : int or None, default=None
                The rounds (reproducible; one when neither it nor ``time_limit`` is given).
            time_limit : float or None, default=None
                Seconds; with no ``num_rounds``, rounds until it is spent.
            n_threads : int or None, default=None
                ``None`` or 1 one thread, -1 every core, -2 all but one (``num_threads`` is
                its deprecated spelling).
            num_steps : int or None, default=None
                Steps of the first round.
            progress : callable or None, default=None
                Called as ``progress(rounds, elapsed_s, best_energy)`` as rounds finish.
            params : dict or None, default=None
                The machine's other settings by name (``mu``/``noise`` schedules, ``dt``,
                readouts, restarts; see ``attractor.oscillators.MACHINE_PARAMS``).
            strict : bool, default=True
                ``False``: Ctrl-C or a time limit spent before the first round return the
                sample set with ``info["status"]`` instead of raising.
            **kwargs
                Other keywords are dropped with dimod's warning.

            Returns
            -------
            sampleset : dimod.SampleSet
                The samples, lowest energy first.

            Raises
            ------
            attractor.Interrupted
                On Ctrl-C with ``strict=True``.
            attractor.NotConverged
                With ``strict=True``, when ``time_limit`` ends before the first round.
            """
            self.remove_unknown_kwargs(**kwargs)
            th = n_threads_arg(n_threads, "OscillatorIsingSampler.sample_ising", num_threads=num_threads)
            labels, n, linear, i, j, bq = _ising_arrays(h, J)
            if n == 0:
                return dimod.SampleSet.from_samples(([], labels), vartype="SPIN", energy=[])
            d = sample_ising_arrays(n, linear, i, j, bq, 0.0, seed, num_replicas, num_rounds,
                                    time_limit, _n_threads_of(th), num_steps, progress,
                                    params=params, strict=False)
            return self._finish(d, labels, strict, sample_failure(d, time_limit, num_replicas))


from .memory import _Base, _Conventions, _Mixin  # noqa: E402  (the estimator protocol)
from .errors import as_rows, not_fitted  # noqa: E402
from ._records import Recall  # noqa: E402


class OscillatorMemory(_Conventions, Rebuilt, _Mixin, _Base):
    """The oscillator associative memory of ``±1`` patterns.

    The network of Nishikawa, Lai & Hoppensteadt (PRL 92, 2004)::

        dphi_i/dt = sum_j W_ij sin(phi_j - phi_i) + (kappa/N) sum_j sin 2(phi_j - phi_i),

    with Hebbian ``W = Xi^T Xi / N`` (``scale="n"``) or ``Xi^T Xi / K`` (``scale="k"``, the
    tutorial's; ``Xi``: the ``K x N`` patterns as rows), the gradient flow of
    ``E(phi) = -1/2 sum_ij W_ij cos(phi_j - phi_i) - (kappa/4N) sum_ij cos 2(phi_j - phi_i)``,
    whose phase-locked states at 0/pi spell the stored ``±1`` patterns; a stored pattern is a
    stable equilibrium iff ``kappa > critical_kappa(pattern)`` (signed-Laplacian spectrum,
    tutorial section on oscillator networks). :meth:`predict` integrates from the queries'
    phases to ``t_end`` and reads the patterns out (up to a global sign); :meth:`recall` also
    returns the final phases. A scikit-learn transformer (``transform`` is ``predict``).

    Parameters
    ----------
    kappa : float, default=0.2
        The second-harmonic strength (``>= 0``).
    scale : {"n", "k"}, default="n"
        The normalisation of the Hebbian couplings.
    t_end : float, default=120.0
        The integration time of a recall.
    dt : float, default=0.05
        The time step.
    jitter : float, default=0.0
        Radians of seeded noise added to the queries' phases (every ``±1`` state is an
        equilibrium, so a recall from exact phases stays where it starts).
    random_state : int, numpy.random.Generator or None, default=None
        The seed of the jitter, resolved at fit.

    Examples
    --------
    >>> import numpy as np
    >>> import attractor
    >>> rng = np.random.default_rng(0)
    >>> X = np.where(rng.standard_normal((2, 16)) >= 0, 1.0, -1.0)
    >>> memory = attractor.OscillatorMemory(kappa=0.2, jitter=0.1, random_state=0).fit(X)
    >>> bool(memory.critical_kappa(X[0]) < 0.2)  # pattern 0 is stable
    True
    >>> noisy = X.copy()
    >>> noisy[:, :2] *= -1
    >>> states = memory.predict(noisy)
    >>> np.abs((states * X).sum(axis=1))  # overlaps, up to a global sign
    array([16., 16.])
    """

    _feature_names_out = "one-to-one"

    def __init__(self, kappa=0.2, scale="n", t_end=120.0, dt=0.05, jitter=0.0, random_state=None):
        self.kappa = kappa
        self.scale = scale
        self.t_end = t_end
        self.dt = dt
        self.jitter = jitter
        self.random_state = random_state

    def fit(self, X, y=None):
        """Store the rows of ``X``; the seed of the jitter is resolved here.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_features)
            ``±1`` patterns.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted memory (``random_state=None``: a fresh jitter seed per fit).

        Raises
        ------
        attractor.ParameterError
            When ``X`` is not ``±1``, ``kappa < 0`` or ``scale`` is unknown.
        """
        from .memory import _seed

        Xa = as_rows(X, "X")
        self._build("memory_", "OscillatorMemory", Xa.copy(), float(self.kappa), self.scale)
        self._remember_feature_names(X)
        self.patterns_ = Xa.copy()
        self.n_features_in_ = Xa.shape[1]
        self.n_patterns_ = Xa.shape[0]
        self._seed_ = _seed(self.random_state)
        return self

    def __sklearn_is_fitted__(self):
        return hasattr(self, "memory_")

    def critical_kappa(self, pattern):
        """The critical second-harmonic strength ``kappa_c`` of a pattern.

        The pattern is a stable equilibrium iff ``kappa > kappa_c`` (it does not depend on
        this memory's ``kappa``).

        Parameters
        ----------
        pattern : array-like of shape (n_features,)
            A ``±1`` pattern.

        Returns
        -------
        kappa_c : float
            The threshold.
        """
        from .errors import as_float_array

        if not self.__sklearn_is_fitted__():
            raise not_fitted(self, "call fit(patterns) first")
        return self.memory_.critical_kappa(as_float_array(pattern, "pattern", 1))

    def recall(self, X):
        """Integrate from the phases of every row of ``X`` to ``t_end``.

        Never changes the estimator: the jitter's seed is the one resolved at fit.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries (``±1``: phases 0 and pi).

        Returns
        -------
        recall : attractor.Recall
            The read-out ``states`` (``±1``), the final ``phases`` and status
            ``"integrated"`` per query (the run has a fixed horizon, no convergence test).
        """
        if not self.__sklearn_is_fitted__():
            raise not_fitted(self, "call fit(patterns) first")
        X = self._fitted_rows(X)
        read, phases = self.memory_.recall(
            X, float(self.t_end), float(self.dt), float(self.jitter), self._seed_,
        )
        k = read.shape[0]
        steps = int(round(float(self.t_end) / float(self.dt)))
        return Recall(read, ["integrated"] * k, np.full(k, steps, dtype=np.uint64),
                      np.full(k, np.nan), False, phases)

    def predict(self, X):
        """The patterns read out from every row of ``X`` (see :meth:`recall`).

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries.

        Returns
        -------
        states : ndarray of shape (n_queries, n_features)
            The ``±1`` read-outs (up to a global sign per row).
        """
        return self.recall(X).states

    def transform(self, X):
        """The same as :meth:`predict`.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            The queries.

        Returns
        -------
        states : ndarray of shape (n_queries, n_features)
            The ``±1`` read-outs.
        """
        return self.predict(X)
