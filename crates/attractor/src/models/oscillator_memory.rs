//! Oscillatory associative memory (Nishikawa, Lai & Hoppensteadt, *Capacity of oscillatory
//! associative-memory networks with error-free retrieval*, PRL 92, 108101, 2004; the ACC 2026
//! tutorial slides), in the frame rotating at the common frequency ω:
//!
//! `φ̇_i = Σ_j W_ij sin(φ_j − φ_i) + (κ/N) Σ_j sin 2(φ_j − φ_i)`,
//!
//! the gradient flow of `E(φ) = −½ Σ_ij W_ij cos(φ_j − φ_i) − (κ/4N) Σ_ij cos 2(φ_j − φ_i)`.
//! A pattern `ξ ∈ {±1}^N` is stored as the phase state `φ_i ∈ {0, π}` (`ξ_i = cos φ_i`) up to a
//! global phase. The second harmonic κ stabilises the stored binary states: pattern `ξ` is stable
//! iff `κ > κ_c(ξ)` ([`OscillatorMemory::critical_kappa`]). Patterns are the library's one
//! pattern type, [`Patterns`] with `±1` entries.

use crate::error::{Error, Result, check_len, check_nonnegative};
use crate::flow::VectorField;
use crate::problems::Patterns;
use faer::{Mat, MatMut};

/// Normalisation of the Hebbian couplings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HebbianScale {
    /// `W = (1/N) ΞΞᵀ` (Nishikawa et al. 2004).
    OverN,
    /// `W = (1/K) ΞΞᵀ` (the tutorial slides).
    OverK,
}

/// An oscillator network with couplings `W` (symmetric, zero diagonal) and second-harmonic
/// strength `κ`.
///
/// ```
/// use attractor::analysis::overlap;
/// use attractor::models::{HebbianScale, OscillatorMemory};
/// use attractor::problems::Patterns;
/// use attractor::run::Run;
/// use attractor::step::Rk4;
/// let xi = Patterns::new(vec![vec![1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 1.0, -1.0]])?;
/// let mem = OscillatorMemory::hebbian(&xi, HebbianScale::OverN, 0.2)?;
/// let phi0 = OscillatorMemory::phases_of(&[1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 1.0]); // one bit flipped
/// let phi0: Vec<f64> = phi0.iter().enumerate().map(|(i, p)| p + 0.3 * (i as f64).sin()).collect();
/// let sol = Run::new(0.05)?.t_end(60.0)?.solve(&mut mem.flow(), &mut Rk4::new(), &phi0)?;
/// let recalled = OscillatorMemory::read_pattern(&sol.state);
/// assert_eq!(overlap(&recalled, xi.pattern(0))?.abs(), 1.0);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct OscillatorMemory {
    w: Mat<f64>,
    kappa: f64,
}

impl OscillatorMemory {
    /// A network from symmetric couplings `W` (the diagonal is ignored) and `κ ≥ 0`.
    pub fn new(w: Mat<f64>, kappa: f64) -> Result<Self> {
        let asym = super::validate_weights(&w)?;
        if super::is_asymmetric(&w, asym) {
            return Err(Error::invalid(
                "W",
                format!("max |W_ij − W_ji| = {asym:.3e}"),
                "the oscillator memory needs symmetric couplings; use (W + Wᵀ)/2",
            ));
        }
        check_nonnegative("kappa", kappa, "the second-harmonic strength κ is >= 0")?;
        let mut w = w;
        for i in 0..w.nrows() {
            w[(i, i)] = 0.0;
        }
        Ok(Self { w, kappa })
    }

    /// Hebbian couplings `W = (1/N or 1/K) ΞᵀΞ`, zero diagonal, of `±1` patterns (one matrix
    /// product).
    pub fn hebbian(patterns: &Patterns, scale: HebbianScale, kappa: f64) -> Result<Self> {
        patterns.require_binary("the oscillator memory")?;
        let (k, n) = (patterns.n_patterns(), patterns.dim());
        let norm = match scale {
            HebbianScale::OverN => n as f64,
            HebbianScale::OverK => k as f64,
        };
        let xi = patterns.rows();
        let mut w = crate::memory::try_zeros(
            "the oscillator memory's couplings W (N x N)",
            n,
            n,
            "store shorter patterns (N is the pattern length)",
        )?;
        faer::linalg::matmul::matmul(
            w.as_mut(),
            faer::Accum::Replace,
            xi.transpose(),
            xi.as_ref(),
            1.0 / norm,
            faer::Par::Seq,
        );
        Self::new(w, kappa)
    }

    /// The same couplings with another second-harmonic strength `κ ≥ 0`.
    pub fn with_kappa(&self, kappa: f64) -> Result<Self> {
        check_nonnegative("kappa", kappa, "the second-harmonic strength κ is >= 0")?;
        Ok(Self {
            w: self.w.clone(),
            kappa,
        })
    }

    /// The critical strength `κ_c(ξ)` above which the `±1` pattern `ξ` is a stable equilibrium
    /// ([`crate::analysis::critical_kappa`]; it does not depend on this memory's κ).
    pub fn critical_kappa(&self, pattern: &[f64]) -> Result<f64> {
        crate::analysis::critical_kappa(self, pattern)
    }

    /// The couplings `W`.
    pub fn weights(&self) -> &Mat<f64> {
        &self.w
    }
    /// The second-harmonic strength κ.
    pub fn kappa(&self) -> f64 {
        self.kappa
    }
    /// Number of oscillators.
    pub fn n(&self) -> usize {
        self.w.nrows()
    }

