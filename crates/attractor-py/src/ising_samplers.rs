//! Simulated annealing (`AnnealingSampler`) and simulated bifurcation (`BifurcationSampler`)
//! for Python: the Ising objective in dimod's convention as arrays in, a sample-set dict out. The run goes on a worker thread
//! with the interpreter lock released while the calling thread watches for Ctrl-C
//! ([`watched`]) and raises the budget's interrupt; the reads reached come back with status
//! `interrupted` (the Python layer raises `attractor.Interrupted`).

use crate::arrays::time_budget;
use crate::ising::{objective_model, set_dict};
use crate::long_call::long_call;
use attractor::run::{Budget, Interrupt};
use attractor::samplers::{
    AnnealingParams, AnnealingSampler, Bifurcation, BifurcationParams, BifurcationSampler,
    IsingSampler,
};
use attractor::schedule::Schedule;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Anneal the Ising objective `E(s) = Σ_i a_i s_i + Σ_k b_k s_{i_k} s_{j_k} + c`: `num_reads`
/// Metropolis runs of `num_sweeps` sweeps under a geometric `β` schedule (`beta_range`, or the
/// default range of the couplings), `rounds` rounds or until `time` seconds; samples (rows of
/// ±1, lowest energy first), energies, occurrences, status and timing.
#[pyfunction]
#[pyo3(signature = (n, linear, i, j, b, offset=0.0, seed=0, num_reads=16, num_sweeps=1000, beta_range=None, rounds=1, time=None, threads=1))]
#[allow(clippy::too_many_arguments)]
fn anneal_ising<'py>(
    py: Python<'py>,
    n: usize,
    linear: PyReadonlyArray1<'_, f64>,
    i: PyReadonlyArray1<'_, i64>,
    j: PyReadonlyArray1<'_, i64>,
    b: PyReadonlyArray1<'_, f64>,
    offset: f64,
    seed: u64,
    num_reads: usize,
    num_sweeps: usize,
    beta_range: Option<(f64, f64)>,
    rounds: usize,
    time: Option<f64>,
    threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let model = objective_model(n, &linear, &i, &j, &b, offset)?;
    let params = AnnealingParams {
        num_reads,
        num_sweeps,
        beta: beta_range.map(|(start, end)| Schedule::Geometric { start, end }),
        seed,
        par: par_of(threads),
    };
    let time = time_budget(time)?;
    let stop = Interrupt::new();
    let mut sampler = AnnealingSampler::new(params);
    sampler.budget = budget_of(rounds, time, &stop);
    let set = long_call(py, "annealer", &stop, || sampler.sample_ising(&model))?;
    set_dict(py, &set, n)
}

/// Simulated bifurcation of the Ising objective `E(s) = Σ_i a_i s_i + Σ_k b_k s_{i_k} s_{j_k} + c`:
/// `agents` agents (ballistic or discrete, heated by `heating`) of `steps` steps (`dt` and `c0`
/// default to the library's), `rounds` rounds or until `time` seconds; the same dict as `anneal_ising`.
#[pyfunction]
#[pyo3(signature = (n, linear, i, j, b, offset=0.0, seed=0, agents=64, steps=10000, variant="discrete", dt=None, c0=None, rounds=1, time=None, threads=1, heating=0.0, steps_first=Some(1000)))]
#[allow(clippy::too_many_arguments)]
fn bifurcate_ising<'py>(
    py: Python<'py>,
    n: usize,
    linear: PyReadonlyArray1<'_, f64>,
    i: PyReadonlyArray1<'_, i64>,
    j: PyReadonlyArray1<'_, i64>,
    b: PyReadonlyArray1<'_, f64>,
    offset: f64,
    seed: u64,
    agents: usize,
    steps: usize,
    variant: &str,
    dt: Option<f64>,
    c0: Option<f64>,
    rounds: usize,
    time: Option<f64>,
    threads: usize,
    heating: f64,
    steps_first: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let model = objective_model(n, &linear, &i, &j, &b, offset)?;
    let variant = match variant {
        "discrete" => Bifurcation::Discrete,
        "ballistic" => Bifurcation::Ballistic,
        other => {
            return Err(crate::errors::bad(format!(
                "variant = {other:?}: use \"discrete\" or \"ballistic\""
            )));
        }
    };
    let params = BifurcationParams {
        variant,
        agents,
        steps,
        steps_first,
        dt,
        c0,
        heating,
        seed,
        par: par_of(threads),
        ..BifurcationParams::default()
    };
    let time = time_budget(time)?;
    let stop = Interrupt::new();
    let mut sampler = BifurcationSampler::new(params);
    sampler.budget = budget_of(rounds, time, &stop);
    let set = long_call(py, "bifurcation", &stop, || sampler.sample_ising(&model))?;
    set_dict(py, &set, n)
}

/// Rounds (0 with a time limit: until it is spent), time and the interrupt as one budget.
pub(crate) fn budget_of(
    rounds: usize,
    time: Option<std::time::Duration>,
    stop: &Interrupt,
) -> Budget {
    let rounds = if time.is_some() && rounds == 0 {
        None
    } else {
        Some(rounds.max(1))
    };
    Budget::new()
        .max_steps_limit(rounds)
        .time_opt(time)
        .interrupt(stop.clone())
}

/// The library's parallelism for a thread count (0 all, 1 sequential).
pub(crate) fn par_of(threads: usize) -> faer::Par {
    match threads {
        0 => attractor::linalg::ALL_THREADS,
        1 => faer::Par::Seq,
        k => faer::Par::rayon(k),
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(anneal_ising, m)?)?;
    m.add_function(wrap_pyfunction!(bifurcate_ising, m)?)
}
