//! Exact ground states by enumeration (ground truth for tests), `n ≤ 24`.
//!
//! Visits all `2ⁿ` states in Gray-code order, so consecutive states differ by one spin and the
//! energy changes by `ΔH = 2 s_i f_i` with the local field `f_i = Σ_j J_ij s_j + h_i` kept up to
//! date in `O(deg i)` (the ExactSolver of dimod does the same job densely).

use super::ising::IsingModel;
use crate::error::{Error, Result};

/// The largest `n` the exact solver accepts.
pub const BRUTE_FORCE_MAX_N: usize = 24;

/// An exact ground state.
#[derive(Debug, Clone, PartialEq)]
pub struct GroundState {
    /// The minimum energy `min_s H(s)`.
    pub energy: f64,
    /// One minimiser.
    pub spins: Vec<i8>,
    /// Number of states within `1e-9·(1 + |E|)` of the minimum (both members of each `±s` pair
    /// are counted when the model has no fields).
    pub degeneracy: u64,
}

/// Enumerate every state of `model` (`n ≤ 24`) and return the ground state.
///
/// ```
/// use attractor::problems::{IsingModel, WeightedGraph, brute_force};
/// // a 4-cycle is bipartite: the maximum cut takes all 4 edges
/// let g = WeightedGraph::new(4, vec![(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 0, 1.0)])?;
/// let m = IsingModel::max_cut(&g)?;
/// let gs = brute_force(&m)?;
/// assert_eq!(g.cut(&gs.spins)?, 4.0);
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn brute_force(model: &IsingModel) -> Result<GroundState> {
    let n = model.n();
    if n == 0 || n > BRUTE_FORCE_MAX_N {
        return Err(Error::invalid(
            "n",
            n,
            &format!(
                "exhaustive search needs 1 ≤ n ≤ {BRUTE_FORCE_MAX_N}; use the oscillator Ising machine for larger problems"
            ),
        ));
    }
    let mut s = vec![-1i8; n];
    let mut f = vec![0.0; n];
    model.local_fields_into_unchecked(&s, &mut f);
    let mut e = model.energy_unchecked(&s);
    let mut best = e;
    let mut best_s = s.clone();
    let tol = |e: f64| 1e-9 * (1.0 + e.abs());
    let mut degeneracy = 1u64;
    for k in 1u64..(1u64 << n) {
        let i = k.trailing_zeros() as usize;
        e += model.flip(&mut s, &mut f, i);
        if e < best - tol(best) {
            best = e;
            best_s.copy_from_slice(&s);
            degeneracy = 1;
        } else if (e - best).abs() <= tol(best) {
            degeneracy += 1;
        }
    }
    // remove accumulated rounding: recompute exactly from the returned spins
    let energy = model.energy_unchecked(&best_s);
    Ok(GroundState {
        energy,
        spins: best_s,
        degeneracy,
    })
}
