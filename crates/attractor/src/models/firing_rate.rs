//! The firing-rate network (Wilson & Cowan 1972; tutorial §III):
//!
//! `τṙ = −r + Φ(Wr + u)`
//!
//! with, for symmetric `W`, the energy
//!
//! `E(r) = −½rᵀWr − uᵀr + Σᵢ ∫₀^{rᵢ} Φ⁻¹(s) ds`,
//!
//! `∇E = Φ⁻¹(r) − (Wr + u)`, whose sign is opposite to that of `ṙ` componentwise, so `Ė ≤ 0`
//! while `r` stays in the range of `Φ` (forward invariant for explicit steps with `dt ≤ τ`).

use super::{Activation, asymmetry_caveat, is_asymmetric, validate_weights};
use crate::energy::{Energy, Gradient};
use crate::error::{Result, check_finite, check_len, check_positive};
use crate::flow::VectorField;
use crate::linalg::{dot, matvec_into, matvec_t_into};
use faer::{Mat, MatMut};

/// A firing-rate network `τṙ = −r + Φ(Wr + u)`.
///
/// ```
/// use attractor::models::{Activation, FiringRateNetwork, random_symmetric_weights};
/// let net = FiringRateNetwork::new(random_symmetric_weights(10, 0.3, 1).unwrap(), Activation::Tanh).unwrap();
/// let c = attractor::analysis::contraction(&net.weights(), Activation::Tanh, 1.0).unwrap();
/// assert!(c.contracting);
/// ```
#[derive(Debug, Clone)]
pub struct FiringRateNetwork {
    w: Mat<f64>,
    input: Vec<f64>,
    tau: f64,
    activation: Activation,
    asymmetry: f64,
}

impl FiringRateNetwork {
    /// A network with couplings `W` (square, finite), no input and `τ = 1`.
    pub fn new(w: Mat<f64>, activation: Activation) -> Result<Self> {
        let asymmetry = validate_weights(&w)?;
        let n = w.nrows();
        Ok(Self {
            w,
            input: vec![0.0; n],
            tau: 1.0,
            activation,
            asymmetry,
        })
    }
    /// Set the constant input `u`.
    pub fn with_input(mut self, u: Vec<f64>) -> Result<Self> {
        check_len("input u", u.len(), self.dim(), "pass one input per neuron")?;
        check_finite("input u", &u)?;
        self.input = u;
        Ok(self)
    }
    /// Set the time constant `τ > 0`.
    pub fn with_tau(mut self, tau: f64) -> Result<Self> {
        check_positive("tau", tau, "the time constant must be positive")?;
        self.tau = tau;
        Ok(self)
    }
    /// Number of neurons.
    pub fn dim(&self) -> usize {
        self.w.nrows()
    }
    /// The couplings `W`.
    pub fn weights(&self) -> &Mat<f64> {
        &self.w
    }
    /// The activation `Φ`.
    pub fn activation(&self) -> Activation {
        self.activation
    }
    /// `max |W_ij − W_ji|`.
    pub fn asymmetry(&self) -> f64 {
        self.asymmetry
    }
    /// Whether `W = Wᵀ` (to rounding).
    pub fn is_symmetric(&self) -> bool {
        !is_asymmetric(&self.w, self.asymmetry)
    }
    /// The network bound to its scratch buffers.
    pub fn flow(&self) -> FiringRateFlow<'_> {
        FiringRateFlow {
            net: self,
            wr: vec![0.0; self.dim()],
        }
    }
}

/// A [`FiringRateNetwork`] with its scratch buffer.
#[derive(Debug, Clone)]
pub struct FiringRateFlow<'a> {
    net: &'a FiringRateNetwork,
    wr: Vec<f64>,
}

impl VectorField for FiringRateFlow<'_> {
    fn dim(&self) -> usize {
        self.net.dim()
    }
    fn eval_into(&mut self, _t: f64, r: &[f64], dr: &mut [f64]) {
        if self.net.is_symmetric() {
            matvec_t_into(
                self.net.w.as_ref(),
                r,
                &mut self.wr,
                crate::linalg::ALL_THREADS,
            );
        } else {
            matvec_into(self.net.w.as_ref(), r, &mut self.wr);
        }
        for (y, u) in self.wr.iter_mut().zip(&self.net.input) {
            *y += u;
        }
        self.net.activation.phi_into(&self.wr, dr);
        let inv_tau = 1.0 / self.net.tau;
        for i in 0..r.len() {
            dr[i] = (dr[i] - r[i]) * inv_tau;
        }
    }
    fn energy_at(&mut self, _t: f64, r: &[f64]) -> Option<f64> {
        Some(Energy::energy(self, r))
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        (!self.net.is_symmetric()).then(|| asymmetry_caveat(self.net.asymmetry))
    }
    /// `∂f/∂r = (−I + diag(Φ′(Wr + u)) W)/τ`.
    fn jacobian_into(&mut self, _t: f64, r: &[f64], mut jac: MatMut<'_, f64>) -> bool {
        matvec_into(self.net.w.as_ref(), r, &mut self.wr);
        let a = self.net.activation;
        let inv_tau = 1.0 / self.net.tau;
        for i in 0..r.len() {
            let s = a.dphi(self.wr[i] + self.net.input[i]) * inv_tau;
            for j in 0..r.len() {
                jac[(i, j)] = s * self.net.w[(i, j)];
            }
            jac[(i, i)] -= inv_tau;
        }
        true
    }
}

impl Energy for FiringRateFlow<'_> {
    fn dim(&self) -> usize {
        self.net.dim()
    }
    fn energy(&mut self, r: &[f64]) -> f64 {
        matvec_into(self.net.w.as_ref(), r, &mut self.wr);
        let a = self.net.activation;
        let mut e = -0.5 * dot(r, &self.wr) - dot(&self.net.input, r);
        for &ri in r {
            e += a.integral_inverse(ri);
        }
        e
    }
}

impl Gradient for FiringRateFlow<'_> {
    /// `∇E = Φ⁻¹(r) − Wr − u` (NaN outside the range of `Φ`).
    fn gradient_into(&mut self, r: &[f64], grad: &mut [f64]) {
        matvec_into(self.net.w.as_ref(), r, &mut self.wr);
        let a = self.net.activation;
        for i in 0..r.len() {
            grad[i] = a.inverse(r[i]) - self.wr[i] - self.net.input[i];
        }
    }
}
