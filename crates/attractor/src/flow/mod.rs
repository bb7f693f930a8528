//! Vector fields `ẋ = f(t, x)` that descend an energy.
//!
//! The flows of the tutorial (Montanari, Bullo, Krotov, Motter, arXiv:2604.05042, §II):
//!
//! | flow | equation | type |
//! |---|---|---|
//! | gradient | `ẋ = −∇E(x)` | [`GradientFlow`] |
//! | preconditioned | `ẋ = −M(x)∇E(x)`, `M ≻ 0` | [`PreconditionedFlow`] |
//! | projected | `ẋ = Π_{T_C(x)}(−∇E(x))` | [`ProjectedFlow`] |
//! | proximal | `ẋ = −x + prox_{γg}(x − γ∇f(x))` | [`ProximalFlow`] |
//! | Langevin | `dx = −∇E dt + √(2T(t)) dW` | [`LangevinFlow`] |
//!
//! Models whose natural dynamics are not written as one of these (the continuous Hopfield
//! network, say) implement [`VectorField`] directly and report their Lyapunov function through
//! [`VectorField::energy_at`].

mod batch_gradient;
mod gradient;
mod inertial;
mod langevin;
mod preconditioned;
mod projected;
mod proximal;

pub use batch_gradient::BatchGradientFlow;
pub use gradient::GradientFlow;
pub use inertial::{InertialFlow, SecondOrder};
pub use langevin::LangevinFlow;
pub use preconditioned::{DiagonalMetric, Metric, PreconditionedFlow};
pub use projected::{BoxSet, ConvexSet, NonNegativeOrthant, ProjectedFlow};
pub use proximal::{ProximalFlow, proximal_contraction_rate};

use faer::MatMut;

/// A (possibly time-dependent) vector field `f(t, x)` with an optional Lyapunov function.
pub trait VectorField {
    /// The state dimension.
    fn dim(&self) -> usize;

    /// Write `f(t, x)` into `dx`. Must not allocate.
    fn eval_into(&mut self, t: f64, x: &[f64], dx: &mut [f64]);

    /// The energy (Lyapunov function candidate) at `x`, if the model has one.
    fn energy_at(&mut self, _t: f64, _x: &[f64]) -> Option<f64> {
        None
    }

    /// Why [`energy`](VectorField::energy_at) may *not* be a Lyapunov function of this flow
    /// (for example a non-symmetric coupling matrix). `None` when the theory guarantees descent.
    fn lyapunov_caveat(&self) -> Option<String> {
        None
    }

    /// Map the state back onto the feasible set after a step (projected flows). Default: no-op.
    fn project_state(&self, _x: &mut [f64]) {}

    /// Write the analytic Jacobian `∂f/∂x` at `(t, x)` into `jac` and return `true`, or return
    /// `false` when the model has none (callers then use finite differences).
    fn jacobian_into(&mut self, _t: f64, _x: &[f64], _jac: MatMut<'_, f64>) -> bool {
        false
    }
}

/// A stochastic differential equation with diagonal noise, `dx = f(t, x) dt + σ(t, x) ⊙ dW`.
pub trait StochasticField: VectorField {
    /// Write the diagonal diffusion `σ(t, x)` into `sigma`.
    fn diffusion_into(&mut self, t: f64, x: &[f64], sigma: &mut [f64]);
}

impl<F: VectorField + ?Sized> VectorField for &mut F {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn eval_into(&mut self, t: f64, x: &[f64], dx: &mut [f64]) {
        (**self).eval_into(t, x, dx)
    }
    fn energy_at(&mut self, t: f64, x: &[f64]) -> Option<f64> {
        (**self).energy_at(t, x)
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        (**self).lyapunov_caveat()
    }
    fn project_state(&self, x: &mut [f64]) {
        (**self).project_state(x)
    }
    fn jacobian_into(&mut self, t: f64, x: &[f64], jac: MatMut<'_, f64>) -> bool {
        (**self).jacobian_into(t, x, jac)
    }
}

impl<F: StochasticField + ?Sized> StochasticField for &mut F {
    fn diffusion_into(&mut self, t: f64, x: &[f64], sigma: &mut [f64]) {
        (**self).diffusion_into(t, x, sigma)
    }
}
