//! Weighted `ℓ₁` and `ℓ∞` matrix measures and the certificates they give in closed form.
//!
//! For `‖x‖_{1,w} = Σᵢ wᵢ|xᵢ|` and `‖x‖_{∞,w} = maxᵢ wᵢ|xᵢ|` (`w > 0`) the matrix measures are
//!
//! `μ_{1,w}(A) = max_j (a_jj + Σ_{i≠j} |a_ij| wᵢ/w_j)`,
//! `μ_{∞,w}(A) = max_i (a_ii + Σ_{j≠i} |a_ij| wᵢ/w_j)`
//!
//! (Davydov, Jafarpour, Bullo, *Non-Euclidean contraction theory for robust nonlinear
//! stability*, IEEE TAC 2022, arXiv:2103.12263, Table I). With `M = ⌈W⌉_Mzr` the Metzler
//! majorant (`M_ii = W_ii`, `M_ij = |W_ij|`) and `γᵢ ∈ [a, s]`, maximising over the box row by
//! row (or column by column) is exact because each row (column) of the Jacobian is affine in
//! the slopes it contains:
//!
//! | form, norm | worst case of `μ(J(Γ))` with `v = 1/w` (`ℓ∞`) or `v = w` (`ℓ₁`) |
//! |---|---|
//! | firing-rate `−I + ΓW`, `ℓ∞` | `−1 + maxᵢ max(a·rᵢ, s·rᵢ)`, `rᵢ = (Mv)ᵢ/vᵢ` |
//! | firing-rate, `ℓ₁` | `−1 + s·max_j (M̃ᵀv)_j/v_j` |
//! | Hopfield `−I + WΓ`, `ℓ∞` | `−1 + s·maxᵢ (M̃v)ᵢ/vᵢ` |
//! | Hopfield, `ℓ₁` | `−1 + max_j max(a·r_j, s·r_j)`, `r_j = (Mᵀv)_j/v_j` |
//!
//! where `M̃` is `M` with diagonal `max(a·W_ii, s·W_ii)/s` (a slope that multiplies a single
//! entry of the row is chosen by that entry's sign). Every expression is increasing in the
//! Collatz–Wielandt ratios, whose largest value is minimised by the Perron vector: the optimal
//! weights are `1/v` with `v` the right Perron vector (`ℓ∞`), `w` the left Perron vector
//! (`ℓ₁`), and the optimal rates are `1 − max(aα, sα)` with `α = α(M)` the spectral abscissa,
//! or `1 − s·α(M̃)`; for the firing-rate `ℓ∞` case with `a = 0` this is Davydov et al.'s
//! `1 − s·max(α(⌈W⌉_Mzr), 0)`. The returned rate is recomputed from the returned weights.

use super::{NetworkForm, SlopeBounds};
use faer::{Mat, MatRef};

pub(super) const LINF_CRITERION: &str = "weighted l-infinity norm, weights 1/v with v the right Perron vector of the Metzler majorant of W; rate = -max over the slope box of mu_inf(J)";
pub(super) const L1_CRITERION: &str = "weighted l1 norm, weights the left Perron vector of the Metzler majorant of W; rate = -max over the slope box of mu_1(J)";

/// `μ∞(A) = maxᵢ (a_ii + Σ_{j≠i}|a_ij|)`.
///
/// ```
/// let a = faer::mat![[-2.0, 1.0], [3.0, -1.0]];
/// assert_eq!(attractor::analysis::log_norm_linf(a.as_ref()), 2.0);
/// ```
pub fn log_norm_linf(a: MatRef<'_, f64>) -> f64 {
    weighted_log_norm_linf(a, &vec![1.0; a.nrows()])
}

/// `μ₁(A) = max_j (a_jj + Σ_{i≠j}|a_ij|)`.
pub fn log_norm_l1(a: MatRef<'_, f64>) -> f64 {
    weighted_log_norm_l1(a, &vec![1.0; a.nrows()])
}

