//! Configuration of the oscillator Ising machine: the time step, the `μ` schedule, the noise,
//! the readouts and the restarts, validated once by [`OscillatorIsingMachine::new`].
//!
//! [`OscillatorIsingMachine::new`]: super::OscillatorIsingMachine::new

use crate::error::{Error, Result};
use crate::problems::IsingModel;
use crate::schedule::Schedule;
use faer::Par;

/// The mathematics of the batch machine (its schedule, noise, readouts, restarts, replicas and
/// seed); how long it runs is the [`Budget`](crate::run::Budget) passed to `solve`. Build with [`OimParams::for_model`] (one round of
/// 2000 steps) or [`OimParams::for_long_runs`] (20 000-step rounds for long runs), adjust
/// the public fields, and pass to [`OscillatorIsingMachine::new`](super::OscillatorIsingMachine::new)
/// (which validates them).
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
///
/// ```
/// use attractor::models::OimParams;
/// use attractor::problems::{IsingModel, WeightedGraph};
/// let g = WeightedGraph::random(30, 0.2, &[1.0], 1)?;
/// let mut p = OimParams::for_model(&IsingModel::max_cut(&g)?);
/// p.schedule.n_steps = 500;
/// p.seed = 7;
/// p.par = faer::Par::rayon(2); // two blocks of replicas at a time on rayon's global pool
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OimParams {
    /// Euler–Maruyama step in units of `1/d` (of `1/d_i` for node `i` with `precondition`).
    /// The injection's Euler step `θ ← θ − h_i·2μ_i·θ` near a lock is stable only for
    /// `h_i·μ_i < 1`, which [`new`](super::OscillatorIsingMachine::new) checks at every node.
    /// `None`: the default of [`for_model`](Self::for_model) for the model solved (1, lowered
    /// where a weak node needs it).
    pub dt: Option<f64>,
    /// Per-node time scale `1/d_i` (preconditioned flow); `false`: one clock `1/max_i d_i`.
    pub precondition: bool,
    /// The length of a round and the `μ` ramp.
    pub schedule: OimSchedule,
    /// The noise amplitude `σ` over a round (by fraction of the round), in units of `√d`.
    pub noise: Schedule,
    /// When and how spins are read from the phases.
    pub readout: OimReadout,
    /// How rounds after the first start.
    pub restart: OimRestart,
    /// Number of replicas (rounded up to a multiple of [`LANES`](super::LANES)).
    pub replicas: usize,
    /// Seed of every random number: block `b` of round `r` draws from the streams
    /// [`rng::stream`](crate::rng::stream)`(seed, base + r·n_blocks + b)`, so results do not
    /// depend on `par`.
    pub seed: u64,
    /// Parallelism across blocks of [`LANES`](super::LANES) replicas: `Par::Seq` runs them in
    /// the calling thread, `Par::rayon(k)` runs at most `k` blocks at a time on rayon's global
    /// pool ([`ALL_THREADS`](crate::linalg::ALL_THREADS): as many as the pool has; no pool is
    /// built per call). The answer does not depend on it.
    pub par: Par,
}

/// The length of a round and its `μ` schedule: `μ(t)` follows `mu` over the fraction of the
/// round done (the defaults ramp it linearly from 0).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OimSchedule {
    /// Steps per annealing round.
    pub n_steps: usize,
    /// Doubling schedule: round `r` (from 0) runs `min(n_steps, n_steps_first·2^r)` steps, so the
    /// first answers come early and later rounds anneal longer. `None`: every round `n_steps`.
    pub n_steps_first: Option<usize>,
    /// The second-harmonic strength `μ` over a round (by fraction of the round; every value
    /// `≥ 0`). `None`: the default of [`for_model`](OimParams::for_model) for the model solved
    /// (linear from 0 to a `μ_end` scaled to its couplings).
    pub mu: Option<Schedule>,
    /// Heterogeneity `δ ∈ [0, 1)`: `μ_i = μ(t)(1 + δu_i)`, `u_i ~ U[−1, 1]` drawn per replica and
    /// round (Allibhoy et al. 2025); `0` gives the homogeneous machine.
    pub mu_spread: f64,
}

