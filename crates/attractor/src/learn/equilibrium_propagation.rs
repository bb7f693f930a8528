//! Equilibrium propagation (Scellier & Bengio, "Equilibrium propagation: bridging the gap
//! between energy-based models and backpropagation", Front. Comput. Neurosci. 11:24, 2017,
//! arXiv 1602.05179) on layered energy networks.
//!
//! For each minibatch: a *free phase* relaxes the network with the input clamped to its
//! equilibrium `s⁰`; a *nudged phase* relaxes `F = E + βC(s_L, y)` from `s⁰` to `s^β`; the
//! update is `Δθ = −(η/β)(∂E/∂θ(s^β) − ∂E/∂θ(s⁰))`, which tends to the gradient step
//! `−η ∂L/∂θ` of the loss `L = C(s⁰, y)` as `β → 0` (the EP theorem). Variants:
//!
//! - [`Nudging::OneSided`]: the formula above; its bias against the gradient is `O(β)`.
//! - [`Nudging::Symmetric`]: two nudged phases `±β` and
//!   `Δθ = −(η/2β)(∂E/∂θ(s^{β}) − ∂E/∂θ(s^{−β}))`, a central difference whose bias is `O(β²)`
//!   (Laborieux, Ernoult, Scellier, Bengio, Grollier, Querlioz, "Scaling equilibrium
//!   propagation to deep ConvNets by drastically reducing its gradient estimator bias",
//!   Front. Neurosci. 2021).
//! - [`Nudging::RandomSign`]: one-sided with the sign of `β` drawn per minibatch (Scellier &
//!   Bengio 2017, §4), from `rng::stream(seed, streams::DYNAMICS + update)`.
//!
//! With persistent particles each training example keeps its last free state, and the next
//! free phase for it starts there (Scellier & Bengio's training setting; the free phase can
//! then be short). Everything is seeded; the products run in fixed row blocks, so results do
//! not depend on the number of threads.

use super::optimizer::{Direction, Targets};
use super::trainer::{Dataset, Rule};
use super::two_phase::{Minibatch, TwoPhase};
use crate::error::{Error, Result};
use crate::models::layered::{Cost, LayeredFlow, LayeredNetwork, Phase, Relaxation};
use crate::rng::{stream, streams};
use crate::run::Clock;
use crate::step::Euler;
use faer::{Mat, MatRef, Par};
use std::str::FromStr;

/// How the nudged phase is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Nudging {
    /// One nudged phase at `+β`.
    #[default]
    OneSided,
    /// Two nudged phases at `±β` (bias `O(β²)`).
    Symmetric,
    /// One nudged phase at `±β`, the sign drawn per minibatch.
    RandomSign,
}

impl Nudging {
    /// The name ("one-sided", "symmetric", "random-sign").
    pub fn name(self) -> &'static str {
        match self {
            Nudging::OneSided => "one-sided",
            Nudging::Symmetric => "symmetric",
            Nudging::RandomSign => "random-sign",
        }
    }
}

impl FromStr for Nudging {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "one-sided" | "one_sided" | "onesided" | "positive" => Ok(Nudging::OneSided),
            "symmetric" | "centered" | "centred" => Ok(Nudging::Symmetric),
            "random-sign" | "random_sign" | "random" => Ok(Nudging::RandomSign),
            _ => Err(Error::invalid(
                "nudging",
                s,
                "use one-sided, symmetric or random-sign",
            )),
        }
    }
}

/// The mathematics of equilibrium propagation (the loop's settings are the trainer's).
#[derive(Debug, Clone, PartialEq)]
pub struct EqPropParams {
    /// The nudging strength `β > 0`.
    pub beta: f64,
    /// One-sided, symmetric or random-sign nudging.
    pub nudging: Nudging,
    /// The cost `C` of the nudge (and the loss whose gradient the update estimates).
    pub cost: Cost,
    /// The free phase.
    pub free: Relaxation,
    /// Each nudged phase.
    pub nudged: Relaxation,
    /// Start each example's free phase from its last free state.
    pub persistent: bool,
    /// The seed of the random signs.
    pub seed: u64,
    /// Parallelism of the products (results identical for any value).
    pub par: Par,
}

