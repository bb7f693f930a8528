//! Pattern sets for associative memories: `K` patterns `ξ^μ ∈ ℝᴺ` (binary `±1` or
//! continuous), seeded generators, binarisation and seeded corruption of queries.
//!
//! The stored layout is row-major `K × N`: pattern `μ` is the contiguous slice
//! `data[μN .. (μ+1)N]`. [`Patterns::columns`] gives the `N × K` matrix `X = (ξ¹ … ξᴷ)` of
//! Ramsauer et al. (2020), [`Patterns::rows`] the `K × N` matrix `Ξ` with one pattern per row.

use crate::error::{Error, Result, check_finite};
use faer::Mat;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// A set of `K ≥ 1` patterns of common length `N ≥ 1`.
///
/// ```
/// use attractor::problems::Patterns;
/// let p = Patterns::random_binary(5, 100, 7)?;
/// assert_eq!((p.n_patterns(), p.dim()), (5, 100));
/// assert!(p.is_binary());
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Patterns {
    n_patterns: usize,
    dim: usize,
    data: Vec<f64>,
}

impl Patterns {
    /// Patterns from one vector per pattern. Errors on an empty set, an empty pattern, patterns
    /// of different lengths or non-finite entries.
    pub fn new(patterns: Vec<Vec<f64>>) -> Result<Self> {
        let Some(first) = patterns.first() else {
            return Err(empty_set());
        };
        let dim = first.len();
        for (mu, p) in patterns.iter().enumerate() {
            if p.len() != dim {
                return Err(Error::Incompatible(format!(
                    "patterns have different lengths: pattern 0 has {dim} entries but pattern {mu} has {}; every pattern must have the same length N",
                    p.len()
                )));
            }
        }
        let n = patterns.len();
        Self::from_flat(n, dim, patterns.into_iter().flatten().collect())
    }

    /// Patterns from a row-major `K × N` buffer (`data.len() == K·N`).
    pub fn from_flat(n_patterns: usize, dim: usize, data: Vec<f64>) -> Result<Self> {
        if n_patterns == 0 {
            return Err(empty_set());
        }
        if dim == 0 {
            return Err(Error::invalid(
                "pattern length N",
                0,
                "patterns need at least one entry",
            ));
        }
        crate::linalg::check_dense_size("patterns (K x N)", n_patterns, dim)?;
        crate::error::check_len(
            "pattern data",
            data.len(),
            n_patterns * dim,
            "pass K·N values, one pattern after another",
        )?;
        check_finite("pattern data", &data)?;
        Ok(Self {
            n_patterns,
            dim,
            data,
        })
    }

    /// `K` patterns of length `N` with independent, equiprobable `±1` entries.
    pub fn random_binary(n_patterns: usize, dim: usize, seed: u64) -> Result<Self> {
        crate::linalg::check_dense_size("patterns (K x N)", n_patterns, dim)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let data = (0..n_patterns * dim)
            .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
            .collect();
        Self::from_flat(n_patterns, dim, data)
    }

    /// `K` patterns of length `N` with independent standard normal entries.
    pub fn random_gaussian(n_patterns: usize, dim: usize, seed: u64) -> Result<Self> {
        crate::linalg::check_dense_size("patterns (K x N)", n_patterns, dim)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let data = (0..n_patterns * dim)
            .map(|_| rng.sample::<f64, _>(StandardNormal))
            .collect();
        Self::from_flat(n_patterns, dim, data)
    }

    /// Patterns from `K` images of `N` bytes each (MNIST, the 8×8 digits), scaled by
    /// `scale` (e.g. `1/255`).
    pub fn from_bytes(n_patterns: usize, dim: usize, bytes: &[u8], scale: f64) -> Result<Self> {
        crate::error::check_len(
            "image bytes",
            bytes.len(),
            n_patterns * dim,
            "pass K images of N pixels each",
        )?;
        Self::from_flat(
            n_patterns,
            dim,
            bytes.iter().map(|&b| f64::from(b) * scale).collect(),
        )
    }

