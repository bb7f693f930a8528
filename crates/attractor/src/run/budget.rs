//! What a run may spend, in one place for every family: a count of its units (steps of an ODE,
//! updates of a map, rounds of the oscillator machine, sweeps of a Markov chain, epochs of a
//! trainer), wall-clock time, a target energy, and an interrupt flag. Family parameters hold
//! only mathematics; every `solve`, `encode`, `fit` and `sample` takes a [`Budget`] (a [`Run`]
//! embeds one), so there is one way to bound a call and one way to attach Ctrl-C.
//!
//! Long inner loops (Gibbs sweeps inside a contrastive-divergence step, the β steps of
//! annealed importance sampling, an exact enumeration) poll the budget's [`Clock`] so that an
//! interrupt stops them within a fraction of a second, not only between rounds or epochs.
//!
//! ```
//! use attractor::run::{Budget, Interrupt, Status};
//! use std::time::Duration;
//! let stop = Interrupt::new();
//! let b = Budget::steps(1000).time(Duration::from_secs(60)).interrupt(stop.clone());
//! assert_eq!(b.max_steps(), Some(1000));
//! let clock = b.start();
//! assert_eq!(clock.check(), None);
//! stop.raise();
//! assert_eq!(clock.check(), Some(Status::Interrupted));
//! ```
//!
//! [`Run`]: super::Run

use super::{Interrupt, Status};
use crate::error::{Error, Result};
use std::time::{Duration, Instant};

/// The bounds of one call: at most `max_steps` of the call's units, at most `time` of wall
/// clock, until the energy reaches `target_energy`, or until `interrupt` is raised — whichever
/// comes first. The default bounds nothing (calls that could then run forever refuse it with a
/// message naming what to set).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Budget {
    max_steps: Option<usize>,
    time: Option<Duration>,
    target_energy: Option<f64>,
    interrupt: Option<Interrupt>,
}

impl Budget {
    /// No bound yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// At most `n` units (steps, updates, rounds, sweeps or epochs: the unit is the call's).
    pub fn steps(n: usize) -> Self {
        Self::new().max_steps_limit(Some(n))
    }
    /// At most `d` of wall-clock time.
    pub fn time_limit(d: Duration) -> Self {
        Self::new().time(d)
    }
    /// Set (or with `None` remove) the limit on units.
    pub fn max_steps_limit(mut self, n: Option<usize>) -> Self {
        self.max_steps = n;
        self
    }
    /// Stop after `d` of wall-clock time (the best state or model reached is kept). A call that
    /// ends by its clock is not reproducible (how much fits depends on the machine): bound the
    /// units for that.
    pub fn time(mut self, d: Duration) -> Self {
        self.time = Some(d);
        self
    }
    /// Set (or with `None` remove) the time limit.
    pub fn time_opt(mut self, d: Option<Duration>) -> Self {
        self.time = d;
        self
    }
    /// Stop as soon as the energy is `≤ target` (for the calls that have an energy).
    pub fn target_energy(mut self, target: f64) -> Result<Self> {
        if target.is_nan() {
            return Err(Error::invalid(
                "target energy",
                target,
                "give a number (or -inf to disable)",
            ));
        }
        self.target_energy = Some(target);
        Ok(self)
    }
    /// Stop with [`Status::Interrupted`] when `flag` is raised (a Ctrl-C handler, another
    /// thread, Python's signal check); takes an [`Interrupt`] or an `Arc<AtomicBool>`.
    pub fn interrupt(mut self, flag: impl Into<Interrupt>) -> Self {
        self.interrupt = Some(flag.into());
        self
    }
    /// Set (or with `None` remove) the interrupt.
    pub fn interrupt_opt(mut self, flag: Option<Interrupt>) -> Self {
        self.interrupt = flag;
        self
    }

    /// The limit on units, if any.
    pub fn max_steps(&self) -> Option<usize> {
        self.max_steps
    }
    /// The wall-clock limit, if any.
    pub fn time_budget(&self) -> Option<Duration> {
        self.time
    }
    /// The target energy, if any.
    pub fn target(&self) -> Option<f64> {
        self.target_energy
    }
    /// The interrupt flag, if any.
    pub fn interrupt_flag(&self) -> Option<&Interrupt> {
        self.interrupt.as_ref()
    }
    /// Whether the flag is set and raised.
    pub fn is_interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(Interrupt::is_raised)
    }

    /// Refuse a budget that bounds neither units, time nor (where `has_target`) energy: the
    /// call would never end on its own. `unit` names the units in the message ("rounds",
    /// "epochs").
    pub fn require_bound(&self, unit: &str, has_target: bool) -> Result<()> {
        let bounded = self.max_steps.is_some()
            || self.time.is_some()
            || (has_target && self.target_energy.is_some());
        if bounded {
            Ok(())
        } else {
            let target = if has_target {
                " or a target energy"
            } else {
                ""
            };
            Err(Error::Incompatible(format!(
                "the budget bounds nothing, so the call would never end: set a number of {unit}, a time limit{target}"
            )))
        }
    }

    /// The limit on units, or an error naming `unit` when there is none (for calls that must
    /// know how many units to run: sweeps of a sample, epochs of a fit).
    pub fn required_steps(&self, unit: &str, example: usize) -> Result<usize> {
        self.max_steps.ok_or_else(|| {
            Error::Incompatible(format!(
                "the budget sets no number of {unit}: give one, e.g. Budget::steps({example})"
            ))
        })
    }

    /// Start the clock: the deadline is fixed now.
    pub fn start(&self) -> Clock {
        let start = Instant::now();
        Clock {
            start,
            deadline: self.time.and_then(|d| start.checked_add(d)),
            interrupt: self.interrupt.clone(),
        }
    }
}

/// A started [`Budget`]: its deadline and interrupt, polled by loops (cheap: one atomic load
/// and, with a deadline, one clock read).
#[derive(Debug, Clone)]
pub struct Clock {
    start: Instant,
    deadline: Option<Instant>,
    interrupt: Option<Interrupt>,
}

impl Clock {
    /// A clock that never stops anything (for calls made without a budget).
    pub fn unbounded() -> Self {
        Self {
            start: Instant::now(),
            deadline: None,
            interrupt: None,
        }
    }
    /// When it started.
    pub fn started(&self) -> Instant {
        self.start
    }
    /// Time since it started.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
    /// The deadline, if the budget has a time limit.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
    /// The interrupt, if any.
    pub fn interrupt(&self) -> Option<&Interrupt> {
        self.interrupt.as_ref()
    }
    /// Whether the interrupt is raised.
    pub fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(Interrupt::is_raised)
    }
    /// Whether the deadline has passed.
    pub fn timed_out(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
    /// `Some(Interrupted)` when the flag is raised, `Some(Timeout)` when the time is spent,
    /// `None` to go on.
    pub fn check(&self) -> Option<Status> {
        if self.interrupted() {
            Some(Status::Interrupted)
        } else if self.timed_out() {
            Some(Status::Timeout)
        } else {
            None
        }
    }
    /// [`check`](Self::check) as an error, for inner loops whose caller has no partial result
    /// to return ([`Error::Stopped`]).
    pub fn check_err(&self, what: &str) -> Result<()> {
        match self.check() {
            None => Ok(()),
            Some(status) => Err(Error::Stopped {
                what: what.to_string(),
                status,
            }),
        }
    }
}
