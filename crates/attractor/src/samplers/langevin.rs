//! The unadjusted Langevin algorithm for any energy with a gradient, many chains at once.

use crate::energy::Gradient;
use crate::error::{Error, Result, check_finite, check_len, check_nonnegative, check_positive};
use crate::flow::{LangevinFlow, TemperatureSchedule};
use crate::format_number;
use crate::linalg::ALL_THREADS;
use crate::markov::{MarkovSampler, for_each_chain};
use crate::rng::Rng;
use crate::step::{EulerMaruyama, Stepper};
use faer::{Mat, MatMut, Par};
use rand_distr::{Distribution, StandardNormal};

/// The temperature `T_k` of Langevin step `k = 0, 1, 2, …`, counted from the first step of a
/// run (or from `first_step` in [`LangevinSampler::advance_from`]).
///
/// The annealed schedules move from `start = T₀` to `end = T₁` over `n_steps` steps and stay at
/// `T₁` afterwards; `u_k = min(k/n_steps, 1)`:
///
/// - linear: `T_k = T₀ + (T₁ − T₀) u_k`,
/// - geometric: `T_k = T₀ (T₁/T₀)^{u_k}` (the cooling `T_{k+1} = α T_k` of Kirkpatrick, Gelatt &
///   Vecchi, Science 220, 1983, with `α = (T₁/T₀)^{1/n_steps}`).
///
/// ```
/// use attractor::samplers::Annealing;
/// let a = Annealing::Geometric { start: 10.0, end: 0.1, n_steps: 100 };
/// a.validate()?;
/// assert!((a.temperature(50) - 1.0).abs() < 1e-12);
/// assert_eq!(a.temperature(1000), 0.1);
/// assert!(Annealing::Constant(-1.0).validate().unwrap_err().to_string().contains("-1"));
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Annealing {
    /// `T_k = T > 0`: samples `∝ e^{−E/T}` (up to the step-size bias).
    Constant(f64),
    /// Linear from `start > 0` to `end ≥ 0` (`end = 0` ends in gradient descent).
    Linear {
        /// `T₀ > 0`.
        start: f64,
        /// `T₁ ≥ 0`.
        end: f64,
        /// Steps over which `T` moves from `T₀` to `T₁` (≥ 1).
        n_steps: usize,
    },
    /// Geometric from `start > 0` to `end > 0`.
    Geometric {
        /// `T₀ > 0`.
        start: f64,
        /// `T₁ > 0`.
        end: f64,
        /// Steps over which `T` moves from `T₀` to `T₁` (≥ 1).
        n_steps: usize,
    },
}

impl Annealing {
    /// Check the temperatures (finite; `> 0` except a linear schedule's end, which may be 0)
    /// and that an annealed schedule spans at least one step.
    pub fn validate(&self) -> Result<()> {
        let span = |n_steps: usize| {
            if n_steps == 0 {
                Err(Error::invalid(
                    "annealing n_steps",
                    0,
                    "anneal over at least one step (or use Annealing::Constant)",
                ))
            } else {
                Ok(())
            }
        };
        match *self {
            Annealing::Constant(t) => check_positive(
                "temperature T",
                t,
                "Langevin sampling needs a finite T > 0 (T = 0 is gradient descent: use flow::GradientFlow)",
            ),
            Annealing::Linear {
                start,
                end,
                n_steps,
            } => {
                check_positive(
                    "annealing start temperature",
                    start,
                    "start from a finite T0 > 0",
                )?;
                check_nonnegative("annealing end temperature", end, "end at a finite T1 >= 0")?;
                span(n_steps)
            }
            Annealing::Geometric {
                start,
                end,
                n_steps,
            } => {
                let fix = "a geometric schedule needs finite T0, T1 > 0; use Annealing::Linear to reach T = 0";
                check_positive("annealing start temperature", start, fix)?;
                check_positive("annealing end temperature", end, fix)?;
                span(n_steps)
            }
        }
    }

    /// `T_k`.
    pub fn temperature(&self, k: usize) -> f64 {
        let u = |n: usize| (k as f64 / n as f64).min(1.0);
        match *self {
            Annealing::Constant(t) => t,
            Annealing::Linear {
                start,
                end,
                n_steps,
            } => start + (end - start) * u(n_steps),
            Annealing::Geometric {
                start,
                end,
                n_steps,
            } => start * (end / start).powf(u(n_steps)),
        }
    }

