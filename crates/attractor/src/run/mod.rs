//! The run loop: integrate a [`VectorField`] with a [`Stepper`] until a stop rule fires, and
//! return a [`Solution`] that says what happened and what to change.
//!
//! ```
//! use attractor::energy::FnEnergy;
//! use attractor::flow::GradientFlow;
//! use attractor::run::{Run, Status};
//! use attractor::step::Rk4;
//! let e = FnEnergy::new(2, |x: &[f64]| 0.5 * (x[0] * x[0] + 4.0 * x[1] * x[1]),
//!     |x: &[f64], g: &mut [f64]| { g[0] = x[0]; g[1] = 4.0 * x[1]; });
//! let sol = Run::new(0.05).unwrap()
//!     .max_steps(10_000)
//!     .steady_state(1e-9, 1e-12).unwrap()
//!     .solve(&mut GradientFlow::new(e), &mut Rk4::new(), &[1.0, 1.0])
//!     .unwrap();
//! assert_eq!(sol.status, Status::Converged);
//! assert!(sol.max_energy_increase.unwrap() <= 0.0);
//! ```

use crate::error::{Error, Result, check_finite, check_len, check_positive};
use crate::flow::VectorField;
use crate::linalg::norm2;
use crate::step::{StepFailure, Stepper};
use std::ops::ControlFlow;

mod observer;
mod status;

pub use observer::{Every, Interrupt, Observation, Observer, every, silent};
pub use status::Status;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One recorded point of the energy trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TracePoint {
    /// Step index (0 is the initial state).
    pub step: usize,
    /// Time.
    pub t: f64,
    /// Energy.
    pub energy: f64,
}

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
    /// The energy of the final state, if the flow has one.
    pub energy: Option<f64>,
    /// The final time.
    pub t: f64,
    /// Accepted steps.
    pub n_steps: usize,
    /// Vector-field evaluations.
    pub n_evals: usize,
    /// Rejected trial steps (adaptive steppers).
    pub n_rejected: usize,
    /// Energy recorded every `energy_every` steps, thinned to at most `trace_capacity` points
    /// (evenly spaced in steps; the last point is always the final state).
    pub trace: Vec<TracePoint>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Why the run stopped.
    pub status: Status,
    /// The Lyapunov monitor: the largest increase `E(x_{k+1}) − E(x_k)` between consecutive
    /// energy evaluations (≤ 0 up to rounding when `E` is a Lyapunov function and the step is
    /// small enough); `None` without an energy.
    pub max_energy_increase: Option<f64>,
    /// Why the energy may not be a Lyapunov function of this flow (from the model).
    pub lyapunov_caveat: Option<String>,
    /// The lowest-energy state seen, when [`Run::keep_best`] was set.
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
}

/// Configuration of a run: step size and stop rules. Built with chained setters, each of which
/// validates its value.
#[derive(Debug, Clone)]
pub struct Run {
    dt: f64,
    t0: f64,
    t_end: Option<f64>,
    max_steps: Option<usize>,
    steady: Option<(f64, f64)>,
    target_energy: Option<f64>,
    time_budget: Option<Duration>,
    energy_every: usize,
    trace_capacity: usize,
    keep_best: bool,
    interrupt: Option<Arc<AtomicBool>>,
}

impl Run {
    /// A run with (initial, for adaptive steppers) step size `dt > 0`. Add at least one of
    /// [`max_steps`](Run::max_steps), [`t_end`](Run::t_end) or
    /// [`time_budget`](Run::time_budget) so that it always stops.
    pub fn new(dt: f64) -> Result<Self> {
        check_positive("dt", dt, "use a positive step size such as 1e-2")?;
        Ok(Self {
            dt,
            t0: 0.0,
            t_end: None,
            max_steps: None,
            steady: None,
            target_energy: None,
            time_budget: None,
            energy_every: 1,
            trace_capacity: 4096,
            keep_best: false,
            interrupt: None,
        })
    }