/// Readouts `s_i = sgn cos θ_i` and the greedy descent that polishes them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OimReadout {
    /// Read the spins of every replica every this many steps.
    pub every: usize,
    /// Run a greedy single-flip descent on every replica's final readout (reported separately).
    pub greedy: bool,
    /// With `greedy`, also descend from the lowest-energy replica of every periodic readout
    /// (cost `O(nnz)` per readout), so descended answers arrive during a round, not only at its
    /// end.
    pub greedy_readouts: bool,
}

/// Warm restarts: after the first round, replicas start from the best state found so far
/// (phases `0`/`π`) plus a uniform phase kick in `[−warm_kick, warm_kick]` radians, and skip the
/// first `warm_skip` fraction of the schedule.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OimRestart {
    /// Phase kick of a warm start (radians); `0` restarts every round from random phases.
    pub warm_kick: f64,
    /// Fraction of the `μ`/noise schedule skipped by a warm restart, in `[0, 1)`.
    pub warm_skip: f64,
    /// Every `cold_every`-th round (counting from 0) starts from random phases instead, to leave a
    /// basin the warm rounds cannot; `0`: only the first round.
    pub cold_every: usize,
    /// Start the first round warm from these spins (`±1`, one per spin of the model) instead of
    /// random phases, to refine a known state; needs `warm_kick > 0`. With greedy readouts, the
    /// descended start is the first candidate of the greedy track, so a refinement never
    /// reports worse than its start.
    pub initial_spins: Option<Vec<i8>>,
}

/// Steps per round of [`OimParams::for_model`].
pub const STEPS_PER_ROUND: usize = 2000;
/// Steps per round of [`OimParams::for_long_runs`].
pub const STEPS_PER_ROUND_TIMED: usize = 20_000;
/// The `h_i·μ_i` that [`OimParams::for_model`] chooses at the weakest node when `dt = 1` fails
/// the check (`½`: the injection alone locks a phase in one step).
const HMU_DEFAULT: f64 = 0.5;

/// Bytes of state per replica and spin (f32 cos/sin, spin, field, best-state copies), an
/// upper estimate used to refuse replica counts that cannot fit.
pub const REPLICA_STATE_BYTES: usize = 32;

impl Default for OimParams {
    /// The defaults of [`for_model`](OimParams::for_model) with the model-dependent values
    /// (`dt`, `μ`) left to the model the machine solves.
    fn default() -> Self {
        Self {
            dt: None,
            precondition: true,
            schedule: OimSchedule {
                n_steps: STEPS_PER_ROUND,
                n_steps_first: None,
                mu: None,
                mu_spread: 0.0,
            },
            noise: Schedule::Linear {
                start: 0.5,
                end: 0.0,
            },
            readout: OimReadout {
                every: 50,
                greedy: true,
                greedy_readouts: true,
            },
            restart: OimRestart {
                warm_kick: 1.0,
                warm_skip: 0.5,
                cold_every: 3,
                initial_spins: None,
            },
            replicas: 16,
            seed: 0,
            par: Par::Seq,
        }
    }
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
    /// every readout's best replica, `dt = 1` (20 000-step runs on G22, 8 seeds: mean best cut
    /// 13 352.1 against 13 350.8 with `dt = 0.6`), 2000 steps per run, 16 replicas, readout every
    /// 50 steps, `Par::Seq`, one round. When more rounds run (a time budget), rounds after the
    /// first restart warm from the best state so far (`warm_kick = 1` rad, `warm_skip = ½`) and
    /// every third round starts cold: in 10-second runs on G22, G27, G39, G7, G43 (4 seeds each)
    /// this reached 13 354–13 358 / 3339–3341 / 2401–2405 / 2006 / 6659–6660 against
    /// 13 353–13 355 / 3327–3337 / 2395–2400 / 2001–2006 / 6659–6660 with cold restarts only.
    ///
    /// `dt` is lowered below 1 where a node's coupling sum `d_i` is not above `μ_end` (a pendant
    /// vertex of a weighted graph), to the step with `h_i·μ_i ≤ ½` at every node, so that
    /// [`OscillatorIsingMachine::new`](super::OscillatorIsingMachine::new) always accepts
    /// these defaults.
    pub fn for_model(model: &IsingModel) -> Self {
        Self::default().resolved(model)
    }

