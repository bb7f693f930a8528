//! Contraction certificates for the two recurrent-network forms with a diagonal activation `Φ`
//! slope-restricted in `[a, s]` (`a = Activation::min_slope`, `s = Activation::max_slope`):
//!
//! - firing-rate `τẋ = −x + Φ(Wx + u)`, Jacobian `(−I + ΓW)/τ`,
//! - Hopfield `τẋ = −x + WΦ(x) + u`, Jacobian `(−I + WΓ)/τ`,
//!
//! with `Γ = diag(γ)`, `γᵢ = Φ′(·) ∈ [a, s]`. A norm `‖·‖` certifies the network with rate
//! `c > 0` when the matrix measure (log-norm) `μ(J(Γ)) ≤ −c` for every `Γ` in the box: then any
//! two trajectories satisfy `‖x(t) − y(t)‖ ≤ e^{−ct}‖x(0) − y(0)‖`, the network has one globally
//! exponentially stable equilibrium `x*(u)`, and `u ↦ x*(u)` is Lipschitz with constant
//! `Lip_u(f)/c` in that norm (Davydov, Jafarpour, Bullo, *Non-Euclidean contraction theory for
//! robust nonlinear stability*, IEEE TAC 67(12), 2022, arXiv:2103.12263, Theorems 16 and 37;
//! Bullo, *Contraction Theory for Dynamical Systems*, 2023, ch. 2–3). The bound holds for any
//! sign of `c`, so a rate `c ≤ 0` is reported as `contracting = false`.
//!
//! One concept per file:
//! - [`symmetric`]: the original test `s·λ_max(W) < 1` (symmetric `W`) or `s·‖W‖₂ < 1`;
//! - [`non_euclidean`]: weighted `ℓ₁`/`ℓ∞` measures and their closed-form optimal weights (the
//!   Perron vectors of the Metzler majorant of `W`);
//! - [`weighted_l2`]: a diagonally weighted `ℓ₂` norm from a linear matrix inequality (the
//!   S-procedure over the slope sector);
//! - [`robustness`]: the Lipschitz constant of the input-to-equilibrium map.
//!
//! [`certify`] dispatches and returns one [`Certificate`].

mod non_euclidean;
mod robustness;
mod symmetric;
mod weighted_l2;

pub use non_euclidean::{
    log_norm_l1, log_norm_linf, metzler_majorant, perron_vector, weighted_log_norm_l1,
    weighted_log_norm_linf,
};
pub use robustness::input_lipschitz;
pub use symmetric::{Contraction, contraction};
pub use weighted_l2::{L2_MAX_N, weighted_log_norm_l2};

use crate::error::{Error, Result, check_positive};
use crate::models::Activation;
use faer::Mat;

/// Which network a Jacobian belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkForm {
    /// `τẋ = −x + Φ(Wx + u)`: Jacobian `(−I + ΓW)/τ`.
    FiringRate,
    /// `τẋ = −x + WΦ(x) + u`: Jacobian `(−I + WΓ)/τ`.
    Hopfield,
}

impl NetworkForm {
    /// "firing_rate" or "hopfield".
    pub fn name(self) -> &'static str {
        match self {
            NetworkForm::FiringRate => "firing_rate",
            NetworkForm::Hopfield => "hopfield",
        }
    }
}

impl std::str::FromStr for NetworkForm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "firing_rate" | "firing-rate" => Ok(NetworkForm::FiringRate),
            "hopfield" => Ok(NetworkForm::Hopfield),
            _ => Err(Error::invalid(
                "model",
                s,
                "choose firing_rate (tau x' = -x + phi(W x + u)) or hopfield (tau x' = -x + W phi(x) + u)",
            )),
        }
    }
}

/// The norm a certificate is stated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Norm {
    /// `‖x‖ = Σᵢ wᵢ|xᵢ|`.
    L1Weighted,
    /// `‖x‖ = maxᵢ wᵢ|xᵢ|`.
    LInfWeighted,
    /// `‖x‖ = (Σᵢ pᵢxᵢ²)^{1/2}` (`P = diag(p)`).
    L2Weighted,
    /// The weighted Euclidean norm of Centorrino et al. (2023) for symmetric `W` (the weights
    /// are not returned: the certificate has an empty `weights`).
    L2Symmetric,
}

impl Norm {
    /// "l1w", "linfw", "l2w" or "l2sym".
    pub fn name(self) -> &'static str {
        match self {
            Norm::L1Weighted => "l1w",
            Norm::LInfWeighted => "linfw",
            Norm::L2Weighted => "l2w",
            Norm::L2Symmetric => "l2sym",
        }
    }
}

