//! A conservative estimate of an RBM's log-likelihood by reverse annealing (RAISE: Burda,
//! Grosse & Salakhutdinov, "Accurate and conservative estimates of MRF log-likelihood using
//! reverse annealing", AISTATS 2015), and the bracket it makes with annealed importance
//! sampling.
//!
//! # The estimator
//! AIS ([`super::partition`]) anneals along `p_0, …, p_K = p` (`p*_k` unnormalised, `p_0` the
//! base model with known `Z_0`), with Gibbs transitions `T_k` that are reversible with respect
//! to `p_k`. Read as a generative process, `x_0 ~ p_0`, `x_k ~ T_k(· | x_{k−1})`
//! (`k = 1, …, K`) is a *normalised* directed model `p_ann` whose last state approximates
//! `p`. RAISE estimates `p_ann(v)` by importance sampling with the reverse chain as proposal:
//! start at `x_K = v` (a test vector) and draw `x_{k−1} ~ T_k(· | x_k)` for `k = K, …, 1`.
//! Reversibility turns the weight `p_ann / q` into
//!
//! `w(v) = p_0(x_0) Π_{k=1}^{K} p*_k(x_k) / p*_k(x_{k−1})`
//! `     = e^{−F(v)} / (Z_0 Π_{k=0}^{K−1} p*_{k+1}(x_k) / p*_k(x_k))`,
//!
//! an unbiased estimate of `p_ann(v)`: the denominator is a reverse-AIS estimate of `Z` seen
//! from `v`. So `E[log ŵ] ≤ log p_ann(v)` (Jensen), and when the test data follow the model,
//! `E_v[log p_ann(v)] ≤ E_v[log p(v)]` (Gibbs' inequality): the estimate is conservative, and
//! a short schedule makes `p_ann` closer to the base model and the estimate lower, never
//! higher. AIS errs the other way (`E[log Ẑ] ≤ log Z`: it overestimates the likelihood), so
//! the two bracket the true value: [`LikelihoodBracket`].
//!
//! Each test vector runs `chains_per_sample` reverse chains of `K` transitions (as many as
//! one AIS run), blocked as matrix products and independent of the number of threads.

use super::gibbs::for_chain_blocks;
use super::kernels::LogSumExp;
use super::model::Rbm;
use super::partition::{AisContext, AisParams, AisResult};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::run::Budget;
use faer::{Mat, MatMut, MatRef};
use std::sync::atomic::{AtomicBool, Ordering};

/// The result of [`Rbm::raise_log_likelihood`].
#[derive(Debug, Clone, PartialEq)]
pub struct RaiseResult {
    /// The mean over the samples of `log p̂(v_s)` (nats per sample), a stochastic lower
    /// estimate of the average log-likelihood.
    pub log_likelihood: f64,
    /// Its standard error: the spread over samples of `log p̂(v_s) + F(v_s)` (the estimated
    /// part) over `√n`.
    pub std_err: f64,
    /// `log p̂(v_s)` of every sample.
    pub per_sample: Vec<f64>,
    /// The `log Z` it implies: `mean_s(−F(v_s)) − log_likelihood`, a stochastic upper
    /// estimate of `log Z`.
    pub log_z: f64,
}

/// The settings of RAISE beyond the annealing schedule it shares with AIS ([`AisParams`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RaiseParams {
    /// Reverse chains per test sample (`≥ 1`; their weights are averaged).
    pub chains_per_sample: usize,
    /// Run RAISE on at most this many test samples, evenly spaced (`None`: all).
    pub max_samples: Option<usize>,
}

impl Default for RaiseParams {
    /// One chain per sample, every sample.
    fn default() -> Self {
        Self {
            chains_per_sample: 1,
            max_samples: None,
        }
    }
}

