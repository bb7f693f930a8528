//! The partition function `Z = Σ_{v,h} e^{−E(v,h)}` of an RBM: exactly, by enumerating the
//! smaller layer, and by annealed importance sampling for models too large to enumerate.
//!
//! # Exact
//! Summing out one layer in closed form leaves a sum over the other:
//! `log Z = log Σ_v e^{−F(v)}` (enumerate `v`), or
//! `log Z = log Σ_h exp(bᵀh + Σ_i softplus(a_i + W_i h))` (enumerate `h`, Bernoulli visible), or
//! `log Z = ½ n_v log 2π + log Σ_h exp(bᵀh + ½‖a + Wh‖² − ½‖a‖²)` (Gaussian visible: the
//! integral over `v` is Gaussian). The sum is a log-sum-exp over `2^m` states, `m` the size of
//! the enumerated layer, refused above [`MAX_EXACT_UNITS`].
//!
//! # Annealed importance sampling
//! Salakhutdinov & Murray, "On the quantitative analysis of deep belief networks" (ICML 2008),
//! after Neal, "Annealed importance sampling" (Statistics and Computing, 2001). The base model
//! `A` has `W = 0`, hidden bias 0 and visible bias `a_A`, so `Z_A` is known and `A` is sampled
//! exactly. With `0 = β_0 < β_1 < … < β_K = 1`, the intermediate marginals are
//! `log p*_β(v) = (1−β) a_Aᵀv + β aᵀv + Σ_j softplus(β(b_j + W_jᵀv))` (Bernoulli; Gaussian:
//! `−½‖v‖² + ((1−β)a_A + βa)ᵀv − ½((1−β)‖a_A‖² + β‖a‖²) + Σ_j softplus(…)`), so
//! `Z_0 = 2^{n_h} Z_A` and `Z_K = Z`. A run draws `v_1 ~ p_0` and `v_{k+1} ~ T_k(v_k)`, a Gibbs
//! sweep that leaves `p_k` invariant (`h ~ σ(β_k(b + Wᵀv))`, then
//! `v ~ σ((1−β_k)a_A + β_k(a + Wh))`, or `N((1−β_k)a_A + β_k(a + Wh), I)`), with importance
//! weight `log w = Σ_{k=1}^{K} [log p*_k(v_k) − log p*_{k−1}(v_k)]`. Then
//! `Ẑ = Z_0 · mean(w)` is unbiased for `Z`; `log Ẑ` is biased low in expectation (Jensen), so
//! AIS tends to *under*estimate `log Z` and so to overestimate the log-likelihood when the
//! schedule is too short.

use super::gibbs::{CHAIN_BLOCK, for_chain_blocks};
use super::kernels::{self, LogSumExp, col, col_mut, softplus};
use super::model::{Rbm, VisibleUnits};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::run::{Budget, Clock};
use crate::schedule::Schedule;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par};
use std::sync::atomic::{AtomicBool, Ordering};

/// The largest layer that exact computations enumerate: `2^24` states.
pub const MAX_EXACT_UNITS: usize = 24;

/// States per block of the enumeration (one product each).
const ENUM_BLOCK: usize = 256;

/// Which layer an exact computation sums over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    Visible,
    Hidden,
}

impl Rbm {
    /// The layer an exact computation enumerates: the smaller one for Bernoulli visible units
    /// (the hidden layer on a tie), always the hidden layer for Gaussian ones; refused above
    /// [`MAX_EXACT_UNITS`] units.
    pub(crate) fn enumerated_layer(&self) -> Result<(Layer, usize)> {
        let (nv, nh) = (self.n_visible(), self.n_hidden());
        let (layer, m) = match self.visible {
            VisibleUnits::Bernoulli if nv < nh => (Layer::Visible, nv),
            _ => (Layer::Hidden, nh),
        };
        if m > MAX_EXACT_UNITS {
            let what = match self.visible {
                VisibleUnits::Bernoulli => format!("min(n_visible, n_hidden) = {m}"),
                VisibleUnits::Gaussian => format!("n_hidden = {m} (Gaussian visible units)"),
            };
            return Err(Error::invalid(
                "exact partition function",
                what,
                &format!(
                    "exact log Z enumerates 2^{m} states and is limited to {MAX_EXACT_UNITS} units in the enumerated layer; estimate it by annealed importance sampling (AIS) instead"
                ),
            ));
        }
        Ok((layer, m))
    }

