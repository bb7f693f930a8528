//! `attractor maxcut` and `attractor ising`: read a problem, run the oscillator Ising machine
//! under a time budget or for a fixed number of rounds (Ctrl-C keeps the best so far), print and
//! write the best partition. Defaults, cut ↔ energy conversions and the stability certificate
//! come from the library.

use crate::solvers::{self, Solver};
use anyhow::{Context, Result, bail};
use attractor::models::{Found, OimParams, OimProgress, OimResult, OscillatorIsingMachine};
use attractor::problems::formats::GraphFormat;
use attractor::problems::{
    IsingModel, bits_from_spins, parse_ising, parse_qubo, read_partition, read_text,
    write_partition,
};
use attractor::run::{Budget, Interrupt, Status};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Duration;

/// The time budget when neither --time nor --rounds is given.
const DEFAULT_TIME_S: f64 = 10.0;

/// Options of the machine shared by `maxcut` and `ising`.
#[derive(Args, Debug, Clone)]
pub struct MachineArgs {
    /// Wall-clock budget in seconds (the best state found so far is reported when it ends)
    /// [default: 10 unless --rounds is given]. A time budget alone is NOT reproducible: how many
    /// rounds fit depends on the machine and its load; use --rounds for a reproducible run.
    #[arg(long)]
    pub time: Option<f64>,
    /// Run exactly this many annealing rounds (with --seed, the same answer on any machine and
    /// any number of threads); with --time too, stop at whichever comes first.
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Independent oscillator replicas (rounded up to a multiple of 16) [default: the
    /// library's, 16].
    #[arg(long)]
    pub replicas: Option<usize>,
    /// Seed for every random choice.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads across replica blocks of 16 (rayon's global pool; 0: all its threads);
    /// the answer does not depend on it.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Steps per annealing round (μ ramps up and the noise anneals once per round) [default: the
    /// library's: 20000 with a time budget, 2000 with --rounds alone].
    #[arg(long)]
    pub steps: Option<usize>,
    /// Heterogeneity δ of the second-harmonic strengths, μ_i ~ U[μ(1−δ), μ(1+δ)] [default: 0].
    #[arg(long)]
    pub mu_spread: Option<f64>,
    /// Write the best partition here (one line `node spin` per node; written atomically).
    #[arg(long, value_name = "PARTITION")]
    pub out: Option<PathBuf>,
    /// Refine this partition (as written by --out): the first round restarts warm from it
    /// instead of random phases.
    #[arg(long, value_name = "PARTITION")]
    pub start: Option<PathBuf>,
    /// Stop as soon as this objective is reached (a cut for maxcut, an energy for ising).
    #[arg(long, allow_hyphen_values = true)]
    pub target: Option<f64>,
    /// The solver: oim (the oscillator Ising machine), anneal (simulated annealing; --replicas
    /// reads and --steps sweeps per round) or sb (discrete simulated bifurcation; --replicas
    /// agents per round, ramps of 1000 steps doubling each round up to --steps, default
    /// 10000).
    #[arg(long, value_enum, default_value_t = Solver::Oim)]
    pub solver: Solver,
    /// Time-to-solution statistics: run R independent runs (seeds --seed, --seed + 1, …), each
    /// within --time/--rounds and stopping at --target (required), and print the success
    /// probability p, the mean time per run and TTS99 = t·ln 0.01/ln(1 − p) with a bootstrap
    /// interval. --out is not written.
    #[arg(long, value_name = "R")]
    pub runs: Option<usize>,
}

/// `attractor maxcut FILE`.
#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct MaxcutArgs {
    /// Graph file (G-set/rudy format by default).
    pub file: PathBuf,
    /// Input format: rudy (G-set: header `n m`, then `i j w` lines, 1-based) or edges (`i j [w]`
    /// lines, 0-based).
    #[arg(long, default_value = "rudy")]
    pub format: GraphFormat,
    #[command(flatten)]
    pub machine: MachineArgs,
}

