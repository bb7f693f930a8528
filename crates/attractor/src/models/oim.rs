//! The oscillator Ising machine (OIM): coupled phase oscillators with second-harmonic
//! injection locking whose phases settle at 0 or π and spell out a low-energy Ising state.
//!
//! `θ̇_i = −Σ_j J_ij sin(θ_i − θ_j) − μ_i sin 2θ_i + σ ξ_i(t)`
//!
//! is the gradient flow of `E(θ) = −½ Σ_ij J_ij cos(θ_i − θ_j) − ½ Σ_i μ_i cos 2θ_i` plus noise;
//! at binary phases `θ_i ∈ {0, π}` (`s_i = cos θ_i`) `E` equals the Ising energy `H(s) = −½sᵀJs`
//! minus `½ Σ μ_i`. References: T. Wang, J. Roychowdhury, *OIM: Oscillator-based Ising machines
//! for solving combinatorial optimisation problems*, UCNC 2019 (arXiv:1903.07163);
//! heterogeneous `μ_i ~ U[μ(1−δ), μ(1+δ)]`: Allibhoy, Montanari, Pasqualetti, Motter,
//! arXiv:2505.17027 (CDC 2025).
//!
//! The batch solver [`OscillatorIsingMachine::solve`] integrates many replicas at once. State is
//! stored node-major with [`LANES`] replicas per node, so each stored coupling multiplies a
//! contiguous vector of replicas (SIMD across replicas), and the force uses the identity
//! `Σ_j J_ij sin(θ_i − θ_j) = sin θ_i Σ_j J_ij cos θ_j − cos θ_i Σ_j J_ij sin θ_j`:
//! two CSR products and one sin/cos per node per replica per step. The replica kernel runs in
//! f32 (the `tests/oim.rs` test checks it against the f64 flow [`OimFlow`]).

use crate::error::{Error, Result, check_finite, check_len};
use crate::flow::VectorField;
use crate::problems::IsingModel;
use crate::problems::ising::greedy_descent;
use crate::run::Status;
use faer::MatMut;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f32::consts::{FRAC_2_PI, PI, TAU};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Replicas integrated together in one SIMD block (two AVX2 vectors of f32).
pub const LANES: usize = 16;

/// The deterministic flow of one replica in f64, `θ̇ = −Σ_j J_ij sin(θ_i − θ_j) − μ_i sin 2θ_i`,
/// with its energy `E(θ) = −½Σ J_ij cos(θ_i − θ_j) − ½Σ μ_i cos 2θ_i` and analytic Jacobian.
/// The model must have no fields (use [`IsingModel::with_ancilla`]).
///
/// ```
/// use attractor::flow::VectorField;
/// use attractor::models::OimFlow;
/// use attractor::problems::IsingModel;
/// let m = IsingModel::from_couplings(2, vec![0.0; 2], &[(0, 1, -1.0)], 0.0)?;
/// let mut f = OimFlow::new(&m, vec![0.5; 2])?;
/// let mut dx = [0.0; 2];
/// f.eval_into(0.0, &[0.0, std::f64::consts::PI], &mut dx); // an antiferromagnetic equilibrium
/// assert!(dx.iter().all(|v| v.abs() < 1e-12));
/// # Ok::<(), attractor::Error>(())
/// ```
pub struct OimFlow<'a> {
    model: &'a IsingModel,
    mu: Vec<f64>,
    c: Vec<f64>,
    s: Vec<f64>,
}

impl<'a> OimFlow<'a> {
    /// Bind a field-free model and second-harmonic strengths `μ_i ≥ 0`.
    pub fn new(model: &'a IsingModel, mu: Vec<f64>) -> Result<Self> {
        if model.has_fields() {
            return Err(Error::Incompatible(
                "the oscillator machine has no field term; convert with IsingModel::with_ancilla() first".into(),
            ));
        }
        check_len(
            "mu",
            mu.len(),
            model.n(),
            "give one second-harmonic strength per spin",
        )?;
        check_mu(&mu)?;
        let n = model.n();
        Ok(Self {
            model,
            mu,
            c: vec![0.0; n],
            s: vec![0.0; n],
        })
    }
}

fn check_mu(mu: &[f64]) -> Result<()> {
    check_finite("mu", mu)?;
    if let Some(k) = mu.iter().position(|&v| v < 0.0) {
        return Err(Error::invalid(
            &format!("mu[{k}]"),
            mu[k],
            "second-harmonic strengths must be >= 0",
        ));
    }
    Ok(())
}

