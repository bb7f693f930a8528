//! The oscillator Ising machine for Python (Wang & Roychowdhury 2019): sampling an Ising
//! objective or a Max-Cut as one long call, with every setting of the machine (`OimParams`:
//! time step, `μ` schedule, noise, readouts, restarts) reachable by name from a plain dict.

use crate::arrays::time_budget;
use crate::errors::{ParameterError, err};
use crate::ising::{objective_model, pairs, set_dict};
use crate::long_call::watched_ticking;
use attractor::models::OimParams;
use attractor::models::oim::STEPS_PER_ROUND_TIMED;
use attractor::problems::IsingModel;
use attractor::run::Interrupt;
use attractor::samplers::{IsingSampler, OimSampler};
use attractor::schedule::Schedule;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::{Arc, Mutex};

/// Options of the oscillator Ising machine shared by the sampling functions.
struct MachineOptions<'py> {
    /// Called from the interpreter's thread with `(rounds, elapsed_s, best_energy)` after
    /// rounds finish.
    progress: Option<Py<PyAny>>,
    seed: u64,
    replicas: usize,
    rounds: usize,
    time: Option<f64>,
    threads: usize,
    steps: Option<usize>,
    params: Option<Bound<'py, PyDict>>,
}

/// The names [`machine_params`] reads.
const PARAM_NAMES: &str = "dt, precondition, steps_first, mu, mu_spread, noise, readout_every, \
     greedy, greedy_readouts, warm_kick, warm_skip, cold_every, initial_spins";

/// A schedule from Python: a number (constant), or a dict with one key, `constant` (a number),
/// `linear` or `geometric` (`[start, end]`) or `values` (a list, interpolated).
pub(crate) fn schedule(name: &str, v: &Bound<'_, PyAny>) -> PyResult<Schedule> {
    let help = || {
        ParameterError::new_err(format!(
            "{name} = {v}: give a number (constant) or a dict with one key: \
             {{\"linear\": [start, end]}}, {{\"geometric\": [start, end]}}, \
             {{\"constant\": value}} or {{\"values\": [v0, v1, ...]}}"
        ))
    };
    if let Ok(x) = v.extract::<f64>() {
        return Ok(Schedule::Constant(x));
    }
    let d = v.cast::<PyDict>().map_err(|_| help())?;
    if d.len() != 1 {
        return Err(help());
    }
    let (k, val) = d.iter().next().ok_or_else(help)?;
    let k: String = k.extract().map_err(|_| help())?;
    let pair = |val: &Bound<'_, PyAny>| -> PyResult<(f64, f64)> {
        let v: Vec<f64> = val.extract().map_err(|_| help())?;
        match v[..] {
            [a, b] => Ok((a, b)),
            _ => Err(help()),
        }
    };
    match k.as_str() {
        "constant" => Ok(Schedule::Constant(val.extract().map_err(|_| help())?)),
        "linear" => pair(&val).map(|(start, end)| Schedule::Linear { start, end }),
        "geometric" => pair(&val).map(|(start, end)| Schedule::Geometric { start, end }),
        "values" => Ok(Schedule::Explicit(val.extract().map_err(|_| help())?)),
        _ => Err(help()),
    }
}

/// Set the fields of `p` named in `d` (the machine checks the values when it is built):
/// `dt` (float or None), `precondition`, `steps_first` (int or None: the doubling schedule's
/// first round), `mu` and `noise` (schedules, see [`schedule`]), `mu_spread`, `readout_every`,
/// `greedy`, `greedy_readouts`, `warm_kick`, `warm_skip`, `cold_every`, `initial_spins` (±1 per
/// spin, a warm first round).
fn machine_params(p: &mut OimParams, d: &Bound<'_, PyDict>) -> PyResult<()> {
    for (k, v) in d.iter() {
        let key: String = k.extract()?;
        let named = |e: PyErr| ParameterError::new_err(format!("params[{key:?}] = {v}: {e}"));
        match key.as_str() {
            "dt" => p.dt = v.extract().map_err(named)?,
            "precondition" => p.precondition = v.extract().map_err(named)?,
            "steps_first" => p.schedule.n_steps_first = v.extract().map_err(named)?,
            "mu" => p.schedule.mu = Some(schedule("params[\"mu\"]", &v)?),
            "mu_spread" => p.schedule.mu_spread = v.extract().map_err(named)?,
            "noise" => p.noise = schedule("params[\"noise\"]", &v)?,
            "readout_every" => p.readout.every = v.extract().map_err(named)?,
            "greedy" => p.readout.greedy = v.extract().map_err(named)?,
            "greedy_readouts" => p.readout.greedy_readouts = v.extract().map_err(named)?,
            "warm_kick" => p.restart.warm_kick = v.extract().map_err(named)?,
            "warm_skip" => p.restart.warm_skip = v.extract().map_err(named)?,
            "cold_every" => p.restart.cold_every = v.extract().map_err(named)?,
            "initial_spins" => {
                let s: Vec<f64> = v.extract().map_err(named)?;
                let spins = s
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| match x {
                        1.0 => Ok(1i8),
                        -1.0 => Ok(-1i8),
                        _ => Err(ParameterError::new_err(format!(
                            "params[\"initial_spins\"][{i}] = {x}: every spin must be -1 or +1"
                        ))),
                    })
                    .collect::<PyResult<Vec<i8>>>()?;
                p.restart.initial_spins = Some(spins);
            }
            other => {
                return Err(ParameterError::new_err(format!(
                    "params has an unknown setting {other:?}: the oscillator machine's settings \
                     are {PARAM_NAMES} (replicas, steps, seed, rounds and time are arguments of \
                     their own)"
                )));
            }
        }
    }
    Ok(())
}

