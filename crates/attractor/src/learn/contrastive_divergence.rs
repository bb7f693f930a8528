//! Training an RBM by contrastive divergence (CD-k; Hinton, "Training products of experts by
//! minimizing contrastive divergence", Neural Computation 2002) and persistent contrastive
//! divergence (PCD; Tieleman, "Training restricted Boltzmann machines using approximations to
//! the likelihood gradient", ICML 2008).
//!
//! The log-likelihood gradient of an RBM is a data term minus a model term,
//! `∂ℓ/∂W = ⟨v p(h|v)ᵀ⟩_data − ⟨v hᵀ⟩_model` (and `⟨v⟩`, `⟨p(h|v)⟩` for the biases). The model
//! term is estimated from Gibbs chains: CD-k starts one chain at each data vector of the
//! minibatch and runs `k` sweeps `h ~ p(h|v)`, `v ~ p(v|h)`; PCD keeps `batch_size` persistent
//! chains across updates and advances them `k` sweeps per update. The statistics use the
//! sampled visible states of the chains and the probabilities `p(h|v)` of both phases
//! (Hinton, "A practical guide to training RBMs", 2010). With learning rate `η`, momentum `μ`
//! and weight decay `λ` (on `W` only), each minibatch updates
//! `Δθ ← μΔθ + η(⟨·⟩_data − ⟨·⟩_model − λθ)`, `θ ← θ + Δθ`.
//!
//! CD is a rule of the shared training loop: [`ContrastiveDivergence`] implements
//! [`Rule<Rbm>`](Rule) (the two phases on a minibatch) and [`Direction`] (the statistics added
//! into the optimiser's targets), [`Rbm`] implements [`ParamBlocks`] (`W`, `a`, `b`), and
//! [`CdTrainer`] is [`Trainer`]`<ContrastiveDivergence, `[`Sgd`]`>` (the update above) with
//! the CD settings and a per-epoch [`EpochReport`]. Any other [`Optimizer`] (e.g.
//! [`Adam`](super::optimizer::Adam)) runs the same rule through [`Trainer`] directly.
//!
//! Data are a matrix with one sample per column (`n_visible × n_samples`: a row-major NumPy
//! `(n_samples, n_visible)` array seen column-major), in `[0, 1]` for Bernoulli visible units.
//! Minibatches are taken in an order shuffled per epoch from
//! `rng::stream(seed, streams::ORDER + epoch)`; chain `j` draws from
//! `rng::stream(seed, streams::DYNAMICS + j)`. Every product runs in fixed row blocks, so the
//! trained parameters are identical for any `par`. After the first minibatch nothing is
//! allocated per update.

#[cfg(doc)]
use super::optimizer::Optimizer;
use super::optimizer::{BlockSpec, Direction, ParamBlocks, Sgd, Targets};
use super::trainer::{Dataset, Epoch, Rule, TrainReport, TrainSettings, Trainer};
use crate::error::{Error, Result, check_len};
use crate::models::rbm::Rbm;
use crate::models::rbm::gibbs::{SweepBuffers, sample_visible, sweep};
use crate::models::rbm::kernels::{self, blocked_matmul};
use crate::rng::{Rng, stream, streams};
#[cfg(doc)]
use crate::run::Status;
use crate::run::{Budget, Clock};
use crate::samplers::tempering::{Ladder, ParallelTempering, TemperedReplicas};
use crate::schedule::PerEpoch;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par};
use std::cell::OnceCell;
use std::ops::ControlFlow;
use std::time::Duration;

/// Where the negative (model) phase's chains start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CdMethod {
    /// CD-k: one chain per data vector of the minibatch, started at it.
    #[default]
    Contrastive,
    /// PCD: `batch_size` persistent chains, started at the first minibatch and continued
    /// across updates (Tieleman 2008; scikit-learn's `BernoulliRBM`).
    Persistent,
    /// Persistent *tempered* chains (Desjardins, Courville, Bengio, Vincent & Delalleau,
    /// "Tempered Markov chain Monte Carlo for training of restricted Boltzmann machines",
    /// AISTATS 2010; Cho, Raiko & Ilin, IJCNN 2010): `batch_size` chains, each with one replica
    /// per temperature of [`CdParams::temperatures`], advanced `k` rounds of parallel
    /// tempering per update ([`crate::samplers::tempering`]); the `T = 1` replicas give the
    /// model statistics. The hot replicas cross between modes that PCD's chains at `T = 1`
    /// leave only slowly.
    Tempering,
}

