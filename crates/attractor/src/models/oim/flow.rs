//! The flow of one replica in f64: the reference the f32 replica kernels are tested against,
//! and the flow whose Jacobian at binary phases is `−(L_s + 2 diag μ)` (Wang & Roychowdhury 2019).

use crate::error::{Error, Result, check_finite, check_len};
use crate::flow::VectorField;
use crate::problems::IsingModel;
use faer::MatMut;

/// The deterministic flow of one replica in f64, `θ̇ = −Σ_j J_ij sin(θ_i − θ_j) − μ_i sin 2θ_i`,
/// with its energy `E(θ) = −½Σ J_ij cos(θ_i − θ_j) − ½Σ μ_i cos 2θ_i` and analytic Jacobian.
/// The model must have no fields (use [`IsingModel::with_ancilla`]).
///
/// ```
/// use attractor::flow::VectorField;
/// use attractor::models::OimFlow;
/// use attractor::problems::IsingModel;
/// let m = IsingModel::from_couplings(2, vec![0.0; 2], &[(0, 1, -1.0)], 0.0)?;
/// let mut f = OimFlow::new(&m, vec![0.5; 2])?;
/// let mut dx = [0.0; 2];
/// f.eval_into(0.0, &[0.0, std::f64::consts::PI], &mut dx); // an antiferromagnetic equilibrium
/// assert!(dx.iter().all(|v| v.abs() < 1e-12));
/// # Ok::<(), attractor::Error>(())
/// ```
pub struct OimFlow<'a> {
    model: &'a IsingModel,
    mu: Vec<f64>,
    c: Vec<f64>,
    s: Vec<f64>,
}

impl<'a> OimFlow<'a> {
    /// Bind a field-free model and second-harmonic strengths `μ_i ≥ 0`.
    pub fn new(model: &'a IsingModel, mu: Vec<f64>) -> Result<Self> {
        if model.has_fields() {
            return Err(Error::Incompatible(
                "the oscillator machine has no field term; convert with IsingModel::with_ancilla() first".into(),
            ));
        }
        check_len(
            "mu",
            mu.len(),
            model.n(),
            "give one second-harmonic strength per spin",
        )?;
        check_mu(&mu)?;
        let n = model.n();
        Ok(Self {
            model,
            mu,
            c: vec![0.0; n],
            s: vec![0.0; n],
        })
    }
}

fn check_mu(mu: &[f64]) -> Result<()> {
    check_finite("mu", mu)?;
    if let Some(k) = mu.iter().position(|&v| v < 0.0) {
        return Err(Error::invalid(
            &format!("mu[{k}]"),
            mu[k],
            "second-harmonic strengths must be >= 0",
        ));
    }
    Ok(())
}

impl VectorField for OimFlow<'_> {
    fn dim(&self) -> usize {
        self.model.n()
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        for i in 0..x.len() {
            (self.s[i], self.c[i]) = x[i].sin_cos();
        }
        for i in 0..x.len() {
            let (col, val) = self.model.row(i);
            let (mut a, mut b) = (0.0, 0.0);
            for (&j, &w) in col.iter().zip(val) {
                a += w * self.c[j as usize];
                b += w * self.s[j as usize];
            }
            dx[i] = -(self.s[i] * a - self.c[i] * b) - self.mu[i] * 2.0 * self.s[i] * self.c[i];
        }
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        let mut e = 0.0;
        for i in 0..x.len() {
            let (col, val) = self.model.row(i);
            for (&j, &w) in col.iter().zip(val) {
                e -= 0.5 * w * (x[i] - x[j as usize]).cos();
            }
            e -= 0.5 * self.mu[i] * (2.0 * x[i]).cos();
        }
        Some(e)
    }
    fn jacobian_into(&mut self, _t: f64, x: &[f64], mut jac: MatMut<'_, f64>) -> bool {
        let n = x.len();
        for i in 0..n {
            for j in 0..n {
                jac[(i, j)] = 0.0;
            }
        }
        for i in 0..n {
            let (col, val) = self.model.row(i);
            let mut diag = 0.0;
            for (&j, &w) in col.iter().zip(val) {
                let c = (x[i] - x[j as usize]).cos();
                jac[(i, j as usize)] += w * c;
                diag -= w * c;
            }
            jac[(i, i)] = diag - 2.0 * self.mu[i] * (2.0 * x[i]).cos();
        }
        true
    }
}
