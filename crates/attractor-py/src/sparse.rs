//! Sparse coding (`attractor::models::sparse`) for Python: a dictionary with its Gram matrix
//! formed once (`SparseDictionary`), and functions that encode a batch of signals, follow the
//! regularisation path, record one signal's trajectory and give the contraction rate.
//!
//! Arrays are converted with NumPy to float64 in C order (any numeric dtype and layout is
//! accepted); a C-order `(n_signals, n_features)` array *is* the library's column-major
//! `n_features × n_signals` matrix, so signals are read without a copy. The encode runs on a
//! worker thread with the interpreter lock released, while the calling (main) thread watches
//! for Ctrl-C and raises the run's [`Interrupt`]; the codes reached are returned with status
//! `"interrupted"` and `report["interrupted"] = True` (the Python layer raises
//! `attractor.Interrupted`).

use crate::arrays::{count, matrix, par, transposed, vector};
use crate::errors::err;
use crate::long_call::long_call;
use attractor::models::sparse::{
    Dictionary, Momentum, SparseCoder, SparseCodes, SparseMethod, SparseParams, SparseTrajectory,
};
use attractor::run::{Budget, Interrupt, Status};
use faer::Mat;
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::sync::Arc;

/// A sparse-coding dictionary, formed once so that many calls share it.
///
/// The atoms (rows of an `(n_atoms, n_features)` array, scikit-learn's layout) with their Gram
/// matrix `G = ΦΦᵀ` and an upper estimate of the Lipschitz constant `L = λ_max(ΦᵀΦ)` of the
/// reconstruction error's gradient (the default step of the proximal networks is `1/L`).
///
/// Parameters
/// ----------
/// atoms : array-like of shape (n_atoms, n_features)
///     The dictionary, one atom per row, finite.
/// n_threads : int or None, default=None
///     scikit-learn's meaning (`None`/1 one thread, -1 every core); results do not depend on
///     it.
///
/// Attributes
/// ----------
/// n_atoms : int
///     The number of atoms.
/// n_features : int
///     The length of an atom.
/// lipschitz : float
///     The upper estimate of `L`.
///
/// Raises
/// ------
/// attractor.ShapeError
///     For an array that is not 2-D or has no atoms or features.
/// attractor.NonFiniteError
///     For a NaN or infinite entry.
#[pyclass(name = "SparseDictionary", module = "attractor._attractor", frozen)]
pub(crate) struct PyDictionary {
    dict: Arc<Dictionary>,
}

impl PyDictionary {
    fn build(atoms: &Bound<'_, PyAny>, n_threads: Option<i64>) -> PyResult<Arc<Dictionary>> {
        let a = matrix(atoms, "dictionary", "(n_atoms, n_features)")?;
        let v = transposed(&a)?;
        // the shape first: a (10**18, 0) array would loop over 10**18 empty atoms
        Dictionary::check_shape(v.ncols(), v.nrows()).map_err(err)?;
        let phi = Mat::from_fn(v.nrows(), v.ncols(), |i, j| v[(i, j)]);
        Ok(Arc::new(
            Dictionary::new(phi, par(n_threads)?).map_err(err)?,
        ))
    }
}

#[pymethods]
impl PyDictionary {
    #[new]
    #[pyo3(signature = (atoms, n_threads=None))]
    fn new(atoms: &Bound<'_, PyAny>, n_threads: Option<i64>) -> PyResult<Self> {
        Ok(Self {
            dict: Self::build(atoms, n_threads)?,
        })
    }
    #[getter]
    fn n_atoms(&self) -> usize {
        self.dict.n_atoms()
    }
    #[getter]
    fn n_features(&self) -> usize {
        self.dict.n_features()
    }
    /// An upper estimate of `L = λ_max(ΦᵀΦ)` (the default step is `γ = 1/L`).
    #[getter]
    fn lipschitz(&self) -> f64 {
        self.dict.lipschitz()
    }
    /// `(ρ, L)`: the extreme eigenvalues of `ΦᵀΦ` (computed once, on first use).
    fn spectrum(&self, py: Python<'_>) -> PyResult<(f64, f64)> {
        let d = &self.dict;
        py.detach(|| d.spectrum()).map_err(err)
    }
    /// The atoms as an `(n_atoms, n_features)` array (a copy).
    fn atoms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let phi = self.dict.phi();
        let (m, n) = (phi.nrows(), phi.ncols());
        let flat: Vec<f64> = (0..n)
            .flat_map(|j| phi.col(j).iter().copied().collect::<Vec<_>>())
            .collect();
        PyArray1::from_vec(py, flat).reshape([n, m])
    }
    fn __repr__(&self) -> String {
        format!(
            "SparseDictionary(n_atoms={}, n_features={})",
            self.dict.n_atoms(),
            self.dict.n_features()
        )
    }
}

