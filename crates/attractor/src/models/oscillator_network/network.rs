//! A layered network of phase oscillators: the oscillator Ising machine's energy (Gower,
//! arXiv 2505.02103 and 2510.12934, after Wang & Roychowdhury's OIM),
//! `V(φ) = −½Σ_{i≠j} J_ij cos(φ_i − φ_j) − Σ_i h_i cos φ_i` (the second-harmonic
//! synchronisation term `−Σ S_i/2 cos 2φ_i` is left out: `S = 0`), with `J` restricted to
//! couplings between consecutive layers `0 → 1 → … → L`:
//!
//! `E(φ_0, θ) = −Σ_k Σ_{ij} W_k[i, j] cos(θ^k_i − θ^{k+1}_j) − Σ_{k≥1} Σ_i h_k[i] cos θ^k_i`,
//!
//! where layer 0 holds the clamped input phases `φ_0 = π·x` (a pixel `x ∈ [0, 1]` becomes a
//! phase in `[0, π]`, so `cos φ_0` runs from 1 to −1) and layers `1 … L` the free phases `θ`
//! (hidden, then output). With `cos(a − b) = cos a cos b + sin a sin b` every coupling is two
//! matrix products, of the cosines and of the sines. The gradient is
//! `∂E/∂θ^k = sin θ^k ⊙ U_k − cos θ^k ⊙ V_k` with the fields
//! `U_k = h_k + W_{k−1}ᵀ cos θ^{k−1} + W_k cos θ^{k+1}` and
//! `V_k = W_{k−1}ᵀ sin θ^{k−1} + W_k sin θ^{k+1}`; the parameter gradient is
//! `∂E/∂W_k[i, j] = −cos(θ^k_i − θ^{k+1}_j)`, `∂E/∂h_k[i] = −cos θ^k_i`. The output is read as
//! `cos θ^L` (in `[−1, 1]`), the predicted class its largest entry.

use crate::energy::{Energy, ParamGradient};
use crate::error::{Result, check_len};
use crate::learn::optimizer::{BlockSpec, ParamBlocks};
use crate::linalg::check_matrix_finite;
use crate::models::layered::LayerParams;
use crate::models::layered::Relaxation;
use crate::step::Euler;
use faer::{Mat, MatMut, MatRef, Par};
use std::f64::consts::PI;

/// A layered oscillator network (see the module documentation): couplings `W_k`
/// (`d_k × d_{k+1}`, `k = 0 … L−1`) and bias fields `h_k` (`d_k × 1`, `k = 1 … L`), held as
/// the [`LayerParams`] every layered network shares (`b_k` there is `h_k` here; their
/// accessors are reached through `Deref`).
#[derive(Debug, Clone, PartialEq)]
pub struct OscillatorNetwork {
    layers: LayerParams,
}

impl std::ops::Deref for OscillatorNetwork {
    type Target = LayerParams;
    fn deref(&self) -> &LayerParams {
        &self.layers
    }
}

impl std::ops::DerefMut for OscillatorNetwork {
    fn deref_mut(&mut self) -> &mut LayerParams {
        &mut self.layers
    }
}

impl OscillatorNetwork {
    /// A network with layer widths `sizes = [d_0, …, d_L]` (inputs first, outputs last),
    /// Glorot-uniform couplings ([`LayerParams::glorot`]), zero bias fields.
    pub fn random(sizes: &[usize], seed: u64) -> Result<Self> {
        Ok(Self {
            layers: LayerParams::glorot(sizes, seed)?,
        })
    }

    /// A network from its couplings `W_k` (`d_k × d_{k+1}`) and bias fields `h_k`
    /// (`d_k × 1`, `k = 1 … L`), checked for agreeing shapes and finite values.
    pub fn from_parts(weights: Vec<Mat<f64>>, biases: Vec<Mat<f64>>) -> Result<Self> {
        Ok(Self {
            layers: LayerParams::from_parts(weights, biases)?,
        })
    }

    /// A network from parameters already checked ([`LayerParams::from_parts`]).
    pub fn from_params(layers: LayerParams) -> Self {
        Self { layers }
    }

    /// The parameters.
    pub fn layers(&self) -> &LayerParams {
        &self.layers
    }

    /// The input phases `φ_0 = π·x` of inputs `x` (`d_0 × n`, finite; pixels scaled to
    /// `[0, 1]`).
    pub fn input_phases(&self, x: MatRef<'_, f64>) -> Result<Mat<f64>> {
        check_len(
            "inputs x (features)",
            x.nrows(),
            self.n_inputs(),
            "give one feature per input oscillator (the first layer width)",
        )?;
        check_matrix_finite("inputs x", x)?;
        Ok(Mat::from_fn(x.nrows(), x.ncols(), |i, j| PI * x[(i, j)]))
    }

