//! `attractor memory`: store patterns (MNIST IDX, `.npy`, or generated), corrupt queries,
//! recall them with a chosen associative memory, print accuracy and energies, and optionally
//! write a PNG grid of original / corrupted / recalled images.

use anyhow::{Context, Result, bail};
use attractor::analysis::evaluate_recall;
use attractor::learn::{MemoryModel, MemorySpec};
use attractor::models::{Separation, Update};
use attractor::problems::{CorruptionKind, ImagePatterns};
use clap::Args;
use std::path::{Path, PathBuf};

/// Options of `attractor memory`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct MemoryArgs {
    /// Patterns: `generated` (random ±1), an IDX file (MNIST, gzipped or not) or a `.npy` array
    /// (K x N, or K x H x W).
    #[arg(long, default_value = "generated")]
    pub data: String,
    /// Number of patterns to store (the first ones of a file).
    #[arg(long, default_value_t = 50)]
    pub count: usize,
    /// Pattern length N for generated patterns (a square number draws square images).
    #[arg(long, default_value_t = 100)]
    pub dim: usize,
    /// Memory model: hebbian, storkey, pinv (classical Hopfield with that learning rule),
    /// dense (Krotov–Hopfield 2016 / Demircigil 2017; set --n) or modern (Ramsauer et al.
    /// 2020; set --beta).
    #[arg(long, default_value = "hebbian")]
    pub model: MemoryModel,
    /// Separation function of the dense memory: a polynomial degree (>= 2), rectN for
    /// max(x, 0)^N, or exp.
    #[arg(long, default_value = "3")]
    pub n: Separation,
    /// Inverse temperature of the modern Hopfield memory.
    #[arg(long, default_value_t = 1.0)]
    pub beta: f64,
    /// Synchronous instead of asynchronous updates (classical models).
    #[arg(long)]
    pub synchronous: bool,
    /// How queries are corrupted: flip (signs), mask (set to 0) or noise (Gaussian).
    #[arg(long, default_value = "flip")]
    pub corrupt: CorruptionKind,
    /// Fraction of entries flipped or masked, or the noise standard deviation.
    #[arg(long, default_value_t = 0.2)]
    pub amount: f64,
    /// Number of stored patterns queried (the first ones; default: all).
    #[arg(long)]
    pub queries: Option<usize>,
    /// Binarisation threshold for file data, on values scaled to [0, 1].
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Seed for generated patterns, corruption and update order.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Write a PNG grid of original / corrupted / recalled images (first 8 queries).
    #[arg(long, value_name = "FILE.png")]
    pub png: Option<PathBuf>,
}

/// The memory the options describe.
pub fn spec(
    model: MemoryModel,
    n: Separation,
    beta: f64,
    synchronous: bool,
    seed: u64,
) -> MemorySpec {
    let mut spec = MemorySpec::new(model);
    spec.separation = n;
    spec.beta = beta;
    spec.update = if synchronous {
        Update::Synchronous
    } else {
        Update::Asynchronous { seed }
    };
    spec
}

/// Load the patterns the options name.
fn load(args: &MemoryArgs) -> Result<ImagePatterns> {
    if args.count == 0 {
        bail!("--count 0: store at least one pattern");
    }
    if args.data == "generated" {
        if args.dim == 0 {
            bail!("--dim 0: patterns need at least one entry");
        }
        return Ok(ImagePatterns::generated(args.count, args.dim, args.seed)?);
    }
    Ok(ImagePatterns::read(
        Path::new(&args.data),
        args.count,
        args.threshold,
    )?)
}

