//! The Boltzmann learning rule (Ackley, Hinton & Sejnowski, *A learning algorithm for Boltzmann
//! machines*, Cognitive Science 9, 1985):
//!
//! `ΔW_ij = η(⟨s_i s_j⟩_data − ⟨s_i s_j⟩_model)`,  `Δb_i = η(⟨s_i⟩_data − ⟨s_i⟩_model)`.
//!
//! With `E = −½sᵀWs − bᵀs` and `P = e^{−E/T}/Z`, the mean log-likelihood of data `{s^μ}`,
//! `L(θ) = −⟨E⟩_data/T − log Z`, has the gradient
//! `∂L/∂θ = −(1/T)(⟨∂E/∂θ⟩_data − ⟨∂E/∂θ⟩_model)` (differentiate `log Z`:
//! `∂ log Z/∂θ = −⟨∂E/∂θ⟩_model/T`). Since `∂E/∂W_ij = −s_i s_j` and `∂E/∂b_i = −s_i`
//! ([`ParamGradient`] of [`BoltzmannMachine`]), the rule is gradient ascent on `L` with step
//! `ηT`: `Δθ = η·T·∇L`. The rule is written through [`ParamGradient`], so it averages
//! `−∂E/∂θ` over the two phases.
//!
//! The model phase `⟨·⟩_model` comes from [`ModelStatistics`]: exactly, by enumerating all `2ⁿ`
//! states (`n ≤` [`MAX_EXACT_UNITS`](crate::models::MAX_EXACT_UNITS)), or from Gibbs chains
//! ([`Gibbs`](crate::models::Gibbs)), fresh each update or persistent across updates
//! (persistent chains, Tieleman 2008; Younes 1989).
//!
//! ```
//! use attractor::learn::{BoltzmannRule, ModelStatistics};
//! use attractor::models::{BoltzmannMachine, Units};
//! use attractor::problems::Patterns;
//! let data = Patterns::new(vec![vec![1.0, 1.0, 0.0], vec![1.0, 1.0, 1.0], vec![0.0, 0.0, 0.0]])?;
//! let mut bm = BoltzmannMachine::new(faer::Mat::zeros(3, 3), vec![0.0; 3], Units::Binary, 1.0)?;
//! let before = bm.log_likelihood(&data)?;
//! let mut rule = BoltzmannRule::new(0.5, ModelStatistics::Exact)?;
//! for _ in 0..50 {
//!     rule.step(&mut bm, &data)?;
//! }
//! assert!(bm.log_likelihood(&data)? > before + 0.3);
//! assert!(bm.weights()[(0, 1)] > 0.5); // units 0 and 1 agree in the data
//! # Ok::<(), attractor::Error>(())
//! ```

use crate::energy::ParamGradient;
use crate::error::{Error, Result, check_positive};
use crate::linalg::ALL_THREADS;
use crate::markov::{MarkovSampler, chain_rngs};
use crate::models::{BoltzmannMachine, Scan};
use crate::problems::Patterns;
use crate::rng::{Rng, stream, streams};
use faer::{Mat, MatRef, Par};

/// Gibbs chains for the model phase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GibbsStatistics {
    /// Chains (their final states are the model samples), ≥ 1.
    pub n_chains: usize,
    /// Sweeps per update, ≥ 1: the burn-in of fresh chains, or how far persistent chains move.
    pub n_sweeps: usize,
    /// Keep the chains from one update to the next (persistent chains) instead of starting
    /// them afresh from uniform random states.
    pub persistent: bool,
    /// The scan order of the sweeps.
    pub scan: Scan,
    /// The seed: persistent chain `j` uses `rng::stream(seed, DYNAMICS + j)`; fresh chain `j`
    /// of update `u` uses `rng::stream(seed, DYNAMICS + u·n_chains + j)`.
    pub seed: u64,
    /// Parallelism across chains.
    pub par: Par,
}

