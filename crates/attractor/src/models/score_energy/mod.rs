//! Parametric energies fitted by score matching: `E_θ(x)` on `ℝ^d` with the density
//! `p_θ(x) ∝ e^{−E_θ(x)}`, whose score `ψ_θ(x) = −∇ₓE_θ(x)`, whose curvature along a direction
//! `vᵀ∇²ₓE_θ(x)v` (and its trace, the Laplacian `ΔE_θ(x)`) and whose parameter derivatives of
//! both are known in closed form, evaluated on batches of points (one per column) as matrix
//! products.
//!
//! These are exactly the quantities the score-matching objectives need
//! ([`crate::learn::score_matching`]):
//!
//! - exact score matching (Hyvärinen, *Estimation of non-normalized statistical models by score
//!   matching*, JMLR 6, 2005): `J(θ) = E[tr ∇ψ_θ(x) + ½‖ψ_θ(x)‖²] = E[−ΔE_θ + ½‖∇E_θ‖²]`;
//! - denoising score matching (Vincent, *A connection between score matching and denoising
//!   autoencoders*, Neural Computation 23, 2011): `E‖ψ_θ(x̃) + (x̃ − x)/σ²‖²`, `x̃ = x + σζ`;
//! - sliced score matching (Song, Garg, Shi & Ermon, UAI 2019):
//!   `E[−vᵀ∇²ₓE_θ v + ½‖∇E_θ‖²]`, `E[vvᵀ] = I`.
//!
//! Three families: [`GaussianEnergy`] (`½(x − μ)ᵀΛ(x − μ)`, exact score matching has a
//! closed form), [`EnergyNetwork`] (a two-layer energy `Σ_k a_k softplus(w_kᵀx + b_k) +
//! ‖x‖²/(2s²)`) and [`DenseMemoryEnergy`] (the continuous dense associative memory energy
//! `−β⁻¹ log Σ_μ e^{βξ_μᵀx} + ‖x‖²/(2s²)` with the patterns `ξ_μ` as parameters). Each is also
//! an [`Energy`](crate::energy::Energy) + [`Gradient`] of one point, allocation-free, so that
//! [`LangevinSampler`](crate::samplers::LangevinSampler) samples the learned density.

pub mod dense_memory;
pub mod gaussian;
pub mod network;

pub use dense_memory::DenseMemoryEnergy;
pub use gaussian::GaussianEnergy;
pub use network::EnergyNetwork;

use crate::energy::{BatchEnergy, Gradient};
use crate::learn::ParamBlocks;
use faer::{Mat, MatMut, MatRef};

/// An energy `E_θ(x)` whose score, curvature and their parameter derivatives are available on a
/// batch of points (the columns of `x`, `d × B`). Parameter gradients are added, scaled, into
/// `grads`, one matrix per [`ParamBlocks`] block in block order.
pub trait ScoreEnergy: ParamBlocks + Gradient + Clone + Send + Sync {
    /// `E_θ(x_b)` for every column into `out` (length `B`).
    fn energies(&self, x: MatRef<'_, f64>, out: &mut [f64]);
    /// `∇ₓE_θ(x_b)` for every column into `g` (`d × B`), with `scratch` as working memory
    /// (resized as needed: reusing it across calls makes an evaluation allocation-free).
    fn grad_x_with(&self, x: MatRef<'_, f64>, g: MatMut<'_, f64>, scratch: &mut Mat<f64>);
    /// `∇ₓE_θ(x_b)` for every column into `g` (`d × B`).
    fn grad_x(&self, x: MatRef<'_, f64>, g: MatMut<'_, f64>) {
        self.grad_x_with(x, g, &mut Mat::zeros(0, 0));
    }
    /// `grads += scale · Σ_b ∂/∂θ [e_bᵀ ∇ₓE_θ(x_b)]` (a vector–Jacobian product of the score
    /// with respect to the parameters; `e` is `d × B` and held fixed).
    fn add_grad_x_vjp(
        &self,
        x: MatRef<'_, f64>,
        e: MatRef<'_, f64>,
        scale: f64,
        grads: &mut [Mat<f64>],
    );
    /// The curvature `c_b = v_bᵀ ∇²ₓE_θ(x_b) v_b` for every column into `out`, or with
    /// `v = None` the trace `ΔE_θ(x_b) = tr ∇²ₓE_θ(x_b)`.
    fn curvature(&self, x: MatRef<'_, f64>, v: Option<MatRef<'_, f64>>, out: &mut [f64]);
    /// `grads += scale · Σ_b ∂c_b/∂θ` for the curvatures of [`curvature`](Self::curvature).
    fn add_curvature_grad(
        &self,
        x: MatRef<'_, f64>,
        v: Option<MatRef<'_, f64>>,
        scale: f64,
        grads: &mut [Mat<f64>],
    );
}

/// A [`ScoreEnergy`] as a [`BatchEnergy`] (energies and gradients of the columns of a batch),
/// owning the working memory of its gradient so that repeated evaluations allocate nothing:
/// what [`BatchLangevinSampler`](crate::samplers::BatchLangevinSampler) samples.
#[derive(Debug, Clone)]
pub struct Batched<M> {
    model: M,
    scratch: Mat<f64>,
}

impl<M: ScoreEnergy> Batched<M> {
    /// The batch view of `model`.
    pub fn new(model: M) -> Self {
        Self {
            model,
            scratch: Mat::zeros(0, 0),
        }
    }
    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }
}

