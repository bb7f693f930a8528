//! The classical (discrete) Hopfield memory (Hopfield, PNAS 79, 2554, 1982):
//!
//! `E(σ) = −½σᵀWσ + bᵀσ`, `σ ∈ {±1}ᴺ`, update `σ_i ← sgn((Wσ)_i − b_i)` (ties keep `σ_i`).
//!
//! Asynchronous updates (one unit at a time, in a seeded random order each sweep) never
//! increase `E` when `W = Wᵀ` and `W_ii ≥ 0`: flipping `σ_i` by `Δ` changes
//! `E` by `−Δ((Wσ)_i − b_i) − ½W_iiΔ² ≤ 0`, so they end at a fixed point. Synchronous updates
//! descend the two-time Lyapunov function `L(t) = −σ(t)ᵀWσ(t−1) + bᵀ(σ(t) + σ(t−1))` instead,
//! and end at a fixed point or a 2-cycle (Goles, Fogelman-Soulié, Pellegrin, 1985), which is
//! detected and reported.
//!
//! The asynchronous sweep keeps the local fields `h = Wσ` and updates them by `h += W_{:,i}Δ`
//! when unit `i` flips: `O(N)` per flip, not `O(N²)` per unit.
//!
//! **[pub]** With Hebbian couplings and random patterns, retrieval breaks down at
//! `α = K/N ≈ 0.138` (Amit, Gutfreund, Sompolinsky, PRL 55, 1985); error-free retrieval holds up
//! to about `N/(2 ln N)` patterns (McEliece et al., IEEE Trans. IT 33, 1987).

use super::memory::{Memory, RecallReport, RecallStatus, check_query};
use super::{Activation, HopfieldNetwork};
use crate::error::{Error, Result, check_finite, check_len};
use crate::problems::Patterns;
use faer::Mat;
use faer::linalg::matmul::matmul;
use faer::{Accum, Par};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// The update schedule of a [`HopfieldMemory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// One unit at a time, in a fresh random order each sweep drawn from a generator seeded
    /// with `seed` when the schedule is set.
    Asynchronous {
        /// Seed of the visiting order.
        seed: u64,
    },
    /// All units at once: `σ ← sgn(Wσ − b)`.
    Synchronous,
}

/// A classical Hopfield memory with couplings `W` and thresholds `b`.
///
/// ```
/// use attractor::models::{HopfieldMemory, Memory, RecallStatus};
/// use attractor::problems::{Patterns, flip_fraction};
/// let p = Patterns::random_binary(5, 200, 1)?;
/// let mut mem = HopfieldMemory::hebbian(&p)?;
/// let query = flip_fraction(p.pattern(0), 0.1, 2)?;
/// let (out, report) = mem.recall(&query)?;
/// assert_eq!(report.status, RecallStatus::FixedPoint);
/// assert_eq!(out, p.pattern(0));
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HopfieldMemory {
    w: Mat<f64>,
    bias: Vec<f64>,
    rule: String,
    n_patterns: usize,
    update: Update,
    max_sweeps: usize,
    rng: ChaCha8Rng,
    // scratch
    h: Vec<f64>,
    order: Vec<usize>,
    prev: Vec<f64>,
    next: Vec<f64>,
}

impl HopfieldMemory {
    /// A memory with given couplings (square, finite, symmetric with `W_ii ≥ 0`, the conditions
    /// for asynchronous descent). `rule` names it in tables; `n_patterns` is informational.
    pub fn from_weights(w: Mat<f64>, rule: &str, n_patterns: usize) -> Result<Self> {
        let asym = super::validate_weights(&w)?;
        if super::is_asymmetric(&w, asym) {
            return Err(Error::invalid(
                "W",
                format!("asymmetric (max |W_ij - W_ji| = {asym:.3e})"),
                "a Hopfield memory needs W = Wᵀ for its energy to descend; symmetrise W with (W + Wᵀ)/2",
            ));
        }
        let n = w.nrows();
        if let Some(i) = (0..n).find(|&i| w[(i, i)] < 0.0) {
            return Err(Error::invalid(
                &format!("W[{i},{i}]"),
                w[(i, i)],
                "diagonal couplings must be >= 0 for asynchronous descent; set them to 0",
            ));
        }
        if n == 0 {
            return Err(Error::invalid("W", "0 x 0", "store at least one unit"));
        }
        Ok(Self {
            w,
            bias: vec![0.0; n],
            rule: rule.to_string(),
            n_patterns,
            update: Update::Asynchronous { seed: 0 },
            max_sweeps: 100,
            rng: ChaCha8Rng::seed_from_u64(0),
            h: vec![0.0; n],
            order: (0..n).collect(),
            prev: vec![0.0; n],
            next: vec![0.0; n],
        })
    }

