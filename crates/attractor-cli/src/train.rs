//! `attractor train rbm`: train a restricted Boltzmann machine by CD-k or PCD on images (an
//! MNIST IDX directory or file, or a `.npy` array), report the reconstruction error and
//! pseudo-likelihood after each epoch and the log-likelihood bracket (RAISE below, AIS above) at
//! the end, and write the
//! parameters to a safetensors file.

use crate::maxcut::Exit;
use anyhow::{Context, Result, bail};
use attractor::learn::contrastive_divergence::Centering;
use attractor::learn::{CdMethod, CdParams, CdTrainer};
use attractor::models::rbm::{AisParams, RaiseParams, Rbm, VisibleUnits};
use attractor::problems::ImageData;
use attractor::run::{Budget, Interrupt, Status};
use attractor::samplers::tempering::Ladder;
use attractor::schedule::PerEpoch;
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// `attractor train <model>`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(subcommand)]
    pub model: TrainModel,
}

/// The models `attractor train` trains.
#[derive(Subcommand, Debug)]
pub enum TrainModel {
    /// A restricted Boltzmann machine by contrastive divergence (CD-k) or persistent CD.
    Rbm(RbmTrainArgs),
    /// A layered energy network classifier by equilibrium propagation (or contrastive Hebbian
    /// learning, or backpropagation through the relaxation).
    Eqprop(crate::train_eqprop::EqpropTrainArgs),
}

/// The visible units of the RBM trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Visible {
    /// Binary units; the images are scaled to [0, 1] and binarised at --threshold.
    Bernoulli,
    /// Real units of unit variance; the images are scaled to [0, 1] and standardised per pixel.
    Gaussian,
}

/// The negative phase's chains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Persistent chains carried across updates (Tieleman 2008; scikit-learn's default).
    Pcd,
    /// One chain per sample, started at it (CD-k, Hinton 2002).
    Cd,
    /// Persistent tempered chains: one replica per temperature (--temperatures,
    /// --max-temperature), swapped between neighbours (Desjardins et al., AISTATS 2010).
    #[value(alias = "pt")]
    Tempering,
}

/// The visible biases at the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BiasInit {
    /// The logit of the smoothed data marginals (Hinton's practical guide, 2010).
    Data,
    /// Zero (scikit-learn's start).
    Zero,
}

