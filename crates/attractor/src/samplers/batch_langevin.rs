//! The unadjusted Langevin algorithm for energies evaluated on batches: the chains advance in
//! fixed blocks of [`CHAIN_BLOCK`] columns, each block's gradients one batched evaluation
//! (matrix products for the score-matching energies), instead of one gradient per chain.

use super::langevin::{check_initial, check_settings, gaussian_initial_states, unstable_step};
use crate::energy::BatchEnergy;
use crate::error::{Error, Result};
use crate::linalg::ALL_THREADS;
use crate::markov::{CHAIN_BLOCK, MarkovSampler, for_chain_blocks};
use crate::rng::Rng;
use crate::schedule::Ramp;
use faer::{Mat, MatMut, Par};
use rand::RngExt;
use rand_distr::StandardNormal;

/// The unadjusted Langevin algorithm `x ← x − h∇E(x) + √(2T_k h) ζ` (Roberts & Tweedie 1996; see
/// [`LangevinSampler`](super::LangevinSampler) for its `O(h)` bias) on a [`BatchEnergy`]: the
/// chains are the columns of the state, advanced in fixed blocks of [`CHAIN_BLOCK`] whose
/// gradients are one batched call. Chain `j` draws its `d` normal increments per step, in
/// order, from `rngs[j]` only — the draws of `LangevinSampler` — so both samplers give the
/// same chains up to the rounding of the gradients, and the blocks depend only on the number of
/// chains, so samples are bit-identical on any number of threads. A step allocates nothing
/// (one energy clone and one gradient block per block of chains per call).
///
/// ```
/// use attractor::markov::MarkovSampler;
/// use attractor::models::score_energy::{Batched, GaussianEnergy};
/// use attractor::samplers::BatchLangevinSampler;
/// use attractor::schedule::Ramp;
/// use attractor::run::Budget;
/// // E = ½‖x‖² at T = 1: x ~ N(0, I) up to the O(h) bias 1/(1 − h/2)
/// let e = Batched::new(GaussianEnergy::standard(2)?);
/// let x = BatchLangevinSampler::new(e, 0.05, Ramp::constant(1.0))?
///     .sample(4000, 1, &Budget::steps(200))?
///     .states;
/// let var = x.row(1).iter().map(|v| v * v).sum::<f64>() / 4000.0;
/// assert!((var - 1.0 / (1.0 - 0.025)).abs() < 0.07);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BatchLangevinSampler<E> {
    energy: E,
    h: f64,
    temperature: Ramp,
    center: Vec<f64>,
    spread: f64,
    par: Par,
}

impl<E: BatchEnergy + Clone + Send + Sync> BatchLangevinSampler<E> {
    /// ULA on `energy` with step size `h > 0` and the temperature `T_k` of step `k` laid over
    /// steps. Chains start at `0 + 1·ζ` unless [`initial`](Self::initial) says otherwise.
    pub fn new(energy: E, h: f64, temperature: Ramp) -> Result<Self> {
        let d = energy.dim();
        check_settings(d, h, &temperature)?;
        Ok(Self {
            energy,
            h,
            temperature,
            center: vec![0.0; d],
            spread: 1.0,
            par: ALL_THREADS,
        })
    }

    /// Start each chain at `center + spread·ζ` (as [`LangevinSampler::initial`](super::LangevinSampler::initial)).
    pub fn initial(mut self, center: Vec<f64>, spread: f64) -> Result<Self> {
        check_initial(&center, spread, self.energy.dim())?;
        self.center = center;
        self.spread = spread;
        Ok(self)
    }

