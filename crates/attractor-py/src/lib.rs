//! `attractor._attractor`: the compiled half of the Python package. It only translates: NumPy
//! arrays and Python scalars in, the library's types built and run (with the interpreter lock
//! released), NumPy arrays and dictionaries out. Every numeric decision stays in the `attractor`
//! crate; the estimator and sampler faces are pure Python (`python/attractor/`).
//!
//! Long runs check for Ctrl-C: an observer re-attaches to the interpreter every few steps (or
//! every round) to run `PyErr_CheckSignals`; a pending `KeyboardInterrupt` stops the run, which
//! returns its best state with status `"interrupted"` (the Python layer then raises
//! `attractor.Interrupted` carrying that result).

use attractor::learn::{MemoryModel, MemorySpec};
use attractor::models::{
    Activation, HopfieldNetwork as RsHopfield, Memory as RsMemory, Separation, Update,
};
use attractor::problems::{IsingModel, Patterns};
use attractor::run::{Interrupt, Observation, Run, Solution, Status, every};
use attractor::samplers::{IsingSampler, OimSampler};
use attractor::step::{Dopri5, Euler, Heun, Rk4};
use faer::Mat;
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

mod arrays;
mod contraction;
mod eqprop;
mod ising_samplers;
mod memory;
mod neural_synaptic;
mod rbm;
mod score_matching;
mod sparse;
mod threads;

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
fn err(e: attractor::Error) -> PyErr {
    let msg = clip(&e.to_string());
    typed(e, msg)
}

/// The exception type of `e`, carrying `msg`.
fn typed(e: attractor::Error, msg: String) -> PyErr {
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
fn clip(msg: &str) -> String {
    attractor::error::clip_message(msg, attractor::error::MAX_MESSAGE_CHARS)
}

/// [`err`] with the argument's name in front of the message.
fn err_named(what: &str, e: attractor::Error) -> PyErr {
    let msg = clip(&format!("{what}: {e}"));
    typed(e, msg)
}

fn bad(msg: String) -> PyErr {
    AttractorError::new_err(clip(&msg))
}

/// Whether Ctrl-C is pending (re-attaching to the interpreter to ask). Only the interpreter's
/// main thread sees signals, so this must be called from the thread that called into Rust.
fn signal_pending() -> bool {
    Python::attach(|py| py.check_signals().is_err())
}

/// A dense matrix from a 2-D array (any memory layout).
fn mat(a: &PyReadonlyArray2<'_, f64>) -> Mat<f64> {
    let v = a.as_array();
    Mat::from_fn(v.nrows(), v.ncols(), |i, j| v[[i, j]])
}

/// Row-major patterns from a 2-D array (`n_samples × n_features`).
fn patterns(a: &PyReadonlyArray2<'_, f64>, what: &str) -> PyResult<Patterns> {
    let v = a.as_array();
    let (k, n) = (v.nrows(), v.ncols());
    let data: Vec<f64> = match a.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => v.iter().copied().collect(),
    };
    Patterns::from_flat(k, n, data).map_err(|e| err_named(what, e))
}

fn status_name(s: &Status) -> &'static str {
    s.name()
}

fn solution_dict<'py>(py: Python<'py>, sol: &Solution) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("state", PyArray1::from_slice(py, &sol.state))?;
    d.set_item("energy", sol.energy)?;
    d.set_item("t", sol.t)?;
    d.set_item("n_steps", sol.n_steps)?;
    d.set_item("n_evals", sol.n_evals)?;
    d.set_item("n_rejected", sol.n_rejected)?;
    let steps: Vec<usize> = sol.trace.iter().map(|p| p.step).collect();
    let ts: Vec<f64> = sol.trace.iter().map(|p| p.t).collect();
    d.set_item("trace_step", PyArray1::from_vec(py, steps))?;
    d.set_item("trace_t", PyArray1::from_vec(py, ts))?;
    d.set_item("trace_energy", PyArray1::from_vec(py, sol.energies()))?;
    d.set_item("status", status_name(&sol.status))?;
    d.set_item("message", sol.message())?;
    d.set_item("elapsed", sol.elapsed.as_secs_f64())?;
    d.set_item("max_energy_increase", sol.max_energy_increase)?;
    Ok(d)
}

fn time_budget(time: Option<f64>) -> PyResult<Option<Duration>> {
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

/// How to integrate one state: the arguments of `run` in Python.
struct OdeOptions<'a> {
    stepper: &'a str,
    dt: f64,
    rtol: f64,
    atol: f64,
    max_steps: usize,
    t_end: Option<f64>,
    time: Option<f64>,
    steady: Option<(f64, f64)>,
    energy_every: usize,
    trace_capacity: usize,
    check_every: usize,
}

