//! Vectorisable elementary functions for the hot loops of the models. The standard library's
//! `tanh` and `exp` call libm one element at a time (about 12–15 ns each here); these slice
//! kernels are branch-free so the compiler vectorises them, and they are compiled for
//! AVX2 + FMA behind a run-time feature check, with a portable fallback.

// Published constants are kept with the digits they were printed with.
#![allow(clippy::excessive_precision)]

/// `1.5·2⁵²`: adding it rounds a double of magnitude < 2⁵¹ to an integer held in the low
/// mantissa bits.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// `ln 2` split so that `k·LN2_HI` is exact for |k| < 2¹¹ (Cody & Waite 1980 reduction).
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;

/// `e^v` for `v ∈ [−700, 700]`: `v = k ln2 + r` with `|r| ≤ ln2/2`, then a degree-13 Taylor
/// polynomial for `e^r` (truncation error below 2·10⁻¹⁶ relative), then the scale `2^k` built
/// from its exponent bits.
#[inline(always)]
fn exp_kernel(v: f64) -> f64 {
    let t = v * std::f64::consts::LOG2_E + ROUND_MAGIC;
    let kf = t - ROUND_MAGIC;
    let r = (v - kf * LN2_HI) - kf * LN2_LO;
    let mut p = 1.0 / 6_227_020_800.0; // 1/13!
    p = p * r + 1.0 / 479_001_600.0;
    p = p * r + 1.0 / 39_916_800.0;
    p = p * r + 1.0 / 3_628_800.0;
    p = p * r + 1.0 / 362_880.0;
    p = p * r + 1.0 / 40_320.0;
    p = p * r + 1.0 / 5_040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    let k = t.to_bits().wrapping_sub(ROUND_MAGIC.to_bits());
    p * f64::from_bits(k.wrapping_add(1023) << 52)
}

// tanh x = x + x·z·P(z)/Q(z), z = x², on |x| < 0.625: the rational approximation of the Cephes
// library (S. L. Moshier, *Methods and Programs for Mathematical Functions*, 1989).
const TP0: f64 = -9.643_991_794_250_522_386_28e-1;
const TP1: f64 = -9.928_772_310_019_185_865_64e1;
const TP2: f64 = -1.614_687_684_417_084_479_52e3;
const TQ1: f64 = 1.128_116_784_916_329_314_02e2;
const TQ2: f64 = 2.235_488_390_601_004_485_83e3;
const TQ3: f64 = 4.844_063_053_251_254_860_48e3;

/// `tanh x`, branch-free: the rational approximation on `|x| < 0.625`, and
/// `1 − 2/(e^{2|x|} + 1)` above (with `|x|` capped at 20, where `tanh = 1` to double
/// precision). NaN propagates.
#[inline(always)]
fn tanh_kernel(x: f64) -> f64 {
    let a = x.abs();
    let z = a * a;
    let p = (TP0 * z + TP1) * z + TP2;
    let q = ((z + TQ1) * z + TQ2) * z + TQ3;
    let small = a + a * z * p / q;
    // comparison (not `min`) so that NaN stays NaN
    let y = if a > 20.0 { 20.0 } else { a };
    let large = 1.0 - 2.0 / (exp_kernel(2.0 * y) + 1.0);
    let r = if a < 0.625 { small } else { large };
    r.copysign(x)
}

fn tanh_portable(x: &[f64], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = tanh_kernel(v);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn tanh_avx2(x: &[f64], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = tanh_kernel(v);
    }
}

/// `out_i = tanh(x_i)`, within 2 ulp of the correctly rounded value.
pub fn tanh_into(x: &[f64], out: &mut [f64]) {
    debug_assert_eq!(x.len(), out.len());
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            unsafe { tanh_avx2(x, out) };
            return;
        }
    }
    tanh_portable(x, out);
}

