//! A diagonally weighted `ℓ₂` certificate from the sector linear matrix inequality.
//!
//! For `‖x‖_P = (xᵀPx)^{1/2}` the measure is `μ_{2,P}(A) = λ_max(P^{1/2}AP^{−1/2} + (·)ᵀ)/2`,
//! and `μ_{2,P}(A) ≤ −c` ⟺ `PA + AᵀP ⪯ −2cP`. The Jacobians are `−I + WΓ` (Hopfield) and
//! `−I + ΓW` (firing-rate) with `Γ = diag(γ)`, `γᵢ ∈ [0, s]`. Writing `ζ = Γξ` (Hopfield) or
//! `ζ = ΓWξ` (firing-rate), the slopes are described without enumerating the `2ⁿ` vertices by
//! the sector inequalities `ζᵢ(s·yᵢ − ζᵢ) ≥ 0` with `y = ξ` (Hopfield) or `y = Wξ`
//! (firing-rate), exact for a single coordinate. The S-procedure with multipliers
//! `Λ = diag(λ) ≻ 0` gives the sufficient condition (Gokhale, Proskurnikov, Kawano, Bullo,
//! *Contracting neural networks: sharp LMI conditions*, arXiv:2604.00119; the same multiplier
//! argument as Revay, Wang, Manchester, *Lipschitz bounded equilibrium networks*, 2020):
//!
//! `[[2(c − 1)P, X], [Xᵀ, −2Λ]] ⪯ 0`, `X = PW + sΛ` (Hopfield), `X = P + sWᵀΛ` (firing-rate),
//!
//! which, by a Schur complement, holds exactly when
//!
//! `c ≤ 1 − ‖P^{−1/2} X Λ^{−1/2}‖₂² / 4`.
//!
//! We impose `P = D²`, `Λ = E²` diagonal, so the certified rate of a pair `(D, E)` is
//! `c = 1 − σ_max(K)²/4` with `K = DWE^{−1} + sD^{−1}E` (Hopfield) or
//! `K = DE^{−1} + sD^{−1}WᵀE` (firing-rate). The LMI is a generalised eigenvalue problem in
//! `(P, Λ)` (its feasible set for fixed `c` is convex); we solve it by descending a smoothed
//! `σ_max²` (the log-sum-exp of the eigenvalues of `KKᵀ`, three temperatures) over `log D`,
//! `log E` from the best of a few starting points (the identity, the product of the `ℓ₁` and
//! `ℓ∞` Perron weights, each with `Λ = κP` for a few `κ`). Whatever the optimiser reaches, the
//! returned rate is `1 − σ_max(K)²/4` evaluated by an SVD at the returned weights: a valid
//! certificate, possibly below the LMI's optimum, and `contracting = false` when it is not
//! positive. The slope box is taken as `[0, s]` (a box with `min slope > 0` is contained in it).
//!
//! Why not a general SDP solver: the maintained Rust interior-point solver (`clarabel`) needs a
//! system BLAS/LAPACK for its semidefinite cones; the LMI above has only `2n` scalar unknowns
//! and an `O(n³)` evaluation, which a first-order method handles in well under a second at
//! `n = 100`.

use super::{NetworkForm, SlopeBounds};
use crate::error::{Error, Result};
use faer::{Mat, MatRef, Side};

/// The largest `n` for which the `ℓ₂` certificate is computed (each iteration is an `n × n`
/// symmetric eigendecomposition).
pub const L2_MAX_N: usize = 400;

pub(super) const L2_CRITERION: &str = "diagonally weighted l2 norm P = D^2 from the sector LMI with diagonal multipliers; rate = 1 - sigma_max(K)^2/4 at the returned weights";

/// `μ_{2,P}(A) = λ_max(sym(D A D^{−1}))` for `P = diag(p)`, `D = P^{1/2}`.
///
/// ```
/// let a = faer::mat![[-1.0, 4.0], [0.0, -1.0]];
/// // Unweighted: −1 + 2 = 1; with p = (1, 16): D A D⁻¹ has off-diagonal 1, measure −1 + ½.
/// let mu = attractor::analysis::weighted_log_norm_l2(a.as_ref(), &[1.0, 16.0]).unwrap();
/// assert!((mu + 0.5).abs() < 1e-12);
/// ```
pub fn weighted_log_norm_l2(a: MatRef<'_, f64>, p: &[f64]) -> Result<f64> {
    let n = a.nrows();
    let d: Vec<f64> = p.iter().map(|x| x.sqrt()).collect();
    let s = Mat::from_fn(n, n, |i, j| {
        0.5 * (d[i] * a[(i, j)] / d[j] + d[j] * a[(j, i)] / d[i])
    });
    let ev = crate::linalg::symmetric_eigenvalues(s.as_ref())?;
    Ok(ev.last().copied().unwrap_or(f64::NEG_INFINITY))
}