/// Integrate the field that `make` binds from `x0` on the library's run loop, with the lock
/// released and Ctrl-C checked every `check_every` steps.
fn run_ode<'py, F, M>(
    py: Python<'py>,
    make: M,
    x0: Vec<f64>,
    o: &OdeOptions<'_>,
) -> PyResult<Bound<'py, PyDict>>
where
    F: attractor::flow::VectorField,
    M: Fn() -> F + Send,
{
    let mut run = Run::new(o.dt)
        .map_err(err)?
        .max_steps(o.max_steps)
        .energy_every(o.energy_every)
        .trace_capacity(o.trace_capacity)
        .map_err(err)?
        .keep_best(true);
    if let Some(t) = o.t_end {
        run = run.t_end(t).map_err(err)?;
    }
    if let Some(b) = time_budget(o.time)? {
        run = run.time_budget(b);
    }
    if let Some((r, a)) = o.steady {
        run = run.steady_state(r, a).map_err(err)?;
    }
    let stepper = o.stepper.to_ascii_lowercase();
    let (rtol, atol, check_every) = (o.rtol, o.atol, o.check_every);
    let sol = py.detach(move || -> attractor::Result<Solution> {
        let watch = every(check_every.max(1), |_: &Observation<'_>| {
            if signal_pending() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        let mut f = make();
        match stepper.as_str() {
            "euler" => run.solve_with_observer(&mut f, &mut Euler::new(), &x0, watch),
            "heun" => run.solve_with_observer(&mut f, &mut Heun::new(), &x0, watch),
            "rk4" => run.solve_with_observer(&mut f, &mut Rk4::new(), &x0, watch),
            "dopri5" => run.solve_with_observer(&mut f, &mut Dopri5::new(rtol, atol)?, &x0, watch),
            other => Err(attractor::Error::invalid(
                "stepper",
                other,
                "use euler, heun, rk4 or dopri5",
            )),
        }
    });
    solution_dict(py, &sol.map_err(err)?)
}

/// The firing-rate network `τṙ = −r + Φ(Wr + u)` (Wilson–Cowan form; tutorial §III).
#[pyclass(name = "FiringRateNetwork", module = "attractor._attractor", frozen)]
struct PyFiringRate {
    net: attractor::models::FiringRateNetwork,
}

#[pymethods]
impl PyFiringRate {
    #[new]
    #[pyo3(signature = (weights, activation="tanh", tau=1.0, input=None))]
    fn new(
        weights: PyReadonlyArray2<'_, f64>,
        activation: &str,
        tau: f64,
        input: Option<PyReadonlyArray1<'_, f64>>,
    ) -> PyResult<Self> {
        let a: Activation = activation.parse().map_err(err)?;
        let mut net = attractor::models::FiringRateNetwork::new(mat(&weights), a)
            .map_err(err)?
            .with_tau(tau)
            .map_err(err)?;
        if let Some(u) = input {
            net = net.with_input(u.as_array().to_vec()).map_err(err)?;
        }
        Ok(Self { net })
    }

    #[getter]
    fn dim(&self) -> usize {
        self.net.dim()
    }

    /// Integrate from `r0`; see `attractor.FiringRateNetwork.run`.
    #[pyo3(signature = (r0, stepper="dopri5", dt=0.01, rtol=1e-8, atol=1e-10, max_steps=100_000, t_end=None, time=None, steady=Some((1e-8, 1e-8)), energy_every=1, trace_capacity=4096, check_every=256))]
    #[allow(clippy::too_many_arguments)]
    fn run<'py>(
        &self,
        py: Python<'py>,
        r0: PyReadonlyArray1<'_, f64>,
        stepper: &str,
        dt: f64,
        rtol: f64,
        atol: f64,
        max_steps: usize,
        t_end: Option<f64>,
        time: Option<f64>,
        steady: Option<(f64, f64)>,
        energy_every: usize,
        trace_capacity: usize,
        check_every: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let o = OdeOptions {
            stepper,
            dt,
            rtol,
            atol,
            max_steps,
            t_end,
            time,
            steady,
            energy_every,
            trace_capacity,
            check_every,
        };
        run_ode(py, || self.net.flow(), r0.as_array().to_vec(), &o)
    }
}

/// The continuous-time Hopfield network `τẋ = −Dx + WΦ(x) + b` (Hopfield 1984).
#[pyclass(name = "HopfieldNetwork", module = "attractor._attractor", frozen)]
struct PyHopfield {
    net: RsHopfield,
}

#[pymethods]
impl PyHopfield {
    #[new]
    #[pyo3(signature = (weights, activation="tanh", tau=1.0, decay=None, bias=None))]
    fn new(
        weights: PyReadonlyArray2<'_, f64>,
        activation: &str,
        tau: f64,
        decay: Option<PyReadonlyArray1<'_, f64>>,
        bias: Option<PyReadonlyArray1<'_, f64>>,
    ) -> PyResult<Self> {
        let a: Activation = activation.parse().map_err(err)?;
        let mut net = RsHopfield::new(mat(&weights), a)
            .map_err(err)?
            .with_tau(tau)
            .map_err(err)?;
        if let Some(d) = decay {
            net = net.with_decay(d.as_array().to_vec()).map_err(err)?;
        }
        if let Some(b) = bias {
            net = net.with_input(b.as_array().to_vec()).map_err(err)?;
        }
        Ok(Self { net })
    }

