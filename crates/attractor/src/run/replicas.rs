//! The replica engine: independent units of replicas (a SIMD block of oscillator-machine
//! replicas, a set of annealing reads, a block of bifurcation agents) run in rounds, side by
//! side on rayon's global pool, and the run loop drives the rounds.
//!
//! Multi-start heuristics for Ising problems share one shape: every round runs every unit
//! from its own random streams (or warm, from the best state so far), the units' best states
//! merge in unit order (ties keep the earlier unit, so a fixed number of rounds gives the same
//! states on any number of threads), their final states may be gathered into a sample set,
//! and a [`Budget`] decides when to stop — its rounds, its time, its target energy, its
//! interrupt — with the units polling the same [`Stops`] inside a round so that a long round
//! ends early too. [`run_replicas`] writes this once: the rounds are an [`Evolution`] whose
//! step is one round and whose state is the best spins so far, advanced by [`Run::run`], so the
//! budget, the observer and the stop statuses are the run loop's.
//!
//! A unit implements [`ReplicaUnit`]: it owns its buffers and, given a [`Round`] (which round,
//! which unit, where to restart from, the stops), fills a [`UnitReport`] (its replica-steps,
//! its best [`Candidate`] per track, and on request the final state of every replica). Tracks
//! are the family's kinds of answer (the oscillator machine reports its pure oscillator
//! readout and its descended state apart); warm restarts start from the best candidate of the
//! last track that has one.

use super::{Budget, Clock, Evolution, Observation, Run, Status};
use crate::error::Result;
use crate::step::{StepFailure, StepReport};
use faer::Par;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A candidate answer: its energy, its spins, when it was first reached and the replica-steps
/// (over all replicas, wall-clock equivalent) before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The energy (recomputed in f64 from `spins`).
    pub energy: f64,
    /// The state, one `±1` per spin.
    pub spins: Vec<i8>,
    /// Wall time from the start of the run.
    pub found_at: Duration,
    /// Replica-steps before it.
    pub steps_at: u64,
}

/// Keep the lower energy (relative slack `1e-9`); on a tie keep `into`, the earlier round and
/// unit, as merges run in that order: deterministic for a seed whatever the threads.
pub fn merge(into: &mut Option<Candidate>, cand: &Option<Candidate>) {
    if let Some(c) = cand
        && improves(into, c.energy)
    {
        *into = Some(c.clone());
    }
}

/// Whether energy `e` improves on `best` (lower by more than a relative `1e-9`).
pub fn improves(best: &Option<Candidate>, e: f64) -> bool {
    best.as_ref()
        .is_none_or(|b| e < b.energy - 1e-9 * (1.0 + b.energy.abs()))
}

/// What the units of a run share: the budget's clock, its target, and whether a unit has
/// reached the target.
#[derive(Debug)]
pub struct Stops {
    clock: Clock,
    target: Option<f64>,
    hit: AtomicBool,
}

impl Stops {
    /// The stops of `budget`, its clock started now. The target gets a relative slack of
    /// `1e-9`, so an energy recomputed in another order still reaches it.
    pub fn new(budget: &Budget) -> Self {
        Self {
            clock: budget.start(),
            target: budget.target().map(|e| e + 1e-9 * (1.0 + e.abs())),
            hit: AtomicBool::new(false),
        }
    }
    /// Whether a unit should stop now: the target was reached, the time spent, or the
    /// interrupt raised.
    pub fn stop(&self) -> bool {
        self.hit.load(Ordering::Relaxed) || self.clock.check().is_some()
    }
    /// Note an energy reached: raise the target flag when it is at or below the target.
    pub fn offer(&self, energy: f64) {
        if self.target.is_some_and(|t| energy <= t) {
            self.hit.store(true, Ordering::Relaxed);
        }
    }
    /// Wall time since the run started.
    pub fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }
    /// Why the run must stop, if it must: the target was reached, the time spent, the
    /// interrupt raised.
    pub fn status(&self) -> Option<Status> {
        if self.hit.load(Ordering::Relaxed) {
            Some(Status::TargetReached)
        } else {
            self.clock.check()
        }
    }
}

