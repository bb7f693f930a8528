//! Gibbs sweeps of a Boltzmann machine, many chains at once.

use super::machine::{BoltzmannMachine, Units};
use crate::error::{Error, Result};
use crate::linalg::ALL_THREADS;
use crate::markov::{MarkovSampler, TemperedSampler, for_each_chain};
use crate::rng::Rng;
use faer::{Mat, MatMut, Par};
use rand::RngExt;
use std::sync::Arc;

/// The order in which a sweep visits the units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scan {
    /// Units `0, 1, …, n−1` in every sweep (systematic scan).
    #[default]
    Sequential,
    /// A fresh uniformly random permutation of the units in every sweep, drawn from the
    /// chain's own generator (random-permutation scan).
    RandomPermutation,
    /// Block Gibbs for bipartite couplings (no `W_ij ≠ 0` within either part, as in an RBM,
    /// Smolensky 1986): every unit of the first part redrawn from its conditional given the
    /// second, then every unit of the second given the first
    /// ([`BoltzmannMachine::bipartition`] finds the parts). The units of one part are
    /// conditionally independent given the other, so drawing them one after another in part
    /// order *is* the block update. Sampling a machine whose couplings are not bipartite with
    /// this scan is an error naming two coupled units of the same part.
    Block,
}

/// Sequential Gibbs sampling of a [`BoltzmannMachine`] at its temperature `T`, as a
/// [`MarkovSampler`]: one transition is one sweep that redraws every unit once from its
/// conditional law given the current values of the others,
///
/// - binary units: `P(s_i = 1 | s_−i) = σ(h_i/T)`,
/// - spins: `P(s_i = +1 | s_−i) = σ(2h_i/T)`,
///
/// with `h_i = Σ_j W_ij s_j + b_i` and `σ(u) = 1/(1 + e^{−u})` (Ackley, Hinton & Sejnowski 1985;
/// Geman & Geman 1984). Each single-unit update satisfies detailed balance with respect to
/// `P(s) ∝ e^{−E(s)/T}`, so any scan order leaves `P` invariant, and the chain is irreducible
/// and aperiodic at finite `T`, so it converges to `P`.
///
/// Chains are the columns of the state matrix; chain `j` draws its uniforms (and, for
/// [`Scan::RandomPermutation`], its orders) only from `rngs[j]`, and chains run in parallel
/// with [`par`](Self::par) (default: every thread of rayon's global pool), so samples are
/// bit-identical on any number of threads. A sweep costs `O(n²)` and allocates nothing.
#[derive(Debug, Clone)]
pub struct Gibbs<'a> {
    machine: &'a BoltzmannMachine,
    scan: Scan,
    par: Par,
    /// The temperature the sweeps run at (the machine's unless changed).
    temperature: f64,
    /// For [`Scan::Block`]: the units, first part then second, or the two coupled units of
    /// one part that make the couplings not bipartite.
    blocks: Option<Blocks>,
}

/// The units in block order, or the coupled pair of one part that makes the couplings not
/// bipartite.
type Blocks = std::result::Result<Arc<[usize]>, (usize, usize)>;

impl BoltzmannMachine {
    /// Gibbs sweeps of this machine in the given scan order ([`Scan::Block`] finds the two
    /// parts of the coupling graph here, in `O(n²)`).
    pub fn gibbs(&self, scan: Scan) -> Gibbs<'_> {
        let blocks = (scan == Scan::Block).then(|| {
            self.bipartition().map(|part| {
                let first = (0..self.n()).filter(|&i| !part[i]);
                let second = (0..self.n()).filter(|&i| part[i]);
                first.chain(second).collect::<Vec<_>>().into()
            })
        });
        Gibbs {
            machine: self,
            scan,
            par: ALL_THREADS,
            temperature: self.temperature(),
            blocks,
        }
    }
}

