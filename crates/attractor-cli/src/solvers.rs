//! `--solver anneal|sb` for `attractor maxcut` and `attractor ising`: simulated annealing or
//! simulated bifurcation from the library's samplers, with the machine options translated
//! (`--replicas` → reads / agents, `--steps` → sweeps / steps) and the same budget, Ctrl-C and
//! output as the oscillator machine.

use crate::maxcut::MachineArgs;
use anyhow::{Result, bail};
use attractor::models::{OimParams, OscillatorIsingMachine};
use attractor::problems::IsingModel;
use attractor::run::{Budget, Interrupt, Silent, Status};
use attractor::samplers::tts::{RunOutcome, TimeToSolution};
use attractor::samplers::{
    AnnealingParams, AnnealingSampler, BifurcationParams, BifurcationSampler, IsingSampler,
};
use clap::ValueEnum;

/// The solver of `maxcut` / `ising`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Solver {
    /// The oscillator Ising machine.
    #[default]
    Oim,
    /// Simulated annealing (Metropolis sweeps, geometric β).
    Anneal,
    /// Simulated bifurcation (discrete).
    Sb,
}

/// What a sampler found.
pub struct Answer {
    /// The best state.
    pub spins: Vec<i8>,
    /// Its Ising energy.
    pub energy: f64,
    /// Why the run stopped.
    pub status: Status,
    /// Reads (annealing runs or SB agents) taken.
    pub reads: usize,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// A line naming the solver and its settings, for the header.
pub fn describe(solver: Solver, a: &MachineArgs) -> String {
    match solver {
        Solver::Oim => "oscillator Ising machine".into(),
        Solver::Anneal => format!(
            "simulated annealing, {} reads x {} sweeps per round",
            a.replicas.unwrap_or(AnnealingParams::default().num_reads),
            a.steps.unwrap_or(AnnealingParams::default().num_sweeps)
        ),
        Solver::Sb => {
            let d = BifurcationParams::default();
            let steps = a.steps.unwrap_or(d.steps);
            let first = d.steps_first.unwrap_or(steps).min(steps);
            format!(
                "simulated bifurcation (discrete), {} agents per round, ramps of {}",
                a.replicas.unwrap_or(d.agents),
                if first < steps {
                    format!("{first} steps doubling each round up to {steps}")
                } else {
                    format!("{steps} steps")
                }
            )
        }
    }
}

/// Refuse the oscillator machine's own options with another solver.
pub fn check_options(solver: Solver, a: &MachineArgs) -> Result<()> {
    if solver != Solver::Oim {
        if a.mu_spread.is_some() {
            bail!("--mu-spread is an option of --solver oim (the oscillator machine)");
        }
        if a.start.is_some() {
            bail!("--start is an option of --solver oim (the oscillator machine)");
        }
    }
    Ok(())
}

/// Run `solver` (annealing or bifurcation) on `model` within `budget`, Ctrl-C and SIGTERM
/// raising its interrupt.
pub fn run(solver: Solver, model: &IsingModel, a: &MachineArgs, budget: Budget) -> Result<Answer> {
    let stop = Interrupt::new();
    {
        let stop = stop.clone();
        // SIGINT and SIGTERM stop the run and keep the best reads
        let _ = ctrlc::set_handler(move || stop.raise());
    }
    sample(solver, model, a, budget.interrupt(stop))
}

/// One run of annealing or bifurcation within `budget` (its interrupt already attached).
fn sample(solver: Solver, model: &IsingModel, a: &MachineArgs, budget: Budget) -> Result<Answer> {
    let par = match a.threads {
        0 => attractor::linalg::ALL_THREADS,
        1 => attractor::Par::Seq,
        k => attractor::Par::rayon(k),
    };
    let set = match solver {
        Solver::Oim => bail!("the oscillator machine runs in maxcut.rs"),
        Solver::Anneal => {
            let d = AnnealingParams::default();
            AnnealingSampler {
                params: AnnealingParams {
                    num_reads: a.replicas.unwrap_or(d.num_reads),
                    num_sweeps: a.steps.unwrap_or(d.num_sweeps),
                    seed: a.seed,
                    par,
                    ..d
                },
                budget,
            }
            .sample_ising(model)
        }
        Solver::Sb => {
            let d = BifurcationParams::default();
            BifurcationSampler {
                params: BifurcationParams {
                    agents: a.replicas.unwrap_or(d.agents),
                    steps: a.steps.unwrap_or(d.steps),
                    seed: a.seed,
                    par,
                    ..d
                },
                budget,
            }
            .sample_ising(model)
        }
    }
    .map_err(|e| match &e {
        attractor::Error::InvalidParameter { name, .. } => {
            let option = match name.as_str() {
                "num_reads" | "agents" => "--replicas",
                "num_sweeps" | "steps" => "--steps",
                _ => "",
            };
            if option.is_empty() {
                anyhow::Error::new(e)
            } else {
                anyhow::Error::new(e).context(option)
            }
        }
        _ => anyhow::Error::new(e),
    })?;
    let Some(best) = set.first() else {
        bail!("the sampler returned no read");
    };
    Ok(Answer {
        spins: best.spins.clone(),
        energy: best.energy,
        status: set.info.status.clone().unwrap_or(Status::MaxSteps),
        reads: set.info.num_reads,
        seconds: set.info.elapsed.as_secs_f64(),
    })
}

/// The status as the CLI words it.
pub fn status_text(s: &Status) -> &'static str {
    match s {
        Status::Timeout => "time budget spent",
        Status::Interrupted => "interrupted (Ctrl-C or SIGTERM): best so far",
        Status::TargetReached => "target reached",
        _ => "all rounds done",
    }
}

