//! Contrastive Hebbian learning (Movellan, "Contrastive Hebbian learning in the continuous
//! Hopfield model", Connectionist Models Summer School 1991; Xie & Seung, "Equivalence of
//! backpropagation and contrastive Hebbian learning in a layered network", Neural Computation
//! 15, 2003) on layered energy networks.
//!
//! A *free phase* relaxes the network with the input clamped (`s⁻`); a *clamped phase* holds the
//! output layer at the target as well and relaxes the hidden layers (`s⁺`, started from `s⁻`);
//! the update is Hebbian in the clamped phase and anti-Hebbian in the free one,
//! `ΔW_k = η(ρ(s_k⁺)ρ(s_{k+1}⁺)ᵀ − ρ(s_k⁻)ρ(s_{k+1}⁻)ᵀ)`, `Δb_k = η(ρ(s_k⁺) − ρ(s_k⁻))`
//! (averaged over the minibatch): equilibrium propagation's update with the output fully
//! clamped instead of weakly nudged, and without the `1/β`.

use super::optimizer::{Direction, Targets};
use super::trainer::{Dataset, Rule};
use super::two_phase::{Minibatch, TwoPhase};
use crate::error::Result;
use crate::models::layered::{Cost, LayeredFlow, LayeredNetwork, Phase, Relaxation};
use crate::run::Clock;
use faer::{Mat, MatRef, Par};

/// The mathematics of contrastive Hebbian learning.
#[derive(Debug, Clone, PartialEq)]
pub struct ChlParams {
    /// The free phase.
    pub free: Relaxation,
    /// The clamped phase.
    pub clamped: Relaxation,
    /// Start each example's free phase from its last free state.
    pub persistent: bool,
    /// Parallelism of the products (results identical for any value).
    pub par: Par,
}

impl Default for ChlParams {
    /// `ε = 0.5`, 20 free and 20 clamped steps, persistent particles.
    fn default() -> Self {
        Self {
            free: Relaxation::fixed(0.5, 20),
            clamped: Relaxation::fixed(0.5, 20),
            persistent: true,
            par: Par::Seq,
        }
    }
}

impl ChlParams {
    /// Check every setting; the message names it.
    pub fn validate(&self) -> Result<()> {
        self.free.validate("free")?;
        self.clamped.validate("clamped")
    }
}

/// The contrastive-Hebbian rule on a [`LayeredNetwork`], a [`Rule`] for the shared trainer.
#[derive(Debug, Clone)]
pub struct ContrastiveHebbian {
    params: ChlParams,
    batch: Minibatch,
    s0: Mat<f64>,
    phases: TwoPhase,
}

impl ContrastiveHebbian {
    /// The rule with validated `params`.
    pub fn new(params: ChlParams) -> Result<Self> {
        params.validate()?;
        Ok(Self {
            params,
            batch: Minibatch::default(),
            s0: Mat::new(),
            phases: TwoPhase::default(),
        })
    }
    /// The settings.
    pub fn params(&self) -> &ChlParams {
        &self.params
    }
    /// The examples seen so far and how many the free phase misclassified (the most active
    /// output unit is not the target's): differences between epochs give each epoch's training
    /// error as the free phase sees it.
    pub fn error_counts(&self) -> (usize, usize) {
        self.batch.error_counts()
    }
    /// Forget the persistent states.
    pub fn reset_particles(&mut self) {
        self.batch.reset_particles();
    }

    /// Compute the free and clamped phases for inputs `x` and targets `y` from the initial
    /// free states `s_init`; returns the free equilibria.
    pub fn phases(
        &mut self,
        net: &LayeredNetwork,
        x: MatRef<'_, f64>,
        y: MatRef<'_, f64>,
        s_init: MatRef<'_, f64>,
    ) -> Result<MatRef<'_, f64>> {
        let p = &self.params;
        let b = x.ncols();
        let mut flow =
            LayeredFlow::new(net, x, Some(y), p.free.epsilon, Cost::SquaredError, p.par)?;
        let free = p.free.relax(&mut flow, s_init)?;
        flow.set_phase(Phase::Clamped)?;
        let clamped = p.clamped.relax(&mut flow, free.states.as_ref())?;
        self.phases.set(
            net,
            x,
            clamped.states.as_ref(),
            free.states.as_ref(),
            1.0 / b as f64,
            p.par,
        );
        self.s0 = free.states;
        Ok(self.s0.as_ref())
    }
}

impl Direction for ContrastiveHebbian {
    fn add_into(&mut self, targets: &mut Targets<'_, '_>) {
        self.phases.add_into(targets);
    }
}

impl Rule<LayeredNetwork> for ContrastiveHebbian {
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
            .begin("contrastive Hebbian learning", net, data, idx, persistent)?;
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
