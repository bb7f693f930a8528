use super::{StepFailure, StepReport, Stepper, axpy_into, resize};
use crate::flow::VectorField;

/// The classical fourth-order Runge–Kutta method (Kutta 1901).
#[derive(Debug, Clone, Default)]
pub struct Rk4 {
    k1: Vec<f64>,
    k2: Vec<f64>,
    k3: Vec<f64>,
    k4: Vec<f64>,
    tmp: Vec<f64>,
}

impl Rk4 {
    /// A new RK4 stepper.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<F: VectorField + ?Sized> Stepper<F> for Rk4 {
    fn name(&self) -> &'static str {
        "rk4"
    }
    fn init(&mut self, f: &mut F, _t0: f64, _x0: &[f64]) -> usize {
        let n = f.dim();
        for v in [
            &mut self.k1,
            &mut self.k2,
            &mut self.k3,
            &mut self.k4,
            &mut self.tmp,
        ] {
            resize(v, n);
        }
        0
    }
    fn step(
        &mut self,
        f: &mut F,
        t: f64,
        x: &mut [f64],
        h: f64,
    ) -> Result<StepReport, StepFailure> {
        let h2 = 0.5 * h;
        f.eval_into(t, x, &mut self.k1);
        axpy_into(&mut self.tmp, x, h2, &self.k1);
        f.eval_into(t + h2, &self.tmp, &mut self.k2);
        axpy_into(&mut self.tmp, x, h2, &self.k2);
        f.eval_into(t + h2, &self.tmp, &mut self.k3);
        axpy_into(&mut self.tmp, x, h, &self.k3);
        f.eval_into(t + h, &self.tmp, &mut self.k4);
        let h6 = h / 6.0;
        for i in 0..x.len() {
            x[i] += h6 * (self.k1[i] + 2.0 * (self.k2[i] + self.k3[i]) + self.k4[i]);
        }
        f.project_state(x);
        Ok(StepReport {
            h_taken: h,
            h_next: h,
            n_evals: 4,
            n_rejected: 0,
        })
    }
    fn derivative(&self) -> &[f64] {
        &self.k1
    }
}
