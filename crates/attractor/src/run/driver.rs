//! The run loop itself: one loop for every family (ODE flows, discrete maps, any
//! [`Evolution`](super::Evolution)) and every batch size. It advances a block of columns
//! (a single run is a block of one) and owns, per column, every rule of a step: divergence,
//! the energy and its Lyapunov monitor, the target, fixed points and two-cycles, the steady
//! state, certificates and stop predicates, the trace and the best state; and, for the whole
//! block, `max_steps`, `t_end`, the interrupt, the budget and the observer.
//!
//! Columns that stop leave the block: the running ones are compacted into a contiguous
//! prefix (column `k` of the block is `x[k·d..(k+1)·d]`, original column `ids[k]`) and the
//! system is told so ([`Columns::resize`]), so that the cost of a step falls with the number of
//! columns still running.

use super::trace::{Trace, TracePoint};
use super::{Best, ColumnResult, Run, Status};
use crate::error::{Error, Result, check_finite, check_len};
use crate::linalg::norm2;
use crate::step::{StepFailure, StepReport};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// What the run loop advances: a block of `n` running columns of dimension `d`, contiguous
/// (column `k` is `x[k·d..(k+1)·d]`). A single run ([`Evolution`](super::Evolution)) is a block
/// of one; a batched run is a [`BatchField`](super::BatchField) with its stepper.
pub(crate) trait Columns {
    /// Whether the block is always one column (a single run): lets the compiler drop the
    /// loops over columns.
    const ONE: bool = false;
    /// The dimension `d` of one column.
    fn dim(&self) -> usize;
    /// Prepare for a run from the block `x` (every column, `ids = 0..B`) at `t0`, before
    /// anything is evaluated (a map projects its state here); returns the evaluations this used.
    fn start(&mut self, t0: f64, x: &mut [f64], ids: &[usize]) -> usize;
    /// The block now holds the original columns `ids` (`changed`: some left since the last
    /// call): size the stepper for it. Called after `start` and whenever columns leave, while
    /// some remain; returns the evaluations this used. Not called per step.
    fn resize(&mut self, t: f64, x: &[f64], ids: &[usize], changed: bool) -> usize;
    /// Advance every column of the block from `t` by (at most) `dt`.
    fn advance(
        &mut self,
        t: f64,
        x: &mut [f64],
        dt: f64,
    ) -> std::result::Result<StepReport, StepFailure>;
    /// Whether `advance` chooses its own step sizes.
    fn is_adaptive(&self) -> bool;
    /// The energy of every column of the block into `out`, or `false` without an energy.
    fn energies(&mut self, t: f64, x: &[f64], out: &mut [f64]) -> bool;
    /// `‖ẋ‖₂` of column `k` at its last accepted state, for the steady-state rule (`None` for
    /// maps).
    fn rate_norm(&self, k: usize) -> Option<f64>;
    /// A stop column `k` reached by itself in the last step (a map's fixed point, two-cycle).
    fn settled(&self, k: usize) -> Option<Status>;
    /// An optimality certificate per column of the block ([`Run::certify`]), or `false`.
    fn certify(&mut self, t: f64, x: &mut [f64], tol: f64, out: &mut [f64]) -> bool;
    /// The energies of the final states (`d × B`, every original column; `t` is the loop's
    /// last time, `columns[j].result.t` each column's own) when `want`, or `false`. Called once
    /// at the end, whether or not energies are wanted (a batch gives its field every column
    /// back).
    fn final_energies(
        &mut self,
        want: bool,
        t: f64,
        columns: &[Col],
        states: &[f64],
        out: &mut [f64],
    ) -> bool;
    /// Why the energy may not descend (from the model).
    fn lyapunov_caveat(&self) -> Option<String>;
}

/// What the loop shows a [`Watch`] after a step (or at step 0).
pub(crate) struct Moment<'a> {
    pub step: usize,
    /// The loop's time (a column that diverged in this step has its own, earlier, time in
    /// `columns`).
    pub t: f64,
    /// The block: the columns that ran in this step (at step 0, every column).
    pub x: &'a [f64],
    pub d: usize,
    pub ids: &'a [usize],
    /// Every original column (`columns[ids[k]]` is column `k` of the block; its `stop`, the
    /// status it stopped with in this step).
    pub columns: &'a [Col],
    /// The energies of the block, when they were evaluated in this step.
    pub energies: Option<&'a [f64]>,
}

