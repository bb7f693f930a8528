//! Parallel tempering (replica exchange; Swendsen & Wang, "Replica Monte Carlo simulation of
//! spin glasses", PRL 1986; Geyer, "Markov chain Monte Carlo maximum likelihood", 1991; for
//! RBMs Desjardins, Courville, Bengio, Vincent & Delalleau, "Tempered Markov chain Monte Carlo
//! for training of restricted Boltzmann machines", AISTATS 2010), over any
//! [`TemperedSampler`].
//!
//! Each chain carries `K` replicas `x_0, …, x_{K−1}` at temperatures
//! `1 = T_0 < T_1 < … < T_{K−1}` (a [`Ladder`], relative to the base sampler's temperature). Replica `k` is advanced by the sampler at
//! `T_k`, whose stationary law is `π_k(x) ∝ e^{−U_k(x)}` ([`TemperedSampler`]); the chain's
//! joint law is the product `Π_k π_k(x_k)`, whose first factor is the model itself. After
//! every `sweeps_per_swap` transitions, the states of neighbouring rungs `k, k+1` are
//! exchanged with the Metropolis probability
//!
//! `a = min(1, π_k(x_{k+1}) π_{k+1}(x_k) / (π_k(x_k) π_{k+1}(x_{k+1})))
//!    = min(1, exp(U_k(x_k) + U_{k+1}(x_{k+1}) − U_k(x_{k+1}) − U_{k+1}(x_k)))`,
//!
//! which leaves the product law invariant; for `U_k = E/T_k` it is the familiar
//! `min(1, exp((β_k − β_{k+1})(E(x_k) − E(x_{k+1}))))`. For an RBM the replicas are visible
//! states and `U_k = F_{β_k}` is the free energy of the tempered joint law
//! `e^{−β_k E(v,h)}` with `h` summed out, so replica `k` samples that marginal *exactly*
//! (not `e^{−F(v)/T_k}`). One round (one step of the [`Budget`]) is: `sweeps_per_swap`
//! transitions at every rung, then swap attempts on the pairs `(0,1), (2,3), …`, then on
//! `(1,2), (3,4), …` (each a product-law-preserving Metropolis move; disjoint pairs within a
//! phase). Every pair is attempted once per round in every chain, and its acceptance rate over
//! all chains and rounds is reported.
//!
//! Randomness: chain `j` draws everything from `rng::stream(seed, streams::DYNAMICS + j)`:
//! one sub-seed `s_j` for its replicas' generators `rng::stream(s_j, k)` (the generator stays
//! with the rung), then its swap decisions. Rungs are advanced by the sampler's own blocked,
//! thread-count-independent sweeps and energies, so the samples are bit-identical on any
//! number of threads.

use crate::error::{Error, Result};
use crate::markov::{TemperedSampler, run_in_chunks, try_chain_rngs};
use crate::rng::{Rng, stream};
use crate::run::{Budget, Status};
use faer::{Mat, MatRef};
use rand::RngExt;

/// A temperature ladder `1 = T_0 < T_1 < … < T_{K−1}`, finite (`K ≥ 1`; `K = 1` is plain
/// sampling at `T = 1`).
///
/// ```
/// use attractor::samplers::tempering::Ladder;
/// let l = Ladder::geometric(4, 8.0)?; // T_k = 8^{k/3}
/// assert_eq!(l.temperatures().len(), 4);
/// assert!((l.temperatures()[3] - 8.0).abs() < 1e-12);
/// assert!(Ladder::new(vec![1.0, 0.5]).is_err()); // not increasing
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ladder {
    temperatures: Vec<f64>,
}