/// `attractor ising FILE`.
#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct IsingArgs {
    /// Coefficient file: header `n m`, then `i j v` (1-based; `i = j` gives a linear term).
    /// Ising objective `Σ v_ii s_i + Σ_{i<j} v_ij s_i s_j` (s = ±1), or with --qubo
    /// `Σ_{i≤j} Q_ij x_i x_j` (x = 0/1).
    pub file: PathBuf,
    /// Read the file as a QUBO.
    #[arg(long)]
    pub qubo: bool,
    #[command(flatten)]
    pub machine: MachineArgs,
}

/// The most worker threads `--threads` accepts.
const MAX_THREADS: usize = 1024;

/// Check the options that need no model, before any file is read or any work is done: the
/// numbers are in range and the output can be written.
fn check_args(a: &MachineArgs) -> Result<()> {
    if let Some(r) = a.runs {
        if r == 0 || r > 100_000 {
            bail!("--runs {r}: give between 1 and 100000 runs");
        }
        if a.target.is_none() {
            bail!("--runs {r}: time-to-solution statistics need a --target to reach");
        }
        if a.out.is_some() {
            bail!("--runs writes no partition: drop --out, or run once to write one");
        }
    }
    if let Some(t) = a.time {
        if !(t.is_finite() && t > 0.0) {
            bail!("--time {}: give a positive number of seconds", fmt(t));
        }
        if Duration::try_from_secs_f64(t).is_err() || t > 1e9 {
            bail!("--time {}: at most 1e9 seconds (about 32 years)", fmt(t));
        }
    }
    if a.rounds == Some(0) {
        bail!("--rounds 0: give at least one round");
    }
    if a.threads > MAX_THREADS {
        bail!(
            "--threads {}: at most {MAX_THREADS} (0 uses every thread of the pool, {} here)",
            a.threads,
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
    }
    if a.replicas == Some(0) {
        bail!("--replicas 0: give at least one replica");
    }
    if a.steps == Some(0) {
        bail!("--steps 0: give at least one step per round");
    }
    if let Some(d) = a.mu_spread
        && !(d.is_finite() && (0.0..1.0).contains(&d))
    {
        bail!(
            "--mu-spread {}: the heterogeneity must lie in [0, 1)",
            fmt(d)
        );
    }
    if let Some(t) = a.target
        && !t.is_finite()
    {
        bail!("--target {}: give a finite objective", fmt(t));
    }
    if let Some(out) = &a.out {
        attractor::output::check_writable(out).context("--out")?;
    }
    Ok(())
}

/// `--out` may name neither the problem file nor the `--start` partition.
fn check_outputs(file: &std::path::Path, a: &MachineArgs) -> Result<()> {
    let Some(out) = &a.out else { return Ok(()) };
    let mut inputs = vec![("FILE", file)];
    if let Some(s) = &a.start {
        inputs.push(("--start", s.as_path()));
    }
    Ok(attractor::output::check_distinct(
        &inputs,
        &[("--out", out.as_path())],
    )?)
}

/// The library's defaults for the model, with the options given, and the run's budget
/// (`--time`, `--rounds`; the target is added by the caller, the interrupt by `run_machine`).
fn params(model: &IsingModel, a: &MachineArgs, bits: bool) -> Result<(OimParams, Budget)> {
    let time = match (a.time, a.rounds) {
        (Some(t), _) => Some(t),
        (None, Some(_)) => None,
        (None, None) => Some(DEFAULT_TIME_S),
    };
    let mut p = match time {
        Some(_) => OimParams::for_long_runs(model),
        None => OimParams::for_model(model),
    };
    let budget = Budget::new()
        .max_steps_limit(a.rounds)
        .time_opt(time.map(Duration::from_secs_f64));
    p.seed = a.seed;
    p.par = match a.threads {
        0 => attractor::linalg::ALL_THREADS,
        1 => attractor::Par::Seq,
        k => attractor::Par::rayon(k),
    };
    if let Some(r) = a.replicas {
        p.replicas = r;
    }
    if let Some(s) = a.steps {
        p.schedule.n_steps = s;
    }
    if let Some(d) = a.mu_spread {
        p.schedule.mu_spread = d;
    }
    if let Some(path) = &a.start {
        p.restart.initial_spins = Some(read_partition(path, model.n(), bits).context("--start")?);
    }
    Ok((p, budget))
}

/// Run the machine with a progress bar on stderr and a Ctrl-C handler that stops it.
fn run_machine(
    machine: &OscillatorIsingMachine,
    budget: &Budget,
    describe: impl Fn(f64) -> String,
) -> Result<OimResult> {
    let stop = Interrupt::new();
    {
        let stop = stop.clone();
        // SIGINT and SIGTERM (the "termination" feature) both stop the run and keep the best;
        // a second handler cannot be installed (one command per process); ignore that
        let _ = ctrlc::set_handler(move || stop.raise());
    }
    let budget = budget.clone().interrupt(stop);
    let (len, by_rounds) = match (budget.time_budget(), budget.max_steps()) {
        (Some(t), _) => (t.as_millis() as u64, false),
        (None, Some(r)) => (r as u64, true),
        (None, None) => (1, false),
    };
    let bar = ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let r = machine.solve(&budget, |info: &OimProgress| {
        let pos = if by_rounds {
            info.rounds as u64
        } else {
            info.elapsed.as_millis() as u64
        };
        bar.set_position(pos.min(len));
        if info.rounds > 0 {
            bar.set_message(format!(
                "round {}: best {}",
                info.rounds,
                describe(info.best_greedy)
            ));
        }
        ControlFlow::Continue(())
    })?;
    bar.finish_and_clear();
    Ok(r)
}

fn report_status(r: &OimResult) -> &'static str {
    match r.status {
        Status::Timeout => "time budget spent",
        Status::Interrupted => "interrupted (Ctrl-C or SIGTERM): best so far",
        Status::TargetReached => "target reached",
        _ => "all rounds done",
    }
}

