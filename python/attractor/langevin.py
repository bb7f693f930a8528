"""The Langevin sampler: the unadjusted Langevin algorithm (Roberts & Tweedie, Bernoulli 2,
1996)::

    x_{k+1} = x_k - h grad E(x_k) + sqrt(2 T_k h) z_k,    z_k ~ N(0, I),

whose chains approach ``p(x) ~ exp(-E(x)/T)`` up to an ``O(h)`` bias, on a quadratic energy or
on the energy of a continuous Hopfield network; the temperature constant or annealed
geometrically (``final_temperature``). Score-matching energies sample with
:meth:`attractor.ScoreMatchingEnergy.sample`."""

import numpy as np

from . import _attractor
from .dynamics import HopfieldNetwork
from .errors import AttractorError, Interrupted, as_float_array, whole
from .memory import _seed


class QuadraticEnergy:
    """``E(x) = 1/2 x^T A x - b^T x`` with symmetric ``A``; its Gibbs law at temperature ``T``
    is ``N(A^{-1} b, T A^{-1})`` when ``A`` is positive definite."""

    def __init__(self, A, b=None):
        self.A = as_float_array(A, "A", 2)
        self.b = np.zeros(self.A.shape[0]) if b is None else as_float_array(b, "b", 1)

    def energy(self, x):
        x = np.asarray(x, dtype=np.float64)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x) - x @ self.b

    def gradient(self, x):
        return np.asarray(x, dtype=np.float64) @ self.A - self.b


class LangevinSampler:
    """Langevin chains on ``energy`` (a :class:`QuadraticEnergy` or a
    :class:`HopfieldNetwork`) with step ``step_size`` at ``temperature``, annealed to
    ``final_temperature`` over the run when given.

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import LangevinSampler, QuadraticEnergy
    >>> s = LangevinSampler(QuadraticEnergy(2 * np.eye(2)), step_size=0.01)
    >>> x = s.sample(4000, n_steps=400, random_state=0)
    >>> bool(abs(x.var() - 0.5) < 0.05)   # T A^{-1} = 0.5 I, up to the O(h) bias
    True
    """

    def __init__(self, energy, step_size=0.01, temperature=1.0, final_temperature=None,
                 n_threads=None):
        if not isinstance(energy, (QuadraticEnergy, HopfieldNetwork)):
            raise TypeError(
                f"energy: expected a QuadraticEnergy or a HopfieldNetwork, got {type(energy).__name__}"
            )
        self.energy = energy
        self.step_size = step_size
        self.temperature = temperature
        self.final_temperature = final_temperature
        self.n_threads = n_threads

    def sample(self, n_samples, n_steps=1000, random_state=None, center=None, spread=1.0,
               time_limit=None, strict=True):
        """``n_samples`` states (rows), each the end of its own chain of ``n_steps`` steps
        started at ``center + spread * z`` (``center`` default 0). Reproducible for a given
        seed on any number of threads. Ctrl-C raises :class:`Interrupted` with the states
        reached unless ``strict=False``; ``time_limit`` (seconds) stops the chains early."""
        kw = dict(
            n_samples=whole("n_samples", n_samples, 1), n_steps=whole("n_steps", n_steps, 1),
            step_size=float(self.step_size), temperature=float(self.temperature),
            final_temperature=None if self.final_temperature is None
            else float(self.final_temperature),
            seed=_seed(random_state),
            center=None if center is None else as_float_array(center, "center", 1),
            spread=float(spread), time=None if time_limit is None else float(time_limit),
            n_threads=self.n_threads,
        )
        if isinstance(self.energy, QuadraticEnergy):
            d = _attractor.langevin_quadratic(self.energy.A, self.energy.b, **kw)
        else:
            d = _attractor.langevin_hopfield(self.energy._net, **kw)
        if d["status"] == "interrupted" and strict:
            raise Interrupted(d["samples"])
        if d["status"] not in ("max steps", "interrupted", "timeout"):
            raise AttractorError(f"Langevin sampler stopped with status {d['status']!r}")
        return d["samples"]