/// `σ(x) = 1/(1 + e^{−x})`, branch-free on the [`exp_kernel`] of `−x` clamped to
/// `[−700, 700]` (beyond it `σ` is 0 or 1 to double precision, up to 10⁻³⁰⁴). NaN propagates.
#[inline(always)]
fn sigmoid_kernel(x: f64) -> f64 {
    // `clamp` keeps NaN
    let c = (-x).clamp(-700.0, 700.0);
    1.0 / (1.0 + exp_kernel(c))
}

fn sigmoid_portable(x: &mut [f64]) {
    for v in x {
        *v = sigmoid_kernel(*v);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn sigmoid_avx2(x: &mut [f64]) {
    for v in x {
        *v = sigmoid_kernel(*v);
    }
}

/// `x_i ← σ(x_i) = 1/(1 + e^{−x_i})` in place (the logistic function of Boltzmann machines'
/// conditionals), within a few ulp of `1/(1 + exp(−x))` computed with libm.
pub fn sigmoid_in_place(x: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            unsafe { sigmoid_avx2(x) };
            return;
        }
    }
    sigmoid_portable(x);
}

/// `log(1 + u)` for `u ∈ [0, 1]`: `y = 1 + u` rounded, `y = 2^k·m` with `m ∈ (1/√2, √2]`
/// (`k ∈ {0, 1}`), `log m = 2 atanh(z)` with `z = (m − 1)/(m + 1)`, `|z| < 0.172`, by its series
/// to `z²¹` (truncation below 10⁻¹⁷), plus the first-order correction `(u − (y − 1))/y` for the
/// rounding of `1 + u` (Goldberg 1991, "What every computer scientist should know about
/// floating-point arithmetic", §4); absolute error a few 10⁻¹⁷.
#[inline(always)]
fn log1p_unit_kernel(u: f64) -> f64 {
    let y = 1.0 + u;
    let c = (u - (y - 1.0)) / y;
    let big = y > std::f64::consts::SQRT_2;
    let m = if big { 0.5 * y } else { y };
    let k = if big { std::f64::consts::LN_2 } else { 0.0 };
    let z = (m - 1.0) / (m + 1.0);
    let z2 = z * z;
    let mut p = 1.0 / 21.0;
    p = p * z2 + 1.0 / 19.0;
    p = p * z2 + 1.0 / 17.0;
    p = p * z2 + 1.0 / 15.0;
    p = p * z2 + 1.0 / 13.0;
    p = p * z2 + 1.0 / 11.0;
    p = p * z2 + 1.0 / 9.0;
    p = p * z2 + 1.0 / 7.0;
    p = p * z2 + 1.0 / 5.0;
    p = p * z2 + 1.0 / 3.0;
    p = p * z2 + 1.0;
    k + 2.0 * z * p + c
}

/// `softplus(x) = log(1 + eˣ) = max(x, 0) + log(1 + e^{−|x|})`, branch-free (`e^{−|x|}` from
/// [`exp_kernel`], taken as 0 below e^{−700} ≈ 10⁻³⁰⁴). NaN propagates.
#[inline(always)]
fn softplus_kernel(x: f64) -> f64 {
    // comparisons (not `max`/`min`) so that NaN stays NaN
    let a = -x.abs();
    let u = if a < -700.0 { 0.0 } else { exp_kernel(a) };
    let pos = if x > 0.0 { x } else { 0.0 };
    pos + log1p_unit_kernel(u)
}