fn certificate_text(machine: &OscillatorIsingMachine, r: &OimResult, s: &[i8]) -> Result<String> {
    let mu = r.mu_final_min;
    let c = machine.certify(s)?;
    Ok(match c.stable {
        Some(true) => format!("yes (L_s + 2μI ≻ 0 at μ = {mu:.4}, {:?})", c.method),
        Some(false) => format!("no (L_s + 2μI is not positive definite at μ = {mu:.4})"),
        None => "undecided (too large for the dense check)".into(),
    })
}

fn budget_text(b: &Budget) -> String {
    match (b.time_budget(), b.max_steps()) {
        (Some(t), Some(r)) => format!("{} s or {r} rounds", t.as_secs_f64()),
        (Some(t), None) => format!("{} s budget", t.as_secs_f64()),
        (None, Some(r)) => format!("{r} rounds"),
        (None, None) => "until the target".into(),
    }
}

/// How a command ended, for the exit code.
pub enum Exit {
    /// Ran to its end.
    Done,
    /// Stopped by SIGINT/SIGTERM after writing the best so far (exit code 130).
    Interrupted,
}

fn exit_of(r: &OimResult) -> Exit {
    exit_of_status(&r.status)
}

fn exit_of_status(status: &Status) -> Exit {
    if *status == Status::Interrupted {
        Exit::Interrupted
    } else {
        Exit::Done
    }
}

/// Name the option behind a parameter the library refused (`replicas` → `--replicas`).
fn option_names(e: attractor::Error) -> anyhow::Error {
    let option = match &e {
        attractor::Error::InvalidParameter { name, .. } => match name.as_str() {
            "replicas" => Some("--replicas"),
            "n_steps" => Some("--steps"),
            "mu_spread" => Some("--mu-spread"),
            "dt" => Some("--steps/--time (the defaults' step)"),
            n if n.starts_with("initial_spins") => Some("--start"),
            _ => None,
        },
        attractor::Error::OutOfMemory { what, .. } if what.contains("replicas") => {
            Some("--replicas")
        }
        _ => None,
    };
    match option {
        Some(o) => anyhow::Error::new(e).context(o),
        None => e.into(),
    }
}

/// A number for people: no 300-digit integers, no `-0`.
fn fmt(x: f64) -> String {
    attractor::format_number(x)
}

/// Refuse a result that overflowed before it is printed or written.
fn check_finite_result(what: &str, e: f64) -> Result<()> {
    if !e.is_finite() {
        bail!(
            "the best {what} is {} (the coefficients overflow f64 arithmetic); scale them down",
            fmt(e)
        );
    }
    Ok(())
}

