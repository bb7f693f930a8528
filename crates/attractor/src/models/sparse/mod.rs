//! Sparse and non-negative reconstruction by competitive networks: the third talk of the
//! tutorial (Montanari, Bullo, Krotov, Motter, arXiv:2604.05042, §6 of `SCIENCE.md`).
//!
//! A signal `y ∈ ℝ^m` is coded by `a ∈ ℝ^n` over a dictionary `Φ` (atoms as columns) by
//! minimising the composite cost `½‖y − Φa‖² + g(a)`, with `g = λ‖a‖₁` (LASSO) or
//! `λ‖a‖₁ + ι_{a≥0}` (non-negative LASSO). The networks of [`network`] (FCN, PFCN, LCA with
//! soft or hard threshold) are proximal gradient dynamics
//! `τẋ = −x + prox_{γg}(x − γ∇f(x))` (Gokhale, Davydov, Bullo, arXiv:2409.10664) or their
//! internal-state form, whose equilibria are the minimisers; the cost decreases along them.
//!
//! - [`Dictionary`]: `Φ`, `G = ΦᵀΦ` formed once, `L = λ_max(G)` (the step `γ = 1/L`).
//! - [`SparseCoder`]: encodes a batch of signals with one network each, advanced together on
//!   the shared run loop ([`Run::solve_batch`](crate::run::Run::solve_batch)); each signal stops
//!   on its optimality certificate ([`certificate`](self#certificates)); warm starts, the
//!   regularisation path, and the trajectory of one signal.
//! - [`Momentum`] ([`inertial`](self#inertial-networks)): the inertial networks
//!   `ẍ + c(s)ẋ = f(x)/τ` whose force is a first-order network's field (heavy ball, or
//!   Nesterov's `3/s` damping with a restart), FISTA at `dt = τ`.
//!
//! # Inertial networks
//! [`SparseParams::momentum`] turns any network into its inertial version
//! ([`InertialSparseFlow`], on the state `[x; v; s]`): the equilibria and the certificates are
//! those of the first-order network, reached in far fewer steps on coherent dictionaries (the
//! first-order network needs `O(L/ρ)` steps, the accelerated one `O(√(L/ρ))` with the restart).
//!
//! # Certificates
//! The soft-threshold networks stop on the relative duality gap `(P(a) − D(ν))/P(a) ≤ tol`,
//! which bounds the relative distance of the objective to its optimum; the hard-threshold LCA
//! on its relative fixed-point residual.

mod active_set;
mod certificate;
mod coder;
mod dictionary;
mod flow;
mod inertial;
pub mod network;

pub use coder::{SparseCoder, SparseCodes, SparseTrajectory};
pub use dictionary::Dictionary;
pub use flow::SparseFlow;
pub use inertial::{InertialSparseFlow, Momentum};
pub use network::{DEFAULT_MAX_STEPS, SparseMethod, SparseParams};
