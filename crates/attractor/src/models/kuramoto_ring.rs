//! Kuramoto ring memories (Guo, Ogranovich, …, Bullo, Pasqualetti, arXiv:2504.03102).
//!
//! A ring of `n` identical oscillators with nearest-neighbour coupling,
//! `θ̇_i = sin(θ_{i+1} − θ_i) + sin(θ_{i−1} − θ_i)` (indices mod n), has the twisted states
//! `θ_i = 2πqi/n` (winding number `q`) as equilibria. The Jacobian at a twisted state is a
//! circulant with eigenvalues `λ_k = −2 cos(2πq/n)(1 − cos(2πk/n))`, so the state is stable iff
//! `cos(2πq/n) > 0`, i.e. `4|q| < n` for `q ∈ (−n/2, n/2]`: exactly `2⌈n/4⌉ − 1` stable twisted
//! states. A honeycomb of `m` rings of `n_c` oscillators stores `(2⌈n_c/4⌉ − 1)^m` patterns.

use crate::error::{Error, Result};
use crate::flow::VectorField;
use std::f64::consts::TAU;

/// A ring of `n ≥ 3` Kuramoto oscillators with unit nearest-neighbour coupling.
///
/// ```
/// use attractor::models::KuramotoRing;
/// let ring = KuramotoRing::new(10)?;
/// assert_eq!(ring.stable_twists(), vec![-2, -1, 0, 1, 2]);
/// assert_eq!(KuramotoRing::stable_count(10), 5);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KuramotoRing {
    n: usize,
}

impl KuramotoRing {
    /// A ring of `n ≥ 3` oscillators.
    pub fn new(n: usize) -> Result<Self> {
        if n < 3 {
            return Err(Error::invalid(
                "n",
                n,
                "a ring needs at least 3 oscillators",
            ));
        }
        Ok(Self { n })
    }

    /// Number of oscillators.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The winding numbers `q ∈ (−n/2, n/2]` of all twisted states.
    pub fn twists(&self) -> Vec<i64> {
        let n = self.n as i64;
        (-(n - 1) / 2..=n / 2).collect()
    }

    /// The twisted state `θ_i = 2πqi/n`.
    pub fn twisted_state(&self, q: i64) -> Vec<f64> {
        (0..self.n)
            .map(|i| TAU * q as f64 * i as f64 / self.n as f64)
            .collect()
    }

    /// Eigenvalues `λ_k = −2 cos(2πq/n)(1 − cos(2πk/n))`, `k = 0..n`, of the Jacobian at twist `q`.
    pub fn twisted_eigenvalues(&self, q: i64) -> Vec<f64> {
        let n = self.n as f64;
        let a = (TAU * q as f64 / n).cos();
        (0..self.n)
            .map(|k| -2.0 * a * (1.0 - (TAU * k as f64 / n).cos()))
            .collect()
    }

    /// Whether twist `q` is stable: `cos(2πq/n) > 0`, decided exactly as `4|q| < n` (after
    /// reducing `q` into `(−n/2, n/2]`).
    pub fn is_stable_twist(&self, q: i64) -> bool {
        let n = self.n as i64;
        let mut q = q.rem_euclid(n);
        if 2 * q > n {
            q -= n;
        }
        4 * q.abs() < n
    }

    /// The stable winding numbers.
    pub fn stable_twists(&self) -> Vec<i64> {
        self.twists()
            .into_iter()
            .filter(|&q| self.is_stable_twist(q))
            .collect()
    }

    /// `2⌈n/4⌉ − 1`, the number of stable twisted states of a ring of `n`.
    pub fn stable_count(n: usize) -> usize {
        (2 * n.div_ceil(4)).saturating_sub(1)
    }

    /// `(2⌈n_c/4⌉ − 1)^m`: patterns stored by a honeycomb of `m` rings of `n_c` oscillators.
    pub fn honeycomb_count(n_c: usize, m: u32) -> u128 {
        (Self::stable_count(n_c) as u128).pow(m)
    }

    /// Winding number `q = (1/2π) Σ_i wrap(θ_{i+1} − θ_i)` of a phase vector (wrap into [−π, π)).
    pub fn winding_number(theta: &[f64]) -> i64 {
        let n = theta.len();
        let mut total = 0.0;
        for i in 0..n {
            let d = theta[(i + 1) % n] - theta[i];
            total += d - TAU * (d / TAU).round();
        }
        (total / TAU).round() as i64
    }
}

impl VectorField for KuramotoRing {
    fn dim(&self) -> usize {
        self.n
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        let n = self.n;
        for i in 0..n {
            let next = x[(i + 1) % n];
            let prev = x[(i + n - 1) % n];
            dx[i] = (next - x[i]).sin() + (prev - x[i]).sin();
        }
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        let n = self.n;
        Some(-(0..n).map(|i| (x[(i + 1) % n] - x[i]).cos()).sum::<f64>())
    }
}
