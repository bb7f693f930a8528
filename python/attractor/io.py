"""File readers of the Rust library: G-set/rudy graphs, ``.npy`` arrays, IDX (MNIST)."""

import os

import numpy as np

from . import _attractor
from ._attractor import AttractorError


def read_gset(path, format="rudy"):
    """Read a graph: G-set / rudy (``format="rudy"``, 1-based ``i j w`` lines after an ``n m``
    header) or a 0-based edge list (``format="edges"``). Returns ``(n, edges)`` with ``edges``
    an ``(m, 3)`` float array of 0-based ``(i, j, w)`` rows."""
    n, i, j, w = _attractor.read_graph(os.fspath(path), format)
    return n, np.column_stack([i.astype(np.float64), j.astype(np.float64), w])


def read_qubo(path):
    """Read a QUBO file (header ``n m``, then 1-based ``i j Q_ij`` lines). Returns ``(n, Q,
    offset)``: the number of variables, a dict ``{(i, j): Q_ij}`` of 0-based indices
    (``i <= j``, ready for ``dimod.BinaryQuadraticModel.from_qubo(Q, offset)``) and the offset."""
    (n, i, j, q), offset = _attractor.read_qubo(os.fspath(path))
    return n, {(int(a), int(b)): float(v) for a, b, v in zip(i, j, q)}, float(offset)


def _shaped(path, data, shape):
    """``data`` in ``shape``, NumPy's own refusal (more than its 64 dimensions) named."""
    try:
        return data.reshape(shape)
    except ValueError as e:
        dims = ", ".join(str(d) for d in list(shape)[:8])
        more = ", ..." if len(shape) > 8 else ""
        raise AttractorError(
            f"{os.fspath(path)}: an array of {len(shape)} dimensions ({dims}{more}) cannot be "
            f"held by NumPy ({e}); give at most 64 dimensions"
        ) from None


def read_npy(path):
    """Read a ``.npy`` file of numbers as a float64 array of its shape."""
    shape, data = _attractor.read_npy(os.fspath(path))
    return _shaped(path, data, shape)


def read_idx(path):
    """Read an IDX file (MNIST images or labels; ``.gz`` or plain) as a uint8 array."""
    dims, data = _attractor.read_idx(os.fspath(path))
    return _shaped(path, data, dims)
