"""Ising objectives and QUBOs as arrays, in dimod's convention::

    E(s) = sum_i h_i s_i + sum_{i<j} J_ij s_i s_j + offset,      s in {-1, +1}^n,
    f(x) = sum_{i<=j} Q_ij x_i x_j + offset,                     x in {0, 1}^n,

with ``h`` a vector and ``J``/``Q`` dense ``n x n`` matrices (only the upper triangle is read;
entries below the diagonal are added to their mirror) -- the change of variables
``x = (1 + s)/2`` between them (Lucas, Front. Phys. 2, 2014, section 2) and the energy of given
states, and the time-to-solution statistics of repeated solver runs."""

import numpy as np

from . import _attractor
from .errors import ShapeError, as_float_array


def _square(M, name):
    M = as_float_array(M, name, 2)
    if M.shape[0] != M.shape[1]:
        raise ShapeError(f"{name}: expected a square (n, n) matrix, got shape {M.shape}")
    return M


def _pairs(M, diagonal):
    """Upper-triangular pairs (i <= j, or i < j) of ``M + M^T`` off the diagonal."""
    U = np.triu(M, 0 if diagonal else 1) + np.tril(M, -1).T
    i, j = np.nonzero(U)
    return i.astype(np.int64), j.astype(np.int64), U[i, j].astype(np.float64)


def _dense(n, i, j, v):
    M = np.zeros((n, n))
    np.add.at(M, (i, j), v)
    return M


def _ising_arrays(h, J):
    J = _square(J, "J")
    h = as_float_array(h, "h", 1)
    if h.shape[0] != J.shape[0]:
        raise ShapeError(f"h has {h.shape[0]} entries, J is {J.shape[0]} x {J.shape[0]}")
    if np.any(np.diag(J) != 0):
        raise ShapeError("J: the diagonal must be zero (s_i^2 = 1 makes it a constant: "
                         "add it to the offset instead)")
    return (h,) + _pairs(J, False)


def qubo_to_ising(Q, offset=0.0):
    """The Ising form ``(h, J, offset)`` of a QUBO, with ``E(s) = f((1 + s)/2)`` for every ``s``.

    Parameters
    ----------
    Q : array-like of shape (n, n)
        The QUBO (upper triangle read; entries below the diagonal added to their mirror).
    offset : float, default=0.0
        The QUBO's constant.

    Returns
    -------
    h : ndarray of shape (n,)
        The fields.
    J : ndarray of shape (n, n)
        The couplings, upper triangular.
    offset : float
        The Ising constant.

    Raises
    ------
    attractor.ShapeError
        When ``Q`` is not square.

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import qubo_to_ising
    >>> h, J, c = qubo_to_ising(np.array([[-1.0, 3.0], [0.0, -1.0]]), 0.5)
    >>> h.tolist(), float(J[0, 1]), c
    ([0.25, 0.25], 0.75, 0.25)
    """
    Q = _square(Q, "Q")
    i, j, q = _pairs(Q, True)
    h, a, b, w, c = _attractor.qubo_to_ising(Q.shape[0], i, j, q, float(offset))
    return h, _dense(Q.shape[0], a, b, w), c


def ising_to_qubo(h, J, offset=0.0):
    """The QUBO form ``(Q, offset)`` of an Ising objective, with ``f(x) = E(2x - 1)`` for every ``x``.

    Parameters
    ----------
    h : array-like of shape (n,)
        The fields.
    J : array-like of shape (n, n)
        The couplings (zero diagonal; upper triangle read, entries below the diagonal added
        to their mirror).
    offset : float, default=0.0
        The Ising constant.

    Returns
    -------
    Q : ndarray of shape (n, n)
        The QUBO, upper triangular.
    offset : float
        The QUBO's constant.

    Raises
    ------
    attractor.ShapeError
        When the shapes disagree or ``J`` has a non-zero diagonal.

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import ising_to_qubo, qubo_energy, ising_energy
    >>> h, J = np.array([0.5, 0.0]), np.array([[0.0, 1.0], [0.0, 0.0]])
    >>> Q, c = ising_to_qubo(h, J)
    >>> Q, c
    (array([[-1.,  4.],
           [ 0., -2.]]), 0.5)
    >>> qubo_energy(Q, [1, 0], c) == ising_energy(h, J, [1, -1])
    True
    """
    h, i, j, b = _ising_arrays(h, J)
    a, c, q, off = _attractor.ising_to_qubo(h.shape[0], h, i, j, b, float(offset))
    return _dense(h.shape[0], a, c, q), off


