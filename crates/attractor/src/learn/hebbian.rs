//! The Hebbian (outer-product) rule of the classical Hopfield memory (Hopfield, PNAS 79, 1982):
//!
//! `W = (1/N) Σ_μ ξ^μ ξ^μᵀ = ΞᵀΞ/N`, `W_ii = 0`.

use crate::problems::Patterns;
use faer::Mat;

/// Hebbian couplings `W = ΞᵀΞ/N` with zero diagonal, computed as one matrix product.
///
/// ```
/// use attractor::learn::hebbian;
/// use attractor::problems::Patterns;
/// let p = Patterns::new(vec![vec![1.0, -1.0, 1.0]])?;
/// let w = hebbian(&p);
/// assert_eq!(w[(0, 1)], -1.0 / 3.0);
/// assert_eq!(w[(0, 0)], 0.0);
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn hebbian(patterns: &Patterns) -> Mat<f64> {
    let xi = patterns.rows();
    let n = patterns.dim();
    let mut w = Mat::<f64>::zeros(n, n);
    faer::linalg::matmul::matmul(
        w.as_mut(),
        faer::Accum::Replace,
        xi.transpose(),
        xi.as_ref(),
        1.0 / n as f64,
        faer::Par::Seq,
    );
    for i in 0..n {
        w[(i, i)] = 0.0;
    }
    w
}

impl crate::models::HopfieldMemory {
    /// Hebbian memory `W = ΞᵀΞ/N`, `W_ii = 0` ([`hebbian`]): the rule learns the couplings and stores them in a
    /// classical memory (`±1` patterns only).
    pub fn hebbian(patterns: &Patterns) -> crate::Result<Self> {
        crate::linalg::check_dense_size("W (N x N)", patterns.dim(), patterns.dim())?;
        patterns.require_binary("the Hebbian Hopfield memory")?;
        Self::from_weights(hebbian(patterns), "hebbian", patterns.n_patterns())
    }
}
