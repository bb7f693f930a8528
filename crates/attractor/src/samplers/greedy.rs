//! Greedy single-flip descent from seeded random starts.

use super::sample_set::Reads;
use super::{IsingSampler, SampleSet, SampleSetInfo};
use crate::error::{Error, Result};
use crate::problems::IsingModel;
use crate::problems::ising::greedy_descent_unchecked;
use crate::rng::{stream, streams};
use rand::RngExt;
use std::time::Instant;

/// `num_reads` greedy descents ([`greedy_descent`](crate::problems::greedy_descent): sweep the spins and flip every spin whose
/// flip lowers `H`, until none does) from random states; read `r` starts from
/// [`rng::stream`](crate::rng::stream)`(seed, INIT + r)`. Every sample is a 1-flip local
/// minimum (`ΔH_i = 2 s_i f_i ≥ 0` for every `i`).
///
/// ```
/// use attractor::problems::{IsingModel, WeightedGraph};
/// use attractor::samplers::{GreedyDescent, IsingSampler};
/// let m = IsingModel::max_cut(&WeightedGraph::random(30, 0.2, &[1.0], 1)?)?;
/// let set = GreedyDescent::new(20, 7)?.sample_ising(&m)?;
/// assert_eq!(set.info.num_reads, 20);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GreedyDescent {
    num_reads: usize,
    seed: u64,
}

impl GreedyDescent {
    /// `num_reads ≥ 1` descents from seed `seed`.
    pub fn new(num_reads: usize, seed: u64) -> Result<Self> {
        if num_reads == 0 {
            return Err(Error::invalid("num_reads", 0, "take at least one read"));
        }
        Ok(Self { num_reads, seed })
    }
}

impl IsingSampler for GreedyDescent {
    fn sample_ising(&self, model: &IsingModel) -> Result<SampleSet> {
        let start = Instant::now();
        let n = model.n();
        let mut reads = Reads::new(n);
        let mut s = vec![0i8; n];
        let mut fields = vec![0.0; n];
        for r in 0..self.num_reads {
            let mut rng = stream(self.seed, streams::INIT + r as u64);
            for v in s.iter_mut() {
                *v = if rng.random::<bool>() { 1 } else { -1 };
            }
            greedy_descent_unchecked(model, &mut s, &mut fields);
            reads.push_counted(&s, 1, true);
        }
        Ok(reads.finish(
            model,
            SampleSetInfo::new("greedy descent", self.num_reads, start.elapsed()),
        ))
    }
}