/// `attractor train rbm --data DIR --out MODEL.safetensors`.
#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct RbmTrainArgs {
    /// The training images: an MNIST directory (train-images-idx3-ubyte[.gz]), an IDX file, or
    /// a `.npy` array (n_samples x n_features, or n_samples x height x width).
    #[arg(long, value_name = "DIR|FILE")]
    pub data: PathBuf,
    /// Write the trained parameters here (safetensors; written atomically).
    #[arg(long, value_name = "MODEL.safetensors")]
    pub out: PathBuf,
    /// Train on the first N samples (default: all).
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,
    /// Hidden units.
    #[arg(long, default_value_t = 256)]
    pub hidden: usize,
    /// Visible units.
    #[arg(long, value_enum, default_value_t = Visible::Bernoulli)]
    pub visible: Visible,
    /// Binarisation threshold for Bernoulli units, on values scaled to [0, 1].
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    pub threshold: f64,
    /// Train Bernoulli units on the scaled grey values in [0, 1] rather than binarised images.
    #[arg(long)]
    pub grey: bool,
    /// The negative phase: pcd or cd.
    #[arg(long, value_enum, default_value_t = Method::Pcd)]
    pub method: Method,
    /// Gibbs sweeps per update (the k of CD-k / PCD-k).
    #[arg(long, default_value_t = 1)]
    pub cd_k: usize,
    /// Passes over the training data.
    #[arg(long, default_value_t = 5)]
    pub epochs: usize,
    /// Samples per minibatch (also the number of persistent chains unless --chains).
    #[arg(long, default_value_t = 10)]
    pub batch_size: usize,
    /// Persistent chains of --method pcd / tempering (default: --batch-size).
    #[arg(long, value_name = "N")]
    pub chains: Option<usize>,
    /// Learning rate η.
    #[arg(long, default_value_t = 0.1, allow_hyphen_values = true)]
    pub learning_rate: f64,
    /// Momentum μ in [0, 1).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub momentum: f64,
    /// L2 penalty on the weights.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub weight_decay: f64,
    /// The learning rate per epoch: constant, linear:END:EPOCHS, exponential:FACTOR,
    /// inverse:TAU (η/(1 + t/τ)) or step:BEFORE:EPOCHS.
    #[arg(long, default_value = "constant", value_name = "SHAPE")]
    pub learning_rate_schedule: String,
    /// The momentum per epoch, in the same forms (e.g. step:0.5:5 with --momentum 0.9:
    /// Hinton's 0.5 for five epochs, then 0.9).
    #[arg(long, default_value = "constant", value_name = "SHAPE")]
    pub momentum_schedule: String,
    /// The centred gradient: none, data[:RATE] (Melchior et al., JMLR 2016) or
    /// enhanced[:RATE] (Cho et al., ICML 2011); RATE slides the offsets (default 0.01).
    #[arg(long, default_value = "none", value_name = "KIND[:RATE]")]
    pub centering: String,
    /// Temperatures of --method tempering (a geometric ladder from 1).
    #[arg(long, default_value_t = 10)]
    pub temperatures: usize,
    /// The hottest temperature of --method tempering.
    #[arg(long, default_value_t = 10.0, allow_hyphen_values = true)]
    pub max_temperature: f64,
    /// The visible biases at the start: data or zero.
    #[arg(long, value_enum, default_value_t = BiasInit::Data)]
    pub visible_bias_init: BiasInit,
    /// Standard deviation of the initial weights.
    #[arg(long, default_value_t = 0.01, allow_hyphen_values = true)]
    pub init_scale: f64,
    /// Seed of the initial weights, shuffles, chains and AIS.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// AIS runs for the final log-likelihood (0: skip it).
    #[arg(long, default_value_t = 100)]
    pub ais_runs: usize,
    /// AIS intermediate distributions (also RAISE's).
    #[arg(long, default_value_t = 10_000)]
    pub ais_betas: usize,
    /// Reverse-annealing (RAISE) chains run for the low end of the log-likelihood bracket, on
    /// that many evenly spaced evaluation images, one chain each (0: AIS only).
    #[arg(long, default_value_t = 200)]
    pub raise_samples: usize,
    /// Evaluate the log-likelihood bracket on these images (an MNIST directory's test set,
    /// an IDX file or a `.npy` array, prepared as the training data) rather than on the
    /// training images.
    #[arg(long, value_name = "DIR|FILE")]
    pub test: Option<PathBuf>,
    /// Wall-clock budget in seconds: training stops after the epoch that spends it and the
    /// parameters reached are written.
    #[arg(long, allow_hyphen_values = true)]
    pub time: Option<f64>,
    /// Worker threads (rayon's global pool; 0: all of them). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// The most worker threads `--threads` accepts.
const MAX_THREADS: usize = 1024;
/// The most hidden units `--hidden` accepts.
const MAX_HIDDEN: usize = 1 << 16;

fn check_args(args: &RbmTrainArgs) -> Result<()> {
    let num = attractor::format_number;
    if args.hidden == 0 || args.hidden > MAX_HIDDEN {
        bail!(
            "--hidden {}: give between 1 and {MAX_HIDDEN} hidden units",
            args.hidden
        );
    }
    if !(args.threshold.is_finite() && (0.0..1.0).contains(&args.threshold)) {
        bail!(
            "--threshold {}: the binarisation threshold applies to values scaled to [0, 1]; give a number in [0, 1) such as 0.5",
            num(args.threshold)
        );
    }
    if args.grey && args.visible == Visible::Gaussian {
        bail!(
            "--grey applies to Bernoulli units; Gaussian units always train on the standardised values"
        );
    }
    if args.epochs == 0 {
        bail!("--epochs 0: train for at least one epoch");
    }
    if !(args.init_scale.is_finite() && args.init_scale >= 0.0) {
        bail!(
            "--init-scale {}: give a finite standard deviation >= 0, e.g. 0.01",
            num(args.init_scale)
        );
    }
    if args.ais_runs == 1 {
        bail!("--ais-runs 1: AIS needs at least 2 runs for its standard error (0 skips it)");
    }
    if args.ais_runs > 1 << 20 {
        bail!("--ais-runs {}: at most 1048576", args.ais_runs);
    }
    if args.ais_runs > 0 && (args.ais_betas == 0 || args.ais_betas > 10_000_000) {
        bail!(
            "--ais-betas {}: give between 1 and 10000000 intermediate distributions",
            args.ais_betas
        );
    }
    if args.threads > MAX_THREADS {
        bail!(
            "--threads {}: at most {MAX_THREADS} (0 uses all)",
            args.threads
        );
    }
    Ok(())
}

