//! The gradient flow of a [`BatchEnergy`] on a batch of states, `Ẋ = −∇E(X)` column by
//! column, or its projected form on a box `[lo, hi]`,
//! `Ẋ = (Π(X − ε∇E(X)) − X)/ε`, whose Euler step of size `ε` is exactly the projected
//! gradient step `X ← Π(X − ε∇E(X))` (Scellier & Bengio's relaxation of hard-sigmoid
//! networks) and which vanishes exactly at the constrained fixed points, so the steady-state
//! rule of the run loop applies unchanged.

use crate::energy::BatchEnergy;
use crate::run::BatchField;
use faer::{MatMut, MatRef};

/// The (projected) gradient flow of a batched energy (module docs).
#[derive(Debug, Clone)]
pub struct BatchGradientFlow<E> {
    energy: E,
    /// `(lo, hi, ε)` of the projected form.
    projection: Option<(f64, f64, f64)>,
    caveat: Option<String>,
}

impl<E: BatchEnergy> BatchGradientFlow<E> {
    /// `Ẋ = −∇E(X)`.
    pub fn new(energy: E) -> Self {
        Self {
            energy,
            projection: None,
            caveat: None,
        }
    }
    /// `Ẋ = (Π_{[lo, hi]}(X − ε∇E(X)) − X)/ε`, run with Euler steps of size `ε`; `caveat` says
    /// when the energy may rise (a step too large for the curvature).
    pub fn projected(energy: E, lo: f64, hi: f64, eps: f64, caveat: Option<String>) -> Self {
        Self {
            energy,
            projection: Some((lo, hi, eps)),
            caveat,
        }
    }
    /// The energy.
    pub fn energy(&self) -> &E {
        &self.energy
    }
    /// The energy, mutably (to switch a phase, say).
    pub fn energy_mut(&mut self) -> &mut E {
        &mut self.energy
    }
}

impl<E: BatchEnergy> BatchField for BatchGradientFlow<E> {
    fn dim(&self) -> usize {
        self.energy.dim()
    }
    fn eval_batch_into(&mut self, _t: f64, x: MatRef<'_, f64>, mut dx: MatMut<'_, f64>) {
        self.energy.gradients_into(x, dx.as_mut());
        match self.projection {
            Some((lo, hi, eps)) => {
                let inv_eps = 1.0 / eps;
                for j in 0..x.ncols() {
                    for i in 0..x.nrows() {
                        let (xi, g) = (x[(i, j)], dx[(i, j)]);
                        dx[(i, j)] = ((xi - eps * g).clamp(lo, hi) - xi) * inv_eps;
                    }
                }
            }
            None => {
                for j in 0..x.ncols() {
                    for i in 0..x.nrows() {
                        dx[(i, j)] = -dx[(i, j)];
                    }
                }
            }
        }
    }
    fn energies_into(&mut self, _t: f64, x: MatRef<'_, f64>, out: &mut [f64]) -> bool {
        self.energy.energies_into(x, out);
        true
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        self.caveat.clone()
    }
    fn select_columns(&mut self, ids: &[usize]) {
        self.energy.select_columns(ids);
    }
}
