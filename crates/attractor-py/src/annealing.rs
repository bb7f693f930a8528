//! Simulated annealing (`attractor::samplers::AnnealingSampler`) for Python: the Ising objective
//! in dimod's convention as arrays in, a sample-set dict out. The run goes on a worker thread
//! with the interpreter lock released while the calling thread watches for Ctrl-C
//! ([`watched`]) and raises the budget's interrupt; the reads reached come back with status
//! `interrupted` (the Python layer raises `attractor.Interrupted`).

use super::arrays::watched;
use super::{err, pairs, set_dict, time_budget};
use attractor::problems::IsingModel;
use attractor::run::{Budget, Interrupt};
use attractor::samplers::{AnnealingParams, AnnealingSampler, IsingSampler};
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
    let quad = pairs(n, &i, &j, &b)?;
    let lin = linear.as_array().to_vec();
    let model = IsingModel::from_objective(n, &lin, &quad, offset).map_err(err)?;
    let params = AnnealingParams {
        num_reads,
        num_sweeps,
        beta: beta_range.map(|(start, end)| Schedule::Geometric { start, end }),
        seed,
        par: match threads {
            0 => attractor::linalg::ALL_THREADS,
            1 => faer::Par::Seq,
            k => faer::Par::rayon(k),
        },
    };
    let time = time_budget(time)?;
    let stop = Interrupt::new();
    let rounds = if time.is_some() && rounds == 0 {
        None
    } else {
        Some(rounds.max(1))
    };
    let mut sampler = AnnealingSampler::new(params);
    sampler.budget = Budget::new()
        .max_steps_limit(rounds)
        .time_opt(time)
        .interrupt(stop.clone());
    let set = watched(py, "annealer", &stop, || sampler.sample_ising(&model))?.map_err(err)?;
    set_dict(py, &set, n)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(anneal_ising, m)?)
}
