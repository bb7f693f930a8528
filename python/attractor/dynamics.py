"""The continuous-time Hopfield network and the result of a run."""

from dataclasses import dataclass, field

import numpy as np

from . import _attractor
from ._calls import finish, flow_failed, not_converged
from ._records import ArrayRecord
from .errors import as_float_array, whole


@dataclass(eq=False, repr=False)
class Solution(ArrayRecord):
    """What a run returns: the final state and energy, the energy trace, the status and counts.

    Attributes
    ----------
    state : ndarray of shape (n,)
        The final state.
    energy : float
        The energy of the final state.
    t : float
        The time reached.
    status : str
        Why the run stopped: ``"converged"``, ``"max steps"``, ``"end time"``,
        ``"timeout"``, ``"interrupted"``, ...
    message : str
        What happened, and what to change when the run failed.
    n_steps, n_evals, n_rejected : int
        The steps taken, the vector-field evaluations and the rejected (adaptive) steps.
    trace_step, trace_t, trace_energy : ndarray of shape (n_records,)
        The step, time and energy recorded along the run.
    elapsed : float
        The wall-clock seconds of the run.
    max_energy_increase : float or None
        The largest increase of the energy between two records (``<= 0`` up to rounding
        when the energy is a Lyapunov function).
    trajectory_step, trajectory_t : ndarray of shape (n_states,) or None
        With ``states_every``: the step and time of the recorded states.
    trajectory : ndarray of shape (n_states, n) or None
        With ``states_every``: the recorded states (rows), the last one where the run
        stopped.
    """

    state: np.ndarray
    energy: float
    t: float
    status: str
    message: str
    n_steps: int
    n_evals: int
    n_rejected: int
    trace_step: np.ndarray = field(repr=False)
    trace_t: np.ndarray = field(repr=False)
    trace_energy: np.ndarray = field(repr=False)
    elapsed: float = 0.0
    max_energy_increase: float = None
    #: With ``states_every``: the step, time and state (rows) of the recorded states along the
    #: trajectory, the last one where the run stopped (``None`` otherwise).
    trajectory_step: np.ndarray = field(default=None, repr=False)
    trajectory_t: np.ndarray = field(default=None, repr=False)
    trajectory: np.ndarray = field(default=None, repr=False)

    @classmethod
    def _from_dict(cls, d):
        return cls(**d)


