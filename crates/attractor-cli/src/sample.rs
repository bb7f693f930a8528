//! `attractor sample MODEL.safetensors`: draw samples from a trained RBM by block Gibbs
//! sampling over many chains and write them as a PNG grid (and optionally a `.npy` array).

use crate::maxcut::Exit;
use anyhow::{Context, Result, bail};
use attractor::markov::{MarkovSampler, try_chain_rngs};
use attractor::models::rbm::{Rbm, VisibleUnits};
use attractor::problems::{image_shape, write_npy};
use attractor::samplers::tempering::{Ladder, ParallelTempering};
use clap::{Args, ValueEnum};
use faer::Mat;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What each image of the grid shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Show {
    /// The mean-field visible means E[v | h = E[h | v]] of each chain's last sample.
    Mean,
    /// The last sample itself.
    Sample,
}

/// How the chains move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SampleMethod {
    /// Block Gibbs sweeps at one temperature.
    Gibbs,
    /// Parallel tempering: one replica per temperature of a geometric ladder from --temperature
    /// (--temperatures rungs up to --max-temperature times it), neighbours swapped each round
    /// (Desjardins et al., AISTATS 2010); crosses between modes that trap plain Gibbs chains.
    #[value(alias = "pt")]
    Tempering,
}

/// `attractor sample MODEL.safetensors --png SAMPLES.png`.
#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct SampleArgs {
    /// The RBM (a safetensors file written by `attractor train rbm` or Python's `save`).
    #[arg(value_name = "MODEL.safetensors")]
    pub model: PathBuf,
    /// Write the grid of samples here (PNG; written atomically).
    #[arg(long, value_name = "SAMPLES.png")]
    pub png: PathBuf,
    /// Also write the samples as a `.npy` array (count x n_visible).
    #[arg(long, value_name = "SAMPLES.npy")]
    pub out: Option<PathBuf>,
    /// Independent chains (one image each).
    #[arg(long, default_value_t = 64)]
    pub count: usize,
    /// Gibbs sweeps v → h → v per chain, from uniformly random visible states.
    #[arg(long, default_value_t = 1000)]
    pub steps: usize,
    /// Sampling temperature T (p ∝ exp(−E/T)); 1 samples the model itself.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    pub temperature: f64,
    /// Seed of the chains.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// gibbs or tempering (--steps is then the number of rounds).
    #[arg(long, value_enum, default_value_t = SampleMethod::Gibbs)]
    pub method: SampleMethod,
    /// Temperatures (rungs) of --method tempering.
    #[arg(long, default_value_t = 10)]
    pub temperatures: usize,
    /// The hottest rung of --method tempering, relative to --temperature.
    #[arg(long, default_value_t = 10.0, allow_hyphen_values = true)]
    pub max_temperature: f64,
    /// What each image shows: mean or sample.
    #[arg(long, value_enum, default_value_t = Show::Mean)]
    pub show: Show,
    /// Image shape HxW (default: square when n_visible is a square number).
    #[arg(long, value_name = "HxW")]
    pub shape: Option<String>,
    /// Images per row of the grid.
    #[arg(long, default_value_t = 8)]
    pub columns: usize,
    /// Worker threads (rayon's global pool; 0: all of them). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// The most chains `--count` accepts (one image each).
const MAX_COUNT: usize = 10_000;
/// Sweeps between checks for an interrupt.
const CHUNK: usize = 50;

fn parse_shape(s: &str, n_visible: usize) -> Result<(usize, usize)> {
    let parsed = s.split_once(['x', 'X']).and_then(|(h, w)| {
        Some((
            h.trim().parse::<usize>().ok()?,
            w.trim().parse::<usize>().ok()?,
        ))
    });
    match parsed {
        Some((h, w)) if h.checked_mul(w) == Some(n_visible) => Ok((h, w)),
        Some((h, w)) => {
            bail!("--shape {s}: {h} x {w} images do not have the model's {n_visible} visible units")
        }
        None => bail!("--shape {s}: give HEIGHTxWIDTH, e.g. 28x28"),
    }
}

