//! The portable replica kernel: plain loops over the lanes that the compiler vectorises for the
//! baseline target (also the reference the AVX2 kernel is tested against).

use super::{Coef, Ix, KernelCsr, W, check_step_args};
use crate::fastmath::sincos_f32;
use crate::models::oim::LANES;

/// `Σ_p w_p · row(col[p])` over `p ∈ range` (`w_p = 1` unless `VAL`), two interleaved
/// accumulators to hide the add latency.
///
/// # Safety
/// Every `col[p]`, `p ∈ range`, is `< cin.len() / W`, `range` lies in `col` (and in `val` with
/// `VAL`).
#[inline(always)]
unsafe fn gather<I: Ix, const FMA: bool, const VAL: bool>(
    col: &[I],
    val: &[f32],
    range: std::ops::Range<usize>,
    cin: &[f32],
) -> [f32; W] {
    let fma = |a: f32, b: f32, c: f32| if FMA { a.mul_add(b, c) } else { a * b + c };
    let mut acc0 = [0f32; W];
    let mut acc1 = [0f32; W];
    let (mut p, hi) = (range.start, range.end);
    // SAFETY: the caller's contract bounds every index used below.
    unsafe {
        while p + 1 < hi {
            let j0 = col.get_unchecked(p).ix() * W;
            let j1 = col.get_unchecked(p + 1).ix() * W;
            let r0 = cin.get_unchecked(j0..j0 + W);
            let r1 = cin.get_unchecked(j1..j1 + W);
            if VAL {
                let (w0, w1) = (*val.get_unchecked(p), *val.get_unchecked(p + 1));
                for l in 0..W {
                    acc0[l] = fma(w0, r0[l], acc0[l]);
                    acc1[l] = fma(w1, r1[l], acc1[l]);
                }
            } else {
                for l in 0..W {
                    acc0[l] += r0[l];
                    acc1[l] += r1[l];
                }
            }
            p += 2;
        }
        if p < hi {
            let j = col.get_unchecked(p).ix() * W;
            let r = cin.get_unchecked(j..j + W);
            let w = if VAL { *val.get_unchecked(p) } else { 1.0 };
            for l in 0..W {
                acc0[l] = fma(w, r[l], acc0[l]);
            }
        }
    }
    for l in 0..W {
        acc0[l] += acc1[l];
    }
    acc0
}

/// One Euler–Maruyama step of every lane:
/// `θ ← θ + Δ`, `Δ = h(−(sin θ_i a_i − cos θ_i b_i) − μ_i sin 2θ_i) + σ√h ξ`, `a = Jc`, `b = Js`,
/// applied to the stored unit vector `(cos θ_i, sin θ_i)` as a rotation by `Δ` (one sin/cos per
/// node per lane, no phase array to stream or wrap), followed by one Newton step back to unit
/// length so rounding cannot accumulate in the norm. `ξ` is uniform with unit variance
/// (xorshift32 per lane; Euler–Maruyama with any unit-variance increments converges weakly to the
/// same diffusion).
#[inline(always)]
pub(crate) fn step_generic<I: Ix, const FMA: bool, const HET: bool, const MAG: bool>(
    g: &KernelCsr,
    col: &[I],
    cin: &[f32],
    cout: &mut [f32],
    mu_fac: &[f32],
    rng: &mut [u32; LANES],
    k: Coef<'_>,
) {
    let n = g.n;
    check_step_args(g, col.len(), MAG, cin, cout, mu_fac, &k);
    let fma = |a: f32, b: f32, c: f32| if FMA { a.mul_add(b, c) } else { a * b + c };
    const ONES: [f32; LANES] = [1.0; LANES];
    let w = g.mag.unwrap_or(1.0);
    let mut st = *rng;
    for i in 0..n {
        let (lo, mid, hi) = (g.row[i], g.mid[i], g.row[i + 1]);
        // SAFETY: KernelCsr::new copies the model's column indices (all < n) and cin holds n·W
        // values (asserted above); lo ≤ mid ≤ hi ≤ col.len() by construction.
        let acc = unsafe {
            if MAG {
                let pos = gather::<I, FMA, false>(col, &[], lo..mid, cin);
                let neg = gather::<I, FMA, false>(col, &[], mid..hi, cin);
                let mut a = [0f32; W];
                for l in 0..W {
                    a[l] = w * (pos[l] - neg[l]);
                }
                a
            } else {
                gather::<I, FMA, true>(col, &g.val, lo..hi, cin)
            }
        };
        let (hi, sg) = (k.h[i], k.noise * k.nf[i]);
        let o = i * LANES;
        let me = &cin[2 * o..2 * o + W];
        let mf = if HET { &mu_fac[o..o + LANES] } else { &ONES };
        let out = &mut cout[2 * o..2 * o + W];
        for l in 0..LANES {
            let (a, b) = (acc[l], acc[LANES + l]);
            let (ci, si) = (me[l], me[LANES + l]);
            let mut x = st[l];
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            st[l] = x;
            let u = (x >> 8) as f32 * (1.0 / 16_777_216.0) - 0.5;
            let force = si * a - ci * b + k.mu2 * mf[l] * si * ci;
            let d = fma(sg, u, -hi * force);
            let (sd, cd) = sincos_f32(d);
            let c = fma(ci, cd, -si * sd);
            let s = fma(si, cd, ci * sd);
            let r = fma(-0.5, fma(c, c, s * s), 1.5);
            out[l] = c * r;
            out[LANES + l] = s * r;
        }
    }
    *rng = st;
}
