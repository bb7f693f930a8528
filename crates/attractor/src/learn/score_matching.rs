//! Score matching: fitting an energy `E_θ` to data without its normalising constant, by
//! matching the model's score `ψ_θ(x) = −∇ₓE_θ(x)` to the data's.
//!
//! Three objectives ([`Objective`]), each an average over a minibatch `x_1 … x_B`:
//!
//! - **exact** (Hyvärinen, *Estimation of non-normalized statistical models by score matching*,
//!   JMLR 6, 2005): `J(θ) = E[tr ∇ψ_θ(x) + ½‖ψ_θ(x)‖²] = E[−ΔE_θ(x) + ½‖∇ₓE_θ(x)‖²]`, equal
//!   to `½E‖ψ_θ − ∇log p_data‖²` up to a constant;
//! - **denoising** (Vincent, *A connection between score matching and denoising autoencoders*,
//!   Neural Computation 23, 2011): with `x̃ = x + σζ`, `ζ ~ N(0, I)`, the score of the smoothed
//!   data `p_σ = p_data ∗ N(0, σ²I)` is matched through `½E‖ψ_θ(x̃) + (x̃ − x)/σ²‖²`; here
//!   weighted by `σ²` (Song & Ermon, NeurIPS 2019) so that every level contributes `O(d)`:
//!   `J = ½E‖σ∇ₓE_θ(x̃) − ζ‖²`, and with several levels `σ_1 … σ_L` sample `b` of the
//!   minibatch uses `σ_{b mod L}`;
//! - **sliced** (Song, Garg, Shi & Ermon, *Sliced score matching*, UAI 2019, the
//!   variance-reduced form): `J = E_x E_v[−vᵀ∇²ₓE_θ(x)v + ½‖∇ₓE_θ(x)‖²]` with `E[vvᵀ] = I`
//!   (Gaussian or Rademacher projections), which needs a curvature along `v` instead of the
//!   trace.
//!
//! The energies are [`ScoreEnergy`] models (`models::score_energy`): their score, curvature and
//! the parameter derivatives of both are closed-form matrix products, so the gradient of every
//! objective is exact — no second-order automatic differentiation. Training runs on the shared
//! [`Trainer`] (epochs of minibatches in a seeded order, the call's [`Budget`], observers, an
//! epoch that makes a parameter non-finite undone) with [`Adam`]; the noises of update `k` come
//! from `stream(seed, CORRUPT + k)` and the projections from `stream(seed, DYNAMICS + k)`, so a
//! run depends only on its seed. Samples of the learned density `∝ e^{−E_θ}` come from
//! [`LangevinSampler`](crate::samplers::LangevinSampler) with the model as its energy (an
//! annealed temperature `Ramp::geometric(T₀, 1, n)` helps chains cross between wells).

use super::optimizer::{Adam, Direction, Targets};
use super::trainer::{Dataset, Epoch, Rule, TrainReport, TrainSettings, Trainer};
use crate::error::{Error, Result, check_len, check_positive};
use crate::models::score_energy::ScoreEnergy;
use crate::rng::{stream, streams};
use crate::run::{Budget, Clock};
use faer::{Mat, MatRef};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use std::ops::ControlFlow;

/// The distribution of the projections `v` of sliced score matching (both have `E[vvᵀ] = I`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// `v ~ N(0, I)`.
    Gaussian,
    /// `v_i = ±1` with equal probability (lower variance of `vᵀAv`).
    Rademacher,
}

/// Which score-matching objective to minimise (see the module for the formulas).
#[derive(Debug, Clone, PartialEq)]
pub enum Objective {
    /// Hyvärinen's objective with the exact trace of the Hessian.
    Exact,
    /// Denoising score matching at the noise levels `σ_l > 0`.
    Denoising {
        /// The noise levels, used in turn across a minibatch.
        noise_levels: Vec<f64>,
    },
    /// Sliced score matching with `projections ≥ 1` directions per sample.
    Sliced {
        /// Directions per sample.
        projections: usize,
        /// Their distribution.
        distribution: Projection,
    },
}

