use super::{StochasticField, VectorField};
use crate::energy::Gradient;
use crate::error::{Result, check_nonnegative, check_positive};

/// A temperature as a function of time, `T(t) ≥ 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TemperatureSchedule {
    /// `T(t) = T`.
    Constant(f64),
    /// `T(t) = T₀ + (T₁ − T₀)·min(t/duration, 1)`.
    Linear {
        /// Starting temperature `T₀`.
        start: f64,
        /// Final temperature `T₁`.
        end: f64,
        /// Time over which the temperature moves from `T₀` to `T₁`.
        duration: f64,
    },
    /// `T(t) = T₀·(T₁/T₀)^{min(t/duration, 1)}` (exponential cooling, the continuous-time form of
    /// the geometric schedule `T_{k+1} = αT_k`).
    Geometric {
        /// Starting temperature `T₀ > 0`.
        start: f64,
        /// Final temperature `T₁ > 0`.
        end: f64,
        /// Time over which the temperature moves from `T₀` to `T₁`.
        duration: f64,
    },
}

impl TemperatureSchedule {
    /// Check the parameters (temperatures finite and ≥ 0, > 0 for geometric; duration > 0).
    pub fn validate(&self) -> Result<()> {
        match *self {
            TemperatureSchedule::Constant(t) => {
                check_nonnegative("temperature", t, "use T >= 0 (T = 0 is gradient descent)")
            }
            TemperatureSchedule::Linear {
                start,
                end,
                duration,
            } => {
                check_nonnegative("start temperature", start, "temperatures must be >= 0")?;
                check_nonnegative("end temperature", end, "temperatures must be >= 0")?;
                check_positive("schedule duration", duration, "give the annealing time")
            }
            TemperatureSchedule::Geometric {
                start,
                end,
                duration,
            } => {
                check_positive(
                    "start temperature",
                    start,
                    "a geometric schedule needs T > 0; use Linear to reach 0",
                )?;
                check_positive(
                    "end temperature",
                    end,
                    "a geometric schedule needs T > 0; use Linear to reach 0",
                )?;
                check_positive("schedule duration", duration, "give the annealing time")
            }
        }
    }

    /// `T(t)`.
    pub fn at(&self, t: f64) -> f64 {
        match *self {
            TemperatureSchedule::Constant(temp) => temp,
            TemperatureSchedule::Linear {
                start,
                end,
                duration,
            } => start + (end - start) * (t / duration).clamp(0.0, 1.0),
            TemperatureSchedule::Geometric {
                start,
                end,
                duration,
            } => start * (end / start).powf((t / duration).clamp(0.0, 1.0)),
        }
    }
}

/// Overdamped Langevin dynamics `dx = −∇E(x) dt + √(2T(t)) dW`, whose stationary density at
/// constant `T` is `exp(−E/T)/Z` (tutorial §II; Roberts & Tweedie, *Bernoulli* 1996).
/// Lowering `T` over time is simulated annealing in continuous time. Integrate it with
/// [`EulerMaruyama`](crate::step::EulerMaruyama): `x ← x − h∇E(x) + √(2T h) ζ`.
#[derive(Debug, Clone)]
pub struct LangevinFlow<E> {
    energy: E,
    schedule: TemperatureSchedule,
}

impl<E: Gradient> LangevinFlow<E> {
    /// Langevin dynamics on `energy` with the given temperature schedule.
    pub fn new(energy: E, schedule: TemperatureSchedule) -> Result<Self> {
        schedule.validate()?;
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