impl VectorField for OimFlow<'_> {
    fn dim(&self) -> usize {
        self.model.n()
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        for i in 0..x.len() {
            (self.s[i], self.c[i]) = x[i].sin_cos();
        }
        for i in 0..x.len() {
            let (col, val) = self.model.row(i);
            let (mut a, mut b) = (0.0, 0.0);
            for (&j, &w) in col.iter().zip(val) {
                a += w * self.c[j as usize];
                b += w * self.s[j as usize];
            }
            dx[i] = -(self.s[i] * a - self.c[i] * b) - self.mu[i] * 2.0 * self.s[i] * self.c[i];
        }
    }
    fn energy(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        let mut e = 0.0;
        for i in 0..x.len() {
            let (col, val) = self.model.row(i);
            for (&j, &w) in col.iter().zip(val) {
                e -= 0.5 * w * (x[i] - x[j as usize]).cos();
            }
            e -= 0.5 * self.mu[i] * (2.0 * x[i]).cos();
        }
        Some(e)
    }
    fn jacobian_into(&mut self, _t: f64, x: &[f64], mut jac: MatMut<'_, f64>) -> bool {
        let n = x.len();
        for i in 0..n {
            for j in 0..n {
                jac[(i, j)] = 0.0;
            }
        }
        for i in 0..n {
            let (col, val) = self.model.row(i);
            let mut diag = 0.0;
            for (&j, &w) in col.iter().zip(val) {
                let c = (x[i] - x[j as usize]).cos();
                jac[(i, j as usize)] += w * c;
                diag -= w * c;
            }
            jac[(i, i)] = diag - 2.0 * self.mu[i] * (2.0 * x[i]).cos();
        }
        true
    }
}

/// Schedule and budget of the batch machine. Build with [`OimParams::for_model`], adjust the
/// public fields, and pass to [`OscillatorIsingMachine::new`] (which validates them).
///
/// Time is measured in units of `1/d`, `d = max_i Σ_j |J_ij|` (the largest coupling row sum),
/// so `dt` is dimensionless and the same defaults serve any scale of `J`; `μ` is in the units
/// of `J` (the stability criterion `L_s + 2 diag μ ≻ 0` compares them directly).
///
/// With `precondition` each node runs on its own clock: the preconditioned Langevin flow
/// `dθ = −M∇E dt + σ√(d̄ M) dW`, `M = diag(1/d_i)`, `d_i = Σ_j |J_ij|`, `d̄` the mean. It has the
/// same equilibria and, as `M ≻ 0` is diagonal, the same stable ones (`−M(L_s + 2 diag μ)` is
/// stable iff `L_s + 2 diag μ ≻ 0`) and the same Gibbs density; it helps graphs whose degrees
/// vary (G14–G21: degree 5 to 132), where one global clock leaves most nodes nearly frozen.
#[derive(Debug, Clone, PartialEq)]
pub struct OimParams {
    /// Euler–Maruyama step in units of `1/d` (of `1/d_i` for node `i` with `precondition`).
    pub dt: f64,
    /// Per-node time scale `1/d_i` (preconditioned flow); `false`: one clock `1/max_i d_i`.
    pub precondition: bool,
    /// Steps per annealing run.
    pub n_steps: usize,
    /// Restart schedule: round `r` (from 0) runs `min(n_steps, n_steps_first·2^r)` steps, so the
    /// first answers come early and later rounds anneal longer. `None`: every round `n_steps`.
    pub n_steps_first: Option<usize>,
    /// Second-harmonic strength at the start of a run (ramped linearly to `mu_end`).
    pub mu_start: f64,
    /// Second-harmonic strength at the end of a run.
    pub mu_end: f64,
    /// Heterogeneity `δ ∈ [0, 1)`: `μ_i = μ(t)(1 + δu_i)`, `u_i ~ U[−1, 1]` drawn per replica and
    /// run (Allibhoy et al. 2025); `0` gives the homogeneous machine.
    pub mu_spread: f64,
    /// Noise amplitude σ at the start of a run (annealed linearly to `noise_end`), units of `√d`.
    pub noise_start: f64,
    /// Noise amplitude at the end of a run.
    pub noise_end: f64,
    /// Number of replicas (rounded up to a multiple of [`LANES`]).
    pub replicas: usize,
    /// Read the spins `s_i = sgn cos θ_i` of every replica every this many steps.
    pub readout_every: usize,
    /// Seed for initial phases, heterogeneity and noise.
    pub seed: u64,
    /// Worker threads (rayon) across replica blocks; 1 runs in the calling thread.
    pub threads: usize,
    /// Wall-clock budget (the best state so far is returned when it is spent).
    pub time_budget: Option<Duration>,
    /// Maximum number of annealing rounds (each round runs every replica once).
    pub max_rounds: Option<usize>,
    /// Stop as soon as an Ising energy `≤ target_energy` is found (pure or after descent).
    pub target_energy: Option<f64>,
    /// Run a greedy single-flip descent on every replica's final readout (reported separately).
    pub greedy: bool,
    /// With `greedy`, also descend from the lowest-energy replica of every periodic readout
    /// (cost `O(nnz)` per readout), so descended answers arrive during a run, not only at its end.
    pub greedy_readouts: bool,
}

