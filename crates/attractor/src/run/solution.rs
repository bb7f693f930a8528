//! What a run returns.

use super::{Quantity, Status, TracePoint};
use std::time::Duration;

/// The best (lowest-energy) state seen along a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Best {
    /// The state.
    pub state: Vec<f64>,
    /// Its energy.
    pub energy: f64,
    /// The time it was reached.
    pub t: f64,
    /// The step at which it was reached.
    pub step: usize,
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Solution {
    /// The final state (for `Diverged`, the last finite state).
    pub state: Vec<f64>,
    /// The energy of the final state, if the dynamics have one and it is finite (evaluated at
    /// the end even with `energy_every = 0`).
    pub energy: Option<f64>,
    /// The final time (for a discrete map, the number of updates).
    pub t: f64,
    /// Accepted steps (updates, sweeps).
    pub n_steps: usize,
    /// Vector-field (or map) evaluations.
    pub n_evals: usize,
    /// Rejected trial steps (adaptive steppers).
    pub n_rejected: usize,
    /// Energy recorded every `energy_every` steps, thinned to at most `trace_capacity` points
    /// (evenly spaced in steps; the last point is always the final state).
    pub trace: Vec<TracePoint>,
    /// The quantities asked for with [`Run::record`](super::Run::record), one value per trace
    /// point.
    pub quantities: Vec<Quantity>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Why the run stopped.
    pub status: Status,
    /// The Lyapunov monitor: the largest increase `E(x_{k+1}) − E(x_k)` between consecutive
    /// energy evaluations (≤ 0 up to rounding when `E` is a Lyapunov function and the step is
    /// small enough); `None` without an energy.
    pub max_energy_increase: Option<f64>,
    /// Why the energy may not be a Lyapunov function of these dynamics (from the model).
    pub lyapunov_caveat: Option<String>,
    /// The lowest-energy state seen, when [`Run::keep_best`](super::Run::keep_best) was set.
    pub best: Option<Best>,
}

impl Solution {
    /// A one-paragraph account of the outcome that says what to change when it is not a success.
    pub fn message(&self) -> String {
        let what = self.status.message(self.n_steps, self.t, self.elapsed);
        match (&self.lyapunov_caveat, self.max_energy_increase) {
            (Some(c), Some(inc)) if inc > 0.0 => {
                format!("{what}; the energy rose by up to {inc:.3e} ({c})")
            }
            _ => what,
        }
    }

    /// The energies of the trace, in order (for a discrete map run with the default
    /// `energy_every = 1`: the initial energy, then one per update).
    pub fn energies(&self) -> Vec<f64> {
        self.trace.iter().map(|p| p.energy).collect()
    }

    /// The values of a recorded quantity by name.
    pub fn quantity(&self, name: &str) -> Option<&[f64]> {
        self.quantities
            .iter()
            .find(|q| q.name == name)
            .map(|q| &q.values[..])
    }
}