/// The centring of the gradient (Montavon & Müller, "Deep Boltzmann machines and the centering
/// trick", 2012; Melchior, Fischer & Wiskott, "How to center deep Boltzmann machines", JMLR
/// 2016). The centred RBM writes its energy with offsets `μ` (visible) and `λ` (hidden),
/// `E = −(v − μ)ᵀW(h − λ) − a_cᵀ(v − μ) − b_cᵀ(h − λ)`, the same model as the plain one with
/// `a = a_c − Wλ`, `b = b_c − Wᵀμ`. Following the log-likelihood gradient in the centred
/// parameters and writing the step back in the plain ones gives, with `⟨·⟩` the data-minus-model
/// statistics:
///
/// `ΔW = ⟨(v − μ)(h − λ)ᵀ⟩`, `Δa = ⟨v⟩ − ΔW λ`, `Δb = ⟨h⟩ − ΔWᵀ μ`,
///
/// which is the plain gradient multiplied by the positive-definite matrix `J Jᵀ` of the
/// reparametrisation (`J = ∂θ/∂θ_c`): an ascent direction of the same likelihood, better
/// conditioned when the units' means are far from zero (MNIST's mostly-off pixels). The
/// offsets are running averages updated before each step with rate `ν`:
/// `μ ← (1 − ν)μ + ν·m_v`, `λ ← (1 − ν)λ + ν·m_h`, where `m` is the data mean of the minibatch
/// (`v` and `p(h|v)`) for [`Centering::Data`], and the average of the data and model means for
/// [`Centering::Enhanced`] (the enhanced gradient of Cho, Raiko & Ilin, ICML 2011, as Melchior
/// et al. show). The first minibatch sets the offsets outright.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Centering {
    /// Plain gradient (`μ = λ = 0`).
    #[default]
    None,
    /// Offsets from the data means, with sliding rate `ν ∈ (0, 1]` (0.01 in Melchior et al.).
    Data {
        /// The sliding rate of the running averages.
        rate: f64,
    },
    /// Offsets from the mean of the data and model means (the enhanced gradient), with
    /// sliding rate `ν ∈ (0, 1]`.
    Enhanced {
        /// The sliding rate of the running averages.
        rate: f64,
    },
}

/// The textual form used by the command line and Python: `none`, `data[:RATE]`,
/// `enhanced[:RATE]` (rate 0.01 when omitted).
impl std::str::FromStr for Centering {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let forms = "use none, data[:RATE] or enhanced[:RATE] (e.g. data:0.01)";
        let (kind, rate) = match s.trim().split_once(':') {
            Some((k, r)) => (
                k.trim(),
                r.trim()
                    .parse::<f64>()
                    .map_err(|_| Error::invalid("centering", s, forms))?,
            ),
            None => (s.trim(), 0.01),
        };
        match kind.to_ascii_lowercase().as_str() {
            "none" if !s.contains(':') => Ok(Centering::None),
            "data" => Ok(Centering::Data { rate }),
            "enhanced" => Ok(Centering::Enhanced { rate }),
            _ => Err(Error::invalid("centering", s, forms)),
        }
    }
}

/// The textual form used by the command line and Python: `cd`, `pcd`, `tempering` (or `pt`).
impl std::str::FromStr for CdMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cd" | "contrastive" => Ok(CdMethod::Contrastive),
            "pcd" | "persistent" => Ok(CdMethod::Persistent),
            "tempering" | "pt" => Ok(CdMethod::Tempering),
            _ => Err(Error::invalid(
                "method",
                s,
                "use cd (CD-k), pcd (persistent chains) or tempering (persistent tempered chains)",
            )),
        }
    }
}

/// Settings of CD-k / PCD training.
#[derive(Debug, Clone, PartialEq)]
pub struct CdParams {
    /// CD-k or PCD.
    pub method: CdMethod,
    /// Gibbs sweeps per update, at least 1.
    pub k: usize,
    /// `η > 0`, finite.
    pub learning_rate: f64,
    /// `μ ∈ [0, 1)`.
    pub momentum: f64,
    /// `λ ≥ 0`, the L2 penalty on `W` (not on the biases).
    pub weight_decay: f64,
    /// How the learning rate moves with the epoch around `learning_rate` (constant by
    /// default; e.g. a linear decay towards zero as in Tieleman 2008).
    pub learning_rate_schedule: PerEpoch,
    /// How the momentum moves with the epoch around `momentum` (constant by default; e.g.
    /// `Step { before: 0.5, epochs: 5 }` with `momentum = 0.9`, Hinton's guide).
    pub momentum_schedule: PerEpoch,
    /// Centred or enhanced gradient ([`Centering`]).
    pub centering: Centering,
    /// The temperature ladder of [`CdMethod::Tempering`] (ignored by the other methods).
    pub temperatures: Ladder,
    /// Samples per minibatch (the last one of an epoch may be smaller), at least 1; also the
    /// number of persistent chains of PCD.
    pub batch_size: usize,
    /// The persistent chains of PCD and of tempered training (`None`: `batch_size`, as
    /// Tieleman 2008 and scikit-learn), at least 1; more chains average the model statistics
    /// over more states per update. Ignored by CD-k (one chain per sample).
    pub n_chains: Option<usize>,
    /// Shuffle the samples every epoch (else take them in order).
    pub shuffle: bool,
    /// The seed of the shuffles and chains.
    pub seed: u64,
    /// Parallelism of the products (results identical for any value; on small minibatches
    /// `Par::Seq` is fastest).
    pub par: Par,
}

impl Default for CdParams {
    /// CD-1, `η = 0.1`, no momentum or decay, minibatches of 10, shuffled, seed 0.
    fn default() -> Self {
        Self {
            method: CdMethod::Contrastive,
            k: 1,
            learning_rate: 0.1,
            momentum: 0.0,
            weight_decay: 0.0,
            learning_rate_schedule: PerEpoch::Constant,
            momentum_schedule: PerEpoch::Constant,
            centering: Centering::None,
            temperatures: Self::default_ladder(),
            batch_size: 10,
            n_chains: None,
            shuffle: true,
            seed: 0,
            par: Par::Seq,
        }
    }
}

