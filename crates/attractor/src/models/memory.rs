//! The common interface of associative memories: store patterns, recall from a (corrupted)
//! query by descending an energy, report the energy along the way.
//!
//! Implemented by the classical [`HopfieldMemory`](super::HopfieldMemory) (Hopfield 1982), the
//! [`DenseMemory`](super::DenseMemory) (Krotov & Hopfield 2016; Demircigil et al. 2017) and the
//! [`ModernHopfield`](super::ModernHopfield) memory (Ramsauer et al. 2020), so that the capacity
//! sweep ([`capacity_sweep`](crate::analysis::capacity_sweep)), the CLI and the demo treat every
//! model alike.
//!
//! Recall runs on the library's shared loop: every memory is a
//! [`DiscreteMap`] (one update = one sweep of every unit), iterated by
//! [`Run::iterate`] until a fixed point ([`Status::FixedPoint`](crate::run::Status)), a two-cycle
//! of synchronous updates ([`Status::TwoCycle`](crate::run::Status)) or the sweep limit
//! ([`Status::MaxSteps`](crate::run::Status)), with the energy after every sweep in the
//! solution's trace.

use crate::error::{Result, check_len};
use crate::problems::Patterns;
use crate::run::{Run, Solution};
use crate::step::DiscreteMap;

/// The check every memory makes before testing patterns: they must have its length.
pub(crate) fn check_pattern_len(patterns: &Patterns, dim: usize) -> Result<()> {
    check_len(
        "pattern length",
        patterns.dim(),
        dim,
        "test patterns of the memory's length",
    )
}

/// An associative memory: an energy over states of length [`dim`](Memory::dim) whose minima
/// sit at the stored patterns, and an update (a [`DiscreteMap`]) that never increases it.
pub trait Memory: Send + Sync {
    /// A short name for tables ("hebbian", "dense n=3", "modern β=1").
    fn name(&self) -> String;
    /// The pattern length `N`.
    fn dim(&self) -> usize;
    /// The number of stored patterns `K`.
    fn n_patterns(&self) -> usize;
    /// The energy `E(x)` (for the exponential dense memory, the overflow-free log form; see
    /// [`DenseMemory`](super::DenseMemory)).
    fn energy(&mut self, x: &[f64]) -> f64;
    /// One update of every unit (one sweep), from `x` into `out` (`x.len() == out.len() == N`).
    fn update_into(&mut self, x: &[f64], out: &mut [f64]);
    /// The update as a discrete map for the shared run loop.
    fn map(&mut self) -> &mut dyn DiscreteMap;
    /// The most sweeps a recall takes.
    fn max_sweeps(&self) -> usize;

    /// Iterate the update from `query` on the shared run loop until a fixed point, a two-cycle
    /// or the sweep limit; the solution holds the final state, the status, the number of
    /// sweeps (`n_steps`) and the energy of the initial state and after every sweep
    /// ([`Solution::energies`]). Errors when the query's length is not `N` or it is not finite.
    fn recall(&mut self, query: &[f64]) -> Result<Solution> {
        check_query(query, query, self.dim())?;
        Run::new(1.0)?
            .max_steps(self.max_sweeps())
            .iterate(self.map(), query)
    }

    /// [`recall`](Memory::recall), also writing the final state into `out`.
    fn recall_into(&mut self, query: &[f64], out: &mut [f64]) -> Result<Solution> {
        check_query(query, out, self.dim())?;
        let sol = self.recall(query)?;
        out.copy_from_slice(&sol.state);
        Ok(sol)
    }

    /// How many of `patterns` are recovered by one update started *at* them (for `±1`
    /// patterns: `sgn(update(ξ)) = ξ`; otherwise equal to 1e-6 relative). Models override
    /// this with a batched matrix-product version.
    fn count_stable(&mut self, patterns: &Patterns) -> Result<usize> {
        check_pattern_len(patterns, self.dim())?;
        let mut out = vec![0.0; self.dim()];
        let mut count = 0;
        for p in patterns.iter() {
            self.update_into(p, &mut out);
            if is_recovered(&out, p) {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// Whether a recalled state `x` recovers the target pattern: for a `±1` target, every sign
/// agrees (`sgn(0) = +1`); otherwise `max |x − ξ| ≤ 1e-6 (1 + max |ξ|)`.
pub fn is_recovered(x: &[f64], target: &[f64]) -> bool {
    if target.iter().all(|&t| t == 1.0 || t == -1.0) {
        x.iter()
            .zip(target)
            .all(|(&v, &t)| (if v >= 0.0 { 1.0 } else { -1.0 }) == t)
    } else {
        let scale = 1.0 + target.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        x.iter()
            .zip(target)
            .all(|(&v, &t)| (v - t).abs() <= 1e-6 * scale)
    }
}

/// Check a query's length and finiteness.
pub(crate) fn check_query(query: &[f64], out: &[f64], n: usize) -> Result<()> {
    check_len(
        "query",
        query.len(),
        n,
        "pass a query of the patterns' length N",
    )?;
    check_len("output", out.len(), n, "pass an output buffer of length N")?;
    crate::error::check_finite("query", query)
}
