//! `attractor train eqprop`: train a layered energy network on labelled images by equilibrium
//! propagation (or contrastive Hebbian learning, or backpropagation through the relaxation for
//! comparison), print the training and test error after each epoch, and write the network.

use crate::maxcut::Exit;
use anyhow::{Context, Result, bail};
use attractor::learn::oscillator_eqprop::{OscEqPropParams, OscillatorEqProp};
use attractor::learn::{
    BackpropRelaxation, ChlParams, ContrastiveHebbian, Dataset, EqPropParams,
    EquilibriumPropagation, Nudging, Sgd, TrainSettings, Trainer,
};
use attractor::models::layered::{Cost, LayerActivation, LayeredNetwork, Relaxation};
use attractor::models::oscillator_network::OscillatorNetwork;
use attractor::problems::{ImageData, mnist_companions, read_labels, resolve_images};
use attractor::run::{Budget, Interrupt, Status};
use clap::{Args, ValueEnum};
use faer::Mat;
use indicatif::{ProgressBar, ProgressStyle};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The network trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NetworkKind {
    /// The layered energy network of Scellier & Bengio (rates, --activation).
    Layered,
    /// A layered network of phase oscillators (the oscillator Ising machine's energy, Gower
    /// 2025; inputs as phases π·x, outputs read as cos θ). Suggested: --epsilon 0.3
    /// --free-steps 40 --nudge-steps 20 --symmetric.
    Oscillator,
}

/// The learning rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleName {
    /// Equilibrium propagation (Scellier & Bengio 2017).
    Ep,
    /// Contrastive Hebbian learning (Movellan 1991).
    Chl,
    /// Backpropagation through the free relaxation (the baseline).
    Bptt,
}

/// `attractor train eqprop --data DIR`.
#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct EqpropTrainArgs {
    /// The training images: an MNIST directory (train-images/labels, and t10k-* for the test
    /// error), an IDX file, or a `.npy` array (n x features or n x height x width).
    #[arg(long, value_name = "DIR|FILE")]
    pub data: PathBuf,
    /// The training labels (IDX or one-dimensional `.npy`); found beside MNIST images.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Test images (found beside MNIST training images).
    #[arg(long, value_name = "FILE")]
    pub test_data: Option<PathBuf>,
    /// Test labels.
    #[arg(long, value_name = "FILE")]
    pub test_labels: Option<PathBuf>,
    /// Write the trained network here (safetensors, atomically).
    #[arg(long, value_name = "MODEL.safetensors")]
    pub out: Option<PathBuf>,
    /// Train on the first N samples (default: all).
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,
    /// Test on the first N test samples (default: all).
    #[arg(long, value_name = "N")]
    pub test_count: Option<usize>,
    /// Hidden layer widths, comma-separated (e.g. 500 or 500,500).
    #[arg(long, default_value = "500", value_delimiter = ',')]
    pub hidden: Vec<usize>,
    /// The activation ρ: hard-sigmoid (clip to [0, 1]), sigmoid or tanh.
    #[arg(long, default_value = "hard-sigmoid")]
    pub activation: String,
    /// The learning rule.
    #[arg(long, value_enum, default_value_t = RuleName::Ep)]
    pub rule: RuleName,
    /// The network: layered (energy network of rates) or oscillator (phases).
    #[arg(long, value_enum, default_value_t = NetworkKind::Layered)]
    pub network: NetworkKind,
    /// Epochs.
    #[arg(long, default_value_t = 25)]
    pub epochs: usize,
    /// Examples per minibatch.
    #[arg(long, default_value_t = 20)]
    pub batch_size: usize,
    /// The nudging strength β (EP).
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    pub beta: f64,
    /// Symmetric nudging (±β; Laborieux et al. 2021).
    #[arg(long)]
    pub symmetric: bool,
    /// A random sign of β per minibatch.
    #[arg(long, conflicts_with = "symmetric")]
    pub random_sign: bool,
    /// Free-phase steps (also the steps BPTT unrolls).
    #[arg(long, default_value_t = 20)]
    pub free_steps: usize,
    /// Nudged-phase steps (clamped-phase steps for CHL).
    #[arg(long, default_value_t = 4)]
    pub nudge_steps: usize,
    /// The relaxation step ε.
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    pub epsilon: f64,
    /// Steps of the free relaxation (from zero) that predicts a test example.
    #[arg(long, default_value_t = 100)]
    pub predict_steps: usize,
    /// Also report the test error on persistent test particles (Scellier & Bengio's protocol:
    /// each test example keeps its free state, relaxed --free-steps further after every epoch),
    /// beside the error of the relaxation from zero.
    #[arg(long)]
    pub test_particles: bool,
    /// Learning rates, one per weight layer (input first), comma-separated; the last repeats.
    #[arg(
        long,
        default_value = "0.1,0.05",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    pub lr: Vec<f64>,
    /// Momentum of the SGD steps.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub momentum: f64,
    /// The cost of the nudge (and the loss): squared-error or cross-entropy.
    #[arg(long, default_value = "squared-error")]
    pub cost: String,
    /// Do not keep persistent free states per training example.
    #[arg(long)]
    pub no_persistent: bool,
    /// The seed of the weights, the order and the signs.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Threads for the products (0: all; results are identical for any value).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Stop after this many seconds (between minibatches), keeping the network reached.
    #[arg(long, value_name = "SECONDS")]
    pub time: Option<f64>,
}