impl Objective {
    /// Denoising score matching at one noise level.
    pub fn denoising(sigma: f64) -> Self {
        Self::Denoising {
            noise_levels: vec![sigma],
        }
    }
    /// Sliced score matching with one Rademacher direction per sample.
    pub fn sliced() -> Self {
        Self::Sliced {
            projections: 1,
            distribution: Projection::Rademacher,
        }
    }
    /// Check the settings; the message names the value.
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::Exact => Ok(()),
            Self::Denoising { noise_levels } => {
                if noise_levels.is_empty() {
                    return Err(Error::invalid(
                        "noise_levels",
                        "empty",
                        "give at least one noise level sigma > 0 (e.g. 0.1 of the data's spread)",
                    ));
                }
                for &s in noise_levels {
                    check_positive(
                        "noise level sigma",
                        s,
                        "denoising score matching perturbs the data by sigma * N(0, I)",
                    )?;
                }
                Ok(())
            }
            Self::Sliced { projections, .. } => {
                if *projections == 0 || *projections > 1024 {
                    return Err(Error::invalid(
                        "projections",
                        projections,
                        "use between 1 and 1024 random directions per sample (1 is usual)",
                    ));
                }
                Ok(())
            }
        }
    }
    /// The name used by the CLI and the Python layer.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Denoising { .. } => "denoising",
            Self::Sliced { .. } => "sliced",
        }
    }
}

/// The objective's value on the columns of `x` and, when `grads` is given, its gradient
/// `∂J/∂θ` written into it (one matrix per parameter block, overwritten). The noises and
/// projections are those of draw `draw` of `seed` (the same draw gives the same value, so the
/// gradient can be checked by differences). The caller has checked the shapes.
pub fn objective_and_gradient<M: ScoreEnergy>(
    model: &M,
    x: MatRef<'_, f64>,
    objective: &Objective,
    seed: u64,
    draw: u64,
    grads: Option<&mut [Mat<f64>]>,
) -> f64 {
    let (d, b) = (x.nrows(), x.ncols());
    if b == 0 {
        return 0.0;
    }
    let inv_b = 1.0 / b as f64;
    let mut grads = grads;
    if let Some(g) = grads.as_deref_mut() {
        for m in g.iter_mut() {
            m.fill(0.0);
        }
    }
    match objective {
        Objective::Exact => {
            let mut g = Mat::zeros(d, b);
            model.grad_x(x, g.as_mut());
            let mut tr = vec![0.0; b];
            model.curvature(x, None, &mut tr);
            if let Some(gr) = grads {
                model.add_grad_x_vjp(x, g.as_ref(), inv_b, gr);
                model.add_curvature_grad(x, None, -inv_b, gr);
            }
            half_sq_norms(g.as_ref()) * inv_b - tr.iter().sum::<f64>() * inv_b
        }
        Objective::Sliced {
            projections,
            distribution,
        } => {
            let p = *projections;
            let mut g = Mat::zeros(d, b);
            model.grad_x(x, g.as_mut());
            let mut r = stream(seed, streams::DYNAMICS + draw);
            let v = Mat::from_fn(d, b * p, |_, _| match distribution {
                Projection::Gaussian => StandardNormal.sample(&mut r),
                Projection::Rademacher => {
                    if r.random_bool(0.5) {
                        1.0
                    } else {
                        -1.0
                    }
                }
            });
            let xr = Mat::from_fn(d, b * p, |i, j| x[(i, j % b)]);
            let mut c = vec![0.0; b * p];
            model.curvature(xr.as_ref(), Some(v.as_ref()), &mut c);
            let inv_bp = inv_b / p as f64;
            if let Some(gr) = grads {
                model.add_grad_x_vjp(x, g.as_ref(), inv_b, gr);
                model.add_curvature_grad(xr.as_ref(), Some(v.as_ref()), -inv_bp, gr);
            }
            half_sq_norms(g.as_ref()) * inv_b - c.iter().sum::<f64>() * inv_bp
        }
        Objective::Denoising { noise_levels } => {
            let mut r = stream(seed, streams::CORRUPT + draw);
            let zeta: Mat<f64> = Mat::from_fn(d, b, |_, _| StandardNormal.sample(&mut r));
            let sigma = |j: usize| noise_levels[j % noise_levels.len()];
            let xt = Mat::from_fn(d, b, |i, j| x[(i, j)] + sigma(j) * zeta[(i, j)]);
            let mut g = Mat::zeros(d, b);
            model.grad_x(xt.as_ref(), g.as_mut());
            // residual σ g − ζ; the gradient of ½‖σg − ζ‖² is σ(σg − ζ)ᵀ ∂g/∂θ
            let mut res = Mat::zeros(d, b);
            for j in 0..b {
                let s = sigma(j);
                for i in 0..d {
                    res[(i, j)] = s * g[(i, j)] - zeta[(i, j)];
                }
            }
            let loss = half_sq_norms(res.as_ref()) * inv_b;
            if let Some(gr) = grads {
                for j in 0..b {
                    let s = sigma(j);
                    for i in 0..d {
                        res[(i, j)] *= s;
                    }
                }
                model.add_grad_x_vjp(xt.as_ref(), res.as_ref(), inv_b, gr);
            }
            loss
        }
    }
}