    /// The exact `log Z`, by a log-sum-exp over the `2^m` states of the enumerated layer
    /// (module docs); blocks of states run in parallel with `par`, and the result does not
    /// depend on the number of threads. Refused when the layer has more than
    /// [`MAX_EXACT_UNITS`] units.
    ///
    /// ```
    /// use attractor::models::rbm::Rbm;
    /// let rbm = Rbm::random(3, 2, 0.0, 0)?; // W = 0, biases 0: Z = 2^5
    /// assert!((rbm.log_z_exact(attractor::Par::Seq)? - 32f64.ln()).abs() < 1e-12);
    /// # Ok::<(), attractor::Error>(())
    /// ```
    pub fn log_z_exact(&self, par: Par) -> Result<f64> {
        self.log_z_exact_within(par, &Budget::new())
    }

    /// [`log_z_exact`](Self::log_z_exact) bounded by `budget`'s time and interrupt, polled
    /// before every block of states: when either fires the enumeration stops with
    /// [`Error::Stopped`] (2^24 states of a wide model take minutes).
    pub fn log_z_exact_within(&self, par: Par, budget: &Budget) -> Result<f64> {
        use rayon::prelude::*;
        let (layer, m) = self.enumerated_layer()?;
        let n_states = 1usize << m;
        let n_blocks = n_states.div_ceil(ENUM_BLOCK);
        let clock = budget.start();
        let stopped = AtomicBool::new(false);
        let block = |scratch: &mut EnumScratch, blk: usize| {
            if stopped.load(Ordering::Relaxed) || clock.check().is_some() {
                stopped.store(true, Ordering::Relaxed);
                return LogSumExp::default();
            }
            let c0 = blk * ENUM_BLOCK;
            let n = ENUM_BLOCK.min(n_states - c0);
            self.enum_block(layer, c0, n, scratch);
            let mut acc = LogSumExp::default();
            for &x in &scratch.lw[..n] {
                acc.add(x);
            }
            acc
        };
        let parts: Vec<LogSumExp> = match crate::linalg::effective_par(par) {
            Par::Rayon(_) if n_blocks > 1 => (0..n_blocks)
                .into_par_iter()
                .map_init(|| EnumScratch::new(self, layer, m), block)
                .collect(),
            _ => {
                let mut s = EnumScratch::new(self, layer, m);
                (0..n_blocks).map(|b| block(&mut s, b)).collect()
            }
        };
        if stopped.load(Ordering::Relaxed) {
            clock.check_err("the exact enumeration of log Z")?;
        }
        let mut total = LogSumExp::default();
        for p in parts {
            total.merge(p);
        }
        self.finite_log_z(total.value() + self.log_z_offset(layer), "exact log Z")
    }

    /// `log_z` when it is finite; otherwise an error naming the parameters' largest magnitude:
    /// energies beyond the range of `f64` (weights of 1e308) make the sums `inf − inf` or
    /// `inf`, and a NaN or infinite `log Z` is not an answer.
    fn finite_log_z(&self, log_z: f64, method: &str) -> Result<f64> {
        if log_z.is_finite() {
            return Ok(log_z);
        }
        let largest = |x: &[f64]| x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let w_max =
            (0..self.n_hidden()).fold(0.0f64, |m, j| m.max(largest(self.w.col_as_slice(j))));
        Err(Error::invalid(
            "log Z",
            crate::format_number(log_z),
            &format!(
                "{method}: the model's energies overflow f64 (largest |W| = {}, |a| = {}, |b| = {}); the parameters are diverged, retrain with a smaller learning rate or weight decay",
                crate::format_number(w_max),
                crate::format_number(largest(&self.a)),
                crate::format_number(largest(&self.b)),
            ),
        ))
    }

    /// The constant added to the enumerated log-sum-exp (`½ n_v log 2π − ½‖a‖²` for Gaussian
    /// units, 0 otherwise).
    fn log_z_offset(&self, layer: Layer) -> f64 {
        match (self.visible, layer) {
            (VisibleUnits::Gaussian, _) => {
                0.5 * self.n_visible() as f64 * (2.0 * std::f64::consts::PI).ln()
                    - 0.5 * crate::linalg::dot(&self.a, &self.a)
            }
            _ => 0.0,
        }
    }

