//! A Bernoulli RBM on binarised MNIST (the benchmark against scikit-learn's `BernoulliRBM`):
//! PCD-k training with scikit-learn's settings, then the wall time, the final stochastic and
//! (optionally) exact pseudo-likelihood and the AIS log-likelihood of the training images.
//!
//! `rbm_mnist [--mnist DIR] [--images 10000] [--hidden 256] [--epochs 5] [--batch 10]
//!  [--lr 0.1] [--k 1] [--cd] [--seed 0] [--threads 1] [--ais-runs 100] [--ais-betas 10000]
//!  [--no-ais] [--exact-pl] [--verbose] [--save FILE]`
//!
//! With at most 24 hidden units the exact log Z and log-likelihood are printed too.

use attractor::Par;
use attractor::learn::contrastive_divergence::{CdMethod, CdParams, CdTrainer};
use attractor::models::rbm::{AisParams, Rbm};
use attractor::problems::read_idx;
use attractor::run::Budget;
use faer::Mat;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

type BoxResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

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
    let n_images: usize = get("--images", "10000").parse()?;
    let n_hidden: usize = get("--hidden", "256").parse()?;
    let n_epochs: usize = get("--epochs", "5").parse()?;
    let batch: usize = get("--batch", "10").parse()?;
    let lr: f64 = get("--lr", "0.1").parse()?;
    let k: usize = get("--k", "1").parse()?;
    let seed: u64 = get("--seed", "0").parse()?;
    let threads: usize = get("--threads", "1").parse()?;
    let ais_runs: usize = get("--ais-runs", "100").parse()?;
    let ais_betas: usize = get("--ais-betas", "10000").parse()?;
    let par = if threads == 1 {
        Par::Seq
    } else {
        attractor::linalg::ALL_THREADS
    };

    let t_read = Instant::now();
    let a = read_idx(mnist.join("train-images-idx3-ubyte.gz"))?;
    let n = a.item_len();
    let count = n_images.min(a.n_items());
    // binarised at 0.5: pixel/255 > 0.5
    let data = Mat::from_fn(n, count, |i, j| {
        f64::from(u8::from(a.data[j * n + i] > 127))
    });
    eprintln!(
        "read {count} images of {n} pixels in {:.2} s",
        t_read.elapsed().as_secs_f64()
    );

    let mut rbm = Rbm::random(n, n_hidden, 0.01, seed)?;
    let params = CdParams {
        method: if flag("--cd") {
            CdMethod::Contrastive
        } else {
            CdMethod::Persistent
        },
        k,
        learning_rate: lr,
        batch_size: batch,
        seed,
        par,
        ..CdParams::default()
    };
    let mut trainer = CdTrainer::new(&rbm, params)?;
    let t0 = Instant::now();

    let summary = trainer.fit(&mut rbm, data.as_ref(), &Budget::steps(n_epochs), |rep| {
        if flag("--verbose") {
            eprintln!(
                "epoch {}: {:.2} s, pseudo-likelihood {:.2}, reconstruction error {:.4}",
                rep.epoch,
                rep.elapsed.as_secs_f64(),
                rep.pseudo_likelihood().unwrap_or(f64::NAN),
                rep.reconstruction_error()
            );
        }
        ControlFlow::Continue(())
    })?;
    let wall = t0.elapsed().as_secs_f64();
    let pl = rbm.pseudo_likelihood_stochastic(data.as_ref(), seed, par)?;
    let pl = pl.iter().sum::<f64>() / pl.len() as f64;
    let recon = rbm.reconstruction_error(data.as_ref(), par)?;
    println!(
        "train: {n}x{n_hidden}, {count} images, {n_epochs} epochs, batch {batch}, lr {lr}, {} -{k}: {wall:.3} s ({} updates, {:?})",
        if flag("--cd") { "CD" } else { "PCD" },
        summary.n_updates,
        summary.status
    );
    println!("pseudo-likelihood (stochastic, per image): {pl:.3}");
    println!("reconstruction error: {recon:.5}");
    if flag("--exact-pl") {
        let t = Instant::now();
        let e = rbm.pseudo_likelihood_exact(data.as_ref(), par)?;
        println!(
            "pseudo-likelihood (exact, per image): {e:.3} ({:.2} s)",
            t.elapsed().as_secs_f64()
        );
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
        let (ll, res) = rbm.log_likelihood_ais(data.as_ref(), &ais, &Budget::new())?;
        println!(
            "AIS: log Z = {:.3} ± {:.3}, log-likelihood {ll:.3} nats per image ({ais_runs} runs, {ais_betas} betas, {:.2} s)",
            res.log_z,
            res.std_err,
            t.elapsed().as_secs_f64()
        );
    }
    if rbm.n_hidden().min(rbm.n_visible()) <= attractor::models::rbm::MAX_EXACT_UNITS {
        let t = Instant::now();
        let ll = rbm.log_likelihood_exact(data.as_ref(), par)?;
        println!(
            "exact: log Z = {:.3}, log-likelihood {ll:.3} nats per image ({:.2} s)",
            rbm.log_z_exact(par)?,
            t.elapsed().as_secs_f64()
        );
    }
    let save = get("--save", "");
    if !save.is_empty() {
        rbm.save_safetensors(std::path::Path::new(&save))?;
    }
    Ok(())
}
