//! `attractor maxcut` and `attractor ising`: read a problem, run the oscillator Ising machine
//! under a time budget (Ctrl-C keeps the best so far), print and write the best partition.

use anyhow::{Context, Result, bail};
use attractor::analysis::certify_stable;
use attractor::models::{OimParams, OimResult, OscillatorIsingMachine};
use attractor::problems::{
    IsingModel, WeightedGraph, bits_from_spins, parse_edge_list, parse_ising, parse_qubo,
    parse_rudy, read_partition, read_text, write_partition,
};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Graph file formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum GraphFormat {
    /// G-set / rudy: header `n m`, then `i j w` lines with 1-based ids.
    Rudy,
    /// Plain edge list: `i j [w]` lines, 0-based ids.
    Edges,
}

/// Options of the machine shared by `maxcut` and `ising`.
#[derive(Args, Debug, Clone)]
pub struct MachineArgs {
    /// Wall-clock budget in seconds (the best state found so far is reported when it ends).
    #[arg(long, default_value_t = 10.0)]
    pub time: f64,
    /// Independent oscillator replicas (rounded up to a multiple of 16).
    #[arg(long, default_value_t = 16)]
    pub replicas: usize,
    /// Seed for every random choice.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads across replica blocks.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Steps per annealing run (μ ramps up and the noise anneals once per run).
    #[arg(long, default_value_t = 20_000)]
    pub steps: usize,
    /// Heterogeneity δ of the second-harmonic strengths, μ_i ~ U[μ(1−δ), μ(1+δ)].
    #[arg(long, default_value_t = 0.0)]
    pub mu_spread: f64,
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
}

/// `attractor maxcut FILE`.
#[derive(Args, Debug)]
pub struct MaxcutArgs {
    /// Graph file (G-set/rudy format by default).
    pub file: PathBuf,
    /// Input format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Rudy)]
    pub format: GraphFormat,
    #[command(flatten)]
    pub machine: MachineArgs,
}

/// `attractor ising FILE`.
#[derive(Args, Debug)]
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

fn params(model: &IsingModel, a: &MachineArgs, bits: bool) -> Result<OimParams> {
    if !(a.time.is_finite() && a.time > 0.0) {
        bail!("--time {}: give a positive number of seconds", a.time);
    }
    let mut p = OimParams::for_model(model);
    p.time_budget = Some(Duration::from_secs_f64(a.time));
    p.max_rounds = None;
    p.replicas = a.replicas;
    p.seed = a.seed;
    p.threads = a.threads;
    p.n_steps = a.steps;
    p.mu_spread = a.mu_spread;
    if let Some(path) = &a.start {
        p.initial_spins = Some(read_partition(path, model.n(), bits)?);
    }
    Ok(p)
}

/// Run the machine with a progress bar on stderr and a Ctrl-C handler that stops it.
fn run_machine(
    model: &IsingModel,
    p: OimParams,
    describe: impl Fn(f64) -> String,
) -> Result<OimResult> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // a second handler cannot be installed (tests run one command per process); ignore
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let budget = p.time_budget.unwrap_or(Duration::from_secs(10)).as_millis() as u64;
    let bar = ProgressBar::with_draw_target(Some(budget), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let machine = OscillatorIsingMachine::new(model, p)?;
    let r = machine.solve(Some(stop), |info| {
        bar.set_position((info.elapsed.as_millis() as u64).min(budget));
        bar.set_message(format!(
            "round {}: best {}",
            info.rounds,
            describe(info.best_greedy)
        ));
    })?;
    bar.finish_and_clear();
    Ok(r)
}

fn report_status(r: &OimResult) -> &'static str {
    use attractor::run::Status;
    match r.status {
        Status::Timeout => "time budget spent",
        Status::Interrupted => "interrupted (Ctrl-C): best so far",
        Status::TargetReached => "target reached",
        _ => "all rounds done",
    }
}

fn certificate_text(model: &IsingModel, s: &[i8], mu: f64) -> Result<String> {
    let (m, s) = if model.has_fields() {
        let mut s2 = s.to_vec();
        s2.push(1);
        (model.with_ancilla()?, s2)
    } else {
        (model.clone(), s.to_vec())
    };
    let c = certify_stable(&m, &s, &[mu])?;
    Ok(match c.stable {
        Some(true) => format!("yes (L_s + 2μI ≻ 0 at μ = {mu:.4}, {:?})", c.method),
        Some(false) => format!("no (L_s + 2μI is not positive definite at μ = {mu:.4})"),
        None => "undecided (too large for the dense check)".into(),
    })
}

