//! The Gaussian energy `E(x) = ½(x − μ)ᵀΛ(x − μ)`, `Λ` symmetric positive definite: the
//! exponential family for which exact score matching has a closed form.
//!
//! With `r = x − μ`: `∇ₓE = Λr`, `∇²ₓE = Λ`, so the score-matching objective (Hyvärinen 2005,
//! §3, example 1) is `J(μ, Λ) = −tr Λ + ½ E[rᵀΛ²r]`. Its stationary point is `μ = x̄` and
//! `½(ΛS + SΛ) = I`, i.e. `Λ = S⁻¹` with `S = (1/n)Σ(x − x̄)(x − x̄)ᵀ`: score matching recovers
//! the maximum-likelihood estimate ([`GaussianEnergy::fit_exact`]).
//!
//! The precision is one parameter block, read as symmetric: its gradients are symmetrised
//! (`½(G + Gᵀ)`), so an optimiser step keeps it symmetric.

use super::{ScoreEnergy, debug_check_batch, matmul};
use crate::energy::{Energy, Gradient};
use crate::error::{Error, Result, check_finite, check_len};
use crate::learn::{BlockSpec, ParamBlocks};
use crate::linalg::{check_matrix_finite, max_abs, max_asymmetry, symmetric_eigenvalues};
use faer::linalg::solvers::Solve;
use faer::{Mat, MatMut, MatRef, Side};

/// `E(x) = ½(x − μ)ᵀΛ(x − μ)` with mean `μ` and symmetric precision `Λ` (blocks `[Λ, μ]`).
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianEnergy {
    precision: Mat<f64>,
    mean: Mat<f64>,
}

impl GaussianEnergy {
    /// The energy with `mean` (length `d`) and a symmetric positive definite `precision`
    /// (`d × d`), both checked.
    pub fn new(mean: Vec<f64>, precision: Mat<f64>) -> Result<Self> {
        let d = mean.len();
        if d == 0 {
            return Err(Error::invalid(
                "mean",
                "empty",
                "a Gaussian energy needs at least one feature",
            ));
        }
        check_finite("mean", &mean)?;
        check_len(
            "precision (rows)",
            precision.nrows(),
            d,
            "the precision is d x d for a mean of length d",
        )?;
        check_len(
            "precision (columns)",
            precision.ncols(),
            d,
            "the precision is d x d for a mean of length d",
        )?;
        check_matrix_finite("precision", precision.as_ref())?;
        let asym = max_asymmetry(precision.as_ref());
        if asym > 1e-10 * (1.0 + max_abs(precision.as_ref())) {
            return Err(Error::invalid(
                "precision",
                format!("asymmetry {asym:.3e}"),
                "the precision matrix must be symmetric (pass (P + P.T)/2)",
            ));
        }
        let ev = symmetric_eigenvalues(precision.as_ref())?;
        if ev[0] <= 0.0 {
            return Err(Error::invalid(
                "precision",
                format!("smallest eigenvalue {:.3e}", ev[0]),
                "the precision must be positive definite for e^{-E} to be a density",
            ));
        }
        Ok(Self {
            precision,
            mean: Mat::from_fn(d, 1, |i, _| mean[i]),
        })
    }

    /// The standard normal energy `½‖x‖²` in `d` dimensions (a starting point for fitting).
    pub fn standard(d: usize) -> Result<Self> {
        crate::linalg::check_dense_size("precision", d, d)?;
        Self::new(vec![0.0; d], Mat::identity(d, d))
    }

    /// The minimiser of exact score matching on the columns of `x` (`d × n`): `μ = x̄`,
    /// `Λ = S⁻¹`. An error when the sample covariance is singular (fewer samples than
    /// features, or data on a subspace).
    pub fn fit_exact(x: MatRef<'_, f64>) -> Result<Self> {
        let (d, n) = (x.nrows(), x.ncols());
        if n < 2 {
            return Err(Error::invalid(
                "samples",
                n,
                "pass at least two samples (columns) to estimate a covariance",
            ));
        }
        check_matrix_finite("data", x)?;
        let mean: Vec<f64> = (0..d)
            .map(|i| x.row(i).iter().sum::<f64>() / n as f64)
            .collect();
        let r = Mat::from_fn(d, n, |i, j| x[(i, j)] - mean[i]);
        let mut s = matmul(r.as_ref(), r.transpose());
        s *= faer::Scale(1.0 / n as f64);
        let Ok(llt) = s.llt(Side::Lower) else {
            return Err(Error::invalid(
                "data",
                format!("{n} samples of {d} features"),
                "the sample covariance is singular: pass more samples than features, not all on a subspace",
            ));
        };
        let p = llt.solve(Mat::<f64>::identity(d, d));
        let p = crate::linalg::symmetric_part(p.as_ref());
        Self::new(mean, p)
    }