impl CdParams {
    /// PCD-1 with the other defaults (scikit-learn's `BernoulliRBM` settings).
    pub fn persistent() -> Self {
        Self {
            method: CdMethod::Persistent,
            ..Self::default()
        }
    }

    /// The default ladder of tempered training: 10 temperatures geometric from 1 to 10
    /// (inverse temperatures 1 down to 0.1).
    pub fn default_ladder() -> Ladder {
        Ladder::new((0..10).map(|k| 10f64.powf(k as f64 / 9.0)).collect()).unwrap_or_else(|_| {
            unreachable!("a geometric ladder from 1 to 10 is strictly increasing")
        })
    }

    /// Check every setting; the message names the parameter and its valid range.
    pub fn validate(&self) -> Result<()> {
        if self.k == 0 {
            return Err(Error::invalid(
                "k",
                0,
                "contrastive divergence needs at least one Gibbs sweep per update (k >= 1)",
            ));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::invalid(
                "learning_rate",
                self.learning_rate,
                "the learning rate must be finite and > 0 (e.g. 0.1)",
            ));
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return Err(Error::invalid(
                "momentum",
                self.momentum,
                "the momentum must lie in [0, 1) (0 for plain gradient steps, e.g. 0.5 or 0.9)",
            ));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(Error::invalid(
                "weight_decay",
                self.weight_decay,
                "the weight decay must be finite and >= 0 (e.g. 1e-4)",
            ));
        }
        // the schedules around the base values, once those are known to be valid
        self.learning_rate_schedule
            .validate("learning_rate", self.learning_rate, true, None)?;
        self.momentum_schedule
            .validate("momentum", self.momentum, false, Some(1.0))?;
        match self.centering {
            Centering::None => {}
            Centering::Data { rate } | Centering::Enhanced { rate } => {
                if !(rate.is_finite() && rate > 0.0 && rate <= 1.0) {
                    return Err(Error::invalid(
                        "centering rate",
                        rate,
                        "the offsets' sliding rate must lie in (0, 1] (e.g. 0.01; 1 uses each minibatch's means)",
                    ));
                }
            }
        }
        if let Some(c) = self.n_chains {
            if c == 0 {
                return Err(Error::invalid(
                    "n_chains",
                    0,
                    "persistent training needs at least one chain (None uses batch_size)",
                ));
            }
            crate::linalg::check_dense_size("persistent chains", c, 1)?;
        }
        super::trainer::check_batch_size(self.batch_size)
    }
}

/// What [`CdTrainer::fit`]'s observer sees after each epoch. The monitoring quantities are
/// computed on first request, so an observer that does not ask costs nothing.
pub struct EpochReport<'a> {
    /// The number of epochs completed by the trainer (1 after the first).
    pub epoch: usize,
    /// Parameter updates (minibatches) so far.
    pub n_updates: usize,
    /// Time since `fit` started.
    pub elapsed: Duration,
    rbm: &'a Rbm,
    data: MatRef<'a, f64>,
    seed: u64,
    par: Par,
    recon: OnceCell<f64>,
    pl: OnceCell<Option<f64>>,
}

impl EpochReport<'_> {
    /// The model as it is after this epoch.
    pub fn rbm(&self) -> &Rbm {
        self.rbm
    }
    /// The mean-field reconstruction error on the training data
    /// ([`Rbm::reconstruction_error`]).
    pub fn reconstruction_error(&self) -> f64 {
        *self.recon.get_or_init(|| {
            self.rbm
                .reconstruction_error(self.data, self.par)
                .unwrap_or(f64::NAN)
        })
    }
    /// The mean stochastic pseudo-log-likelihood of the training data
    /// ([`Rbm::pseudo_likelihood_stochastic`], one random unit per sample, seeded by the
    /// epoch), as scikit-learn's `BernoulliRBM` reports it; `None` for Gaussian visible units.
    pub fn pseudo_likelihood(&self) -> Option<f64> {
        *self.pl.get_or_init(|| {
            let seed = self.seed.wrapping_add(1 + self.epoch as u64);
            self.rbm
                .pseudo_likelihood_stochastic(self.data, seed, self.par)
                .ok()
                .map(|v| v.iter().sum::<f64>() / v.len() as f64)
        })
    }
}

