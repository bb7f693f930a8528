//! PI-PGD: proximal gradient dynamics with a proportional–integral controller on the
//! multipliers of equality constraints (Centorrino, Rossi, Russo, Bullo, *Proximal Gradient
//! Dynamics and Feedback Control for Equality-Constrained Composite Optimization*,
//! arXiv:2503.15093), here for the equality-constrained LASSO
//!
//! `min_x ½xᵀWx + λ‖x‖₁   s.t.   Ax = b`,   `W = Wᵀ ⪰ 0`,  `A ∈ ℝ^{m×n}` of full row rank.
//!
//! The Lagrange multiplier `ν` is the control input and the constraint violation `Ax − b` the
//! output; a PI law closes the loop. The state is `z = (x, ξ) ∈ ℝ^{n+m}`:
//!
//! ```text
//! ẋ = −x + soft_{γλ}(x − γ(Wx + Aᵀν)),
//! ξ̇ = Ax − b,
//! ν = k_p(Ax − b) + k_i ξ,
//! ```
//!
//! with `soft_t(v) = sign(v) max(|v| − t, 0)`, the prox of `γλ‖·‖₁`.
//!
//! - **Equilibria** are exactly the KKT points: `ξ̇ = 0` forces `Ax = b` (so `ν = k_i ξ`), and
//!   `x = soft_{γλ}(x − γ(Wx + Aᵀν))` is `0 ∈ Wx + Aᵀν + λ∂‖x‖₁`: for `x_i ≠ 0`,
//!   `(Wx + Aᵀν)_i + λ sign(x_i) = 0`; for `x_i = 0`, `|(Wx + Aᵀν)_i| ≤ λ`.
//! - **Convergence.** For affine constraints and strongly convex `f = ½xᵀWx` the paper proves
//!   linear–exponential convergence by contraction: `‖z(t) − z*‖` is bounded by a function that
//!   decreases linearly far from `z*` and exponentially near it, so `log‖z − z*‖` falls on a
//!   straight line after a transient.
//! - **No energy.** Like every primal–dual flow, PI-PGD has no energy that is known to decrease
//!   along it; the flow reports the objective `½xᵀWx + λ‖x‖₁` as its `energy_at` with a
//!   [`lyapunov_caveat`](VectorField::lyapunov_caveat), and progress is measured by
//!   [`PiPgd::kkt_residual`] (a `Run::stop_when` or `Run::record` probe).
//!
//! **On the form.** The equations above are those of `../shared/SCIENCE.md` §6 and of the
//! paper's abstract; the paper's body could not be consulted when this was written, so its
//! exact notation was not checked. Conventions used here: the Lagrangian is
//! `f + g + νᵀ(Ax − b)` (so `+Aᵀν` in the gradient), there is no linear term in `f`, `γ`
//! multiplies the whole gradient of the Lagrangian inside the prox, and the integral state is
//! `ξ = ∫(Ax − b)` with the gain outside (`ν = k_p(Ax − b) + k_i ξ`). Writing the integral
//! state as `ν_I = k_i ξ` (`ν̇_I = k_i(Ax − b)`) gives the same `x`-trajectories.

use super::validate_psd_hessian;
use crate::energy::Prox;
use crate::error::{Error, Result, check_finite, check_len, check_positive};
use crate::flow::VectorField;
use crate::linalg::{check_matrix_finite, dot, matvec_into, matvec_t_into, norm2};
use crate::prox::SoftThreshold;
use faer::{Mat, Par};

/// The parameters of [`PiPgd`]: the ℓ₁ weight `λ ≥ 0`, the controller gains `k_p, k_i > 0`
/// and the proximal step `γ > 0` (`None`: `γ = 1/L`, `L` the largest eigenvalue of `W`).
/// The defaults `λ = 1`, `k_p = k_i = 20` are those of the example of Centorrino et al.; the
/// default step `γ = 1/L` is this library's choice (as in [`BoxQp`](super::BoxQp)), not
/// checked against the paper.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PiPgdParams {
    /// The ℓ₁ weight `λ ≥ 0`.
    pub lambda: f64,
    /// The proportional gain `k_p > 0`.
    pub k_p: f64,
    /// The integral gain `k_i > 0`.
    pub k_i: f64,
    /// The proximal step `γ > 0`; `None` for `1/L` (`1` when `W = 0`).
    pub gamma: Option<f64>,
}