    /// Fill `scratch` for the states `c0 .. c0 + n` of the enumerated layer: `s` their bits,
    /// `x` the other layer's input (`a + W h` or `b + Wᵀ v`), `lw` their unnormalised log
    /// probabilities (without [`log_z_offset`](Self::log_z_offset)).
    fn enum_block(&self, layer: Layer, c0: usize, n: usize, sc: &mut EnumScratch) {
        for c in 0..n {
            let code = c0 + c;
            for (i, x) in sc.s.col_as_slice_mut(c).iter_mut().enumerate() {
                *x = ((code >> i) & 1) as f64;
            }
        }
        let s = sc.s.as_ref().subcols(0, n);
        let mut x = sc.x.as_mut().subcols_mut(0, n);
        let (bias_other, bias_own) = match layer {
            Layer::Hidden => {
                faer::linalg::matmul::matmul(
                    x.rb_mut(),
                    Accum::Replace,
                    self.w.as_ref(),
                    s,
                    1.0,
                    Par::Seq,
                );
                (&self.a, &self.b)
            }
            Layer::Visible => {
                faer::linalg::matmul::matmul(
                    x.rb_mut(),
                    Accum::Replace,
                    self.w.transpose(),
                    s,
                    1.0,
                    Par::Seq,
                );
                (&self.b, &self.a)
            }
        };
        crate::linalg::clear_avx_upper_state();
        for c in 0..n {
            let xc = col_mut(&mut x, c);
            for (v, &bo) in xc.iter_mut().zip(bias_other) {
                *v += bo;
            }
            let own = crate::linalg::dot(bias_own, col(s, c));
            let other: f64 = match (self.visible, layer) {
                (VisibleUnits::Gaussian, _) => 0.5 * crate::linalg::dot(xc, xc),
                _ => crate::fastmath::softplus_sum(xc),
            };
            sc.lw[c] = own + other;
        }
    }

    /// The model's expectations `(⟨v hᵀ⟩, ⟨v⟩, ⟨h⟩)` under `p(v, h) = e^{−E}/Z`, exactly, by
    /// enumerating the smaller layer (single-threaded), given `log Z`.
    pub(crate) fn model_moments_exact(&self, log_z: f64) -> Result<(Mat<f64>, Vec<f64>, Vec<f64>)> {
        let (layer, m) = self.enumerated_layer()?;
        let (nv, nh) = (self.n_visible(), self.n_hidden());
        let n_states = 1usize << m;
        let mut vh = Mat::<f64>::zeros(nv, nh);
        let mut ev = vec![0.0; nv];
        let mut eh = vec![0.0; nh];
        let mut sc = EnumScratch::new(self, layer, m);
        let offset = self.log_z_offset(layer) - log_z;
        let mut c0 = 0;
        while c0 < n_states {
            let n = ENUM_BLOCK.min(n_states - c0);
            self.enum_block(layer, c0, n, &mut sc);
            // conditional means of the other layer, then weights p(state)
            for c in 0..n {
                let xc = sc.x.col_as_slice_mut(c);
                if !(self.visible == VisibleUnits::Gaussian && layer == Layer::Hidden) {
                    crate::fastmath::sigmoid_in_place(xc);
                }
                sc.lw[c] = (sc.lw[c] + offset).exp();
            }
            let (own, other) = (sc.s.as_ref().subcols(0, n), sc.x.as_ref().subcols(0, n));
            let (vis, hid, ev_src, eh_src) = match layer {
                Layer::Hidden => (other, own, other, own),
                Layer::Visible => (own, other, own, other),
            };
            for c in 0..n {
                let p = sc.lw[c];
                for (e, &x) in ev.iter_mut().zip(col(ev_src, c)) {
                    *e += p * x;
                }
                for (e, &x) in eh.iter_mut().zip(col(eh_src, c)) {
                    *e += p * x;
                }
            }
            // ⟨v hᵀ⟩ += V diag(p) Hᵀ
            sc.scaled = vis.to_owned();
            for c in 0..n {
                let p = sc.lw[c];
                for x in sc.scaled.col_as_slice_mut(c) {
                    *x *= p;
                }
            }
            faer::linalg::matmul::matmul(
                vh.as_mut(),
                Accum::Add,
                sc.scaled.as_ref(),
                hid.transpose(),
                1.0,
                Par::Seq,
            );
            crate::linalg::clear_avx_upper_state();
            c0 += n;
        }
        Ok((vh, ev, eh))
    }
}

