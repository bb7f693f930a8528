//! Dense associative memory (Krotov & Hopfield, *Dense Associative Memory for Pattern
//! Recognition*, NeurIPS 2016, arXiv:1606.01164; Demircigil, Heusel, Löwe, Upgang, Vermet,
//! *On a model of associative memory with huge storage capacity*, J. Stat. Phys. 168, 2017):
//!
//! `E(σ) = −Σ_μ F(ξ^μ·σ)`, `σ ∈ {±1}ᴺ`, with the asynchronous update
//!
//! `σ_i ← Sign[Σ_μ F(ξ^μ_i + Σ_{j≠i} ξ^μ_j σ_j) − F(−ξ^μ_i + Σ_{j≠i} ξ^μ_j σ_j)]`,
//!
//! which sets `σ_i` to whichever sign has the lower energy, so `E` never increases (ties keep
//! `σ_i`). The overlaps `m^μ = ξ^μ·σ` are kept and updated in `O(K)` when a unit flips.
//!
//! Separation functions: `F(x) = xⁿ` (n = 2 is the classical Hopfield memory up to a
//! constant), the rectified polynomial `F(x) = max(x, 0)ⁿ`, and `F(x) = eˣ` (Demircigil).
//! For `eˣ` the update uses `F(r+ξ) − F(r−ξ) = 2 sinh(1) ξ eʳ` with the largest `r`
//! factored out, and [`Memory::energy`] returns the log form `−ln Σ_μ exp(ξ^μ·σ)` (that is,
//! `−ln(−E)`, an increasing function of `E`, so descent is preserved) so that nothing
//! overflows even for `N` in the thousands.
//!
//! **\[pub\]** Capacity `K_max ≈ N^{n−1}/(2(2n−3)!! ln N)` without errors (Krotov & Hopfield
//! 2016, eq. 5); exponential in `N` for `eˣ` (Demircigil et al. 2017).

use super::memory::Memory;
use crate::error::{Error, Result};
use crate::problems::Patterns;
use crate::rng::{Rng, stream};
use crate::step::DiscreteMap;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use rand::seq::SliceRandom;

/// The separation (interaction) function `F` of a dense memory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Separation {
    /// `F(x) = xⁿ`, `n ≥ 2`.
    Polynomial(u32),
    /// `F(x) = max(x, 0)ⁿ`, `n ≥ 2`.
    RectifiedPolynomial(u32),
    /// `F(x) = eˣ` (Demircigil et al. 2017).
    Exponential,
}

impl Separation {
    /// Check `n ≥ 2` for the polynomial forms.
    pub fn validate(self) -> Result<Self> {
        match self {
            Separation::Polynomial(n) | Separation::RectifiedPolynomial(n) if n < 2 => {
                Err(Error::invalid(
                    "polynomial degree n",
                    n,
                    "must be >= 2 (n = 2 is the classical Hopfield memory; try n = 3)",
                ))
            }
            s => Ok(s),
        }
    }
    /// `F(x)` (polynomial forms only are overflow-safe for large `x`; `eˣ` overflows above 709).
    pub fn f(self, x: f64) -> f64 {
        match self {
            Separation::Polynomial(n) => x.powi(n as i32),
            Separation::RectifiedPolynomial(n) => {
                if x > 0.0 {
                    x.powi(n as i32)
                } else {
                    0.0
                }
            }
            Separation::Exponential => x.exp(),
        }
    }
    /// A short name: `n=3`, `rect n=3`, `exp`.
    pub fn name(self) -> String {
        match self {
            Separation::Polynomial(n) => format!("n={n}"),
            Separation::RectifiedPolynomial(n) => format!("rect n={n}"),
            Separation::Exponential => "exp".into(),
        }
    }
}

impl std::str::FromStr for Separation {
    type Err = Error;
    /// `3` (a polynomial degree `n ≥ 2`), `rect3` (rectified), or `exp`.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        if t == "exp" {
            return Ok(Separation::Exponential);
        }
        let (rect, digits) = match t.strip_prefix("rect") {
            Some(d) => (true, d.trim()),
            None => (false, t.as_str()),
        };
        let n: u32 = digits.parse().map_err(|_| {
            Error::invalid(
                "separation function",
                s,
                "give a polynomial degree such as 3, rect3 for max(x, 0)^3, or exp",
            )
        })?;
        if rect {
            Separation::RectifiedPolynomial(n)
        } else {
            Separation::Polynomial(n)
        }
        .validate()
    }
}