/// Which certificate(s) [`certify`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NormChoice {
    /// The weighted `ℓ₁` norm with optimal weights (closed form, `O(n²)` per iteration).
    L1w,
    /// The weighted `ℓ∞` norm with optimal weights (closed form).
    LInfw,
    /// The diagonally weighted `ℓ₂` norm from the sector LMI (`n ≤` [`L2_MAX_N`]).
    L2w,
    /// The best of the above (and of the symmetric test when `W = Wᵀ`); `ℓ₂` only for
    /// `n ≤` [`L2_MAX_N`].
    Auto,
}

impl std::str::FromStr for NormChoice {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "l1w" => Ok(NormChoice::L1w),
            "linfw" => Ok(NormChoice::LInfw),
            "l2w" => Ok(NormChoice::L2w),
            "auto" => Ok(NormChoice::Auto),
            _ => Err(Error::invalid(
                "norm",
                s,
                "choose one of auto, l1w, linfw, l2w",
            )),
        }
    }
}

/// The slope box `Φ′ ∈ [lo, hi]` of a diagonal activation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlopeBounds {
    /// `inf Φ′ ≥ 0`.
    pub lo: f64,
    /// `sup Φ′ ≥ lo`, finite.
    pub hi: f64,
}

impl SlopeBounds {
    /// The box of an [`Activation`].
    pub fn of(activation: Activation) -> Self {
        Self {
            lo: activation.min_slope(),
            hi: activation.max_slope(),
        }
    }

    /// Checked bounds: `0 ≤ lo ≤ hi < ∞`.
    pub fn new(lo: f64, hi: f64) -> Result<Self> {
        if !hi.is_finite() {
            return Err(Error::invalid(
                "max slope",
                hi,
                "the certificates need a finite bound on the activation's slope (a Lipschitz activation); pass sup phi' as a finite number",
            ));
        }
        if !(lo.is_finite() && lo >= 0.0) {
            return Err(Error::invalid(
                "min slope",
                lo,
                "the certificates need a non-decreasing activation: pass inf phi' >= 0 (0 when unsure)",
            ));
        }
        if lo > hi {
            return Err(Error::invalid(
                "min slope",
                lo,
                "the min slope must not exceed the max slope",
            ));
        }
        Ok(Self { lo, hi })
    }
}

/// A contraction certificate: a norm, the rate it proves and what follows from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    /// The norm.
    pub norm: Norm,
    /// Its weights: `wᵢ` of `Σwᵢ|xᵢ|` (`ℓ₁`) or of `max wᵢ|xᵢ|` (`ℓ∞`), `pᵢ` of `Σpᵢxᵢ²`
    /// (`ℓ₂`), normalised to a largest weight of 1; empty for [`Norm::L2Symmetric`].
    pub weights: Vec<f64>,
    /// The rate `c` per unit time: `‖x(t) − y(t)‖ ≤ e^{−ct}‖x(0) − y(0)‖` for any two
    /// trajectories (with `c = −max_Γ μ(J(Γ))` computed with exactly these weights).
    pub rate: f64,
    /// `rate > 0`.
    pub contracting: bool,
    /// When contracting: the Lipschitz constant of `u ↦ x*(u)` in this norm (input measured in
    /// the same norm), `Lip_u(f)/c` ([`input_lipschitz`]); `None` for [`Norm::L2Symmetric`].
    pub lipschitz_input: Option<f64>,
    /// What was tested.
    pub criterion: &'static str,
}

impl Certificate {
    /// `‖x‖` in the certificate's norm (`None` for [`Norm::L2Symmetric`], whose weights are not
    /// known, or a length mismatch).
    pub fn norm_of(&self, x: &[f64]) -> Option<f64> {
        if x.len() != self.weights.len() {
            return None;
        }
        let w = &self.weights;
        Some(match self.norm {
            Norm::L1Weighted => x.iter().zip(w).map(|(x, w)| w * x.abs()).sum(),
            Norm::LInfWeighted => x
                .iter()
                .zip(w)
                .map(|(x, w)| w * x.abs())
                .fold(0.0, f64::max),
            Norm::L2Weighted => x.iter().zip(w).map(|(x, p)| p * x * x).sum::<f64>().sqrt(),
            Norm::L2Symmetric => return None,
        })
    }

