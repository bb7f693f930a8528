//! How well an RBM models data: the average log-likelihood `(1/n) Σ_s log p(v_s)` with
//! `log p(v) = −F(v) − log Z` (exact, or with an AIS estimate of `log Z`), its exact gradient,
//! and the pseudo-likelihood `Σ_i log p(v_i | v_{−i})` (Besag, "Statistical analysis of
//! non-lattice data", The Statistician, 1975), which needs no partition function.

use super::kernels::{col, softplus};
use super::model::{ColumnBlocks, Rbm, VisibleUnits};
use super::partition::{AisParams, AisResult};
use crate::error::{Error, Result};
use crate::run::Budget;
use faer::{Accum, Mat, MatRef, Par};

/// The gradient of the average log-likelihood in the parameters, in the RBM's shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct RbmGradient {
    /// `∂ℓ/∂W = ⟨v σ(b + Wᵀv)ᵀ⟩_data − ⟨v hᵀ⟩_model` (`n_visible × n_hidden`).
    pub weights: Mat<f64>,
    /// `∂ℓ/∂a = ⟨v⟩_data − ⟨v⟩_model`.
    pub visible_bias: Vec<f64>,
    /// `∂ℓ/∂b = ⟨σ(b + Wᵀv)⟩_data − ⟨h⟩_model`.
    pub hidden_bias: Vec<f64>,
}

impl RbmGradient {
    /// The centred step written in the plain parameters, for offsets `mu` (visible) and `lam`
    /// (hidden): `ΔW = G_W − μ g_bᵀ − g_a λᵀ`, `Δa = g_a − ΔW λ`, `Δb = g_b − ΔWᵀ μ`. For the
    /// log-likelihood gradient `g` this is `J Jᵀ g`, `J` the Jacobian of the map from the
    /// centred parameters `(W, a_c, b_c)` to the plain ones `(W, a_c − Wλ, b_c − Wᵀμ)`
    /// (Melchior, Fischer & Wiskott, JMLR 2016): the step that
    /// [`Centering`](crate::learn::contrastive_divergence::Centering) training makes.
    pub fn centred(&self, mu: &[f64], lam: &[f64]) -> Result<RbmGradient> {
        let (nv, nh) = (self.weights.nrows(), self.weights.ncols());
        crate::error::check_len(
            "visible offsets",
            mu.len(),
            nv,
            "give one offset per visible unit",
        )?;
        crate::error::check_len(
            "hidden offsets",
            lam.len(),
            nh,
            "give one offset per hidden unit",
        )?;
        let (ga, gb) = (&self.visible_bias, &self.hidden_bias);
        let w = Mat::from_fn(nv, nh, |i, j| {
            self.weights[(i, j)] - mu[i] * gb[j] - ga[i] * lam[j]
        });
        let visible_bias = (0..nv)
            .map(|i| ga[i] - (0..nh).map(|j| w[(i, j)] * lam[j]).sum::<f64>())
            .collect();
        let hidden_bias = (0..nh)
            .map(|j| gb[j] - (0..nv).map(|i| w[(i, j)] * mu[i]).sum::<f64>())
            .collect();
        Ok(RbmGradient {
            weights: w,
            visible_bias,
            hidden_bias,
        })
    }
}

impl Rbm {
    /// The mean of `−F(v)` over the columns of `data`.
    fn mean_neg_free_energy(&self, data: MatRef<'_, f64>, par: Par) -> Result<f64> {
        let f = self.free_energies(data, par)?;
        Ok(-f.iter().sum::<f64>() / f.len() as f64)
    }

    /// The exact average log-likelihood `(1/n) Σ_s [−F(v_s)] − log Z` of the columns of `data`
    /// (nats per sample), with the exact `log Z` ([`log_z_exact`](Self::log_z_exact)).
    pub fn log_likelihood_exact(&self, data: MatRef<'_, f64>, par: Par) -> Result<f64> {
        let m = self.mean_neg_free_energy(data, par)?;
        Ok(m - self.log_z_exact(par)?)
    }

    /// The average log-likelihood of `data` given an estimate of `log Z` (from AIS, say).
    pub fn log_likelihood_given_log_z(
        &self,
        data: MatRef<'_, f64>,
        log_z: f64,
        par: Par,
    ) -> Result<f64> {
        if !log_z.is_finite() {
            return Err(Error::invalid(
                "log_z",
                log_z,
                "pass a finite estimate of log Z (exact, or by annealed importance sampling)",
            ));
        }
        Ok(self.mean_neg_free_energy(data, par)? - log_z)
    }

    /// The average log-likelihood of `data` with `log Z` estimated by AIS
    /// ([`ais_log_z`](Self::ais_log_z), its base from `data`'s marginals by default). The
    /// standard error of the result is the AIS result's `std_err`; `budget` bounds the AIS
    /// (time, interrupt).
    pub fn log_likelihood_ais(
        &self,
        data: MatRef<'_, f64>,
        params: &AisParams,
        budget: &Budget,
    ) -> Result<(f64, AisResult)> {
        let ais = self.ais_log_z(params, Some(data), budget)?;
        let ll = self.log_likelihood_given_log_z(data, ais.log_z, params.par)?;
        Ok((ll, ais))
    }