    /// The mean `μ`.
    pub fn mean(&self) -> Vec<f64> {
        self.mean.col(0).iter().copied().collect()
    }
    /// The precision `Λ`.
    pub fn precision(&self) -> &Mat<f64> {
        &self.precision
    }
    fn d(&self) -> usize {
        self.mean.nrows()
    }
}

impl Energy for GaussianEnergy {
    fn dim(&self) -> usize {
        self.d()
    }
    fn energy(&mut self, x: &[f64]) -> f64 {
        let d = self.d();
        let mut e = 0.0;
        for j in 0..d {
            let rj = x[j] - self.mean[(j, 0)];
            let col = self.precision.col(j);
            let mut s = 0.0;
            for i in 0..d {
                s += col[i] * (x[i] - self.mean[(i, 0)]);
            }
            e += rj * s;
        }
        0.5 * e
    }
}

impl Gradient for GaussianEnergy {
    fn gradient_into(&mut self, x: &[f64], grad: &mut [f64]) {
        grad.fill(0.0);
        for j in 0..self.d() {
            let rj = x[j] - self.mean[(j, 0)];
            for (g, &p) in grad.iter_mut().zip(self.precision.col(j).iter()) {
                *g += p * rj;
            }
        }
    }
}

impl ParamBlocks for GaussianEnergy {
    fn block_specs(&self) -> Vec<BlockSpec> {
        let d = self.d();
        vec![
            BlockSpec {
                decay: false,
                ..BlockSpec::weights(d, d)
            },
            BlockSpec::bias(d),
        ]
    }
    fn with_blocks_mut(&mut self, f: &mut dyn FnMut(&mut [MatMut<'_, f64>])) {
        f(&mut [self.precision.as_mut(), self.mean.as_mut()]);
    }
    fn params_finite(&self) -> bool {
        self.mean.col(0).iter().all(|v| v.is_finite())
            && (0..self.d()).all(|j| self.precision.col(j).iter().all(|v| v.is_finite()))
    }
}

impl GaussianEnergy {
    fn residuals(&self, x: MatRef<'_, f64>) -> Mat<f64> {
        Mat::from_fn(x.nrows(), x.ncols(), |i, j| x[(i, j)] - self.mean[(i, 0)])
    }
}

/// `grads[0] += scale·½(A + Aᵀ)`.
fn add_symmetrised(g: &mut Mat<f64>, a: MatRef<'_, f64>, scale: f64) {
    let d = g.nrows();
    for j in 0..d {
        for i in 0..d {
            g[(i, j)] += 0.5 * scale * (a[(i, j)] + a[(j, i)]);
        }
    }
}

impl ScoreEnergy for GaussianEnergy {
    fn energies(&self, x: MatRef<'_, f64>, out: &mut [f64]) {
        debug_check_batch(self.d(), x);
        let r = self.residuals(x);
        let lr = matmul(self.precision.as_ref(), r.as_ref());
        for (c, o) in out.iter_mut().enumerate() {
            *o = 0.5 * (0..self.d()).map(|i| r[(i, c)] * lr[(i, c)]).sum::<f64>();
        }
    }
    fn grad_x_with(&self, x: MatRef<'_, f64>, mut g: MatMut<'_, f64>, r: &mut Mat<f64>) {
        super::reshape(r, x.nrows(), x.ncols());
        for j in 0..x.ncols() {
            for i in 0..x.nrows() {
                r[(i, j)] = x[(i, j)] - self.mean[(i, 0)];
            }
        }
        faer::linalg::matmul::matmul(
            g.as_mut(),
            faer::Accum::Replace,
            self.precision.as_ref(),
            r.as_ref(),
            1.0,
            faer::Par::Seq,
        );
    }
    /// `∂/∂Λ eᵀΛr = sym(e rᵀ)`, `∂/∂μ eᵀΛr = −Λe`.
    fn add_grad_x_vjp(
        &self,
        x: MatRef<'_, f64>,
        e: MatRef<'_, f64>,
        scale: f64,
        grads: &mut [Mat<f64>],
    ) {
        let r = self.residuals(x);
        let er = matmul(e, r.transpose());
        add_symmetrised(&mut grads[0], er.as_ref(), scale);
        let le = matmul(self.precision.as_ref(), e);
        for c in 0..e.ncols() {
            for i in 0..self.d() {
                grads[1][(i, 0)] -= scale * le[(i, c)];
            }
        }
    }
    /// `vᵀΛv`, or `tr Λ`.
    fn curvature(&self, x: MatRef<'_, f64>, v: Option<MatRef<'_, f64>>, out: &mut [f64]) {
        match v {
            Some(v) => {
                let lv = matmul(self.precision.as_ref(), v);
                for (c, o) in out.iter_mut().enumerate() {
                    *o = (0..self.d()).map(|i| v[(i, c)] * lv[(i, c)]).sum();
                }
            }
            None => {
                let tr: f64 = (0..self.d()).map(|i| self.precision[(i, i)]).sum();
                out[..x.ncols()].fill(tr);
            }
        }
    }
    /// `∂/∂Λ vᵀΛv = vvᵀ`, `∂/∂Λ tr Λ = I`; the mean does not enter.
    fn add_curvature_grad(
        &self,
        x: MatRef<'_, f64>,
        v: Option<MatRef<'_, f64>>,
        scale: f64,
        grads: &mut [Mat<f64>],
    ) {
        match v {
            Some(v) => {
                let vv = matmul(v, v.transpose());
                add_symmetrised(&mut grads[0], vv.as_ref(), scale);
            }
            None => {
                for i in 0..self.d() {
                    grads[0][(i, i)] += scale * x.ncols() as f64;
                }
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
        let d = 4;
        let a = gaussian_matrix(d, d, 1);
        let mut p = matmul(a.as_ref(), a.transpose());
        for i in 0..d {
            p[(i, i)] += 1.0;
        }
        let m = GaussianEnergy::new(vec![0.3, -0.2, 0.1, 0.5], p).unwrap();
        let x = gaussian_matrix(d, 5, 2);
        let v = gaussian_matrix(d, 5, 3);
        let e = gaussian_matrix(d, 5, 4);
        // a symmetric direction in (Λ, μ)
        let s = gaussian_matrix(d, d, 5);
        let mut dir = Vec::new();
        for j in 0..d {
            for i in 0..d {
                dir.push(s[(i, j)] + s[(j, i)]);
            }
        }
        dir.extend([0.4, -1.0, 0.7, 0.2]);
        check_all(&m, x.as_ref(), v.as_ref(), e.as_ref(), &dir);
    }

    #[test]
    fn closed_form_is_the_inverse_sample_covariance() {
        let x = gaussian_matrix(3, 400, 7);
        let g = GaussianEnergy::fit_exact(x.as_ref()).unwrap();
        // Λ S = I
        let mean = g.mean();
        let r = Mat::from_fn(3, 400, |i, j| x[(i, j)] - mean[i]);
        let s = matmul(r.as_ref(), r.transpose()) * faer::Scale(1.0 / 400.0);
        let ls = matmul(g.precision().as_ref(), s.as_ref());
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((ls[(i, j)] - want).abs() < 1e-10);
            }
        }
    }

    #[test]
    fn bad_input_is_named() {
        let m = GaussianEnergy::new(
            vec![0.0, 0.0],
            Mat::from_fn(2, 2, |i, j| (i + 2 * j) as f64),
        );
        assert!(m.unwrap_err().to_string().contains("symmetric"));
        let m = GaussianEnergy::new(vec![0.0, 0.0], -Mat::<f64>::identity(2, 2));
        assert!(m.unwrap_err().to_string().contains("positive definite"));
        let m = GaussianEnergy::new(vec![0.0, f64::NAN], Mat::<f64>::identity(2, 2));
        assert!(m.unwrap_err().to_string().contains("mean"));
        let m = GaussianEnergy::new(vec![0.0; 3], Mat::<f64>::identity(2, 2));
        assert!(m.unwrap_err().to_string().contains("precision"));
        let few = gaussian_matrix(3, 2, 1);
        let e = GaussianEnergy::fit_exact(few.as_ref())
            .unwrap_err()
            .to_string();
        assert!(e.contains("singular"), "{e}");
    }
}
