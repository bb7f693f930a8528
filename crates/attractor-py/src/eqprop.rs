//! Layered energy networks (`attractor::models::layered`) trained by equilibrium propagation
//! (`attractor::learn::equilibrium_propagation`) or contrastive Hebbian learning
//! (`attractor::learn::contrastive_hebbian`) for Python: one class, `LayeredNet`, that holds the
//! network and, once training starts, its `Trainer` (SGD momentum, persistent particles, epoch
//! counter), so that `partial_fit` and repeated `fit_epochs` go on exactly as one run; and
//! `gradient_check`, which compares equilibrium propagation with the implicit gradient.
//!
//! Samples are rows in Python (`(n_samples, n_features)`) and columns in the library; a C-order
//! array is the library's matrix without a copy ([`transposed`]). A weight `W_k` travels as a
//! `(d_k, d_{k+1})` array, the library's own orientation. Training runs on a worker thread with
//! the interpreter lock released while the calling thread watches for Ctrl-C ([`watched`](crate::long_call::watched)) and
//! raises the interrupt of the call's `Budget`, which stops training between minibatches, keeping the parameters reached; the report says `interrupted`. Every numeric
//! decision is the library's.

use crate::arrays::{count, matrix, par, rows_of, transposed};
use crate::errors::{bad, err};
use crate::long_call::watched;
use attractor::learn::gradient_check::{CheckSettings, gradient_check as check};
use attractor::learn::{
    ChlParams, ContrastiveHebbian, Dataset, EqPropParams, EquilibriumPropagation, Nudging, Rule,
    Sgd, TrainSettings, Trainer,
};
use attractor::models::layered::{Cost, LayerActivation, LayeredNetwork, Relaxation};
use attractor::run::{Budget, Interrupt};
use faer::{Mat, MatRef, Par};
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use std::ops::ControlFlow;

/// The trainer of either rule (both step with SGD).
enum AnyTrainer {
    Ep(Trainer<EquilibriumPropagation, Sgd>),
    Chl(Trainer<ContrastiveHebbian, Sgd>),
}

impl AnyTrainer {
    fn epochs_done(&self) -> usize {
        match self {
            AnyTrainer::Ep(t) => t.epochs_done(),
            AnyTrainer::Chl(t) => t.epochs_done(),
        }
    }
    fn n_updates(&self) -> usize {
        match self {
            AnyTrainer::Ep(t) => t.n_updates(),
            AnyTrainer::Chl(t) => t.n_updates(),
        }
    }
    fn error_counts(&self) -> (usize, usize) {
        match self {
            AnyTrainer::Ep(t) => t.rule().error_counts(),
            AnyTrainer::Chl(t) => t.rule().error_counts(),
        }
    }
}

/// A layered energy network `E(x, s)` (Scellier & Bengio 2017) with its equilibrium-propagation
/// or contrastive-Hebbian trainer. See `attractor.EquilibriumPropagationClassifier`.
#[pyclass(name = "LayeredNet", module = "attractor._attractor")]
pub(crate) struct PyLayered {
    net: LayeredNetwork,
    trainer: Option<AnyTrainer>,
    par: Par,
}

fn seed(name: &str, v: i64) -> PyResult<u64> {
    u64::try_from(v).map_err(|_| bad(format!("{name} = {v}: give a seed >= 0")))
}

fn activation(name: &str) -> PyResult<LayerActivation> {
    name.parse::<LayerActivation>().map_err(err)
}

