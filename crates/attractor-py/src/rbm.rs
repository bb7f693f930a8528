//! Restricted Boltzmann machines (`attractor::models::rbm`, trained by
//! `attractor::learn::contrastive_divergence`) for Python: one class, `Rbm`, that holds the
//! model and, once training starts, its `CdTrainer` (momentum, persistent chains and
//! generators), so that `partial_fit` and repeated `fit_epochs` go on exactly as one run.
//!
//! Samples are rows in Python (`(n_samples, n_visible)`, scikit-learn's layout) and columns in
//! the library; a C-order array is the library's matrix without a copy ([`transposed`]).
//! Parameters travel as scikit-learn's `components_ = Wᵀ` (`(n_hidden, n_visible)`), which in
//! C order is the library's column-major `W`. Training runs on a worker thread with the
//! interpreter lock released while the calling thread watches for Ctrl-C ([`watched`](crate::long_call::watched)) and
//! raises the interrupt of the call's `Budget`, which stops training between minibatches and
//! inside the Gibbs sweeps of a CD step, keeping the parameters reached (sampling, exact log Z
//! and AIS take the same budget); the report says `interrupted` (the Python
//! layer raises `attractor.Interrupted`). Every numeric decision is the library's.

use crate::arrays::{count, matrix, optional_matrix, par, rows_of, transposed};
use crate::errors::{bad, err};
use crate::long_call::{long_call, watched};
use attractor::learn::contrastive_divergence::{CdMethod, CdParams, CdTrainer, Centering};
use attractor::models::rbm::{AisBase, AisParams, RaiseParams, Rbm, VisibleUnits};
use attractor::run::{Budget, Interrupt, Status};
use attractor::samplers::tempering::ParallelTempering;
use attractor::samplers::{MarkovSampler, chain_rngs};
use attractor::schedule::PerEpoch;
use faer::{Mat, Par};
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::ops::ControlFlow;
use std::path::PathBuf;

/// A restricted Boltzmann machine `E(v, h) = −aᵀv − bᵀh − vᵀWh` (Bernoulli visible units) or
/// `½‖v − a‖² − bᵀh − vᵀWh` (unit-variance Gaussian visible units), Bernoulli hidden units,
/// with its contrastive-divergence trainer. See `attractor.BernoulliRBM` for the estimator.
#[pyclass(name = "Rbm", module = "attractor._attractor")]
pub(crate) struct PyRbm {
    rbm: Rbm,
    trainer: Option<CdTrainer>,
    par: Par,
}

/// `"bernoulli"` / `"gaussian"` as the library's unit type.
fn units(visible: &str) -> PyResult<VisibleUnits> {
    visible.parse::<VisibleUnits>().map_err(err)
}

/// A seed from Python (refusing negative values with their name).
fn seed(name: &str, v: i64) -> PyResult<u64> {
    u64::try_from(v).map_err(|_| bad(format!("{name} = {v}: give a seed >= 0")))
}

fn no_trainer() -> PyErr {
    bad("this RBM has no trainer yet; call set_trainer(...) before training".into())
}

#[pymethods]
impl PyRbm {
    /// An RBM from `components` (`(n_hidden, n_visible)`, scikit-learn's `components_ = Wᵀ`),
    /// `visible_bias` (`n_visible`), `hidden_bias` (`n_hidden`), all finite.
    #[new]
    #[pyo3(signature = (components, visible_bias, hidden_bias, visible="bernoulli", n_threads=None))]
    fn new(
        components: &Bound<'_, PyAny>,
        visible_bias: Vec<f64>,
        hidden_bias: Vec<f64>,
        visible: &str,
        n_threads: Option<i64>,
    ) -> PyResult<Self> {
        let c = matrix(components, "components", "(n_hidden, n_visible)")?;
        let w = transposed(&c)?.to_owned();
        let rbm = Rbm::new(w, visible_bias, hidden_bias, units(visible)?).map_err(err)?;
        Ok(Self {
            rbm,
            trainer: None,
            par: par(n_threads)?,
        })
    }