/// Name the option behind a training parameter the library refused.
fn option_names(e: attractor::Error) -> anyhow::Error {
    let option = match &e {
        attractor::Error::InvalidParameter { name, .. } => match name.as_str() {
            "k" => Some("--cd-k"),
            "learning_rate" => Some("--learning-rate"),
            "momentum" => Some("--momentum"),
            "weight_decay" => Some("--weight-decay"),
            "batch_size" => Some("--batch-size"),
            "n_chains" => Some("--chains"),
            n if n.starts_with("learning_rate schedule") => Some("--learning-rate-schedule"),
            n if n.starts_with("momentum schedule") => Some("--momentum-schedule"),
            "centering rate" => Some("--centering"),
            "n_temperatures" => Some("--temperatures"),
            "max_temperature" => Some("--max-temperature"),
            _ => None,
        },
        _ => None,
    };
    match option {
        Some(o) => anyhow::Error::new(e).context(o),
        None => e.into(),
    }
}

pub fn run(args: &TrainArgs) -> Result<Exit> {
    match &args.model {
        TrainModel::Rbm(a) => run_rbm(a),
        TrainModel::Eqprop(a) => crate::train_eqprop::run_eqprop(a),
    }
}

fn run_rbm(args: &RbmTrainArgs) -> Result<Exit> {
    check_args(args)?;
    let budget = match args.time {
        None => None,
        Some(t) if t.is_finite() && t > 0.0 && t <= 1e9 => Some(Duration::from_secs_f64(t)),
        Some(t) => bail!(
            "--time {}: give a positive number of seconds (at most 1e9)",
            attractor::format_number(t)
        ),
    };
    attractor::output::check_writable(&args.out).context("--out")?;
    attractor::output::check_distinct(
        &[("--data", args.data.as_path())],
        &[("--out", args.out.as_path())],
    )?;
    let par = match args.threads {
        0 => attractor::linalg::ALL_THREADS,
        1 => attractor::Par::Seq,
        k => attractor::Par::rayon(k),
    };
    let params = CdParams {
        method: match args.method {
            Method::Pcd => CdMethod::Persistent,
            Method::Cd => CdMethod::Contrastive,
            Method::Tempering => CdMethod::Tempering,
        },
        k: args.cd_k,
        learning_rate: args.learning_rate,
        momentum: args.momentum,
        weight_decay: args.weight_decay,
        learning_rate_schedule: args
            .learning_rate_schedule
            .parse::<PerEpoch>()
            .context("--learning-rate-schedule")?,
        momentum_schedule: args
            .momentum_schedule
            .parse::<PerEpoch>()
            .context("--momentum-schedule")?,
        centering: args.centering.parse::<Centering>().context("--centering")?,
        temperatures: Ladder::geometric(args.temperatures, args.max_temperature)
            .map_err(option_names)?,
        batch_size: args.batch_size,
        n_chains: args.chains,
        shuffle: true,
        seed: args.seed,
        par,
    };
    params.validate().map_err(option_names)?;

    let mut images = ImageData::read(&args.data, args.count).map_err(|e| match &e {
        attractor::Error::InvalidParameter { name, .. } if name == "count" => {
            anyhow::Error::new(e).context(format!("--count {}", args.count.unwrap_or(0)))
        }
        _ => anyhow::Error::new(e).context("--data"),
    })?;
    let units = match args.visible {
        Visible::Bernoulli => {
            if !args.grey {
                images.binarize(args.threshold).context("--threshold")?;
            }
            VisibleUnits::Bernoulli
        }
        Visible::Gaussian => {
            images.standardize();
            VisibleUnits::Gaussian
        }
    };
    let ImageData {
        data,
        height,
        width,
        source,
    } = images;
    let (n_visible, n_samples) = (data.nrows(), data.ncols());
    attractor::linalg::check_dense_size("--hidden x n_features", args.hidden, n_visible)?;
    let mut rbm =
        Rbm::random(n_visible, args.hidden, args.init_scale, args.seed)?.with_visible(units);
    if args.visible_bias_init == BiasInit::Data {
        rbm.init_visible_bias_from_data(data.as_ref())?;
    }
    // the evaluation images, prepared as the training images
    let test = match &args.test {
        None => None,
        Some(path) => {
            let file = if path.is_dir() {
                ["t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte"]
                    .iter()
                    .map(|n| path.join(n))
                    .find(|p| p.is_file())
                    .with_context(|| {
                        format!(
                            "--test {}: no t10k-images-idx3-ubyte[.gz] in this directory; pass the test images' file",
                            path.display()
                        )
                    })?
            } else {
                path.clone()
            };
            let mut t = ImageData::read(&file, None).context("--test")?;
            match args.visible {
                Visible::Bernoulli if !args.grey => {
                    t.binarize(args.threshold).context("--threshold")?
                }
                Visible::Gaussian => t.standardize(),
                Visible::Bernoulli => {}
            }
            if t.data.nrows() != n_visible {
                bail!(
                    "--test {}: images of {} pixels, but the training images have {n_visible}; give test images of the same size",
                    path.display(),
                    t.data.nrows()
                );
            }
            Some(t.data)
        }
    };
    let mut trainer = CdTrainer::new(&rbm, params).map_err(option_names)?;
    println!(
        "data {}: {n_samples} images of {height} x {width}, {}",
        source.display(),
        match (args.visible, args.grey) {
            (Visible::Gaussian, _) => "scaled to [0, 1] and standardised per pixel".to_string(),
            (_, true) => "scaled to [0, 1] (grey values as probabilities)".to_string(),
            _ => format!(
                "scaled to [0, 1] and binarised at {}",
                attractor::format_number(args.threshold)
            ),
        }
    );
    println!(
        "rbm: {n_visible} {} visible x {} hidden, {}-{}, {} epochs, minibatch {}, learning rate {}, momentum {}, weight decay {}, seed {}",
        units.name(),
        args.hidden,
        match args.method {
            Method::Pcd => "PCD",
            Method::Cd => "CD",
            Method::Tempering => "tempered PCD",
        },
        args.cd_k,
        args.epochs,
        args.batch_size,
        attractor::format_number(args.learning_rate),
        attractor::format_number(args.momentum),
        attractor::format_number(args.weight_decay),
        args.seed
    );

    let stop = Interrupt::new();
    {
        let stop = stop.clone();
        // SIGINT and SIGTERM both stop training after the current minibatch and keep the model
        let _ = ctrlc::set_handler(move || stop.raise());
    }
    // the epochs and the interrupt (polled between minibatches and before every Gibbs sweep);
    // --time is checked after each epoch below, so the epoch that spends it completes
    let run_budget = Budget::steps(args.epochs).interrupt(stop.clone());
    let bar = ProgressBar::with_draw_target(
        Some(args.epochs as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let t0 = Instant::now();
    let mut out_of_time = false;
    let summary = trainer
        .fit(&mut rbm, data.as_ref(), &run_budget, |r| {
            let recon = r.reconstruction_error();
            let pl = r.pseudo_likelihood();
            let line = format!(
                "epoch {:>3}: reconstruction error {:.4}{} ({:.2} s)",
                r.epoch,
                recon,
                pl.map(|p| format!(", pseudo-likelihood {p:.4}"))
                    .unwrap_or_default(),
                r.elapsed.as_secs_f64()
            );
            bar.suspend(|| println!("{line}"));
            bar.set_position(r.epoch as u64);
            if budget.is_some_and(|b| t0.elapsed() >= b) {
                out_of_time = true;
                return ControlFlow::Break(());
            }
            if stop.is_raised() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .map_err(option_names)?;
    bar.finish_and_clear();
    let interrupted = summary.status == Status::Interrupted && !out_of_time;
    println!(
        "training: {} epochs, {} updates in {:.2} s ({}){}",
        summary.n_epochs,
        summary.n_updates,
        summary.elapsed.as_secs_f64(),
        match &summary.status {
            Status::MaxSteps => "all epochs done".to_string(),
            Status::Timeout => "time budget spent".to_string(),
            Status::Interrupted if out_of_time => "time budget spent".to_string(),
            Status::Interrupted => "interrupted (Ctrl-C or SIGTERM): the model reached".to_string(),
            Status::Diverged(_) => format!(
                "epoch {} made a parameter non-finite and was undone; lower --learning-rate",
                summary.diverged_epoch.unwrap_or(summary.n_epochs + 1)
            ),
            other => other.name().to_string(),
        },
        if summary.n_epochs == 0 && !matches!(summary.status, Status::Diverged(_)) {
            "; the initial model is written"
        } else {
            ""
        }
    );
    // a diverged run is a failure: with no epoch done there is nothing but the random initial
    // model, which is not written; otherwise the last finite model is kept, and the exit says
    // that training failed
    let diverged = match &summary.status {
        Status::Diverged(why) => Some(format!(
            "training diverged in epoch {} ({why}) with --learning-rate {} and --weight-decay {}; lower them",
            summary.diverged_epoch.unwrap_or(summary.n_epochs + 1),
            attractor::format_number(args.learning_rate),
            attractor::format_number(args.weight_decay),
        )),
        _ => None,
    };
    if let (Some(msg), 0) = (&diverged, summary.n_epochs) {
        bail!("{msg}; no epoch finished, so no model was written");
    }
    // the model is written before the (long) likelihood estimate, so an interrupt there loses
    // nothing
    rbm.save_safetensors(&args.out).context("--out")?;
    if let Some(msg) = diverged {
        bail!(
            "{msg}; the model after epoch {} (the last finite one) was written to {}",
            summary.n_epochs,
            args.out.display()
        );
    }
    println!(
        "wrote {} ({n_visible} x {} {} RBM)",
        args.out.display(),
        args.hidden,
        units.name()
    );
    if let Some(rates) = trainer.trainer().rule().swap_rates() {
        let r: Vec<String> = rates.iter().map(|r| format!("{r:.2}")).collect();
        println!(
            "tempering swap rates between neighbouring temperatures: {}",
            r.join(" ")
        );
    }
    if args.ais_runs > 0 && !interrupted {
        let ais = AisParams {
            n_runs: args.ais_runs,
            n_betas: args.ais_betas,
            seed: args.seed,
            par,
            ..AisParams::default()
        };
        let (eval, what) = match &test {
            Some(t) => (t.as_ref(), "test image"),
            None => (data.as_ref(), "training image"),
        };
        let t = Instant::now();
        // SIGINT/SIGTERM stop the estimate too (the model is already written)
        let stopped = || {
            println!("log-likelihood: the estimate was interrupted (the model was written)");
            Ok(Exit::Interrupted)
        };
        if args.raise_samples == 0 {
            let (ll, r) = match rbm.log_likelihood_ais(eval, &ais, &run_budget) {
                Err(attractor::Error::Stopped { .. }) => return stopped(),
                other => other?,
            };
            println!(
                "log-likelihood (AIS, {} runs x {} betas, {:.1} s): {ll:.3} nats per {what} (log Z = {:.3} ± {:.3}; AIS errs high, add --raise-samples for the low end)",
                args.ais_runs,
                args.ais_betas,
                t.elapsed().as_secs_f64(),
                r.log_z,
                r.std_err
            );
        } else {
            let raise = RaiseParams {
                chains_per_sample: 1,
                max_samples: Some(args.raise_samples),
            };
            let b = match rbm.log_likelihood_bracket(
                eval,
                &ais,
                &raise,
                Some(data.as_ref()),
                &run_budget,
            ) {
                Err(attractor::Error::Stopped { .. }) => return stopped(),
                other => other?,
            };
            println!(
                "log-likelihood bracket ({} betas, {:.1} s): [{:.3} ± {:.3} (RAISE, {} images), {:.3} ± {:.3} (AIS, {} runs)] nats per {what}; log Z in [{:.3}, {:.3}]",
                args.ais_betas,
                t.elapsed().as_secs_f64(),
                b.lower,
                b.lower_std_err,
                b.raise.per_sample.len(),
                b.upper,
                b.upper_std_err,
                args.ais_runs,
                b.log_z_lower,
                b.log_z_upper
            );
        }
    }
    Ok(if interrupted {
        Exit::Interrupted
    } else {
        Exit::Done
    })
}
