//! What a single run advances: an ODE (a vector field with a stepper) or a discrete map. The
//! run loop drives it as a batch of one column.

use super::Status;
use crate::flow::VectorField;
use crate::linalg::norm2;
use crate::step::{StepFailure, StepReport, Stepper};

/// One system the run loop can advance step by step. Implemented by [`Ode`] (a
/// [`VectorField`] integrated by a [`Stepper`]) and by
/// [`Iterate`](crate::step::Iterate) (a [`DiscreteMap`](crate::step::DiscreteMap) such as a
/// Hopfield sweep); new kinds of dynamics (Gibbs sweeps, say) implement it to get every stop
/// rule, the trace, observers and best-so-far for free.
pub trait Evolution {
    /// The state dimension.
    fn dim(&self) -> usize;
    /// Prepare for a run from `x` at `t0` (allocate buffers, project `x` onto the state space:
    /// a spin map takes signs); returns the evaluations this used.
    fn init(&mut self, t0: f64, x: &mut [f64]) -> usize;
    /// Advance `x` from `t` by (at most) `dt`.
    fn advance(&mut self, t: f64, x: &mut [f64], dt: f64) -> Result<StepReport, StepFailure>;
    /// The energy at `x`, if the dynamics have one.
    fn energy_at(&mut self, t: f64, x: &[f64]) -> Option<f64>;
    /// Why the energy may not descend (from the model).
    fn lyapunov_caveat(&self) -> Option<String> {
        None
    }
    /// Whether `advance` chooses its own step sizes.
    fn is_adaptive(&self) -> bool {
        false
    }
    /// `‖ẋ‖₂` at the last accepted state, for the steady-state rule (`None` for maps).
    fn rate_norm(&self) -> Option<f64> {
        None
    }
    /// A stop the dynamics reached by themselves in the last step (a map's fixed point or
    /// two-cycle).
    fn settled(&self) -> Option<Status> {
        None
    }
}

/// A vector field and the stepper that integrates it, as one [`Evolution`].
pub struct Ode<'a, F: ?Sized, S: ?Sized> {
    /// The field.
    pub field: &'a mut F,
    /// The stepper.
    pub stepper: &'a mut S,
}

impl<F, S> Evolution for Ode<'_, F, S>
where
    F: VectorField + ?Sized,
    S: Stepper<F> + ?Sized,
{
    fn dim(&self) -> usize {
        self.field.dim()
    }
    fn init(&mut self, t0: f64, x: &mut [f64]) -> usize {
        self.stepper.init(self.field, t0, x)
    }
    fn advance(&mut self, t: f64, x: &mut [f64], dt: f64) -> Result<StepReport, StepFailure> {
        self.stepper.step(self.field, t, x, dt)
    }
    fn energy_at(&mut self, t: f64, x: &[f64]) -> Option<f64> {
        self.field.energy_at(t, x)
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        self.field.lyapunov_caveat()
    }
    fn is_adaptive(&self) -> bool {
        self.stepper.is_adaptive()
    }
    fn rate_norm(&self) -> Option<f64> {
        Some(norm2(self.stepper.derivative()))
    }
}
