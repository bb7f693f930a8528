//! Gibbs sweeps of a Boltzmann machine, many chains at once.

use super::machine::{BoltzmannMachine, Units};
use crate::error::Result;
use crate::linalg::ALL_THREADS;
use crate::markov::{MarkovSampler, for_each_chain};
use crate::rng::Rng;
use faer::{Mat, MatMut, Par};
use rand::RngExt;

/// The order in which a sweep visits the units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scan {
    /// Units `0, 1, …, n−1` in every sweep (systematic scan).
    #[default]
    Sequential,
    /// A fresh uniformly random permutation of the units in every sweep, drawn from the
    /// chain's own generator (random-permutation scan).
    RandomPermutation,
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
#[derive(Debug, Clone, Copy)]
pub struct Gibbs<'a> {
    machine: &'a BoltzmannMachine,
    scan: Scan,
    par: Par,
}

impl BoltzmannMachine {
    /// Gibbs sweeps of this machine in the given scan order.
    pub fn gibbs(&self, scan: Scan) -> Gibbs<'_> {
        Gibbs {
            machine: self,
            scan,
            par: ALL_THREADS,
        }
    }
}

impl<'a> Gibbs<'a> {
    /// Run the chains with `par` (`Par::Seq`: in the calling thread).
    pub fn par(mut self, par: Par) -> Self {
        self.par = par;
        self
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
            // Fisher–Yates on the previous order: uniform whatever it was.
            for i in (1..n).rev() {
                let k = rng.random_range(0..=i);
                order.swap(i, k);
            }
        }
        let beta = 1.0 / m.temperature();
        let (gain, low) = match m.units() {
            Units::Binary => (beta, 0.0),
            Units::Spin => (2.0 * beta, -1.0),
        };
        for idx in 0..n {
            let i = if self.scan == Scan::Sequential {
                idx
            } else {
                order[idx]
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