/// `attractor maxcut`.
pub fn run_maxcut(args: &MaxcutArgs) -> Result<Exit> {
    check_args(&args.machine)?;
    check_outputs(&args.file, &args.machine)?;
    let name = args.file.display().to_string();
    let g = args.format.read(&args.file)?;
    let model = IsingModel::max_cut(&g)?;
    let w = g.total_weight();
    let (p, mut run_budget) = params(&model, &args.machine, false)?;
    if let Some(c) = args.machine.target {
        run_budget = run_budget.target_energy(g.energy_from_cut(c))?;
    }
    let solver = args.machine.solver;
    if let Some(runs) = args.machine.runs {
        solvers::check_options(solver, &args.machine)?;
        println!(
            "graph {name}: {} nodes, {} edges; {} runs of {}, {}, target cut {}",
            g.n,
            g.edges.len(),
            runs,
            solvers::describe(solver, &args.machine),
            budget_text(&run_budget),
            fmt(args.machine.target.unwrap_or(f64::NAN))
        );
        let s = solvers::time_to_solution(solver, &model, &p, &args.machine, &run_budget, runs)?;
        let cut = |e: f64| g.cut_from_energy(e);
        println!("{}", solvers::tts_line(&s, "cut", cut));
        return Ok(Exit::Done);
    }
    if solver != Solver::Oim {
        solvers::check_options(solver, &args.machine)?;
        println!(
            "graph {name}: {} nodes, {} edges, total weight {}; {}, {}, seed {}",
            g.n,
            g.edges.len(),
            fmt(w),
            solvers::describe(solver, &args.machine),
            budget_text(&run_budget),
            args.machine.seed
        );
        let a = solvers::run(solver, &model, &args.machine, run_budget)?;
        check_finite_result("energy", a.energy)?;
        println!(
            "best cut: {}  Ising energy {}",
            fmt(g.cut_from_energy(a.energy)),
            fmt(a.energy)
        );
        println!(
            "{}: {:.2} s, {} reads",
            solvers::status_text(&a.status),
            a.seconds,
            a.reads
        );
        if let Some(out) = &args.machine.out {
            let header = [format!(
                "{name}: cut {}, Ising energy {}",
                fmt(g.cut_from_energy(a.energy)),
                fmt(a.energy)
            )];
            write_partition(out, &a.spins, &header).context("--out")?;
            println!("wrote {}", out.display());
        }
        return Ok(exit_of_status(&a.status));
    }
    let (replicas, budget, seed) = (p.replicas, budget_text(&run_budget), p.seed);
    let machine = OscillatorIsingMachine::new(model, p).map_err(option_names)?;
    println!(
        "graph {name}: {} nodes, {} edges, total weight {}; oscillator Ising machine, {} replicas, {budget}, seed {seed}",
        g.n,
        g.edges.len(),
        fmt(w),
        replicas.div_ceil(attractor::models::LANES) * attractor::models::LANES,
    );
    let r = run_machine(&machine, &run_budget, |e| {
        format!("cut {}", fmt(g.cut_from_energy(e)))
    })?;
    check_finite_result("energy", r.best().energy)?;
    let line = |what: &str, f: &Found| -> Result<String> {
        Ok(format!(
            "best cut ({what}): {}  first found at {:.3} s  Ising energy {}  certified stable: {}",
            fmt(f.cut(&g)),
            f.found_at.as_secs_f64(),
            fmt(f.energy),
            certificate_text(&machine, &r, &f.spins)?
        ))
    };
    println!("{}", line("oscillators", &r.oscillator)?);
    if let Some(gr) = &r.greedy {
        println!("{}", line("after greedy descent", gr)?);
    }
    println!(
        "{}: {:.2} s, {} rounds, {} replica-steps ({:.0} per second)",
        report_status(&r),
        r.elapsed.as_secs_f64(),
        r.n_rounds,
        r.replica_steps,
        r.replica_steps_per_second()
    );
    if let Some(out) = &args.machine.out {
        let best = r.best();
        write_partition(
            out,
            &best.spins,
            &[format!(
                "{name}: cut {}, Ising energy {}",
                fmt(best.cut(&g)),
                fmt(best.energy)
            )],
        )
        .context("--out")?;
        println!("wrote {}", out.display());
    }
    Ok(exit_of(&r))
}

