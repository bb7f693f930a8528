//! Samplers of Ising, QUBO and Max-Cut problems behind one trait, returning one kind of
//! [`SampleSet`] (the shape of dimod's `Sampler.sample_ising` / `sample_qubo` and `SampleSet`:
//! samples, energies, occurrence counts, per-sample info, timing, lowest energy first).
//!
//! - [`BruteForce`]: the exact reference (every state, or the `k` lowest, `n ≤ 24`);
//! - [`GreedyDescent`]: single-flip descent from seeded random starts;
//! - [`OimSampler`]: the oscillator Ising machine, one sample per replica and round;
//! - [`AnnealingSampler`]: simulated annealing (Metropolis sweeps with incremental local fields
//!   under a `β` schedule), the baseline;
//! - [`BifurcationSampler`]: simulated bifurcation (ballistic or discrete), agents as f32 lanes.
//!
//! Markov-chain samplers of `p(x) ∝ e^{−E(x)/T}` share [`MarkovSampler`] (chains as columns,
//! one generator per chain, thread-count independent): [`LangevinSampler`] (the unadjusted
//! Langevin algorithm for any energy with a gradient, with a temperature [`Ramp`](crate::schedule::Ramp)), [`BatchLangevinSampler`] (the same chains in blocks whose gradients are one batched evaluation) and the Gibbs sweeps
//! of a Boltzmann machine ([`Gibbs`](crate::models::Gibbs)).
//! Samplers that run at any temperature ([`TemperedSampler`]: an RBM's block Gibbs sweeps) are
//! combined by [`ParallelTempering`] (replica exchange over a temperature [`Ladder`]).
//!
//! ```
//! use attractor::problems::{IsingModel, WeightedGraph, brute_force};
//! use attractor::samplers::{BruteForce, GreedyDescent, IsingSampler, OimSampler};
//! let g = WeightedGraph::random(12, 0.4, &[1.0], 3)?;
//! let exact = BruteForce::lowest(4).sample_max_cut(&g)?;
//! let oim = OimSampler::default().sample_max_cut(&g)?;
//! assert_eq!(oim.first().map(|s| s.cut), exact.first().map(|s| s.cut));
//! let greedy = GreedyDescent::new(50, 1)?.sample_ising(&IsingModel::max_cut(&g)?)?;
//! assert!(greedy.first().unwrap().energy >= exact.first().unwrap().energy);
//! # Ok::<(), attractor::Error>(())
//! ```

pub mod annealing;
pub mod batch_langevin;
pub mod bifurcation;
pub mod bifurcation_flow;
mod brute_force;
mod greedy;
pub mod langevin;
mod oim;
mod rounds;
mod sample_set;
pub mod tempering;
pub mod tts;

/// The Markov-chain sampler trait lives in the core ([`crate::markov`]) so that models can
/// implement it; it is re-exported here beside the samplers.
pub use crate::markov::{Chains, MarkovSampler, TemperedSampler, chain_rngs, for_each_chain};
pub use annealing::{AnnealingParams, AnnealingSampler, IsingMetropolis, default_beta_range};
pub use batch_langevin::BatchLangevinSampler;
pub use bifurcation::{Bifurcation, BifurcationParams, BifurcationSampler};
pub use brute_force::BruteForce;
pub use greedy::GreedyDescent;
pub use langevin::LangevinSampler;
pub use oim::{OimSampler, ProgressFn};
pub use sample_set::{Sample, SampleSet, SampleSetInfo, Vartype};
pub use tempering::{Ladder, ParallelTempering, TemperedChains};

use crate::error::Result;
use crate::problems::{IsingModel, Qubo, WeightedGraph};

/// A sampler of low-energy states of Ising problems.
///
/// Implementors provide [`sample_ising`](Self::sample_ising); QUBO and Max-Cut go through
/// their Ising forms once, here: [`sample_qubo`](Self::sample_qubo) returns
/// [`Vartype::Binary`] samples whose energies are the QUBO objective `f(x)` (offset included),
/// [`sample_max_cut`](Self::sample_max_cut) the states of `IsingModel::max_cut(graph)` with each
/// sample's cut `(W − H)/2`.
pub trait IsingSampler {
    /// Sample `H(s) = −½ sᵀJs − hᵀs + c`; energies recomputed in f64 from the samples.
    fn sample_ising(&self, model: &IsingModel) -> Result<SampleSet>;

    /// Sample a QUBO `f(x) = Σ_{i≤j} Q_ij x_i x_j + c` through its Ising form `x = (1 + s)/2`.
    fn sample_qubo(&self, qubo: &Qubo) -> Result<SampleSet> {
        self.sample_ising(&qubo.to_ising()?)?.into_qubo(qubo)
    }

    /// Sample the maximum cut of a weighted graph (`J = −w`): lowest energy = largest cut.
    fn sample_max_cut(&self, graph: &WeightedGraph) -> Result<SampleSet> {
        Ok(self
            .sample_ising(&IsingModel::max_cut(graph)?)?
            .with_cuts(graph))
    }
}
