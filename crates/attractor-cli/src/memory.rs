//! `attractor memory`: store patterns (MNIST IDX, `.npy`, or generated), corrupt queries,
//! recall them with a chosen associative memory, print accuracy and energies, and optionally
//! write a PNG grid of original / corrupted / recalled images.

use anyhow::{Context, Result, bail};
use attractor::analysis::evaluate_recall;
use attractor::models::{DenseMemory, HopfieldMemory, Memory, ModernHopfield, Separation, Update};
use attractor::problems::{
    Patterns, add_gaussian_noise, flip_fraction, mask_fraction, read_idx, read_npy,
};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// Which associative memory to use.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// Classical Hopfield, Hebbian rule.
    Hebbian,
    /// Classical Hopfield, Storkey rule.
    Storkey,
    /// Classical Hopfield, pseudo-inverse (projection) rule.
    Pinv,
    /// Dense associative memory (Krotov–Hopfield 2016 / Demircigil 2017); set --n.
    Dense,
    /// Modern Hopfield (Ramsauer et al. 2020); set --beta.
    Modern,
}

/// How queries are corrupted.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// Flip the sign of a fraction of the entries.
    Flip,
    /// Set a fraction of the entries to 0 (unknown).
    Mask,
    /// Add Gaussian noise with standard deviation --amount.
    Noise,
}

/// Options of `attractor memory`.
#[derive(Args, Debug, Clone)]
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
    /// Memory model.
    #[arg(long, value_enum, default_value_t = ModelKind::Hebbian)]
    pub model: ModelKind,
    /// Separation function of the dense memory: a polynomial degree (>= 2) or `exp`.
    #[arg(long, default_value = "3")]
    pub n: String,
    /// Inverse temperature of the modern Hopfield memory.
    #[arg(long, default_value_t = 1.0)]
    pub beta: f64,
    /// Synchronous instead of asynchronous updates (classical models).
    #[arg(long)]
    pub synchronous: bool,
    /// How queries are corrupted.
    #[arg(long, value_enum, default_value_t = Corruption::Flip)]
    pub corrupt: Corruption,
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

/// Parse `--n`: a degree `>= 2` or `exp`.
pub fn parse_separation(n: &str) -> Result<Separation> {
    if n.eq_ignore_ascii_case("exp") {
        return Ok(Separation::Exponential);
    }
    let deg: u32 = n
        .parse()
        .with_context(|| format!("--n {n}: give a polynomial degree such as 3, or exp"))?;
    Ok(Separation::Polynomial(deg).validate()?)
}

/// Build the chosen memory on `patterns`.
pub fn build_memory(
    model: ModelKind,
    n: &str,
    beta: f64,
    synchronous: bool,
    seed: u64,
    patterns: &Patterns,
) -> Result<Box<dyn Memory>> {
    let update = if synchronous {
        Update::Synchronous
    } else {
        Update::Asynchronous { seed }
    };
    Ok(match model {
        ModelKind::Hebbian => Box::new(HopfieldMemory::hebbian(patterns)?.with_update(update)),
        ModelKind::Storkey => Box::new(HopfieldMemory::storkey(patterns)?.with_update(update)),
        ModelKind::Pinv => Box::new(HopfieldMemory::pseudo_inverse(patterns)?.with_update(update)),
        ModelKind::Dense => {
            Box::new(DenseMemory::new(patterns, parse_separation(n)?)?.with_seed(seed))
        }
        ModelKind::Modern => Box::new(ModernHopfield::new(patterns, beta)?),
    })
}

/// Load patterns scaled to [0, 1] and binarised, with the image shape (h, w).
fn load(args: &MemoryArgs) -> Result<(Patterns, usize, usize)> {
    if args.count == 0 {
        bail!("--count 0: store at least one pattern");
    }
    if args.data == "generated" {
        if args.dim == 0 {
            bail!("--dim 0: patterns need at least one entry");
        }
        let p = Patterns::random_binary(args.count, args.dim, args.seed)?;
        let side = (args.dim as f64).sqrt().round() as usize;
        let (h, w) = if side * side == args.dim {
            (side, side)
        } else {
            (1, args.dim)
        };
        return Ok((p, h, w));
    }
    let path = Path::new(&args.data);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let (shape, values): (Vec<usize>, Vec<f64>) =
        if name.ends_with(".npy") || name.ends_with(".npy.gz") {
            let a = read_npy(path)?;
            (a.shape, a.data)
        } else {
            let a = read_idx(path)?;
            (a.dims, a.data.iter().map(|&b| f64::from(b)).collect())
        };
    if shape.len() < 2 {
        bail!(
            "{}: an array of shape {shape:?} holds no patterns; expected K x N or K x H x W",
            args.data
        );
    }
    let k_all = shape[0];
    let n: usize = shape[1..].iter().product();
    let (h, w) = if shape.len() == 3 {
        (shape[1], shape[2])
    } else {
        let side = (n as f64).sqrt().round() as usize;
        if side * side == n {
            (side, side)
        } else {
            (1, n)
        }
    };
    if args.count > k_all {
        bail!(
            "--count {}: {} holds only {k_all} patterns",
            args.count,
            args.data
        );
    }
    let max = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let scale = if max > 0.0 { 1.0 / max } else { 1.0 };
    let data: Vec<f64> = values[..args.count * n].iter().map(|v| v * scale).collect();
    let p = Patterns::from_flat(args.count, n, data)?.binarize(args.threshold);
    Ok((p, h, w))
}

pub fn run(args: &MemoryArgs) -> Result<()> {
    if let Some(png) = &args.png {
        crate::plot::check_png_path(png)?;
    }
    let (patterns, h, w) = load(args)?;
    let (k, n) = (patterns.n_patterns(), patterns.dim());
    let n_queries = args.queries.unwrap_or(k);
    if n_queries == 0 || n_queries > k {
        bail!("--queries {n_queries}: must be between 1 and the {k} stored patterns");
    }
    let mut memory = build_memory(
        args.model,
        &args.n,
        args.beta,
        args.synchronous,
        args.seed,
        &patterns,
    )?;
    let targets = patterns.take(n_queries)?;
    let queries: Vec<Vec<f64>> = targets
        .iter()
        .enumerate()
        .map(|(mu, x)| {
            let s = args.seed.wrapping_add(1 + mu as u64);
            match args.corrupt {
                Corruption::Flip => flip_fraction(x, args.amount, s),
                Corruption::Mask => mask_fraction(x, args.amount, 0.0, s),
                Corruption::Noise => add_gaussian_noise(x, args.amount, s),
            }
        })
        .collect::<std::result::Result<_, _>>()?;
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
        let r = &summary.reports[mu];
        let e_stored = memory.energy(targets.pattern(mu));
        let m = attractor::analysis::overlap(&summary.recalled[mu], targets.pattern(mu))?;
        println!(
            "{mu:>5}  {:>14.6}  {:>14.6}  {e_stored:>14.6}  {m:>8.4}  {:>10?}",
            r.energies[0],
            r.final_energy(),
            r.status
        );
    }
    if let Some(png) = &args.png {
        let rows: Vec<Vec<Vec<f64>>> = (0..n_queries.min(8))
            .map(|mu| {
                vec![
                    targets.pattern(mu).to_vec(),
                    queries[mu].clone(),
                    summary.recalled[mu].clone(),
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
