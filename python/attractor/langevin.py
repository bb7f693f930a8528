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
    """The quadratic energy ``E(x) = 1/2 x^T A x - b^T x`` with symmetric ``A``.

    Its Gibbs law at temperature ``T`` is ``N(A^{-1} b, T A^{-1})`` when ``A`` is positive
    definite.

    Parameters
    ----------
    A : array-like of shape (d, d)
        The symmetric matrix ``A``.
    b : array-like of shape (d,) or None, default=None
        The linear term ``b`` (default zeros).

    Examples
    --------
    >>> import numpy as np
    >>> from attractor import QuadraticEnergy
    >>> q = QuadraticEnergy(2 * np.eye(2), [2.0, 0.0])
    >>> float(q.energy([1.0, 0.0])), q.gradient([1.0, 0.0])
    (-1.0, array([0., 0.]))
    """

    def __init__(self, A, b=None):
        self.A = as_float_array(A, "A", 2)
        self.b = np.zeros(self.A.shape[0]) if b is None else as_float_array(b, "b", 1)

    def energy(self, x):
        """The energy ``1/2 x^T A x - b^T x``.

        Parameters
        ----------
        x : array-like of shape (d,) or (n_states, d)
            One state, or states as rows.

        Returns
        -------
        energy : float or ndarray of shape (n_states,)
            The energy of each state.
        """
        x = np.asarray(x, dtype=np.float64)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x) - x @ self.b

    def gradient(self, x):
        """The gradient ``A x - b`` (``A`` symmetric).

        Parameters
        ----------
        x : array-like of shape (d,) or (n_states, d)
            One state, or states as rows.

        Returns
        -------
        gradient : ndarray of shape (d,) or (n_states, d)
            The gradient at each state.
        """
        return np.asarray(x, dtype=np.float64) @ self.A - self.b


class LangevinSampler:
    """Langevin chains on a quadratic energy or a continuous Hopfield network's energy.

    The unadjusted Langevin algorithm ``x_{k+1} = x_k - h grad E(x_k) + sqrt(2 T_k h) z_k``
    (module docs), whose chains approach ``p(x) ~ exp(-E(x)/T)`` up to an ``O(h)`` bias.

    Parameters
    ----------
    energy : attractor.QuadraticEnergy or attractor.HopfieldNetwork
        The energy ``E``.
    step_size : float, default=0.01
        The step ``h``.
    temperature : float, default=1.0
        The temperature ``T`` (at the start, when annealed).
    final_temperature : float or None, default=None
        When given, the temperature is annealed geometrically to it over the run.
    n_threads : int or None, default=None
        The threads of the chains (results do not depend on it).

    Raises
    ------
    TypeError
        When ``energy`` is neither a :class:`QuadraticEnergy` nor a
        :class:`HopfieldNetwork`.

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
        """Independent samples: each the end of its own chain of ``n_steps`` steps.

        Reproducible for a given seed on any number of threads.

        Parameters
        ----------
        n_samples : int
            The number of chains (and samples).
        n_steps : int, default=1000
            The steps per chain.
        random_state : int, numpy.random.Generator or None, default=None
            The seed.
        center : array-like of shape (d,) or None, default=None
            The chains start at ``center + spread * z``, ``z ~ N(0, I)`` (``center`` default
            0).
        spread : float, default=1.0
            The spread of the starting points.
        time_limit : float or None, default=None
            Seconds after which the chains stop early.
        strict : bool, default=True
            Whether Ctrl-C raises.

        Returns
        -------
        samples : ndarray of shape (n_samples, d)
            The final states, one per row.

        Raises
        ------
        attractor.Interrupted
            On Ctrl-C with ``strict=True``, with the states reached as ``result``.
        attractor.ParameterError
            When ``step_size`` or a temperature is not positive.

        Examples
        --------
        Annealing to a low temperature concentrates the chains at the minimum ``A^{-1} b``:

        >>> import numpy as np
        >>> from attractor import LangevinSampler, QuadraticEnergy
        >>> q = QuadraticEnergy(2 * np.eye(2), [2.0, 0.0])
        >>> s = LangevinSampler(q, step_size=0.01, temperature=1.0, final_temperature=0.01)
        >>> x = s.sample(200, n_steps=400, random_state=0)
        >>> x.mean(axis=0).round(1) + 0.0
        array([1., 0.])
        >>> bool(x.std(axis=0).max() < 0.2)
        True
        """
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
