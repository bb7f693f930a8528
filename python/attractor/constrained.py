"""Constrained optimisation as network dynamics:

- :class:`BoxQP` -- ``min 1/2 x^T W x + c^T x  s.t.  lower <= x <= upper`` by the proximal
  (projected) network ``tau dx/dt = -x + clip(x - gamma (W x + c))`` (Gokhale, Davydov & Bullo,
  arXiv:2409.10664), whose objective never increases and which contracts when ``W`` is
  positive definite;
- :class:`PiPgd` -- ``min 1/2 x^T W x + lam ||x||_1  s.t.  A x = b`` by proximal gradient
  dynamics with a proportional-integral controller on the multipliers (Centorrino, Rossi,
  Russo & Bullo, arXiv:2503.15093): ``dx/dt = -x + soft(x - gamma (W x + A^T nu))``,
  ``dxi/dt = A x - b``, ``nu = k_p (A x - b) + k_i xi``.

Both run on the library's loop with the options of :meth:`HopfieldNetwork.run` and return a
:class:`Solution` (with ``states_every``, the states along the trajectory)."""

import numpy as np

from . import _attractor
from .dynamics import Solution
from ._calls import finish, flow_failed
from .errors import as_float_array


def _run(net, x0, name, strict, options):
    """Run ``net`` from ``x0`` with ``strict`` as in :meth:`HopfieldNetwork.run`: Ctrl-C raises
    :class:`Interrupted`, and a run that diverged or ran out of steps or time before its steady
    state (or ``t_end``) raises :class:`NotConverged`; ``strict=False`` returns the solution
    with its status."""
    sol = Solution._from_dict(net.run(as_float_array(x0, name, 1), **options))
    aimed = options.get("steady", (1e-8, 1e-8)) is not None or options.get("t_end") is not None
    failed = f"{type(net).__name__}.run: {sol.message}" if flow_failed(sol.status, aimed) else None
    return finish(sol, sol.status, strict, failed)


def _states(x):
    """One state or rows of states, as a float array, and whether it was one state."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        return as_float_array(arr, "x", 1)[None, :], True
    return as_float_array(arr, "x", 2), False


class _Flow:
    def field(self, x):
        """The vector field at one state (1-D) or at every row of a 2-D array."""
        rows, one = _states(x)
        out = self._net.field(rows)
        return out[0] if one else out

    def kkt_residual(self, x):
        """The optimality residual at ``x`` (0 exactly at the solutions)."""
        return self._net.kkt_residual(as_float_array(x, "x", 1))


class BoxQP(_Flow):
    """The box-constrained QP as a proximal network; ``gamma`` defaults to ``1/L`` (``L`` the
    largest eigenvalue of ``W``), ``tau`` to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import BoxQP
    >>> qp = BoxQP(np.eye(2), [-2.0, 1.0], [0.0, 0.0], [1.0, 1.0])
    >>> sol = qp.run(np.zeros(2), stepper="euler", dt=0.5)
    >>> np.round(sol.state, 6).tolist()
    [1.0, 0.0]
    """

    def __init__(self, weights, linear, lower, upper, gamma=None, tau=1.0):
        self._net = _attractor.BoxQP(
            as_float_array(weights, "weights", 2), as_float_array(linear, "linear", 1),
            as_float_array(lower, "lower", 1), as_float_array(upper, "upper", 1),
            None if gamma is None else float(gamma), float(tau))

    @property
    def dim(self):
        return self._net.dim

    @property
    def gamma(self):
        return self._net.gamma

    def contraction_rate(self):
        """The network's contraction rate when ``W`` is positive definite, else ``None``."""
        return self._net.contraction_rate()

    def objective(self, x):
        """``1/2 x^T W x + c^T x``."""
        return self._net.objective(as_float_array(x, "x", 1))

    def run(self, x0, strict=True, **options):
        """Integrate from ``x0`` (options of :meth:`HopfieldNetwork.run`, plus
        ``states_every``/``max_states`` for the trajectory); the traced energy is the
        objective. ``strict`` as in :meth:`HopfieldNetwork.run`."""
        return _run(self._net, x0, "x0", strict, options)


class PiPgd(_Flow):
    """The equality-constrained LASSO by PI-PGD on the state ``z = (x, xi)`` (``n + m``
    entries); ``lam`` the l1 weight, ``k_p``/``k_i`` the controller gains, ``gamma`` the step
    (default ``1/L``)."""

    def __init__(self, weights, A, b, lam=1.0, k_p=20.0, k_i=20.0, gamma=None):
        self._net = _attractor.PiPgd(
            as_float_array(weights, "weights", 2), as_float_array(A, "A", 2),
            as_float_array(b, "b", 1), float(lam), float(k_p), float(k_i),
            None if gamma is None else float(gamma))

    @property
    def n_vars(self):
        return self._net.n_vars

    @property
    def n_constraints(self):
        return self._net.n_constraints

    @property
    def dim(self):
        return self._net.dim

    def split(self, z):
        """``(x, nu)``: the variables and the multipliers of a state ``z``."""
        return self._net.split(as_float_array(z, "z", 1))

    def constraint_residual(self, z):
        """``||A x - b||`` at the state ``z``."""
        return self._net.constraint_residual(as_float_array(z, "z", 1))

    def objective(self, x):
        """``1/2 x^T W x + lam ||x||_1``."""
        return self._net.objective(as_float_array(x, "x", 1))

    def run(self, z0=None, strict=True, **options):
        """Integrate from ``z0`` (default zeros) with the options of
        :meth:`HopfieldNetwork.run`."""
        z = np.zeros(self.dim) if z0 is None else z0
        return _run(self._net, z, "z0", strict, options)