fn half_sq_norms(m: MatRef<'_, f64>) -> f64 {
    (0..m.ncols())
        .map(|j| m.col(j).iter().map(|v| v * v).sum::<f64>())
        .sum::<f64>()
        * 0.5
}

/// Check that `x` holds points of the model's dimension, finite.
fn check_data<M: ScoreEnergy>(model: &M, x: MatRef<'_, f64>) -> Result<()> {
    check_len(
        "data (rows = features)",
        x.nrows(),
        model.dim(),
        "pass one sample per column with as many rows as the energy has features",
    )?;
    crate::linalg::check_matrix_finite("data", x)
}

/// The objective on all columns of `x` (in chunks of 1024 columns, the draws of chunk `c` being
/// `draw + c`), averaged over samples.
pub fn objective_value<M: ScoreEnergy>(
    model: &M,
    x: MatRef<'_, f64>,
    objective: &Objective,
    seed: u64,
) -> Result<f64> {
    objective.validate()?;
    check_data(model, x)?;
    let n = x.ncols();
    if n == 0 {
        return Err(Error::invalid(
            "data (samples)",
            0,
            "pass at least one sample (one per column)",
        ));
    }
    let mut total = 0.0;
    for (c, start) in (0..n).step_by(1024).enumerate() {
        let len = 1024.min(n - start);
        let part = objective_and_gradient(
            model,
            x.subcols(start, len),
            objective,
            seed,
            c as u64,
            None,
        );
        total += part * len as f64;
    }
    Ok(total / n as f64)
}

/// Score matching as a [`Rule`] of the shared trainer: each minibatch's exact gradient of the
/// [`Objective`], added as the descent direction `−∂J/∂θ`.
#[derive(Debug, Clone)]
pub struct ScoreMatching {
    objective: Objective,
    seed: u64,
    draws: u64,
    xb: Mat<f64>,
    grads: Vec<Mat<f64>>,
    loss: f64,
}

impl ScoreMatching {
    /// The rule for `objective` (checked), its noises and projections drawn from `seed`.
    pub fn new(objective: Objective, seed: u64) -> Result<Self> {
        objective.validate()?;
        Ok(Self {
            objective,
            seed,
            draws: 0,
            xb: Mat::zeros(0, 0),
            grads: Vec::new(),
            loss: f64::NAN,
        })
    }
    /// The objective.
    pub fn objective(&self) -> &Objective {
        &self.objective
    }
    /// The objective on the last minibatch (NaN before the first update).
    pub fn last_loss(&self) -> f64 {
        self.loss
    }
    /// Minibatches estimated so far (the draw index of the next one).
    pub fn n_draws(&self) -> u64 {
        self.draws
    }
}

impl<M: ScoreEnergy> Rule<M> for ScoreMatching {
    fn reserve(&mut self, model: &M, b: usize) -> Result<()> {
        let specs = model.block_specs();
        let fits = self.grads.len() == specs.len()
            && self
                .grads
                .iter()
                .zip(&specs)
                .all(|(g, s)| g.nrows() == s.rows && g.ncols() == s.cols);
        if !fits {
            self.grads = specs
                .iter()
                .map(|s| {
                    crate::memory::try_zeros(
                        "score-matching gradient",
                        s.rows,
                        s.cols,
                        "use a smaller model",
                    )
                })
                .collect::<Result<_>>()?;
        }
        if self.xb.nrows() != model.dim() || self.xb.ncols() < b {
            self.xb = crate::memory::try_zeros(
                "score-matching minibatch",
                model.dim(),
                b,
                "use a smaller batch_size",
            )?;
        }
        Ok(())
    }

    fn estimate(
        &mut self,
        model: &M,
        data: &Dataset<'_>,
        idx: &[usize],
        _clock: &Clock,
    ) -> Result<()> {
        check_len(
            "data (rows = features)",
            data.x.nrows(),
            model.dim(),
            "pass one sample per column with as many rows as the energy has features",
        )?;
        <Self as Rule<M>>::reserve(self, model, idx.len())?;
        for (c, &j) in idx.iter().enumerate() {
            for i in 0..model.dim() {
                self.xb[(i, c)] = data.x[(i, j)];
            }
        }
        self.loss = objective_and_gradient(
            model,
            self.xb.subcols(0, idx.len()),
            &self.objective,
            self.seed,
            self.draws,
            Some(&mut self.grads),
        );
        self.draws += 1;
        Ok(())
    }
}