impl Default for PiPgdParams {
    fn default() -> Self {
        Self {
            lambda: 1.0,
            k_p: 20.0,
            k_i: 20.0,
            gamma: None,
        }
    }
}

/// The equality-constrained LASSO `min ½xᵀWx + λ‖x‖₁ s.t. Ax = b` with its PI-PGD dynamics
/// on `z = (x, ξ)`: `ẋ = −x + soft_{γλ}(x − γ(Wx + Aᵀν))`, `ξ̇ = Ax − b`,
/// `ν = k_p(Ax − b) + k_i ξ`.
///
/// ```
/// use attractor::models::{PiPgd, PiPgdParams};
/// use attractor::run::Run;
/// use attractor::step::Euler;
/// use faer::Mat;
/// // min ½‖x‖² + 0.1‖x‖₁ s.t. x₀ + x₁ = 1: x* = (½, ½), ν* = −0.6.
/// let a = Mat::from_fn(1, 2, |_, _| 1.0);
/// let p = PiPgd::new(Mat::identity(2, 2), a, vec![1.0], PiPgdParams { lambda: 0.1, ..Default::default() })?;
/// let sol = Run::new(0.01)?.t_end(20.0)?.solve(&mut p.flow(), &mut Euler::new(), &[0.0; 3])?;
/// let (x, nu) = p.split(&sol.state)?;
/// assert!((x[0] - 0.5).abs() < 1e-8 && (x[1] - 0.5).abs() < 1e-8 && (nu[0] + 0.6).abs() < 1e-8);
/// assert!(p.kkt_residual(&sol.state)? < 1e-8);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PiPgd {
    w: Mat<f64>,
    a: Mat<f64>,
    b: Vec<f64>,
    l1: SoftThreshold,
    params: PiPgdParams,
    gamma: f64,
    rho: f64,
    l: f64,
}

impl PiPgd {
    /// The problem with Hessian `W` (n × n, finite, symmetric, positive semidefinite),
    /// constraints `A` (m × n, finite, full row rank) and `b` (length m, finite), and
    /// parameters checked as documented on [`PiPgdParams`].
    pub fn new(w: Mat<f64>, a: Mat<f64>, b: Vec<f64>, params: PiPgdParams) -> Result<Self> {
        let (rho, l) = validate_psd_hessian(&w)?;
        let n = w.nrows();
        check_len(
            "A (columns)",
            a.ncols(),
            n,
            "A needs one column per variable (the size of W)",
        )?;
        check_matrix_finite("A", a.as_ref())?;
        check_len("b", b.len(), a.nrows(), "b needs one entry per row of A")?;
        check_finite("b", &b)?;
        let m = a.nrows();
        if m > n {
            return Err(Error::invalid(
                "A",
                format!("{m} x {n} matrix"),
                "more constraints than variables: A cannot have full row rank; remove redundant rows of Ax = b",
            ));
        }
        if m > 0 {
            let aat = a.as_ref() * a.as_ref().transpose();
            let ev = crate::linalg::symmetric_eigenvalues(aat.as_ref())?;
            let (smin, smax) = (ev[0].max(0.0).sqrt(), ev[m - 1].max(0.0).sqrt());
            if smin <= 1e-10 * smax.max(f64::MIN_POSITIVE) {
                return Err(Error::invalid(
                    "A",
                    format!("{m} x {n} matrix with smallest singular value {smin:.3e}"),
                    "the constraints Ax = b need A of full row rank (the multiplier is otherwise not unique and the integral state can drift); remove redundant rows",
                ));
            }
        }
        let l1 = SoftThreshold::new(params.lambda)?;
        check_positive(
            "k_p",
            params.k_p,
            "the proportional gain must be positive, e.g. 20",
        )?;
        check_positive(
            "k_i",
            params.k_i,
            "the integral gain must be positive, e.g. 20",
        )?;
        let gamma = match params.gamma {
            Some(g) => {
                check_positive("gamma", g, "pick a proximal step such as 1/L, or None")?;
                g
            }
            None if l > 0.0 => 1.0 / l,
            None => 1.0,
        };
        Ok(Self {
            w,
            a,
            b,
            l1,
            params,
            gamma,
            rho,
            l,
        })
    }

