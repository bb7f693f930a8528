//! The library's memory policy (`attractor::memory`) for Python: `MemoryLimitError`, raised
//! for every request that cannot fit (a subclass of both `AttractorError` and the built-in
//! `MemoryError`, so that `except MemoryError` catches it), and `set_memory_limit` /
//! `memory_limit`, the cap that `ATTRACTOR_MAX_MEMORY` sets from the environment.

use super::AttractorError;
use pyo3::exceptions::{PyMemoryError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

/// The exception type, built once at module initialisation.
static MEMORY_LIMIT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `class MemoryLimitError(AttractorError, MemoryError)`, built with `type(...)` because an
/// exception with two bases cannot be declared with `create_exception!`.
fn build(py: Python<'_>) -> PyResult<Py<PyType>> {
    let bases = PyTuple::new(
        py,
        [
            py.get_type::<AttractorError>().into_any(),
            py.get_type::<PyMemoryError>().into_any(),
        ],
    )?;
    let ns = PyDict::new(py);
    ns.set_item("__module__", "attractor")?;
    ns.set_item(
        "__doc__",
        "A request for memory that cannot fit in what the process may allocate (the memory \
         available, a container's or ulimit's limit, or the cap of set_memory_limit / \
         ATTRACTOR_MAX_MEMORY); the message names the quantity, its size and the fix.",
    )?;
    let t = py
        .import("builtins")?
        .getattr("type")?
        .call1(("MemoryLimitError", bases, ns))?;
    Ok(t.cast_into::<PyType>()?.unbind())
}

/// A `MemoryLimitError` carrying `msg` (an `AttractorError` if the type cannot be built).
pub(crate) fn memory_error(msg: String) -> PyErr {
    Python::attach(
        |py| match MEMORY_LIMIT_ERROR.get_or_try_init(py, || build(py)) {
            Ok(t) => PyErr::from_type(t.bind(py).clone(), msg),
            Err(_) => AttractorError::new_err(msg),
        },
    )
}

/// Cap the memory the library allocates.
///
/// The environment's `ATTRACTOR_MAX_MEMORY` and the system's limits still apply; a request
/// above the cap raises `MemoryLimitError` before anything is allocated.
///
/// Parameters
/// ----------
/// limit : int, str or None
///     Bytes as an `int`, a size as a `str` (`"8G"`, `"512M"`), or `None` to remove the cap.
///
/// Raises
/// ------
/// attractor.ParameterError
///     For a size that cannot be read or is not positive.
///
/// Examples
/// --------
/// >>> import attractor
/// >>> attractor.set_memory_limit("1G")
/// >>> attractor.memory_limit()
/// 1073741824
/// >>> attractor.set_memory_limit(None)
#[pyfunction]
#[pyo3(signature = (limit))]
fn set_memory_limit(limit: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let bytes = match limit {
        None => None,
        Some(v) => {
            if let Ok(s) = v.extract::<String>() {
                Some(attractor::memory::parse_size("limit", &s).map_err(super::err)?)
            } else if let Ok(n) = v.extract::<i128>() {
                match u64::try_from(n) {
                    Ok(b) if b > 0 => Some(b),
                    _ => {
                        return Err(super::bad(format!(
                            "limit = {n}: give a number of bytes > 0, a size such as \"8G\", or None"
                        )));
                    }
                }
            } else {
                return Err(PyTypeError::new_err(format!(
                    "limit: expected a number of bytes, a size such as \"8G\" or None, got {}",
                    v.get_type().name()?
                )));
            }
        }
    };
    attractor::memory::set_limit(bytes);
    Ok(())
}

/// The cap set with `set_memory_limit`.
///
/// Returns
/// -------
/// limit : int or None
///     The cap in bytes, or `None` when none is set.
#[pyfunction]
fn memory_limit() -> Option<u64> {
    attractor::memory::limit()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let t = MEMORY_LIMIT_ERROR.get_or_try_init(py, || build(py))?;
    m.add("MemoryLimitError", t.bind(py))?;
    m.add_function(wrap_pyfunction!(set_memory_limit, m)?)?;
    m.add_function(wrap_pyfunction!(memory_limit, m)?)?;
    Ok(())
}