    fn finish(
        norm: Norm,
        weights: Vec<f64>,
        rate: f64,
        criterion: &'static str,
        lip_u: Option<f64>,
    ) -> Self {
        let contracting = rate > 0.0;
        Certificate {
            norm,
            weights,
            rate,
            contracting,
            lipschitz_input: lip_u
                .filter(|_| contracting)
                .map(|l| input_lipschitz(l, rate)),
            criterion,
        }
    }
}

/// Contraction certificate of a firing-rate or Hopfield network with activation `Φ` and time
/// constant `τ`, in the norm(s) chosen.
///
/// The rate is `c = −max_Γ μ(J(Γ))` over the slope box, computed with the returned weights (an
/// exact worst case for `ℓ₁`/`ℓ∞`, the bound proved by the LMI for `ℓ₂`), never an estimate.
///
/// ```
/// use attractor::analysis::{NetworkForm, NormChoice, certify};
/// use attractor::models::Activation;
/// // A feed-forward chain: ‖W‖₂ = 3, yet the network contracts in a weighted ℓ∞ norm.
/// let w = faer::Mat::from_fn(3, 3, |i, j| if i == j + 1 { 3.0 } else { 0.0 });
/// let c = certify(&w, Activation::Tanh, NetworkForm::FiringRate, 1.0, NormChoice::LInfw).unwrap();
/// assert!(c.contracting && c.rate > 0.99);
/// ```
pub fn certify(
    w: &Mat<f64>,
    activation: Activation,
    model: NetworkForm,
    tau: f64,
    norm: NormChoice,
) -> Result<Certificate> {
    certify_with_slopes(w, SlopeBounds::of(activation), model, tau, norm)
}

/// [`certify`] for any activation with slopes in `[slopes.lo, slopes.hi]`.
pub fn certify_with_slopes(
    w: &Mat<f64>,
    slopes: SlopeBounds,
    model: NetworkForm,
    tau: f64,
    norm: NormChoice,
) -> Result<Certificate> {
    crate::models::validate_weights(w)?;
    let slopes = SlopeBounds::new(slopes.lo, slopes.hi)?;
    check_positive("tau", tau, "the time constant must be positive")?;
    let n = w.nrows();
    if n == 0 {
        return Err(Error::invalid(
            "W (rows)",
            0,
            "pass a non-empty n x n coupling matrix",
        ));
    }
    let lip_u = robustness::input_gain(model, slopes) / tau;
    let one = |choice: NormChoice| -> Result<Certificate> {
        Ok(match choice {
            NormChoice::L1w => {
                let (weights, c) = non_euclidean::certify_l1(w, slopes, model);
                Certificate::finish(
                    Norm::L1Weighted,
                    weights,
                    c / tau,
                    non_euclidean::L1_CRITERION,
                    Some(lip_u),
                )
            }
            NormChoice::LInfw => {
                let (weights, c) = non_euclidean::certify_linf(w, slopes, model);
                Certificate::finish(
                    Norm::LInfWeighted,
                    weights,
                    c / tau,
                    non_euclidean::LINF_CRITERION,
                    Some(lip_u),
                )
            }
            NormChoice::L2w => {
                let (weights, c) = weighted_l2::certify_l2(w, slopes, model)?;
                Certificate::finish(
                    Norm::L2Weighted,
                    weights,
                    c / tau,
                    weighted_l2::L2_CRITERION,
                    Some(lip_u),
                )
            }
            NormChoice::Auto => unreachable!("Auto is expanded by the caller"),
        })
    };
    if norm != NormChoice::Auto {
        return one(norm);
    }
    let mut best = one(NormChoice::LInfw)?;
    let mut consider = |c: Certificate| {
        if c.rate > best.rate {
            best = c;
        }
    };
    consider(one(NormChoice::L1w)?);
    if n <= L2_MAX_N {
        consider(one(NormChoice::L2w)?);
    }
    if !crate::models::is_asymmetric(w, crate::linalg::max_asymmetry(w.as_ref()))
        && slopes.lo == 0.0
    {
        let sym = contraction_with_slope(w, slopes.hi, tau)?;
        consider(Certificate::finish(
            Norm::L2Symmetric,
            Vec::new(),
            sym.rate,
            sym.criterion,
            // The metric of the symmetric test need not be diagonal, where Φ's Lipschitz
            // constant bounds the input gain; no figure is claimed.
            None,
        ));
    }
    Ok(best)
}

/// The symmetric test at slope `s` (shared with [`contraction`]).
fn contraction_with_slope(w: &Mat<f64>, s: f64, tau: f64) -> Result<Contraction> {
    symmetric::contraction_slope(w, s, tau)
}

#[cfg(test)]
mod tests;