pub fn run(args: &SampleArgs) -> Result<Exit> {
    if args.count == 0 || args.count > MAX_COUNT {
        bail!(
            "--count {}: draw between 1 and {MAX_COUNT} samples",
            args.count
        );
    }
    if args.columns == 0 {
        bail!("--columns 0: give at least one image per row");
    }
    if args.threads > 1024 {
        bail!("--threads {}: at most 1024 (0 uses all)", args.threads);
    }
    crate::plot::check_png_path(&args.png).context("--png")?;
    if let Some(out) = &args.out {
        attractor::output::check_writable(out).context("--out")?;
    }
    let mut outputs = vec![("--png", args.png.as_path())];
    if let Some(out) = &args.out {
        outputs.push(("--out", out.as_path()));
    }
    attractor::output::check_distinct(&[("MODEL", args.model.as_path())], &outputs)?;
    let rbm = Rbm::load_safetensors(&args.model)?;
    let n = rbm.n_visible();
    let (height, width) = match &args.shape {
        Some(s) => parse_shape(s, n)?,
        None => image_shape(n),
    };
    // the states, their mean-field means, the images and the --out copy: four n x count arrays
    // of f64, refused here before the chains start rather than after the sampling
    let arrays = attractor::memory::bytes_of("samples", &[n, args.count, 4], 8, "")?;
    attractor::memory::check_bytes(
        "samples (n_visible x --count) with their means and images",
        &[n, args.count],
        arrays,
        "draw fewer samples (--count)",
    )?;
    let par = match args.threads {
        0 => attractor::linalg::ALL_THREADS,
        1 => attractor::Par::Seq,
        k => attractor::Par::rayon(k),
    };
    let gibbs = rbm
        .gibbs()
        .with_temperature(args.temperature)
        .context("--temperature")?
        .with_par(par);
    println!(
        "model {}: {n} {} visible x {} hidden; {} chains, {} Gibbs sweeps at T = {}, seed {}",
        args.model.display(),
        rbm.visible_units().name(),
        rbm.n_hidden(),
        args.count,
        args.steps,
        attractor::format_number(args.temperature),
        args.seed
    );

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // SIGINT and SIGTERM both stop sampling and keep the states reached
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let bar = ProgressBar::with_draw_target(
        Some(args.steps as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        ProgressStyle::with_template("{bar:30} sweep {pos}/{len} {elapsed_precise}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let t0 = Instant::now();
    let mut done = 0;
    let v = match args.method {
        SampleMethod::Gibbs => {
            let mut rngs = try_chain_rngs(args.seed, args.count)?;
            let mut v = gibbs.initial_states(&mut rngs)?;
            while done < args.steps && !stop.load(Ordering::SeqCst) {
                let k = CHUNK.min(args.steps - done);
                gibbs.advance(v.as_mut(), &mut rngs, k)?;
                done += k;
                bar.set_position(done as u64);
            }
            v
        }
        SampleMethod::Tempering => {
            let ladder = Ladder::geometric(args.temperatures, args.max_temperature)
                .context("--temperatures / --max-temperature")?;
            let pt = ParallelTempering::new(&gibbs, ladder)?;
            let mut replicas = pt.start(args.count, None, args.seed)?;
            while done < args.steps && !stop.load(Ordering::SeqCst) {
                let k = CHUNK.min(args.steps - done);
                pt.rounds(&mut replicas, k)?;
                done += k;
                bar.set_position(done as u64);
            }
            let rates: Vec<String> = replicas
                .swap_rates()
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect();
            bar.suspend(|| println!("tempering swap rates: {}", rates.join(" ")));
            replicas.rung(0).to_owned()
        }
    };
    bar.finish_and_clear();
    let interrupted = done < args.steps;
    println!(
        "sampling: {done} sweeps in {:.2} s{}",
        t0.elapsed().as_secs_f64(),
        if interrupted {
            " (interrupted by Ctrl-C or SIGTERM: the states reached are written)"
        } else {
            ""
        }
    );
    let shown: Mat<f64> = match args.show {
        Show::Sample => v.clone(),
        Show::Mean => {
            let h = rbm.hidden_probabilities(v.as_ref(), par)?;
            rbm.visible_means(h.as_ref(), par)?
        }
    };
    let images: Vec<Vec<f64>> = (0..args.count)
        .map(|s| {
            let col: Vec<f64> = (0..n).map(|i| shown[(i, s)]).collect();
            to_ink(&col, rbm.visible_units())
        })
        .collect();
    let rows: Vec<Vec<Vec<f64>>> = images.chunks(args.columns).map(|c| c.to_vec()).collect();
    crate::image_grid::write_image_grid(&args.png, width, height, &[], &rows).context("--png")?;
    println!(
        "wrote {} ({} images of {height} x {width}, {} per row, {})",
        args.png.display(),
        args.count,
        args.columns.min(args.count),
        match args.show {
            Show::Mean => "mean-field visible means of the last samples",
            Show::Sample => "the last samples",
        }
    );
    if let Some(out) = &args.out {
        let data: Vec<f64> = (0..args.count)
            .flat_map(|s| (0..n).map(move |i| (s, i)))
            .map(|(s, i)| v[(i, s)])
            .collect();
        write_npy(out, &[args.count, n], &data).context("--out")?;
        println!("wrote {} ({} x {n} samples)", out.display(), args.count);
    }
    Ok(if interrupted {
        Exit::Interrupted
    } else {
        Exit::Done
    })
}

/// Map an image to the grid's ink scale `[−1, 1]` (`+1` black): probabilities `p ↦ 2p − 1`
/// for Bernoulli units; for Gaussian units each image is stretched from its own minimum
/// (white) to its maximum (black).
fn to_ink(x: &[f64], units: VisibleUnits) -> Vec<f64> {
    match units {
        VisibleUnits::Bernoulli => x.iter().map(|p| 2.0 * p - 1.0).collect(),
        VisibleUnits::Gaussian => {
            let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let span = hi - lo;
            x.iter()
                .map(|v| {
                    if span > 0.0 && span.is_finite() {
                        2.0 * (v - lo) / span - 1.0
                    } else {
                        0.0
                    }
                })
                .collect()
        }
    }
}