/// How a caller's observer sees the loop: a single run's [`Observation`](super::Observation)
/// or a batch's [`BatchObservation`](super::BatchObservation).
pub(crate) trait Watch {
    /// Also show the step at which a column stops, and the final state when it was not shown
    /// (single runs).
    const AT_STOPS: bool;
    /// Show every this many steps (≥ 1).
    fn every(&self) -> usize;
    /// Look at the block; `Break(())` stops every running column with
    /// [`Status::Interrupted`].
    fn step(&mut self, m: &Moment<'_>) -> ControlFlow<()>;
    /// The final states after `step` steps (only with `AT_STOPS`).
    fn end(&mut self, _step: usize, _states: &[f64], _columns: &[Col]) {}
}

/// How the results of a run are laid out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// Name the column in divergence messages (batches).
    pub name_columns: bool,
    /// Keep a trace per column (a single run always; a batch on request).
    pub trace: bool,
    /// Evaluate the final energies even with `energy_every = 0` (single runs).
    pub final_energy: bool,
}

/// What the loop returns; the entry points dress it as a `Solution` or a `BatchSolution`.
pub(crate) struct Outcome {
    /// Final states, `d × B` column-major.
    pub states: Vec<f64>,
    /// Every column ([`Col::finish`] gives its result).
    pub columns: Vec<Col>,
    /// The names of the recorded quantities.
    pub names: Vec<String>,
    pub n_steps: usize,
    pub n_evals: usize,
    pub n_rejected: usize,
    pub elapsed: Duration,
    pub lyapunov_caveat: Option<String>,
}

/// One column of the loop: its result so far, and the bookkeeping behind it.
pub(crate) struct Col {
    /// What the caller gets back.
    pub result: ColumnResult,
    /// The status it stopped with, from the step that stopped it until it leaves the block.
    pub stop: Option<Status>,
    /// The last energy evaluated, for the Lyapunov monitor.
    energy: Option<f64>,
    /// The step of the last trace point (kept or not).
    point: Option<usize>,
    /// The trace, when kept.
    trace: Option<Trace>,
}

impl Col {
    /// Trace point `step` of this column (its probes evaluated at `(t, x)` into `qvals`).
    #[inline]
    fn record(&mut self, run: &Run, qvals: &mut [f64], step: usize, t: f64, x: &[f64], e: f64) {
        self.point = Some(step);
        if let Some(trace) = self.trace.as_mut() {
            for (v, (_, q)) in qvals.iter_mut().zip(&run.probes) {
                *v = q(t, x);
            }
            trace.push(TracePoint { step, t, energy: e }, qvals);
        }
    }

    /// The column's result, with its trace and quantities (named `names`) when kept.
    pub fn finish(self, names: &[String]) -> ColumnResult {
        let mut r = self.result;
        if let Some(trace) = self.trace {
            (r.trace, r.quantities) = trace.finish(names);
        }
        r
    }

    /// A new energy `e` of this column at `(t, x)`, step `step`: the Lyapunov monitor and the
    /// best state.
    #[inline]
    fn energy(&mut self, x: &[f64], e: f64, t: f64, step: usize) {
        monitor(&mut self.result.max_energy_increase, self.energy, e);
        self.energy = Some(e);
        offer_best(&mut self.result.best, x, e, t, step);
    }
}

/// The first non-finite component of `x`, if any. The check is a reduction without an early
/// exit, which vectorises; the position is looked for only when it fails.
#[inline]
fn first_non_finite(x: &[f64]) -> Option<usize> {
    if x.iter().fold(true, |ok, v| ok & v.is_finite()) {
        None
    } else {
        x.iter().position(|v| !v.is_finite())
    }
}

/// Keep `x` as the best state when its energy `e` is lower.
#[inline]
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

/// The Lyapunov monitor: the largest `E(x_{k+1}) − E(x_k)` between consecutive evaluations.
#[inline]
fn monitor(max_increase: &mut Option<f64>, last: Option<f64>, e: f64) {
    if let Some(e_old) = last {
        let inc = e - e_old;
        *max_increase = Some(max_increase.map_or(inc, |m: f64| m.max(inc)));
    }
}

/// " of column j" in a batch's messages, nothing in a single run's.
fn of_column(shape: Shape, j: usize) -> String {
    if shape.name_columns {
        format!(" of column {j}")
    } else {
        String::new()
    }
}

