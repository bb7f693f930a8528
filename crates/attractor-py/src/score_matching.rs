//! Energies fitted by score matching (`attractor::models::score_energy`, trained by
//! `attractor::learn::score_matching`) for Python: one class, `ScoreEnergyModel`, that holds one
//! of the three energies (Gaussian, two-layer energy network, dense associative memory) and,
//! once training starts, its `ScoreMatchingTrainer` (Adam's moments, the draw counter of the
//! noises and projections), so that `partial_fit` and repeated `fit_epochs` go on as one run.
//!
//! Samples are rows in Python (`(n_samples, n_features)`) and columns in the library; a C-order
//! array is the library's matrix without a copy ([`transposed`]). Weight matrices travel with
//! one row per hidden unit / pattern (`(n_hidden, n_features)`, `(n_patterns, n_features)`), as
//! the library's constructors take them. Training and sampling run on a worker thread with the
//! interpreter lock released while the calling thread watches for Ctrl-C ([`watched`](crate::long_call::watched)) and
//! raises the interrupt of the call's `Budget`: training stops between minibatches keeping the
//! parameters reached, sampling stops between chunks of steps keeping the states reached; the
//! report says `interrupted` (the Python layer raises `attractor.Interrupted`). Every numeric
//! decision is the library's.

use crate::arrays::{count, matrix, rows_of, transposed};
use crate::errors::{bad, err};
use crate::long_call::{long_call, watched};
use attractor::energy::Energy;
use attractor::learn::score_matching::{
    Objective, Projection, ScoreMatchingParams, ScoreMatchingTrainer, objective_value,
};
use attractor::models::score_energy::{
    Batched, DenseMemoryEnergy, EnergyNetwork, GaussianEnergy, ScoreEnergy,
};
use attractor::run::{Budget, Interrupt, Status};
use attractor::samplers::{BatchLangevinSampler, MarkovSampler};
use attractor::schedule::Ramp;
use faer::{Mat, MatRef};
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::ops::ControlFlow;

/// One of the three energies.
#[derive(Debug, Clone)]
enum Model {
    Gaussian(GaussianEnergy),
    Network(EnergyNetwork),
    DenseMemory(DenseMemoryEnergy),
}

/// Run `$body` with `$m` bound to the concrete energy inside `$model`.
macro_rules! with_model {
    ($model:expr, $m:ident => $body:expr) => {
        match $model {
            Model::Gaussian($m) => $body,
            Model::Network($m) => $body,
            Model::DenseMemory($m) => $body,
        }
    };
}

impl Model {
    fn name(&self) -> &'static str {
        match self {
            Self::Gaussian(_) => "gaussian",
            Self::Network(_) => "network",
            Self::DenseMemory(_) => "dense_memory",
        }
    }
    fn dim(&self) -> usize {
        with_model!(self, m => m.dim())
    }
}

/// An energy `E_θ(x)` fitted by score matching, with its trainer. See
/// `attractor.ScoreMatchingEnergy` for the estimator.
#[pyclass(name = "ScoreEnergyModel", module = "attractor._attractor")]
pub(crate) struct PyScoreEnergy {
    model: Model,
    trainer: Option<ScoreMatchingTrainer>,
}

/// A seed from Python (refusing negative values with their name).
fn seed(name: &str, v: i64) -> PyResult<u64> {
    u64::try_from(v).map_err(|_| bad(format!("{name} = {v}: give a seed >= 0")))
}

/// The objective from its name and settings (the library validates the values).
fn objective(
    name: &str,
    noise_levels: Vec<f64>,
    n_projections: i64,
    projection: &str,
) -> PyResult<Objective> {
    let o = match name {
        "exact" => Objective::Exact,
        "denoising" => Objective::Denoising { noise_levels },
        "sliced" => Objective::Sliced {
            projections: usize::try_from(n_projections).map_err(|_| {
                bad(format!(
                    "n_projections = {n_projections}: give a whole number of directions >= 1"
                ))
            })?,
            distribution: match projection {
                "rademacher" => Projection::Rademacher,
                "gaussian" => Projection::Gaussian,
                other => {
                    return Err(bad(format!(
                        "projection = {other:?}: use \"rademacher\" (v_i = ±1) or \"gaussian\""
                    )));
                }
            },
        },
        other => {
            return Err(bad(format!(
                "objective = {other:?}: use \"denoising\" (Vincent 2011), \"exact\" (Hyvärinen 2005) or \"sliced\" (Song et al. 2019)"
            )));
        }
    };
    o.validate().map_err(err)?;
    Ok(o)
}