struct EnumScratch {
    s: Mat<f64>,
    x: Mat<f64>,
    lw: Vec<f64>,
    scaled: Mat<f64>,
}

impl EnumScratch {
    fn new(rbm: &Rbm, layer: Layer, m: usize) -> Self {
        let n = ENUM_BLOCK.min(1 << m);
        let other = match layer {
            Layer::Hidden => rbm.n_visible(),
            Layer::Visible => rbm.n_hidden(),
        };
        Self {
            s: Mat::zeros(m, n),
            x: Mat::zeros(other, n),
            lw: vec![0.0; n],
            scaled: Mat::new(),
        }
    }
}

/// The spacing of the inverse temperatures `0 = β_0 < … < β_K = 1` of AIS.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum AisSchedule {
    /// `β_k = k/K`.
    #[default]
    Linear,
    /// `β_0 = 0`, then `K` values spaced geometrically from `beta_min` to 1
    /// (`β_k = beta_min^{(K−k)/(K−1)}`), finer near 0.
    Geometric {
        /// The first non-zero `β`, in `(0, 1)`.
        beta_min: f64,
    },
    /// An explicit increasing list from 0 to 1 (e.g. Salakhutdinov & Murray's piecewise
    /// schedule: steps of 10⁻³ up to 0.5, 10⁻⁴ up to 0.9, 10⁻⁴ up to 1).
    Betas(Vec<f64>),
}

/// The visible bias `a_A` of the AIS base model.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum AisBase {
    /// From the data passed to [`Rbm::ais_log_z`] when there is some (Salakhutdinov &
    /// Murray's base rate): `a_A,i = logit(p̂_i)` with `p̂_i = (Σ_s v_is + 1)/(n + 2)` (add-one
    /// smoothed marginals, Bernoulli), or the data mean (Gaussian); zero without data.
    #[default]
    FromData,
    /// `a_A = 0` (the uniform distribution for Bernoulli units, `N(0, I)` for Gaussian).
    Zero,
    /// An explicit visible bias (length `n_visible`, finite).
    Bias(Vec<f64>),
}

/// Settings of annealed importance sampling. The defaults (100 runs, 10,000 linear steps)
/// estimate the `log Z` of a 20 × 10 RBM with weights of scale 1 within 0.1 nats (tested);
/// large models (784 × 500 in Salakhutdinov & Murray) use 14,500 or more steps.
#[derive(Debug, Clone, PartialEq)]
pub struct AisParams {
    /// Independent AIS runs (chains), at least 2 (for the standard error).
    pub n_runs: usize,
    /// Intermediate distributions `K` (transitions), at least 1; ignored by
    /// [`AisSchedule::Betas`].
    pub n_betas: usize,
    /// The spacing of the `β_k`.
    pub schedule: AisSchedule,
    /// The base model's visible bias.
    pub base: AisBase,
    /// Run `r` draws from `rng::stream(seed, streams::DYNAMICS + r)`.
    pub seed: u64,
    /// Blocks of runs in parallel (results identical for any `par`).
    pub par: Par,
}

impl Default for AisParams {
    fn default() -> Self {
        Self {
            n_runs: 100,
            n_betas: 10_000,
            schedule: AisSchedule::Linear,
            base: AisBase::FromData,
            seed: 0,
            par: Par::Seq,
        }
    }
}

