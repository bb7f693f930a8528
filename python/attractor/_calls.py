"""Conventions of the function API, in one place: thread counts (``n_threads``, scikit-learn's
meaning), ``strict`` results (raise, or return with the status) and graphs given as edge
arrays (shape and 0-based ids checked)."""

import numbers
import warnings

import numpy as np

from ._attractor import AttractorError, NotConverged, ShapeError
from .errors import Interrupted, cpu_count, threads

#: the default of a deprecated alias: "not given"
UNSET = object()


def n_threads_arg(n_threads, who, **aliases):
    """The compiled functions' ``threads`` (0: every core, ``k``: ``k`` threads) for
    ``n_threads`` with scikit-learn's and joblib's meaning: ``None`` one thread, ``k > 0``
    ``k`` threads, ``-1`` every core, ``-2`` all but one (``cores + 1 + n_threads``, at least
    one); 0 is refused. ``aliases`` are the old spellings (``num_threads=``, ``threads=``,
    :data:`UNSET` when not given), accepted with a ``FutureWarning`` and their old meaning
    (0: every core)."""
    given = {k: v for k, v in aliases.items() if v is not UNSET}
    if given:
        if len(given) > 1 or n_threads is not None:
            names = sorted(given) + (["n_threads"] if n_threads is not None else [])
            raise TypeError(f"{who}: give the thread count once, as n_threads (got {', '.join(names)})")
        (old, value), = given.items()
        warnings.warn(
            f"{who}: {old}= is deprecated and will be removed; use n_threads= (None or 1: one "
            "thread, -1: every core, -2: all but one, as in scikit-learn)",
            FutureWarning, stacklevel=3)
        if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value == 0:
            value = -1  # the old spelling's 0 meant every core
        n_threads = value
    k = threads(n_threads)  # scikit-learn's meaning -> None, -1 (every core) or k >= 1
    if k is None:
        return 1
    if k > 4096:
        raise AttractorError(f"n_threads = {k}: give at most 4096 threads (-1: every core)")
    return 0 if k == -1 or (n_threads < -1 and k >= cpu_count()) else k


# statuses of a flow that stopped before what it was asked to reach
_FLOW_FAILED = ("max steps", "timeout", "diverged")


def flow_failed(status, aimed):
    """Whether a flow run's ``status`` is a failure: it diverged, or it ran out of steps or
    time before the steady state or end time it ``aimed`` at."""
    return status == "diverged" or (aimed and status in _FLOW_FAILED)


def not_converged(message, result):
    """A :class:`~attractor.NotConverged` carrying ``result`` (what the run reached)."""
    e = NotConverged(f"{message}; strict=False returns the result with its status instead of raising")
    e.result = result
    return e


def finish(result, status, strict, failed=None):
    """``result`` if ``strict`` is false or the run ended well; else raise
    :class:`~attractor.Interrupted` (Ctrl-C) or :class:`~attractor.NotConverged` (``failed``:
    the message saying what fell short)."""
    if not strict:
        return result
    if status == "interrupted":
        raise Interrupted(result)
    if failed:
        raise not_converged(failed, result)
    return result


def sample_failure(d, time_limit, per_round=None, name="time_limit"):
    """The message when a sampler's time limit ended before it finished one round (no real
    sample: an empty set, or a placeholder fewer than ``per_round`` reads), else None."""
    reads = int(d.get("num_reads", len(d["samples"])))
    if d["status"] == "timeout" and (len(d["samples"]) == 0 or (per_round and reads < per_round)):
        return (f"{name} = {time_limit} s ended before the first round finished, so there is "
                "no sample; give more time or num_rounds")
    return None


def _integer_ids(a, name):
    if a.size and not np.issubdtype(a.dtype, np.integer):
        if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
            raise TypeError(f"{name}: expected integer node ids, got dtype {a.dtype}")
        if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
            bad = a[~np.isfinite(a) | (a != np.round(a))][0]
            raise AttractorError(f"{name}: node ids must be whole numbers (0-based), got {bad}")
    return a