/// A dense associative memory of `±1` patterns.
///
/// ```
/// use attractor::models::{DenseMemory, Memory, Separation};
/// use attractor::problems::{Patterns, flip_fraction};
/// // 60 random patterns in N = 40: far beyond the classical limit 0.14 N ≈ 6
/// let p = Patterns::random_binary(60, 40, 1)?;
/// let mut mem = DenseMemory::new(&p, Separation::Polynomial(4))?;
/// let q = flip_fraction(p.pattern(3), 0.1, 9)?;
/// let sol = mem.recall(&q)?;
/// assert_eq!(sol.state, p.pattern(3));
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DenseMemory {
    /// `ξ` transposed: `xt[i·K + μ] = ξ^μ_i`.
    xt: Vec<f64>,
    n_patterns: usize,
    dim: usize,
    separation: Separation,
    max_sweeps: usize,
    rng: Rng,
    // scratch
    m: Vec<f64>,
    r: Vec<f64>,
    order: Vec<usize>,
    /// The state the map produced last, for which `m` is current.
    last: Vec<f64>,
    spare: Vec<f64>,
}

impl DenseMemory {
    /// Store `±1` patterns with separation function `F` (asynchronous updates in a random
    /// order seeded with 0; see [`with_seed`](Self::with_seed)).
    pub fn new(patterns: &Patterns, separation: Separation) -> Result<Self> {
        let separation = separation.validate()?;
        patterns.require_binary("the dense associative memory")?;
        let (k, n) = (patterns.n_patterns(), patterns.dim());
        if let Separation::Polynomial(deg) | Separation::RectifiedPolynomial(deg) = separation {
            // overlaps reach N, so the energy −Σ_μ F(m_μ) reaches −K·Nⁿ: it must stay finite
            let worst = (k as f64) * ((n + 2) as f64).powf(f64::from(deg));
            if !worst.is_finite() || worst > 1e300 {
                let max_deg = ((1e300 / k as f64).ln() / ((n + 2) as f64).ln()).floor();
                return Err(Error::invalid(
                    "polynomial degree n",
                    deg,
                    &format!(
                        "K·(N+2)^n = {} overflows f64 arithmetic at N = {n}, K = {k}; use n <= {max_deg} or the exponential separation (exp)",
                        crate::format_number(worst)
                    ),
                ));
            }
        }
        let mut xt = vec![0.0; n * k];
        for (mu, p) in patterns.iter().enumerate() {
            for i in 0..n {
                xt[i * k + mu] = p[i];
            }
        }
        Ok(Self {
            xt,
            n_patterns: k,
            dim: n,
            separation,
            max_sweeps: 100,
            rng: stream(0, 0),
            m: vec![0.0; k],
            r: vec![0.0; k],
            order: (0..n).collect(),
            last: vec![f64::NAN; n],
            spare: vec![0.0; n],
        })
    }
    /// Seed the random visiting order of the asynchronous sweeps.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.rng = stream(seed, 0);
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
    /// The separation function.
    pub fn separation(&self) -> Separation {
        self.separation
    }

    fn overlaps(&mut self, s: &[f64]) {
        let k = self.n_patterns;
        self.m.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..self.dim {
            let row = &self.xt[i * k..(i + 1) * k];
            let si = s[i];
            for (m, &x) in self.m.iter_mut().zip(row) {
                *m += x * si;
            }
        }
    }

    fn energy_from_overlaps(&self) -> f64 {
        match self.separation {
            Separation::Exponential => {
                let mx = self.m.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                -(mx + self.m.iter().map(|&v| (v - mx).exp()).sum::<f64>().ln())
            }
            sep => -self.m.iter().map(|&v| sep.f(v)).sum::<f64>(),
        }
    }

    /// The sign of `Σ_μ F(ξ^μ_i + r^μ) − F(−ξ^μ_i + r^μ)`, `r^μ = m^μ − ξ^μ_i σ_i`.
    fn drive(&mut self, i: usize, si: f64) -> f64 {
        let k = self.n_patterns;
        let row = &self.xt[i * k..(i + 1) * k];
        match self.separation {
            Separation::Exponential => {
                let mut rmax = f64::NEG_INFINITY;
                for mu in 0..k {
                    let r = self.m[mu] - row[mu] * si;
                    self.r[mu] = r;
                    rmax = rmax.max(r);
                }
                let mut acc = 0.0;
                for mu in 0..k {
                    acc += row[mu] * (self.r[mu] - rmax).exp();
                }
                acc
            }
            sep => {
                let mut acc = 0.0;
                for mu in 0..k {
                    let x = row[mu];
                    let r = self.m[mu] - x * si;
                    acc += sep.f(r + x) - sep.f(r - x);
                }
                acc
            }
        }
    }