impl Direction for ScoreMatching {
    fn add_into(&mut self, targets: &mut Targets<'_, '_>) {
        for (i, g) in self.grads.iter().enumerate() {
            let s = -targets.scale(i);
            let mut t = targets.get(i);
            for j in 0..g.ncols() {
                for r in 0..g.nrows() {
                    t[(r, j)] += s * g[(r, j)];
                }
            }
        }
    }
}

/// The settings of [`ScoreMatchingTrainer`] apart from the run's [`Budget`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreMatchingParams {
    /// The objective.
    pub objective: Objective,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Samples per minibatch.
    pub batch_size: usize,
    /// L2 weight decay on the weight blocks.
    pub weight_decay: f64,
    /// The seed of the shuffles, noises and projections.
    pub seed: u64,
}

impl Default for ScoreMatchingParams {
    /// Denoising at `σ = 0.1`, Adam at `η = 0.01`, minibatches of 128, no decay, seed 0.
    fn default() -> Self {
        Self {
            objective: Objective::denoising(0.1),
            learning_rate: 0.01,
            batch_size: 128,
            weight_decay: 0.0,
            seed: 0,
        }
    }
}

/// Score matching on the shared [`Trainer`] with [`Adam`].
#[derive(Debug)]
pub struct ScoreMatchingTrainer {
    trainer: Trainer<ScoreMatching, Adam>,
}

impl ScoreMatchingTrainer {
    /// A trainer for `model`'s parameter blocks with validated `params`.
    pub fn new<M: ScoreEnergy>(model: &M, params: &ScoreMatchingParams) -> Result<Self> {
        let rule = ScoreMatching::new(params.objective.clone(), params.seed)?;
        let adam = Adam::new(
            model.block_specs(),
            params.learning_rate,
            params.weight_decay,
        )?;
        let settings = TrainSettings {
            batch_size: params.batch_size,
            shuffle: true,
            seed: params.seed,
        };
        Ok(Self {
            trainer: Trainer::new(rule, adam, settings)?,
        })
    }

    /// Train `model` on the columns of `x` within `budget` (epochs, time, interrupt), calling
    /// `observer` after every epoch (`ControlFlow::Break` stops and keeps the model).
    pub fn fit<M: ScoreEnergy>(
        &mut self,
        model: &mut M,
        x: MatRef<'_, f64>,
        budget: &Budget,
        observer: impl FnMut(&Epoch<'_, M, ScoreMatching>) -> ControlFlow<()>,
    ) -> Result<TrainReport> {
        check_data(model, x)?;
        self.trainer
            .fit(model, &Dataset::unsupervised(x), budget, observer)
    }

    /// One update on all columns of `x` (a minibatch, scikit-learn's `partial_fit`).
    pub fn partial_fit<M: ScoreEnergy>(
        &mut self,
        model: &mut M,
        x: MatRef<'_, f64>,
        budget: &Budget,
    ) -> Result<()> {
        check_data(model, x)?;
        if x.ncols() == 0 {
            return Err(Error::invalid(
                "data (samples)",
                0,
                "pass at least one sample (one per column)",
            ));
        }
        let idx: Vec<usize> = (0..x.ncols()).collect();
        self.trainer
            .update(model, &Dataset::unsupervised(x), &idx, budget)
    }

    /// The rule (its last minibatch's objective).
    pub fn rule(&self) -> &ScoreMatching {
        self.trainer.rule()
    }
    /// Epochs completed.
    pub fn epochs_done(&self) -> usize {
        self.trainer.epochs_done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::score_energy::{DenseMemoryEnergy, EnergyNetwork, GaussianEnergy};

    fn gaussian_matrix(rows: usize, cols: usize, seed: u64) -> Mat<f64> {
        let mut r = stream(seed, 0);
        Mat::from_fn(rows, cols, |_, _| -> f64 { StandardNormal.sample(&mut r) })
    }

    fn flat_grads(g: &[Mat<f64>]) -> Vec<f64> {
        g.iter()
            .flat_map(|m| (0..m.ncols()).flat_map(move |j| (0..m.nrows()).map(move |i| m[(i, j)])))
            .collect()
    }

    /// `∂J/∂θ` along a random direction against central differences of `J` at fixed draws.
    fn check_objective<M: ScoreEnergy>(model: &M, objective: &Objective, symmetric: bool) {
        let d = model.dim();
        let x = gaussian_matrix(d, 6, 11);
        let specs = model.block_specs();
        let mut grads: Vec<Mat<f64>> = specs.iter().map(|s| Mat::zeros(s.rows, s.cols)).collect();
        objective_and_gradient(model, x.as_ref(), objective, 3, 5, Some(&mut grads));
        let dir: Vec<Mat<f64>> = specs
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let r = gaussian_matrix(s.rows, s.cols, 20 + k as u64);
                if symmetric && k == 0 {
                    Mat::from_fn(s.rows, s.cols, |i, j| r[(i, j)] + r[(j, i)])
                } else {
                    r
                }
            })
            .collect();
        let an: f64 = flat_grads(&grads)
            .iter()
            .zip(flat_grads(&dir))
            .map(|(a, b)| a * b)
            .sum();
        let h = 1e-5;
        let at = |t: f64| {
            let mut m = model.clone();
            m.with_blocks_mut(&mut |bs| {
                for (b, dd) in bs.iter_mut().zip(&dir) {
                    for j in 0..dd.ncols() {
                        for i in 0..dd.nrows() {
                            b[(i, j)] += t * dd[(i, j)];
                        }
                    }
                }
            });
            objective_and_gradient(&m, x.as_ref(), objective, 3, 5, None)
        };
        let fd = (at(h) - at(-h)) / (2.0 * h);
        assert!(
            (an - fd).abs() < 1e-5 * (1.0 + fd.abs()),
            "{}: {an} vs {fd}",
            objective.name()
        );
    }

