"""Where a sweep's chunks run: in this process (``"sequential"``), in a pool of local processes
(``"processes"``, no Ray needed) or on a Ray cluster (``"ray"``). Every backend runs the same
function, :func:`run_chunk`, on a list of tasks and gets back one record per task; the driver
in :mod:`attractor.sweep` decides the chunks, retries and writes the records.

A backend has ``workers``, ``submit(chunk) -> handle``, ``wait(handles) -> [(handle, records
| exception)]`` (at least one), ``lost(exception) -> bool`` (the worker died: retry the
chunk) and ``close()``.
"""

import concurrent.futures as cf
import contextlib
import io
import multiprocessing
import os
import platform
import time
import traceback

__all__ = ["run_chunk", "make_backend"]

_VERSIONS = None


def _versions():
    global _VERSIONS
    if _VERSIONS is None:
        try:
            from .. import __version__ as v
        except Exception:  # pragma: no cover
            v = None
        _VERSIONS = {"attractor_version": v, "python_version": platform.python_version()}
    return _VERSIONS


def _plain(v):
    """A JSON-friendly value: NumPy scalars as Python numbers, small arrays as lists."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
        return v.item()
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return str(v)


def _fields(result):
    import dataclasses

    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        result = dataclasses.asdict(result)
    if isinstance(result, dict):
        return {str(k): _plain(v) for k, v in result.items()}
    return {"value": _plain(result)}


def _run_packed(task, packed):
    """Run ``task`` on packed items ``(index, params, seed or None)``: ``(header, rows)``
    with one ``(index, status, error, wall_s, result)`` row per item and the worker's ``pid``
    and versions once. What the workers run: tuples pickle in a fraction of the time of
    dicts, and with sub-millisecond tasks (de)serialising the chunks is most of the
    scheduling overhead."""
    from .tasks import resolve_task

    fn = resolve_task(task)
    rows = []
    for index, params, seed in packed:
        kw = dict(params)
        if seed is not None:
            kw["seed"] = seed
        buf = io.StringIO()
        t0 = time.perf_counter()
        try:
            # what the task prints goes into its record (column "output"), not a log file
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
                value = fn(**kw)
            res = _fields(value)
            status, err = "ok", None
        except Exception as e:  # recorded, the sweep goes on
            status = "error"
            err = f"{type(e).__name__}: {e}"
            res = {"traceback": traceback.format_exc(limit=-3)}
        wall = time.perf_counter() - t0
        out = buf.getvalue()
        if out:
            res["output"] = out
        rows.append((index, status, err, wall, res))
    return {"pid": os.getpid(), **_versions()}, rows


def _pack(items):
    return [(it["index"], it["params"], it["seed"] if it["pass_seed"] else None) for it in items]


def _unpack(items, packed_result):
    header, rows = packed_result
    ids = {it["index"]: it["task_id"] for it in items}
    return [{"index": i, "task_id": ids[i], "status": st, "error": err, "wall_s": w, "result": res,
             **header} for i, st, err, w, res in rows]


def run_chunk(task, items):
    """Run a task on every item of a chunk: one record per item.

    A task that raises gives a record with ``status="error"`` and its message; the others
    go on. This is what every backend's workers run.

    Parameters
    ----------
    task : str or callable
        A built-in name, ``"module:function"`` or a callable.
    items : list of dict
        Items as :meth:`Sweep.items` gives them (``index``, ``task_id``, ``params``,
        ``seed``, ``repeat``, ``pass_seed``).

    Returns
    -------
    records : list of dict
        Per item ``index``, ``task_id``, ``status``, ``error``, ``wall_s``, ``result`` (the
        task's dict) and the versions.

    Examples
    --------
    >>> from attractor.sweep import Sweep, grid, run_chunk
    >>> def square(x, seed):
    ...     return {"y": x * x}
    >>> sweep = Sweep(square, grid(x=[2, 3]))
    >>> [(r["status"], r["result"]) for r in run_chunk(square, sweep.items())]
    [('ok', {'y': 4}), ('ok', {'y': 9})]
    """
    return _unpack(items, _run_packed(task, _pack(items)))


def _warm(task, pause):
    """Import the task's modules in a worker (and hold it ``pause`` seconds so that every
    worker gets one): the start-up cost, kept out of the sweep's scheduling overhead."""
    from .tasks import resolve_task

    resolve_task(task)
    _versions()
    time.sleep(pause)
    return os.getpid()


class Sequential:
    workers = 1

    def __init__(self, task):
        self.task = task
        self._done = []

    def submit(self, chunk):
        h = object()
        try:
            self._done.append((h, run_chunk(self.task, chunk)))
        except BaseException as e:  # noqa: B902 - a KeyboardInterrupt stops the sweep
            if not isinstance(e, Exception):
                raise
            self._done.append((h, e))
        return h

    def wait(self, handles):
        done, self._done = self._done, []
        return done

    def lost(self, exc):
        return False

    def warm(self):
        _warm(self.task, 0.0)

    def close(self):
        pass


def _size_thread_pool(n):
    """A worker's initializer: size the library's thread pool before any computation."""
    if "ATTRACTOR_NUM_THREADS" not in os.environ:
        import attractor

        attractor.set_num_threads(n)


