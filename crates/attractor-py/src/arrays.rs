//! What the estimator bindings share: NumPy arrays in (any numeric dtype and layout, converted
//! to float64 in C order; a C-order `(n_samples, n_features)` array *is* the library's
//! column-major `n_features × n_samples` matrix, read without a copy) and out, counts and
//! `n_threads` as the library's types, result dictionaries (training reports).

use crate::errors::{bad, err_named};
use attractor::problems::Patterns;
use faer::Mat;
use faer::{MatRef, Par};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use std::time::Duration;

/// `x` as a float64, C-contiguous NumPy array (no copy when it already is one), refusing
/// non-numeric and complex data (`TypeError`) and other than `ndim` dimensions
/// (`AttractorError`, naming `what` and the expected layout). Non-finite entries are the
/// library's to refuse (it names them by item and entry, as the NumPy array has them).
pub(crate) fn float_array<'py>(
    x: &Bound<'py, PyAny>,
    what: &str,
    ndim: usize,
    layout: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let np = x.py().import("numpy")?;
    let a = np.call_method1("asarray", (x,))?;
    let kind: String = a.getattr("dtype")?.getattr("kind")?.extract()?;
    if !matches!(kind.as_str(), "b" | "i" | "u" | "f") {
        let dtype = a.getattr("dtype")?.str()?.to_string();
        return Err(PyTypeError::new_err(format!(
            "{what}: expected an array of real numbers, got dtype {dtype}"
        )));
    }
    let a = np.call_method1("ascontiguousarray", (a, "float64"))?;
    let got: usize = a.getattr("ndim")?.extract()?;
    if got != ndim {
        let shape = a.getattr("shape")?.str()?.to_string();
        return Err(bad(format!(
            "{what}: expected {layout}, got an array of shape {shape}"
        )));
    }
    Ok(a)
}

pub(crate) fn matrix<'py>(
    x: &Bound<'py, PyAny>,
    what: &str,
    layout: &str,
) -> PyResult<PyReadonlyArray2<'py, f64>> {
    let a = float_array(x, what, 2, &format!("a 2-D array {layout}"))?;
    Ok(a.cast_into::<PyArray2<f64>>()?.readonly())
}

pub(crate) fn vector<'py>(
    x: &Bound<'py, PyAny>,
    what: &str,
    layout: &str,
) -> PyResult<PyReadonlyArray1<'py, f64>> {
    let a = float_array(x, what, 1, &format!("a 1-D vector {layout}"))?;
    Ok(a.cast_into::<PyArray1<f64>>()?.readonly())
}

/// The contiguous data of a C-order array (always true after [`float_array`]).
pub(crate) fn data<'a>(a: &'a PyReadonlyArray2<'_, f64>) -> PyResult<&'a [f64]> {
    a.as_slice()
        .map_err(|_| PyRuntimeError::new_err("internal: a converted array is not contiguous"))
}

/// A C-order `(rows, cols)` array seen as the column-major `cols × rows` matrix (no copy).
pub(crate) fn transposed<'a>(a: &'a PyReadonlyArray2<'_, f64>) -> PyResult<MatRef<'a, f64>> {
    let (rows, cols) = a.as_array().dim();
    Ok(MatRef::from_column_major_slice(data(a)?, cols, rows))
}

/// [`matrix`] of an optional argument.
pub(crate) fn optional_matrix<'py>(
    x: Option<&Bound<'py, PyAny>>,
    what: &str,
    layout: &str,
) -> PyResult<Option<PyReadonlyArray2<'py, f64>>> {
    x.map(|x| matrix(x, what, layout)).transpose()
}

/// A count from Python (refusing negative values with their name).
pub(crate) fn count(name: &str, v: i64) -> PyResult<usize> {
    usize::try_from(v).map_err(|_| bad(format!("{name} = {v}: give a whole number >= 1")))
}

