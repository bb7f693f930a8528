"""Parameter sweeps over the library's runs, locally or on Ray.

A sweep is a task (a built-in -- ``"maxcut"``, ``"recall"``, ``"capacity"`` -- or any
importable ``"module:function"`` or callable) and a list of parameter points (:func:`grid`,
:func:`random_search`, or a list of dicts), each run ``repeats`` times::

    from attractor.sweep import Sweep, grid, run_sweep

    s = Sweep("recall", grid(n=[100, 200], k=[5, 10, 20], noise=[0.1, 0.2]), seed=1, repeats=4)
    res = run_sweep(s, backend="processes", workers=2, out="recall.csv")
    res.to_pandas()            # or res.records

- Every task gets its own seed, a stable hash (BLAKE2b) of the sweep's seed, the task's name,
  its parameters (canonical JSON) and the repeat number -- never Python's ``hash()`` -- so the
  results do not depend on where or in which order the tasks ran.
- Records are written as chunks finish (``out``: ``.csv``, ``.jsonl`` or ``.parquet``, flushed at
  once, fsynced every second); running the same sweep on the same ``out`` again skips the tasks already there
  (``resume=True``), so an interrupted sweep loses nothing it finished.
- Short tasks are grouped in chunks sized to ``target_chunk_s`` seconds from the time of the
  first tasks (or a fixed ``chunk_size``); :attr:`SweepResult.stats` reports the scheduling
  overhead.
- A task that raises is recorded (``status="error"``, ``error`` its message) and the sweep goes
  on; a chunk whose worker process dies is run again (the process pool is restarted; on Ray,
  ``max_retries``), alone task by task if it keeps failing.
- Ray is optional and imported only for ``backend="ray"`` (one actor per worker, reused from
  chunk to chunk). :func:`attractor.sweep.tune.tune_search` searches the hyperparameters of the
  trainable models with Ray Tune, every trial a row of a table.

Command line: ``python -m attractor.sweep CONFIG.toml [--address auto] [--out results.csv]``
(see :mod:`attractor.sweep.__main__` for the file's format).
"""

import hashlib
import inspect
import itertools
import json
import math
import os
import random
import sys
import time
from dataclasses import dataclass, field

from .backends import make_backend, run_chunk
from .store import open_store, read_records, write_table
from .tasks import BUILTIN, resolve_task

__all__ = ["Sweep", "SweepResult", "SweepConfigError", "grid", "random_search", "run_sweep",
           "derive_seed", "load_config", "read_records", "write_table", "run_chunk"]

RESERVED = ("seed",)
META = ("task", "task_id", "repeat", "seed", "status", "error", "wall_s", "attractor_version",
        "python_version")


class SweepConfigError(ValueError):
    """A sweep that cannot run as described (unknown task or parameter, empty grid, ...).

    A ``ValueError``; raised by :class:`Sweep`, :func:`grid`, :func:`random_search` and
    :func:`load_config` before anything runs.
    """


def _canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def _digest(*parts):
    h = hashlib.blake2b(digest_size=8)
    for p in parts:
        h.update(_canonical(p).encode())
        h.update(b"\x00")
    return h.digest()


def derive_seed(sweep_seed, task, params, repeat=0):
    """A task's seed: a stable hash of the sweep's seed, the task, its parameters and repeat.

    BLAKE2b of the sweep's seed, the task's name, its parameters as canonical JSON (sorted
    keys) and the repeat number -- never Python's ``hash()`` -- so the seed does not depend
    on where or in which order the tasks run.

    Parameters
    ----------
    sweep_seed : int
        The sweep's seed.
    task : str
        The task's name.
    params : dict
        The task's parameters.
    repeat : int, default=0
        The repeat number.

    Returns
    -------
    seed : int
        An int in ``[0, 2**63)``.

    Examples
    --------
    >>> from attractor.sweep import derive_seed
    >>> derive_seed(1, "recall", {"n": 32}, 0)
    3778816128002857539
    >>> derive_seed(1, "recall", {"n": 32}, 0) != derive_seed(1, "recall", {"n": 32}, 1)
    True
    """
    return int.from_bytes(_digest("seed", sweep_seed, task, params, repeat), "little") >> 1


