//! The dense kernels the RBM's conditionals, partition functions and training share: products
//! split into fixed row blocks (so that the result never depends on the number of threads),
//! the logistic function, stable `softplus` and log-sum-exp, and per-chain sampling.

use crate::rng::Rng;
use faer::reborrow::ReborrowMut;
use faer::{MatMut, MatRef};
use rand::Rng as _;

pub(crate) use crate::linalg::blocked_matmul;

/// `log(1 + e^x)` without overflow: `max(x, 0) + log1p(e^{−|x|})` (the vectorisable kernel of
/// [`crate::fastmath`]; its slice sums are `fastmath::softplus_sum*`).
pub(crate) use crate::fastmath::softplus;

/// `log Σ_i e^{x_i}` accumulated in one pass: the running maximum `m` and `s = Σ e^{x_i − m}`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogSumExp {
    max: f64,
    sum: f64,
}

impl Default for LogSumExp {
    fn default() -> Self {
        Self {
            max: f64::NEG_INFINITY,
            sum: 0.0,
        }
    }
}

impl LogSumExp {
    /// Add one term `e^x`.
    #[inline]
    pub(crate) fn add(&mut self, x: f64) {
        if x <= self.max {
            self.sum += (x - self.max).exp();
        } else {
            self.sum = self.sum * (self.max - x).exp() + 1.0;
            self.max = x;
        }
    }
    /// Merge another accumulator (for blocks computed separately).
    pub(crate) fn merge(&mut self, o: LogSumExp) {
        if o.sum == 0.0 {
            return;
        }
        if o.max <= self.max {
            self.sum += o.sum * (o.max - self.max).exp();
        } else {
            self.sum = self.sum * (self.max - o.max).exp() + o.sum;
            self.max = o.max;
        }
    }
    /// `log Σ e^{x_i}` (`−∞` for no terms).
    pub(crate) fn value(&self) -> f64 {
        if self.sum == 0.0 {
            f64::NEG_INFINITY
        } else {
            self.max + self.sum.ln()
        }
    }
}

/// `2^-32`: a 32-bit uniform integer times this is uniform on `[0, 1)`.
const U32_SCALE: f64 = 1.0 / 4_294_967_296.0;

/// Replace each probability `p` in `x` by a draw from Bernoulli(`p`): 1 when a uniform on
/// `[0, 1)` (32 bits, two per 64-bit output of the chain's generator) is below `p`, else 0.
#[inline]
pub(crate) fn sample_bernoulli_in_place(x: &mut [f64], rng: &mut Rng) {
    let mut pairs = x.chunks_exact_mut(2);
    for p in &mut pairs {
        let r = rng.next_u64();
        let u0 = f64::from(r as u32) * U32_SCALE;
        let u1 = f64::from((r >> 32) as u32) * U32_SCALE;
        p[0] = if u0 < p[0] { 1.0 } else { 0.0 };
        p[1] = if u1 < p[1] { 1.0 } else { 0.0 };
    }
    for p in pairs.into_remainder() {
        let u = f64::from(rng.next_u32()) * U32_SCALE;
        *p = if u < *p { 1.0 } else { 0.0 };
    }
}

/// Add `sd·N(0, 1)` noise to each entry of `x` (a draw from `N(x, sd²)`), from the chain's
/// generator.
#[inline]
pub(crate) fn add_gaussian_noise(x: &mut [f64], sd: f64, rng: &mut Rng) {
    use rand::RngExt;
    for v in x {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        *v += sd * z;
    }
}

/// `x_j ← σ(β (x_j + c_j))` for one column `x` and bias `c`.
#[inline]
pub(crate) fn sigmoid_affine(x: &mut [f64], c: &[f64], beta: f64) {
    if beta == 1.0 {
        for (v, &c) in x.iter_mut().zip(c) {
            *v += c;
        }
    } else {
        for (v, &c) in x.iter_mut().zip(c) {
            *v = beta * (*v + c);
        }
    }
    crate::fastmath::sigmoid_in_place(x);
}

/// The contiguous column `j` of a column-major matrix (faer's `Mat` columns are contiguous).
#[inline]
pub(crate) fn col_mut<'a>(m: &'a mut MatMut<'_, f64>, j: usize) -> &'a mut [f64] {
    m.rb_mut()
        .col_mut(j)
        .try_as_col_major_mut()
        .map_or(&mut [][..], |c| c.as_slice_mut())
}

/// The contiguous column `j` of a column-major matrix view (empty when strided: callers pass
/// owned `Mat`s or contiguous views).
#[inline]
pub(crate) fn col<'a>(m: MatRef<'a, f64>, j: usize) -> &'a [f64] {
    m.col(j)
        .try_as_col_major()
        .map_or(&[][..], |c| c.as_slice())
}
