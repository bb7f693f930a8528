//! The one training loop every learning rule runs on: epochs of minibatches in a seeded order,
//! a parameter step per minibatch by an [`Optimizer`], an observer after each epoch, the
//! [`Budget`] of the call (epochs, time, interrupt) checked between minibatches and, through
//! the [`Clock`] each estimate receives, inside a rule's long inner loops (the Gibbs steps of
//! CD-k, the relaxations of equilibrium propagation), and an epoch that makes a parameter
//! non-finite undone.
//!
//! A rule ([`Rule`]) only estimates: given the model and the indices of a minibatch it computes
//! its statistics (data and model phases for contrastive divergence, free and nudged equilibria
//! for equilibrium propagation), then adds its descent direction into whatever the optimiser
//! asks ([`Direction`]). The loop, the order of the samples and the bookkeeping are here, once.
//!
//! A learning rate and a momentum may move with the epoch ([`Trainer::with_schedules`], a
//! [`PerEpoch`] shape around the optimiser's initial values), set at the start of every epoch.
//!
//! The order of epoch `e` is a Fisher–Yates shuffle drawn from
//! `rng::stream(seed, streams::ORDER + e)` (or the identity without shuffling), so a training
//! run depends only on its seed.

use super::optimizer::{Direction, Optimizer, ParamBlocks};
use crate::error::{Error, Result};
use crate::rng::{stream, streams};
use crate::run::{Budget, Clock, Status};
use crate::schedule::PerEpoch;
use faer::MatRef;
use std::ops::ControlFlow;
use std::time::Duration;

/// Training data: inputs one per column, and for supervised rules the targets one per column.
#[derive(Debug, Clone, Copy)]
pub struct Dataset<'a> {
    /// Inputs, `features × n_samples`.
    pub x: MatRef<'a, f64>,
    /// Targets, `outputs × n_samples` (one-hot class codes, regression targets), if any.
    pub y: Option<MatRef<'a, f64>>,
}

impl<'a> Dataset<'a> {
    /// Unsupervised data.
    pub fn unsupervised(x: MatRef<'a, f64>) -> Self {
        Self { x, y: None }
    }
    /// Inputs with targets (same number of columns, checked).
    pub fn supervised(x: MatRef<'a, f64>, y: MatRef<'a, f64>) -> Result<Self> {
        crate::error::check_len(
            "targets (columns)",
            y.ncols(),
            x.ncols(),
            "give one target per sample (column)",
        )?;
        Ok(Self { x, y: Some(y) })
    }
    /// The number of samples.
    pub fn len(&self) -> usize {
        self.x.ncols()
    }
    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.x.ncols() == 0
    }
}

/// A learning rule: a gradient estimate on a minibatch, and the direction it implies.
pub trait Rule<M>: Direction {
    /// Size the rule's buffers for minibatches of up to `b` samples (allocates only when
    /// growing).
    fn reserve(&mut self, model: &M, b: usize) -> Result<()>;
    /// Compute the statistics of one update from the samples `idx` (column indices) of `data`,
    /// reading the model; [`Direction::add_into`] then writes the step. An error (data that do
    /// not fit the model) leaves the model untouched. A rule whose estimate runs a long inner
    /// loop polls `clock` there and returns [`Error::Stopped`] when it fires (the model is then
    /// untouched and the trainer ends with the clock's status).
    fn estimate(
        &mut self,
        model: &M,
        data: &Dataset<'_>,
        idx: &[usize],
        clock: &Clock,
    ) -> Result<()>;
}

/// The settings of the loop apart from the mathematics of the rule and the optimiser (how long
/// [`Trainer::fit`] runs is the [`Budget`] it takes: epochs, time, interrupt).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSettings {
    /// Samples per minibatch (the last one of an epoch may be smaller), at least 1.
    pub batch_size: usize,
    /// Shuffle the samples every epoch (else take them in order).
    pub shuffle: bool,
    /// The seed of the shuffles (rules draw their own streams from their own seed).
    pub seed: u64,
}