    /// Number of patterns `K`.
    pub fn n_patterns(&self) -> usize {
        self.n_patterns
    }
    /// Pattern length `N`.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Pattern `μ` (panics if `μ ≥ K`, a programming error).
    pub fn pattern(&self, mu: usize) -> &[f64] {
        &self.data[mu * self.dim..(mu + 1) * self.dim]
    }
    /// Iterate over the patterns.
    pub fn iter(&self) -> impl Iterator<Item = &[f64]> {
        self.data.chunks_exact(self.dim)
    }
    /// The row-major `K × N` data.
    pub fn as_flat(&self) -> &[f64] {
        &self.data
    }
    /// Whether every entry is `±1`.
    pub fn is_binary(&self) -> bool {
        self.data.iter().all(|&v| v == 1.0 || v == -1.0)
    }
    /// Error unless every entry is `±1` (for models defined on spins).
    pub fn require_binary(&self, model: &str) -> Result<()> {
        match self.data.iter().position(|&v| v != 1.0 && v != -1.0) {
            None => Ok(()),
            Some(i) => Err(Error::invalid(
                "pattern entry",
                format!(
                    "{} (pattern {}, index {})",
                    self.data[i],
                    i / self.dim,
                    i % self.dim
                ),
                &format!(
                    "{model} stores ±1 patterns; binarise them first (sign of each entry, 0 → +1)"
                ),
            )),
        }
    }

    /// `Ξ`: the `K × N` matrix with pattern `μ` in row `μ`.
    pub fn rows(&self) -> Mat<f64> {
        Mat::from_fn(self.n_patterns, self.dim, |mu, i| {
            self.data[mu * self.dim + i]
        })
    }
    /// `X = Ξᵀ`: the `N × K` matrix with pattern `μ` in column `μ` (Ramsauer et al. 2020).
    pub fn columns(&self) -> Mat<f64> {
        Mat::from_fn(self.dim, self.n_patterns, |i, mu| {
            self.data[mu * self.dim + i]
        })
    }

    /// The first `k` patterns.
    pub fn take(&self, k: usize) -> Result<Self> {
        if k == 0 || k > self.n_patterns {
            return Err(Error::invalid(
                "number of patterns",
                k,
                &format!("must be between 1 and the {} available", self.n_patterns),
            ));
        }
        Self::from_flat(k, self.dim, self.data[..k * self.dim].to_vec())
    }

    /// The patterns with indices `idx` (in that order).
    pub fn select(&self, idx: &[usize]) -> Result<Self> {
        let mut data = Vec::with_capacity(idx.len() * self.dim);
        for &mu in idx {
            if mu >= self.n_patterns {
                return Err(Error::invalid(
                    "pattern index",
                    mu,
                    &format!("must be below the number of patterns {}", self.n_patterns),
                ));
            }
            data.extend_from_slice(self.pattern(mu));
        }
        Self::from_flat(idx.len(), self.dim, data)
    }

    /// Binarisation `ξ_i ← +1` if `ξ_i > threshold`, else `−1`.
    ///
    /// ```
    /// use attractor::problems::Patterns;
    /// let p = Patterns::new(vec![vec![0.0, 0.7, 0.2]])?.binarize(0.5);
    /// assert_eq!(p.pattern(0), &[-1.0, 1.0, -1.0]);
    /// # Ok::<(), attractor::Error>(())
    /// ```
    pub fn binarize(&self, threshold: f64) -> Self {
        Self {
            n_patterns: self.n_patterns,
            dim: self.dim,
            data: self
                .data
                .iter()
                .map(|&v| binarize_value(v, threshold))
                .collect(),
        }
    }