    /// Start time (default 0).
    pub fn t0(mut self, t0: f64) -> Result<Self> {
        if !t0.is_finite() {
            return Err(Error::invalid("t0", t0, "the start time must be finite"));
        }
        self.t0 = t0;
        Ok(self)
    }

    /// Stop at time `t_end` (the last step is shortened to land on it).
    pub fn t_end(mut self, t_end: f64) -> Result<Self> {
        if !t_end.is_finite() {
            return Err(Error::invalid(
                "t_end",
                t_end,
                "the end time must be finite",
            ));
        }
        self.t_end = Some(t_end);
        Ok(self)
    }

    /// Stop after `n` accepted steps.
    pub fn max_steps(mut self, n: usize) -> Self {
        self.max_steps = Some(n);
        self
    }

    /// Stop when `‖f(x)‖₂ ≤ atol + rtol·‖x‖₂` (both ≥ 0, not both 0).
    pub fn steady_state(mut self, rtol: f64, atol: f64) -> Result<Self> {
        crate::error::check_nonnegative("steady-state rtol", rtol, "use e.g. 1e-8")?;
        crate::error::check_nonnegative("steady-state atol", atol, "use e.g. 1e-10")?;
        if rtol == 0.0 && atol == 0.0 {
            return Err(Error::invalid(
                "steady-state tolerances",
                "rtol = 0 and atol = 0",
                "at least one must be > 0, or the rule can never fire",
            ));
        }
        self.steady = Some((rtol, atol));
        Ok(self)
    }

    /// Stop when the energy falls to `target` or below (needs `energy_every ≥ 1`).
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

