//! The box-constrained quadratic program as a firing-rate network:
//!
//! `min_x E(x) = ½xᵀWx + cᵀx   s.t.   lo ≤ x ≤ hi`,   `W = Wᵀ ⪰ 0`,
//!
//! solved by the proximal gradient dynamics of `E + ι_[lo,hi]` (Gokhale, Davydov, Bullo,
//! *Proximal Gradient Dynamics: Monotonicity, Exponential Convergence, and Applications*,
//! arXiv:2409.10664), whose prox is the clip onto the box:
//!
//! `τẋ = −x + clip_[lo,hi](x − γ(Wx + c))`.
//!
//! This is a firing-rate network `τẋ = −x + Φ((I − γW)x − γc)` with the clip as its activation,
//! the form in which Centorrino, Gokhale, Davydov, Russo, Bullo (*Positive Competitive Networks
//! for Sparse Reconstruction*, Neural Computation 2024, arXiv:2311.03821) write their networks.
//!
//! - **Equilibria** are the fixed points `x = clip(x − γ∇E(x))`, i.e. the KKT points of the QP
//!   (the minimisers, since `E` is convex).
//! - **Descent.** The box is forward invariant, and inside it, with `p = clip(x − γ∇E(x))`, the
//!   variational inequality of the projection at `y = x` gives `∇E(x)ᵀ(p − x) ≤ −‖p − x‖²/γ`,
//!   so `Ė ≤ −‖p − x‖²/(γτ) ≤ 0` for every `γ > 0`. Explicit Euler with `dt = τ` is projected
//!   gradient descent `x ← clip(x − γ(Wx + c))`, which descends for `γ ≤ 2/L`.
//! - **Contraction.** With `ρ, L` the smallest and largest eigenvalues of `W`, the map
//!   `x ↦ clip(x − γ(Wx + c))` is Lipschitz with constant `q = max{|1 − γρ|, |1 − γL|}` (the
//!   clip is non-expansive), so for `ρ > 0` and `0 < γ < 2/L` the flow is contracting with rate
//!   `(1 − q)/τ` (Gokhale et al., the strongly convex case) and each Euler step with
//!   `dt = τ` shrinks the distance to the optimum by at least the factor `q`.

use super::validate_psd_hessian;
use crate::energy::{Energy, Gradient};
use crate::error::{Error, Result, check_finite, check_len, check_positive};
use crate::flow::VectorField;
use crate::linalg::{dot, matvec_t_into};
use crate::run::{Run, Solution};
use crate::step::Euler;
use faer::{Mat, Par};
use std::sync::{Arc, Mutex};

/// A box-constrained QP `min ½xᵀWx + cᵀx s.t. lo ≤ x ≤ hi` with its proximal gradient
/// (firing-rate) dynamics `τẋ = −x + clip_[lo,hi](x − γ(Wx + c))`.
///
/// ```
/// use attractor::models::BoxQp;
/// use attractor::run::Status;
/// use faer::Mat;
/// // min ½(x₀² + x₁²) − 2x₀ + x₁ on [0, 1]²: x* = (1, 0).
/// let qp = BoxQp::new(Mat::identity(2, 2), vec![-2.0, 1.0], vec![0.0; 2], vec![1.0; 2])?;
/// let sol = qp.solve(&[0.5, 0.5], 1e-12, 100)?;
/// assert_eq!(sol.status, Status::Certified);
/// assert!((sol.state[0] - 1.0).abs() < 1e-12 && sol.state[1].abs() < 1e-12);
/// assert_eq!(qp.contraction_rate(), Some(1.0)); // γ = 1/L = 1: one step lands on x*
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BoxQp {
    w: Mat<f64>,
    c: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    gamma: f64,
    tau: f64,
    rho: f64,
    l: f64,
}