    fn objectives() -> Vec<Objective> {
        vec![
            Objective::Exact,
            Objective::Denoising {
                noise_levels: vec![0.3, 0.1],
            },
            Objective::Sliced {
                projections: 2,
                distribution: Projection::Gaussian,
            },
            Objective::sliced(),
        ]
    }

    #[test]
    fn objective_gradients_match_finite_differences() {
        let g = GaussianEnergy::new(
            vec![0.2, -0.1, 0.4],
            Mat::from_fn(3, 3, |i, j| if i == j { 2.0 } else { 0.3 }),
        )
        .unwrap();
        let net = EnergyNetwork::random(3, 6, 2.0, 4).unwrap();
        let dam = DenseMemoryEnergy::new(gaussian_matrix(4, 3, 8).as_ref(), 0.7, 1.5).unwrap();
        for o in objectives() {
            check_objective(&g, &o, true);
            check_objective(&net, &o, false);
            check_objective(&dam, &o, false);
        }
    }

    #[test]
    fn sliced_is_unbiased_for_the_exact_objective() {
        // E_v[vᵀAv] = tr A: the mean of many sliced values approaches the exact objective
        let net = EnergyNetwork::random(4, 8, 2.0, 1).unwrap();
        let x = gaussian_matrix(4, 64, 2);
        let exact = objective_and_gradient(&net, x.as_ref(), &Objective::Exact, 0, 0, None);
        let s = Objective::Sliced {
            projections: 64,
            distribution: Projection::Rademacher,
        };
        let mean = (0..20)
            .map(|k| objective_and_gradient(&net, x.as_ref(), &s, 9, k, None))
            .sum::<f64>()
            / 20.0;
        assert!(
            (mean - exact).abs() < 0.02 * (1.0 + exact.abs()),
            "{mean} vs {exact}"
        );
    }

    #[test]
    fn bad_settings_are_named() {
        let e = Objective::Denoising {
            noise_levels: vec![],
        }
        .validate()
        .unwrap_err();
        assert!(e.to_string().contains("noise_levels"), "{e}");
        let e = Objective::denoising(-1.0).validate().unwrap_err();
        assert!(e.to_string().contains("sigma"), "{e}");
        let e = Objective::Sliced {
            projections: 0,
            distribution: Projection::Gaussian,
        }
        .validate()
        .unwrap_err();
        assert!(e.to_string().contains("projections"), "{e}");
        let mut g = GaussianEnergy::standard(2).unwrap();
        let mut t = ScoreMatchingTrainer::new(&g, &ScoreMatchingParams::default()).unwrap();
        let x = Mat::<f64>::zeros(3, 10);
        let e = t.fit(&mut g, x.as_ref(), &Budget::steps(1), |_| {
            ControlFlow::Continue(())
        });
        assert!(e.unwrap_err().to_string().contains("features"));
        let bad = ScoreMatchingParams {
            learning_rate: 0.0,
            ..Default::default()
        };
        assert!(ScoreMatchingTrainer::new(&g, &bad).is_err());
    }
}