    #[getter]
    fn dim(&self) -> usize {
        self.net.dim()
    }

    /// `E(x)` for every row of `x` (`n_states × n`).
    fn energy<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let v = x.as_array();
        let mut out = Vec::with_capacity(v.nrows());
        for row in v.rows() {
            out.push(self.net.energy(&row.to_vec()).map_err(err)?);
        }
        Ok(PyArray1::from_vec(py, out))
    }

    /// Integrate from `x0`; see `attractor.HopfieldNetwork.run`.
    #[pyo3(signature = (x0, stepper="dopri5", dt=0.01, rtol=1e-8, atol=1e-10, max_steps=100_000, t_end=None, time=None, steady=Some((1e-8, 1e-8)), energy_every=1, trace_capacity=4096, check_every=256))]
    #[allow(clippy::too_many_arguments)]
    fn run<'py>(
        &self,
        py: Python<'py>,
        x0: PyReadonlyArray1<'_, f64>,
        stepper: &str,
        dt: f64,
        rtol: f64,
        atol: f64,
        max_steps: usize,
        t_end: Option<f64>,
        time: Option<f64>,
        steady: Option<(f64, f64)>,
        energy_every: usize,
        trace_capacity: usize,
        check_every: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let o = OdeOptions {
            stepper,
            dt,
            rtol,
            atol,
            max_steps,
            t_end,
            time,
            steady,
            energy_every,
            trace_capacity,
            check_every,
        };
        run_ode(py, || self.net.flow(), x0.as_array().to_vec(), &o)
    }

    /// Integrate every row of `x0` (`B × n`) as one batch (fixed-step steppers).
    #[pyo3(signature = (x0, stepper="rk4", dt=0.01, max_steps=100_000, steady=Some((1e-8, 1e-10))))]
    fn run_batch<'py>(
        &self,
        py: Python<'py>,
        x0: PyReadonlyArray2<'_, f64>,
        stepper: &str,
        dt: f64,
        max_steps: usize,
        steady: Option<(f64, f64)>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let v = x0.as_array();
        let (b, n) = (v.nrows(), v.ncols());
        let cols = Mat::from_fn(n, b, |i, j| v[[j, i]]);
        let mut run = Run::new(dt).map_err(err)?.max_steps(max_steps);
        if let Some((r, a)) = steady {
            run = run.steady_state(r, a).map_err(err)?;
        }
        let net = &self.net;
        let stepper = stepper.to_ascii_lowercase();
        let sol = py
            .detach(move || {
                let mut f = net.batch_flow(b);
                match stepper.as_str() {
                    "euler" => run.solve_batch(&mut f, &mut Euler::new(), cols.as_ref()),
                    "heun" => run.solve_batch(&mut f, &mut Heun::new(), cols.as_ref()),
                    "rk4" => run.solve_batch(&mut f, &mut Rk4::new(), cols.as_ref()),
                    other => Err(attractor::Error::invalid(
                        "stepper",
                        other,
                        "batched runs use a fixed-step stepper: euler, heun or rk4",
                    )),
                }
            })
            .map_err(err)?;
        let d = PyDict::new(py);
        let states = PyArray2::<f64>::zeros(py, [b, n], false);
        {
            let mut w = states.readwrite();
            let mut a = w.as_array_mut();
            for j in 0..b {
                for (i, &x) in sol.state(j).iter().enumerate() {
                    a[[j, i]] = x;
                }
            }
        }
        d.set_item("states", states)?;
        let statuses: Vec<&str> = sol.columns.iter().map(|c| c.status.name()).collect();
        d.set_item("status", statuses)?;
        let steps: Vec<usize> = sol.columns.iter().map(|c| c.n_steps).collect();
        d.set_item("n_steps", PyArray1::from_vec(py, steps))?;
        let e: Vec<f64> = sol
            .columns
            .iter()
            .map(|c| c.energy.unwrap_or(f64::NAN))
            .collect();
        d.set_item("energy", PyArray1::from_vec(py, e))?;
        d.set_item("elapsed", sol.elapsed.as_secs_f64())?;
        Ok(d)
    }
}

/// An associative memory of any model (`hebbian`, `storkey`, `pinv`, `dense`, `modern`).
#[pyclass(name = "Memory", module = "attractor._attractor")]
struct PyMemory {
    inner: Stored,
}

/// The stored memory; the modern one is kept as its own type for its batched retrieval.
enum Stored {
    Modern(attractor::models::ModernHopfield),
    Other(Box<dyn RsMemory>),
}

impl Stored {
    fn get(&mut self) -> &mut dyn RsMemory {
        match self {
            Stored::Modern(m) => m,
            Stored::Other(b) => b.as_mut(),
        }
    }
    fn get_ref(&self) -> &dyn RsMemory {
        match self {
            Stored::Modern(m) => m,
            Stored::Other(b) => b.as_ref(),
        }
    }
}

