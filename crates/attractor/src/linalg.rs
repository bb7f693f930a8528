//! Small dense helpers on slices and faer matrices, shared by the models.

use faer::reborrow::ReborrowMut;
use faer::{Accum, ColMut, ColRef, Mat, MatMut, MatRef, Par};

/// `xᵀy` (vectorised; see [`crate::fastmath::dot`]).
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    crate::fastmath::dot(x, y)
}

/// Euclidean norm `‖x‖₂`.
#[inline]
pub fn norm2(x: &[f64]) -> f64 {
    dot(x, x).sqrt()
}

/// `out = A x` (dense, faer, one thread). For symmetric `A` prefer [`matvec_t_into`], which
/// reads `A` column by column and can use both cores on large sizes.
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

/// Refuse a dense `rows × cols` array of `f64` whose size overflows or exceeds the memory
/// available to the process: the library's memory policy ([`crate::memory::check`]) for the
/// dense arrays of the models, with a generic fix.
///
/// # Errors
/// [`crate::Error::OutOfMemory`] naming `what`, its shape and size.
pub fn check_dense_size(what: &str, rows: usize, cols: usize) -> crate::Result<()> {
    crate::memory::check(
        what,
        &[rows, cols],
        8,
        "use a smaller problem (fewer units, samples or chains)",
    )
}

/// Parallelism said one way across the library: faer's [`Par`]. `Par::Seq` runs in the
/// calling thread; `Par::Rayon(k)` splits work into at most `k` parts on the global rayon pool
/// (no pool is ever built per call). [`ALL_THREADS`] asks for every thread of that pool without
/// starting it before it is needed.
pub const ALL_THREADS: Par = Par::Rayon(std::num::NonZeroUsize::MAX);

/// `par` with its thread count capped at the size of the global rayon pool (which this call
/// starts if nothing has yet); `Par::Seq` stays sequential.
pub fn effective_par(par: Par) -> Par {
    match par {
        Par::Seq => Par::Seq,
        Par::Rayon(k) => {
            let n = rayon::current_num_threads().max(1);
            if n == 1 {
                Par::Seq
            } else {
                Par::rayon(k.get().min(n))
            }
        }
    }
}

/// Matrices with at least this many entries are multiplied with a vector on all rayon threads
/// by [`matvec_t_into`] (measured on 2 cores: threads pay from n ≈ 512, cost at n = 256).
pub const PARALLEL_MATVEC_MIN_ENTRIES: usize = 1 << 18;