impl GibbsStatistics {
    /// `n_chains` chains of `n_sweeps` sweeps per update, sequential scan, all threads.
    pub fn new(n_chains: usize, n_sweeps: usize, persistent: bool, seed: u64) -> Result<Self> {
        let s = Self {
            n_chains,
            n_sweeps,
            persistent,
            scan: Scan::Sequential,
            seed,
            par: ALL_THREADS,
        };
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> Result<()> {
        if self.n_chains == 0 {
            return Err(Error::invalid(
                "n_chains",
                0,
                "the model phase needs at least one Gibbs chain",
            ));
        }
        if self.n_sweeps == 0 {
            return Err(Error::invalid(
                "n_sweeps",
                0,
                "move the chains by at least one sweep per update",
            ));
        }
        Ok(())
    }
}

/// Where the model expectations `⟨·⟩_model` come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ModelStatistics {
    /// Exactly, over all `2ⁿ` states (`n ≤` [`MAX_EXACT_UNITS`](crate::models::MAX_EXACT_UNITS)).
    Exact,
    /// From Gibbs chains.
    Gibbs(GibbsStatistics),
}

/// The Boltzmann learning rule `Δθ = η(⟨−∂E/∂θ⟩_data − ⟨−∂E/∂θ⟩_model)` with learning rate
/// `η > 0`; it keeps the persistent chains between updates.
#[derive(Debug, Clone)]
pub struct BoltzmannRule {
    learning_rate: f64,
    statistics: ModelStatistics,
    chains: Option<(Mat<f64>, Vec<Rng>)>,
    n_updates: u64,
}

impl BoltzmannRule {
    /// The rule with learning rate `η > 0` and model statistics `statistics`.
    pub fn new(learning_rate: f64, statistics: ModelStatistics) -> Result<Self> {
        check_positive(
            "learning rate eta",
            learning_rate,
            "use a finite eta > 0 (0.01 to 0.5 for a few units)",
        )?;
        if let ModelStatistics::Gibbs(g) = &statistics {
            g.validate()?;
        }
        Ok(Self {
            learning_rate,
            statistics,
            chains: None,
            n_updates: 0,
        })
    }

    /// `η`.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }
    /// The model statistics.
    pub fn statistics(&self) -> ModelStatistics {
        self.statistics
    }
    /// The persistent chains (`n × n_chains`), once an update has made them.
    pub fn chains(&self) -> Option<MatRef<'_, f64>> {
        self.chains.as_ref().map(|(x, _)| x.as_ref())
    }
    /// Forget the persistent chains (the next update starts them afresh).
    pub fn reset_chains(&mut self) {
        self.chains = None;
    }

    /// The direction `⟨−∂E/∂θ⟩_data − ⟨−∂E/∂θ⟩_model` in the parameter order of
    /// [`BoltzmannMachine`]'s [`ParamGradient`] (couplings `W_ij`, `i < j`, row by row; then
    /// biases). It equals `T·∇L` with exact statistics. Moves persistent chains.
    pub fn direction(&mut self, machine: &BoltzmannMachine, data: &Patterns) -> Result<Vec<f64>> {
        let mut g = data_expectation(machine, data)?;
        let model = match self.statistics {
            ModelStatistics::Exact => exact_expectation(machine)?,
            ModelStatistics::Gibbs(gs) => self.gibbs_expectation(machine, gs)?,
        };
        for (gi, mi) in g.iter_mut().zip(&model) {
            *gi -= mi;
        }
        Ok(g)
    }

    /// One update `θ ← θ + η·direction`; returns `Δθ`.
    pub fn step(&mut self, machine: &mut BoltzmannMachine, data: &Patterns) -> Result<Vec<f64>> {
        let mut delta = self.direction(machine, data)?;
        for d in delta.iter_mut() {
            *d *= self.learning_rate;
        }
        let mut theta = machine.params();
        for (t, d) in theta.iter_mut().zip(&delta) {
            *t += d;
        }
        machine.set_params(&theta)?;
        Ok(delta)
    }

    fn gibbs_expectation(
        &mut self,
        machine: &BoltzmannMachine,
        gs: GibbsStatistics,
    ) -> Result<Vec<f64>> {
        let n = machine.n();
        let sampler = machine.gibbs(gs.scan).par(gs.par);
        let update = self.n_updates;
        self.n_updates += 1;
        if gs.persistent {
            if let Some((x, _)) = &self.chains
                && x.nrows() != n
            {
                return Err(Error::Incompatible(format!(
                    "the persistent chains have {} units but the machine has {n}; call reset_chains() before training a machine of another size",
                    x.nrows()
                )));
            }
            let (mut x, mut rngs) = match self.chains.take() {
                Some(c) => c,
                None => {
                    let mut rngs = chain_rngs(gs.seed, gs.n_chains);
                    let x = sampler.initial_states(&mut rngs)?;
                    (x, rngs)
                }
            };
            let advanced = sampler.advance(x.as_mut(), &mut rngs, gs.n_sweeps);
            let e = chain_expectation(machine, x.as_ref());
            self.chains = Some((x, rngs));
            advanced.map(|()| e)
        } else {
            let base = streams::DYNAMICS + update * gs.n_chains as u64;
            let mut rngs: Vec<Rng> = (0..gs.n_chains as u64)
                .map(|j| stream(gs.seed, base + j))
                .collect();
            let mut x = sampler.initial_states(&mut rngs)?;
            sampler.advance(x.as_mut(), &mut rngs, gs.n_sweeps)?;
            Ok(chain_expectation(machine, x.as_ref()))
        }
    }
}