/// What every unit of one round reads.
#[derive(Debug)]
pub struct Round<'a> {
    /// The round (from 0).
    pub index: usize,
    /// This unit (from 0).
    pub unit: usize,
    /// Units per round.
    pub n_units: usize,
    /// Replica-steps of the previous rounds (all units).
    pub steps_before: u64,
    /// The state to restart from (a warm round), or `None` (a cold round).
    pub warm: Option<&'a [i8]>,
    /// Whether to keep the final state of every replica in [`UnitReport::finals`].
    pub collect: bool,
    /// The stops to poll.
    pub stops: &'a Stops,
}

impl Round<'_> {
    /// The index of this unit among all units of all rounds, `index·n_units + unit`: the
    /// stream index the unit seeds its random numbers from, so that they do not depend on
    /// the thread that runs it.
    pub fn stream_index(&self) -> u64 {
        (self.index as u64)
            .wrapping_mul(self.n_units as u64)
            .wrapping_add(self.unit as u64)
    }

    /// Offer `spins` with energy `e` to `best` after `own_steps` replica-steps of this unit
    /// in this round; it is kept when lower, timed now, with the replica-steps before it
    /// counted as the previous rounds plus this unit's steps times the number of units (the
    /// units of a round run side by side). A kept energy is offered to the target.
    pub fn offer(&self, best: &mut Option<Candidate>, spins: &[i8], e: f64, own_steps: u64) {
        if improves(best, e) {
            let at = self.steps_before + own_steps * self.n_units as u64;
            *best = Some(Candidate {
                energy: e,
                spins: spins.to_vec(),
                found_at: self.stops.elapsed(),
                steps_at: at,
            });
            self.stops.offer(e);
        }
    }
}

/// What a unit reports after a round.
#[derive(Debug, Clone, Default)]
pub struct UnitReport {
    /// Replica-steps taken in the round.
    pub steps: u64,
    /// The best candidate of each track in the round.
    pub best: Vec<Option<Candidate>>,
    /// With [`Round::collect`], the final states of the unit's replicas, one after the other.
    pub finals: Vec<i8>,
}

impl UnitReport {
    /// Empty, with `tracks` tracks.
    fn new(tracks: usize) -> Self {
        Self {
            steps: 0,
            best: vec![None; tracks],
            finals: Vec::new(),
        }
    }
    /// Forget the last round.
    pub fn clear(&mut self) {
        self.steps = 0;
        self.best.iter_mut().for_each(|b| *b = None);
        self.finals.clear();
    }
}

/// A unit of replicas: its buffers, run through one round at a time.
pub trait ReplicaUnit: Send {
    /// Run one round, writing the result into `out` (cleared before the call). A unit seeds
    /// its random numbers from [`Round::stream_index`] only, and polls `round.stops` as often
    /// as it can afford.
    fn run_round(&mut self, round: &Round<'_>, out: &mut UnitReport);
}

/// When rounds restart warm, from the best state so far.
#[derive(Debug, Clone, Default)]
pub struct Restarts {
    /// Restart warm at all (from the round after the first, or from `initial`).
    pub warm: bool,
    /// Every `cold_every`-th round (counting from 0, not the first) starts cold; `0`: none.
    pub cold_every: usize,
    /// A state to start the first round warm from.
    pub initial: Option<Vec<i8>>,
}

/// How a replica run is laid out.
#[derive(Debug, Clone)]
pub struct ReplicaSpec {
    /// Spins of a state.
    pub n: usize,
    /// Tracks of answers (see the module docs).
    pub tracks: usize,
    /// Units at a time: `Par::Seq` runs them in the calling thread, `Par::rayon(k)` in at most
    /// `k` contiguous chunks on rayon's global pool. The answer does not depend on it.
    pub par: Par,
    /// Warm and cold restarts.
    pub restarts: Restarts,
    /// Candidates known before the first round (a descended warm start), per track.
    pub seeds: Vec<Option<Candidate>>,
}

/// Receives the final state of every replica (see [`run_replicas`]).
pub type Sink<'a> = dyn FnMut(&[i8]) + 'a;

/// What [`run_replicas`]'s observer sees: before the first round and after rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaProgress {
    /// Rounds done.
    pub rounds: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Replica-steps so far.
    pub steps: u64,
    /// The best energy of each track so far (`+∞` before any).
    pub best: Vec<f64>,
}

