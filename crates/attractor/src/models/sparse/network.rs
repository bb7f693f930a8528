//! The four sparse-coding networks and their parameters. Each is a firing-rate or
//! internal-state network whose equilibria solve a sparse reconstruction problem
//! `min_a ½‖y − Φa‖² + g(a)`, written here with an explicit step `γ` (the papers take `γ = 1`
//! with a normalised dictionary; the equilibria of the soft-threshold networks do not depend
//! on `γ`, and explicit Euler with `dt = τ` is the proximal gradient iteration):
//!
//! - **FCN** (Centorrino, Gokhale, Davydov, Russo, Bullo, *Neural Computation* 2024,
//!   arXiv:2311.03821): `τẋ = −x + soft_{γλ}(x − γ(Gx − Φᵀy))`, `g = λ‖·‖₁` (LASSO).
//! - **PFCN**, the positive FCN: `τẋ = −x + ReLU(x − γ(Gx − Φᵀy) − γλ)`, `g = λ‖·‖₁ + ι_{≥0}`
//!   (non-negative LASSO). The non-negative orthant is forward invariant.
//! - **LCA** (Rozell, Johnson, Baraniuk, Olshausen, *Neural Computation* 2008): internal state
//!   `u`, output `a = T_{γλ}(u)`, `τu̇ = −u + a + γ(Φᵀy − Ga)` (Rozell's
//!   `τu̇ = −u + Φᵀy − (ΦᵀΦ − I)a` at `γ = 1`); soft threshold ⇒ LASSO equilibria; with
//!   `positive` the threshold is one-sided (non-negative LASSO). The support is reached in
//!   finite time (Balavoine, Romberg, Rozell, *IEEE TNNLS* 2012).
//! - **LCA with hard threshold**: `a = H_θ(u)` (`u` where `|u| > θ`, else 0) with
//!   `θ = λ√γ`, the step-`γ` form of Rozell's hard-threshold LCA, whose cost is
//!   `½‖y − Φa‖² + (λ²/2)‖a‖₀` (non-convex: its equilibria are local minima, and they depend on
//!   `γ` as iterative hard thresholding's do; Blumensath & Davies 2009).

use super::Momentum;
use crate::error::{Error, Result, check_nonnegative, check_positive};
use std::str::FromStr;

/// Which network computes the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SparseMethod {
    /// The positive firing-rate competitive network (non-negative LASSO).
    Pfcn,
    /// The firing-rate competitive network (LASSO).
    Fcn,
    /// The locally competitive algorithm with a soft threshold (LASSO; non-negative with
    /// `positive`).
    Lca,
    /// The locally competitive algorithm with a hard threshold (an `ℓ0` cost).
    LcaHard,
}

impl SparseMethod {
    /// The name as the CLI and Python spell it (`pfcn`, `fcn`, `lca`, `lca-hard`).
    pub fn name(self) -> &'static str {
        match self {
            SparseMethod::Pfcn => "pfcn",
            SparseMethod::Fcn => "fcn",
            SparseMethod::Lca => "lca",
            SparseMethod::LcaHard => "lca-hard",
        }
    }
    /// Whether the network has an internal state `u` distinct from its output `a` (LCA).
    pub fn has_internal_state(self) -> bool {
        matches!(self, SparseMethod::Lca | SparseMethod::LcaHard)
    }
    /// Whether its equilibria solve a convex problem (the soft-threshold networks), so that a
    /// duality gap certifies them.
    pub fn is_convex(self) -> bool {
        !matches!(self, SparseMethod::LcaHard)
    }
}

impl FromStr for SparseMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "pfcn" => Ok(SparseMethod::Pfcn),
            "fcn" => Ok(SparseMethod::Fcn),
            "lca" => Ok(SparseMethod::Lca),
            "lca-hard" | "lca_hard" => Ok(SparseMethod::LcaHard),
            _ => Err(Error::invalid(
                "method",
                s,
                "choose one of pfcn, fcn, lca, lca-hard",
            )),
        }
    }
}