/// Move the columns that stopped (`stop` set) to `states` (`d × B`, allocated on the first
/// call that needs it; when every column stops at once, the block itself) with their status,
/// and compact the others to the front of `x`; true when some left.
fn retire(
    d: usize,
    x: &mut Vec<f64>,
    prev: &mut Vec<f64>,
    ids: &mut Vec<usize>,
    columns: &mut [Col],
    states: &mut Vec<f64>,
) -> bool {
    let before = ids.len();
    let b = columns.len();
    if before == b && states.is_empty() && ids.iter().all(|&j| columns[j].stop.is_some()) {
        // every column at once, none earlier: the block is the final states, in order
        for c in columns.iter_mut() {
            c.result.status = c.stop.take().unwrap_or(Status::MaxSteps);
        }
        std::mem::swap(states, x);
        x.clear();
        prev.clear();
        ids.clear();
        return before > 0;
    }
    if states.is_empty() {
        states.resize(d * b, 0.0);
    }
    let mut keep = 0;
    for k in 0..ids.len() {
        let j = ids[k];
        match columns[j].stop.take() {
            Some(s) => {
                states[j * d..(j + 1) * d].copy_from_slice(&x[k * d..(k + 1) * d]);
                columns[j].result.status = s;
            }
            None => {
                if keep != k {
                    x.copy_within(k * d..(k + 1) * d, keep * d);
                    ids[keep] = ids[k];
                }
                keep += 1;
            }
        }
    }
    ids.truncate(keep);
    x.truncate(keep * d);
    prev.truncate(keep * d);
    keep != before
}

