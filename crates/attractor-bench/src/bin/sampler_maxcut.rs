//! A sampler of the library on one Max-Cut file, for `bench/anneal_neal.py` and
//! `bench/maxcut_gset.py`: simulated annealing (`solver=0`, `AnnealingSampler`) or simulated
//! bifurcation (`solver=1` discrete, `solver=2` ballistic, `BifurcationSampler`).
//!
//! `cargo run --release -p attractor-bench --bin sampler_maxcut -- FILE [key=value ...]`
//! keys: solver (0 anneal, 1 dSB, 2 bSB), reads (annealing reads or SB agents per round,
//! default 4 / 64), sweeps (annealing sweeps or SB steps, default 1000), beta0, beta1 (the
//! geometric β range of annealing; default `default_beta_range`), dt, c0, heating, warm, skip, cold and first (SB: the doubling ramp's first round), seed, rounds
//! (default 1), time (s: rounds until it is spent), target (cut to stop at), threads, oneshot
//! (1: one sampler call over the whole budget, so that warm restarts and doubling ramps carry
//! across rounds; `t_best` is then the call's end).
//! Prints one line of `key=value` fields: the best cut, the time it was first reached (rounds
//! are timed from the start), the reads taken, the elapsed time and spin updates per second.

use attractor::problems::{IsingModel, read_rudy};
use attractor::run::Budget;
use attractor::samplers::{
    AnnealingParams, AnnealingSampler, Bifurcation, BifurcationParams, BifurcationSampler,
    IsingSampler, SampleSet, default_beta_range,
};
use attractor::schedule::Schedule;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .first()
        .ok_or("usage: sampler_maxcut FILE [key=value ...]")?;
    let g = read_rudy(std::path::Path::new(file))?;
    let model = IsingModel::max_cut(&g)?;
    let (mut b0, mut b1) = default_beta_range(&model);
    let mut p = AnnealingParams {
        num_reads: 4,
        ..AnnealingParams::default()
    };
    let mut sb = BifurcationParams::default();
    let mut solver = 0usize;
    let mut reads_given = false;
    let (mut rounds, mut time, mut target) = (Some(1usize), None::<f64>, None::<f64>);
    let mut oneshot = false;
    for a in &args[1..] {
        let (k, v) = a.split_once('=').ok_or("arguments are key=value")?;
        let f: f64 = v.parse()?;
        match k {
            "solver" => solver = f as usize,
            "reads" => {
                p.num_reads = f as usize;
                sb.agents = f as usize;
                reads_given = true;
            }
            "sweeps" => {
                p.num_sweeps = f as usize;
                sb.steps = f as usize;
            }
            "dt" => sb.dt = Some(f),
            "c0" => sb.c0 = Some(f),
            "heating" => sb.heating = f,
            "warm" => sb.warm = f,
            "first" => sb.steps_first = Some(f as usize),
            "oneshot" => oneshot = f != 0.0,
            "skip" => sb.warm_skip = f,
            "cold" => sb.cold_every = f as usize,
            "beta0" => b0 = f,
            "beta1" => b1 = f,
            "seed" => {
                p.seed = f as u64;
                sb.seed = f as u64;
            }
            "rounds" => rounds = Some(f as usize),
            "time" => {
                time = Some(f);
                rounds = None;
            }
            "target" => target = Some(f),
            "threads" => {
                p.par = if f as usize > 1 {
                    faer::Par::rayon(f as usize)
                } else {
                    faer::Par::Seq
                };
                sb.par = p.par;
            }
            _ => return Err(format!("unknown key {k}").into()),
        }
    }
    p.beta = Some(Schedule::Geometric { start: b0, end: b1 });
    sb.variant = if solver == 2 {
        Bifurcation::Ballistic
    } else {
        Bifurcation::Discrete
    };
    if !reads_given {
        sb.agents = 64;
    }
    let per_read = if solver == 0 { p.num_sweeps } else { sb.steps };
    // rounds one at a time, so that the time to the target is known to a round
    let start = Instant::now();
    let (mut best, mut t_best, mut t_target) = (f64::NEG_INFINITY, 0.0, None::<f64>);
    let (mut reads, mut round) = (0usize, 0usize);
    if oneshot {
        // one sampler call over the whole budget (warm restarts and doubling ramps carry
        // across its rounds); the time to the target is the call's elapsed time
        let mut budget = Budget::new()
            .max_steps_limit(rounds.filter(|_| time.is_none()))
            .time_opt(time.map(std::time::Duration::from_secs_f64));
        if let Some(t) = target {
            budget = budget.target_energy(g.energy_from_cut(t))?;
        }
        let set: SampleSet = if solver == 0 {
            AnnealingSampler {
                params: p.clone(),
                budget,
            }
            .sample_max_cut(&g)?
        } else {
            BifurcationSampler {
                params: sb.clone(),
                budget,
            }
            .sample_max_cut(&g)?
        };
        let now = start.elapsed().as_secs_f64();
        reads = set.info.num_reads;
        best = set.best_cut().unwrap_or(f64::NEG_INFINITY);
        t_best = now;
        if target.is_some_and(|t| best >= t - 1e-9) {
            t_target = Some(now);
        }
    }
    #[allow(clippy::while_immutable_condition)]
    while !oneshot {
        // (a `while` over a flag set once above: the loop ends by its breaks)
        let mut budget = Budget::steps(1);
        if let Some(t) = target {
            budget = budget.target_energy(g.energy_from_cut(t))?;
        }
        let round_seed = p.seed.wrapping_add(1_000_003 * round as u64);
        let set: SampleSet = if solver == 0 {
            let mut q = p.clone();
            q.seed = round_seed;
            let mut s = AnnealingSampler::new(q);
            s.budget = budget;
            s.sample_max_cut(&g)?
        } else {
            let mut q = sb.clone();
            q.seed = round_seed;
            let mut s = BifurcationSampler::new(q);
            s.budget = budget;
            s.sample_max_cut(&g)?
        };
        reads += set.info.num_reads;
        round += 1;
        let cut = set.best_cut().unwrap_or(f64::NEG_INFINITY);
        let now = start.elapsed().as_secs_f64();
        if cut > best {
            (best, t_best) = (cut, now);
        }
        if target.is_some_and(|t| best >= t - 1e-9) {
            t_target.get_or_insert(now);
            break;
        }
        if rounds.is_some_and(|r| round >= r) || time.is_some_and(|t| now >= t) {
            break;
        }
    }
    let elapsed = start.elapsed();
    let updates = reads as f64 * per_read as f64 * g.n as f64;
    println!(
        "solver={} file={} n={} cut={} t_best={:.4} target_t={} reads={} sweeps={} beta0={:.6e} beta1={:.6e} elapsed={:.4} updates_per_s={:.0} sweep_us={:.3}",
        ["anneal", "dsb", "bsb"][solver.min(2)],
        file,
        g.n,
        best,
        t_best,
        t_target.map_or("-".to_string(), |t| format!("{t:.4}")),
        reads,
        per_read,
        b0,
        b1,
        elapsed.as_secs_f64(),
        updates / elapsed.as_secs_f64().max(1e-12),
        1e6 * elapsed.as_secs_f64() / (reads as f64 * per_read as f64).max(1.0),
    );
    Ok(())
}