/// `Σ_i softplus(α·x_i + δ·w_i)` (`w` empty: no shift): blocks of 64 terms are evaluated by a
/// map loop the compiler vectorises, then added into eight accumulators (the order is fixed by
/// the length).
#[inline(always)]
fn softplus_sum_kernel(x: &[f64], alpha: f64, delta: f64, w: &[f64]) -> f64 {
    const B: usize = 64;
    let mut buf = [0.0f64; B];
    let mut acc = [0.0f64; 8];
    for (ci, xc) in x.chunks(B).enumerate() {
        let b = &mut buf[..xc.len()];
        if w.is_empty() {
            for (o, &v) in b.iter_mut().zip(xc) {
                *o = softplus_kernel(alpha * v);
            }
        } else {
            let wc = &w[ci * B..ci * B + xc.len()];
            for ((o, &v), &u) in b.iter_mut().zip(xc).zip(wc) {
                *o = softplus_kernel(alpha * v + delta * u);
            }
        }
        let chunks = b.chunks_exact(8);
        let rest = chunks.remainder();
        for c in chunks {
            for k in 0..8 {
                acc[k] += c[k];
            }
        }
        for (k, &v) in rest.iter().enumerate() {
            acc[k] += v;
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn softplus_sum_avx2(x: &[f64], alpha: f64, delta: f64, w: &[f64]) -> f64 {
    softplus_sum_kernel(x, alpha, delta, w)
}

fn softplus_sum_portable(x: &[f64], alpha: f64, delta: f64, w: &[f64]) -> f64 {
    softplus_sum_kernel(x, alpha, delta, w)
}

fn softplus_sum_dispatch(x: &[f64], alpha: f64, delta: f64, w: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            return unsafe { softplus_sum_avx2(x, alpha, delta, w) };
        }
    }
    softplus_sum_portable(x, alpha, delta, w)
}

/// `Σ_i softplus(x_i)`, `softplus(t) = log(1 + eᵗ)` (the hidden units' share of an RBM's free
/// energy), vectorised; each term within a few 10⁻¹⁶ (relative, or absolute below 1) of
/// `max(t, 0) + ln_1p(exp(−|t|))` with libm.
pub fn softplus_sum(x: &[f64]) -> f64 {
    softplus_sum_dispatch(x, 1.0, 0.0, &[])
}

/// `Σ_i softplus(β·x_i)` (the tempered free energies of annealed importance sampling).
pub fn softplus_sum_scaled(x: &[f64], beta: f64) -> f64 {
    softplus_sum_dispatch(x, beta, 0.0, &[])
}

/// `Σ_i softplus(x_i + δ·w_i)` (the free energy with one visible unit flipped).
///
/// # Panics
/// If `w` and `x` differ in length.
pub fn softplus_sum_shifted(x: &[f64], delta: f64, w: &[f64]) -> f64 {
    assert_eq!(
        x.len(),
        w.len(),
        "softplus_sum_shifted: x and w differ in length"
    );
    if x.is_empty() {
        return 0.0;
    }
    softplus_sum_dispatch(x, 1.0, delta, w)
}

/// `softplus(x) = log(1 + eˣ)` of one value, as the slice kernels compute it.
pub fn softplus(x: f64) -> f64 {
    softplus_kernel(x)
}

#[inline(always)]
fn dot_kernel(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let mut acc = [0.0f64; 8];
    let xc = x.chunks_exact(8);
    let yc = y.chunks_exact(8);
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (xs, ys) in xc.zip(yc) {
        for k in 0..8 {
            acc[k] += xs[k] * ys[k];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (a, b) in xr.iter().zip(yr) {
        s += a * b;
    }
    s
}

/// AVX2 + FMA dot product: four independent 4-lane accumulators (16 products per iteration).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_avx2(x: &[f64], y: &[f64]) -> f64 {
    use std::arch::x86_64::*;
    let n = x.len().min(y.len());
    let (px, py) = (x.as_ptr(), y.as_ptr());
    let mut acc = [_mm256_setzero_pd(); 4];
    let mut i = 0;
    // SAFETY (all loads below): i + 4·k + 3 < n ≤ len of both slices.
    while i + 16 <= n {
        for (k, a) in acc.iter_mut().enumerate() {
            let (u, v) = unsafe {
                (
                    _mm256_loadu_pd(px.add(i + 4 * k)),
                    _mm256_loadu_pd(py.add(i + 4 * k)),
                )
            };
            *a = _mm256_fmadd_pd(u, v, *a);
        }
        i += 16;
    }
    while i + 4 <= n {
        let (u, v) = unsafe { (_mm256_loadu_pd(px.add(i)), _mm256_loadu_pd(py.add(i))) };
        acc[0] = _mm256_fmadd_pd(u, v, acc[0]);
        i += 4;
    }
    let sum = _mm256_add_pd(_mm256_add_pd(acc[0], acc[1]), _mm256_add_pd(acc[2], acc[3]));
    let mut lanes = [0.0f64; 4];
    // SAFETY: `lanes` holds four f64.
    unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), sum) };
    let mut s = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for j in i..n {
        s += x[j] * y[j];
    }
    s
}