#[pymethods]
impl PyMemory {
    #[new]
    #[pyo3(signature = (model, patterns, separation="3", beta=1.0, synchronous=false, seed=0, max_sweeps=100))]
    fn new(
        model: &str,
        patterns: PyReadonlyArray2<'_, f64>,
        separation: &str,
        beta: f64,
        synchronous: bool,
        seed: u64,
        max_sweeps: usize,
    ) -> PyResult<Self> {
        let mut spec = MemorySpec::new(model.parse::<MemoryModel>().map_err(err)?);
        spec.separation = separation.parse::<Separation>().map_err(err)?;
        spec.beta = beta;
        spec.update = if synchronous {
            Update::Synchronous
        } else {
            Update::Asynchronous { seed }
        };
        spec.max_sweeps = max_sweeps;
        let p = self::patterns(&patterns, "patterns")?;
        let inner = if spec.model == MemoryModel::Modern {
            Stored::Modern(
                attractor::models::ModernHopfield::new(&p, beta)
                    .map_err(err)?
                    .with_max_iter(max_sweeps)
                    .map_err(err)?,
            )
        } else {
            Stored::Other(spec.store(&p).map_err(err)?)
        };
        Ok(Self { inner })
    }

    #[getter]
    fn name(&self) -> String {
        self.inner.get_ref().name()
    }
    #[getter]
    fn dim(&self) -> usize {
        self.inner.get_ref().dim()
    }
    #[getter]
    fn n_patterns(&self) -> usize {
        self.inner.get_ref().n_patterns()
    }

    /// `E(x)` for every row.
    fn energy<'py>(
        &mut self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let q = self::patterns(&x, "X")?;
        let mem = self.inner.get();
        if q.dim() != mem.dim() {
            return Err(bad(format!(
                "X has {} features, the memory stores patterns of {}",
                q.dim(),
                mem.dim()
            )));
        }
        let out: Vec<f64> = q.iter().map(|r| mem.energy(r)).collect();
        Ok(PyArray1::from_vec(py, out))
    }

    /// The modern memory's batched retrieval `Q ← X softmax(βXᵀQ)` repeated `n_steps` times for
    /// all rows of `queries` at once (two matrix products per block of `block` queries, on
    /// `threads` threads; 0: all).
    #[pyo3(signature = (queries, n_steps=1, block=2048, threads=0))]
    fn retrieve<'py>(
        &self,
        py: Python<'py>,
        queries: PyReadonlyArray2<'_, f64>,
        n_steps: usize,
        block: usize,
        threads: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let m = match &self.inner {
            Stored::Modern(m) => m,
            Stored::Other(o) => {
                return Err(bad(format!(
                    "retrieve is the modern memory's batched update; this memory is {}",
                    o.name()
                )));
            }
        };
        let v = queries.as_array();
        let (b, n) = (v.nrows(), v.ncols());
        let q = Mat::from_fn(n, b, |i, j| v[[j, i]]);
        let par = match threads {
            0 => attractor::linalg::effective_par(attractor::linalg::ALL_THREADS),
            1 => faer::Par::Seq,
            k => faer::Par::rayon(k),
        };
        let out = py
            .detach(|| -> attractor::Result<Mat<f64>> {
                let mut out = Mat::<f64>::zeros(n, b);
                m.retrieve_batch_into(q.as_ref(), out.as_mut(), n_steps, block, par)?;
                Ok(out)
            })
            .map_err(err)?;
        let arr = PyArray2::<f64>::zeros(py, [b, n], false);
        {
            let mut w = arr.readwrite();
            let mut a = w.as_array_mut();
            for j in 0..b {
                for (i, &x) in out.col_as_slice(j).iter().enumerate() {
                    a[[j, i]] = x;
                }
            }
        }
        Ok(arr)
    }

    /// Recall every row of `queries`; returns (states, status names, sweeps, energies,
    /// interrupted).
    #[allow(clippy::type_complexity)]
    fn recall<'py>(
        &mut self,
        py: Python<'py>,
        queries: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<(
        Bound<'py, PyArray2<f64>>,
        Vec<&'static str>,
        Bound<'py, PyArray1<usize>>,
        Bound<'py, PyArray1<f64>>,
        bool,
    )> {
        let q = self::patterns(&queries, "X")?;
        let (k, n) = (q.n_patterns(), q.dim());
        let inner = self.inner.get();
        if n != inner.dim() {
            return Err(bad(format!(
                "X has {n} features, the memory stores patterns of {}",
                inner.dim()
            )));
        }
        let stopped = AtomicBool::new(false);
        let results = py
            .detach(|| -> attractor::Result<Vec<Solution>> {
                let mut out = Vec::with_capacity(k);
                for (mu, row) in q.iter().enumerate() {
                    if mu % 64 == 63 && signal_pending() {
                        stopped.store(true, Ordering::Relaxed);
                        break;
                    }
                    out.push(inner.recall(row)?);
                }
                Ok(out)
            })
            .map_err(err)?;
        let done = results.len();
        let states = PyArray2::<f64>::zeros(py, [done, n], false);
        {
            let mut w = states.readwrite();
            let mut a = w.as_array_mut();
            for (j, s) in results.iter().enumerate() {
                for (i, &x) in s.state.iter().enumerate() {
                    a[[j, i]] = x;
                }
            }
        }
        let statuses = results.iter().map(|s| s.status.name()).collect();
        let sweeps = PyArray1::from_vec(py, results.iter().map(|s| s.n_steps).collect());
        let energies = PyArray1::from_vec(
            py,
            results
                .iter()
                .map(|s| s.energy.unwrap_or(f64::NAN))
                .collect(),
        );
        Ok((
            states,
            statuses,
            sweeps,
            energies,
            stopped.load(Ordering::Relaxed),
        ))
    }
}

