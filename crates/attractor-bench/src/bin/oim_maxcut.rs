//! Oscillator Ising machine on one Max-Cut file, for `bench/maxcut_gset.py`.
//!
//! `cargo run --release -p attractor-bench --bin oim_maxcut -- FILE [key=value ...]`
//! keys: time (s), replicas, steps, first (steps of the first round of a doubling restart schedule), dt, mu (mu_end in units of the mean row sum), mu0, spread,
//! noise, seed, threads, target (cut to stop at), rounds, readout, greedyall (0: descend at run ends only).
//! Without `mu` the default of `OimParams::for_model` applies.
//! Prints one line of `key=value` fields.

use attractor::models::{OimParams, OscillatorIsingMachine};
use attractor::problems::{IsingModel, read_rudy};
use attractor::run::{Budget, Silent};
use attractor::schedule::Schedule;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .first()
        .ok_or("usage: oim_maxcut FILE [key=value ...]")?;
    let g = read_rudy(std::path::Path::new(file))?;
    let model = IsingModel::max_cut(&g)?;
    let mean_row = model.values().iter().map(|v| v.abs()).sum::<f64>() / model.n() as f64;
    let mut p = OimParams::for_long_runs(&model);
    let mut budget = Budget::time_limit(Duration::from_secs(10));
    let m0 = p.schedule.mu.clone().unwrap_or(Schedule::Constant(0.0));
    let mut mu = (m0.at_fraction(0.0), m0.at_fraction(1.0));
    let mut target_cut: Option<f64> = None;
    for a in &args[1..] {
        let (k, v) = a.split_once('=').ok_or("arguments are key=value")?;
        let f: f64 = v.parse()?;
        match k {
            "time" => budget = budget.time(Duration::from_secs_f64(f)),
            "replicas" => p.replicas = f as usize,
            "steps" => p.schedule.n_steps = f as usize,
            "first" => p.schedule.n_steps_first = Some(f as usize),
            "dt" => p.dt = Some(f),
            "mu" => mu.1 = f * mean_row,
            "mu0" => mu.0 = f * mean_row,
            "spread" => p.schedule.mu_spread = f,
            "noise" => {
                p.noise = Schedule::Linear {
                    start: f,
                    end: p.noise.at_fraction(1.0),
                }
            }
            "seed" => p.seed = f as u64,
            "threads" => {
                p.par = if f as usize > 1 {
                    faer::Par::rayon(f as usize)
                } else {
                    faer::Par::Seq
                }
            }
            "readout" => p.readout.every = f as usize,
            "rounds" => budget = budget.max_steps_limit(Some(f as usize)),
            "target" => target_cut = Some(f),
            "kick" => p.restart.warm_kick = f,
            "skip" => p.restart.warm_skip = f,
            "cold" => p.restart.cold_every = f as usize,
            "greedyall" => p.readout.greedy_readouts = f != 0.0,
            _ => return Err(format!("unknown key {k}").into()),
        }
    }
    p.schedule.mu = Some(Schedule::Linear {
        start: mu.0,
        end: mu.1,
    });
    if let Some(c) = target_cut {
        budget = budget.target_energy(g.energy_from_cut(c))?;
    }
    let r = OscillatorIsingMachine::new(model, p)?.solve(&budget, Silent)?;
    let cut = |e: f64| g.cut_from_energy(e);
    let gr = r.greedy.clone().unwrap_or_else(|| r.oscillator.clone());
    // reaching the target: the earliest of the two tracks that reached it
    let t_target = target_cut.and_then(|t| {
        [&r.oscillator, &gr]
            .iter()
            .filter(|f| cut(f.energy) >= t - 1e-9)
            .map(|f| f.found_at.as_secs_f64())
            .reduce(f64::min)
    });
    println!(
        "file={} n={} osc_cut={} osc_t={:.3} greedy_cut={} greedy_t={:.3} target_t={} rounds={} replicas={} replica_steps={} elapsed={:.3} steps_per_s={:.0} status={:?}",
        file,
        g.n,
        cut(r.oscillator.energy),
        r.oscillator.found_at.as_secs_f64(),
        cut(gr.energy),
        gr.found_at.as_secs_f64(),
        t_target.map_or("-".to_string(), |t| format!("{t:.3}")),
        r.n_rounds,
        r.replicas,
        r.replica_steps,
        r.elapsed.as_secs_f64(),
        r.replica_steps_per_second(),
        r.status
    );
    Ok(())
}
