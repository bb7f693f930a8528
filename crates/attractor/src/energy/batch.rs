//! Parameter gradients over a batch, as matrix products, for the layered energies that the
//! supervised learning rules train.
//!
//! Every layered network here (the rate networks of Scellier & Bengio 2017, the oscillator
//! networks of Gower, arXiv 2505.02103) has an energy in which the parameters enter linearly
//! through products of per-layer *features* `φ_f` of the states:
//!
//! `E(s; θ) = −Σ_k Σ_f φ_f(s_k)ᵀ W_k φ_f(s_{k+1}) − Σ_{k≥1} b_kᵀ φ_0(s_k) + (terms free of θ)`,
//!
//! with `s_0` the clamped input layer. For the rate network there is one feature, `φ_0 = ρ`;
//! for the oscillator network two, `φ_0 = cos`, `φ_1 = sin` (from
//! `cos(a − b) = cos a cos b + sin a sin b`). So `∂E/∂W_k = −Σ_f φ_f(s_k)φ_f(s_{k+1})ᵀ` and
//! `∂E/∂b_k = −φ_0(s_k)`, and summed over the `b` columns of a batch these are matrix products
//! of `d_k × b` feature blocks: the batch never becomes `b` copies of a `d_k × d_{k+1}` matrix.
//! [`BatchParamGradient`] is what a model provides (its widths and its features);
//! [`LayerFeatures`] holds the features of one batch of states, owned, so that the products can
//! be formed after the model has been borrowed mutably by an optimiser; and
//! [`LayerFeatures::add_param_gradient`] and [`add_param_contrast`] add them into per-layer
//! blocks (`W_0, b_1, W_1, b_2, …`, the order of [`ParamBlocks`](crate::learn::ParamBlocks)).

use crate::linalg::blocked_matmul;
use faer::reborrow::ReborrowMut;
use faer::{Accum, Mat, MatMut, MatRef, Par};

/// A layered energy whose parameters enter through products of per-layer features (module
/// documentation): what the supervised two-phase rules need to form `∂E/∂θ` over a batch.
pub trait BatchParamGradient {
    /// The layer widths `[d_0, d_1, …, d_L]` (inputs first).
    fn layer_sizes(&self) -> &[usize];
    /// The number of feature maps `φ_f` (1 for rates, 2 for phases).
    fn n_features(&self) -> usize;
    /// Write `φ_f(s)` elementwise into `out` for the states `s` of one layer (`d_k × b`; layer 0
    /// is the clamped input as the energy sees it). The bias couples to feature 0.
    fn feature_into(&self, f: usize, s: MatRef<'_, f64>, out: MatMut<'_, f64>);
}

/// The features `φ_f(s_k)` of every layer for one batch of states (owned; module docs).
#[derive(Debug, Clone, Default)]
pub struct LayerFeatures {
    sizes: Vec<usize>,
    /// `feats[f]` is `Σd_k × b`: the features of every layer, input first, stacked by rows.
    feats: Vec<Mat<f64>>,
}

impl LayerFeatures {
    /// Compute the features of the inputs `x` (`d_0 × b`) and of the free layers' states `s`
    /// (`d_1 + … + d_L` rows, `b` columns), reusing the buffers when the shapes agree.
    pub fn set<M: BatchParamGradient + ?Sized>(
        &mut self,
        model: &M,
        x: MatRef<'_, f64>,
        s: MatRef<'_, f64>,
    ) {
        let sizes = model.layer_sizes();
        let (d0, b) = (sizes[0], x.ncols());
        let rows: usize = sizes.iter().sum();
        debug_assert_eq!(x.nrows(), d0);
        debug_assert_eq!(s.nrows() + d0, rows);
        self.sizes.clear();
        self.sizes.extend_from_slice(sizes);
        self.feats.resize_with(model.n_features(), Mat::new);
        for (f, m) in self.feats.iter_mut().enumerate() {
            if m.nrows() != rows || m.ncols() != b {
                *m = Mat::zeros(rows, b);
            }
            model.feature_into(f, x, m.as_mut().subrows_mut(0, d0));
            model.feature_into(f, s, m.as_mut().subrows_mut(d0, rows - d0));
        }
    }

