//! Discrete maps on the shared run loop: asynchronous and synchronous sweeps, the dense and
//! modern memory updates, and (to come) Gibbs sweeps.
//!
//! A map `x_{k+1} = T(x_k)` that descends an energy is driven by the same
//! [`Run`](crate::run::Run) as an ODE: one step is one update, `t` counts updates, and the
//! run ends at a fixed point (`max |x_{k+1} − x_k| ≤ tol`), at a two-cycle
//! (`x_{k+1} = x_{k−1} ≠ x_k`, for maps that may cycle: synchronous Hopfield updates,
//! Goles, Fogelman-Soulié & Pellegrin, *Discrete Appl. Math.* 12, 1985), or by any other stop
//! rule, with the energy per update recorded in the shared trace.

use super::{StepFailure, StepReport};
use crate::run::{Evolution, Status};

/// A discrete-time map `x ← T(x)` with an optional Lyapunov function.
pub trait DiscreteMap {
    /// The state dimension.
    fn dim(&self) -> usize;
    /// Prepare to iterate from `x` (compute cached fields, project `x` onto the state space,
    /// e.g. take signs for spins). Called once before the first update.
    fn start(&mut self, x: &mut [f64]);
    /// One update in place, `x ← T(x)`. `x` is the state this map produced last (or the one
    /// `start` prepared), so caches kept between calls stay valid.
    fn apply(&mut self, x: &mut [f64]);
    /// The energy at `x` (a map may use its caches when `x` is the state it produced last).
    fn energy_at(&mut self, _x: &[f64]) -> Option<f64> {
        None
    }
    /// The largest componentwise change `max |Δx|` that counts as none at state `x` (0 for
    /// spins; a small relative tolerance for continuous maps).
    fn tolerance(&self, _x: &[f64]) -> f64 {
        0.0
    }
    /// Whether the map may end in a two-cycle (synchronous updates), so that the iteration
    /// checks `x_{k+1} = x_{k−1}`.
    fn may_cycle(&self) -> bool {
        false
    }
    /// Why the energy may not descend under this map.
    fn lyapunov_caveat(&self) -> Option<String> {
        None
    }
}

impl<M: DiscreteMap + ?Sized> DiscreteMap for &mut M {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn start(&mut self, x: &mut [f64]) {
        (**self).start(x)
    }
    fn apply(&mut self, x: &mut [f64]) {
        (**self).apply(x)
    }
    fn energy_at(&mut self, x: &[f64]) -> Option<f64> {
        (**self).energy_at(x)
    }
    fn tolerance(&self, x: &[f64]) -> f64 {
        (**self).tolerance(x)
    }
    fn may_cycle(&self) -> bool {
        (**self).may_cycle()
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        (**self).lyapunov_caveat()
    }
}

/// The stepper of a [`DiscreteMap`]: applies it once per step and detects fixed points and
/// two-cycles. Buffers are sized in `init`; a step never allocates.
pub struct Iterate<'a, M: ?Sized> {
    map: &'a mut M,
    prev: Vec<f64>,
    prev2: Vec<f64>,
    n_done: usize,
    settled: Option<Status>,
}

impl<'a, M: DiscreteMap + ?Sized> Iterate<'a, M> {
    /// Iterate `map`.
    pub fn new(map: &'a mut M) -> Self {
        Self {
            map,
            prev: Vec::new(),
            prev2: Vec::new(),
            n_done: 0,
            settled: None,
        }
    }
}

fn max_change(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

impl<M: DiscreteMap + ?Sized> Evolution for Iterate<'_, M> {
    fn dim(&self) -> usize {
        self.map.dim()
    }
    fn init(&mut self, _t0: f64, x: &mut [f64]) -> usize {
        self.map.start(x);
        self.prev.clear();
        self.prev.extend_from_slice(x);
        self.prev2.clear();
        self.prev2.extend_from_slice(x);
        self.n_done = 0;
        self.settled = None;
        0
    }
    fn advance(&mut self, _t: f64, x: &mut [f64], _dt: f64) -> Result<StepReport, StepFailure> {
        // prev2 = x_{k−1}, prev = x_k, x becomes x_{k+1}
        std::mem::swap(&mut self.prev, &mut self.prev2);
        self.prev.copy_from_slice(x);
        self.map.apply(x);
        self.n_done += 1;
        let tol = self.map.tolerance(x);
        self.settled = if max_change(x, &self.prev) <= tol {
            Some(Status::FixedPoint)
        } else if self.map.may_cycle() && self.n_done >= 2 && max_change(x, &self.prev2) <= tol {
            Some(Status::TwoCycle)
        } else {
            None
        };
        Ok(StepReport {
            h_taken: 1.0,
            h_next: 1.0,
            n_evals: 1,
            n_rejected: 0,
        })
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        self.map.energy_at(x)
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        self.map.lyapunov_caveat()
    }
    fn settled(&self) -> Option<Status> {
        self.settled.clone()
    }
}
