//! Small dense helpers on slices and faer matrices, shared by the models.

use faer::{Accum, ColMut, ColRef, Mat, MatRef, Par};

/// `xᵀy`.
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), y.len());
    // Four accumulators let the compiler vectorise without reassociating one long chain.
    let mut acc = [0.0f64; 4];
    let chunks = x.len() / 4;
    for c in 0..chunks {
        for k in 0..4 {
            acc[k] += x[4 * c + k] * y[4 * c + k];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for i in 4 * chunks..x.len() {
        s += x[i] * y[i];
    }
    s
}

/// Euclidean norm `‖x‖₂`.
#[inline]
pub fn norm2(x: &[f64]) -> f64 {
    dot(x, x).sqrt()
}

/// `out = A x` (dense, sequential: a matrix–vector product is memory-bound, threads do not pay
/// on the sizes this library targets).
#[inline]
pub fn matvec_into(a: MatRef<'_, f64>, x: &[f64], out: &mut [f64]) {
    faer::linalg::matmul::matmul(
        ColMut::from_slice_mut(out),
        Accum::Replace,
        a,
        ColRef::from_slice(x),
        1.0,
        Par::Seq,
    );
    clear_avx_upper_state();
}

/// Clear the upper halves of the AVX registers (`vzeroupper`). faer's matrix-product kernels
/// can return with them dirty; scalar SSE code from libm (`exp`, `tanh`) that runs next on the
/// same thread then pays the AVX–SSE transition penalty on every instruction (measured here:
/// a column softmax after a single-threaded product ran 18× slower). Call it after a faer
/// product and before scalar transcendental functions; it costs one instruction.
#[inline]
pub fn clear_avx_upper_state() {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: AVX support was checked at run time, and `vzeroupper` only zeroes the
            // upper register halves, which hold no live value between these calls.
            unsafe { zeroupper() }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn zeroupper() {
    std::arch::x86_64::_mm256_zeroupper();
}

/// The largest `|A_ij − A_ji|`.
pub fn max_asymmetry(a: MatRef<'_, f64>) -> f64 {
    let n = a.nrows().min(a.ncols());
    let mut m = 0.0f64;
    for j in 0..n {
        for i in (j + 1)..n {
            m = m.max((a[(i, j)] - a[(j, i)]).abs());
        }
    }
    m
}

/// The largest `|A_ij|`.
pub fn max_abs(a: MatRef<'_, f64>) -> f64 {
    let mut m = 0.0f64;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            m = m.max(a[(i, j)].abs());
        }
    }
    m
}

/// Error if any entry of `a` is not finite (index reported row-major).
pub fn check_matrix_finite(what: &str, a: MatRef<'_, f64>) -> crate::Result<()> {
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            let v = a[(i, j)];
            if !v.is_finite() {
                return Err(crate::Error::NonFinite {
                    what: format!("{what} (row {i}, column {j})"),
                    index: i * a.ncols() + j,
                    value: v,
                });
            }
        }
    }
    Ok(())
}

/// Eigenvalues of a symmetric matrix, ascending.
pub fn symmetric_eigenvalues(a: MatRef<'_, f64>) -> crate::Result<Vec<f64>> {
    a.self_adjoint_eigenvalues(faer::Side::Lower)
        .map_err(|e| crate::Error::LinearAlgebra(format!("symmetric eigenvalues: {e:?}")))
}

/// `(A + Aᵀ)/2`.
pub fn symmetric_part(a: MatRef<'_, f64>) -> Mat<f64> {
    Mat::from_fn(a.nrows(), a.ncols(), |i, j| 0.5 * (a[(i, j)] + a[(j, i)]))
}
