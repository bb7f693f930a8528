//! Time to compute contraction certificates (`attractor::analysis::certify`) of a random
//! non-symmetric network `W = g·G/√n` (`G_ij ~ N(0, 1)`, seed 42), tanh, both forms.
//!
//! ```text
//! cargo run --release -p attractor-bench --bin contraction_certificate -- [--sizes 100,1000,5000]
//!     [--l2-sizes 50,100] [--gain 0.5] [--reps 3]
//! ```
//!
//! One JSON object per line on stdout (for `bench/contraction_certificate.py`): n, model, norm,
//! best wall time of `reps` runs in seconds, certified rate, contracting.

use attractor::analysis::{NetworkForm, NormChoice, certify};
use attractor::models::Activation;
use faer::Mat;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::error::Error;
use std::time::Instant;

fn list(s: &str) -> Result<Vec<usize>, Box<dyn Error>> {
    Ok(s.split(',')
        .filter(|t| !t.is_empty())
        .map(|t| t.trim().parse())
        .collect::<Result<_, _>>()?)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut sizes = vec![100, 1000, 5000];
    let mut l2_sizes = vec![50, 100];
    let mut gain = 0.5;
    let mut reps = 3usize;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).ok_or("missing value")?;
        match args[i].as_str() {
            "--sizes" => sizes = list(v)?,
            "--l2-sizes" => l2_sizes = list(v)?,
            "--gain" => gain = v.parse()?,
            "--reps" => reps = v.parse()?,
            a => return Err(format!("unknown argument {a}; usage: contraction_certificate [--sizes 100,1000,5000] [--l2-sizes 50,100] [--gain 0.5] [--reps 3]").into()),
        }
        i += 2;
    }
    let mut jobs: Vec<(usize, NormChoice, &str)> = Vec::new();
    for &n in &sizes {
        jobs.push((n, NormChoice::LInfw, "linfw"));
        jobs.push((n, NormChoice::L1w, "l1w"));
    }
    for &n in &l2_sizes {
        jobs.push((n, NormChoice::L2w, "l2w"));
    }
    for (n, choice, name) in jobs {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let sc = gain / (n as f64).sqrt();
        let w = Mat::from_fn(n, n, |_, _| {
            let z: f64 = StandardNormal.sample(&mut rng);
            sc * z
        });
        for model in [NetworkForm::FiringRate, NetworkForm::Hopfield] {
            let mut best = f64::INFINITY;
            let mut cert = None;
            for _ in 0..reps {
                let t = Instant::now();
                let c = certify(&w, Activation::Tanh, model, 1.0, choice)?;
                best = best.min(t.elapsed().as_secs_f64());
                cert = Some(c);
            }
            let c = cert.ok_or("no repetition")?;
            eprintln!(
                "n {n:5} {:11} {name:5} {best:9.4} s  rate {:+.4}",
                model.name(),
                c.rate
            );
            println!(
                "{{\"n\": {n}, \"model\": \"{}\", \"norm\": \"{name}\", \"seconds\": {best}, \"rate\": {}, \"contracting\": {}}}",
                model.name(),
                c.rate,
                c.contracting
            );
        }
    }
    Ok(())
}