    /// The number of variables `n`.
    pub fn n_vars(&self) -> usize {
        self.w.nrows()
    }
    /// The number of constraints `m`.
    pub fn n_constraints(&self) -> usize {
        self.a.nrows()
    }
    /// The state dimension `n + m` of `z = (x, ξ)`.
    pub fn dim(&self) -> usize {
        self.n_vars() + self.n_constraints()
    }
    /// The Hessian `W`.
    pub fn weights(&self) -> &Mat<f64> {
        &self.w
    }
    /// The constraint matrix `A`.
    pub fn constraint_matrix(&self) -> &Mat<f64> {
        &self.a
    }
    /// The right-hand side `b`.
    pub fn rhs(&self) -> &[f64] {
        &self.b
    }
    /// The parameters as given.
    pub fn params(&self) -> PiPgdParams {
        self.params
    }
    /// The proximal step `γ` in use.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// The smallest and largest eigenvalues `(ρ, L)` of `W`.
    pub fn eigenvalue_bounds(&self) -> (f64, f64) {
        (self.rho, self.l)
    }

    /// Check that `z` is a finite state of length n + m.
    fn check_state(&self, z: &[f64]) -> Result<()> {
        check_len(
            "z = (x, xi)",
            z.len(),
            self.dim(),
            "pass the n variables followed by the m integral states",
        )?;
        check_finite("z = (x, xi)", z)
    }

    /// `(x, ν)` from a state `z = (x, ξ)`: the variables and the multiplier
    /// `ν = k_p(Ax − b) + k_i ξ` that the controller applies.
    pub fn split(&self, z: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
        self.check_state(z)?;
        let mut s = Scratch::new(self);
        s.fill(self, z);
        Ok((z[..self.n_vars()].to_vec(), s.nu))
    }

    /// The constraint violation `‖Ax − b‖₂` at `z = (x, ξ)`.
    pub fn constraint_residual(&self, z: &[f64]) -> Result<f64> {
        self.check_state(z)?;
        let mut s = Scratch::new(self);
        s.fill(self, z);
        Ok(norm2(&s.r))
    }

    /// The KKT residual at `z`: `‖x − soft_{γλ}(x − γ(Wx + Aᵀν))‖₂ + ‖Ax − b‖₂` with
    /// `ν = k_p(Ax − b) + k_i ξ`. The first term vanishes iff `0 ∈ Wx + Aᵀν + λ∂‖x‖₁`
    /// (stationarity with this multiplier), the second iff `x` is feasible; both vanish exactly
    /// at the equilibria of the flow.
    pub fn kkt_residual(&self, z: &[f64]) -> Result<f64> {
        self.check_state(z)?;
        let mut s = Scratch::new(self);
        s.fill(self, z);
        let x = &z[..self.n_vars()];
        self.prox_step_into(x, &mut s.g, &mut s.atnu);
        let mut fp = 0.0;
        for (xi, pi) in x.iter().zip(&s.atnu) {
            fp += (xi - pi) * (xi - pi);
        }
        Ok(fp.sqrt() + norm2(&s.r))
    }

    /// The objective `½xᵀWx + λ‖x‖₁` at the variables `x` (length n).
    pub fn objective(&self, x: &[f64]) -> Result<f64> {
        check_len("x", x.len(), self.n_vars(), "pass one value per variable")?;
        check_finite("x", x)?;
        let mut wx = vec![0.0; x.len()];
        Ok(self.objective_with(x, &mut wx))
    }

