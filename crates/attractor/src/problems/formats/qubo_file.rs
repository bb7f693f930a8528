//! Sparse QUBO coefficient files.

use super::{Rules, parse_header_triplets};
use crate::error::Result;
use crate::problems::Qubo;

/// Parse a QUBO file: header `n m`, then `m` lines `i j Q_ij` (1-based); objective
/// `f(x) = Σ_{i≤j} Q_ij x_i x_j`, `x ∈ {0, 1}ⁿ`.
pub fn parse_qubo(text: &str, file: &str) -> Result<Qubo> {
    let (n, t) = parse_header_triplets(text, file, Rules { diagonal: true })?;
    Qubo::new(n, &t, 0.0)
}