impl<M: ScoreEnergy> BatchEnergy for Batched<M> {
    fn dim(&self) -> usize {
        self.model.dim()
    }
    fn energies_into(&mut self, x: MatRef<'_, f64>, out: &mut [f64]) {
        self.model.energies(x, out);
    }
    fn gradients_into(&mut self, x: MatRef<'_, f64>, g: MatMut<'_, f64>) {
        self.model.grad_x_with(x, g, &mut self.scratch);
    }
}

/// `scratch` as a zero-filled `rows × cols` matrix, reusing its memory.
pub(crate) fn reshape(scratch: &mut Mat<f64>, rows: usize, cols: usize) {
    scratch.resize_with(rows, cols, |_, _| 0.0);
}

/// Column-wise matrix product `a · b` into a fresh matrix (single-threaded: the batches of a
/// minibatch are small, and results must not depend on the thread count).
pub(crate) fn matmul(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::zeros(a.nrows(), b.ncols());
    faer::linalg::matmul::matmul(
        out.as_mut(),
        faer::Accum::Replace,
        a,
        b,
        1.0,
        faer::Par::Seq,
    );
    out
}

/// `out += alpha · a · b`.
pub(crate) fn matmul_add(out: MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>, alpha: f64) {
    faer::linalg::matmul::matmul(out, faer::Accum::Add, a, b, alpha, faer::Par::Seq);
}

/// Check that a parametric energy was given points of its dimension (a shape error is a bug of
/// the caller inside the library: the public entry points check shapes first).
pub(crate) fn debug_check_batch(d: usize, x: MatRef<'_, f64>) {
    debug_assert_eq!(
        x.nrows(),
        d,
        "points must be columns of the energy's dimension"
    );
}

#[cfg(test)]
pub(crate) mod checks {
    //! Finite-difference checks shared by the three families' tests.
    use super::*;
    use rand_distr::{Distribution, StandardNormal};

    /// A `rows × cols` matrix of standard normal draws from `stream(seed, 0)`.
    pub fn gaussian_matrix(rows: usize, cols: usize, seed: u64) -> Mat<f64> {
        let mut r = crate::rng::stream(seed, 0);
        let mut m = Mat::zeros(rows, cols);
        for j in 0..cols {
            for i in 0..rows {
                m[(i, j)] = StandardNormal.sample(&mut r);
            }
        }
        m
    }

    /// Every block's parameters flattened, and a setter from a flat vector.
    pub fn flat<M: ScoreEnergy>(m: &mut M) -> Vec<f64> {
        let mut out = Vec::new();
        m.with_blocks_mut(&mut |bs| {
            for b in bs.iter() {
                for j in 0..b.ncols() {
                    for i in 0..b.nrows() {
                        out.push(b[(i, j)]);
                    }
                }
            }
        });
        out
    }
    pub fn set_flat<M: ScoreEnergy>(m: &mut M, theta: &[f64]) {
        let mut k = 0;
        m.with_blocks_mut(&mut |bs| {
            for b in bs.iter_mut() {
                for j in 0..b.ncols() {
                    for i in 0..b.nrows() {
                        b[(i, j)] = theta[k];
                        k += 1;
                    }
                }
            }
        });
    }
    pub fn flatten(grads: &[Mat<f64>]) -> Vec<f64> {
        let mut out = Vec::new();
        for b in grads {
            for j in 0..b.ncols() {
                for i in 0..b.nrows() {
                    out.push(b[(i, j)]);
                }
            }
        }
        out
    }
    pub fn zero_grads<M: ScoreEnergy>(m: &M) -> Vec<Mat<f64>> {
        m.block_specs()
            .iter()
            .map(|s| Mat::zeros(s.rows, s.cols))
            .collect()
    }