impl OimParams {
    /// Defaults scaled to a model (tuned on G-set G1, G22, G43, G7, G11 and G18, see
    /// `bench/README.md`): `μ` ramps from 0 to `0.15·d̄` when all couplings share one sign, `d̄`
    /// the mean absolute row sum (G1, G22, G43: one 20 000-step run reached a higher cut for 7 of
    /// 8 seeds, an equal one for the 8th, than with `0.1·d̄`), and to `max(0.1·d̄, 0.45·r̄)` for
    /// mixed signs, `r̄ = √(Σ_ij J_ij²/n)` the size of a random-spin local field (±1 weights:
    /// `0.45√d̄`, i.e. `0.225·d̄` on the sparse G11 (d̄ = 4) and `0.13·d̄` on G18 (d̄ = 11.7), which
    /// beat `0.1·d̄` over 4–5 seeds; on the dense G7 (d̄ = 48) `0.065·d̄` lost 2–5 edges in 4 of 4
    /// 10-second runs, hence the floor); noise anneals from `0.5` to 0, descents also run from
    /// every readout's best replica, `dt = 0.5`, 2000 steps per run, 16 replicas, readout every
    /// 50 steps, one thread, one round.
    pub fn for_model(model: &IsingModel) -> Self {
        let n = model.n().max(1);
        let mean_row: f64 = model.values().iter().map(|v| v.abs()).sum::<f64>() / n as f64;
        let vals = model.values();
        let one_sign = vals.iter().all(|&v| v >= 0.0) || vals.iter().all(|&v| v <= 0.0);
        // mixed signs: the local field of random spins has size √(Σ_j J_ij²), not Σ_j |J_ij|
        let rms_field = (vals.iter().map(|v| v * v).sum::<f64>() / n as f64).sqrt();
        Self {
            dt: 0.5,
            precondition: true,
            n_steps: 2000,
            n_steps_first: None,
            mu_start: 0.0,
            mu_end: if one_sign {
                0.15 * mean_row
            } else {
                (0.45 * rms_field).max(0.1 * mean_row)
            },
            mu_spread: 0.0,
            noise_start: 0.5,
            noise_end: 0.0,
            replicas: 16,
            readout_every: 50,
            seed: 0,
            threads: 1,
            time_budget: None,
            max_rounds: Some(1),
            target_energy: None,
            greedy: true,
            greedy_readouts: true,
        }
    }

