//! `certify_contraction`: the library's contraction certificates
//! (`attractor::analysis::certify`) of a firing-rate or Hopfield network, as a dict.

use crate::arrays::matrix;
use crate::errors::err;
use attractor::analysis::{NetworkForm, NormChoice, certify};
use attractor::models::Activation;
use faer::Mat;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A contraction certificate of `tau x' = -x + phi(W x + u)` (`model="firing_rate"`) or
/// `tau x' = -x + W phi(x) + u` (`model="hopfield"`) in the chosen norm: a dict with `norm`,
/// `weights` (float64 array, empty for "l2sym"), `rate` (per unit time), `contracting`,
/// `lipschitz_input` (or None) and `criterion`.
#[pyfunction]
#[pyo3(signature = (w, activation="tanh", norm="auto", model="firing_rate", tau=1.0))]
pub(crate) fn certify_contraction<'py>(
    py: Python<'py>,
    w: &Bound<'py, PyAny>,
    activation: &str,
    norm: &str,
    model: &str,
    tau: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let a = matrix(w, "W", "(n, n)")?;
    let view = a.as_array();
    let (rows, cols) = view.dim();
    let wm = Mat::from_fn(rows, cols, |i, j| view[(i, j)]);
    let activation: Activation = activation.parse().map_err(err)?;
    let norm: NormChoice = norm.parse().map_err(err)?;
    let model: NetworkForm = model.parse().map_err(err)?;
    let c = py
        .detach(|| certify(&wm, activation, model, tau, norm))
        .map_err(err)?;
    let d = PyDict::new(py);
    d.set_item("norm", c.norm.name())?;
    d.set_item("weights", PyArray1::from_vec(py, c.weights))?;
    d.set_item("rate", c.rate)?;
    d.set_item("contracting", c.contracting)?;
    d.set_item("lipschitz_input", c.lipschitz_input)?;
    d.set_item("criterion", c.criterion)?;
    Ok(d)
}

/// Register the function in the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(certify_contraction, m)?)?;
    Ok(())
}
