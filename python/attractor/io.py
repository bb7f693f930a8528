"""File readers of the Rust library: G-set/rudy graphs, ``.npy`` arrays, IDX (MNIST)."""

import os

import numpy as np

from . import _attractor
from ._attractor import AttractorError


def read_gset(path, format="rudy"):
    """Read a graph: G-set / rudy or a 0-based edge list.

    Parameters
    ----------
    path : str or path-like
        The file.
    format : {"rudy", "edges"}, default="rudy"
        ``"rudy"``: 1-based ``i j w`` lines after an ``n m`` header (G-set); ``"edges"``:
        0-based edge lines.

    Returns
    -------
    n : int
        The number of nodes.
    edges : ndarray of shape (m, 3)
        0-based ``(i, j, w)`` rows, as floats.

    Raises
    ------
    attractor.FileAccessError
        When the file cannot be read.
    attractor.FileFormatError
        When the file cannot be parsed.

    Examples
    --------
    >>> import os, tempfile
    >>> from attractor import read_gset
    >>> path = os.path.join(tempfile.mkdtemp(), "triangle.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("3 3\\n1 2 1\\n2 3 1\\n1 3 -1\\n")
    >>> n, edges = read_gset(path)
    >>> n, edges.tolist()
    (3, [[0.0, 1.0, 1.0], [1.0, 2.0, 1.0], [0.0, 2.0, -1.0]])
    """
    n, i, j, w = _attractor.read_graph(os.fspath(path), format)
    return n, np.column_stack([i.astype(np.float64), j.astype(np.float64), w])


def read_qubo(path):
    """Read a QUBO file (header ``n m``, then 1-based ``i j Q_ij`` lines).

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    n : int
        The number of variables.
    Q : dict
        ``{(i, j): Q_ij}`` of 0-based indices (``i <= j``, ready for
        ``dimod.BinaryQuadraticModel.from_qubo(Q, offset)``).
    offset : float
        The offset.

    Raises
    ------
    attractor.FileAccessError
        When the file cannot be read.
    attractor.FileFormatError
        When the file cannot be parsed.
    """
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
    """Read a ``.npy`` file of numbers as a float64 array of its shape.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    array : ndarray
        The array, as float64.

    Raises
    ------
    attractor.FileFormatError
        When the file is not a ``.npy`` array of numbers.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from attractor import read_npy
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npy")
    >>> np.save(path, np.arange(6, dtype=np.int32).reshape(2, 3))
    >>> read_npy(path)
    array([[0., 1., 2.],
           [3., 4., 5.]])
    """
    shape, data = _attractor.read_npy(os.fspath(path))
    return _shaped(path, data, shape)


def read_idx(path):
    """Read an IDX file (MNIST images or labels; ``.gz`` or plain) as a uint8 array.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    array : ndarray of uint8
        The array, in the file's shape.

    Raises
    ------
    attractor.FileFormatError
        When the file is not IDX.
    """
    dims, data = _attractor.read_idx(os.fspath(path))
    return _shaped(path, data, dims)