    /// Stop after this much wall-clock time.
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.time_budget = Some(budget);
        self
    }

    /// Evaluate the energy every `k` steps for the trace, the Lyapunov monitor, the target and
    /// the best state (default 1; 0 turns energy evaluation off, which is fastest).
    pub fn energy_every(mut self, k: usize) -> Self {
        self.energy_every = k;
        self
    }

    /// The most trace points kept (default 4096; at least 2). When full, every other point is
    /// dropped and the recording stride doubles, so memory stays fixed however long the run.
    pub fn trace_capacity(mut self, cap: usize) -> Result<Self> {
        if cap < 2 {
            return Err(Error::invalid(
                "trace_capacity",
                cap,
                "keep at least 2 points (first and last)",
            ));
        }
        self.trace_capacity = cap;
        Ok(self)
    }

    /// Keep a copy of the lowest-energy state seen (at energy evaluations).
    pub fn keep_best(mut self, keep: bool) -> Self {
        self.keep_best = keep;
        self
    }

    /// Stop with [`Status::Interrupted`] when `flag` becomes true (e.g. set by a Ctrl-C handler).
    pub fn interrupt(mut self, flag: Arc<AtomicBool>) -> Self {
        self.interrupt = Some(flag);
        self
    }

    /// Integrate from `x0` until a stop rule fires.
    pub fn solve<F, S>(&self, f: &mut F, stepper: &mut S, x0: &[f64]) -> Result<Solution>
    where
        F: VectorField + ?Sized,
        S: Stepper<F> + ?Sized,
    {
        self.solve_with_observer(f, stepper, x0, |_| ControlFlow::Continue(()))
    }

    /// Integrate from `x0`, calling `observer` after every accepted step; returning
    /// `ControlFlow::Break(())` stops the run with [`Status::Interrupted`].
    pub fn solve_with_observer<F, S, O>(
        &self,
        f: &mut F,
        stepper: &mut S,
        x0: &[f64],
        mut observer: O,
    ) -> Result<Solution>
    where
        F: VectorField + ?Sized,
        S: Stepper<F> + ?Sized,
        O: FnMut(&Observation<'_>) -> ControlFlow<()>,
    {
        let n = f.dim();
        check_len(
            "initial state x0",
            x0.len(),
            n,
            "pass one value per state variable of the model",
        )?;
        check_finite("initial state x0", x0)?;
        if self.max_steps.is_none() && self.t_end.is_none() && self.time_budget.is_none() {
            return Err(Error::Incompatible(
                "the run has no stop rule that always fires: set max_steps, t_end or time_budget"
                    .into(),
            ));
        }
        if let Some(t_end) = self.t_end
            && t_end < self.t0
        {
            return Err(Error::invalid(
                "t_end",
                t_end,
                &format!("must be >= t0 = {}", self.t0),
            ));
        }
        let start = Instant::now();
        let mut x = x0.to_vec();
        let mut prev = x0.to_vec();
        let mut t = self.t0;
        let init_evals = stepper.init(f, t, &x);

        let track_energy = self.energy_every > 0;
        let mut trace = Trace::new(self.trace_capacity);
        let mut best = if self.keep_best {
            Some(Best {
                state: x.clone(),
                energy: f64::INFINITY,
                t,
                step: 0,
            })
        } else {
            None
        };
        let mut energy = if track_energy { f.energy(t, &x) } else { None };
        let mut max_increase: Option<f64> = None;
        if let Some(e) = energy {
            trace.push(TracePoint {
                step: 0,
                t,
                energy: e,
            });
            if let Some(b) = best.as_mut() {
                b.energy = e;
            }
        }

        let mut h_proposed = self.dt;
        let mut n_steps = 0usize;
        let mut n_evals = init_evals;
        let mut n_rejected = 0usize;
        let mut status = None;
        if let (Some(e), Some(target)) = (energy, self.target_energy)
            && e <= target
        {
            status = Some(Status::TargetReached);
        }
        if let Some(e) = energy
            && !e.is_finite()
        {
            return Err(Error::NonFinite {
                what: "energy at the initial state".into(),
                index: 0,
                value: e,
            });
        }

        while status.is_none() {
            if let Some(m) = self.max_steps
                && n_steps >= m
            {
                status = Some(Status::MaxSteps);
                break;
            }
            let mut dt = h_proposed;
            if let Some(t_end) = self.t_end {
                let left = t_end - t;
                if left <= 1e-12 * t_end.abs().max(1.0) {
                    status = Some(Status::EndTime);
                    break;
                }
                dt = dt.min(left);
            }
            if n_steps.is_multiple_of(8) {
                if let Some(flag) = &self.interrupt
                    && flag.load(Ordering::Relaxed)
                {
                    status = Some(Status::Interrupted);
                    break;
                }
                if let Some(b) = self.time_budget
                    && start.elapsed() >= b
                {
                    status = Some(Status::Timeout);
                    break;
                }
            }

            prev.copy_from_slice(&x);
            let report = match stepper.step(f, t, &mut x, dt) {
                Ok(r) => r,
                Err(StepFailure::StepSizeUnderflow { h }) => {
                    x.copy_from_slice(&prev);
                    status = Some(Status::Diverged(format!(
                        "the adaptive step size fell to {h:.3e} at t = {t:.6}"
                    )));
                    break;
                }
            };
            n_steps += 1;
            n_evals += report.n_evals;
            n_rejected += report.n_rejected;
            let t_prev = t;
            t += report.h_taken;
            if stepper.is_adaptive() {
                h_proposed = report.h_next;
            }

            if let Some(i) = x.iter().position(|v| !v.is_finite()) {
                x.copy_from_slice(&prev);
                t = t_prev;
                status = Some(Status::Diverged(format!(
                    "state component {i} became non-finite at step {n_steps}"
                )));
                break;
            }

            let mut e_now = None;
            let last_step = self.max_steps == Some(n_steps);
            if track_energy && (n_steps.is_multiple_of(self.energy_every) || last_step) {
                e_now = f.energy(t, &x);
                if let Some(e) = e_now {
                    if !e.is_finite() {
                        x.copy_from_slice(&prev);
                        t = t_prev;
                        status = Some(Status::Diverged(format!(
                            "the energy became non-finite ({e}) at step {n_steps}"
                        )));
                        break;
                    }
                    if let Some(e_old) = energy {
                        let inc = e - e_old;
                        max_increase = Some(max_increase.map_or(inc, |m: f64| m.max(inc)));
                    }
                    energy = Some(e);
                    trace.push(TracePoint {
                        step: n_steps,
                        t,
                        energy: e,
                    });
                    if let Some(b) = best.as_mut()
                        && e < b.energy
                    {
                        b.state.copy_from_slice(&x);
                        b.energy = e;
                        b.t = t;
                        b.step = n_steps;
                    }
                    if let Some(target) = self.target_energy
                        && e <= target
                    {
                        status = Some(Status::TargetReached);
                    }
                }
            }

            if let Some((rtol, atol)) = self.steady
                && norm2(stepper.derivative()) <= atol + rtol * norm2(&x)
            {
                status = status.or(Some(Status::Converged));
            }

            let obs = Observation {
                step: n_steps,
                t,
                x: &x,
                energy: e_now,
            };
            if observer(&obs).is_break() {
                status = status.or(Some(Status::Interrupted));
            }
        }

        // The final energy and trace point describe the returned state exactly.
        let final_energy = f.energy(t, &x);
        if let Some(e) = final_energy
            && e.is_finite()
        {
            if trace.last().map(|p| p.step) != Some(n_steps) {
                if let (Some(e_old), true) = (energy, track_energy) {
                    let inc = e - e_old;
                    max_increase = Some(max_increase.map_or(inc, |m: f64| m.max(inc)));
                }
                if track_energy {
                    trace.push(TracePoint {
                        step: n_steps,
                        t,
                        energy: e,
                    });
                }
            }
            if let Some(b) = best.as_mut()
                && e < b.energy
            {
                b.state.copy_from_slice(&x);
                b.energy = e;
                b.t = t;
                b.step = n_steps;
            }
        }

        Ok(Solution {
            state: x,
            energy: final_energy,
            t,
            n_steps,
            n_evals,
            n_rejected,
            trace: trace.into_points(),
            elapsed: start.elapsed(),
            status: status.unwrap_or(Status::MaxSteps),
            max_energy_increase: max_increase,
            lyapunov_caveat: f.lyapunov_caveat(),
            best,
        })
    }
}

