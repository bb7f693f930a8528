//! The oscillator Ising machine as a sampler.

use super::sample_set::Reads;
use super::{IsingSampler, SampleSet, SampleSetInfo};
use crate::error::Result;
use crate::models::OimProgress;
use crate::models::{OimParams, OscillatorIsingMachine};
use crate::problems::IsingModel;
use crate::run::Budget;
use std::sync::Arc;

/// The [`OscillatorIsingMachine`] as an [`IsingSampler`]: every replica of every round gives one
/// read, its final state (best-reference readout, then greedy descent when the parameters ask for
/// it); equal states are aggregated. The machine's best state over the run (which may come from
/// a readout during a round) is added as a read when no final state equals it, so the set's
/// first sample is the machine's answer. A budget of rounds alone: the set does not depend on `par`.
///
/// ```
/// use attractor::models::OimParams;
/// use attractor::problems::{IsingModel, WeightedGraph, brute_force};
/// use attractor::samplers::{IsingSampler, OimSampler};
/// let m = IsingModel::max_cut(&WeightedGraph::random(16, 0.3, &[1.0], 2)?)?;
/// let sampler = OimSampler::new(OimParams { replicas: 32, ..OimParams::default() });
/// let set = sampler.sample_ising(&m)?;
/// assert_eq!(set.first().unwrap().energy, brute_force(&m)?.energy);
/// assert!(set.info.num_reads >= 32);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Clone)]
pub struct OimSampler {
    /// The machine: [`OimParams::default`] leaves `dt` and `μ` to the model sampled (the rules
    /// of [`OimParams::for_model`]); seed, replicas and parallelism are its fields.
    pub params: OimParams,
    /// What the machine may spend: rounds (one unit = a round of every replica), time, a target
    /// energy and an interrupt (when raised, the machine stops and the reads so far, and its best
    /// state, are returned with status `Interrupted` in the info). Default: one round.
    pub budget: Budget,
    /// Called after every round with the machine's progress (from the thread running it).
    pub progress: Option<ProgressFn>,
}

/// A progress callback of the [`OimSampler`], called after every round.
pub type ProgressFn = Arc<dyn Fn(&OimProgress) + Send + Sync>;

impl std::fmt::Debug for OimSampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OimSampler")
            .field("params", &self.params)
            .field("budget", &self.budget)
            .field("progress", &self.progress.as_ref().map(|_| "callback"))
            .finish()
    }
}

impl Default for OimSampler {
    /// [`OimParams::default`] (16 replicas, seed 0, sequential), a budget of one round.
    fn default() -> Self {
        Self::new(OimParams::default())
    }
}

impl OimSampler {
    /// A sampler with `params`, a budget of one round and no progress callback.
    pub fn new(params: OimParams) -> Self {
        Self {
            params,
            budget: Budget::steps(1),
            progress: None,
        }
    }
}

impl IsingSampler for OimSampler {
    fn sample_ising(&self, model: &IsingModel) -> Result<SampleSet> {
        let machine = OscillatorIsingMachine::new(model.clone(), self.params.clone())?;
        let mut reads = Reads::new(model.n());
        let report = |p: &OimProgress| {
            if let Some(f) = &self.progress {
                f(p);
            }
            std::ops::ControlFlow::Continue(())
        };
        let r = machine.solve_inner(
            &self.budget,
            report,
            Some(&mut |s: &[i8]| reads.push_counted(s, 1, true)),
        )?;
        let best = r.best();
        if !reads.contains(&best.spins) {
            reads.push_counted(&best.spins, 1, true);
        }
        let mut info = SampleSetInfo::new("oscillator Ising machine", 0, r.elapsed);
        info.status = Some(r.status.clone());
        Ok(reads.finish(model, info))
    }
}