impl ParamBlocks for Rbm {
    /// `W` (`n_visible × n_hidden`, decayed), then the visible bias `a` and the hidden bias
    /// `b` (not decayed).
    fn block_specs(&self) -> Vec<BlockSpec> {
        vec![
            BlockSpec::weights(self.n_visible(), self.n_hidden()),
            BlockSpec::bias(self.n_visible()),
            BlockSpec::bias(self.n_hidden()),
        ]
    }
    fn with_blocks_mut(&mut self, f: &mut dyn FnMut(&mut [MatMut<'_, f64>])) {
        let (w, a, b) = self.parts_mut();
        let (nv, nh) = (a.len(), b.len());
        let mut blocks = [
            w,
            MatMut::from_column_major_slice_mut(a, nv, 1),
            MatMut::from_column_major_slice_mut(b, nh, 1),
        ];
        f(&mut blocks);
    }
    fn params_finite(&self) -> bool {
        self.is_finite()
    }
}

/// Contrastive divergence as a [`Rule`] of the shared [`Trainer`]: [`estimate`](Rule::estimate)
/// runs the positive phase on the minibatch and the negative phase's Gibbs chains (CD-k or
/// PCD), and [`add_into`](Direction::add_into) adds the direction
/// `⟨v p(h|v)ᵀ⟩_data − ⟨v p(h|v)ᵀ⟩_chains` (and `⟨v⟩`, `⟨p(h|v)⟩` for the biases) into the
/// optimiser's targets for the blocks `W`, `a`, `b` of [`Rbm`]'s [`ParamBlocks`].
///
/// The chains and the minibatch share one buffer (chains in columns `0..c`, the minibatch
/// after them), so that the direction of `W` is the single product
/// `[V_chains V_data] [coef·P]ᵀ` with `coef = −η/c` for the chains and `η/b` for the data,
/// accumulated straight into the optimiser's target. Nothing is allocated per update once
/// [`reserve`](Rule::reserve) has sized the buffers.
#[derive(Debug)]
pub struct ContrastiveDivergence {
    method: CdMethod,
    k: usize,
    /// The number of persistent chains of PCD.
    n_persistent: usize,
    seed: u64,
    par: Par,
    n_visible: usize,
    n_hidden: usize,
    /// Visible states: chains in columns `0..c`, then the minibatch.
    vcat: Mat<f64>,
    /// Hidden probabilities of the same columns, scaled by the update coefficients.
    hcat: Mat<f64>,
    sweep: SweepBuffers,
    rngs: Vec<Rng>,
    chains_ready: bool,
    /// Chains and samples of the last estimate.
    c: usize,
    b: usize,
    centering: Centering,
    /// The offsets `μ` (visible) and `λ` (hidden) of the centred gradient, once set.
    offsets: Option<(Vec<f64>, Vec<f64>)>,
    /// The ladder and the persistent replicas of tempered training.
    ladder: Ladder,
    replicas: Option<TemperedReplicas>,
    /// Scratch of the centring corrections: the data-minus-model means and `Hᵀλ`, `Vᵀμ`.
    sums: (Vec<f64>, Vec<f64>),
    proj: Vec<f64>,
}

impl ContrastiveDivergence {
    /// The rule for `rbm`'s shape with the mathematical settings of `params` (method, `k`,
    /// `batch_size` as the number of persistent chains, seed, `par`; the rest belongs to the
    /// optimiser and the loop), validated; buffers sized for minibatches of `batch_size`.
    pub fn new(rbm: &Rbm, params: &CdParams) -> Result<Self> {
        params.validate()?;
        let mut rule = Self {
            method: params.method,
            k: params.k,
            n_persistent: params.n_chains.unwrap_or(params.batch_size),
            seed: params.seed,
            par: params.par,
            n_visible: rbm.n_visible(),
            n_hidden: rbm.n_hidden(),
            vcat: Mat::new(),
            hcat: Mat::new(),
            sweep: SweepBuffers::new(rbm, 0)?,
            rngs: Vec::new(),
            chains_ready: false,
            c: 0,
            b: 0,
            centering: params.centering,
            offsets: None,
            ladder: params.temperatures.clone(),
            replicas: None,
            sums: (vec![0.0; rbm.n_visible()], vec![0.0; rbm.n_hidden()]),
            proj: Vec::new(),
        };
        rule.reserve(rbm, params.batch_size)?;
        Ok(rule)
    }

    /// The persistent chains of PCD or of tempered training (their `T = 1` replicas;
    /// `n_visible × batch_size`), once started.
    pub fn persistent_chains(&self) -> Option<MatRef<'_, f64>> {
        (self.method != CdMethod::Contrastive && self.chains_ready)
            .then(|| self.vcat.as_ref().subcols(0, self.n_persistent))
    }

    /// The swap acceptance rates between neighbouring temperatures of tempered training so
    /// far (`None` for the other methods or before the first update).
    pub fn swap_rates(&self) -> Option<Vec<f64>> {
        self.replicas.as_ref().map(|r| r.swap_rates())
    }

    /// The offsets `(μ, λ)` of the centred gradient, once the first minibatch has set them.
    pub fn offsets(&self) -> Option<(&[f64], &[f64])> {
        self.offsets
            .as_ref()
            .map(|(m, l)| (m.as_slice(), l.as_slice()))
    }

    /// The number of negative-phase chains for a minibatch of `b` samples.
    fn n_chains(&self, b: usize) -> usize {
        match self.method {
            CdMethod::Contrastive => b,
            CdMethod::Persistent | CdMethod::Tempering => self.n_persistent,
        }
    }

    fn check_model(&self, rbm: &Rbm) -> Result<()> {
        check_len(
            "RBM visible units",
            rbm.n_visible(),
            self.n_visible,
            "train the RBM the trainer was built for (CdTrainer::new)",
        )?;
        check_len(
            "RBM hidden units",
            rbm.n_hidden(),
            self.n_hidden,
            "train the RBM the trainer was built for (CdTrainer::new)",
        )
    }
}

impl Rule<Rbm> for ContrastiveDivergence {
    /// Check `rbm`'s shape and size the buffers for minibatches of up to `b` samples
    /// (allocates only when growing).
    fn reserve(&mut self, rbm: &Rbm, b: usize) -> Result<()> {
        self.check_model(rbm)?;
        let width = self.n_chains(b) + b;
        if self.vcat.ncols() < width {
            let (nv, nh) = (self.n_visible, self.n_hidden);
            let fix = "use a smaller batch size or fewer hidden units";
            let mut v = crate::memory::try_zeros(
                "training buffers (n_visible x minibatch)",
                nv,
                width,
                fix,
            )?;
            let keep = self.vcat.ncols();
            if keep > 0 {
                v.as_mut()
                    .subcols_mut(0, keep)
                    .copy_from(self.vcat.as_ref());
            }
            self.vcat = v;
            self.hcat = crate::memory::try_zeros(
                "training buffers (n_hidden x minibatch)",
                nh,
                width,
                fix,
            )?;
            self.sweep = SweepBuffers::new(rbm, width)?;
        }
        let n_rngs = self.n_chains(b);
        while self.rngs.len() < n_rngs {
            let j = self.rngs.len() as u64;
            self.rngs.push(stream(self.seed, streams::DYNAMICS + j));
        }
        Ok(())
    }