/// `xᵀy`: AVX2 + FMA with independent accumulators where available, else eight scalar
/// accumulators that the compiler vectorises for the baseline target.
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), y.len());
    #[cfg(target_arch = "x86_64")]
    {
        if x.len() >= 32
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            return unsafe { dot_avx2(x, y) };
        }
    }
    dot_kernel(x, y)
}

/// `y ← y + Σ_k α_k·col(k)`: a linear combination of columns (`col(k)`, each of the length of
/// `y`) added in place, four columns per pass over `y` so that `y` is loaded and stored once
/// per four columns; AVX2 + FMA where available. The sparse products `G·a` over the active atoms
/// of a code are this.
#[inline]
pub fn add_combination<'c>(y: &mut [f64], alpha: &[f64], col: impl Fn(usize) -> &'c [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if y.len() >= 16
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            unsafe { add_combination_avx2(y, alpha, &col) };
            return;
        }
    }
    add_combination_kernel(y, alpha, &col);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn add_combination_avx2<'c>(y: &mut [f64], alpha: &[f64], col: &dyn Fn(usize) -> &'c [f64]) {
    add_combination_kernel(y, alpha, col);
}

#[inline(always)]
fn add_combination_kernel<'c>(y: &mut [f64], alpha: &[f64], col: &dyn Fn(usize) -> &'c [f64]) {
    let n = y.len();
    let mut k = 0;
    while k + 4 <= alpha.len() {
        let (c0, c1, c2, c3) = (
            &col(k)[..n],
            &col(k + 1)[..n],
            &col(k + 2)[..n],
            &col(k + 3)[..n],
        );
        let (a0, a1, a2, a3) = (alpha[k], alpha[k + 1], alpha[k + 2], alpha[k + 3]);
        for i in 0..n {
            y[i] += (a0 * c0[i] + a1 * c1[i]) + (a2 * c2[i] + a3 * c3[i]);
        }
        k += 4;
    }
    while k < alpha.len() {
        let (c, a) = (&col(k)[..n], alpha[k]);
        for i in 0..n {
            y[i] += a * c[i];
        }
        k += 1;
    }
}

/// Four dot products `[c₀ᵀx, c₁ᵀx, c₂ᵀx, c₃ᵀx]` sharing the loads of `x` (four memory streams
/// at once, which keeps a bandwidth-bound matrix–vector product busy). All slices have the
/// length of `x`.
#[inline]
pub fn dot4(c: [&[f64]; 4], x: &[f64]) -> [f64; 4] {
    debug_assert!(c.iter().all(|ci| ci.len() == x.len()));
    #[cfg(target_arch = "x86_64")]
    {
        if x.len() >= 16
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            return unsafe { dot4_avx2(c, x) };
        }
    }
    [dot(c[0], x), dot(c[1], x), dot(c[2], x), dot(c[3], x)]
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot4_avx2(c: [&[f64]; 4], x: &[f64]) -> [f64; 4] {
    use std::arch::x86_64::*;
    let n = x.len().min(c.iter().map(|ci| ci.len()).min().unwrap_or(0));
    let px = x.as_ptr();
    let pc = [c[0].as_ptr(), c[1].as_ptr(), c[2].as_ptr(), c[3].as_ptr()];
    // two accumulators per column hide the FMA latency
    let mut acc = [[_mm256_setzero_pd(); 2]; 4];
    let mut i = 0;
    // SAFETY (all loads below): i + 7 < n ≤ the length of every slice.
    while i + 8 <= n {
        let (x0, x1) = unsafe { (_mm256_loadu_pd(px.add(i)), _mm256_loadu_pd(px.add(i + 4))) };
        for k in 0..4 {
            let (u0, u1) = unsafe {
                (
                    _mm256_loadu_pd(pc[k].add(i)),
                    _mm256_loadu_pd(pc[k].add(i + 4)),
                )
            };
            acc[k][0] = _mm256_fmadd_pd(u0, x0, acc[k][0]);
            acc[k][1] = _mm256_fmadd_pd(u1, x1, acc[k][1]);
        }
        i += 8;
    }
    let mut out = [0.0f64; 4];
    for k in 0..4 {
        let mut lanes = [0.0f64; 4];
        // SAFETY: `lanes` holds four f64.
        unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), _mm256_add_pd(acc[k][0], acc[k][1])) };
        let mut s = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
        for j in i..n {
            s += c[k][j] * x[j];
        }
        out[k] = s;
    }
    out
}

