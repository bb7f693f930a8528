//! Markov-chain samplers of a Boltzmann distribution `p(x) ∝ exp(−E(x)/T)`: Gibbs sweeps of a
//! Boltzmann machine or an RBM, and Langevin dynamics of any energy with a gradient, behind one
//! trait (a core module, so that models implement it; `samplers` re-exports it). Many chains
//! run at once, one column each; chain `j` draws only from its own generator, so results depend
//! on the seed and never on the number of threads.

use crate::error::{Error, Result};
use crate::rng::{Rng, stream, streams};
use crate::run::{Budget, Status};
use faer::reborrow::ReborrowMut;
use faer::{Mat, MatMut, MatRef, Par};
use std::time::Instant;

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
    /// Transitions `first_step, …, first_step + n_steps − 1` of a schedule that changes with the
    /// step (an annealed temperature), so that a run in pieces equals one run; chains whose
    /// transitions do not depend on the step (the default) ignore `first_step`.
    fn advance_from(
        &self,
        states: MatMut<'_, f64>,
        rngs: &mut [Rng],
        first_step: usize,
        n_steps: usize,
    ) -> Result<()> {
        let _ = first_step;
        self.advance(states, rngs, n_steps)
    }

    /// Draw `n_chains` samples within `budget`: each chain starts from
    /// [`initial_states`](Self::initial_states) and takes the budget's number of transitions
    /// ([`Budget::max_steps`], required); chain `j` uses
    /// `rng::stream(seed, streams::DYNAMICS + j)`. The chains advance in chunks of transitions
    /// (sized to take a few tens of milliseconds) with the budget's time and interrupt checked
    /// between chunks, so a long sample stops within a fraction of a second, keeping the states
    /// reached; chunks do not change the states (the same transitions in the same order).
    ///
    /// ```
    /// use attractor::markov::MarkovSampler;
    /// use attractor::models::rbm::Rbm;
    /// use attractor::run::{Budget, Status};
    /// let rbm = Rbm::random(6, 4, 0.5, 1)?;
    /// let chains = rbm.gibbs().sample(100, 7, &Budget::steps(20))?; // 100 chains, 20 sweeps
    /// assert_eq!((chains.states.ncols(), chains.n_steps, chains.status), (100, 20, Status::MaxSteps));
    /// # Ok::<(), attractor::Error>(())
    /// ```
    fn sample(&self, n_chains: usize, seed: u64, budget: &Budget) -> Result<Chains> {
        let n_steps = budget.required_steps("transitions (sweeps, steps)", 100)?;
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
        let mut states = self.initial_states(&mut rngs)?;
        let (done, status) = run_in_chunks(budget, n_steps, |first, k| {
            self.advance_from(states.as_mut(), &mut rngs, first, k)
        })?;
        Ok(Chains {
            states,
            n_steps: done,
            status,
        })
    }
}

/// Run `n_steps` transitions as `advance(first_step, n)` calls on chunks of consecutive
/// transitions, sized to take about 20–80 ms each, with `budget`'s time and interrupt checked
/// between chunks (the loop of [`MarkovSampler::sample`] and of parallel tempering,
/// [`crate::samplers::tempering`]). The chunks never change what is computed: the same
/// transitions in the same order. Returns the transitions taken and [`Status::MaxSteps`], or
/// the stop ([`Status::Timeout`], [`Status::Interrupted`]) that ended the loop early.
///
/// # Errors
/// The first error of `advance`.
pub fn run_in_chunks<F>(budget: &Budget, n_steps: usize, mut advance: F) -> Result<(usize, Status)>
where
    F: FnMut(usize, usize) -> Result<()>,
{
    let clock = budget.start();
    let (mut done, mut chunk) = (0usize, 1usize);
    while done < n_steps {
        if let Some(stop) = clock.check() {
            return Ok((done, stop));
        }
        let k = chunk.min(n_steps - done);
        let t = Instant::now();
        advance(done, k)?;
        done += k;
        // chunks of about 20–80 ms between checks
        let took = t.elapsed().as_secs_f64();
        if took < 0.02 {
            chunk = chunk.saturating_mul(2);
        } else if took > 0.08 {
            chunk = (chunk / 2).max(1);
        }
    }
    Ok((done, Status::MaxSteps))
}