impl Ladder {
    /// A user-given ladder: strictly increasing, finite, starting at exactly `T_0 = 1` (the
    /// rung whose samples are returned).
    pub fn new(temperatures: Vec<f64>) -> Result<Self> {
        let Some(&t0) = temperatures.first() else {
            return Err(Error::invalid(
                "temperatures",
                "[] (zero replicas)",
                "give at least one temperature, starting at 1, e.g. [1, 2, 4]",
            ));
        };
        if t0 != 1.0 {
            return Err(Error::invalid(
                "temperatures[0]",
                t0,
                "the ladder must start at T_0 = 1 (the model itself), e.g. [1, 2, 4]",
            ));
        }
        for (k, w) in temperatures.windows(2).enumerate() {
            if !(w[1].is_finite() && w[1] > w[0]) {
                return Err(Error::invalid(
                    &format!("temperatures[{}]", k + 1),
                    format!("{} after {}", w[1], w[0]),
                    "temperatures must be finite and strictly increasing, e.g. [1, 2, 4]",
                ));
            }
        }
        Ok(Self { temperatures })
    }

    /// The geometric ladder `T_k = t_max^{k/(K−1)}`, `k = 0, …, K−1` (`K = n_temperatures ≥ 1`;
    /// `t_max > 1` when `K ≥ 2`), equal ratios between neighbours, which keep swap rates
    /// roughly even when the heat capacity is flat (Kofke, J. Chem. Phys. 2002).
    pub fn geometric(n_temperatures: usize, t_max: f64) -> Result<Self> {
        if n_temperatures == 0 {
            return Err(Error::invalid(
                "n_temperatures",
                0,
                "use at least one temperature (1 = plain sampling; 4 to 16 is typical)",
            ));
        }
        if n_temperatures == 1 {
            return Self::new(vec![1.0]);
        }
        if !(t_max.is_finite() && t_max > 1.0) {
            return Err(Error::invalid(
                "max_temperature",
                t_max,
                "the hottest temperature must be finite and > 1 (e.g. 10)",
            ));
        }
        crate::linalg::check_dense_size("temperatures", n_temperatures, 1)?;
        let km = (n_temperatures - 1) as f64;
        let mut t: Vec<f64> = (0..n_temperatures)
            .map(|k| t_max.powf(k as f64 / km))
            .collect();
        t[0] = 1.0;
        t[n_temperatures - 1] = t_max;
        Self::new(t)
    }

    /// The temperatures, coldest (`1`) first.
    pub fn temperatures(&self) -> &[f64] {
        &self.temperatures
    }

    /// The number of rungs `K`.
    pub fn len(&self) -> usize {
        self.temperatures.len()
    }

    /// Always `false` (a ladder has at least one rung).
    pub fn is_empty(&self) -> bool {
        self.temperatures.is_empty()
    }
}

/// Parallel tempering over a [`TemperedSampler`]: see the [module](self) for the law each
/// replica samples and the swap rule.
///
/// ```
/// use attractor::models::rbm::Rbm;
/// use attractor::run::Budget;
/// use attractor::samplers::tempering::{Ladder, ParallelTempering};
/// let rbm = Rbm::random(6, 4, 2.0, 1)?;
/// let pt = ParallelTempering::new(&rbm.gibbs(), Ladder::geometric(4, 8.0)?)?;
/// let out = pt.sample(50, 7, &Budget::steps(20))?; // 50 chains, 20 rounds
/// assert_eq!((out.states().nrows(), out.states().ncols()), (6, 50));
/// assert_eq!(out.swap_rates.len(), 3);
/// assert!(out.swap_rates.iter().all(|r| (0.0..=1.0).contains(r)));
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ParallelTempering<S> {
    samplers: Vec<S>,
    ladder: Ladder,
    sweeps_per_swap: usize,
}

/// What [`ParallelTempering::sample`] returns.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TemperedChains {
    /// The replicas' final states, rung `k` (temperature `T_k`) at index `k`, each
    /// `dim × n_chains`; rung 0 (`T = 1`) holds the samples of the model ([`states`](Self::states)).
    pub replicas: Vec<Mat<f64>>,
    /// The temperatures of the rungs, `T_b·T_k` (the ladder times the base sampler's).
    pub temperatures: Vec<f64>,
    /// Rounds completed (each: `sweeps_per_swap` transitions at every rung, then swaps).
    pub n_steps: usize,
    /// Transitions taken by every replica: `n_steps · sweeps_per_swap`.
    pub n_sweeps: usize,
    /// Swap attempts between rungs `k` and `k+1` over all chains (`K − 1` entries).
    pub swap_attempts: Vec<u64>,
    /// Accepted swaps between rungs `k` and `k+1`.
    pub swap_accepts: Vec<u64>,
    /// `swap_accepts / swap_attempts` per pair, in `[0, 1]` (`NaN` for a pair never
    /// attempted, when the budget stopped the run before its first round).
    pub swap_rates: Vec<f64>,
    /// [`Status::MaxSteps`] when every round ran, [`Status::Interrupted`] or
    /// [`Status::Timeout`] when the budget stopped them (the states reached are kept).
    pub status: Status,
}

