//! Rounding a phase state to spins: the best rotation of the reference phase.
//!
//! A state of phases `θ ∈ [−π, π)ⁿ` (an oscillator Ising machine, a Kuramoto network, a rank-2
//! relaxation of Max-Cut) reads as spins `s_i = sgn cos(θ_i − θ_ref)` for any reference phase
//! `θ_ref`. Sweeping `θ_ref` over `[0, π)` flips each spin once, at `(θ_i + π/2) mod π`, so all
//! `n + 1` distinct partitions are scored in `O(n log n + nnz)` with incrementally updated local
//! fields: the rounding of CirCut (Burer, Monteiro & Zhang, *Rank-two relaxation heuristics for
//! MAX-CUT and other binary quadratic programs*, SIAM J. Optim. 12, 2002).

use super::IsingModel;
use crate::error::Result;
use std::f32::consts::PI;

/// Scratch of [`BestRotation::round`], sized once for `n` spins.
///
/// ```
/// use attractor::problems::{BestRotation, IsingModel};
/// // two antiferromagnetic spins at phases 0.1 and 3.0: anti-aligned whatever θ_ref
/// let m = IsingModel::from_couplings(2, vec![0.0; 2], &[(0, 1, -1.0)], 0.0)?;
/// let theta = [0.1f32, 3.0];
/// let mut s = [0i8; 2];
/// let e = BestRotation::new(2).round(&m, |i| (theta[i].cos(), theta[i].sin()), &mut s)?;
/// assert_eq!((e, s[0] * s[1]), (-1.0, -1));
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BestRotation {
    fields: Vec<f64>,
    order: Vec<(f32, u32)>,
}

impl BestRotation {
    /// Scratch for models of `n` spins (it grows if a larger model comes).
    pub fn new(n: usize) -> Self {
        Self {
            fields: vec![0.0; n],
            order: Vec::with_capacity(n),
        }
    }

    /// Round the phases given as `(cos θ_i, sin θ_i)` by `phase(i)`, `i < n`, at the reference
    /// phase `θ_ref ∈ [0, π)` that minimises `H`; leaves the best spins in `spins` (length `n`)
    /// and returns their energy, recomputed in f64. Ties keep the smallest `θ_ref`
    /// (deterministic).
    pub fn round(
        &mut self,
        model: &IsingModel,
        phase: impl Fn(usize) -> (f32, f32),
        spins: &mut [i8],
    ) -> Result<f64> {
        crate::error::check_len(
            "spins",
            spins.len(),
            model.n(),
            "give room for one spin per spin of the model",
        )?;
        Ok(self.round_unchecked(model, phase, spins))
    }

    /// [`round`](Self::round) without the length check (`spins.len() == model.n()`).
    pub(crate) fn round_unchecked(
        &mut self,
        model: &IsingModel,
        phase: impl Fn(usize) -> (f32, f32),
        spins: &mut [i8],
    ) -> f64 {
        let n = model.n();
        self.fields.resize(n, 0.0);
        let (fields, order) = (&mut self.fields, &mut self.order);
        order.clear();
        for i in 0..n {
            let (c, s) = phase(i);
            let th = s.atan2(c); // (−π, π]
            spins[i] = if c >= 0.0 { 1 } else { -1 };
            let a = (th + 0.5 * PI).rem_euclid(PI);
            order.push((a, i as u32));
        }
        order.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        model.local_fields_into_unchecked(spins, fields);
        let mut e = model.energy_unchecked(spins);
        let mut best = e;
        let mut best_k = 0usize;
        for (k, &(_, i)) in order.iter().enumerate() {
            e += model.flip(spins, fields, i as usize);
            // a reference phase lies between distinct angles only: inside a run of equal angles
            // the partial flips are no readout of the phases
            let boundary = order.get(k + 1).is_none_or(|nx| nx.0 != order[k].0);
            if boundary && e < best {
                best = e;
                best_k = k + 1;
            }
        }
        // after the full sweep every spin has flipped once: undo the flips after best_k
        for &(_, i) in &order[best_k..] {
            spins[i as usize] = -spins[i as usize];
        }
        model.energy_unchecked(spins)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::WeightedGraph;
    use rand::RngExt;

    /// The sweep finds the best of all reference phases, exactly: the partitions
    /// `sgn cos(θ_i − θ_ref)` change only where `θ_ref` crosses a flip point
    /// `(θ_i + π/2) mod π`, so evaluating one `θ_ref` strictly inside each of the (at most
    /// `n + 1`) arcs between consecutive flip points is a brute force over every reference
    /// phase; the sweep's energy equals that minimum (and is the energy of its spins).
    #[test]
    fn best_rotation_equals_brute_force_over_reference_phases() {
        let mut rng = crate::rng::stream(9, 0);
        for trial in 0..40 {
            let g = WeightedGraph::random(25, 0.3, &[1.0, -1.0, 2.0], trial).unwrap();
            let m = IsingModel::max_cut(&g).unwrap();
            let theta: Vec<f32> = (0..25).map(|_| rng.random_range(-PI..PI)).collect();
            let mut s = vec![0i8; 25];
            let e = BestRotation::new(25)
                .round(&m, |i| (theta[i].cos(), theta[i].sin()), &mut s)
                .unwrap();
            assert_eq!(e, m.energy(&s).unwrap());
            // flip points in [0, π), sorted; one probe inside every arc between them
            let mut flips: Vec<f64> = theta
                .iter()
                .map(|&t| (t as f64 + std::f64::consts::FRAC_PI_2).rem_euclid(std::f64::consts::PI))
                .collect();
            flips.sort_by(f64::total_cmp);
            let mut probes: Vec<f64> = flips.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
            probes.push(0.5 * (flips[flips.len() - 1] + flips[0] + std::f64::consts::PI));
            let mut brute = f64::INFINITY;
            for r in probes {
                let sr: Vec<i8> = theta
                    .iter()
                    .map(|&t| if (t as f64 - r).cos() >= 0.0 { 1 } else { -1 })
                    .collect();
                brute = brute.min(m.energy(&sr).unwrap());
            }
            assert!(
                (e - brute).abs() <= 1e-9,
                "trial {trial}: sweep {e}, brute force over reference phases {brute}"
            );
        }
        let m = IsingModel::from_couplings(2, vec![0.0; 2], &[(0, 1, 1.0)], 0.0).unwrap();
        let err = BestRotation::new(2)
            .round(&m, |_| (1.0, 0.0), &mut [0i8; 3])
            .unwrap_err()
            .to_string();
        assert!(err.contains("spins") && err.contains("length 3"), "{err}");
    }
}
