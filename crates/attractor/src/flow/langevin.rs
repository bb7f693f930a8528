use super::{StochasticField, VectorField};
use crate::energy::Gradient;
use crate::error::Result;
use crate::schedule::Ramp;

/// Overdamped Langevin dynamics `dx = −∇E(x) dt + √(2T(t)) dW`, whose stationary density at
/// constant `T` is `exp(−E/T)/Z` (tutorial §II; Roberts & Tweedie, *Bernoulli* 1996).
/// Lowering `T` over time is simulated annealing in continuous time. Integrate it with
/// [`EulerMaruyama`](crate::step::EulerMaruyama): `x ← x − h∇E(x) + √(2T h) ζ`.
#[derive(Debug, Clone)]
pub struct LangevinFlow<E> {
    energy: E,
    schedule: Ramp,
}

impl<E: Gradient> LangevinFlow<E> {
    /// Langevin dynamics on `energy` with the temperature `T(t)` laid over time (every value
    /// finite and `≥ 0`; `T = 0` is gradient descent).
    pub fn new(energy: E, schedule: Ramp) -> Result<Self> {
        schedule.validate("temperature", false)?;
        Ok(Self { energy, schedule })
    }
    /// The temperature at time `t`.
    pub fn temperature(&self, t: f64) -> f64 {
        self.schedule.at(t)
    }
}

impl<E: Gradient> VectorField for LangevinFlow<E> {
    fn dim(&self) -> usize {
        self.energy.dim()
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        self.energy.gradient_into(x, dx);
        for v in dx.iter_mut() {
            *v = -*v;
        }
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        Some(self.energy.energy(x))
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        Some("Langevin dynamics is stochastic: its energy fluctuates and is not monotone".into())
    }
}

impl<E: Gradient> StochasticField for LangevinFlow<E> {
    fn diffusion_into(&mut self, t: f64, _x: &[f64], sigma: &mut [f64]) {
        let s = (2.0 * self.schedule.at(t)).sqrt();
        sigma.fill(s);
    }
}