    /// These parameters with the model-dependent defaults (`dt`, `μ`) filled in for `model`
    /// where they are `None` (the rules of [`for_model`](Self::for_model)).
    pub fn resolved(&self, model: &IsingModel) -> Self {
        let mut p = self.clone();
        let n = model.n().max(1);
        let vals = model.values();
        let mean_row: f64 = vals.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
        let one_sign = vals.iter().all(|&v| v >= 0.0) || vals.iter().all(|&v| v <= 0.0);
        // mixed signs: the local field of random spins has size √(Σ_j J_ij²), not Σ_j |J_ij|
        let rms_field = (vals.iter().map(|v| v * v).sum::<f64>() / n as f64).sqrt();
        let mu = p.schedule.mu.get_or_insert_with(|| Schedule::Linear {
            start: 0.0,
            end: if one_sign {
                0.15 * mean_row
            } else {
                (0.45 * rms_field).max(0.1 * mean_row)
            },
        });
        let mu_max = mu.range().1;
        if p.dt.is_none() {
            let mut dt = 1.0;
            if mu_max > 0.0 && mu_max.is_finite() {
                // the check of `new` (h_i·μ < 1 at every node); where dt = 1 fails it, the
                // largest step with h_i·μ ≤ ½ at every node
                let d_min = NodeScales::of(model).step_scale_min(p.precondition);
                if dt * mu_max / d_min >= 1.0 {
                    dt = HMU_DEFAULT * d_min / mu_max;
                }
            }
            p.dt = Some(dt);
        }
        p
    }

    /// The defaults of [`for_model`](Self::for_model) for long runs (a budget of time, or of
    /// many rounds): rounds of 20 000 steps (longer rounds anneal better: on G1, single 5000-step
    /// rounds reached 11 609–11 618 against 11 620–11 624 for 20 000 steps, `bench/README.md`),
    /// restarted warm until the budget is spent.
    pub fn for_long_runs(model: &IsingModel) -> Self {
        let mut p = Self::for_model(model);
        p.schedule.n_steps = STEPS_PER_ROUND_TIMED;
        p
    }

    /// The smallest `μ_i` at the end of a round, `μ(1)(1 − δ)`: a state that is stable for it
    /// is stable for every replica's `μ` (0 while `μ` is left to the model: see
    /// [`resolved`](Self::resolved)).
    pub fn mu_final_min(&self) -> f64 {
        self.schedule
            .mu
            .as_ref()
            .map_or(0.0, |m| m.at_fraction(1.0))
            * (1.0 - self.schedule.mu_spread)
    }