    /// The columns of the batch.
    pub fn n_columns(&self) -> usize {
        self.feats.first().map_or(0, |m| m.ncols())
    }

    fn offset(&self, k: usize) -> usize {
        self.sizes[..k].iter().sum()
    }

    /// `φ_f(s_k)`, `d_k × b`.
    pub fn layer(&self, f: usize, k: usize) -> MatRef<'_, f64> {
        self.feats[f]
            .as_ref()
            .subrows(self.offset(k), self.sizes[k])
    }

    /// Add `coefs[i] · Σ_j ∂E/∂θ_i(s_j)` into `blocks[i]` (`W_0, b_1, W_1, …`): a weight
    /// block receives `−coef Σ_f φ_f(s_k)φ_f(s_{k+1})ᵀ`, a bias `−coef Σ_j φ_0(s_k)_j`. For the
    /// mean over the batch take `coefs` of `1/b`.
    pub fn add_param_gradient(&self, coefs: &[f64], blocks: &mut [MatMut<'_, f64>], par: Par) {
        let n_layers = self.sizes.len() - 1;
        for k in 0..n_layers {
            let a = -coefs[2 * k];
            for f in 0..self.feats.len() {
                let (l, r) = (self.layer(f, k), self.layer(f, k + 1));
                blocked_matmul(blocks[2 * k].rb_mut(), Accum::Add, l, r.transpose(), a, par);
            }
            let a = -coefs[2 * k + 1];
            let top = self.layer(0, k + 1);
            let mut bias = blocks[2 * k + 1].rb_mut();
            for i in 0..top.nrows() {
                let mut acc = 0.0;
                for j in 0..top.ncols() {
                    acc += top[(i, j)];
                }
                bias[(i, 0)] += a * acc;
            }
        }
    }
}

/// Add `coefs[i] · Σ_j (∂E/∂θ_i(minus_j) − ∂E/∂θ_i(plus_j))` into `blocks[i]`: the contrast
/// of two equilibria of the same batch that equilibrium propagation
/// (`Δθ ∝ −(∂E/∂θ(s^β) − ∂E/∂θ(s⁰))`) and contrastive Hebbian learning take. The input layer is
/// the same in both, so the first weight block costs one product per feature,
/// `φ_f(x)(φ_f(s⁺_1) − φ_f(s⁻_1))ᵀ`; the others two. `diff` is scratch (`d_1 × b`).
pub fn add_param_contrast(
    plus: &LayerFeatures,
    minus: &LayerFeatures,
    coefs: &[f64],
    blocks: &mut [MatMut<'_, f64>],
    diff: &mut Mat<f64>,
    par: Par,
) {
    let n_layers = plus.sizes.len() - 1;
    let b = plus.n_columns();
    for k in 0..n_layers {
        let a = coefs[2 * k];
        for f in 0..plus.feats.len() {
            if k == 0 {
                let (p1, m1) = (plus.layer(f, 1), minus.layer(f, 1));
                if diff.nrows() != p1.nrows() || diff.ncols() != b {
                    *diff = Mat::zeros(p1.nrows(), b);
                }
                for j in 0..b {
                    for i in 0..p1.nrows() {
                        diff[(i, j)] = p1[(i, j)] - m1[(i, j)];
                    }
                }
                let x = plus.layer(f, 0);
                blocked_matmul(
                    blocks[0].rb_mut(),
                    Accum::Add,
                    x,
                    diff.as_ref().transpose(),
                    a,
                    par,
                );
            } else {
                for (m, sign) in [(plus, a), (minus, -a)] {
                    let (l, r) = (m.layer(f, k), m.layer(f, k + 1));
                    blocked_matmul(
                        blocks[2 * k].rb_mut(),
                        Accum::Add,
                        l,
                        r.transpose(),
                        sign,
                        par,
                    );
                }
            }
        }
        let a = coefs[2 * k + 1];
        let (p, m) = (plus.layer(0, k + 1), minus.layer(0, k + 1));
        let mut bias = blocks[2 * k + 1].rb_mut();
        for i in 0..p.nrows() {
            let mut acc = 0.0;
            for j in 0..b {
                acc += p[(i, j)] - m[(i, j)];
            }
            bias[(i, 0)] += a * acc;
        }
    }
}