def _task_id(task, params, repeat):
    return _digest("id", task, params, repeat).hex()


def grid(params=None, **axes):
    """Every combination of the values of ``params`` and ``axes``.

    A list (or tuple, or range) value is an axis, any other value is fixed.

    Parameters
    ----------
    params : dict or None, default=None
        Parameters by name.
    **axes
        More parameters by name.

    Returns
    -------
    points : list of dict
        One dict per combination, the last axis varying fastest.

    Raises
    ------
    attractor.sweep.SweepConfigError
        When there is no parameter or an axis has no values.

    Examples
    --------
    >>> from attractor.sweep import grid
    >>> grid(n=[100, 200], noise=[0.1, 0.2], model="pinv")  # doctest: +NORMALIZE_WHITESPACE
    [{'n': 100, 'noise': 0.1, 'model': 'pinv'}, {'n': 100, 'noise': 0.2, 'model': 'pinv'},
     {'n': 200, 'noise': 0.1, 'model': 'pinv'}, {'n': 200, 'noise': 0.2, 'model': 'pinv'}]
    """
    space = dict(params or {})
    space.update(axes)
    keys, values = [], []
    for k, v in space.items():
        vals = list(v) if isinstance(v, (list, tuple, range)) else [v]
        if not vals:
            raise SweepConfigError(f"empty grid: parameter {k!r} has no values")
        keys.append(k)
        values.append(vals)
    if not keys:
        raise SweepConfigError("empty grid: give at least one parameter")
    return [dict(zip(keys, combo)) for combo in itertools.product(*values)]


def random_search(space, n, seed=0):
    """``n`` distinct points drawn at random from ``space``.

    Reproducible from ``seed`` (a stable hash, not Python's ``hash()``). A space with fewer
    than ``n`` points (lists only) gives all of them it finds in ``100 n`` draws.

    Parameters
    ----------
    space : dict
        Parameters by name: a list is a choice, a ``(low, high)`` tuple a uniform float
        (ints if both are ints), ``{"low": .., "high": .., "log": True, "int": False}`` a
        range on a log or linear scale, anything else is fixed.
    n : int
        The number of points.
    seed : int, default=0
        The seed.

    Returns
    -------
    points : list of dict
        The points.

    Raises
    ------
    attractor.sweep.SweepConfigError
        When ``space`` is empty, ``n < 1``, a choice is empty or a range is bad.

    Examples
    --------
    >>> from attractor.sweep import random_search
    >>> points = random_search({"k": [5, 10], "noise": (0.0, 0.5), "model": "pinv"}, 3, seed=0)
    >>> len(points), sorted(points[0])
    (3, ['k', 'model', 'noise'])
    >>> all(0.0 <= p["noise"] <= 0.5 and p["k"] in (5, 10) for p in points)
    True
    """
    if not space:
        raise SweepConfigError("empty search space: give at least one parameter")
    if int(n) < 1:
        raise SweepConfigError(f"random search: n = {n}, draw at least one point")
    rng = random.Random(int.from_bytes(_digest("random", seed, space), "little"))
    out, seen = [], set()
    for _ in range(100 * int(n)):
        if len(out) == int(n):
            break
        pt = {}
        for k, v in space.items():
            if isinstance(v, list):
                if not v:
                    raise SweepConfigError(f"empty grid: parameter {k!r} has no values")
                pt[k] = v[rng.randrange(len(v))]
            elif isinstance(v, tuple) or (isinstance(v, dict) and "low" in v):
                lo, hi = (v if isinstance(v, tuple) else (v["low"], v["high"]))
                log = isinstance(v, dict) and v.get("log", False)
                as_int = (isinstance(v, dict) and v.get("int", False)) or (
                    isinstance(lo, int) and isinstance(hi, int) and not log)
                if hi < lo or (log and lo <= 0):
                    raise SweepConfigError(f"parameter {k!r}: bad range {v!r}")
                if as_int and not log:
                    pt[k] = rng.randint(int(lo), int(hi))
                else:
                    x = math.exp(rng.uniform(math.log(lo), math.log(hi))) if log else rng.uniform(lo, hi)
                    pt[k] = int(round(x)) if as_int else x
            else:
                pt[k] = v
        key = _canonical(pt)
        if key not in seen:  # a point drawn twice is one task
            seen.add(key)
            out.append(pt)
    return out