    fn validate(&self) -> Result<()> {
        crate::error::check_positive(
            "dt",
            self.dt,
            "use a step such as 0.1 (units of 1/max row sum)",
        )?;
        for (name, v) in [
            ("mu_start", self.mu_start),
            ("mu_end", self.mu_end),
            ("noise_start", self.noise_start),
            ("noise_end", self.noise_end),
        ] {
            crate::error::check_nonnegative(name, v, "schedules take values >= 0")?;
        }
        if !(0.0..1.0).contains(&self.mu_spread) {
            return Err(Error::invalid(
                "mu_spread",
                self.mu_spread,
                "heterogeneity δ must lie in [0, 1)",
            ));
        }
        for (name, v) in [
            ("n_steps", self.n_steps),
            ("replicas", self.replicas),
            ("readout_every", self.readout_every),
            ("threads", self.threads),
        ] {
            if v == 0 {
                return Err(Error::invalid(name, v, "must be at least 1"));
            }
        }
        if self.time_budget.is_none() && self.max_rounds.is_none() && self.target_energy.is_none() {
            return Err(Error::Incompatible(
                "the machine would run forever: set time_budget, max_rounds or target_energy"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// The best state found, with the time it was first reached.
#[derive(Debug, Clone, PartialEq)]
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

/// What [`OscillatorIsingMachine::solve`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct OimResult {
    /// The best pure oscillator readout (`sgn cos(θ_i − θ_ref)` at the best reference phase).
    pub oscillator: Found,
    /// The best state after the greedy single-flip descent (if `greedy`); never worse than
    /// `oscillator`.
    pub greedy: Option<Found>,
    /// Why the solve stopped: `MaxSteps` (all rounds done), `TargetReached`, `Timeout`,
    /// `Interrupted`.
    pub status: Status,
    /// Annealing rounds completed (or started, when stopped early).
    pub n_rounds: usize,
    /// Replicas actually run (a multiple of [`LANES`]).
    pub replicas: usize,
    /// Total replica-steps integrated.
    pub replica_steps: u64,
    /// Wall time of the solve.
    pub elapsed: Duration,
    /// Smallest `μ_i` at the end of a run, `μ_end(1 − δ)`: a state that is stable for it is stable
    /// for every replica's `μ` (use with [`crate::analysis::certify_stable`]).
    pub mu_final_min: f64,
}

/// Progress reported to the caller's callback after every round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OimProgress {
    /// Rounds done.
    pub rounds: usize,
    /// Elapsed wall time.
    pub elapsed: Duration,
    /// Best pure oscillator energy so far.
    pub best_oscillator: f64,
    /// Best energy after descent so far (`oscillator`'s if greedy is off).
    pub best_greedy: f64,
}

/// The batch oscillator Ising machine bound to one model.
///
/// ```
/// use attractor::models::{OimParams, OscillatorIsingMachine};
/// use attractor::problems::{IsingModel, WeightedGraph, brute_force};
/// let g = WeightedGraph::random(14, 0.4, &[1.0], 7)?;
/// let model = IsingModel::max_cut(&g)?;
/// let mut p = OimParams::for_model(&model);
/// p.seed = 1;
/// let r = OscillatorIsingMachine::new(&model, p)?.solve(None, |_| {})?;
/// assert_eq!(r.greedy.unwrap().energy, brute_force(&model)?.energy);
/// # Ok::<(), attractor::Error>(())
/// ```
pub struct OscillatorIsingMachine<'a> {
    model: &'a IsingModel,
    work: std::borrow::Cow<'a, IsingModel>,
    params: OimParams,
}

impl<'a> OscillatorIsingMachine<'a> {
    /// Validate the parameters; a model with fields is solved through an ancilla spin.
    pub fn new(model: &'a IsingModel, params: OimParams) -> Result<Self> {
        params.validate()?;
        if model.n() == 0 {
            return Err(Error::invalid("n", 0, "the model has no spins"));
        }
        let work = if model.has_fields() {
            std::borrow::Cow::Owned(model.with_ancilla()?)
        } else {
            std::borrow::Cow::Borrowed(model)
        };
        Ok(Self {
            model,
            work,
            params,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &OimParams {
        &self.params
    }

    /// Run annealing rounds until the budget, the round limit, the target or the stop flag.
    /// `progress` is called after every round from the calling thread.
    pub fn solve(
        &self,
        stop: Option<Arc<AtomicBool>>,
        mut progress: impl FnMut(&OimProgress),
    ) -> Result<OimResult> {
        let p = &self.params;
        let model = &*self.work;
        let n = model.n();
        let n_blocks = p.replicas.div_ceil(LANES);
        let start = Instant::now();
        let deadline = p.time_budget.map(|d| start + d);
        let target = p.target_energy.map(|e| e + 1e-9 * (1.0 + e.abs()));
        let shared = Shared {
            stop,
            deadline,
            target,
            hit: AtomicBool::new(false),
            start,
        };
        let scale = model.max_abs_row_sum().max(f64::MIN_POSITIVE);
        // per-node step h_i and noise factor: θ_i += −h_i·force_i + σ·nf_i·u, u ~ U[−½, ½)
        let rows: Vec<f64> = (0..n)
            .map(|i| model.row(i).1.iter().map(|v| v.abs()).sum::<f64>())
            .collect();
        let mean_row = (rows.iter().sum::<f64>() / n as f64).max(f64::MIN_POSITIVE);
        let (node_h, node_nf): (Vec<f32>, Vec<f32>) = rows
            .iter()
            .map(|&d| {
                if p.precondition {
                    let d = if d > 0.0 { d } else { mean_row };
                    (
                        (p.dt / d) as f32,
                        (12.0 * p.dt * mean_row / d).sqrt() as f32,
                    )
                } else {
                    ((p.dt / scale) as f32, (12.0 * p.dt).sqrt() as f32)
                }
            })
            .unzip();
        let pool = if p.threads > 1 {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(p.threads)
                    .build()
                    .map_err(|e| {
                        Error::Incompatible(format!("cannot start {} threads: {e}", p.threads))
                    })?,
            )
        } else {
            None
        };
        let mut blocks: Vec<Block> = (0..n_blocks).map(|_| Block::new(n)).collect();
        let mut best_osc: Option<(f64, Vec<i8>, Duration, u64)> = None;
        let mut best_gr: Option<(f64, Vec<i8>, Duration, u64)> = None;
        let mut steps_done = 0u64;
        let mut round = 0usize;
        let status;
        loop {
            let ctx = RunCtx {
                model,
                p,
                node_h: &node_h,
                node_nf: &node_nf,
                round,
                shared: &shared,
                steps_before: steps_done,
                n_blocks,
            };
            match &pool {
                Some(pool) => pool.install(|| {
                    use rayon::prelude::*;
                    blocks
                        .par_iter_mut()
                        .enumerate()
                        .for_each(|(b, blk)| blk.run(&ctx, b));
                }),
                None => blocks
                    .iter_mut()
                    .enumerate()
                    .for_each(|(b, blk)| blk.run(&ctx, b)),
            }
            round += 1;
            for blk in &blocks {
                steps_done += blk.steps_done;
                merge(&mut best_osc, &blk.best_osc);
                merge(&mut best_gr, &blk.best_gr);
            }
            let info = OimProgress {
                rounds: round,
                elapsed: start.elapsed(),
                best_oscillator: best_osc.as_ref().map_or(f64::INFINITY, |b| b.0),
                best_greedy: best_gr
                    .as_ref()
                    .or(best_osc.as_ref())
                    .map_or(f64::INFINITY, |b| b.0),
            };
            progress(&info);
            if shared.hit.load(Ordering::Relaxed) {
                status = Status::TargetReached;
                break;
            }
            if shared
                .stop
                .as_ref()
                .is_some_and(|s| s.load(Ordering::Relaxed))
            {
                status = Status::Interrupted;
                break;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                status = Status::Timeout;
                break;
            }
            if p.max_rounds.is_some_and(|m| round >= m) {
                status = Status::MaxSteps;
                break;
            }
        }
        let to_found = |b: (f64, Vec<i8>, Duration, u64)| {
            let spins = self.model.from_ancilla_spins(&b.1);
            let energy = self.model.energy_unchecked(&spins);
            Found {
                spins,
                energy,
                found_at: b.2,
                replica_steps_at: b.3,
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
                    found_at: start.elapsed(),
                    replica_steps_at: 0,
                }
            }
        };
        let greedy = if p.greedy {
            Some(match best_gr {
                Some(b) if b.0 <= oscillator.energy => to_found(b),
                _ => oscillator.clone(),
            })
        } else {
            None
        };
        Ok(OimResult {
            oscillator,
            greedy,
            status,
            n_rounds: round,
            replicas: n_blocks * LANES,
            replica_steps: steps_done,
            elapsed: start.elapsed(),
            mu_final_min: p.mu_end * (1.0 - p.mu_spread),
        })
    }
}

type Best = Option<(f64, Vec<i8>, Duration, u64)>;

/// Keep the lower energy; on a tie keep the earlier (round, block): deterministic for a seed.
fn merge(into: &mut Best, cand: &Best) {
    if let Some(c) = cand {
        let better = match into {
            None => true,
            Some(b) => c.0 < b.0 - 1e-9 * (1.0 + b.0.abs()),
        };
        if better {
            *into = Some(c.clone());
        }
    }
}

struct Shared {
    stop: Option<Arc<AtomicBool>>,
    deadline: Option<Instant>,
    target: Option<f64>,
    hit: AtomicBool,
    start: Instant,
}

impl Shared {
    fn should_stop(&self) -> bool {
        self.hit.load(Ordering::Relaxed)
            || self
                .stop
                .as_ref()
                .is_some_and(|s| s.load(Ordering::Relaxed))
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

struct RunCtx<'a> {
    model: &'a IsingModel,
    p: &'a OimParams,
    node_h: &'a [f32],
    node_nf: &'a [f32],
    round: usize,
    shared: &'a Shared,
    steps_before: u64,
    n_blocks: usize,
}

/// One block of [`LANES`] replicas with its buffers (node-major: index `i·LANES + l`).
struct Block {
    theta: Vec<f32>,
    /// cos and sin, interleaved per node: `[cos θ_i (LANES) | sin θ_i (LANES)]`, double-buffered.
    cs: [Vec<f32>; 2],
    mu_fac: Vec<f32>,
    sign: Vec<f32>,
    rng: [u32; LANES],
    // scalar scratch for readout and descent
    spins: Vec<i8>,
    fields: Vec<f64>,
    order: Vec<(f32, u32)>,
    // results of the last run
    steps_done: u64,
    best_osc: Best,
    best_gr: Best,
}

impl Block {
    fn new(n: usize) -> Self {
        let z = vec![0f32; n * LANES];
        Self {
            theta: z.clone(),
            cs: [vec![0f32; 2 * n * LANES], vec![0f32; 2 * n * LANES]],
            mu_fac: z.clone(),
            sign: z,
            rng: [1; LANES],
            spins: vec![1; n],
            fields: vec![0.0; n],
            order: Vec::with_capacity(n),
            steps_done: 0,
            best_osc: None,
            best_gr: None,
        }
    }

    fn run(&mut self, ctx: &RunCtx<'_>, b: usize) {
        let p = ctx.p;
        let model = ctx.model;
        let n = model.n();
        self.steps_done = 0;
        self.best_osc = None;
        self.best_gr = None;
        if ctx.shared.should_stop() {
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(splitmix(
            p.seed ^ splitmix(((ctx.round as u64) << 32) ^ b as u64),
        ));
        for v in self.theta.iter_mut() {
            *v = rng.random_range(-PI..PI);
        }
        for v in self.mu_fac.iter_mut() {
            *v = (1.0 + p.mu_spread * rng.random_range(-1.0..1.0)) as f32;
        }
        for r in self.rng.iter_mut() {
            *r = rng.random::<u32>() | 1;
        }
        let unit = model.uniform_coupling().map(|w| w as f32);
        let mut cur = 0usize;
        // initial sin/cos
        {
            let cs = &mut self.cs[0];
            for i in 0..n {
                for l in 0..LANES {
                    let (sv, cv) = sincos(self.theta[i * LANES + l]);
                    cs[2 * i * LANES + l] = cv;
                    cs[2 * i * LANES + LANES + l] = sv;
                }
            }
        }
        let mut lane_best = f32::INFINITY;
        let n_steps = match p.n_steps_first {
            Some(f) => p
                .n_steps
                .min(f.max(1).saturating_mul(1usize << ctx.round.min(40))),
            None => p.n_steps,
        };
        for k in 0..n_steps {
            let frac = k as f64 / n_steps as f64;
            let mu = p.mu_start + (p.mu_end - p.mu_start) * frac;
            let sigma = p.noise_start + (p.noise_end - p.noise_start) * frac;
            let coef = Coef {
                h: ctx.node_h,
                nf: ctx.node_nf,
                mu2: (2.0 * mu) as f32,
                noise: sigma as f32,
                het: p.mu_spread > 0.0,
                unit,
            };
            let [c0, c1] = &mut self.cs;
            let (cin, cout) = if cur == 0 { (&*c0, c1) } else { (&*c1, c0) };
            step_dispatch(
                model,
                &mut self.theta,
                cin,
                cout,
                &self.mu_fac,
                &mut self.rng,
                coef,
            );
            cur ^= 1;
            self.steps_done += LANES as u64;
            let last = k + 1 == n_steps;
            if (k + 1) % p.readout_every == 0 || last {
                // cheap readout at θ_ref = 0: energies of all lanes in one CSR pass (f32)
                let cnow = &self.cs[cur];
                let e = lane_energies(model, cnow, &mut self.sign);
                let (l, el) =
                    e.iter().enumerate().fold(
                        (0, f32::INFINITY),
                        |a, (l, &v)| if v < a.1 { (l, v) } else { a },
                    );
                if el < lane_best {
                    lane_best = el;
                    for i in 0..n {
                        self.spins[i] = if self.sign[i * LANES + l] >= 0.0 {
                            1
                        } else {
                            -1
                        };
                    }
                    let exact = model.energy_unchecked(&self.spins);
                    offer_osc(&mut self.best_osc, &self.spins, exact, ctx, self.steps_done);
                }
                if p.greedy && p.greedy_readouts {
                    for i in 0..n {
                        self.spins[i] = if self.sign[i * LANES + l] >= 0.0 {
                            1
                        } else {
                            -1
                        };
                    }
                    greedy_descent(model, &mut self.spins, &mut self.fields);
                    let eg = model.energy_unchecked(&self.spins);
                    offer_osc(&mut self.best_gr, &self.spins, eg, ctx, self.steps_done);
                }
                if ctx.shared.should_stop() {
                    break;
                }
            }
        }
        // final readout of every lane at its best reference phase, then greedy descent
        let cnow = &self.cs[cur];
        for l in 0..LANES {
            let e = best_reference_readout(
                model,
                cnow,
                l,
                &mut self.spins,
                &mut self.fields,
                &mut self.order,
            );
            offer_osc(&mut self.best_osc, &self.spins, e, ctx, self.steps_done);
            if p.greedy {
                greedy_descent(model, &mut self.spins, &mut self.fields);
                let eg = model.energy_unchecked(&self.spins);
                let cand = Some((
                    eg,
                    self.spins.clone(),
                    ctx.shared.start.elapsed(),
                    ctx.steps_before + self.steps_done,
                ));
                note_target(ctx, eg);
                merge(&mut self.best_gr, &cand);
            }
        }
    }
}

/// Keep `e` (with `spins`) as the block's best pure readout if it is lower.
fn offer_osc(best: &mut Best, spins: &[i8], e: f64, ctx: &RunCtx<'_>, steps_done: u64) {
    let better = best
        .as_ref()
        .is_none_or(|b| e < b.0 - 1e-9 * (1.0 + b.0.abs()));
    if better {
        // replica-steps before this point, wall-clock equivalent: the previous rounds plus this
        // block's own steps times the number of blocks (blocks of a round run side by side)
        let at = ctx.steps_before + steps_done * ctx.n_blocks as u64;
        *best = Some((e, spins.to_vec(), ctx.shared.start.elapsed(), at));
        note_target(ctx, e);
    }
}

fn note_target(ctx: &RunCtx<'_>, e: f64) {
    if ctx.shared.target.is_some_and(|t| e <= t) {
        ctx.shared.hit.store(true, Ordering::Relaxed);
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Read lane `l` at the reference phase θ_ref ∈ [0, π) that minimises `H`: sweeping θ_ref flips
/// each spin once (at `(θ_i + π/2) mod π`), so all `n + 1` candidate partitions are scored in
/// `O(n log n + nnz)` with incrementally updated local fields (the CirCut readout of Burer,
/// Monteiro & Zhang 2002). Leaves the best spins in `spins` and returns their f64 energy.
fn best_reference_readout(
    model: &IsingModel,
    cs: &[f32],
    l: usize,
    spins: &mut [i8],
    fields: &mut [f64],
    order: &mut Vec<(f32, u32)>,
) -> f64 {
    let n = model.n();
    order.clear();
    for i in 0..n {
        let (c, s) = (cs[2 * i * LANES + l], cs[2 * i * LANES + LANES + l]);
        let th = s.atan2(c); // (−π, π]
        spins[i] = if c >= 0.0 { 1 } else { -1 };
        let a = (th + 0.5 * PI).rem_euclid(PI);
        order.push((a, i as u32));
    }
    order.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
    model.local_fields_into(spins, fields);
    let mut e = model.energy_unchecked(spins);
    let mut best = e;
    let mut best_k = 0usize;
    for (k, &(_, i)) in order.iter().enumerate() {
        let i = i as usize;
        e += 2.0 * spins[i] as f64 * fields[i];
        spins[i] = -spins[i];
        let ds = 2.0 * spins[i] as f64;
        let (col, val) = model.row(i);
        for (&j, &w) in col.iter().zip(val) {
            fields[j as usize] += w * ds;
        }
        if e < best {
            best = e;
            best_k = k + 1;
        }
    }
    // after the full sweep every spin has flipped once: undo the flips after best_k
    for &(_, i) in &order[best_k..] {
        spins[i as usize] = -spins[i as usize];
    }
    model.local_fields_into(spins, fields);
    model.energy_unchecked(spins)
}

/// Energies `H(sgn cos θ)` of all lanes (f32, for selecting a lane; exact values are recomputed
/// in f64). Writes the signs into `sign`.
fn lane_energies(model: &IsingModel, cs: &[f32], sign: &mut [f32]) -> [f32; LANES] {
    for i in 0..model.n() {
        for l in 0..LANES {
            sign[i * LANES + l] = if cs[2 * i * LANES + l] >= 0.0 {
                1.0
            } else {
                -1.0
            };
        }
    }
    let rp = model.row_ptr();
    let col = model.col();
    let val = model.values_f32();
    let mut e = [0f32; LANES];
    for i in 0..model.n() {
        let mut a = [0f32; LANES];
        for p in rp[i]..rp[i + 1] {
            let j = col[p] as usize;
            let w = val[p];
            let sj = &sign[j * LANES..j * LANES + LANES];
            for l in 0..LANES {
                a[l] += w * sj[l];
            }
        }
        for l in 0..LANES {
            e[l] -= 0.5 * a[l] * sign[i * LANES + l];
        }
    }
    e
}

#[derive(Clone, Copy)]
struct Coef<'a> {
    /// Per-node step `h_i`.
    h: &'a [f32],
    /// Per-node noise factor (`σ·nf_i` multiplies a U[−½, ½) variate).
    nf: &'a [f32],
    mu2: f32,
    noise: f32,
    /// Heterogeneous μ (use the per-node factors).
    het: bool,
    /// `Some(w)` when every stored coupling equals `w`.
    unit: Option<f32>,
}

/// sin and cos of `x ∈ [−2π, 2π]` to about 1e-7: Cody–Waite reduction to `|r| ≤ π/4`, Taylor
/// polynomials, quadrant fix-up. Branch-free so the replica loop vectorises.
#[inline(always)]
fn sincos(x: f32) -> (f32, f32) {
    const P1: f32 = 1.570_312_5; // π/2 split: exact high part
    const P2: f32 = 4.837_512_8e-4;
    const P3: f32 = 7.549_789_4e-8;
    let q = (x * FRAC_2_PI).round_ties_even();
    let r = ((x - q * P1) - q * P2) - q * P3;
    // the integer q from the mantissa of q + 1.5·2²³ (exact for |q| < 2²²; a float→int `as`
    // cast would saturate and check NaN lane by lane, which stops the loop vectorising)
    let qi = (q + 12_582_912.0).to_bits() as i32;
    let r2 = r * r;
    let sr = r + r * r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0)));
    let cr = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24.0 + r2 * (-1.0 / 720.0 + r2 * (1.0 / 40320.0))));
    let swap = qi & 1 != 0;
    let (s0, c0) = if swap { (cr, sr) } else { (sr, cr) };
    let s = f32::from_bits(s0.to_bits() ^ (((qi & 2) as u32) << 30));
    let c = f32::from_bits(c0.to_bits() ^ ((((qi + 1) & 2) as u32) << 30));
    (s, c)
}

#[allow(clippy::too_many_arguments)]
fn step_dispatch(
    model: &IsingModel,
    theta: &mut [f32],
    cin: &[f32],
    cout: &mut [f32],
    mu_fac: &[f32],
    rng: &mut [u32; LANES],
    k: Coef<'_>,
) {
    // specialise on heterogeneity (μ_i factors or none) and on uniform couplings (J_ij = w:
    // no coupling values to load)
    macro_rules! go {
        ($f:ident $(, $fma:literal)?) => {
            match (k.het, k.unit.is_some()) {
                (true, true) => $f::<$($fma,)? true, true>(model, theta, cin, cout, mu_fac, rng, k),
                (true, false) => $f::<$($fma,)? true, false>(model, theta, cin, cout, mu_fac, rng, k),
                (false, true) => $f::<$($fma,)? false, true>(model, theta, cin, cout, mu_fac, rng, k),
                (false, false) => $f::<$($fma,)? false, false>(model, theta, cin, cout, mu_fac, rng, k),
            }
        };
    }
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            unsafe { go!(step_avx2) };
            return;
        }
    }
    go!(step_generic, false);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn step_avx2<const HET: bool, const UNIT: bool>(
    model: &IsingModel,
    theta: &mut [f32],
    cin: &[f32],
    cout: &mut [f32],
    mu_fac: &[f32],
    rng: &mut [u32; LANES],
    k: Coef<'_>,
) {
    step_generic::<true, HET, UNIT>(model, theta, cin, cout, mu_fac, rng, k);
}

