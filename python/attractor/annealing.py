"""Two more Ising solvers from the Rust core as dimod samplers, beside the oscillator machine:

- simulated annealing (Kirkpatrick, Gelatt & Vecchi 1983): single-spin Metropolis sweeps with
  incrementally updated local fields under a geometric inverse-temperature schedule -- the
  baseline (dwave-neal's algorithm);
- simulated bifurcation (Goto et al. 2019, 2021): each spin a particle whose potential
  bifurcates as a pump rises, ballistic or discrete, many agents at once."""

import numbers

import numpy as np

from . import _attractor
from ._calls import UNSET, check_ids, finish, n_threads_arg, sample_failure
from .errors import whole
from .oscillators import _ising_arrays, _n_threads_of, _Sampler, _seconds, dimod


def anneal_ising_arrays(n, linear, i, j, b, offset=0.0, seed=0, num_reads=16, num_sweeps=1000,
                        beta_range=None, num_rounds=None, time_limit=None, n_threads=None, *,
                        strict=True, num_threads=UNSET):
    """Simulated annealing of an Ising energy, from plain arrays.

    Anneals ``E(s) = sum_i linear_i s_i + sum_k b_k s_{i_k} s_{j_k} + offset`` over
    ``s in {-1, +1}^n`` by single-spin Metropolis sweeps under a geometric schedule of the
    inverse temperature.

    Parameters
    ----------
    n : int
        The number of spins.
    linear : array-like of shape (n,)
        The fields.
    i, j : array-like of shape (m,)
        0-based ids of the coupled pairs.
    b : array-like of shape (m,)
        The couplings of the pairs.
    offset : float, default=0.0
        A constant added to every energy.
    seed : int, default=0
        The seed.
    num_reads : int, default=16
        Independent reads per round.
    num_sweeps : int, default=1000
        Sweeps per read.
    beta_range : tuple of (float, float) or None, default=None
        ``(hot, cold)`` inverse temperatures of the schedule; default ``hot = ln 2 /
        dH_max`` and ``cold = ln 100 / dH_min``, with ``dH_max = 2 max_i(|h_i| + sum_j
        |J_ij|)`` and ``dH_min`` twice the smallest non-zero ``|J_ij|`` or ``|h_i|``
        (``(0.1, 10)`` for an empty model).
    num_rounds : int or None, default=None
        The rounds (reproducible; one when neither it nor ``time_limit`` is given).
    time_limit : float or None, default=None
        A budget in seconds (with no ``num_rounds``: rounds until it is spent).
    n_threads : int or None, default=None
        ``None`` or 1 one thread, -1 every core, -2 all but one (results do not depend on
        it; ``num_threads`` is its deprecated spelling).
    strict : bool, default=True
        Whether failures raise; ``strict=False`` returns the dict with its ``status``.

    Returns
    -------
    result : dict
        ``samples`` (rows, lowest energy first), ``energies``, ``num_occurrences``,
        ``status``, ``elapsed``, ``num_reads``.

    Raises
    ------
    attractor.Interrupted
        On Ctrl-C with ``strict=True`` (the dict as ``.result``).
    attractor.NotConverged
        With ``strict=True``, when ``time_limit`` ends before the first round.

    Examples
    --------
    >>> import attractor
    >>> d = attractor.anneal_ising_arrays(3, [0.0, 0.0, 0.0], [0, 1], [1, 2], [1.0, 1.0],
    ...                                   seed=0, num_reads=4, num_sweeps=100)
    >>> d["samples"][0], float(d["energies"][0]), d["num_reads"]
    (array([-1,  1, -1], dtype=int8), -2.0, 4)
    """
    threads = n_threads_arg(n_threads, "anneal_ising_arrays", num_threads=num_threads)
    n = whole("n", n, 0)
    i, j = check_ids(i, j, n)
    if time_limit is None and num_rounds is None:
        num_rounds = 1
    if beta_range is not None:
        try:
            hot, cold = beta_range
            beta_range = (float(hot), float(cold))
        except (TypeError, ValueError):
            raise TypeError(
                f"beta_range: expected (hot, cold) inverse temperatures, got {beta_range!r}"
            ) from None
    d = _attractor.anneal_ising(
        n,
        np.ascontiguousarray(linear, dtype=np.float64),
        i,
        j,
        np.ascontiguousarray(b, dtype=np.float64),
        float(offset),
        seed=whole("seed", seed, 0),
        num_reads=whole("num_reads", num_reads, 0),
        num_sweeps=whole("num_sweeps", num_sweeps, 0),
        beta_range=beta_range,
        rounds=0 if num_rounds is None else whole("num_rounds", num_rounds, 1),
        time=None if time_limit is None else _seconds("time_limit", time_limit),
        threads=threads,
    )
    return finish(d, d["status"], strict, sample_failure(d, time_limit))


