//! The run loop: integrate a [`VectorField`] with a [`Stepper`] (or iterate a map) until a stop
//! rule fires, and return a [`Solution`] that says what happened and what to change.
//!
//! There is one loop: a batched run ([`Run::solve_batch`]) advances a block of columns, each
//! with its own stop rules, trace and best state, and a single run ([`Run::solve`],
//! [`Run::iterate`], [`Run::run`]) is a batch of one column, so both obey the same code step for
//! step.
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

use crate::error::{Error, Result, check_positive};
use crate::flow::VectorField;
use crate::step::{DiscreteMap, Iterate, Stepper};
use std::sync::Arc;
use std::time::Duration;

mod batch;
mod budget;
mod driver;
mod evolution;
mod observer;
pub mod replicas;
mod single;
mod solution;
pub mod status;
mod trace;

pub use batch::{BatchField, BatchObservation, BatchSolution, ColumnResult, Flattened};
pub use budget::{Budget, Clock};
pub use evolution::{Evolution, Ode};
pub use observer::{Every, Interrupt, Observation, Observer, Silent, every};
pub use solution::{Best, Solution};
pub use status::Status;
pub use trace::{Probe, Quantity, TracePoint};

/// A caller's stop rule `p(t, x)`: the run ends with [`Status::Certified`] when it holds.
pub type StopPredicate = Arc<dyn Fn(f64, &[f64]) -> bool + Send + Sync>;