impl BoxQp {
    /// The QP with Hessian `W` (n × n, finite, symmetric, positive semidefinite), linear term
    /// `c` and bounds `lo ≤ hi` (length n; infinite bounds are allowed, `lo_i = +∞` and
    /// `hi_i = −∞` are not). The step defaults to `γ = 1/L` (`L` the largest eigenvalue of
    /// `W`, from [`symmetric_eigenvalues`](crate::linalg::symmetric_eigenvalues); `γ = 1`
    /// when `W = 0`) and the time constant to `τ = 1`.
    pub fn new(w: Mat<f64>, c: Vec<f64>, lo: Vec<f64>, hi: Vec<f64>) -> Result<Self> {
        let (rho, l) = validate_psd_hessian(&w)?;
        let n = w.nrows();
        check_len("c", c.len(), n, "c needs one entry per row of W")?;
        check_finite("c", &c)?;
        check_len(
            "lower bounds lo",
            lo.len(),
            n,
            "pass one lower bound per variable",
        )?;
        check_len(
            "upper bounds hi",
            hi.len(),
            n,
            "pass one upper bound per variable",
        )?;
        for i in 0..n {
            let (a, b) = (lo[i], hi[i]);
            if a.is_nan() || b.is_nan() || a > b || a == f64::INFINITY || b == f64::NEG_INFINITY {
                return Err(Error::invalid(
                    &format!("box bounds [lo[{i}], hi[{i}]]"),
                    format!("[{a}, {b}]"),
                    "each lower bound must be <= its upper bound, neither NaN, lo < +inf and hi > -inf; swap or fix the bounds",
                ));
            }
        }
        let gamma = if l > 0.0 { 1.0 / l } else { 1.0 };
        Ok(Self {
            w,
            c,
            lo,
            hi,
            gamma,
            tau: 1.0,
            rho,
            l,
        })
    }

    /// Set the proximal step `γ > 0` (descent of the Euler iteration with `dt = τ` and
    /// contraction need `γ < 2/L`; `2/(ρ + L)` gives the best contraction bound).
    pub fn with_gamma(mut self, gamma: f64) -> Result<Self> {
        check_positive("gamma", gamma, "pick a proximal step such as 1/L")?;
        self.gamma = gamma;
        Ok(self)
    }

    /// Set the time constant `τ > 0`.
    pub fn with_tau(mut self, tau: f64) -> Result<Self> {
        check_positive("tau", tau, "the time constant must be positive")?;
        self.tau = tau;
        Ok(self)
    }

    /// The number of variables `n`.
    pub fn dim(&self) -> usize {
        self.c.len()
    }
    /// The Hessian `W`.
    pub fn weights(&self) -> &Mat<f64> {
        &self.w
    }
    /// The linear term `c`.
    pub fn linear(&self) -> &[f64] {
        &self.c
    }
    /// The lower bounds `lo`.
    pub fn lower(&self) -> &[f64] {
        &self.lo
    }
    /// The upper bounds `hi`.
    pub fn upper(&self) -> &[f64] {
        &self.hi
    }
    /// The proximal step `γ`.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// The time constant `τ`.
    pub fn tau(&self) -> f64 {
        self.tau
    }
    /// The smallest and largest eigenvalues `(ρ, L)` of `W`.
    pub fn eigenvalue_bounds(&self) -> (f64, f64) {
        (self.rho, self.l)
    }

    /// The contraction rate of the flow, `(1 − max{|1 − γρ|, |1 − γL|})/τ` (for `τ = 1` the
    /// bound of Gokhale et al.): `‖x(t) − x*‖ ≤ e^{−rate·t}‖x(0) − x*‖`, and one Euler step
    /// with `dt = τ` (projected gradient descent) shrinks the distance by at least
    /// `1 − τ·rate`. `None` when `W` is singular (`ρ = 0`) or `γ ≥ 2/L`, where the bound
    /// proves nothing.
    pub fn contraction_rate(&self) -> Option<f64> {
        if self.rho <= 0.0 {
            return None;
        }
        let q = (1.0 - self.gamma * self.rho)
            .abs()
            .max((1.0 - self.gamma * self.l).abs());
        (q < 1.0).then(|| (1.0 - q) / self.tau)
    }

    /// Check that `x` is a finite vector of length n.
    fn check_state(&self, x: &[f64]) -> Result<()> {
        check_len("x", x.len(), self.dim(), "pass one value per variable")?;
        check_finite("x", x)
    }

    /// The objective `½xᵀWx + cᵀx` (the quadratic alone: it does not check that `x` is in
    /// the box).
    pub fn objective(&self, x: &[f64]) -> Result<f64> {
        self.check_state(x)?;
        let mut wx = vec![0.0; self.dim()];
        Ok(self.objective_with(x, &mut wx))
    }

    /// The fixed-point residual `‖x − clip_[lo,hi](x − γ(Wx + c))‖₂`: zero exactly at the
    /// minimisers (the KKT points); divided by `γ` it is the norm of the projected-gradient
    /// mapping, which bounds the KKT violation.
    pub fn kkt_residual(&self, x: &[f64]) -> Result<f64> {
        self.check_state(x)?;
        let mut wx = vec![0.0; self.dim()];
        Ok(self.residual_with(x, &mut wx))
    }