def ising_energy(h, J, states, offset=0.0):
    """The Ising energy ``E(s) = sum_i h_i s_i + sum_{i<j} J_ij s_i s_j + offset``.

    Parameters
    ----------
    h : array-like of shape (n,)
        The fields.
    J : array-like of shape (n, n)
        The couplings (zero diagonal).
    states : array-like of shape (n,) or (n_states, n)
        One ``±1`` state, or states as rows.
    offset : float, default=0.0
        The constant.

    Returns
    -------
    energy : float or ndarray of shape (n_states,)
        A float for one state, an array for rows.

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import ising_energy
    >>> h, J = np.array([0.5, 0.0]), np.array([[0.0, 1.0], [0.0, 0.0]])
    >>> ising_energy(h, J, [1, -1])
    -0.5
    >>> ising_energy(h, J, [[1, 1], [-1, 1]])
    array([ 1.5, -1.5])
    """
    h, i, j, b = _ising_arrays(h, J)
    s = np.asarray(states, dtype=np.float64)
    one = s.ndim == 1
    e = _attractor.ising_energies(h.shape[0], h, i, j, b, float(offset),
                                  as_float_array(s[None, :] if one else s, "states", 2))
    return float(e[0]) if one else e


def qubo_energy(Q, states, offset=0.0):
    """The QUBO value ``f(x) = sum_{i<=j} Q_ij x_i x_j + offset``.

    Parameters
    ----------
    Q : array-like of shape (n, n)
        The QUBO.
    states : array-like of shape (n,) or (n_states, n)
        One 0/1 state, or states as rows.
    offset : float, default=0.0
        The constant.

    Returns
    -------
    value : float or ndarray of shape (n_states,)
        A float for one state, an array for rows.
    """
    Q = _square(Q, "Q")
    i, j, q = _pairs(Q, True)
    x = np.asarray(states, dtype=np.float64)
    one = x.ndim == 1
    e = _attractor.qubo_values(Q.shape[0], i, j, q, float(offset),
                               as_float_array(x[None, :] if one else x, "states", 2))
    return float(e[0]) if one else e


def time_to_solution(energies, seconds, reached, probability=0.99, resamples=1000, seed=0):
    """Time-to-solution of repeated runs of a randomised solver.

    The figure Ising-machine papers report (e.g. Goto et al., Sci. Adv. 7, eabe7953, 2021):
    for ``R`` runs of mean time ``t`` of which a fraction ``p`` reached the target,
    ``TTS_q = t ln(1 - q) / ln(1 - p)`` (``t`` when ``p >= q``, ``inf`` when ``p = 0``),
    with a 95% percentile-bootstrap interval.

    Parameters
    ----------
    energies : sequence of float
        The best energy of each run.
    seconds : sequence of float
        The time of each run.
    reached : sequence of bool
        Whether each run reached the target.
    probability : float, default=0.99
        The target probability ``q``.
    resamples : int, default=1000
        The bootstrap resamples.
    seed : int, default=0
        The seed of the bootstrap.

    Returns
    -------
    stats : dict
        ``runs``, ``successes``, ``p``, ``mean_seconds``, ``tts``, ``probability``,
        ``interval``, ``best_energy``, ``mean_energy``.

    Examples
    --------
    >>> from attractor import time_to_solution
    >>> r = time_to_solution([-10] * 3 + [-9] * 7, [0.5] * 10, [True] * 3 + [False] * 7)
    >>> round(r["tts"], 3)
    6.456
    """
    return _attractor.time_to_solution(
        [float(e) for e in energies], [float(s) for s in seconds], [bool(r) for r in reached],
        float(probability), int(resamples), int(seed))