class _Flow:
    """What every continuous-time network shares: ``run`` on the library's loop."""

    def run(self, x0, stepper="dopri5", dt=0.01, rtol=1e-8, atol=1e-10, max_steps=100_000,
            t_end=None, time=None, steady=(1e-8, 1e-8), energy_every=1, trace_capacity=4096,
            *, states_every=0, max_states=4096, strict=True):
        """Integrate from ``x0`` until a steady state, ``t_end``, ``max_steps`` or ``time``.

        The steady state is ``|dx/dt| <= atol + rtol |x|`` with the ``steady`` pair
        ``(rtol, atol)``. With ``steady=None`` and no ``t_end``, ``max_steps`` or ``time`` is
        the run's end, not a failure.

        Parameters
        ----------
        x0 : array-like of shape (n,)
            The initial state.
        stepper : {"dopri5", "euler", "heun", "rk4"}, default="dopri5"
            The integrator; ``dopri5`` is adaptive (with ``rtol``/``atol``; keep them no
            looser than ``steady``, or the steady state may never be certified).
        dt : float, default=0.01
            The (initial) time step.
        rtol, atol : float, default=1e-8, 1e-10
            The error tolerances of ``dopri5``.
        max_steps : int, default=100000
            The most steps.
        t_end : float or None, default=None
            The end time.
        time : float or None, default=None
            A wall-clock budget in seconds.
        steady : tuple of (float, float) or None, default=(1e-8, 1e-8)
            The steady-state tolerances ``(rtol, atol)``; ``None`` switches the test off.
        energy_every : int, default=1
            Record the energy every ``energy_every`` steps.
        trace_capacity : int, default=4096
            The most energy records kept.
        states_every : int, default=0
            Record the state every ``k`` steps (and where the run stopped) in the solution's
            ``trajectory`` (rows), ``trajectory_t`` and ``trajectory_step``; 0: none.
        max_states : int, default=4096
            The most states kept: when the buffer fills, every other state is dropped and
            the stride doubles, so memory stays bounded and the states stay evenly spaced.
        strict : bool, default=True
            diffrax's ``throw``: whether failures raise (below); ``strict=False`` returns the
            :class:`Solution` with its ``status`` instead.

        Returns
        -------
        solution : attractor.Solution
            The final state, energy trace, status and counts.

        Raises
        ------
        attractor.NotConverged
            With ``strict=True``, when the run diverged, or ran out of ``max_steps`` or
            ``time`` before its steady state (or ``t_end``); the message says what to change
            and ``.result`` holds the solution.
        attractor.Interrupted
            On Ctrl-C with ``strict=True`` (``.result``: the solution so far).
        attractor.ShapeError
            When ``x0`` does not have one value per neuron.

        Examples
        --------
        >>> import numpy as np
        >>> import attractor
        >>> net = attractor.HopfieldNetwork([[0.0, 2.0], [2.0, 0.0]], activation="tanh")
        >>> sol = net.run([0.5, 0.2])
        >>> sol.status
        'converged'
        >>> sol.state.round(3)
        array([1.915, 1.915])
        >>> bool(np.all(np.diff(sol.trace_energy) <= 1e-12))  # the energy never increases
        True
        >>> sol = net.run([0.5, 0.2], t_end=1.0, steady=None, states_every=10)
        >>> sol.status, sol.trajectory.shape
        ('end time', (3, 2))
        """
        x = as_float_array(x0, "x0", 1)
        d = self._net.run(x, stepper=stepper, dt=float(dt), rtol=float(rtol), atol=float(atol),
                          max_steps=int(max_steps), t_end=t_end, time=time, steady=steady,
                          energy_every=int(energy_every), trace_capacity=int(trace_capacity),
                          states_every=whole("states_every", states_every),
                          max_states=whole("max_states", max_states, 2))
        sol = Solution._from_dict(d)
        aimed = steady is not None or t_end is not None
        failed = f"{type(self).__name__}.run: {sol.message}" if flow_failed(sol.status, aimed) else None
        return finish(sol, sol.status, strict, failed)

    def field(self, x):
        """The vector field ``dx/dt`` at one state or at every row of a 2-D array.

        Parameters
        ----------
        x : array-like of shape (n,) or (n_states, n)
            One state, or states as rows.

        Returns
        -------
        dxdt : ndarray of shape (n,) or (n_states, n)
            ``dx/dt`` at each state.

        Examples
        --------
        >>> import attractor
        >>> net = attractor.HopfieldNetwork([[0.0, 2.0], [2.0, 0.0]])
        >>> net.field([0.5, 0.2]).round(4)  # -x + W tanh(x)
        array([-0.1052,  0.7242])
        """
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim == 1:
            return self._net.field(as_float_array(arr[None, :], "x", 2))[0]
        return self._net.field(as_float_array(arr, "x", 2))

    @property
    def dim(self):
        """The number of neurons ``n``."""
        return self._net.dim


class FiringRateNetwork(_Flow):
    """The firing-rate network ``tau dr/dt = -r + phi(W r + u)``.

    The network of the tutorial's section III (Wilson & Cowan 1972), whose energy
    ``E(r) = -1/2 r^T W r - u^T r + sum_i int_0^{r_i} phi^{-1}`` descends for symmetric ``W``
    while ``r`` stays in the range of ``phi``.

    Parameters
    ----------
    weights : array-like of shape (n, n)
        The weights ``W``.
    activation : str, default="tanh"
        As for :class:`HopfieldNetwork`.
    tau : float, default=1.0
        The time constant.
    input : array-like of shape (n,) or None, default=None
        The constant input ``u`` (default zeros).

    Raises
    ------
    attractor.ShapeError
        When ``weights`` is not square or ``input`` does not have ``n`` values.
    attractor.ParameterError
        When ``activation`` is unknown or ``tau <= 0``.

    Examples
    --------
    >>> import attractor
    >>> net = attractor.FiringRateNetwork([[0.0, 1.0], [1.0, 0.0]], input=[0.1, 0.0])
    >>> sol = net.run([0.0, 0.0])
    >>> sol.status, sol.state.round(4)
    ('converged', array([0.5223, 0.4794]))
    """

    def __init__(self, weights, activation="tanh", tau=1.0, input=None):
        w = as_float_array(weights, "weights", 2)
        u = None if input is None else as_float_array(input, "input", 1)
        self._net = _attractor.FiringRateNetwork(w, activation, float(tau), u)
        self.activation = activation


