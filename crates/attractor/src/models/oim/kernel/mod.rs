//! One Euler–Maruyama step of a block of [`LANES`] replicas, in f32: the CSR coupling form
//! ([`csr`]), a portable kernel ([`generic`]) and an AVX2/FMA one ([`avx2`]), chosen at run
//! time.
//!
//! Layout: node-major, one row of `W = 2·LANES` floats per node, `[cos θ_i (LANES) | sin θ_i
//! (LANES)]`, so that each stored coupling multiplies a contiguous vector of replicas, and the
//! force uses `Σ_j J_ij sin(θ_i − θ_j) = sin θ_i Σ_j J_ij cos θ_j − cos θ_i Σ_j J_ij sin θ_j`.

#[cfg(target_arch = "x86_64")]
mod avx2;
mod generic;

pub(crate) use crate::problems::kernel_csr::{Cols, Ix, KernelCsr};
#[cfg(target_arch = "x86_64")]
use avx2::step_avx2;
use generic::step_generic;

use super::LANES;

/// Width of one node's cos/sin row: `[cos θ_i (LANES) | sin θ_i (LANES)]`.
pub(crate) const W: usize = 2 * LANES;

/// The per-step coefficients of the kernels.
#[derive(Clone, Copy)]
pub(crate) struct Coef<'a> {
    /// Per-node step `h_i`.
    pub(crate) h: &'a [f32],
    /// Per-node noise factor (`σ·nf_i` multiplies a U[−½, ½) variate).
    pub(crate) nf: &'a [f32],
    /// `2μ(t)`.
    pub(crate) mu2: f32,
    /// `σ(t)`.
    pub(crate) noise: f32,
    /// Heterogeneous μ (use the per-node factors).
    pub(crate) het: bool,
}

/// One step of every lane of a block: the AVX2 kernel when `simd` and the CPU has AVX2 and FMA,
/// the portable one otherwise.
pub(crate) fn step_dispatch(
    simd: bool,
    g: &KernelCsr,
    cin: &[f32],
    cout: &mut [f32],
    mu_fac: &[f32],
    rng: &mut [u32; LANES],
    k: Coef<'_>,
) {
    // specialise on the index width, heterogeneity (μ_i factors or none) and the magnitude form
    // (no coupling values to load)
    macro_rules! go {
        ($f:ident $(, $fma:literal)?) => {
            match (&g.cols, k.het, g.mag.is_some()) {
                (Cols::U16(c), true, true) => $f::<u16, $($fma,)? true, true>(g, c, cin, cout, mu_fac, rng, k),
                (Cols::U16(c), true, false) => $f::<u16, $($fma,)? true, false>(g, c, cin, cout, mu_fac, rng, k),
                (Cols::U16(c), false, true) => $f::<u16, $($fma,)? false, true>(g, c, cin, cout, mu_fac, rng, k),
                (Cols::U16(c), false, false) => $f::<u16, $($fma,)? false, false>(g, c, cin, cout, mu_fac, rng, k),
                (Cols::U32(c), true, true) => $f::<u32, $($fma,)? true, true>(g, c, cin, cout, mu_fac, rng, k),
                (Cols::U32(c), true, false) => $f::<u32, $($fma,)? true, false>(g, c, cin, cout, mu_fac, rng, k),
                (Cols::U32(c), false, true) => $f::<u32, $($fma,)? false, true>(g, c, cin, cout, mu_fac, rng, k),
                (Cols::U32(c), false, false) => $f::<u32, $($fma,)? false, false>(g, c, cin, cout, mu_fac, rng, k),
            }
        };
    }
    #[cfg(target_arch = "x86_64")]
    {
        if simd
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            unsafe { go!(step_avx2) };
            return;
        }
    }
    let _ = simd;
    go!(step_generic, false);
}

/// The shape invariants both step kernels rely on for their unchecked reads.
pub(crate) fn check_step_args(
    g: &KernelCsr,
    nnz: usize,
    mag: bool,
    cin: &[f32],
    cout: &[f32],
    mu_fac: &[f32],
    k: &Coef<'_>,
) {
    let n = g.n;
    assert!(mu_fac.len() == n * LANES);
    assert!(cin.len() == n * W && cout.len() == n * W);
    assert!(g.row.len() == n + 1 && g.mid.len() == n && g.row[n] == nnz);
    assert!(mag || g.val.len() == nnz);
    assert!(k.h.len() == n && k.nf.len() == n);
}
