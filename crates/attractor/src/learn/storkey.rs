//! The Storkey learning rule (Storkey, *Increasing the capacity of a Hopfield network without
//! sacrificing functionality*, ICANN 1997): incremental and local, with a larger capacity than
//! Hebb's for random patterns (about `N/√(2 ln N)` error-free).
//!
//! `W^ν_ij = W^{ν−1}_ij + (1/N)(ξ_iξ_j − ξ_i h_ji − h_ij ξ_j)`,
//! `h_ij = Σ_{k≠i,j} W^{ν−1}_ik ξ_k`, with `W_ii = 0` kept throughout.

use crate::problems::Patterns;
use faer::Mat;

/// Storkey couplings, learned one pattern at a time in the order given (`O(KN²)`).
///
/// ```
/// use attractor::learn::storkey;
/// use attractor::problems::Patterns;
/// let p = Patterns::random_binary(3, 20, 1)?;
/// let w = storkey(&p);
/// assert!((w[(2, 5)] - w[(5, 2)]).abs() < 1e-15); // symmetric
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn storkey(patterns: &Patterns) -> Mat<f64> {
    let n = patterns.dim();
    let inv_n = 1.0 / n as f64;
    let mut w = Mat::<f64>::zeros(n, n);
    let mut h = vec![0.0; n];
    for xi in patterns.iter() {
        // h_i = Σ_k W_ik ξ_k (W_ii = 0); then h_ij = h_i − W_ij ξ_j.
        crate::linalg::matvec_into(w.as_ref(), xi, &mut h);
        // Symmetric update computed from the old W: fill the upper triangle first.
        for j in 0..n {
            for i in 0..j {
                let wij = w[(i, j)];
                let h_ij = h[i] - wij * xi[j];
                let h_ji = h[j] - wij * xi[i];
                let d = inv_n * (xi[i] * xi[j] - xi[i] * h_ji - h_ij * xi[j]);
                w[(i, j)] = wij + d;
            }
        }
        for j in 0..n {
            for i in j + 1..n {
                w[(i, j)] = w[(j, i)];
            }
        }
    }
    w
}

impl crate::models::HopfieldMemory {
    /// Storkey memory ([`storkey`]): the rule learns the couplings and stores them in a
    /// classical memory (`±1` patterns only).
    pub fn storkey(patterns: &Patterns) -> crate::Result<Self> {
        crate::linalg::check_dense_size("W (N x N)", patterns.dim(), patterns.dim())?;
        patterns.require_binary("the Storkey Hopfield memory")?;
        Self::from_weights(storkey(patterns), "storkey", patterns.n_patterns())
    }
}