class HopfieldNetwork(_Flow):
    """The continuous-time Hopfield network.

    The network of Hopfield (PNAS 81, 1984)::

        tau dx/dt = -D x + W phi(x) + b,

    with, for symmetric ``W``, the energy
    ``E(x) = -1/2 phi(x)^T W phi(x) + (D x - b)^T phi(x) - sum_i d_i int_0^{x_i} phi``,
    which never increases along the flow.

    Parameters
    ----------
    weights : array-like of shape (n, n)
        The weights ``W``.
    activation : {"tanh", "logistic", "relu", "satlin", "identity"}, default="tanh"
        The activation ``phi``.
    tau : float, default=1.0
        The time constant.
    decay : array-like of shape (n,) or None, default=None
        The diagonal of ``D`` (default ones).
    bias : array-like of shape (n,) or None, default=None
        The constant input ``b`` (default zeros).

    Raises
    ------
    attractor.ShapeError
        When ``weights`` is not square or ``decay``/``bias`` do not have ``n`` values.
    attractor.ParameterError
        When ``activation`` is unknown, ``tau <= 0`` or a decay is not positive.

    Examples
    --------
    >>> import attractor
    >>> net = attractor.HopfieldNetwork([[0.0, 2.0], [2.0, 0.0]], activation="tanh")
    >>> net.dim
    2
    >>> sol = net.run([0.5, 0.2])
    >>> sol.status, round(sol.energy, 3)
    ('converged', -0.653)
    """

    def __init__(self, weights, activation="tanh", tau=1.0, decay=None, bias=None):
        w = as_float_array(weights, "weights", 2)
        d = None if decay is None else as_float_array(decay, "decay", 1)
        b = None if bias is None else as_float_array(bias, "bias", 1)
        self._net = _attractor.HopfieldNetwork(w, activation, float(tau), d, b)
        self.activation = activation

    def energy(self, x):
        """The energy ``E(x)`` for one state or for every row of a 2-D array.

        Parameters
        ----------
        x : array-like of shape (n,) or (n_states, n)
            One state, or states as rows.

        Returns
        -------
        energy : float or ndarray of shape (n_states,)
            A float for one state, an array for rows.

        Examples
        --------
        >>> import attractor
        >>> net = attractor.HopfieldNetwork([[0.0, 2.0], [2.0, 0.0]])
        >>> net.energy([0.0, 0.0])
        0.0
        """
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim == 1:
            return float(self._net.energy(as_float_array(arr[None, :], "x", 2))[0])
        return self._net.energy(as_float_array(arr, "x", 2))

    def run_batch(self, x0, stepper="rk4", dt=0.01, max_steps=100_000, steady=(1e-8, 1e-10), *,
                  strict=True):
        """Integrate every row of ``x0`` as one batch, by matrix products.

        Each row stops on its own steady state.

        Parameters
        ----------
        x0 : array-like of shape (B, n)
            The initial states, one per row.
        stepper : {"rk4", "euler", "heun"}, default="rk4"
            The fixed-step integrator.
        dt : float, default=0.01
            The time step.
        max_steps : int, default=100000
            The most steps per row.
        steady : tuple of (float, float) or None, default=(1e-8, 1e-10)
            The steady-state tolerances ``(rtol, atol)``.
        strict : bool, default=True
            Whether failed rows raise; ``strict=False`` returns the dict with every row's
            status.

        Returns
        -------
        result : dict
            ``states`` (``B x n``), ``status`` (one name per row), ``n_steps`` and ``energy``
            (per row), and ``elapsed``.

        Raises
        ------
        attractor.NotConverged
            With ``strict=True``, when rows diverged or ran out of ``max_steps`` before their
            steady state (the dict as ``.result``).

        Examples
        --------
        >>> import attractor
        >>> net = attractor.HopfieldNetwork([[0.0, 2.0], [2.0, 0.0]])
        >>> out = net.run_batch([[0.5, 0.2], [-0.5, -0.2]])
        >>> out["status"]
        ['converged', 'converged']
        >>> out["states"].round(3)
        array([[ 1.915,  1.915],
               [-1.915, -1.915]])
        """
        x = as_float_array(x0, "x0", 2)
        d = self._net.run_batch(x, stepper, float(dt), int(max_steps), steady)
        status = list(d["status"])
        bad = [k for k, st in enumerate(status) if flow_failed(st, steady is not None)]
        if "interrupted" in status:
            return finish(d, "interrupted", strict)
        if strict and bad:
            raise not_converged(
                f"HopfieldNetwork.run_batch: {len(bad)} of {len(status)} rows stopped before a "
                f"steady state (row {bad[0]}: {status[bad[0]]}); raise max_steps, take larger "
                "steps if the stepper stays stable, or loosen steady", d)
        return d
