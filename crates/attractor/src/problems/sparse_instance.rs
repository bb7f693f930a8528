//! Synthetic sparse-recovery instances (compressed sensing: Candès, Romberg, Tao 2006): a
//! Gaussian dictionary with unit-norm atoms, a `k`-sparse code and its noiseless signal. The
//! experiment of Centorrino et al. (SCIENCE.md §6) is `m = 30, n = 60, k = 5`, entries
//! U(1, 2), non-negative.

use crate::error::{Error, Result};
use crate::linalg::check_dense_size;
use crate::rng::{stream, streams};
use faer::Mat;
use rand::RngExt;

/// A dictionary, a sparse code and the signal it makes.
#[derive(Debug, Clone)]
pub struct SparseInstance {
    /// `Φ` (`m × n`), atoms as unit-norm columns.
    pub dictionary: Mat<f64>,
    /// The `k`-sparse code `x₀`.
    pub code: Vec<f64>,
    /// `y = Φx₀`.
    pub signal: Vec<f64>,
}

impl SparseInstance {
    /// `m` features, `n` atoms with i.i.d. `N(0, 1)` entries normalised to unit norm, and a code
    /// with `k` non-zeros at distinct random positions with magnitudes U(lo, hi) (random signs
    /// unless `non_negative`), all drawn from `seed`.
    pub fn gaussian(
        m: usize,
        n: usize,
        k: usize,
        (lo, hi): (f64, f64),
        non_negative: bool,
        seed: u64,
    ) -> Result<Self> {
        if m == 0 || n == 0 {
            return Err(Error::invalid(
                "instance size",
                format!("{m} x {n}"),
                "give at least one feature and one atom",
            ));
        }
        if k > n {
            return Err(Error::invalid(
                "sparsity k",
                k,
                &format!("at most the number of atoms ({n})"),
            ));
        }
        if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo < hi) {
            return Err(Error::invalid(
                "magnitude range",
                format!("[{lo}, {hi})"),
                "give finite bounds with 0 <= lo < hi",
            ));
        }
        check_dense_size("dictionary", m, n)?;
        let mut r = stream(seed, streams::PARAMS);
        let mut dictionary =
            Mat::from_fn(m, n, |_, _| r.sample::<f64, _>(rand_distr::StandardNormal));
        for j in 0..n {
            let norm = dictionary.col(j).iter().map(|v| v * v).sum::<f64>().sqrt();
            for i in 0..m {
                dictionary[(i, j)] /= norm;
            }
        }
        let mut r = stream(seed, streams::INIT);
        let mut code = vec![0.0; n];
        let positions = rand::seq::index::sample(&mut r, n, k);
        for i in positions.iter() {
            let s = if non_negative || r.random_bool(0.5) {
                1.0
            } else {
                -1.0
            };
            code[i] = s * r.random_range(lo..hi);
        }
        let signal = (0..m)
            .map(|i| (0..n).map(|j| dictionary[(i, j)] * code[j]).sum())
            .collect();
        Ok(Self {
            dictionary,
            code,
            signal,
        })
    }

    /// The indices of the non-zeros of the code.
    pub fn support(&self) -> Vec<usize> {
        (0..self.code.len())
            .filter(|&i| self.code[i] != 0.0)
            .collect()
    }
}
