//! Simulated annealing of Ising models: single-spin Metropolis sweeps (the discrete Langevin
//! flow of the slides) with an inverse temperature `β` annealed over the sweeps (Kirkpatrick,
//! Gelatt & Vecchi, Science 1983), written for speed: each spin's local field
//! `f_i = h_i + Σ_j J_ij s_j` is kept up to date, so a spin that does not flip costs O(1) and a
//! flip costs its degree; a flip that lowers `H` draws no random number.
//!
//! The in-library baseline every Ising benchmark compares against (dwave-neal's algorithm).

use super::rounds::run_rounds;
use super::{IsingSampler, SampleSet};
use crate::error::{Error, Result};
use crate::problems::IsingModel;
use crate::problems::ising::check_spins;
use crate::rng::{Rng, stream, streams};
use crate::run::Budget;
use crate::run::replicas::Stops;
use crate::schedule::Schedule;
use faer::Par;
use rand::RngExt;

/// `β·ΔH` beyond which a flip is refused without drawing (`e^{−40} ≈ 4·10⁻¹⁸`).
const MAX_EXPONENT: f64 = 40.0;

/// Metropolis sweeps of one Ising state with its local fields kept up to date:
/// `f_i = h_i + Σ_j J_ij s_j`, `ΔH_i = 2 s_i f_i` for flipping spin `i`, accepted with
/// probability `min(1, e^{−β ΔH_i})`; flipping `s_i` adds `−2 s_i J_ji` to every neighbour's
/// field. Detailed balance holds for `p(s) ∝ e^{−βH(s)}` at fixed `β`.
///
/// ```
/// use attractor::problems::IsingModel;
/// use attractor::samplers::IsingMetropolis;
/// let m = IsingModel::from_couplings(3, vec![0.0, 0.0, 0.5], &[(0, 1, 1.0), (1, 2, -1.0)], 0.0)?;
/// let mut chain = IsingMetropolis::new(&m, vec![1, 1, 1])?;
/// let mut rng = attractor::rng::stream(0, 0);
/// for _ in 0..100 {
///     chain.sweep(50.0, &mut rng); // cold: descends
/// }
/// assert_eq!(chain.energy(), m.energy(chain.spins())?);
/// assert_eq!(chain.spins(), &[-1, -1, 1]); // the ground state, H = −2.5
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct IsingMetropolis<'m> {
    model: &'m IsingModel,
    spins: Vec<i8>,
    fields: Vec<f64>,
    energy: f64,
}

impl<'m> IsingMetropolis<'m> {
    /// A chain at `spins` (`±1`, one per spin of `model`).
    pub fn new(model: &'m IsingModel, spins: Vec<i8>) -> Result<Self> {
        check_spins(&spins, model.n())?;
        let mut fields = vec![0.0; model.n()];
        model.local_fields_into(&spins, &mut fields)?;
        let energy = model.energy(&spins)?;
        Ok(Self {
            model,
            spins,
            fields,
            energy,
        })
    }

    /// One sweep over the spins in order at inverse temperature `β ≥ 0`; returns the flips.
    pub fn sweep(&mut self, beta: f64, rng: &mut Rng) -> usize {
        let (rp, col, val) = (self.model.row_ptr(), self.model.col(), self.model.values());
        let mut flips = 0;
        for i in 0..self.spins.len() {
            let s = f64::from(self.spins[i]);
            let de = 2.0 * s * self.fields[i];
            let flip =
                de <= 0.0 || (beta * de < MAX_EXPONENT && rng.random::<f64>() < (-beta * de).exp());
            if flip {
                self.spins[i] = -self.spins[i];
                self.energy += de;
                flips += 1;
                let d = -2.0 * s;
                let (lo, hi) = (rp[i], rp[i + 1]);
                for (&j, &w) in col[lo..hi].iter().zip(&val[lo..hi]) {
                    let j = j as usize;
                    debug_assert!(j < self.fields.len());
                    // SAFETY: an IsingModel's column indices are < n (checked when it is
                    // built), and `fields` has n entries (`new`).
                    unsafe { *self.fields.get_unchecked_mut(j) += d * w };
                }
            }
        }
        flips
    }

