//! The spectral contraction test (symmetric `W`, or the crude `‖W‖₂` bound).

use crate::error::{Result, check_positive};
use crate::linalg::{max_abs, max_asymmetry, symmetric_eigenvalues};
use crate::models::Activation;
use faer::Mat;

/// The outcome of a contraction test.
#[derive(Debug, Clone, PartialEq)]
pub struct Contraction {
    /// The spectral quantity tested: `λ_max(W)` for symmetric `W`, `‖W‖₂` otherwise.
    pub lambda: f64,
    /// Whether the sufficient condition `lambda·s < 1` holds, `s` the activation's largest slope.
    pub contracting: bool,
    /// The contraction rate `(1 − s·lambda)/τ` (negative when the test fails).
    pub rate: f64,
    /// Which criterion was applied.
    pub criterion: &'static str,
}

/// The contraction test for Hopfield and firing-rate networks with activations slope-restricted
/// in `[0, s]` (Centorrino, Gokhale, Davydov, Russo, Bullo, *Euclidean contractivity of neural
/// networks with symmetric weights*, IEEE L-CSS 2023, arXiv:2302.13452):
///
/// - symmetric `W`: `s·λ_max(W) < 1` ⇒ strongly infinitesimally contracting with rate
///   `(1 − s·λ_max(W))/τ` (in a weighted Euclidean norm);
/// - otherwise the cruder `s·‖W‖₂ < 1` (the log-norm bound `μ₂(−I + WΓ) ≤ −1 + s‖W‖₂`).
///
/// A contracting network has a unique, globally exponentially stable equilibrium.
pub fn contraction(w: &Mat<f64>, activation: Activation, tau: f64) -> Result<Contraction> {
    contraction_slope(w, activation.max_slope(), tau)
}

/// [`contraction`] for a slope bound `s`.
pub(super) fn contraction_slope(w: &Mat<f64>, s: f64, tau: f64) -> Result<Contraction> {
    crate::models::validate_weights(w)?;
    check_positive("tau", tau, "the time constant must be positive")?;
    let sym = max_asymmetry(w.as_ref()) <= 1e-12 * (1.0 + max_abs(w.as_ref()));
    let (lambda, criterion) = if sym {
        let ev = symmetric_eigenvalues(w.as_ref())?;
        (
            ev.last().copied().unwrap_or(0.0),
            "symmetric W: s * lambda_max(W) < 1",
        )
    } else {
        let wtw = w.transpose() * w;
        let ev = symmetric_eigenvalues(wtw.as_ref())?;
        (
            ev.last().copied().unwrap_or(0.0).max(0.0).sqrt(),
            "non-symmetric W: s * ||W||_2 < 1",
        )
    };
    let margin = 1.0 - s * lambda;
    Ok(Contraction {
        lambda,
        contracting: margin > 0.0,
        rate: margin / tau,
        criterion,
    })
}