/// Options of the oscillator Ising machine shared by the sampling functions.
struct MachineOptions {
    /// Called from the interpreter's thread with `(rounds, elapsed_s, best_energy)` after
    /// rounds finish.
    progress: Option<Py<PyAny>>,
    seed: u64,
    replicas: usize,
    rounds: usize,
    time: Option<f64>,
    threads: usize,
    steps: Option<usize>,
}

/// The Ising model of dimod's objective `E(s) = Σ_i a_i s_i + Σ_k b_k s_{i_k} s_{j_k} + c` given
/// as arrays (indices checked against `n`): what every Ising sampler binding reads.
fn objective_model(
    n: usize,
    linear: &PyReadonlyArray1<'_, f64>,
    i: &PyReadonlyArray1<'_, i64>,
    j: &PyReadonlyArray1<'_, i64>,
    b: &PyReadonlyArray1<'_, f64>,
    offset: f64,
) -> PyResult<IsingModel> {
    let quad = pairs(n, i, j, b)?;
    let lin = linear.as_array().to_vec();
    IsingModel::from_objective(n, &lin, &quad, offset).map_err(err)
}

/// Pairs `(i, j, v)` from three arrays, indices checked against `n`.
fn pairs(
    n: usize,
    i: &PyReadonlyArray1<'_, i64>,
    j: &PyReadonlyArray1<'_, i64>,
    v: &PyReadonlyArray1<'_, f64>,
) -> PyResult<Vec<(u32, u32, f64)>> {
    let (iv, jv, vv) = (i.as_array(), j.as_array(), v.as_array());
    if iv.len() != jv.len() || iv.len() != vv.len() {
        return Err(bad(format!(
            "pair arrays differ in length: i {}, j {}, values {}",
            iv.len(),
            jv.len(),
            vv.len()
        )));
    }
    let ok = |x: i64| x >= 0 && (x as u64) < n as u64;
    (0..iv.len())
        .map(|k| {
            let (a, b) = (iv[k], jv[k]);
            if ok(a) && ok(b) {
                Ok((a as u32, b as u32, vv[k]))
            } else {
                Err(bad(format!(
                    "pair {k} joins variables {a} and {b}: indices must lie in 0..{n}"
                )))
            }
        })
        .collect()
}

/// Run the machine as a sampler with the interpreter lock released and a watcher that stops
/// it on Ctrl-C.
fn run_sampler(
    py: Python<'_>,
    model: &IsingModel,
    o: &MachineOptions,
) -> PyResult<attractor::samplers::SampleSet> {
    let time = time_budget(o.time)?;
    let mut p = match time {
        Some(_) => attractor::models::OimParams::for_long_runs(model),
        None => attractor::models::OimParams::for_model(model),
    };
    p.seed = o.seed;
    p.replicas = o.replicas;
    let rounds = if time.is_some() && o.rounds == 0 {
        None
    } else {
        Some(o.rounds.max(1))
    };
    p.par = match o.threads {
        0 => attractor::linalg::ALL_THREADS,
        1 => faer::Par::Seq,
        k => faer::Par::rayon(k),
    };
    if let Some(s) = o.steps {
        p.schedule.n_steps = s;
    }
    let stop = Interrupt::new();
    let budget = attractor::run::Budget::new()
        .max_steps_limit(rounds)
        .time_opt(time)
        .interrupt(stop.clone());
    // the latest round's report, left by the machine's thread for this one to hand on
    let latest = std::sync::Arc::new(std::sync::Mutex::new(None::<(usize, f64, f64)>));
    let sink = latest.clone();
    let sampler = OimSampler {
        params: p,
        budget,
        progress: o.progress.as_ref().map(|_| {
            std::sync::Arc::new(move |r: &attractor::models::OimProgress| {
                if let Ok(mut l) = sink.lock() {
                    *l = Some((r.rounds, r.elapsed.as_secs_f64(), r.best_greedy));
                }
            }) as attractor::samplers::ProgressFn
        }),
    };
    let done = AtomicBool::new(false);
    let mut callback_error: Option<PyErr> = None;
    let result = py.detach(|| {
        std::thread::scope(|scope| {
            // the machine runs on a worker; this (the interpreter's main) thread is the one
            // that can see Ctrl-C, so it asks every 20 ms, raises the machine's flag, and calls
            // the progress callback with the latest round
            let worker = scope.spawn(|| {
                let r = sampler.sample_ising(model);
                done.store(true, Ordering::Relaxed);
                r
            });
            let mut shown = 0usize;
            loop {
                let finished = done.load(Ordering::Relaxed);
                if let Some(cb) = &o.progress {
                    let report = latest.lock().ok().and_then(|l| *l);
                    if let Some((rounds, elapsed, best)) = report
                        && rounds > shown
                    {
                        shown = rounds;
                        if let Err(e) =
                            Python::attach(|py| cb.call1(py, (rounds, elapsed, best)).map(|_| ()))
                        {
                            callback_error = Some(e);
                            stop.raise();
                        }
                    }
                }
                if finished || callback_error.is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
                if !done.load(Ordering::Relaxed) && signal_pending() {
                    stop.raise();
                    break;
                }
            }
            worker.join().unwrap_or_else(|_| {
                Err(attractor::Error::Incompatible(
                    "the machine's worker thread panicked (a bug; please report it)".into(),
                ))
            })
        })
    });
    if let Some(e) = callback_error {
        return Err(e);
    }
    result.map_err(err)
}

