//! The AVX2/FMA replica kernel (x86-64 only; chosen at run time when the CPU has both).

use super::{Coef, Ix, KernelCsr, W, check_step_args};
use crate::fastmath::sincos_f32x8;
use crate::models::oim::LANES;

/// [`step_generic`] written with AVX2/FMA intrinsics: four 8-lane accumulators per coupling
/// pass (cos and sin of 16 replicas) and the epilogue (noise, force, rotation by a polynomial
/// sin/cos, renormalisation) on two 8-lane halves, with nothing spilled to the stack. The
/// `+w` and `−w` parts of a magnitude-form row accumulate into the same registers (add, then
/// subtract), so a row costs one pass whatever its signs.
#[target_feature(enable = "avx2,fma")]
pub(crate) fn step_avx2<I: Ix, const HET: bool, const MAG: bool>(
    g: &KernelCsr,
    col: &[I],
    cin: &[f32],
    cout: &mut [f32],
    mu_fac: &[f32],
    rng: &mut [u32; LANES],
    k: Coef<'_>,
) {
    use std::arch::x86_64::*;
    let n = g.n;
    check_step_args(g, col.len(), MAG, cin, cout, mu_fac, &k);
    let base = cin.as_ptr();
    let val = g.val.as_ptr();
    let colp = col.as_ptr();

    /// Accumulate `sign·w_p·row(col[p])` for `p ∈ [lo, hi)` into `acc`, two couplings per pass.
    ///
    /// # Safety
    /// `[lo, hi)` lies in `col` (and in `val` with `VAL`); every `col[p] < n`; `base` points to
    /// `n·W` floats.
    #[inline(always)]
    unsafe fn pass<I: Ix, const VAL: bool, const NEG: bool>(
        colp: *const I,
        val: *const f32,
        lo: usize,
        hi: usize,
        base: *const f32,
        acc: &mut [__m256; 4],
    ) {
        // SAFETY: the caller's contract bounds every pointer formed below.
        unsafe {
            let op = |a: __m256, r: *const f32, w: __m256| {
                let x = _mm256_loadu_ps(r);
                if VAL {
                    if NEG {
                        _mm256_fnmadd_ps(w, x, a)
                    } else {
                        _mm256_fmadd_ps(w, x, a)
                    }
                } else if NEG {
                    _mm256_sub_ps(a, x)
                } else {
                    _mm256_add_ps(a, x)
                }
            };
            let z = _mm256_setzero_ps();
            let mut b = [z; 4];
            let mut p = lo;
            while p + 1 < hi {
                let r0 = base.add((*colp.add(p)).ix() * W);
                let r1 = base.add((*colp.add(p + 1)).ix() * W);
                let (w0, w1) = if VAL {
                    (_mm256_set1_ps(*val.add(p)), _mm256_set1_ps(*val.add(p + 1)))
                } else {
                    (z, z)
                };
                for q in 0..4 {
                    acc[q] = op(acc[q], r0.add(8 * q), w0);
                    b[q] = op(b[q], r1.add(8 * q), w1);
                }
                p += 2;
            }
            if p < hi {
                let r0 = base.add((*colp.add(p)).ix() * W);
                let w0 = if VAL { _mm256_set1_ps(*val.add(p)) } else { z };
                for q in 0..4 {
                    acc[q] = op(acc[q], r0.add(8 * q), w0);
                }
            }
            for q in 0..4 {
                acc[q] = _mm256_add_ps(acc[q], b[q]);
            }
        }
    }

    // SAFETY: AVX2/FMA are enabled for this function; every pointer below is bounded by the
    // asserts above and KernelCsr's invariants (lo ≤ mid ≤ hi ≤ col.len(), col[p] < n).
    unsafe {
        let wv = _mm256_set1_ps(g.mag.unwrap_or(1.0));
        let mu2 = _mm256_set1_ps(k.mu2);
        let rp = rng.as_mut_ptr().cast::<__m256i>();
        let mut st = [_mm256_loadu_si256(rp), _mm256_loadu_si256(rp.add(1))];
        let out = cout.as_mut_ptr();
        for i in 0..n {
            let (lo, mid, hi) = (g.row[i], g.mid[i], g.row[i + 1]);
            let mut acc = [_mm256_setzero_ps(); 4];
            if MAG {
                pass::<I, false, false>(colp, val, lo, mid, base, &mut acc);
                pass::<I, false, true>(colp, val, mid, hi, base, &mut acc);
            } else {
                pass::<I, true, false>(colp, val, lo, hi, base, &mut acc);
            }
            let hv = _mm256_set1_ps(*k.h.get_unchecked(i));
            let sg = _mm256_set1_ps(k.noise * *k.nf.get_unchecked(i));
            let me = base.add(i * W);
            for (h, x) in st.iter_mut().enumerate() {
                let (mut a, mut b) = (acc[h], acc[2 + h]);
                if MAG {
                    a = _mm256_mul_ps(a, wv);
                    b = _mm256_mul_ps(b, wv);
                }
                let ci = _mm256_loadu_ps(me.add(8 * h));
                let si = _mm256_loadu_ps(me.add(LANES + 8 * h));
                let mut v = *x;
                v = _mm256_xor_si256(v, _mm256_slli_epi32::<13>(v));
                v = _mm256_xor_si256(v, _mm256_srli_epi32::<17>(v));
                v = _mm256_xor_si256(v, _mm256_slli_epi32::<5>(v));
                *x = v;
                let u = _mm256_fmadd_ps(
                    _mm256_cvtepi32_ps(_mm256_srli_epi32::<8>(v)),
                    _mm256_set1_ps(1.0 / 16_777_216.0),
                    _mm256_set1_ps(-0.5),
                );
                let m = if HET {
                    _mm256_mul_ps(mu2, _mm256_loadu_ps(mu_fac.as_ptr().add(i * LANES + 8 * h)))
                } else {
                    mu2
                };
                // force = sinθ·a − cosθ·b + 2μ sinθ cosθ
                let force = _mm256_fmsub_ps(si, a, _mm256_mul_ps(ci, b));
                let force = _mm256_fmadd_ps(_mm256_mul_ps(m, si), ci, force);
                let d = _mm256_fnmadd_ps(hv, force, _mm256_mul_ps(sg, u));
                let (sd, cd) = sincos_f32x8(d);
                let c = _mm256_fmsub_ps(ci, cd, _mm256_mul_ps(si, sd));
                let s = _mm256_fmadd_ps(si, cd, _mm256_mul_ps(ci, sd));
                let nrm = _mm256_fmadd_ps(c, c, _mm256_mul_ps(s, s));
                let r = _mm256_fnmadd_ps(_mm256_set1_ps(0.5), nrm, _mm256_set1_ps(1.5));
                _mm256_storeu_ps(out.add(i * W + 8 * h), _mm256_mul_ps(c, r));
                _mm256_storeu_ps(out.add(i * W + LANES + 8 * h), _mm256_mul_ps(s, r));
            }
        }
        _mm256_storeu_si256(rp, st[0]);
        _mm256_storeu_si256(rp.add(1), st[1]);
    }
}
