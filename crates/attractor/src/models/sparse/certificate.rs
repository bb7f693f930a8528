//! Optimality certificates of a code `a` for one signal `y`, computed from the Gram form
//! (`b = Φᵀy`, `c = b − Ga = Φᵀ(y − Φa)`, `‖y‖²`) so that no product with `Φ` is needed.
//!
//! For the LASSO `P(a) = ½‖y − Φa‖² + λ‖a‖₁` the dual is
//! `D(ν) = ½‖y‖² − ½‖y − ν‖²` over `‖Φᵀν‖_∞ ≤ λ` (`Φᵀν ≤ λ` for non-negative codes). The
//! residual `r = y − Φa`, scaled to be dual feasible, `ν = s·r` with
//! `s = min(1, λ / ‖Φᵀr‖_∞)`, gives the gap
//! `P(a) − D(ν) = ½(1 − s)²‖r‖² + λ‖a‖₁ − s·cᵀa ≥ P(a) − P*`,
//! which is written in this form because it has no cancellation between large terms
//! (Kim, Koh, Lustig, Boyd, Gorinevsky, *IEEE J. Sel. Topics Signal Process.* 2007).
//! The hard-threshold network has no dual: its certificate is the fixed-point residual of its
//! iteration, `‖H(a + γc) − a‖₂ / (γ‖b‖₂)`.

use super::network::Network;
use crate::linalg::dot;

/// What one code is worth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Report {
    /// `½‖y − Φa‖² + g(a)`.
    pub objective: f64,
    /// The duality gap `P(a) − D(ν)` (convex networks; `None` for the hard threshold).
    pub gap: Option<f64>,
    /// The certificate the run stops on: `gap / P(a)`, or the relative fixed-point residual.
    pub certificate: f64,
    /// Non-zero entries of `a`.
    pub support: usize,
}

/// The certificate of code `a` given `b = Φᵀy`, `c = b − Ga` and `yy = ‖y‖²`.
pub(crate) fn evaluate(net: &Network, a: &[f64], b: &[f64], c: &[f64], yy: f64) -> Report {
    let ba = dot(b, a);
    let ca = dot(c, a);
    // ‖y − Φa‖² = ‖y‖² − 2bᵀa + aᵀGa and aᵀGa = bᵀa − cᵀa
    let r2 = (yy - ba - ca).max(0.0);
    let penalty: f64 = a.iter().map(|&v| net.penalty(v)).sum();
    let support = a.iter().filter(|&&v| v != 0.0).count();
    let objective = 0.5 * r2 + penalty;
    if net.is_convex() {
        let m = if net.positive {
            c.iter().copied().fold(0.0, f64::max)
        } else {
            c.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
        };
        let s = if m <= net.lambda { 1.0 } else { net.lambda / m };
        let gap = (0.5 * (1.0 - s) * (1.0 - s) * r2 + penalty - s * ca).max(0.0);
        let certificate = if gap == 0.0 {
            0.0
        } else {
            gap / objective.max(f64::MIN_POSITIVE)
        };
        Report {
            objective,
            gap: Some(gap),
            certificate,
            support,
        }
    } else {
        let mut res = 0.0;
        for (&ai, &ci) in a.iter().zip(c) {
            let d = net.threshold(ai + net.gamma * ci) - ai;
            res += d * d;
        }
        let res = res.sqrt();
        let scale = net.gamma * dot(b, b).sqrt();
        Report {
            objective,
            gap: None,
            certificate: if res == 0.0 {
                0.0
            } else {
                res / scale.max(f64::MIN_POSITIVE)
            },
            support,
        }
    }
}
