//! The continuous dense associative memory energy as a density model, with the stored patterns
//! as the parameters fitted by score matching:
//!
//! `E(x) = −β⁻¹ log Σ_μ exp(β ξ_μᵀx) + ‖x‖²/(2s²)`,
//!
//! the energy of the modern Hopfield network (Ramsauer et al., *Hopfield networks is all you
//! need*, ICLR 2021; Krotov & Hopfield, *Dense associative memory for pattern recognition*,
//! NeurIPS 2016, in its continuous form), here with a confinement scale `s`. For `β = 1` and
//! `s = 1`, `e^{−E} = Σ_μ e^{ξ_μᵀx − ½‖x‖²} ∝ Σ_μ e^{½‖ξ_μ‖²} N(x; ξ_μ, I)`: a Gaussian mixture
//! whose centres are the patterns, so fitting it to data recovers the clusters as memories.
//!
//! With `p = softmax(βΞᵀx)` (the attention over patterns), `ξ̄ = Ξp`, `c = Ξᵀv`:
//!
//! - `∇ₓE = x/s² − Ξp` (the update of the modern Hopfield network is `x ← Ξp`),
//! - `vᵀ∇²ₓE v = ‖v‖²/s² − β Var_p(c)`, `ΔE = d/s² − β(Σ_μ p_μ‖ξ_μ‖² − ‖ξ̄‖²)`,
//!
//! with the pattern derivatives in closed form. The patterns are stored one per column
//! (`d × K`, the one parameter block).

use super::{ScoreEnergy, debug_check_batch, matmul, matmul_add};
use crate::energy::{Energy, Gradient};
use crate::error::{Error, Result, check_positive};
use crate::learn::{BlockSpec, ParamBlocks};
use crate::linalg::check_matrix_finite;
use faer::{Mat, MatMut, MatRef};

/// `E(x) = −β⁻¹ log Σ_μ exp(βξ_μᵀx) + ‖x‖²/(2s²)` (see the module).
#[derive(Debug, Clone, PartialEq)]
pub struct DenseMemoryEnergy {
    /// `d × K`: column `μ` is `ξ_μ`.
    xi: Mat<f64>,
    beta: f64,
    scale: f64,
}

impl DenseMemoryEnergy {
    /// The energy of the patterns `xi` (`K × d`, one pattern per row), inverse temperature
    /// `β > 0` and confinement scale `s > 0`.
    pub fn new(xi: MatRef<'_, f64>, beta: f64, scale: f64) -> Result<Self> {
        let (k, d) = (xi.nrows(), xi.ncols());
        if k == 0 || d == 0 {
            return Err(Error::invalid(
                "patterns",
                format!("{k} x {d}"),
                "pass at least one pattern of at least one feature (one pattern per row)",
            ));
        }
        check_matrix_finite("patterns", xi)?;
        check_positive(
            "beta",
            beta,
            "the inverse temperature of the softmax over patterns must be > 0 (e.g. 1)",
        )?;
        check_positive(
            "scale",
            scale,
            "the confinement ‖x‖²/(2s²) needs s > 0 (1 makes a unit-variance mixture for beta = 1)",
        )?;
        Ok(Self {
            xi: xi.transpose().to_owned(),
            beta,
            scale,
        })
    }