    /// The same schedule in the time `t = k·h` of the Langevin flow.
    fn in_time(&self, h: f64) -> TemperatureSchedule {
        match *self {
            Annealing::Constant(t) => TemperatureSchedule::Constant(t),
            Annealing::Linear {
                start,
                end,
                n_steps,
            } => TemperatureSchedule::Linear {
                start,
                end,
                duration: n_steps as f64 * h,
            },
            Annealing::Geometric {
                start,
                end,
                n_steps,
            } => TemperatureSchedule::Geometric {
                start,
                end,
                duration: n_steps as f64 * h,
            },
        }
    }
}

/// The unadjusted Langevin algorithm (ULA): Euler–Maruyama on the Langevin flow
/// `dx = −∇E(x) dt + √(2T) dW` ([`LangevinFlow`] stepped by [`EulerMaruyama`]),
///
/// `x_{k+1} = x_k − h ∇E(x_k) + √(2 T_k h) ζ_k`,  `ζ_k ~ N(0, I)`,
///
/// as a [`MarkovSampler`]. At constant `T` the flow's stationary density is `e^{−E/T}/Z`; the
/// discretised chain's is not exactly: ULA has an `O(h)` bias in its stationary law, and for
/// `h` too large relative to the curvature it is transient (Roberts & Tweedie, *Exponential
/// convergence of Langevin distributions and their discrete approximations*, Bernoulli 2, 1996).
/// For a Gaussian `E = ½(x − μ)ᵀA(x − μ)` the chain's stationary covariance is
/// `T A⁻¹ (I − hA/2)⁻¹` (stable for `h < 2/λ_max(A)`), against the target `T A⁻¹`. A
/// Metropolis correction (MALA) removes the bias; this sampler does not apply one.
///
/// Each chain is one column of the state matrix and evaluates the gradient with its own clone of
/// the energy (`Gradient` methods take `&mut self` for their scratch buffers); chain `j` draws
/// its initial state and every increment from `rngs[j]` only, and chains run in parallel with
/// [`par`](Self::par) (default: every thread of rayon's global pool), so samples are
/// bit-identical on any number of threads. A step allocates nothing.
///
/// ```
/// use attractor::energy::Quadratic;
/// use attractor::samplers::{Annealing, LangevinSampler, MarkovSampler};
/// use attractor::run::Budget;
/// // E = ½‖x‖² at T = 0.5: x ~ N(0, 0.5 I) up to the O(h) bias
/// let e = Quadratic::new(faer::Mat::identity(2, 2), vec![0.0; 2])?;
/// let sampler = LangevinSampler::new(e, 0.05, Annealing::Constant(0.5))?;
/// let x = sampler.sample(2000, 1, &Budget::steps(200))?.states;
/// let var = x.row(0).iter().map(|v| v * v).sum::<f64>() / 2000.0;
/// assert!((var - 0.5 / (1.0 - 0.025)).abs() < 0.06);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LangevinSampler<E> {
    energy: E,
    h: f64,
    annealing: Annealing,
    center: Vec<f64>,
    spread: f64,
    par: Par,
}

impl<E: Gradient + Clone + Send + Sync> LangevinSampler<E> {
    /// ULA on `energy` with step size `h > 0` and the temperature schedule `annealing`. Chains
    /// start at `x₀ = 0 + 1·ζ` unless [`initial`](Self::initial) says otherwise.
    pub fn new(energy: E, h: f64, annealing: Annealing) -> Result<Self> {
        let d = energy.dim();
        if d == 0 {
            return Err(Error::invalid(
                "energy dimension",
                0,
                "Langevin sampling needs an energy of at least one variable",
            ));
        }
        check_positive(
            "step size h",
            h,
            "the Langevin step needs a finite h > 0 (smaller h: smaller O(h) bias, slower mixing)",
        )?;
        annealing.validate()?;
        Ok(Self {
            energy,
            h,
            annealing,
            center: vec![0.0; d],
            spread: 1.0,
            par: ALL_THREADS,
        })
    }