impl<'a> Gibbs<'a> {
    /// Run the chains with `par` (`Par::Seq`: in the calling thread).
    pub fn par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }
    /// Sweep at temperature `t` (finite, `> 0`) instead of the machine's: the chains then
    /// sample `P_t(s) ∝ e^{−E(s)/t}`.
    pub fn with_temperature(mut self, t: f64) -> Result<Self> {
        super::machine::check_temperature(t)?;
        self.temperature = t;
        Ok(self)
    }
    /// The temperature the sweeps run at.
    pub fn temperature(&self) -> f64 {
        self.temperature
    }
    /// The machine sampled.
    pub fn machine(&self) -> &'a BoltzmannMachine {
        self.machine
    }
    /// The scan order.
    pub fn scan(&self) -> Scan {
        self.scan
    }

    /// One sweep of one chain (`s` a valid state, `order` of length `n`).
    fn sweep(&self, s: &mut [f64], rng: &mut Rng, order: &mut [usize]) {
        let m = self.machine;
        let n = m.n();
        if self.scan == Scan::RandomPermutation {
            // Fisher–Yates from the identity: each sweep's order depends on the chain's
            // generator alone, so a run in pieces (chunks of sweeps) equals one run
            for (i, o) in order.iter_mut().enumerate() {
                *o = i;
            }
            for i in (1..n).rev() {
                let k = rng.random_range(0..=i);
                order.swap(i, k);
            }
        }
        let beta = 1.0 / self.temperature;
        let (gain, low) = match m.units() {
            Units::Binary => (beta, 0.0),
            Units::Spin => (2.0 * beta, -1.0),
        };
        let blocks: &[usize] = match &self.blocks {
            Some(Ok(b)) => b,
            _ => &[],
        };
        for idx in 0..n {
            let i = match self.scan {
                Scan::Sequential => idx,
                Scan::RandomPermutation => order[idx],
                Scan::Block => blocks[idx],
            };
            let p_on = sigmoid(gain * m.field(i, s));
            let u: f64 = rng.random();
            s[i] = if u < p_on { 1.0 } else { low };
        }
    }
}

#[inline]
fn sigmoid(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

impl MarkovSampler for Gibbs<'_> {
    fn dim(&self) -> usize {
        self.machine.n()
    }

    /// Every unit on or off with probability ½, independently, from the chain's generator.
    fn initial_states(&self, rngs: &mut [Rng]) -> Result<Mat<f64>> {
        let n = self.machine.n();
        crate::linalg::check_dense_size("Gibbs chains", n, rngs.len())?;
        let low = self.machine.units().low();
        let mut x = Mat::zeros(n, rngs.len());
        for (j, rng) in rngs.iter_mut().enumerate() {
            for i in 0..n {
                x[(i, j)] = if rng.random::<bool>() { 1.0 } else { low };
            }
        }
        Ok(x)
    }

    /// `n_steps` sweeps of every chain. Each column must be a state of the machine (entries
    /// 0/1 or ±1); the error names the chain and the entry otherwise.
    fn advance(&self, states: MatMut<'_, f64>, rngs: &mut [Rng], n_steps: usize) -> Result<()> {
        let n = self.machine.n();
        if let Some(Err((i, j))) = &self.blocks {
            return Err(Error::invalid(
                "scan",
                "Block",
                &format!(
                    "block Gibbs needs bipartite couplings, but units {i} and {j} are coupled (W[{i}][{j}] = {}) and an odd cycle puts them in the same part; use Scan::Sequential or Scan::RandomPermutation",
                    crate::format_number(self.machine.weights()[(*i, *j)])
                ),
            ));
        }
        for_each_chain(states, n, rngs, self.par, |j, s, rng| {
            self.machine
                .check_state(&format!("chain {j} (column {j} of states)"), s)?;
            let mut order: Vec<usize> = (0..n).collect();
            for _ in 0..n_steps {
                self.sweep(s, rng, &mut order);
            }
            Ok(())
        })
    }
}

/// At temperature `T` the sweeps leave `P_T(s) ∝ e^{−E(s)/T}` invariant: `U_T(s) = E(s)/T`,
/// and parallel tempering's swap rule is `min(1, exp((β_k − β_{k+1})(E(s_k) − E(s_{k+1}))))`
/// ([`crate::samplers::tempering`]).
impl TemperedSampler for Gibbs<'_> {
    fn at_temperature(&self, t: f64) -> Result<Self> {
        self.clone().with_temperature(t)
    }

    fn temperature(&self) -> f64 {
        self.temperature
    }

    fn tempered_energies_into(&self, states: faer::MatRef<'_, f64>, out: &mut [f64]) -> Result<()> {
        crate::error::check_len(
            "states (rows)",
            states.nrows(),
            self.machine.n(),
            "pass one row per unit (chains are columns)",
        )?;
        crate::error::check_len(
            "energies (out)",
            out.len(),
            states.ncols(),
            "pass one output entry per chain",
        )?;
        let mut s = vec![0.0; self.machine.n()];
        for (j, o) in out.iter_mut().enumerate() {
            for (i, x) in s.iter_mut().enumerate() {
                *x = states[(i, j)];
            }
            self.machine
                .check_state(&format!("chain {j} (column {j} of states)"), &s)?;
            *o = self.machine.energy_unchecked(&s) / self.temperature;
        }
        Ok(())
    }
}