/// Two estimates of the average test log-likelihood that err in opposite directions: the
/// RAISE estimate (conservative, low) and the AIS one (optimistic, high), with their standard
/// errors, and the matching bracket of `log Z`.
#[derive(Debug, Clone, PartialEq)]
pub struct LikelihoodBracket {
    /// The RAISE estimate (low end): `mean(−F) − log Ẑ_RAISE` over all the test data.
    pub lower: f64,
    /// Its standard error (the spread of the per-sample corrections over the samples RAISE ran on).
    pub lower_std_err: f64,
    /// The AIS estimate `mean(−F) − log Ẑ_AIS` (high end).
    pub upper: f64,
    /// Its standard error (that of AIS's `log Ẑ`).
    pub upper_std_err: f64,
    /// AIS's `log Ẑ` (low end of `log Z`).
    pub log_z_lower: f64,
    /// RAISE's implied `log Z` (high end of `log Z`).
    pub log_z_upper: f64,
    /// The AIS run.
    pub ais: AisResult,
    /// The RAISE run (on the samples it ran on).
    pub raise: RaiseResult,
}

impl LikelihoodBracket {
    /// Whether `x` lies in `[lower − z·lower_std_err, upper + z·upper_std_err]`.
    pub fn contains(&self, x: f64, z: f64) -> bool {
        self.lower - z * self.lower_std_err <= x && x <= self.upper + z * self.upper_std_err
    }
    /// `upper − lower`, the width of the bracket (negative when the estimates cross, which
    /// happens within their errors when both are accurate).
    pub fn width(&self) -> f64 {
        self.upper - self.lower
    }
}

impl Rbm {
    /// RAISE (module docs): the conservative estimate of the average log-likelihood of the
    /// columns of `data`, each by `chains_per_sample ≥ 1` reverse chains along the schedule
    /// of `params` (its `n_runs` is not used). The base model's bias comes from `base_data`
    /// when given and `params.base` asks for data (the training data, as for AIS), else from
    /// `data`. Chain `r` of sample `s` draws from `rng::stream(seed + 1, streams::DYNAMICS + s·m + r)`
    /// (`m = chains_per_sample`). `budget`'s time and interrupt are polled every 16 steps;
    /// when either fires the estimate stops with [`Error::Stopped`].
    pub fn raise_log_likelihood(
        &self,
        data: MatRef<'_, f64>,
        params: &AisParams,
        chains_per_sample: usize,
        base_data: Option<MatRef<'_, f64>>,
        budget: &Budget,
    ) -> Result<RaiseResult> {
        self.check_data("RAISE data", data)?;
        let n = data.ncols();
        if n == 0 {
            return Err(Error::invalid(
                "RAISE data",
                "0 samples",
                "pass at least one test sample (one per column)",
            ));
        }
        if chains_per_sample == 0 {
            return Err(Error::invalid(
                "chains_per_sample",
                0,
                "run at least one reverse chain per test sample (e.g. 1 to 10)",
            ));
        }
        let path = self.ais_path(params, Some(base_data.unwrap_or(data)))?;
        let m = chains_per_sample;
        let width = n.saturating_mul(m);
        let fix = "pass fewer test samples or fewer chains per sample";
        crate::memory::check(
            "RAISE chains (n_visible x samples x chains)",
            &[self.n_visible(), width],
            8,
            fix,
        )?;
        let mut states = crate::memory::try_zeros(
            "RAISE chains (n_visible x samples x chains)",
            self.n_visible(),
            width,
            fix,
        )?;
        for s in 0..n {
            for r in 0..m {
                let c = states.col_as_slice_mut(s * m + r);
                for (i, x) in c.iter_mut().enumerate() {
                    *x = data[(i, s)];
                }
            }
        }
        let mut rngs = crate::markov::try_chain_rngs(params.seed.wrapping_add(1), width)?;
        let mut log_w = crate::memory::try_vec("RAISE log-weights", width, 0.0, fix)?;
        let ctx = AisContext {
            rbm: self,
            path: &path,
            clock: budget.start(),
            stopped: AtomicBool::new(false),
        };
        let run = |v: MatMut<'_, f64>, r: &mut [Rng], lw: &mut [f64]| ctx.reverse_block(v, r, lw);
        for_chain_blocks(states.as_mut(), &mut rngs, &mut log_w, params.par, &run);
        if ctx.stopped.load(Ordering::Relaxed) {
            ctx.clock
                .check_err("reverse annealed importance sampling (RAISE)")?;
        }
        let neg_f: Vec<f64> = self
            .free_energies(data, params.par)?
            .iter()
            .map(|f| -f)
            .collect();
        // log p̂(v_s) = −F(v_s) − log Z_0 + log mean_r exp(−log_w_r)
        let mut per_sample = Vec::with_capacity(n);
        let mut corrections = Vec::with_capacity(n);
        for (s, nf) in neg_f.iter().enumerate() {
            let mut acc = LogSumExp::default();
            for &lw in &log_w[s * m..(s + 1) * m] {
                acc.add(-lw);
            }
            let corr = -path.log_z_base + acc.value() - (m as f64).ln();
            corrections.push(corr);
            per_sample.push(nf + corr);
        }
        let nf = n as f64;
        let log_likelihood = per_sample.iter().sum::<f64>() / nf;
        let mean_corr = corrections.iter().sum::<f64>() / nf;
        let std_err = if n > 1 {
            let var = corrections
                .iter()
                .map(|c| (c - mean_corr).powi(2))
                .sum::<f64>()
                / (nf - 1.0);
            (var / nf).sqrt()
        } else {
            f64::NAN
        };
        if !log_likelihood.is_finite() {
            return Err(Error::invalid(
                "RAISE estimate",
                log_likelihood,
                "the model's parameters are too large for a finite estimate: check them for overflow",
            ));
        }
        let mean_neg_f = neg_f.iter().sum::<f64>() / nf;
        Ok(RaiseResult {
            log_likelihood,
            std_err,
            per_sample,
            log_z: mean_neg_f - log_likelihood,
        })
    }

