//! Batched runs: many states of one model advanced together, one column each (a query, a
//! replica, a chain, a signal), so that the model is applied by matrix–matrix products.
//!
//! A [`BatchField`] evaluates `Ẋ = f(t, X)` for a `d × b` block of columns. [`Flattened`]
//! presents it to the ordinary steppers as one field of dimension `d·b` (column-major), so
//! every method works on batches unchanged. Columns that stop leave the batch: the running
//! ones are compacted into a contiguous block (and the stepper re-initialised on it), so the
//! cost of a step falls with the number of columns still running.
//! [`Run::solve_batch`] owns the stop rules per column: each column stops on its own steady
//! state, divergence or target energy, with the status, energy and step count that a single
//! run from that column would report; the global rules (`max_steps`, `t_end`, the budget, the
//! interrupt) stop every column still running.
//!
//! With a fixed-step stepper, column `j` of a batch follows exactly the steps of a single run
//! from column `j` (up to the summation order inside the matrix product). An adaptive stepper
//! takes one step size for the whole batch, chosen from the error of all active columns, so its
//! columns are accurate to the tolerances but not step-for-step equal to single runs.

use super::{Observer, Run, Status};
use crate::error::{Error, Result};
use crate::flow::VectorField;
use crate::linalg::{check_matrix_finite, norm2};
use crate::step::{StepFailure, Stepper};
use faer::{Mat, MatMut, MatRef};
use std::time::{Duration, Instant};

/// A vector field evaluated on many states at once: the columns of a `d × b` matrix.
pub trait BatchField {
    /// The state dimension `d` of one column.
    fn dim(&self) -> usize;
    /// Write `f(t, x_j)` into column `j` of `dx` for every column `j` of `x` (`b` columns,
    /// `b ≤` the largest batch this field was prepared for). Must not allocate.
    fn eval_batch_into(&mut self, t: f64, x: MatRef<'_, f64>, dx: MatMut<'_, f64>);
    /// Write the energy of every column of `x` into `out` and return `true`, or return
    /// `false` when the model has no energy.
    fn energies_into(&mut self, _t: f64, _x: MatRef<'_, f64>, _out: &mut [f64]) -> bool {
        false
    }
    /// Why the energy may not descend.
    fn lyapunov_caveat(&self) -> Option<String> {
        None
    }
    /// The block now holds the batch's original columns `ids[k]` in position `k` (called when
    /// the run starts, whenever stopped columns leave the block, and with every column before
    /// the final energies). A field with per-column data (the signal each column encodes)
    /// gathers that data here; fields that treat every column alike ignore it. May allocate
    /// (it is not called per step).
    fn select_columns(&mut self, _ids: &[usize]) {}
    /// An optimality certificate per column, for [`Run::certify`]: write into `out[k]` a
    /// number `≥ 0` that bounds how far column `k` of `x` is from optimal (a duality gap, a
    /// fixed-point residual; `0` at an exact equilibrium) and return `true`, or return `false`
    /// when the model has none. A field that can compute its equilibrium exactly from a nearby
    /// state (by solving on the active set, say) may overwrite column `k` with that equilibrium,
    /// but only when the new point's certificate, written to `out[k]`, is `≤ tol`. Must not
    /// allocate.
    fn certify_into(&mut self, _t: f64, _x: MatMut<'_, f64>, _tol: f64, _out: &mut [f64]) -> bool {
        false
    }
}

impl<F: BatchField + ?Sized> BatchField for &mut F {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn eval_batch_into(&mut self, t: f64, x: MatRef<'_, f64>, dx: MatMut<'_, f64>) {
        (**self).eval_batch_into(t, x, dx)
    }
    fn energies_into(&mut self, t: f64, x: MatRef<'_, f64>, out: &mut [f64]) -> bool {
        (**self).energies_into(t, x, out)
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        (**self).lyapunov_caveat()
    }
    fn select_columns(&mut self, ids: &[usize]) {
        (**self).select_columns(ids)
    }
    fn certify_into(&mut self, t: f64, x: MatMut<'_, f64>, tol: f64, out: &mut [f64]) -> bool {
        (**self).certify_into(t, x, tol, out)
    }
}

/// A [`BatchField`] over `b` contiguous columns seen as one [`VectorField`] of dimension `d·b`
/// (column-major): what the steppers integrate in a batched run. The batch driver keeps only
/// the running columns in it, so its size shrinks as columns stop.
pub struct Flattened<'a, F: ?Sized> {
    field: &'a mut F,
    d: usize,
    b: usize,
}