/// `R` independent runs of `solver` (seeds `a.seed + r`) within `budget` (its target required),
/// and their time-to-solution statistics (TTS99 with a 95% bootstrap interval of 1000
/// resamples). Ctrl-C stops the runs and reports those done.
pub fn time_to_solution(
    solver: Solver,
    model: &IsingModel,
    oim: &OimParams,
    a: &MachineArgs,
    budget: &Budget,
    runs: usize,
) -> Result<TimeToSolution> {
    let Some(target) = budget.target() else {
        bail!("--runs needs a --target");
    };
    let stop = Interrupt::new();
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.raise());
    }
    let budget = budget.clone().interrupt(stop.clone());
    let mut outcomes = Vec::with_capacity(runs);
    for r in 0..runs {
        if stop.is_raised() {
            break;
        }
        let seed = a.seed.wrapping_add(r as u64);
        let t0 = std::time::Instant::now();
        let energy = match solver {
            Solver::Oim => {
                let mut p = oim.clone();
                p.seed = seed;
                OscillatorIsingMachine::new(model.clone(), p)?
                    .solve(&budget, Silent)?
                    .best()
                    .energy
            }
            _ => {
                let mut one = a.clone();
                one.seed = seed;
                sample(solver, model, &one, budget.clone())?.energy
            }
        };
        outcomes.push(RunOutcome {
            energy,
            seconds: t0.elapsed().as_secs_f64(),
            reached: energy <= target + 1e-9 * (1.0 + target.abs()),
        });
    }
    if outcomes.is_empty() {
        bail!("interrupted before the first run finished");
    }
    Ok(attractor::samplers::tts::time_to_solution(
        &outcomes, 0.99, 1000, a.seed,
    )?)
}

/// The summary line of `--runs`: success rate, best and mean `what` (`show` maps an energy to
/// it: the cut for maxcut), mean time per run and TTS99 with its interval.
pub fn tts_line(s: &TimeToSolution, what: &str, show: impl Fn(f64) -> f64) -> String {
    format!(
        "reached the target in {}/{} runs (p = {:.3}); best {what} {}, mean {what} {:.2}; mean time per run {:.3} s; TTS99 = {} (95% bootstrap interval {} to {})",
        s.successes,
        s.runs,
        s.p,
        attractor::format_number(show(s.best_energy)),
        show(s.mean_energy),
        s.mean_seconds,
        seconds(s.tts),
        seconds(s.interval.0),
        seconds(s.interval.1)
    )
}

/// Seconds as people read them (`inf` when never).
fn seconds(s: f64) -> String {
    if s.is_finite() {
        format!("{s:.3} s")
    } else {
        "inf (never reached)".into()
    }
}