impl TemperedChains {
    /// The samples at `T = 1` (rung 0), one column per chain.
    pub fn states(&self) -> MatRef<'_, f64> {
        self.replicas[0].as_ref()
    }
}

/// The replicas of a set of tempered chains between rounds (see
/// [`ParallelTempering::start`]): the states of every rung, their generators (each stays with
/// its rung), the chains' swap generators and the swap counts so far.
#[derive(Debug, Clone)]
pub struct TemperedReplicas {
    states: Vec<Mat<f64>>,
    rngs: Vec<Vec<Rng>>,
    chain_rngs: Vec<Rng>,
    energies: [Vec<f64>; 4],
    swap_attempts: Vec<u64>,
    swap_accepts: Vec<u64>,
    n_rounds: usize,
}

impl TemperedReplicas {
    /// The states at rung `k` (`dim × n_chains`); rung 0 holds the samples of the model.
    pub fn rung(&self, k: usize) -> MatRef<'_, f64> {
        self.states[k].as_ref()
    }
    /// The number of chains.
    pub fn n_chains(&self) -> usize {
        self.chain_rngs.len()
    }
    /// Rounds run so far.
    pub fn n_rounds(&self) -> usize {
        self.n_rounds
    }
    /// Accepted swaps over attempts between rungs `k` and `k + 1`, so far (`NaN` before the
    /// first round).
    pub fn swap_rates(&self) -> Vec<f64> {
        self.swap_attempts
            .iter()
            .zip(&self.swap_accepts)
            .map(|(&t, &a)| {
                if t == 0 {
                    f64::NAN
                } else {
                    a as f64 / t as f64
                }
            })
            .collect()
    }
}

impl<S: TemperedSampler> ParallelTempering<S> {
    /// Parallel tempering with `base` (its model and parallelism) at the rungs of `ladder`,
    /// one transition between swap rounds. The ladder multiplies the base sampler's
    /// temperature `T_b`: rung `k` runs at `T_b·T_k`, so rung 0 samples exactly what `base`
    /// samples (an RBM's `gibbs()` runs at `T_b = 1`; a Boltzmann machine's Gibbs sampler at the
    /// machine's temperature).
    pub fn new(base: &S, ladder: Ladder) -> Result<Self> {
        let t_base = base.temperature();
        let samplers = ladder
            .temperatures()
            .iter()
            .map(|&t| base.at_temperature(t_base * t))
            .collect::<Result<Vec<S>>>()?;
        Ok(Self {
            samplers,
            ladder,
            sweeps_per_swap: 1,
        })
    }

    /// Transitions of every replica between two rounds of swaps (`≥ 1`; default 1).
    pub fn with_sweeps_per_swap(mut self, n: usize) -> Result<Self> {
        if n == 0 {
            return Err(Error::invalid(
                "sweeps_per_swap",
                0,
                "take at least one transition between swap rounds (1 is usual)",
            ));
        }
        self.sweeps_per_swap = n;
        Ok(self)
    }

    /// The ladder.
    pub fn ladder(&self) -> &Ladder {
        &self.ladder
    }

    /// `n_chains` chains whose replicas start from the sampler's
    /// [`initial_states`](crate::markov::MarkovSampler::initial_states) at their rung, run for
    /// the budget's rounds ([`Budget::max_steps`], required), time and interrupt checked
    /// between chunks of rounds.
    pub fn sample(&self, n_chains: usize, seed: u64, budget: &Budget) -> Result<TemperedChains> {
        self.run(n_chains, None, seed, budget)
    }