impl<'a, F: BatchField + ?Sized> Flattened<'a, F> {
    /// View `field` over `b` columns.
    pub fn new(field: &'a mut F, b: usize) -> Self {
        let d = field.dim();
        Self { field, d, b }
    }
    /// The number of columns.
    pub fn n_columns(&self) -> usize {
        self.b
    }
    fn set_columns(&mut self, b: usize) {
        self.b = b;
    }
    fn energies(&mut self, t: f64, x: &[f64], out: &mut [f64]) -> bool {
        let xm = MatRef::from_column_major_slice(&x[..self.d * self.b], self.d, self.b);
        self.field.energies_into(t, xm, &mut out[..self.b])
    }
    fn certify(&mut self, t: f64, x: &mut [f64], tol: f64, out: &mut [f64]) -> bool {
        let xm = MatMut::from_column_major_slice_mut(&mut x[..self.d * self.b], self.d, self.b);
        self.field.certify_into(t, xm, tol, &mut out[..self.b])
    }
}

impl<F: BatchField + ?Sized> VectorField for Flattened<'_, F> {
    fn dim(&self) -> usize {
        self.d * self.b
    }
    fn eval_into(&mut self, t: f64, x: &[f64], dx: &mut [f64]) {
        let (d, b) = (self.d, self.b);
        let xm = MatRef::from_column_major_slice(x, d, b);
        let dxm = MatMut::from_column_major_slice_mut(dx, d, b);
        self.field.eval_batch_into(t, xm, dxm);
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        self.field.lyapunov_caveat()
    }
}

/// What happened to one column of a batched run.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnResult {
    /// Why this column stopped.
    pub status: Status,
    /// The energy of its final state, if the model has one.
    pub energy: Option<f64>,
    /// Steps taken while it was running.
    pub n_steps: usize,
    /// Its final time.
    pub t: f64,
    /// The last optimality certificate computed for it ([`Run::certify`]), if any.
    pub certificate: Option<f64>,
}

/// The outcome of [`Run::solve_batch`].
#[derive(Debug, Clone)]
pub struct BatchSolution {
    /// Final states, one column per initial state (`d × B`).
    pub states: Mat<f64>,
    /// Status, energy and step count per column.
    pub columns: Vec<ColumnResult>,
    /// Batched steps taken (the longest-running column's `n_steps`).
    pub n_steps: usize,
    /// Evaluations of the batched field.
    pub n_evals: usize,
    /// Rejected trial steps (adaptive steppers).
    pub n_rejected: usize,
    /// Wall-clock time of the whole batch.
    pub elapsed: Duration,
    /// Why the energy may not descend (from the model).
    pub lyapunov_caveat: Option<String>,
}

impl BatchSolution {
    /// The final state of column `j`.
    pub fn state(&self, j: usize) -> &[f64] {
        self.states.col_as_slice(j)
    }
    /// How many columns ended with each status, most frequent first, e.g.
    /// `"250 converged, 6 max steps"`.
    pub fn summary(&self) -> String {
        super::status::summary(self.columns.iter().map(|c| &c.status))
    }
}

/// What an observer of a batched run sees: the initial states (step 0), then the states after
/// each batched step.
#[derive(Debug)]
pub struct BatchObservation<'a> {
    /// Batched step index.
    pub step: usize,
    /// Time.
    pub t: f64,
    /// The states of the columns running in this step, one column each (`d × n`; at step 0,
    /// every initial state).
    pub x: MatRef<'a, f64>,
    /// Columns still running after this step.
    pub n_active: usize,
}

