//! The oscillator Ising machine as a sampler.

use super::sample_set::Reads;
use super::{IsingSampler, SampleSet, SampleSetInfo};
use crate::error::Result;
use crate::models::OimProgress;
use crate::models::{OimParams, OscillatorIsingMachine};
use crate::problems::IsingModel;
use crate::run::Budget;
use faer::Par;
use std::sync::Arc;

/// The [`OscillatorIsingMachine`] as an [`IsingSampler`]: every replica of every round gives one
/// read, its final state (best-reference readout, then greedy descent when the parameters ask for
/// it); equal states are aggregated. The machine's best state over the run (which may come from
/// a readout during a round) is added as a read when no final state equals it, so the set's
/// first sample is the machine's answer. A budget of rounds alone: the set does not depend on `par`.
///
/// ```
/// use attractor::problems::{IsingModel, WeightedGraph, brute_force};
/// use attractor::samplers::{IsingSampler, OimSampler};
/// let m = IsingModel::max_cut(&WeightedGraph::random(16, 0.3, &[1.0], 2)?)?;
/// let set = OimSampler { replicas: 32, ..OimSampler::default() }.sample_ising(&m)?;
/// assert_eq!(set.first().unwrap().energy, brute_force(&m)?.energy);
/// assert!(set.info.num_reads >= 32);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Clone)]
pub struct OimSampler {
    /// Seed ([`OimParams::seed`]).
    pub seed: u64,
    /// Replicas per round (a multiple of 16 is run).
    pub replicas: usize,
    /// Parallelism across replica blocks.
    pub par: Par,
    /// Full parameters to use instead of `OimParams::for_model` with the fields above.
    pub params: Option<OimParams>,
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
            .field("seed", &self.seed)
            .field("replicas", &self.replicas)
            .field("par", &self.par)
            .field("params", &self.params)
            .field("budget", &self.budget)
            .field("progress", &self.progress.as_ref().map(|_| "callback"))
            .finish()
    }
}

impl Default for OimSampler {
    /// Seed 0, 16 replicas, a budget of one round, sequential, the defaults of [`OimParams::for_model`].
    fn default() -> Self {
        Self {
            seed: 0,
            replicas: 16,
            par: Par::Seq,
            params: None,
            budget: Budget::steps(1),
            progress: None,
        }
    }
}

impl IsingSampler for OimSampler {
    fn sample_ising(&self, model: &IsingModel) -> Result<SampleSet> {
        let p = match &self.params {
            Some(p) => p.clone(),
            None => {
                let mut p = OimParams::for_model(model);
                p.seed = self.seed;
                p.replicas = self.replicas;
                p.par = self.par;
                p
            }
        };
        let machine = OscillatorIsingMachine::new(model.clone(), p)?;
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
