//! The exact Boltzmann–Gibbs law of a small machine, by enumerating every state.

use super::machine::{BoltzmannMachine, Units};
use crate::error::{Error, Result, check_len};
use crate::problems::Patterns;
use faer::Mat;

/// The largest machine whose law [`BoltzmannMachine::exact`] enumerates: `2²⁴ ≈ 1.7·10⁷`
/// states (128 MiB of probabilities).
pub const MAX_EXACT_UNITS: usize = 24;

/// `P(s) = e^{−E(s)/T}/Z` for every state of a machine with `n ≤` [`MAX_EXACT_UNITS`] units, and
/// `log Z`. State `k ∈ [0, 2ⁿ)` has unit `i` on (`s_i = 1`) when bit `i` of `k` is set and off
/// (`0`, or `−1` for spins) otherwise.
///
/// ```
/// use attractor::models::{BoltzmannMachine, Units};
/// // one spin in a field b: Z = 2 cosh(b/T)
/// let bm = BoltzmannMachine::new(faer::mat![[0.0]], vec![0.5], Units::Spin, 1.0)?;
/// let exact = bm.exact()?;
/// assert!((exact.log_partition() - (2.0 * 0.5f64.cosh()).ln()).abs() < 1e-12);
/// assert!((exact.probability(&[1.0])? - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-12);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ExactDistribution {
    n: usize,
    units: Units,
    log_z: f64,
    probs: Vec<f64>,
}

impl BoltzmannMachine {
    /// The exact law by enumeration, visiting the states in Gray-code order so that each
    /// energy follows from the previous one by one flip (`ΔE = −Δs_i h_i`, `O(n)` per state
    /// with the local fields updated); `log Z` by a shifted log-sum-exp. Refused for
    /// `n >` [`MAX_EXACT_UNITS`].
    pub fn exact(&self) -> Result<ExactDistribution> {
        let n = self.n();
        if n > MAX_EXACT_UNITS {
            return Err(Error::invalid(
                "number of units n",
                n,
                &format!(
                    "exact enumeration visits all 2^n states and is limited to n <= {MAX_EXACT_UNITS}; estimate expectations with Gibbs sampling (BoltzmannMachine::gibbs) instead"
                ),
            ));
        }
        let units = self.units();
        let low = units.low();
        let n_states = 1usize << n;
        let beta = 1.0 / self.temperature();
        let mut s = vec![low; n];
        let mut h: Vec<f64> = (0..n).map(|i| self.field(i, &s)).collect();
        let mut e = self.energy_unchecked(&s);
        let mut logw = vec![0.0; n_states];
        logw[0] = -beta * e;
        for k in 1..n_states {
            let i = k.trailing_zeros() as usize;
            let new = if s[i] == 1.0 { low } else { 1.0 };
            let delta = new - s[i];
            e -= delta * h[i];
            s[i] = new;
            for (hj, wji) in h.iter_mut().zip(self.coupling_column(i)) {
                *hj += wji * delta;
            }
            logw[k ^ (k >> 1)] = -beta * e;
        }
        let max = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = logw.iter().map(|l| (l - max).exp()).sum();
        let log_z = max + sum.ln();
        for l in logw.iter_mut() {
            *l = (*l - log_z).exp();
        }
        Ok(ExactDistribution {
            n,
            units,
            log_z,
            probs: logw,
        })
    }

    /// `log Z = log Σ_s e^{−E(s)/T}` by enumeration (`n ≤` [`MAX_EXACT_UNITS`]).
    pub fn log_partition(&self) -> Result<f64> {
        Ok(self.exact()?.log_partition())
    }

    /// The mean log-likelihood `(1/M) Σ_μ log P(s^μ)` of the rows of `data`, exactly
    /// (`n ≤` [`MAX_EXACT_UNITS`]).
    pub fn log_likelihood(&self, data: &Patterns) -> Result<f64> {
        self.exact()?.log_likelihood(data)
    }
}

impl ExactDistribution {
    /// The number of units.
    pub fn n(&self) -> usize {
        self.n
    }
    /// The number of states, `2ⁿ`.
    pub fn n_states(&self) -> usize {
        self.probs.len()
    }
    /// `P(state k)` for every `k` (bit `i` of `k` set: unit `i` on).
    pub fn probabilities(&self) -> &[f64] {
        &self.probs
    }
    /// `log Z`.
    pub fn log_partition(&self) -> f64 {
        self.log_z
    }