/// `attractor maxcut`.
pub fn run_maxcut(args: &MaxcutArgs) -> Result<()> {
    let name = args.file.display().to_string();
    let text = read_text(&args.file)?;
    let g: WeightedGraph = match args.format {
        GraphFormat::Rudy => parse_rudy(&text, &name)?,
        GraphFormat::Edges => parse_edge_list(&text, &name, false)?,
    };
    let model = IsingModel::max_cut(&g)?;
    let w = g.total_weight();
    let mut p = params(&model, &args.machine, false)?;
    p.target_energy = args.machine.target.map(|c| w - 2.0 * c);
    let mu = p.mu_end * (1.0 - p.mu_spread);
    println!(
        "graph {name}: {} nodes, {} edges, total weight {w}; oscillator Ising machine, {} replicas, {} s budget, seed {}",
        g.n,
        g.edges.len(),
        p.replicas.div_ceil(16) * 16,
        args.machine.time,
        p.seed
    );
    let r = run_machine(&model, p, |e| format!("cut {}", (w - e) / 2.0))?;
    let osc = &r.oscillator;
    let cut = g.cut(&osc.spins)?;
    println!(
        "best cut (oscillators): {cut}  first found at {:.3} s  Ising energy {}  certified stable: {}",
        osc.found_at.as_secs_f64(),
        osc.energy,
        certificate_text(&model, &osc.spins, mu)?
    );
    let mut best = osc.spins.clone();
    let mut best_cut = cut;
    if let Some(gr) = &r.greedy {
        let gc = g.cut(&gr.spins)?;
        println!(
            "best cut (after greedy descent): {gc}  first found at {:.3} s  Ising energy {}  certified stable: {}",
            gr.found_at.as_secs_f64(),
            gr.energy,
            certificate_text(&model, &gr.spins, mu)?
        );
        if gc > best_cut {
            best = gr.spins.clone();
            best_cut = gc;
        }
    }
    println!(
        "{}: {:.2} s, {} rounds, {} replica-steps ({:.0} per second)",
        report_status(&r),
        r.elapsed.as_secs_f64(),
        r.n_rounds,
        r.replica_steps,
        r.replica_steps as f64 / r.elapsed.as_secs_f64().max(1e-9)
    );
    if let Some(out) = &args.machine.out {
        write_partition(
            out,
            &best,
            &[format!(
                "{name}: cut {best_cut}, Ising energy {}",
                w - 2.0 * best_cut
            )],
        )
        .with_context(|| "writing the partition")?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// `attractor ising`.
pub fn run_ising(args: &IsingArgs) -> Result<()> {
    let name = args.file.display().to_string();
    let text = read_text(&args.file)?;
    let model = if args.qubo {
        parse_qubo(&text, &name)?.to_ising()?
    } else {
        parse_ising(&text, &name)?
    };
    let mut p = params(&model, &args.machine, args.qubo)?;
    p.target_energy = args.machine.target;
    let mu = p.mu_end * (1.0 - p.mu_spread);
    let what = if args.qubo {
        "QUBO objective"
    } else {
        "Ising energy"
    };
    println!(
        "{name}: {} variables, {} couplings; oscillator Ising machine, {} s budget, seed {}",
        model.n(),
        model.nnz() / 2,
        args.machine.time,
        p.seed
    );
    let r = run_machine(&model, p, |e| format!("{what} {e}"))?;
    let mut best = &r.oscillator;
    println!(
        "best {what} (oscillators): {}  first found at {:.3} s  certified stable: {}",
        r.oscillator.energy,
        r.oscillator.found_at.as_secs_f64(),
        certificate_text(&model, &r.oscillator.spins, mu)?
    );
    if let Some(gr) = &r.greedy {
        println!(
            "best {what} (after greedy descent): {}  first found at {:.3} s",
            gr.energy,
            gr.found_at.as_secs_f64()
        );
        if gr.energy < best.energy {
            best = gr;
        }
    }
    println!("{}: {:.2} s", report_status(&r), r.elapsed.as_secs_f64());
    if let Some(out) = &args.machine.out {
        let header = [format!("{name}: {what} {}", best.energy)];
        if args.qubo {
            let x: Vec<i8> = bits_from_spins(&best.spins)
                .iter()
                .map(|&b| b as i8)
                .collect();
            write_partition(out, &x, &header)?;
        } else {
            write_partition(out, &best.spins, &header)?;
        }
        println!("wrote {}", out.display());
    }
    Ok(())
}
