//! Markov-chain samplers of a Boltzmann distribution `p(x) ∝ exp(−E(x)/T)`: Gibbs sweeps of a
//! Boltzmann machine or an RBM, and Langevin dynamics of any energy with a gradient, behind one
//! trait (a core module, so that models implement it; `samplers` re-exports it). Many chains
//! run at once, one column each; chain `j` draws only from its own generator, so results depend
//! on the seed and never on the number of threads.

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
            return Err(Error::invalid("n_chains", 0, "draw at least one chain"));
        }
        // the generators and the states together, before either is allocated
        let per_chain = self
            .dim()
            .saturating_mul(8)
            .saturating_add(std::mem::size_of::<Rng>());
        crate::memory::check(
            "chains (generators and states of dim entries each)",
            &[n_chains, per_chain],
            1,
            "draw fewer samples (n_chains, n_samples, --count) at once",
        )?;
        let mut rngs = try_chain_rngs(seed, n_chains)?;
        let mut x = self.initial_states(&mut rngs)?;
        self.advance(x.as_mut(), &mut rngs, n_steps)?;
        Ok(x)
    }
}

/// [`chain_rngs`] under the library's memory policy: the vector of `n_chains` generators is
/// checked and reserved fallibly (each generator holds a few hundred bytes).
///
/// # Errors
/// [`Error::OutOfMemory`] when the generators cannot fit.
pub fn try_chain_rngs(seed: u64, n_chains: usize) -> Result<Vec<Rng>> {
    let mut v = crate::memory::try_with_capacity(
        "chain generators",
        n_chains,
        "use fewer chains (samples, runs, --count)",
    )?;
    v.extend((0..n_chains).map(|j| stream(seed, streams::DYNAMICS + j as u64)));
    Ok(v)
}

/// One generator per chain: `rng::stream(seed, streams::DYNAMICS + j)`.
pub fn chain_rngs(seed: u64, n_chains: usize) -> Vec<Rng> {
    (0..n_chains)
        .map(|j| stream(seed, streams::DYNAMICS + j as u64))
        .collect()
}

/// Run `chain(j, x_j, rng_j)` for every chain `j`: `x_j` is column `j` of `states` (copied into
/// a contiguous buffer and back) and `rng_j = rngs[j]`. With `Par::Rayon(k)` the chains are split
/// into at most `k` contiguous blocks run on rayon's global pool (capped at its size by
/// [`effective_par`](crate::linalg::effective_par)); every chain is computed by one thread from
/// its own generator, so the states are bit-identical on any number of threads. The first error
/// (by chain index) is returned.
///
/// Checks that `states` has `dim` rows and one column per generator.
pub fn for_each_chain<F>(
    states: MatMut<'_, f64>,
    dim: usize,
    rngs: &mut [Rng],
    par: faer::Par,
    chain: F,
) -> Result<()>
where
    F: Fn(usize, &mut [f64], &mut Rng) -> Result<()> + Sync,
{
    use rayon::prelude::*;
    crate::error::check_len(
        "states (rows)",
        states.nrows(),
        dim,
        "pass one row per unit/coordinate of the model (chains are columns)",
    )?;
    crate::error::check_len(
        "rngs",
        rngs.len(),
        states.ncols(),
        "pass one generator per chain (column of states), e.g. samplers::chain_rngs(seed, n_chains)",
    )?;
    let run_one = |(j, col, rng): &mut (usize, faer::col::ColMut<'_, f64>, &mut Rng)| {
        let mut x: Vec<f64> = col.as_ref().iter().copied().collect();
        let r = chain(*j, &mut x, rng);
        for (dst, v) in col.as_mut().iter_mut().zip(&x) {
            *dst = *v;
        }
        r
    };
    let mut items: Vec<(usize, faer::col::ColMut<'_, f64>, &mut Rng)> = states
        .col_iter_mut()
        .zip(rngs.iter_mut())
        .enumerate()
        .map(|(j, (c, r))| (j, c, r))
        .collect();
    let m = items.len();
    let k = match crate::linalg::effective_par(par) {
        faer::Par::Seq => 1,
        faer::Par::Rayon(k) => k.get(),
    };
    if k <= 1 || m <= 1 {
        return items.iter_mut().try_for_each(run_one);
    }
    let block = m.div_ceil(k.min(m));
    let results: Vec<Result<()>> = items
        .par_chunks_mut(block)
        .map(|b| b.iter_mut().try_for_each(run_one))
        .collect();
    results.into_iter().collect()
}
