//! Batched runs: many states of one model advanced together, one column each (a query, a
//! replica, a chain, a signal), so that the model is applied by matrix–matrix products.
//!
//! A [`BatchField`] evaluates `Ẋ = f(t, X)` for a `d × b` block of columns. [`Flattened`]
//! presents it to the ordinary steppers as one field of dimension `d·b` (column-major), so
//! every method works on batches unchanged. Columns that stop leave the batch: the running
//! ones are compacted into a contiguous block (and the stepper re-initialised on it), so the
//! cost of a step falls with the number of columns still running.
//! [`Run::solve_batch`] runs the one run loop (a single run is a batch of one) with the stop
//! rules per column: each column stops on its own steady state, divergence, target energy,
//! certificate or stop predicate, with the status, energy, step count, Lyapunov monitor and (on
//! request) best state and trace that a single run from that column would report; the global
//! rules (`max_steps`, `t_end`, the budget, the interrupt, the observer) stop every column still
//! running.
//!
//! With a fixed-step stepper, column `j` of a batch follows exactly the steps of a single run
//! from column `j` (up to the summation order inside the matrix product). An adaptive stepper
//! takes one step size for the whole batch, chosen from the error of all active columns, so its
//! columns are accurate to the tolerances but not step-for-step equal to single runs (a batch
//! of one is).