/// Run the machine as a sampler, as one long call whose watching thread also hands the latest
/// round's report to the progress callback.
fn run_sampler(
    py: Python<'_>,
    model: &IsingModel,
    o: &MachineOptions<'_>,
) -> PyResult<attractor::samplers::SampleSet> {
    let time = time_budget(o.time)?;
    let mut p = OimParams::default();
    if time.is_some() {
        p.schedule.n_steps = STEPS_PER_ROUND_TIMED;
    }
    p.seed = o.seed;
    p.replicas = o.replicas;
    p.par = crate::ising_samplers::par_of(o.threads);
    if let Some(s) = o.steps {
        p.schedule.n_steps = s;
    }
    if let Some(d) = &o.params {
        machine_params(&mut p, d)?;
    }
    let stop = Interrupt::new();
    let budget = crate::ising_samplers::budget_of(o.rounds, time, &stop);
    // the latest round's report, left by the machine's thread for this one to hand on
    let latest = Arc::new(Mutex::new(None::<(usize, f64, f64)>));
    let sink = latest.clone();
    let sampler = OimSampler {
        params: p,
        budget,
        progress: o.progress.as_ref().map(|_| {
            Arc::new(move |r: &attractor::models::OimProgress| {
                if let Ok(mut l) = sink.lock() {
                    *l = Some((r.rounds, r.elapsed.as_secs_f64(), r.best_greedy));
                }
            }) as attractor::samplers::ProgressFn
        }),
    };
    let mut shown = 0usize;
    let callback = o.progress.as_ref();
    let tick = || -> PyResult<()> {
        let Some(cb) = callback else {
            return Ok(());
        };
        let report = latest.lock().ok().and_then(|l| *l);
        match report {
            Some((rounds, elapsed, best)) if rounds > shown => {
                shown = rounds;
                Python::attach(|py| cb.call1(py, (rounds, elapsed, best)).map(|_| ()))
            }
            _ => Ok(()),
        }
    };
    watched_ticking(
        py,
        "oscillator machine",
        &stop,
        || sampler.sample_ising(model),
        tick,
    )?
    .map_err(err)
}

/// Sample the Ising objective `E(s) = Σ_i a_i s_i + Σ_k b_k s_{i_k} s_{j_k} + c` (dimod's
/// convention) with the oscillator Ising machine: samples (rows of ±1, lowest energy first),
/// energies, occurrences, status and timing. `params`: the machine's settings by name (see
/// [`machine_params`]).
#[pyfunction]
#[pyo3(signature = (n, linear, i, j, b, offset=0.0, seed=0, replicas=16, rounds=1, time=None, threads=1, steps=None, progress=None, params=None))]
#[allow(clippy::too_many_arguments)]
fn sample_ising<'py>(
    py: Python<'py>,
    n: usize,
    linear: PyReadonlyArray1<'_, f64>,
    i: PyReadonlyArray1<'_, i64>,
    j: PyReadonlyArray1<'_, i64>,
    b: PyReadonlyArray1<'_, f64>,
    offset: f64,
    seed: u64,
    replicas: usize,
    rounds: usize,
    time: Option<f64>,
    threads: usize,
    steps: Option<usize>,
    progress: Option<Py<PyAny>>,
    params: Option<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let model = objective_model(n, &linear, &i, &j, &b, offset)?;
    let o = MachineOptions {
        progress,
        seed,
        replicas,
        rounds,
        time,
        threads,
        steps,
        params,
    };
    let set = run_sampler(py, &model, &o)?;
    set_dict(py, &set, n)
}

/// The maximum cut of a weighted graph (edges `(i_k, j_k, w_k)`, 0-based) with the oscillator
/// Ising machine: as [`sample_ising`], plus the cut of every sample (largest first).
#[pyfunction]
#[pyo3(signature = (n, i, j, w, seed=0, replicas=16, rounds=1, time=None, threads=1, steps=None, progress=None, params=None))]
#[allow(clippy::too_many_arguments)]
fn sample_max_cut<'py>(
    py: Python<'py>,
    n: usize,
    i: PyReadonlyArray1<'_, i64>,
    j: PyReadonlyArray1<'_, i64>,
    w: PyReadonlyArray1<'_, f64>,
    seed: u64,
    replicas: usize,
    rounds: usize,
    time: Option<f64>,
    threads: usize,
    steps: Option<usize>,
    progress: Option<Py<PyAny>>,
    params: Option<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let edges = pairs(n, &i, &j, &w)?;
    let g = attractor::problems::WeightedGraph::new(n, edges).map_err(err)?;
    let model = IsingModel::max_cut(&g).map_err(err)?;
    let o = MachineOptions {
        progress,
        seed,
        replicas,
        rounds,
        time,
        threads,
        steps,
        params,
    };
    let set = run_sampler(py, &model, &o)?.with_cuts(&g);
    set_dict(py, &set, n)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sample_ising, m)?)?;
    m.add_function(wrap_pyfunction!(sample_max_cut, m)?)
}