/// `n_threads` as the library's parallelism: `None` or 1 sequential, 0 or -1 all threads.
pub(crate) fn par(n_threads: Option<i64>) -> PyResult<Par> {
    match n_threads {
        None | Some(1) => Ok(Par::Seq),
        Some(0) | Some(-1) => Ok(attractor::linalg::ALL_THREADS),
        Some(k) if k > 1 => Ok(Par::rayon(k as usize)),
        Some(k) => Err(bad(format!(
            "n_threads = {k}: use None or 1 (sequential), a thread count k > 1, or -1 (all cores)"
        ))),
    }
}

/// A column-major `rows × cols` matrix as a C-order `(cols, rows)` NumPy array: column `j`
/// becomes row `j` (samples back in scikit-learn's layout).
pub(crate) fn rows_of<'py>(
    py: Python<'py>,
    m: MatRef<'_, f64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (r, c) = (m.nrows(), m.ncols());
    let mut flat = Vec::with_capacity(r * c);
    for j in 0..c {
        flat.extend(m.col(j).iter().copied());
    }
    PyArray1::from_vec(py, flat).reshape([c, r])
}

/// The report of a training call as a dict: `n_epochs`, `n_updates`, `elapsed` seconds,
/// `status` (`"completed"`, `"interrupted"` or `"diverged"`), `diverged_epoch`, `message` and
/// `interrupted` (a Ctrl-C seen by the watch loop, reported even when it came during the last
/// epoch, so that the caller raises it). `None` is a call that trained nothing.
pub(crate) fn train_report<'py>(
    py: Python<'py>,
    summary: Option<&attractor::learn::TrainReport>,
    interrupted: bool,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    use attractor::run::Status;
    use pyo3::types::PyDictMethods;
    let d = pyo3::types::PyDict::new(py);
    let (n, updates, elapsed, status, diverged, message) = match summary {
        None => (0, 0, 0.0, "completed", None, String::new()),
        Some(s) => {
            let (status, diverged) = match s.status {
                Status::Diverged(_) => ("diverged", s.diverged_epoch),
                _ if interrupted => ("interrupted", None),
                _ => ("completed", None),
            };
            (
                s.n_epochs,
                s.n_updates,
                s.elapsed.as_secs_f64(),
                status,
                diverged,
                s.message(),
            )
        }
    };
    d.set_item("n_epochs", n)?;
    d.set_item("n_updates", updates)?;
    d.set_item("elapsed", elapsed)?;
    d.set_item("status", status)?;
    d.set_item("diverged_epoch", diverged)?;
    d.set_item("message", message)?;
    d.set_item("interrupted", interrupted)?;
    Ok(d)
}

/// A dense matrix from a 2-D array (any memory layout).
pub(crate) fn mat(a: &PyReadonlyArray2<'_, f64>) -> Mat<f64> {
    let v = a.as_array();
    Mat::from_fn(v.nrows(), v.ncols(), |i, j| v[[i, j]])
}

/// Row-major patterns from a 2-D array (`n_samples × n_features`).
pub(crate) fn patterns_of(a: &PyReadonlyArray2<'_, f64>, what: &str) -> PyResult<Patterns> {
    let v = a.as_array();
    let (k, n) = (v.nrows(), v.ncols());
    let data: Vec<f64> = match a.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => v.iter().copied().collect(),
    };
    Patterns::from_flat(k, n, data).map_err(|e| err_named(what, e))
}

/// A time budget in seconds (`None`: no limit), refusing non-positive and huge values.
pub(crate) fn time_budget(time: Option<f64>) -> PyResult<Option<Duration>> {
    match time {
        None => Ok(None),
        Some(t) if t.is_finite() && t > 0.0 => {
            Duration::try_from_secs_f64(t).map(Some).map_err(|_| {
                bad(format!(
                    "time = {t}: too large a budget; give seconds below 1e9"
                ))
            })
        }
        Some(t) => Err(bad(format!(
            "time = {}: give a positive number of seconds",
            attractor::format_number(t)
        ))),
    }
}