/// `μ_{∞,w}(A) = maxᵢ (a_ii + Σ_{j≠i}|a_ij| wᵢ/w_j)`, the measure of `‖x‖ = maxᵢ wᵢ|xᵢ|`
/// (`w > 0`, one weight per row of the square `A`).
pub fn weighted_log_norm_linf(a: MatRef<'_, f64>, w: &[f64]) -> f64 {
    let n = a.nrows();
    let mut rows = vec![0.0; n];
    for j in 0..n {
        let inv = 1.0 / w[j];
        let col = a.col(j);
        for i in 0..n {
            rows[i] += if i == j { col[i] } else { col[i].abs() * inv };
        }
    }
    (0..n)
        .map(|i| {
            let off = rows[i] - a[(i, i)];
            a[(i, i)] + off * w[i]
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

/// `μ_{1,w}(A) = max_j (a_jj + Σ_{i≠j}|a_ij| wᵢ/w_j)`, the measure of `‖x‖ = Σᵢ wᵢ|xᵢ|`.
pub fn weighted_log_norm_l1(a: MatRef<'_, f64>, w: &[f64]) -> f64 {
    let n = a.nrows();
    (0..n)
        .map(|j| {
            let col = a.col(j);
            let mut off = 0.0;
            for i in 0..n {
                if i != j {
                    off += col[i].abs() * w[i];
                }
            }
            col[j] + off / w[j]
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The Metzler majorant `⌈W⌉_Mzr`: `W_ii` on the diagonal, `|W_ij|` off it.
pub fn metzler_majorant(w: MatRef<'_, f64>) -> Mat<f64> {
    Mat::from_fn(w.nrows(), w.ncols(), |i, j| {
        if i == j { w[(i, i)] } else { w[(i, j)].abs() }
    })
}

/// The Perron vector `v > 0` (largest entry 1) of a Metzler matrix given by its off-diagonal
/// entries `|W_ij|` and a diagonal `diag`, from the right (`Mv = αv`) or, with `left`, from the
/// left (`vᵀM = αvᵀ`); with the largest Collatz–Wielandt ratio `maxᵢ (Mv)ᵢ/vᵢ ≥ α(M)` it
/// reaches.
///
/// Power iteration on `M + εE + σI` (`E` the off-diagonal ones, `ε` = 1e-9 of the largest
/// absolute row sum, so that the matrix is irreducible and `v > 0`; `σ` makes it nonnegative
/// with a positive diagonal, hence primitive), stopped when the Collatz–Wielandt bounds agree to
/// 1e-12 relative or after 1000 products; the vector with the smallest upper bound is kept.
/// Any positive vector gives a valid certificate; the Perron vector gives the best one. For a
/// reducible majorant (a feed-forward chain) the optimum is a supremum that no weights attain,
/// and the regularised vector comes within about `ε^{1/k}` of it (`k` the chain length).
pub fn perron_vector(w: MatRef<'_, f64>, diag: &[f64], left: bool) -> (Vec<f64>, f64) {
    let n = w.nrows();
    let mut scale = 0.0f64;
    for j in 0..n {
        let s: f64 = w.col(j).iter().map(|x| x.abs()).sum();
        scale = scale.max(s);
    }
    let scale = scale
        .max(diag.iter().fold(0.0f64, |m, d| m.max(d.abs())))
        .max(1e-300);
    let eps = 1e-9 * scale;
    let shift = diag.iter().fold(0.0f64, |m, &d| m.max(-d)) + 1e-3 * scale;
    let mut v = vec![1.0; n];
    let mut y = vec![0.0; n];
    let mut best = (v.clone(), f64::INFINITY);
    for _ in 0..1000 {
        // y = (M + εE) v
        let total: f64 = v.iter().sum();
        if left {
            for j in 0..n {
                let col = w.col(j);
                let mut s = 0.0;
                for i in 0..n {
                    s += col[i].abs() * v[i];
                }
                y[j] = s - w[(j, j)].abs() * v[j] + diag[j] * v[j] + eps * (total - v[j]);
            }
        } else {
            y.fill(0.0);
            for j in 0..n {
                let col = w.col(j);
                let vj = v[j];
                for i in 0..n {
                    y[i] += col[i].abs() * vj;
                }
            }
            for i in 0..n {
                y[i] += (diag[i] - w[(i, i)].abs()) * v[i] + eps * (total - v[i]);
            }
        }
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for i in 0..n {
            let r = y[i] / v[i];
            lo = lo.min(r);
            hi = hi.max(r);
        }
        if hi < best.1 {
            best = (v.clone(), hi);
        }
        if hi - lo <= 1e-12 * (hi.abs() + scale) {
            break;
        }
        // v ← (M + εE + σI) v, normalised
        let mut m = 0.0f64;
        for i in 0..n {
            v[i] = y[i] + shift * v[i];
            m = m.max(v[i]);
        }
        if !(m.is_finite() && m > 0.0) {
            break;
        }
        for x in v.iter_mut() {
            *x = (*x / m).max(1e-300);
        }
    }
    let (mut v, bound) = best;
    let m = v.iter().fold(0.0f64, |a, &b| a.max(b));
    for x in v.iter_mut() {
        *x /= m;
    }
    (v, bound)
}

/// The modified diagonal `max(a·W_ii, s·W_ii)/s` of `M̃`.
fn tilde_diag(w: MatRef<'_, f64>, slopes: SlopeBounds) -> Vec<f64> {
    (0..w.nrows())
        .map(|i| {
            let d = w[(i, i)];
            if slopes.hi > 0.0 {
                (slopes.lo * d).max(slopes.hi * d) / slopes.hi
            } else {
                d
            }
        })
        .collect()
}

/// `max(a·r, s·r)`: the worst slope times a ratio.
fn worst(r: f64, slopes: SlopeBounds) -> f64 {
    (slopes.lo * r).max(slopes.hi * r)
}

/// The exact worst case over the slope box of `μ_{∞,w}(J(Γ))` (`τ = 1`).
pub(super) fn worst_linf(
    w: MatRef<'_, f64>,
    weights: &[f64],
    slopes: SlopeBounds,
    model: NetworkForm,
) -> f64 {
    let n = w.nrows();
    // off[i] = Σ_{j≠i} |W_ij| wᵢ/w_j
    let mut off = vec![0.0; n];
    for j in 0..n {
        let inv = 1.0 / weights[j];
        let col = w.col(j);
        for i in 0..n {
            off[i] += col[i].abs() * inv;
        }
    }
    (0..n)
        .map(|i| {
            let d = w[(i, i)];
            let o = (off[i] - d.abs() / weights[i]) * weights[i];
            -1.0 + match model {
                NetworkForm::FiringRate => worst(d + o, slopes),
                NetworkForm::Hopfield => worst(d, slopes) + slopes.hi * o,
            }
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The exact worst case over the slope box of `μ_{1,w}(J(Γ))` (`τ = 1`).
pub(super) fn worst_l1(
    w: MatRef<'_, f64>,
    weights: &[f64],
    slopes: SlopeBounds,
    model: NetworkForm,
) -> f64 {
    let n = w.nrows();
    (0..n)
        .map(|j| {
            let col = w.col(j);
            let mut s = 0.0;
            for i in 0..n {
                if i != j {
                    s += col[i].abs() * weights[i];
                }
            }
            let o = s / weights[j];
            let d = col[j];
            -1.0 + match model {
                NetworkForm::FiringRate => worst(d, slopes) + slopes.hi * o,
                NetworkForm::Hopfield => worst(d + o, slopes),
            }
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The optimal `ℓ∞` weights and the rate (`τ = 1`) they prove.
pub(super) fn certify_linf(
    w: &Mat<f64>,
    slopes: SlopeBounds,
    model: NetworkForm,
) -> (Vec<f64>, f64) {
    let diag = match model {
        NetworkForm::FiringRate => (0..w.nrows()).map(|i| w[(i, i)]).collect(),
        NetworkForm::Hopfield => tilde_diag(w.as_ref(), slopes),
    };
    let (v, _) = perron_vector(w.as_ref(), &diag, false);
    let mut weights: Vec<f64> = v.iter().map(|x| 1.0 / x).collect();
    let m = weights.iter().fold(0.0f64, |a, &b| a.max(b));
    for x in weights.iter_mut() {
        *x /= m;
    }
    let rate = -worst_linf(w.as_ref(), &weights, slopes, model);
    (weights, rate)
}

/// The optimal `ℓ₁` weights and the rate (`τ = 1`) they prove.
pub(super) fn certify_l1(w: &Mat<f64>, slopes: SlopeBounds, model: NetworkForm) -> (Vec<f64>, f64) {
    let diag = match model {
        NetworkForm::FiringRate => tilde_diag(w.as_ref(), slopes),
        NetworkForm::Hopfield => (0..w.nrows()).map(|i| w[(i, i)]).collect(),
    };
    let (weights, _) = perron_vector(w.as_ref(), &diag, true);
    let rate = -worst_l1(w.as_ref(), &weights, slopes, model);
    (weights, rate)
}
