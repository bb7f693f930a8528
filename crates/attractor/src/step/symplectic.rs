//! Symplectic steppers for second-order flows `ẋ = v`, `v̇ = a(t, x) − γv`
//! ([`SecondOrder`]): they update velocities and positions in turn, so that for `γ = 0` they
//! are symplectic maps — the energy of a Hamiltonian flow stays within `O(hᵖ)` of its initial
//! value forever instead of drifting (Hairer, Lubich & Wanner, *Geometric Numerical
//! Integration*, 2006). Damping enters through the exact factor `e^{−γh}` on the velocity.
//!
//! - [`SymplecticEuler`] (order 1, one acceleration per step): `v ← e^{−γh}(v + h a(x))`,
//!   `x ← x + h v` — the update simulated bifurcation uses (Goto et al. 2019);
//! - [`Leapfrog`] (velocity Verlet, order 2, one acceleration per step after the first, time
//!   reversible for `γ = 0`): `v ← v + ½h a(x)`, `x ← x + h v`, `v ← v + ½h a(x)`.

use super::{StepFailure, StepReport, Stepper, resize};
use crate::flow::SecondOrder;

/// Symplectic Euler (kick, then drift).
#[derive(Debug, Clone, Default)]
pub struct SymplecticEuler {
    a: Vec<f64>,
    dz: Vec<f64>,
}

impl SymplecticEuler {
    /// A stepper (buffers sized at `init`).
    pub fn new() -> Self {
        Self::default()
    }
}

impl<F: SecondOrder + ?Sized> Stepper<F> for SymplecticEuler {
    fn name(&self) -> &'static str {
        "symplectic-euler"
    }
    fn init(&mut self, f: &mut F, t0: f64, z0: &[f64]) -> usize {
        resize(&mut self.a, f.n_positions());
        resize(&mut self.dz, f.dim());
        f.eval_into(t0, z0, &mut self.dz);
        1
    }
    fn step(
        &mut self,
        f: &mut F,
        t: f64,
        z: &mut [f64],
        h: f64,
    ) -> Result<StepReport, StepFailure> {
        let n = f.n_positions();
        let decay = (-f.damping(t) * h).exp();
        let (x, v) = z.split_at_mut(n);
        f.acceleration_into(t, x, &mut self.a);
        for (vi, &ai) in v.iter_mut().zip(&self.a) {
            *vi = decay * (*vi + h * ai);
        }
        for (xi, &vi) in x.iter_mut().zip(v.iter()) {
            *xi += h * vi;
        }
        f.project_state(z);
        f.eval_into(t + h, z, &mut self.dz);
        Ok(StepReport {
            h_taken: h,
            h_next: h,
            n_evals: 2,
            n_rejected: 0,
        })
    }
    fn derivative(&self) -> &[f64] {
        &self.dz
    }
}

/// Leapfrog / velocity Verlet (half kick, drift, half kick).
#[derive(Debug, Clone, Default)]
pub struct Leapfrog {
    a: Vec<f64>,
    dz: Vec<f64>,
}

impl Leapfrog {
    /// A stepper (buffers sized at `init`).
    pub fn new() -> Self {
        Self::default()
    }
}

impl<F: SecondOrder + ?Sized> Stepper<F> for Leapfrog {
    fn name(&self) -> &'static str {
        "leapfrog"
    }
    fn init(&mut self, f: &mut F, t0: f64, z0: &[f64]) -> usize {
        let n = f.n_positions();
        resize(&mut self.a, n);
        resize(&mut self.dz, f.dim());
        f.acceleration_into(t0, &z0[..n], &mut self.a);
        f.eval_into(t0, z0, &mut self.dz);
        2
    }
    fn step(
        &mut self,
        f: &mut F,
        t: f64,
        z: &mut [f64],
        h: f64,
    ) -> Result<StepReport, StepFailure> {
        let n = f.n_positions();
        // the damping splits symmetrically around the drift: e^{−γh/2} each side
        let half = (-0.5 * f.damping(t) * h).exp();
        let (x, v) = z.split_at_mut(n);
        for (vi, &ai) in v.iter_mut().zip(&self.a) {
            *vi = half * (*vi + 0.5 * h * ai);
        }
        for (xi, &vi) in x.iter_mut().zip(v.iter()) {
            *xi += h * vi;
        }
        f.acceleration_into(t + h, x, &mut self.a);
        for (vi, &ai) in v.iter_mut().zip(&self.a) {
            *vi = half * *vi + 0.5 * h * ai;
        }
        f.project_state(z);
        f.eval_into(t + h, z, &mut self.dz);
        Ok(StepReport {
            h_taken: h,
            h_next: h,
            n_evals: 2,
            n_rejected: 0,
        })
    }
    fn derivative(&self) -> &[f64] {
        &self.dz
    }
}