fn cost(name: &str) -> PyResult<Cost> {
    name.parse::<Cost>().map_err(err)
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

/// A network from Python weights (`(d_k, d_{k+1})` arrays) and biases (vectors).
fn from_lists(
    weights: &Bound<'_, PyAny>,
    biases: &Bound<'_, PyAny>,
    act: LayerActivation,
) -> PyResult<LayeredNetwork> {
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
    LayeredNetwork::from_parts(ws, bs, act).map_err(err)
}

/// Inputs `x` (`(n, d_0)`) and one-hot targets `y` (`(n, d_L)`) checked against `net`.
fn check_xy(net: &LayeredNetwork, x: MatRef<'_, f64>, y: MatRef<'_, f64>) -> PyResult<()> {
    net.check_inputs("X", x).map_err(err)?;
    if y.nrows() != net.n_outputs() {
        return Err(bad(format!(
            "Y has {} columns, the network has {} output units; give one column per class",
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

/// `Trainer::fit` for `n_epochs` epochs, collecting the free phase's (examples, errors) per epoch.
fn fit_for<R: Rule<LayeredNetwork>>(
    t: &mut Trainer<R, Sgd>,
    net: &mut LayeredNetwork,
    data: &Dataset<'_>,
    n_epochs: usize,
    stop: &Interrupt,
    counts: impl Fn(&R) -> (usize, usize),
    history: &mut Vec<(usize, usize, usize)>,
) -> attractor::Result<attractor::learn::TrainReport> {
    let mut before = counts(t.rule());
    let budget = Budget::steps(n_epochs).interrupt(stop.clone());
    t.fit(net, data, &budget, |e| {
        let c = counts(e.rule);
        history.push((e.epoch, c.0 - before.0, c.1 - before.1));
        before = c;
        if stop.is_raised() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
}

impl PyLayered {
    /// The output layer at the free equilibria of the rows of `x`, relaxed from zero by `steps`
    /// steps of `epsilon`, with the interpreter lock released.
    fn outputs(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        steps: i64,
        epsilon: f64,
    ) -> PyResult<faer::Mat<f64>> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let xm = transposed(&a)?;
        let relax = Relaxation::fixed(epsilon, self::steps("predict_steps", steps)?);
        relax.validate("predict").map_err(err)?;
        let (net, p) = (&self.net, self.par);
        py.detach(|| net.predict_outputs(xm, &relax, p))
            .map_err(err)
    }
}

#[pymethods]
impl PyLayered {
    /// A network with layer widths `sizes` (input first, output last), Glorot-uniform weights
    /// drawn from `stream(seed, PARAMS + k)` and zero biases.
    #[new]
    #[pyo3(signature = (sizes, activation="hard-sigmoid", seed=0, n_threads=None))]
    fn new(sizes: Vec<i64>, activation: &str, seed: i64, n_threads: Option<i64>) -> PyResult<Self> {
        let sizes = sizes
            .iter()
            .enumerate()
            .map(|(k, &d)| count(&format!("width of layer {k}"), d))
            .collect::<PyResult<Vec<_>>>()?;
        let net = LayeredNetwork::random(
            &sizes,
            self::activation(activation)?,
            self::seed("random_state", seed)?,
        )
        .map_err(err)?;
        Ok(Self {
            net,
            trainer: None,
            par: par(n_threads)?,
        })
    }

    /// A network from its weights (`W_k` as `(d_k, d_{k+1})` arrays) and biases (`b_1 … b_L`).
    #[staticmethod]
    #[pyo3(signature = (weights, biases, activation="hard-sigmoid", n_threads=None))]
    fn from_parameters(
        weights: &Bound<'_, PyAny>,
        biases: &Bound<'_, PyAny>,
        activation: &str,
        n_threads: Option<i64>,
    ) -> PyResult<Self> {
        Ok(Self {
            net: from_lists(weights, biases, self::activation(activation)?)?,
            trainer: None,
            par: par(n_threads)?,
        })
    }

    /// A network from the bytes of a safetensors file (`name` is used in messages).
    #[staticmethod]
    #[pyo3(signature = (data, name="<bytes>", n_threads=None))]
    fn from_bytes(data: &[u8], name: &str, n_threads: Option<i64>) -> PyResult<Self> {
        Ok(Self {
            net: LayeredNetwork::from_safetensors_bytes(data, name).map_err(err)?,
            trainer: None,
            par: par(n_threads)?,
        })
    }

    /// The parameters as the bytes of a safetensors file.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let b = self.net.to_safetensors_bytes().map_err(err)?;
        Ok(PyBytes::new(py, &b))
    }

    /// The layer widths `[d_0, …, d_L]`.
    #[getter]
    fn sizes(&self) -> Vec<usize> {
        self.net.sizes().to_vec()
    }
    /// The activation's name.
    #[getter]
    fn activation(&self) -> &'static str {
        self.net.activation().name()
    }
    /// The weights `W_0 … W_{L−1}` as `(d_k, d_{k+1})` arrays (copies).
    #[getter]
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let l = PyList::empty(py);
        for k in 0..self.net.n_layers() {
            l.append(rows_of(py, self.net.weight(k).transpose())?)?;
        }
        Ok(l)
    }
    /// The biases `b_1 … b_L` (copies).
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

    /// Start a fresh trainer: `rule` `"ep"` (equilibrium propagation) or `"chl"` (contrastive
    /// Hebbian learning; `beta`, `nudging` and `cost` unused, `nudge_steps` are the clamped
    /// phase's), SGD with one learning rate per weight layer (input first; the last repeats,
    /// biases take their layer's) and `momentum`, minibatches of `batch_size` in orders drawn
    /// from `seed`. Every setting is checked by the library; messages name it.
    #[pyo3(signature = (rule="ep", beta=0.5, nudging="one-sided", cost="squared-error", epsilon=0.5, free_steps=20, nudge_steps=4, persistent=true, learning_rate=vec![0.1, 0.05], momentum=0.0, batch_size=20, shuffle=true, seed=0))]
    #[allow(clippy::too_many_arguments)]
    fn set_trainer(
        &mut self,
        rule: &str,
        beta: f64,
        nudging: &str,
        cost: &str,
        epsilon: f64,
        free_steps: i64,
        nudge_steps: i64,
        persistent: bool,
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
        let n_w = self.net.n_layers();
        let scales: Vec<f64> = (0..n_w)
            .map(|k| learning_rate[k.min(learning_rate.len() - 1)])
            .collect();
        if let Some(v) = learning_rate.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            return Err(bad(format!(
                "learning_rate = {v}: learning rates must be finite and > 0 (e.g. (0.1, 0.05))"
            )));
        }
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
        let p = self.par;
        self.trainer = Some(match rule {
            "ep" => {
                let r = EquilibriumPropagation::new(EqPropParams {
                    beta,
                    nudging: nudging.parse::<Nudging>().map_err(err)?,
                    cost: self::cost(cost)?,
                    free,
                    nudged,
                    persistent,
                    seed,
                    par: p,
                })
                .map_err(err)?;
                AnyTrainer::Ep(Trainer::new(r, opt, settings).map_err(err)?)
            }
            "chl" => {
                let r = ContrastiveHebbian::new(ChlParams {
                    free,
                    clamped: nudged,
                    persistent,
                    par: p,
                })
                .map_err(err)?;
                AnyTrainer::Chl(Trainer::new(r, opt, settings).map_err(err)?)
            }
            other => {
                return Err(bad(format!(
                    "rule = {other:?}: use \"ep\" (equilibrium propagation) or \"chl\" (contrastive Hebbian learning)"
                )));
            }
        });
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
        self.trainer.as_ref().map_or(0, AnyTrainer::epochs_done)
    }
    /// Parameter updates made by the trainer (0 without one).
    #[getter]
    fn n_updates(&self) -> usize {
        self.trainer.as_ref().map_or(0, AnyTrainer::n_updates)
    }
    /// Examples the free phase has seen and misclassified so far (0, 0 without a trainer).
    #[getter]
    fn error_counts(&self) -> (usize, usize) {
        self.trainer
            .as_ref()
            .map_or((0, 0), AnyTrainer::error_counts)
    }

    /// Train for `n_epochs` epochs on the rows of `x` with one-hot (or any real) targets `y`
    /// (`(n_samples, d_L)`), with the interpreter lock released. Ctrl-C stops training
    /// between minibatches (the updates made are kept). An epoch that makes a parameter
    /// non-finite is undone and ends training. Returns a report: `n_epochs` (this call),
    /// `n_updates`, `status` (`"completed"`, `"interrupted"` or `"diverged"`), `message`,
    /// `elapsed`, `interrupted`, and per epoch the lists `epoch` and `train_error` (the free
    /// phase's misclassification rate during the epoch).
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
        let trainer = trainer.as_mut().ok_or_else(no_trainer)?;
        check_xy(net, xm, ym)?;
        let data = Dataset::supervised(xm, ym).map_err(err)?;
        let stop = Interrupt::new();
        let mut history = Vec::new();
        let summary = if n_epochs == 0 {
            None
        } else {
            let s = watched(py, "training", &stop, || match trainer {
                AnyTrainer::Ep(t) => fit_for(
                    t,
                    net,
                    &data,
                    n_epochs,
                    &stop,
                    EquilibriumPropagation::error_counts,
                    &mut history,
                ),
                AnyTrainer::Chl(t) => fit_for(
                    t,
                    net,
                    &data,
                    n_epochs,
                    &stop,
                    ContrastiveHebbian::error_counts,
                    &mut history,
                ),
            });
            Some(s?.map_err(err)?)
        };
        let interrupted = stop.is_raised();
        let d = crate::arrays::train_report(py, summary.as_ref(), interrupted)?;
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
    /// trainer's momentum (and, when persistent, starting row `i`'s free phase from the state
    /// row `i` of the previous minibatch of the same size reached).
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
        let trainer = trainer.as_mut().ok_or_else(no_trainer)?;
        check_xy(net, xm, ym)?;
        if xm.ncols() == 0 {
            return Err(bad("X: 0 samples; pass at least one row".into()));
        }
        let data = Dataset::supervised(xm, ym).map_err(err)?;
        let idx: Vec<usize> = (0..xm.ncols()).collect();
        py.detach(|| match trainer {
            AnyTrainer::Ep(t) => t.update(net, &data, &idx, &Budget::new()),
            AnyTrainer::Chl(t) => t.update(net, &data, &idx, &Budget::new()),
        })
        .map_err(err)?;
        if !net.is_finite() {
            return Err(bad(
                "the update made a parameter non-finite: lower the learning rate".into(),
            ));
        }
        Ok(())
    }

    /// The output layer at the free equilibria (relaxed from zero by `steps` steps of size
    /// `epsilon`) of every row of `x`: `(n_samples, d_L)`.
    #[pyo3(signature = (x, steps=100, epsilon=0.5))]
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

    /// The most active output unit at the free equilibrium of every row of `x`.
    #[pyo3(signature = (x, steps=100, epsilon=0.5))]
    fn predict_classes<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        steps: i64,
        epsilon: f64,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let out = self.outputs(py, x, steps, epsilon)?;
        let c = LayeredNetwork::classes_of(out.as_ref());
        Ok(PyArray1::from_vec(
            py,
            c.into_iter().map(|v| v as i64).collect(),
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "LayeredNet(sizes={:?}, activation={:?})",
            self.net.sizes(),
            self.net.activation().name()
        )
    }
}

/// Compare equilibrium propagation (one-sided and symmetric, at every `beta`) with the implicit
/// gradient of the loss at the free equilibria of `net` on inputs `x` (`(n, d_0)`) and targets
/// `y` (`(n, d_L)`), and the implicit gradient with backpropagation through the relaxation and
/// (unless `fd_step` is `None`) finite differences. Returns a dict: arrays `beta`, `nudging`
/// (names), `cosine`, `relative_error` (one entry per (beta, nudging)), `implicit` (the
/// flattened gradient), scalars `bptt_error`, `finite_difference_error` (or `None`), `loss`.
#[pyfunction]
#[pyo3(signature = (net, x, y, cost="squared-error", betas=None, epsilon=0.2, max_steps=20_000, tol=1e-11, bptt_steps=2_000, fd_step=Some(1e-5)))]
#[allow(clippy::too_many_arguments)]
fn gradient_check<'py>(
    py: Python<'py>,
    net: PyRef<'py, PyLayered>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    cost: &str,
    betas: Option<Vec<f64>>,
    epsilon: f64,
    max_steps: i64,
    tol: Option<f64>,
    bptt_steps: i64,
    fd_step: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let (a, b) = (
        matrix(x, "X", "(n_samples, n_features)")?,
        matrix(y, "Y", "(n_samples, n_outputs)")?,
    );
    let (xm, ym) = (transposed(&a)?, transposed(&b)?);
    check_xy(&net.net, xm, ym)?;
    if let Some(b) = betas
        .iter()
        .flatten()
        .find(|b| !(b.is_finite() && **b > 0.0))
    {
        return Err(bad(format!(
            "betas: {b}: every beta must be finite and > 0"
        )));
    }
    let settings = CheckSettings {
        betas: betas.unwrap_or_else(|| CheckSettings::default().betas),
        relaxation: Relaxation {
            epsilon,
            max_steps: steps("max_steps", max_steps)?,
            tol,
        },
        bptt_steps: steps("bptt_steps", bptt_steps)?,
        fd_step,
    };
    let cost = self::cost(cost)?;
    let n = &net.net;
    let r = py
        .detach(|| check(n, xm, ym, cost, &settings))
        .map_err(err)?;
    let d = PyDict::new(py);
    d.set_item(
        "beta",
        PyArray1::from_vec(py, r.ep.iter().map(|e| e.beta).collect()),
    )?;
    d.set_item(
        "nudging",
        r.ep.iter().map(|e| e.nudging.name()).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "cosine",
        PyArray1::from_vec(py, r.ep.iter().map(|e| e.cosine).collect()),
    )?;
    d.set_item(
        "relative_error",
        PyArray1::from_vec(py, r.ep.iter().map(|e| e.relative_error).collect()),
    )?;
    d.set_item("implicit", PyArray1::from_vec(py, r.implicit))?;
    d.set_item("bptt_error", r.bptt_error)?;
    d.set_item("finite_difference_error", r.finite_difference_error)?;
    d.set_item("loss", r.loss)?;
    Ok(d)
}

/// Register the layered network and the gradient check in the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyLayered>()?;
    m.add_function(wrap_pyfunction!(gradient_check, m)?)?;
    Ok(())
}
