//! The machine: its model, parameters and coupling kernel, and its rounds as blocks of replicas
//! on the shared replica engine ([`crate::run::replicas`]: blocks side by side on rayon's
//! global pool, best states merged in a fixed order, warm and cold restarts, the budget and the
//! observer of the run loop).

use super::LANES;
use super::block::{Block, GREEDY, Machine, OSCILLATOR, Unit};
use super::kernel::KernelCsr;
use super::params::{NodeScales, OimParams};
use crate::analysis::{Mu, StabilityCertificate, certify_stable};
use crate::error::{Error, Result};
use crate::problems::ising::greedy_descent_unchecked;
use crate::problems::{IsingModel, WeightedGraph};
use crate::run::replicas::{Candidate, ReplicaProgress, ReplicaSpec, Restarts, Sink, run_replicas};
use crate::run::{Budget, Observer, Status};
use std::sync::Arc;
use std::time::Duration;

/// The best state found, with the time it was first reached.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Found {
    /// Spins `s ∈ {±1}ⁿ` (of the model passed in, fields included).
    pub spins: Vec<i8>,
    /// Ising energy `H(s)`, recomputed in f64 from `spins`.
    pub energy: f64,
    /// Wall time from the start of the solve until this energy was first reached.
    pub found_at: Duration,
    /// Replica-steps integrated (over all replicas) before it was first reached.
    pub replica_steps_at: u64,
}

impl Found {
    /// The cut of this state when the machine solved `IsingModel::max_cut(graph)`:
    /// `cut = (W − H)/2` ([`WeightedGraph::cut_from_energy`]).
    pub fn cut(&self, graph: &WeightedGraph) -> f64 {
        graph.cut_from_energy(self.energy)
    }
}

/// What [`OscillatorIsingMachine::solve`] returns.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OimResult {
    /// The best pure oscillator readout (`sgn cos(θ_i − θ_ref)` at the best reference phase).
    pub oscillator: Found,
    /// The best state after the greedy single-flip descent (if `readout.greedy`); never worse
    /// than `oscillator`.
    pub greedy: Option<Found>,
    /// Why the solve stopped: `MaxSteps` (all rounds done), `TargetReached`, `Timeout`,
    /// `Interrupted` (the interrupt flag or the observer).
    pub status: Status,
    /// Annealing rounds completed (or started, when stopped early).
    pub n_rounds: usize,
    /// Replicas actually run (a multiple of [`LANES`]).
    pub replicas: usize,
    /// Total replica-steps integrated.
    pub replica_steps: u64,
    /// Wall time of the solve.
    pub elapsed: Duration,
    /// Smallest `μ_i` at the end of a round, `μ_end(1 − δ)`: a state that is stable for it is
    /// stable for every replica's `μ` ([`OscillatorIsingMachine::certify`] uses it).
    pub mu_final_min: f64,
}

impl OimResult {
    /// The best state of either track: `greedy` when present (never worse), else `oscillator`.
    pub fn best(&self) -> &Found {
        match &self.greedy {
            Some(g) if g.energy <= self.oscillator.energy => g,
            _ => &self.oscillator,
        }
    }