    /// An RBM with `W_ij = scale·z_ij`, `z_ij ~ N(0, 1)` from `stream(seed, PARAMS)`, and zero
    /// biases (scikit-learn's `BernoulliRBM` starts from `scale = 0.01`).
    #[staticmethod]
    #[pyo3(signature = (n_visible, n_hidden, visible="bernoulli", scale=0.01, seed=0, n_threads=None))]
    fn random(
        n_visible: i64,
        n_hidden: i64,
        visible: &str,
        scale: f64,
        seed: i64,
        n_threads: Option<i64>,
    ) -> PyResult<Self> {
        let (nv, nh) = (
            count("n_features", n_visible)?,
            count("n_components", n_hidden)?,
        );
        let rbm = Rbm::random(nv, nh, scale, self::seed("random_state", seed)?)
            .map_err(err)?
            .with_visible(units(visible)?);
        Ok(Self {
            rbm,
            trainer: None,
            par: par(n_threads)?,
        })
    }

    /// Read an RBM from a safetensors file written by `save` (every defect is an
    /// `AttractorError` naming the file and what is wrong).
    #[staticmethod]
    #[pyo3(signature = (path, n_threads=None))]
    fn load(path: PathBuf, n_threads: Option<i64>) -> PyResult<Self> {
        Ok(Self {
            rbm: Rbm::load_safetensors(&path).map_err(err)?,
            trainer: None,
            par: par(n_threads)?,
        })
    }

    /// An RBM from the bytes of a safetensors file (`name` is used in messages).
    #[staticmethod]
    #[pyo3(signature = (data, name="<bytes>", n_threads=None))]
    fn from_bytes(data: &[u8], name: &str, n_threads: Option<i64>) -> PyResult<Self> {
        Ok(Self {
            rbm: Rbm::from_safetensors_bytes(data, name).map_err(err)?,
            trainer: None,
            par: par(n_threads)?,
        })
    }