/// A `SparseDictionary` passed through, or one built from an array.
fn dictionary(d: &Bound<'_, PyAny>, n_threads: Option<i64>) -> PyResult<Arc<Dictionary>> {
    match d.cast::<PyDictionary>() {
        Ok(pd) => Ok(pd.get().dict.clone()),
        Err(_) => PyDictionary::build(d, n_threads),
    }
}

/// The run's settings, shared by every function here.
struct Settings<'a> {
    alpha: f64,
    positive: bool,
    method: Option<&'a str>,
    tol: f64,
    max_iter: i64,
    gamma: Option<f64>,
    dt: f64,
    tau: f64,
    check_every: i64,
    equilibrium_solve: bool,
    momentum: Option<&'a str>,
    time: Option<f64>,
}

impl Settings<'_> {
    fn params(&self) -> PyResult<SparseParams> {
        let mut p = SparseParams::new(self.alpha, self.positive);
        if let Some(m) = self.method {
            p.method = m.parse::<SparseMethod>().map_err(err)?;
        }
        p.tol = self.tol;
        p.gamma = self.gamma;
        p.dt = self.dt;
        p.tau = self.tau;
        p.check_every = count("check_every", self.check_every)?;
        p.equilibrium_solve = self.equilibrium_solve;
        if let Some(m) = self.momentum {
            p.momentum = m.parse::<Momentum>().map_err(err)?;
        }
        Ok(p)
    }

    /// The coder, checked by the library, with its budget (`max_iter` steps, `time`, a fresh
    /// interrupt flag).
    fn coder(&self, dict: Arc<Dictionary>) -> PyResult<(SparseCoder, Interrupt, Budget)> {
        let p = self.params()?;
        let stop = Interrupt::new();
        let budget = Budget::steps(count("max_iter", self.max_iter)?)
            .time_opt(crate::arrays::time_budget(self.time)?)
            .interrupt(stop.clone());
        Ok((SparseCoder::new(dict, p).map_err(err)?, stop, budget))
    }
}

/// `(codes (n_signals, n_atoms), report)` of a batch.
fn codes_out<'py>(
    py: Python<'py>,
    c: &SparseCodes,
    gamma: f64,
    method: SparseMethod,
    stop: &Interrupt,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyDict>)> {
    let (n, k) = (c.codes.nrows(), c.codes.ncols());
    let mut flat = Vec::with_capacity(n * k);
    for j in 0..k {
        flat.extend_from_slice(c.code(j));
    }
    let codes = PyArray1::from_vec(py, flat).reshape([k, n])?;
    let d = PyDict::new(py);
    d.set_item("objective", PyArray1::from_slice(py, &c.objective))?;
    let gap = if c.duality_gap.len() == k {
        c.duality_gap.clone()
    } else {
        vec![f64::NAN; k]
    };
    d.set_item("duality_gap", PyArray1::from_vec(py, gap))?;
    d.set_item("certificate", PyArray1::from_slice(py, &c.certificate))?;
    d.set_item("support", PyArray1::from_slice(py, &c.support))?;
    d.set_item("n_steps", PyArray1::from_slice(py, &c.n_steps))?;
    let status: Vec<&str> = c.status.iter().map(Status::name).collect();
    d.set_item("status", PyList::new(py, status)?)?;
    d.set_item("elapsed", c.elapsed.as_secs_f64())?;
    d.set_item("gamma", gamma)?;
    d.set_item("alpha", c.lambda)?;
    d.set_item("method", method.name())?;
    d.set_item("summary", c.summary())?;
    let interrupted = stop.is_raised() || c.status.iter().any(|s| matches!(s, Status::Interrupted));
    d.set_item("interrupted", interrupted)?;
    Ok((codes, d))
}

