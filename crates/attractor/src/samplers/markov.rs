//! Markov-chain samplers of a Boltzmann distribution `p(x) ∝ exp(−E(x)/T)`: Gibbs sweeps of a
//! Boltzmann machine or an RBM, and Langevin dynamics of any energy with a gradient, behind one
//! trait. Many chains run at once, one column each; chain `j` draws only from its own
//! generator, so results depend on the seed and never on the number of threads.

use crate::error::{Error, Result};
use crate::rng::{Rng, stream, streams};
use faer::{Mat, MatMut};

/// A sampler that advances Markov chains whose stationary law is the model's distribution.
pub trait MarkovSampler: Send + Sync {
    /// The dimension of one state.
    fn dim(&self) -> usize;
    /// Initial states for `n_chains` chains (`dim × n_chains`), chain `j` drawing from
    /// `rngs[j]`.
    fn initial_states(&self, rngs: &mut [Rng]) -> Result<Mat<f64>>;
    /// Advance every chain (the columns of `states`, `dim × n_chains`) by `n_steps`
    /// transitions (sweeps, Langevin steps); chain `j` draws from `rngs[j]` only.
    fn advance(&self, states: MatMut<'_, f64>, rngs: &mut [Rng], n_steps: usize) -> Result<()>;

    /// Draw `n_chains` samples: each chain starts from [`initial_states`](Self::initial_states)
    /// and takes `n_steps` transitions; chain `j` uses `rng::stream(seed, streams::DYNAMICS + j)`.
    /// Returns the final states, one column per chain.
    fn sample(&self, n_chains: usize, n_steps: usize, seed: u64) -> Result<Mat<f64>> {
        if n_chains == 0 {
            return Err(Error::invalid(
                "n_chains",
                0,
                "draw at least one chain",
            ));
        }
        let mut rngs = chain_rngs(seed, n_chains);
        let mut x = self.initial_states(&mut rngs)?;
        self.advance(x.as_mut(), &mut rngs, n_steps)?;
        Ok(x)
    }
}

/// One generator per chain: `rng::stream(seed, streams::DYNAMICS + j)`.
pub fn chain_rngs(seed: u64, n_chains: usize) -> Vec<Rng> {
    (0..n_chains)
        .map(|j| stream(seed, streams::DYNAMICS + j as u64))
        .collect()
}
