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
        """The vector field at one state or at every row of a 2-D array.

        Parameters
        ----------
        x : array-like of shape (d,) or (n_states, d)
            One state, or states as rows.

        Returns
        -------
        field : ndarray of shape (d,) or (n_states, d)
            ``dx/dt`` at each state.
        """
        rows, one = _states(x)
        out = self._net.field(rows)
        return out[0] if one else out

    def kkt_residual(self, x):
        """The optimality (KKT) residual at ``x``.

        Parameters
        ----------
        x : array-like of shape (d,)
            A state.

        Returns
        -------
        residual : float
            0 exactly at the solutions.
        """
        return self._net.kkt_residual(as_float_array(x, "x", 1))


class BoxQP(_Flow):
    """The box-constrained QP as a proximal network.

    ``min 1/2 x^T W x + c^T x  s.t.  lower <= x <= upper`` (``W`` symmetric positive
    semidefinite) by ``tau dx/dt = -x + clip(x - gamma (W x + c))`` (Gokhale, Davydov & Bullo,
    arXiv:2409.10664), whose objective never increases and which contracts with rate
    ``(1 - max(|1 - gamma rho|, |1 - gamma L|)) / tau`` when the smallest eigenvalue ``rho``
    of ``W`` is positive.

    Parameters
    ----------
    weights : array-like of shape (n, n)
        ``W``.
    linear : array-like of shape (n,)
        ``c``.
    lower, upper : array-like of shape (n,)
        The box.
    gamma : float or None, default=None
        The proximal step (default ``1/L``, ``L`` the largest eigenvalue of ``W``).
    tau : float, default=1.0
        The time constant.

    Raises
    ------
    attractor.ShapeError
        When the shapes disagree.
    attractor.ParameterError
        When ``W`` is not symmetric positive semidefinite, ``lower > upper`` somewhere, or
        ``gamma``/``tau`` is not positive.

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
        """The number of variables ``n``."""
        return self._net.dim

    @property
    def gamma(self):
        """The proximal step in use."""
        return self._net.gamma

    def contraction_rate(self):
        """The network's contraction rate when ``W`` is positive definite.

        Returns
        -------
        rate : float or None
            ``(1 - max(|1 - gamma rho|, |1 - gamma L|)) / tau``, or ``None`` when it is not
            positive.
        """
        return self._net.contraction_rate()

    def objective(self, x):
        """The objective ``1/2 x^T W x + c^T x``.

        Parameters
        ----------
        x : array-like of shape (n,)
            A point.

        Returns
        -------
        value : float
            The objective.
        """
        return self._net.objective(as_float_array(x, "x", 1))

    def run(self, x0, strict=True, **options):
        """Integrate from ``x0``; the traced energy is the objective.

        Parameters
        ----------
        x0 : array-like of shape (n,)
            The initial state.
        strict : bool, default=True
            As in :meth:`HopfieldNetwork.run`.
        **options
            The options of :meth:`HopfieldNetwork.run` (with ``states_every``/``max_states``
            for the trajectory).

        Returns
        -------
        solution : attractor.Solution
            The run's result.

        Raises
        ------
        attractor.NotConverged
            With ``strict=True``, when the run stopped before its steady state.
        """
        return _run(self._net, x0, "x0", strict, options)


class PiPgd(_Flow):
    """The equality-constrained LASSO by PI-PGD on the state ``z = (x, xi)``.

    ``min 1/2 x^T W x + lam ||x||_1  s.t.  A x = b`` by proximal gradient dynamics with a
    proportional-integral controller on the multipliers (Centorrino, Rossi, Russo & Bullo,
    arXiv:2503.15093)::

        dx/dt = -x + soft_{gamma lam}(x - gamma (W x + A^T nu)),
        dxi/dt = A x - b,    nu = k_p (A x - b) + k_i xi,

    with ``soft_t(v) = sign(v) max(|v| - t, 0)``. A primal-dual flow: the traced objective may
    rise while the controller enforces ``A x = b``; :meth:`kkt_residual` measures progress.

    Parameters
    ----------
    weights : array-like of shape (n, n)
        ``W``, symmetric positive semidefinite.
    A : array-like of shape (m, n)
        The constraints, of full row rank.
    b : array-like of shape (m,)
        The right-hand side.
    lam : float, default=1.0
        The l1 weight.
    k_p, k_i : float, default=20.0
        The controller gains.
    gamma : float or None, default=None
        The step (default ``1/L``, ``L`` the largest eigenvalue of ``W``).

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import PiPgd
    >>> pi = PiPgd(np.eye(2), np.array([[1.0, 1.0]]), [1.0], lam=0.1)
    >>> sol = pi.run(stepper="rk4", dt=0.01, t_end=20.0, steady=None)
    >>> x, nu = pi.split(sol.state)
    >>> x.round(4), nu.round(4)
    (array([0.5, 0.5]), array([-0.6]))
    >>> bool(pi.constraint_residual(sol.state) < 1e-8)
    True
    """

    def __init__(self, weights, A, b, lam=1.0, k_p=20.0, k_i=20.0, gamma=None):
        self._net = _attractor.PiPgd(
            as_float_array(weights, "weights", 2), as_float_array(A, "A", 2),
            as_float_array(b, "b", 1), float(lam), float(k_p), float(k_i),
            None if gamma is None else float(gamma))

    @property
    def n_vars(self):
        """The number of variables ``n``."""
        return self._net.n_vars

    @property
    def n_constraints(self):
        """The number of constraints ``m``."""
        return self._net.n_constraints

    @property
    def dim(self):
        """The size ``n + m`` of the state ``z``."""
        return self._net.dim

    def split(self, z):
        """The variables and the multipliers of a state ``z = (x, xi)``.

        Parameters
        ----------
        z : array-like of shape (n + m,)
            A state.

        Returns
        -------
        x : ndarray of shape (n,)
            The variables.
        nu : ndarray of shape (m,)
            The multipliers ``k_p (A x - b) + k_i xi``.
        """
        return self._net.split(as_float_array(z, "z", 1))

    def constraint_residual(self, z):
        """The constraint violation ``||A x - b||_2`` at the state ``z``.

        Parameters
        ----------
        z : array-like of shape (n + m,)
            A state.

        Returns
        -------
        residual : float
            The violation.
        """
        return self._net.constraint_residual(as_float_array(z, "z", 1))

    def objective(self, x):
        """The objective ``1/2 x^T W x + lam ||x||_1``.

        Parameters
        ----------
        x : array-like of shape (n,)
            The variables.

        Returns
        -------
        value : float
            The objective.
        """
        return self._net.objective(as_float_array(x, "x", 1))

    def run(self, z0=None, strict=True, **options):
        """Integrate from ``z0`` with the options of :meth:`HopfieldNetwork.run`.

        Parameters
        ----------
        z0 : array-like of shape (n + m,) or None, default=None
            The initial state (default zeros).
        strict : bool, default=True
            As in :meth:`HopfieldNetwork.run`.
        **options
            The options of :meth:`HopfieldNetwork.run`.

        Returns
        -------
        solution : attractor.Solution
            The run's result.

        Raises
        ------
        attractor.NotConverged
            With ``strict=True``, when the run stopped before its steady state (or
            ``t_end``).
        """
        z = np.zeros(self.dim) if z0 is None else z0
        return _run(self._net, z, "z0", strict, options)
