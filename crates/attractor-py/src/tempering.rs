//! What the Python faces of parallel tempering (`attractor::samplers::tempering`) share: the
//! ladder from `temperatures` / `n_temperatures` / `max_temperature`, and the report dict.

use crate::errors::{bad, err};
use attractor::samplers::tempering::{Ladder, TemperedChains};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The ladder: `temperatures` when given (strictly increasing from 1, checked by the
/// library), else the geometric ladder of `n_temperatures` rungs (10 when `None`) from 1 to
/// `max_temperature`; both given with different lengths is an error.
pub(crate) fn ladder_of(
    temperatures: Option<Vec<f64>>,
    n_temperatures: Option<i64>,
    max_temperature: f64,
) -> PyResult<Ladder> {
    let n_temps = match n_temperatures {
        Some(k) => Some(
            usize::try_from(k)
                .map_err(|_| bad(format!("n_temperatures = {k}: give a whole number >= 1")))?,
        ),
        None => None,
    };
    match (temperatures, n_temps) {
        (Some(t), Some(k)) if t.len() != k => Err(bad(format!(
            "n_temperatures = {k} but {} temperatures given: pass one of the two",
            t.len()
        ))),
        (Some(t), _) => Ladder::new(t).map_err(err),
        (None, k) => Ladder::geometric(k.unwrap_or(10), max_temperature).map_err(err),
    }
}

/// `temperatures` (of the rungs), `swap_rates`, `swap_attempts`, `swap_accepts` (per
/// neighbouring pair), `n_steps` (rounds done), `status`.
pub(crate) fn report<'py>(py: Python<'py>, c: &TemperedChains) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("temperatures", c.temperatures.clone())?;
    d.set_item("swap_rates", PyArray1::from_vec(py, c.swap_rates.clone()))?;
    d.set_item("swap_attempts", c.swap_attempts.clone())?;
    d.set_item("swap_accepts", c.swap_accepts.clone())?;
    d.set_item("n_steps", c.n_steps)?;
    d.set_item("status", c.status.name())?;
    Ok(d)
}
