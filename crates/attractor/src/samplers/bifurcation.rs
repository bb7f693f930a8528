//! Simulated bifurcation (Goto, Tatsumura & Dixon, Sci. Adv. 5, eaav2372, 2019; Goto et al.,
//! Sci. Adv. 7, eabe7953, 2021): each spin is a particle `(x_i, y_i)` of a classical Hamiltonian
//! system whose potential bifurcates as the pump `a(t)` rises from 0 to `a₀`,
//!
//! `ẏ_i = −(a₀ − a(t)) x_i + c₀ Σ_j J_ij φ(x_j) (+ c₀ h_i),   ẋ_i = a₀ y_i`,
//!
//! integrated by symplectic Euler (`y` first, then `x` with the new `y`), with inelastic walls
//! at `|x_i| = 1` (`x_i ← sgn x_i`, `y_i ← 0`). Ballistic SB takes `φ(x) = x`, discrete SB
//! `φ(x) = sgn x` (Goto 2021: the discrete version escapes the analog errors of the ballistic
//! one and reaches better cuts). The spins are `s_i = sgn x_i` at the end.
//!
//! Agents (independent initial conditions) run side by side in blocks of [`LANES`] as f32
//! lanes, so the coupling product `Σ_j J_ij φ(x_j)` of a block is one pass over the couplings
//! with a vector of lanes per entry.

use super::rounds::run_rounds;
use super::{IsingSampler, SampleSet};
use crate::error::{Error, Result};
use crate::problems::IsingModel;
use crate::rng::{stream, streams};
use crate::run::Budget;
use crate::run::replicas::{Restarts, Stops};
use faer::Par;
use rand::RngExt;

/// Agents integrated together in one block (f32 lanes).
pub const LANES: usize = 16;

/// Steps between recomputations of discrete SB's incrementally updated fields (bounding the
/// f32 rounding a long run of flips accumulates with non-integer weights).
const REFRESH: usize = 256;

/// The coupling `φ(x_j)` of the agents' positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bifurcation {
    /// Ballistic SB: `φ(x) = x`.
    Ballistic,
    /// Discrete SB: `φ(x) = sgn x`.
    #[default]
    Discrete,
}

/// The mathematics of simulated bifurcation.
#[derive(Debug, Clone, PartialEq)]
pub struct BifurcationParams {
    /// Ballistic or discrete.
    pub variant: Bifurcation,
    /// Agents per round (rounded up to a multiple of [`LANES`]), at least 1.
    pub agents: usize,
    /// Steps per run (the length of the pump ramp) — the longest ramp when
    /// [`steps_first`](Self::steps_first) doubles them — at least 1.
    pub steps: usize,
    /// Doubling ramps: round `r` (from 0) runs `min(steps, steps_first·2^r)` steps, so the first
    /// answers come early and later rounds anneal longer (hard instances need long ramps: on
    /// G-set G22 discrete SB reached the best-known cut on 4 of 4 seeds within 10 s with
    /// 10 000-step ramps, and on 1 of 10 with 1000); `None`: every round `steps`. The default
    /// `Some(1000)` with `steps = 10 000` runs 1000 steps in the first round (a single round is
    /// the classic 1000-step SB) and 2000, 4000, 8000, then 10 000 in the rounds after it.
    pub steps_first: Option<usize>,
    /// The time step `Δt > 0`; `None`: `min(1.25, 1.2/ω)` with `ω² = a₀ + c₀ ρ` and `ρ` the
    /// largest absolute row sum of `J` (a bound on its spectral radius), so that the symplectic
    /// Euler step of the linearised dynamics `ẍ = −(a₀ − a)x + c₀Jx` stays stable (`Δt ω < 2`)
    /// with a margin. Goto et al. take `Δt = 1.25` on their instances; on graphs with strong
    /// one-sign couplings (G-set G1: `c₀ρ ≈ 4`) that step makes the agents flip in step with
    /// their neighbours and collapse to a uniform state (cut 0), which this bound prevents.
    pub dt: Option<f64>,
    /// The coupling scale `c₀ > 0`; `None`: `0.5 / (σ √n)` with `σ` the root mean square of the
    /// couplings over all pairs (Goto 2019), i.e. `0.5 / √(Σ_ij J_ij² / (n − 1))`.
    pub c0: Option<f64>,
    /// Heating `γ ≥ 0` (heated SB, Kanao & Goto, Commun. Phys. 5, 153, 2022): the momentum
    /// update gains `+γ y_i`, a negative friction that feeds kinetic energy back into the
    /// particles (the heating phase of a Nosé–Hoover thermostat) so that agents leave shallow
    /// local minima before the pump freezes them; `0` (the default) is plain SB.
    pub heating: f64,
    /// Warm restarts: with `warm > 0`, rounds after the first start every agent at
    /// `x_i = warm·s_i + U(−0.1, 0.1)` around the best state `s` so far, with the pump already
    /// at `warm_skip` of its ramp, so that the agents relax from perturbations of the best
    /// state instead of bifurcating anew; `0` (the default): every round from random states.
    pub warm: f64,
    /// The fraction of the pump ramp a warm round skips, in `[0, 1)`.
    pub warm_skip: f64,
    /// With warm restarts, every `cold_every`-th round starts cold (`0`: only the first).
    pub cold_every: usize,
    /// Agent block `b` of round `r` starts from `rng::stream(seed, INIT + r·n_blocks + b)`
    /// (`x, y` uniform in `[−0.1, 0.1]`), so results do not depend on `par`.
    pub seed: u64,
    /// Blocks in parallel (`Par::Seq` or at most `k` at a time with `Par::rayon(k)`).
    pub par: Par,
}

