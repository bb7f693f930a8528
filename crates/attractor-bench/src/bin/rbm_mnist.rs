//! A Bernoulli RBM on binarised MNIST: training by CD-k, PCD-k or tempered persistent chains
//! with the round-two options (learning-rate and momentum schedules, weight decay, centring,
//! visible biases from the data), then the test log-likelihood as a bracket: AIS above
//! (Salakhutdinov & Murray, ICML 2008) and RAISE below (Burda, Grosse & Salakhutdinov,
//! AISTATS 2015).
//!
//! ```text
//! rbm_mnist [--mnist DIR] [--images 60000] [--test-images 10000] [--binarize stochastic|threshold]
//!   [--hidden 500] [--epochs 20] [--time SECONDS] [--batch 100] [--chains N] [--method cd|pcd|pt] [--k 1]
//!   [--lr 0.05] [--lr-schedule constant|linear:END|exp:FACTOR|inv:TAU] [--momentum 0.9]
//!   [--momentum-warmup 0.5:5] [--weight-decay 2e-4] [--centering none|data:RATE|enhanced:RATE]
//!   [--temperatures N:TMAX] [--init-bias data|zero] [--seed 0] [--threads 1]
//!   [--ais-runs 100] [--ais-betas 14500] [--raise-samples 500] [--raise-chains 1] [--no-ais]
//!   [--exact-pl] [--verbose] [--monitor] [--save FILE] [--load FILE]
//!   [--write-data DIR [--data-only]]
//! ```
//!
//! Binarisation: `stochastic` sets each pixel to 1 with probability intensity/255, once, from a
//! fixed seed (the convention of Salakhutdinov & Murray's binarised MNIST); `threshold` at 0.5.
//! `--verbose` logs each epoch's time, `--monitor` its training pseudo-likelihood and
//! reconstruction error too (a full pass over the data). `--time` bounds training by wall time (the model reached is kept); `--save` writes the model
//! (safetensors) after every epoch, so a stopped run loses at most one epoch. `--write-data` writes the binarised
//! images as `DIR/train.npy` and `DIR/test.npy` (for peers in Python). `--load` skips
//! training and evaluates a saved model. With at most 24 hidden units the exact log Z is
//! printed too.

use attractor::Par;
use attractor::learn::contrastive_divergence::{CdMethod, CdParams, CdTrainer, Centering};
use attractor::models::rbm::{AisParams, RaiseParams, Rbm};
use attractor::problems::read_idx;
use attractor::run::Budget;
use attractor::samplers::tempering::Ladder;
use attractor::schedule::PerEpoch;
use faer::Mat;
use rand::RngExt;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type BoxResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn split2(s: &str, what: &str) -> BoxResult<(String, String)> {
    let (a, b) = s
        .split_once(':')
        .ok_or_else(|| format!("{what}: expected NAME:VALUE, got {s:?}"))?;
    Ok((a.to_string(), b.to_string()))
}

/// MNIST images `path` as a `784 × count` matrix of {0, 1}.
fn images(path: &Path, count: usize, stochastic: bool, seed: u64) -> BoxResult<Mat<f64>> {
    let a = read_idx(path)?;
    let n = a.item_len();
    let count = count.min(a.n_items());
    let mut rng = attractor::rng::stream(seed, 0);
    let mut m = Mat::<f64>::zeros(n, count);
    for j in 0..count {
        for i in 0..n {
            let x = f64::from(a.data[j * n + i]) / 255.0;
            let on = if stochastic {
                rng.random::<f64>() < x
            } else {
                x > 0.5
            };
            m[(i, j)] = f64::from(u8::from(on));
        }
    }
    Ok(m)
}

