//! Layered oscillator networks (`attractor::models::oscillator_network`) trained by equilibrium
//! propagation (`attractor::learn::oscillator_eqprop`) for Python, as Gower trains oscillator
//! Ising machines ("How to train an oscillator Ising machine using equilibrium propagation",
//! arXiv 2505.02103; "Learning at the speed of physics", arXiv 2510.12934): one class,
//! `OscillatorNet`, that holds the network and, once training starts, its `Trainer` (SGD
//! momentum, epoch counter), so that `partial_fit` and repeated `fit_epochs` go on exactly as
//! one run.
//!
//! Samples are rows in Python (`(n_samples, n_features)`) and columns in the library; a C-order
//! array is the library's matrix without a copy ([`transposed`]). Inputs become the clamped
//! phases `φ_0 = π·x` (features in `[0, 1]`); the output is read as `cos θ^L`. A coupling `W_k`
//! travels as a `(d_k, d_{k+1})` array, the library's own orientation. Training runs with the
//! interpreter lock released while the calling thread watches for Ctrl-C
//! ([`watched`](crate::long_call::watched)) and raises the interrupt of the call's `Budget`,
//! which stops training between minibatches, keeping the parameters reached; the report says
//! `interrupted`. Every numeric decision is the library's.

use crate::arrays::{count, matrix, par, rows_of, train_report, transposed};
use crate::errors::{bad, err};
use crate::long_call::{long_call, watched};
use attractor::learn::{
    Dataset, Nudging, OscEqPropParams, OscillatorEqProp, Sgd, TrainSettings, Trainer,
};
use attractor::models::layered::Relaxation;
use attractor::models::oscillator_network::OscillatorNetwork;
use attractor::run::{Budget, Interrupt};
use faer::{Mat, MatRef, Par};
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use std::ops::ControlFlow;

/// A layered network of phase oscillators (Gower 2025) with its equilibrium-propagation
/// trainer. See `attractor.OscillatorEquilibriumPropagationClassifier`.
#[pyclass(name = "OscillatorNet", module = "attractor._attractor")]
pub(crate) struct PyOscillatorNet {
    net: OscillatorNetwork,
    trainer: Option<Trainer<OscillatorEqProp, Sgd>>,
    par: Par,
}

fn seed(name: &str, v: i64) -> PyResult<u64> {
    u64::try_from(v).map_err(|_| bad(format!("{name} = {v}: give a seed >= 0")))
}

fn steps(name: &str, v: i64) -> PyResult<usize> {
    usize::try_from(v)
        .ok()
        .filter(|&s| s >= 1)
        .ok_or_else(|| bad(format!("{name} = {v}: give a whole number of steps >= 1")))
}

fn no_trainer() -> PyErr {
    bad("this network has no trainer yet; call set_trainer(...) before training".into())
}

/// Inputs `x` (`(n, d_0)` as `d_0 × n`) checked against `net`: one column per input oscillator,
/// finite values.
fn check_x(net: &OscillatorNetwork, x: MatRef<'_, f64>) -> PyResult<()> {
    if x.nrows() != net.n_inputs() {
        return Err(bad(format!(
            "X has {} features, the network has {} input oscillators; give one feature per input oscillator",
            x.nrows(),
            net.n_inputs()
        )));
    }
    for j in 0..x.ncols() {
        if x.col(j).iter().any(|v| !v.is_finite()) {
            return Err(bad(format!(
                "X: a non-finite value (NaN or inf) in row {j}; give finite features in [0, 1]"
            )));
        }
    }
    Ok(())
}

/// Inputs `x` (`(n, d_0)`) and one-hot targets `y` (`(n, d_L)`) checked against `net`.
fn check_xy(net: &OscillatorNetwork, x: MatRef<'_, f64>, y: MatRef<'_, f64>) -> PyResult<()> {
    check_x(net, x)?;
    if y.nrows() != net.n_outputs() {
        return Err(bad(format!(
            "Y has {} columns, the network has {} output oscillators; give one column per class",
            y.nrows(),
            net.n_outputs()
        )));
    }
    if y.ncols() != x.ncols() {
        return Err(bad(format!(
            "Y has {} rows for {} rows of X; give one target per sample",
            y.ncols(),
            x.ncols()
        )));
    }
    for j in 0..y.ncols() {
        if y.col(j).iter().any(|v| !v.is_finite()) {
            return Err(bad(format!("Y: a non-finite value in row {j}")));
        }
    }
    Ok(())
}