def _task_name(task):
    if isinstance(task, str):
        return task
    return f"{getattr(task, '__module__', '?')}:{getattr(task, '__qualname__', repr(task))}"


@dataclass
class Sweep:
    """A task and its parameter points, each run ``repeats`` times.

    Every task gets a seed derived from ``seed`` (:func:`derive_seed`), passed as the
    task's ``seed`` keyword when it takes one. The parameters are checked against the task's
    signature when the sweep is made.

    Parameters
    ----------
    task : str or callable
        A built-in (``"maxcut"``, ``"recall"``, ``"capacity"``, ``"train_rbm"``), an
        importable ``"module:function"`` or a callable returning a dict of results.
    params : list of dict or dict
        The parameter points (a dict is read as :func:`grid`).
    seed : int, default=0
        The sweep's seed.
    repeats : int, default=1
        The runs of every point.

    Raises
    ------
    attractor.sweep.SweepConfigError
        When there are no points, ``repeats < 1``, the task is unknown, or a parameter is
        unknown to the task, is ``seed`` or the name of a record column.

    Examples
    --------
    >>> from attractor.sweep import Sweep, grid
    >>> sweep = Sweep("recall", grid(n=[32], k=[2, 4], noise=[0.1]), seed=1, repeats=2)
    >>> len(sweep.items())  # 2 points, 2 repeats each
    4
    """

    task: object
    params: object
    seed: int = 0
    repeats: int = 1

    def __post_init__(self):
        if isinstance(self.params, dict):
            self.params = grid(self.params)
        self.params = [dict(p) for p in self.params]
        if not self.params:
            raise SweepConfigError("empty sweep: no parameter points")
        if int(self.repeats) < 1:
            raise SweepConfigError(f"repeats = {self.repeats}: run every point at least once")
        self.name = _task_name(self.task)
        try:
            fn = resolve_task(self.task)
        except (ValueError, TypeError) as e:
            raise SweepConfigError(str(e)) from None
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):  # a builtin without a signature: take it on trust
            sig = None
        self.pass_seed = True
        if sig is not None:
            ps = sig.parameters
            var_kw = any(p.kind is p.VAR_KEYWORD for p in ps.values())
            self.pass_seed = "seed" in ps or var_kw
            names = {k for k, p in ps.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
            for pt in self.params:
                for k in pt:
                    if k in RESERVED:
                        raise SweepConfigError(
                            f"parameter 'seed' is set by the sweep (derived from its seed); use repeats=")
                    if k in META:
                        raise SweepConfigError(f"parameter {k!r}: the name of a record column; rename it")
                    if not var_kw and k not in names:
                        raise SweepConfigError(
                            f"unknown parameter {k!r} for task {self.name!r}; it takes "
                            f"{sorted(names - set(RESERVED))}")
        for pt in self.params:
            _canonical(pt)

    def items(self):
        """Every task of the sweep.

        Returns
        -------
        items : list of dict
            ``index``, ``task_id``, ``params``, ``repeat``, ``seed`` and ``pass_seed`` of
            every task, points in order and repeats within each.

        Raises
        ------
        attractor.sweep.SweepConfigError
            When the sweep lists the same point twice.
        """
        out = []
        for p in self.params:
            for r in range(int(self.repeats)):
                out.append({"index": len(out), "task_id": _task_id(self.name, p, r), "params": p,
                            "repeat": r, "seed": derive_seed(self.seed, self.name, p, r),
                            "pass_seed": self.pass_seed})
        ids = [it["task_id"] for it in out]
        if len(set(ids)) != len(ids):
            raise SweepConfigError("the sweep lists the same parameter point twice")
        return out


@dataclass
class SweepResult:
    """The records of a sweep and its timing.

    Attributes
    ----------
    records : list of dict
        One record per task, in the sweep's order: ``task``, ``task_id``, the parameters,
        ``repeat``, ``seed``, ``status`` (``"ok"`` or ``"error"``), ``error``, ``wall_s``,
        the versions, and the task's results.
    stats : dict
        ``wall_s``, ``tasks_run``, ``tasks_skipped``, ``errors``, ``workers``, ``chunks``,
        ``chunk_size``, ``startup_s`` (workers started and the task's modules imported),
        ``shutdown_s`` (workers stopped, after ``wall_s``), ``task_s`` (the tasks' own time
        summed), ``run_s`` (the time of the chunks' scheduling loop), ``overhead`` (the
        fraction of worker time not in tasks, ``1 - task_s / (workers * run_s)``) and
        ``overhead_per_task_s`` (``(workers * run_s - task_s) / tasks_run``).
    """

    records: list
    stats: dict = field(default_factory=dict)

    def to_pandas(self):
        """The records as a pandas DataFrame (needs pandas).

        Returns
        -------
        table : pandas.DataFrame
            One row per task.
        """
        import pandas as pd

        return pd.DataFrame.from_records(self.records)

    def table(self):
        """A pandas DataFrame if pandas is installed, else the list of records.

        Returns
        -------
        table : pandas.DataFrame or list of dict
            One row (or dict) per task.
        """
        try:
            return self.to_pandas()
        except ImportError:
            return self.records

    def write(self, path):
        """Write the records to ``path`` (see :func:`write_table`).

        Parameters
        ----------
        path : str or path-like
            A ``.csv``, ``.jsonl`` or ``.parquet`` file.
        """
        write_table(self.records, path)

    @property
    def errors(self):
        """The records of the tasks that failed (``status != "ok"``)."""
        return [r for r in self.records if r["status"] != "ok"]


def _record(sweep, it, raw):
    rec = {"task": sweep.name, "task_id": it["task_id"], **it["params"], "repeat": it["repeat"],
           "seed": it["seed"], "status": raw["status"], "error": raw["error"],
           "wall_s": raw["wall_s"], "attractor_version": raw.get("attractor_version"),
           "python_version": raw.get("python_version")}
    for k, v in raw["result"].items():
        rec[k if k not in rec else f"result_{k}"] = v
    return rec


def _lost_record(sweep, it, exc):
    return _record(sweep, it, {"status": "error", "error": f"worker lost: {type(exc).__name__}: {exc}",
                               "wall_s": None, "result": {}})


class _Bar:
    def __init__(self, total, enabled):
        self.total, self.n, self.enabled, self.t0 = total, 0, enabled, time.perf_counter()
        self.tq = None
        if enabled:
            try:
                from tqdm import tqdm

                self.tq = tqdm(total=total, unit="task")
            except ImportError:
                self._draw()

    def update(self, k, errors=0):
        self.n += k
        if self.tq is not None:
            self.tq.update(k)
        elif self.enabled:
            self._draw(errors)

    def _draw(self, errors=0):
        w = 30
        f = self.n / self.total if self.total else 1.0
        el = time.perf_counter() - self.t0
        eta = el / f - el if f > 0 else float("nan")
        sys.stderr.write(f"\r[{'#' * int(w * f):<{w}}] {self.n}/{self.total} "
                         f"errors {errors} {el:6.1f}s eta {eta:6.1f}s")
        sys.stderr.flush()

    def close(self):
        if self.tq is not None:
            self.tq.close()
        elif self.enabled:
            sys.stderr.write("\n")


def run_sweep(sweep, backend="processes", workers=None, address=None, out=None, resume=True,
              chunk_size=None, target_chunk_s=1.0, max_retries=3, progress=False,
              retry_errors=False, mp_context="spawn"):
    """Run a sweep and return its records.

    A task that raises is recorded (``status="error"``) and the sweep goes on; a chunk whose
    worker dies is run again.

    Parameters
    ----------
    sweep : attractor.sweep.Sweep
        The sweep.
    backend : {"processes", "sequential", "ray"}, default="processes"
        Local processes, this process, or Ray.
    workers : int or None, default=None
        The worker processes or actors (default: all cores).
    address : str or None, default=None
        ``"ray"``: a cluster's address, ``"auto"`` for the running one (default: the current
        ``ray.init``).
    out : str, path-like or None, default=None
        A ``.csv``, ``.jsonl`` or ``.parquet`` file the records are appended to as chunks
        finish.
    resume : bool, default=True
        Skip the tasks already in ``out``.
    chunk_size : int or None, default=None
        Tasks per chunk (default: sized from the first tasks' time to ``target_chunk_s``
        seconds, at most a quarter of a worker's share).
    target_chunk_s : float, default=1.0
        The seconds a chunk aims at.
    max_retries : int, default=3
        How often a chunk whose worker died is run again.
    progress : bool, default=False
        A progress bar on stderr.
    retry_errors : bool, default=False
        With ``resume``, run the tasks recorded as errors again.
    mp_context : str, default="spawn"
        The multiprocessing start method of ``"processes"``.

    Returns
    -------
    result : attractor.sweep.SweepResult
        The records (in the sweep's order) and ``stats``.

    Raises
    ------
    TypeError
        When ``sweep`` is not a :class:`Sweep`.
    ValueError
        When ``backend`` is unknown or ``out`` has another suffix.

    Examples
    --------
    >>> from attractor.sweep import Sweep, grid, run_sweep
    >>> def square(x, seed):
    ...     return {"y": x * x}
    >>> result = run_sweep(Sweep(square, grid(x=[1, 2, 3])), backend="sequential")
    >>> [r["y"] for r in result.records], result.errors
    ([1, 4, 9], [])
    >>> result = run_sweep(Sweep("recall", grid(n=[32], k=[2, 4], noise=[0.1]), seed=1),
    ...                    backend="sequential")
    >>> [(r["k"], r["status"], r["recall"], r["overlap"]) for r in result.records]
    [(2, 'ok', 1.0, 1.0), (4, 'ok', 0.5, 0.875)]
    """
    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep: expected a Sweep, got {type(sweep).__name__}")
    items = sweep.items()
    t_start = time.perf_counter()
    store = open_store(out) if out is not None else None
    done = {}
    if store is not None and resume:
        ids = {it["task_id"]: it for it in items}
        for r in store.read():
            it = ids.get(r.get("task_id"))
            if it is None:
                continue
            if r.get("status") != "ok" and retry_errors:
                continue
            # parameters as the sweep states them (a CSV gives strings back)
            r.update(it["params"])
            r["repeat"], r["seed"] = it["repeat"], it["seed"]
            done[it["index"]] = r
    elif store is not None:
        for path in {os.fspath(out), store.path}:  # a Parquet file's journal too
            if os.path.exists(path):
                os.remove(path)
    todo = [it for it in items if it["index"] not in done]
    stats = {"tasks": len(items), "tasks_skipped": len(done), "tasks_run": len(todo),
             "backend": backend}
    task_s = 0.0
    nchunks = 0
    bar = _Bar(len(todo), progress)
    results = dict(done)
    be = None
    try:
        if todo:
            be = make_backend(backend, sweep.task, workers, address, max_retries, mp_context)
            W = be.workers
            stats["workers"] = W
            try:
                be.warm()
            except Exception as e:
                raise RuntimeError(f"the {backend} workers could not load task {sweep.name!r}: {e}") from e
            stats["startup_s"] = time.perf_counter() - t_start
            # (items, attempts) chunks still to submit; the first W are single probes
            size = int(chunk_size) if chunk_size else None
            queue = list(todo)
            pending = []
            if size is None:
                pending = [([it], 0) for it in queue[:W]]
                queue = queue[W:]
            inflight = {}
            probe_times = []
            # one chunk running and one queued per worker: none waits on the driver, and the
            # chunks are sized late (from the work not yet handed out), so the end balances
            max_inflight = 2 * W
            n_err = 0

            def next_chunk():
                nonlocal queue
                if pending:
                    return pending.pop(0)
                if not queue:
                    return None
                s = size or 1
                if not chunk_size:
                    # at most a quarter of each worker's share of the work not yet handed out,
                    # so the end balances, but no less than a fiftieth of target_chunk_s, so
                    # that the last chunks do not cost more in round trips than they save
                    s = max(max(1, s // 50), min(s, math.ceil(len(queue) / (4 * W))))
                c, queue = queue[:s], queue[s:]
                return (c, 0)

            while True:
                while len(inflight) < max_inflight and (size is not None or chunk_size or pending):
                    c = next_chunk()
                    if c is None:
                        break
                    inflight[be.submit(c[0])] = c
                    nchunks += 1
                if not inflight:
                    if pending or queue:
                        # waiting on the probes to size the chunks: size from what we have
                        size = size or 1
                        continue
                    break
                for h, res in be.wait(list(inflight)):
                    chunk, attempts = inflight.pop(h)
                    if isinstance(res, BaseException):
                        if be.lost(res) and attempts < max_retries:
                            pending.append((chunk, attempts + 1))
                        elif len(chunk) > 1:
                            pending.extend(([it], 0) for it in chunk)
                        else:
                            rec = _lost_record(sweep, chunk[0], res)
                            results[chunk[0]["index"]] = rec
                            if store is not None:
                                store.append([rec])
                            n_err += 1
                            bar.update(1, n_err)
                        continue
                    by = {it["index"]: it for it in chunk}
                    recs = [_record(sweep, by[r["index"]], r) for r in res]
                    for r, rec in zip(res, recs):
                        results[r["index"]] = rec
                        if r["wall_s"] is not None:
                            task_s += r["wall_s"]
                            if size is None and not chunk_size:
                                probe_times.append(r["wall_s"])
                    if store is not None:
                        store.append(recs)
                    n_err += sum(1 for x in recs if x["status"] != "ok")
                    bar.update(len(recs), n_err)
                    if size is None and not chunk_size and probe_times:
                        mean = sum(probe_times) / len(probe_times)
                        size = max(1, int(target_chunk_s / max(mean, 1e-6)))
                        stats["measured_task_s"] = mean
            stats["chunk_size"] = int(chunk_size) if chunk_size else size
        t_end = time.perf_counter()  # the last record is in: the sweep's wall time
    finally:
        bar.close()
        t_close = time.perf_counter()
        if be is not None:
            be.close()
        if store is not None:
            store.close()
        stats["shutdown_s"] = time.perf_counter() - t_close
    wall = t_end - t_start
    records = [results[i] for i in sorted(results)]
    if store is not None and hasattr(store, "finish"):
        store.finish(records)
    W = stats.get("workers", 1)
    stats.update({"wall_s": wall, "task_s": task_s, "chunks": nchunks,
                  "errors": sum(1 for r in records if r["status"] != "ok")})
    if todo:
        # scheduling overhead: worker time not spent in tasks, after the workers started
        run_s = wall - stats.get("startup_s", 0.0)
        stats["run_s"] = run_s
        stats["overhead"] = max(0.0, 1.0 - task_s / (W * run_s)) if run_s > 0 else 0.0
        stats["overhead_per_task_s"] = max(0.0, (W * run_s - task_s) / len(todo))
    else:  # everything was done already (a resumed sweep): no scheduling at all
        stats["overhead"] = stats["overhead_per_task_s"] = 0.0
    return SweepResult(records, stats)


def load_config(path_or_dict):
    """A :class:`Sweep` and the ``run_sweep`` options from a TOML file (or its dict).

    Keys: ``task`` (a built-in name or ``"module:function"``), ``seed``, ``repeats``; a
    ``[grid]`` table (lists are axes, other values fixed) or a ``[random]`` table (``n``,
    ``seed`` and the space: lists, ``[low, high]`` under ``range.*`` or ``{low, high, log}``
    tables); ``[fixed]`` values added to every point; ``[run]``: ``backend``, ``workers``,
    ``address``, ``out``, ``chunk_size``, ``target_chunk_s``, ``max_retries``, ``resume``,
    ``retry_errors``.

    Parameters
    ----------
    path_or_dict : str, path-like or dict
        A TOML file, or the dict it reads as.

    Returns
    -------
    sweep : attractor.sweep.Sweep
        The sweep.
    run : dict
        The keyword arguments of :func:`run_sweep` (``backend="ray"`` when an ``address``
        is given without a backend).

    Raises
    ------
    attractor.sweep.SweepConfigError
        When the file is not TOML or a key is unknown, missing or inconsistent.

    Examples
    --------
    >>> from attractor.sweep import load_config
    >>> sweep, run = load_config({"task": "recall", "seed": 1,
    ...                           "grid": {"n": [32], "k": [2, 4]},
    ...                           "run": {"backend": "sequential"}})
    >>> sweep.params, run
    ([{'n': 32, 'k': 2}, {'n': 32, 'k': 4}], {'backend': 'sequential'})
    """
    if isinstance(path_or_dict, dict):
        cfg = dict(path_or_dict)
    else:
        try:
            import tomllib
        except ImportError:  # Python < 3.11
            try:
                import tomli as tomllib
            except ImportError as e:
                raise ImportError("reading a TOML sweep needs Python >= 3.11 or pip install tomli") from e
        with open(path_or_dict, "rb") as f:
            try:
                cfg = tomllib.load(f)
            except tomllib.TOMLDecodeError as e:
                raise SweepConfigError(f"{path_or_dict}: {e}") from None
    allowed = {"task", "seed", "repeats", "grid", "random", "fixed", "run"}
    bad = sorted(set(cfg) - allowed)
    if bad:
        raise SweepConfigError(f"unknown key(s) {bad} in the sweep configuration; use {sorted(allowed)}")
    if "task" not in cfg:
        raise SweepConfigError("the sweep configuration names no task (task = \"maxcut\", ...)")
    if ("grid" in cfg) == ("random" in cfg):
        raise SweepConfigError("give one of [grid] or [random] (the parameters to sweep)")
    fixed = dict(cfg.get("fixed", {}))
    if "grid" in cfg:
        g = dict(cfg["grid"])
        if not g and not fixed:
            raise SweepConfigError("empty grid: [grid] lists no parameters")
        pts = grid({**g, **{k: [v] if isinstance(v, list) else v for k, v in fixed.items()}})
    else:
        r = dict(cfg["random"])
        n = r.pop("n", None)
        if n is None:
            raise SweepConfigError("[random] needs n (the number of points)")
        rseed = r.pop("seed", cfg.get("seed", 0))
        space = {k: (tuple(v["range"]) if isinstance(v, dict) and "range" in v else v)
                 for k, v in r.items()}
        pts = [{**p, **fixed} for p in random_search(space, n, rseed)]
    run = dict(cfg.get("run", {}))
    okrun = {"backend", "workers", "address", "out", "chunk_size", "target_chunk_s",
             "max_retries", "resume", "retry_errors"}
    bad = sorted(set(run) - okrun)
    if bad:
        raise SweepConfigError(f"unknown key(s) {bad} in [run]; use {sorted(okrun)}")
    if run.get("address") and "backend" not in run:
        run["backend"] = "ray"
    sweep = Sweep(cfg["task"], pts, seed=int(cfg.get("seed", 0)), repeats=int(cfg.get("repeats", 1)))
    return sweep, run
