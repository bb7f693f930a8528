//! Denoising score matching of an energy network, then Langevin sampling from it (the
//! benchmark of `bench/score_matching.py`, issue 21): wall time of training and of sampling,
//! and the DSM loss reached. Prints one JSON object on stdout.
//!
//! Model: `EnergyNetwork::random(d, hidden, scale, seed)`,
//! `E(x) = Σ_k a_k softplus(w_kᵀx + b_k) + ‖x‖²/(2s²)` with `w_k ~ N(0, I/d)`, `b_k ~ N(0, 1)`,
//! `a_k ~ N(0, 1/H)`. Training: the σ²-weighted DSM loss `½‖σ∇ₓE(x + σζ) − ζ‖²`, Adam
//! (β = 0.9, 0.999, ε = 1e-8, no weight decay), minibatches of `batch` in a fresh shuffle each
//! epoch (the last one shorter), `epochs` epochs. Sampling: ULA
//! `x ← x − h∇E(x) + √(2h)ζ` at T = 1 from `x₀ ~ N(0, I)`, `chains` chains × `steps` steps.
//!
//! `score_matching --data X.npy [--name mixture] [--hidden 64] [--epochs 50] [--batch 128]
//!  [--sigma 0.1] [--lr 0.01] [--scale 3] [--chains 5000] [--steps 1000] [--step 0.01]
//!  [--seed 0] [--threads 1] [--loss-draws 10] [--samples-out S.npy]`
//!
//! `X.npy`: n × d (one sample per row), any numeric dtype. `--threads 1`: the chains run in
//! the calling thread (`Par::Seq`); `0`: on every thread of rayon's pool. Training is
//! single-threaded either way (the library's score-matching kernels run `Par::Seq`).

use attractor::Par;
use attractor::learn::score_matching::{
    Objective, ScoreMatchingParams, ScoreMatchingTrainer, objective_value,
};
use attractor::models::score_energy::{Batched, EnergyNetwork};
use attractor::problems::{read_npy, write_npy};
use attractor::run::Budget;
use attractor::samplers::{BatchLangevinSampler, MarkovSampler};
use attractor::schedule::Ramp;
use faer::Mat;
use std::ops::ControlFlow;
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
    let data = get("--data", "");
    if data.is_empty() {
        return Err("pass --data X.npy (n x d, one sample per row)".into());
    }
    let name = get("--name", "data");
    let hidden: usize = get("--hidden", "64").parse()?;
    let epochs: usize = get("--epochs", "50").parse()?;
    let batch: usize = get("--batch", "128").parse()?;
    let sigma: f64 = get("--sigma", "0.1").parse()?;
    let lr: f64 = get("--lr", "0.01").parse()?;
    let scale: f64 = get("--scale", "3").parse()?;
    let n_chains: usize = get("--chains", "5000").parse()?;
    let n_steps: usize = get("--steps", "1000").parse()?;
    let step: f64 = get("--step", "0.01").parse()?;
    let seed: u64 = get("--seed", "0").parse()?;
    let threads: usize = get("--threads", "1").parse()?;
    let loss_draws: u64 = get("--loss-draws", "10").parse()?;
    let samples_out = get("--samples-out", "");
    if threads > 1 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()?;
    }
    let par = if threads == 1 {
        Par::Seq
    } else {
        attractor::linalg::ALL_THREADS
    };

    let a = read_npy(&data)?;
    if a.shape.len() != 2 {
        return Err(format!("{data}: expected a 2-D array, got shape {:?}", a.shape).into());
    }
    let (n, d) = (a.shape[0], a.shape[1]);
    // one sample per column
    let x = Mat::from_fn(d, n, |i, j| a.data[j * d + i]);

    let objective = Objective::denoising(sigma);
    let loss_on_data = |m: &EnergyNetwork| -> BoxResult<f64> {
        let mut total = 0.0;
        for r in 0..loss_draws {
            total += objective_value(m, x.as_ref(), &objective, 1_000_000 + r)?;
        }
        Ok(total / loss_draws as f64)
    };

    let mut model = EnergyNetwork::random(d, hidden, scale, seed)?;
    let loss_init = loss_on_data(&model)?;
    let params = ScoreMatchingParams {
        objective: objective.clone(),
        learning_rate: lr,
        batch_size: batch,
        weight_decay: 0.0,
        seed,
    };
    let t = Instant::now();
    let mut trainer = ScoreMatchingTrainer::new(&model, &params)?;
    trainer.fit(&mut model, x.as_ref(), &Budget::steps(epochs), |_| {
        ControlFlow::Continue(())
    })?;
    let train_s = t.elapsed().as_secs_f64();
    let last_batch_loss = trainer.rule().last_loss();
    let loss = loss_on_data(&model)?;

    let t = Instant::now();
    let sampler =
        BatchLangevinSampler::new(Batched::new(model.clone()), step, Ramp::constant(1.0))?.par(par);
    let chains = sampler.sample(n_chains, seed, &Budget::steps(n_steps))?;
    let sample_s = t.elapsed().as_secs_f64();
    let s = &chains.states;
    let mean_norm = (0..d)
        .map(|i| {
            let m = s.row(i).iter().sum::<f64>() / n_chains as f64;
            m * m
        })
        .sum::<f64>()
        .sqrt();
    if !samples_out.is_empty() {
        let rows: Vec<f64> = (0..n_chains)
            .flat_map(|j| s.col(j).iter().copied().collect::<Vec<_>>())
            .collect();
        write_npy(&samples_out, &[n_chains, d], &rows)?;
    }
    println!(
        "{{\"name\":\"{name}\",\"n\":{n},\"d\":{d},\"hidden\":{hidden},\"epochs\":{epochs},\"batch\":{batch},\"sigma\":{sigma},\"lr\":{lr},\"scale\":{scale},\"chains\":{n_chains},\"steps\":{n_steps},\"step\":{step},\"threads\":{threads},\"train_s\":{train_s},\"sample_s\":{sample_s},\"loss_init\":{loss_init},\"loss\":{loss},\"last_batch_loss\":{last_batch_loss},\"sample_mean_norm\":{mean_norm},\"epochs_done\":{}}}",
        trainer.epochs_done()
    );
    Ok(())
}