fn no_trainer() -> PyErr {
    bad("this model has no trainer yet; call set_trainer(...) before training".into())
}

/// A C-order `(r, c)` array as an owned `r × c` matrix.
fn owned(a: MatRef<'_, f64>) -> Mat<f64> {
    a.transpose().to_owned()
}

/// The rows of `x` (`(n_samples, n_features)`) checked against the model's width.
fn check_width(model: &Model, x: MatRef<'_, f64>, what: &str) -> PyResult<()> {
    let d = model.dim();
    if x.nrows() != d {
        return Err(bad(format!(
            "{what} has {} features, but the {} energy has {d}; pass rows of {d} features",
            x.nrows(),
            model.name()
        )));
    }
    Ok(())
}

impl PyScoreEnergy {
    fn of(model: Model) -> Self {
        Self {
            model,
            trainer: None,
        }
    }
}

#[pymethods]
impl PyScoreEnergy {
    /// The Gaussian energy `½(x − μ)ᵀΛ(x − μ)` with `mean` (`d`) and a symmetric positive
    /// definite `precision` (`(d, d)`).
    #[staticmethod]
    fn gaussian(mean: Vec<f64>, precision: &Bound<'_, PyAny>) -> PyResult<Self> {
        let p = matrix(precision, "precision", "(n_features, n_features)")?;
        let p = owned(transposed(&p)?);
        Ok(Self::of(Model::Gaussian(
            GaussianEnergy::new(mean, p).map_err(err)?,
        )))
    }

    /// The standard normal energy `½‖x‖²` on `n_features` features.
    #[staticmethod]
    fn standard_gaussian(n_features: i64) -> PyResult<Self> {
        let d = count("n_features", n_features)?;
        Ok(Self::of(Model::Gaussian(
            GaussianEnergy::standard(d).map_err(err)?,
        )))
    }

    /// The minimiser of exact score matching for a Gaussian on the rows of `x`, in closed
    /// form: `μ = x̄`, `Λ = S⁻¹` (the biased sample covariance).
    #[staticmethod]
    fn gaussian_closed_form(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Self> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let xs = transposed(&a)?;
        let g = py.detach(|| GaussianEnergy::fit_exact(xs)).map_err(err)?;
        Ok(Self::of(Model::Gaussian(g)))
    }

    /// The energy network `Σ_k a_k softplus(w_kᵀx + b_k) + ‖x‖²/(2s²)` with `weights`
    /// (`(n_hidden, n_features)`), `biases` and `output_weights` (`n_hidden`), `scale` `s`.
    #[staticmethod]
    fn network(
        weights: &Bound<'_, PyAny>,
        biases: Vec<f64>,
        output_weights: Vec<f64>,
        scale: f64,
    ) -> PyResult<Self> {
        let w = matrix(weights, "weights", "(n_hidden, n_features)")?;
        let w = transposed(&w)?.transpose();
        Ok(Self::of(Model::Network(
            EnergyNetwork::new(w, biases, output_weights, scale).map_err(err)?,
        )))
    }

    /// An energy network with random parameters from `seed` (`w_k ~ N(0, I/d)`,
    /// `b_k ~ N(0, 1)`, `a_k ~ N(0, 1/H)`).
    #[staticmethod]
    #[pyo3(signature = (n_features, n_hidden, scale, seed=0))]
    fn random_network(n_features: i64, n_hidden: i64, scale: f64, seed: i64) -> PyResult<Self> {
        let d = count("n_features", n_features)?;
        let h = count("n_hidden", n_hidden)?;
        let s = self::seed("random_state", seed)?;
        Ok(Self::of(Model::Network(
            EnergyNetwork::random(d, h, scale, s).map_err(err)?,
        )))
    }

    /// The dense associative memory energy `−β⁻¹ log Σ_μ exp(βξ_μᵀx) + ‖x‖²/(2s²)` with
    /// `patterns` (`(n_patterns, n_features)`), `beta` and `scale`.
    #[staticmethod]
    fn dense_memory(patterns: &Bound<'_, PyAny>, beta: f64, scale: f64) -> PyResult<Self> {
        let p = matrix(patterns, "patterns", "(n_patterns, n_features)")?;
        let p = transposed(&p)?.transpose();
        Ok(Self::of(Model::DenseMemory(
            DenseMemoryEnergy::new(p, beta, scale).map_err(err)?,
        )))
    }