    /// `½xᵀWx + cᵀx` with `wx` as scratch.
    fn objective_with(&self, x: &[f64], wx: &mut [f64]) -> f64 {
        matvec_t_into(self.w.as_ref(), x, wx, Par::Seq);
        0.5 * dot(x, wx) + dot(&self.c, x)
    }

    /// The fixed-point residual with `wx` as scratch (no allocation).
    fn residual_with(&self, x: &[f64], wx: &mut [f64]) -> f64 {
        matvec_t_into(self.w.as_ref(), x, wx, Par::Seq);
        let mut s = 0.0;
        for i in 0..x.len() {
            let p = (x[i] - self.gamma * (wx[i] + self.c[i])).clamp(self.lo[i], self.hi[i]);
            s += (x[i] - p) * (x[i] - p);
        }
        s.sqrt()
    }

    /// The QP bound to its scratch buffer: a [`VectorField`] whose
    /// [`energy_at`](VectorField::energy_at) is the objective.
    pub fn flow(&self) -> BoxQpFlow<'_> {
        BoxQpFlow {
            qp: self,
            wx: vec![0.0; self.dim()],
        }
    }

    /// Projected gradient descent from `x0`: the flow integrated by explicit Euler with
    /// `dt = τ` (so each step is `x ← clip(x − γ(Wx + c))`), stopped with
    /// [`Status::Certified`](crate::run::Status::Certified) as soon as
    /// [`kkt_residual`](Self::kkt_residual) `≤ tol` (checked at every step, one extra
    /// matrix–vector product each) or with `MaxSteps` after `max_steps` steps. The returned
    /// [`Solution`] carries the objective trace and its largest increase.
    pub fn solve(&self, x0: &[f64], tol: f64, max_steps: usize) -> Result<Solution> {
        check_positive(
            "tol",
            tol,
            "give the fixed-point residual to stop at, e.g. 1e-10",
        )?;
        let qp = Arc::new(self.clone());
        let scratch = Mutex::new(vec![0.0; self.dim()]);
        let certified = move |_t: f64, x: &[f64]| {
            let mut wx = match scratch.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            qp.residual_with(x, &mut wx) <= tol
        };
        Run::new(self.tau)?
            .max_steps(max_steps)
            .stop_when(1, certified)?
            .solve(&mut self.flow(), &mut Euler::new(), x0)
    }
}

/// A [`BoxQp`] with the buffer needed to evaluate its flow without allocating.
#[derive(Debug, Clone)]
pub struct BoxQpFlow<'a> {
    qp: &'a BoxQp,
    wx: Vec<f64>,
}

impl VectorField for BoxQpFlow<'_> {
    fn dim(&self) -> usize {
        self.qp.dim()
    }
    /// `ẋ = (−x + clip_[lo,hi](x − γ(Wx + c)))/τ`.
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        let qp = self.qp;
        matvec_t_into(qp.w.as_ref(), x, &mut self.wx, Par::Seq);
        let inv_tau = 1.0 / qp.tau;
        for i in 0..x.len() {
            let p = (x[i] - qp.gamma * (self.wx[i] + qp.c[i])).clamp(qp.lo[i], qp.hi[i]);
            dx[i] = (p - x[i]) * inv_tau;
        }
    }
    /// The objective `½xᵀWx + cᵀx`: non-increasing along the flow from any start in the box.
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        Some(self.qp.objective_with(x, &mut self.wx))
    }
}

impl Energy for BoxQpFlow<'_> {
    fn dim(&self) -> usize {
        self.qp.dim()
    }
    fn energy(&mut self, x: &[f64]) -> f64 {
        self.qp.objective_with(x, &mut self.wx)
    }
}

impl Gradient for BoxQpFlow<'_> {
    /// `∇E = Wx + c`.
    fn gradient_into(&mut self, x: &[f64], grad: &mut [f64]) {
        matvec_t_into(self.qp.w.as_ref(), x, grad, Par::Seq);
        for (g, c) in grad.iter_mut().zip(&self.qp.c) {
            *g += c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residual_vanishes_at_a_clipped_optimum() {
        let qp = BoxQp::new(
            Mat::identity(2, 2),
            vec![-2.0, 1.0],
            vec![0.0; 2],
            vec![1.0; 2],
        )
        .unwrap();
        assert!(qp.kkt_residual(&[1.0, 0.0]).unwrap() < 1e-15);
        assert!(qp.kkt_residual(&[0.5, 0.0]).unwrap() > 0.1);
    }
}
