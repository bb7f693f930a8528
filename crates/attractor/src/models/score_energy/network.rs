//! A two-layer energy network, `E(x) = Σ_k a_k softplus(w_kᵀx + b_k) + ‖x‖²/(2s²)`: hidden
//! units with softplus features weighted by signed output weights `a_k`, and a fixed Gaussian
//! confinement of scale `s` that keeps `e^{−E}` normalisable (each softplus grows at most
//! linearly). With mixed signs of `a` the energy has several wells, so the density can be
//! multimodal; it is the "energy-based model with one hidden layer" of score-matching papers
//! (e.g. Song, Garg, Shi & Ermon, *Sliced score matching*, UAI 2019, §5).
//!
//! With `z_k = w_kᵀx + b_k`, `σ` the logistic function, `σ′ = σ(1 − σ)`, `σ″ = σ′(1 − 2σ)`:
//!
//! - `∇ₓE = Σ_k a_k σ(z_k) w_k + x/s²`,
//! - `vᵀ∇²ₓE v = Σ_k a_k σ′(z_k)(w_kᵀv)² + ‖v‖²/s²`, `ΔE = Σ_k a_k σ′(z_k)‖w_k‖² + d/s²`,
//!
//! and their parameter derivatives in closed form, all as matrix products over a batch.
//! The weights are stored with one column per hidden unit (`d × H`, block 0), then `b`
//! (block 1) and `a` (block 2).

use super::{ScoreEnergy, debug_check_batch, matmul, matmul_add};
use crate::energy::{Energy, Gradient};
use crate::error::{Error, Result, check_finite, check_len, check_positive};
use crate::fastmath::softplus;
use crate::learn::{BlockSpec, ParamBlocks};
use crate::linalg::check_matrix_finite;
use faer::{Mat, MatMut, MatRef};
use rand_distr::{Distribution, StandardNormal};

/// `E(x) = Σ_k a_k softplus(w_kᵀx + b_k) + ‖x‖²/(2s²)` (see the module).
#[derive(Debug, Clone, PartialEq)]
pub struct EnergyNetwork {
    /// `d × H`: column `k` is `w_k`.
    wt: Mat<f64>,
    b: Mat<f64>,
    a: Mat<f64>,
    scale: f64,
}

impl EnergyNetwork {
    /// The network with weights `w` (`H × d`, one row per hidden unit), biases `b` and output
    /// weights `a` (length `H`) and confinement scale `s > 0`.
    pub fn new(w: MatRef<'_, f64>, b: Vec<f64>, a: Vec<f64>, scale: f64) -> Result<Self> {
        let (h, d) = (w.nrows(), w.ncols());
        if h == 0 || d == 0 {
            return Err(Error::invalid(
                "weights",
                format!("{h} x {d}"),
                "the energy network needs at least one hidden unit and one feature",
            ));
        }
        check_matrix_finite("weights", w)?;
        check_len(
            "biases",
            b.len(),
            h,
            "pass one bias per hidden unit (row of W)",
        )?;
        check_len(
            "output weights",
            a.len(),
            h,
            "pass one output weight per hidden unit (row of W)",
        )?;
        check_finite("biases", &b)?;
        check_finite("output weights", &a)?;
        check_positive(
            "scale",
            scale,
            "the confinement ‖x‖²/(2s²) needs s > 0 (about the data's spread, e.g. 3)",
        )?;
        Ok(Self {
            wt: w.transpose().to_owned(),
            b: Mat::from_fn(h, 1, |i, _| b[i]),
            a: Mat::from_fn(h, 1, |i, _| a[i]),
            scale,
        })
    }