/// Check the numeric options by the names the user typed, before anything is read.
fn check_args(args: &MemoryArgs) -> Result<()> {
    let num = attractor::format_number;
    if !(args.threshold.is_finite() && (0.0..=1.0).contains(&args.threshold)) {
        bail!(
            "--threshold {}: the binarisation threshold applies to values scaled to [0, 1]; give a number in [0, 1] such as 0.5",
            num(args.threshold)
        );
    }
    if !(args.beta.is_finite() && args.beta > 0.0) {
        bail!(
            "--beta {}: the inverse temperature must be finite and > 0, e.g. 1",
            num(args.beta)
        );
    }
    match args.corrupt {
        CorruptionKind::Flip | CorruptionKind::Mask
            if !(args.amount.is_finite() && (0.0..=1.0).contains(&args.amount)) =>
        {
            bail!(
                "--amount {}: the fraction of entries corrupted must lie in [0, 1], e.g. 0.2",
                num(args.amount)
            )
        }
        CorruptionKind::Noise if !(args.amount.is_finite() && args.amount >= 0.0) => bail!(
            "--amount {}: the noise standard deviation must be finite and >= 0",
            num(args.amount)
        ),
        _ => {}
    }
    if args.data == "generated" {
        attractor::linalg::check_dense_size("--count x --dim", args.count, args.dim)?;
    }
    Ok(())
}

pub fn run(args: &MemoryArgs) -> Result<()> {
    check_args(args)?;
    if let Some(png) = &args.png {
        crate::plot::check_png_path(png).context("--png")?;
        let data = std::path::Path::new(&args.data);
        if data.exists() {
            attractor::output::check_distinct(&[("--data", data)], &[("--png", png.as_path())])?;
        }
    }
    let ImagePatterns {
        patterns,
        height: h,
        width: w,
    } = load(args)?;
    let (k, n) = (patterns.n_patterns(), patterns.dim());
    let n_queries = args.queries.unwrap_or(k);
    if n_queries == 0 || n_queries > k {
        bail!("--queries {n_queries}: must be between 1 and the {k} stored patterns");
    }
    let mut memory =
        spec(args.model, args.n, args.beta, args.synchronous, args.seed).store(&patterns)?;
    let targets = patterns.take(n_queries)?;
    let queries = args
        .corrupt
        .with_amount(args.amount)
        .queries(&targets, args.seed)?;
    let start = std::time::Instant::now();
    let summary = evaluate_recall(memory.as_mut(), &targets, &queries)?;
    let elapsed = start.elapsed();

    println!(
        "== memory: {} storing K = {k} patterns of N = {n} ({}) ==",
        memory.name(),
        if args.data == "generated" {
            format!("random ±1, seed {}", args.seed)
        } else {
            format!("{}, binarised at {}", args.data, args.threshold)
        }
    );
    println!(
        "load α = K/N = {:.3}; queries: {n_queries}, corrupted by {:?} {}",
        k as f64 / n as f64,
        args.corrupt,
        args.amount
    );
    println!(
        "recovered exactly: {:.1}% ({}/{n_queries}); mean overlap {:.4}; mean bit error rate {:.4}; mean sweeps {:.2}; {:.1} ms",
        100.0 * summary.recovered_fraction,
        (summary.recovered_fraction * n_queries as f64).round() as usize,
        summary.mean_overlap,
        summary.mean_bit_error_rate,
        summary.mean_sweeps,
        elapsed.as_secs_f64() * 1e3
    );
    println!(
        "{:>5}  {:>14}  {:>14}  {:>14}  {:>8}  {:>10}",
        "query", "E(query)", "E(recalled)", "E(stored)", "overlap", "status"
    );
    for mu in 0..n_queries.min(10) {
        let r = &summary.solutions[mu];
        let e_stored = memory.energy(targets.pattern(mu));
        let m = attractor::analysis::overlap(&r.state, targets.pattern(mu))?;
        println!(
            "{mu:>5}  {:>14.6}  {:>14.6}  {e_stored:>14.6}  {m:>8.4}  {:>10}",
            r.trace.first().map_or(f64::NAN, |p| p.energy),
            r.energy.unwrap_or(f64::NAN),
            r.status.name()
        );
    }
    if let Some(png) = &args.png {
        let rows: Vec<Vec<Vec<f64>>> = (0..n_queries.min(8))
            .map(|mu| {
                vec![
                    targets.pattern(mu).to_vec(),
                    queries[mu].clone(),
                    summary.solutions[mu].state.clone(),
                ]
            })
            .collect();
        crate::image_grid::write_image_grid(
            png,
            w,
            h,
            &["original", "corrupted", "recalled"],
            &rows,
        )?;
        println!("wrote {}", png.display());
    }
    Ok(())
}