impl TrainSettings {
    /// Check every setting; the message names it.
    pub fn validate(&self) -> Result<()> {
        check_batch_size(self.batch_size)
    }
}

/// Check a minibatch size: at least 1, at most 2²⁴.
pub fn check_batch_size(batch_size: usize) -> Result<()> {
    if batch_size == 0 {
        return Err(Error::invalid(
            "batch_size",
            0,
            "a minibatch holds at least one sample (e.g. 10)",
        ));
    }
    if batch_size > 1 << 24 {
        return Err(Error::invalid(
            "batch_size",
            batch_size,
            "use at most 16777216 samples per minibatch",
        ));
    }
    Ok(())
}

/// What the observer of [`Trainer::fit`] sees after each epoch.
#[derive(Debug)]
pub struct Epoch<'a, M, R> {
    /// Epochs completed by the trainer (1 after the first).
    pub epoch: usize,
    /// Parameter updates so far.
    pub n_updates: usize,
    /// Time since `fit` started.
    pub elapsed: Duration,
    /// The model as it is after this epoch.
    pub model: &'a M,
    /// The rule (its statistics: persistent states, error counts).
    pub rule: &'a R,
}

/// The outcome of [`Trainer::fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    /// Epochs completed by this call.
    pub n_epochs: usize,
    /// Parameter updates made by this call.
    pub n_updates: usize,
    /// How it ended: [`Status::MaxSteps`] when every epoch ran, [`Status::Interrupted`] when
    /// the observer or the interrupt stopped it (the model is the one reached),
    /// [`Status::Timeout`] when the time budget was spent, [`Status::Diverged`] when an epoch
    /// made a parameter non-finite (that epoch is undone).
    pub status: Status,
    /// The epoch (1-based, counted over the trainer's life) that diverged, if one did.
    pub diverged_epoch: Option<usize>,
    /// Wall-clock time of the call.
    pub elapsed: Duration,
}

impl TrainReport {
    /// One sentence on how training ended.
    pub fn message(&self) -> String {
        match &self.status {
            Status::MaxSteps => format!(
                "all {} epochs done ({} updates, {:.2} s)",
                self.n_epochs,
                self.n_updates,
                self.elapsed.as_secs_f64()
            ),
            Status::Interrupted => format!(
                "stopped after {} epochs ({} updates): the parameters reached are kept",
                self.n_epochs, self.n_updates
            ),
            Status::Timeout => format!(
                "the time budget was spent after {} complete epochs ({} updates): the parameters reached are kept",
                self.n_epochs, self.n_updates
            ),
            Status::Diverged(why) => why.clone(),
            other => other.name().to_string(),
        }
    }
}

/// The training loop's state: the rule, the optimiser, the epoch counter and the sample order,
/// so that training continues across calls ([`fit`](Self::fit), [`fit_epoch`](Self::fit_epoch),
/// [`update`](Self::update)) exactly as in one run.
#[derive(Debug)]
pub struct Trainer<R, O> {
    rule: R,
    optimizer: O,
    settings: TrainSettings,
    order: Vec<usize>,
    epoch: usize,
    n_updates: usize,
    /// The learning rate per epoch around the optimiser's initial rate, and its base.
    lr_schedule: PerEpoch,
    base_lr: f64,
    /// The momentum per epoch around the optimiser's initial momentum, and its base.
    momentum_schedule: PerEpoch,
    base_momentum: Option<f64>,
}

impl<R, O: Optimizer> Trainer<R, O> {
    /// A trainer with validated `settings`.
    pub fn new(rule: R, optimizer: O, settings: TrainSettings) -> Result<Self> {
        settings.validate()?;
        Ok(Self {
            base_lr: optimizer.learning_rate(),
            base_momentum: optimizer.momentum(),
            rule,
            optimizer,
            settings,
            order: Vec::new(),
            epoch: 0,
            n_updates: 0,
            lr_schedule: PerEpoch::Constant,
            momentum_schedule: PerEpoch::Constant,
        })
    }