impl Run {
    /// Integrate every column of `x0` (`d × B`) with `stepper` as one batch: the field is
    /// evaluated on all running columns at once, each column stops by its own steady-state,
    /// divergence and target rules, and the global rules stop the rest. Energies (with
    /// `energy_every ≥ 1`) are evaluated per column for the target rule and the results; the
    /// per-run trace, best state and recorded quantities of [`solve`](Run::solve) are not kept.
    ///
    /// ```
    /// use attractor::models::{Activation, HopfieldNetwork, random_symmetric_weights};
    /// use attractor::run::{Run, Status};
    /// use attractor::step::Rk4;
    /// let net = HopfieldNetwork::new(random_symmetric_weights(30, 1.5, 1)?, Activation::Tanh)?;
    /// let x0 = faer::Mat::from_fn(30, 8, |i, j| ((i * 7 + j * 3) as f64).sin());
    /// let run = Run::new(0.05)?.max_steps(20_000).steady_state(1e-9, 1e-11)?;
    /// let batch = run.solve_batch(&mut net.batch_flow(8), &mut Rk4::new(), x0.as_ref())?;
    /// let single = run.solve(&mut net.flow(), &mut Rk4::new(), x0.col_as_slice(3))?;
    /// assert_eq!(batch.columns[3].status, Status::Converged);
    /// assert_eq!(batch.columns[3].n_steps, single.n_steps);
    /// assert!(batch.state(3).iter().zip(&single.state).all(|(a, b)| (a - b).abs() < 1e-12));
    /// # Ok::<(), attractor::Error>(())
    /// ```
    pub fn solve_batch<'f, F, S>(
        &self,
        f: &'f mut F,
        stepper: &mut S,
        x0: MatRef<'_, f64>,
    ) -> Result<BatchSolution>
    where
        F: BatchField + ?Sized,
        S: Stepper<Flattened<'f, F>> + ?Sized,
    {
        self.solve_batch_with_observer(f, stepper, x0, super::Silent)
    }

    /// [`solve_batch`](Run::solve_batch), showing the batch to `observer` (at the start, then
    /// every [`Observer::every`] steps); its `Break(())` stops every running column with
    /// [`Status::Interrupted`].
    pub fn solve_batch_with_observer<'f, F, S, O>(
        &self,
        f: &'f mut F,
        stepper: &mut S,
        x0: MatRef<'_, f64>,
        mut observer: O,
    ) -> Result<BatchSolution>
    where
        F: BatchField + ?Sized,
        S: Stepper<Flattened<'f, F>> + ?Sized,
        O: for<'o> Observer<BatchObservation<'o>>,
    {
        let (d, b) = (x0.nrows(), x0.ncols());
        if d != f.dim() {
            return Err(Error::invalid(
                "initial states x0 (rows)",
                d,
                &format!("pass one row per state variable of the model ({})", f.dim()),
            ));
        }
        if b == 0 {
            return Err(Error::invalid(
                "initial states x0 (columns)",
                0,
                "pass at least one initial state (one per column)",
            ));
        }
        check_matrix_finite("initial states x0", x0)?;
        self.check_start(d, &vec![0.0; d], "initial states x0")?;
        let start = Instant::now();
        // the running columns, contiguous: x[k·d..(k+1)·d] is column ids[k]
        let mut x: Vec<f64> = Vec::with_capacity(d * b);
        for j in 0..b {
            x.extend((0..d).map(|i| x0[(i, j)]));
        }
        let mut ids: Vec<usize> = (0..b).collect();
        let mut prev = x.clone();
        let mut states = Mat::<f64>::zeros(d, b);
        let mut flat = Flattened::new(f, b);
        flat.field.select_columns(&ids);
        let caveat = flat.lyapunov_caveat();
        let mut cert_buf = vec![0.0; if self.certify.is_some() { b } else { 0 }];
        let mut t = self.t0;
        let track_energy = self.energy_every > 0;
        let mut e_buf = vec![0.0; b];
        let mut columns: Vec<ColumnResult> = (0..b)
            .map(|_| ColumnResult {
                status: Status::MaxSteps,
                energy: None,
                n_steps: 0,
                t,
                certificate: None,
            })
            .collect();
        // per running column: the status it stopped with in this step
        let mut done: Vec<Option<Status>> = vec![None; b];
        let obs_every = observer.every().max(1);
        let has_energy = track_energy && flat.energies(t, &x, &mut e_buf);
        if has_energy && let Some(target) = self.target_energy {
            for k in 0..b {
                if e_buf[k] <= target {
                    done[k] = Some(Status::TargetReached);
                }
            }
        }
        // initial states that are already certified (a warm start at the optimum) do not run
        if let Some((tol, _)) = self.certify
            && flat.certify(t, &mut x, tol, &mut cert_buf)
        {
            for k in 0..b {
                columns[k].certificate = Some(cert_buf[k]);
                if done[k].is_none() && cert_buf[k] <= tol {
                    done[k] = Some(Status::Certified);
                }
            }
        }
        let first = BatchObservation {
            step: 0,
            t,
            x: x0,
            n_active: b,
        };
        let mut global: Option<Status> = None;
        if observer.observe(&first).is_break() {
            global = Some(Status::Interrupted);
        }
        let mut n_evals = 0;
        let mut n_steps = 0usize;
        let mut n_rejected = 0usize;
        let mut h_proposed = self.dt;
        // retire the columns that stopped, compact the rest; true when the batch changed size
        let retire = |x: &mut Vec<f64>,
                      prev: &mut Vec<f64>,
                      ids: &mut Vec<usize>,
                      done: &mut Vec<Option<Status>>,
                      columns: &mut [ColumnResult],
                      states: &mut Mat<f64>|
         -> bool {
            let before = ids.len();
            let mut keep = 0;
            for k in 0..ids.len() {
                let col = &x[k * d..(k + 1) * d];
                match done[k].take() {
                    Some(s) => {
                        let j = ids[k];
                        states.col_as_slice_mut(j).copy_from_slice(col);
                        columns[j].status = s;
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
            done.truncate(keep);
            keep != before
        };
        retire(
            &mut x,
            &mut prev,
            &mut ids,
            &mut done,
            &mut columns,
            &mut states,
        );
        if ids.len() != b {
            flat.field.select_columns(&ids);
        }
        flat.set_columns(ids.len());
        if !ids.is_empty() {
            n_evals += stepper.init(&mut flat, t, &x);
        }

        while global.is_none() && !ids.is_empty() {
            let dt = match self.next_step(n_steps, t, h_proposed, start) {
                Ok(dt) => dt,
                Err(stop) => {
                    global = Some(stop);
                    break;
                }
            };
            prev.copy_from_slice(&x);
            let report = match stepper.step(&mut flat, t, &mut x, dt) {
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
            t += report.h_taken;
            if stepper.is_adaptive() {
                h_proposed = report.h_next;
            }
            for (k, &j) in ids.iter().enumerate() {
                columns[j].n_steps = n_steps;
                columns[j].t = t;
                let col = &x[k * d..(k + 1) * d];
                if let Some(i) = col.iter().position(|v| !v.is_finite()) {
                    x[k * d..(k + 1) * d].copy_from_slice(&prev[k * d..(k + 1) * d]);
                    columns[j].t = t - report.h_taken;
                    done[k] = Some(Status::Diverged(format!(
                        "state component {i} of column {j} became non-finite at step {n_steps}"
                    )));
                }
            }
            let last_step = self.max_steps == Some(n_steps);
            if has_energy && (n_steps.is_multiple_of(self.energy_every) || last_step) {
                flat.energies(t, &x, &mut e_buf);
                for (k, &j) in ids.iter().enumerate() {
                    let e = e_buf[k];
                    if done[k].is_some() {
                        continue;
                    }
                    if !e.is_finite() {
                        x[k * d..(k + 1) * d].copy_from_slice(&prev[k * d..(k + 1) * d]);
                        columns[j].t = t - report.h_taken;
                        done[k] = Some(Status::Diverged(format!(
                            "the energy of column {j} became non-finite ({e}) at step {n_steps}"
                        )));
                    } else if self.target_energy.is_some_and(|target| e <= target) {
                        done[k] = Some(Status::TargetReached);
                    }
                }
            }
            if let Some((rtol, atol)) = self.steady {
                let rate = stepper.derivative();
                for k in 0..ids.len() {
                    if done[k].is_none()
                        && norm2(&rate[k * d..(k + 1) * d])
                            <= atol + rtol * norm2(&x[k * d..(k + 1) * d])
                    {
                        done[k] = Some(Status::Converged);
                    }
                }
            }
            if let Some((tol, every)) = self.certify
                && n_steps.is_multiple_of(every)
                && flat.certify(t, &mut x, tol, &mut cert_buf)
            {
                for (k, &j) in ids.iter().enumerate() {
                    columns[j].certificate = Some(cert_buf[k]);
                    if done[k].is_none() && cert_buf[k] <= tol {
                        done[k] = Some(Status::Certified);
                    }
                }
            }
            if n_steps.is_multiple_of(obs_every) {
                let obs = BatchObservation {
                    step: n_steps,
                    t,
                    x: MatRef::from_column_major_slice(&x, d, ids.len()),
                    n_active: done.iter().filter(|s| s.is_none()).count(),
                };
                if observer.observe(&obs).is_break() {
                    global = Some(Status::Interrupted);
                }
            }
            if done.iter().any(Option::is_some)
                && retire(
                    &mut x,
                    &mut prev,
                    &mut ids,
                    &mut done,
                    &mut columns,
                    &mut states,
                )
            {
                flat.set_columns(ids.len());
                if !ids.is_empty() {
                    flat.field.select_columns(&ids);
                    // the stepper's buffers shrink without reallocating
                    n_evals += stepper.init(&mut flat, t, &x);
                }
            }
        }
        // the global rule stops every column still running
        let g = global.unwrap_or(Status::MaxSteps);
        for s in done.iter_mut() {
            *s = Some(g.clone());
        }
        retire(
            &mut x,
            &mut prev,
            &mut ids,
            &mut done,
            &mut columns,
            &mut states,
        );
        // final energies of every column, all columns evaluated together
        flat.set_columns(b);
        let all: Vec<usize> = (0..b).collect();
        flat.field.select_columns(&all);
        if track_energy && flat.field.energies_into(t, states.as_ref(), &mut e_buf) {
            for j in 0..b {
                columns[j].energy = Some(e_buf[j]).filter(|e| e.is_finite());
            }
        }
        Ok(BatchSolution {
            states,
            columns,
            n_steps,
            n_evals,
            n_rejected,
            elapsed: start.elapsed(),
            lyapunov_caveat: caveat,
        })
    }
}
