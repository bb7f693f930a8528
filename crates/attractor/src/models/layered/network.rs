//! The layered energy network of equilibrium propagation (Scellier & Bengio, "Equilibrium
//! propagation: bridging the gap between energy-based models and backpropagation", Front.
//! Comput. Neurosci. 2017, arXiv 1602.05179): layers `s_0 = x` (the input, clamped),
//! `s_1 … s_L` (hidden layers, then the output), and the energy
//!
//! `E(s) = ½ Σ_{k≥1} ‖s_k‖² − Σ_{k≥1} b_kᵀρ(s_k) − Σ_{k=0}^{L−1} ρ(s_k)ᵀ W_k ρ(s_{k+1})`
//!
//! with `W_k` of shape `d_k × d_{k+1}`, so that
//! `∂E/∂s_k = s_k − ρ′(s_k) ⊙ (b_k + W_{k−1}ᵀρ(s_{k−1}) + W_k ρ(s_{k+1}))` and
//! `∂E/∂W_k = −ρ(s_k)ρ(s_{k+1})ᵀ`, `∂E/∂b_k = −ρ(s_k)`. The free state of a column stacks
//! `s_1, …, s_L` (dimension `D = d_1 + … + d_L`); the input is data, not state.

use super::LayerActivation;
use crate::energy::{Energy, ParamGradient};
use crate::error::{Error, Result, check_len};
use crate::learn::optimizer::{BlockSpec, ParamBlocks};
use crate::linalg::check_matrix_finite;
use faer::{Mat, MatMut, MatRef};

/// The largest number of units in one layer.
pub const MAX_LAYER_WIDTH: usize = 1 << 24;

/// A layered energy network: weights `W_0 … W_{L−1}`, biases `b_1 … b_L` and an activation.
#[derive(Debug, Clone, PartialEq)]
pub struct LayeredNetwork {
    sizes: Vec<usize>,
    weights: Vec<Mat<f64>>,
    biases: Vec<Mat<f64>>,
    activation: LayerActivation,
    offsets: Vec<usize>,
}

fn check_sizes(sizes: &[usize]) -> Result<()> {
    if sizes.len() < 2 {
        return Err(Error::invalid(
            "layer sizes",
            format!("{sizes:?}"),
            "give at least an input and an output layer, e.g. [784, 500, 10]",
        ));
    }
    for (k, &d) in sizes.iter().enumerate() {
        if d == 0 || d > MAX_LAYER_WIDTH {
            return Err(Error::invalid(
                &format!("width of layer {k}"),
                d,
                "every layer needs between 1 and 16777216 units",
            ));
        }
    }
    for k in 0..sizes.len() - 1 {
        crate::linalg::check_dense_size("weight matrix", sizes[k], sizes[k + 1])?;
    }
    Ok(())
}

impl LayeredNetwork {
    /// A network with layer widths `sizes = [d_0, d_1, …, d_L]` (input first, output last),
    /// Glorot-uniform weights `W_k ~ U(±√(6/(d_k + d_{k+1})))` (Glorot & Bengio 2010, as
    /// Scellier & Bengio initialise) drawn from `rng::stream(seed, PARAMS + k)`, zero biases.
    pub fn random(sizes: &[usize], activation: LayerActivation, seed: u64) -> Result<Self> {
        use rand::RngExt;
        check_sizes(sizes)?;
        let weights = (0..sizes.len() - 1)
            .map(|k| {
                let (r, c) = (sizes[k], sizes[k + 1]);
                let a = (6.0 / (r + c) as f64).sqrt();
                let mut rng = crate::rng::stream(seed, crate::rng::streams::PARAMS + k as u64);
                let mut w = Mat::zeros(r, c);
                for j in 0..c {
                    for x in w.col_as_slice_mut(j) {
                        *x = rng.random_range(-a..a);
                    }
                }
                w
            })
            .collect();
        let biases = sizes[1..].iter().map(|&d| Mat::zeros(d, 1)).collect();
        Self::from_parts(weights, biases, activation)
    }

