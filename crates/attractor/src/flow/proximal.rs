use super::VectorField;
use crate::energy::{Curvature, Gradient, Prox};
use crate::error::{Result, check_positive};

/// The proximal gradient flow `ẋ = −x + prox_{γg}(x − γ∇f(x))` for a composite energy
/// `E = f + g` with smooth `f` and convex `g` (Gokhale, Davydov, Bullo, *Proximal Gradient
/// Dynamics*, arXiv:2409.10664). Its equilibria are the minimisers of `f + g`, and `E`
/// decreases along it; explicit Euler with `dt = 1` is ISTA.
///
/// ```
/// use attractor::energy::FnEnergy;
/// use attractor::flow::{ProximalFlow, VectorField};
/// use attractor::prox::SoftThreshold;
/// // f = ½(x − 2)², g = |x|: minimiser x* = 1.
/// let f = FnEnergy::new(1, |x: &[f64]| 0.5 * (x[0] - 2.0).powi(2), |x: &[f64], g: &mut [f64]| g[0] = x[0] - 2.0);
/// let mut flow = ProximalFlow::new(f, SoftThreshold::new(1.0).unwrap(), 0.5).unwrap();
/// let mut dx = [0.0];
/// flow.eval_into(0.0, &[1.0], &mut dx);
/// assert!(dx[0].abs() < 1e-15);
/// ```
#[derive(Debug, Clone)]
pub struct ProximalFlow<F, G> {
    f: F,
    g: G,
    gamma: f64,
    grad: Vec<f64>,
}

impl<F: Gradient, G: Prox> ProximalFlow<F, G> {
    /// `γ > 0` is the proximal step; the flow is contracting for `γ ≤ 2/L` when `f` is
    /// strongly convex and `L`-smooth.
    pub fn new(f: F, g: G, gamma: f64) -> Result<Self> {
        check_positive("gamma", gamma, "pick a proximal step such as 1/L")?;
        let n = f.dim();
        Ok(Self {
            f,
            g,
            gamma,
            grad: vec![0.0; n],
        })
    }
}

impl<F: Gradient + Curvature, G: Prox> ProximalFlow<F, G> {
    /// The contraction rate of this flow when `f` is strongly convex
    /// ([`proximal_contraction_rate`] of `f`'s curvature), `None` when it is not (or `γ > 2/L`).
    pub fn contraction_rate(&self) -> Result<Option<f64>> {
        let (rho, l) = self.f.curvature()?;
        Ok(proximal_contraction_rate(self.gamma, rho, l))
    }
}

impl<F, G> ProximalFlow<F, G> {
    /// The proximal step `γ`.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
}

/// The contraction rate `c = 1 − max{|1 − γρ|, |1 − γL|}` of the proximal gradient flow
/// `ẋ = −x + prox_{γg}(x − γ∇f(x))` for a `ρ`-strongly convex, `L`-smooth `f` and `γ ≤ 2/L`
/// (Gokhale, Davydov, Bullo, arXiv:2409.10664, Theorem on strongly convex composite problems):
/// `‖x(t) − x*‖ ≤ e^{−ct}‖x(0) − x*‖` (time in units of the flow's time constant). `None` when
/// `ρ ≤ 0` (no strong convexity) or the bound is not positive.
///
/// ```
/// // γ = 2/(ρ + L) is the best step: c = 2ρ/(ρ + L)
/// let c = attractor::flow::proximal_contraction_rate(2.0 / 11.0, 1.0, 10.0).unwrap();
/// assert!((c - 2.0 / 11.0).abs() < 1e-15);
/// assert_eq!(attractor::flow::proximal_contraction_rate(0.1, 0.0, 10.0), None);
/// ```
pub fn proximal_contraction_rate(gamma: f64, rho: f64, lipschitz: f64) -> Option<f64> {
    if !(rho > 0.0 && gamma > 0.0 && lipschitz >= rho) {
        return None;
    }
    let c = 1.0
        - (1.0 - gamma * rho)
            .abs()
            .max((1.0 - gamma * lipschitz).abs());
    (c > 0.0).then_some(c)
}

impl<F: Gradient, G: Prox> VectorField for ProximalFlow<F, G> {
    fn dim(&self) -> usize {
        self.f.dim()
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        self.f.gradient_into(x, &mut self.grad);
        for (gi, &xi) in self.grad.iter_mut().zip(x) {
            *gi = xi - self.gamma * *gi;
        }
        self.g.prox_into(self.gamma, &self.grad, dx);
        for (d, &xi) in dx.iter_mut().zip(x) {
            *d -= xi;
        }
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        Some(self.f.energy(x) + self.g.value(x))
    }
}
