//! `attractor sparse`: code signals over a dictionary with a sparse-coding network (PFCN, FCN,
//! LCA), print the certificate, sparsity and objective, and write the codes. Arrays are laid
//! out as scikit-learn's `SparseCoder` has them: the dictionary `n_atoms × n_features`, the
//! signals `n_signals × n_features`, the codes `n_signals × n_atoms`.

use crate::maxcut::Exit;
use anyhow::{Context, Result, bail};
use attractor::models::sparse::{Dictionary, Momentum, SparseCoder, SparseMethod, SparseParams};
use attractor::problems::{NpyArray, read_npy, write_npy};
use attractor::run::{Budget, Interrupt, Status};
use clap::Args;
use faer::MatRef;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// `attractor sparse --dict D.npy --signals Y.npy --lambda L`.
#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct SparseArgs {
    /// The dictionary: a 2-D `.npy` array, one atom per row (n_atoms × n_features).
    #[arg(long, value_name = "D.npy")]
    pub dict: PathBuf,
    /// The signals: a 2-D `.npy` array, one signal per row (n_signals × n_features), or a 1-D
    /// array for one signal.
    #[arg(long, value_name = "Y.npy")]
    pub signals: PathBuf,
    /// The l1 weight λ ≥ 0 in ½‖y − Dᵀa‖² + λ‖a‖₁ (scikit-learn's transform_alpha).
    #[arg(long = "lambda", value_name = "L", allow_hyphen_values = true)]
    pub lambda: f64,
    /// Non-negative codes (a ≥ 0).
    #[arg(long)]
    pub nonneg: bool,
    /// The network: pfcn (non-negative; the default with --nonneg), fcn (the default
    /// otherwise), lca, lca-hard.
    #[arg(long)]
    pub method: Option<SparseMethod>,
    /// Stop each signal when its relative duality gap (relative fixed-point residual for
    /// lca-hard) is at most this.
    #[arg(long, default_value_t = 1e-6)]
    pub tol: f64,
    /// The most network steps per signal.
    #[arg(long, default_value_t = 10_000)]
    pub max_iter: usize,
    /// The Euler step in units of the time constant, in (0, 1] (1 is the proximal gradient
    /// iteration).
    #[arg(long, default_value_t = 1.0)]
    pub dt: f64,
    /// Run the network's dynamics alone, without solving its equilibrium on the active set at
    /// each check.
    #[arg(long)]
    pub dynamics_only: bool,
    /// The network's inertia: none (the first-order network), nesterov (Nesterov's 3/t damping
    /// with the gradient restart; FISTA at --dt 1), nesterov-no-restart, or
    /// heavy-ball:<damping> (constant damping > 0).
    #[arg(long, value_name = "M")]
    pub momentum: Option<Momentum>,
    /// Wall-clock budget in seconds (the codes reached are written when it ends).
    #[arg(long)]
    pub time: Option<f64>,
    /// Worker threads (rayon's global pool; 0: all of them).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Write the codes here as a `.npy` array (n_signals × n_atoms; written atomically).
    #[arg(long, value_name = "CODES.npy")]
    pub out: Option<PathBuf>,
}

/// The most worker threads `--threads` accepts.
const MAX_THREADS: usize = 1024;

fn matrix<'a>(a: &'a NpyArray, what: &str, path: &std::path::Path) -> Result<MatRef<'a, f64>> {
    let (rows, cols) = match a.shape.as_slice() {
        [r, c] => (*r, *c),
        [c] if what == "--signals" => (1, *c),
        s => bail!(
            "{what} {}: expected a 2-D array ({}), got shape {s:?}",
            path.display(),
            if what == "--dict" {
                "n_atoms x n_features"
            } else {
                "n_signals x n_features"
            }
        ),
    };
    // row-major rows × cols is column-major cols × rows: features × items, no copy
    Ok(MatRef::from_column_major_slice(&a.data, cols, rows))
}

