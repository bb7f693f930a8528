//! A single run: one state advanced by an [`Evolution`], driven by the one run loop as a batch
//! of one column (so a single run and column `j` of a batch obey the same rules, step for
//! step).

use super::driver::{Col, Columns, Moment, Shape, Watch};
use super::{Evolution, Observation, Observer, Run, Solution, Status};
use crate::error::Result;
use crate::step::{StepFailure, StepReport};
use std::ops::ControlFlow;

/// An [`Evolution`] as a block of one column.
struct One<'a, E: ?Sized>(&'a mut E);

impl<E: Evolution + ?Sized> Columns for One<'_, E> {
    const ONE: bool = true;
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn start(&mut self, t0: f64, x: &mut [f64], _ids: &[usize]) -> usize {
        self.0.init(t0, x)
    }
    fn resize(&mut self, _t: f64, _x: &[f64], _ids: &[usize], _changed: bool) -> usize {
        // one column: the block never shrinks while it runs
        0
    }
    #[inline]
    fn advance(
        &mut self,
        t: f64,
        x: &mut [f64],
        dt: f64,
    ) -> std::result::Result<StepReport, StepFailure> {
        self.0.advance(t, x, dt)
    }
    #[inline]
    fn is_adaptive(&self) -> bool {
        self.0.is_adaptive()
    }
    #[inline]
    fn energies(&mut self, t: f64, x: &[f64], out: &mut [f64]) -> bool {
        match self.0.energy_at(t, x) {
            Some(e) => {
                out[0] = e;
                true
            }
            None => false,
        }
    }
    #[inline]
    fn rate_norm(&self, _k: usize) -> Option<f64> {
        self.0.rate_norm()
    }
    #[inline]
    fn settled(&self, _k: usize) -> Option<Status> {
        self.0.settled()
    }
    fn certify(&mut self, _t: f64, _x: &mut [f64], _tol: f64, _out: &mut [f64]) -> bool {
        false
    }
    fn final_energies(
        &mut self,
        _want: bool,
        _t: f64,
        columns: &[Col],
        states: &[f64],
        out: &mut [f64],
    ) -> bool {
        // a single run reports the energy of its final state always (one evaluation)
        self.energies(columns[0].result.t, states, out)
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        self.0.lyapunov_caveat()
    }
}

/// A single run's observer: shown the state at step 0, every [`Observer::every`] steps, at the
/// step where the run stops and, when that step was not shown, the final state.
struct Single<O>(O);

impl<O: for<'o> Observer<Observation<'o>>> Watch for Single<O> {
    const AT_STOPS: bool = true;
    fn every(&self) -> usize {
        Observer::<Observation<'_>>::every(&self.0)
    }
    fn step(&mut self, m: &Moment<'_>) -> ControlFlow<()> {
        // the energy of this step, unless it was the non-finite one that stopped the run
        let energy = m
            .energies
            .map(|e| e[0])
            .filter(|_| !matches!(m.columns[0].stop, Some(Status::Diverged(_))));
        self.0.observe(&Observation {
            step: m.step,
            t: m.columns[0].result.t,
            x: m.x,
            energy,
        })
    }
    fn end(&mut self, step: usize, states: &[f64], columns: &[Col]) {
        // the run is over: a request to stop changes nothing
        let _ = self.0.observe(&Observation {
            step,
            t: columns[0].result.t,
            x: states,
            energy: None,
        });
    }
}

impl Run {
    /// Advance any [`Evolution`] from `x0` until a stop rule fires, showing the run to
    /// `observer`. [`solve`](Run::solve) and [`iterate`](Run::iterate) call this; a new kind
    /// of dynamics implements [`Evolution`] and calls it directly.
    ///
    /// This is the batch loop of [`solve_batch`](Run::solve_batch) on a batch of one column:
    /// the stop rules, the trace, the best state and the Lyapunov monitor are the same code.
    pub fn run<E, O>(&self, sys: &mut E, x0: &[f64], observer: O) -> Result<Solution>
    where
        E: Evolution + ?Sized,
        O: for<'o> Observer<Observation<'o>>,
    {
        self.check_start(sys.dim(), x0, "initial state x0")?;
        let shape = Shape {
            name_columns: false,
            trace: true,
            final_energy: true,
        };
        let out = self.drive(&mut One(sys), x0.to_vec(), 1, &mut Single(observer), shape)?;
        let Some(c) = out.columns.into_iter().next() else {
            unreachable!("the loop returns one result per column")
        };
        let c = c.finish(&out.names);
        Ok(Solution {
            state: out.states,
            energy: c.energy,
            t: c.t,
            n_steps: c.n_steps,
            n_evals: out.n_evals,
            n_rejected: out.n_rejected,
            trace: c.trace,
            quantities: c.quantities,
            elapsed: out.elapsed,
            status: c.status,
            max_energy_increase: c.max_energy_increase,
            lyapunov_caveat: out.lyapunov_caveat,
            best: c.best,
        })
    }
}