impl AisParams {
    /// The inverse temperatures `β_0 = 0, …, β_K = 1`, checked.
    pub fn betas(&self) -> Result<Vec<f64>> {
        let k = self.n_betas;
        let betas: Vec<f64> = match &self.schedule {
            AisSchedule::Betas(b) => b.clone(),
            s => {
                if k == 0 {
                    return Err(Error::invalid(
                        "n_betas",
                        0,
                        "AIS needs at least one intermediate distribution (e.g. 10000)",
                    ));
                }
                if k > 100_000_000 {
                    return Err(Error::invalid(
                        "n_betas",
                        k,
                        "use at most 100000000 intermediate distributions",
                    ));
                }
                match s {
                    AisSchedule::Geometric { beta_min } => {
                        if !(beta_min.is_finite() && *beta_min > 0.0 && *beta_min < 1.0) {
                            return Err(Error::invalid(
                                "beta_min",
                                beta_min,
                                "the first inverse temperature of a geometric schedule must lie in (0, 1), e.g. 1e-3",
                            ));
                        }
                        // β_0 = 0, then K values geometric from beta_min to exactly 1
                        let mut b = vec![0.0];
                        b.extend(
                            Schedule::Geometric {
                                start: *beta_min,
                                end: 1.0,
                            }
                            .values(k),
                        );
                        b[k] = 1.0;
                        b
                    }
                    _ => Schedule::Linear {
                        start: 0.0,
                        end: 1.0,
                    }
                    .values(k + 1),
                }
            }
        };
        let ok = betas.len() >= 2
            && betas[0] == 0.0
            && betas[betas.len() - 1] == 1.0
            && betas.windows(2).all(|w| w[0] <= w[1]);
        if !ok {
            return Err(Error::invalid(
                "AIS betas",
                format!(
                    "{} values from {} to {}",
                    betas.len(),
                    betas.first().copied().unwrap_or(f64::NAN),
                    betas.last().copied().unwrap_or(f64::NAN)
                ),
                "the inverse temperatures must increase from exactly 0 to exactly 1",
            ));
        }
        Ok(betas)
    }
}

/// The result of [`Rbm::ais_log_z`].
#[derive(Debug, Clone, PartialEq)]
pub struct AisResult {
    /// `log Ẑ = log Z_0 + log mean_r w_r`.
    pub log_z: f64,
    /// The standard error of `log Ẑ` by the delta method: `sd(w)/(mean(w)·√n_runs)`.
    pub std_err: f64,
    /// `log w_r` of every run.
    pub log_weights: Vec<f64>,
    /// `log Z_0` of the base distribution at `β = 0` (`log Z_A + n_h log 2`).
    pub log_z_base: f64,
    /// The base model's visible bias `a_A`.
    pub base_bias: Vec<f64>,
}

impl Rbm {
    /// Estimate `log Z` by annealed importance sampling (module docs). `data` (one sample per
    /// column), when given and `params.base` is [`AisBase::FromData`], sets the base model's
    /// visible bias from the data marginals. Runs are batched as matrix products in blocks of
    /// 32, the blocks run in parallel with `params.par`, and the result does not depend on the
    /// number of threads. `budget`'s time and interrupt are polled every 16 β steps of every
    /// block of runs; when either fires the estimate stops with [`Error::Stopped`] (its number
    /// of steps is not used: the schedule is `params`').
    pub fn ais_log_z(
        &self,
        params: &AisParams,
        data: Option<MatRef<'_, f64>>,
        budget: &Budget,
    ) -> Result<AisResult> {
        params.betas()?;
        if params.n_runs < 2 {
            return Err(Error::invalid(
                "n_runs",
                params.n_runs,
                "AIS needs at least 2 runs for its standard error (e.g. 100)",
            ));
        }
        let path = self.ais_path(params, data)?;
        let nv = self.n_visible();
        let fix = "use fewer AIS runs (n_runs)";
        crate::memory::check(
            "AIS chains (n_visible x n_runs)",
            &[nv, params.n_runs],
            8,
            fix,
        )?;
        let mut rngs = crate::markov::try_chain_rngs(params.seed, params.n_runs)?;
        let mut states =
            crate::memory::try_zeros("AIS chains (n_visible x n_runs)", nv, params.n_runs, fix)?;
        let mut log_w = crate::memory::try_vec("AIS log-weights", params.n_runs, 0.0, fix)?;
        let ctx = AisContext {
            rbm: self,
            path: &path,
            clock: budget.start(),
            stopped: AtomicBool::new(false),
        };
        let run = |v: MatMut<'_, f64>, r: &mut [Rng], lw: &mut [f64]| ctx.run_block(v, r, lw);
        for_chain_blocks(states.as_mut(), &mut rngs, &mut log_w, params.par, &run);
        if ctx.stopped.load(Ordering::Relaxed) {
            ctx.clock.check_err("annealed importance sampling")?;
        }
        let AisPath {
            a_base, log_z_base, ..
        } = path;
        let mut acc = LogSumExp::default();
        for &x in &log_w {
            acc.add(x);
        }
        let n = params.n_runs as f64;
        let log_mean = acc.value() - n.ln();
        // delta method on w / max w
        let mx = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let ws: Vec<f64> = log_w.iter().map(|&x| (x - mx).exp()).collect();
        let mean = ws.iter().sum::<f64>() / n;
        let var = ws.iter().map(|w| (w - mean) * (w - mean)).sum::<f64>() / (n - 1.0);
        let std_err = var.sqrt() / (mean * n.sqrt());
        Ok(AisResult {
            log_z: self.finite_log_z(log_z_base + log_mean, "AIS")?,
            std_err,
            log_weights: log_w,
            log_z_base,
            base_bias: a_base,
        })
    }