class Processes:
    """A ``ProcessPoolExecutor`` of ``workers`` processes (``spawn`` start by default: safe
    with threads in the parent). When a worker dies the pool breaks; every chunk in flight is
    then reported lost (and resubmitted by the driver) on a fresh pool."""

    def __init__(self, task, workers=None, mp_context="spawn"):
        self.task = task
        self.workers = int(workers or os.cpu_count() or 1)
        self.ctx = multiprocessing.get_context(mp_context) if isinstance(mp_context, str) else mp_context
        self.pool = self._new()
        self._chunks = {}  # future -> its chunk (the task ids, kept here, not sent)

    def _new(self):
        # each worker's thread pool gets its share of the cores, so that co-located tasks do
        # not oversubscribe the machine (ATTRACTOR_NUM_THREADS, when set, decides instead)
        share = max(1, (os.cpu_count() or 1) // self.workers)
        return cf.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self.ctx,
            initializer=_size_thread_pool, initargs=(share,),
        )

    def submit(self, chunk):
        try:
            f = self.pool.submit(_run_packed, self.task, _pack(chunk))
        except cf.process.BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new()
            f = self.pool.submit(_run_packed, self.task, _pack(chunk))
        self._chunks[f] = chunk
        return f

    def wait(self, handles):
        done, _ = cf.wait(handles, return_when=cf.FIRST_COMPLETED)
        out = []
        broken = False
        for f in done:
            e = f.exception()
            chunk = self._chunks.pop(f, None)
            out.append((f, e if e is not None else _unpack(chunk, f.result())))
            broken |= isinstance(e, cf.process.BrokenProcessPool)
        if broken:
            # every future of the broken pool fails: collect them all, then start a new pool
            rest = [f for f in handles if f not in done]
            cf.wait(rest)
            for f in rest:
                e = f.exception()
                chunk = self._chunks.pop(f, None)
                out.append((f, e if e is not None else _unpack(chunk, f.result())))
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new()
        return out

    def lost(self, exc):
        return isinstance(exc, cf.process.BrokenProcessPool)

    def warm(self):
        fs = [self.pool.submit(_warm, self.task, 0.2) for _ in range(self.workers)]
        cf.wait(fs)
        for f in fs:
            f.result()

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class _ChunkRunner:
    """A Ray actor that runs chunks of one task: it imports the task's modules once, when it
    starts (the sweep's start-up), and then runs chunk after chunk in the same process."""

    def __init__(self, task):
        from .tasks import resolve_task

        self.task = task
        resolve_task(task)
        _versions()

    def ready(self):
        return os.getpid()

    def run(self, packed):
        return _run_packed(self.task, packed)


class Ray:
    """Chunks run by one Ray actor per worker (``workers``: default every CPU of the cluster),
    reused from chunk to chunk, so that a chunk costs one actor call, not a task's scheduling
    and start. Connects to ``address`` (``"auto"``: a running cluster) unless Ray is already
    initialised; with ``address=None`` and no cluster, starts a local one. An actor whose
    process dies is restarted and its chunk run again (``max_retries`` times: Ray's
    ``max_restarts`` / ``max_task_retries``); after that the driver splits the chunk or
    records its tasks as lost, on a fresh actor."""

    def __init__(self, task, workers=None, address=None, max_retries=3, num_cpus=1):
        try:
            import ray
        except ImportError as e:
            raise ImportError(
                "backend='ray' needs Ray: pip install 'attractor[sweep]' (or pip install ray); "
                "backend='processes' runs the sweep locally without it"
            ) from e
        self.ray = ray
        self._own = False
        if not ray.is_initialized():
            kw = {"address": address} if address else {}
            ray.init(include_dashboard=False, log_to_driver=False, **kw)
            self._own = True
        self.task = task
        self.workers = int(workers or ray.cluster_resources().get("CPU", 1) // num_cpus or 1)
        r = int(max_retries)
        self._cls = ray.remote(num_cpus=num_cpus, max_restarts=r, max_task_retries=r)(_ChunkRunner)
        self.actors = []
        self._load = {}  # actor index -> chunks in flight
        self._where = {}  # handle -> actor index

    def _spawn(self):
        return self._cls.remote(self.task)

    def warm(self):
        self.actors = [self._spawn() for _ in range(self.workers)]
        self._load = {k: 0 for k in range(self.workers)}
        self.ray.get([a.ready.remote() for a in self.actors])

    def submit(self, chunk):
        k = min(self._load, key=self._load.get)  # the actor with the fewest chunks queued
        h = self.actors[k].run.remote(_pack(chunk))
        self._load[k] += 1
        self._where[h] = (k, chunk)
        return h

    def wait(self, handles):
        handles = list(handles)
        done, _ = self.ray.wait(handles, num_returns=1)
        # take whatever else has finished too
        more, _ = self.ray.wait([h for h in handles if h not in done], num_returns=len(handles) - 1,
                                timeout=0) if len(handles) > 1 else ([], [])
        out = []
        for h in list(done) + list(more):
            k, chunk = self._where.pop(h)
            self._load[k] -= 1
            try:
                out.append((h, _unpack(chunk, self.ray.get(h))))
            except Exception as e:
                out.append((h, e))
                if isinstance(e, self.ray.exceptions.RayActorError):
                    # restarts spent: a fresh actor takes its place
                    self.ray.kill(self.actors[k], no_restart=True)
                    self.actors[k] = self._spawn()
        return out

    def lost(self, exc):
        # Ray already retried the chunk max_retries times: the driver splits it or records it
        return False

    def close(self):
        for a in self.actors:
            try:
                self.ray.kill(a, no_restart=True)
            except Exception:  # pragma: no cover - already gone
                pass
        self.actors = []
        if self._own:
            self.ray.shutdown()


def make_backend(backend, task, workers=None, address=None, max_retries=3, mp_context="spawn"):
    if backend in ("sequential", "serial"):
        return Sequential(task)
    if backend in ("processes", "local"):
        return Processes(task, workers, mp_context)
    if backend == "ray":
        return Ray(task, workers, address, max_retries)
    raise ValueError(f"backend = {backend!r}: use 'sequential', 'processes' (or 'local') or 'ray'")