fn set_dict<'py>(
    py: Python<'py>,
    set: &attractor::samplers::SampleSet,
    n: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let m = set.len();
    let samples = PyArray2::<i8>::zeros(py, [m, n], false);
    {
        let mut w = samples.readwrite();
        let mut a = w.as_array_mut();
        for (r, s) in set.iter().enumerate() {
            for (c, &x) in s.spins.iter().enumerate() {
                a[[r, c]] = x;
            }
        }
    }
    let d = PyDict::new(py);
    d.set_item("samples", samples)?;
    d.set_item("energies", PyArray1::from_vec(py, set.energies()))?;
    d.set_item(
        "num_occurrences",
        PyArray1::from_vec(py, set.iter().map(|s| s.num_occurrences).collect()),
    )?;
    if set.iter().all(|s| s.cut.is_some()) {
        let cuts: Vec<f64> = set.iter().map(|s| s.cut.unwrap_or(f64::NAN)).collect();
        d.set_item("cuts", PyArray1::from_vec(py, cuts))?;
    }
    d.set_item("elapsed", set.info.elapsed.as_secs_f64())?;
    d.set_item("num_reads", set.info.num_reads)?;
    d.set_item(
        "status",
        set.info.status.as_ref().map_or("max steps", |s| s.name()),
    )?;
    Ok(d)
}

/// Sample the Ising objective `E(s) = Σ_i a_i s_i + Σ_k b_k s_{i_k} s_{j_k} + c` (dimod's
/// convention) with the oscillator Ising machine: samples (rows of ±1, lowest energy first),
/// energies, occurrences, status and timing.
#[pyfunction]
#[pyo3(signature = (n, linear, i, j, b, offset=0.0, seed=0, replicas=16, rounds=1, time=None, threads=1, steps=None, progress=None))]
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
    };
    let set = run_sampler(py, &model, &o)?;
    set_dict(py, &set, n)
}

/// The maximum cut of a weighted graph (edges `(i_k, j_k, w_k)`, 0-based) with the oscillator
/// Ising machine: as [`sample_ising`], plus the cut of every sample (largest first).
#[pyfunction]
#[pyo3(signature = (n, i, j, w, seed=0, replicas=16, rounds=1, time=None, threads=1, steps=None, progress=None))]
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
    };
    let set = run_sampler(py, &model, &o)?.with_cuts(&g);
    set_dict(py, &set, n)
}

/// The Krotov–Hopfield hidden-neuron network (ICLR 2021): models A (dense), B (modern), C
/// (spherical).
#[pyclass(name = "Krotov2021", module = "attractor._attractor", frozen)]
struct PyKrotov {
    net: attractor::models::Krotov2021,
}

#[pymethods]
impl PyKrotov {
    #[new]
    #[pyo3(signature = (patterns, model="B", n=3, beta=1.0, tau_f=1.0, tau_h=1.0))]
    fn new(
        patterns: PyReadonlyArray2<'_, f64>,
        model: &str,
        n: u32,
        beta: f64,
        tau_f: f64,
        tau_h: f64,
    ) -> PyResult<Self> {
        use attractor::models::Krotov2021Model;
        let m = match model {
            "A" | "a" => Krotov2021Model::A { n },
            "B" | "b" => Krotov2021Model::B { beta },
            "C" | "c" => Krotov2021Model::C { n },
            other => return Err(bad(format!("model = {other:?}: use \"A\", \"B\" or \"C\""))),
        };
        let p = self::patterns(&patterns, "patterns")?;
        let net = attractor::models::Krotov2021::new(&p, m)
            .map_err(err)?
            .with_taus(tau_f, tau_h)
            .map_err(err)?;
        Ok(Self { net })
    }