    /// The average log-likelihood of the columns of `data` as a bracket: AIS's optimistic
    /// estimate ([`ais_log_z`](Self::ais_log_z) with `ais`, its base from `base_data` or
    /// `data`) above, RAISE's conservative one
    /// ([`raise_log_likelihood`](Self::raise_log_likelihood), the same schedule) below. Both
    /// are `mean(−F) − log Ẑ` over all of `data`; RAISE's `log Ẑ` (its per-sample estimates
    /// averaged) may come from an evenly spaced subset of `raise.max_samples` columns, since it
    /// costs one annealing run per sample and chain, while `F` is exact for every column.
    pub fn log_likelihood_bracket(
        &self,
        data: MatRef<'_, f64>,
        ais: &AisParams,
        raise: &RaiseParams,
        base_data: Option<MatRef<'_, f64>>,
        budget: &Budget,
    ) -> Result<LikelihoodBracket> {
        self.check_data("test data", data)?;
        let n = data.ncols();
        let base = Some(base_data.unwrap_or(data));
        let m = raise.max_samples.unwrap_or(n).min(n);
        if m == 0 {
            return Err(Error::invalid(
                "max_samples",
                0,
                "RAISE needs at least one test sample (e.g. 500, or None for all)",
            ));
        }
        let subset: Mat<f64> = Mat::from_fn(data.nrows(), m, |i, s| data[(i, s * n / m)]);
        let raised =
            self.raise_log_likelihood(subset.as_ref(), ais, raise.chains_per_sample, base, budget)?;
        let forward = self.ais_log_z(ais, base, budget)?;
        let upper = self.log_likelihood_given_log_z(data, forward.log_z, ais.par)?;
        let lower = self.log_likelihood_given_log_z(data, raised.log_z, ais.par)?;
        Ok(LikelihoodBracket {
            lower,
            lower_std_err: raised.std_err,
            upper,
            upper_std_err: forward.std_err,
            log_z_lower: forward.log_z,
            log_z_upper: raised.log_z,
            ais: forward,
            raise: raised,
        })
    }
}