/// What [`run_replicas`] returns.
#[derive(Debug, Clone)]
pub struct ReplicaOutcome {
    /// The best candidate of each track over the run.
    pub best: Vec<Option<Candidate>>,
    /// Why the run stopped.
    pub status: Status,
    /// Rounds completed (or started, when stopped inside one).
    pub rounds: usize,
    /// Replica-steps taken over all units.
    pub steps: u64,
    /// Wall time.
    pub elapsed: Duration,
}

/// The rounds as an [`Evolution`]: one step is one round; the state is the best spins so far
/// (as `±1.0`), its energy the best energy so far.
struct Rounds<'a, 's, U> {
    spec: &'a ReplicaSpec,
    units: &'a mut [U],
    reports: Vec<UnitReport>,
    stops: Stops,
    best: Vec<Option<Candidate>>,
    warm: Vec<i8>,
    round: usize,
    steps: u64,
    sink: Option<&'s mut Sink<'s>>,
    progress: &'a RefCell<ReplicaProgress>,
}

impl<U: ReplicaUnit> Rounds<'_, '_, U> {
    /// The best candidate over every track (the lowest; on a tie the later track, a refined
    /// answer).
    fn overall(&self) -> Option<&Candidate> {
        self.best
            .iter()
            .rev()
            .flatten()
            .fold(None, |a: Option<&Candidate>, c| match a {
                Some(b) if b.energy <= c.energy => Some(b),
                _ => Some(c),
            })
    }

    fn publish(&self) {
        let mut p = self.progress.borrow_mut();
        p.rounds = self.round;
        p.elapsed = self.stops.elapsed();
        p.steps = self.steps;
        for (b, c) in p.best.iter_mut().zip(&self.best) {
            *b = c.as_ref().map_or(f64::INFINITY, |c| c.energy);
        }
    }

    fn run_round(&mut self) {
        let r = self.spec;
        let n_units = self.units.len();
        let cold = r.restarts.cold_every > 0
            && self.round > 0
            && self.round.is_multiple_of(r.restarts.cold_every);
        let warm = (r.restarts.warm && !self.warm.is_empty() && !cold).then_some(&self.warm[..]);
        let (index, steps_before, collect) = (self.round, self.steps, self.sink.is_some());
        let stops = &self.stops;
        let one = |u: usize, unit: &mut U, out: &mut UnitReport| {
            out.clear();
            let round = Round {
                index,
                unit: u,
                n_units,
                steps_before,
                warm,
                collect,
                stops,
            };
            unit.run_round(&round, out);
        };
        let chunks = crate::linalg::effective_par(r.par)
            .degree()
            .clamp(1, n_units.max(1));
        if chunks > 1 {
            use rayon::prelude::*;
            let per = n_units.div_ceil(chunks);
            self.units
                .par_chunks_mut(per)
                .zip(self.reports.par_chunks_mut(per))
                .enumerate()
                .for_each(|(c, (us, outs))| {
                    for (j, (u, o)) in us.iter_mut().zip(outs.iter_mut()).enumerate() {
                        one(c * per + j, u, o);
                    }
                });
        } else {
            for (u, (unit, out)) in self.units.iter_mut().zip(&mut self.reports).enumerate() {
                one(u, unit, out);
            }
        }
        self.round += 1;
        // merge in unit order: ties keep the earlier unit, whatever ran first
        for out in &self.reports {
            self.steps += out.steps;
            for (b, c) in self.best.iter_mut().zip(&out.best) {
                merge(b, c);
            }
            if let Some(sink) = self.sink.as_mut() {
                for s in out.finals.chunks_exact(r.n.max(1)) {
                    sink(s);
                }
            }
        }
        if let Some(b) = self.best.iter().rev().flatten().next() {
            self.warm.clone_from(&b.spins);
        }
    }
}

