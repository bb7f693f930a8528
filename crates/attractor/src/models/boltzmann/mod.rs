//! The Boltzmann machine (Ackley, Hinton & Sejnowski, *A learning algorithm for Boltzmann
//! machines*, Cognitive Science 9, 1985): `n` stochastic units `s ∈ {0,1}ⁿ` or `{−1,+1}ⁿ`
//! coupled by a symmetric `W` with zero diagonal, with energy
//!
//! `E(s) = −½ sᵀWs − bᵀs = −Σ_{i<j} W_ij s_i s_j − Σ_i b_i s_i`
//!
//! and, at temperature `T > 0`, the Boltzmann–Gibbs law `P(s) = e^{−E(s)/T} / Z`,
//! `Z = Σ_s e^{−E(s)/T}`.
//!
//! - [`machine`]: [`BoltzmannMachine`] (validated `W`, `b`, [`Units`], `T`), its energy
//!   ([`Energy`](crate::energy::Energy)) and its parameter gradient
//!   ([`ParamGradient`](crate::energy::ParamGradient): `∂E/∂W_ij = −s_i s_j`,
//!   `∂E/∂b_i = −s_i`), which the Boltzmann learning rule in
//!   [`learn::boltzmann_rule`](crate::learn::boltzmann_rule) averages.
//! - [`gibbs`]: [`Gibbs`], Gibbs sweeps (sequential, random-permutation, or block for bipartite
//!   couplings: [`Scan`]) as a [`MarkovSampler`](crate::samplers::MarkovSampler). Unit `i` is redrawn from its
//!   conditional law given the others, `P(s_i = 1 | s_−i) = σ((W_i s + b_i)/T)` for binary units
//!   and `P(s_i = +1 | s_−i) = σ(2(W_i s + b_i)/T)` for spins (`σ(u) = 1/(1 + e^{−u})`); each such
//!   update leaves `P` invariant (Geman & Geman, IEEE PAMI 6, 1984), so a sweep does too.
//! - [`exact`]: [`ExactDistribution`], `P` and `log Z` by enumerating all `2ⁿ` states for
//!   `n ≤` [`MAX_EXACT_UNITS`].
//!
//! ```
//! use attractor::models::{BoltzmannMachine, Scan, Units};
//! use attractor::samplers::MarkovSampler;
//! use attractor::run::Budget;
//! let w = faer::mat![[0.0, 1.0, -0.5], [1.0, 0.0, 0.3], [-0.5, 0.3, 0.0]];
//! let bm = BoltzmannMachine::new(w, vec![0.1, -0.2, 0.0], Units::Spin, 1.0)?;
//! let exact = bm.exact()?;
//! assert!((exact.probabilities().iter().sum::<f64>() - 1.0).abs() < 1e-12);
//! let samples = bm.gibbs(Scan::Sequential).sample(100, 7, &Budget::steps(50))?.states; // 100 chains, 50 sweeps
//! assert_eq!((samples.nrows(), samples.ncols()), (3, 100));
//! # Ok::<(), attractor::Error>(())
//! ```

pub mod exact;
pub mod gibbs;
pub mod machine;

pub use exact::{ExactDistribution, MAX_EXACT_UNITS};
pub use gibbs::{Gibbs, Scan};
pub use machine::{BoltzmannMachine, Units};
