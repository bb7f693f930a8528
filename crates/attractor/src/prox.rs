//! Proximal maps of the regularisers used by sparse and constrained reconstruction
//! (Parikh & Boyd, *Proximal Algorithms*, 2014; Gokhale, Davydov, Bullo, arXiv:2409.10664).

use crate::energy::Prox;
use crate::error::{Result, check_nonnegative};

/// `g(x) = λ‖x‖₁`; `prox_{γg}(z) = sign(z) max(|z| − γλ, 0)` (the soft threshold).
#[derive(Debug, Clone, Copy)]
pub struct SoftThreshold {
    lambda: f64,
}

impl SoftThreshold {
    /// `λ ≥ 0`.
    pub fn new(lambda: f64) -> Result<Self> {
        check_nonnegative(
            "lambda",
            lambda,
            "the l1 weight must be a non-negative number",
        )?;
        Ok(Self { lambda })
    }
}

impl Prox for SoftThreshold {
    fn value(&self, x: &[f64]) -> f64 {
        self.lambda * x.iter().map(|v| v.abs()).sum::<f64>()
    }
    fn prox_into(&self, gamma: f64, z: &[f64], out: &mut [f64]) {
        let t = gamma * self.lambda;
        for (o, &v) in out.iter_mut().zip(z) {
            *o = v.signum() * (v.abs() - t).max(0.0);
        }
    }
}

/// `g(x) = λ‖x‖₁ + ι_{x ≥ 0}`; `prox_{γg}(z) = max(z − γλ, 0)` (a shifted ReLU).
#[derive(Debug, Clone, Copy)]
pub struct NonNegativeSoftThreshold {
    lambda: f64,
}

impl NonNegativeSoftThreshold {
    /// `λ ≥ 0`.
    pub fn new(lambda: f64) -> Result<Self> {
        check_nonnegative(
            "lambda",
            lambda,
            "the l1 weight must be a non-negative number",
        )?;
        Ok(Self { lambda })
    }
}

impl Prox for NonNegativeSoftThreshold {
    fn value(&self, x: &[f64]) -> f64 {
        if x.iter().any(|&v| v < 0.0) {
            f64::INFINITY
        } else {
            self.lambda * x.iter().sum::<f64>()
        }
    }
    fn prox_into(&self, gamma: f64, z: &[f64], out: &mut [f64]) {
        let t = gamma * self.lambda;
        for (o, &v) in out.iter_mut().zip(z) {
            *o = (v - t).max(0.0);
        }
    }
}

/// The elastic net `g(x) = λ₁‖x‖₁ + ½λ₂‖x‖²` (Zou & Hastie 2005);
/// `prox_{γg}(z) = soft_{γλ₁}(z) / (1 + γλ₂)`.
#[derive(Debug, Clone, Copy)]
pub struct ElasticNet {
    l1: f64,
    l2: f64,
}

impl ElasticNet {
    /// `λ₁ ≥ 0`, `λ₂ ≥ 0`.
    pub fn new(l1: f64, l2: f64) -> Result<Self> {
        check_nonnegative(
            "l1 weight",
            l1,
            "the l1 weight must be a non-negative number",
        )?;
        check_nonnegative(
            "l2 weight",
            l2,
            "the l2 weight must be a non-negative number",
        )?;
        Ok(Self { l1, l2 })
    }
}

impl Prox for ElasticNet {
    fn value(&self, x: &[f64]) -> f64 {
        x.iter()
            .map(|v| self.l1 * v.abs() + 0.5 * self.l2 * v * v)
            .sum()
    }
    fn prox_into(&self, gamma: f64, z: &[f64], out: &mut [f64]) {
        let (t, s) = (gamma * self.l1, 1.0 / (1.0 + gamma * self.l2));
        for (o, &v) in out.iter_mut().zip(z) {
            *o = v.signum() * (v.abs() - t).max(0.0) * s;
        }
    }
}

/// The indicator of the non-negative orthant `x ≥ 0`; its prox is `max(z, 0)` (a ReLU) for
/// every `γ`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NonNegative;

impl Prox for NonNegative {
    fn value(&self, x: &[f64]) -> f64 {
        if x.iter().all(|&v| v >= 0.0) {
            0.0
        } else {
            f64::INFINITY
        }
    }
    fn prox_into(&self, _gamma: f64, z: &[f64], out: &mut [f64]) {
        for (o, &v) in out.iter_mut().zip(z) {
            *o = v.max(0.0);
        }
    }
}

/// The indicator of a box `[lo, hi]`; its prox is the clip onto the box (for every `γ`).
#[derive(Debug, Clone)]
pub struct BoxProx {
    set: crate::flow::BoxSet,
}

impl BoxProx {
    /// The indicator of `[lo, hi]` (componentwise).
    pub fn new(lo: Vec<f64>, hi: Vec<f64>) -> Result<Self> {
        Ok(Self {
            set: crate::flow::BoxSet::new(lo, hi)?,
        })
    }
    /// The number of variables the box constrains.
    pub fn dim(&self) -> usize {
        self.set.lo().len()
    }
}

impl Prox for BoxProx {
    fn value(&self, x: &[f64]) -> f64 {
        let inside = x
            .iter()
            .zip(self.set.lo())
            .zip(self.set.hi())
            .all(|((&v, &l), &h)| v >= l && v <= h);
        if inside { 0.0 } else { f64::INFINITY }
    }
    fn prox_into(&self, _gamma: f64, z: &[f64], out: &mut [f64]) {
        for (((o, &v), &l), &h) in out.iter_mut().zip(z).zip(self.set.lo()).zip(self.set.hi()) {
            *o = v.clamp(l, h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each prox is the minimiser of `g(x) + ‖x − z‖²/(2γ)`: check against a 1-D grid search.
    #[test]
    fn prox_maps_minimise_their_objective() {
        let maps: Vec<Box<dyn Prox>> = vec![
            Box::new(SoftThreshold::new(0.7).unwrap()),
            Box::new(NonNegativeSoftThreshold::new(0.7).unwrap()),
            Box::new(BoxProx::new(vec![-0.5], vec![0.8]).unwrap()),
            Box::new(ElasticNet::new(0.7, 1.3).unwrap()),
            Box::new(NonNegative),
        ];
        let gamma = 0.6;
        for g in &maps {
            for &z in &[-2.0, -0.3, 0.0, 0.2, 0.5, 1.7] {
                let mut p = [0.0];
                g.prox_into(gamma, &[z], &mut p);
                let obj = |x: f64| g.value(&[x]) + (x - z) * (x - z) / (2.0 * gamma);
                let best = (-4000..=4000)
                    .map(|k| k as f64 * 1e-3)
                    .map(obj)
                    .fold(f64::INFINITY, f64::min);
                assert!(
                    obj(p[0]) <= best + 1e-9,
                    "z = {z}: prox {} not optimal",
                    p[0]
                );
            }
        }
    }

    #[test]
    fn negative_lambda_is_rejected() {
        let e = SoftThreshold::new(-1.0).unwrap_err().to_string();
        assert!(e.contains("lambda") && e.contains("-1"), "{e}");
    }
}