    /// A network with `hidden` units on `d` features and random parameters from `seed`:
    /// `w_k ~ N(0, I/d)`, `b_k ~ N(0, 1)`, `a_k ~ N(0, 1/H)`.
    pub fn random(d: usize, hidden: usize, scale: f64, seed: u64) -> Result<Self> {
        crate::linalg::check_dense_size("weights", hidden, d)?;
        let mut r = crate::rng::stream(seed, crate::rng::streams::PARAMS);
        let mut draw = |s: f64| -> f64 {
            let z: f64 = StandardNormal.sample(&mut r);
            s * z
        };
        let w = Mat::from_fn(hidden, d.max(1), |_, _| {
            draw(1.0 / (d.max(1) as f64).sqrt())
        });
        let b = (0..hidden).map(|_| draw(1.0)).collect();
        let a = (0..hidden)
            .map(|_| draw(1.0 / (hidden.max(1) as f64).sqrt()))
            .collect();
        if d == 0 {
            return Err(Error::invalid(
                "features",
                0,
                "the energy network needs at least one feature",
            ));
        }
        Self::new(w.as_ref(), b, a, scale)
    }

    /// The weights `W` (`H × d`, one row per hidden unit).
    pub fn weights(&self) -> Mat<f64> {
        self.wt.transpose().to_owned()
    }
    /// The hidden biases `b`.
    pub fn biases(&self) -> Vec<f64> {
        self.b.col(0).iter().copied().collect()
    }
    /// The output weights `a`.
    pub fn output_weights(&self) -> Vec<f64> {
        self.a.col(0).iter().copied().collect()
    }
    /// The confinement scale `s`.
    pub fn scale(&self) -> f64 {
        self.scale
    }
    /// The number of hidden units `H`.
    pub fn n_hidden(&self) -> usize {
        self.wt.ncols()
    }
    fn d(&self) -> usize {
        self.wt.nrows()
    }
    fn inv_s2(&self) -> f64 {
        1.0 / (self.scale * self.scale)
    }
    fn z(&self, x: &[f64], k: usize) -> f64 {
        self.b[(k, 0)] + crate::fastmath::dot(self.wt.col_as_slice(k), x)
    }
    /// `Z = Wx + b`, then `σ(Z)` (H × B).
    fn hidden(&self, x: MatRef<'_, f64>) -> Mat<f64> {
        let mut z = Mat::zeros(0, 0);
        self.hidden_into(x, &mut z);
        z
    }
    fn hidden_into(&self, x: MatRef<'_, f64>, z: &mut Mat<f64>) {
        super::reshape(z, self.n_hidden(), x.ncols());
        faer::linalg::matmul::matmul(
            z.as_mut(),
            faer::Accum::Replace,
            self.wt.transpose(),
            x,
            1.0,
            faer::Par::Seq,
        );
        let b = self.b.col_as_slice(0);
        for c in 0..z.ncols() {
            let col = z.col_as_slice_mut(c);
            for (v, bk) in col.iter_mut().zip(b) {
                *v += bk;
            }
            crate::fastmath::sigmoid_in_place(col);
        }
    }
}

impl Energy for EnergyNetwork {
    fn dim(&self) -> usize {
        self.d()
    }
    fn energy(&mut self, x: &[f64]) -> f64 {
        let quad = 0.5 * self.inv_s2() * x.iter().map(|v| v * v).sum::<f64>();
        quad + (0..self.n_hidden())
            .map(|k| self.a[(k, 0)] * softplus(self.z(x, k)))
            .sum::<f64>()
    }
}

impl Gradient for EnergyNetwork {
    fn gradient_into(&mut self, x: &[f64], grad: &mut [f64]) {
        let c = self.inv_s2();
        for (g, &v) in grad.iter_mut().zip(x) {
            *g = c * v;
        }
        // hidden units in chunks on the stack, so that the sigmoids run vectorised and
        // nothing is allocated
        let mut buf = [0.0f64; 64];
        let h = self.n_hidden();
        for start in (0..h).step_by(64) {
            let len = 64.min(h - start);
            for (o, k) in buf[..len].iter_mut().zip(start..) {
                *o = self.z(x, k);
            }
            crate::fastmath::sigmoid_in_place(&mut buf[..len]);
            for (s, k) in buf[..len].iter_mut().zip(start..) {
                *s *= self.a[(k, 0)];
            }
            let wt = &self.wt;
            crate::fastmath::add_combination(grad, &buf[..len], |i| wt.col_as_slice(start + i));
        }
    }
}