/// `⟨−∂E/∂θ⟩` over the rows of `data` (each a state of `machine`): `(⟨s_i s_j⟩, ⟨s_i⟩)` in
/// parameter order.
pub fn data_expectation(machine: &BoltzmannMachine, data: &Patterns) -> Result<Vec<f64>> {
    if data.n_patterns() == 0 {
        return Err(Error::invalid(
            "data",
            "0 patterns",
            "pass at least one data vector",
        ));
    }
    for (mu, x) in data.iter().enumerate() {
        machine.check_state(&format!("data pattern {mu}"), x)?;
    }
    let w = 1.0 / data.n_patterns() as f64;
    let mut acc = vec![0.0; machine.n_params()];
    let mut g = vec![0.0; machine.n_params()];
    for x in data.iter() {
        machine.param_gradient_into(x, &mut g);
        for (a, gi) in acc.iter_mut().zip(&g) {
            *a -= w * gi;
        }
    }
    Ok(acc)
}

/// `⟨−∂E/∂θ⟩_model` exactly, summing over all `2ⁿ` states weighted by `P(s)`.
pub fn exact_expectation(machine: &BoltzmannMachine) -> Result<Vec<f64>> {
    let exact = machine.exact()?;
    let mut acc = vec![0.0; machine.n_params()];
    let mut g = vec![0.0; machine.n_params()];
    exact.for_each_state(|s, p| {
        machine.param_gradient_into(s, &mut g);
        for (a, gi) in acc.iter_mut().zip(&g) {
            *a -= p * gi;
        }
    });
    Ok(acc)
}

/// `⟨−∂E/∂θ⟩` over the columns of `states` (chain states of `machine`).
fn chain_expectation(machine: &BoltzmannMachine, states: MatRef<'_, f64>) -> Vec<f64> {
    let m = states.ncols();
    let w = 1.0 / m as f64;
    let mut acc = vec![0.0; machine.n_params()];
    let mut g = vec![0.0; machine.n_params()];
    let mut s = vec![0.0; machine.n()];
    for j in 0..m {
        for (i, v) in s.iter_mut().enumerate() {
            *v = states[(i, j)];
        }
        machine.param_gradient_into(&s, &mut g);
        for (a, gi) in acc.iter_mut().zip(&g) {
            *a -= w * gi;
        }
    }
    acc
}