/// One Euler–Maruyama step of every lane:
/// `θ ← θ + h(−(sin θ_i a_i − cos θ_i b_i) − μ_i sin 2θ_i) + σ√h ξ`, `a = Jc`, `b = Js`,
/// then wrap θ to [−π, π] and write its sin/cos for the next step. `ξ` is uniform with unit
/// variance (xorshift32 per lane; Euler–Maruyama with any unit-variance increments converges
/// weakly to the same diffusion).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn step_generic<const FMA: bool, const HET: bool, const UNIT: bool>(
    model: &IsingModel,
    theta: &mut [f32],
    cin: &[f32],
    cout: &mut [f32],
    mu_fac: &[f32],
    rng: &mut [u32; LANES],
    k: Coef<'_>,
) {
    let rp = model.row_ptr();
    let col = model.col();
    let val = model.values_f32();
    let n = model.n();
    assert!(theta.len() == n * LANES && mu_fac.len() == n * LANES);
    assert!(cin.len() == 2 * n * LANES && cout.len() == 2 * n * LANES);
    assert!(rp.len() == n + 1 && rp[n] == col.len() && col.len() == val.len());
    assert!(k.h.len() == n && k.nf.len() == n);
    let fma = |a: f32, b: f32, c: f32| if FMA { a.mul_add(b, c) } else { a * b + c };
    const W: usize = 2 * LANES;
    const ONES: [f32; LANES] = [1.0; LANES];
    let uw = k.unit.unwrap_or(1.0);
    let mut st = *rng;
    for i in 0..n {
        // two independent accumulator sets (even and odd couplings) hide the FMA latency
        let mut acc0 = [0f32; W];
        let mut acc1 = [0f32; W];
        let (lo, hi) = (rp[i], rp[i + 1]);
        let mut p = lo;
        while p + 1 < hi {
            // SAFETY: p + 1 < hi ≤ col.len() = val.len(); IsingModel guarantees col[p] < n, and
            // cin holds 2·n·LANES values, so the W-wide row of node j is in bounds.
            unsafe {
                let j0 = *col.get_unchecked(p) as usize * W;
                let j1 = *col.get_unchecked(p + 1) as usize * W;
                let r0 = cin.get_unchecked(j0..j0 + W);
                let r1 = cin.get_unchecked(j1..j1 + W);
                if UNIT {
                    for l in 0..W {
                        acc0[l] += r0[l];
                        acc1[l] += r1[l];
                    }
                } else {
                    let w0 = *val.get_unchecked(p);
                    let w1 = *val.get_unchecked(p + 1);
                    for l in 0..W {
                        acc0[l] = fma(w0, r0[l], acc0[l]);
                        acc1[l] = fma(w1, r1[l], acc1[l]);
                    }
                }
            }
            p += 2;
        }
        if p < hi {
            let j = col[p] as usize * W;
            let w = if UNIT { 1.0 } else { val[p] };
            let r = &cin[j..j + W];
            for l in 0..W {
                acc0[l] = fma(w, r[l], acc0[l]);
            }
        }
        let (hi, sg) = (k.h[i], k.noise * k.nf[i]);
        let o = i * LANES;
        let th = &mut theta[o..o + LANES];
        let me = &cin[2 * o..2 * o + W];
        let mf = if HET { &mu_fac[o..o + LANES] } else { &ONES };
        let out = &mut cout[2 * o..2 * o + W];
        for l in 0..LANES {
            let (mut a, mut b) = (acc0[l] + acc1[l], acc0[LANES + l] + acc1[LANES + l]);
            if UNIT {
                a *= uw;
                b *= uw;
            }
            let (ci, si) = (me[l], me[LANES + l]);
            let mut x = st[l];
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            st[l] = x;
            let u = (x >> 8) as f32 * (1.0 / 16_777_216.0) - 0.5;
            let force = si * a - ci * b + k.mu2 * mf[l] * si * ci;
            let mut t = th[l] - hi * force + sg * u;
            t -= TAU * (t * (1.0 / TAU)).round_ties_even();
            th[l] = t;
            let (s, c) = sincos(t);
            out[l] = c;
            out[LANES + l] = s;
        }
    }
    *rng = st;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The f32 replica kernel tracks the f64 flow: 300 noise-free Euler steps on a weighted
    /// random graph agree to 1e-3 rad in every lane (f32 accumulates ~1e-6 per step).
    #[test]
    fn f32_replica_kernel_matches_the_f64_flow() {
        use crate::problems::WeightedGraph;
        let g = WeightedGraph::random(40, 0.3, &[1.0, -1.0, 0.5], 3).unwrap();
        let model = IsingModel::max_cut(&g).unwrap();
        let n = model.n();
        let dt = 0.02;
        let mu = 0.7;
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut theta: Vec<f32> = (0..n * LANES).map(|_| rng.random_range(-PI..PI)).collect();
        let mut cs = [vec![0f32; 2 * n * LANES], vec![0f32; 2 * n * LANES]];
        for i in 0..n {
            for l in 0..LANES {
                let (s, c) = sincos(theta[i * LANES + l]);
                cs[0][2 * i * LANES + l] = c;
                cs[0][2 * i * LANES + LANES + l] = s;
            }
        }
        let mut x: Vec<Vec<f64>> = (0..LANES)
            .map(|l| (0..n).map(|i| theta[i * LANES + l] as f64).collect())
            .collect();
        let hs = vec![dt as f32; n];
        let nf = vec![0f32; n];
        let mu_fac = vec![1f32; n * LANES];
        let mut st = [1u32; LANES];
        let mut flow = OimFlow::new(&model, vec![mu; n]).unwrap();
        let mut dx = vec![0.0; n];
        let mut cur = 0;
        for _ in 0..300 {
            let k = Coef {
                h: &hs,
                nf: &nf,
                mu2: (2.0 * mu) as f32,
                noise: 0.0,
                het: false,
                unit: None,
            };
            let [c0, c1] = &mut cs;
            let (cin, cout) = if cur == 0 { (&*c0, c1) } else { (&*c1, c0) };
            step_dispatch(&model, &mut theta, cin, cout, &mu_fac, &mut st, k);
            cur ^= 1;
            for xl in x.iter_mut() {
                flow.eval_into(0.0, xl, &mut dx);
                for i in 0..n {
                    xl[i] += dt * dx[i];
                }
            }
        }
        let mut worst = 0f64;
        for l in 0..LANES {
            for i in 0..n {
                let d = theta[i * LANES + l] as f64 - x[l][i];
                worst = worst
                    .max((d - std::f64::consts::TAU * (d / std::f64::consts::TAU).round()).abs());
            }
        }
        assert!(worst < 1e-3, "f32 kernel vs f64 flow: {worst:e} rad");
        assert!(worst > 0.0, "the comparison is live");
    }

    #[test]
    fn sincos_is_accurate() {
        let mut worst = 0f32;
        for k in -20000..=20000 {
            let x = k as f32 * 1e-4 * std::f32::consts::PI;
            let (s, c) = sincos(x);
            worst = worst.max((s - x.sin()).abs()).max((c - x.cos()).abs());
        }
        assert!(worst < 5e-7, "worst error {worst}");
    }
}