    /// Integrate from every row of `queries` (feature neurons `v = query`, hidden neurons at
    /// rest) with RK4 until the steady state or `t_end`; returns (final `v` per row, status
    /// names, whether Ctrl-C stopped it).
    #[pyo3(signature = (queries, t_end=50.0, dt=0.05, steady=Some((1e-8, 1e-8))))]
    #[allow(clippy::type_complexity)]
    fn recall<'py>(
        &self,
        py: Python<'py>,
        queries: PyReadonlyArray2<'_, f64>,
        t_end: f64,
        dt: f64,
        steady: Option<(f64, f64)>,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, Vec<&'static str>, bool)> {
        let q = self::patterns(&queries, "queries")?;
        let nf = self.net.n_features();
        let mut run = Run::new(dt).map_err(err)?.t_end(t_end).map_err(err)?;
        if let Some((r, a)) = steady {
            run = run.steady_state(r, a).map_err(err)?;
        }
        let net = &self.net;
        let stopped = AtomicBool::new(false);
        let sols = py
            .detach(|| -> attractor::Result<Vec<Solution>> {
                let mut out = Vec::with_capacity(q.n_patterns());
                for (k, row) in q.iter().enumerate() {
                    if k % 16 == 15 && signal_pending() {
                        stopped.store(true, Ordering::Relaxed);
                        break;
                    }
                    let x0 = net.initial_state(row)?;
                    out.push(run.solve(&mut net.flow(), &mut Rk4::new(), &x0)?);
                }
                Ok(out)
            })
            .map_err(err)?;
        let v = PyArray2::<f64>::zeros(py, [sols.len(), nf], false);
        {
            let mut w = v.readwrite();
            let mut a = w.as_array_mut();
            for (r, s) in sols.iter().enumerate() {
                for (c, &x) in s.state[..nf].iter().enumerate() {
                    a[[r, c]] = x;
                }
            }
        }
        let status = sols.iter().map(|s| s.status.name()).collect();
        Ok((v, status, stopped.load(Ordering::Relaxed)))
    }
}

/// The oscillator associative memory (Nishikawa, Lai & Hoppensteadt 2004):
/// `φ̇_i = Σ_j W_ij sin(φ_j − φ_i) − κ sin 2φ_i` with Hebbian `W`.
#[pyclass(name = "OscillatorMemory", module = "attractor._attractor", frozen)]
struct PyOscillatorMemory {
    mem: attractor::models::OscillatorMemory,
}

#[pymethods]
impl PyOscillatorMemory {
    #[new]
    #[pyo3(signature = (patterns, kappa, scale="n"))]
    fn new(patterns: PyReadonlyArray2<'_, f64>, kappa: f64, scale: &str) -> PyResult<Self> {
        use attractor::models::{HebbianScale, OscillatorMemory};
        let scale = match scale {
            "n" | "N" => HebbianScale::OverN,
            "k" | "K" => HebbianScale::OverK,
            other => {
                return Err(bad(format!(
                    "scale = {other:?}: use \"n\" (W = ΞᵀΞ/N) or \"k\" (W = ΞᵀΞ/K)"
                )));
            }
        };
        let p = self::patterns(&patterns, "patterns")?;
        Ok(Self {
            mem: OscillatorMemory::hebbian(&p, scale, kappa).map_err(err)?,
        })
    }

    /// `κ_c` of a stored `±1` pattern: it is a stable phase-locked state iff `κ > κ_c`.
    fn critical_kappa(&self, pattern: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        self.mem
            .critical_kappa(&pattern.as_array().to_vec())
            .map_err(err)
    }

    /// Integrate from the phases of every row of `queries` (±1, plus a seeded uniform jitter
    /// of ±`jitter` rad) for `t_end` with RK4 step `dt`; returns (read-out ±1 patterns, final
    /// phases).
    #[pyo3(signature = (queries, t_end=120.0, dt=0.05, jitter=0.0, seed=0))]
    #[allow(clippy::type_complexity)]
    fn recall<'py>(
        &self,
        py: Python<'py>,
        queries: PyReadonlyArray2<'_, f64>,
        t_end: f64,
        dt: f64,
        jitter: f64,
        seed: u64,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<f64>>)> {
        use attractor::models::OscillatorMemory;
        let q = self::patterns(&queries, "queries")?;
        let n = self.mem.n();
        if q.dim() != n {
            return Err(bad(format!(
                "queries have {} entries, the memory has {n} oscillators",
                q.dim()
            )));
        }
        let run = Run::new(dt).map_err(err)?.t_end(t_end).map_err(err)?;
        let mem = &self.mem;
        let phases = py
            .detach(|| -> attractor::Result<Vec<Vec<f64>>> {
                q.iter()
                    .enumerate()
                    .map(|(k, row)| {
                        let phi0 = OscillatorMemory::jittered_phases(
                            row,
                            jitter,
                            seed.wrapping_add(k as u64),
                        )?;
                        Ok(run.solve(&mut mem.flow(), &mut Rk4::new(), &phi0)?.state)
                    })
                    .collect()
            })
            .map_err(err)?;
        let k = phases.len();
        let read = PyArray2::<f64>::zeros(py, [k, n], false);
        let phi = PyArray2::<f64>::zeros(py, [k, n], false);
        {
            let (mut r, mut p) = (read.readwrite(), phi.readwrite());
            let (mut ra, mut pa) = (r.as_array_mut(), p.as_array_mut());
            for (row, ph) in phases.iter().enumerate() {
                for (c, (&x, &s)) in ph
                    .iter()
                    .zip(&OscillatorMemory::read_pattern(ph))
                    .enumerate()
                {
                    pa[[row, c]] = x;
                    ra[[row, c]] = s;
                }
            }
        }
        Ok((read, phi))
    }
}

