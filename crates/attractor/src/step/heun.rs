use super::{StepFailure, StepReport, Stepper, axpy_into, resize};
use crate::flow::VectorField;

/// Heun's method (explicit trapezoid), order 2:
/// `k₁ = f(t, x)`, `k₂ = f(t + h, x + h k₁)`, `x ← x + h(k₁ + k₂)/2`.
#[derive(Debug, Clone, Default)]
pub struct Heun {
    k1: Vec<f64>,
    k2: Vec<f64>,
    tmp: Vec<f64>,
}

impl Heun {
    /// A new Heun stepper.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<F: VectorField + ?Sized> Stepper<F> for Heun {
    fn name(&self) -> &'static str {
        "heun"
    }
    fn init(&mut self, f: &mut F, _t0: f64, _x0: &[f64]) -> usize {
        let n = f.dim();
        resize(&mut self.k1, n);
        resize(&mut self.k2, n);
        resize(&mut self.tmp, n);
        0
    }
    fn step(
        &mut self,
        f: &mut F,
        t: f64,
        x: &mut [f64],
        h: f64,
    ) -> Result<StepReport, StepFailure> {
        f.eval_into(t, x, &mut self.k1);
        axpy_into(&mut self.tmp, x, h, &self.k1);
        f.project_state(&mut self.tmp);
        f.eval_into(t + h, &self.tmp, &mut self.k2);
        let h2 = 0.5 * h;
        for ((xi, &a), &b) in x.iter_mut().zip(&self.k1).zip(&self.k2) {
            *xi += h2 * (a + b);
        }
        f.project_state(x);
        Ok(StepReport {
            h_taken: h,
            h_next: h,
            n_evals: 2,
            n_rejected: 0,
        })
    }
    fn derivative(&self) -> &[f64] {
        &self.k1
    }
}