    /// As [`sample`](Self::sample), every replica of chain `j` starting from column `j` of
    /// `start` (`dim × n_chains`, finite).
    pub fn sample_from(
        &self,
        start: MatRef<'_, f64>,
        seed: u64,
        budget: &Budget,
    ) -> Result<TemperedChains> {
        self.run(start.ncols(), Some(start), seed, budget)
    }

    /// The replicas of `n_chains` chains, ready for [`rounds`](Self::rounds): every replica
    /// of chain `j` starts from column `j` of `start` when given, else from the sampler's
    /// [`initial_states`](crate::markov::MarkovSampler::initial_states) at its rung. This is
    /// the state a training rule keeps across parameter updates (persistent tempered chains):
    /// the samplers may change between calls to `rounds` (the model moves), the replicas and
    /// their generators stay.
    pub fn start(
        &self,
        n_chains: usize,
        start: Option<MatRef<'_, f64>>,
        seed: u64,
    ) -> Result<TemperedReplicas> {
        if n_chains == 0 {
            return Err(Error::invalid("n_chains", 0, "draw at least one chain"));
        }
        let k_rungs = self.samplers.len();
        let dim = self.samplers[0].dim();
        if let Some(s) = start {
            crate::error::check_len(
                "start (rows)",
                s.nrows(),
                dim,
                "pass one row per coordinate of a state (chains are columns)",
            )?;
            crate::error::check_len(
                "start (columns)",
                s.ncols(),
                n_chains,
                "pass one starting state per chain",
            )?;
            crate::linalg::check_matrix_finite("start", s)?;
        }
        // states and generators of every replica, the chains' generators, four energy rows
        let per_chain = k_rungs
            .saturating_mul(
                dim.saturating_mul(8)
                    .saturating_add(std::mem::size_of::<Rng>()),
            )
            .saturating_add(std::mem::size_of::<Rng>())
            .saturating_add(4 * 8);
        crate::memory::check(
            "parallel tempering (replicas x chains: states, generators, energies)",
            &[n_chains, per_chain],
            1,
            "use fewer chains (n_samples) or fewer temperatures",
        )?;
        let mut chain_rngs = try_chain_rngs(seed, n_chains)?;
        let sub_seeds: Vec<u64> = chain_rngs.iter_mut().map(|r| r.random::<u64>()).collect();
        let mut rngs: Vec<Vec<Rng>> = (0..k_rungs)
            .map(|k| sub_seeds.iter().map(|&s| stream(s, k as u64)).collect())
            .collect();
        let mut states: Vec<Mat<f64>> = Vec::with_capacity(k_rungs);
        for (sampler, r) in self.samplers.iter().zip(rngs.iter_mut()) {
            states.push(match start {
                Some(s) => s.to_owned(),
                None => sampler.initial_states(r)?,
            });
        }
        Ok(TemperedReplicas {
            states,
            rngs,
            chain_rngs,
            energies: std::array::from_fn(|_| vec![0.0; n_chains]),
            swap_attempts: vec![0; k_rungs.saturating_sub(1)],
            swap_accepts: vec![0; k_rungs.saturating_sub(1)],
            n_rounds: 0,
        })
    }

    /// `n` rounds on `replicas` (each: `sweeps_per_swap` transitions at every rung, then the
    /// swap attempts of both parities), counting the swaps. The ladder must have as many rungs
    /// as the replicas ([`start`](Self::start) made them with this ladder).
    pub fn rounds(&self, replicas: &mut TemperedReplicas, n: usize) -> Result<()> {
        crate::error::check_len(
            "tempered replicas (rungs)",
            replicas.states.len(),
            self.samplers.len(),
            "advance the replicas with the ladder they were started with",
        )?;
        let k_rungs = self.samplers.len();
        for _ in 0..n {
            for ((sampler, x), r) in self
                .samplers
                .iter()
                .zip(&mut replicas.states)
                .zip(&mut replicas.rngs)
            {
                sampler.advance(x.as_mut(), r, self.sweeps_per_swap)?;
            }
            for parity in 0..2 {
                for k in (parity..k_rungs.saturating_sub(1)).step_by(2) {
                    let acc = self.swap_pair(
                        k,
                        &mut replicas.states,
                        &mut replicas.chain_rngs,
                        &mut replicas.energies,
                    )?;
                    replicas.swap_attempts[k] += replicas.chain_rngs.len() as u64;
                    replicas.swap_accepts[k] += acc;
                }
            }
            replicas.n_rounds += 1;
        }
        Ok(())
    }