    /// The annealing path of AIS (and of its reverse, RAISE): the `β_k`, the base model and
    /// its `log Z_0`, all checked.
    pub(super) fn ais_path(
        &self,
        params: &AisParams,
        data: Option<MatRef<'_, f64>>,
    ) -> Result<AisPath> {
        let betas = params.betas()?;
        let a_base = self.ais_base_bias(&params.base, data)?;
        let (nv, nh) = (self.n_visible(), self.n_hidden());
        let log_z_base = nh as f64 * std::f64::consts::LN_2
            + match self.visible {
                VisibleUnits::Bernoulli => a_base.iter().map(|&x| softplus(x)).sum::<f64>(),
                VisibleUnits::Gaussian => 0.5 * nv as f64 * (2.0 * std::f64::consts::PI).ln(),
            };
        // (a − a_A), and for Gaussian units the constant −½(‖a‖² − ‖a_A‖²) per unit of β
        let da: Vec<f64> = self.a.iter().zip(&a_base).map(|(a, b)| a - b).collect();
        let dconst = match self.visible {
            VisibleUnits::Bernoulli => 0.0,
            VisibleUnits::Gaussian => {
                -0.5 * (crate::linalg::dot(&self.a, &self.a) - crate::linalg::dot(&a_base, &a_base))
            }
        };
        Ok(AisPath {
            betas,
            a_base,
            da,
            dconst,
            log_z_base,
        })
    }

    fn ais_base_bias(&self, base: &AisBase, data: Option<MatRef<'_, f64>>) -> Result<Vec<f64>> {
        let nv = self.n_visible();
        match (base, data) {
            (AisBase::Zero, _) | (AisBase::FromData, None) => Ok(vec![0.0; nv]),
            (AisBase::Bias(b), _) => {
                crate::error::check_len(
                    "AIS base bias",
                    b.len(),
                    nv,
                    "the base model's visible bias has one entry per visible unit",
                )?;
                if let Some(i) = b.iter().position(|x| !x.is_finite()) {
                    return Err(Error::invalid(
                        "AIS base bias",
                        format!("{} at unit {i}", b[i]),
                        "the base model's visible bias must be finite",
                    ));
                }
                Ok(b.clone())
            }
            (AisBase::FromData, Some(d)) => self.data_marginal_bias("AIS base data", d),
        }
    }
}

