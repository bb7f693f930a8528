//! The activations `ρ` of layered energy networks, with the two derivatives that relaxation,
//! implicit differentiation and backpropagation through the relaxation need.

use crate::error::Error;
use std::str::FromStr;

/// The nonlinearity `ρ` of a layered energy network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LayerActivation {
    /// The hard sigmoid `ρ(s) = clip(s, 0, 1)` of Scellier & Bengio (2017). The states are
    /// kept in the box `[0, 1]` (the relaxation is a projected gradient descent), where
    /// `ρ(s) = s`, `ρ′ = 1`, `ρ″ = 0`.
    #[default]
    HardSigmoid,
    /// The logistic sigmoid `σ(s) = 1/(1 + e^{−s})`; states unconstrained.
    Sigmoid,
    /// `tanh(s)`; states unconstrained.
    Tanh,
}

impl LayerActivation {
    /// Every variant, for tests and parsing.
    pub const ALL: [LayerActivation; 3] = [
        LayerActivation::HardSigmoid,
        LayerActivation::Sigmoid,
        LayerActivation::Tanh,
    ];
    /// The name ("hard-sigmoid", "sigmoid", "tanh").
    pub fn name(self) -> &'static str {
        match self {
            LayerActivation::HardSigmoid => "hard-sigmoid",
            LayerActivation::Sigmoid => "sigmoid",
            LayerActivation::Tanh => "tanh",
        }
    }
    /// Whether states live in the box `[0, 1]` (the relaxation projects onto it).
    pub fn is_projected(self) -> bool {
        matches!(self, LayerActivation::HardSigmoid)
    }
    /// The projection of a state component onto the state space.
    #[inline]
    pub fn project(self, s: f64) -> f64 {
        match self {
            LayerActivation::HardSigmoid => s.clamp(0.0, 1.0),
            _ => s,
        }
    }
    /// `ρ(s)`.
    #[inline]
    pub fn rho(self, s: f64) -> f64 {
        match self {
            LayerActivation::HardSigmoid => s.clamp(0.0, 1.0),
            LayerActivation::Sigmoid => 1.0 / (1.0 + (-s).exp()),
            LayerActivation::Tanh => s.tanh(),
        }
    }
    /// `ρ′(s)` (for the hard sigmoid 1: its states live in the box `[0, 1]`, kept there by the
    /// projection, and the boundary is handled by the projection, not by `ρ′`).
    #[inline]
    pub fn drho(self, s: f64) -> f64 {
        match self {
            LayerActivation::HardSigmoid => 1.0,
            LayerActivation::Sigmoid => {
                let r = 1.0 / (1.0 + (-s).exp());
                r * (1.0 - r)
            }
            LayerActivation::Tanh => {
                let t = s.tanh();
                1.0 - t * t
            }
        }
    }
    /// `ρ″(s)`.
    #[inline]
    pub fn d2rho(self, s: f64) -> f64 {
        match self {
            LayerActivation::HardSigmoid => 0.0,
            LayerActivation::Sigmoid => {
                let r = 1.0 / (1.0 + (-s).exp());
                r * (1.0 - r) * (1.0 - 2.0 * r)
            }
            LayerActivation::Tanh => {
                let t = s.tanh();
                -2.0 * t * (1.0 - t * t)
            }
        }
    }
}

impl std::fmt::Display for LayerActivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LayerActivation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hard-sigmoid" | "hard_sigmoid" | "hardsigmoid" | "clip" => {
                Ok(LayerActivation::HardSigmoid)
            }
            "sigmoid" | "logistic" => Ok(LayerActivation::Sigmoid),
            "tanh" => Ok(LayerActivation::Tanh),
            _ => Err(Error::invalid(
                "activation",
                s,
                "use hard-sigmoid (clip to [0, 1]), sigmoid or tanh",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_finite_differences() {
        for a in [LayerActivation::Sigmoid, LayerActivation::Tanh] {
            for &s in &[-2.0, -0.3, 0.0, 0.7, 1.9] {
                let h = 1e-5;
                let d = (a.rho(s + h) - a.rho(s - h)) / (2.0 * h);
                let d2 = (a.drho(s + h) - a.drho(s - h)) / (2.0 * h);
                assert!((d - a.drho(s)).abs() < 1e-8, "{a} {s}");
                assert!((d2 - a.d2rho(s)).abs() < 1e-8, "{a} {s}");
            }
        }
        let h = LayerActivation::HardSigmoid;
        assert_eq!((h.rho(0.4), h.drho(0.4), h.project(1.5)), (0.4, 1.0, 1.0));
        assert!(
            "relu"
                .parse::<LayerActivation>()
                .unwrap_err()
                .to_string()
                .contains("hard-sigmoid")
        );
    }
}
