//! Restricted Boltzmann machines (Smolensky 1986; Hinton, "Training products of experts by
//! minimizing contrastive divergence", Neural Computation 2002), §4 of `SCIENCE.md`.
//!
//! Visible units `v` (Bernoulli `{0, 1}` or unit-variance Gaussian), Bernoulli hidden units
//! `h ∈ {0, 1}ⁿʰ`, weights `W` (`n_visible × n_hidden`), biases `a` (visible) and `b` (hidden):
//!
//! - energy `E(v, h) = −aᵀv − bᵀh − vᵀWh` (Bernoulli visible), or
//!   `E(v, h) = ½‖v − a‖² − bᵀh − vᵀWh` (Gaussian visible, variance fixed at 1: standardise
//!   the data); `p(v, h) = e^{−E(v,h)}/Z`;
//! - free energy `F(v) = −log Σ_h e^{−E} = −aᵀv − Σ_j softplus(b_j + W_jᵀv)` (Gaussian:
//!   `½‖v − a‖² − Σ_j softplus(…)`), `p(v) = e^{−F(v)}/Z`;
//! - conditionals, which factorise: `p(h_j = 1 | v) = σ(b_j + W_jᵀv)`,
//!   `p(v_i = 1 | h) = σ(a_i + W_i h)` or `v | h ~ N(a + Wh, I)`. Block Gibbs sampling
//!   alternates them, many chains at once as matrix products ([`RbmGibbs`], a
//!   [`MarkovSampler`](crate::samplers::MarkovSampler)); a temperature `T` divides the energy.
//!   At `T` the chains sample `p_T(v) ∝ e^{−F_β(v)}`, the free energy of the tempered joint
//!   law (not `F/T`); with it `RbmGibbs` is a [`TemperedSampler`](crate::markov::TemperedSampler),
//!   so parallel tempering ([`crate::samplers::tempering`]; Desjardins et al., AISTATS 2010)
//!   runs over it.
//!
//! Partition function ([`partition`]): exact by enumerating the smaller layer (up to
//! [`MAX_EXACT_UNITS`] units), or by annealed importance sampling (Salakhutdinov & Murray,
//! ICML 2008, "On the quantitative analysis of deep belief networks"), and bracketed from below
//! by reverse annealing ([`raise`]; Burda, Grosse & Salakhutdinov, AISTATS 2015). Likelihoods
//! ([`likelihood`]): exact and AIS log-likelihood, the exact log-likelihood gradient
//! (data term minus model term by enumeration), exact and stochastic pseudo-likelihood.
//! Parameters are saved as safetensors ([`io`]). Training (CD-k, PCD) lives in
//! [`crate::learn::contrastive_divergence`]; the free energy's parameter gradient is
//! [`ParamGradient`](crate::energy::ParamGradient).
//!
//! Every product that many states share runs in fixed blocks (of rows, of chains, of
//! enumerated states), so results never depend on the number of threads.

pub(crate) mod gibbs;
pub mod io;
pub(crate) mod kernels;
pub mod likelihood;
mod model;
pub mod partition;
pub mod raise;

pub use gibbs::RbmGibbs;
pub use likelihood::RbmGradient;
pub use model::{Rbm, VisibleUnits};
pub use partition::{AisBase, AisParams, AisResult, AisSchedule, MAX_EXACT_UNITS};
pub use raise::{LikelihoodBracket, RaiseParams, RaiseResult};