impl Rbm {
    /// The visible bias whose model with `W = 0` matches the data's marginals: for Bernoulli
    /// units `a_i = logit(p̂_i)` with the add-one smoothed frequency `p̂_i = (Σ_s v_is + 1)/(n + 2)`
    /// (finite even for a pixel never on), for Gaussian units the data mean. This is AIS's base
    /// rate (Salakhutdinov & Murray 2008) and the initialisation Hinton's practical guide
    /// (2010, §8.1) recommends, `log(p_i/(1 − p_i))`.
    pub fn data_marginal_bias(&self, what: &str, data: MatRef<'_, f64>) -> Result<Vec<f64>> {
        self.check_data(what, data)?;
        if data.ncols() == 0 {
            return Err(Error::invalid(
                what,
                "0 samples",
                "pass at least one sample (one per column) to estimate the marginals",
            ));
        }
        let nv = self.n_visible();
        let n = data.ncols() as f64;
        let mut sums = vec![0.0; nv];
        for s in 0..data.ncols() {
            for (i, x) in sums.iter_mut().enumerate() {
                *x += data[(i, s)];
            }
        }
        Ok(match self.visible {
            VisibleUnits::Bernoulli => sums
                .iter()
                .map(|&t| {
                    let p = (t + 1.0) / (n + 2.0);
                    (p / (1.0 - p)).ln()
                })
                .collect(),
            VisibleUnits::Gaussian => sums.iter().map(|&t| t / n).collect(),
        })
    }

    /// Set the visible bias to [`data_marginal_bias`](Self::data_marginal_bias) of `data`
    /// (one sample per column), the usual start of training.
    pub fn init_visible_bias_from_data(&mut self, data: MatRef<'_, f64>) -> Result<()> {
        let a = self.data_marginal_bias("training data", data)?;
        self.a = a;
        Ok(())
    }
}

/// The path of annealed importance sampling between the base model (`β = 0`) and the RBM
/// (`β = 1`).
pub(super) struct AisPath {
    pub(super) betas: Vec<f64>,
    pub(super) a_base: Vec<f64>,
    /// `a − a_A`.
    da: Vec<f64>,
    /// For Gaussian units `−½(‖a‖² − ‖a_A‖²)`, per unit of `β`.
    dconst: f64,
    /// `log Z_0` of the distribution at `β = 0`.
    pub(super) log_z_base: f64,
}

/// A forward (AIS) or reverse (RAISE) annealing run over blocks of chains.
pub(super) struct AisContext<'a> {
    pub(super) rbm: &'a Rbm,
    pub(super) path: &'a AisPath,
    /// The budget's deadline and interrupt, and whether a block saw them fire.
    pub(super) clock: Clock,
    pub(super) stopped: AtomicBool,
}

/// The per-block buffers of an annealing run.
struct AisScratch {
    /// `X = Wᵀv + b` of the chains.
    x: Mat<f64>,
    h: Mat<f64>,
    /// `(1 − β)a_A + βa`.
    mix: Vec<f64>,
}

