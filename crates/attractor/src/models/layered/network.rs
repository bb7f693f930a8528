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
use super::params::LayerParams;
use crate::energy::{Energy, ParamGradient};
use crate::error::{Result, check_len};
use crate::learn::optimizer::{BlockSpec, ParamBlocks};
use crate::linalg::check_matrix_finite;
use faer::{Mat, MatMut, MatRef};

pub use super::params::MAX_LAYER_WIDTH;

/// A layered energy network: its parameters ([`LayerParams`]: `W_0 … W_{L−1}`, `b_1 … b_L`;
/// their accessors are reached through `Deref`) and an activation.
#[derive(Debug, Clone, PartialEq)]
pub struct LayeredNetwork {
    layers: LayerParams,
    activation: LayerActivation,
}

impl std::ops::Deref for LayeredNetwork {
    type Target = LayerParams;
    fn deref(&self) -> &LayerParams {
        &self.layers
    }
}

impl std::ops::DerefMut for LayeredNetwork {
    fn deref_mut(&mut self) -> &mut LayerParams {
        &mut self.layers
    }
}

impl LayeredNetwork {
    /// A network with layer widths `sizes = [d_0, d_1, …, d_L]` (input first, output last),
    /// Glorot-uniform weights (as Scellier & Bengio initialise; [`LayerParams::glorot`]) and
    /// zero biases.
    pub fn random(sizes: &[usize], activation: LayerActivation, seed: u64) -> Result<Self> {
        Ok(Self {
            layers: LayerParams::glorot(sizes, seed)?,
            activation,
        })
    }

    /// A network from its weights `W_k` (`d_k × d_{k+1}`) and biases `b_k` (`d_k × 1`, for
    /// `k = 1 … L`), checked for agreeing shapes and finite values.
    pub fn from_parts(
        weights: Vec<Mat<f64>>,
        biases: Vec<Mat<f64>>,
        activation: LayerActivation,
    ) -> Result<Self> {
        Ok(Self {
            layers: LayerParams::from_parts(weights, biases)?,
            activation,
        })
    }

    /// A network from parameters already checked ([`LayerParams::from_parts`]).
    pub fn from_params(layers: LayerParams, activation: LayerActivation) -> Result<Self> {
        Ok(Self { layers, activation })
    }

    /// The parameters.
    pub fn layers(&self) -> &LayerParams {
        &self.layers
    }
    /// The activation.
    pub fn activation(&self) -> LayerActivation {
        self.activation
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
            let sk = &s[self.offset(k)..self.offset(k) + self.sizes()[k]];
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
}

impl ParamBlocks for LayeredNetwork {
    fn block_specs(&self) -> Vec<BlockSpec> {
        self.layers.block_specs()
    }
    fn with_blocks_mut(&mut self, f: &mut dyn FnMut(&mut [MatMut<'_, f64>])) {
        self.layers.with_blocks_mut(f)
    }
    fn params_finite(&self) -> bool {
        self.layers.is_finite()
    }
}

/// One feature, `φ_0 = ρ`: `∂E/∂W_k = −ρ(s_k)ρ(s_{k+1})ᵀ`, `∂E/∂b_k = −ρ(s_k)`.
impl crate::energy::BatchParamGradient for LayeredNetwork {
    fn layer_sizes(&self) -> &[usize] {
        self.sizes()
    }
    fn n_features(&self) -> usize {
        1
    }
    fn feature_into(&self, _f: usize, s: MatRef<'_, f64>, out: MatMut<'_, f64>) {
        super::flow::rho_into(self.activation, s, out);
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
        self.layers.n_params()
    }
    fn params(&self) -> Vec<f64> {
        self.layers.to_flat()
    }
    fn set_params(&mut self, theta: &[f64]) -> Result<()> {
        self.layers.set_flat(theta)
    }
    fn param_gradient_into(&self, z: &[f64], grad: &mut [f64]) {
        let act = self.activation;
        let d0 = self.n_inputs();
        let layer = |k: usize| -> Vec<f64> {
            let r = if k == 0 {
                &z[..d0]
            } else {
                &z[d0 + self.offset(k)..d0 + self.offset(k) + self.sizes()[k]]
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