    /// One asynchronous sweep with `m = Ξσ` current; returns the number of flips.
    fn sweep(&mut self, s: &mut [f64]) -> usize {
        self.order.shuffle(&mut self.rng);
        let k = self.n_patterns;
        let mut flips = 0;
        for o in 0..self.dim {
            let i = self.order[o];
            let d = self.drive(i, s[i]);
            let new = if d > 0.0 {
                1.0
            } else if d < 0.0 {
                -1.0
            } else {
                s[i]
            };
            if new != s[i] {
                let delta = new - s[i];
                s[i] = new;
                let row = &self.xt[i * k..(i + 1) * k];
                for (m, &x) in self.m.iter_mut().zip(row) {
                    *m += delta * x;
                }
                flips += 1;
            }
        }
        flips
    }
}

impl Memory for DenseMemory {
    fn name(&self) -> String {
        format!("dense {}", self.separation.name())
    }
    fn dim(&self) -> usize {
        self.dim
    }
    fn n_patterns(&self) -> usize {
        self.n_patterns
    }
    /// `−Σ_μ F(ξ^μ·x)`; for `eˣ`, `−ln Σ_μ exp(ξ^μ·x)`.
    fn energy(&mut self, x: &[f64]) -> f64 {
        self.overlaps(x);
        self.last.fill(f64::NAN);
        self.energy_from_overlaps()
    }
    fn update_into(&mut self, x: &[f64], out: &mut [f64]) {
        crate::problems::patterns::sign_into(x, out);
        self.overlaps(out);
        self.sweep(out);
        self.last.fill(f64::NAN);
    }
    fn map(&mut self) -> &mut dyn DiscreteMap {
        self
    }
    fn max_sweeps(&self) -> usize {
        self.max_sweeps
    }

    /// Batched stability test for the polynomial forms, exact in the model's arithmetic: with
    /// `M = ΞΞᵀ`, `P = F(M) − F(M−2)`, `Q = F(M+2) − F(M)`, the drive on unit `i` at pattern
    /// `ν` is `Σ_μ ξ^μ_i (P+Q)_{μν}/2 + ξ^ν_i Σ_μ (P−Q)_{μν}/2` — two matrix products instead
    /// of `K` sweeps. The exponential form uses the per-pattern sweep.
    fn count_stable(&mut self, patterns: &Patterns) -> Result<usize> {
        super::memory::check_pattern_len(patterns, self.dim)?;
        if self.separation == Separation::Exponential || !patterns.is_binary() {
            let mut out = vec![0.0; self.dim];
            let mut count = 0;
            for p in patterns.iter() {
                self.update_into(p, &mut out);
                if super::memory::is_recovered(&out, p) {
                    count += 1;
                }
            }
            return Ok(count);
        }
        let (k, n, kt) = (self.n_patterns, self.dim, patterns.n_patterns());
        // stored Ξ (K × N) from xt, tested patterns as columns (N × K_t)
        let xi = Mat::from_fn(k, n, |mu, i| self.xt[i * k + mu]);
        let test = patterns.columns();
        let mut m = Mat::<f64>::zeros(k, kt);
        matmul(
            m.as_mut(),
            Accum::Replace,
            xi.as_ref(),
            test.as_ref(),
            1.0,
            Par::Seq,
        );
        let sep = self.separation;
        let mut bsum = vec![0.0; kt];
        for nu in 0..kt {
            for mu in 0..k {
                let x = m[(mu, nu)];
                let (f0, fm, fp) = (sep.f(x), sep.f(x - 2.0), sep.f(x + 2.0));
                let (p, q) = (f0 - fm, fp - f0);
                m[(mu, nu)] = 0.5 * (p + q);
                bsum[nu] += 0.5 * (p - q);
            }
        }
        let mut d = Mat::<f64>::zeros(n, kt);
        matmul(
            d.as_mut(),
            Accum::Replace,
            xi.transpose(),
            m.as_ref(),
            1.0,
            Par::Seq,
        );
        let mut count = 0;
        for (nu, p) in patterns.iter().enumerate() {
            if (0..n).all(|i| p[i] * (d[(i, nu)] + p[i] * bsum[nu]) >= 0.0) {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// One asynchronous sweep as a map on `{±1}ᴺ`, with the overlaps `m = Ξσ` kept current.
impl DiscreteMap for DenseMemory {
    fn dim(&self) -> usize {
        self.dim
    }
    /// Take signs (`sgn(0) = +1`) and compute the overlaps.
    fn start(&mut self, x: &mut [f64]) {
        self.spare.copy_from_slice(x);
        crate::problems::patterns::sign_into(&self.spare, x);
        self.overlaps(x);
        self.last.copy_from_slice(x);
    }
    fn apply(&mut self, x: &mut [f64]) {
        if self.last != x {
            self.overlaps(x);
        }
        self.sweep(x);
        self.last.copy_from_slice(x);
    }
    fn energy_at(&mut self, x: &[f64]) -> Option<f64> {
        if self.last != x {
            self.overlaps(x);
            self.last.copy_from_slice(x);
        }
        Some(self.energy_from_overlaps())
    }
}