    /// Move the optimiser's learning rate and momentum with the epoch: at the start of epoch
    /// `t` (counted over the trainer's life, so a continued run goes on where it stopped) the
    /// rate is `learning_rate.at(η₀, t)` and the momentum `momentum.at(μ₀, t)`, around the
    /// optimiser's initial `η₀` and `μ₀`. Every value either schedule can take is checked
    /// (a rate `> 0`, a momentum in `[0, 1)`); a momentum schedule needs an optimiser with
    /// momentum ([`Sgd`](super::optimizer::Sgd)).
    pub fn with_schedules(mut self, learning_rate: PerEpoch, momentum: PerEpoch) -> Result<Self> {
        learning_rate.validate("learning_rate", self.base_lr, true, None)?;
        if momentum != PerEpoch::Constant {
            let Some(mu) = self.base_momentum else {
                return Err(Error::invalid(
                    "momentum schedule",
                    format!("{momentum:?}"),
                    "this optimiser has no momentum: use Sgd, or leave the momentum constant",
                ));
            };
            momentum.validate("momentum", mu, false, Some(1.0))?;
        }
        self.lr_schedule = learning_rate;
        self.momentum_schedule = momentum;
        self.apply_schedules();
        Ok(self)
    }

    /// The learning rate of the current epoch.
    pub fn current_learning_rate(&self) -> f64 {
        self.optimizer.learning_rate()
    }

