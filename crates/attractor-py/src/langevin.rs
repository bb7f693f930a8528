//! The Langevin sampler for Python: the unadjusted Langevin algorithm
//! `x_{k+1} = x_k − h∇E(x_k) + √(2T_k h) ζ_k` (Roberts & Tweedie 1996) on a quadratic energy
//! `E(x) = ½xᵀAx − bᵀx` or on the energy of a continuous Hopfield network, many chains at
//! once as one long call, the temperature constant or annealed.

use crate::arrays::{matrix, par, rows_of, time_budget, vector};
use crate::dynamics::PyHopfield;
use crate::errors::err;
use crate::long_call::long_call;
use attractor::energy::{Gradient, Quadratic};
use attractor::run::{Budget, Interrupt};
use attractor::samplers::{LangevinSampler, MarkovSampler};
use attractor::schedule::Ramp;
use faer::Mat;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// What every Langevin call takes besides the energy.
struct Settings {
    step_size: f64,
    temperature: Ramp,
    n_samples: usize,
    n_steps: usize,
    seed: u64,
    center: Option<Vec<f64>>,
    spread: f64,
    time: Option<f64>,
    n_threads: Option<i64>,
}

fn run<'py, E: Gradient + Clone + Send + Sync>(
    py: Python<'py>,
    energy: E,
    s: Settings,
) -> PyResult<Bound<'py, PyDict>> {
    let n = energy.dim();
    let mut sampler = LangevinSampler::new(energy, s.step_size, s.temperature)
        .map_err(err)?
        .par(par(s.n_threads)?);
    sampler = sampler
        .initial(s.center.unwrap_or_else(|| vec![0.0; n]), s.spread)
        .map_err(err)?;
    let stop = Interrupt::new();
    let budget = Budget::steps(s.n_steps)
        .time_opt(time_budget(s.time)?)
        .interrupt(stop.clone());
    let c = long_call(py, "Langevin sampler", &stop, || {
        sampler.sample(s.n_samples, s.seed, &budget)
    })?;
    let d = PyDict::new(py);
    d.set_item("samples", rows_of(py, c.states.as_ref())?)?;
    d.set_item("n_steps", c.n_steps)?;
    d.set_item("status", c.status.name())?;
    Ok(d)
}

/// The temperature: constant `t0`, or annealed geometrically from `t0` to `t1` over the run.
fn ramp(t0: f64, t1: Option<f64>, n_steps: usize) -> Ramp {
    match t1 {
        None => Ramp::constant(t0),
        Some(t1) => Ramp::geometric(t0, t1, n_steps.max(1) as f64),
    }
}

/// Langevin samples of `E(x) = ½xᵀAx − bᵀx` (stationary law `N(A⁻¹b, T A⁻¹)` up to the
/// step's `O(h)` bias): a dict of `samples` (rows), `n_steps` and `status`.
#[pyfunction]
#[pyo3(signature = (a, b, n_samples, n_steps=1000, step_size=0.01, temperature=1.0, final_temperature=None, seed=0, center=None, spread=1.0, time=None, n_threads=None))]
#[allow(clippy::too_many_arguments)]
fn langevin_quadratic<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    n_samples: usize,
    n_steps: usize,
    step_size: f64,
    temperature: f64,
    final_temperature: Option<f64>,
    seed: u64,
    center: Option<&Bound<'py, PyAny>>,
    spread: f64,
    time: Option<f64>,
    n_threads: Option<i64>,
) -> PyResult<Bound<'py, PyDict>> {
    let am = matrix(a, "A", "(n, n), symmetric")?;
    let v = am.as_array();
    let q = Quadratic::new(
        Mat::from_fn(v.nrows(), v.ncols(), |i, j| v[[i, j]]),
        vector(b, "b", "(n,)")?.as_array().to_vec(),
    )
    .map_err(err)?;
    let center = match center {
        Some(c) => Some(vector(c, "center", "(n,)")?.as_array().to_vec()),
        None => None,
    };
    let s = Settings {
        step_size,
        temperature: ramp(temperature, final_temperature, n_steps),
        n_samples,
        n_steps,
        seed,
        center,
        spread,
        time,
        n_threads,
    };
    run(py, q, s)
}

/// Langevin samples of a continuous Hopfield network's energy (its state `x`), the same dict.
#[pyfunction]
#[pyo3(signature = (network, n_samples, n_steps=1000, step_size=0.01, temperature=1.0, final_temperature=None, seed=0, center=None, spread=1.0, time=None, n_threads=None))]
#[allow(clippy::too_many_arguments)]
fn langevin_hopfield<'py>(
    py: Python<'py>,
    network: PyRef<'py, PyHopfield>,
    n_samples: usize,
    n_steps: usize,
    step_size: f64,
    temperature: f64,
    final_temperature: Option<f64>,
    seed: u64,
    center: Option<&Bound<'py, PyAny>>,
    spread: f64,
    time: Option<f64>,
    n_threads: Option<i64>,
) -> PyResult<Bound<'py, PyDict>> {
    let center = match center {
        Some(c) => Some(vector(c, "center", "(n,)")?.as_array().to_vec()),
        None => None,
    };
    let s = Settings {
        step_size,
        temperature: ramp(temperature, final_temperature, n_steps),
        n_samples,
        n_steps,
        seed,
        center,
        spread,
        time,
        n_threads,
    };
    run(py, network.net.flow(), s)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(langevin_quadratic, m)?)?;
    m.add_function(wrap_pyfunction!(langevin_hopfield, m)?)
}
