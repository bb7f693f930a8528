use super::VectorField;
use crate::energy::Gradient;
use crate::error::{Result, check_finite, check_len};

/// A positive definite preconditioner `M(x)`: writes `M(x) g` into `out`.
pub trait Metric {
    /// `out = M(x) g`.
    fn apply_into(&mut self, x: &[f64], g: &[f64], out: &mut [f64]);
}

/// A constant positive diagonal preconditioner `M = diag(m)`.
#[derive(Debug, Clone)]
pub struct DiagonalMetric {
    m: Vec<f64>,
}

impl DiagonalMetric {
    /// `M = diag(m)`; every `m_i` must be finite and `> 0` (otherwise `M` is not positive
    /// definite and the energy need not decrease).
    pub fn new(m: Vec<f64>) -> Result<Self> {
        check_finite("diagonal preconditioner m", &m)?;
        if let Some(i) = m.iter().position(|&v| v <= 0.0) {
            return Err(crate::Error::invalid(
                &format!("m[{i}]"),
                m[i],
                "a diagonal preconditioner needs every entry > 0",
            ));
        }
        Ok(Self { m })
    }
}

impl Metric for DiagonalMetric {
    fn apply_into(&mut self, _x: &[f64], g: &[f64], out: &mut [f64]) {
        for ((o, &gi), &mi) in out.iter_mut().zip(g).zip(&self.m) {
            *o = mi * gi;
        }
    }
}

/// Any closure `|x, g, out|` writing `M(x) g` is a metric (the model guarantees `M(x) ≻ 0`).
impl<F: FnMut(&[f64], &[f64], &mut [f64])> Metric for F {
    fn apply_into(&mut self, x: &[f64], g: &[f64], out: &mut [f64]) {
        self(x, g, out)
    }
}

/// The preconditioned gradient flow `ẋ = −M(x)∇E(x)` with `M(x) ≻ 0`, so that
/// `Ė = −∇Eᵀ M ∇E ≤ 0`. The continuous Hopfield network is of this form with
/// `M(x) = diag(Φ′(x))⁻¹/τ` (Hopfield 1984; tutorial §II).
///
/// ```
/// use attractor::energy::FnEnergy;
/// use attractor::flow::{DiagonalMetric, PreconditionedFlow, VectorField};
/// let e = FnEnergy::new(2, |x: &[f64]| x[0] * x[0] + x[1] * x[1],
///     |x: &[f64], g: &mut [f64]| { g[0] = 2.0 * x[0]; g[1] = 2.0 * x[1]; });
/// let mut flow = PreconditionedFlow::new(e, DiagonalMetric::new(vec![1.0, 0.5]).unwrap()).unwrap();
/// let mut dx = [0.0; 2];
/// flow.eval_into(0.0, &[1.0, 1.0], &mut dx);
/// assert_eq!(dx, [-2.0, -1.0]);
/// ```
#[derive(Debug, Clone)]
pub struct PreconditionedFlow<E, M> {
    energy: E,
    metric: M,
    grad: Vec<f64>,
}

impl<E: Gradient, M: Metric> PreconditionedFlow<E, M> {
    /// `ẋ = −M(x)∇E(x)`.
    pub fn new(energy: E, metric: M) -> Result<Self> {
        let n = energy.dim();
        Ok(Self {
            energy,
            metric,
            grad: vec![0.0; n],
        })
    }
}

impl<E: Gradient> PreconditionedFlow<E, DiagonalMetric> {
    /// `ẋ = −diag(m)∇E(x)`, checking that `m` has the energy's dimension.
    pub fn diagonal(energy: E, m: Vec<f64>) -> Result<Self> {
        check_len(
            "diagonal preconditioner m",
            m.len(),
            energy.dim(),
            "pass one positive entry per state variable",
        )?;
        Self::new(energy, DiagonalMetric::new(m)?)
    }
}

impl<E: Gradient, M: Metric> VectorField for PreconditionedFlow<E, M> {
    fn dim(&self) -> usize {
        self.energy.dim()
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        self.energy.gradient_into(x, &mut self.grad);
        self.metric.apply_into(x, &self.grad, dx);
        for v in dx.iter_mut() {
            *v = -*v;
        }
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        Some(self.energy.energy(x))
    }
}