    fn objective_with(&self, x: &[f64], wx: &mut [f64]) -> f64 {
        matvec_t_into(self.w.as_ref(), x, wx, Par::Seq);
        0.5 * dot(x, wx) + self.l1.value(x)
    }

    /// `out ← soft_{γλ}(x − γg)`, overwriting `g` with `x − γg` (`g` holds `Wx + Aᵀν`).
    fn prox_step_into(&self, x: &[f64], g: &mut [f64], out: &mut [f64]) {
        for (gi, &xi) in g.iter_mut().zip(x) {
            *gi = xi - self.gamma * *gi;
        }
        self.l1.prox_into(self.gamma, g, out);
    }

    /// The model bound to its scratch buffers: a [`VectorField`] on `z = (x, ξ)` of dimension
    /// n + m. Start it from `z₀ = (x₀, 0)` (or any `ξ₀`).
    pub fn flow(&self) -> PiPgdFlow<'_> {
        PiPgdFlow {
            p: self,
            s: Scratch::new(self),
        }
    }
}

/// The buffers of one evaluation: `r = Ax − b`, `ν`, `g = Wx + Aᵀν`, `atnu = Aᵀν`.
#[derive(Debug, Clone)]
struct Scratch {
    r: Vec<f64>,
    nu: Vec<f64>,
    g: Vec<f64>,
    atnu: Vec<f64>,
}

impl Scratch {
    fn new(p: &PiPgd) -> Self {
        let (n, m) = (p.n_vars(), p.n_constraints());
        Self {
            r: vec![0.0; m],
            nu: vec![0.0; m],
            g: vec![0.0; n],
            atnu: vec![0.0; n],
        }
    }

    /// Fill `r`, `ν` and `g = Wx + Aᵀν` at `z`.
    fn fill(&mut self, p: &PiPgd, z: &[f64]) {
        let n = p.n_vars();
        let (x, xi) = z.split_at(n);
        matvec_into(p.a.as_ref(), x, &mut self.r);
        for ((r, nu), (&b, &s)) in self.r.iter_mut().zip(&mut self.nu).zip(p.b.iter().zip(xi)) {
            *r -= b;
            *nu = p.params.k_p * *r + p.params.k_i * s;
        }
        matvec_t_into(p.a.as_ref(), &self.nu, &mut self.atnu, Par::Seq);
        matvec_t_into(p.w.as_ref(), x, &mut self.g, Par::Seq);
        for (g, a) in self.g.iter_mut().zip(&self.atnu) {
            *g += a;
        }
    }
}

/// A [`PiPgd`] with the buffers needed to evaluate its flow without allocating.
#[derive(Debug, Clone)]
pub struct PiPgdFlow<'a> {
    p: &'a PiPgd,
    s: Scratch,
}

impl VectorField for PiPgdFlow<'_> {
    fn dim(&self) -> usize {
        self.p.dim()
    }
    /// `ẋ = −x + soft_{γλ}(x − γ(Wx + Aᵀν))`, `ξ̇ = Ax − b`, `ν = k_p(Ax − b) + k_i ξ`.
    fn eval_into(&mut self, _t: f64, z: &[f64], dz: &mut [f64]) {
        let p = self.p;
        let n = p.n_vars();
        self.s.fill(p, z);
        let x = &z[..n];
        let (dx, dxi) = dz.split_at_mut(n);
        p.prox_step_into(x, &mut self.s.g, dx);
        for (d, &xi) in dx.iter_mut().zip(x) {
            *d -= xi;
        }
        dxi.copy_from_slice(&self.s.r);
    }
    /// The objective `½xᵀWx + λ‖x‖₁` (not a Lyapunov function: see the caveat).
    fn energy_at(&mut self, _t: f64, z: &[f64]) -> Option<f64> {
        let n = self.p.n_vars();
        Some(self.p.objective_with(&z[..n], &mut self.s.g))
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        Some(
            "PI-PGD is a primal-dual flow: the reported energy is the objective ½xᵀWx + λ‖x‖₁, which may rise while the controller enforces Ax = b; measure convergence with PiPgd::kkt_residual".into(),
        )
    }
}
