//! The exact sampler: every state, or the `k` lowest (dimod's `ExactSolver`).

use super::sample_set::Reads;
use super::{IsingSampler, SampleSet, SampleSetInfo};
use crate::error::{Error, Result};
use crate::problems::{BRUTE_FORCE_MAX_N, IsingModel};
use std::collections::BinaryHeap;
use std::time::Instant;

/// The largest `n` for which [`BruteForce::all`] returns every state (`2ⁿ` samples).
pub const ALL_STATES_MAX_N: usize = 20;

/// Enumerate all `2ⁿ` states in Gray-code order (one flip and an `O(deg)` field update per
/// state, as [`brute_force()`](crate::problems::brute_force())) and keep every state
/// (`n ≤ 20`) or the `k` lowest (`n ≤ 24`), energies recomputed exactly. The reference sampler of
/// the tests.
///
/// ```
/// use attractor::problems::{IsingModel, brute_force};
/// use attractor::samplers::{BruteForce, IsingSampler};
/// let m = IsingModel::from_couplings(3, vec![0.5, 0.0, 0.0], &[(0, 1, 1.0), (1, 2, -1.0)], 0.0)?;
/// let all = BruteForce::all().sample_ising(&m)?;
/// assert_eq!(all.len(), 8);
/// assert_eq!(all.first().unwrap().energy, brute_force(&m)?.energy);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BruteForce {
    keep: Option<usize>,
}

impl BruteForce {
    /// Every state (`n ≤ 20`).
    pub fn all() -> Self {
        Self { keep: None }
    }
    /// The `k` lowest states (`n ≤ 24`; `k ≥ 1`; among equal energies the states with the
    /// smaller bit codes, `bit i set ⇔ s_i = +1`, are kept).
    pub fn lowest(k: usize) -> Self {
        Self {
            keep: Some(k.max(1)),
        }
    }
}

impl IsingSampler for BruteForce {
    fn sample_ising(&self, model: &IsingModel) -> Result<SampleSet> {
        let start = Instant::now();
        let n = model.n();
        let max_n = if self.keep.is_some() {
            BRUTE_FORCE_MAX_N
        } else {
            ALL_STATES_MAX_N
        };
        if n == 0 || n > max_n {
            return Err(Error::invalid(
                "n",
                n,
                &format!(
                    "exhaustive sampling needs 1 ≤ n ≤ {max_n}{}; use GreedyDescent or OimSampler for larger problems",
                    if self.keep.is_none() {
                        format!(
                            " for every state (BruteForce::lowest(k) takes n ≤ {BRUTE_FORCE_MAX_N})"
                        )
                    } else {
                        String::new()
                    }
                ),
            ));
        }
        // Gray code: state k differs from k − 1 in bit trailing_zeros(k); bit i set ⇔ s_i = +1
        let mut s = vec![-1i8; n];
        let mut f = vec![0.0; n];
        model.local_fields_into_unchecked(&s, &mut f);
        let mut e = model.energy_unchecked(&s);
        let mut code = 0u32;
        let total = 1u64 << n;
        let mut kept: Vec<(f64, u32)> = Vec::new();
        let mut heap: BinaryHeap<(Key, u32)> = BinaryHeap::new();
        for k in 0..total {
            if k > 0 {
                let i = k.trailing_zeros() as usize;
                e += model.flip(&mut s, &mut f, i);
                code ^= 1 << i;
            }
            match self.keep {
                None => kept.push((e, code)),
                Some(m) => {
                    if heap.len() < m {
                        heap.push((Key(e), code));
                    } else if heap.peek().is_some_and(|top| e < top.0.0) {
                        heap.pop();
                        heap.push((Key(e), code));
                    }
                }
            }
        }
        if self.keep.is_some() {
            kept = heap.into_iter().map(|(k, c)| (k.0, c)).collect();
        }
        // enumeration order of the codes: the reads' order (deterministic first_read)
        kept.sort_by_key(|&(_, c)| gray_rank(c));
        let mut reads = Reads::new(n);
        let mut spins = vec![0i8; n];
        for &(_, c) in &kept {
            for (i, v) in spins.iter_mut().enumerate() {
                *v = if c >> i & 1 == 1 { 1 } else { -1 };
            }
            reads.push_counted(&spins, 1, false);
        }
        Ok(reads.finish(
            model,
            SampleSetInfo::new("brute force", kept.len(), start.elapsed()),
        ))
    }
}

/// The position of a Gray code in the enumeration (inverse Gray code).
fn gray_rank(mut g: u32) -> u32 {
    let mut b = g;
    while g > 0 {
        g >>= 1;
        b ^= g;
    }
    b
}

/// An energy ordered totally (for the heap of the `k` lowest).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64);
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}