/// `K(a, b)` with `D = e^a`, `E = e^b`.
struct Problem<'a> {
    w: MatRef<'a, f64>,
    s: f64,
    hopfield: bool,
}

impl Problem<'_> {
    /// `(K_off, K_diag)`: the coupling term and the diagonal term of `K`.
    fn k(&self, a: &[f64], b: &[f64]) -> (Mat<f64>, Vec<f64>) {
        let n = a.len();
        let (w, s) = (self.w, self.s);
        if self.hopfield {
            // K = D W E⁻¹ + s D⁻¹ E
            let off = Mat::from_fn(n, n, |i, j| w[(i, j)] * (a[i] - b[j]).exp());
            let dg = (0..n).map(|i| s * (b[i] - a[i]).exp()).collect();
            (off, dg)
        } else {
            // K = D E⁻¹ + s D⁻¹ Wᵀ E
            let off = Mat::from_fn(n, n, |i, j| s * w[(j, i)] * (b[j] - a[i]).exp());
            let dg = (0..n).map(|i| (a[i] - b[i]).exp()).collect();
            (off, dg)
        }
    }

    fn full(off: &Mat<f64>, dg: &[f64]) -> Mat<f64> {
        let mut k = off.clone();
        for i in 0..dg.len() {
            k[(i, i)] += dg[i];
        }
        k
    }

    /// The smoothed objective `f_β = β⁻¹ log Σ e^{β λ_k(KKᵀ)}`, its gradient in `(a, b)` and
    /// `λ_max(KKᵀ)`; `None` when the eigendecomposition fails or values are not finite.
    fn eval(
        &self,
        a: &[f64],
        b: &[f64],
        beta: f64,
        grad: Option<&mut [f64]>,
    ) -> Option<(f64, f64)> {
        let n = a.len();
        let (off, dg) = self.k(a, b);
        let k = Self::full(&off, &dg);
        let g = &k * k.transpose();
        // Eigenvalues only for a trial point; the vectors when the gradient is wanted.
        let evd = match grad {
            Some(_) => Some(g.self_adjoint_eigen(Side::Lower).ok()?),
            None => None,
        };
        let lam: Vec<f64> = match &evd {
            Some(e) => e.S().column_vector().iter().copied().collect(),
            None => g.self_adjoint_eigenvalues(Side::Lower).ok()?,
        };
        let lmax = lam.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        if !lmax.is_finite() {
            return None;
        }
        let mut wts: Vec<f64> = lam.iter().map(|&l| (beta * (l - lmax)).exp()).collect();
        let z: f64 = wts.iter().sum();
        let f = lmax + z.ln() / beta;
        if let (Some(grad), Some(evd)) = (grad, evd) {
            for x in wts.iter_mut() {
                *x /= z;
            }
            // S = U diag(π) Uᵀ, ∂f/∂K = 2 S K
            let u = evd.U();
            let us = Mat::from_fn(n, n, |i, j| u[(i, j)] * wts[j]);
            let sm = &us * u.transpose();
            let zk = (&sm * &k) * 2.0;
            let sign = if self.hopfield { 1.0 } else { -1.0 };
            grad.fill(0.0);
            let (ga, gb) = grad.split_at_mut(n);
            for j in 0..n {
                for i in 0..n {
                    let h = zk[(i, j)] * off[(i, j)];
                    ga[i] += sign * h;
                    gb[j] -= sign * h;
                }
            }
            for i in 0..n {
                let h = zk[(i, i)] * dg[i];
                ga[i] -= sign * h;
                gb[i] += sign * h;
            }
        }
        f.is_finite().then_some((f, lmax))
    }

    /// `σ_max(K)²` by an SVD (the value the certificate states).
    fn sigma2(&self, a: &[f64], b: &[f64]) -> Option<f64> {
        let (off, dg) = self.k(a, b);
        let k = Self::full(&off, &dg);
        let sv = k.singular_values().ok()?;
        let s = sv.first().copied().unwrap_or(0.0);
        s.is_finite().then_some(s * s)
    }
}