    fn apply_schedules(&mut self) {
        if self.lr_schedule != PerEpoch::Constant {
            self.optimizer
                .set_learning_rate(self.lr_schedule.at(self.base_lr, self.epoch));
        }
        if let (Some(mu), false) = (
            self.base_momentum,
            self.momentum_schedule == PerEpoch::Constant,
        ) {
            self.optimizer
                .set_momentum(self.momentum_schedule.at(mu, self.epoch));
        }
    }
    /// The rule.
    pub fn rule(&self) -> &R {
        &self.rule
    }
    /// The rule, mutably (to change its settings between epochs).
    pub fn rule_mut(&mut self) -> &mut R {
        &mut self.rule
    }
    /// The optimiser.
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }
    /// The loop's settings.
    pub fn settings(&self) -> &TrainSettings {
        &self.settings
    }
    /// Epochs completed so far.
    pub fn epochs_done(&self) -> usize {
        self.epoch
    }
    /// Parameter updates so far.
    pub fn n_updates(&self) -> usize {
        self.n_updates
    }
    /// One update on the samples `idx` of `data` (scikit-learn's `partial_fit` on a minibatch).
    /// The budget's interrupt and time stop the rule's inner loops ([`Error::Stopped`], the
    /// model untouched); its number of epochs is not used. The caller has checked the data.
    pub fn update<M: ParamBlocks>(
        &mut self,
        model: &mut M,
        data: &Dataset<'_>,
        idx: &[usize],
        budget: &Budget,
    ) -> Result<()>
    where
        R: Rule<M>,
    {
        self.rule.reserve(model, idx.len())?;
        self.step(model, data, idx, &budget.start())
    }

    fn step<M: ParamBlocks>(
        &mut self,
        model: &mut M,
        data: &Dataset<'_>,
        idx: &[usize],
        clock: &Clock,
    ) -> Result<()>
    where
        R: Rule<M>,
    {
        self.rule.estimate(model, data, idx, clock)?;
        let (rule, opt) = (&mut self.rule, &mut self.optimizer);
        model.with_blocks_mut(&mut |blocks| opt.step(blocks, rule));
        self.n_updates += 1;
        Ok(())
    }

    /// One epoch over `data` in minibatches, without the divergence check of `fit`, bounded by
    /// the budget's time and interrupt (its number of epochs is not used). Returns `Ok(true)`
    /// when it completed (false when the budget stopped it; the epoch is then not counted).
    /// The caller has checked the data.
    pub fn fit_epoch<M: ParamBlocks>(
        &mut self,
        model: &mut M,
        data: &Dataset<'_>,
        budget: &Budget,
    ) -> Result<bool>
    where
        R: Rule<M>,
    {
        Ok(self.epoch_until(model, data, &budget.start())?.is_none())
    }

    fn epoch_until<M: ParamBlocks>(
        &mut self,
        model: &mut M,
        data: &Dataset<'_>,
        clock: &Clock,
    ) -> Result<Option<Status>>
    where
        R: Rule<M>,
    {
        use rand::RngExt;
        let n = data.len();
        if n == 0 {
            return Err(Error::invalid(
                "training data (samples)",
                0,
                "pass at least one sample (one per column)",
            ));
        }
        let bs = self.settings.batch_size.min(n);
        self.rule.reserve(model, bs)?;
        self.apply_schedules();
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(0..n);
        if self.settings.shuffle {
            let mut rng = stream(self.settings.seed, streams::ORDER + self.epoch as u64);
            for i in (1..n).rev() {
                let j = rng.random_range(0..=i);
                order.swap(i, j);
            }
        }
        let mut start = 0;
        let mut early = None;
        while start < n {
            if let Some(stop) = clock.check() {
                early = Some(stop);
                break;
            }
            let b = bs.min(n - start);
            match self.step(model, data, &order[start..start + b], clock) {
                Ok(()) => {}
                // the clock fired inside the rule's estimate: the model is untouched
                Err(Error::Stopped { status, .. }) => {
                    early = Some(status);
                    break;
                }
                Err(e) => {
                    self.order = order;
                    return Err(e);
                }
            }
            start += b;
        }
        self.order = order;
        if early.is_none() {
            self.epoch += 1;
        }
        Ok(early)
    }

    /// Train on `data` within `budget` — its epochs ([`Budget::max_steps`]), its time and its
    /// interrupt (checked between minibatches and inside the rule's inner loops) — calling
    /// `observer` after each epoch; `ControlFlow::Break` stops training and keeps the model
    /// reached, as the budget does. An epoch that makes a parameter non-finite is undone and
    /// ends training with [`Status::Diverged`]. The caller has checked the data.
    pub fn fit<M: ParamBlocks + Clone>(
        &mut self,
        model: &mut M,
        data: &Dataset<'_>,
        budget: &Budget,
        mut observer: impl FnMut(&Epoch<'_, M, R>) -> ControlFlow<()>,
    ) -> Result<TrainReport>
    where
        R: Rule<M>,
    {
        budget.require_bound("epochs", false)?;
        let clock = budget.start();
        let t0 = clock.started();
        let updates0 = self.n_updates;
        let mut status = Status::MaxSteps;
        let mut diverged_epoch = None;
        let mut done = 0;
        let mut last_good = model.clone();
        for _ in 0..budget.max_steps().unwrap_or(usize::MAX) {
            last_good.clone_from(model);
            let early = self.epoch_until(model, data, &clock)?;
            if !model.params_finite() {
                model.clone_from(&last_good);
                let e = self.epoch + usize::from(early.is_some());
                diverged_epoch = Some(e);
                status = Status::Diverged(format!(
                    "epoch {e} made a parameter non-finite; the parameters before it are kept: \
                     lower the learning rate (or the weight decay)"
                ));
                break;
            }
            if let Some(stop) = early {
                status = stop;
                break;
            }
            done += 1;
            let report = Epoch {
                epoch: self.epoch,
                n_updates: self.n_updates,
                elapsed: t0.elapsed(),
                model,
                rule: &self.rule,
            };
            if observer(&report).is_break() {
                status = Status::Interrupted;
                break;
            }
        }
        Ok(TrainReport {
            n_epochs: done,
            n_updates: self.n_updates - updates0,
            status,
            diverged_epoch,
            elapsed: t0.elapsed(),
        })
    }
}