/// `(sin x, cos x)` in f32, accurate to about `1e-7` for `|x| ≤ 2π` and usable far beyond:
/// Cody–Waite reduction `x = qπ/2 + r`, `|r| ≤ π/4` (π/2 split in three parts, the first exact),
/// Taylor polynomials of degree 7 (sin) and 8 (cos) on `r`, and a quadrant fix-up by sign bits.
/// Branch-free, so loops over replicas vectorise (the oscillator Ising machine's rotation).
///
/// ```
/// use attractor::fastmath::sincos_f32;
/// let (s, c) = sincos_f32(1.0);
/// assert!((s - 1f32.sin()).abs() < 1e-6 && (c - 1f32.cos()).abs() < 1e-6);
/// ```
#[inline(always)]
pub fn sincos_f32(x: f32) -> (f32, f32) {
    use std::f32::consts::FRAC_2_PI;
    const P1: f32 = 1.570_312_5; // π/2 split: exact high part
    const P2: f32 = 4.837_512_8e-4;
    const P3: f32 = 7.549_789_4e-8;
    let q = (x * FRAC_2_PI).round_ties_even();
    let r = ((x - q * P1) - q * P2) - q * P3;
    // the integer q from the mantissa of q + 1.5·2²³ (exact for |q| < 2²²; a float→int `as`
    // cast would saturate and check NaN lane by lane, which stops the loop vectorising)
    let qi = (q + 12_582_912.0).to_bits() as i32;
    let r2 = r * r;
    let sr = r + r * r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0)));
    let cr = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24.0 + r2 * (-1.0 / 720.0 + r2 * (1.0 / 40320.0))));
    let swap = qi & 1 != 0;
    let (s0, c0) = if swap { (cr, sr) } else { (sr, cr) };
    let s = f32::from_bits(s0.to_bits() ^ (((qi & 2) as u32) << 30));
    let c = f32::from_bits(c0.to_bits() ^ ((((qi + 1) & 2) as u32) << 30));
    (s, c)
}

