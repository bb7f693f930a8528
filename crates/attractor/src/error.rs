//! The library's error type: every invalid input becomes an [`Error`](enum@Error) whose message names the
//! offending value and says how to fix it. Not converging is *not* an error: it is a
//! [`Status`](crate::run::Status) of the [`Solution`](crate::run::Solution).

use thiserror::Error;

/// Everything that can go wrong before or while setting up a computation.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// Two objects that must agree in size do not.
    #[error("dimension mismatch: {what} has length {got}, expected {expected}; {fix}")]
    DimensionMismatch {
        /// What was checked (e.g. "initial state x0").
        what: String,
        /// The size that was required.
        expected: usize,
        /// The size that was given.
        got: usize,
        /// How to fix it.
        fix: String,
    },
    /// A value that must be finite is NaN or infinite.
    #[error(
        "{what} contains a non-finite value ({value}) at index {index}; replace NaN/inf entries with finite numbers"
    )]
    NonFinite {
        /// What was checked.
        what: String,
        /// The first offending index (flattened, row-major for matrices).
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A scalar parameter is outside its valid range.
    #[error("invalid {name} = {value}: {requirement}")]
    InvalidParameter {
        /// Parameter name as the user sees it (e.g. "tau", "rtol").
        name: String,
        /// The value given, formatted.
        value: String,
        /// What it must satisfy and how to fix it.
        requirement: String,
    },
    /// The inputs are individually valid but cannot be used together.
    #[error("{0}")]
    Incompatible(String),
    /// A numerical routine from the linear-algebra backend failed.
    #[error("linear algebra failure in {0}")]
    LinearAlgebra(String),
    /// A file was read but its content is not in the expected format.
    #[error("{path} is not a valid {format} file: {msg}")]
    Format {
        /// The file.
        path: String,
        /// The format expected (e.g. "IDX", ".npy").
        format: String,
        /// What is wrong and how to fix it.
        msg: String,
    },
    /// A text input (graph, Ising or QUBO file) is malformed at a given line.
    #[error("{file}:{line}: {msg}")]
    Parse {
        /// The file (or source name) being read.
        file: String,
        /// The 1-based line number of the problem.
        line: usize,
        /// What is wrong and how to fix it.
        msg: String,
    },
    /// A request for memory that cannot fit in what the process may allocate (see
    /// [`crate::memory`]): refused before it is made, or failed when made.
    #[error("{what} ({shape}) needs {needs} of memory, but {room}; {fix}")]
    OutOfMemory {
        /// The quantity (e.g. "RBM weights W (n_visible x n_hidden)").
        what: String,
        /// Its shape, e.g. "30000 x 30000".
        shape: String,
        /// The bytes it needs, as people read them (or "more than 2^64 bytes").
        needs: String,
        /// The memory available and what bounds it.
        room: String,
        /// What to change.
        fix: String,
    },
    /// A long computation without a partial result to return (an exact enumeration, annealed
    /// importance sampling) was stopped by its budget: the interrupt was raised or the time
    /// limit passed.
    #[error("{what} was stopped ({status}) before it finished; nothing was computed")]
    Stopped {
        /// The computation.
        what: String,
        /// [`Status::Interrupted`](crate::run::Status::Interrupted) or
        /// [`Status::Timeout`](crate::run::Status::Timeout).
        status: crate::run::Status,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {msg}")]
    Io {
        /// The file involved.
        path: String,
        /// The operating system's message.
        msg: String,
    },
}

/// Shorthand for `Result<T, attractor::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Build an [`Error::InvalidParameter`]. A value whose text is longer than 64 characters
    /// (a 300-digit number, a pasted file) is shortened in the message.
    pub fn invalid(name: &str, value: impl std::fmt::Display, requirement: &str) -> Self {
        Error::InvalidParameter {
            name: name.to_string(),
            value: shorten(&value.to_string(), 64),
            requirement: requirement.to_string(),
        }
    }
}

/// `s` cut to at most `max` characters, with "…" when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{head}…")
    }
}

/// The most characters of a message shown to a user ([`clip_message`]).
pub const MAX_MESSAGE_CHARS: usize = 400;

/// A message cut to at most `max` characters by eliding its middle, so that a huge embedded
/// shape or array never makes a line of kilobytes while the name (at the start) and the fix
/// (at the end) stay readable.
///
/// ```
/// let long = format!("x: {} must be positive", "9".repeat(10_000));
/// let short = attractor::error::clip_message(&long, 400);
/// assert!(short.chars().count() <= 400 && short.starts_with("x: ") && short.ends_with("positive"));
/// ```
pub fn clip_message(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let marker = " … ";
    let keep = max.saturating_sub(marker.chars().count());
    let tail = keep / 3;
    let head: String = s.chars().take(keep - tail).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{head}{marker}{end}")
}

/// A number as people read it: plain decimals between 10⁻⁴ and 10¹⁵ in magnitude, scientific
/// notation outside (so `1e300` is not printed as 301 digits), and `0` for `−0`.
///
/// ```
/// use attractor::format_number;
/// assert_eq!(format_number(1e300), "1e300");
/// assert_eq!(format_number(-0.0), "0");
/// assert_eq!(format_number(11624.0), "11624");
/// assert_eq!(format_number(f64::NAN), "NaN");
/// ```
pub fn format_number(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !x.is_finite() || (1e-4..1e15).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Check that `len == expected`.
pub(crate) fn check_len(what: &str, got: usize, expected: usize, fix: &str) -> Result<()> {
    if got == expected {
        Ok(())
    } else {
        Err(Error::DimensionMismatch {
            what: what.to_string(),
            expected,
            got,
            fix: fix.to_string(),
        })
    }
}

/// Check that every value is finite.
pub(crate) fn check_finite(what: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(Error::NonFinite {
            what: what.to_string(),
            index,
            value: values[index],
        }),
    }
}

/// Check that a scalar is finite and strictly positive.
pub(crate) fn check_positive(name: &str, value: f64, fix: &str) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format_number(value),
            &format!("must be finite and > 0; {fix}"),
        ))
    }
}

/// Check that a scalar is finite and non-negative.
pub(crate) fn check_nonnegative(name: &str, value: f64, fix: &str) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format_number(value),
            &format!("must be finite and >= 0; {fix}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_value() {
        let e = check_positive("tau", -1.0, "use a positive time constant").unwrap_err();
        let m = e.to_string();
        assert!(m.contains("tau") && m.contains("-1"), "{m}");
        let e = check_finite("x0", &[1.0, f64::NAN]).unwrap_err();
        assert!(e.to_string().contains("index 1"), "{e}");
        let e = check_len("x0", 3, 4, "pass a state of the network's size").unwrap_err();
        assert!(e.to_string().contains("length 3, expected 4"), "{e}");
    }
}