    /// Replica-steps per second of wall time.
    pub fn replica_steps_per_second(&self) -> f64 {
        self.replica_steps as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// What an observer of [`OscillatorIsingMachine::solve`] sees: once before the first round
/// (`rounds = 0`) and after every round.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct OimProgress {
    /// Rounds done.
    pub rounds: usize,
    /// Elapsed wall time.
    pub elapsed: Duration,
    /// Replica-steps integrated so far.
    pub replica_steps: u64,
    /// Best pure oscillator energy so far (`+∞` before any readout).
    pub best_oscillator: f64,
    /// Best energy after descent so far (`oscillator`'s if greedy is off; `+∞` before any).
    pub best_greedy: f64,
}

/// The batch oscillator Ising machine: it owns its model (shared through an [`Arc`]), so it is
/// `Send + Sync` and can be held by another thread or a binding while it runs.
///
/// `θ̇_i = −Σ_j J_ij sin(θ_i − θ_j) − μ_i(t) sin 2θ_i + σ(t) ξ_i(t)`, integrated by
/// Euler–Maruyama for [`OimParams::replicas`] replicas at once in rounds (see the
/// [module docs](super) for the kernel, the parallelism and reproducibility).
///
/// ```
/// use attractor::models::{OimParams, OscillatorIsingMachine};
/// use attractor::problems::{IsingModel, WeightedGraph, brute_force};
/// use attractor::run::{Budget, Silent};
/// let g = WeightedGraph::random(14, 0.4, &[1.0], 7)?;
/// let model = IsingModel::max_cut(&g)?;
/// let mut p = OimParams::for_model(&model);
/// p.seed = 1;
/// let exact = brute_force(&model)?;
/// let r = OscillatorIsingMachine::new(model, p)?.solve(&Budget::steps(1), Silent)?;
/// assert_eq!(r.best().energy, exact.energy);
/// assert_eq!(r.best().cut(&g), g.cut(&exact.spins)?);
/// # Ok::<(), attractor::Error>(())
/// ```
pub struct OscillatorIsingMachine {
    model: Arc<IsingModel>,
    /// The field-free model integrated (`model` itself, or its ancilla form).
    work: Arc<IsingModel>,
    params: OimParams,
    kernel: KernelCsr,
    node_h: Vec<f32>,
    node_nf: Vec<f32>,
}

impl std::fmt::Debug for OscillatorIsingMachine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OscillatorIsingMachine")
            .field("n", &self.model.n())
            .field("nnz", &self.model.nnz())
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl OscillatorIsingMachine {
    /// Validate the parameters against the model (once), filling the model-dependent defaults
    /// left `None` ([`OimParams::resolved`]); a model with fields is solved through
    /// an ancilla spin ([`IsingModel::with_ancilla`]). Pass the model by value or as an
    /// `Arc<IsingModel>` to share it.
    pub fn new(model: impl Into<Arc<IsingModel>>, params: OimParams) -> Result<Self> {
        let model: Arc<IsingModel> = model.into();
        if model.n() == 0 {
            return Err(Error::invalid("n", 0, "the model has no spins"));
        }
        let scales = NodeScales::of(&model);
        let params = params.resolved(&model);
        params.validate(&scales, model.n())?;
        let dt = params.dt.unwrap_or(1.0);
        let work = if model.has_fields() {
            Arc::new(model.with_ancilla()?)
        } else {
            model.clone()
        };
        // per-node step h_i and noise factor: θ_i += −h_i·force_i + σ·nf_i·u, u ~ U[−½, ½)
        let (node_h, node_nf): (Vec<f32>, Vec<f32>) = (0..work.n())
            .map(|i| {
                let d = scales.step_scale(i, params.precondition);
                let nf = if params.precondition {
                    (12.0 * dt * scales.mean / d).sqrt()
                } else {
                    (12.0 * dt).sqrt()
                };
                ((dt / d) as f32, nf as f32)
            })
            .unzip();
        let kernel = KernelCsr::new(&work);
        Ok(Self {
            model,
            work,
            params,
            kernel,
            node_h,
            node_nf,
        })
    }

    /// The parameters, the model's defaults filled in.
    pub fn params(&self) -> &OimParams {
        &self.params
    }

    /// The model (as given, fields included).
    pub fn model(&self) -> &IsingModel {
        &self.model
    }

    /// Is `spins` (a state of [`model`](Self::model)) a stable equilibrium of the machine at the
    /// end of a round, for every replica's `μ_i ≥ μ_end(1 − δ)`? The criterion
    /// `L_s + 2μI ≻ 0` ([`certify_stable`]), on the ancilla form of a model with fields.
    pub fn certify(&self, spins: &[i8]) -> Result<StabilityCertificate> {
        crate::error::check_len(
            "spins",
            spins.len(),
            self.model.n(),
            "give one spin per spin of the model",
        )?;
        let mu = Mu::Uniform(self.params.mu_final_min());
        if self.work.n() == spins.len() {
            certify_stable(&self.work, spins, mu)
        } else {
            let mut s = spins.to_vec();
            s.push(1);
            certify_stable(&self.work, &s, mu)
        }
    }

    /// Run annealing rounds until the budget stops them — its rounds
    /// ([`Budget::max_steps`]: one unit is a round of every replica), its time, its target
    /// energy (an Ising energy `≤ target`, pure or after descent) or its interrupt — or the
    /// observer does. `observer` sees an [`OimProgress`] before the first round and after every
    /// [`every`](Observer::every)-th round (and the last), from the calling thread; returning
    /// `Break` ends the run with [`Status::Interrupted`] and the best state so far. A budget of
    /// rounds alone gives the same states on any number of threads.
    pub fn solve(
        &self,
        budget: &Budget,
        observer: impl Observer<OimProgress>,
    ) -> Result<OimResult> {
        self.solve_inner(budget, observer, None)
    }

    /// [`solve`](Self::solve), handing the final state of every replica of every round (spins
    /// of [`model`](Self::model), after descent when `readout.greedy`) to `sink`, in the order
    /// (round, replica) whatever the threads.
    pub(crate) fn solve_inner(
        &self,
        budget: &Budget,
        mut observer: impl Observer<OimProgress>,
        mut sink: Option<&mut Sink<'_>>,
    ) -> Result<OimResult> {
        let p = &self.params;
        let model = &*self.work;
        let n = model.n();
        let n_blocks = p.replicas.div_ceil(LANES);
        // the state warm rounds restart from (the ancilla spin, if any, is +1)
        let initial = p.restart.initial_spins.as_ref().map(|s| {
            let mut w = s.clone();
            w.resize(n, 1);
            w
        });
        let mut seeds = vec![None, None];
        if p.readout.greedy
            && let Some(s) = &initial
        {
            // refining never reports worse than the descended start
            let mut s = s.clone();
            greedy_descent_unchecked(model, &mut s, &mut vec![0.0; n]);
            seeds[GREEDY] = Some(Candidate {
                energy: model.energy_unchecked(&s),
                spins: s,
                found_at: Duration::ZERO,
                steps_at: 0,
            });
        }
        let spec = ReplicaSpec {
            n,
            tracks: 2,
            par: p.par,
            restarts: Restarts {
                warm: p.restart.warm_kick > 0.0,
                cold_every: p.restart.cold_every,
                initial,
            },
            seeds,
        };
        let machine = Machine {
            model,
            p,
            kernel: &self.kernel,
            node_h: &self.node_h,
            node_nf: &self.node_nf,
        };
        let mut units: Vec<Unit<'_>> = (0..n_blocks)
            .map(|_| Unit {
                block: Block::new(n),
                machine: &machine,
            })
            .collect();
        let every = observer.every();
        let watch = crate::run::every(every, |r: &ReplicaProgress| {
            observer.observe(&OimProgress {
                rounds: r.rounds,
                elapsed: r.elapsed,
                replica_steps: r.steps,
                best_oscillator: r.best[OSCILLATOR],
                best_greedy: if r.best[GREEDY].is_finite() {
                    r.best[GREEDY]
                } else {
                    r.best[OSCILLATOR]
                },
            })
        });
        let has_sink = sink.is_some();
        let mut to_model = |s: &[i8]| {
            if let Some(sink) = sink.as_mut() {
                sink(&self.model.from_ancilla_spins(s));
            }
        };
        let out = run_replicas(
            &spec,
            &mut units,
            budget,
            has_sink.then_some(&mut to_model as &mut dyn FnMut(&[i8])),
            watch,
        )?;
        let [best_osc, best_gr]: [Option<Candidate>; 2] = match out.best.try_into() {
            Ok(b) => b,
            Err(_) => unreachable!("two tracks"),
        };
        let to_found = |b: Candidate| {
            let spins = self.model.from_ancilla_spins(&b.spins);
            let energy = self.model.energy_unchecked(&spins);
            Found {
                spins,
                energy,
                found_at: b.found_at,
                replica_steps_at: b.steps_at,
            }
        };
        let oscillator = match best_osc {
            Some(b) => to_found(b),
            None => {
                // stopped before any readout: report the all-up state
                let spins = vec![1i8; self.model.n()];
                let energy = self.model.energy_unchecked(&spins);
                Found {
                    spins,
                    energy,
                    found_at: out.elapsed,
                    replica_steps_at: 0,
                }
            }
        };
        let greedy = if p.readout.greedy {
            Some(match best_gr {
                Some(b) if b.energy <= oscillator.energy => to_found(b),
                _ => oscillator.clone(),
            })
        } else {
            None
        };
        Ok(OimResult {
            oscillator,
            greedy,
            status: out.status,
            n_rounds: out.rounds,
            replicas: n_blocks * LANES,
            replica_steps: out.steps,
            elapsed: out.elapsed,
            mu_final_min: p.mu_final_min(),
        })
    }
}