/// A network from Python couplings (`(d_k, d_{k+1})` arrays) and bias fields (vectors).
fn from_lists(
    weights: &Bound<'_, PyAny>,
    biases: &Bound<'_, PyAny>,
) -> PyResult<OscillatorNetwork> {
    let mut ws = Vec::new();
    for (k, w) in weights.try_iter()?.enumerate() {
        let a = matrix(&w?, &format!("weights[{k}]"), "(d_k, d_{k+1})")?;
        ws.push(transposed(&a)?.transpose().to_owned());
    }
    let mut bs = Vec::new();
    for b in biases.try_iter()? {
        let v: Vec<f64> = b?.extract()?;
        bs.push(Mat::from_fn(v.len(), 1, |i, _| v[i]));
    }
    OscillatorNetwork::from_parts(ws, bs).map_err(err)
}

impl PyOscillatorNet {
    /// The readout `cos θ^L` at the free equilibria of the rows of `x`, relaxed from
    /// `θ = π/2` by `steps` Euler steps of size `epsilon`, with the interpreter lock released
    /// (a Ctrl-C seen meanwhile raises `KeyboardInterrupt` when the relaxation ends: a
    /// prediction has no partial result).
    fn outputs(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        steps: i64,
        epsilon: f64,
    ) -> PyResult<Mat<f64>> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let xm = transposed(&a)?;
        check_x(&self.net, xm)?;
        let relax = Relaxation::fixed(epsilon, self::steps("predict_steps", steps)?);
        relax.validate("predict").map_err(err)?;
        let (net, p) = (&self.net, self.par);
        let stop = Interrupt::new();
        let s = long_call(py, "prediction", &stop, || {
            net.relax_free(xm, &relax, 256, p)
        })?;
        if stop.is_raised() {
            return Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(
                "prediction interrupted",
            ));
        }
        let rows = net.output_rows();
        Ok(Mat::from_fn(rows.len(), s.ncols(), |i, j| {
            s[(rows.start + i, j)].cos()
        }))
    }
}

#[pymethods]
impl PyOscillatorNet {
    /// A network with layer widths `sizes` (input first, output last), Glorot-uniform
    /// couplings drawn from `stream(seed, PARAMS + k)` and zero bias fields.
    #[new]
    #[pyo3(signature = (sizes, seed=0, n_threads=None))]
    fn new(sizes: Vec<i64>, seed: i64, n_threads: Option<i64>) -> PyResult<Self> {
        let sizes = sizes
            .iter()
            .enumerate()
            .map(|(k, &d)| count(&format!("width of layer {k}"), d))
            .collect::<PyResult<Vec<_>>>()?;
        let net =
            OscillatorNetwork::random(&sizes, self::seed("random_state", seed)?).map_err(err)?;
        Ok(Self {
            net,
            trainer: None,
            par: par(n_threads)?,
        })
    }

    /// A network from its couplings (`W_k` as `(d_k, d_{k+1})` arrays) and bias fields
    /// (`h_1 … h_L`).
    #[staticmethod]
    #[pyo3(signature = (weights, biases, n_threads=None))]
    fn from_parameters(
        weights: &Bound<'_, PyAny>,
        biases: &Bound<'_, PyAny>,
        n_threads: Option<i64>,
    ) -> PyResult<Self> {
        Ok(Self {
            net: from_lists(weights, biases)?,
            trainer: None,
            par: par(n_threads)?,
        })
    }

    /// A network from the bytes of a safetensors file (`name` is used in messages).
    #[staticmethod]
    #[pyo3(signature = (data, name="<bytes>", n_threads=None))]
    fn from_bytes(data: &[u8], name: &str, n_threads: Option<i64>) -> PyResult<Self> {
        Ok(Self {
            net: OscillatorNetwork::from_safetensors_bytes(data, name).map_err(err)?,
            trainer: None,
            par: par(n_threads)?,
        })
    }

