//! Equilibrium propagation (Scellier & Bengio 2017, arXiv 1602.05179) on a layered oscillator
//! network, as Gower trains oscillator Ising machines ("How to train an oscillator Ising
//! machine using equilibrium propagation", arXiv 2505.02103; "Learning at the speed of
//! physics", arXiv 2510.12934: 97.2 % on MNIST).
//!
//! For each minibatch: the free phase relaxes `θ̇ = −∂E/∂θ` with the input phases clamped to
//! `θ⁰`; a nudged phase relaxes `F = E + βC` from `θ⁰` to `θ^β` (and, with
//! [`Nudging::Symmetric`], a second one to `θ^{−β}`); the direction added into the optimiser's
//! targets is, averaged over the minibatch,
//! `d = −(1/β)(∂E/∂θ(θ^β) − ∂E/∂θ(θ⁰))` (one-sided) or
//! `d = −(1/2β)(∂E/∂θ(θ^β) − ∂E/∂θ(θ^{−β}))` (symmetric, Laborieux et al. 2021), which tends
//! to `−∂L/∂θ` of the loss `L = C(θ⁰, y)` as `β → 0`. With `∂E/∂W_k = −(c_k c_{k+1}ᵀ + s_k
//! s_{k+1}ᵀ)` (`c = cos θ`, `s = sin θ`) and `∂E/∂h_k = −c_k` this is
//! `d_{W_k} = (c/β)·(c⁺_k c⁺_{k+1}ᵀ + s⁺_k s⁺_{k+1}ᵀ − c⁻_k c⁻_{k+1}ᵀ − s⁻_k s⁻_{k+1}ᵀ)`: four
//! products per coupling (two for `W_0`, whose input factors are the same in both phases), and
//! `d_{h_k} = (1/β)Σ(c⁺_k − c⁻_k)`.
//!
//! The rule is the layered network's ([`EquilibriumPropagation`](super::EquilibriumPropagation))
//! with the oscillator's parameter gradient; the two share [`Nudging`], the
//! [`Relaxation`] settings, the trainer and the optimiser. Every free phase starts from
//! `θ = π/2` (no persistent particles).

use super::equilibrium_propagation::{Nudging, PhasedField, relax_phases, signed_beta};
use super::optimizer::{Direction, Targets};
use super::trainer::{Dataset, Rule};
use super::two_phase::{TwoPhase, gather};
use crate::error::{Error, Result};
use crate::models::layered::{Phase, Relaxation};
use crate::models::oscillator_network::{OscillatorFlow, OscillatorNetwork};
use crate::run::Clock;
use faer::{Mat, MatRef, Par};

/// The mathematics of equilibrium propagation on an oscillator network.
#[derive(Debug, Clone, PartialEq)]
pub struct OscEqPropParams {
    /// The nudging strength `β > 0`.
    pub beta: f64,
    /// One-sided, symmetric or random-sign nudging.
    pub nudging: Nudging,
    /// The free phase (Euler steps of the phase flow).
    pub free: Relaxation,
    /// Each nudged phase.
    pub nudged: Relaxation,
    /// The seed of the random signs.
    pub seed: u64,
    /// Parallelism of the products (results identical for any value).
    pub par: Par,
}

impl Default for OscEqPropParams {
    /// `β = 0.5`, symmetric nudging, 40 free and 20 nudged Euler steps of `dt = 0.3`.
    fn default() -> Self {
        Self {
            beta: 0.5,
            nudging: Nudging::Symmetric,
            free: Relaxation::fixed(0.3, 40),
            nudged: Relaxation::fixed(0.3, 20),
            seed: 0,
            par: Par::Seq,
        }
    }
}

impl OscEqPropParams {
    /// Check every setting; the message names it.
    pub fn validate(&self) -> Result<()> {
        super::equilibrium_propagation::validate_phases(self.beta, &self.free, &self.nudged)
    }
}

