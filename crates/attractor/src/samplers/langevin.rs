//! The unadjusted Langevin algorithm for any energy with a gradient, many chains at once.

use crate::energy::Gradient;
use crate::error::{Error, Result, check_finite, check_len, check_nonnegative, check_positive};
use crate::flow::LangevinFlow;
use crate::format_number;
use crate::linalg::ALL_THREADS;
use crate::markov::{MarkovSampler, for_each_chain};
use crate::rng::Rng;
use crate::schedule::Ramp;
use crate::step::{EulerMaruyama, Stepper};
use faer::{Mat, MatMut, Par};
use rand_distr::{Distribution, StandardNormal};

/// Check a Langevin temperature schedule laid over steps: finite temperatures `≥ 0`, the
/// first `> 0` (a chain that starts at `T = 0` is gradient descent), a span of at least one
/// step.
pub(crate) fn validate_temperature(t: &Ramp) -> Result<()> {
    t.validate("temperature T", false)?;
    check_positive(
        "temperature T",
        t.at(0.0),
        "Langevin sampling needs a finite T > 0 at the start (T = 0 is gradient descent: use flow::GradientFlow)",
    )
}

/// Check the settings every Langevin sampler shares: an energy of `d ≥ 1` variables, a step
/// `h > 0`, a temperature schedule ([`validate_temperature`]).
pub(crate) fn check_settings(d: usize, h: f64, temperature: &Ramp) -> Result<()> {
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
    validate_temperature(temperature)
}

/// The error of chain `j` leaving the finite numbers at step `k` with step size `h`.
pub(crate) fn unstable_step(h: f64, j: usize, k: usize) -> Error {
    Error::invalid(
        "step size h",
        format_number(h),
        &format!(
            "chain {j} left the finite numbers at step {k}; lower h (the Langevin step is stable only for h below 2/L, L the largest curvature of E)"
        ),
    )
}

/// Check a start `center + spread·ζ`: `center` of dimension `d`, finite; `spread ≥ 0`.
pub(crate) fn check_initial(center: &[f64], spread: f64, d: usize) -> Result<()> {
    check_len(
        "initial center",
        center.len(),
        d,
        "pass one coordinate per variable of the energy",
    )?;
    check_finite("initial center", center)?;
    check_nonnegative(
        "initial spread",
        spread,
        "use a finite spread >= 0 (0 starts every chain at the center)",
    )
}

/// One chain per generator at `center + spread·ζ`, `ζ ~ N(0, I)` from the chain's generator.
pub(crate) fn gaussian_initial_states(
    center: &[f64],
    spread: f64,
    rngs: &mut [Rng],
) -> Result<Mat<f64>> {
    let d = center.len();
    crate::linalg::check_dense_size("Langevin chains", d, rngs.len())?;
    let mut x = Mat::zeros(d, rngs.len());
    for (j, rng) in rngs.iter_mut().enumerate() {
        for i in 0..d {
            let z: f64 = StandardNormal.sample(rng);
            x[(i, j)] = center[i] + spread * z;
        }
    }
    Ok(x)
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
/// use attractor::samplers::{LangevinSampler, MarkovSampler};
/// use attractor::schedule::Ramp;
/// use attractor::run::Budget;
/// // E = ½‖x‖² at T = 0.5: x ~ N(0, 0.5 I) up to the O(h) bias
/// let e = Quadratic::new(faer::Mat::identity(2, 2), vec![0.0; 2])?;
/// let sampler = LangevinSampler::new(e, 0.05, Ramp::constant(0.5))?;
/// let x = sampler.sample(2000, 1, &Budget::steps(200))?.states;
/// let var = x.row(0).iter().map(|v| v * v).sum::<f64>() / 2000.0;
/// assert!((var - 0.5 / (1.0 - 0.025)).abs() < 0.06);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LangevinSampler<E> {
    energy: E,
    h: f64,
    temperature: Ramp,
    center: Vec<f64>,
    spread: f64,
    par: Par,
}

impl<E: Gradient + Clone + Send + Sync> LangevinSampler<E> {
    /// ULA on `energy` with step size `h > 0` and the temperature `T_k` of step `k` laid over
    /// steps (`Ramp::constant(T)` samples at `T`; `Ramp::geometric(T0, T1, n)` anneals over
    /// `n` steps and holds `T1` after). Chains start at `x₀ = 0 + 1·ζ` unless
    /// [`initial`](Self::initial) says otherwise.
    pub fn new(energy: E, h: f64, temperature: Ramp) -> Result<Self> {
        let d = energy.dim();
        check_settings(d, h, &temperature)?;
        Ok(Self {
            energy,
            h,
            temperature,
            center: vec![0.0; d],
            spread: 1.0,
            par: ALL_THREADS,
        })
    }

    /// Start each chain at `center + spread·ζ`, `ζ ~ N(0, I)` from the chain's generator
    /// (`center` of the energy's dimension and finite, `spread ≥ 0`; `0`: every chain at
    /// `center`).
    pub fn initial(mut self, center: Vec<f64>, spread: f64) -> Result<Self> {
        check_initial(&center, spread, self.energy.dim())?;
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
    /// The temperature schedule, over steps.
    pub fn temperature(&self) -> &Ramp {
        &self.temperature
    }
    /// The temperature used by step `k`, as the flow evaluates it at `t = k·h`.
    pub fn temperature_at(&self, k: usize) -> f64 {
        self.in_time().at(k as f64 * self.h)
    }

    /// The schedule in the time `t = k·h` of the Langevin flow.
    fn in_time(&self) -> Ramp {
        Ramp::over(
            self.temperature.schedule.clone(),
            self.temperature.span * self.h,
        )
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
        let schedule = self.in_time();
        for_each_chain(states, d, rngs, self.par, |j, x, rng| {
            check_finite(&format!("chain {j} (column {j} of states)"), x)?;
            let mut flow = LangevinFlow::new(self.energy.clone(), schedule.clone())?;
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
                Some(k) => Err(unstable_step(self.h, j, k)),
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
        gaussian_initial_states(&self.center, self.spread, rngs)
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