    /// Check, on the columns of `x` and directions `v`: the batched energies and gradients
    /// against the single-point ones and against central differences of `E`; the curvature
    /// against differences of the gradient; the two parameter derivatives against central
    /// differences along the parameter direction `dir` (`project` maps a raw direction onto the
    /// model's parameter space, e.g. symmetrises a precision matrix).
    pub fn check_all<M: ScoreEnergy>(
        model: &M,
        x: MatRef<'_, f64>,
        v: MatRef<'_, f64>,
        e: MatRef<'_, f64>,
        dir: &[f64],
    ) {
        let (d, b) = (x.nrows(), x.ncols());
        let mut m = model.clone();
        let mut es = vec![0.0; b];
        m.energies(x, es.as_mut_slice());
        let mut g = Mat::zeros(d, b);
        m.grad_x(x, g.as_mut());
        let h = 1e-5;
        for c in 0..b {
            let xc: Vec<f64> = x.col(c).iter().copied().collect();
            assert!((m.energy(&xc) - es[c]).abs() < 1e-10 * (1.0 + es[c].abs()));
            let mut g1 = vec![0.0; d];
            m.gradient_into(&xc, &mut g1);
            for i in 0..d {
                assert!((g1[i] - g[(i, c)]).abs() < 1e-10 * (1.0 + g1[i].abs()));
                let (mut xp, mut xm) = (xc.clone(), xc.clone());
                xp[i] += h;
                xm[i] -= h;
                let fd = (m.energy(&xp) - m.energy(&xm)) / (2.0 * h);
                assert!(
                    (fd - g1[i]).abs() < 1e-6 * (1.0 + fd.abs()),
                    "dE/dx_{i}: {fd} vs {}",
                    g1[i]
                );
            }
        }
        // curvature: v^T (grad(x + h v) - grad(x - h v)) / 2h, and the trace over the basis
        let mut cv = vec![0.0; b];
        m.curvature(x, Some(v), &mut cv);
        let mut ct = vec![0.0; b];
        m.curvature(x, None, &mut ct);
        for c in 0..b {
            let xc: Vec<f64> = x.col(c).iter().copied().collect();
            let vc: Vec<f64> = v.col(c).iter().copied().collect();
            let dirgrad = |dir: &[f64], m: &mut M| {
                let xp: Vec<f64> = xc.iter().zip(dir).map(|(a, b)| a + h * b).collect();
                let xm: Vec<f64> = xc.iter().zip(dir).map(|(a, b)| a - h * b).collect();
                let (mut gp, mut gm) = (vec![0.0; d], vec![0.0; d]);
                m.gradient_into(&xp, &mut gp);
                m.gradient_into(&xm, &mut gm);
                dir.iter()
                    .zip(gp.iter().zip(&gm))
                    .map(|(u, (p, q))| u * (p - q) / (2.0 * h))
                    .sum::<f64>()
            };
            let fd = dirgrad(&vc, &mut m);
            assert!(
                (fd - cv[c]).abs() < 1e-5 * (1.0 + fd.abs()),
                "curvature {fd} vs {}",
                cv[c]
            );
            let mut tr = 0.0;
            for i in 0..d {
                let mut ei = vec![0.0; d];
                ei[i] = 1.0;
                tr += dirgrad(&ei, &mut m);
            }
            assert!(
                (tr - ct[c]).abs() < 1e-5 * (1.0 + tr.abs()),
                "trace {tr} vs {}",
                ct[c]
            );
        }
        // parameter derivatives along `dir`
        let theta = flat(&mut m);
        let along = |m: &mut M, f: &dyn Fn(&M) -> f64| {
            let tp: Vec<f64> = theta.iter().zip(dir).map(|(t, u)| t + h * u).collect();
            let tm: Vec<f64> = theta.iter().zip(dir).map(|(t, u)| t - h * u).collect();
            set_flat(m, &tp);
            let fp = f(m);
            set_flat(m, &tm);
            let fm = f(m);
            set_flat(m, &theta);
            (fp - fm) / (2.0 * h)
        };
        let vjp_value = |m: &M| {
            let mut g = Mat::zeros(d, b);
            m.grad_x(x, g.as_mut());
            let mut s = 0.0;
            for c in 0..b {
                for i in 0..d {
                    s += e[(i, c)] * g[(i, c)];
                }
            }
            s
        };
        let mut grads = zero_grads(&m);
        m.add_grad_x_vjp(x, e, 1.0, &mut grads);
        let an: f64 = flatten(&grads).iter().zip(dir).map(|(a, b)| a * b).sum();
        let fd = along(&mut m, &vjp_value);
        assert!(
            (an - fd).abs() < 1e-5 * (1.0 + fd.abs()),
            "vjp: {an} vs {fd}"
        );
        for vv in [Some(v), None] {
            let curv_value = |m: &M| {
                let mut c = vec![0.0; b];
                m.curvature(x, vv, &mut c);
                c.iter().sum::<f64>()
            };
            let mut grads = zero_grads(&m);
            m.add_curvature_grad(x, vv, 1.0, &mut grads);
            let an: f64 = flatten(&grads).iter().zip(dir).map(|(a, b)| a * b).sum();
            let fd = along(&mut m, &curv_value);
            assert!(
                (an - fd).abs() < 1e-5 * (1.0 + fd.abs()),
                "curvature gradient ({}): {an} vs {fd}",
                if vv.is_some() { "direction" } else { "trace" }
            );
        }
    }
}