    /// The parameters as the bytes of a safetensors file (format
    /// `"attractor.oscillator-network"`, what `attractor train eqprop --network oscillator
    /// --out` writes).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let b = self.net.to_safetensors_bytes().map_err(err)?;
        Ok(PyBytes::new(py, &b))
    }

    /// The layer widths `[d_0, …, d_L]`.
    #[getter]
    fn sizes(&self) -> Vec<usize> {
        self.net.sizes().to_vec()
    }
    /// The couplings `W_0 … W_{L−1}` as `(d_k, d_{k+1})` arrays (copies).
    #[getter]
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let l = PyList::empty(py);
        for k in 0..self.net.n_layers() {
            l.append(rows_of(py, self.net.weight(k).transpose())?)?;
        }
        Ok(l)
    }
    /// The bias fields `h_1 … h_L` (copies).
    #[getter]
    fn biases<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let l = PyList::empty(py);
        for k in 1..=self.net.n_layers() {
            l.append(PyArray1::from_slice(py, self.net.bias(k)))?;
        }
        Ok(l)
    }

    /// The parallelism of later calls: `None` or 1 sequential, -1 (or 0) all threads, `k > 1`
    /// threads. Results never depend on it. A trainer keeps the parallelism it was made with.
    #[pyo3(signature = (n_threads=None))]
    fn set_n_threads(&mut self, n_threads: Option<i64>) -> PyResult<()> {
        self.par = par(n_threads)?;
        Ok(())
    }

    /// Start a fresh trainer: equilibrium propagation with nudging strength `beta` and
    /// `nudging` `"symmetric"` (±β, Laborieux et al. 2021), `"one-sided"` or `"random-sign"`;
    /// the free phase `free_steps` and each nudged phase `nudge_steps` Euler steps of size
    /// `epsilon` (every free phase starts from `θ = π/2`); SGD with one learning rate per
    /// coupling layer (input first; the last repeats, bias fields take their layer's) and
    /// `momentum`; minibatches of `batch_size` in orders (and random signs) drawn from `seed`.
    /// The defaults are the library's (`OscEqPropParams::default`). Every setting is checked
    /// by the library; messages name it.
    #[pyo3(signature = (beta=0.5, nudging="symmetric", epsilon=0.3, free_steps=40, nudge_steps=20, learning_rate=vec![0.1, 0.05], momentum=0.0, batch_size=20, shuffle=true, seed=0))]
    #[allow(clippy::too_many_arguments)]
    fn set_trainer(
        &mut self,
        beta: f64,
        nudging: &str,
        epsilon: f64,
        free_steps: i64,
        nudge_steps: i64,
        learning_rate: Vec<f64>,
        momentum: f64,
        batch_size: i64,
        shuffle: bool,
        seed: i64,
    ) -> PyResult<()> {
        let free = Relaxation::fixed(epsilon, steps("free_steps", free_steps)?);
        let nudged = Relaxation::fixed(epsilon, steps("nudge_steps", nudge_steps)?);
        if learning_rate.is_empty() {
            return Err(bad(
                "learning_rate = (): give at least one learning rate (e.g. (0.1, 0.05))".into(),
            ));
        }
        if let Some(v) = learning_rate.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            return Err(bad(format!(
                "learning_rate = {v}: learning rates must be finite and > 0 (e.g. (0.1, 0.05))"
            )));
        }
        let scales: Vec<f64> = (0..self.net.n_layers())
            .map(|k| learning_rate[k.min(learning_rate.len() - 1)])
            .collect();
        let opt =
            Sgd::new(self.net.block_specs_scaled(&scales), 1.0, momentum, 0.0).map_err(err)?;
        let seed = self::seed("random_state", seed)?;
        let settings = TrainSettings {
            batch_size: usize::try_from(batch_size).map_err(|_| {
                bad(format!(
                    "batch_size = {batch_size}: give a whole number of samples >= 1"
                ))
            })?,
            shuffle,
            seed,
        };
        let rule = OscillatorEqProp::new(OscEqPropParams {
            beta,
            nudging: nudging.parse::<Nudging>().map_err(err)?,
            free,
            nudged,
            seed,
            par: self.par,
        })
        .map_err(err)?;
        self.trainer = Some(Trainer::new(rule, opt, settings).map_err(err)?);
        Ok(())
    }

    /// Whether a trainer has been set.
    #[getter]
    fn has_trainer(&self) -> bool {
        self.trainer.is_some()
    }
    /// Epochs completed by the trainer (0 without one).
    #[getter]
    fn epochs_done(&self) -> usize {
        self.trainer.as_ref().map_or(0, |t| t.epochs_done())
    }
    /// Parameter updates made by the trainer (0 without one).
    #[getter]
    fn n_updates(&self) -> usize {
        self.trainer.as_ref().map_or(0, |t| t.n_updates())
    }
    /// Examples the free phase has seen and misclassified so far (0, 0 without a trainer).
    #[getter]
    fn error_counts(&self) -> (usize, usize) {
        self.trainer
            .as_ref()
            .map_or((0, 0), |t| t.rule().error_counts())
    }

    /// Train for `n_epochs` epochs on the rows of `x` (features in `[0, 1]`) with one-hot (or
    /// any real, in `[0, 1]`) targets `y` (`(n_samples, d_L)`), with the interpreter lock
    /// released. Ctrl-C stops training between minibatches (the updates made are kept). An
    /// epoch that makes a parameter non-finite is undone and ends training. Returns a report:
    /// `n_epochs` (this call), `n_updates`, `status` (`"completed"`, `"interrupted"` or
    /// `"diverged"`), `message`, `elapsed`, `interrupted`, and per epoch the lists `epoch` and
    /// `train_error` (the free phase's misclassification rate during the epoch).
    fn fit_epochs<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: &Bound<'py, PyAny>,
        n_epochs: i64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let n_epochs = usize::try_from(n_epochs).map_err(|_| {
            bad(format!(
                "max_iter = {n_epochs}: give a number of epochs >= 1"
            ))
        })?;
        let (a, b) = (
            matrix(x, "X", "(n_samples, n_features)")?,
            matrix(y, "Y", "(n_samples, n_outputs)")?,
        );
        let (xm, ym) = (transposed(&a)?, transposed(&b)?);
        let Self { net, trainer, .. } = self;
        let t = trainer.as_mut().ok_or_else(no_trainer)?;
        check_xy(net, xm, ym)?;
        let data = Dataset::supervised(xm, ym).map_err(err)?;
        let stop = Interrupt::new();
        let mut history: Vec<(usize, usize, usize)> = Vec::new();
        let summary = if n_epochs == 0 {
            None
        } else {
            let budget = Budget::steps(n_epochs).interrupt(stop.clone());
            let (hist, stop_in) = (&mut history, &stop);
            let s = watched(py, "training", &stop, move || {
                let mut before = t.rule().error_counts();
                t.fit(net, &data, &budget, |e| {
                    let c = e.rule.error_counts();
                    hist.push((e.epoch, c.0 - before.0, c.1 - before.1));
                    before = c;
                    if stop_in.is_raised() {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
            });
            Some(s?.map_err(err)?)
        };
        let d = train_report(py, summary.as_ref(), stop.is_raised())?;
        d.set_item("epoch", history.iter().map(|h| h.0).collect::<Vec<_>>())?;
        d.set_item(
            "train_error",
            history
                .iter()
                .map(|h| h.2 as f64 / h.1.max(1) as f64)
                .collect::<Vec<_>>(),
        )?;
        Ok(d)
    }

    /// One parameter update on the minibatch formed by all rows of `x` and `y`, continuing the
    /// trainer's momentum.
    fn partial_fit(
        &mut self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (a, b) = (
            matrix(x, "X", "(n_samples, n_features)")?,
            matrix(y, "Y", "(n_samples, n_outputs)")?,
        );
        let (xm, ym) = (transposed(&a)?, transposed(&b)?);
        let Self { net, trainer, .. } = self;
        let t = trainer.as_mut().ok_or_else(no_trainer)?;
        check_xy(net, xm, ym)?;
        if xm.ncols() == 0 {
            return Err(bad("X: 0 samples; pass at least one row".into()));
        }
        let data = Dataset::supervised(xm, ym).map_err(err)?;
        let idx: Vec<usize> = (0..xm.ncols()).collect();
        let stop = Interrupt::new();
        let budget = Budget::new().interrupt(stop.clone());
        long_call(py, "training", &stop, || {
            t.update(net, &data, &idx, &budget)
        })?;
        if !net.is_finite() {
            return Err(bad(
                "the update made a parameter non-finite: lower the learning rate".into(),
            ));
        }
        Ok(())
    }

    /// The readout `cos θ^L` (in `[−1, 1]`) at the free equilibria (relaxed from `θ = π/2` by
    /// `steps` Euler steps of size `epsilon`) of every row of `x`: `(n_samples, d_L)`.
    #[pyo3(signature = (x, steps=100, epsilon=0.3))]
    fn predict_outputs<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        steps: i64,
        epsilon: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let out = self.outputs(py, x, steps, epsilon)?;
        rows_of(py, out.as_ref())
    }

    /// The output oscillator with the largest `cos θ` at the free equilibrium of every row of
    /// `x` (ties go to the first).
    #[pyo3(signature = (x, steps=100, epsilon=0.3))]
    fn predict_classes<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        steps: i64,
        epsilon: f64,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let out = self.outputs(py, x, steps, epsilon)?;
        let classes = (0..out.ncols())
            .map(|j| {
                let mut best = 0;
                for i in 1..out.nrows() {
                    if out[(i, j)] > out[(best, j)] {
                        best = i;
                    }
                }
                best as i64
            })
            .collect();
        Ok(PyArray1::from_vec(py, classes))
    }

    fn __repr__(&self) -> String {
        format!("OscillatorNet(sizes={:?})", self.net.sizes())
    }
}

/// Register the oscillator network in the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyOscillatorNet>()?;
    Ok(())
}
