use super::VectorField;
use crate::energy::Gradient;

/// The gradient flow `ẋ = −∇E(x)`, along which `Ė = −‖∇E‖² ≤ 0`.
///
/// ```
/// use attractor::energy::FnEnergy;
/// use attractor::flow::{GradientFlow, VectorField};
/// let e = FnEnergy::new(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| g[0] = 2.0 * x[0]);
/// let mut flow = GradientFlow::new(e);
/// let mut dx = [0.0];
/// flow.eval_into(0.0, &[1.5], &mut dx);
/// assert_eq!(dx, [-3.0]);
/// ```
#[derive(Debug, Clone)]
pub struct GradientFlow<E> {
    energy: E,
}

impl<E: Gradient> GradientFlow<E> {
    /// The gradient flow of `energy`.
    pub fn new(energy: E) -> Self {
        Self { energy }
    }
    /// The energy being descended.
    pub fn inner(&mut self) -> &mut E {
        &mut self.energy
    }
}

impl<E: Gradient> VectorField for GradientFlow<E> {
    fn dim(&self) -> usize {
        self.energy.dim()
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        self.energy.gradient_into(x, dx);
        for v in dx.iter_mut() {
            *v = -*v;
        }
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        Some(self.energy.energy(x))
    }
}