impl std::fmt::Display for SparseMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The parameters of a sparse-coding run. Build with [`SparseParams::new`] (which picks PFCN
/// for non-negative codes and FCN otherwise) and adjust the public fields; they are checked
/// when a [`SparseCoder`](super::SparseCoder) is made.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SparseParams {
    /// The `ℓ1` weight `λ ≥ 0` in `½‖y − Φa‖² + λ‖a‖₁` (scikit-learn's `SparseCoder`
    /// `transform_alpha`).
    pub lambda: f64,
    /// Non-negative codes (`a ≥ 0`).
    pub positive: bool,
    /// The network.
    pub method: SparseMethod,
    /// The proximal step `γ > 0`; `None` is `1/L` (`L = λ_max(ΦᵀΦ)`).
    pub gamma: Option<f64>,
    /// The time constant `τ > 0` (default 1).
    pub tau: f64,
    /// The Euler step `dt ∈ (0, τ]` (default `τ`, which makes the network's Euler step the
    /// proximal gradient iteration; smaller steps follow the continuous-time trajectory).
    pub dt: f64,
    /// Stop a signal when its certificate is `≤ tol`: the relative duality gap
    /// `(P(a) − D(ν))/P(a)` for the soft-threshold networks (so the objective is within `tol`
    /// of optimal, relatively), the relative fixed-point residual for the hard threshold.
    pub tol: f64,
    /// Check the certificate every this many steps.
    pub check_every: usize,
    /// At each check (the first on the initial state, before any step), solve the network's
    /// equilibrium equation exactly on the current active set, correcting the set where it is
    /// wrong (feature-sign / Lawson–Hanson active-set iterations, Lee et al. 2007), and keep
    /// the result when it is certified. Once the network has found its support its dynamics
    /// are linear, and this computes the equilibrium they converge to. From a zero or warm
    /// start this usually certifies every signal before the network takes a step, which is
    /// what makes encoding fast on coherent dictionaries (where the dynamics with `γ = 1/L`
    /// need thousands of steps); `false` runs the network's dynamics alone.
    pub equilibrium_solve: bool,
    /// The network's inertia ([`Momentum`]): `None` (default) runs the first-order network;
    /// `HeavyBall { damping }` or `Nesterov { restart }` run its inertial version
    /// `ẍ + c(s)ẋ = f(x)/τ` on the same loop, with the same certificates (with `dt = τ` and
    /// the Nesterov damping, FISTA; see [`inertial`](super::InertialSparseFlow)).
    pub momentum: Momentum,
}

/// The most Euler steps per signal when the [`Budget`](crate::run::Budget) of an encode sets
/// none.
pub const DEFAULT_MAX_STEPS: usize = 10_000;

impl SparseParams {
    /// Defaults for `λ` and the sign constraint: PFCN when `positive`, else FCN; `γ = 1/L`,
    /// `τ = dt = 1`, `tol = 1e-6`, a check every 10 steps, equilibrium solve on, no momentum.
    pub fn new(lambda: f64, positive: bool) -> Self {
        Self {
            lambda,
            positive,
            method: if positive {
                SparseMethod::Pfcn
            } else {
                SparseMethod::Fcn
            },
            gamma: None,
            tau: 1.0,
            dt: 1.0,
            tol: 1e-6,
            check_every: 10,
            equilibrium_solve: true,
            momentum: Momentum::None,
        }
    }

