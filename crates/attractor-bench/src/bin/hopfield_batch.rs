//! Throughput of batched runs of the continuous Hopfield network against the same number of
//! single runs: `B` initial states of `τẋ = −x + W tanh(x)` (`n` neurons, random symmetric `W`
//! with gain 1.5, so there are several attractors) integrated by RK4 to a steady state, once
//! as `B` calls of `Run::solve` (one mat-vec per evaluation) and once as one
//! `Run::solve_batch` (one matrix product per evaluation, converged columns dropped), both on
//! one thread; then the batch on every thread of the rayon pool. Checks that each column of the
//! batch equals its single run (status, steps, state to 1e-12).
//!
//! ```text
//! cargo run --release -p attractor-bench --bin hopfield_batch -- [--n 500] [--batch 256]
//!     [--seed 1] [--dt 0.1] [--reps 3] [--max-steps 100000]
//! ```
//!
//! Prints a table on stderr and one JSON object on stdout.

use attractor::linalg::ALL_THREADS;
use attractor::models::{Activation, HopfieldNetwork, random_symmetric_weights};
use attractor::run::Run;
use attractor::step::Rk4;
use faer::{Mat, Par};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::error::Error;
use std::time::Instant;

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, Box<dyn Error>> {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a value").into()),
        None => Ok(default),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--n", 500)?;
    let b: usize = arg(&args, "--batch", 256)?;
    let seed: u64 = arg(&args, "--seed", 1)?;
    let dt: f64 = arg(&args, "--dt", 0.1)?;
    let reps: usize = arg(&args, "--reps", 3)?.max(1);
    let max_steps: usize = arg(&args, "--max-steps", 100_000)?;
    let w = random_symmetric_weights(n, 1.5, seed)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
    let x0 = Mat::from_fn(n, b, |_, _| rng.random_range(-1.0..1.0));
    let run = Run::new(dt)?
        .max_steps(max_steps)
        .steady_state(1e-9, 1e-11)?
        .energy_every(0);
    let seq = HopfieldNetwork::new(w.clone(), Activation::Tanh)?.with_par(Par::Seq);
    let all = HopfieldNetwork::new(w, Activation::Tanh)?.with_par(ALL_THREADS);

    let mut t_single = f64::INFINITY;
    let mut singles = Vec::new();
    for _ in 0..reps {
        let start = Instant::now();
        singles = (0..b)
            .map(|j| run.solve(&mut seq.flow(), &mut Rk4::new(), x0.col_as_slice(j)))
            .collect::<Result<Vec<_>, _>>()?;
        t_single = t_single.min(start.elapsed().as_secs_f64());
    }
    let time_batch = |net: &HopfieldNetwork| -> Result<_, Box<dyn Error>> {
        let mut best = f64::INFINITY;
        let mut sol = None;
        for _ in 0..reps {
            let start = Instant::now();
            let s = run.solve_batch(&mut net.batch_flow(b), &mut Rk4::new(), x0.as_ref())?;
            best = best.min(start.elapsed().as_secs_f64());
            sol = Some(s);
        }
        Ok((best, sol.ok_or("no run")?))
    };
    let (t_batch, batch) = time_batch(&seq)?;
    let (t_batch_all, _) = time_batch(&all)?;

    let mut max_err = 0.0f64;
    let mut same = true;
    let mut column_steps = 0usize;
    for (j, s) in singles.iter().enumerate() {
        let c = &batch.columns[j];
        same &= c.status == s.status && c.n_steps == s.n_steps;
        column_steps += s.n_steps;
        for (a, v) in batch.state(j).iter().zip(&s.state) {
            max_err = max_err.max((a - v).abs());
        }
    }
    let threads = rayon::current_num_threads();
    let rate = |t: f64| column_steps as f64 / t;
    eprintln!("batched Hopfield runs: n = {n}, B = {b}, RK4 dt = {dt}, steady state 1e-9/1e-11");
    eprintln!(
        "columns: {}; {column_steps} column-steps in all; longest column {} steps",
        batch.summary(),
        batch.n_steps
    );
    eprintln!("| run | wall s | column-steps/s | vs single runs |");
    eprintln!("|---|---|---|---|");
    eprintln!(
        "| {b} single runs, 1 thread | {t_single:.3} | {:.0} | 1.00 |",
        rate(t_single)
    );
    eprintln!(
        "| one batch, 1 thread | {t_batch:.3} | {:.0} | {:.2} |",
        rate(t_batch),
        t_single / t_batch
    );
    eprintln!(
        "| one batch, {threads} threads | {t_batch_all:.3} | {:.0} | {:.2} |",
        rate(t_batch_all),
        t_single / t_batch_all
    );
    eprintln!(
        "batch = singles: statuses and steps {}, max |state difference| = {max_err:.2e}",
        if same { "equal" } else { "DIFFER" }
    );
    println!(
        "{{\"n\": {n}, \"batch\": {b}, \"column_steps\": {column_steps}, \"t_single\": {t_single}, \"t_batch\": {t_batch}, \"t_batch_all\": {t_batch_all}, \"threads\": {threads}, \"same_status_steps\": {same}, \"max_abs_diff\": {max_err}}}"
    );
    if !same || max_err > 1e-12 {
        return Err("the batch does not equal the single runs".into());
    }
    Ok(())
}