    /// Copy the samples `idx` of `data.x` after the chains, compute their hidden
    /// probabilities (positive phase), run the chains `k` sweeps (negative phase) and compute
    /// theirs. `clock` is polled before every sweep (CD-k with a large `k`).
    fn estimate(
        &mut self,
        rbm: &Rbm,
        data: &Dataset<'_>,
        idx: &[usize],
        clock: &Clock,
    ) -> Result<()> {
        let par = self.par;
        let b = idx.len();
        let c = self.n_chains(b);
        (self.c, self.b) = (c, b);
        for (s, &src) in idx.iter().enumerate() {
            let dst = self.vcat.col_as_slice_mut(c + s);
            for (i, x) in dst.iter_mut().enumerate() {
                *x = data.x[(i, src)];
            }
        }
        // positive phase: P0 = σ(Wᵀ V0 + b)
        rbm.hidden_probabilities_into(
            self.vcat.as_ref().subcols(c, b),
            self.hcat.as_mut().subcols_mut(c, b),
            1.0,
            par,
        );
        // negative phase: k sweeps of the chains in columns 0..c
        let mut sweeps = self.k;
        match self.method {
            CdMethod::Contrastive => {
                // the chains start at the data: h ~ P0, v ~ p(v | h)
                for s in 0..b {
                    let (p, mut h) = (self.hcat.col(c + s), self.sweep.h.col_mut(s));
                    h.copy_from(p);
                    kernels::sample_bernoulli_in_place(
                        self.sweep.h.col_as_slice_mut(s),
                        &mut self.rngs[s],
                    );
                }
                sample_visible(
                    rbm,
                    self.sweep.h.as_ref().subcols(0, c),
                    self.vcat.as_mut().subcols_mut(0, c),
                    &mut self.rngs[..c],
                    1.0,
                    par,
                );
                sweeps -= 1;
            }
            CdMethod::Persistent | CdMethod::Tempering => {
                if !self.chains_ready {
                    for j in 0..c {
                        let src = c + j % b;
                        let (col_src, rest) = self.vcat.as_mut().split_at_col_mut(c);
                        col_src.col_mut(j).copy_from(rest.rb().col(src - c));
                    }
                    self.chains_ready = true;
                }
            }
        }
        if self.method == CdMethod::Tempering {
            // k rounds of parallel tempering on the persistent replicas, under the current
            // parameters; the T = 1 rung goes into the chains' columns
            let pt = ParallelTempering::new(&rbm.gibbs().with_par(par), self.ladder.clone())?;
            if self.replicas.is_none() {
                let start = self.vcat.as_ref().subcols(0, c);
                self.replicas = Some(pt.start(c, Some(start), self.seed)?);
            }
            let replicas = self.replicas.as_mut().unwrap_or_else(|| unreachable!());
            for _ in 0..self.k {
                clock.check_err("the tempered Gibbs sweeps of a training step")?;
                pt.rounds(replicas, 1)?;
            }
            self.vcat
                .as_mut()
                .subcols_mut(0, c)
                .copy_from(replicas.rung(0));
            sweeps = 0;
        }
        for _ in 0..sweeps {
            clock.check_err("the Gibbs sweeps of a contrastive-divergence step")?;
            sweep(
                rbm,
                self.vcat.as_mut().subcols_mut(0, c),
                &mut self.sweep,
                &mut self.rngs[..c],
                1.0,
                par,
            );
        }
        rbm.hidden_probabilities_into(
            self.vcat.as_ref().subcols(0, c),
            self.hcat.as_mut().subcols_mut(0, c),
            1.0,
            par,
        );
        self.update_offsets();
        Ok(())
    }
}

impl ContrastiveDivergence {
    /// Move the centring offsets towards this minibatch's means (data, or data and chains
    /// for the enhanced gradient); the first minibatch sets them. Reads the unscaled hidden
    /// probabilities, so it runs at the end of [`Rule::estimate`].
    fn update_offsets(&mut self) {
        let (rate, enhanced) = match self.centering {
            Centering::None => return,
            Centering::Data { rate } => (rate, false),
            Centering::Enhanced { rate } => (rate, true),
        };
        let (c, b) = (self.c, self.b);
        let mean = |m: &Mat<f64>, from: usize, n: usize, i: usize| {
            (from..from + n).map(|s| m[(i, s)]).sum::<f64>() / n as f64
        };
        let target = |m: &Mat<f64>, i: usize| {
            let data = mean(m, c, b, i);
            if enhanced {
                0.5 * (data + mean(m, 0, c, i))
            } else {
                data
            }
        };
        let first = self.offsets.is_none();
        let (mu, lam) = self
            .offsets
            .get_or_insert_with(|| (vec![0.0; self.n_visible], vec![0.0; self.n_hidden]));
        let r = if first { 1.0 } else { rate };
        for (i, m) in mu.iter_mut().enumerate() {
            *m += r * (target(&self.vcat, i) - *m);
        }
        for (j, l) in lam.iter_mut().enumerate() {
            *l += r * (target(&self.hcat, j) - *l);
        }
    }
}

impl Direction for ContrastiveDivergence {
    /// With `s_i` the target's scale of block `i` and `coef = −1/c` for the `c` chains and
    /// `1/b` for the `b` samples: the data-minus-model means `m_v = Σ_j coef_j v_j`,
    /// `m_h = Σ_j coef_j p_j`, and `W += s_W [V_chains V_data] [coef·P]ᵀ` as one blocked
    /// product; `a += s_a m_v`, `b += s_b m_h`. With centring ([`Centering`], offsets `μ`,
    /// `λ`) the step is the centred one written in the plain parameters:
    /// `ΔW = Σ_j coef_j (v_j − μ)(p_j − λ)ᵀ` (the product plus rank-one terms),
    /// `Δa = m_v − ΔW λ`, `Δb = m_h − ΔWᵀ μ` (each from the columns, without forming `ΔW`).
    fn add_into(&mut self, targets: &mut Targets<'_, '_>) {
        if self.offsets.is_some() {
            self.add_centred_into(targets);
            return;
        }
        let (c, b) = (self.c, self.b);
        let width = c + b;
        let coef = |scale: f64, s: usize| {
            if s < c {
                -scale / c as f64
            } else {
                scale / b as f64
            }
        };
        let (s_w, s_a, s_b) = (targets.scale(0), targets.scale(1), targets.scale(2));
        // visible bias: Σ_s coef_s v_s
        let mut ga = targets.get(1);
        for s in 0..width {
            let cs = coef(s_a, s);
            for (g, &v) in ga
                .rb_mut()
                .col_mut(0)
                .iter_mut()
                .zip(self.vcat.col_as_slice(s))
            {
                *g += cs * v;
            }
        }
        // hidden bias: Σ_s coef_s p_s, the probabilities scaled in place for the product
        let mut gb = targets.get(2);
        for s in 0..width {
            let cs = coef(s_b, s);
            let hs = self.hcat.col_as_slice_mut(s);
            for (g, h) in gb.rb_mut().col_mut(0).iter_mut().zip(hs.iter_mut()) {
                *h *= cs;
                *g += *h;
            }
        }
        // weights: [V_chains V0] [coef·P]ᵀ (the factor is exactly 1 when the scales agree)
        let vc = self.vcat.as_ref().subcols(0, width);
        let hc = self.hcat.as_ref().subcols(0, width);
        blocked_matmul(
            targets.get(0),
            Accum::Add,
            vc,
            hc.transpose(),
            s_w / s_b,
            self.par,
        );
    }
}

impl ContrastiveDivergence {
    /// The centred step of [`Direction::add_into`].
    fn add_centred_into(&mut self, targets: &mut Targets<'_, '_>) {
        let (c, b) = (self.c, self.b);
        let width = c + b;
        let coef = |s: usize| {
            if s < c {
                -1.0 / c as f64
            } else {
                1.0 / b as f64
            }
        };
        let (s_w, s_a, s_b) = (targets.scale(0), targets.scale(1), targets.scale(2));
        // m_v = Σ_s coef_s v_s, m_h = Σ_s coef_s p_s (the probabilities scaled in place)
        let (mv, mh) = &mut self.sums;
        mv.fill(0.0);
        mh.fill(0.0);
        let mut sum_coef = 0.0;
        for s in 0..width {
            let cs = coef(s);
            sum_coef += cs;
            for (g, &v) in mv.iter_mut().zip(self.vcat.col_as_slice(s)) {
                *g += cs * v;
            }
            for (g, h) in mh.iter_mut().zip(self.hcat.col_as_slice_mut(s).iter_mut()) {
                *h *= cs;
                *g += *h;
            }
        }
        // W += s_W [V_chains V0] [coef·P]ᵀ, then the rank-one terms
        let vc = self.vcat.as_ref().subcols(0, width);
        let hc = self.hcat.as_ref().subcols(0, width);
        blocked_matmul(
            targets.get(0),
            Accum::Add,
            vc,
            hc.transpose(),
            s_w,
            self.par,
        );
        let Some((mu, lam)) = &self.offsets else {
            return;
        };
        let dot = crate::linalg::dot;
        // W += s_W (−μ m_hᵀ − m_v λᵀ + Σcoef μ λᵀ)
        {
            let mut gw = targets.get(0);
            for (j, (&mhj, &lj)) in mh.iter().zip(lam).enumerate() {
                let mut col = gw.rb_mut().col_mut(j);
                for (i, (&mi, &mvi)) in mu.iter().zip(mv.iter()).enumerate() {
                    col[i] += s_w * (-mi * mhj - mvi * lj + sum_coef * mi * lj);
                }
            }
        }
        let (ll, mm) = (dot(lam, lam), dot(mu, mu));
        let (mh_l, mv_m) = (dot(mh, lam), dot(mv, mu));
        self.proj.resize(width, 0.0);
        // Δa = m_v − ΔW λ, ΔW λ = V (Pcᵀλ) − μ (m_h·λ) − m_v (λ·λ) + Σcoef μ (λ·λ)
        {
            let mut ga = targets.get(1);
            let mut ga = ga.rb_mut().col_mut(0);
            for (i, (&mvi, &mi)) in mv.iter().zip(mu.iter()).enumerate() {
                ga[i] += s_a * (mvi + mi * mh_l + mvi * ll - sum_coef * mi * ll);
            }
            sub_projected(
                ga.as_mut(),
                s_a,
                &self.hcat,
                lam,
                &self.vcat,
                &mut self.proj,
            );
        }
        // Δb = m_h − ΔWᵀ μ, ΔWᵀ μ = Pc (Vᵀμ) − m_h (μ·μ) − λ (m_v·μ) + Σcoef λ (μ·μ)
        {
            let mut gb = targets.get(2);
            let mut gb = gb.rb_mut().col_mut(0);
            for (j, (&mhj, &lj)) in mh.iter().zip(lam.iter()).enumerate() {
                gb[j] += s_b * (mhj + mhj * mm + lj * mv_m - sum_coef * lj * mm);
            }
            sub_projected(gb.as_mut(), s_b, &self.vcat, mu, &self.hcat, &mut self.proj);
        }
    }
}

/// `g −= s·Σ_j (x_j·w) y_j` over the first `proj.len()` columns `x_j` of `x` and `y_j` of `y`
/// (`V (Pᵀλ)` and `P (Vᵀμ)` of the centred step), with `proj` as scratch.
fn sub_projected(
    mut g: faer::ColMut<'_, f64>,
    s: f64,
    x: &Mat<f64>,
    w: &[f64],
    y: &Mat<f64>,
    proj: &mut [f64],
) {
    for (j, p) in proj.iter_mut().enumerate() {
        *p = crate::linalg::dot(x.col_as_slice(j), w);
    }
    for (j, &p) in proj.iter().enumerate() {
        for (i, &v) in y.col_as_slice(j).iter().enumerate() {
            g[i] -= s * p * v;
        }
    }
}

/// The state of CD-k / PCD training: the shared [`Trainer`] running the
/// [`ContrastiveDivergence`] rule with [`Sgd`] (momentum and weight decay on `W`), which keeps
/// the velocities, persistent chains, generators, buffers and epoch counter, so that training
/// can go on across calls ([`fit`](Self::fit), [`fit_epoch`](Self::fit_epoch),
/// [`partial_fit`](Self::partial_fit)) exactly as in one run.
///
/// ```
/// use attractor::learn::contrastive_divergence::{CdParams, CdTrainer};
/// use attractor::models::rbm::Rbm;
/// use attractor::run::Budget;
/// use std::ops::ControlFlow;
/// // 40 samples of 6 binary features, one per column
/// let data = faer::Mat::from_fn(6, 40, |i, s| ((i + s) % 3 == 0) as u8 as f64);
/// let mut rbm = Rbm::random(6, 4, 0.01, 1)?;
/// let before = rbm.log_likelihood_exact(data.as_ref(), attractor::Par::Seq)?;
/// let params = CdParams { batch_size: 5, ..CdParams::default() };
/// let mut trainer = CdTrainer::new(&rbm, params)?;
/// trainer.fit(&mut rbm, data.as_ref(), &Budget::steps(50), |_| ControlFlow::Continue(()))?;
/// assert!(rbm.log_likelihood_exact(data.as_ref(), attractor::Par::Seq)? > before);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug)]
pub struct CdTrainer {
    params: CdParams,
    trainer: Trainer<ContrastiveDivergence, Sgd>,
    /// `0..b` for `partial_fit`'s minibatch of `b` columns.
    idx: Vec<usize>,
}

impl CdTrainer {
    /// A trainer for `rbm`'s shape with validated `params`.
    pub fn new(rbm: &Rbm, params: CdParams) -> Result<Self> {
        let rule = ContrastiveDivergence::new(rbm, &params)?;
        let sgd = Sgd::new(
            rbm.block_specs(),
            params.learning_rate,
            params.momentum,
            params.weight_decay,
        )?;
        let settings = TrainSettings {
            batch_size: params.batch_size,
            shuffle: params.shuffle,
            seed: params.seed,
        };
        let trainer = Trainer::new(rule, sgd, settings)?.with_schedules(
            params.learning_rate_schedule.clone(),
            params.momentum_schedule.clone(),
        )?;
        Ok(Self {
            trainer,
            params,
            idx: Vec::new(),
        })
    }