impl ParamBlocks for EnergyNetwork {
    fn block_specs(&self) -> Vec<BlockSpec> {
        let (d, h) = (self.d(), self.n_hidden());
        vec![
            BlockSpec::weights(d, h),
            BlockSpec::bias(h),
            BlockSpec::weights(h, 1),
        ]
    }
    fn with_blocks_mut(&mut self, f: &mut dyn FnMut(&mut [MatMut<'_, f64>])) {
        f(&mut [self.wt.as_mut(), self.b.as_mut(), self.a.as_mut()]);
    }
    fn params_finite(&self) -> bool {
        let fin = |m: &Mat<f64>| (0..m.ncols()).all(|j| m.col(j).iter().all(|v| v.is_finite()));
        fin(&self.wt) && fin(&self.b) && fin(&self.a)
    }
}

/// `σ′ = σ(1 − σ)` and `σ″ = σ′(1 − 2σ)` from `σ`.
fn d1(s: f64) -> f64 {
    s * (1.0 - s)
}
fn d2(s: f64) -> f64 {
    s * (1.0 - s) * (1.0 - 2.0 * s)
}

impl ScoreEnergy for EnergyNetwork {
    fn energies(&self, x: MatRef<'_, f64>, out: &mut [f64]) {
        debug_check_batch(self.d(), x);
        let mut z = matmul(self.wt.transpose(), x);
        let c = 0.5 * self.inv_s2();
        for (col, o) in out.iter_mut().enumerate() {
            let mut e = c * x.col(col).iter().map(|v| v * v).sum::<f64>();
            for k in 0..z.nrows() {
                z[(k, col)] += self.b[(k, 0)];
                e += self.a[(k, 0)] * softplus(z[(k, col)]);
            }
            *o = e;
        }
    }
    fn grad_x_with(&self, x: MatRef<'_, f64>, mut g: MatMut<'_, f64>, s: &mut Mat<f64>) {
        self.hidden_into(x, s);
        for c in 0..s.ncols() {
            for k in 0..s.nrows() {
                s[(k, c)] *= self.a[(k, 0)];
            }
        }
        let inv = self.inv_s2();
        for c in 0..x.ncols() {
            for i in 0..x.nrows() {
                g[(i, c)] = inv * x[(i, c)];
            }
        }
        matmul_add(g, self.wt.as_ref(), s.as_ref(), 1.0);
    }
    fn add_grad_x_vjp(
        &self,
        x: MatRef<'_, f64>,
        e: MatRef<'_, f64>,
        scale: f64,
        grads: &mut [Mat<f64>],
    ) {
        let s = self.hidden(x);
        let m = matmul(self.wt.transpose(), e);
        let (h, bsz) = (s.nrows(), s.ncols());
        // A∘S and A∘S′∘M (H × B)
        let mut as_ = Mat::zeros(h, bsz);
        let mut asm = Mat::zeros(h, bsz);
        for c in 0..bsz {
            for k in 0..h {
                let (sk, mk, ak) = (s[(k, c)], m[(k, c)], self.a[(k, 0)]);
                grads[2][(k, 0)] += scale * sk * mk;
                grads[1][(k, 0)] += scale * ak * d1(sk) * mk;
                as_[(k, c)] = ak * sk;
                asm[(k, c)] = ak * d1(sk) * mk;
            }
        }
        matmul_add(grads[0].as_mut(), e, as_.transpose(), scale);
        matmul_add(grads[0].as_mut(), x, asm.transpose(), scale);
    }
    fn curvature(&self, x: MatRef<'_, f64>, v: Option<MatRef<'_, f64>>, out: &mut [f64]) {
        let s = self.hidden(x);
        let inv = self.inv_s2();
        match v {
            Some(v) => {
                let q = matmul(self.wt.transpose(), v);
                for (c, o) in out.iter_mut().enumerate() {
                    let mut t = inv * v.col(c).iter().map(|u| u * u).sum::<f64>();
                    for k in 0..s.nrows() {
                        t += self.a[(k, 0)] * d1(s[(k, c)]) * q[(k, c)] * q[(k, c)];
                    }
                    *o = t;
                }
            }
            None => {
                let n2: Vec<f64> = (0..self.n_hidden())
                    .map(|k| self.wt.col(k).iter().map(|w| w * w).sum())
                    .collect();
                for (c, o) in out.iter_mut().enumerate() {
                    let mut t = inv * self.d() as f64;
                    for (k, nk) in n2.iter().enumerate() {
                        t += self.a[(k, 0)] * d1(s[(k, c)]) * nk;
                    }
                    *o = t;
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
        let s = self.hidden(x);
        let (h, bsz) = (s.nrows(), s.ncols());
        // q²_kb: (w_kᵀv_b)² or ‖w_k‖²
        let q = v.map(|v| matmul(self.wt.transpose(), v));
        let n2: Vec<f64> = (0..h)
            .map(|k| self.wt.col(k).iter().map(|w| w * w).sum())
            .collect();
        let mut c2 = Mat::zeros(h, bsz); // a σ″ q²
        let mut c1 = Mat::zeros(h, bsz); // 2 a σ′ q (direction case)
        let mut s1 = vec![0.0; h]; // Σ_b 2 a σ′ (trace case)
        for c in 0..bsz {
            for k in 0..h {
                let (sk, ak) = (s[(k, c)], self.a[(k, 0)]);
                let qq = match &q {
                    Some(q) => q[(k, c)] * q[(k, c)],
                    None => n2[k],
                };
                grads[2][(k, 0)] += scale * d1(sk) * qq;
                grads[1][(k, 0)] += scale * ak * d2(sk) * qq;
                c2[(k, c)] = ak * d2(sk) * qq;
                match &q {
                    Some(q) => c1[(k, c)] = 2.0 * ak * d1(sk) * q[(k, c)],
                    None => s1[k] += 2.0 * ak * d1(sk),
                }
            }
        }
        matmul_add(grads[0].as_mut(), x, c2.transpose(), scale);
        match v {
            Some(v) => matmul_add(grads[0].as_mut(), v, c1.transpose(), scale),
            None => {
                for (k, sk) in s1.iter().enumerate() {
                    for i in 0..self.d() {
                        grads[0][(i, k)] += scale * sk * self.wt[(i, k)];
                    }
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
        let (d, h) = (3, 5);
        let m = EnergyNetwork::random(d, h, 1.7, 3).unwrap();
        let x = gaussian_matrix(d, 4, 2);
        let v = gaussian_matrix(d, 4, 3);
        let e = gaussian_matrix(d, 4, 4);
        let dir: Vec<f64> = gaussian_matrix(d * h + 2 * h, 1, 5)
            .col(0)
            .iter()
            .copied()
            .collect();
        check_all(&m, x.as_ref(), v.as_ref(), e.as_ref(), &dir);
    }

    #[test]
    fn bad_input_is_named() {
        let w = Mat::<f64>::zeros(2, 3);
        let e = EnergyNetwork::new(w.as_ref(), vec![0.0; 3], vec![0.0; 2], 1.0).unwrap_err();
        assert!(e.to_string().contains("biases"), "{e}");
        let e = EnergyNetwork::new(w.as_ref(), vec![0.0; 2], vec![0.0; 2], 0.0).unwrap_err();
        assert!(e.to_string().contains("scale"), "{e}");
        let e = EnergyNetwork::new(w.as_ref(), vec![0.0; 2], vec![f64::NAN; 2], 1.0).unwrap_err();
        assert!(e.to_string().contains("output weights"), "{e}");
        let e = EnergyNetwork::random(0, 4, 1.0, 0).unwrap_err();
        assert!(e.to_string().contains("feature"), "{e}");
    }
}