impl<U: ReplicaUnit> Evolution for Rounds<'_, '_, U> {
    fn dim(&self) -> usize {
        self.spec.n
    }
    fn init(&mut self, _t0: f64, _x: &mut [f64]) -> usize {
        0
    }
    fn advance(
        &mut self,
        _t: f64,
        x: &mut [f64],
        dt: f64,
    ) -> std::result::Result<StepReport, StepFailure> {
        self.run_round();
        if let Some(b) = self.overall() {
            for (xi, &s) in x.iter_mut().zip(&b.spins) {
                *xi = s as f64;
            }
        }
        self.publish();
        Ok(StepReport {
            h_taken: dt,
            h_next: dt,
            n_evals: 0,
            n_rejected: 0,
        })
    }
    fn energy_at(&mut self, _t: f64, _x: &[f64]) -> Option<f64> {
        self.overall().map(|c| c.energy)
    }
    fn settled(&self) -> Option<Status> {
        self.stops.status()
    }
}

/// Run rounds of `units` within `budget` (its rounds are [`Budget::max_steps`]; a budget with
/// no bound at all is refused): each round runs every unit, merges the units' best
/// candidates in unit order, hands every final state to `sink` (in the order round, unit,
/// replica) when one is given, and restarts as `spec.restarts` says. `observer` sees a
/// [`ReplicaProgress`] before the first round, after every
/// [`every`](super::Observer::every)-th round and at the end, from the calling thread;
/// `Break` stops the run with [`Status::Interrupted`]. A budget of rounds alone gives the same
/// outcome on any number of threads.
pub fn run_replicas<'s, U: ReplicaUnit>(
    spec: &ReplicaSpec,
    units: &mut [U],
    budget: &Budget,
    sink: Option<&'s mut Sink<'s>>,
    mut observer: impl super::Observer<ReplicaProgress>,
) -> Result<ReplicaOutcome> {
    budget.require_bound("rounds", true)?;
    let mut best = vec![None; spec.tracks];
    for (b, s) in best.iter_mut().zip(&spec.seeds) {
        merge(b, s);
    }
    let progress = RefCell::new(ReplicaProgress {
        rounds: 0,
        elapsed: Duration::ZERO,
        steps: 0,
        best: vec![f64::INFINITY; spec.tracks],
    });
    let n_units = units.len();
    let mut rounds = Rounds {
        spec,
        units,
        reports: vec![UnitReport::new(spec.tracks); n_units],
        stops: Stops::new(budget),
        best,
        warm: spec.restarts.initial.clone().unwrap_or_default(),
        round: 0,
        steps: 0,
        sink,
        progress: &progress,
    };
    rounds.publish();
    let every = observer.every();
    let watch = super::every(every, |_: &Observation<'_>| {
        observer.observe(&progress.borrow())
    });
    let x0: Vec<f64> = match rounds.overall() {
        Some(c) => c.spins.iter().map(|&s| s as f64).collect(),
        None => vec![1.0; spec.n],
    };
    let run = Run::new(1.0)?
        .with_budget(budget.clone())
        .trace_capacity(2)?;
    let sol = run.run(&mut rounds, &x0, watch)?;
    Ok(ReplicaOutcome {
        best: rounds.best,
        status: sol.status,
        rounds: rounds.round,
        steps: rounds.steps,
        elapsed: rounds.stops.elapsed(),
    })
}
