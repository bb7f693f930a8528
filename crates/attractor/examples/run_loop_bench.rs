//! Micro-benchmark of the run loop's own cost (not a model's): the per-step overhead of a
//! single run on a tiny field, the per-run overhead of many short runs, and batched runs.
//!
//! ```text
//! cargo run --release -p attractor --example run_loop_bench -- [--reps 5]
//! ```
//!
//! Prints the best of `reps` wall-clock times per case, in milliseconds.

use attractor::energy::FnEnergy;
use attractor::flow::GradientFlow;
use attractor::models::{
    Activation, HopfieldMemory, HopfieldNetwork, LayerActivation, LayeredNetwork, Memory,
    Relaxation, Update, random_symmetric_weights,
};
use attractor::problems::{Patterns, flip_fraction};
use attractor::run::Run;
use attractor::step::{Euler, Rk4};
use faer::{Mat, Par};
use std::hint::black_box;
use std::time::Instant;

fn best_ms(reps: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let mut best = f64::INFINITY;
    let mut check = 0.0;
    for _ in 0..reps {
        let start = Instant::now();
        check = black_box(f());
        best = best.min(start.elapsed().as_secs_f64() * 1e3);
    }
    (best, check)
}

/// The 2-D quadratic gradient flow `ẋ = −∇E`, `E = ½(x₀² + 4x₁²)`.
macro_rules! quadratic {
    () => {
        GradientFlow::new(FnEnergy::new(
            2,
            |x: &[f64]| 0.5 * (x[0] * x[0] + 4.0 * x[1] * x[1]),
            |x: &[f64], g: &mut [f64]| {
                g[0] = x[0];
                g[1] = 4.0 * x[1];
            },
        ))
    };
}

fn main() -> attractor::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let reps = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(5usize);
    // --case k runs case k only (1-based)
    let only: Option<usize> = args
        .iter()
        .position(|a| a == "--case")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok());
    let on = |k: usize| only.is_none_or(|o| o == k);

    // 1. 1e6 Euler steps of a 2-D quadratic gradient flow (energy every step, trace)
    if on(1) {
        let run = Run::new(1e-6)?.max_steps(1_000_000);
        let (ms, c) = best_ms(reps, || {
            let sol = run
                .solve(&mut quadratic!(), &mut Euler::new(), &[1.0, 1.0])
                .unwrap();
            sol.state[0] + sol.trace.len() as f64
        });
        println!("quadratic 1e6 Euler steps, energy every step    {ms:9.2} ms  ({c:.6})");
    }

    // 2. the same without energies (the loop's bare overhead)
    if on(2) {
        let run0 = Run::new(1e-6)?.max_steps(1_000_000).energy_every(0);
        let (ms, c) = best_ms(reps, || {
            let sol = run0
                .solve(&mut quadratic!(), &mut Euler::new(), &[1.0, 1.0])
                .unwrap();
            sol.state[0]
        });
        println!("quadratic 1e6 Euler steps, energy_every(0)      {ms:9.2} ms  ({c:.6})");
    }

    // 3. many short single runs: 20 000 Hopfield runs (n = 16, RK4, 50 steps, keep_best)
    if on(3) {
        let net = HopfieldNetwork::new(random_symmetric_weights(16, 1.5, 1)?, Activation::Tanh)?
            .with_par(Par::Seq);
        let short = Run::new(0.05)?.max_steps(50).keep_best(true);
        let x0s: Vec<Vec<f64>> = (0..64)
            .map(|j| (0..16).map(|i| ((i * 7 + j * 3) as f64).sin()).collect())
            .collect();
        let (ms, c) = best_ms(reps, || {
            let mut acc = 0.0;
            for r in 0..20_000 {
                let sol = short
                    .solve(&mut net.flow(), &mut Rk4::new(), &x0s[r % 64])
                    .unwrap();
                acc += sol.state[0];
            }
            acc
        });
        println!("20k Hopfield runs n=16, 50 RK4 steps            {ms:9.2} ms  ({c:.6})");
    }

    // 4. many memory recalls (discrete map, asynchronous sweeps to a fixed point)
    if on(4) {
        let p = Patterns::random_binary(5, 100, 2)?;
        let mut mem = HopfieldMemory::hebbian(&p)?.with_update(Update::Asynchronous { seed: 1 });
        let queries: Vec<Vec<f64>> = (0..64)
            .map(|j| flip_fraction(p.pattern(j % 5), 0.2, j as u64).unwrap())
            .collect();
        let it = Run::new(1.0)?.max_steps(100);
        let (ms, c) = best_ms(reps, || {
            let mut acc = 0.0;
            for r in 0..20_000 {
                let sol = it.iterate(mem.map(), &queries[r % 64]).unwrap();
                acc += sol.n_steps as f64;
            }
            acc
        });
        println!("20k memory recalls n=100 (async sweeps)         {ms:9.2} ms  ({c:.1})");
    }

    // 5. a batched Hopfield run: n = 100, 64 columns, RK4 to a steady state
    if on(5) {
        let net = HopfieldNetwork::new(random_symmetric_weights(100, 1.5, 3)?, Activation::Tanh)?
            .with_par(Par::Seq);
        let x0 = Mat::from_fn(100, 64, |i, j| ((i * 7 + j * 3) as f64).sin());
        let brun = Run::new(0.05)?.max_steps(1_000).steady_state(1e-9, 1e-11)?;
        let (ms, c) = best_ms(reps, || {
            let sol = brun
                .solve_batch(&mut net.batch_flow(64), &mut Rk4::new(), x0.as_ref())
                .unwrap();
            sol.n_steps as f64
        });
        println!("Hopfield batch n=100 b=64 RK4 steady state      {ms:9.2} ms  ({c:.0} steps)");
    }

    // 6. many small batched relaxations of a layered network (EP's inner loop)
    if on(6) {
        let lay = LayeredNetwork::random(&[64, 32, 10], LayerActivation::HardSigmoid, 4)?;
        let x = Mat::from_fn(64, 512, |i, j| (((i * 13 + j * 5) % 17) as f64) / 16.0);
        let relax = Relaxation::fixed(0.5, 20);
        let (ms, c) = best_ms(reps, || {
            let mut acc = 0.0;
            for _ in 0..20 {
                let s = lay.relax_free(x.as_ref(), &relax, 16, Par::Seq).unwrap();
                acc += s[(0, 0)];
            }
            acc
        });
        println!("layered relax 20 x 512 inputs in batches of 16  {ms:9.2} ms  ({c:.6})");
    }

    Ok(())
}
