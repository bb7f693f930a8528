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
    """Anneal ``E(s) = sum_i linear_i s_i + sum_k b_k s_{i_k} s_{j_k} + offset`` over
    ``s in {-1, +1}^n`` (``i``, ``j``: 0-based ids of the coupled pairs). Returns a dict of
    ``samples`` (rows, lowest energy first), ``energies``, ``num_occurrences``, ``status``,
    ``elapsed``, ``num_reads``. ``n_threads``: ``None`` or 1 one thread, -1 every core, -2 all
    but one (``num_threads`` is its deprecated spelling; results do not depend on it).
    ``strict``: Ctrl-C raises :class:`~attractor.Interrupted` and a ``time_limit`` that ends
    before the first round :class:`~attractor.NotConverged`, with that dict as ``.result``;
    ``strict=False`` returns the dict with its ``status``."""
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
    """Simulated bifurcation of ``E(s) = sum_i linear_i s_i + sum_k b_k s_{i_k} s_{j_k} +
    offset``: the same dict as :func:`anneal_ising_arrays`, with the same ``n_threads`` and
    ``strict``. Round ``r`` runs a pump ramp of ``min(num_steps, num_steps_first * 2**r)``
    steps (``num_steps_first=None``: every round ``num_steps``)."""
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
        """Simulated annealing as a dimod sampler: ``sample_ising(h, J)``, ``sample_qubo(Q)``
        and ``sample(bqm)`` return a ``dimod.SampleSet`` of the final states of every read
        (aggregated, lowest energy first) with dimod's energies.

        Parameters of a call: ``seed``, ``num_reads`` (per round), ``num_sweeps``,
        ``beta_range`` (``(hot, cold)`` of the geometric schedule; default: ``ln 2`` over the
        largest single-flip energy change, ``ln 100`` over the smallest), ``num_rounds``
        (reproducible), ``time_limit`` (seconds; with no ``num_rounds``, rounds until it is
        spent), ``n_threads`` (``None`` or 1 one thread, -1 every core, -2 all but one; results
        do not depend on it; ``num_threads`` is its deprecated spelling), ``strict``
        (``False``: Ctrl-C or a time limit spent before the first round return the sample set
        with ``info["status"]`` instead of raising). Samplers pickle and copy."""

        _params = ("seed", "num_reads", "num_sweeps", "beta_range", "num_rounds", "time_limit",
                   "n_threads", "strict")
        _description = "simulated annealing (attractor)"

        def sample_ising(self, h, J, seed=0, num_reads=16, num_sweeps=1000, beta_range=None,
                         num_rounds=None, time_limit=None, n_threads=None, strict=True,
                         num_threads=UNSET, **kwargs):
            self.remove_unknown_kwargs(**kwargs)
            th = n_threads_arg(n_threads, "AnnealingSampler.sample_ising", num_threads=num_threads)
            labels, n, linear, i, j, bq = _ising_arrays(h, J)
            if n == 0:
                return dimod.SampleSet.from_samples(([], labels), vartype="SPIN", energy=[])
            d = anneal_ising_arrays(n, linear, i, j, bq, 0.0, seed, num_reads, num_sweeps,
                                    beta_range, num_rounds, time_limit, _n_threads_of(th), strict=False)
            return self._finish(d, labels, strict, sample_failure(d, time_limit))

    class SimulatedBifurcationSampler(_Sampler, dimod.Sampler):
        """Simulated bifurcation as a dimod sampler: every agent's final state ``sgn x`` is a
        read (aggregated, lowest energy first), with dimod's energies.

        Parameters of a call: ``seed``, ``num_agents`` (per round, 16 per SIMD block),
        ``num_steps`` and ``num_steps_first`` (round ``r`` runs
        ``min(num_steps, num_steps_first * 2**r)`` steps: 1000, 2000, ... up to 10000 by
        default; ``num_steps_first=None``: every round ``num_steps``), ``variant`` (``"discrete"`` or ``"ballistic"``), ``heating`` (heated SB,
        Kanao & Goto 2022: the momentum gains ``heating * y``; 0 is plain SB), ``dt`` and ``c0``
        (default: the library's, ``c0 = 0.5/sqrt(sum J^2/(n-1))`` and a step within the
        stability of the linearised dynamics), ``num_rounds`` (reproducible), ``time_limit``
        (seconds), ``n_threads`` (``None`` or 1 one thread, -1 every core, -2 all but one;
        results do not depend on it; ``num_threads`` is its deprecated spelling), ``strict``
        (``False``: Ctrl-C or a time limit spent before the first round return the sample set
        with ``info["status"]`` instead of raising). Samplers pickle and copy."""

        _params = ("seed", "num_agents", "num_steps", "variant", "dt", "c0", "num_rounds",
                   "time_limit", "n_threads", "heating", "num_steps_first", "strict")
        _description = "simulated bifurcation (attractor)"

        def sample_ising(self, h, J, seed=0, num_agents=64, num_steps=10000, variant="discrete",
                         dt=None, c0=None, num_rounds=None, time_limit=None, n_threads=None,
                         heating=0.0, num_steps_first=1000, strict=True, num_threads=UNSET,
                         **kwargs):
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