fn main() -> BoxResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_string())
    };
    let flag = |name: &str| args.iter().any(|a| a == name);
    let mnist = PathBuf::from(get("--mnist", "../shared/data/mnist"));
    let n_images: usize = get("--images", "60000").parse()?;
    let n_test: usize = get("--test-images", "10000").parse()?;
    let stochastic = match get("--binarize", "stochastic").as_str() {
        "stochastic" => true,
        "threshold" => false,
        other => return Err(format!("--binarize: stochastic or threshold, not {other:?}").into()),
    };
    let n_hidden: usize = get("--hidden", "500").parse()?;
    let n_epochs: usize = get("--epochs", "20").parse()?;
    let time: f64 = get("--time", "0").parse()?;
    let batch: usize = get("--batch", "100").parse()?;
    let lr: f64 = get("--lr", "0.05").parse()?;
    let k: usize = get("--k", "1").parse()?;
    let seed: u64 = get("--seed", "0").parse()?;
    let threads: usize = get("--threads", "1").parse()?;
    let ais_runs: usize = get("--ais-runs", "100").parse()?;
    let ais_betas: usize = get("--ais-betas", "14500").parse()?;
    let raise_samples: usize = get("--raise-samples", "500").parse()?;
    let raise_chains: usize = get("--raise-chains", "1").parse()?;
    let par = if threads == 1 {
        Par::Seq
    } else {
        attractor::linalg::ALL_THREADS
    };
    let method = match get("--method", "cd").as_str() {
        "cd" => CdMethod::Contrastive,
        "pcd" => CdMethod::Persistent,
        "pt" => CdMethod::Tempering,
        other => return Err(format!("--method: cd, pcd or pt, not {other:?}").into()),
    };
    let lr_schedule = match get("--lr-schedule", "constant").as_str() {
        "constant" => PerEpoch::Constant,
        s => {
            let (name, v) = split2(s, "--lr-schedule")?;
            match name.as_str() {
                "linear" => PerEpoch::Linear {
                    end: v.parse()?,
                    epochs: n_epochs,
                },
                "exp" => PerEpoch::Exponential { factor: v.parse()? },
                "inv" => PerEpoch::InverseTime { tau: v.parse()? },
                _ => return Err(format!("--lr-schedule: unknown shape {name:?}").into()),
            }
        }
    };
    let momentum: f64 = get("--momentum", "0").parse()?;
    let momentum_schedule = match get("--momentum-warmup", "").as_str() {
        "" => PerEpoch::Constant,
        s => {
            let (before, epochs) = split2(s, "--momentum-warmup")?;
            PerEpoch::Step {
                before: before.parse()?,
                epochs: epochs.parse()?,
            }
        }
    };
    let centering = match get("--centering", "none").as_str() {
        "none" => Centering::None,
        s => {
            let (name, v) = split2(s, "--centering")?;
            match name.as_str() {
                "data" => Centering::Data { rate: v.parse()? },
                "enhanced" => Centering::Enhanced { rate: v.parse()? },
                _ => return Err(format!("--centering: unknown kind {name:?}").into()),
            }
        }
    };
    let temperatures = match get("--temperatures", "").as_str() {
        "" => CdParams::default_ladder(),
        s => {
            let (n, t) = split2(s, "--temperatures")?;
            Ladder::geometric(n.parse()?, t.parse()?)?
        }
    };

    let t_read = Instant::now();
    let data = images(
        &mnist.join("train-images-idx3-ubyte.gz"),
        n_images,
        stochastic,
        seed,
    )?;
    let test = images(
        &mnist.join("t10k-images-idx3-ubyte.gz"),
        n_test,
        stochastic,
        seed.wrapping_add(1),
    )?;
    let n = data.nrows();
    eprintln!(
        "read {} training and {} test images of {n} pixels ({} binarisation) in {:.2} s",
        data.ncols(),
        test.ncols(),
        if stochastic {
            "stochastic"
        } else {
            "threshold"
        },
        t_read.elapsed().as_secs_f64()
    );

    let dump = get("--write-data", "");
    if !dump.is_empty() {
        // the binarised images as (n_images, n_pixels) .npy arrays, for peers in Python
        for (name, m) in [("train.npy", &data), ("test.npy", &test)] {
            let flat: Vec<f64> = (0..m.ncols())
                .flat_map(|j| (0..m.nrows()).map(move |i| m[(i, j)]))
                .collect();
            attractor::problems::write_npy(
                Path::new(&dump).join(name),
                &[m.ncols(), m.nrows()],
                &flat,
            )?;
        }
        eprintln!("wrote {dump}/train.npy and {dump}/test.npy");
        if flag("--data-only") {
            return Ok(());
        }
    }
    let load = get("--load", "");
    let save = get("--save", "");
    let rbm = if load.is_empty() {
        let mut rbm = Rbm::random(n, n_hidden, 0.01, seed)?;
        if get("--init-bias", "data") == "data" {
            rbm.init_visible_bias_from_data(data.as_ref())?;
        }
        let params = CdParams {
            method,
            k,
            learning_rate: lr,
            learning_rate_schedule: lr_schedule,
            momentum,
            momentum_schedule,
            weight_decay: get("--weight-decay", "0").parse()?,
            centering,
            temperatures,
            batch_size: batch,
            n_chains: match get("--chains", "0").parse::<usize>()? {
                0 => None,
                c => Some(c),
            },
            seed,
            par,
            ..CdParams::default()
        };
        let mut trainer = CdTrainer::new(&rbm, params.clone())?;
        let t0 = Instant::now();
        let mut budget = Budget::steps(n_epochs);
        if time > 0.0 {
            budget = budget.time(Duration::from_secs_f64(time));
        }
        let summary = trainer.fit(&mut rbm, data.as_ref(), &budget, |rep| {
            if flag("--monitor") {
                eprintln!(
                    "epoch {}: {:.1} s, pseudo-likelihood {:.2}, reconstruction error {:.4}",
                    rep.epoch,
                    rep.elapsed.as_secs_f64(),
                    rep.pseudo_likelihood().unwrap_or(f64::NAN),
                    rep.reconstruction_error()
                );
            } else if flag("--verbose") {
                eprintln!("epoch {}: {:.1} s", rep.epoch, rep.elapsed.as_secs_f64());
            }
            if !save.is_empty()
                && let Err(e) = rep.rbm().save_safetensors(Path::new(&save))
            {
                eprintln!("could not save {save}: {e}");
            }
            ControlFlow::Continue(())
        })?;
        let wall = t0.elapsed().as_secs_f64();
        println!(
            "train: {n}x{n_hidden}, {} images, {} epochs ({}), batch {batch}, {:?}-{k}, lr {lr} {:?}, momentum {momentum} {:?}, decay {}, {:?}: {wall:.1} s",
            data.ncols(),
            summary.n_epochs,
            summary.message(),
            params.method,
            params.learning_rate_schedule,
            params.momentum_schedule,
            params.weight_decay,
            params.centering,
        );
        if let Some(rates) = trainer.trainer().rule().swap_rates() {
            println!("tempering swap rates: {rates:.3?}");
        }
        rbm
    } else {
        Rbm::load_safetensors(Path::new(&load))?
    };
    if !save.is_empty() {
        rbm.save_safetensors(Path::new(&save))?;
    }
    let pl = rbm.pseudo_likelihood_stochastic(test.as_ref(), seed, par)?;
    let pl = pl.iter().sum::<f64>() / pl.len() as f64;
    println!(
        "test pseudo-likelihood (stochastic, per image): {pl:.3}; reconstruction error {:.5}",
        rbm.reconstruction_error(test.as_ref(), par)?
    );
    if flag("--exact-pl") {
        let e = rbm.pseudo_likelihood_exact(test.as_ref(), par)?;
        println!("test pseudo-likelihood (exact, per image): {e:.3}");
    }
    if !flag("--no-ais") {
        let t = Instant::now();
        let ais = AisParams {
            n_runs: ais_runs,
            n_betas: ais_betas,
            seed,
            par,
            ..AisParams::default()
        };
        let raise = RaiseParams {
            chains_per_sample: raise_chains,
            max_samples: Some(raise_samples),
        };
        let b = rbm.log_likelihood_bracket(
            test.as_ref(),
            &ais,
            &raise,
            Some(data.as_ref()),
            &Budget::new(),
        )?;
        println!(
            "test log-likelihood bracket: [{:.2} ± {:.2} (RAISE, {} images x {raise_chains} chains), {:.2} ± {:.2} (AIS, {ais_runs} runs)] nats per image; log Z in [{:.2}, {:.2}]; {ais_betas} betas, {:.1} s",
            b.lower,
            b.lower_std_err,
            b.raise.per_sample.len(),
            b.upper,
            b.upper_std_err,
            b.log_z_lower,
            b.log_z_upper,
            t.elapsed().as_secs_f64()
        );
    }
    if rbm.n_hidden().min(rbm.n_visible()) <= attractor::models::rbm::MAX_EXACT_UNITS {
        let ll = rbm.log_likelihood_exact(test.as_ref(), par)?;
        println!(
            "exact: log Z = {:.3}, test log-likelihood {ll:.3} nats per image",
            rbm.log_z_exact(par)?
        );
    }
    Ok(())
}