/// Name the option behind a parameter the library refused.
fn option_names(e: attractor::Error) -> anyhow::Error {
    let option = match &e {
        attractor::Error::InvalidParameter { name, .. } => match name.as_str() {
            "lambda" => Some("--lambda"),
            "tol" => Some("--tol"),
            "max_iter" => Some("--max-iter"),
            "dt" => Some("--dt"),
            "method" => Some("--method"),
            "momentum" | "momentum damping" => Some("--momentum"),
            _ => None,
        },
        _ => None,
    };
    match option {
        Some(o) => anyhow::Error::new(e).context(o),
        None => e.into(),
    }
}

fn fmt(x: f64) -> String {
    attractor::format_number(x)
}

/// Seven significant digits, fixed or scientific by magnitude.
fn sig(x: f64) -> String {
    if x == 0.0 || (1e-3..1e7).contains(&x.abs()) {
        let digits = if x == 0.0 {
            0
        } else {
            (6 - x.abs().log10().floor() as i64).max(0)
        };
        format!("{x:.*}", digits as usize)
    } else {
        format!("{x:.6e}")
    }
}

pub fn run(args: &SparseArgs) -> Result<Exit> {
    if !args.lambda.is_finite() || args.lambda < 0.0 {
        bail!(
            "--lambda {}: give a finite l1 weight >= 0",
            fmt(args.lambda)
        );
    }
    if !(args.tol.is_finite() && args.tol >= 0.0) {
        bail!("--tol {}: give a finite tolerance >= 0", fmt(args.tol));
    }
    if !(args.dt.is_finite() && args.dt > 0.0 && args.dt <= 1.0) {
        bail!("--dt {}: give a step in (0, 1]", fmt(args.dt));
    }
    if args.max_iter == 0 {
        bail!("--max-iter 0: allow at least one step");
    }
    if args.threads > MAX_THREADS {
        bail!(
            "--threads {}: at most {MAX_THREADS} (0 uses all)",
            args.threads
        );
    }
    let budget = match args.time {
        None => None,
        Some(t) if t.is_finite() && t > 0.0 && t <= 1e9 => Some(Duration::from_secs_f64(t)),
        Some(t) => bail!(
            "--time {}: give a positive number of seconds (at most 1e9)",
            fmt(t)
        ),
    };
    if let Some(out) = &args.out {
        attractor::output::check_writable(out).context("--out")?;
        attractor::output::check_distinct(
            &[
                ("--dict", args.dict.as_path()),
                ("--signals", args.signals.as_path()),
            ],
            &[("--out", out.as_path())],
        )?;
    }
    let par = match args.threads {
        0 => attractor::linalg::ALL_THREADS,
        1 => attractor::Par::Seq,
        k => attractor::Par::rayon(k),
    };
    let d = read_npy(&args.dict).context("--dict")?;
    let phi = matrix(&d, "--dict", &args.dict)?;
    // the shape first, before a copy: a (10^18, 0) array would loop over 10^18 empty atoms
    Dictionary::check_shape(phi.ncols(), phi.nrows()).context("--dict")?;
    let y = read_npy(&args.signals).context("--signals")?;
    let signals = matrix(&y, "--signals", &args.signals)?;
    let dict = Dictionary::new(phi.to_owned(), par).context("--dict")?;
    if signals.nrows() != dict.n_features() {
        bail!(
            "--signals {}: the signals have {} features but the dictionary's atoms have {}; both arrays need n_features columns",
            args.signals.display(),
            signals.nrows(),
            dict.n_features()
        );
    }
    let mut p = SparseParams::new(args.lambda, args.nonneg);
    if let Some(m) = args.method {
        if m == SparseMethod::Pfcn && !args.nonneg {
            bail!("--method pfcn computes non-negative codes: add --nonneg, or use --method fcn");
        }
        p.method = m;
    }
    p.tol = args.tol;
    p.dt = args.dt;
    p.equilibrium_solve = !args.dynamics_only;
    if let Some(m) = args.momentum {
        p.momentum = m;
    }
    let stop = Interrupt::new();
    {
        let stop = stop.clone();
        // SIGINT and SIGTERM both stop the run and keep the codes reached
        let _ = ctrlc::set_handler(move || stop.raise());
    }
    let run_budget = Budget::steps(args.max_iter)
        .time_opt(budget)
        .interrupt(stop);
    let (n_atoms, n_features, lipschitz) = (dict.n_atoms(), dict.n_features(), dict.lipschitz());
    let coder = SparseCoder::new(Arc::new(dict), p).map_err(option_names)?;
    let method = coder.params().method;
    println!(
        "dictionary {}: {n_atoms} atoms x {n_features} features (L = {:.4}, step γ = {:.4e}); {} signals from {}",
        args.dict.display(),
        lipschitz,
        coder.gamma(),
        signals.ncols(),
        args.signals.display()
    );
    println!(
        "network {method}{}{}, λ = {}, {}, tol {:e}, at most {} steps{}",
        if args.nonneg {
            " (non-negative codes)"
        } else {
            ""
        },
        match coder.params().momentum {
            Momentum::None => String::new(),
            m => format!(" with momentum {m}"),
        },
        fmt(args.lambda),
        if args.dynamics_only {
            "dynamics only"
        } else {
            "equilibrium solved on the active set at each check"
        },
        args.tol,
        args.max_iter,
        if args.dt < 1.0 {
            format!(", Euler dt = {} τ", fmt(args.dt))
        } else {
            String::new()
        }
    );
    let codes = coder.encode(signals, &run_budget)?;
    if let Some(j) = codes.objective.iter().position(|v| !v.is_finite()) {
        bail!(
            "the objective of signal {j} is {} (the inputs overflow f64 arithmetic); scale the dictionary or the signals down",
            fmt(codes.objective[j])
        );
    }
    let n = codes.n_signals();
    let max_support = codes.support.iter().copied().max().unwrap_or(0);
    println!("signals: {}", codes.summary());
    println!(
        "objective: total {}, mean {} per signal",
        sig(codes.total_objective()),
        sig(codes.total_objective() / n as f64)
    );
    println!(
        "certificate ({}): max {:.3e}",
        if method.is_convex() {
            "relative duality gap (P - D)/P"
        } else {
            "relative fixed-point residual"
        },
        codes.max_certificate()
    );
    println!(
        "support: mean {:.2}, max {max_support} of {n_atoms} atoms",
        codes.mean_support()
    );
    match coder.contraction_rate()? {
        Some(c) => {
            println!("contraction rate bound (strongly convex least squares): {c:.4e} per τ")
        }
        None => println!(
            "contraction rate bound: none ({})",
            if method.is_convex() {
                "ΦᵀΦ is singular: more atoms than features, or dependent atoms"
            } else {
                "the hard threshold is not convex"
            }
        ),
    }
    let steps = codes.n_steps.iter().sum::<usize>() as f64 / n as f64;
    println!(
        "time: {:.3} s ({:.1} µs per signal), mean {steps:.1} network steps per signal",
        codes.elapsed.as_secs_f64(),
        codes.time_per_signal().as_secs_f64() * 1e6
    );
    // a diverged code (entries of 1e307) is not an answer: no output, a non-zero exit
    if let Some((j, Status::Diverged(why))) = codes
        .status
        .iter()
        .enumerate()
        .find(|(_, s)| matches!(s, Status::Diverged(_)))
    {
        bail!(
            "the network diverged on signal {j} ({why}); nothing was written: give a smaller --dt (the step must be below 2/L for the dictionary's L), or drop --dynamics-only"
        );
    }
    if let Some(out) = &args.out {
        let data: Vec<f64> = (0..n).flat_map(|j| codes.code(j).to_vec()).collect();
        write_npy(out, &[n, n_atoms], &data).context("--out")?;
        println!("wrote {} ({n} x {n_atoms})", out.display());
    }
    Ok(
        if codes
            .status
            .iter()
            .any(|s| matches!(s, Status::Interrupted))
        {
            Exit::Interrupted
        } else {
            Exit::Done
        },
    )
}