    /// The settings.
    pub fn params(&self) -> &CdParams {
        &self.params
    }
    /// The shared training loop (its rule, optimiser and settings).
    pub fn trainer(&self) -> &Trainer<ContrastiveDivergence, Sgd> {
        &self.trainer
    }
    /// Epochs completed so far.
    pub fn epochs_done(&self) -> usize {
        self.trainer.epochs_done()
    }
    /// Parameter updates so far.
    pub fn n_updates(&self) -> usize {
        self.trainer.n_updates()
    }
    /// The persistent chains of PCD (`n_visible × batch_size`), once started.
    pub fn persistent_chains(&self) -> Option<MatRef<'_, f64>> {
        self.trainer.rule().persistent_chains()
    }

    fn check_model(&self, rbm: &Rbm) -> Result<()> {
        self.trainer.rule().check_model(rbm)
    }

    /// One update on the minibatch formed by all columns of `batch` (scikit-learn's
    /// `partial_fit`); the data are checked. The budget's interrupt and time stop the Gibbs
    /// sweeps ([`Error::Stopped`], the model untouched).
    pub fn partial_fit(
        &mut self,
        rbm: &mut Rbm,
        batch: MatRef<'_, f64>,
        budget: &Budget,
    ) -> Result<()> {
        self.check_model(rbm)?;
        rbm.check_data("training data", batch)?;
        let b = batch.ncols();
        if self.idx.len() < b {
            self.idx.extend(self.idx.len()..b);
        }
        self.trainer
            .update(rbm, &Dataset::unsupervised(batch), &self.idx[..b], budget)
    }