    /// The largest pattern norm `M = maxᵢ ‖ξ^μ‖` (Ramsauer et al. 2020).
    pub fn max_norm(&self) -> f64 {
        self.iter()
            .map(|p| p.iter().map(|v| v * v).sum::<f64>().sqrt())
            .fold(0.0, f64::max)
    }
}

fn empty_set() -> Error {
    Error::invalid(
        "pattern set",
        "empty",
        "store at least one pattern (K >= 1)",
    )
}

fn binarize_value(v: f64, threshold: f64) -> f64 {
    if v > threshold { 1.0 } else { -1.0 }
}

/// `sgn` with `sgn(0) = +1`, mapping a real state to spins.
pub fn sign_into(x: &[f64], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = if v >= 0.0 { 1.0 } else { -1.0 };
    }
}

fn check_fraction(fraction: f64) -> Result<()> {
    if (0.0..=1.0).contains(&fraction) {
        Ok(())
    } else {
        Err(Error::invalid(
            "corruption fraction",
            fraction,
            "must lie in [0, 1] (e.g. 0.1 for 10%)",
        ))
    }
}

/// The number of entries a fraction of `n` corrupts: `round(fraction·n)`.
pub fn n_corrupted(fraction: f64, n: usize) -> usize {
    ((fraction * n as f64).round() as usize).min(n)
}

/// Flip the sign of exactly `round(fraction·N)` entries of `x`, chosen uniformly without
/// replacement with the given seed (for `±1` patterns: flip that many bits).
///
/// ```
/// use attractor::problems::flip_fraction;
/// let x = vec![1.0; 100];
/// let y = flip_fraction(&x, 0.1, 3)?;
/// assert_eq!(y.iter().filter(|&&v| v < 0.0).count(), 10);
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn flip_fraction(x: &[f64], fraction: f64, seed: u64) -> Result<Vec<f64>> {
    check_fraction(fraction)?;
    let mut out = x.to_vec();
    for i in chosen_indices(x.len(), n_corrupted(fraction, x.len()), seed) {
        out[i] = -out[i];
    }
    Ok(out)
}

/// Set exactly `round(fraction·N)` entries of `x`, chosen with the given seed, to `value`
/// (`0` hides them from a memory of `±1` patterns; `−1` paints them as background).
pub fn mask_fraction(x: &[f64], fraction: f64, value: f64, seed: u64) -> Result<Vec<f64>> {
    check_fraction(fraction)?;
    if !value.is_finite() {
        return Err(Error::invalid("mask value", value, "must be finite"));
    }
    let mut out = x.to_vec();
    for i in chosen_indices(x.len(), n_corrupted(fraction, x.len()), seed) {
        out[i] = value;
    }
    Ok(out)
}

/// `x + σz` with `z ~ N(0, I)` drawn with the given seed.
pub fn add_gaussian_noise(x: &[f64], sigma: f64, seed: u64) -> Result<Vec<f64>> {
    crate::error::check_nonnegative("noise sigma", sigma, "pass a standard deviation >= 0")?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Ok(x.iter()
        .map(|&v| v + sigma * rng.sample::<f64, _>(StandardNormal))
        .collect())
}

fn chosen_indices(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut idx: Vec<usize> = (0..n).collect();
    let (chosen, _) = idx.partial_shuffle(&mut rng, k);
    chosen.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corruption_is_seeded_and_exact() {
        let x = vec![1.0; 64];
        let a = flip_fraction(&x, 0.25, 1).unwrap();
        assert_eq!(a, flip_fraction(&x, 0.25, 1).unwrap());
        assert_ne!(a, flip_fraction(&x, 0.25, 2).unwrap());
        assert_eq!(a.iter().filter(|&&v| v < 0.0).count(), 16);
        let m = mask_fraction(&x, 0.5, 0.0, 1).unwrap();
        assert_eq!(m.iter().filter(|&&v| v == 0.0).count(), 32);
        assert!(flip_fraction(&x, 1.5, 1).is_err());
    }
}
