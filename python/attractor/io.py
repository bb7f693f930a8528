"""File readers of the Rust library: G-set/rudy graphs, ``.npy`` arrays, IDX (MNIST)."""

import os

import numpy as np

from . import _attractor


def read_gset(path):
    """Read a G-set / rudy graph: ``(n, edges)`` with ``edges`` an ``(m, 3)`` float array of
    0-based ``(i, j, w)`` rows."""
    n, i, j, w = _attractor.read_gset(os.fspath(path))
    return n, np.column_stack([i.astype(np.float64), j.astype(np.float64), w])


def read_npy(path):
    """Read a ``.npy`` file of numbers as a float64 array of its shape."""
    shape, data = _attractor.read_npy(os.fspath(path))
    return data.reshape(shape)


def read_idx(path):
    """Read an IDX file (MNIST images or labels; ``.gz`` or plain) as a uint8 array."""
    dims, data = _attractor.read_idx(os.fspath(path))
    return data.reshape(dims)
