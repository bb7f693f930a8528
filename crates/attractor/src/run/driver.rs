//! The run loop itself: one loop for every family (ODE flows, discrete maps), owning the stop
//! rules, the trace, the observers and the best state.

use super::trace::{Trace, TracePoint};
use super::{Best, Evolution, Observation, Observer, Run, Solution, Status};
use crate::error::{Error, Result, check_finite, check_len};
use crate::linalg::norm2;
use crate::step::StepFailure;
use std::time::Instant;

/// Keep `x` as the best state when its energy `e` is lower.
fn offer_best(best: &mut Option<Best>, x: &[f64], e: f64, t: f64, step: usize) {
    if let Some(b) = best.as_mut()
        && e < b.energy
    {
        b.state.copy_from_slice(x);
        b.energy = e;
        b.t = t;
        b.step = step;
    }
}

impl Run {
    /// The rules that end a run whatever its state — `max_steps`, `t_end`, the interrupt flag
    /// and the wall-clock budget (the last two checked every 8 steps) — shared by single and
    /// batched runs: the step to take next (`h` shortened to land on `t_end`), or why to stop.
    pub(crate) fn next_step(
        &self,
        n_steps: usize,
        t: f64,
        h: f64,
        start: Instant,
    ) -> std::result::Result<f64, Status> {
        if self.max_steps.is_some_and(|m| n_steps >= m) {
            return Err(Status::MaxSteps);
        }
        let mut dt = h;
        if let Some(t_end) = self.t_end {
            let left = t_end - t;
            if left <= 1e-12 * t_end.abs().max(1.0) {
                return Err(Status::EndTime);
            }
            dt = dt.min(left);
        }
        if n_steps.is_multiple_of(8) {
            if self.interrupt.as_ref().is_some_and(|f| f.is_raised()) {
                return Err(Status::Interrupted);
            }
            if self.time_budget.is_some_and(|b| start.elapsed() >= b) {
                return Err(Status::Timeout);
            }
        }
        Ok(dt)
    }

    /// Check the stop rules and the initial state against a system of dimension `n`.
    pub(crate) fn check_start(&self, n: usize, x0: &[f64], what: &str) -> Result<()> {
        check_len(
            what,
            x0.len(),
            n,
            "pass one value per state variable of the model",
        )?;
        check_finite(what, x0)?;
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
        Ok(())
    }