/// A [`MarkovSampler`] that can run at any temperature `T`, with the (unnormalised) log
/// density of its stationary law: at temperature `T` its chains leave invariant
/// `π_T(x) ∝ e^{−U_T(x)}`. For a plain Boltzmann law `U_T(x) = E(x)/T`; for a model with
/// latent units summed out (an RBM's visible marginal) `U_T` is the free energy of the
/// tempered joint law, which is *not* `F(x)/T` in general. Parallel tempering
/// ([`crate::samplers::tempering`]) needs exactly this pair: samplers at each rung of a
/// temperature ladder and `U_T` to accept swaps between them.
pub trait TemperedSampler: MarkovSampler + Sized {
    /// The same sampler (same model, same parallelism) at temperature `t` (finite, `> 0`).
    fn at_temperature(&self, t: f64) -> Result<Self>;
    /// The temperature this sampler runs at.
    fn temperature(&self) -> f64;
    /// `out[j] = U_T(x_j)` for every column `x_j` of `states` (`dim × n`), at this sampler's
    /// temperature, so that `π_T(x) ∝ e^{−U_T(x)}`; the same bits on any number of threads.
    fn tempered_energies_into(&self, states: MatRef<'_, f64>, out: &mut [f64]) -> Result<()>;
}

/// What [`MarkovSampler::sample`] returns.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Chains {
    /// The final states, one column per chain.
    pub states: Mat<f64>,
    /// Transitions taken by every chain.
    pub n_steps: usize,
    /// [`Status::MaxSteps`] when all were taken, [`Status::Interrupted`] or
    /// [`Status::Timeout`] when the budget stopped them (the states reached are kept).
    pub status: Status,
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

/// The number of chains that block-wise samplers advance together as one matrix.
pub const CHAIN_BLOCK: usize = 32;

/// Run `f` on each block of [`CHAIN_BLOCK`] chains (columns of `states`, with their
/// generators and one entry each of `per_chain`), in parallel on the rayon pool when `par`
/// allows threads. The blocks depend only on the number of chains, so a computation that
/// treats a block as one matrix (the RBM's conditionals, batched Langevin gradients) gives the
/// same bits on any number of threads.
pub fn for_chain_blocks<F>(
    states: MatMut<'_, f64>,
    rngs: &mut [Rng],
    per_chain: &mut [f64],
    par: Par,
    f: &F,
) where
    F: Fn(MatMut<'_, f64>, &mut [Rng], &mut [f64]) + Sync,
{
    let n = states.ncols();
    let n_blocks = n.div_ceil(CHAIN_BLOCK);
    if n_blocks > 1 && matches!(crate::linalg::effective_par(par), Par::Rayon(_)) {
        let mid = (n_blocks / 2) * CHAIN_BLOCK;
        let (left, right) = states.split_at_col_mut(mid);
        let (rl, rr) = rngs.split_at_mut(mid);
        let (pl, pr) = per_chain.split_at_mut(mid);
        rayon::join(
            || for_chain_blocks(left, rl, pl, par, f),
            || for_chain_blocks(right, rr, pr, par, f),
        );
    } else {
        let mut states = states;
        for blk in 0..n_blocks {
            let c0 = blk * CHAIN_BLOCK;
            let c = CHAIN_BLOCK.min(n - c0);
            f(
                states.rb_mut().subcols_mut(c0, c),
                &mut rngs[c0..c0 + c],
                &mut per_chain[c0..c0 + c],
            );
        }
    }
}
