//! Corrupting queries: the noise a memory is asked to undo.

use super::patterns::{Patterns, add_gaussian_noise, flip_fraction, mask_fraction};
use crate::error::{Error, Result};
use std::str::FromStr;

/// How a query is corrupted from its pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Corruption {
    /// Flip the sign of exactly `round(f·N)` entries ([`flip_fraction`]).
    Flip(f64),
    /// Set exactly `round(f·N)` entries to 0, "unknown" ([`mask_fraction`]).
    Mask(f64),
    /// Add Gaussian noise of standard deviation σ ([`add_gaussian_noise`]).
    Noise(f64),
}

/// The kind of a [`Corruption`], by the name a user types (`flip`, `mask`, `noise`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptionKind {
    /// `flip`.
    Flip,
    /// `mask`.
    Mask,
    /// `noise`.
    Noise,
}

impl FromStr for CorruptionKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "flip" => Ok(Self::Flip),
            "mask" => Ok(Self::Mask),
            "noise" => Ok(Self::Noise),
            _ => Err(Error::invalid("corruption", s, "use flip, mask or noise")),
        }
    }
}

impl CorruptionKind {
    /// With its amount: a fraction in `[0, 1]` for `flip`/`mask`, a standard deviation for
    /// `noise`.
    pub fn with_amount(self, amount: f64) -> Corruption {
        match self {
            Self::Flip => Corruption::Flip(amount),
            Self::Mask => Corruption::Mask(amount),
            Self::Noise => Corruption::Noise(amount),
        }
    }
}

impl Corruption {
    /// Corrupt one query with `seed`.
    pub fn apply(self, x: &[f64], seed: u64) -> Result<Vec<f64>> {
        match self {
            Corruption::Flip(f) => flip_fraction(x, f, seed),
            Corruption::Mask(f) => mask_fraction(x, f, 0.0, seed),
            Corruption::Noise(s) => add_gaussian_noise(x, s, seed),
        }
    }

    /// One corrupted query per pattern, query `μ` drawn with seed `seed + 1 + μ` (wrapping),
    /// so the queries do not depend on how many are made or in what order.
    ///
    /// ```
    /// use attractor::problems::{Corruption, Patterns};
    /// let p = Patterns::random_binary(3, 100, 1)?;
    /// let q = Corruption::Flip(0.1).queries(&p, 7)?;
    /// let flipped = q[0].iter().zip(p.pattern(0)).filter(|(a, b)| a != b).count();
    /// assert_eq!(flipped, 10);
    /// # Ok::<(), attractor::Error>(())
    /// ```
    pub fn queries(self, targets: &Patterns, seed: u64) -> Result<Vec<Vec<f64>>> {
        targets
            .iter()
            .enumerate()
            .map(|(mu, x)| self.apply(x, seed.wrapping_add(1 + mu as u64)))
            .collect()
    }
}