    /// Hebbian memory `W = ΞᵀΞ/N`, `W_ii = 0` ([`hebbian`](crate::learn::hebbian)).
    pub fn hebbian(patterns: &Patterns) -> Result<Self> {
        patterns.require_binary("the Hebbian Hopfield memory")?;
        Self::from_weights(
            crate::learn::hebbian(patterns),
            "hebbian",
            patterns.n_patterns(),
        )
    }
    /// Storkey memory ([`storkey`](crate::learn::storkey)).
    pub fn storkey(patterns: &Patterns) -> Result<Self> {
        patterns.require_binary("the Storkey Hopfield memory")?;
        Self::from_weights(
            crate::learn::storkey(patterns),
            "storkey",
            patterns.n_patterns(),
        )
    }
    /// Pseudo-inverse (projection) memory ([`pseudo_inverse`](crate::learn::pseudo_inverse)).
    pub fn pseudo_inverse(patterns: &Patterns) -> Result<Self> {
        patterns.require_binary("the pseudo-inverse Hopfield memory")?;
        Self::from_weights(
            crate::learn::pseudo_inverse(patterns)?,
            "pinv",
            patterns.n_patterns(),
        )
    }

    /// Set the update schedule (default asynchronous with seed 0); reseeds the visiting order.
    pub fn with_update(mut self, update: Update) -> Self {
        self.update = update;
        if let Update::Asynchronous { seed } = update {
            self.rng = ChaCha8Rng::seed_from_u64(seed);
        }
        self
    }
    /// Set the sweep limit (default 100, must be ≥ 1).
    pub fn with_max_sweeps(mut self, max_sweeps: usize) -> Result<Self> {
        if max_sweeps == 0 {
            return Err(Error::invalid("max_sweeps", 0, "must be >= 1"));
        }
        self.max_sweeps = max_sweeps;
        Ok(self)
    }
    /// Set the thresholds `b` (finite, length `N`).
    pub fn with_bias(mut self, b: Vec<f64>) -> Result<Self> {
        check_len(
            "bias b",
            b.len(),
            self.w.nrows(),
            "pass one threshold per unit",
        )?;
        check_finite("bias b", &b)?;
        self.bias = b;
        Ok(self)
    }

    /// The couplings `W`.
    pub fn weights(&self) -> &Mat<f64> {
        &self.w
    }

    /// The continuous-time network with the same couplings (Hopfield, PNAS 81, 1984):
    /// `ẋ = −x + gW tanh(x) − g b`, i.e. `u = x/g` follows `u̇ = −u + W tanh(g u) − b`; as the
    /// gain `g → ∞` its stable states become the sign states of this memory.
    pub fn continuous(&self, gain: f64) -> Result<HopfieldNetwork> {
        crate::error::check_positive("gain", gain, "use a gain > 0 (e.g. 10)")?;
        let w = Mat::from_fn(self.w.nrows(), self.w.ncols(), |i, j| gain * self.w[(i, j)]);
        HopfieldNetwork::new(w, Activation::Tanh)?
            .with_input(self.bias.iter().map(|b| -gain * b).collect())
    }

    /// `E(σ) = −½σᵀWσ + bᵀσ` from the fields `h = Wσ`.
    fn energy_from_fields(&self, s: &[f64], h: &[f64]) -> f64 {
        let mut e = 0.0;
        for i in 0..s.len() {
            e += s[i] * (self.bias[i] - 0.5 * h[i]);
        }
        e
    }

    /// One asynchronous sweep on `s` with fields `h = Wσ` kept current; returns the flips.
    fn sweep_async(&mut self, s: &mut [f64]) -> usize {
        self.order.shuffle(&mut self.rng);
        let mut flips = 0;
        for k in 0..self.order.len() {
            let i = self.order[k];
            let field = self.h[i] - self.bias[i];
            let new = if field > 0.0 {
                1.0
            } else if field < 0.0 {
                -1.0
            } else {
                s[i]
            };
            if new != s[i] {
                let d = new - s[i];
                s[i] = new;
                let col = self.w.col_as_slice(i);
                for (hj, &wj) in self.h.iter_mut().zip(col) {
                    *hj += d * wj;
                }
                flips += 1;
            }
        }
        flips
    }

