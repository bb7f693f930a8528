//! The size of the process's thread pool: one setting for every parallel computation of the
//! library (rayon's global pool, which faer's `Par::Rayon` and the samplers' blocks run on).
//! A pool is built once per process, at its first parallel computation; `set_num_threads`
//! builds it first, and `ATTRACTOR_NUM_THREADS` in the environment does so at import, so
//! that co-located processes (the workers of a sweep) do not oversubscribe the machine.

use super::ParameterError;
use pyo3::prelude::*;

/// The environment variable read at import.
pub(crate) const ENV: &str = "ATTRACTOR_NUM_THREADS";

/// A thread count with scikit-learn's meaning: `k ≥ 1` threads, `-1` every core.
fn resolve(name: &str, n: i64) -> PyResult<usize> {
    match n {
        -1 => Ok(std::thread::available_parallelism().map_or(1, |k| k.get())),
        k if (1..=4096).contains(&k) => Ok(k as usize),
        k => Err(ParameterError::new_err(format!(
            "{name} = {k}: give a number of threads between 1 and 4096, or -1 for every core"
        ))),
    }
}

fn build(name: &str, n: i64) -> PyResult<usize> {
    let k = resolve(name, n)?;
    match rayon::ThreadPoolBuilder::new()
        .num_threads(k)
        .build_global()
    {
        Ok(()) => Ok(k),
        Err(_) if rayon::current_num_threads() == k => Ok(k),
        Err(_) => Err(ParameterError::new_err(format!(
            "{name} = {n}: this process's thread pool already has {} threads (it is sized once, \
             at the first parallel computation); call attractor.set_num_threads before any \
             computation, or set {ENV} in the environment before starting Python",
            rayon::current_num_threads()
        ))),
    }
}

/// Size the process's thread pool.
///
/// Call it before the first computation: the pool is sized once per process (the
/// environment variable `ATTRACTOR_NUM_THREADS` does the same before start-up). Results
/// never depend on the number of threads.
///
/// Parameters
/// ----------
/// n : int
///     `n ≥ 1` threads, or `-1` for every core.
///
/// Returns
/// -------
/// size : int
///     The size of the pool.
///
/// Raises
/// ------
/// attractor.ParameterError
///     For `n` of 0 or below -1, or a pool already started at another size.
#[pyfunction]
pub(crate) fn set_num_threads(n: i64) -> PyResult<usize> {
    build("n", n)
}

/// The number of threads of the process's pool.
///
/// Starts the pool at its default size (one per core, or `ATTRACTOR_NUM_THREADS`) if nothing
/// has yet.
///
/// Returns
/// -------
/// size : int
///     The size of the pool.
#[pyfunction]
pub(crate) fn get_num_threads() -> usize {
    rayon::current_num_threads()
}

/// At import: size the pool from `ATTRACTOR_NUM_THREADS` when it is set.
pub(crate) fn from_environment() -> PyResult<()> {
    let Ok(v) = std::env::var(ENV) else {
        return Ok(());
    };
    let n: i64 = v.trim().parse().map_err(|_| {
        ParameterError::new_err(format!(
            "{ENV} = {v:?}: give a number of threads >= 1, or -1 for every core"
        ))
    })?;
    build(ENV, n).map(|_| ())
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    from_environment()
}