impl Default for EqPropParams {
    /// `β = 0.5`, one-sided, squared error `½‖s_L − y‖²`, `ε = 0.5`, 20 free and 4 nudged steps,
    /// persistent particles. Scellier & Bengio's code uses `‖s_L − y‖²` (no ½) with `β = 0.5`
    /// and a random sign: the same nudge is `β = 1` here, [`Nudging::RandomSign`], with the
    /// learning rates doubled (0.2 and 0.1 for one hidden layer).
    fn default() -> Self {
        Self {
            beta: 0.5,
            nudging: Nudging::OneSided,
            cost: Cost::SquaredError,
            free: Relaxation::fixed(0.5, 20),
            nudged: Relaxation::fixed(0.5, 4),
            persistent: true,
            seed: 0,
            par: Par::Seq,
        }
    }
}

impl EqPropParams {
    /// Check every setting; the message names it.
    pub fn validate(&self) -> Result<()> {
        validate_phases(self.beta, &self.free, &self.nudged)
    }
}

/// Check the settings every equilibrium-propagation rule has: `β > 0` finite and the free and
/// nudged relaxations.
pub fn validate_phases(beta: f64, free: &Relaxation, nudged: &Relaxation) -> Result<()> {
    if !(beta.is_finite() && beta > 0.0) {
        return Err(Error::invalid(
            "beta",
            beta,
            "the nudging strength must be finite and > 0 (e.g. 0.5; small values follow the gradient more closely)",
        ));
    }
    free.validate("free")?;
    nudged.validate("nudged")
}

/// A minibatch relaxation with the phases of the learning rules (free, nudged, clamped): what
/// equilibrium propagation runs on any energy ([`LayeredFlow`], the oscillator network's flow).
pub trait PhasedField: crate::run::BatchField {
    /// Switch the phase (checked).
    fn set_phase(&mut self, phase: Phase) -> Result<()>;
}

impl PhasedField for LayeredFlow<'_> {
    fn set_phase(&mut self, phase: Phase) -> Result<()> {
        LayeredFlow::set_phase(self, phase)
    }
}

/// The equilibria of one equilibrium-propagation update.
#[derive(Debug, Clone)]
pub struct EpEquilibria {
    /// The free equilibria `s⁰` (`D × b`).
    pub free: Mat<f64>,
    /// The equilibria nudged by `+β` (signed).
    pub plus: Mat<f64>,
    /// The equilibria nudged by `−β` (symmetric), else the free ones.
    pub minus: Mat<f64>,
    /// The coefficient of the contrast `∂E/∂θ(minus) − ∂E/∂θ(plus)`: `1/(βb)` or `1/(2βb)`.
    pub coef: f64,
    /// Steps of the free phase, and its columns that reached the tolerance.
    pub free_steps: usize,
    /// Free-phase columns that converged.
    pub free_converged: usize,
}

/// The signed `β` of update number `update`: `β`, or for [`Nudging::RandomSign`] `±β` drawn
/// from `rng::stream(seed, streams::DYNAMICS + update)`.
pub fn signed_beta(beta: f64, nudging: Nudging, seed: u64, update: u64) -> f64 {
    match nudging {
        Nudging::RandomSign => {
            use rand::RngExt;
            let mut rng = stream(seed, streams::DYNAMICS + update);
            if rng.random::<bool>() { beta } else { -beta }
        }
        _ => beta,
    }
}

/// The free phase from `init` (`D × b`), then the nudged phase(s) from its equilibria at the
/// signed `beta` (and at `−beta` when symmetric): the sequence every equilibrium-propagation
/// rule runs, whatever the energy. The flow is left in its last nudged phase.
pub fn relax_phases<F: PhasedField>(
    flow: &mut F,
    init: MatRef<'_, f64>,
    free: &Relaxation,
    nudged: &Relaxation,
    nudging: Nudging,
    beta: f64,
) -> Result<EpEquilibria> {
    let b = init.ncols();
    flow.set_phase(Phase::Free)?;
    let f = free.run()?.solve_batch(flow, &mut Euler::new(), init)?;
    let converged = f
        .columns
        .iter()
        .filter(|c| c.status == crate::run::Status::Converged)
        .count();
    flow.set_phase(Phase::Nudged(beta))?;
    let run = nudged.run()?;
    let plus = run.solve_batch(flow, &mut Euler::new(), f.states.as_ref())?;
    let (minus, coef) = if nudging == Nudging::Symmetric {
        flow.set_phase(Phase::Nudged(-beta))?;
        let m = run.solve_batch(flow, &mut Euler::new(), f.states.as_ref())?;
        (m.states, 1.0 / (2.0 * beta * b as f64))
    } else {
        (f.states.clone(), 1.0 / (beta * b as f64))
    };
    Ok(EpEquilibria {
        free_steps: f.n_steps,
        free_converged: converged,
        free: f.states,
        plus: plus.states,
        minus,
        coef,
    })
}