/// Weights `p` (largest 1) of the diagonal `P` and the rate (`τ = 1`) they prove.
pub(super) fn certify_l2(
    w: &Mat<f64>,
    slopes: SlopeBounds,
    model: NetworkForm,
) -> Result<(Vec<f64>, f64)> {
    let n = w.nrows();
    if n > L2_MAX_N {
        return Err(Error::invalid(
            "n",
            n,
            "the weighted l2 certificate is computed for n <= 400 (an n x n eigendecomposition per iteration); use norm l1w or linfw (closed form) for larger networks",
        ));
    }
    let s = slopes.hi;
    if s == 0.0 {
        // Γ = 0: J = −I, rate 1 in any norm.
        return Ok((vec![1.0; n], 1.0));
    }
    let prob = Problem {
        w: w.as_ref(),
        s,
        hopfield: model == NetworkForm::Hopfield,
    };
    // Starting points: P = I and P = diag(w₁ ∘ w∞) (the Perron weights' product), Λ = κP.
    let (w1, _) = super::non_euclidean::certify_l1(w, slopes, model);
    let (winf, _) = super::non_euclidean::certify_linf(w, slopes, model);
    let mut starts: Vec<Vec<f64>> = vec![vec![0.0; n]];
    starts.push((0..n).map(|i| 0.5 * (w1[i] * winf[i]).ln()).collect());
    let mut best: Option<(f64, Vec<f64>)> = None;
    for a0 in &starts {
        for &kappa in &[0.1, 0.3, 1.0, 3.0, 10.0] {
            let shift = 0.5 * (kappa / s).ln();
            let mut th = a0.clone();
            th.extend(a0.iter().map(|x| x + shift));
            if let Some((_, lmax)) = prob.eval(&th[..n], &th[n..], 1.0, None)
                && best.as_ref().is_none_or(|b| lmax < b.0)
            {
                best = Some((lmax, th));
            }
        }
    }
    let Some((mut best_l, mut th)) = best else {
        return Ok((vec![1.0; n], f64::NEG_INFINITY));
    };
    let mut best_th = th.clone();
    let mut grad = vec![0.0; 2 * n];
    let mut trial = vec![0.0; 2 * n];
    for &kappa in &[10.0, 100.0, 1000.0] {
        let mut step = 1.0;
        let mut stall = 0;
        for _ in 0..80 {
            let beta = kappa / best_l.max(1e-300);
            let Some((f, _)) = prob.eval(&th[..n], &th[n..], beta, Some(&mut grad)) else {
                break;
            };
            let g2: f64 = grad.iter().map(|g| g * g).sum();
            if !(g2 > 0.0 && g2.is_finite()) {
                break;
            }
            // Armijo backtracking on f_β, the step normalised by ‖∇f‖ relative to f.
            let mut accepted = false;
            for _ in 0..30 {
                let t = step * f / g2.sqrt();
                for i in 0..2 * n {
                    trial[i] = (th[i] - t * grad[i] / g2.sqrt()).clamp(-40.0, 40.0);
                }
                if let Some((ft, lt)) = prob.eval(&trial[..n], &trial[n..], beta, None)
                    && ft <= f - 1e-4 * t * g2.sqrt()
                {
                    th.copy_from_slice(&trial);
                    if lt < best_l {
                        stall = if lt < best_l * (1.0 - 1e-6) {
                            0
                        } else {
                            stall + 1
                        };
                        best_l = lt;
                        best_th.copy_from_slice(&th);
                    } else {
                        stall += 1;
                    }
                    accepted = true;
                    step = (step * 2.0).min(1.0);
                    break;
                }
                step *= 0.5;
            }
            if !accepted || stall > 8 {
                break;
            }
        }
        th.copy_from_slice(&best_th);
    }
    let (a, b) = best_th.split_at(n);
    let Some(s2) = prob.sigma2(a, b) else {
        return Ok((vec![1.0; n], f64::NEG_INFINITY));
    };
    let rate = 1.0 - s2 / 4.0;
    // p = d², normalised to a largest weight of 1.
    let amax = a.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let p = a.iter().map(|x| (2.0 * (x - amax)).exp()).collect();
    Ok((p, rate))
}
