use super::{StepFailure, StepReport, Stepper, resize};
use crate::flow::VectorField;

/// Explicit Euler, `x_{n+1} = x_n + h f(t_n, x_n)` (order 1).
///
/// ```
/// use attractor::energy::FnEnergy;
/// use attractor::flow::GradientFlow;
/// use attractor::step::{Euler, Stepper};
/// let mut f = GradientFlow::new(FnEnergy::new(1, |x: &[f64]| 0.5 * x[0] * x[0], |x: &[f64], g: &mut [f64]| g[0] = x[0]));
/// let mut s = Euler::new();
/// let mut x = [1.0];
/// s.init(&mut f, 0.0, &x);
/// s.step(&mut f, 0.0, &mut x, 0.1).unwrap();
/// assert!((x[0] - 0.9).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Euler {
    k1: Vec<f64>,
}

impl Euler {
    /// A new explicit Euler stepper.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<F: VectorField + ?Sized> Stepper<F> for Euler {
    fn name(&self) -> &'static str {
        "euler"
    }
    fn init(&mut self, f: &mut F, _t0: f64, _x0: &[f64]) -> usize {
        resize(&mut self.k1, f.dim());
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
        for (xi, &ki) in x.iter_mut().zip(&self.k1) {
            *xi += h * ki;
        }
        f.project_state(x);
        Ok(StepReport {
            h_taken: h,
            h_next: h,
            n_evals: 1,
            n_rejected: 0,
        })
    }
    fn derivative(&self) -> &[f64] {
        &self.k1
    }
}
