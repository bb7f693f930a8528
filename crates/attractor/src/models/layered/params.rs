//! The parameters every layered network shares, whatever its units (rates of the layered
//! energy network, phases of the oscillator network): weights `W_k` of shape `d_k × d_{k+1}`
//! for `k = 0 … L−1`, biases `b_k` for `k = 1 … L`, the widths and where each layer sits in a
//! free state (`s_1, …, s_L` stacked, dimension `D = d_1 + … + d_L`).

use crate::error::{Error, Result, check_len};
use crate::learn::optimizer::{BlockSpec, ParamBlocks};
use crate::linalg::check_matrix_finite;
use faer::{Mat, MatMut, MatRef};

/// The largest number of units in one layer.
pub const MAX_LAYER_WIDTH: usize = 1 << 24;

/// Weights and biases of a layered network, checked for agreeing shapes and finite values.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerParams {
    sizes: Vec<usize>,
    weights: Vec<Mat<f64>>,
    biases: Vec<Mat<f64>>,
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
    // all the matrices together (each fitting alone is not enough), widths <= 2^24 so that
    // the products cannot overflow
    let entries = sizes
        .windows(2)
        .fold(0u64, |acc, w| acc.saturating_add(w[0] as u64 * w[1] as u64));
    crate::memory::check_bytes(
        "the weight matrices",
        sizes,
        entries.saturating_mul(8),
        "use narrower hidden layers",
    )?;
    Ok(())
}

impl LayerParams {
    /// Widths `sizes = [d_0, d_1, …, d_L]` (input first, output last), Glorot-uniform weights
    /// `W_k ~ U(±√(6/(d_k + d_{k+1})))` (Glorot & Bengio 2010) drawn from
    /// `rng::stream(seed, PARAMS + k)`, zero biases.
    pub fn glorot(sizes: &[usize], seed: u64) -> Result<Self> {
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
        Self::from_parts(weights, biases)
    }

    /// Weights `W_k` (`d_k × d_{k+1}`) and biases `b_k` (`d_k × 1`, `k = 1 … L`), checked.
    pub fn from_parts(weights: Vec<Mat<f64>>, biases: Vec<Mat<f64>>) -> Result<Self> {
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
    /// Where layer `k ≥ 1` starts in a free state.
    pub fn offset(&self, k: usize) -> usize {
        self.offsets[k - 1]
    }
    /// The rows of the output layer in a free state.
    pub fn output_rows(&self) -> std::ops::Range<usize> {
        self.offset(self.n_layers())..self.state_dim()
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

    /// The parameter blocks in their fixed order `W_0, b_1, W_1, b_2, …, W_{L−1}, b_L`, with
    /// learning-rate scales `lr_scales[k]` for the pair `(W_k, b_{k+1})` (the last given scale
    /// repeats; none given means 1).
    pub fn block_specs_scaled(&self, lr_scales: &[f64]) -> Vec<BlockSpec> {
        let mut v = Vec::with_capacity(2 * self.n_layers());
        for k in 0..self.n_layers() {
            let s = lr_scales
                .get(k)
                .or(lr_scales.last())
                .copied()
                .unwrap_or(1.0);
            v.push(BlockSpec::weights(self.sizes[k], self.sizes[k + 1]).with_lr_scale(s));
            v.push(BlockSpec::bias(self.sizes[k + 1]).with_lr_scale(s));
        }
        v
    }

    /// The number of parameters.
    pub fn n_params(&self) -> usize {
        (0..self.n_layers())
            .map(|k| self.sizes[k] * self.sizes[k + 1] + self.sizes[k + 1])
            .sum()
    }

    /// The parameters flattened: `W_0` column-major, `b_1`, `W_1`, `b_2`, …
    pub fn to_flat(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(self.n_params());
        for (w, b) in self.weights.iter().zip(&self.biases) {
            for j in 0..w.ncols() {
                v.extend_from_slice(w.col_as_slice(j));
            }
            v.extend_from_slice(b.col_as_slice(0));
        }
        v
    }

    /// Replace the parameters from their flattened form ([`to_flat`](Self::to_flat)'s order;
    /// the length and finiteness are checked).
    pub fn set_flat(&mut self, theta: &[f64]) -> Result<()> {
        check_len(
            "theta",
            theta.len(),
            self.n_params(),
            "give every weight and bias (W_0 column-major, b_1, W_1, b_2, …)",
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
}

impl ParamBlocks for LayerParams {
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
