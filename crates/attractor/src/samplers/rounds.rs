//! Rounds of independent units (annealing reads, blocks of bifurcation agents), shared by the
//! samplers that restart from random states: every round runs its units side by side (on
//! rayon's global pool when `par` allows; the order of the results is the units' order, so a
//! fixed number of rounds gives the same set on any number of threads), gathers their final
//! states into one [`SampleSet`], and the [`Budget`] decides after each round whether to go on:
//! its rounds, its time, its target energy (a unit may also stop the others early by raising
//! [`Stops::hit`]) and its interrupt.

use super::sample_set::Reads;
use super::{SampleSet, SampleSetInfo};
use crate::error::Result;
use crate::problems::IsingModel;
use crate::run::{Budget, Clock, Status};
use faer::Par;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What the units of a run share: the budget's clock, its target, and whether a unit has
/// reached the target.
pub(crate) struct Stops {
    /// The budget's deadline and interrupt.
    pub(crate) clock: Clock,
    /// The target energy (with a relative slack of 1e-9), if any.
    pub(crate) target: Option<f64>,
    /// Raised by the unit that reaches the target.
    pub(crate) hit: AtomicBool,
}

impl Stops {
    /// Whether a unit should stop now: the target was reached, the time spent, or the
    /// interrupt raised.
    pub(crate) fn stop(&self) -> bool {
        self.hit.load(Ordering::Relaxed) || self.clock.check().is_some()
    }
    /// Raise `hit` when `energy` reaches the target.
    pub(crate) fn offer(&self, energy: f64) {
        if self.target.is_some_and(|t| energy <= t) {
            self.hit.store(true, Ordering::Relaxed);
        }
    }
}

/// Run rounds of `units` units within `budget` and gather their states (each unit returns the
/// spin vectors of its reads, of `model`) into a [`SampleSet`] named `name`. `unit(i, stops)`
/// runs the unit of global index `i = round·units + u`, from which it seeds itself.
pub(crate) fn run_rounds<F>(
    model: &IsingModel,
    budget: &Budget,
    units: usize,
    par: Par,
    name: &'static str,
    unit: F,
) -> Result<SampleSet>
where
    F: Fn(u64, &Stops) -> Vec<Vec<i8>> + Sync,
{
    use rayon::prelude::*;
    budget.require_bound("rounds", true)?;
    let start = Instant::now();
    let stops = Stops {
        clock: budget.start(),
        target: budget.target().map(|e| e + 1e-9 * (1.0 + e.abs())),
        hit: AtomicBool::new(false),
    };
    let parallel = !matches!(crate::linalg::effective_par(par), Par::Seq) && units > 1;
    let mut reads = Reads::new(model.n());
    let (mut total, mut round) = (0usize, 0usize);
    let status = loop {
        let base = (round * units) as u64;
        let one = |u: usize| unit(base + u as u64, &stops);
        let states: Vec<Vec<Vec<i8>>> = if parallel {
            (0..units).into_par_iter().map(one).collect()
        } else {
            (0..units).map(one).collect()
        };
        for s in states.iter().flatten() {
            stops.offer(model.energy_unchecked(s));
            reads.push_counted(s, 1, true);
            total += 1;
        }
        round += 1;
        if stops.hit.load(Ordering::Relaxed) {
            break Status::TargetReached;
        }
        if let Some(s) = stops.clock.check() {
            break s;
        }
        if budget.max_steps().is_some_and(|m| round >= m) {
            break Status::MaxSteps;
        }
    };
    let mut info = SampleSetInfo::new(name, total, start.elapsed());
    info.status = Some(status);
    Ok(reads.finish(model, info))
}
