//! The library's errors as Python exceptions: `AttractorError` (a `ValueError`) and one type
//! under it per kind of failure, mapped from the library's error kinds in one place ([`err`]).

use crate::memory;
use attractor::run::Status;
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

create_exception!(
    _attractor,
    AttractorError,
    PyValueError,
    "A value the library refused; the message names it and says how to fix it."
);

create_exception!(
    _attractor,
    ShapeError,
    AttractorError,
    "Arrays whose sizes do not fit together (a state of the wrong length, a matrix that is not square)."
);
create_exception!(
    _attractor,
    NonFiniteError,
    AttractorError,
    "A NaN or infinite value where a finite number is needed; the message gives its place."
);
create_exception!(
    _attractor,
    ParameterError,
    AttractorError,
    "A parameter outside its valid range, or parameters that cannot be used together."
);
create_exception!(
    _attractor,
    FileFormatError,
    AttractorError,
    "A file whose content is not in the expected format (the message gives the file and line)."
);
create_exception!(
    _attractor,
    NumericalError,
    AttractorError,
    "A numerical routine failed (a singular matrix where a strict minimum was needed)."
);
create_exception!(
    _attractor,
    NotConverged,
    AttractorError,
    "A computation with no partial result was stopped by its time limit before it finished."
);
create_exception!(
    _attractor,
    FileAccessError,
    AttractorError,
    "Reading or writing a file failed (the operating system's message)."
);

/// The library's error as a Python exception, each under `AttractorError` (a `ValueError`)
/// and named after what went wrong: `ShapeError`, `NonFiniteError`, `ParameterError`,
/// `FileFormatError`, `NumericalError`, `NotConverged` (a time limit stopped a computation
/// with nothing to return), `FileAccessError`, `MemoryLimitError` (also a `MemoryError`) for a
/// request that cannot fit; `KeyboardInterrupt` for a computation that Ctrl-C stopped before
/// it had a result.
pub(crate) fn err(e: attractor::Error) -> PyErr {
    let msg = clip(&e.to_string());
    typed(e, msg)
}

/// The exception type of `e`, carrying `msg`.
pub(crate) fn typed(e: attractor::Error, msg: String) -> PyErr {
    use attractor::Error as E;
    match e {
        E::OutOfMemory { .. } => memory::memory_error(msg),
        E::Stopped {
            status: Status::Interrupted,
            ..
        } => pyo3::exceptions::PyKeyboardInterrupt::new_err(msg),
        E::Stopped { .. } => NotConverged::new_err(msg),
        E::DimensionMismatch { .. } => ShapeError::new_err(msg),
        E::NonFinite { .. } => NonFiniteError::new_err(msg),
        E::InvalidParameter { .. } | E::Incompatible(_) => ParameterError::new_err(msg),
        E::Format { .. } | E::Parse { .. } => FileFormatError::new_err(msg),
        E::LinearAlgebra(_) => NumericalError::new_err(msg),
        E::Io { .. } => FileAccessError::new_err(msg),
        // the library's error is non-exhaustive: a new kind is still an AttractorError
        _ => AttractorError::new_err(msg),
    }
}

/// A message cut to a few hundred characters (a huge shape never makes a 15 KB line).
pub(crate) fn clip(msg: &str) -> String {
    attractor::error::clip_message(msg, attractor::error::MAX_MESSAGE_CHARS)
}

/// [`err`] with the argument's name in front of the message.
pub(crate) fn err_named(what: &str, e: attractor::Error) -> PyErr {
    let msg = clip(&format!("{what}: {e}"));
    typed(e, msg)
}

pub(crate) fn bad(msg: String) -> PyErr {
    AttractorError::new_err(clip(&msg))
}

/// Add the exception types to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("AttractorError", py.get_type::<AttractorError>())?;
    m.add("ShapeError", py.get_type::<ShapeError>())?;
    m.add("NonFiniteError", py.get_type::<NonFiniteError>())?;
    m.add("ParameterError", py.get_type::<ParameterError>())?;
    m.add("FileFormatError", py.get_type::<FileFormatError>())?;
    m.add("NumericalError", py.get_type::<NumericalError>())?;
    m.add("NotConverged", py.get_type::<NotConverged>())?;
    m.add("FileAccessError", py.get_type::<FileAccessError>())
}