def bifurcate_ising_arrays(n, linear, i, j, b, offset=0.0, seed=0, num_agents=64, num_steps=10000,
                           variant="discrete", dt=None, c0=None, num_rounds=None, time_limit=None,
                           n_threads=None, heating=0.0, num_steps_first=1000, *, strict=True,
                           num_threads=UNSET):
    """Simulated bifurcation of an Ising energy, from plain arrays.

    The energy ``E(s) = sum_i linear_i s_i + sum_k b_k s_{i_k} s_{j_k} + offset`` (Goto et
    al. 2019, 2021). Round ``r`` runs a pump ramp of ``min(num_steps, num_steps_first *
    2**r)`` steps.

    Parameters
    ----------
    n : int
        The number of spins.
    linear : array-like of shape (n,)
        The fields.
    i, j : array-like of shape (m,)
        0-based ids of the coupled pairs.
    b : array-like of shape (m,)
        The couplings of the pairs.
    offset : float, default=0.0
        A constant added to every energy.
    seed : int, default=0
        The seed.
    num_agents : int, default=64
        Agents per round (16 per SIMD block).
    num_steps : int, default=10000
        The most steps of a round's ramp.
    variant : {"discrete", "ballistic"}, default="discrete"
        The variant of SB.
    dt : float or None, default=None
        The time step (default: within the stability of the linearised dynamics).
    c0 : float or None, default=None
        The coupling scale (default:
        ``0.5 / sqrt((sum_{i != j} J_ij^2 + 2 sum_i h_i^2) / (n - 1))``, the sum over both
        triangles; 0.5 for an empty model).
    num_rounds : int or None, default=None
        The rounds (reproducible; one when neither it nor ``time_limit`` is given).
    time_limit : float or None, default=None
        A budget in seconds (with no ``num_rounds``: rounds until it is spent).
    n_threads : int or None, default=None
        ``None`` or 1 one thread, -1 every core, -2 all but one (results do not depend on
        it; ``num_threads`` is its deprecated spelling).
    heating : float, default=0.0
        Heated SB (Kanao & Goto 2022): the momentum gains ``heating * y``; 0 is plain SB.
    num_steps_first : int or None, default=1000
        The steps of the first round (``None``: every round ``num_steps``).
    strict : bool, default=True
        Whether failures raise; ``strict=False`` returns the dict with its ``status``.

    Returns
    -------
    result : dict
        ``samples`` (rows, lowest energy first), ``energies``, ``num_occurrences``,
        ``status``, ``elapsed``, ``num_reads``.

    Raises
    ------
    attractor.Interrupted
        On Ctrl-C with ``strict=True`` (the dict as ``.result``).
    attractor.NotConverged
        With ``strict=True``, when ``time_limit`` ends before the first round.

    Examples
    --------
    >>> import attractor
    >>> d = attractor.bifurcate_ising_arrays(3, [0.0, 0.0, 0.0], [0, 1], [1, 2], [1.0, 1.0],
    ...                                      seed=0, num_agents=16, num_steps=200)
    >>> d["samples"][0], float(d["energies"][0])
    (array([-1,  1, -1], dtype=int8), -2.0)
    """
    threads = n_threads_arg(n_threads, "bifurcate_ising_arrays", num_threads=num_threads)
    n = whole("n", n, 0)
    i, j = check_ids(i, j, n)
    if time_limit is None and num_rounds is None:
        num_rounds = 1
    for name, v in (("dt", dt), ("c0", c0), ("heating", heating)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, numbers.Real)):
            raise TypeError(f"{name}: expected a number or None, got {v!r}")
    if heating is None:
        raise TypeError("heating: expected a number >= 0 (0: plain SB), got None")
    d = _attractor.bifurcate_ising(
        n,
        np.ascontiguousarray(linear, dtype=np.float64),
        i,
        j,
        np.ascontiguousarray(b, dtype=np.float64),
        float(offset),
        seed=whole("seed", seed, 0),
        agents=whole("num_agents", num_agents, 0),
        steps=whole("num_steps", num_steps, 0),
        variant=str(variant),
        dt=None if dt is None else float(dt),
        c0=None if c0 is None else float(c0),
        rounds=0 if num_rounds is None else whole("num_rounds", num_rounds, 1),
        time=None if time_limit is None else _seconds("time_limit", time_limit),
        threads=threads,
        heating=float(heating),
        steps_first=None if num_steps_first is None else whole("num_steps_first", num_steps_first, 1),
    )
    return finish(d, d["status"], strict, sample_failure(d, time_limit))