impl Default for BifurcationParams {
    /// Discrete SB, 64 agents, ramps doubling from 1000 to 10 000 steps, the default `Δt` and
    /// `c₀`, no heating, cold restarts, seed 0, sequential.
    fn default() -> Self {
        Self {
            variant: Bifurcation::Discrete,
            agents: 64,
            steps: 10_000,
            steps_first: Some(1000),
            dt: None,
            c0: None,
            heating: 0.0,
            warm: 0.0,
            warm_skip: 0.5,
            cold_every: 3,
            seed: 0,
            par: Par::Seq,
        }
    }
}

impl BifurcationParams {
    /// Check every value; the message names it.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("agents", self.agents),
            ("steps", self.steps),
            ("steps_first", self.steps_first.unwrap_or(1)),
        ] {
            if v == 0 {
                return Err(Error::invalid(name, 0, "must be at least 1"));
            }
        }
        if let Some(dt) = self.dt {
            crate::error::check_positive("dt", dt, "use a step such as 0.5, or None")?;
        }
        crate::error::check_nonnegative(
            "heating",
            self.heating,
            "use a heating rate >= 0 (0: plain SB; Kanao & Goto use about 0.01-0.1)",
        )?;
        crate::error::check_nonnegative(
            "warm",
            self.warm,
            "use a warm-start amplitude in [0, 1] (0: cold restarts only)",
        )?;
        if self.warm > 1.0 {
            return Err(Error::invalid(
                "warm",
                self.warm,
                "the warm-start amplitude is a position inside the walls: use [0, 1]",
            ));
        }
        if !(0.0..1.0).contains(&self.warm_skip) {
            return Err(Error::invalid(
                "warm_skip",
                self.warm_skip,
                "the skipped fraction of the pump ramp must lie in [0, 1)",
            ));
        }
        if let Some(c) = self.c0 {
            crate::error::check_positive("c0", c, "use a positive coupling scale, or None")?;
        }
        Ok(())
    }

    /// The steps of round `r`: `steps`, or the doubling ramp's `min(steps, steps_first·2^r)`.
    pub fn steps_of_round(&self, r: u64) -> usize {
        match self.steps_first {
            Some(f) => self.steps.min(f.saturating_mul(1usize << r.min(40) as u32)),
            None => self.steps,
        }
    }

    /// `Δt` for `model` (the given one, or the default of the field docs).
    pub fn time_step(&self, model: &IsingModel) -> f64 {
        self.dt.unwrap_or_else(|| {
            let omega = (1.0 + self.coupling_scale(model) * model.max_abs_row_sum()).sqrt();
            (1.2 / omega).min(1.25)
        })
    }

    /// `c₀` for `model` (the given one, or the default of the field docs).
    pub fn coupling_scale(&self, model: &IsingModel) -> f64 {
        self.c0.unwrap_or_else(|| {
            let n = model.n().max(2) as f64;
            let sq: f64 = model.values().iter().map(|v| v * v).sum::<f64>()
                + 2.0 * model.fields().iter().map(|v| v * v).sum::<f64>();
            if sq > 0.0 {
                0.5 / (sq / (n - 1.0)).sqrt()
            } else {
                0.5
            }
        })
    }
}

