//! Time steppers, one per file. A stepper owns its stage buffers (allocated once in
//! [`Stepper::init`]) and advances a caller-owned state in place; the run loop
//! ([`crate::run`]) owns stopping, recording and observers.
//!
//! | stepper | order | evaluations per step | use |
//! |---|---|---|---|
//! | [`Euler`] | 1 | 1 | cheap, small steps; projected/proximal descent |
//! | [`Heun`] | 2 | 2 | explicit trapezoid |
//! | [`Rk4`] | 4 | 4 | smooth flows, fixed step |
//! | [`Dopri5`] | 5(4) | 6 (FSAL) | adaptive, explicit `rtol`/`atol` |
//! | [`EulerMaruyama`] | strong ½, weak 1 | 1 | Langevin and other SDEs |
//! | [`Iterate`] | — | 1 map update | discrete maps ([`DiscreteMap`]): sweeps, memory updates |
//! | [`SymplecticEuler`] | 1, symplectic | 1 acceleration | second-order flows ([`SecondOrder`](crate::flow::SecondOrder)) |
//! | [`Leapfrog`] | 2, symplectic, reversible | 1 acceleration | second-order flows, energy without drift |

mod dopri5;
mod euler;
mod euler_maruyama;
mod heun;
mod iterate;
mod rk4;
mod symplectic;

pub use dopri5::Dopri5;
pub use euler::Euler;
pub use euler_maruyama::EulerMaruyama;
pub use heun::Heun;
pub use iterate::{DiscreteMap, Iterate};
pub use rk4::Rk4;
pub use symplectic::{Leapfrog, SymplecticEuler};

use crate::flow::VectorField;

/// What one call to [`Stepper::step`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepReport {
    /// The step actually taken (`t ← t + h_taken`).
    pub h_taken: f64,
    /// The step size proposed for the next step (equals `h_taken` for fixed-step methods).
    pub h_next: f64,
    /// Vector-field evaluations used.
    pub n_evals: usize,
    /// Rejected trial steps (adaptive methods).
    pub n_rejected: usize,
}

/// Why a step could not be taken.
#[derive(Debug, Clone, PartialEq)]
pub enum StepFailure {
    /// The adaptive controller shrank the step below its minimum.
    StepSizeUnderflow {
        /// The step size at which it gave up.
        h: f64,
    },
}

/// A one-step method for `ẋ = f(t, x)` over a system of type `F`.
pub trait Stepper<F: VectorField + ?Sized> {
    /// Short name ("rk4").
    fn name(&self) -> &'static str;
    /// Allocate stage buffers for `f.dim()` and prime any first-same-as-last state; returns
    /// the number of vector-field evaluations this used (counted in the solution).
    fn init(&mut self, f: &mut F, t0: f64, x0: &[f64]) -> usize;
    /// Advance `x` from `t` by (at most) `h`. Fixed-step methods take exactly `h`; adaptive
    /// methods may take less and propose the next step size. Never allocates.
    fn step(&mut self, f: &mut F, t: f64, x: &mut [f64], h: f64)
    -> Result<StepReport, StepFailure>;
    /// The most recent evaluation of `f` at an accepted state (the start of the last step, or
    /// its end for first-same-as-last methods): the run loop's steady-state test reads it.
    fn derivative(&self) -> &[f64];
    /// Whether the method chooses its own step sizes.
    fn is_adaptive(&self) -> bool {
        false
    }
}

/// `out = x + h·k` (fused, in one pass).
#[inline]
pub(crate) fn axpy_into(out: &mut [f64], x: &[f64], h: f64, k: &[f64]) {
    for ((o, &xi), &ki) in out.iter_mut().zip(x).zip(k) {
        *o = xi + h * ki;
    }
}

/// Resize `v` to `n` zeros (allocation happens in `init` only).
#[inline]
pub(crate) fn resize(v: &mut Vec<f64>, n: usize) {
    v.clear();
    v.resize(n, 0.0);
}