    /// Phases of a binary pattern: `φ_i = 0` for `ξ_i > 0`, `π` otherwise.
    pub fn phases_of(pattern: &[f64]) -> Vec<f64> {
        pattern
            .iter()
            .map(|&v| if v > 0.0 { 0.0 } else { std::f64::consts::PI })
            .collect()
    }

    /// A query of phases near a `±1` pattern: [`phases_of`](Self::phases_of) plus a phase
    /// jitter `u_i ~ U[−jitter, jitter]` drawn from [`rng::stream`](crate::rng::stream)`(seed,
    /// CORRUPT)`.
    ///
    /// ```
    /// use attractor::models::OscillatorMemory;
    /// let phi = OscillatorMemory::jittered_phases(&[1.0, -1.0], 0.1, 3)?;
    /// assert!(phi[0].abs() <= 0.1 && (phi[1] - std::f64::consts::PI).abs() <= 0.1);
    /// # Ok::<(), attractor::Error>(())
    /// ```
    pub fn jittered_phases(pattern: &[f64], jitter: f64, seed: u64) -> Result<Vec<f64>> {
        use rand::RngExt;
        check_nonnegative("jitter", jitter, "a phase jitter in radians, e.g. 0.4")?;
        let mut rng = crate::rng::stream(seed, crate::rng::streams::CORRUPT);
        Ok(Self::phases_of(pattern)
            .into_iter()
            .map(|p| {
                if jitter > 0.0 {
                    p + rng.random_range(-jitter..=jitter)
                } else {
                    p
                }
            })
            .collect())
    }

    /// Read a `±1` pattern `s_i = sgn cos(φ_i − φ_ref)` with `φ_ref = ½ arg Σ_j e^{2iφ_j}` (the
    /// axis of the second-harmonic order parameter; the answer is defined up to a global sign,
    /// compare with `|overlap|`, [`crate::analysis::overlap`]).
    pub fn read_pattern(phi: &[f64]) -> Vec<f64> {
        let (mut c, mut s) = (0.0, 0.0);
        for &p in phi {
            c += (2.0 * p).cos();
            s += (2.0 * p).sin();
        }
        let r = 0.5 * s.atan2(c);
        phi.iter()
            .map(|&p| if (p - r).cos() >= 0.0 { 1.0 } else { -1.0 })
            .collect()
    }

    /// Bind scratch buffers: the flow with its energy and analytic Jacobian.
    pub fn flow(&self) -> OscillatorMemoryFlow<'_> {
        let n = self.n();
        OscillatorMemoryFlow {
            m: self,
            c: vec![0.0; n],
            s: vec![0.0; n],
        }
    }
}

/// The flow of an [`OscillatorMemory`]: `φ̇ = −∇E(φ)`.
pub struct OscillatorMemoryFlow<'a> {
    m: &'a OscillatorMemory,
    c: Vec<f64>,
    s: Vec<f64>,
}

impl VectorField for OscillatorMemoryFlow<'_> {
    fn dim(&self) -> usize {
        self.m.n()
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        let n = x.len();
        let (mut c2, mut s2) = (0.0, 0.0);
        for i in 0..n {
            (self.s[i], self.c[i]) = x[i].sin_cos();
            c2 += (2.0 * x[i]).cos();
            s2 += (2.0 * x[i]).sin();
        }
        let w = &self.m.w;
        let k = self.m.kappa / n as f64;
        for i in 0..n {
            let (mut ws, mut wc) = (0.0, 0.0);
            for j in 0..n {
                ws += w[(i, j)] * self.s[j];
                wc += w[(i, j)] * self.c[j];
            }
            // Σ_j W_ij sin(φ_j − φ_i) = cos φ_i (Ws)_i − sin φ_i (Wc)_i
            let (si2, ci2) = (2.0 * x[i]).sin_cos();
            dx[i] = self.c[i] * ws - self.s[i] * wc + k * (ci2 * s2 - si2 * c2);
        }
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        let n = x.len();
        let w = &self.m.w;
        let mut e = 0.0;
        let (mut c2, mut s2) = (0.0, 0.0);
        for i in 0..n {
            for j in 0..n {
                e -= 0.5 * w[(i, j)] * (x[j] - x[i]).cos();
            }
            c2 += (2.0 * x[i]).cos();
            s2 += (2.0 * x[i]).sin();
        }
        // Σ_ij cos 2(φ_j − φ_i) = |Σ_j e^{2iφ_j}|²
        e -= self.m.kappa / (4.0 * n as f64) * (c2 * c2 + s2 * s2);
        Some(e)
    }
    fn jacobian_into(&mut self, _t: f64, x: &[f64], mut jac: MatMut<'_, f64>) -> bool {
        let n = x.len();
        let w = &self.m.w;
        let k = 2.0 * self.m.kappa / n as f64;
        for i in 0..n {
            let mut diag = 0.0;
            for j in 0..n {
                if i != j {
                    let a = w[(i, j)] * (x[j] - x[i]).cos() + k * (2.0 * (x[j] - x[i])).cos();
                    jac[(i, j)] = a;
                    diag -= a;
                }
            }
            jac[(i, i)] = diag;
        }
        true
    }
}

/// Check a phase vector's length against a memory.
pub fn check_phases(m: &OscillatorMemory, phi: &[f64]) -> Result<()> {
    check_len("phases", phi.len(), m.n(), "give one phase per oscillator")
}