/// One symplectic Euler step of one spin in every lane, `a₀ = 1`:
/// `y ← (1 + γΔt)y + Δt(−(a₀ − a)x + c₀f)` (`γ` the heating, 0 for plain SB), `x += Δt y`,
/// then the inelastic wall (`|x| > 1`: `x ← sgn x`, `y ← 0`) — branch-free, as a
/// clamp and a select, so that the lanes vectorise.
#[inline(always)]
fn kick_drift_wall(
    x: &mut [f32; LANES],
    y: &mut [f32; LANES],
    f: &[f32; LANES],
    detuning: f32,
    dt: f32,
    c0: f32,
    heat: f32,
) {
    for k in 0..LANES {
        let yk = heat * y[k] + dt * (-detuning * x[k] + c0 * f[k]);
        let xk = x[k] + dt * yk;
        let wall = xk.abs() > 1.0;
        x[k] = xk.clamp(-1.0, 1.0);
        y[k] = if wall { 0.0 } else { yk };
    }
}

/// `Σ_j J_ij φ_j` in every lane, over the couplings of the (field-free, f32) working model.
#[inline(always)]
fn couple(model: &IsingModel, phi: &[[f32; LANES]], i: usize) -> [f32; LANES] {
    let (rp, col, val) = (model.row_ptr(), model.col(), model.values_f32());
    let mut f = [0.0f32; LANES];
    for (&j, &w) in col[rp[i]..rp[i + 1]].iter().zip(&val[rp[i]..rp[i + 1]]) {
        let pj = &phi[j as usize];
        for k in 0..LANES {
            f[k] += w * pj[k];
        }
    }
    f
}

/// The state of one block of agents: `x`, `y` as `n × LANES` (spin-major), f32.
struct Block {
    x: Vec<[f32; LANES]>,
    y: Vec<[f32; LANES]>,
    phi: Vec<[f32; LANES]>,
    /// Discrete SB: `Σ_j J_ij sgn x_j` per lane, kept up to date as signs flip (see
    /// [`Block::step_discrete`]); empty for ballistic SB.
    field: Vec<[f32; LANES]>,
}

impl Block {
    /// Positions and momenta uniform in `[−0.1, 0.1]`, the positions around `amp·s` when warm
    /// from `s`.
    fn new(n: usize, rng: &mut crate::rng::Rng, warm: Option<(&[i8], f32)>) -> Self {
        let mut draw = || {
            let mut v = [0.0f32; LANES];
            for x in &mut v {
                *x = rng.random_range(-0.1f32..0.1f32);
            }
            v
        };
        let x: Vec<[f32; LANES]> = (0..n)
            .map(|i| {
                let mut v = draw();
                if let Some((s, amp)) = warm {
                    v.iter_mut().for_each(|x| *x += amp * s[i] as f32);
                }
                v
            })
            .collect();
        let y: Vec<[f32; LANES]> = (0..n).map(|_| draw()).collect();
        Self {
            phi: vec![[0.0; LANES]; n],
            field: Vec::new(),
            x,
            y,
        }
    }

