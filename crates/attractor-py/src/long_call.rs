//! Every long call into the library goes through one helper: the work runs on a worker thread
//! with the interpreter lock released, while the calling thread (the interpreter's main thread,
//! the only one that sees signals) asks every 20 ms whether Ctrl-C is pending and, if so,
//! raises the call's [`Interrupt`]; the work then ends early with what it reached (a run keeps
//! its best state and reports status `"interrupted"`, and the Python layer raises
//! `attractor.Interrupted` with it, or returns it with `strict=False`). Errors of the library
//! come back as the typed exceptions of [`crate::errors`].

use crate::errors::err;
use attractor::run::Interrupt;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

/// How often the calling thread looks for Ctrl-C (and calls a progress callback).
const POLL: Duration = Duration::from_millis(20);

/// Whether Ctrl-C is pending (re-attaching to the interpreter to ask). Only the interpreter's
/// main thread sees signals, so this must be called from the thread that called into Rust.
pub(crate) fn signal_pending() -> bool {
    Python::attach(|py| py.check_signals().is_err())
}

/// Run `work` with the lock released while this thread watches for Ctrl-C (raising `stop`),
/// and convert the library's error: the helper for every long call that can fail.
pub(crate) fn long_call<T: Send>(
    py: Python<'_>,
    what: &str,
    stop: &Interrupt,
    work: impl FnOnce() -> attractor::Result<T> + Send,
) -> PyResult<T> {
    watched(py, what, stop, work)?.map_err(err)
}

/// [`long_call`] for work that cannot fail (or reports its own errors).
pub(crate) fn watched<T: Send>(
    py: Python<'_>,
    what: &str,
    stop: &Interrupt,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    watched_ticking(py, what, stop, work, || Ok(()))
}

/// [`watched`] that also calls `tick` (re-attached to the interpreter) at every poll, for a
/// progress callback; an error from `tick` raises `stop`, waits for the work to end, and is
/// returned in place of the work's result.
pub(crate) fn watched_ticking<T: Send>(
    py: Python<'_>,
    what: &str,
    stop: &Interrupt,
    work: impl FnOnce() -> T + Send,
    mut tick: impl FnMut() -> PyResult<()> + Send,
) -> PyResult<T> {
    py.detach(|| {
        std::thread::scope(|scope| {
            let (tx, rx) = channel();
            let worker = scope.spawn(move || {
                let _ = tx.send(work());
            });
            let mut failed: Option<PyErr> = None;
            loop {
                match rx.recv_timeout(POLL) {
                    Ok(r) => {
                        let _ = worker.join();
                        // a last tick hands on what the work reported while it finished
                        if failed.is_none() {
                            failed = tick().err();
                        }
                        return match failed {
                            Some(e) => Err(e),
                            None => Ok(r),
                        };
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if failed.is_none()
                            && let Err(e) = tick()
                        {
                            failed = Some(e);
                            stop.raise();
                        }
                        if !stop.is_raised() && signal_pending() {
                            stop.raise();
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        let _ = worker.join();
                        return Err(PyRuntimeError::new_err(format!(
                            "the {what}'s worker thread panicked (a bug; please report it)"
                        )));
                    }
                }
            }
        })
    })
}