/// Equilibrium propagation on an [`OscillatorNetwork`]: a [`Rule`] for the shared
/// [`Trainer`](super::trainer::Trainer).
#[derive(Debug, Clone)]
pub struct OscillatorEqProp {
    params: OscEqPropParams,
    x: Mat<f64>,
    y: Mat<f64>,
    s0: Mat<f64>,
    /// The cosines and sines of the two equilibria whose difference is the update.
    phases: TwoPhase,
    seen: usize,
    errors: usize,
    n_updates: u64,
}

impl OscillatorEqProp {
    /// The rule with validated `params`.
    pub fn new(params: OscEqPropParams) -> Result<Self> {
        params.validate()?;
        Ok(Self {
            params,
            x: Mat::new(),
            y: Mat::new(),
            s0: Mat::new(),
            phases: TwoPhase::default(),
            seen: 0,
            errors: 0,
            n_updates: 0,
        })
    }
    /// The settings.
    pub fn params(&self) -> &OscEqPropParams {
        &self.params
    }
    /// The examples seen so far and how many the free phase misclassified.
    pub fn error_counts(&self) -> (usize, usize) {
        (self.seen, self.errors)
    }
    /// The free equilibria of the last minibatch (`D × b`).
    pub fn last_free_states(&self) -> MatRef<'_, f64> {
        self.s0.as_ref()
    }

    /// Run the phases for inputs `x` (`d_0 × b`, pixels in `[0, 1]`) and targets `y`
    /// (`d_L × b`), starting the free phase from `θ = π/2`; returns the free equilibria. The
    /// update is then [`Direction::add_into`].
    pub fn phases(
        &mut self,
        net: &OscillatorNetwork,
        x: MatRef<'_, f64>,
        y: MatRef<'_, f64>,
    ) -> Result<MatRef<'_, f64>> {
        let p = &self.params;
        let b = x.ncols();
        let phi = net.input_phases(x)?;
        let mut flow = OscillatorFlow::new(net, phi.as_ref(), Some(y), p.par)?;
        let init = net.initial_phases(b);
        let beta = signed_beta(p.beta, p.nudging, p.seed, self.n_updates);
        self.n_updates += 1;
        let eq = relax_phases(
            &mut flow,
            init.as_ref(),
            &p.free,
            &p.nudged,
            p.nudging,
            beta,
        )?;
        self.phases.set(
            net,
            phi.as_ref(),
            eq.plus.as_ref(),
            eq.minus.as_ref(),
            eq.coef,
            p.par,
        );
        self.s0 = eq.free;
        Ok(self.s0.as_ref())
    }
}

impl Direction for OscillatorEqProp {
    fn add_into(&mut self, targets: &mut Targets<'_, '_>) {
        self.phases.add_into(targets);
    }
}

impl Rule<OscillatorNetwork> for OscillatorEqProp {
    fn reserve(&mut self, _net: &OscillatorNetwork, _b: usize) -> Result<()> {
        Ok(())
    }
    fn estimate(
        &mut self,
        net: &OscillatorNetwork,
        data: &Dataset<'_>,
        idx: &[usize],
        _clock: &Clock,
    ) -> Result<()> {
        let y = data.y.ok_or_else(|| {
            Error::Incompatible("equilibrium propagation is supervised: give targets y".into())
        })?;
        gather(data.x, idx, &mut self.x);
        gather(y, idx, &mut self.y);
        let (x, yb) = (
            std::mem::replace(&mut self.x, Mat::new()),
            std::mem::replace(&mut self.y, Mat::new()),
        );
        let r = self.phases(net, x.as_ref(), yb.as_ref()).map(|_| ());
        (self.x, self.y) = (x, yb);
        r?;
        self.seen += idx.len();
        // the free phase's class: the output with the largest cos θ
        let out = net.output_rows();
        let readout = Mat::from_fn(out.len(), self.s0.ncols(), |i, j| {
            self.s0[(out.start + i, j)].cos()
        });
        self.errors +=
            super::two_phase::count_errors(readout.as_ref(), 0..out.len(), self.y.as_ref());
        Ok(())
    }
}

impl PhasedField for OscillatorFlow<'_> {
    fn set_phase(&mut self, phase: Phase) -> Result<()> {
        OscillatorFlow::set_phase(self, phase)
    }
}