/// A fixed-capacity trace: sample `k` is kept when `k` is a multiple of the stride; when the
/// buffer is full, every other kept point is dropped and the stride doubles. The newest sample
/// is always kept as the tail, so the trace ends at the latest state. Never allocates after
/// construction.
struct Trace {
    points: Vec<TracePoint>,
    tail: Option<TracePoint>,
    cap: usize,
    stride: usize,
    seen: usize,
}

impl Trace {
    fn new(cap: usize) -> Self {
        Self {
            points: Vec::with_capacity(cap + 1),
            tail: None,
            cap,
            stride: 1,
            seen: 0,
        }
    }
    fn push(&mut self, p: TracePoint) {
        let k = self.seen;
        self.seen += 1;
        if !k.is_multiple_of(self.stride) {
            self.tail = Some(p);
            return;
        }
        if self.points.len() == self.cap {
            let mut idx = 0usize;
            self.points.retain(|_| {
                idx += 1;
                (idx - 1).is_multiple_of(2)
            });
            self.stride *= 2;
            if !k.is_multiple_of(self.stride) {
                self.tail = Some(p);
                return;
            }
        }
        self.tail = None;
        self.points.push(p);
    }
    fn last(&self) -> Option<&TracePoint> {
        self.tail.as_ref().or(self.points.last())
    }
    fn into_points(mut self) -> Vec<TracePoint> {
        if let Some(t) = self.tail.take() {
            self.points.push(t);
        }
        self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_thins_evenly_and_keeps_the_last_point() {
        let mut tr = Trace::new(8);
        for k in 0..100 {
            tr.push(TracePoint {
                step: k,
                t: k as f64,
                energy: 0.0,
            });
        }
        let pts = tr.into_points();
        assert!(pts.len() <= 9, "{}", pts.len());
        assert_eq!(pts[0].step, 0);
        assert_eq!(pts.last().unwrap().step, 99);
        let gaps: Vec<usize> = pts.windows(2).map(|w| w[1].step - w[0].step).collect();
        let g0 = gaps[0];
        assert!(gaps[..gaps.len() - 1].iter().all(|&g| g == g0), "{gaps:?}");
    }
}