type Triplets<'py> = (
    usize,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
);

fn triplets<'py>(py: Python<'py>, n: usize, t: &[(u32, u32, f64)]) -> Triplets<'py> {
    (
        n,
        PyArray1::from_vec(py, t.iter().map(|e| i64::from(e.0)).collect()),
        PyArray1::from_vec(py, t.iter().map(|e| i64::from(e.1)).collect()),
        PyArray1::from_vec(py, t.iter().map(|e| e.2).collect()),
    )
}

/// Read a graph file (`format`: `rudy` for G-set, or `edges` for a 0-based edge list):
/// `(n, i, j, w)` with 0-based vertex indices.
#[pyfunction]
#[pyo3(signature = (path, format="rudy"))]
fn read_graph<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    format: &str,
) -> PyResult<Triplets<'py>> {
    let f: attractor::problems::formats::GraphFormat = format.parse().map_err(err)?;
    let g = f.read(&path).map_err(err)?;
    Ok(triplets(py, g.n, &g.edges))
}

/// Read a QUBO file (header `n m`, then `i j Q_ij`, 1-based): `(n, i, j, Q, offset)`, 0-based,
/// each pair once (`i ≤ j`).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn read_qubo<'py>(py: Python<'py>, path: std::path::PathBuf) -> PyResult<(Triplets<'py>, f64)> {
    let text = attractor::problems::read_text(&path).map_err(err)?;
    let q = attractor::problems::parse_qubo(&text, &path.display().to_string()).map_err(err)?;
    Ok((triplets(py, q.n(), q.terms()), q.offset()))
}

/// Read a `.npy` array of numbers as float64: `(shape, flat data in C order)`.
#[pyfunction]
fn read_npy<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
) -> PyResult<(Vec<usize>, Bound<'py, PyArray1<f64>>)> {
    let a = attractor::problems::read_npy(&path).map_err(err)?;
    Ok((a.shape, PyArray1::from_vec(py, a.data)))
}

/// Read an IDX file (MNIST; gzipped or not): `(dims, flat uint8 data)`.
#[pyfunction]
fn read_idx<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
) -> PyResult<(Vec<usize>, Bound<'py, PyArray1<u8>>)> {
    let a = attractor::problems::read_idx(&path).map_err(err)?;
    Ok((a.dims, PyArray1::from_vec(py, a.data)))
}

#[pymodule]
fn _attractor(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("AttractorError", m.py().get_type::<AttractorError>())?;
    threads::register(m)?;
    m.add("ShapeError", m.py().get_type::<ShapeError>())?;
    m.add("NonFiniteError", m.py().get_type::<NonFiniteError>())?;
    m.add("ParameterError", m.py().get_type::<ParameterError>())?;
    m.add("FileFormatError", m.py().get_type::<FileFormatError>())?;
    m.add("NumericalError", m.py().get_type::<NumericalError>())?;
    m.add("NotConverged", m.py().get_type::<NotConverged>())?;
    m.add("FileAccessError", m.py().get_type::<FileAccessError>())?;
    m.add_class::<PyHopfield>()?;
    m.add_class::<PyFiringRate>()?;
    m.add_class::<PyMemory>()?;
    m.add_class::<PyOscillatorMemory>()?;
    m.add_class::<PyKrotov>()?;
    m.add_function(wrap_pyfunction!(sample_ising, m)?)?;
    m.add_function(wrap_pyfunction!(sample_max_cut, m)?)?;
    m.add_function(wrap_pyfunction!(read_graph, m)?)?;
    m.add_function(wrap_pyfunction!(read_qubo, m)?)?;
    m.add_function(wrap_pyfunction!(read_npy, m)?)?;
    m.add_function(wrap_pyfunction!(read_idx, m)?)?;
    sparse::register(m)?;
    contraction::register(m)?;
    ising_samplers::register(m)?;
    rbm::register(m)?;
    score_matching::register(m)?;
    eqprop::register(m)?;
    memory::register(m)?;
    neural_synaptic::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