/// Configuration of a run: step size and stop rules. Built with chained setters, each of which
/// validates its value.
#[derive(Clone)]
pub struct Run {
    dt: f64,
    t0: f64,
    t_end: Option<f64>,
    budget: Budget,
    steady: Option<(f64, f64)>,
    energy_every: usize,
    trace_capacity: usize,
    keep_best: bool,
    trace_columns: bool,
    probes: Vec<(String, Probe)>,
    stop_when: Option<(usize, StopPredicate)>,
    certify: Option<(f64, usize)>,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("dt", &self.dt)
            .field("t0", &self.t0)
            .field("t_end", &self.t_end)
            .field("budget", &self.budget)
            .field("steady", &self.steady)
            .field("energy_every", &self.energy_every)
            .field("trace_capacity", &self.trace_capacity)
            .field("keep_best", &self.keep_best)
            .field("trace_columns", &self.trace_columns)
            .field(
                "record",
                &self.probes.iter().map(|p| &p.0).collect::<Vec<_>>(),
            )
            .field("stop_when", &self.stop_when.as_ref().map(|s| s.0))
            .field("certify", &self.certify)
            .finish()
    }
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
            budget: Budget::new(),
            steady: None,
            energy_every: 1,
            trace_capacity: 4096,
            keep_best: false,
            trace_columns: false,
            probes: Vec::new(),
            stop_when: None,
            certify: None,
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

    /// Stop after `n` accepted steps (the budget's units are steps).
    pub fn max_steps(mut self, n: usize) -> Self {
        self.budget = self.budget.max_steps_limit(Some(n));
        self
    }

    /// Replace the whole [`Budget`] (steps, time, target energy, interrupt) by `budget`, the
    /// same value a family's `solve`, `encode`, `fit` or `sample` takes.
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// The run's budget.
    pub fn budget(&self) -> &Budget {
        &self.budget
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
        self.budget = self.budget.target_energy(target)?;
        Ok(self)
    }

    /// Stop after this much wall-clock time.
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.budget = self.budget.time(budget);
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

    /// Keep a copy of the lowest-energy state seen (at energy evaluations and at the end): in
    /// [`Solution::best`], and per column of a batch in [`ColumnResult::best`].
    pub fn keep_best(mut self, keep: bool) -> Self {
        self.keep_best = keep;
        self
    }

    /// In a batched run, keep each column's trace ([`ColumnResult::trace`], as a single run's
    /// [`Solution::trace`]; default off, since each holds up to `trace_capacity` points). A
    /// batch with [`record`](Run::record)ed quantities keeps them anyway; single runs always do.
    pub fn trace_columns(mut self, keep: bool) -> Self {
        self.trace_columns = keep;
        self
    }

    /// Stop with [`Status::Interrupted`] when `flag` is raised (by a Ctrl-C handler, say);
    /// takes an [`Interrupt`] or an `Arc<AtomicBool>`.
    pub fn interrupt(mut self, flag: impl Into<Interrupt>) -> Self {
        self.budget = self.budget.interrupt(flag);
        self
    }

    /// Record `q(t, x)` at every trace point under `name` (in
    /// [`Solution::quantities`], or per column of a batch in [`ColumnResult::quantities`], with
    /// `x` the column): a distance to a known optimum, a residual, a norm. The probe must not
    /// allocate if the run is to stay allocation-free.
    pub fn record(
        mut self,
        name: &str,
        q: impl Fn(f64, &[f64]) -> f64 + Send + Sync + 'static,
    ) -> Self {
        self.probes.push((name.to_string(), Arc::new(q)));
        self
    }

    /// Stop with [`Status::Certified`] when `p(t, x)` holds, checked on the initial state and
    /// then every `k ≥ 1` steps (an optimality certificate such as a duality gap below a
    /// tolerance; make `k` larger when `p` is costly). In a batch, each column `x` is checked
    /// and stops on its own.
    pub fn stop_when(
        mut self,
        k: usize,
        p: impl Fn(f64, &[f64]) -> bool + Send + Sync + 'static,
    ) -> Result<Self> {
        if k == 0 {
            return Err(Error::invalid(
                "stop_when every",
                0,
                "check the predicate every k >= 1 steps",
            ));
        }
        self.stop_when = Some((k, Arc::new(p)));
        Ok(self)
    }

    /// In a batched run, stop each column with [`Status::Certified`] when the field's
    /// optimality certificate ([`BatchField::certify_into`]: a duality gap, a fixed-point
    /// residual) is `≤ tol`, checked on the initial states and then every `k ≥ 1` steps (a column
    /// certified at the start takes no step). The last certificate of each column is
    /// in [`ColumnResult::certificate`].
    pub fn certify(mut self, tol: f64, k: usize) -> Result<Self> {
        crate::error::check_nonnegative(
            "certificate tolerance",
            tol,
            "use a small non-negative number such as 1e-6",
        )?;
        if k == 0 {
            return Err(Error::invalid(
                "certify every",
                0,
                "check the certificate every k >= 1 steps",
            ));
        }
        self.certify = Some((tol, k));
        Ok(self)
    }

    /// The step size (for adaptive steppers, the first one).
    pub fn dt(&self) -> f64 {
        self.dt
    }
    /// The step limit, if any.
    pub fn max_steps_limit(&self) -> Option<usize> {
        self.budget.max_steps()
    }

    /// Integrate `ẋ = f(t, x)` from `x0` with `stepper` until a stop rule fires.
    pub fn solve<F, S>(&self, f: &mut F, stepper: &mut S, x0: &[f64]) -> Result<Solution>
    where
        F: VectorField + ?Sized,
        S: Stepper<F> + ?Sized,
    {
        self.run(&mut Ode { field: f, stepper }, x0, Silent)
    }

    /// [`solve`](Run::solve), showing the run to `observer` (at the initial state, then every
    /// [`Observer::every`] steps and at the end); its `Break(())` stops the run with
    /// [`Status::Interrupted`].
    pub fn solve_with_observer<F, S, O>(
        &self,
        f: &mut F,
        stepper: &mut S,
        x0: &[f64],
        observer: O,
    ) -> Result<Solution>
    where
        F: VectorField + ?Sized,
        S: Stepper<F> + ?Sized,
        O: for<'o> Observer<Observation<'o>>,
    {
        self.run(&mut Ode { field: f, stepper }, x0, observer)
    }

    /// Iterate a discrete map `x ← T(x)` from `x0` (one step = one update, `t` counts
    /// updates) until a fixed point, a two-cycle (for maps that may cycle) or another stop rule.
    /// Build the run with `Run::new(1.0)?.max_steps(n)`.
    pub fn iterate<M: DiscreteMap + ?Sized>(&self, map: &mut M, x0: &[f64]) -> Result<Solution> {
        self.run(&mut Iterate::new(map), x0, Silent)
    }

    /// [`iterate`](Run::iterate) with an observer.
    pub fn iterate_with_observer<M, O>(
        &self,
        map: &mut M,
        x0: &[f64],
        observer: O,
    ) -> Result<Solution>
    where
        M: DiscreteMap + ?Sized,
        O: for<'o> Observer<Observation<'o>>,
    {
        self.run(&mut Iterate::new(map), x0, observer)
    }
}