    fn sync_step(&self, s: &[f64], h: &[f64], out: &mut [f64]) {
        for i in 0..s.len() {
            let field = h[i] - self.bias[i];
            out[i] = if field > 0.0 {
                1.0
            } else if field < 0.0 {
                -1.0
            } else {
                s[i]
            };
        }
    }

    fn fields(&mut self, s: &[f64]) {
        crate::linalg::matvec_into(self.w.as_ref(), s, &mut self.h);
    }
}

fn to_spins(x: &[f64], out: &mut [f64]) {
    crate::problems::patterns::sign_into(x, out);
}

impl Memory for HopfieldMemory {
    fn name(&self) -> String {
        self.rule.clone()
    }
    fn dim(&self) -> usize {
        self.w.nrows()
    }
    fn n_patterns(&self) -> usize {
        self.n_patterns
    }
    /// `E(σ) = −½σᵀWσ + bᵀσ` (evaluated at `x` as given).
    fn energy(&mut self, x: &[f64]) -> f64 {
        self.fields(x);
        self.energy_from_fields(x, &self.h)
    }
    fn update_into(&mut self, x: &[f64], out: &mut [f64]) {
        to_spins(x, out);
        self.fields(out);
        match self.update {
            Update::Asynchronous { .. } => {
                self.sweep_async(out);
            }
            Update::Synchronous => {
                self.prev.copy_from_slice(out);
                let (prev, h) = (std::mem::take(&mut self.prev), std::mem::take(&mut self.h));
                self.sync_step(&prev, &h, out);
                self.prev = prev;
                self.h = h;
            }
        }
    }
    fn recall_into(&mut self, query: &[f64], out: &mut [f64]) -> Result<RecallReport> {
        let n = self.dim();
        check_query(query, out, n)?;
        to_spins(query, out);
        self.fields(out);
        let mut energies = vec![self.energy_from_fields(out, &self.h)];
        let mut status = RecallStatus::MaxSweeps;
        let mut n_sweeps = 0;
        match self.update {
            Update::Asynchronous { .. } => {
                while n_sweeps < self.max_sweeps {
                    let flips = self.sweep_async(out);
                    n_sweeps += 1;
                    energies.push(self.energy_from_fields(out, &self.h));
                    if flips == 0 {
                        status = RecallStatus::FixedPoint;
                        break;
                    }
                }
            }
            Update::Synchronous => {
                // prev = σ(t−1), out = σ(t), next = σ(t+1)
                let mut prev = std::mem::take(&mut self.prev);
                let mut next = std::mem::take(&mut self.next);
                let mut have_prev = false;
                while n_sweeps < self.max_sweeps {
                    self.sync_step(out, &self.h, &mut next);
                    n_sweeps += 1;
                    if next == out {
                        energies.push(*energies.last().unwrap_or(&0.0));
                        status = RecallStatus::FixedPoint;
                        break;
                    }
                    let cycle = have_prev && next == prev;
                    prev.copy_from_slice(out);
                    out.copy_from_slice(&next);
                    have_prev = true;
                    crate::linalg::matvec_into(self.w.as_ref(), out, &mut self.h);
                    energies.push(self.energy_from_fields(out, &self.h));
                    if cycle {
                        status = RecallStatus::TwoCycle;
                        break;
                    }
                }
                self.prev = prev;
                self.next = next;
            }
        }
        Ok(RecallReport {
            status,
            n_sweeps,
            energies,
        })
    }

    /// Batched: `H = WΞᵀ` in one matrix product; pattern `μ` is stable when
    /// `(H_{iμ} − b_i) ξ^μ_i ≥ 0` for every `i` (a zero field keeps the unit).
    fn count_stable(&mut self, patterns: &Patterns) -> Result<usize> {
        super::memory::check_pattern_len(patterns, self.dim())?;
        let x = patterns.columns();
        let mut h = Mat::<f64>::zeros(self.dim(), patterns.n_patterns());
        matmul(
            h.as_mut(),
            Accum::Replace,
            self.w.as_ref(),
            x.as_ref(),
            1.0,
            Par::Seq,
        );
        let mut count = 0;
        for (mu, p) in patterns.iter().enumerate() {
            let stable = (0..p.len()).all(|i| {
                let f = h[(i, mu)] - self.bias[i];
                f * p[i] >= 0.0
            });
            if stable {
                count += 1;
            }
        }
        Ok(count)
    }
}
