//! Simulated bifurcation as a second-order flow of the core, in f64, for one agent: the
//! definition the SIMD sampler ([`super::bifurcation`]) is checked against, integrated by the
//! symplectic steppers of [`crate::step`] on the shared run loop.
//!
//! `ẋ_i = y_i,   ẏ_i = −(1 − a(t)) x_i + c₀ (Σ_j J_ij φ(x_j) + h_i)`
//!
//! (`a₀ = 1`; Goto, Tatsumura & Dixon, Sci. Adv. 5, eaav2372, 2019; Goto et al., Sci. Adv. 7,
//! eabe7953, 2021), with `φ(x) = x` (ballistic) or `sgn x` (discrete) and, when `walls`,
//! the inelastic walls `|x_i| ≤ 1` (`x_i ← sgn x_i`, `y_i ← 0`) applied after every step as a
//! projection of the state. Without walls, ballistic SB at a fixed pump `a` is the Hamiltonian
//! flow of `H = ½‖y‖² + ½(1 − a)‖x‖² − ½c₀ xᵀJx − c₀ hᵀx`, which [`energy_at`] returns, so
//! symplectic Euler (the sampler's update) keeps it within `O(Δt)` without drift and leapfrog is
//! time reversible.
//!
//! [`energy_at`]: crate::flow::VectorField::energy_at

use super::bifurcation::Bifurcation;
use crate::error::{Error, Result};
use crate::flow::{SecondOrder, VectorField};
use crate::problems::IsingModel;
use crate::schedule::Ramp;

/// One agent of simulated bifurcation as a [`SecondOrder`] flow on `z = [x; y]`.
///
/// ```
/// use attractor::problems::{IsingModel, WeightedGraph};
/// use attractor::run::Run;
/// use attractor::samplers::Bifurcation;
/// use attractor::samplers::bifurcation_flow::BifurcationFlow;
/// use attractor::schedule::Ramp;
/// use attractor::step::SymplecticEuler;
/// let m = IsingModel::max_cut(&WeightedGraph::random(12, 0.4, &[1.0], 3)?)?;
/// // the pump rises from 0 to 1 over t = 200 and then holds; by t = 400 every
/// // amplitude has reached its wall
/// let mut f = BifurcationFlow::new(&m, Bifurcation::Ballistic, 0.2, Ramp::linear(0.0, 1.0, 200.0), true)?;
/// let z0: Vec<f64> = (0..24).map(|i| 0.01 * ((i * 7 % 5) as f64 - 2.0)).collect();
/// let sol = Run::new(0.5)?.max_steps(800).solve(&mut f, &mut SymplecticEuler::new(), &z0)?;
/// assert!(sol.state[..12].iter().all(|x| x.abs() == 1.0));
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BifurcationFlow<'m> {
    model: &'m IsingModel,
    variant: Bifurcation,
    c0: f64,
    pump: Ramp,
    walls: bool,
    phi: Vec<f64>,
}

impl<'m> BifurcationFlow<'m> {
    /// The flow of `model` (fields included) with coupling scale `c₀ > 0` and the pump `a(t)`
    /// (values in `[0, 1]`), with or without the inelastic walls.
    pub fn new(
        model: &'m IsingModel,
        variant: Bifurcation,
        c0: f64,
        pump: Ramp,
        walls: bool,
    ) -> Result<Self> {
        crate::error::check_positive("c0", c0, "use a positive coupling scale")?;
        pump.validate("pump", false)?;
        let (lo, hi) = pump.schedule.range();
        if hi > 1.0 {
            return Err(Error::invalid(
                "pump",
                hi,
                "the pump a(t) rises from 0 to a0 = 1: keep its values in [0, 1]",
            ));
        }
        debug_assert!(lo >= 0.0);
        Ok(Self {
            model,
            variant,
            c0,
            pump,
            walls,
            phi: vec![0.0; model.n()],
        })
    }
}

impl VectorField for BifurcationFlow<'_> {
    fn dim(&self) -> usize {
        2 * self.model.n()
    }
    fn eval_into(&mut self, t: f64, z: &[f64], dz: &mut [f64]) {
        let n = self.model.n();
        let (x, y) = z.split_at(n);
        let (dx, dy) = dz.split_at_mut(n);
        dx.copy_from_slice(y);
        self.acceleration_into(t, x, dy);
    }
    fn energy_at(&mut self, t: f64, z: &[f64]) -> Option<f64> {
        if self.walls || self.variant == Bifurcation::Discrete {
            return None;
        }
        let n = self.model.n();
        let (x, y) = z.split_at(n);
        let detuning = 1.0 - self.pump.at(t);
        let mut e = 0.0;
        for i in 0..n {
            let (cols, vals) = self.model.row(i);
            let jx: f64 = cols
                .iter()
                .zip(vals)
                .map(|(&j, &w)| w * x[j as usize])
                .sum();
            e += 0.5 * y[i] * y[i] + 0.5 * detuning * x[i] * x[i]
                - self.c0 * (0.5 * jx + self.model.fields()[i]) * x[i];
        }
        Some(e)
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        Some("simulated bifurcation is Hamiltonian (with a moving pump and walls): its energy is not monotone".into())
    }
    fn project_state(&self, z: &mut [f64]) {
        if self.walls {
            let n = self.model.n();
            let (x, y) = z.split_at_mut(n);
            for (xi, yi) in x.iter_mut().zip(y.iter_mut()) {
                if xi.abs() > 1.0 {
                    *xi = xi.signum();
                    *yi = 0.0;
                }
            }
        }
    }
}

impl SecondOrder for BifurcationFlow<'_> {
    fn n_positions(&self) -> usize {
        self.model.n()
    }
    fn acceleration_into(&mut self, t: f64, x: &[f64], out: &mut [f64]) {
        let detuning = 1.0 - self.pump.at(t);
        for (p, &xi) in self.phi.iter_mut().zip(x) {
            *p = match self.variant {
                Bifurcation::Ballistic => xi,
                Bifurcation::Discrete => {
                    if xi >= 0.0 {
                        1.0
                    } else {
                        -1.0
                    }
                }
            };
        }
        for (i, o) in out.iter_mut().enumerate() {
            let (cols, vals) = self.model.row(i);
            let f: f64 = cols
                .iter()
                .zip(vals)
                .map(|(&j, &w)| w * self.phi[j as usize])
                .sum();
            *o = -detuning * x[i] + self.c0 * (f + self.model.fields()[i]);
        }
    }
    fn damping(&self, _t: f64) -> f64 {
        0.0
    }
}