impl Run {
    /// The rules that end a run whatever its state — `max_steps`, `t_end`, the interrupt flag
    /// and the wall-clock budget (the last two checked every 8 steps): the step to take next
    /// (`h` shortened to land on `t_end`), or why to stop.
    pub(crate) fn next_step(
        &self,
        n_steps: usize,
        t: f64,
        h: f64,
        start: Instant,
    ) -> std::result::Result<f64, Status> {
        if self.budget.max_steps().is_some_and(|m| n_steps >= m) {
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
            if self.budget.is_interrupted() {
                return Err(Status::Interrupted);
            }
            if self
                .budget
                .time_budget()
                .is_some_and(|b| start.elapsed() >= b)
            {
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
        if self.budget.max_steps().is_none()
            && self.t_end.is_none()
            && self.budget.time_budget().is_none()
        {
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

    /// The one run loop: advance the `b` columns of `x` (`d × b`, contiguous, checked by the
    /// caller) until each has stopped, applying every stop rule per column and the global ones
    /// to the block. Single runs ([`run`](Run::run)) and batches
    /// ([`solve_batch`](Run::solve_batch)) are both this loop.
    pub(crate) fn drive<C, W>(
        &self,
        sys: &mut C,
        mut x: Vec<f64>,
        b: usize,
        watch: &mut W,
        shape: Shape,
    ) -> Result<Outcome>
    where
        C: Columns + ?Sized,
        W: Watch + ?Sized,
    {
        let start = Instant::now();
        let d = sys.dim();
        debug_assert_eq!(x.len(), d * b);
        let mut t = self.t0;
        let mut ids: Vec<usize> = (0..b).collect();
        let mut n_evals = sys.start(t, &mut x, &ids);
        let mut prev = x.clone();
        // the final states, d × B (allocated when the first column leaves)
        let mut states: Vec<f64> = Vec::new();
        let names: Vec<String> = self.probes.iter().map(|p| p.0.clone()).collect();
        let mut qvals = vec![0.0; names.len()];
        let mut columns: Vec<Col> = (0..b)
            .map(|j| Col {
                result: ColumnResult {
                    status: Status::MaxSteps,
                    energy: None,
                    n_steps: 0,
                    t,
                    certificate: None,
                    max_energy_increase: None,
                    best: self.keep_best.then(|| Best {
                        state: x[j * d..(j + 1) * d].to_vec(),
                        energy: f64::INFINITY,
                        t,
                        step: 0,
                    }),
                    trace: Vec::new(),
                    quantities: Vec::new(),
                },
                stop: None,
                energy: None,
                point: None,
                trace: shape
                    .trace
                    .then(|| Trace::new(self.trace_capacity, names.len())),
            })
            .collect();
        let mut e_buf = vec![0.0; b];
        let mut cert_buf = vec![0.0; if self.certify.is_some() { b } else { 0 }];
        let track_energy = self.energy_every > 0;
        let obs_every = watch.every().max(1);

        // step 0: the initial states
        let has_energy = track_energy && sys.energies(t, &x, &mut e_buf);
        for (j, c) in columns.iter_mut().enumerate() {
            let col = &x[j * d..(j + 1) * d];
            let e = if has_energy { e_buf[j] } else { f64::NAN };
            if has_energy {
                if !e.is_finite() {
                    return Err(Error::NonFinite {
                        what: format!("energy at the initial state{}", of_column(shape, j)),
                        index: 0,
                        value: e,
                    });
                }
                c.energy = Some(e);
                if let Some(best) = c.result.best.as_mut() {
                    best.energy = e;
                }
                if self.budget.target().is_some_and(|target| e <= target) {
                    c.stop = Some(Status::TargetReached);
                }
            }
            if track_energy && (has_energy || !self.probes.is_empty()) {
                c.record(self, &mut qvals, 0, t, col, e);
            }
        }
        // initial states that are already certified (a warm start at the optimum) do not run
        if let Some((tol, _)) = self.certify
            && sys.certify(t, &mut x, tol, &mut cert_buf)
        {
            for (c, &g) in columns.iter_mut().zip(&cert_buf) {
                c.result.certificate = Some(g);
                if c.stop.is_none() && g <= tol {
                    c.stop = Some(Status::Certified);
                }
            }
        }
        if let Some((_, p)) = &self.stop_when {
            for (j, c) in columns.iter_mut().enumerate() {
                if c.stop.is_none() && p(t, &x[j * d..(j + 1) * d]) {
                    c.stop = Some(Status::Certified);
                }
            }
        }
        let mut global: Option<Status> = None;
        let first = Moment {
            step: 0,
            t,
            x: &x,
            d,
            ids: &ids,
            columns: &columns,
            energies: has_energy.then_some(&e_buf[..]),
        };
        if watch.step(&first).is_break() {
            global = Some(Status::Interrupted);
        }
        let mut last_observed = 0usize;
        let changed = columns.iter().any(|c| c.stop.is_some())
            && retire(d, &mut x, &mut prev, &mut ids, &mut columns, &mut states);
        if !ids.is_empty() {
            n_evals += sys.resize(t, &x, &ids, changed);
        }

        let mut n_steps = 0usize;
        let mut n_rejected = 0usize;
        let mut h_proposed = self.dt;
        while global.is_none() && !ids.is_empty() {
            let dt = match self.next_step(n_steps, t, h_proposed, start) {
                Ok(dt) => dt,
                Err(stop) => {
                    global = Some(stop);
                    break;
                }
            };
            prev.copy_from_slice(&x);
            let report = match sys.advance(t, &mut x, dt) {
                Ok(r) => r,
                Err(StepFailure::StepSizeUnderflow { h }) => {
                    x.copy_from_slice(&prev);
                    global = Some(Status::Diverged(format!(
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
            let n = if C::ONE { 1 } else { ids.len() };
            // columns that stopped in this step
            let mut n_stopped = 0usize;

            // divergence: the column goes back to its last finite state
            for k in 0..n {
                let c = &mut columns[if C::ONE { 0 } else { ids[k] }];
                c.result.n_steps = n_steps;
                c.result.t = t;
                let (lo, hi) = (k * d, (k + 1) * d);
                if let Some(i) = first_non_finite(&x[lo..hi]) {
                    x[lo..hi].copy_from_slice(&prev[lo..hi]);
                    c.result.t = t_prev;
                    c.stop = Some(Status::Diverged(format!(
                        "state component {i}{} became non-finite at step {n_steps}",
                        of_column(shape, ids[k])
                    )));
                    n_stopped += 1;
                }
            }

            // the energy: divergence, the Lyapunov monitor, the best state, the target, the
            // trace
            let last_step = self.budget.max_steps() == Some(n_steps);
            let evaluate = track_energy && (n_steps.is_multiple_of(self.energy_every) || last_step);
            let energies = evaluate && n_stopped < n && sys.energies(t, &x, &mut e_buf);
            if evaluate && (energies || !self.probes.is_empty()) {
                for k in 0..n {
                    let c = &mut columns[if C::ONE { 0 } else { ids[k] }];
                    if c.stop.is_some() {
                        continue;
                    }
                    let (lo, hi) = (k * d, (k + 1) * d);
                    let e = if energies { e_buf[k] } else { f64::NAN };
                    if energies && !e.is_finite() {
                        x[lo..hi].copy_from_slice(&prev[lo..hi]);
                        c.result.t = t_prev;
                        c.stop = Some(Status::Diverged(format!(
                            "the energy{} became non-finite ({e}) at step {n_steps}",
                            of_column(shape, ids[k])
                        )));
                        n_stopped += 1;
                        continue;
                    }
                    let col = &x[lo..hi];
                    if energies {
                        c.energy(col, e, t, n_steps);
                        if self.budget.target().is_some_and(|target| e <= target) {
                            c.stop = Some(Status::TargetReached);
                            n_stopped += 1;
                        }
                    }
                    c.record(self, &mut qvals, n_steps, t, col, e);
                }
            }

            // the rules on the state: a map's fixed point or two-cycle, the steady state
            // ‖f(x)‖₂ ≤ atol + rtol·‖x‖₂, the field's certificate, the caller's predicate
            for k in 0..n {
                let c = &mut columns[if C::ONE { 0 } else { ids[k] }];
                if c.stop.is_none()
                    && let Some(why) = sys.settled(k)
                {
                    c.stop = Some(why);
                    n_stopped += 1;
                }
            }
            if let Some((rtol, atol)) = self.steady {
                for k in 0..n {
                    let c = &mut columns[if C::ONE { 0 } else { ids[k] }];
                    if c.stop.is_none()
                        && let Some(r) = sys.rate_norm(k)
                        && r <= atol + rtol * norm2(&x[k * d..(k + 1) * d])
                    {
                        c.stop = Some(Status::Converged);
                        n_stopped += 1;
                    }
                }
            }
            if let Some((tol, every)) = self.certify
                && n_steps.is_multiple_of(every)
                && sys.certify(t, &mut x, tol, &mut cert_buf)
            {
                for k in 0..n {
                    let c = &mut columns[if C::ONE { 0 } else { ids[k] }];
                    c.result.certificate = Some(cert_buf[k]);
                    if c.stop.is_none() && cert_buf[k] <= tol {
                        c.stop = Some(Status::Certified);
                        n_stopped += 1;
                    }
                }
            }
            if let Some((every, p)) = &self.stop_when
                && n_steps.is_multiple_of(*every)
            {
                for k in 0..n {
                    let c = &mut columns[if C::ONE { 0 } else { ids[k] }];
                    if c.stop.is_none() && p(t, &x[k * d..(k + 1) * d]) {
                        c.stop = Some(Status::Certified);
                        n_stopped += 1;
                    }
                }
            }

            if n_steps.is_multiple_of(obs_every) || (W::AT_STOPS && n_stopped > 0) {
                let m = Moment {
                    step: n_steps,
                    t,
                    x: &x,
                    d,
                    ids: &ids,
                    columns: &columns,
                    energies: energies.then_some(&e_buf[..n]),
                };
                last_observed = n_steps;
                if watch.step(&m).is_break() {
                    global = Some(Status::Interrupted);
                }
            }
            if n_stopped > 0
                && retire(d, &mut x, &mut prev, &mut ids, &mut columns, &mut states)
                && !ids.is_empty()
            {
                n_evals += sys.resize(t, &x, &ids, true);
            }
        }
        // the global rule stops every column still running
        let g = global.unwrap_or(Status::MaxSteps);
        for &j in &ids {
            columns[j].stop = Some(g.clone());
        }
        retire(d, &mut x, &mut prev, &mut ids, &mut columns, &mut states);
        if W::AT_STOPS && last_observed != n_steps {
            watch.end(n_steps, &states, &columns);
        }

        // The final energy and trace point describe the returned state exactly.
        let want = track_energy || shape.final_energy;
        if sys.final_energies(want, t, &columns, &states, &mut e_buf) && want {
            for (j, c) in columns.iter_mut().enumerate() {
                let e = e_buf[j];
                if !e.is_finite() {
                    continue;
                }
                let col = &states[j * d..(j + 1) * d];
                let (step, tj) = (c.result.n_steps, c.result.t);
                c.result.energy = Some(e);
                if track_energy && c.point != Some(step) {
                    monitor(&mut c.result.max_energy_increase, c.energy, e);
                    c.record(self, &mut qvals, step, tj, col, e);
                }
                offer_best(&mut c.result.best, col, e, tj, step);
            }
        }
        Ok(Outcome {
            states,
            columns,
            names,
            n_steps,
            n_evals,
            n_rejected,
            elapsed: start.elapsed(),
            lyapunov_caveat: sys.lyapunov_caveat(),
        })
    }
}