    /// The energy `E(φ_0, θ)` of input phases `phi_in` (length `d_0`) and free phases `theta`
    /// (length `D`), computed from the definition (a reference for the batched flow).
    pub fn energy_of(&self, phi_in: &[f64], theta: &[f64]) -> f64 {
        let layer = |k: usize| -> &[f64] {
            if k == 0 {
                phi_in
            } else {
                &theta[self.offset(k)..self.offset(k) + self.sizes()[k]]
            }
        };
        let mut e = 0.0;
        for k in 0..self.n_layers() {
            let (a, b, w) = (layer(k), layer(k + 1), &self.weight(k));
            for (j, bj) in b.iter().enumerate() {
                for (i, ai) in a.iter().enumerate() {
                    e -= w[(i, j)] * (ai - bj).cos();
                }
            }
            for (h, t) in self.bias(k + 1).iter().zip(layer(k + 1)) {
                e -= h * t.cos();
            }
        }
        e
    }

    /// Relax the free phases for the inputs `x` (`d_0 × n`, pixels in `[0, 1]`) from
    /// `θ = π/2` (every output undecided, `cos θ = 0`) in column blocks of `batch`; returns
    /// the free equilibria (`D × n`).
    pub fn relax_free(
        &self,
        x: MatRef<'_, f64>,
        relaxation: &Relaxation,
        batch: usize,
        par: Par,
    ) -> Result<Mat<f64>> {
        let phi = self.input_phases(x)?;
        relaxation.validate("free")?;
        let n = x.ncols();
        crate::linalg::check_dense_size("free phases", self.state_dim(), n)?;
        let mut out = Mat::zeros(self.state_dim(), n);
        let batch = batch.max(1);
        let mut start = 0;
        while start < n {
            let b = batch.min(n - start);
            let mut flow =
                super::OscillatorFlow::new(self, phi.as_ref().subcols(start, b), None, par)?;
            let s0 = self.initial_phases(b);
            let sol = relaxation
                .run()?
                .solve_batch(&mut flow, &mut Euler::new(), s0.as_ref())?;
            out.as_mut()
                .subcols_mut(start, b)
                .copy_from(sol.states.as_ref());
            start += b;
        }
        Ok(out)
    }

    /// The starting free phases of a relaxation: every phase `π/2` (`D × n`).
    pub fn initial_phases(&self, n: usize) -> Mat<f64> {
        Mat::from_fn(self.state_dim(), n, |_, _| 0.5 * PI)
    }

    /// The predicted class of each input column: the output oscillator with the largest
    /// `cos θ` at the free equilibrium.
    pub fn predict_classes(
        &self,
        x: MatRef<'_, f64>,
        relaxation: &Relaxation,
        par: Par,
    ) -> Result<Vec<usize>> {
        let s = self.relax_free(x, relaxation, 256, par)?;
        let rows = self.output_rows();
        Ok((0..s.ncols())
            .map(|j| {
                let mut best = rows.start;
                for i in rows.clone() {
                    if s[(i, j)].cos() > s[(best, j)].cos() {
                        best = i;
                    }
                }
                best - rows.start
            })
            .collect())
    }
}

impl ParamBlocks for OscillatorNetwork {
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

/// The energy as a function of the whole state `[φ_0; θ]` (input phases included).
/// Two features, `φ_0 = cos`, `φ_1 = sin`: `∂E/∂W_k = −(cos θ^k cos θ^{k+1}ᵀ + sin θ^k sin θ^{k+1}ᵀ)`,
/// `∂E/∂h_k = −cos θ^k` (the input layer as its phases `φ_0 = π·x`).
impl crate::energy::BatchParamGradient for OscillatorNetwork {
    fn layer_sizes(&self) -> &[usize] {
        self.sizes()
    }
    fn n_features(&self) -> usize {
        2
    }
    fn feature_into(&self, f: usize, s: MatRef<'_, f64>, mut out: MatMut<'_, f64>) {
        for j in 0..s.ncols() {
            for i in 0..s.nrows() {
                let v = s[(i, j)];
                out[(i, j)] = if f == 0 { v.cos() } else { v.sin() };
            }
        }
    }
}

impl Energy for OscillatorNetwork {
    fn dim(&self) -> usize {
        self.n_inputs() + self.state_dim()
    }
    fn energy(&mut self, z: &[f64]) -> f64 {
        let d0 = self.n_inputs();
        self.energy_of(&z[..d0], &z[d0..])
    }
}

/// `θ = (W_0 column-major, h_1, W_1, h_2, …)`, the order of the parameter blocks;
/// `∂E/∂W_k[i, j] = −cos(θ^k_i − θ^{k+1}_j)`, `∂E/∂h_k = −cos θ^k`, at the state `[φ_0; θ]`.
impl ParamGradient for OscillatorNetwork {
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
        let d0 = self.n_inputs();
        let (phi, theta) = z.split_at(d0);
        let layer = |k: usize| -> &[f64] {
            if k == 0 {
                phi
            } else {
                &theta[self.offset(k)..self.offset(k) + self.sizes()[k]]
            }
        };
        let mut p = 0;
        for k in 0..self.n_layers() {
            let (a, b) = (layer(k), layer(k + 1));
            for bj in b {
                for ai in a {
                    grad[p] = -(ai - bj).cos();
                    p += 1;
                }
            }
            for t in b {
                grad[p] = -t.cos();
                p += 1;
            }
        }
    }
}