    fn run(
        &self,
        n_chains: usize,
        start: Option<MatRef<'_, f64>>,
        seed: u64,
        budget: &Budget,
    ) -> Result<TemperedChains> {
        let n_rounds =
            budget.required_steps("rounds (transitions at every rung, then swaps)", 100)?;
        let mut replicas = self.start(n_chains, start, seed)?;
        let (done, status) = run_in_chunks(budget, n_rounds, |_, n| self.rounds(&mut replicas, n))?;
        let swap_rates = replicas.swap_rates();
        Ok(TemperedChains {
            replicas: replicas.states,
            temperatures: self.samplers.iter().map(|s| s.temperature()).collect(),
            n_steps: done,
            n_sweeps: done.saturating_mul(self.sweeps_per_swap),
            swap_attempts: replicas.swap_attempts,
            swap_accepts: replicas.swap_accepts,
            swap_rates,
            status,
        })
    }

    /// One swap attempt between rungs `k` and `k + 1` in every chain; returns the number
    /// accepted. Chain `j` draws its uniform from `chain_rngs[j]`.
    fn swap_pair(
        &self,
        k: usize,
        states: &mut [Mat<f64>],
        chain_rngs: &mut [Rng],
        energies: &mut [Vec<f64>; 4],
    ) -> Result<u64> {
        let (lo, hi) = states.split_at_mut(k + 1);
        let (x_lo, x_hi) = (&mut lo[k], &mut hi[0]);
        let (cold, hot) = (&self.samplers[k], &self.samplers[k + 1]);
        let [e_ll, e_hl, e_lh, e_hh] = energies;
        cold.tempered_energies_into(x_lo.as_ref(), e_ll)?; // U_k(x_k)
        hot.tempered_energies_into(x_lo.as_ref(), e_hl)?; // U_{k+1}(x_k)
        cold.tempered_energies_into(x_hi.as_ref(), e_lh)?; // U_k(x_{k+1})
        hot.tempered_energies_into(x_hi.as_ref(), e_hh)?; // U_{k+1}(x_{k+1})
        let mut accepted = 0u64;
        for (j, rng) in chain_rngs.iter_mut().enumerate() {
            let log_a = e_ll[j] + e_hh[j] - e_lh[j] - e_hl[j];
            let u: f64 = rng.random();
            // u < 1 ≤ e^{log a} when log a ≥ 0; a NaN energy never swaps
            if u < log_a.exp() {
                x_lo.col_as_slice_mut(j)
                    .swap_with_slice(x_hi.col_as_slice_mut(j));
                accepted += 1;
            }
        }
        Ok(accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markov::{MarkovSampler, chain_rngs};
    use crate::models::rbm::{Rbm, VisibleUnits};
    use faer::Par;

    const NV: usize = 8;

    /// A bimodal RBM: one hidden unit with `W_i1 = w`, `a_i = −w/2`, `b = −w·n/2`. The map
    /// `(v, h) → (1 − v, 1 − h)` leaves `E` unchanged, so the visible law puts equal mass near
    /// `v = 0` and `v = 1`; leaving a mode needs half the units flipped against a field `w/2`.
    fn bimodal(w: f64) -> Rbm {
        let weights = Mat::from_fn(NV, 1, |_, _| w);
        Rbm::new(
            weights,
            vec![-w / 2.0; NV],
            vec![-w * NV as f64 / 2.0],
            VisibleUnits::Bernoulli,
        )
        .unwrap()
    }

    /// `p(v)` of every binary visible state, indexed by `Σ_i v_i 2^i`.
    fn exact_law(rbm: &Rbm) -> Vec<f64> {
        let log_z = rbm.log_z_exact(Par::Seq).unwrap();
        (0..1usize << NV)
            .map(|s| {
                let v: Vec<f64> = (0..NV).map(|i| ((s >> i) & 1) as f64).collect();
                (-rbm.free_energy(&v).unwrap() - log_z).exp()
            })
            .collect()
    }

    /// Total variation between the empirical law of the columns of `states` and `p`.
    fn tv(states: MatRef<'_, f64>, p: &[f64]) -> f64 {
        let mut counts = vec![0.0; p.len()];
        for j in 0..states.ncols() {
            let s: usize = (0..NV)
                .map(|i| usize::from(states[(i, j)] > 0.0) << i)
                .sum();
            counts[s] += 1.0;
        }
        let n = states.ncols() as f64;
        0.5 * counts
            .iter()
            .zip(p)
            .map(|(c, q)| (c / n - q).abs())
            .sum::<f64>()
    }

    #[test]
    fn tempering_reaches_the_exact_law_where_gibbs_stays_in_one_mode() {
        let rbm = bimodal(6.0);
        let p = exact_law(&rbm);
        let ones: f64 = p[(1 << NV) - 1];
        assert!(
            (p[0] - ones).abs() < 1e-12 && ones > 0.2,
            "two equal modes: {ones}"
        );
        let (n_chains, n_rounds) = (4000, 300);
        let start = Mat::from_fn(NV, n_chains, |_, _| 1.0); // every chain in the mode v = 1
        let gibbs = rbm.gibbs();
        let pt = ParallelTempering::new(&gibbs, Ladder::geometric(6, 10.0).unwrap()).unwrap();
        let out = pt
            .sample_from(start.as_ref(), 11, &Budget::steps(n_rounds))
            .unwrap();
        assert_eq!(
            (out.n_steps, out.n_sweeps, out.status.clone()),
            (n_rounds, n_rounds, Status::MaxSteps)
        );
        let tv_pt = tv(out.states(), &p);
        // plain Gibbs: the same start, the same number of sweeps at T = 1
        let mut v = start.clone();
        let mut rngs = chain_rngs(11, n_chains);
        gibbs.advance(v.as_mut(), &mut rngs, n_rounds).unwrap();
        let tv_gibbs = tv(v.as_ref(), &p);
        eprintln!(
            "TV to the exact law after {n_rounds} sweeps, {n_chains} chains: tempering {tv_pt:.4}, \
             Gibbs {tv_gibbs:.4}; swap rates {:?}",
            out.swap_rates
        );
        // the noise floor: the same number of independent exact draws
        let mut r = stream(99, 0);
        let cdf: Vec<f64> = p
            .iter()
            .scan(0.0, |c, q| {
                *c += q;
                Some(*c)
            })
            .collect();
        let iid = Mat::from_fn(NV, n_chains, |_, _| 0.0);
        let mut iid = iid;
        for j in 0..n_chains {
            let u: f64 = r.random();
            let s = cdf.iter().position(|&c| u < c).unwrap_or(p.len() - 1);
            for i in 0..NV {
                iid[(i, j)] = ((s >> i) & 1) as f64;
            }
        }
        let tv_iid = tv(iid.as_ref(), &p);
        eprintln!("TV of {n_chains} independent exact draws: {tv_iid:.4}");
        assert!(tv_iid < 0.05, "noise floor {tv_iid}");
        assert!(tv_pt < 0.06, "tempering TV {tv_pt}");
        assert!(tv_gibbs > 0.4, "Gibbs TV {tv_gibbs}");
        assert_eq!(out.swap_rates.len(), 5);
        for (k, r) in out.swap_rates.iter().enumerate() {
            assert!((0.0..=1.0).contains(r), "rate {k}: {r}");
            assert_eq!(out.swap_attempts[k], (n_chains * n_rounds) as u64);
            assert!(out.swap_accepts[k] <= out.swap_attempts[k]);
        }
    }

    #[test]
    fn same_seed_same_samples_on_one_and_two_threads() {
        let rbm = Rbm::random(7, 5, 1.5, 3).unwrap();
        let ladder = Ladder::geometric(4, 6.0).unwrap();
        let run = |par| {
            let g = rbm.gibbs().with_par(par);
            ParallelTempering::new(&g, ladder.clone())
                .unwrap()
                .with_sweeps_per_swap(2)
                .unwrap()
                .sample(70, 5, &Budget::steps(30))
                .unwrap()
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let one = run(Par::Seq);
        let two = pool.install(|| run(Par::rayon(2)));
        assert_eq!(one.swap_accepts, two.swap_accepts);
        for (a, b) in one.replicas.iter().zip(&two.replicas) {
            assert!(
                a.as_ref() == b.as_ref(),
                "replicas differ across thread counts"
            );
        }
        assert!(
            one.swap_accepts.iter().any(|&a| a > 0),
            "some swaps accepted"
        );
        assert_eq!(one.n_sweeps, 60);
        // another seed, other samples
        let other = ParallelTempering::new(&rbm.gibbs(), ladder)
            .unwrap()
            .sample(70, 6, &Budget::steps(30))
            .unwrap();
        assert!(other.states() != one.states());
    }

    #[test]
    fn swaps_follow_the_tempered_free_energy() {
        // one chain, two rungs: the accept probability of a single swap equals
        // min(1, exp(F_1(x0) + F_β(x1) − F_1(x1) − F_β(x0))) with F_β the tempered free energy
        let rbm = Rbm::random(5, 3, 2.0, 9).unwrap();
        let g = rbm.gibbs();
        let hot = g.at_temperature(3.0).unwrap();
        let x = Mat::from_fn(5, 2, |i, j| ((i + j) % 2) as f64);
        let mut f = [0.0; 2];
        hot.tempered_energies_into(x.as_ref(), &mut f).unwrap();
        for j in 0..2 {
            // brute force: −log Σ_h e^{−E(v,h)/T}
            let v: Vec<f64> = (0..5).map(|i| x[(i, j)]).collect();
            let z: f64 = (0..8usize)
                .map(|s| {
                    let h: Vec<f64> = (0..3).map(|i| ((s >> i) & 1) as f64).collect();
                    (-rbm.energy(&v, &h).unwrap() / 3.0).exp()
                })
                .sum();
            assert!((f[j] + z.ln()).abs() < 1e-12, "{} vs {}", f[j], -z.ln());
            // and it is not F/T
            assert!((f[j] - rbm.free_energy(&v).unwrap() / 3.0).abs() > 1e-3);
        }
    }

    #[test]
    fn bad_ladders_and_chains_are_refused() {
        let msg = |r: Result<Ladder>| r.unwrap_err().to_string();
        let e = msg(Ladder::new(vec![1.0, 3.0, 2.0]));
        assert!(
            e.contains("temperatures[2]") && e.contains("strictly increasing"),
            "{e}"
        );
        let e = msg(Ladder::new(vec![1.0, 1.0]));
        assert!(e.contains("strictly increasing"), "{e}");
        let e = msg(Ladder::new(vec![2.0, 4.0]));
        assert!(
            e.contains("temperatures[0]") && e.contains("start at T_0 = 1"),
            "{e}"
        );
        let e = msg(Ladder::new(vec![1.0, f64::INFINITY]));
        assert!(e.contains("finite"), "{e}");
        let e = msg(Ladder::new(vec![]));
        assert!(e.contains("zero replicas"), "{e}");
        let e = msg(Ladder::geometric(0, 10.0));
        assert!(e.contains("n_temperatures"), "{e}");
        let e = msg(Ladder::geometric(3, 1.0));
        assert!(e.contains("max_temperature") && e.contains("> 1"), "{e}");
        assert_eq!(Ladder::geometric(1, 1.0).unwrap().temperatures(), &[1.0]);
        let rbm = Rbm::random(4, 2, 1.0, 1).unwrap();
        let pt = ParallelTempering::new(&rbm.gibbs(), Ladder::geometric(3, 4.0).unwrap()).unwrap();
        let e = pt.sample(0, 1, &Budget::steps(5)).unwrap_err().to_string();
        assert!(e.contains("n_chains"), "{e}");
        let e = pt.sample(3, 1, &Budget::new()).unwrap_err().to_string();
        assert!(e.contains("rounds"), "{e}");
        let e = pt
            .sample_from(Mat::zeros(3, 2).as_ref(), 1, &Budget::steps(5))
            .unwrap_err()
            .to_string();
        assert!(e.contains("start"), "{e}");
        let e = ParallelTempering::new(&rbm.gibbs(), Ladder::geometric(2, 4.0).unwrap())
            .unwrap()
            .with_sweeps_per_swap(0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("sweeps_per_swap"), "{e}");
    }

    #[test]
    fn tempering_samples_a_bimodal_boltzmann_machine_exactly() {
        use crate::models::boltzmann::{BoltzmannMachine, Scan, Units};
        // a ferromagnet of 8 spins, W_ij = 0.6: modes s = ±1, barrier ΔE = ½·0.6·64 = 19.2
        let w = Mat::from_fn(NV, NV, |i, j| if i == j { 0.0 } else { 0.6 });
        let m = BoltzmannMachine::new(w, vec![0.0; NV], Units::Spin, 1.0).unwrap();
        let states: Vec<f64> = (0..1usize << NV)
            .map(|s| {
                let x: Vec<f64> = (0..NV)
                    .map(|i| if (s >> i) & 1 == 1 { 1.0 } else { -1.0 })
                    .collect();
                -m.energy_of(&x).unwrap()
            })
            .collect();
        let lz = states.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = states.iter().map(|l| (l - lz).exp()).sum();
        let p: Vec<f64> = states.iter().map(|l| (l - lz).exp() / z).collect();
        let (n_chains, n_rounds) = (4000, 300);
        let start = Mat::from_fn(NV, n_chains, |_, _| 1.0);
        let g = m.gibbs(Scan::Sequential).par(Par::Seq);
        let pt = ParallelTempering::new(&g, Ladder::geometric(6, 10.0).unwrap()).unwrap();
        let out = pt
            .sample_from(start.as_ref(), 3, &Budget::steps(n_rounds))
            .unwrap();
        let tv_pt = tv(out.states(), &p);
        let mut v = start.clone();
        g.advance(v.as_mut(), &mut chain_rngs(3, n_chains), n_rounds)
            .unwrap();
        let tv_gibbs = tv(v.as_ref(), &p);
        eprintln!(
            "Boltzmann machine: TV tempering {tv_pt:.4}, Gibbs {tv_gibbs:.4}; swap rates {:?}",
            out.swap_rates
        );
        assert!(tv_pt < 0.06, "tempering TV {tv_pt}");
        assert!(tv_gibbs > 0.4, "Gibbs TV {tv_gibbs}");
        assert!((out.temperatures[5] - 10.0).abs() < 1e-12);
        // a machine at T = 2: the ladder is relative, rung 0 at the machine's temperature
        let m2 = BoltzmannMachine::new(Mat::zeros(3, 3), vec![0.0; 3], Units::Spin, 2.0).unwrap();
        let pt2 = ParallelTempering::new(
            &m2.gibbs(Scan::Sequential),
            Ladder::new(vec![1.0, 3.0]).unwrap(),
        )
        .unwrap();
        let o2 = pt2.sample(3, 1, &Budget::steps(2)).unwrap();
        assert_eq!(o2.temperatures, vec![2.0, 6.0]);
    }

    #[test]
    fn an_interrupt_keeps_the_states_reached() {
        use std::sync::Arc;
        use std::sync::atomic::AtomicBool;
        let rbm = Rbm::random(4, 2, 1.0, 1).unwrap();
        let pt = ParallelTempering::new(&rbm.gibbs(), Ladder::geometric(3, 4.0).unwrap()).unwrap();
        let flag = Arc::new(AtomicBool::new(true));
        let out = pt
            .sample(5, 1, &Budget::steps(1_000_000).interrupt(flag))
            .unwrap();
        assert_eq!((out.status.clone(), out.n_steps), (Status::Interrupted, 0));
        assert_eq!(out.states().ncols(), 5);
        assert!(out.swap_rates.iter().all(|r| r.is_nan()));
    }
}
