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
//! Data are a matrix with one sample per column (`n_visible × n_samples`: a row-major NumPy
//! `(n_samples, n_visible)` array seen column-major), in `[0, 1]` for Bernoulli visible units.
//! Minibatches are taken in an order shuffled per epoch from
//! `rng::stream(seed, streams::ORDER + epoch)`; chain `j` draws from
//! `rng::stream(seed, streams::DYNAMICS + j)`. Every product runs in fixed row blocks, so the
//! trained parameters are identical for any `par`. After the first minibatch nothing is
//! allocated per update.

use crate::error::{Error, Result, check_len};
use crate::models::rbm::Rbm;
use crate::models::rbm::gibbs::{SweepBuffers, sample_visible, sweep};
use crate::models::rbm::kernels::{self, blocked_matmul};
use crate::rng::{Rng, stream, streams};
use crate::run::Interrupt;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatRef, Par};
use std::cell::OnceCell;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// Where the negative (model) phase's chains start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CdMethod {
    /// CD-k: one chain per data vector of the minibatch, started at it.
    #[default]
    Contrastive,
    /// PCD: `batch_size` persistent chains, started at the first minibatch and continued
    /// across updates (Tieleman 2008; scikit-learn's `BernoulliRBM`).
    Persistent,
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
    /// Samples per minibatch (the last one of an epoch may be smaller), at least 1; also the
    /// number of persistent chains of PCD.
    pub batch_size: usize,
    /// Epochs of [`CdTrainer::fit`].
    pub n_epochs: usize,
    /// Shuffle the samples every epoch (else take them in order).
    pub shuffle: bool,
    /// The seed of the shuffles and chains.
    pub seed: u64,
    /// Parallelism of the products (results identical for any value; on small minibatches
    /// `Par::Seq` is fastest).
    pub par: Par,
}

