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
//! **\[pub\]** With Hebbian couplings and random patterns, retrieval breaks down at
//! `α = K/N ≈ 0.138` (Amit, Gutfreund, Sompolinsky, PRL 55, 1985); error-free retrieval holds up
//! to about `N/(2 ln N)` patterns (McEliece et al., IEEE Trans. IT 33, 1987).

use super::memory::Memory;
use super::{Activation, HopfieldNetwork};
use crate::error::{Error, Result, check_finite, check_len};
use crate::problems::Patterns;
use crate::rng::{Rng, stream};
use crate::step::DiscreteMap;
use faer::Mat;
use faer::linalg::matmul::matmul;
use faer::{Accum, Par};
use rand::seq::SliceRandom;

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
/// use attractor::models::{HopfieldMemory, Memory};
/// use attractor::problems::{Patterns, flip_fraction};
/// use attractor::run::Status;
/// let p = Patterns::random_binary(5, 200, 1)?;
/// let mut mem = HopfieldMemory::hebbian(&p)?;
/// let query = flip_fraction(p.pattern(0), 0.1, 2)?;
/// let sol = mem.recall(&query)?;
/// assert_eq!(sol.status, Status::FixedPoint);
/// assert_eq!(sol.state, p.pattern(0));
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
    rng: Rng,
    // scratch
    h: Vec<f64>,
    order: Vec<usize>,
    next: Vec<f64>,
    /// The state the map produced last, for which `h` is current.
    last: Vec<f64>,
}

impl HopfieldMemory {
    /// A memory with given couplings (square, finite, symmetric with `W_ii ≥ 0`, the conditions
    /// for asynchronous descent). `rule` names it in tables; `n_patterns` is informational.
    /// The learning rules build memories from patterns: [`HopfieldMemory::hebbian`],
    /// [`HopfieldMemory::storkey`] and [`HopfieldMemory::pseudo_inverse`] (in
    /// [`learn`](crate::learn), which uses this model; the model never calls a rule).
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
            rng: stream(0, 0),
            h: vec![0.0; n],
            order: (0..n).collect(),
            next: vec![0.0; n],
            last: vec![f64::NAN; n],
        })
    }

    /// Set the update schedule (default asynchronous with seed 0); reseeds the visiting order.
    pub fn with_update(mut self, update: Update) -> Self {
        self.update = update;
        if let Update::Asynchronous { seed } = update {
            self.rng = stream(seed, 0);
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
        self.last.fill(f64::NAN);
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
                self.next.copy_from_slice(out);
                let (cur, h) = (std::mem::take(&mut self.next), std::mem::take(&mut self.h));
                self.sync_step(&cur, &h, out);
                self.next = cur;
                self.h = h;
            }
        }
        self.last.fill(f64::NAN);
    }
    fn map(&mut self) -> &mut dyn DiscreteMap {
        self
    }
    fn max_sweeps(&self) -> usize {
        self.max_sweeps
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

/// One sweep of the memory as a map on `{±1}ᴺ`: asynchronous (fields `h = Wσ` kept current,
/// `O(N)` per flip) or synchronous (`σ ← sgn(Wσ − b)`, which may end in a two-cycle).
impl DiscreteMap for HopfieldMemory {
    fn dim(&self) -> usize {
        self.w.nrows()
    }
    /// Take signs (`sgn(0) = +1`) and compute the fields.
    fn start(&mut self, x: &mut [f64]) {
        self.next.copy_from_slice(x);
        to_spins(&self.next, x);
        self.fields(x);
        self.last.copy_from_slice(x);
    }
    fn apply(&mut self, x: &mut [f64]) {
        if self.last != x {
            // a state this map did not produce: bring the fields up to date
            self.fields(x);
        }
        match self.update {
            Update::Asynchronous { .. } => {
                self.sweep_async(x);
            }
            Update::Synchronous => {
                let mut next = std::mem::take(&mut self.next);
                self.sync_step(x, &self.h, &mut next);
                x.copy_from_slice(&next);
                self.next = next;
                crate::linalg::matvec_into(self.w.as_ref(), x, &mut self.h);
            }
        }
        self.last.copy_from_slice(x);
    }
    /// `E(σ) = −½σᵀWσ + bᵀσ`, from the kept fields when `x` is the state the map produced.
    fn energy_at(&mut self, x: &[f64]) -> Option<f64> {
        if self.last != x {
            self.fields(x);
            self.last.copy_from_slice(x);
        }
        Some(self.energy_from_fields(x, &self.h))
    }
    fn may_cycle(&self) -> bool {
        self.update == Update::Synchronous
    }
}

/// The parameters of the classical memory, `θ = (W_ij for i < j, row by row; b)`, with
/// `∂E/∂W_ij = −σ_iσ_j` and `∂E/∂b_i = σ_i` for `E(σ) = −½σᵀWσ + bᵀσ` (`W` symmetric with zero
/// diagonal: each pair appears once).
impl crate::energy::ParamGradient for HopfieldMemory {
    fn n_params(&self) -> usize {
        let n = self.w.nrows();
        n * (n - 1) / 2 + n
    }
    fn params(&self) -> Vec<f64> {
        let n = self.w.nrows();
        let mut theta = Vec::with_capacity(self.n_params());
        for i in 0..n {
            for j in (i + 1)..n {
                theta.push(self.w[(i, j)]);
            }
        }
        theta.extend_from_slice(&self.bias);
        theta
    }
    fn set_params(&mut self, theta: &[f64]) -> Result<()> {
        check_len(
            "theta",
            theta.len(),
            self.n_params(),
            "pass n(n-1)/2 couplings (i < j, row by row) then n thresholds",
        )?;
        check_finite("theta", theta)?;
        let n = self.w.nrows();
        let mut k = 0;
        for i in 0..n {
            self.w[(i, i)] = 0.0;
            for j in (i + 1)..n {
                self.w[(i, j)] = theta[k];
                self.w[(j, i)] = theta[k];
                k += 1;
            }
        }
        self.bias.copy_from_slice(&theta[k..]);
        self.last.fill(f64::NAN);
        Ok(())
    }
    fn param_gradient_into(&self, x: &[f64], grad: &mut [f64]) {
        let n = self.w.nrows();
        let mut k = 0;
        for i in 0..n {
            for j in (i + 1)..n {
                grad[k] = -x[i] * x[j];
                k += 1;
            }
        }
        grad[k..k + n].copy_from_slice(&x[..n]);
    }
}