    /// A network from its weights `W_k` (`d_k × d_{k+1}`) and biases `b_k` (`d_k × 1`, for
    /// `k = 1 … L`), checked for agreeing shapes and finite values.
    pub fn from_parts(
        weights: Vec<Mat<f64>>,
        biases: Vec<Mat<f64>>,
        activation: LayerActivation,
    ) -> Result<Self> {
        if weights.is_empty() {
            return Err(Error::invalid(
                "weights",
                "[]",
                "give at least one weight matrix (input to output)",
            ));
        }
        check_len(
            "biases",
            biases.len(),
            weights.len(),
            "give one bias vector per non-input layer",
        )?;
        let mut sizes = vec![weights[0].nrows()];
        for (k, w) in weights.iter().enumerate() {
            check_len(
                &format!("W_{k} (rows)"),
                w.nrows(),
                sizes[k],
                &format!(
                    "W_{k} maps layer {k} to layer {}: give it d_{k} rows",
                    k + 1
                ),
            )?;
            sizes.push(w.ncols());
            check_matrix_finite(&format!("W_{k}"), w.as_ref())?;
        }
        check_sizes(&sizes)?;
        for (k, b) in biases.iter().enumerate() {
            check_len(
                &format!("b_{} (length)", k + 1),
                b.nrows(),
                sizes[k + 1],
                "give one bias per unit of the layer",
            )?;
            check_len(
                &format!("b_{} (columns)", k + 1),
                b.ncols(),
                1,
                "a bias is one column",
            )?;
            check_matrix_finite(&format!("b_{}", k + 1), b.as_ref())?;
        }
        let mut offsets = vec![0];
        for &d in &sizes[1..] {
            offsets.push(offsets.last().unwrap() + d);
        }
        Ok(Self {
            sizes,
            weights,
            biases,
            activation,
            offsets,
        })
    }

    /// The layer widths `[d_0, …, d_L]`.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }
    /// The number of layers after the input, `L`.
    pub fn n_layers(&self) -> usize {
        self.sizes.len() - 1
    }
    /// The input width `d_0`.
    pub fn n_inputs(&self) -> usize {
        self.sizes[0]
    }
    /// The output width `d_L`.
    pub fn n_outputs(&self) -> usize {
        *self.sizes.last().unwrap()
    }
    /// The dimension `D = d_1 + … + d_L` of a free state.
    pub fn state_dim(&self) -> usize {
        *self.offsets.last().unwrap()
    }
    /// Where layer `k ≥ 1` starts in a free state (`offset(L+1)` is `D`).
    pub fn offset(&self, k: usize) -> usize {
        self.offsets[k - 1]
    }
    /// The rows of the output layer in a free state.
    pub fn output_rows(&self) -> std::ops::Range<usize> {
        self.offset(self.n_layers())..self.state_dim()
    }
    /// The activation.
    pub fn activation(&self) -> LayerActivation {
        self.activation
    }
    /// `W_k`, `d_k × d_{k+1}`, for `k = 0 … L−1`.
    pub fn weight(&self, k: usize) -> MatRef<'_, f64> {
        self.weights[k].as_ref()
    }
    /// `b_k` for `k = 1 … L`.
    pub fn bias(&self, k: usize) -> &[f64] {
        self.biases[k - 1].col_as_slice(0)
    }
    /// `W_k`, mutably.
    pub fn weight_mut(&mut self, k: usize) -> MatMut<'_, f64> {
        self.weights[k].as_mut()
    }
    /// `b_k`, mutably.
    pub fn bias_mut(&mut self, k: usize) -> &mut [f64] {
        self.biases[k - 1].col_as_slice_mut(0)
    }
    /// Whether every parameter is finite.
    pub fn is_finite(&self) -> bool {
        self.weights
            .iter()
            .chain(&self.biases)
            .all(|m| (0..m.ncols()).all(|j| m.col_as_slice(j).iter().all(|v| v.is_finite())))
    }

    /// Check that `x` has `d_0` rows and finite values (`what` names it in the message).
    pub fn check_inputs(&self, what: &str, x: MatRef<'_, f64>) -> Result<()> {
        check_len(
            &format!("{what} (features)"),
            x.nrows(),
            self.n_inputs(),
            "give one feature per input unit of the network (its first layer width)",
        )?;
        check_matrix_finite(what, x)
    }

    /// The energy `E(x, s)` of input `x` (length `d_0`) and free state `s` (length `D`),
    /// computed directly from the definition (a reference for the batched flow).
    pub fn energy_of(&self, x: &[f64], s: &[f64]) -> f64 {
        let act = self.activation;
        let rho = |v: &[f64]| v.iter().map(|&u| act.rho(u)).collect::<Vec<_>>();
        let mut layers = vec![rho(x)];
        let mut e = 0.0;
        for k in 1..=self.n_layers() {
            let sk = &s[self.offset(k)..self.offset(k) + self.sizes[k]];
            e += 0.5 * sk.iter().map(|v| v * v).sum::<f64>();
            let r = rho(sk);
            e -= self.bias(k).iter().zip(&r).map(|(b, r)| b * r).sum::<f64>();
            layers.push(r);
        }
        for k in 0..self.n_layers() {
            let w = self.weight(k);
            for j in 0..w.ncols() {
                let wj = w.col(j);
                let mut acc = 0.0;
                for i in 0..w.nrows() {
                    acc += layers[k][i] * wj[i];
                }
                e -= acc * layers[k + 1][j];
            }
        }
        e
    }

    /// The parameter blocks in their fixed order `W_0, b_1, W_1, b_2, …, W_{L−1}, b_L`, with
    /// learning-rate scales `lr_scales[k]` for the pair `(W_k, b_{k+1})` (ones when empty).
    pub fn block_specs_scaled(&self, lr_scales: &[f64]) -> Vec<BlockSpec> {
        let mut v = Vec::with_capacity(2 * self.n_layers());
        for k in 0..self.n_layers() {
            let s = lr_scales.get(k).copied().unwrap_or(1.0);
            v.push(BlockSpec::weights(self.sizes[k], self.sizes[k + 1]).with_lr_scale(s));
            v.push(BlockSpec::bias(self.sizes[k + 1]).with_lr_scale(s));
        }
        v
    }
}