/// `attractor ising`.
pub fn run_ising(args: &IsingArgs) -> Result<Exit> {
    check_args(&args.machine)?;
    check_outputs(&args.file, &args.machine)?;
    let name = args.file.display().to_string();
    let text = read_text(&args.file)?;
    let model = if args.qubo {
        parse_qubo(&text, &name)?.to_ising()?
    } else {
        parse_ising(&text, &name)?
    };
    let (p, mut run_budget) = params(&model, &args.machine, args.qubo)?;
    if let Some(t) = args.machine.target {
        run_budget = run_budget.target_energy(t)?;
    }
    let what = if args.qubo {
        "QUBO objective"
    } else {
        "Ising energy"
    };
    let solver = args.machine.solver;
    if let Some(runs) = args.machine.runs {
        solvers::check_options(solver, &args.machine)?;
        println!(
            "{name}: {} variables; {runs} runs of {}, {}, target {what} {}",
            model.n(),
            solvers::describe(solver, &args.machine),
            budget_text(&run_budget),
            fmt(args.machine.target.unwrap_or(f64::NAN))
        );
        let s = solvers::time_to_solution(solver, &model, &p, &args.machine, &run_budget, runs)?;
        println!("{}", solvers::tts_line(&s, what, |e| e));
        return Ok(Exit::Done);
    }
    if solver != Solver::Oim {
        solvers::check_options(solver, &args.machine)?;
        println!(
            "{name}: {} variables, {} couplings; {}, {}, seed {}",
            model.n(),
            model.nnz() / 2,
            solvers::describe(solver, &args.machine),
            budget_text(&run_budget),
            args.machine.seed
        );
        let a = solvers::run(solver, &model, &args.machine, run_budget)?;
        check_finite_result(what, a.energy)?;
        println!("best {what}: {}", fmt(a.energy));
        println!(
            "{}: {:.2} s, {} reads",
            solvers::status_text(&a.status),
            a.seconds,
            a.reads
        );
        if let Some(out) = &args.machine.out {
            let header = [format!("{name}: {what} {}", fmt(a.energy))];
            if args.qubo {
                let x: Vec<i8> = bits_from_spins(&a.spins).iter().map(|&b| b as i8).collect();
                write_partition(out, &x, &header).context("--out")?;
            } else {
                write_partition(out, &a.spins, &header).context("--out")?;
            }
            println!("wrote {}", out.display());
        }
        return Ok(exit_of_status(&a.status));
    }
    let (budget, seed) = (budget_text(&run_budget), p.seed);
    let (n, couplings) = (model.n(), model.nnz() / 2);
    let machine = OscillatorIsingMachine::new(model, p).map_err(option_names)?;
    println!(
        "{name}: {n} variables, {couplings} couplings; oscillator Ising machine, {budget}, seed {seed}"
    );
    let r = run_machine(&machine, &run_budget, |e| format!("{what} {}", fmt(e)))?;
    check_finite_result(what, r.best().energy)?;
    println!(
        "best {what} (oscillators): {}  first found at {:.3} s  certified stable: {}",
        fmt(r.oscillator.energy),
        r.oscillator.found_at.as_secs_f64(),
        certificate_text(&machine, &r, &r.oscillator.spins)?
    );
    if let Some(gr) = &r.greedy {
        println!(
            "best {what} (after greedy descent): {}  first found at {:.3} s",
            fmt(gr.energy),
            gr.found_at.as_secs_f64()
        );
    }
    println!("{}: {:.2} s", report_status(&r), r.elapsed.as_secs_f64());
    if let Some(out) = &args.machine.out {
        let best = r.best();
        let header = [format!("{name}: {what} {}", fmt(best.energy))];
        if args.qubo {
            let x: Vec<i8> = bits_from_spins(&best.spins)
                .iter()
                .map(|&b| b as i8)
                .collect();
            write_partition(out, &x, &header).context("--out")?;
        } else {
            write_partition(out, &best.spins, &header).context("--out")?;
        }
        println!("wrote {}", out.display());
    }
    Ok(exit_of(&r))
}
