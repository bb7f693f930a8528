//! Pattern sets read from image files (MNIST IDX, `.npy`), scaled and binarised for the
//! memories, with the image shape kept for drawing them.

use super::patterns::Patterns;
use super::{read_idx, read_npy};
use crate::error::{Error, Result};
use std::path::Path;

/// Patterns with the height and width of the images they came from.
#[derive(Debug, Clone)]
pub struct ImagePatterns {
    /// The patterns (`±1` after binarisation).
    pub patterns: Patterns,
    /// Image height (1 for patterns that are not square images).
    pub height: usize,
    /// Image width.
    pub width: usize,
}

/// `(h, w)` for patterns of length `n`: a square when `n` is a square number, else `1 × n`.
pub fn image_shape(n: usize) -> (usize, usize) {
    let side = (n as f64).sqrt().round() as usize;
    if side * side == n {
        (side, side)
    } else {
        (1, n)
    }
}

impl ImagePatterns {
    /// `count` random `±1` patterns of length `dim` (seeded), drawn as squares when `dim` is a
    /// square number.
    pub fn generated(count: usize, dim: usize, seed: u64) -> Result<Self> {
        let patterns = Patterns::random_binary(count, dim, seed)?;
        let (height, width) = image_shape(dim);
        Ok(Self {
            patterns,
            height,
            width,
        })
    }

    /// The first `count` images of an IDX file (`.gz` or plain) or a `.npy` array (`K × N` or
    /// `K × H × W`), scaled to `[0, 1]` by the largest magnitude and binarised at `threshold`
    /// (`+1` above it, `−1` at or below).
    pub fn read(path: &Path, count: usize, threshold: f64) -> Result<Self> {
        if count == 0 {
            return Err(Error::invalid("count", 0, "store at least one pattern"));
        }
        if !threshold.is_finite() {
            return Err(Error::invalid(
                "threshold",
                threshold,
                "give a finite binarisation threshold in [0, 1] such as 0.5",
            ));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let (shape, values): (Vec<usize>, Vec<f64>) =
            if name.ends_with(".npy") || name.ends_with(".npy.gz") {
                let a = read_npy(path)?;
                (a.shape, a.data)
            } else {
                let a = read_idx(path)?;
                (a.dims, a.data.iter().map(|&b| f64::from(b)).collect())
            };
        let where_ = path.display().to_string();
        if shape.len() < 2 {
            return Err(Error::invalid(
                "array shape",
                format!("{shape:?} in {where_}"),
                "expected K x N patterns or K x H x W images",
            ));
        }
        let k_all = shape[0];
        // the reader bounds Π shape; a shape with a zero may still overflow in its tail
        let n = shape[1..]
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| {
                Error::invalid(
                    "array shape",
                    format!("{shape:?} in {where_}"),
                    "the pattern size (product of the dimensions after the first) overflows",
                )
            })?;
        let (height, width) = if shape.len() == 3 {
            (shape[1], shape[2])
        } else {
            image_shape(n)
        };
        if count > k_all {
            return Err(Error::invalid(
                "count",
                count,
                &format!("{where_} holds only {k_all} patterns"),
            ));
        }
        let max = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 { 1.0 / max } else { 1.0 };
        // count ≤ k_all, and k_all · n = values.len() when n > 0
        let len = count.saturating_mul(n).min(values.len());
        let data: Vec<f64> = values[..len].iter().map(|v| v * scale).collect();
        let patterns = Patterns::from_flat(count, n, data)?.binarize(threshold);
        Ok(Self {
            patterns,
            height,
            width,
        })
    }
}
