//! Steps per second of the continuous Hopfield flow `ẋ = −x + W tanh(x)` (`D = I`, `τ = 1`,
//! `Bu = 0`) for each stepper, next to the cost of one dense matrix–vector product `W x` of
//! the same size (the floor: every vector-field evaluation is one mat-vec).
//!
//! ```text
//! cargo run --release -p attractor-bench --bin hopfield_flow -- [--sizes 100,1000,4000]
//!     [--seed 42] [--gain 1.5] [--dt 0.01] [--target-secs 0.4] [--reps 3] [--t-end 5]
//!     [--check-steps 20] [--dump DIR]
//! ```
//!
//! A human-readable table goes to stderr; stdout carries one JSON object per line for
//! `bench/hopfield_flow.py`. With `--dump DIR` the couplings `W`, the initial state `x0`, the
//! Dopri5 state at `t_end` and the RK4 state after `--check-steps` steps are written to `DIR`
//! as `.npy` files so that NumPy/SciPy integrate exactly the same system.

use attractor::flow::VectorField;
use attractor::linalg::matvec_into;
use attractor::models::{Activation, HopfieldFlow, HopfieldNetwork, random_symmetric_weights};
use attractor::problems::npy::write_npy;
use attractor::run::{Run, Solution, Status};
use attractor::step::{Dopri5, Euler, Heun, Rk4, Stepper};
use faer::Mat;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::error::Error;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

type BoxResult<T> = std::result::Result<T, Box<dyn Error>>;

const RTOL: f64 = 1e-6;
const ATOL: f64 = 1e-9;
const MIN_EVALS: f64 = 100.0;

struct Args {
    sizes: Vec<usize>,
    seed: u64,
    gain: f64,
    dt: f64,
    target_secs: f64,
    reps: usize,
    t_end: f64,
    check_steps: usize,
    dump: Option<PathBuf>,
}

const USAGE: &str = "usage: bench_hopfield_flow [--sizes 100,1000,4000] [--seed 42] [--gain 1.5] \
[--dt 0.01] [--target-secs 0.4] [--reps 3] [--t-end 5] [--check-steps 20] [--dump DIR]";

fn parse_args() -> BoxResult<Args> {
    let mut a = Args {
        sizes: vec![100, 1000, 4000],
        seed: 42,
        gain: 1.5,
        dt: 0.01,
        target_secs: 0.4,
        reps: 3,
        t_end: 5.0,
        check_steps: 20,
        dump: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            eprintln!("{USAGE}");
            std::process::exit(0);
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--sizes" => {
                a.sizes = value
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("--sizes {value}: {e} (give e.g. 100,1000)"))?;
            }
            "--seed" => a.seed = value.parse()?,
            "--gain" => a.gain = value.parse()?,
            "--dt" => a.dt = value.parse()?,
            "--target-secs" => a.target_secs = value.parse()?,
            "--reps" => a.reps = value.parse::<usize>()?.max(1),
            "--t-end" => a.t_end = value.parse()?,
            "--check-steps" => a.check_steps = value.parse()?,
            "--dump" => a.dump = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown flag {flag}\n{USAGE}").into()),
        }
    }
    if a.sizes.is_empty() || a.sizes.contains(&0) {
        return Err("--sizes needs at least one size, each >= 1".into());
    }
    Ok(a)
}

fn write_matrix_npy(path: &Path, w: &Mat<f64>) -> BoxResult<()> {
    let (r, c) = (w.nrows(), w.ncols());
    let data: Vec<f64> = (0..r)
        .flat_map(|i| (0..c).map(move |j| w[(i, j)]))
        .collect();
    Ok(write_npy(path, &[r, c], &data)?)
}

/// Best time per call of `f` in seconds: calls are batched so that one batch takes at least
/// ~5 ms, and batches are repeated for about `total_secs` (at least 5 batches).
fn best_per_call(total_secs: f64, mut f: impl FnMut()) -> f64 {
    let mut batch = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        let s = t.elapsed().as_secs_f64();
        if s >= 5e-3 || batch >= 1 << 30 {
            break;
        }
        batch *= 2;
    }
    let mut best = f64::INFINITY;
    let start = Instant::now();
    let mut rounds = 0;
    while rounds < 5 || start.elapsed().as_secs_f64() < total_secs {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        best = best.min(t.elapsed().as_secs_f64() / batch as f64);
        rounds += 1;
    }
    best
}

