//! The samplers that restart from random states (annealing reads, blocks of bifurcation
//! agents) as units of the shared replica engine ([`crate::run::replicas`]): every round runs
//! the units side by side (on rayon's global pool when `par` allows; results in unit order, so
//! a fixed number of rounds gives the same set on any number of threads), their final states
//! go into one [`SampleSet`], and the [`Budget`] (rounds, time, target energy, interrupt)
//! decides on the run loop when to stop.

use super::sample_set::Reads;
use super::{SampleSet, SampleSetInfo};
use crate::error::Result;
use crate::problems::IsingModel;
use crate::run::Budget;
use crate::run::Silent;
use crate::run::replicas::{
    ReplicaSpec, ReplicaUnit, Restarts, Round, Stops, UnitReport, run_replicas,
};
use faer::Par;

/// A unit given as a function of its stream index, the state to restart from (a warm round)
/// and the stops, returning its reads.
struct FnUnit<'a, F> {
    model: &'a IsingModel,
    unit: &'a F,
}

impl<F> ReplicaUnit for FnUnit<'_, F>
where
    F: Fn(u64, Option<&[i8]>, &Stops) -> Vec<Vec<i8>> + Sync,
{
    fn run_round(&mut self, round: &Round<'_>, out: &mut UnitReport) {
        for s in (self.unit)(round.stream_index(), round.warm, round.stops) {
            let e = self.model.energy_unchecked(&s);
            round.offer(&mut out.best[0], &s, e, 0);
            if round.collect {
                out.finals.extend_from_slice(&s);
            }
        }
    }
}

/// Run rounds of `units` units within `budget` and gather their states (each unit returns the
/// spin vectors of its reads, of `model`) into a [`SampleSet`] named `name`. `unit(i, warm,
/// stops)` runs the unit of global index `i = round·units + u`, from which it seeds itself,
/// warm from the best state so far (of `model`) when `restarts` says so.
pub(crate) fn run_rounds<F>(
    model: &IsingModel,
    budget: &Budget,
    (units, par, restarts): (usize, Par, Restarts),
    name: &'static str,
    unit: F,
) -> Result<SampleSet>
where
    F: Fn(u64, Option<&[i8]>, &Stops) -> Vec<Vec<i8>> + Sync,
{
    let spec = ReplicaSpec {
        n: model.n(),
        tracks: 1,
        par,
        restarts,
        seeds: Vec::new(),
    };
    let mut fns: Vec<FnUnit<'_, F>> = (0..units.max(1))
        .map(|_| FnUnit { model, unit: &unit })
        .collect();
    let mut reads = Reads::new(model.n());
    let mut total = 0usize;
    let mut sink = |s: &[i8]| {
        reads.push_counted(s, 1, true);
        total += 1;
    };
    let out = run_replicas(&spec, &mut fns, budget, Some(&mut sink), Silent)?;
    let mut info = SampleSetInfo::new(name, total, out.elapsed);
    info.status = Some(out.status);
    Ok(reads.finish(model, info))
}