/// Encode every row of `signals` (`(n_signals, n_features)`) over `dictionary` (an
/// `(n_atoms, n_features)` array or a `SparseDictionary`): the minimisers of
/// `½‖y − Dᵀa‖² + alpha‖a‖₁` (`a ≥ 0` with `positive`), computed by the network `method`
/// (`pfcn`, `fcn`, `lca`, `lca-hard`; default PFCN when positive, else FCN). Returns
/// `(codes (n_signals, n_atoms), report)`.
#[pyfunction]
#[pyo3(signature = (signals, dictionary, alpha=1.0, positive=false, method=None, momentum=None, tol=1e-6, max_iter=10_000, init=None, gamma=None, dt=1.0, tau=1.0, check_every=10, equilibrium_solve=true, time=None, n_threads=None))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub(crate) fn sparse_encode<'py>(
    py: Python<'py>,
    signals: &Bound<'py, PyAny>,
    dictionary: &Bound<'py, PyAny>,
    alpha: f64,
    positive: bool,
    method: Option<&str>,
    momentum: Option<&str>,
    tol: f64,
    max_iter: i64,
    init: Option<&Bound<'py, PyAny>>,
    gamma: Option<f64>,
    dt: f64,
    tau: f64,
    check_every: i64,
    equilibrium_solve: bool,
    time: Option<f64>,
    n_threads: Option<i64>,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyDict>)> {
    let s = Settings {
        alpha,
        positive,
        method,
        momentum,
        tol,
        max_iter,
        gamma,
        dt,
        tau,
        check_every,
        equilibrium_solve,
        time,
    };
    let dict = self::dictionary(dictionary, n_threads)?;
    let (coder, stop, budget) = s.coder(dict)?;
    let y = matrix(signals, "signals", "(n_signals, n_features)")?;
    let a0 = match init {
        Some(i) => Some(matrix(i, "init", "(n_signals, n_atoms)")?),
        None => None,
    };
    let yv = transposed(&y)?;
    let av = match &a0 {
        Some(a) => Some(transposed(a)?),
        None => None,
    };
    let c = long_call(py, "sparse coder", &stop, || {
        coder.encode_from(yv, av, &budget)
    })?;
    codes_out(py, &c, coder.gamma(), coder.params().method, &stop)
}

/// The regularisation path: `sparse_encode` for every `alpha` of `alphas` (decreasing), each
/// warm-started from the previous codes. Returns a list of `(codes, report)`.
#[pyfunction]
#[pyo3(signature = (signals, dictionary, alphas, positive=false, method=None, momentum=None, tol=1e-6, max_iter=10_000, gamma=None, dt=1.0, tau=1.0, check_every=10, equilibrium_solve=true, time=None, n_threads=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sparse_path<'py>(
    py: Python<'py>,
    signals: &Bound<'py, PyAny>,
    dictionary: &Bound<'py, PyAny>,
    alphas: &Bound<'py, PyAny>,
    positive: bool,
    method: Option<&str>,
    momentum: Option<&str>,
    tol: f64,
    max_iter: i64,
    gamma: Option<f64>,
    dt: f64,
    tau: f64,
    check_every: i64,
    equilibrium_solve: bool,
    time: Option<f64>,
    n_threads: Option<i64>,
) -> PyResult<Bound<'py, PyList>> {
    let alphas = vector(alphas, "alphas", "of l1 weights, decreasing")?;
    let lambdas = alphas.as_slice()?.to_vec();
    let s = Settings {
        // the coder is checked with the first weight; the path checks every one
        alpha: lambdas.first().copied().unwrap_or(0.0),
        positive,
        method,
        momentum,
        tol,
        max_iter,
        gamma,
        dt,
        tau,
        check_every,
        equilibrium_solve,
        time,
    };
    let dict = self::dictionary(dictionary, n_threads)?;
    let (coder, stop, budget) = s.coder(dict)?;
    let y = matrix(signals, "signals", "(n_signals, n_features)")?;
    let yv = transposed(&y)?;
    let path = long_call(py, "sparse coder", &stop, || {
        coder.path(yv, &lambdas, &budget)
    })?;
    let out = PyList::empty(py);
    for c in &path {
        out.append(codes_out(
            py,
            c,
            coder.gamma(),
            coder.params().method,
            &stop,
        )?)?;
    }
    Ok(out)
}