    /// The state.
    pub fn spins(&self) -> &[i8] {
        &self.spins
    }
    /// The local fields `f_i = h_i + Σ_j J_ij s_j`, updated incrementally.
    pub fn fields(&self) -> &[f64] {
        &self.fields
    }
    /// `H(s)`, updated incrementally by the flips' `ΔH` (offset included).
    pub fn energy(&self) -> f64 {
        self.energy
    }
    /// The state, consumed.
    pub fn into_spins(self) -> Vec<i8> {
        self.spins
    }
}

/// The default `β` range of a model: hot enough that the stiffest spin flips against its field
/// with probability ½ (`β₀ = ln 2 / ΔH_max`, `ΔH_max = 2 max_i(|h_i| + Σ_j |J_ij|)`), cold
/// enough that the weakest coupling resists with probability 99% (`β₁ = ln 100 / ΔH_min`,
/// `ΔH_min = 2 min` of the non-zero `|J_ij|`, `|h_i|`) — the usual heuristic of simulated
/// annealing codes. A model without couplings or fields gets `(0.1, 10)`.
pub fn default_beta_range(model: &IsingModel) -> (f64, f64) {
    let h = model.fields();
    let (rp, val) = (model.row_ptr(), model.values());
    let mut max_row = 0.0f64;
    let mut min_abs = f64::INFINITY;
    for i in 0..model.n() {
        let row = &val[rp[i]..rp[i + 1]];
        let sum = h[i].abs() + row.iter().map(|v| v.abs()).sum::<f64>();
        max_row = max_row.max(sum);
        for &v in row.iter().chain(std::iter::once(&h[i])) {
            if v != 0.0 {
                min_abs = min_abs.min(v.abs());
            }
        }
    }
    if max_row == 0.0 || !min_abs.is_finite() {
        return (0.1, 10.0);
    }
    let hot = std::f64::consts::LN_2 / (2.0 * max_row);
    let cold = 100f64.ln() / (2.0 * min_abs);
    (hot, cold.max(hot))
}

/// The mathematics of an annealing run.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnealingParams {
    /// Independent reads (annealing runs) per round, at least 1.
    pub num_reads: usize,
    /// Sweeps per read (the length of the `β` schedule), at least 1.
    pub num_sweeps: usize,
    /// The `β` schedule over the sweeps; `None`: geometric over [`default_beta_range`].
    pub beta: Option<Schedule>,
    /// Read `r` of round `k` (`i = k·num_reads + r`) starts from
    /// `rng::stream(seed, INIT + i)` and draws its moves from `stream(seed, DYNAMICS + i)`, so
    /// results do not depend on `par`.
    pub seed: u64,
    /// Reads in parallel: `Par::Seq`, or at most `k` blocks of reads at a time on rayon's global
    /// pool with `Par::rayon(k)`.
    pub par: Par,
}

impl Default for AnnealingParams {
    /// 16 reads of 1000 sweeps, the default `β` range, seed 0, sequential.
    fn default() -> Self {
        Self {
            num_reads: 16,
            num_sweeps: 1000,
            beta: None,
            seed: 0,
            par: Par::Seq,
        }
    }
}

impl AnnealingParams {
    /// Check every value; the message names it.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("num_reads", self.num_reads),
            ("num_sweeps", self.num_sweeps),
        ] {
            if v == 0 {
                return Err(Error::invalid(name, 0, "must be at least 1"));
            }
        }
        if let Some(b) = &self.beta {
            b.validate("beta", false)?;
        }
        Ok(())
    }

    /// The `β` of every sweep for `model`.
    pub fn betas(&self, model: &IsingModel) -> Vec<f64> {
        let schedule = self.beta.clone().unwrap_or_else(|| {
            let (start, end) = default_beta_range(model);
            Schedule::Geometric { start, end }
        });
        schedule.values(self.num_sweeps)
    }
}