/// The equilibrium-propagation rule on a [`LayeredNetwork`]: a [`Rule`] for the shared
/// [`Trainer`](super::trainer::Trainer).
#[derive(Debug, Clone)]
pub struct EquilibriumPropagation {
    params: EqPropParams,
    batch: Minibatch,
    s0: Mat<f64>,
    phases: TwoPhase,
    n_updates: u64,
    free_steps: usize,
    free_converged: usize,
}

impl EquilibriumPropagation {
    /// The rule with validated `params`.
    pub fn new(params: EqPropParams) -> Result<Self> {
        params.validate()?;
        Ok(Self {
            params,
            batch: Minibatch::default(),
            s0: Mat::new(),
            phases: TwoPhase::default(),
            n_updates: 0,
            free_steps: 0,
            free_converged: 0,
        })
    }
    /// The settings.
    pub fn params(&self) -> &EqPropParams {
        &self.params
    }
    /// The persistent free states, one column per training example (empty before training or
    /// without persistence).
    pub fn particles(&self) -> MatRef<'_, f64> {
        self.batch.particles()
    }
    /// The examples seen so far and how many the free phase misclassified (the most active
    /// output unit is not the target's): differences between epochs give each epoch's training
    /// error as the free phase sees it.
    pub fn error_counts(&self) -> (usize, usize) {
        self.batch.error_counts()
    }
    /// Forget the persistent states (after the data change).
    pub fn reset_particles(&mut self) {
        self.batch.reset_particles();
    }
    /// The free equilibria of the last minibatch (`D × b`).
    pub fn last_free_states(&self) -> MatRef<'_, f64> {
        self.s0.as_ref()
    }
    /// Free-phase steps and columns that reached the tolerance, summed over the updates.
    pub fn free_phase_stats(&self) -> (usize, usize) {
        (self.free_steps, self.free_converged)
    }

    /// Compute the two phases for the inputs `x` and targets `y` (`d_0 × b`, `d_L × b`) from
    /// the initial free states `s_init` (`D × b`); returns the free equilibria. The update is
    /// then [`Direction::add_into`].
    pub fn phases(
        &mut self,
        net: &LayeredNetwork,
        x: MatRef<'_, f64>,
        y: MatRef<'_, f64>,
        s_init: MatRef<'_, f64>,
    ) -> Result<MatRef<'_, f64>> {
        let p = &self.params;
        let mut flow = LayeredFlow::new(net, x, Some(y), p.free.epsilon, p.cost, p.par)?;
        let beta = signed_beta(p.beta, p.nudging, p.seed, self.n_updates);
        self.n_updates += 1;
        let eq = relax_phases(&mut flow, s_init, &p.free, &p.nudged, p.nudging, beta)?;
        self.free_steps += eq.free_steps;
        self.free_converged += eq.free_converged;
        self.phases
            .set(net, x, eq.plus.as_ref(), eq.minus.as_ref(), eq.coef, p.par);
        self.s0 = eq.free;
        Ok(self.s0.as_ref())
    }
}

impl Direction for EquilibriumPropagation {
    fn add_into(&mut self, targets: &mut Targets<'_, '_>) {
        self.phases.add_into(targets);
    }
}

impl Rule<LayeredNetwork> for EquilibriumPropagation {
    fn reserve(&mut self, _net: &LayeredNetwork, _b: usize) -> Result<()> {
        Ok(())
    }
    fn estimate(
        &mut self,
        net: &LayeredNetwork,
        data: &Dataset<'_>,
        idx: &[usize],
        _clock: &Clock,
    ) -> Result<()> {
        let persistent = self.params.persistent;
        self.batch
            .begin("equilibrium propagation", net, data, idx, persistent)?;
        let batch = std::mem::take(&mut self.batch);
        let r = self
            .phases(net, batch.x(), batch.y(), batch.init())
            .map(|_| ());
        self.batch = batch;
        r?;
        self.batch.finish(net, idx, self.s0.as_ref(), persistent);
        Ok(())
    }
}