impl AisContext<'_> {
    fn scratch(&self, n: usize) -> AisScratch {
        let (nv, nh) = (self.rbm.n_visible(), self.rbm.n_hidden());
        AisScratch {
            x: Mat::zeros(nh, n),
            h: Mat::zeros(nh, n),
            mix: vec![0.0; nv],
        }
    }

    /// Whether the budget fired (polled every 16 steps); marks the run stopped.
    fn should_stop(&self, k: usize) -> bool {
        if k.is_multiple_of(16)
            && (self.stopped.load(Ordering::Relaxed) || self.clock.check().is_some())
        {
            self.stopped.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }

    /// `log_w[s] += log p*_{hi}(v_s) − log p*_{lo}(v_s)`, with `X = Wᵀv + b` in `sc.x`.
    fn increment(
        &self,
        v: MatRef<'_, f64>,
        sc: &AisScratch,
        b_lo: f64,
        b_hi: f64,
        log_w: &mut [f64],
    ) {
        let db = b_hi - b_lo;
        if db == 0.0 {
            return;
        }
        for (s, lw) in log_w.iter_mut().enumerate().take(v.ncols()) {
            let xs = col(sc.x.as_ref(), s);
            *lw += crate::fastmath::softplus_sum_scaled(xs, b_hi)
                - crate::fastmath::softplus_sum_scaled(xs, b_lo)
                + db * (crate::linalg::dot(&self.path.da, col(v, s)) + self.path.dconst);
        }
    }

    /// The transition `T_β` that leaves `p_β` invariant, from `X = Wᵀv + b` in `sc.x`:
    /// `h ~ σ(βX)`, then `v ~ σ((1−β)a_A + β(a + Wh))` (or the Gaussian with that mean).
    fn transition(&self, mut v: MatMut<'_, f64>, sc: &mut AisScratch, beta: f64, rngs: &mut [Rng]) {
        let rbm = self.rbm;
        let n = v.ncols();
        for (s, rng) in rngs.iter_mut().enumerate().take(n) {
            let hs = sc.h.col_as_slice_mut(s);
            for (o, &t) in hs.iter_mut().zip(col(sc.x.as_ref(), s)) {
                *o = beta * t;
            }
            crate::fastmath::sigmoid_in_place(hs);
            kernels::sample_bernoulli_in_place(hs, rng);
        }
        faer::linalg::matmul::matmul(
            v.rb_mut(),
            Accum::Replace,
            rbm.w.as_ref(),
            sc.h.as_ref(),
            beta,
            Par::Seq,
        );
        crate::linalg::clear_avx_upper_state();
        for ((m, &a), &ab) in sc.mix.iter_mut().zip(&rbm.a).zip(&self.path.a_base) {
            *m = (1.0 - beta) * ab + beta * a;
        }
        for (s, rng) in rngs.iter_mut().enumerate().take(n) {
            let c = col_mut(&mut v, s);
            for (x, &m) in c.iter_mut().zip(&sc.mix) {
                *x += m;
            }
            match rbm.visible {
                VisibleUnits::Bernoulli => {
                    crate::fastmath::sigmoid_in_place(c);
                    kernels::sample_bernoulli_in_place(c, rng);
                }
                VisibleUnits::Gaussian => kernels::add_gaussian_noise(c, 1.0, rng),
            }
        }
    }

    /// One block of AIS runs: the chains of `v`, their generators and log-weights.
    pub(super) fn run_block(&self, mut v: MatMut<'_, f64>, rngs: &mut [Rng], log_w: &mut [f64]) {
        let rbm = self.rbm;
        let n = v.ncols();
        debug_assert!(n <= CHAIN_BLOCK);
        let mut sc = self.scratch(n);
        // v_1 ~ p_0
        for (s, rng) in rngs.iter_mut().enumerate() {
            let c = col_mut(&mut v, s);
            c.copy_from_slice(&self.path.a_base);
            match rbm.visible {
                VisibleUnits::Bernoulli => {
                    crate::fastmath::sigmoid_in_place(c);
                    kernels::sample_bernoulli_in_place(c, rng);
                }
                VisibleUnits::Gaussian => kernels::add_gaussian_noise(c, 1.0, rng),
            }
        }
        log_w.fill(0.0);
        let betas = &self.path.betas;
        let k_max = betas.len() - 1;
        for k in 1..=k_max {
            if self.should_stop(k) {
                return;
            }
            rbm.hidden_input_into(v.rb(), sc.x.as_mut(), Par::Seq);
            self.increment(v.rb(), &sc, betas[k - 1], betas[k], log_w);
            if k == k_max {
                break;
            }
            self.transition(v.rb_mut(), &mut sc, betas[k], rngs);
        }
    }

    /// One block of reverse runs (RAISE) started at the data in `v`: for `k = K, …, 1` the
    /// transition `T_k` (at `β_k`) moves `x_k` to `x_{k−1}`, and
    /// `log_w[s] += log p*_k(x_{k−1}) − log p*_{k−1}(x_{k−1})`, so that `log Z_0 + log_w` is
    /// the run's estimate of `log Z` seen from the data (see [`super::raise`]).
    pub(super) fn reverse_block(
        &self,
        mut v: MatMut<'_, f64>,
        rngs: &mut [Rng],
        log_w: &mut [f64],
    ) {
        let rbm = self.rbm;
        let n = v.ncols();
        debug_assert!(n <= CHAIN_BLOCK);
        let mut sc = self.scratch(n);
        log_w.fill(0.0);
        let betas = &self.path.betas;
        let k_max = betas.len() - 1;
        rbm.hidden_input_into(v.rb(), sc.x.as_mut(), Par::Seq);
        for k in (1..=k_max).rev() {
            if self.should_stop(k) {
                return;
            }
            self.transition(v.rb_mut(), &mut sc, betas[k], rngs);
            rbm.hidden_input_into(v.rb(), sc.x.as_mut(), Par::Seq);
            self.increment(v.rb(), &sc, betas[k - 1], betas[k], log_w);
        }
    }
}