    /// Write state `k` into `s` (length `n`); no checks.
    fn state_into(&self, k: usize, s: &mut [f64]) {
        let low = self.units.low();
        for (i, v) in s.iter_mut().enumerate() {
            *v = if (k >> i) & 1 == 1 { 1.0 } else { low };
        }
    }

    /// State `k` (`k < 2ⁿ`).
    pub fn state(&self, k: usize) -> Result<Vec<f64>> {
        if k >= self.n_states() {
            return Err(Error::invalid(
                "state index k",
                k,
                &format!("pass 0 <= k < 2^n = {}", self.n_states()),
            ));
        }
        let mut s = vec![0.0; self.n];
        self.state_into(k, &mut s);
        Ok(s)
    }

    /// The index `k` of a state (length `n`, entries unit values).
    pub fn index_of(&self, s: &[f64]) -> Result<usize> {
        check_len(
            "state s",
            s.len(),
            self.n,
            "a state has one entry per unit of the machine",
        )?;
        let mut k = 0usize;
        for (i, &v) in s.iter().enumerate() {
            if v == 1.0 {
                k |= 1 << i;
            } else if v != self.units.low() {
                return Err(Error::invalid(
                    &format!("state s[{i}]"),
                    crate::format_number(v),
                    self.units.describe(),
                ));
            }
        }
        Ok(k)
    }

    /// `P(s)`.
    pub fn probability(&self, s: &[f64]) -> Result<f64> {
        Ok(self.probs[self.index_of(s)?])
    }

    /// Call `f(s, P(s))` for every state, in index order (one buffer, no allocation per state).
    pub fn for_each_state(&self, mut f: impl FnMut(&[f64], f64)) {
        let mut s = vec![0.0; self.n];
        for (k, &p) in self.probs.iter().enumerate() {
            self.state_into(k, &mut s);
            f(&s, p);
        }
    }

    /// `⟨s⟩ = Σ_s P(s) s`.
    pub fn mean(&self) -> Vec<f64> {
        let mut m = vec![0.0; self.n];
        self.for_each_state(|s, p| {
            for (mi, si) in m.iter_mut().zip(s) {
                *mi += p * si;
            }
        });
        m
    }

    /// `⟨ssᵀ⟩ = Σ_s P(s) ssᵀ` (its diagonal is `⟨s_i⟩` for binary units and 1 for spins).
    pub fn correlation(&self) -> Mat<f64> {
        let n = self.n;
        let mut c = Mat::<f64>::zeros(n, n);
        self.for_each_state(|s, p| {
            for j in 0..n {
                let psj = p * s[j];
                if psj != 0.0 {
                    for i in 0..n {
                        c[(i, j)] += psj * s[i];
                    }
                }
            }
        });
        c
    }

    /// The mean log-likelihood `(1/M) Σ_μ log P(s^μ)` of the `M ≥ 1` rows of `data` (each a
    /// state of the machine).
    pub fn log_likelihood(&self, data: &Patterns) -> Result<f64> {
        check_len(
            "data (pattern length)",
            data.dim(),
            self.n,
            "each data row is a state with one entry per unit",
        )?;
        if data.n_patterns() == 0 {
            return Err(Error::invalid(
                "data",
                "0 patterns",
                "pass at least one data vector",
            ));
        }
        let mut sum = 0.0;
        for (mu, x) in data.iter().enumerate() {
            let k = self.index_of(x).map_err(|e| match e {
                Error::InvalidParameter {
                    name,
                    value,
                    requirement,
                } => Error::InvalidParameter {
                    name: format!("data pattern {mu}: {name}"),
                    value,
                    requirement,
                },
                other => other,
            })?;
            sum += self.probs[k].ln();
        }
        Ok(sum / data.n_patterns() as f64)
    }

    /// The total variation distance `½ Σ_k |counts_k/N − P(k)|` between the empirical law of
    /// `N = Σ counts` samples (counts indexed like [`probabilities`](Self::probabilities)) and
    /// this law.
    pub fn total_variation(&self, counts: &[u64]) -> Result<f64> {
        check_len(
            "counts",
            counts.len(),
            self.n_states(),
            "pass one count per state (2^n), indexed like probabilities()",
        )?;
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return Err(Error::invalid(
                "counts",
                "all zero",
                "count at least one sample",
            ));
        }
        let nf = total as f64;
        Ok(0.5
            * counts
                .iter()
                .zip(&self.probs)
                .map(|(&c, &p)| (c as f64 / nf - p).abs())
                .sum::<f64>())
    }
}
