//! The pseudo-inverse (projection) rule (Personnaz, Guyon, Dreyfus, J. Phys. Lett. 46, 1985;
//! Kanter & Sompolinsky, Phys. Rev. A 35, 1987): `W` projects onto the span of the patterns,
//!
//! `W = Ξᵀ (ΞΞᵀ)⁺ Ξ`, then `W_ii = 0`,
//!
//! so every stored pattern is a fixed point (`Wξ^μ = (1 − P_ii)ξ^μ_i` componentwise after the
//! diagonal is removed, and `P_ii < 1`) for any `K < N`, correlated or not.

use crate::error::{Error, Result};
use crate::problems::Patterns;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par, Side};

/// Projection couplings `W = Ξᵀ(ΞΞᵀ)⁺Ξ` with zero diagonal. The pseudo-inverse of the
/// `K × K` overlap matrix `C = ΞΞᵀ` is taken from its eigendecomposition, dropping eigenvalues
/// below `1e-10·λ_max` (so duplicated or linearly dependent patterns are allowed).
///
/// ```
/// use attractor::learn::pseudo_inverse;
/// use attractor::problems::Patterns;
/// let p = Patterns::random_binary(10, 40, 2)?;
/// let w = pseudo_inverse(&p)?;
/// // every pattern is a fixed point of σ ← sgn(Wσ)
/// for xi in p.iter() {
///     for i in 0..40 {
///         let h: f64 = (0..40).map(|j| w[(i, j)] * xi[j]).sum();
///         assert_eq!(h.signum(), xi[i]);
///     }
/// }
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn pseudo_inverse(patterns: &Patterns) -> Result<Mat<f64>> {
    let xi = patterns.rows(); // K × N
    let (k, n) = (xi.nrows(), xi.ncols());
    let mut c = Mat::<f64>::zeros(k, k);
    matmul(
        c.as_mut(),
        Accum::Replace,
        xi.as_ref(),
        xi.transpose(),
        1.0,
        Par::Seq,
    );
    let evd = c.self_adjoint_eigen(Side::Lower).map_err(|e| {
        Error::LinearAlgebra(format!(
            "pseudo-inverse rule: eigendecomposition of ΞΞᵀ failed ({e:?})"
        ))
    })?;
    let u = evd.U();
    let s = evd.S().column_vector();
    let lmax = (0..k).map(|i| s[i]).fold(0.0, f64::max);
    // B = Λ^{-1/2} Uᵀ Ξ (rank × N); W = BᵀB.
    let keep: Vec<usize> = (0..k).filter(|&i| s[i] > 1e-10 * lmax).collect();
    let mut ut = Mat::<f64>::zeros(keep.len(), k);
    for (r, &i) in keep.iter().enumerate() {
        let scale = 1.0 / s[i].sqrt();
        for m in 0..k {
            ut[(r, m)] = u[(m, i)] * scale;
        }
    }
    let mut b = Mat::<f64>::zeros(keep.len(), n);
    matmul(
        b.as_mut(),
        Accum::Replace,
        ut.as_ref(),
        xi.as_ref(),
        1.0,
        Par::Seq,
    );
    let mut w = Mat::<f64>::zeros(n, n);
    matmul(
        w.as_mut(),
        Accum::Replace,
        b.transpose(),
        b.as_ref(),
        1.0,
        Par::Seq,
    );
    for i in 0..n {
        w[(i, i)] = 0.0;
    }
    Ok(w)
}

impl crate::models::HopfieldMemory {
    /// Pseudo-inverse (projection) memory ([`pseudo_inverse`]): the rule learns the couplings and stores them in a
    /// classical memory (`±1` patterns only).
    pub fn pseudo_inverse(patterns: &Patterns) -> crate::Result<Self> {
        crate::linalg::check_dense_size("W (N x N)", patterns.dim(), patterns.dim())?;
        patterns.require_binary("the pseudo-inverse Hopfield memory")?;
        Self::from_weights(pseudo_inverse(patterns)?, "pinv", patterns.n_patterns())
    }
}