use super::driver::{Col, Columns, Moment, Shape, Watch};
use super::{Best, Observer, Quantity, Run, Status, TracePoint};
use crate::error::{Error, Result};
use crate::flow::VectorField;
use crate::linalg::{check_matrix_finite, norm2};
use crate::step::{StepFailure, StepReport, Stepper};
use faer::{Mat, MatMut, MatRef};
use std::ops::ControlFlow;
use std::time::Duration;

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
    /// Put the columns of `x` back on the field's state space after a step (as
    /// [`VectorField::project_state`]: a constraint set, a clock that cannot be negative),
    /// removing what rounding moved out of it. The default leaves them as they are. Must not
    /// allocate.
    fn project_batch(&self, _x: MatMut<'_, f64>) {}
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
    fn project_batch(&self, x: MatMut<'_, f64>) {
        (**self).project_batch(x)
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
    fn project_state(&self, x: &mut [f64]) {
        let (d, b) = (self.d, self.b);
        self.field
            .project_batch(MatMut::from_column_major_slice_mut(&mut x[..d * b], d, b));
    }
}

/// What happened to one column of a batched run (a single run's [`Solution`](super::Solution)
/// is made of the one column of a batch of one).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnResult {
    /// Why this column stopped.
    pub status: Status,
    /// The energy of its final state, if the model has one, it is finite and energies were
    /// evaluated (`energy_every ≥ 1`).
    pub energy: Option<f64>,
    /// Steps taken while it was running.
    pub n_steps: usize,
    /// Its final time (for a column that diverged, the time of its last finite state).
    pub t: f64,
    /// The last optimality certificate computed for it ([`Run::certify`]), if any.
    pub certificate: Option<f64>,
    /// Its Lyapunov monitor: the largest increase `E(x_{k+1}) − E(x_k)` between consecutive
    /// energy evaluations of this column (≤ 0 up to rounding when `E` is a Lyapunov function
    /// and the step small enough); `None` without an energy.
    pub max_energy_increase: Option<f64>,
    /// The lowest-energy state this column reached, when [`Run::keep_best`] was set.
    pub best: Option<Best>,
    /// Its energy trace (as [`Solution::trace`](super::Solution::trace)), kept when
    /// [`Run::trace_columns`] was set or [`Run::record`] was given; empty otherwise.
    pub trace: Vec<TracePoint>,
    /// The quantities asked for with [`Run::record`], one value per point of `trace`.
    pub quantities: Vec<Quantity>,
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

/// A [`BatchField`] and its stepper as the run loop's block of columns.
struct Batched<'f, 's, F: ?Sized, S: ?Sized> {
    flat: Flattened<'f, F>,
    stepper: &'s mut S,
    /// Every column, `0..B`.
    all: Vec<usize>,
}

impl<'f, F, S> Columns for Batched<'f, '_, F, S>
where
    F: BatchField + ?Sized,
    S: Stepper<Flattened<'f, F>> + ?Sized,
{
    fn dim(&self) -> usize {
        self.flat.d
    }
    fn start(&mut self, _t0: f64, _x: &mut [f64], ids: &[usize]) -> usize {
        self.flat.field.select_columns(ids);
        0
    }
    fn resize(&mut self, t: f64, x: &[f64], ids: &[usize], changed: bool) -> usize {
        if changed {
            self.flat.field.select_columns(ids);
        }
        self.flat.set_columns(ids.len());
        // the stepper's buffers shrink without reallocating
        self.stepper.init(&mut self.flat, t, x)
    }
    fn advance(
        &mut self,
        t: f64,
        x: &mut [f64],
        dt: f64,
    ) -> std::result::Result<StepReport, StepFailure> {
        self.stepper.step(&mut self.flat, t, x, dt)
    }
    fn is_adaptive(&self) -> bool {
        self.stepper.is_adaptive()
    }
    fn energies(&mut self, t: f64, x: &[f64], out: &mut [f64]) -> bool {
        self.flat.energies(t, x, out)
    }
    fn rate_norm(&self, k: usize) -> Option<f64> {
        let d = self.flat.d;
        Some(norm2(&self.stepper.derivative()[k * d..(k + 1) * d]))
    }
    fn settled(&self, _k: usize) -> Option<Status> {
        None
    }
    fn certify(&mut self, t: f64, x: &mut [f64], tol: f64, out: &mut [f64]) -> bool {
        self.flat.certify(t, x, tol, out)
    }
    fn final_energies(
        &mut self,
        want: bool,
        t: f64,
        _columns: &[Col],
        states: &[f64],
        out: &mut [f64],
    ) -> bool {
        // every column back in the field, evaluated together at the loop's last time
        let b = self.all.len();
        self.flat.set_columns(b);
        self.flat.field.select_columns(&self.all);
        want && {
            let xm = MatRef::from_column_major_slice(states, self.flat.d, b);
            self.flat.field.energies_into(t, xm, out)
        }
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        self.flat.lyapunov_caveat()
    }
}

/// A batch's observer: shown every initial state (step 0), then the running columns every
/// [`Observer::every`] batched steps.
struct Batch<O>(O);

impl<O: for<'o> Observer<BatchObservation<'o>>> Watch for Batch<O> {
    const AT_STOPS: bool = false;
    fn every(&self) -> usize {
        Observer::<BatchObservation<'_>>::every(&self.0)
    }
    fn step(&mut self, m: &Moment<'_>) -> ControlFlow<()> {
        self.0.observe(&BatchObservation {
            step: m.step,
            t: m.t,
            x: MatRef::from_column_major_slice(m.x, m.d, m.ids.len()),
            n_active: m
                .ids
                .iter()
                .filter(|&&j| m.columns[j].stop.is_none())
                .count(),
        })
    }
}

impl Run {
    /// Integrate every column of `x0` (`d × B`) with `stepper` as one batch: the field is
    /// evaluated on all running columns at once, each column stops by its own steady-state,
    /// divergence, target, certificate ([`Run::certify`]) and stop-predicate
    /// ([`Run::stop_when`]) rules, and the global rules stop the rest. Energies (with
    /// `energy_every ≥ 1`) are evaluated per column for the target rule, the Lyapunov monitor
    /// ([`ColumnResult::max_energy_increase`]) and the results. Each column keeps its best state
    /// with [`Run::keep_best`], and its trace and recorded quantities with
    /// [`Run::trace_columns`] or [`Run::record`] (not kept otherwise: a trace per column is
    /// `trace_capacity` points each).
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
        observer: O,
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
        // the block, contiguous: x[j·d..(j+1)·d] is column j
        let mut x: Vec<f64> = Vec::with_capacity(d * b);
        for j in 0..b {
            x.extend((0..d).map(|i| x0[(i, j)]));
        }
        let shape = Shape {
            name_columns: true,
            trace: self.trace_columns || !self.probes.is_empty(),
            final_energy: false,
        };
        let mut sys = Batched {
            flat: Flattened::new(f, b),
            stepper,
            all: (0..b).collect(),
        };
        let out = self.drive(&mut sys, x, b, &mut Batch(observer), shape)?;
        Ok(BatchSolution {
            states: Mat::from_fn(d, b, |i, j| out.states[j * d + i]),
            columns: out
                .columns
                .into_iter()
                .map(|c| c.finish(&out.names))
                .collect(),
            n_steps: out.n_steps,
            n_evals: out.n_evals,
            n_rejected: out.n_rejected,
            elapsed: out.elapsed,
            lyapunov_caveat: out.lyapunov_caveat,
        })
    }
}