    /// One epoch over `data` (checked), as [`fit`](Self::fit) runs them, stopped early by the
    /// budget's interrupt or time (then `Ok(false)`: every update made is kept, the epoch is
    /// not counted).
    pub fn fit_epoch(
        &mut self,
        rbm: &mut Rbm,
        data: MatRef<'_, f64>,
        budget: &Budget,
    ) -> Result<bool> {
        self.check_model(rbm)?;
        rbm.check_data("training data", data)?;
        self.trainer
            .fit_epoch(rbm, &Dataset::unsupervised(data), budget)
    }

    /// Train on the columns of `data` within `budget` (its epochs, time and interrupt — the
    /// interrupt and time are polled between minibatches and before every Gibbs sweep), calling
    /// `observer` after each epoch; `ControlFlow::Break` stops training and keeps the model
    /// reached, as the budget does (the epoch in progress is then not counted, so the next one
    /// starts it again with the same minibatch order). An epoch that makes a parameter
    /// non-finite is undone and ends training with [`Status::Diverged`] (the report's
    /// `diverged_epoch` names it).
    ///
    /// ```
    /// use attractor::learn::contrastive_divergence::{CdParams, CdTrainer};
    /// use attractor::models::rbm::Rbm;
    /// use attractor::run::{Budget, Interrupt, Status};
    /// use std::ops::ControlFlow;
    /// let data = faer::Mat::from_fn(6, 40, |i, s| ((i + s) % 3 == 0) as u8 as f64);
    /// let mut rbm = Rbm::random(6, 4, 0.01, 1)?;
    /// let mut trainer = CdTrainer::new(&rbm, CdParams::default())?;
    /// let stop = Interrupt::new();
    /// stop.raise(); // as a Ctrl-C handler does, from another thread
    /// let budget = Budget::steps(10).interrupt(stop);
    /// let s = trainer.fit(&mut rbm, data.as_ref(), &budget, |_| ControlFlow::Continue(()))?;
    /// assert_eq!((s.status, s.n_updates), (Status::Interrupted, 0));
    /// # Ok::<(), attractor::Error>(())
    /// ```
    pub fn fit(
        &mut self,
        rbm: &mut Rbm,
        data: MatRef<'_, f64>,
        budget: &Budget,
        mut observer: impl FnMut(&EpochReport<'_>) -> ControlFlow<()>,
    ) -> Result<TrainReport> {
        self.check_model(rbm)?;
        rbm.check_data("training data", data)?;
        let (seed, par) = (self.params.seed, self.params.par);
        self.trainer.fit(
            rbm,
            &Dataset::unsupervised(data),
            budget,
            |e: &Epoch<'_, Rbm, ContrastiveDivergence>| {
                observer(&EpochReport {
                    epoch: e.epoch,
                    n_updates: e.n_updates,
                    elapsed: e.elapsed,
                    rbm: e.model,
                    data,
                    seed,
                    par,
                    recon: OnceCell::new(),
                    pl: OnceCell::new(),
                })
            },
        )
    }
}

/// Train `rbm` on `data` with `params` within `budget` (a fresh [`CdTrainer`]); see
/// [`CdTrainer::fit`].
pub fn train(
    rbm: &mut Rbm,
    data: MatRef<'_, f64>,
    params: CdParams,
    budget: &Budget,
    observer: impl FnMut(&EpochReport<'_>) -> ControlFlow<()>,
) -> Result<TrainReport> {
    let mut t = CdTrainer::new(rbm, params)?;
    t.fit(rbm, data, budget, observer)
}