    /// `φ = sgn x` and `field = J φ` from scratch (the start of a discrete run, and every
    /// [`REFRESH`] steps against f32 rounding with non-integer weights).
    #[inline(always)]
    fn refresh_discrete(&mut self, model: &IsingModel) {
        for (p, x) in self.phi.iter_mut().zip(&self.x) {
            for k in 0..LANES {
                p[k] = if x[k] >= 0.0 { 1.0 } else { -1.0 };
            }
        }
        self.field.resize(self.x.len(), [0.0; LANES]);
        for (i, f) in self.field.iter_mut().enumerate() {
            *f = couple(model, &self.phi, i);
        }
    }

    /// One discrete-SB step with incrementally updated fields (the sign-coupled lever of the
    /// Ising-machine issue): the momenta and positions of every spin move with the fields of
    /// the signs at the start of the step (as [`step`](Self::step) does), then each spin whose
    /// sign flipped in a lane adds `2 J_ij sgn x_i` to its neighbours' fields in that lane. A
    /// step costs `O(n·LANES + flips × degree)` instead of `O(nnz·LANES)`: late in the ramp,
    /// when the signs have settled, almost nothing but the positions moves.
    #[inline(always)]
    fn step_discrete(&mut self, model: &IsingModel, a: f32, dt: f32, c0: f32, heat: f32) {
        let (rp, col, val) = (model.row_ptr(), model.col(), model.values_f32());
        let a0 = 1.0f32;
        for ((x, y), f) in self.x.iter_mut().zip(self.y.iter_mut()).zip(&self.field) {
            kick_drift_wall(x, y, f, a0 - a, dt, c0, heat);
        }
        for i in 0..self.x.len() {
            let (x, p) = (&self.x[i], &mut self.phi[i]);
            let mut flipped = [0.0f32; LANES];
            let mut changed = 0u32;
            for k in 0..LANES {
                let s = if x[k] >= 0.0 { 1.0 } else { -1.0 };
                let flip = s != p[k];
                flipped[k] = if flip { 2.0 * s } else { 0.0 };
                changed |= u32::from(flip);
                p[k] = s;
            }
            if changed != 0 {
                for (&j, &w) in col[rp[i]..rp[i + 1]].iter().zip(&val[rp[i]..rp[i + 1]]) {
                    let fj = &mut self.field[j as usize];
                    for k in 0..LANES {
                        fj[k] += w * flipped[k];
                    }
                }
            }
        }
    }

    /// One ballistic-SB symplectic Euler step at pump `a`: `y += Δt(−(a₀ − a)x + c₀Jx)`,
    /// then `x += Δt a₀ y`, then the walls.
    #[inline(always)]
    fn step_ballistic(&mut self, model: &IsingModel, a: f32, dt: f32, c0: f32, heat: f32) {
        // φ = x at the start of the step (a copy: the positions move during the sweep)
        self.phi.clone_from_slice(&self.x);
        for i in 0..self.x.len() {
            let f = couple(model, &self.phi, i);
            kick_drift_wall(&mut self.x[i], &mut self.y[i], &f, 1.0 - a, dt, c0, heat);
        }
    }

    /// The spins of agent `k`.
    fn spins(&self, k: usize) -> Vec<i8> {
        self.x
            .iter()
            .map(|x| if x[k] >= 0.0 { 1 } else { -1 })
            .collect()
    }
}

/// Simulated bifurcation as an [`IsingSampler`]: every agent of every round gives one read, its
/// final spins `sgn x`. The [`Budget`] bounds the rounds (one by default), the time, a target
/// energy (checked at the end of each block) and takes an interrupt (checked every 16 steps);
/// a block stopped early is read where it is, with the status in the set's info.
///
/// ```
/// use attractor::problems::{IsingModel, WeightedGraph, brute_force};
/// use attractor::samplers::{BifurcationSampler, IsingSampler};
/// let g = WeightedGraph::random(16, 0.3, &[1.0], 4)?;
/// let m = IsingModel::max_cut(&g)?;
/// let set = BifurcationSampler::default().sample_ising(&m)?;
/// assert_eq!(set.first().unwrap().energy, brute_force(&m)?.energy);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BifurcationSampler {
    /// The dynamics and the agents.
    pub params: BifurcationParams,
    /// Rounds, time, target energy, interrupt; the default is one round.
    pub budget: Budget,
}