    /// Run the blocks of chains with `par` (`Par::Seq`: in the calling thread).
    pub fn par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// Steps `first_step, …, first_step + n_steps − 1` of the schedule for every chain (column
    /// of `states`), chain `j` drawing from `rngs[j]`. A chain that leaves the finite numbers
    /// is an error naming `h`, the chain and the step.
    pub fn advance_from(
        &self,
        mut states: MatMut<'_, f64>,
        rngs: &mut [Rng],
        first_step: usize,
        n_steps: usize,
    ) -> Result<()> {
        let d = self.energy.dim();
        crate::error::check_len(
            "states (rows)",
            states.nrows(),
            d,
            "pass one row per variable of the energy (chains are columns)",
        )?;
        crate::error::check_len(
            "rngs",
            rngs.len(),
            states.ncols(),
            "pass one generator per chain (column of states)",
        )?;
        for j in 0..states.ncols() {
            let col = states.as_ref().col(j);
            if let Some(i) = (0..d).find(|&i| !col[i].is_finite()) {
                return Err(Error::NonFinite {
                    what: format!("chain {j} (column {j} of states)"),
                    index: i,
                    value: col[i],
                });
            }
        }
        // per chain: the first step at which it left the finite numbers (NaN: never)
        let mut failed = vec![f64::NAN; states.ncols()];
        let (h, sq) = (self.h, self.h.sqrt());
        let run = |mut x: MatMut<'_, f64>, rngs: &mut [Rng], failed: &mut [f64]| {
            let mut energy = self.energy.clone();
            let mut g = Mat::zeros(d, x.ncols());
            for k in first_step..first_step + n_steps {
                let sigma = (2.0 * self.temperature.at(k as f64)).sqrt();
                energy.gradients_into(x.as_ref(), g.as_mut());
                for (j, rng) in rngs.iter_mut().enumerate() {
                    let mut col = x.as_mut().col_mut(j);
                    for i in 0..d {
                        let z: f64 = rng.sample(StandardNormal);
                        col[i] += h * (-g[(i, j)]) + sigma * sq * z;
                    }
                    if failed[j].is_nan() && !col.iter().all(|v| v.is_finite()) {
                        failed[j] = k as f64;
                    }
                }
                if failed.iter().all(|f| !f.is_nan()) {
                    break;
                }
            }
        };
        for_chain_blocks(states.as_mut(), rngs, &mut failed, self.par, &run);
        match failed.iter().position(|f| !f.is_nan()) {
            None => Ok(()),
            Some(j) => Err(unstable_step(self.h, j, failed[j] as usize)),
        }
    }
}

impl<E: BatchEnergy + Clone + Send + Sync> MarkovSampler for BatchLangevinSampler<E> {
    fn dim(&self) -> usize {
        self.energy.dim()
    }
    /// `center + spread·ζ` per chain.
    fn initial_states(&self, rngs: &mut [Rng]) -> Result<Mat<f64>> {
        gaussian_initial_states(&self.center, self.spread, rngs)
    }
    fn advance(&self, states: MatMut<'_, f64>, rngs: &mut [Rng], n_steps: usize) -> Result<()> {
        BatchLangevinSampler::advance_from(self, states, rngs, 0, n_steps)
    }
    fn advance_from(
        &self,
        states: MatMut<'_, f64>,
        rngs: &mut [Rng],
        first_step: usize,
        n_steps: usize,
    ) -> Result<()> {
        BatchLangevinSampler::advance_from(self, states, rngs, first_step, n_steps)
    }
}

const _: () = assert!(CHAIN_BLOCK > 0);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markov::chain_rngs;
    use crate::models::score_energy::{Batched, EnergyNetwork};
    use crate::samplers::LangevinSampler;

    #[test]
    fn follows_the_per_chain_sampler_and_ignores_threads() {
        let net = EnergyNetwork::random(3, 16, 2.0, 5).unwrap();
        let ramp = Ramp::geometric(2.0, 1.0, 30.0);
        let one = LangevinSampler::new(net.clone(), 0.01, ramp.clone()).unwrap();
        let batch = BatchLangevinSampler::new(Batched::new(net), 0.01, ramp).unwrap();
        let n = 70; // three blocks, the last partial
        let mut rngs = chain_rngs(9, n);
        let x0 = one.initial_states(&mut rngs).unwrap();
        type Advance<'a> = dyn Fn(MatMut<'_, f64>, &mut [Rng]) -> Result<()> + 'a;
        let run = |s: &Advance<'_>| {
            let mut x = x0.clone();
            let mut r = chain_rngs(9, n);
            let _ = one.initial_states(&mut r).unwrap();
            s(x.as_mut(), &mut r).unwrap();
            x
        };
        let a = run(&|x, r| one.advance_from(x, r, 0, 50));
        let b = run(&|x, r| batch.clone().par(Par::Seq).advance_from(x, r, 0, 50));
        let c = run(&|x, r| batch.clone().par(ALL_THREADS).advance_from(x, r, 0, 50));
        let mut worst = 0.0f64;
        for j in 0..n {
            for i in 0..3 {
                worst = worst.max((a[(i, j)] - b[(i, j)]).abs());
                assert_eq!(b[(i, j)].to_bits(), c[(i, j)].to_bits());
            }
        }
        assert!(worst < 1e-9, "{worst}");
    }

    #[test]
    fn an_unstable_step_is_named() {
        let g = crate::models::score_energy::GaussianEnergy::new(
            vec![0.0],
            Mat::from_fn(1, 1, |_, _| 100.0),
        )
        .unwrap();
        let s = BatchLangevinSampler::new(Batched::new(g), 0.5, Ramp::constant(1.0)).unwrap();
        let e = s
            .sample(4, 0, &crate::run::Budget::steps(2000))
            .unwrap_err()
            .to_string();
        assert!(e.contains("step size h") && e.contains("lower h"), "{e}");
    }
}