    /// The patterns (`K × d`, one per row).
    pub fn patterns(&self) -> Mat<f64> {
        self.xi.transpose().to_owned()
    }
    /// The inverse temperature `β`.
    pub fn beta(&self) -> f64 {
        self.beta
    }
    /// The confinement scale `s`.
    pub fn scale(&self) -> f64 {
        self.scale
    }
    fn d(&self) -> usize {
        self.xi.nrows()
    }
    fn k(&self) -> usize {
        self.xi.ncols()
    }
    fn inv_s2(&self) -> f64 {
        1.0 / (self.scale * self.scale)
    }
    fn dot(&self, mu: usize, x: &[f64]) -> f64 {
        self.xi.col(mu).iter().zip(x).map(|(a, b)| a * b).sum()
    }
    /// `P = softmax(βΞᵀX)` per column, and `β⁻¹ log Σ e^{βa}` per column.
    fn attention(&self, x: MatRef<'_, f64>) -> (Mat<f64>, Vec<f64>) {
        let mut p = Mat::zeros(0, 0);
        let mut lse = vec![0.0; x.ncols()];
        self.attention_into(x, &mut p, &mut lse);
        (p, lse)
    }
    /// [`attention`](Self::attention) into `p`, and the log-sum-exps into `lse` when it has one
    /// entry per column (else they are not kept).
    fn attention_into(&self, x: MatRef<'_, f64>, p: &mut Mat<f64>, lse: &mut [f64]) {
        super::reshape(p, self.k(), x.ncols());
        faer::linalg::matmul::matmul(
            p.as_mut(),
            faer::Accum::Replace,
            self.xi.transpose(),
            x,
            1.0,
            faer::Par::Seq,
        );
        for c in 0..x.ncols() {
            let m = (0..self.k())
                .map(|mu| p[(mu, c)])
                .fold(f64::NEG_INFINITY, f64::max);
            let mut z = 0.0;
            for mu in 0..self.k() {
                let e = (self.beta * (p[(mu, c)] - m)).exp();
                p[(mu, c)] = e;
                z += e;
            }
            for mu in 0..self.k() {
                p[(mu, c)] /= z;
            }
            if let Some(l) = lse.get_mut(c) {
                *l = m + z.ln() / self.beta;
            }
        }
    }
}

impl Energy for DenseMemoryEnergy {
    fn dim(&self) -> usize {
        self.d()
    }
    fn energy(&mut self, x: &[f64]) -> f64 {
        let m = (0..self.k())
            .map(|mu| self.dot(mu, x))
            .fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = (0..self.k())
            .map(|mu| (self.beta * (self.dot(mu, x) - m)).exp())
            .sum();
        0.5 * self.inv_s2() * x.iter().map(|v| v * v).sum::<f64>() - m - z.ln() / self.beta
    }
}

impl Gradient for DenseMemoryEnergy {
    /// Two passes over the patterns (the largest overlap, then the weighted sum), no buffer.
    fn gradient_into(&mut self, x: &[f64], grad: &mut [f64]) {
        let m = (0..self.k())
            .map(|mu| self.dot(mu, x))
            .fold(f64::NEG_INFINITY, f64::max);
        grad.fill(0.0);
        let mut z = 0.0;
        for mu in 0..self.k() {
            let e = (self.beta * (self.dot(mu, x) - m)).exp();
            z += e;
            for (g, &xi) in grad.iter_mut().zip(self.xi.col(mu).iter()) {
                *g -= e * xi;
            }
        }
        let inv = self.inv_s2();
        for (g, &v) in grad.iter_mut().zip(x) {
            *g = *g / z + inv * v;
        }
    }
}

