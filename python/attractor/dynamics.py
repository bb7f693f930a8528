"""The continuous-time Hopfield network and the result of a run."""

from dataclasses import dataclass, field

import numpy as np

from . import _attractor
from ._calls import finish, flow_failed, not_converged
from ._records import ArrayRecord
from .errors import as_float_array, whole


@dataclass(eq=False, repr=False)
class Solution(ArrayRecord):
    """What a run returns: the final state and energy, the energy trace, the status (why it
    stopped: ``"converged"``, ``"max steps"``, ``"end time"``, ``"timeout"``,
    ``"interrupted"``, ...) and a message that says what to change, and the counts."""

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
        """Integrate from ``x0`` until the steady state ``|dx/dt| <= atol + rtol |x|`` (the
        ``steady`` pair; ``None`` to switch it off), ``t_end``, ``max_steps`` or a ``time``
        budget in seconds. ``stepper``: ``euler``, ``heun``, ``rk4`` or adaptive ``dopri5``
        (with ``rtol``/``atol``; keep them no looser than ``steady``, or the steady state may
        never be certified). Returns a :class:`Solution`.

        ``strict`` (diffrax's ``throw``): Ctrl-C raises :class:`~attractor.Interrupted`, and a
        run that diverged, or ran out of ``max_steps`` or ``time`` before its steady state (or
        ``t_end``), raises :class:`~attractor.NotConverged` with the solution's message (what
        to change); both carry the solution as ``.result``. ``strict=False`` returns the
        :class:`Solution` with its ``status`` instead. (With ``steady=None`` and no ``t_end``,
        ``max_steps`` or ``time`` is the run's end, not a failure.)

        ``states_every=k`` records the state every ``k`` steps (and where the run stopped) in
        the solution's ``trajectory`` (rows), ``trajectory_t`` and ``trajectory_step``; at most
        ``max_states`` are kept: when the buffer fills, every other state is dropped and the
        stride doubles, so memory stays bounded and the states stay evenly spaced."""
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
        """The vector field ``dx/dt`` at one state (1-D) or at every row of a 2-D array."""
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim == 1:
            return self._net.field(as_float_array(arr[None, :], "x", 2))[0]
        return self._net.field(as_float_array(arr, "x", 2))

    @property
    def dim(self):
        """The number of neurons ``n``."""
        return self._net.dim


class FiringRateNetwork(_Flow):
    """The firing-rate network ``tau dr/dt = -r + phi(W r + u)`` (tutorial section III), whose
    energy descends for symmetric ``W``; ``activation`` as for :class:`HopfieldNetwork`, ``input``
    the constant ``u``."""

    def __init__(self, weights, activation="tanh", tau=1.0, input=None):
        w = as_float_array(weights, "weights", 2)
        u = None if input is None else as_float_array(input, "input", 1)
        self._net = _attractor.FiringRateNetwork(w, activation, float(tau), u)
        self.activation = activation


class HopfieldNetwork(_Flow):
    """The continuous-time Hopfield network (Hopfield, PNAS 81, 1984)::

        tau dx/dt = -D x + W phi(x) + b,

    with, for symmetric ``W``, the energy
    ``E(x) = -1/2 phi(x)^T W phi(x) + (D x - b)^T phi(x) - sum_i d_i int_0^{x_i} phi``,
    which never increases along the flow. ``activation`` is one of ``tanh``, ``logistic``,
    ``relu``, ``satlin``, ``identity``; ``decay`` is the diagonal of ``D`` (default ones) and
    ``bias`` the constant input ``b`` (default zeros).
    """

    def __init__(self, weights, activation="tanh", tau=1.0, decay=None, bias=None):
        w = as_float_array(weights, "weights", 2)
        d = None if decay is None else as_float_array(decay, "decay", 1)
        b = None if bias is None else as_float_array(bias, "bias", 1)
        self._net = _attractor.HopfieldNetwork(w, activation, float(tau), d, b)
        self.activation = activation

    def energy(self, x):
        """``E(x)`` for one state (a float) or for every row of a 2-D array."""
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim == 1:
            return float(self._net.energy(as_float_array(arr[None, :], "x", 2))[0])
        return self._net.energy(as_float_array(arr, "x", 2))

    def run_batch(self, x0, stepper="rk4", dt=0.01, max_steps=100_000, steady=(1e-8, 1e-10), *,
                  strict=True):
        """Integrate every row of ``x0`` (``B x n``) as one batch, by matrix products; each row
        stops on its own steady state. Returns a dict of ``states`` (``B x n``), ``status``
        (one name per row), ``n_steps`` and ``energy`` (per row). ``strict``: rows that
        diverged or ran out of ``max_steps`` before their steady state raise
        :class:`~attractor.NotConverged` (the dict as ``.result``); ``strict=False`` returns
        the dict with every row's status."""
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