impl Default for BifurcationSampler {
    /// [`BifurcationParams::default`] and a budget of one round.
    fn default() -> Self {
        Self::new(BifurcationParams::default())
    }
}

impl BifurcationSampler {
    /// A sampler with `params` and a budget of one round.
    pub fn new(params: BifurcationParams) -> Self {
        Self {
            params,
            budget: Budget::steps(1),
        }
    }
}

/// The part of the pump ramp a block runs, and the constants of its steps.
struct Ramp {
    first: usize,
    steps: usize,
    n_steps: usize,
    dt: f32,
    c0: f32,
    heat: f32,
}

/// Steps `first .. first + steps` of the ramp of `n_steps` (the pump `a = (t + 1)/n_steps`),
/// polling the stops every 16 steps. Inlined into the portable and the AVX2 entry points, so
/// that the lanes vectorise at the width the CPU has; the arithmetic (no fused
/// multiply-adds: Rust does not contract `a·b + c`) and so the results are the same on both.
#[inline(always)]
fn integrate(b: &mut Block, model: &IsingModel, variant: Bifurcation, r: &Ramp, stops: &Stops) {
    for t in r.first..r.first + r.steps {
        if (t - r.first) % 16 == 15 && stops.stop() {
            break;
        }
        let a = (t + 1) as f32 / r.n_steps as f32;
        match variant {
            Bifurcation::Ballistic => b.step_ballistic(model, a, r.dt, r.c0, r.heat),
            Bifurcation::Discrete => {
                if (t - r.first).is_multiple_of(REFRESH) {
                    b.refresh_discrete(model);
                }
                b.step_discrete(model, a, r.dt, r.c0, r.heat);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn integrate_avx2(
    b: &mut Block,
    model: &IsingModel,
    variant: Bifurcation,
    r: &Ramp,
    stops: &Stops,
) {
    integrate(b, model, variant, r, stops);
}

/// One block of agents run to the end of the ramp (or a stop); its agents' spins, of the
/// working model (with the ancilla when the model has fields).
/// `(c0, dt)` are the scale and step of `model`, computed once per sample, not per block.
fn run_block(
    model: &IsingModel,
    p: &BifurcationParams,
    (c0, dt): (f32, f32),
    (index, round): (u64, u64),
    warm: Option<&[i8]>,
    stops: &Stops,
) -> Vec<Vec<i8>> {
    let mut rng = stream(p.seed, streams::INIT + index);
    let n_steps = p.steps_of_round(round);
    let mut b = Block::new(model.n(), &mut rng, warm.map(|s| (s, p.warm as f32)));
    let heat = (1.0 + p.heating * dt as f64) as f32;
    // a warm round runs the last (1 − warm_skip) of the ramp
    let (first, steps) = match warm {
        Some(_) => {
            let left = ((n_steps as f64 * (1.0 - p.warm_skip)).ceil() as usize).max(1);
            (n_steps - left.min(n_steps), left.min(n_steps))
        }
        None => (0, n_steps),
    };
    let ramp = Ramp {
        first,
        steps,
        n_steps,
        dt,
        c0,
        heat,
    };
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            unsafe { integrate_avx2(&mut b, model, p.variant, &ramp, stops) };
            return (0..LANES).map(|k| b.spins(k)).collect();
        }
    }
    integrate(&mut b, model, p.variant, &ramp, stops);
    (0..LANES).map(|k| b.spins(k)).collect()
}

impl IsingSampler for BifurcationSampler {
    fn sample_ising(&self, model: &IsingModel) -> Result<SampleSet> {
        let p = &self.params;
        p.validate()?;
        // fields ride on an ancilla spin (J_{i,n} = h_i): the dynamics stay field-free
        let work = model.with_ancilla()?;
        let n_blocks = p.agents.div_ceil(LANES);
        crate::memory::check(
            "simulated-bifurcation agents (blocks x spins x lanes, x, y and phi)",
            &[n_blocks.min(64), work.n().max(1), LANES],
            16,
            "use fewer agents or a smaller model",
        )?;
        let scales = (p.coupling_scale(&work) as f32, p.time_step(&work) as f32);
        let restarts = Restarts {
            warm: p.warm > 0.0,
            cold_every: p.cold_every,
            initial: None,
        };
        run_rounds(
            model,
            &self.budget,
            (n_blocks, p.par, restarts),
            "simulated bifurcation",
            |i, warm, stops| {
                // the warm state is of `model`; the ancilla spin rides at +1
                let warm: Option<Vec<i8>> = warm.map(|s| {
                    let mut w = s.to_vec();
                    w.resize(work.n(), 1);
                    w
                });
                let round = i / n_blocks as u64;
                run_block(&work, p, scales, (i, round), warm.as_deref(), stops)
                    .iter()
                    .map(|s| model.from_ancilla_spins(s))
                    .collect()
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::WeightedGraph;

    /// The incrementally updated fields of discrete SB equal the fields recomputed from the
    /// signs after every step of a long run (weighted, ±1, and with fields through the
    /// ancilla), within f32 rounding; integer weights exactly.
    #[test]
    fn incremental_fields_equal_fields_recomputed_after_every_step() {
        let weighted = WeightedGraph::random(120, 0.1, &[0.37, 1.25, 2.5], 3).unwrap();
        let pm = WeightedGraph::random(120, 0.1, &[1.0, -1.0], 4).unwrap();
        let h: Vec<f64> = (0..120).map(|i| 0.1 * (i % 7) as f64 - 0.3).collect();
        for (what, m, exact) in [
            ("weighted", IsingModel::max_cut(&weighted).unwrap(), false),
            ("±1", IsingModel::max_cut(&pm).unwrap(), true),
            (
                "±1 with fields",
                IsingModel::from_couplings(120, h, &pm.edges, 0.0)
                    .unwrap()
                    .with_ancilla()
                    .unwrap(),
                false,
            ),
        ] {
            let p = BifurcationParams::default();
            let (c0, dt) = (p.coupling_scale(&m) as f32, p.time_step(&m) as f32);
            let mut b = Block::new(m.n(), &mut stream(1, 2), None);
            b.refresh_discrete(&m);
            let mut fresh = Block::new(m.n(), &mut stream(1, 2), None);
            let steps = 2000;
            let mut flips = 0usize;
            for t in 0..steps {
                let before = b.phi.clone();
                b.step_discrete(&m, (t + 1) as f32 / steps as f32, dt, c0, 1.0);
                flips += before
                    .iter()
                    .zip(&b.phi)
                    .map(|(a, z)| (0..LANES).filter(|&k| a[k] != z[k]).count())
                    .sum::<usize>();
                fresh.x.clone_from(&b.x);
                fresh.refresh_discrete(&m);
                assert_eq!(fresh.phi, b.phi, "{what}: signs at step {t}");
                for (i, (f, g)) in b.field.iter().zip(&fresh.field).enumerate() {
                    for k in 0..LANES {
                        let err = (f[k] - g[k]).abs();
                        if exact {
                            assert_eq!(err, 0.0, "{what}: spin {i} lane {k} step {t}");
                        } else {
                            assert!(err <= 1e-3, "{what}: spin {i} lane {k} step {t}: {err}");
                        }
                    }
                }
            }
            assert!(
                flips > 1000,
                "{what}: only {flips} flips, the test exercised nothing"
            );
        }
    }

    /// The AVX2 entry point runs the same arithmetic as the portable one (no contraction into
    /// fused multiply-adds): equal positions and momenta, bit for bit, for both variants.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_and_portable_integration_agree_bit_for_bit() {
        if !(std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma"))
        {
            return;
        }
        let g = WeightedGraph::random(150, 0.08, &[0.37, 1.25, -2.5], 9).unwrap();
        let m = IsingModel::max_cut(&g).unwrap();
        let p = BifurcationParams::default();
        let (c0, dt) = (p.coupling_scale(&m) as f32, p.time_step(&m) as f32);
        let stops = Stops::new(&Budget::steps(1));
        for variant in [Bifurcation::Discrete, Bifurcation::Ballistic] {
            let r = Ramp {
                first: 0,
                steps: 700,
                n_steps: 700,
                dt,
                c0,
                heat: 1.01,
            };
            let mut a = Block::new(m.n(), &mut stream(3, 4), None);
            let mut b = Block::new(m.n(), &mut stream(3, 4), None);
            integrate(&mut a, &m, variant, &r, &stops);
            // SAFETY: AVX2 and FMA were detected above.
            unsafe { integrate_avx2(&mut b, &m, variant, &r, &stops) };
            assert_eq!(a.x, b.x, "{variant:?}: positions");
            assert_eq!(a.y, b.y, "{variant:?}: momenta");
        }
    }

    #[test]
    fn doubling_ramps_double_up_to_the_longest() {
        let p = BifurcationParams::default();
        let got: Vec<usize> = (0..6).map(|r| p.steps_of_round(r)).collect();
        assert_eq!(got, [1000, 2000, 4000, 8000, 10_000, 10_000]);
        let fixed = BifurcationParams {
            steps: 300,
            ..BifurcationParams::default()
        };
        assert_eq!(fixed.steps_of_round(0), 300);
        assert_eq!(fixed.steps_of_round(7), 300);
        let none = BifurcationParams {
            steps_first: None,
            ..BifurcationParams::default()
        };
        assert_eq!(none.steps_of_round(0), 10_000);
        assert_eq!(p.steps_of_round(u64::MAX), 10_000);
    }

    /// The SIMD kernel integrates the dynamics of the f64 reference flow
    /// ([`BifurcationFlow`](super::super::bifurcation_flow::BifurcationFlow), a `SecondOrder`
    /// flow stepped by the core's symplectic Euler on the shared run loop): every lane of a
    /// ballistic block, heated or not, follows it within f32 rounding over 300 steps at a fixed
    /// pump.
    #[test]
    fn the_simd_kernel_follows_the_reference_second_order_flow() {
        use crate::run::Run;
        use crate::samplers::bifurcation_flow::BifurcationFlow;
        use crate::schedule::Ramp;
        use crate::step::SymplecticEuler;
        let g = WeightedGraph::random(60, 0.1, &[1.0, -1.0, 0.5], 2).unwrap();
        let m = IsingModel::max_cut(&g).unwrap();
        let p = BifurcationParams::default();
        let (c0, dt) = (p.coupling_scale(&m), p.time_step(&m));
        let (a, steps) = (0.2f64, 300usize);
        let mut b = Block::new(m.n(), &mut stream(5, 6), None);
        let (x0, y0) = (b.x.clone(), b.y.clone());
        for _ in 0..steps {
            b.step_ballistic(&m, a as f32, dt as f32, c0 as f32, 1.0);
        }
        let mut worst = 0.0f64;
        for k in 0..LANES {
            let mut z: Vec<f64> = x0.iter().map(|v| v[k] as f64).collect();
            z.extend(y0.iter().map(|v| v[k] as f64));
            let mut f =
                BifurcationFlow::new(&m, Bifurcation::Ballistic, c0, Ramp::constant(a), true)
                    .unwrap();
            let sol = Run::new(dt)
                .unwrap()
                .max_steps(steps)
                .solve(&mut f, &mut SymplecticEuler::new(), &z)
                .unwrap();
            for i in 0..m.n() {
                worst = worst.max((sol.state[i] - b.x[i][k] as f64).abs());
                worst = worst.max((sol.state[m.n() + i] - b.y[i][k] as f64).abs());
            }
        }
        assert!(worst < 1e-3, "largest difference {worst}");
        assert!(
            b.x.iter().flatten().any(|v| v.abs() > 0.05),
            "the agents moved"
        );
    }
}