impl ParamBlocks for LayeredNetwork {
    fn block_specs(&self) -> Vec<BlockSpec> {
        self.block_specs_scaled(&[])
    }
    fn with_blocks_mut(&mut self, f: &mut dyn FnMut(&mut [MatMut<'_, f64>])) {
        let mut blocks: Vec<MatMut<'_, f64>> = Vec::with_capacity(2 * self.weights.len());
        for (w, b) in self.weights.iter_mut().zip(self.biases.iter_mut()) {
            blocks.push(w.as_mut());
            blocks.push(b.as_mut());
        }
        f(&mut blocks)
    }
    fn params_finite(&self) -> bool {
        self.is_finite()
    }
}

/// The energy as a function of the whole state `[x; s_1; …; s_L]` (input included, so that
/// [`ParamGradient`] sees every factor of `∂E/∂W_0`).
impl Energy for LayeredNetwork {
    fn dim(&self) -> usize {
        self.n_inputs() + self.state_dim()
    }
    fn energy(&mut self, z: &[f64]) -> f64 {
        let d0 = self.n_inputs();
        self.energy_of(&z[..d0], &z[d0..])
    }
}

/// `θ = (W_0 column-major, b_1, W_1, b_2, …)`, the order of the parameter blocks;
/// `∂E/∂W_k = −ρ(s_k)ρ(s_{k+1})ᵀ`, `∂E/∂b_k = −ρ(s_k)`, at the whole state `[x; s]`.
impl ParamGradient for LayeredNetwork {
    fn n_params(&self) -> usize {
        (0..self.n_layers())
            .map(|k| self.sizes[k] * self.sizes[k + 1] + self.sizes[k + 1])
            .sum()
    }
    fn params(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(self.n_params());
        for (w, b) in self.weights.iter().zip(&self.biases) {
            for j in 0..w.ncols() {
                v.extend_from_slice(w.col_as_slice(j));
            }
            v.extend_from_slice(b.col_as_slice(0));
        }
        v
    }
    fn set_params(&mut self, theta: &[f64]) -> Result<()> {
        check_len(
            "theta",
            theta.len(),
            self.n_params(),
            "give every weight and bias (LayeredNetwork::params order)",
        )?;
        crate::error::check_finite("theta", theta)?;
        let mut at = 0;
        for (w, b) in self.weights.iter_mut().zip(self.biases.iter_mut()) {
            for j in 0..w.ncols() {
                let n = w.nrows();
                w.col_as_slice_mut(j).copy_from_slice(&theta[at..at + n]);
                at += n;
            }
            let n = b.nrows();
            b.col_as_slice_mut(0).copy_from_slice(&theta[at..at + n]);
            at += n;
        }
        Ok(())
    }
    fn param_gradient_into(&self, z: &[f64], grad: &mut [f64]) {
        let act = self.activation;
        let d0 = self.n_inputs();
        let layer = |k: usize| -> Vec<f64> {
            let r = if k == 0 {
                &z[..d0]
            } else {
                &z[d0 + self.offset(k)..d0 + self.offset(k) + self.sizes[k]]
            };
            r.iter().map(|&u| act.rho(u)).collect()
        };
        let mut at = 0;
        for k in 0..self.n_layers() {
            let (a, b) = (layer(k), layer(k + 1));
            for &bj in &b {
                for &ai in &a {
                    grad[at] = -ai * bj;
                    at += 1;
                }
            }
            for &bj in &b {
                grad[at] = -bj;
                at += 1;
            }
        }
    }
}