/// Simulated annealing as an [`IsingSampler`]: [`AnnealingParams::num_reads`] independent runs
/// per round of [`IsingMetropolis`] sweeps under the `β` schedule, from uniformly random
/// states; every final state is a read. The [`Budget`] bounds the rounds (one by default), the
/// time, a target energy (every read stops once one reaches it) and takes an interrupt (both
/// checked after every sweep of every read); a read stopped early is returned as it is, with
/// the status in the set's info.
///
/// ```
/// use attractor::problems::{IsingModel, WeightedGraph, brute_force};
/// use attractor::samplers::{AnnealingSampler, IsingSampler};
/// let g = WeightedGraph::random(16, 0.3, &[1.0], 4)?;
/// let m = IsingModel::max_cut(&g)?;
/// let set = AnnealingSampler::default().sample_ising(&m)?;
/// assert_eq!(set.first().unwrap().energy, brute_force(&m)?.energy);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AnnealingSampler {
    /// The annealing runs.
    pub params: AnnealingParams,
    /// How many rounds, how long, a target energy, an interrupt; the default is one round.
    pub budget: Budget,
}

impl Default for AnnealingSampler {
    /// [`AnnealingParams::default`] and a budget of one round.
    fn default() -> Self {
        Self::new(AnnealingParams::default())
    }
}

impl AnnealingSampler {
    /// A sampler with `params` and a budget of one round.
    pub fn new(params: AnnealingParams) -> Self {
        Self {
            params,
            budget: Budget::steps(1),
        }
    }
}

/// One annealing read: its final spins (where the schedule or a stop left them).
fn anneal(model: &IsingModel, betas: &[f64], seed: u64, index: u64, stops: &Stops) -> Vec<i8> {
    let mut init = stream(seed, streams::INIT + index);
    let spins: Vec<i8> = (0..model.n())
        .map(|_| if init.random::<bool>() { 1 } else { -1 })
        .collect();
    let mut rng = stream(seed, streams::DYNAMICS + index);
    // the spins were drawn for this model: the checks of `new` cannot fail
    let Ok(mut chain) = IsingMetropolis::new(model, spins) else {
        return vec![1; model.n()];
    };
    for &beta in betas {
        chain.sweep(beta, &mut rng);
        stops.offer(chain.energy());
        if stops.stop() {
            break;
        }
    }
    chain.into_spins()
}

impl IsingSampler for AnnealingSampler {
    fn sample_ising(&self, model: &IsingModel) -> Result<SampleSet> {
        let p = &self.params;
        p.validate()?;
        crate::memory::check(
            "annealing states (spins and fields of a read, per thread)",
            &[model.n().max(1), 9],
            1,
            "use a smaller model",
        )?;
        let betas = p.betas(model);
        // reads in at most `k` contiguous blocks (one per worker), each read on its own streams
        let blocks = match crate::linalg::effective_par(p.par) {
            Par::Seq => 1,
            Par::Rayon(k) => k.get().min(p.num_reads),
        };
        let per = p.num_reads.div_ceil(blocks);
        let blocks = p.num_reads.div_ceil(per);
        run_rounds(
            model,
            &self.budget,
            (blocks, p.par, Default::default()),
            "simulated annealing",
            |i, _warm, stops| {
                // unit i = round·blocks + b covers reads round·num_reads + b·per ..
                let (round, b) = (i / blocks as u64, (i % blocks as u64) as usize);
                let first = round * p.num_reads as u64;
                (b * per..((b + 1) * per).min(p.num_reads))
                    .map(|r| anneal(model, &betas, p.seed, first + r as u64, stops))
                    .collect()
            },
        )
    }
}
