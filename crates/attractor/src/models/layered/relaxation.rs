//! How a layered network is relaxed to equilibrium: the step, the number of steps and an
//! optional steady-state tolerance, run by the shared batch loop ([`Run::solve_batch`]) with
//! explicit Euler steps (for the hard sigmoid, projected gradient steps).

use super::{Cost, LayeredFlow, LayeredNetwork, Phase};
use crate::error::{Error, Result};
use crate::run::{BatchSolution, Run};
use crate::step::Euler;
use faer::{Mat, MatRef, Par};

/// The settings of one relaxation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Relaxation {
    /// The step `ε` (Scellier & Bengio use 0.5 with the hard sigmoid).
    pub epsilon: f64,
    /// The most steps.
    pub max_steps: usize,
    /// Stop a column once `‖ṡ‖ ≤ tol` (a steady state), if set; else run every step.
    pub tol: Option<f64>,
}

impl Relaxation {
    /// `steps` steps of size `epsilon`, no tolerance.
    pub fn fixed(epsilon: f64, steps: usize) -> Self {
        Self {
            epsilon,
            max_steps: steps,
            tol: None,
        }
    }
    /// Check the settings (`what` names the phase in the message).
    pub fn validate(&self, what: &str) -> Result<()> {
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err(Error::invalid(
                "epsilon",
                self.epsilon,
                "the relaxation step must be finite and > 0 (e.g. 0.5)",
            ));
        }
        if self.max_steps == 0 {
            return Err(Error::invalid(
                &format!("{what} steps"),
                0,
                "a relaxation needs at least one step (e.g. 20 free, 4 nudged)",
            ));
        }
        if let Some(t) = self.tol
            && !(t.is_finite() && t > 0.0)
        {
            return Err(Error::invalid(
                &format!("{what} tolerance"),
                t,
                "the steady-state tolerance must be finite and > 0 (e.g. 1e-6)",
            ));
        }
        Ok(())
    }
    /// The run these settings describe (energies not evaluated: fastest).
    pub fn run(&self) -> Result<Run> {
        let mut run = Run::new(self.epsilon)?
            .max_steps(self.max_steps)
            .energy_every(0);
        if let Some(t) = self.tol {
            run = run.steady_state(0.0, t)?;
        }
        Ok(run)
    }
    /// Relax every column of `s0` (`D × b`, overwritten by the equilibria) under `flow`'s
    /// phase; returns the batch solution (per-column status and steps).
    pub fn relax(&self, flow: &mut LayeredFlow<'_>, s0: MatRef<'_, f64>) -> Result<BatchSolution> {
        if flow.phase() == Phase::Clamped {
            let mut s = s0.to_owned();
            flow.clamp_outputs(s.as_mut());
            return self.run()?.solve_batch(flow, &mut Euler::new(), s.as_ref());
        }
        self.run()?.solve_batch(flow, &mut Euler::new(), s0)
    }
}

impl LayeredNetwork {
    /// The free equilibria for the inputs `x` (`d_0 × n`, checked), started from zero, in
    /// column blocks of `batch` (`D × n`).
    pub fn relax_free(
        &self,
        x: MatRef<'_, f64>,
        relaxation: &Relaxation,
        batch: usize,
        par: Par,
    ) -> Result<Mat<f64>> {
        crate::linalg::check_dense_size("free states", self.state_dim(), x.ncols())?;
        let zeros = Mat::<f64>::zeros(self.state_dim(), x.ncols());
        self.relax_free_from(x, zeros.as_ref(), relaxation, batch, par)
    }

    /// The free equilibria for the inputs `x`, started from `init` (`D × n`): for persistent
    /// states (Scellier & Bengio measure their test error on persistent test particles, which
    /// each evaluation relaxes further from where the last one left them).
    pub fn relax_free_from(
        &self,
        x: MatRef<'_, f64>,
        init: MatRef<'_, f64>,
        relaxation: &Relaxation,
        batch: usize,
        par: Par,
    ) -> Result<Mat<f64>> {
        self.check_inputs("inputs x", x)?;
        relaxation.validate("free")?;
        let n = x.ncols();
        crate::error::check_len(
            "initial states (rows)",
            init.nrows(),
            self.state_dim(),
            "give one row per state variable (the sum of the non-input widths)",
        )?;
        crate::error::check_len(
            "initial states (columns)",
            init.ncols(),
            n,
            "give one initial state per input",
        )?;
        let mut out = Mat::zeros(self.state_dim(), n);
        let batch = batch.max(1);
        let mut start = 0;
        while start < n {
            let b = batch.min(n - start);
            let xb = x.subcols(start, b);
            let mut flow =
                LayeredFlow::new(self, xb, None, relaxation.epsilon, Cost::SquaredError, par)?;
            let sol = relaxation.relax(&mut flow, init.subcols(start, b))?;
            out.as_mut()
                .subcols_mut(start, b)
                .copy_from(sol.states.as_ref());
            start += b;
        }
        Ok(out)
    }

    /// The output layer at the free equilibria of the inputs `x` (`d_L × n`).
    pub fn predict_outputs(
        &self,
        x: MatRef<'_, f64>,
        relaxation: &Relaxation,
        par: Par,
    ) -> Result<Mat<f64>> {
        let s = self.relax_free(x, relaxation, 256, par)?;
        let rows = self.output_rows();
        Ok(s.as_ref().subrows(rows.start, rows.len()).to_owned())
    }

    /// The predicted class (the most active output unit) of each input column.
    pub fn predict_classes(
        &self,
        x: MatRef<'_, f64>,
        relaxation: &Relaxation,
        par: Par,
    ) -> Result<Vec<usize>> {
        let out = self.predict_outputs(x, relaxation, par)?;
        Ok(Self::classes_of(out.as_ref()))
    }

    /// The most active unit of each column of `outputs` (`d_L × n`).
    pub fn classes_of(out: MatRef<'_, f64>) -> Vec<usize> {
        (0..out.ncols())
            .map(|j| {
                let c = out.col(j);
                let mut best = 0;
                for i in 1..c.nrows() {
                    if c[i] > c[best] {
                        best = i;
                    }
                }
                best
            })
            .collect()
    }
}