    /// Check every field on its own and against the model the machine integrates (`work`:
    /// field-free, the ancilla added) and the model it was given (`n` spins).
    pub(crate) fn validate(&self, work: &NodeScales, n: usize) -> Result<()> {
        // called on resolved parameters: dt and μ are set
        let dt = self.dt.unwrap_or(1.0);
        let mu = self.schedule.mu.clone().unwrap_or(Schedule::Constant(0.0));
        crate::error::check_positive(
            "dt",
            dt,
            "use a step such as 0.1 (units of 1/max row sum), or None for the default",
        )?;
        let s = &self.schedule;
        mu.validate("mu", false)?;
        self.noise.validate("noise", false)?;
        crate::error::check_nonnegative(
            "warm_kick",
            self.restart.warm_kick,
            "use a phase kick >= 0 radians (0: cold restarts)",
        )?;
        if !(0.0..1.0).contains(&self.restart.warm_skip) {
            return Err(Error::invalid(
                "warm_skip",
                self.restart.warm_skip,
                "the skipped fraction of the schedule must lie in [0, 1)",
            ));
        }
        if !(0.0..1.0).contains(&s.mu_spread) {
            return Err(Error::invalid(
                "mu_spread",
                s.mu_spread,
                "heterogeneity δ must lie in [0, 1)",
            ));
        }
        for (name, v) in [
            ("n_steps", s.n_steps),
            ("replicas", self.replicas),
            ("readout.every", self.readout.every),
        ] {
            if v == 0 {
                return Err(Error::invalid(name, v, "must be at least 1"));
            }
        }
        // the replicas' state (phases as f32 cos/sin, spins, fields, best states), refused up
        // front under the library's memory policy rather than failing to allocate
        crate::memory::check(
            "oscillator replicas (replicas x spins, phases, fields and best states)",
            &[
                self.replicas.div_ceil(super::LANES) * super::LANES,
                n.max(1),
            ],
            REPLICA_STATE_BYTES,
            "use fewer replicas (each holds a state of every spin)",
        )?;
        if let Some(sp) = &self.restart.initial_spins {
            if self.restart.warm_kick <= 0.0 {
                return Err(Error::Incompatible(
                    "initial_spins needs warm_kick > 0 (the phase kick of a warm start), e.g. 1.0"
                        .into(),
                ));
            }
            crate::error::check_len(
                "initial_spins",
                sp.len(),
                n,
                "give one spin per spin of the model",
            )?;
            if let Some(i) = sp.iter().position(|&v| v != 1 && v != -1) {
                return Err(Error::invalid(
                    &format!("initial_spins[{i}]"),
                    sp[i],
                    "spins are +1 or -1",
                ));
            }
        }
        // the Euler step of the injection alone, θ ← θ − h_i·2μ_i·θ near a lock, is stable only
        // for h_i·μ_i < 1: a larger step can never settle at 0 or π
        let mu_max = mu.range().1 * (1.0 + s.mu_spread);
        if mu_max > 0.0 {
            let d_min = work.step_scale_min(self.precondition);
            let hmu = dt * mu_max / d_min;
            if hmu >= 1.0 {
                return Err(Error::invalid(
                    "dt",
                    dt,
                    &format!(
                        "with mu up to {mu_max} the step h·mu = {hmu:.3} >= 1 at the node with \
                         the smallest coupling sum ({d_min}), so no phase can lock; use dt < {:.4} \
                         or a smaller mu",
                        dt / hmu
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The per-node coupling sums `d_i = Σ_j |J_ij|` of the field-free model the machine integrates
/// (the ancilla of a model with fields included: `d_i + |h_i|`, and `Σ_i |h_i|` for the
/// ancilla), which set each node's clock.
pub(crate) struct NodeScales {
    /// `d_i`.
    pub(crate) rows: Vec<f64>,
    /// `d̄ = mean_i d_i` (at least `f64::MIN_POSITIVE`).
    pub(crate) mean: f64,
    /// `max_i d_i` (at least `f64::MIN_POSITIVE`).
    pub(crate) max: f64,
}

impl NodeScales {
    /// The scales of `model` as the machine integrates it (with the ancilla when it has fields).
    pub(crate) fn of(model: &IsingModel) -> Self {
        let n = model.n();
        let h = model.fields();
        let mut rows: Vec<f64> = (0..n)
            .map(|i| model.row(i).1.iter().map(|v| v.abs()).sum::<f64>() + h[i].abs())
            .collect();
        if model.has_fields() {
            rows.push(h.iter().map(|v| v.abs()).sum());
        }
        let mean = (rows.iter().sum::<f64>() / rows.len().max(1) as f64).max(f64::MIN_POSITIVE);
        let max = rows
            .iter()
            .copied()
            .fold(0.0, f64::max)
            .max(f64::MIN_POSITIVE);
        Self { rows, mean, max }
    }

    /// The clock scale of node `i`: `d_i` with `precondition` (an isolated node takes `d̄`),
    /// else `max_i d_i`; node `i`'s step is `h_i = dt / scale_i`.
    pub(crate) fn step_scale(&self, i: usize, precondition: bool) -> f64 {
        if precondition {
            let d = self.rows[i];
            if d > 0.0 { d } else { self.mean }
        } else {
            self.max
        }
    }

    /// `min_i` of [`step_scale`](Self::step_scale): where `h_i·μ` is largest.
    pub(crate) fn step_scale_min(&self, precondition: bool) -> f64 {
        (0..self.rows.len())
            .map(|i| self.step_scale(i, precondition))
            .fold(f64::INFINITY, f64::min)
    }
}
