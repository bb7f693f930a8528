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


def run_chunk(task, items):
    """Run ``task`` (a name, ``"module:function"`` or a callable) on every item of ``items``
    (dicts with ``index``, ``task_id``, ``params``, ``seed``, ``repeat``, ``pass_seed``):
    one record per item. A task that raises gives a record with ``status="error"`` and its
    message; the others go on."""
    from .tasks import resolve_task

    fn = resolve_task(task)
    versions = _versions()
    out = []
    for it in items:
        kw = dict(it["params"])
        if it["pass_seed"]:
            kw["seed"] = it["seed"]
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
        if buf.getvalue():
            res["output"] = buf.getvalue()
        out.append({"index": it["index"], "task_id": it["task_id"], "status": status,
                    "error": err, "wall_s": wall, "result": res, "pid": os.getpid(), **versions})
    return out


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
            return self.pool.submit(run_chunk, self.task, chunk)
        except cf.process.BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new()
            return self.pool.submit(run_chunk, self.task, chunk)

    def wait(self, handles):
        done, _ = cf.wait(handles, return_when=cf.FIRST_COMPLETED)
        out = []
        broken = False
        for f in done:
            e = f.exception()
            out.append((f, e if e is not None else f.result()))
            broken |= isinstance(e, cf.process.BrokenProcessPool)
        if broken:
            # every future of the broken pool fails: collect them all, then start a new pool
            rest = [f for f in handles if f not in done]
            cf.wait(rest)
            for f in rest:
                e = f.exception()
                out.append((f, e if e is not None else f.result()))
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


class Ray:
    """Chunks as Ray tasks (``max_retries``: Ray reruns a chunk whose worker died). Connects to
    ``address`` (``"auto"``: a running cluster) unless Ray is already initialised; with
    ``address=None`` and no cluster, starts a local one."""

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
        self.remote = ray.remote(num_cpus=num_cpus, max_retries=int(max_retries))(run_chunk)
        self._task_ref = ray.put(task)

    def submit(self, chunk):
        return self.remote.remote(self._task_ref, chunk)

    def wait(self, handles):
        done, _ = self.ray.wait(list(handles), num_returns=1)
        # take whatever else has finished too
        more, _ = self.ray.wait([h for h in handles if h not in done], num_returns=len(handles) - 1,
                                timeout=0) if len(handles) > 1 else ([], [])
        out = []
        for h in list(done) + list(more):
            try:
                out.append((h, self.ray.get(h)))
            except Exception as e:
                out.append((h, e))
        return out

    def lost(self, exc):
        # Ray already retried the chunk max_retries times: the driver splits it or records it
        return False

    def warm(self):
        w = self.ray.remote(num_cpus=1)(_warm)
        self.ray.get([w.remote(self._task_ref, 0.2) for _ in range(self.workers)])

    def close(self):
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
