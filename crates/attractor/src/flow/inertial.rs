//! Second-order (inertial) flows: `ẍ = a(t, x) − γẋ`, as the first-order system on the state
//! `z = [x; v]` (positions first, then velocities): `ẋ = v`, `v̇ = a(t, x) − γv`. The heavy-ball
//! flow of an energy, `ẍ = −∇E(x) − γẋ` (Polyak 1964; with `γ = 3/t` Nesterov's accelerated
//! method in the limit of small steps, Su, Boyd & Candès, JMLR 2016), has the Lyapunov function
//! `½‖v‖² + E(x)`, constant for `γ = 0` and non-increasing for `γ ≥ 0`. Any stepper integrates
//! it; the symplectic ones of [`crate::step`] (symplectic Euler, leapfrog) use
//! [`SecondOrder::acceleration_into`] directly and conserve the energy of the undamped flow
//! to their order with no drift.

use super::VectorField;
use crate::energy::Gradient;

/// A vector field of the form `ẋ = v`, `v̇ = a(t, x) − γv` on `z = [x; v]`.
pub trait SecondOrder: VectorField {
    /// The number of positions `n` (the state has `2n` entries).
    fn n_positions(&self) -> usize;
    /// Write the acceleration `a(t, x)` of the positions `x` (length `n`) into `out`.
    fn acceleration_into(&mut self, t: f64, x: &[f64], out: &mut [f64]);
    /// The damping `γ ≥ 0` at time `t`.
    fn damping(&self, t: f64) -> f64;
}

/// The heavy-ball flow of an energy: `ẍ = −∇E(x) − γẋ`, Lyapunov function `½‖v‖² + E(x)`.
///
/// ```
/// use attractor::energy::Quadratic;
/// use attractor::flow::{InertialFlow, VectorField};
/// use attractor::run::Run;
/// use attractor::step::Leapfrog;
/// // a harmonic oscillator E = ½x²: the energy is conserved by leapfrog, to O(h²), with no drift
/// let mut flow = InertialFlow::new(Quadratic::new(faer::mat![[1.0]], vec![0.0])?, 0.0)?;
/// let sol = Run::new(0.01)?.max_steps(100_000).solve(&mut flow, &mut Leapfrog::new(), &[1.0, 0.0])?;
/// let e = flow.energy_at(0.0, &sol.state).unwrap();
/// assert!((e - 0.5).abs() < 1e-4);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct InertialFlow<E> {
    energy: E,
    gamma: f64,
}

impl<E: Gradient> InertialFlow<E> {
    /// The heavy-ball flow of `energy` with damping `γ ≥ 0` (finite).
    pub fn new(energy: E, gamma: f64) -> crate::Result<Self> {
        crate::error::check_nonnegative(
            "damping gamma",
            gamma,
            "use gamma >= 0 (0: conservative, > 0: the energy decreases)",
        )?;
        Ok(Self { energy, gamma })
    }
    /// The energy.
    pub fn inner(&mut self) -> &mut E {
        &mut self.energy
    }
}

impl<E: Gradient> VectorField for InertialFlow<E> {
    fn dim(&self) -> usize {
        2 * self.energy.dim()
    }
    fn eval_into(&mut self, _t: f64, z: &[f64], dz: &mut [f64]) {
        let n = self.energy.dim();
        let (x, v) = z.split_at(n);
        let (dx, dv) = dz.split_at_mut(n);
        dx.copy_from_slice(v);
        self.energy.gradient_into(x, dv);
        for (a, &vi) in dv.iter_mut().zip(v) {
            *a = -*a - self.gamma * vi;
        }
    }
    fn energy_at(&mut self, _t: f64, z: &[f64]) -> Option<f64> {
        let n = self.energy.dim();
        let (x, v) = z.split_at(n);
        Some(self.energy.energy(x) + 0.5 * v.iter().map(|a| a * a).sum::<f64>())
    }
}

impl<E: Gradient> SecondOrder for InertialFlow<E> {
    fn n_positions(&self) -> usize {
        self.energy.dim()
    }
    fn acceleration_into(&mut self, _t: f64, x: &[f64], out: &mut [f64]) {
        self.energy.gradient_into(x, out);
        for a in out.iter_mut() {
            *a = -*a;
        }
    }
    fn damping(&self, _t: f64) -> f64 {
        self.gamma
    }
}