impl Default for CdParams {
    /// CD-1, `η = 0.1`, no momentum or decay, minibatches of 10, 10 epochs, shuffled, seed 0.
    fn default() -> Self {
        Self {
            method: CdMethod::Contrastive,
            k: 1,
            learning_rate: 0.1,
            momentum: 0.0,
            weight_decay: 0.0,
            batch_size: 10,
            n_epochs: 10,
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
        if self.batch_size == 0 {
            return Err(Error::invalid(
                "batch_size",
                0,
                "a minibatch holds at least one sample (e.g. 10)",
            ));
        }
        if self.batch_size > 1 << 24 {
            return Err(Error::invalid(
                "batch_size",
                self.batch_size,
                "use at most 16777216 samples per minibatch",
            ));
        }
        Ok(())
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

/// How [`CdTrainer::fit`] ended.
#[derive(Debug, Clone, PartialEq)]
pub enum CdStatus {
    /// All `n_epochs` ran.
    Completed,
    /// The observer returned `ControlFlow::Break` (the model is the one it saw), or the
    /// trainer's interrupt ([`CdTrainer::set_interrupt`]) was raised (the model is the one
    /// reached by the last complete minibatch update).
    Stopped,
    /// An epoch made a parameter non-finite; the model was restored to its state before that
    /// epoch. Lower the learning rate (or raise the weight decay).
    Diverged {
        /// The epoch (1-based) that diverged.
        epoch: usize,
    },
}

/// The summary of a [`CdTrainer::fit`] call.
#[derive(Debug, Clone, PartialEq)]
pub struct CdSummary {
    /// Epochs completed by this call.
    pub n_epochs: usize,
    /// Parameter updates made by this call.
    pub n_updates: usize,
    /// How it ended.
    pub status: CdStatus,
    /// Wall-clock time of the call.
    pub elapsed: Duration,
}

/// The state of CD-k / PCD training: momentum, persistent chains, generators and buffers, so
/// that training can go on across calls ([`fit`](Self::fit), [`fit_epoch`](Self::fit_epoch),
/// [`partial_fit`](Self::partial_fit)) exactly as in one run.
///
/// ```
/// use attractor::learn::contrastive_divergence::{CdParams, CdTrainer};
/// use attractor::models::rbm::Rbm;
/// use std::ops::ControlFlow;
/// // 40 samples of 6 binary features, one per column
/// let data = faer::Mat::from_fn(6, 40, |i, s| ((i + s) % 3 == 0) as u8 as f64);
/// let mut rbm = Rbm::random(6, 4, 0.01, 1)?;
/// let before = rbm.log_likelihood_exact(data.as_ref(), attractor::Par::Seq)?;
/// let params = CdParams { n_epochs: 50, batch_size: 5, ..CdParams::default() };
/// let mut trainer = CdTrainer::new(&rbm, params)?;
/// trainer.fit(&mut rbm, data.as_ref(), |_| ControlFlow::Continue(()))?;
/// assert!(rbm.log_likelihood_exact(data.as_ref(), attractor::Par::Seq)? > before);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug)]
pub struct CdTrainer {
    params: CdParams,
    n_visible: usize,
    n_hidden: usize,
    /// Visible states: chains in columns `0..c`, then the minibatch.
    vcat: Mat<f64>,
    /// Hidden probabilities of the same columns, scaled by the update coefficients.
    hcat: Mat<f64>,
    coef: Vec<f64>,
    sweep: SweepBuffers,
    vel_w: Mat<f64>,
    vel_a: Vec<f64>,
    vel_b: Vec<f64>,
    rngs: Vec<Rng>,
    chains_ready: bool,
    order: Vec<usize>,
    epoch: usize,
    n_updates: usize,
    interrupt: Option<Interrupt>,
}

impl CdTrainer {
    /// A trainer for `rbm`'s shape with validated `params`.
    pub fn new(rbm: &Rbm, params: CdParams) -> Result<Self> {
        params.validate()?;
        let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
        let momentum = params.momentum > 0.0;
        let mut t = Self {
            n_visible: nv,
            n_hidden: nh,
            vcat: Mat::new(),
            hcat: Mat::new(),
            coef: Vec::new(),
            sweep: SweepBuffers::new(rbm, 0),
            vel_w: if momentum {
                Mat::zeros(nv, nh)
            } else {
                Mat::new()
            },
            vel_a: vec![0.0; nv],
            vel_b: vec![0.0; nh],
            rngs: Vec::new(),
            chains_ready: false,
            order: Vec::new(),
            epoch: 0,
            n_updates: 0,
            interrupt: None,
            params,
        };
        t.reserve(rbm, t.params.batch_size)?;
        Ok(t)
    }

    /// The settings.
    pub fn params(&self) -> &CdParams {
        &self.params
    }
    /// Epochs completed so far.
    pub fn epochs_done(&self) -> usize {
        self.epoch
    }
    /// Parameter updates so far.
    pub fn n_updates(&self) -> usize {
        self.n_updates
    }
    /// Stop training between minibatches once `stop` is raised (Ctrl-C in a front end):
    /// [`fit`](Self::fit) then ends with [`CdStatus::Stopped`] and
    /// [`fit_epoch`](Self::fit_epoch) returns early, keeping every update made; the epoch in
    /// progress is not counted, so the next one starts it again with the same minibatch order.
    /// `None` removes the flag.
    ///
    /// ```
    /// use attractor::learn::contrastive_divergence::{CdParams, CdStatus, CdTrainer};
    /// use attractor::models::rbm::Rbm;
    /// use attractor::run::Interrupt;
    /// use std::ops::ControlFlow;
    /// let data = faer::Mat::from_fn(6, 40, |i, s| ((i + s) % 3 == 0) as u8 as f64);
    /// let mut rbm = Rbm::random(6, 4, 0.01, 1)?;
    /// let mut trainer = CdTrainer::new(&rbm, CdParams::default())?;
    /// let stop = Interrupt::new();
    /// trainer.set_interrupt(Some(stop.clone()));
    /// stop.raise(); // as a Ctrl-C handler does, from another thread
    /// let s = trainer.fit(&mut rbm, data.as_ref(), |_| ControlFlow::Continue(()))?;
    /// assert_eq!((s.status, s.n_updates), (CdStatus::Stopped, 0));
    /// # Ok::<(), attractor::Error>(())
    /// ```
    pub fn set_interrupt(&mut self, stop: Option<Interrupt>) {
        self.interrupt = stop;
    }

    fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(Interrupt::is_raised)
    }

    /// The persistent chains of PCD (`n_visible × batch_size`), once started.
    pub fn persistent_chains(&self) -> Option<MatRef<'_, f64>> {
        (self.params.method == CdMethod::Persistent && self.chains_ready)
            .then(|| self.vcat.as_ref().subcols(0, self.params.batch_size))
    }

    /// The number of negative-phase chains for a minibatch of `b` samples.
    fn n_chains(&self, b: usize) -> usize {
        match self.params.method {
            CdMethod::Contrastive => b,
            CdMethod::Persistent => self.params.batch_size,
        }
    }

    /// Size the buffers for minibatches of up to `b` samples (allocates only when growing).
    fn reserve(&mut self, rbm: &Rbm, b: usize) -> Result<()> {
        let width = self.n_chains(b) + b;
        if self.vcat.ncols() < width {
            let (nv, nh) = (self.n_visible, self.n_hidden);
            crate::linalg::check_dense_size("training buffers (n_visible x minibatch)", nv, width)?;
            let mut v = Mat::<f64>::zeros(nv, width);
            let keep = self.vcat.ncols();
            if keep > 0 {
                v.as_mut()
                    .subcols_mut(0, keep)
                    .copy_from(self.vcat.as_ref());
            }
            self.vcat = v;
            self.hcat = Mat::zeros(nh, width);
            self.coef = vec![0.0; width];
            self.sweep = SweepBuffers::new(rbm, width);
        }
        let n_rngs = self.n_chains(b);
        while self.rngs.len() < n_rngs {
            let j = self.rngs.len() as u64;
            self.rngs
                .push(stream(self.params.seed, streams::DYNAMICS + j));
        }
        Ok(())
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

    /// One update on the minibatch formed by all columns of `batch` (scikit-learn's
    /// `partial_fit`); the data are checked.
    pub fn partial_fit(&mut self, rbm: &mut Rbm, batch: MatRef<'_, f64>) -> Result<()> {
        self.check_model(rbm)?;
        rbm.check_data("training data", batch)?;
        let b = batch.ncols();
        self.reserve(rbm, b)?;
        let c = self.n_chains(b);
        for s in 0..b {
            let dst = self.vcat.col_as_slice_mut(c + s);
            for (i, x) in dst.iter_mut().enumerate() {
                *x = batch[(i, s)];
            }
        }
        self.update(rbm, b);
        Ok(())
    }

    /// One epoch over the columns of `data` in minibatches of `batch_size` (shuffled when
    /// `shuffle`), without checking the data (the callers do). Returns whether it completed
    /// (false when the interrupt stopped it between minibatches; the epoch is then not counted).
    fn epoch_unchecked(&mut self, rbm: &mut Rbm, data: MatRef<'_, f64>) -> Result<bool> {
        use rand::RngExt;
        let n = data.ncols();
        let bs = self.params.batch_size.min(n);
        self.reserve(rbm, bs)?;
        self.order.clear();
        self.order.extend(0..n);
        if self.params.shuffle {
            let mut rng = stream(self.params.seed, streams::ORDER + self.epoch as u64);
            for i in (1..n).rev() {
                let j = rng.random_range(0..=i);
                self.order.swap(i, j);
            }
        }
        let mut start = 0;
        while start < n {
            if self.interrupted() {
                return Ok(false);
            }
            let b = bs.min(n - start);
            let c = self.n_chains(b);
            for s in 0..b {
                let src = self.order[start + s];
                let dst = self.vcat.col_as_slice_mut(c + s);
                for (i, x) in dst.iter_mut().enumerate() {
                    *x = data[(i, src)];
                }
            }
            self.update(rbm, b);
            start += b;
        }
        self.epoch += 1;
        Ok(true)
    }

    /// One epoch over `data` (checked), as [`fit`](Self::fit) runs them (stopped early by
    /// the interrupt, if one is set and raised).
    pub fn fit_epoch(&mut self, rbm: &mut Rbm, data: MatRef<'_, f64>) -> Result<()> {
        self.check_model(rbm)?;
        rbm.check_data("training data", data)?;
        self.epoch_unchecked(rbm, data).map(|_| ())
    }

    /// Train for `n_epochs` epochs on the columns of `data`, calling `observer` after each;
    /// `ControlFlow::Break` stops training and keeps the model reached, as does the interrupt
    /// ([`set_interrupt`](Self::set_interrupt)) between minibatches. An epoch that makes a
    /// parameter non-finite is undone and ends training with [`CdStatus::Diverged`].
    pub fn fit(
        &mut self,
        rbm: &mut Rbm,
        data: MatRef<'_, f64>,
        mut observer: impl FnMut(&EpochReport<'_>) -> ControlFlow<()>,
    ) -> Result<CdSummary> {
        self.check_model(rbm)?;
        rbm.check_data("training data", data)?;
        let t0 = Instant::now();
        let updates0 = self.n_updates;
        let mut status = CdStatus::Completed;
        let mut done = 0;
        let mut last_good = rbm.clone();
        for _ in 0..self.params.n_epochs {
            last_good.clone_from(rbm);
            let completed = self.epoch_unchecked(rbm, data)?;
            if !rbm.is_finite() {
                rbm.clone_from(&last_good);
                status = CdStatus::Diverged {
                    epoch: self.epoch + usize::from(!completed),
                };
                break;
            }
            if !completed {
                status = CdStatus::Stopped;
                break;
            }
            done += 1;
            let report = EpochReport {
                epoch: self.epoch,
                n_updates: self.n_updates,
                elapsed: t0.elapsed(),
                rbm,
                data,
                seed: self.params.seed,
                par: self.params.par,
                recon: OnceCell::new(),
                pl: OnceCell::new(),
            };
            if observer(&report).is_break() {
                status = CdStatus::Stopped;
                break;
            }
        }
        Ok(CdSummary {
            n_epochs: done,
            n_updates: self.n_updates - updates0,
            status,
            elapsed: t0.elapsed(),
        })
    }

    /// One parameter update from the minibatch in columns `c .. c + b` of `vcat`.
    fn update(&mut self, rbm: &mut Rbm, b: usize) {
        let par = self.params.par;
        let k = self.params.k;
        let c = self.n_chains(b);
        let width = c + b;
        // positive phase: P0 = σ(Wᵀ V0 + b)
        rbm.hidden_probabilities_into(
            self.vcat.as_ref().subcols(c, b),
            self.hcat.as_mut().subcols_mut(c, b),
            1.0,
            par,
        );
        // negative phase: k sweeps of the chains in columns 0..c
        let mut sweeps = k;
        match self.params.method {
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
            CdMethod::Persistent => {
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
        for _ in 0..sweeps {
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
        // coefficients: −η/c for the chains, η/b for the data
        let lr = self.params.learning_rate;
        for (s, x) in self.coef[..width].iter_mut().enumerate() {
            *x = if s < c { -lr / c as f64 } else { lr / b as f64 };
        }
        let mu = self.params.momentum;
        let wd = self.params.weight_decay;
        let (mut w, a, bias) = rbm.parts_mut();
        // bias steps: Σ_s coef_s v_s and Σ_s coef_s p_s
        for x in self.vel_a.iter_mut() {
            *x *= mu;
        }
        for x in self.vel_b.iter_mut() {
            *x *= mu;
        }
        for s in 0..width {
            let cs = self.coef[s];
            for (g, &v) in self.vel_a.iter_mut().zip(self.vcat.col_as_slice(s)) {
                *g += cs * v;
            }
            let hs = self.hcat.col_as_slice_mut(s);
            for (g, h) in self.vel_b.iter_mut().zip(hs.iter_mut()) {
                *h *= cs;
                *g += *h;
            }
        }
        for (x, g) in a.iter_mut().zip(&self.vel_a) {
            *x += g;
        }
        for (x, g) in bias.iter_mut().zip(&self.vel_b) {
            *x += g;
        }
        // weights: ΔW = μΔW − ηλW + [V_chains V0] [coef·H]ᵀ
        let vc = self.vcat.as_ref().subcols(0, width);
        let hc = self.hcat.as_ref().subcols(0, width);
        if mu > 0.0 {
            for j in 0..self.n_hidden {
                let wj = w.rb().col(j);
                let mut vj = self.vel_w.col_mut(j);
                for i in 0..self.n_visible {
                    vj[i] = mu * vj[i] - lr * wd * wj[i];
                }
            }
            blocked_matmul(
                self.vel_w.as_mut(),
                Accum::Add,
                vc,
                hc.transpose(),
                1.0,
                par,
            );
            for j in 0..self.n_hidden {
                let vj = self.vel_w.col(j);
                let mut wj = w.rb_mut().col_mut(j);
                for i in 0..self.n_visible {
                    wj[i] += vj[i];
                }
            }
        } else {
            if wd > 0.0 {
                let s = 1.0 - lr * wd;
                for j in 0..self.n_hidden {
                    let mut wj = w.rb_mut().col_mut(j);
                    for i in 0..self.n_visible {
                        wj[i] *= s;
                    }
                }
            }
            blocked_matmul(w.rb_mut(), Accum::Add, vc, hc.transpose(), 1.0, par);
        }
        self.n_updates += 1;
    }
}

/// Train `rbm` on `data` with `params` (a fresh [`CdTrainer`]); see [`CdTrainer::fit`].
pub fn train(
    rbm: &mut Rbm,
    data: MatRef<'_, f64>,
    params: CdParams,
    observer: impl FnMut(&EpochReport<'_>) -> ControlFlow<()>,
) -> Result<CdSummary> {
    let mut t = CdTrainer::new(rbm, params)?;
    t.fit(rbm, data, observer)
}