impl ParamBlocks for DenseMemoryEnergy {
    fn block_specs(&self) -> Vec<BlockSpec> {
        vec![BlockSpec {
            decay: false,
            ..BlockSpec::weights(self.d(), self.k())
        }]
    }
    fn with_blocks_mut(&mut self, f: &mut dyn FnMut(&mut [MatMut<'_, f64>])) {
        f(&mut [self.xi.as_mut()]);
    }
    fn params_finite(&self) -> bool {
        (0..self.k()).all(|j| self.xi.col(j).iter().all(|v| v.is_finite()))
    }
}

impl ScoreEnergy for DenseMemoryEnergy {
    fn energies(&self, x: MatRef<'_, f64>, out: &mut [f64]) {
        debug_check_batch(self.d(), x);
        let (_, lse) = self.attention(x);
        let c = 0.5 * self.inv_s2();
        for (col, o) in out.iter_mut().enumerate() {
            *o = c * x.col(col).iter().map(|v| v * v).sum::<f64>() - lse[col];
        }
    }
    fn grad_x_with(&self, x: MatRef<'_, f64>, mut g: MatMut<'_, f64>, p: &mut Mat<f64>) {
        self.attention_into(x, p, &mut []);
        let inv = self.inv_s2();
        for c in 0..x.ncols() {
            for i in 0..x.nrows() {
                g[(i, c)] = inv * x[(i, c)];
            }
        }
        matmul_add(g, self.xi.as_ref(), p.as_ref(), -1.0);
    }
    /// `∂/∂ξ_ν [−Σ_μ p_μ ξ_μᵀe] = −p_ν e − β p_ν (c_ν − c̄) x`, `c = Ξᵀe`, `c̄ = pᵀc`.
    fn add_grad_x_vjp(
        &self,
        x: MatRef<'_, f64>,
        e: MatRef<'_, f64>,
        scale: f64,
        grads: &mut [Mat<f64>],
    ) {
        let (p, _) = self.attention(x);
        let mut r = matmul(self.xi.transpose(), e);
        for c in 0..r.ncols() {
            let cbar: f64 = (0..self.k()).map(|mu| p[(mu, c)] * r[(mu, c)]).sum();
            for mu in 0..self.k() {
                r[(mu, c)] = p[(mu, c)] * (r[(mu, c)] - cbar);
            }
        }
        matmul_add(grads[0].as_mut(), e, p.transpose(), -scale);
        matmul_add(grads[0].as_mut(), x, r.transpose(), -scale * self.beta);
    }
    fn curvature(&self, x: MatRef<'_, f64>, v: Option<MatRef<'_, f64>>, out: &mut [f64]) {
        let (p, _) = self.attention(x);
        let inv = self.inv_s2();
        match v {
            Some(v) => {
                let c = matmul(self.xi.transpose(), v);
                for (col, o) in out.iter_mut().enumerate() {
                    let (mut m1, mut m2) = (0.0, 0.0);
                    for mu in 0..self.k() {
                        m1 += p[(mu, col)] * c[(mu, col)];
                        m2 += p[(mu, col)] * c[(mu, col)] * c[(mu, col)];
                    }
                    let vv: f64 = v.col(col).iter().map(|u| u * u).sum();
                    *o = inv * vv - self.beta * (m2 - m1 * m1);
                }
            }
            None => {
                let n2: Vec<f64> = (0..self.k())
                    .map(|mu| self.xi.col(mu).iter().map(|w| w * w).sum())
                    .collect();
                let mbar = matmul(self.xi.as_ref(), p.as_ref());
                for (col, o) in out.iter_mut().enumerate() {
                    let t = (0..self.k()).map(|mu| p[(mu, col)] * n2[mu]).sum::<f64>()
                        - mbar.col(col).iter().map(|u| u * u).sum::<f64>();
                    *o = inv * self.d() as f64 - self.beta * t;
                }
            }
        }
    }
    fn add_curvature_grad(
        &self,
        x: MatRef<'_, f64>,
        v: Option<MatRef<'_, f64>>,
        scale: f64,
        grads: &mut [Mat<f64>],
    ) {
        let (p, _) = self.attention(x);
        let (k, bsz, beta) = (self.k(), x.ncols(), self.beta);
        match v {
            Some(v) => {
                // −β[2 V (P∘D)ᵀ + β X (P∘(D² − Var))ᵀ], D = C − c̄
                let c = matmul(self.xi.transpose(), v);
                let mut pd = Mat::zeros(k, bsz);
                let mut pv = Mat::zeros(k, bsz);
                for col in 0..bsz {
                    let m1: f64 = (0..k).map(|mu| p[(mu, col)] * c[(mu, col)]).sum();
                    let var: f64 = (0..k)
                        .map(|mu| p[(mu, col)] * (c[(mu, col)] - m1).powi(2))
                        .sum();
                    for mu in 0..k {
                        let dd = c[(mu, col)] - m1;
                        pd[(mu, col)] = p[(mu, col)] * dd;
                        pv[(mu, col)] = p[(mu, col)] * (dd * dd - var);
                    }
                }
                matmul_add(grads[0].as_mut(), v, pd.transpose(), -2.0 * beta * scale);
                matmul_add(grads[0].as_mut(), x, pv.transpose(), -beta * beta * scale);
            }
            None => {
                // −β[2(Ξ diag(Σ_b P) − M̄Pᵀ) + β X (P∘(N2 − T))ᵀ], M̄ = ΞP
                let mbar = matmul(self.xi.as_ref(), p.as_ref());
                let cross = matmul(self.xi.transpose(), mbar.as_ref());
                let n2: Vec<f64> = (0..k)
                    .map(|mu| self.xi.col(mu).iter().map(|w| w * w).sum())
                    .collect();
                let mut pn = Mat::zeros(k, bsz);
                for col in 0..bsz {
                    let mm: f64 = mbar.col(col).iter().map(|u| u * u).sum();
                    let t = (0..k).map(|mu| p[(mu, col)] * n2[mu]).sum::<f64>() - mm;
                    for mu in 0..k {
                        let nn = n2[mu] - 2.0 * cross[(mu, col)] + mm;
                        pn[(mu, col)] = p[(mu, col)] * (nn - t);
                    }
                }
                for mu in 0..k {
                    let rs: f64 = (0..bsz).map(|col| p[(mu, col)]).sum();
                    for i in 0..self.d() {
                        grads[0][(i, mu)] -= 2.0 * beta * scale * rs * self.xi[(i, mu)];
                    }
                }
                matmul_add(
                    grads[0].as_mut(),
                    mbar.as_ref(),
                    p.transpose(),
                    2.0 * beta * scale,
                );
                matmul_add(grads[0].as_mut(), x, pn.transpose(), -beta * beta * scale);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::checks::{check_all, gaussian_matrix};
    use super::*;

    #[test]
    fn derivatives_match_finite_differences() {
        let (d, k) = (3, 4);
        let xi = gaussian_matrix(k, d, 1);
        let m = DenseMemoryEnergy::new(xi.as_ref(), 1.3, 0.8).unwrap();
        let x = gaussian_matrix(d, 4, 2);
        let v = gaussian_matrix(d, 4, 3);
        let e = gaussian_matrix(d, 4, 4);
        let dir: Vec<f64> = gaussian_matrix(d * k, 1, 5)
            .col(0)
            .iter()
            .copied()
            .collect();
        check_all(&m, x.as_ref(), v.as_ref(), e.as_ref(), &dir);
    }

    #[test]
    fn beta_one_is_a_gaussian_mixture() {
        // e^{-E} ∝ Σ_μ e^{½‖ξ_μ‖²} N(x; ξ_μ, I): compare E differences with the mixture's
        let xi = gaussian_matrix(3, 2, 9);
        let mut m = DenseMemoryEnergy::new(xi.as_ref(), 1.0, 1.0).unwrap();
        let logp = |x: &[f64]| {
            (0..3)
                .map(|mu| {
                    let n2: f64 = (0..2).map(|i| xi[(mu, i)] * xi[(mu, i)]).sum();
                    let r2: f64 = (0..2).map(|i| (x[i] - xi[(mu, i)]).powi(2)).sum();
                    (0.5 * n2 - 0.5 * r2).exp()
                })
                .sum::<f64>()
                .ln()
        };
        let (a, b) = ([0.3, -1.2], [2.0, 0.5]);
        let want = logp(&a) - logp(&b);
        let got = m.energy(&b) - m.energy(&a);
        assert!((want - got).abs() < 1e-12, "{want} vs {got}");
    }

    #[test]
    fn bad_input_is_named() {
        let xi = Mat::<f64>::zeros(2, 3);
        let e = DenseMemoryEnergy::new(xi.as_ref(), 0.0, 1.0).unwrap_err();
        assert!(e.to_string().contains("beta"), "{e}");
        let e = DenseMemoryEnergy::new(xi.as_ref(), 1.0, f64::NAN).unwrap_err();
        assert!(e.to_string().contains("scale"), "{e}");
        let e = DenseMemoryEnergy::new(Mat::<f64>::zeros(0, 3).as_ref(), 1.0, 1.0).unwrap_err();
        assert!(e.to_string().contains("patterns"), "{e}");
    }
}