/// Images (one per column) and labels.
struct Labelled {
    x: Mat<f64>,
    labels: Vec<usize>,
}

fn read_labelled(
    images: &Path,
    labels: &Path,
    count: Option<usize>,
    what: &str,
) -> Result<Labelled> {
    let data = ImageData::read(images, count).with_context(|| format!("--{what}data"))?;
    let labels = read_labels(labels, count).with_context(|| format!("--{what}labels"))?;
    if labels.len() != data.data.ncols() {
        bail!(
            "--{what}labels: {} labels for {} images in {}; give one label per image",
            labels.len(),
            data.data.ncols(),
            data.source.display()
        );
    }
    Ok(Labelled {
        x: data.data,
        labels,
    })
}

fn error_rate(pred: &attractor::Result<Vec<usize>>, test: &Labelled) -> Result<f64> {
    let pred = pred.as_ref().map_err(|e| anyhow::Error::new(e.clone()))?;
    let wrong = pred
        .iter()
        .zip(&test.labels)
        .filter(|(p, t)| p != t)
        .count();
    Ok(wrong as f64 / test.labels.len().max(1) as f64)
}

pub fn run_eqprop(args: &EqpropTrainArgs) -> Result<Exit> {
    let activation: LayerActivation = args.activation.parse().context("--activation")?;
    let cost: Cost = args.cost.parse().context("--cost")?;
    if args.epochs == 0 {
        bail!("--epochs 0: train for at least one epoch");
    }
    if args.hidden.contains(&0) {
        bail!(
            "--hidden {:?}: every hidden layer needs at least one unit",
            args.hidden
        );
    }
    if args.threads > 1024 {
        bail!("--threads {}: at most 1024 (0 uses all)", args.threads);
    }
    let budget = match args.time {
        None => None,
        Some(t) if t.is_finite() && t > 0.0 && t <= 1e9 => Some(Duration::from_secs_f64(t)),
        Some(t) => bail!(
            "--time {}: give a positive number of seconds",
            attractor::format_number(t)
        ),
    };
    if let Some(out) = &args.out {
        attractor::output::check_writable(out).context("--out")?;
        let mut inputs = vec![("--data", args.data.as_path())];
        for (name, p) in [
            ("--labels", &args.labels),
            ("--test-data", &args.test_data),
            ("--test-labels", &args.test_labels),
        ] {
            if let Some(p) = p {
                inputs.push((name, p.as_path()));
            }
        }
        attractor::output::check_distinct(&inputs, &[("--out", out.as_path())])?;
    }
    let par = match args.threads {
        0 => attractor::linalg::ALL_THREADS,
        1 => attractor::Par::Seq,
        k => attractor::Par::rayon(k),
    };
    let images = resolve_images(&args.data).context("--data")?;
    let (beside, test_beside) = mnist_companions(&images);
    let labels_path = args
        .labels
        .clone()
        .or(beside)
        .context("--labels: give the training labels (IDX or .npy); they are found automatically only beside MNIST's train-images-idx3-ubyte")?;
    let train = read_labelled(&images, &labels_path, args.count, "")?;
    let test = match (&args.test_data, &args.test_labels, test_beside) {
        (Some(x), Some(y), _) => Some(read_labelled(x, y, args.test_count, "test-")?),
        (Some(_), None, _) | (None, Some(_), _) => {
            bail!("--test-data and --test-labels go together")
        }
        (None, None, Some((x, y))) => Some(read_labelled(&x, &y, args.test_count, "test-")?),
        (None, None, None) => None,
    };
    let n_classes = train.labels.iter().max().map_or(0, |m| m + 1).max(2);
    if let Some(t) = &test
        && let Some(&bad) = t.labels.iter().find(|&&l| l >= n_classes)
    {
        bail!("--test-labels: label {bad} never occurs in training (classes 0..{n_classes})");
    }
    let mut sizes = vec![train.x.nrows()];
    sizes.extend(&args.hidden);
    sizes.push(n_classes);
    let mut net = LayeredNetwork::random(&sizes, activation, args.seed)?;
    let onehot = Mat::from_fn(n_classes, train.labels.len(), |i, j| {
        (train.labels[j] == i) as u8 as f64
    });
    let data = Dataset::supervised(train.x.as_ref(), onehot.as_ref())?;
    if args.lr.is_empty() {
        bail!("--lr: give at least one learning rate");
    }
    let scales: Vec<f64> = (0..sizes.len() - 1)
        .map(|k| args.lr[k.min(args.lr.len() - 1)])
        .collect();
    if let Some(bad) = scales.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
        bail!(
            "--lr {}: learning rates must be finite and > 0 (e.g. 0.1,0.05)",
            attractor::format_number(*bad)
        );
    }
    let opt =
        Sgd::new(net.block_specs_scaled(&scales), 1.0, args.momentum, 0.0).context("--momentum")?;
    let settings = TrainSettings {
        batch_size: args.batch_size,
        shuffle: true,
        seed: args.seed,
    };
    settings.validate().context("--batch-size")?;
    let free = Relaxation::fixed(args.epsilon, args.free_steps);
    let nudged = Relaxation::fixed(args.epsilon, args.nudge_steps);
    let predict = Relaxation::fixed(args.epsilon, args.predict_steps);
    predict.validate("predict").context("--predict-steps")?;
    println!(
        "data {}: {} training examples of {} features, {} classes{}",
        images.display(),
        train.labels.len(),
        train.x.nrows(),
        n_classes,
        test.as_ref()
            .map(|t| format!(", {} test examples", t.labels.len()))
            .unwrap_or_default()
    );
    println!(
        "network {:?} ({}), rule {:?}, beta {}{}, epsilon {}, {} free / {} nudged steps, lr {:?}, minibatch {}, {} epochs, seed {}",
        sizes,
        match args.network {
            NetworkKind::Layered => activation.name(),
            NetworkKind::Oscillator => "phase oscillators",
        },
        args.rule,
        attractor::format_number(args.beta),
        if args.symmetric {
            " (symmetric)"
        } else if args.random_sign {
            " (random sign)"
        } else {
            ""
        },
        attractor::format_number(args.epsilon),
        args.free_steps,
        args.nudge_steps,
        scales,
        args.batch_size,
        args.epochs,
        args.seed
    );
    let stop = Interrupt::new();
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.raise());
    }
    let run_budget = Budget::steps(args.epochs)
        .time_opt(budget)
        .interrupt(stop.clone());
    let bar = ProgressBar::with_draw_target(
        Some(args.epochs as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let epochs = args.epochs;
    let mut eval_error: Option<anyhow::Error> = None;
    let mut particles: Option<Mat<f64>> = match (&test, args.test_particles) {
        (Some(t), true) => Some(Mat::zeros(net.state_dim(), t.labels.len())),
        _ => None,
    };
    // the per-epoch line: the free phase's training error, the test error(s), the epoch's seconds
    let mut report_epoch =
        |epoch: usize, counts: Option<(usize, usize)>, eval: String, secs: f64, eval_secs: f64| {
            let train_err = counts
                .filter(|c| c.0 > 0)
                .map(|(n, e)| format!("  train error {:.2}%", 100.0 * e as f64 / n as f64))
                .unwrap_or_default();
            let eval_secs = if eval.is_empty() {
                String::new()
            } else {
                format!(" (test {eval_secs:.1} s)")
            };
            bar.suspend(|| {
                println!("epoch {epoch}/{epochs}{train_err}{eval}  {secs:.2} s{eval_secs}")
            });
            bar.set_position(epoch as u64);
        };
    // the test error of the layered network: from zero, and on persistent test particles
    let mut evaluate = |net: &LayeredNetwork| -> String {
        let Some(t) = &test else {
            return String::new();
        };
        let mut line = match error_rate(&net.predict_classes(t.x.as_ref(), &predict, par), t) {
            Ok(e) => format!("  test error {:.2}%", 100.0 * e),
            Err(e) => {
                eval_error = Some(e);
                return String::new();
            }
        };
        if let Some(p) = particles.as_mut() {
            match net.relax_free_from(t.x.as_ref(), p.as_ref(), &free, 256, par) {
                Ok(s) => {
                    let rows = net.output_rows();
                    let pred =
                        LayeredNetwork::classes_of(s.as_ref().subrows(rows.start, rows.len()));
                    *p = s;
                    if let Ok(e) = error_rate(&Ok(pred), t) {
                        line += &format!("  test error (particles) {:.2}%", 100.0 * e);
                    }
                }
                Err(e) => eval_error = Some(e.into()),
            }
        }
        line
    };
    if args.network == NetworkKind::Oscillator {
        return run_oscillator(
            args,
            &sizes,
            &scales,
            &data,
            test.as_ref(),
            &run_budget,
            &mut report_epoch,
            settings,
            par,
        )
        .inspect(|_| bar.finish_and_clear());
    }
    let report = match args.rule {
        RuleName::Ep => {
            let rule = EquilibriumPropagation::new(EqPropParams {
                beta: args.beta,
                nudging: nudging_of(args),
                cost,
                free,
                nudged,
                persistent: !args.no_persistent,
                seed: args.seed,
                par,
            })
            .context("--beta / --free-steps / --nudge-steps / --epsilon")?;
            fit_reporting(
                Trainer::new(rule, opt, settings)?,
                &run_budget,
                &mut net,
                &data,
                &mut report_epoch,
                |r| Some(r.error_counts()),
                &mut evaluate,
            )?
        }
        RuleName::Chl => {
            let rule = ContrastiveHebbian::new(ChlParams {
                free,
                clamped: nudged,
                persistent: !args.no_persistent,
                par,
            })
            .context("--free-steps / --nudge-steps / --epsilon")?;
            fit_reporting(
                Trainer::new(rule, opt, settings)?,
                &run_budget,
                &mut net,
                &data,
                &mut report_epoch,
                |r| Some(r.error_counts()),
                &mut evaluate,
            )?
        }
        RuleName::Bptt => {
            let rule = BackpropRelaxation::new(free, cost).context("--free-steps / --epsilon")?;
            fit_reporting(
                Trainer::new(rule, opt, settings)?,
                &run_budget,
                &mut net,
                &data,
                &mut report_epoch,
                |_| None,
                &mut evaluate,
            )?
        }
    };
    bar.finish_and_clear();
    if let Some(e) = eval_error {
        return Err(e.context("evaluating the test error"));
    }
    println!("training: {}", report.message());
    if let Some(out) = &args.out {
        net.save_safetensors(out).context("--out")?;
        println!("wrote {} (network {:?})", out.display(), sizes);
    }
    Ok(if report.status == Status::Interrupted {
        Exit::Interrupted
    } else {
        Exit::Done
    })
}

/// What `fit_reporting` calls after each epoch: the epoch, the free phase's (examples, errors)
/// in it, the test-error text of the model, the seconds of the epoch's training and of the
/// test evaluation.
type EpochReporter<'a> = dyn FnMut(usize, Option<(usize, usize)>, String, f64, f64) + 'a;

/// `Trainer::fit` (stopped by `stop` between minibatches), reporting each epoch with the rule's error counts of that epoch and the
/// model's `evaluate` text.
fn fit_reporting<M, R, O>(
    mut t: Trainer<R, O>,
    budget: &Budget,
    net: &mut M,
    data: &Dataset<'_>,
    report: &mut EpochReporter<'_>,
    counts: impl Fn(&R) -> Option<(usize, usize)>,
    evaluate: &mut dyn FnMut(&M) -> String,
) -> attractor::Result<attractor::learn::TrainReport>
where
    M: attractor::learn::ParamBlocks + Clone,
    R: attractor::learn::Rule<M>,
    O: attractor::learn::Optimizer,
{
    let mut before = (0, 0);
    // the epoch's training seconds: from the end of the last evaluation to this call
    let mut last = Instant::now();
    t.fit(net, data, budget, |e| {
        let train_secs = last.elapsed().as_secs_f64();
        let c = counts(e.rule).map(|(n, k)| {
            let d = (n - before.0, k - before.1);
            before = (n, k);
            d
        });
        let t_eval = Instant::now();
        let line = evaluate(e.model);
        report(e.epoch, c, line, train_secs, t_eval.elapsed().as_secs_f64());
        last = Instant::now();
        ControlFlow::Continue(())
    })
}

/// `--network oscillator`: equilibrium propagation on a layered oscillator network.
#[allow(clippy::too_many_arguments)]
fn run_oscillator(
    args: &EqpropTrainArgs,
    sizes: &[usize],
    scales: &[f64],
    data: &Dataset<'_>,
    test: Option<&Labelled>,
    run_budget: &Budget,
    report_epoch: &mut EpochReporter<'_>,
    settings: TrainSettings,
    par: attractor::Par,
) -> Result<Exit> {
    if args.rule != RuleName::Ep {
        bail!("--network oscillator trains by equilibrium propagation only (--rule ep)");
    }
    if args.test_particles {
        bail!("--test-particles applies to --network layered");
    }
    let mut net = OscillatorNetwork::random(sizes, args.seed)?;
    let opt =
        Sgd::new(net.block_specs_scaled(scales), 1.0, args.momentum, 0.0).context("--momentum")?;
    let rule = OscillatorEqProp::new(OscEqPropParams {
        beta: args.beta,
        nudging: nudging_of(args),
        free: Relaxation::fixed(args.epsilon, args.free_steps),
        nudged: Relaxation::fixed(args.epsilon, args.nudge_steps),
        seed: args.seed,
        par,
    })
    .context("--beta / --free-steps / --nudge-steps / --epsilon")?;
    let predict = Relaxation::fixed(args.epsilon, args.predict_steps);
    let mut eval_error: Option<anyhow::Error> = None;
    let mut evaluate = |net: &OscillatorNetwork| -> String {
        let Some(t) = test else {
            return String::new();
        };
        match error_rate(&net.predict_classes(t.x.as_ref(), &predict, par), t) {
            Ok(e) => format!("  test error {:.2}%", 100.0 * e),
            Err(e) => {
                eval_error = Some(e);
                String::new()
            }
        }
    };
    let report = fit_reporting(
        Trainer::new(rule, opt, settings)?,
        run_budget,
        &mut net,
        data,
        report_epoch,
        |r| Some(r.error_counts()),
        &mut evaluate,
    )?;
    if let Some(e) = eval_error {
        return Err(e.context("evaluating the test error"));
    }
    println!("training: {}", report.message());
    if let Some(out) = &args.out {
        net.save_safetensors(out).context("--out")?;
        println!("wrote {} (oscillator network {:?})", out.display(), sizes);
    }
    Ok(if report.status == Status::Interrupted {
        Exit::Interrupted
    } else {
        Exit::Done
    })
}

/// The nudging the flags ask for.
fn nudging_of(args: &EqpropTrainArgs) -> Nudging {
    if args.symmetric {
        Nudging::Symmetric
    } else if args.random_sign {
        Nudging::RandomSign
    } else {
        Nudging::OneSided
    }
}