    /// The exact gradient of [`log_likelihood_exact`](Self::log_likelihood_exact):
    /// the data term `⟨−∂F/∂θ⟩_data` minus the model term `⟨−∂E/∂θ⟩_model`, the latter by
    /// enumerating the smaller layer (single-threaded; same limit as `log_z_exact`).
    pub fn log_likelihood_gradient_exact(&self, data: MatRef<'_, f64>) -> Result<RbmGradient> {
        self.check_data("data", data)?;
        let log_z = self.log_z_exact(Par::Seq)?;
        let (vh_m, v_m, h_m) = self.model_moments_exact(log_z)?;
        let (nv, nh) = (self.n_visible(), self.n_hidden());
        let mut gw = Mat::<f64>::zeros(nv, nh);
        let mut ga = vec![0.0; nv];
        let mut gb = vec![0.0; nh];
        let n = data.ncols() as f64;
        let mut blocks = ColumnBlocks::new(self, data, Par::Seq)?;
        let mut p = Mat::<f64>::new();
        while let Some((v, x)) = blocks.next_hidden_input() {
            p = x.to_owned();
            for s in 0..p.ncols() {
                let c = p.col_as_slice_mut(s);
                crate::fastmath::sigmoid_in_place(c);
                for (g, &t) in gb.iter_mut().zip(c.iter()) {
                    *g += t / n;
                }
                for (g, &t) in ga.iter_mut().zip(col(v, s)) {
                    *g += t / n;
                }
            }
            faer::linalg::matmul::matmul(
                gw.as_mut(),
                Accum::Add,
                v,
                p.transpose(),
                1.0 / n,
                Par::Seq,
            );
        }
        drop(p);
        crate::linalg::clear_avx_upper_state();
        for j in 0..nh {
            for i in 0..nv {
                gw[(i, j)] -= vh_m[(i, j)];
            }
        }
        for (g, m) in ga.iter_mut().zip(&v_m) {
            *g -= m;
        }
        for (g, m) in gb.iter_mut().zip(&h_m) {
            *g -= m;
        }
        Ok(RbmGradient {
            weights: gw,
            visible_bias: ga,
            hidden_bias: gb,
        })
    }

    fn check_pseudo_likelihood(&self) -> Result<()> {
        if self.visible == VisibleUnits::Gaussian {
            return Err(Error::invalid(
                "visible units",
                "gaussian",
                "the pseudo-likelihood is implemented for Bernoulli visible units; use the reconstruction error or the log-likelihood for Gaussian ones",
            ));
        }
        Ok(())
    }

    /// The exact pseudo-log-likelihood, averaged over the columns of `data`:
    /// `(1/n) Σ_s Σ_i log p(v_si | v_s,−i)` with
    /// `log p(v_i | v_{−i}) = −softplus(F(v) − F(ṽ⁽ⁱ⁾))`, where `ṽ⁽ⁱ⁾` has unit `i` flipped
    /// (`ṽ_i = 1 − v_i`). It sums over every visible unit: `n_visible` free-energy
    /// differences per sample, each `O(n_hidden)` by a rank-one update of `Wᵀv`. Bernoulli
    /// visible units only. For probabilities in `[0, 1]` it is the same formula with
    /// `1 − v_i`, as scikit-learn does.
    pub fn pseudo_likelihood_exact(&self, data: MatRef<'_, f64>, par: Par) -> Result<f64> {
        self.check_pseudo_likelihood()?;
        self.check_data("data", data)?;
        let wt = self.w.transpose().to_owned();
        let mut blocks = ColumnBlocks::new(self, data, par)?;
        let mut total = 0.0;
        while let Some((v, x)) = blocks.next_hidden_input() {
            for s in 0..v.ncols() {
                let (vs, xs) = (col(v, s), col(x, s));
                let f: f64 = self.visible_term(vs) - crate::fastmath::softplus_sum(xs);
                for i in 0..vs.len() {
                    total += self.log_conditional(&wt, vs, xs, f, i);
                }
            }
        }
        Ok(total / data.ncols() as f64)
    }

    /// `log p(v_i | v_{−i}) = −softplus(F(v) − F(ṽ⁽ⁱ⁾))`, given `x = b + Wᵀv` and `f = F(v)`.
    #[inline]
    fn log_conditional(&self, wt: &Mat<f64>, v: &[f64], x: &[f64], f: f64, i: usize) -> f64 {
        let delta = 1.0 - 2.0 * v[i];
        let wi = col(wt.as_ref(), i);
        let sp = crate::fastmath::softplus_sum_shifted(x, delta, wi);
        let f_flip = self.visible_term(v) - self.a[i] * delta - sp;
        -softplus(f - f_flip)
    }

    /// The stochastic pseudo-log-likelihood of each column of `data` (scikit-learn's
    /// `BernoulliRBM.score_samples`): for sample `s` one unit `i` drawn uniformly from
    /// `rng::stream(seed, streams::ORDER + s)`, and the estimate `n_visible · log p(v_i | v_{−i})`
    /// of the exact sum ([`pseudo_likelihood_exact`](Self::pseudo_likelihood_exact)), unbiased
    /// over the draw. Bernoulli visible units only.
    pub fn pseudo_likelihood_stochastic(
        &self,
        data: MatRef<'_, f64>,
        seed: u64,
        par: Par,
    ) -> Result<Vec<f64>> {
        use rand::RngExt;
        self.check_pseudo_likelihood()?;
        self.check_data("data", data)?;
        let wt = self.w.transpose().to_owned();
        let nv = self.n_visible();
        let mut out = Vec::with_capacity(data.ncols());
        let mut blocks = ColumnBlocks::new(self, data, par)?;
        while let Some((v, x)) = blocks.next_hidden_input() {
            let s0 = out.len();
            for s in 0..v.ncols() {
                let (vs, xs) = (col(v, s), col(x, s));
                let f: f64 = self.visible_term(vs) - crate::fastmath::softplus_sum(xs);
                let mut rng =
                    crate::rng::stream(seed, crate::rng::streams::ORDER + (s0 + s) as u64);
                let i = rng.random_range(0..nv);
                out.push(nv as f64 * self.log_conditional(&wt, vs, xs, f, i));
            }
        }
        Ok(out)
    }
}
