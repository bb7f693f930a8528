//! What a run shows its caller while it goes: observers that may stop it, and the interrupt
//! flag that every family honours.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Something that watches a run: called with the family's observation (the initial state
/// first, then every [`every`](Observer::every) steps, sweeps or rounds) and able to stop the
/// run by returning `ControlFlow::Break(())`, which ends it with
/// [`Status::Interrupted`](super::Status::Interrupted) and the best state so far.
///
/// Every family uses this one trait with its own observation type: [`Observation`] for a
/// single ODE or map run, [`BatchObservation`](super::BatchObservation) for a batch, the
/// oscillator machine's round report for its rounds. Any closure
/// `FnMut(&O) -> ControlFlow<()>` is an observer (annotate its argument, e.g.
/// `|o: &Observation<'_>|`, so that it accepts every lifetime); [`every`] thins one.
///
/// ```
/// use attractor::run::{Observation, Observer, every};
/// use std::ops::ControlFlow;
/// let mut seen = Vec::new();
/// let mut obs = every(10, |o: &Observation<'_>| { seen.push(o.step); ControlFlow::Continue(()) });
/// assert_eq!(Observer::<Observation<'_>>::every(&obs), 10);
/// ```
pub trait Observer<O: ?Sized> {
    /// Look at the run; `Break(())` stops it.
    fn observe(&mut self, o: &O) -> ControlFlow<()>;
    /// Be called every this many steps (≥ 1; the initial and final states are always shown).
    fn every(&self) -> usize {
        1
    }
}

impl<O: ?Sized, F: FnMut(&O) -> ControlFlow<()>> Observer<O> for F {
    fn observe(&mut self, o: &O) -> ControlFlow<()> {
        self(o)
    }
}

/// An observer called every `k` steps (see [`every`]).
#[derive(Debug, Clone)]
pub struct Every<F> {
    k: usize,
    f: F,
}

/// Call `f` every `k` steps only (`k = 0` is taken as 1).
pub fn every<F>(k: usize, f: F) -> Every<F> {
    Every { k: k.max(1), f }
}

impl<O: ?Sized, F: FnMut(&O) -> ControlFlow<()>> Observer<O> for Every<F> {
    fn observe(&mut self, o: &O) -> ControlFlow<()> {
        (self.f)(o)
    }
    fn every(&self) -> usize {
        self.k
    }
}

/// The observer that watches nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl<O: ?Sized> Observer<O> for Silent {
    fn observe(&mut self, _: &O) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
    fn every(&self) -> usize {
        usize::MAX
    }
}

/// What an observer of a single run sees: the initial state (step 0), then the state after
/// accepted steps.
#[derive(Debug)]
pub struct Observation<'a> {
    /// Step index (0 for the initial state).
    pub step: usize,
    /// Time (for a discrete map, the number of sweeps).
    pub t: f64,
    /// State.
    pub x: &'a [f64],
    /// Energy, on the steps where it was evaluated.
    pub energy: Option<f64>,
}

/// A shared stop flag: raise it from anywhere (a Ctrl-C handler, another thread, Python's
/// signal check) and every run holding a clone ends at its next check with
/// [`Status::Interrupted`](super::Status::Interrupted), returning the best state it has.
///
/// ```
/// use attractor::run::Interrupt;
/// let stop = Interrupt::new();
/// let seen_by_run = stop.clone();
/// stop.raise();
/// assert!(seen_by_run.is_raised());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A lowered flag.
    pub fn new() -> Self {
        Self::default()
    }
    /// Raise the flag.
    pub fn raise(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// Lower it again (to reuse it for the next run).
    pub fn clear(&self) {
        self.0.store(false, Ordering::Relaxed);
    }
    /// Whether it has been raised.
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    /// The underlying atomic, for signal handlers that need one.
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}

/// Two interrupts are equal when they are the same flag (clones of one another).
impl PartialEq for Interrupt {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl From<Arc<AtomicBool>> for Interrupt {
    fn from(flag: Arc<AtomicBool>) -> Self {
        Self(flag)
    }
}