    /// Check every value, with the parameter's own name in the message.
    pub fn validate(&self) -> Result<()> {
        check_nonnegative(
            "lambda",
            self.lambda,
            "the l1 weight must be a non-negative number (alpha in scikit-learn's terms)",
        )?;
        if self.method == SparseMethod::Pfcn && !self.positive {
            return Err(Error::invalid(
                "method",
                "pfcn",
                "the PFCN computes non-negative codes: ask for positive codes (--nonneg, positive=True) or use method fcn",
            ));
        }
        if let Some(g) = self.gamma {
            check_positive(
                "gamma",
                g,
                "use a step such as 1/L, or leave it unset for 1/L",
            )?;
        }
        check_positive(
            "tau",
            self.tau,
            "the time constant must be positive, e.g. 1",
        )?;
        check_positive("dt", self.dt, "use a step in (0, tau], e.g. dt = tau")?;
        if self.dt > self.tau * (1.0 + 1e-12) {
            return Err(Error::invalid(
                "dt",
                self.dt,
                &format!(
                    "the Euler step must not exceed tau = {} (dt = tau is the proximal gradient iteration)",
                    self.tau
                ),
            ));
        }
        check_nonnegative("tol", self.tol, "use a small tolerance such as 1e-6")?;
        if self.check_every == 0 {
            return Err(Error::invalid(
                "check_every",
                0,
                "check the certificate every k >= 1 steps",
            ));
        }
        self.momentum.validate()
    }

    /// The network with its resolved step: PFCN is FCN with non-negative codes, and FCN with
    /// `positive` is the PFCN.
    pub(crate) fn network(&self, lipschitz: f64) -> Network {
        let gamma = self.gamma.unwrap_or(1.0 / lipschitz);
        let kind = match self.method {
            SparseMethod::Pfcn | SparseMethod::Fcn => Kind::RateSoft,
            SparseMethod::Lca => Kind::LcaSoft,
            SparseMethod::LcaHard => Kind::LcaHard,
        };
        let threshold = match kind {
            Kind::LcaHard => self.lambda * gamma.sqrt(),
            _ => self.lambda * gamma,
        };
        Network {
            kind,
            positive: self.positive,
            lambda: self.lambda,
            gamma,
            threshold,
            rate: 1.0 / self.tau,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// FCN / PFCN: the state is the code.
    RateSoft,
    /// LCA, soft threshold: internal state `u`, code `T(u)`.
    LcaSoft,
    /// LCA, hard threshold.
    LcaHard,
}

/// A network with its step resolved: what the flow and the certificates compute with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Network {
    pub kind: Kind,
    pub positive: bool,
    pub lambda: f64,
    pub gamma: f64,
    /// `γλ` (soft) or `λ√γ` (hard).
    pub threshold: f64,
    /// `1/τ`.
    pub rate: f64,
}

impl Network {
    /// The threshold function `T` applied to one value.
    #[inline]
    pub fn threshold(&self, z: f64) -> f64 {
        let t = self.threshold;
        match (self.kind, self.positive) {
            (Kind::LcaHard, false) => {
                if z.abs() > t {
                    z
                } else {
                    0.0
                }
            }
            (Kind::LcaHard, true) => {
                if z > t {
                    z
                } else {
                    0.0
                }
            }
            (_, false) => z.signum() * (z.abs() - t).max(0.0),
            (_, true) => (z - t).max(0.0),
        }
    }
    /// The code `a` of a state (the state itself for FCN, `T(u)` for LCA).
    #[inline]
    pub fn code(&self, s: f64) -> f64 {
        match self.kind {
            Kind::RateSoft => s,
            _ => self.threshold(s),
        }
    }
    /// The state whose code is the equilibrium code `a` with input `c = Φᵀy − Ga` (for LCA
    /// `u = a + γc`, for FCN the code itself).
    #[inline]
    pub fn state_of(&self, a: f64, c: f64) -> f64 {
        match self.kind {
            Kind::RateSoft => a,
            _ => a + self.gamma * c,
        }
    }
    /// The regulariser of one code entry: `λ|a|` (soft) or `λ²/2·[a ≠ 0]` (hard).
    #[inline]
    pub fn penalty(&self, a: f64) -> f64 {
        match self.kind {
            Kind::LcaHard => {
                if a != 0.0 {
                    0.5 * self.lambda * self.lambda
                } else {
                    0.0
                }
            }
            _ => self.lambda * a.abs(),
        }
    }
    pub fn is_convex(&self) -> bool {
        self.kind != Kind::LcaHard
    }
}