    /// A dense memory whose `n_patterns` initial patterns are distinct rows of `x` drawn
    /// without replacement from `seed` (a partial Fisher–Yates shuffle of the uniforms
    /// `attractor::rng::uniform(seed, n_patterns)`).
    #[staticmethod]
    #[pyo3(signature = (x, n_patterns, beta, scale, seed=0))]
    fn dense_memory_from_data(
        x: &Bound<'_, PyAny>,
        n_patterns: i64,
        beta: f64,
        scale: f64,
        seed: i64,
    ) -> PyResult<Self> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let xs = transposed(&a)?;
        let (d, n) = (xs.nrows(), xs.ncols());
        let k = count("n_patterns", n_patterns)?;
        if k == 0 || k > n {
            return Err(bad(format!(
                "n_patterns = {k}: the initial patterns are distinct samples of X, which has {n}; give 1 <= n_patterns <= {n}"
            )));
        }
        attractor::linalg::check_matrix_finite("X", xs).map_err(err)?;
        let u =
            attractor::rng::uniform(self::seed("random_state", seed)?, k, 0.0, 1.0).map_err(err)?;
        let mut order: Vec<usize> = (0..n).collect();
        for (i, ui) in u.iter().enumerate() {
            let j = i + ((ui * (n - i) as f64) as usize).min(n - i - 1);
            order.swap(i, j);
        }
        let p = Mat::from_fn(k, d, |mu, i| xs[(i, order[mu])]);
        Ok(Self::of(Model::DenseMemory(
            DenseMemoryEnergy::new(p.as_ref(), beta, scale).map_err(err)?,
        )))
    }

    /// `"gaussian"`, `"network"` or `"dense_memory"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.model.name()
    }
    #[getter]
    fn n_features(&self) -> usize {
        self.model.dim()
    }

    /// The parameters as a dict of copies: `mean`, `precision` (Gaussian); `weights`
    /// (`(n_hidden, n_features)`), `biases`, `output_weights`, `scale` (network); `patterns`
    /// (`(n_patterns, n_features)`), `beta`, `scale` (dense memory).
    fn parameters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        match &self.model {
            Model::Gaussian(g) => {
                d.set_item("mean", PyArray1::from_vec(py, g.mean()))?;
                d.set_item("precision", rows_of(py, g.precision().transpose())?)?;
            }
            Model::Network(m) => {
                d.set_item("weights", rows_of(py, m.weights().transpose())?)?;
                d.set_item("biases", PyArray1::from_vec(py, m.biases()))?;
                d.set_item("output_weights", PyArray1::from_vec(py, m.output_weights()))?;
                d.set_item("scale", m.scale())?;
            }
            Model::DenseMemory(m) => {
                d.set_item("patterns", rows_of(py, m.patterns().transpose())?)?;
                d.set_item("beta", m.beta())?;
                d.set_item("scale", m.scale())?;
            }
        }
        Ok(d)
    }

    /// Start a fresh trainer (Adam with zero moments, draws from 0) with these settings, all
    /// checked by the library: `objective` `"denoising"` (at `noise_levels`), `"exact"` or
    /// `"sliced"` (`n_projections` directions per sample from `projection`).
    #[pyo3(signature = (objective="denoising", noise_levels=vec![0.1], n_projections=1, projection="rademacher", learning_rate=0.01, batch_size=128, weight_decay=0.0, seed=0))]
    #[allow(clippy::too_many_arguments)]
    fn set_trainer(
        &mut self,
        objective: &str,
        noise_levels: Vec<f64>,
        n_projections: i64,
        projection: &str,
        learning_rate: f64,
        batch_size: i64,
        weight_decay: f64,
        seed: i64,
    ) -> PyResult<()> {
        let params = ScoreMatchingParams {
            objective: self::objective(objective, noise_levels, n_projections, projection)?,
            learning_rate,
            batch_size: usize::try_from(batch_size).map_err(|_| {
                bad(format!(
                    "batch_size = {batch_size}: give a whole number of samples >= 1"
                ))
            })?,
            weight_decay,
            seed: self::seed("random_state", seed)?,
        };
        let t =
            with_model!(&self.model, m => ScoreMatchingTrainer::new(m, &params)).map_err(err)?;
        self.trainer = Some(t);
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
        self.trainer
            .as_ref()
            .map_or(0, ScoreMatchingTrainer::epochs_done)
    }
    /// The objective on the trainer's last minibatch (NaN without one or before an update).
    #[getter]
    fn last_loss(&self) -> f64 {
        self.trainer
            .as_ref()
            .map_or(f64::NAN, |t| t.rule().last_loss())
    }

    /// Train for `n_epochs` epochs on the rows of `x` (shuffled minibatches of the trainer's
    /// `batch_size`), with the interpreter lock released. Ctrl-C stops training between
    /// minibatches (the updates made are kept); an epoch that makes a parameter non-finite is
    /// undone and ends training. With `monitor_seed`, the objective on all of `x` (its noises
    /// and projections from that seed, the same every epoch) is recorded after each epoch.
    /// Returns a report: `n_epochs` (this call), `n_updates`, `status` (`"completed"`,
    /// `"interrupted"` or `"diverged"`), `diverged_epoch`, `elapsed` seconds, `interrupted`,
    /// `loss` (one value per epoch with `monitor_seed`, else empty).
    #[pyo3(signature = (x, n_epochs, monitor_seed=None))]
    fn fit_epochs<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        n_epochs: i64,
        monitor_seed: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let n_epochs = usize::try_from(n_epochs).map_err(|_| {
            bad(format!(
                "max_epochs = {n_epochs}: give a number of epochs >= 0"
            ))
        })?;
        let monitor = monitor_seed.map(|s| seed("random_state", s)).transpose()?;
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let xs = transposed(&a)?;
        check_width(&self.model, xs, "X")?;
        let Self { model, trainer } = self;
        let trainer = trainer.as_mut().ok_or_else(no_trainer)?;
        let objective = trainer.rule().objective().clone();
        let stop = Interrupt::new();
        let flag = stop.clone();
        let budget = Budget::steps(n_epochs.max(1)).interrupt(stop.clone());
        let mut losses: Vec<f64> = Vec::new();
        let summary = if n_epochs == 0 {
            None
        } else {
            let mut done = 0usize;
            let r = watched(py, "score-matching trainer", &stop, || {
                with_model!(model, m => trainer.fit(m, xs, &budget, |e| {
                    done += 1;
                    if let Some(s) = monitor {
                        losses.push(objective_value(e.model, xs, &objective, s).unwrap_or(f64::NAN));
                    }
                    if done >= n_epochs || flag.is_raised() {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                }))
            });
            Some(r?.map_err(err)?)
        };
        let interrupted = stop.is_raised();
        let d = crate::arrays::train_report(py, summary.as_ref(), interrupted)?;
        d.set_item("loss", losses)?;
        Ok(d)
    }

    /// One Adam update on the minibatch formed by all rows of `x` (scikit-learn's
    /// `partial_fit`), continuing the trainer's moments and draws. Returns the objective on
    /// that minibatch before the update.
    fn partial_fit(&mut self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<f64> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let xs = transposed(&a)?;
        check_width(&self.model, xs, "X")?;
        let Self { model, trainer } = self;
        let t = trainer.as_mut().ok_or_else(no_trainer)?;
        let stop = Interrupt::new();
        let budget = Budget::new().interrupt(stop.clone());
        long_call(
            py,
            "score-matching trainer",
            &stop,
            || with_model!(model, m => t.partial_fit(m, xs, &budget)),
        )?;
        Ok(t.rule().last_loss())
    }

    /// `E(x)` of every row of `x`: `(n_samples,)`.
    fn energies<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let xs = transposed(&a)?;
        check_width(&self.model, xs, "X")?;
        attractor::linalg::check_matrix_finite("X", xs).map_err(err)?;
        let model = &self.model;
        let out = py.detach(|| {
            let mut out = vec![0.0; xs.ncols()];
            with_model!(model, m => m.energies(xs, &mut out));
            out
        });
        Ok(PyArray1::from_vec(py, out))
    }

    /// The score `−∇ₓE(x)` of every row of `x`: `(n_samples, n_features)`.
    fn scores<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let xs = transposed(&a)?;
        check_width(&self.model, xs, "X")?;
        attractor::linalg::check_matrix_finite("X", xs).map_err(err)?;
        let model = &self.model;
        let g = py.detach(|| {
            let mut g = Mat::zeros(xs.nrows(), xs.ncols());
            with_model!(model, m => m.grad_x(xs, g.as_mut()));
            g *= faer::Scale(-1.0);
            g
        });
        rows_of(py, g.as_ref())
    }

    /// The score-matching objective on all rows of `x`, averaged over samples (its noises and
    /// projections from `seed`; the library checks the data).
    #[pyo3(signature = (x, objective="denoising", noise_levels=vec![0.1], n_projections=1, projection="rademacher", seed=0))]
    #[allow(clippy::too_many_arguments)]
    fn objective(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        objective: &str,
        noise_levels: Vec<f64>,
        n_projections: i64,
        projection: &str,
        seed: i64,
    ) -> PyResult<f64> {
        let o = self::objective(objective, noise_levels, n_projections, projection)?;
        let s = self::seed("random_state", seed)?;
        let a = matrix(x, "X", "(n_samples, n_features)")?;
        let xs = transposed(&a)?;
        check_width(&self.model, xs, "X")?;
        let model = &self.model;
        py.detach(|| with_model!(model, m => objective_value(m, xs, &o, s)))
            .map_err(err)
    }

    /// `n_samples` unadjusted Langevin chains `x ← x − h∇E(x) + √(2T_k h) ζ` of `n_steps`
    /// steps, started at `center + spread·ζ` (`center` defaults to 0), chain `j` drawing from
    /// `stream(seed, DYNAMICS + j)`. With `anneal_from > 1` the temperature falls
    /// geometrically from `anneal_from·T` to `T` over the first half of the steps and stays at
    /// `T`. Returns `((n_samples, n_features), interrupted)`: Ctrl-C stops the chains within a
    /// fraction of a second, keeping the states reached.
    #[pyo3(signature = (n_samples, n_steps, step_size=0.01, temperature=1.0, anneal_from=1.0, seed=0, center=None, spread=1.0))]
    #[allow(clippy::too_many_arguments)]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n_samples: i64,
        n_steps: i64,
        step_size: f64,
        temperature: f64,
        anneal_from: f64,
        seed: i64,
        center: Option<Vec<f64>>,
        spread: f64,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, bool)> {
        let n = count("n_samples", n_samples)?;
        if n == 0 {
            return Err(bad("n_samples = 0: draw at least one sample".into()));
        }
        let steps = count("n_steps", n_steps)?;
        if steps == 0 {
            return Err(bad("n_steps = 0: take at least one Langevin step".into()));
        }
        if !(anneal_from.is_finite() && anneal_from > 0.0) {
            return Err(bad(format!(
                "anneal_from = {anneal_from}: give a finite factor >= 1 (1: no annealing; e.g. 3 starts at 3 T)"
            )));
        }
        let seed = self::seed("random_state", seed)?;
        let ramp = if anneal_from > 1.0 && steps >= 2 {
            Ramp::geometric(anneal_from * temperature, temperature, (steps / 2) as f64)
        } else {
            Ramp::constant(temperature)
        };
        let center = center.unwrap_or_else(|| vec![0.0; self.model.dim()]);
        let stop = Interrupt::new();
        let budget = Budget::steps(steps).interrupt(stop.clone());
        let model = &self.model;
        let chains = long_call(py, "Langevin sampler", &stop, || {
            with_model!(model, m => {
                BatchLangevinSampler::new(Batched::new(m.clone()), step_size, ramp)
                    .and_then(|s| s.initial(center, spread))
                    .and_then(|s| s.sample(n, seed, &budget))
            })
        })?;
        Ok((
            rows_of(py, chains.states.as_ref())?,
            chains.status == Status::Interrupted,
        ))
    }

    fn __repr__(&self) -> String {
        let extra = match &self.model {
            Model::Gaussian(_) => String::new(),
            Model::Network(m) => format!(", n_hidden={}, scale={}", m.n_hidden(), m.scale()),
            Model::DenseMemory(m) => format!(
                ", n_patterns={}, beta={}, scale={}",
                m.patterns().nrows(),
                m.beta(),
                m.scale()
            ),
        };
        format!(
            "ScoreEnergyModel(kind={:?}, n_features={}{extra})",
            self.model.name(),
            self.model.dim()
        )
    }
}

/// Register the score-matching class in the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScoreEnergy>()?;
    Ok(())
}