    /// Write the parameters to `path` as safetensors, atomically.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let rbm = &self.rbm;
        py.detach(|| rbm.save_safetensors(&path)).map_err(err)
    }

    /// The parameters as the bytes of a safetensors file.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let b = self.rbm.to_safetensors_bytes().map_err(err)?;
        Ok(PyBytes::new(py, &b))
    }

    #[getter]
    fn n_visible(&self) -> usize {
        self.rbm.n_visible()
    }
    #[getter]
    fn n_hidden(&self) -> usize {
        self.rbm.n_hidden()
    }
    /// `"bernoulli"` or `"gaussian"`.
    #[getter]
    fn visible_units(&self) -> &'static str {
        self.rbm.visible_units().name()
    }

    /// `Wᵀ` as an `(n_hidden, n_visible)` array (a copy).
    fn components<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        rows_of(py, self.rbm.weights())
    }
    /// The visible bias `a` (a copy).
    fn visible_bias<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.rbm.visible_bias())
    }
    /// The hidden bias `b` (a copy).
    fn hidden_bias<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.rbm.hidden_bias())
    }

    /// Replace every parameter (same shapes, finite). The trainer keeps its state.
    fn set_parameters(
        &mut self,
        components: &Bound<'_, PyAny>,
        visible_bias: Vec<f64>,
        hidden_bias: Vec<f64>,
    ) -> PyResult<()> {
        let c = matrix(components, "components", "(n_hidden, n_visible)")?;
        let w = transposed(&c)?;
        self.rbm
            .set_parameters(w, &visible_bias, &hidden_bias)
            .map_err(err)
    }

    /// The parallelism of later calls: `None` or 1 sequential, -1 (or 0) all threads, `k > 1`
    /// threads. Results never depend on it.
    #[pyo3(signature = (n_threads=None))]
    fn set_n_threads(&mut self, n_threads: Option<i64>) -> PyResult<()> {
        self.par = par(n_threads)?;
        Ok(())
    }

    /// Start a fresh trainer with these settings, all checked by the library
    /// (`CdParams::validate`): `method` `"cd"` (CD-k), `"pcd"` (persistent chains) or
    /// `"tempering"` (`n_chains` persistent tempered chains, `None` for `batch_size`, over the ladder `temperatures`, or
    /// `n_temperatures` rungs geometric up to `max_temperature`; 10 up to 10 by default);
    /// `persistent` picks `"pcd"` or `"cd"` when `method` is `None`. The learning rate and
    /// momentum move per epoch by `learning_rate_schedule` / `momentum_schedule`
    /// (`"constant"`, `"linear:END:EPOCHS"`, `"exponential:FACTOR"`, `"inverse:TAU"`,
    /// `"step:BEFORE:EPOCHS"`); `centering` is `"none"`, `"data[:RATE]"` or
    /// `"enhanced[:RATE]"`. Zero momentum, no chains yet, generators
    /// `stream(seed, DYNAMICS + j)`, minibatch orders `stream(seed, ORDER + epoch)`.
    #[pyo3(signature = (persistent=true, k=1, learning_rate=0.1, momentum=0.0, weight_decay=0.0, batch_size=10, shuffle=true, seed=0, method=None, n_chains=None, learning_rate_schedule="constant", momentum_schedule="constant", centering="none", temperatures=None, n_temperatures=None, max_temperature=10.0))]
    #[allow(clippy::too_many_arguments)]
    fn set_trainer(
        &mut self,
        persistent: bool,
        k: i64,
        learning_rate: f64,
        momentum: f64,
        weight_decay: f64,
        batch_size: i64,
        shuffle: bool,
        seed: i64,
        method: Option<&str>,
        n_chains: Option<i64>,
        learning_rate_schedule: &str,
        momentum_schedule: &str,
        centering: &str,
        temperatures: Option<Vec<f64>>,
        n_temperatures: Option<i64>,
        max_temperature: f64,
    ) -> PyResult<()> {
        let method = match method {
            Some(m) => m.parse::<CdMethod>().map_err(err)?,
            None if persistent => CdMethod::Persistent,
            None => CdMethod::Contrastive,
        };
        let params = CdParams {
            method,
            k: usize::try_from(k).map_err(|_| {
                bad(format!(
                    "cd_k = {k}: give a whole number of Gibbs sweeps >= 1"
                ))
            })?,
            learning_rate,
            momentum,
            weight_decay,
            learning_rate_schedule: learning_rate_schedule
                .parse::<PerEpoch>()
                .map_err(|e| bad(format!("learning_rate_schedule: {e}")))?,
            momentum_schedule: momentum_schedule
                .parse::<PerEpoch>()
                .map_err(|e| bad(format!("momentum_schedule: {e}")))?,
            centering: centering.parse::<Centering>().map_err(err)?,
            temperatures: crate::tempering::ladder_of(
                temperatures,
                n_temperatures,
                max_temperature,
            )?,
            batch_size: usize::try_from(batch_size).map_err(|_| {
                bad(format!(
                    "batch_size = {batch_size}: give a whole number of samples >= 1"
                ))
            })?,
            n_chains: match n_chains {
                Some(c) => Some(usize::try_from(c).map_err(|_| {
                    bad(format!(
                        "n_chains = {c}: give a whole number of chains >= 1"
                    ))
                })?),
                None => None,
            },
            shuffle,
            seed: self::seed("random_state", seed)?,
            par: self.par,
        };
        self.trainer = Some(CdTrainer::new(&self.rbm, params).map_err(err)?);
        Ok(())
    }

    /// Set the visible bias to the logit of the smoothed data marginals of the rows of `x`
    /// (`(Σ v + 1)/(n + 2)`; the data mean for Gaussian units), Hinton's recommended start.
    fn init_visible_bias(&mut self, x: &Bound<'_, PyAny>) -> PyResult<()> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let v = transposed(&a)?;
        self.rbm.init_visible_bias_from_data(v).map_err(err)
    }

    /// The swap acceptance rates between neighbouring temperatures of tempered training so
    /// far (`None` for the other methods or before the first update).
    fn swap_rates(&self) -> Option<Vec<f64>> {
        self.trainer
            .as_ref()
            .and_then(|t| t.trainer().rule().swap_rates())
    }

    /// The learning rate of the current epoch (`None` without a trainer).
    #[getter]
    fn current_learning_rate(&self) -> Option<f64> {
        self.trainer
            .as_ref()
            .map(|t| t.trainer().current_learning_rate())
    }

    /// Whether a trainer has been set.
    #[getter]
    fn has_trainer(&self) -> bool {
        self.trainer.is_some()
    }
    /// Epochs completed by the trainer (0 without one).
    #[getter]
    fn epochs_done(&self) -> usize {
        self.trainer.as_ref().map_or(0, CdTrainer::epochs_done)
    }
    /// Parameter updates made by the trainer (0 without one).
    #[getter]
    fn n_updates(&self) -> usize {
        self.trainer.as_ref().map_or(0, CdTrainer::n_updates)
    }

    /// The persistent chains of PCD as a `(batch_size, n_visible)` array of visible states,
    /// once started; `None` for CD-k or before the first update.
    fn persistent_chains<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Option<Bound<'py, PyArray2<f64>>>> {
        match self.trainer.as_ref().and_then(CdTrainer::persistent_chains) {
            Some(c) => Ok(Some(rows_of(py, c)?)),
            None => Ok(None),
        }
    }

    /// Train for `n_epochs` epochs on the rows of `x` (minibatches of the trainer's
    /// `batch_size`, shuffled per epoch), with the interpreter lock released. Ctrl-C stops
    /// training between minibatches (the updates made are kept; the epoch in progress is not
    /// counted, and the next call starts it again); an epoch that
    /// makes a parameter non-finite is undone and ends training. With `monitor`, every epoch
    /// also reports the reconstruction error and (Bernoulli units) the mean stochastic
    /// pseudo-likelihood of `x`. Returns a report: `n_epochs` (this call), `n_updates`,
    /// `status` (`"completed"`, `"interrupted"` or `"diverged"`), `diverged_epoch`,
    /// `elapsed` seconds, `interrupted`, and with `monitor` the lists `epoch`,
    /// `reconstruction_error`, `pseudo_likelihood`, `time`.
    #[pyo3(signature = (x, n_epochs, monitor=false))]
    fn fit_epochs<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        n_epochs: i64,
        monitor: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let n_epochs = usize::try_from(n_epochs)
            .map_err(|_| bad(format!("n_iter = {n_epochs}: give a number of epochs >= 0")))?;
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let data = transposed(&a)?;
        let stop = Interrupt::new();
        let Self { rbm, trainer, .. } = self;
        let trainer = trainer.as_mut().ok_or_else(no_trainer)?;
        let mut history: Vec<(usize, f64, Option<f64>, f64)> = Vec::new();
        let summary = if n_epochs == 0 {
            rbm.check_data("training data", data).map_err(err)?;
            None
        } else {
            let flag = stop.clone();
            let budget = Budget::steps(n_epochs).interrupt(stop.clone());
            let mut done = 0usize;
            let s = watched(py, "RBM trainer", &stop, || {
                trainer.fit(rbm, data, &budget, |r| {
                    done += 1;
                    if monitor {
                        history.push((
                            r.epoch,
                            r.reconstruction_error(),
                            r.pseudo_likelihood(),
                            r.elapsed.as_secs_f64(),
                        ));
                    }
                    if done >= n_epochs || flag.is_raised() {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
            });
            Some(s?.map_err(err)?)
        };
        let interrupted = stop.is_raised();
        let d = crate::arrays::train_report(py, summary.as_ref(), interrupted)?;
        if monitor {
            d.set_item("epoch", history.iter().map(|h| h.0).collect::<Vec<_>>())?;
            d.set_item(
                "reconstruction_error",
                history.iter().map(|h| h.1).collect::<Vec<_>>(),
            )?;
            d.set_item(
                "pseudo_likelihood",
                history.iter().map(|h| h.2).collect::<Vec<_>>(),
            )?;
            d.set_item("time", history.iter().map(|h| h.3).collect::<Vec<_>>())?;
        }
        Ok(d)
    }

    /// One parameter update on the minibatch formed by all rows of `x` (scikit-learn's
    /// `partial_fit`), continuing the trainer's momentum and persistent chains.
    fn partial_fit(&mut self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<()> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let batch = transposed(&a)?;
        let Self { rbm, trainer, .. } = self;
        let t = trainer.as_mut().ok_or_else(no_trainer)?;
        let stop = Interrupt::new();
        let budget = Budget::new().interrupt(stop.clone());
        long_call(py, "RBM trainer", &stop, || {
            t.partial_fit(rbm, batch, &budget)
        })
    }

    /// The hidden features `p(h = 1 | v) = σ(b + Wᵀv)` of every row of `x`:
    /// `(n_samples, n_hidden)`.
    fn transform<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let v = transposed(&a)?;
        let (rbm, p) = (&self.rbm, self.par);
        let h = py.detach(|| rbm.hidden_probabilities(v, p)).map_err(err)?;
        rows_of(py, h.as_ref())
    }

    /// The mean-field reconstructions `E[v | h = p(h | v)]` of every row of `x`.
    fn reconstruct<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let v = transposed(&a)?;
        let (rbm, p) = (&self.rbm, self.par);
        let r = py.detach(|| rbm.reconstruct(v, p)).map_err(err)?;
        rows_of(py, r.as_ref())
    }

    /// The mean over samples and features of `(v − E[v | h = p(h | v)])²`.
    fn reconstruction_error(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<f64> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let v = transposed(&a)?;
        let (rbm, p) = (&self.rbm, self.par);
        py.detach(|| rbm.reconstruction_error(v, p)).map_err(err)
    }

    /// The free energy `F(v) = −log Σ_h e^{−E(v, h)}` of every row of `x`.
    fn free_energies<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let v = transposed(&a)?;
        let (rbm, p) = (&self.rbm, self.par);
        let f = py.detach(|| rbm.free_energies(v, p)).map_err(err)?;
        Ok(PyArray1::from_vec(py, f))
    }

    /// `n_steps` block Gibbs sweeps `h ~ p(h | v)`, `v ~ p(v | h)` from every row of `v`
    /// (checked as data), chain `j` drawing from `stream(seed, DYNAMICS + j)`: the visible
    /// states reached, `(n_samples, n_visible)`.
    #[pyo3(signature = (v, seed=0, n_steps=1))]
    fn gibbs<'py>(
        &self,
        py: Python<'py>,
        v: &Bound<'py, PyAny>,
        seed: i64,
        n_steps: i64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let a = matrix(v, "v", "(n_samples, n_features)")?;
        let v0 = transposed(&a)?;
        self.rbm.check_data("v", v0).map_err(err)?;
        let n_steps = count("n_steps", n_steps)?;
        let seed = self::seed("random_state", seed)?;
        let (rbm, p) = (&self.rbm, self.par);
        let states = py
            .detach(|| -> attractor::Result<Mat<f64>> {
                let mut s = v0.to_owned();
                let mut rngs = chain_rngs(seed, s.ncols());
                rbm.gibbs()
                    .with_par(p)
                    .advance(s.as_mut(), &mut rngs, n_steps)?;
                Ok(s)
            })
            .map_err(err)?;
        rows_of(py, states.as_ref())
    }

    /// `n_samples` chains started at random (`v_i ~ Bernoulli(½)`, or `N(a, I)`) and advanced
    /// `n_steps` sweeps, chain `j` drawing from `stream(seed, DYNAMICS + j)`:
    /// `((n_samples, n_visible), interrupted)`: Ctrl-C stops the sweeps within a fraction of
    /// a second and returns the states reached with `interrupted = True`.
    #[pyo3(signature = (n_samples, n_steps, seed=0))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n_samples: i64,
        n_steps: i64,
        seed: i64,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, bool)> {
        let n = count("n_samples", n_samples)?;
        let steps = usize::try_from(n_steps)
            .map_err(|_| bad(format!("n_steps = {n_steps}: give a number of sweeps >= 0")))?;
        let seed = self::seed("random_state", seed)?;
        let (rbm, p) = (&self.rbm, self.par);
        let stop = Interrupt::new();
        let budget = Budget::steps(steps).interrupt(stop.clone());
        let c = long_call(py, "sampler", &stop, || {
            rbm.gibbs().with_par(p).sample(n, seed, &budget)
        })?;
        Ok((
            rows_of(py, c.states.as_ref())?,
            c.status == Status::Interrupted,
        ))
    }

    /// Parallel tempering (replica exchange; Desjardins et al., AISTATS 2010):
    /// `n_samples` chains, each with one replica per temperature of the ladder
    /// (`temperatures`, strictly increasing from 1, or the geometric ladder of
    /// `n_temperatures` rungs from 1 to `max_temperature`), started at random and run for
    /// `n_steps` rounds (one sweep at every temperature, then swaps of neighbours accepted by
    /// the tempered free energies). Returns `((n_samples, n_visible) samples at T = 1,
    /// interrupted, info)`, `info` a dict: `temperatures`, `swap_rates`, `swap_attempts`,
    /// `swap_accepts` (per neighbouring pair), `n_steps` (rounds done), `status`.
    #[pyo3(signature = (n_samples, n_steps, seed=0, temperatures=None, n_temperatures=None, max_temperature=10.0))]
    #[allow(clippy::too_many_arguments)]
    fn sample_tempering<'py>(
        &self,
        py: Python<'py>,
        n_samples: i64,
        n_steps: i64,
        seed: i64,
        temperatures: Option<Vec<f64>>,
        n_temperatures: Option<i64>,
        max_temperature: f64,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, bool, Bound<'py, PyDict>)> {
        let n = count("n_samples", n_samples)?;
        let steps = usize::try_from(n_steps)
            .map_err(|_| bad(format!("n_steps = {n_steps}: give a number of rounds >= 0")))?;
        let seed = self::seed("random_state", seed)?;
        let ladder = crate::tempering::ladder_of(temperatures, n_temperatures, max_temperature)?;
        let (rbm, p) = (&self.rbm, self.par);
        let stop = Interrupt::new();
        let budget = Budget::steps(steps).interrupt(stop.clone());
        let c = long_call(py, "parallel tempering", &stop, || {
            ParallelTempering::new(&rbm.gibbs().with_par(p), ladder)?.sample(n, seed, &budget)
        })?;
        let d = crate::tempering::report(py, &c)?;
        Ok((rows_of(py, c.states())?, c.status == Status::Interrupted, d))
    }

    /// The exact `log Z`, by a log-sum-exp over the states of the smaller layer (the hidden
    /// one for Gaussian units), refused above 24 units.
    fn log_z_exact(&self, py: Python<'_>) -> PyResult<f64> {
        let (rbm, p) = (&self.rbm, self.par);
        let stop = Interrupt::new();
        let budget = Budget::new().interrupt(stop.clone());
        long_call(py, "enumeration", &stop, || {
            rbm.log_z_exact_within(p, &budget)
        })
    }

    /// `log Z` by annealed importance sampling (Salakhutdinov & Murray 2008): `n_runs`
    /// runs over `n_betas` linearly spaced inverse temperatures, from a base model whose
    /// visible bias comes from the marginals of the rows of `data` (`base="data"`, zero without
    /// data) or is zero (`base="zero"`). Returns a dict: `log_z`, `std_err`, `log_weights`,
    /// `log_z_base`.
    #[pyo3(signature = (n_runs=100, n_betas=10_000, seed=0, data=None, base="data"))]
    fn ais<'py>(
        &self,
        py: Python<'py>,
        n_runs: i64,
        n_betas: i64,
        seed: i64,
        data: Option<&Bound<'py, PyAny>>,
        base: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let base = match base {
            "data" => AisBase::FromData,
            "zero" => AisBase::Zero,
            other => {
                return Err(bad(format!(
                    "base = {other:?}: use \"data\" (the data marginals) or \"zero\""
                )));
            }
        };
        let params = AisParams {
            n_runs: count("n_runs", n_runs)?,
            n_betas: count("n_betas", n_betas)?,
            base,
            seed: self::seed("random_state", seed)?,
            par: self.par,
            ..AisParams::default()
        };
        let a = optional_matrix(data, "X", "(n_samples, n_features)")?;
        let v = a.as_ref().map(transposed).transpose()?;
        let rbm = &self.rbm;
        let stop = Interrupt::new();
        let budget = Budget::new().interrupt(stop.clone());
        let r = long_call(py, "AIS", &stop, || rbm.ais_log_z(&params, v, &budget))?;
        let d = PyDict::new(py);
        d.set_item("log_z", r.log_z)?;
        d.set_item("std_err", r.std_err)?;
        d.set_item("log_weights", PyArray1::from_vec(py, r.log_weights))?;
        d.set_item("log_z_base", r.log_z_base)?;
        Ok(d)
    }

    /// RAISE alone (reverse annealing from every row of `x`, `chains_per_sample` chains each,
    /// along `n_betas` linear inverse temperatures, base from `base_data` or `x`): a dict with
    /// `log_likelihood` (the conservative estimate), `std_err`, `per_sample`, `log_z`.
    #[pyo3(signature = (x, n_betas=10_000, seed=0, base_data=None, chains_per_sample=1))]
    fn raise_log_likelihood<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        n_betas: i64,
        seed: i64,
        base_data: Option<&Bound<'py, PyAny>>,
        chains_per_sample: i64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let params = AisParams {
            n_betas: count("n_betas", n_betas)?,
            seed: self::seed("random_state", seed)?,
            par: self.par,
            ..AisParams::default()
        };
        let m = count("chains_per_sample", chains_per_sample)?;
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let v = transposed(&a)?;
        let b = optional_matrix(base_data, "base_data", "(n_samples, n_features)")?;
        let base = b.as_ref().map(transposed).transpose()?;
        let rbm = &self.rbm;
        let stop = Interrupt::new();
        let budget = Budget::new().interrupt(stop.clone());
        let r = long_call(py, "RAISE", &stop, || {
            rbm.raise_log_likelihood(v, &params, m, base, &budget)
        })?;
        let d = PyDict::new(py);
        d.set_item("log_likelihood", r.log_likelihood)?;
        d.set_item("std_err", r.std_err)?;
        d.set_item("per_sample", PyArray1::from_vec(py, r.per_sample))?;
        d.set_item("log_z", r.log_z)?;
        Ok(d)
    }

    /// The mean test log-likelihood of the rows of `x` as a bracket: RAISE (reverse
    /// annealing, Burda, Grosse & Salakhutdinov 2015; conservative) below and AIS (optimistic)
    /// above, along the same `n_betas` linear inverse temperatures, with `n_runs` AIS runs and
    /// `chains_per_sample` reverse chains on at most `max_samples` evenly spaced rows. The base
    /// model's bias comes from the rows of `base_data` (the training data) or of `x`. Returns a
    /// dict: `lower`, `lower_std_err`, `upper`, `upper_std_err`, `log_z_lower`, `log_z_upper`,
    /// `raise_samples`, `raise_per_sample`.
    #[pyo3(signature = (x, n_runs=100, n_betas=10_000, seed=0, base_data=None, chains_per_sample=1, max_samples=None))]
    #[allow(clippy::too_many_arguments)]
    fn log_likelihood_bracket<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        n_runs: i64,
        n_betas: i64,
        seed: i64,
        base_data: Option<&Bound<'py, PyAny>>,
        chains_per_sample: i64,
        max_samples: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let ais = AisParams {
            n_runs: count("n_runs", n_runs)?,
            n_betas: count("n_betas", n_betas)?,
            seed: self::seed("random_state", seed)?,
            par: self.par,
            ..AisParams::default()
        };
        let raise = RaiseParams {
            chains_per_sample: count("chains_per_sample", chains_per_sample)?,
            max_samples: match max_samples {
                Some(m) => Some(count("max_samples", m)?),
                None => None,
            },
        };
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let v = transposed(&a)?;
        let b = optional_matrix(base_data, "base_data", "(n_samples, n_features)")?;
        let base = b.as_ref().map(transposed).transpose()?;
        let rbm = &self.rbm;
        let stop = Interrupt::new();
        let budget = Budget::new().interrupt(stop.clone());
        let r = long_call(py, "AIS and RAISE", &stop, || {
            rbm.log_likelihood_bracket(v, &ais, &raise, base, &budget)
        })?;
        let d = PyDict::new(py);
        d.set_item("lower", r.lower)?;
        d.set_item("lower_std_err", r.lower_std_err)?;
        d.set_item("upper", r.upper)?;
        d.set_item("upper_std_err", r.upper_std_err)?;
        d.set_item("log_z_lower", r.log_z_lower)?;
        d.set_item("log_z_upper", r.log_z_upper)?;
        d.set_item("raise_samples", r.raise.per_sample.len())?;
        d.set_item(
            "raise_per_sample",
            PyArray1::from_vec(py, r.raise.per_sample),
        )?;
        Ok(d)
    }

    /// The mean log-likelihood `(1/n) Σ_s [−F(v_s)] − log Z` of the rows of `x`, with the
    /// exact `log Z` when `log_z` is `None`, else the given estimate.
    #[pyo3(signature = (x, log_z=None))]
    fn log_likelihood(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        log_z: Option<f64>,
    ) -> PyResult<f64> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let v = transposed(&a)?;
        let (rbm, p) = (&self.rbm, self.par);
        py.detach(|| match log_z {
            None => rbm.log_likelihood_exact(v, p),
            Some(z) => rbm.log_likelihood_given_log_z(v, z, p),
        })
        .map_err(err)
    }

    /// The exact pseudo-log-likelihood `Σ_i log p(v_i | v_{−i})`, averaged over the rows of
    /// `x` (Besag 1975; Bernoulli visible units).
    fn pseudo_likelihood_exact(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<f64> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let v = transposed(&a)?;
        let (rbm, p) = (&self.rbm, self.par);
        py.detach(|| rbm.pseudo_likelihood_exact(v, p)).map_err(err)
    }

    /// scikit-learn's stochastic pseudo-likelihood of every row of `x`:
    /// `n_visible · log p(v_i | v_{−i})` for one unit `i` per sample drawn from
    /// `stream(seed, ORDER + s)` (Bernoulli visible units).
    #[pyo3(signature = (x, seed=0))]
    fn pseudo_likelihood_stochastic<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        seed: i64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let v = transposed(&a)?;
        let seed = self::seed("random_state", seed)?;
        let (rbm, p) = (&self.rbm, self.par);
        let s = py
            .detach(|| rbm.pseudo_likelihood_stochastic(v, seed, p))
            .map_err(err)?;
        Ok(PyArray1::from_vec(py, s))
    }

    fn __repr__(&self) -> String {
        format!(
            "Rbm(n_visible={}, n_hidden={}, visible={:?})",
            self.rbm.n_visible(),
            self.rbm.n_hidden(),
            self.rbm.visible_units().name()
        )
    }
}

/// Register the RBM class in the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRbm>()?;
    Ok(())
}