    /// Advance any [`Evolution`] from `x0` until a stop rule fires, showing the run to
    /// `observer`. [`solve`](Run::solve) and [`iterate`](Run::iterate) call this; a new kind
    /// of dynamics implements [`Evolution`] and calls it directly.
    pub fn run<E, O>(&self, sys: &mut E, x0: &[f64], mut observer: O) -> Result<Solution>
    where
        E: Evolution + ?Sized,
        O: for<'o> Observer<Observation<'o>>,
    {
        let n = sys.dim();
        self.check_start(n, x0, "initial state x0")?;
        let start = Instant::now();
        let mut x = x0.to_vec();
        let mut prev = x0.to_vec();
        let mut t = self.t0;
        let init_evals = sys.init(t, &mut x);
        let obs_every = observer.every().max(1);

        let track_energy = self.energy_every > 0;
        let names: Vec<String> = self.probes.iter().map(|p| p.0.clone()).collect();
        let mut qvals = vec![0.0; names.len()];
        let mut trace = Trace::new(self.trace_capacity, names.len());
        let record =
            |trace: &mut Trace, qvals: &mut [f64], step: usize, t: f64, x: &[f64], e: f64| {
                for (v, (_, q)) in qvals.iter_mut().zip(&self.probes) {
                    *v = q(t, x);
                }
                trace.push(TracePoint { step, t, energy: e }, qvals);
            };
        let mut best = self.keep_best.then(|| Best {
            state: x.clone(),
            energy: f64::INFINITY,
            t,
            step: 0,
        });
        let mut energy = if track_energy {
            sys.energy_at(t, &x)
        } else {
            None
        };
        if let Some(e) = energy
            && !e.is_finite()
        {
            return Err(Error::NonFinite {
                what: "energy at the initial state".into(),
                index: 0,
                value: e,
            });
        }
        let mut max_increase: Option<f64> = None;
        if track_energy && (energy.is_some() || !self.probes.is_empty()) {
            record(&mut trace, &mut qvals, 0, t, &x, energy.unwrap_or(f64::NAN));
        }
        if let (Some(e), Some(b)) = (energy, best.as_mut()) {
            b.energy = e;
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
        if let Some((_, p)) = &self.stop_when
            && p(t, &x)
        {
            status = status.or(Some(Status::Certified));
        }
        let first = Observation {
            step: 0,
            t,
            x: &x,
            energy,
        };
        if observer.observe(&first).is_break() {
            status = status.or(Some(Status::Interrupted));
        }
        let mut last_observed = 0usize;

        while status.is_none() {
            let dt = match self.next_step(n_steps, t, h_proposed, start) {
                Ok(dt) => dt,
                Err(stop) => {
                    status = Some(stop);
                    break;
                }
            };

            prev.copy_from_slice(&x);
            let report = match sys.advance(t, &mut x, dt) {
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
            if sys.is_adaptive() {
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
                e_now = sys.energy_at(t, &x);
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
                    offer_best(&mut best, &x, e, t, n_steps);
                    if let Some(target) = self.target_energy
                        && e <= target
                    {
                        status = Some(Status::TargetReached);
                    }
                }
                if e_now.is_some() || !self.probes.is_empty() {
                    record(
                        &mut trace,
                        &mut qvals,
                        n_steps,
                        t,
                        &x,
                        e_now.unwrap_or(f64::NAN),
                    );
                }
            }

            if let Some(s) = sys.settled() {
                status = status.or(Some(s));
            }
            if let Some((rtol, atol)) = self.steady
                && let Some(r) = sys.rate_norm()
                && r <= atol + rtol * norm2(&x)
            {
                status = status.or(Some(Status::Converged));
            }
            if let Some((k, p)) = &self.stop_when
                && n_steps.is_multiple_of(*k)
                && p(t, &x)
            {
                status = status.or(Some(Status::Certified));
            }

            if n_steps.is_multiple_of(obs_every) || status.is_some() {
                let obs = Observation {
                    step: n_steps,
                    t,
                    x: &x,
                    energy: e_now,
                };
                last_observed = n_steps;
                if observer.observe(&obs).is_break() {
                    status = status.or(Some(Status::Interrupted));
                }
            }
        }
        if last_observed != n_steps {
            let obs = Observation {
                step: n_steps,
                t,
                x: &x,
                energy: None,
            };
            // the run is over: a request to stop changes nothing
            let _ = observer.observe(&obs);
        }

        // The final energy and trace point describe the returned state exactly.
        let final_energy = sys.energy_at(t, &x);
        if let Some(e) = final_energy
            && e.is_finite()
        {
            if track_energy && trace.last().map(|p| p.step) != Some(n_steps) {
                if let Some(e_old) = energy {
                    let inc = e - e_old;
                    max_increase = Some(max_increase.map_or(inc, |m: f64| m.max(inc)));
                }
                record(&mut trace, &mut qvals, n_steps, t, &x, e);
            }
            offer_best(&mut best, &x, e, t, n_steps);
        }
        let (trace, quantities) = trace.finish(&names);

        Ok(Solution {
            state: x,
            energy: final_energy,
            t,
            n_steps,
            n_evals,
            n_rejected,
            trace,
            quantities,
            elapsed: start.elapsed(),
            status: status.unwrap_or(Status::MaxSteps),
            max_energy_increase: max_increase,
            lyapunov_caveat: sys.lyapunov_caveat(),
            best,
        })
    }
}