fn status_name(s: &Status) -> String {
    match s {
        Status::Diverged(why) => format!("Diverged({why})"),
        other => format!("{other:?}"),
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One timed run of `steps` steps (energy evaluation off).
fn timed_run<S>(
    net: &HopfieldNetwork,
    stepper: &mut S,
    run: &Run,
    x0: &[f64],
) -> BoxResult<(f64, Solution)>
where
    S: for<'a> Stepper<HopfieldFlow<'a>>,
{
    let mut flow = net.flow();
    let t = Instant::now();
    let sol = run.solve(&mut flow, stepper, x0)?;
    let secs = t.elapsed().as_secs_f64();
    if let Status::Diverged(why) = &sol.status {
        return Err(format!("the benchmark run diverged: {why}").into());
    }
    Ok((secs, sol))
}

struct Measurement {
    steps: usize,
    evals: usize,
    rejected: usize,
    secs: f64,
}

/// Calibrate a step count so that one run takes about `target` seconds and at least
/// `MIN_EVALS` evaluations (the run loop's one-off evaluations, Dopri5's initial one and the
/// final energy, then cost at most 2%), then keep the best of `reps` runs.
fn measure<S>(
    net: &HopfieldNetwork,
    make: impl Fn() -> BoxResult<S>,
    dt: f64,
    x0: &[f64],
    target: f64,
    reps: usize,
) -> BoxResult<Measurement>
where
    S: for<'a> Stepper<HopfieldFlow<'a>>,
{
    let energy_off =
        |steps: usize| -> BoxResult<Run> { Ok(Run::new(dt)?.max_steps(steps).energy_every(0)) };
    let mut steps = 1usize;
    let (per_step, evals_per_step) = loop {
        let (secs, sol) = timed_run(net, &mut make()?, &energy_off(steps)?, x0)?;
        if secs >= 0.1 * target || steps >= 1 << 28 {
            let taken = sol.n_steps.max(1) as f64;
            break (secs / taken, sol.n_evals as f64 / taken);
        }
        steps *= 4;
    };
    let steps = ((target / per_step).ceil() as usize)
        .max((MIN_EVALS / evals_per_step.max(1.0)).ceil() as usize)
        .max(1);
    let run = energy_off(steps)?;
    let mut best: Option<Measurement> = None;
    for _ in 0..reps {
        let (secs, sol) = timed_run(net, &mut make()?, &run, x0)?;
        if best.as_ref().is_none_or(|b| secs < b.secs) {
            best = Some(Measurement {
                steps: sol.n_steps,
                evals: sol.n_evals,
                rejected: sol.n_rejected,
                secs,
            });
        }
    }
    Ok(best.expect("reps >= 1"))
}

fn main() -> BoxResult<()> {
    let args = parse_args()?;
    if let Some(dir) = &args.dump {
        std::fs::create_dir_all(dir)?;
    }
    println!(
        "{{\"kind\":\"meta\",\"seed\":{},\"gain\":{},\"dt\":{},\"t_end\":{},\"rtol\":{RTOL},\"atol\":{ATOL},\"check_steps\":{},\"dump\":{}}}",
        args.seed,
        args.gain,
        args.dt,
        args.t_end,
        args.check_steps,
        args.dump
            .as_ref()
            .map_or("null".to_string(), |d| json_str(&d.display().to_string()))
    );
    eprintln!(
        "{:>5}  {:<8} {:>9} {:>12} {:>12} {:>10} {:>10}",
        "n", "stepper", "steps", "steps/s", "evals/s", "us/eval", "eval/mv"
    );

    for &n in &args.sizes {
        let w = random_symmetric_weights(n, args.gain, args.seed)?;
        let mut rng = ChaCha8Rng::seed_from_u64(args.seed.wrapping_add(1));
        let x0: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        if let Some(dir) = &args.dump {
            write_matrix_npy(&dir.join(format!("W_n{n}.npy")), &w)?;
            write_npy(dir.join(format!("x0_n{n}.npy")), &[n], &x0)?;
        }

        // The floor: one dense mat-vec of the same size, on a typical argument Φ(x0). Its
        // speed depends on where the output lies relative to W modulo 4 KiB (4K aliasing
        // between the stores to y and the loads of W), so it is timed with the output at eight
        // placements 512 bytes apart: the best is the floor, the worst is reported alongside.
        let phi0: Vec<f64> = x0.iter().map(|v| v.tanh()).collect();
        let mut ybuf = vec![0.0; n + 8 * 64];
        let (mut matvec, mut matvec_worst) = (f64::INFINITY, 0.0f64);
        for k in 0..8 {
            let y = &mut ybuf[64 * k..64 * k + n];
            let t = best_per_call(0.05, || {
                matvec_into(black_box(w.as_ref()), black_box(&phi0), black_box(&mut *y));
            });
            matvec = matvec.min(t);
            matvec_worst = matvec_worst.max(t);
        }
        let net = HopfieldNetwork::new(w, Activation::Tanh)?;

        // Where an evaluation's time goes: the whole `eval_into`, and its tanh pass alone.
        let mut flow = net.flow();
        let mut dx = vec![0.0; n];
        let eval = best_per_call(0.3, || {
            flow.eval_into(0.0, black_box(&x0), black_box(&mut dx));
        });
        let mut phi = vec![0.0; n];
        let tanh = best_per_call(0.2, || {
            Activation::Tanh.phi_into(black_box(&x0), &mut phi);
            black_box(&mut phi);
        });
        println!(
            "{{\"kind\":\"micro\",\"n\":{n},\"matvec_us\":{},\"matvec_worst_us\":{},\"eval_us\":{},\"tanh_us\":{}}}",
            matvec * 1e6,
            matvec_worst * 1e6,
            eval * 1e6,
            tanh * 1e6
        );
        eprintln!(
            "{n:>5}  matvec {:.3} us (worst placement {:.3} us), eval_into {:.3} us ({:.2}x matvec), tanh pass {:.3} us",
            matvec * 1e6,
            matvec_worst * 1e6,
            eval * 1e6,
            eval / matvec,
            tanh * 1e6
        );

        let (target, reps) = (args.target_secs, args.reps);
        let results = [
            (
                "euler",
                measure(&net, || Ok(Euler::new()), args.dt, &x0, target, reps)?,
            ),
            (
                "heun",
                measure(&net, || Ok(Heun::new()), args.dt, &x0, target, reps)?,
            ),
            (
                "rk4",
                measure(&net, || Ok(Rk4::new()), args.dt, &x0, target, reps)?,
            ),
            (
                "dopri5",
                measure(
                    &net,
                    || Ok(Dopri5::new(RTOL, ATOL)?),
                    args.dt,
                    &x0,
                    target,
                    reps,
                )?,
            ),
        ];
        for (name, m) in &results {
            let steps_per_s = m.steps as f64 / m.secs;
            let evals_per_s = m.evals as f64 / m.secs;
            let per_eval = m.secs / m.evals.max(1) as f64;
            println!(
                "{{\"kind\":\"stepper\",\"n\":{n},\"stepper\":\"{name}\",\"dt\":{},\"steps\":{},\"evals\":{},\"rejected\":{},\"secs\":{},\"steps_per_s\":{steps_per_s},\"evals_per_s\":{evals_per_s},\"us_per_eval\":{},\"matvec_us\":{},\"ratio\":{}}}",
                args.dt,
                m.steps,
                m.evals,
                m.rejected,
                m.secs,
                per_eval * 1e6,
                matvec * 1e6,
                per_eval / matvec
            );
            eprintln!(
                "{n:>5}  {name:<8} {:>9} {steps_per_s:>12.1} {evals_per_s:>12.1} {:>10.3} {:>10.2}",
                m.steps,
                per_eval * 1e6,
                per_eval / matvec
            );
        }

        // Dopri5 over a fixed span [0, t_end], for the wall-time comparison with SciPy's RK45.
        let span = Run::new(args.dt)?
            .t_end(args.t_end)?
            .max_steps(usize::MAX)
            .energy_every(0);
        // Best of at least `reps` runs, repeated for `target` seconds when runs are short, and
        // cut short after 5 s when they are long.
        let mut best: Option<(f64, Solution)> = None;
        let start = Instant::now();
        let mut r = 0;
        loop {
            let elapsed = start.elapsed().as_secs_f64();
            if r > 0 && (elapsed > 5.0 || (r >= reps && elapsed >= target)) {
                break;
            }
            let (secs, sol) = timed_run(&net, &mut Dopri5::new(RTOL, ATOL)?, &span, &x0)?;
            if best.as_ref().is_none_or(|(b, _)| secs < *b) {
                best = Some((secs, sol));
            }
            r += 1;
        }
        let (secs, sol) = best.expect("reps >= 1");
        println!(
            "{{\"kind\":\"span\",\"n\":{n},\"stepper\":\"dopri5\",\"t_end\":{},\"secs\":{secs},\"steps\":{},\"evals\":{},\"rejected\":{},\"status\":{}}}",
            sol.t,
            sol.n_steps,
            sol.n_evals,
            sol.n_rejected,
            json_str(&status_name(&sol.status))
        );
        eprintln!(
            "{n:>5}  dopri5 over [0, {}]: {:.4} s, {} steps, {} evals, {} rejected ({})",
            args.t_end,
            secs,
            sol.n_steps,
            sol.n_evals,
            sol.n_rejected,
            status_name(&sol.status)
        );

        if let Some(dir) = &args.dump {
            write_npy(dir.join(format!("dopri5_T_n{n}.npy")), &[n], &sol.state)?;
            let check = Run::new(args.dt)?
                .max_steps(args.check_steps)
                .energy_every(0);
            let (_, sol) = timed_run(&net, &mut Rk4::new(), &check, &x0)?;
            write_npy(dir.join(format!("rk4_check_n{n}.npy")), &[n], &sol.state)?;
        }
    }
    Ok(())
}