if dimod is not None:

    class AnnealingSampler(_Sampler, dimod.Sampler):
        """Simulated annealing as a dimod sampler.

        ``sample_ising(h, J)``, ``sample_qubo(Q)`` and ``sample(bqm)`` return a
        ``dimod.SampleSet`` of the final states of every read (aggregated, lowest energy
        first) with dimod's energies. The parameters of a call are those of
        :func:`anneal_ising_arrays` (``seed``, ``num_reads``, ``num_sweeps``,
        ``beta_range``, ``num_rounds``, ``time_limit``, ``n_threads``) and ``strict``
        (``False``: Ctrl-C or a time limit spent before the first round return the sample
        set with ``info["status"]`` instead of raising). Samplers pickle and copy.

        Examples
        --------
        >>> import attractor
        >>> sampleset = attractor.AnnealingSampler().sample_ising(
        ...     {"a": 0.0}, {("a", "b"): 1.0, ("b", "c"): 1.0}, num_reads=4, num_sweeps=100, seed=0)
        >>> float(sampleset.first.energy)
        -2.0
        """

        _params = ("seed", "num_reads", "num_sweeps", "beta_range", "num_rounds", "time_limit",
                   "n_threads", "strict")
        _description = "simulated annealing (attractor)"

        def sample_ising(self, h, J, seed=0, num_reads=16, num_sweeps=1000, beta_range=None,
                         num_rounds=None, time_limit=None, n_threads=None, strict=True,
                         num_threads=UNSET, **kwargs):
            """Anneal ``E(s) = sum h_i s_i + sum J_ij s_i s_j``.

            Parameters
            ----------
            h : dict or list
                The fields, by variable (a list: by index).
            J : dict
                The couplings, by pair of variables.
            seed, num_reads, num_sweeps, beta_range, num_rounds, time_limit, n_threads
                As for :func:`~attractor.anneal_ising_arrays` (``num_threads`` is the
                deprecated spelling of ``n_threads``).
            strict : bool, default=True
                ``False``: Ctrl-C or a time limit spent before the first round return the
                sample set with ``info["status"]`` instead of raising.
            **kwargs
                Other keywords are dropped with dimod's warning.

            Returns
            -------
            sampleset : dimod.SampleSet
                The reads, lowest energy first.

            Raises
            ------
            attractor.Interrupted
                On Ctrl-C with ``strict=True``.
            attractor.NotConverged
                With ``strict=True``, when ``time_limit`` ends before the first round.
            """
            self.remove_unknown_kwargs(**kwargs)
            th = n_threads_arg(n_threads, "AnnealingSampler.sample_ising", num_threads=num_threads)
            labels, n, linear, i, j, bq = _ising_arrays(h, J)
            if n == 0:
                return dimod.SampleSet.from_samples(([], labels), vartype="SPIN", energy=[])
            d = anneal_ising_arrays(n, linear, i, j, bq, 0.0, seed, num_reads, num_sweeps,
                                    beta_range, num_rounds, time_limit, _n_threads_of(th), strict=False)
            return self._finish(d, labels, strict, sample_failure(d, time_limit))

    class SimulatedBifurcationSampler(_Sampler, dimod.Sampler):
        """Simulated bifurcation as a dimod sampler.

        Every agent's final state ``sgn x`` is a read (aggregated, lowest energy first), with
        dimod's energies. The parameters of a call are those of
        :func:`bifurcate_ising_arrays`: ``seed``, ``num_agents`` (per round, 16 per SIMD
        block), ``num_steps`` and ``num_steps_first`` (round ``r`` runs
        ``min(num_steps, num_steps_first * 2**r)`` steps: 1000, 2000, ... up to 10000 by
        default), ``variant``, ``heating``, ``dt`` and ``c0`` (default
        ``c0 = 0.5 / sqrt((sum_{i != j} J_ij^2 + 2 sum_i h_i^2) / (n - 1))``), ``num_rounds``,
        ``time_limit``, ``n_threads``, and ``strict`` (``False``: Ctrl-C or a time limit
        spent before the first round return the sample set with ``info["status"]`` instead
        of raising). Samplers pickle and copy.

        Examples
        --------
        >>> import attractor
        >>> sampleset = attractor.SimulatedBifurcationSampler().sample_ising(
        ...     {"a": 0.0}, {("a", "b"): 1.0, ("b", "c"): 1.0}, num_agents=16, num_steps=200, seed=0)
        >>> float(sampleset.first.energy)
        -2.0
        """

        _params = ("seed", "num_agents", "num_steps", "variant", "dt", "c0", "num_rounds",
                   "time_limit", "n_threads", "heating", "num_steps_first", "strict")
        _description = "simulated bifurcation (attractor)"

        def sample_ising(self, h, J, seed=0, num_agents=64, num_steps=10000, variant="discrete",
                         dt=None, c0=None, num_rounds=None, time_limit=None, n_threads=None,
                         heating=0.0, num_steps_first=1000, strict=True, num_threads=UNSET,
                         **kwargs):
            """Sample ``E(s) = sum h_i s_i + sum J_ij s_i s_j`` by simulated bifurcation.

            Parameters
            ----------
            h : dict or list
                The fields, by variable (a list: by index).
            J : dict
                The couplings, by pair of variables.
            seed, num_agents, num_steps, variant, dt, c0, num_rounds, time_limit
                As for :func:`~attractor.bifurcate_ising_arrays`.
            n_threads, heating, num_steps_first
                As for :func:`~attractor.bifurcate_ising_arrays` (``num_threads`` is the
                deprecated spelling of ``n_threads``).
            strict : bool, default=True
                ``False``: Ctrl-C or a time limit spent before the first round return the
                sample set with ``info["status"]`` instead of raising.
            **kwargs
                Other keywords are dropped with dimod's warning.

            Returns
            -------
            sampleset : dimod.SampleSet
                The reads, lowest energy first.

            Raises
            ------
            attractor.Interrupted
                On Ctrl-C with ``strict=True``.
            attractor.NotConverged
                With ``strict=True``, when ``time_limit`` ends before the first round.
            """
            self.remove_unknown_kwargs(**kwargs)
            th = n_threads_arg(n_threads, "SimulatedBifurcationSampler.sample_ising",
                               num_threads=num_threads)
            labels, n, linear, i, j, bq = _ising_arrays(h, J)
            if n == 0:
                return dimod.SampleSet.from_samples(([], labels), vartype="SPIN", energy=[])
            d = bifurcate_ising_arrays(n, linear, i, j, bq, 0.0, seed, num_agents, num_steps,
                                       variant, dt, c0, num_rounds, time_limit, _n_threads_of(th),
                                       heating, num_steps_first, strict=False)
            return self._finish(d, labels, strict, sample_failure(d, time_limit))