/// `out = Aᵀx`, one dot product per column of `A` so that each `out_j` is written once and every
/// read is contiguous (a column-major matrix–vector product that rewrites `out` for every
/// column can be twice as slow when `out` and `A` alias modulo 4 KiB). For symmetric `A` this is
/// `A x`. With `par = Par::Rayon(k)` and at least [`PARALLEL_MATVEC_MIN_ENTRIES`] entries the
/// columns are split into `4k` chunks on the global rayon pool (`Par::rayon(0)`: all its threads).
pub fn matvec_t_into(a: MatRef<'_, f64>, x: &[f64], out: &mut [f64], par: Par) {
    debug_assert_eq!(a.nrows(), x.len());
    debug_assert_eq!(a.ncols(), out.len());
    if a.nrows() > 0 && a.col(0).try_as_col_major().is_none() {
        // A strided view: let faer handle it.
        faer::linalg::matmul::matmul(
            ColMut::from_slice_mut(out),
            Accum::Replace,
            a.transpose(),
            ColRef::from_slice(x),
            1.0,
            Par::Seq,
        );
        return;
    }
    let col = |j: usize| -> &[f64] {
        match a.col(j).try_as_col_major() {
            Some(c) => c.as_slice(),
            None => &[],
        }
    };
    // out[j] for j in first.. first + o.len(), four columns at a time
    let block = |first: usize, o: &mut [f64]| {
        let mut quads = o.chunks_exact_mut(4);
        let mut j = first;
        for q in &mut quads {
            q.copy_from_slice(&crate::fastmath::dot4(
                [col(j), col(j + 1), col(j + 2), col(j + 3)],
                x,
            ));
            j += 4;
        }
        for v in quads.into_remainder() {
            *v = dot(col(j), x);
            j += 1;
        }
    };
    let large = a.nrows() * a.ncols() >= PARALLEL_MATVEC_MIN_ENTRIES;
    let threads = match (large, par) {
        (true, Par::Rayon(_)) => match effective_par(par) {
            Par::Rayon(k) => k.get(),
            Par::Seq => 1,
        },
        _ => 1,
    };
    if threads > 1 {
        use rayon::prelude::*;
        let chunk = a.ncols().div_ceil(4 * threads).next_multiple_of(4).max(16);
        out.par_chunks_mut(chunk)
            .enumerate()
            .for_each(|(c, o)| block(c * chunk, o));
    } else {
        block(0, out);
    }
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

/// Rows of a product's output computed by one call of the matrix-product kernel. Every
/// product is the same sequence of these blocks whatever the parallelism, so `Par::Seq` and
/// `Par::Rayon(k)` give identical bits.
pub const ROW_BLOCK: usize = 64;

/// Products with fewer multiply-adds than this stay on the calling thread even when `par`
/// allows threads (the blocks are the same, so the bits are too).
const PARALLEL_MIN_FLOPS: usize = 1 << 20;

/// `dst = alpha·lhs·rhs` (`accum = Replace`) or `dst += alpha·lhs·rhs` (`Add`), computed in
/// fixed blocks of [`ROW_BLOCK`] rows of `dst`, each by a single-threaded product; with
/// `par = Par::Rayon(_)` the blocks run on the global rayon pool. Products of fewer than 2²⁰
/// multiply-adds are one single-threaded call whatever `par` (the choice depends on the sizes
/// only, so the bits never depend on the thread count).
pub fn blocked_matmul(
    dst: MatMut<'_, f64>,
    accum: Accum,
    lhs: MatRef<'_, f64>,
    rhs: MatRef<'_, f64>,
    alpha: f64,
    par: Par,
) {
    let m = dst.nrows();
    if m == 0 || dst.ncols() == 0 {
        return;
    }
    let n_blocks = m.div_ceil(ROW_BLOCK);
    let flops = m * dst.ncols() * lhs.ncols().max(1);
    let threaded = matches!(par, Par::Rayon(_)) && n_blocks > 1 && flops >= PARALLEL_MIN_FLOPS;
    if flops < PARALLEL_MIN_FLOPS {
        // small products never thread: one call (the decision depends on the sizes only, so
        // the bits are the same for any `par`)
        leaf(dst, accum, lhs, rhs, alpha);
    } else if threaded {
        split_rows(dst, accum, lhs, rhs, alpha);
    } else {
        let mut dst = dst;
        for blk in 0..n_blocks {
            let r0 = blk * ROW_BLOCK;
            let r = ROW_BLOCK.min(m - r0);
            leaf(
                dst.rb_mut().subrows_mut(r0, r),
                accum,
                lhs.subrows(r0, r),
                rhs,
                alpha,
            );
        }
    }
    clear_avx_upper_state();
}

fn leaf(dst: MatMut<'_, f64>, accum: Accum, lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>, a: f64) {
    faer::linalg::matmul::matmul(dst, accum, lhs, rhs, a, Par::Seq);
}

/// Split the rows of `dst` at a multiple of [`ROW_BLOCK`] and recurse on both halves in
/// parallel (no allocation: rayon's `join`).
fn split_rows(
    dst: MatMut<'_, f64>,
    accum: Accum,
    lhs: MatRef<'_, f64>,
    rhs: MatRef<'_, f64>,
    alpha: f64,
) {
    let m = dst.nrows();
    let n_blocks = m.div_ceil(ROW_BLOCK);
    if n_blocks <= 1 {
        leaf(dst, accum, lhs, rhs, alpha);
        clear_avx_upper_state();
        return;
    }
    let mid = (n_blocks / 2) * ROW_BLOCK;
    let (top, bottom) = dst.split_at_row_mut(mid);
    let (lt, lb) = lhs.split_at_row(mid);
    rayon::join(
        || split_rows(top, accum, lt, rhs, alpha),
        || split_rows(bottom, accum, lb, rhs, alpha),
    );
}
