//! Sparse Ising coefficient files (`h`, `J`) in the minimisation convention of dimod / D-Wave.

use super::{Rules, parse_header_triplets};
use crate::error::Result;
use crate::problems::IsingModel;

/// Parse an Ising coefficient file in the minimisation convention of dimod / D-Wave:
/// header `n m`, then `m` lines `i j v` (1-based); `i = j` gives a linear term. The objective is
/// `E(s) = Σ_i v_ii s_i + Σ_{i<j} v_ij s_i s_j`, i.e. `h_i = −v_ii`, `J_ij = −v_ij` in
/// [`IsingModel`]'s convention.
pub fn parse_ising(text: &str, file: &str) -> Result<IsingModel> {
    let (n, t) = parse_header_triplets(text, file, Rules { diagonal: true })?;
    let mut h = vec![0.0; n];
    let mut j = Vec::with_capacity(t.len());
    for (a, b, v) in t {
        if a == b {
            h[a as usize] -= v;
        } else {
            j.push((a, b, -v));
        }
    }
    IsingModel::from_couplings(n, h, &j, 0.0)
}