    /// Start each chain at `center + spread·ζ`, `ζ ~ N(0, I)` from the chain's generator
    /// (`center` of the energy's dimension and finite, `spread ≥ 0`; `0`: every chain at
    /// `center`).
    pub fn initial(mut self, center: Vec<f64>, spread: f64) -> Result<Self> {
        check_len(
            "initial center",
            center.len(),
            self.energy.dim(),
            "pass one coordinate per variable of the energy",
        )?;
        check_finite("initial center", &center)?;
        check_nonnegative(
            "initial spread",
            spread,
            "use a finite spread >= 0 (0 starts every chain at the center)",
        )?;
        self.center = center;
        self.spread = spread;
        Ok(self)
    }

    /// Run the chains with `par` (`Par::Seq`: in the calling thread).
    pub fn par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// The step size `h`.
    pub fn step_size(&self) -> f64 {
        self.h
    }
    /// The temperature schedule.
    pub fn annealing(&self) -> Annealing {
        self.annealing
    }
    /// The temperature used by step `k`, as the flow evaluates it at `t = k·h`.
    pub fn temperature_at(&self, k: usize) -> f64 {
        self.annealing.in_time(self.h).at(k as f64 * self.h)
    }

    /// Steps `first_step, …, first_step + n_steps − 1` of the schedule for every chain (column
    /// of `states`, `dim × n_chains`), chain `j` drawing from `rngs[j]`: call it repeatedly with
    /// a growing `first_step` to follow one annealing schedule in pieces.
    ///
    /// A chain whose state leaves the finite numbers (the step is unstable for this energy) is
    /// an error naming `h`, the chain and the step.
    pub fn advance_from(
        &self,
        states: MatMut<'_, f64>,
        rngs: &mut [Rng],
        first_step: usize,
        n_steps: usize,
    ) -> Result<()> {
        let d = self.energy.dim();
        let schedule = self.annealing.in_time(self.h);
        for_each_chain(states, d, rngs, self.par, |j, x, rng| {
            check_finite(&format!("chain {j} (column {j} of states)"), x)?;
            let mut flow = LangevinFlow::new(self.energy.clone(), schedule)?;
            let mut em = EulerMaruyama::from_rng(rng.clone());
            let t0 = first_step as f64 * self.h;
            em.init(&mut flow, t0, x);
            let mut failed = None;
            for k in first_step..first_step + n_steps {
                // EulerMaruyama takes every step it is given (fixed step, never fails).
                let _ = em.step(&mut flow, k as f64 * self.h, x, self.h);
                if !x.iter().all(|v| v.is_finite()) {
                    failed = Some(k);
                    break;
                }
            }
            *rng = em.into_rng();
            match failed {
                None => Ok(()),
                Some(k) => Err(Error::invalid(
                    "step size h",
                    format_number(self.h),
                    &format!(
                        "chain {j} left the finite numbers at step {k}; lower h (the Langevin step is stable only for h below 2/L, L the largest curvature of E)"
                    ),
                )),
            }
        })
    }
}

impl<E: Gradient + Clone + Send + Sync> MarkovSampler for LangevinSampler<E> {
    fn dim(&self) -> usize {
        self.energy.dim()
    }

    /// `center + spread·ζ` per chain ([`initial`](LangevinSampler::initial)).
    fn initial_states(&self, rngs: &mut [Rng]) -> Result<Mat<f64>> {
        let d = self.energy.dim();
        crate::linalg::check_dense_size("Langevin chains", d, rngs.len())?;
        let mut x = Mat::zeros(d, rngs.len());
        for (j, rng) in rngs.iter_mut().enumerate() {
            for i in 0..d {
                let z: f64 = StandardNormal.sample(rng);
                x[(i, j)] = self.center[i] + self.spread * z;
            }
        }
        Ok(x)
    }

    /// Steps `0, …, n_steps − 1` of the schedule ([`advance_from`](LangevinSampler::advance_from)
    /// with `first_step = 0`).
    fn advance(&self, states: MatMut<'_, f64>, rngs: &mut [Rng], n_steps: usize) -> Result<()> {
        LangevinSampler::advance_from(self, states, rngs, 0, n_steps)
    }

    fn advance_from(
        &self,
        states: MatMut<'_, f64>,
        rngs: &mut [Rng],
        first_step: usize,
        n_steps: usize,
    ) -> Result<()> {
        LangevinSampler::advance_from(self, states, rngs, first_step, n_steps)
    }
}