/// The network's own trajectory for one signal (no equilibrium solve): a dict with `t`,
/// `codes` (`(n_points, n_atoms)`), `objective` and `certificate` at every recorded point
/// (every `every` steps; at most `max_points`, the stride doubling when full), and the final
/// `code` with its `report`.
#[pyfunction]
#[pyo3(signature = (signal, dictionary, alpha=1.0, positive=false, method=None, momentum=None, tol=1e-6, max_iter=10_000, init=None, gamma=None, dt=1.0, tau=1.0, check_every=10, every=1, max_points=4096, time=None, n_threads=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sparse_trajectory<'py>(
    py: Python<'py>,
    signal: &Bound<'py, PyAny>,
    dictionary: &Bound<'py, PyAny>,
    alpha: f64,
    positive: bool,
    method: Option<&str>,
    momentum: Option<&str>,
    tol: f64,
    max_iter: i64,
    init: Option<&Bound<'py, PyAny>>,
    gamma: Option<f64>,
    dt: f64,
    tau: f64,
    check_every: i64,
    every: i64,
    max_points: i64,
    time: Option<f64>,
    n_threads: Option<i64>,
) -> PyResult<Bound<'py, PyDict>> {
    let s = Settings {
        alpha,
        positive,
        method,
        momentum,
        tol,
        max_iter,
        gamma,
        dt,
        tau,
        check_every,
        equilibrium_solve: false,
        time,
    };
    let dict = self::dictionary(dictionary, n_threads)?;
    let (coder, stop, budget) = s.coder(dict)?;
    let y = vector(signal, "signal", "(n_features,)")?;
    let a0 = match init {
        Some(i) => Some(vector(i, "init", "(n_atoms,)")?),
        None => None,
    };
    let (every, max_points) = (count("every", every)?, count("max_points", max_points)?);
    let ys = y.as_slice()?;
    let a0s = match &a0 {
        Some(a) => Some(a.as_slice()?),
        None => None,
    };
    let tr: SparseTrajectory = long_call(py, "sparse coder", &stop, || {
        coder.trajectory(ys, a0s, every, max_points, &budget)
    })?;
    let (n, k) = (tr.codes.nrows(), tr.codes.ncols());
    let mut flat = Vec::with_capacity(n * k);
    for j in 0..k {
        flat.extend_from_slice(tr.codes.col_as_slice(j));
    }
    let d = PyDict::new(py);
    d.set_item("t", PyArray1::from_slice(py, &tr.t))?;
    d.set_item("codes", PyArray1::from_vec(py, flat).reshape([k, n])?)?;
    d.set_item("objective", PyArray1::from_slice(py, &tr.objective))?;
    d.set_item("certificate", PyArray1::from_slice(py, &tr.certificate))?;
    let (codes, report) = codes_out(py, &tr.end, coder.gamma(), coder.params().method, &stop)?;
    d.set_item("code", codes.reshape([n])?)?;
    d.set_item("interrupted", report.get_item("interrupted")?)?;
    d.set_item("report", report)?;
    Ok(d)
}

/// The proximal step `γ` the coder would use with these settings, checking every one of them
/// (the library's messages); a cheap way to validate parameters before encoding.
#[pyfunction]
#[pyo3(signature = (dictionary, alpha=1.0, positive=false, method=None, momentum=None, tol=1e-6, max_iter=10_000, gamma=None, dt=1.0, tau=1.0, check_every=10, n_threads=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sparse_gamma(
    dictionary: &Bound<'_, PyAny>,
    alpha: f64,
    positive: bool,
    method: Option<&str>,
    momentum: Option<&str>,
    tol: f64,
    max_iter: i64,
    gamma: Option<f64>,
    dt: f64,
    tau: f64,
    check_every: i64,
    n_threads: Option<i64>,
) -> PyResult<f64> {
    let s = Settings {
        alpha,
        positive,
        method,
        momentum,
        tol,
        max_iter,
        gamma,
        dt,
        tau,
        check_every,
        equilibrium_solve: true,
        time: None,
    };
    let (coder, _, _) = s.coder(self::dictionary(dictionary, n_threads)?)?;
    Ok(coder.gamma())
}

/// The contraction rate (per time constant) of the soft-threshold networks' flow,
/// `1 − max{|1 − γρ|, |1 − γL|}` with `ρ, L` the extreme eigenvalues of `ΦᵀΦ`, or `None` when
/// the least-squares term is not strongly convex (more atoms than features) or the network is
/// the hard-threshold LCA.
#[pyfunction]
#[pyo3(signature = (dictionary, positive=false, method=None, gamma=None, n_threads=None))]
pub(crate) fn sparse_contraction_rate(
    py: Python<'_>,
    dictionary: &Bound<'_, PyAny>,
    positive: bool,
    method: Option<&str>,
    gamma: Option<f64>,
    n_threads: Option<i64>,
) -> PyResult<Option<f64>> {
    let s = Settings {
        alpha: 0.0,
        positive,
        method,
        momentum: None,
        tol: 1e-6,
        max_iter: 1,
        gamma,
        dt: 1.0,
        tau: 1.0,
        check_every: 1,
        equilibrium_solve: true,
        time: None,
    };
    let (coder, _, _) = s.coder(self::dictionary(dictionary, n_threads)?)?;
    py.detach(|| coder.contraction_rate()).map_err(err)
}

/// Register the sparse-coding class and functions in the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDictionary>()?;
    m.add_function(wrap_pyfunction!(sparse_encode, m)?)?;
    m.add_function(wrap_pyfunction!(sparse_path, m)?)?;
    m.add_function(wrap_pyfunction!(sparse_trajectory, m)?)?;
    m.add_function(wrap_pyfunction!(sparse_gamma, m)?)?;
    m.add_function(wrap_pyfunction!(sparse_contraction_rate, m)?)?;
    Ok(())
}