def check_ids(i, j, n, who="i, j"):
    """``i`` and ``j`` (node or variable ids of pairs) as int64 arrays: 1-D, equal lengths,
    whole numbers in ``0..n-1``; an id equal to ``n`` is named as 1-based."""
    i, j = np.asarray(i), np.asarray(j)
    for a, name in ((i, "i"), (j, "j")):
        if a.ndim != 1:
            raise ShapeError(f"{name}: expected a 1-D array of ids, got shape {a.shape}")
        _integer_ids(a, name)
    if i.shape != j.shape:
        raise ShapeError(f"i and j differ in length: {i.size} and {j.size}; give one id of each pair in each")
    i64, j64 = i.astype(np.int64), j.astype(np.int64)
    if i64.size:
        lo = int(min(i64.min(), j64.min()))
        hi = int(max(i64.max(), j64.max()))
        if lo < 0:
            raise AttractorError(f"{who}: ids must lie in 0..{n - 1} (0-based), got {lo}")
        if hi == n:
            raise AttractorError(
                f"{who}: an id equals n = {n}, but ids are 0-based (0..{n - 1}); if yours are "
                "1-based, subtract 1 from them (i - 1, j - 1)")
        if hi > n:
            raise AttractorError(f"{who}: ids must lie in 0..{n - 1} (0-based, n = {n}), got {hi}")
    return np.ascontiguousarray(i64), np.ascontiguousarray(j64)


def edge_array(graph, n=None):
    """``(n, i, j, w)`` from an ``(m, 2)`` or ``(m, 3)`` array of 0-based edges ``(i, j[, w])``.
    Refuses other shapes (a transposed ``(2|3, m)`` array, 1-D, other column counts) and
    1-based ids: without ``n``, edges that never touch node 0 (pass ``n`` when node 0 is
    isolated); with ``n``, an id equal to ``n``."""
    arr = np.asarray(graph)
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError("graph: expected numeric edges") from None
    if arr.ndim == 2 and arr.shape[1] in (2, 3):
        pass
    elif arr.ndim == 2 and arr.shape[0] in (2, 3) and arr.shape[1] > 3:
        raise ShapeError(
            f"graph: an edge array of shape {arr.shape} looks transposed; give one edge per row, "
            f"(m, {arr.shape[0]}): pass graph.T")
    elif arr.ndim == 1:
        raise ShapeError(
            f"graph: a 1-D array of length {arr.shape[0]}; give an (m, 2) array of pairs or (m, 3) "
            "of (i, j, weight) rows (reshape(-1, 2) for a flat list of pairs)")
    elif arr.ndim == 2:
        raise ShapeError(
            f"graph: an edge array of shape {arr.shape}; give (m, 2) pairs (i, j) or (m, 3) rows "
            "(i, j, weight)")
    else:
        raise ShapeError(
            f"graph: expected a networkx graph, a G-set file or an (m, 2) / (m, 3) edge array, "
            f"got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"graph: expected numeric edges, got dtype {arr.dtype}")
    ij = _integer_ids(arr[:, :2], "graph")
    w = arr[:, 2].astype(np.float64) if arr.shape[1] == 3 else np.ones(len(arr))
    if ij.size and np.any(ij < 0):
        raise AttractorError(f"graph: node ids must be non-negative (0-based), got {ij.min():g}")
    if n is None:
        if ij.size and ij.min() >= 1:
            hi = int(ij.max())
            raise AttractorError(
                f"graph: no edge touches node 0 (ids run {int(ij.min())}..{hi}), so the ids look "
                f"1-based; subtract 1 from them (edges[:, :2] - 1), or pass n = {hi + 1} if node 0 "
                "really has no edges")
        n = int(ij.max()) + 1 if ij.size else 0
    else:
        from .errors import whole

        n = whole("n", n, 0)
    i, j = check_ids(ij[:, 0], ij[:, 1], n, "graph")
    return n, i, j, w