/// [`sincos_f32`] on eight lanes of an AVX2 register: the same reduction and polynomials.
/// Inlined into callers compiled with AVX2 and FMA.
///
/// # Safety
/// The CPU must support AVX2 and FMA (the caller is a `#[target_feature(enable = "avx2,fma")]`
/// function or has checked).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) unsafe fn sincos_f32x8(
    x: std::arch::x86_64::__m256,
) -> (std::arch::x86_64::__m256, std::arch::x86_64::__m256) {
    use std::arch::x86_64::*;
    use std::f32::consts::FRAC_2_PI;
    // SAFETY: the caller guarantees AVX2 and FMA.
    unsafe {
        let q = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
            _mm256_mul_ps(x, _mm256_set1_ps(FRAC_2_PI)),
        );
        let mut r = _mm256_fnmadd_ps(q, _mm256_set1_ps(1.570_312_5), x);
        r = _mm256_fnmadd_ps(q, _mm256_set1_ps(4.837_512_8e-4), r);
        r = _mm256_fnmadd_ps(q, _mm256_set1_ps(7.549_789_4e-8), r);
        let qi = _mm256_cvtps_epi32(q);
        let r2 = _mm256_mul_ps(r, r);
        let c = |v: f32| _mm256_set1_ps(v);
        let ps = _mm256_fmadd_ps(r2, c(-1.0 / 5040.0), c(1.0 / 120.0));
        let ps = _mm256_fmadd_ps(r2, ps, c(-1.0 / 6.0));
        let sr = _mm256_fmadd_ps(_mm256_mul_ps(r, r2), ps, r);
        let pc = _mm256_fmadd_ps(r2, c(1.0 / 40320.0), c(-1.0 / 720.0));
        let pc = _mm256_fmadd_ps(r2, pc, c(1.0 / 24.0));
        let pc = _mm256_fmadd_ps(r2, pc, c(-0.5));
        let cr = _mm256_fmadd_ps(r2, pc, c(1.0));
        let one = _mm256_set1_epi32(1);
        let two = _mm256_set1_epi32(2);
        let swap = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(qi, one), one));
        let s0 = _mm256_blendv_ps(sr, cr, swap);
        let c0 = _mm256_blendv_ps(cr, sr, swap);
        let ss = _mm256_slli_epi32::<30>(_mm256_and_si256(qi, two));
        let cs = _mm256_slli_epi32::<30>(_mm256_and_si256(_mm256_add_epi32(qi, one), two));
        (
            _mm256_xor_ps(s0, _mm256_castsi256_ps(ss)),
            _mm256_xor_ps(c0, _mm256_castsi256_ps(cs)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> f64 {
        if a == b {
            return 0.0;
        }
        (a - b).abs() / (b.abs().max(f64::MIN_POSITIVE) * f64::EPSILON)
    }

    #[test]
    fn softplus_matches_libm() {
        let reference = |t: f64| t.max(0.0) + (-t.abs()).exp().ln_1p();
        let mut xs: Vec<f64> = (-80_000..=80_000).map(|i| i as f64 * 1.1e-3).collect();
        xs.extend([
            0.0,
            -0.0,
            1e-300,
            -1e-300,
            0.3465735902799726,
            -0.3465735902799726,
            36.0,
            -36.0,
            699.0,
            -699.0,
            701.0,
            -701.0,
            1e300,
            -1e300,
        ]);
        let mut worst = (0.0f64, 0.0);
        for &t in &xs {
            let (a, b) = (softplus(t), reference(t));
            if t < -700.0 {
                // e^t below 10⁻³⁰⁴ is taken as 0: an absolute error of that size
                assert!((a - b).abs() < 1e-303, "softplus({t}) = {a}, libm {b}");
                continue;
            }
            let err = (a - b).abs() / (b.abs() * f64::EPSILON);
            if err > worst.0 {
                worst = (err, t);
            }
        }
        let worst = worst.0;
        assert!(worst <= 4.0, "softplus: worst error {worst} ulp");
        assert!(softplus(f64::NAN).is_nan());
        assert_eq!(softplus(f64::INFINITY), f64::INFINITY);
        assert_eq!(softplus(f64::NEG_INFINITY), 0.0);
        // the sums, dispatched and portable, against the term-by-term reference
        let x: Vec<f64> = (0..1003)
            .map(|i| ((i * 37) % 201) as f64 * 0.17 - 17.0)
            .collect();
        let w: Vec<f64> = (0..1003)
            .map(|i| ((i * 11) % 13) as f64 * 0.3 - 2.0)
            .collect();
        let exact = |f: &dyn Fn(usize) -> f64| (0..x.len()).map(|i| reference(f(i))).sum::<f64>();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-13 * b.abs().max(1.0);
        let s = exact(&|i| x[i]);
        assert!(close(softplus_sum(&x), s));
        assert!(close(softplus_sum_portable(&x, 1.0, 0.0, &[]), s));
        assert!(close(
            softplus_sum_scaled(&x, 0.37),
            exact(&|i| 0.37 * x[i])
        ));
        assert!(close(
            softplus_sum_shifted(&x, -1.0, &w),
            exact(&|i| x[i] - w[i])
        ));
        assert_eq!(softplus_sum(&[]), 0.0);
        assert_eq!(
            softplus_sum(&x[..3]),
            softplus_sum_portable(&x[..3], 1.0, 0.0, &[])
        );
    }

    #[test]
    fn tanh_matches_libm_to_two_ulp() {
        let mut xs: Vec<f64> = (-40_000..=40_000).map(|i| i as f64 * 6.1e-4).collect();
        xs.extend([
            0.0,
            -0.0,
            1e-300,
            -1e-300,
            0.625,
            -0.625,
            0.6249999999,
            20.0,
            25.0,
            1e300,
        ]);
        let mut out = vec![0.0; xs.len()];
        tanh_into(&xs, &mut out);
        let mut port = vec![0.0; xs.len()];
        tanh_portable(&xs, &mut port);
        let mut worst = 0.0f64;
        for i in 0..xs.len() {
            worst = worst.max(ulps(out[i], xs[i].tanh()));
            assert!(
                ulps(port[i], out[i]) <= 1.0,
                "dispatch differs at {}",
                xs[i]
            );
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
        let mut nan = [0.0];
        tanh_into(&[f64::NAN], &mut nan);
        assert!(nan[0].is_nan());
        tanh_into(&[-0.0], &mut nan);
        assert!(nan[0] == 0.0 && nan[0].is_sign_negative());
    }

    #[test]
    fn sigmoid_is_accurate() {
        let mut x: Vec<f64> = (-8000..=8000).map(|i| f64::from(i) * 0.01).collect();
        x.extend([-800.0, -710.0, 710.0, 800.0, 0.0, -0.0]);
        let mut y = x.clone();
        sigmoid_in_place(&mut y);
        for (&v, &s) in x.iter().zip(&y) {
            let r = 1.0 / (1.0 + (-v).exp());
            assert!(
                (s - r).abs() <= 4.0 * f64::EPSILON * r + 1e-300,
                "sigmoid({v}) = {s}, libm {r}"
            );
        }
        let mut n = [f64::NAN];
        sigmoid_in_place(&mut n);
        assert!(n[0].is_nan());
    }

    #[test]
    fn exp_kernel_is_accurate() {
        for i in -7000..=7000 {
            let v = i as f64 * 0.1;
            let e = ulps(exp_kernel(v), v.exp());
            assert!(e <= 2.0, "exp({v}): {e} ulp");
        }
    }

    #[test]
    fn dot4_matches_dot() {
        for n in [0, 3, 8, 15, 16, 17, 100, 1001] {
            let cols: Vec<Vec<f64>> = (0..4)
                .map(|k| {
                    (0..n)
                        .map(|i| ((i * (k + 2)) as f64 * 0.13).sin())
                        .collect()
                })
                .collect();
            let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.29).cos()).collect();
            let d = dot4([&cols[0], &cols[1], &cols[2], &cols[3]], &x);
            for k in 0..4 {
                let e = dot(&cols[k], &x);
                assert!(
                    (d[k] - e).abs() <= 1e-12 * (1.0 + e.abs()),
                    "n = {n}, k = {k}"
                );
            }
        }
    }

    #[test]
    fn dot_matches_naive_sum() {
        for n in [0, 1, 7, 8, 31, 32, 33, 100, 1001] {
            let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
            let y: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
            let naive: f64 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
            assert!(
                (dot(&x, &y) - naive).abs() <= 1e-12 * (1.0 + naive.abs()),
                "n = {n}"
            );
        }
    }
    #[test]
    fn sincos_f32_is_accurate() {
        let mut worst = 0f32;
        for k in -20000..=20000 {
            let x = k as f32 * 1e-4 * std::f32::consts::PI;
            let (s, c) = sincos_f32(x);
            worst = worst.max((s - x.sin()).abs()).max((c - x.cos()).abs());
        }
        assert!(worst < 5e-7, "worst error {worst}");
    }
}
