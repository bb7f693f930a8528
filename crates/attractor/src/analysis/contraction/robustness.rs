//! Robustness of a contracting network: the Lipschitz constant of its input-to-equilibrium map.
//!
//! If `ẋ = f(x, u)` is strongly infinitesimally contracting in `‖·‖` with rate `c > 0`
//! uniformly in `u`, and `‖f(x, u) − f(x, v)‖ ≤ ℓ_u‖u − v‖` for every `x`, then the unique
//! equilibria satisfy
//!
//! `‖x*(u) − x*(v)‖ ≤ (ℓ_u / c)·‖u − v‖`
//!
//! (Davydov, Jafarpour, Bullo, *Non-Euclidean contraction theory for robust nonlinear
//! stability*, IEEE TAC 2022, arXiv:2103.12263, Theorem 37 (equilibrium tracking / Lipschitz
//! dependence on parameters)).
//!
//! For the two network forms, with a diagonally weighted norm (any diagonal map with slopes in
//! `[0, s]` is `s`-Lipschitz in it):
//! - firing-rate `τẋ = −x + Φ(Wx + u)`: `ℓ_u = s/τ`;
//! - Hopfield `τẋ = −x + WΦ(x) + u`: `ℓ_u = 1/τ`.
//!
//! With the rate per unit time `c = c₀/τ` the constant is `s/c₀` (firing-rate), `1/c₀`
//! (Hopfield), independent of `τ`.

use super::{NetworkForm, SlopeBounds};

/// `ℓ_u/c`: the Lipschitz constant of `u ↦ x*(u)` for a vector field with input gain `ℓ_u`
/// contracting at rate `c > 0` (same norm on inputs and states).
///
/// ```
/// assert_eq!(attractor::analysis::input_lipschitz(1.0, 0.5), 2.0);
/// ```
pub fn input_lipschitz(lip_u: f64, rate: f64) -> f64 {
    lip_u / rate
}

/// `τ·ℓ_u`: `s` for the firing-rate form, 1 for the Hopfield form.
pub(super) fn input_gain(model: NetworkForm, slopes: SlopeBounds) -> f64 {
    match model {
        NetworkForm::FiringRate => slopes.hi,
        NetworkForm::Hopfield => 1.0,
    }
}
