//! Why a run stopped, for every family: ODE flows, discrete maps, batches, samplers.

use std::time::Duration;

/// Why a run (or one column of a batched run) stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// The steady-state rule `‖f(x)‖ ≤ atol + rtol·‖x‖` held.
    Converged,
    /// A discrete map left the state unchanged (to its tolerance): `x = T(x)`.
    FixedPoint,
    /// A synchronous map alternates between two states: `x_{k+1} = x_{k−1} ≠ x_k`.
    TwoCycle,
    /// The caller's stop predicate held (an optimality certificate such as a duality gap).
    Certified,
    /// `max_steps` steps (or sweeps, or rounds) were taken before any other rule fired.
    MaxSteps,
    /// The integration reached `t_end`.
    EndTime,
    /// The energy fell to or below the target.
    TargetReached,
    /// The wall-clock budget was spent.
    Timeout,
    /// The state or the energy became non-finite, or the adaptive step size underflowed.
    Diverged(String),
    /// The interrupt flag was raised (Ctrl-C) or the observer asked to stop.
    Interrupted,
}

impl Status {
    /// Whether the run ended by a rule the caller asked for (steady state, fixed point, stop
    /// predicate, end time, target).
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            Status::Converged
                | Status::FixedPoint
                | Status::Certified
                | Status::EndTime
                | Status::TargetReached
        )
    }

    /// A short lowercase name ("converged", "fixed point", …) for tables and bindings.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Converged => "converged",
            Status::FixedPoint => "fixed point",
            Status::TwoCycle => "two-cycle",
            Status::Certified => "certified",
            Status::MaxSteps => "max steps",
            Status::EndTime => "end time",
            Status::TargetReached => "target reached",
            Status::Timeout => "timeout",
            Status::Diverged(_) => "diverged",
            Status::Interrupted => "interrupted",
        }
    }

    /// One sentence on what happened after `n_steps` steps at time `t`, and what to change
    /// when it is not a success.
    pub fn message(&self, n_steps: usize, t: f64, elapsed: Duration) -> String {
        match self {
            Status::Converged => {
                format!("converged to a steady state at t = {t:.6} after {n_steps} steps")
            }
            Status::FixedPoint => format!(
                "reached a fixed point of the map after {n_steps} updates (one more update changes nothing)"
            ),
            Status::TwoCycle => format!(
                "fell into a two-cycle after {n_steps} updates (synchronous updates alternate between two states); use asynchronous updates, which always end at a fixed point when W is symmetric"
            ),
            Status::Certified => format!(
                "the stop predicate certified the state at t = {t:.6} after {n_steps} steps"
            ),
            Status::MaxSteps => format!(
                "stopped at max_steps = {n_steps} (t = {t:.6}) before reaching a steady state; raise max_steps, take larger steps if the stepper stays stable, or loosen the steady-state tolerances"
            ),
            Status::EndTime => format!("reached t_end = {t:.6} after {n_steps} steps"),
            Status::TargetReached => {
                format!("reached the target energy at t = {t:.6} after {n_steps} steps")
            }
            Status::Timeout => format!(
                "spent the wall-clock budget ({:.3} s) after {n_steps} steps; raise the time budget to go further (the best state so far is returned)",
                elapsed.as_secs_f64()
            ),
            Status::Diverged(why) => format!(
                "diverged: {why}; reduce dt, use the adaptive Dopri5 stepper, or check that the model is stable (the state returned is the last finite one)"
            ),
            Status::Interrupted => format!(
                "interrupted at t = {t:.6} after {n_steps} steps (the best state so far is returned)"
            ),
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::Diverged(why) => write!(f, "diverged ({why})"),
            s => f.write_str(s.name()),
        }
    }
}

/// How many of `statuses` there are of each kind, most frequent first, e.g.
/// `"250 converged, 6 max steps"` (a batch's or a set of signals' summary).
pub fn summary<'a>(statuses: impl IntoIterator<Item = &'a Status>) -> String {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for s in statuses {
        match counts.iter_mut().find(|(n, _)| *n == s.name()) {
            Some(e) => e.1 += 1,
            None => counts.push((s.name(), 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .iter()
        .map(|(n, k)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
