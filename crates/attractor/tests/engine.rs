//! The shared engine: batched runs equal single runs, columns stop on their own, results do
//! not depend on the thread count, observers and the interrupt flag stop every family's run
//! (keeping the best state), caller stop predicates and recorded quantities, parameter
//! gradients against finite differences, and every status says what to change.

mod common;

use attractor::energy::{Energy, FnEnergy, ParamGradient};
use attractor::flow::GradientFlow;
use attractor::models::{
    Activation, HopfieldMemory, HopfieldNetwork, Memory, ModernHopfield, Update,
    random_symmetric_weights,
};
use attractor::problems::{Patterns, flip_fraction};
use attractor::run::{BatchObservation, Interrupt, Observation, Run, Status, every};
use attractor::step::{Euler, Rk4};
use faer::{Mat, Par};
use std::ops::ControlFlow;

fn initial_states(n: usize, b: usize, seed: u64) -> Mat<f64> {
    let mut rng = common::rng(seed);
    let cols: Vec<Vec<f64>> = (0..b)
        .map(|_| common::uniform_vec(&mut rng, n, -1.0, 1.0))
        .collect();
    Mat::from_fn(n, b, |i, j| cols[j][i])
}

fn assert_batch_equals_singles(
    net: &HopfieldNetwork,
    run: &Run,
    x0: &Mat<f64>,
    euler: bool,
) -> Vec<Status> {
    let b = x0.ncols();
    let batch = if euler {
        run.solve_batch(&mut net.batch_flow(b), &mut Euler::new(), x0.as_ref())
    } else {
        run.solve_batch(&mut net.batch_flow(b), &mut Rk4::new(), x0.as_ref())
    }
    .unwrap();
    for j in 0..b {
        let single = if euler {
            run.solve(&mut net.flow(), &mut Euler::new(), x0.col_as_slice(j))
        } else {
            run.solve(&mut net.flow(), &mut Rk4::new(), x0.col_as_slice(j))
        }
        .unwrap();
        let c = &batch.columns[j];
        assert_eq!(c.status, single.status, "column {j}");
        assert_eq!(c.n_steps, single.n_steps, "column {j}");
        assert!(
            (c.t - single.t).abs() <= 1e-12 * (1.0 + single.t),
            "column {j}"
        );
        let err = batch
            .state(j)
            .iter()
            .zip(&single.state)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        assert!(err <= 1e-12, "column {j}: max |batch - single| = {err:e}");
        let (eb, es) = (c.energy.unwrap(), single.energy.unwrap());
        assert!(
            (eb - es).abs() <= 1e-12 * (1.0 + es.abs()),
            "column {j}: {eb} vs {es}"
        );
    }
    batch.columns.iter().map(|c| c.status.clone()).collect()
}

#[test]
fn batched_hopfield_runs_equal_single_runs() {
    let n = 200;
    let net = HopfieldNetwork::new(
        random_symmetric_weights(n, 1.5, 4).unwrap(),
        Activation::Tanh,
    )
    .unwrap();
    let run = Run::new(0.1)
        .unwrap()
        .max_steps(5000)
        .steady_state(1e-9, 1e-11)
        .unwrap();
    let x0 = initial_states(n, 48, 5);
    assert_batch_equals_singles(&net, &run, &x0, false);
}

#[test]
fn batched_runs_with_asymmetric_weights_and_max_steps_equal_single_runs() {
    let n = 60;
    let mut rng = common::rng(9);
    let w = common::random_matrix(&mut rng, n, 0.9);
    let net = HopfieldNetwork::new(w, Activation::Logistic)
        .unwrap()
        .with_input(vec![0.1; n])
        .unwrap();
    // a step limit that some columns reach before converging (they need 307–326 steps)
    let run = Run::new(0.05)
        .unwrap()
        .max_steps(317)
        .steady_state(1e-6, 1e-8)
        .unwrap();
    let x0 = initial_states(n, 20, 10);
    let statuses = assert_batch_equals_singles(&net, &run, &x0, true);
    assert!(statuses.contains(&Status::MaxSteps), "{statuses:?}");
    assert!(statuses.contains(&Status::Converged), "{statuses:?}");
}

#[test]
fn batch_columns_stop_on_their_own() {
    let n = 50;
    let net = HopfieldNetwork::new(
        random_symmetric_weights(n, 1.5, 2).unwrap(),
        Activation::Tanh,
    )
    .unwrap();
    let mut x0 = initial_states(n, 6, 3);
    // column 2 starts at the equilibrium x = 0: it converges at the first step
    for i in 0..n {
        x0[(i, 2)] = 0.0;
    }
    let run = Run::new(0.1)
        .unwrap()
        .max_steps(20_000)
        .steady_state(1e-9, 1e-11)
        .unwrap();
    let sol = run
        .solve_batch(&mut net.batch_flow(6), &mut Rk4::new(), x0.as_ref())
        .unwrap();
    assert_eq!(sol.columns[2].status, Status::Converged);
    assert_eq!(sol.columns[2].n_steps, 1);
    assert!(sol.state(2).iter().all(|&v| v == 0.0));
    let longest = sol.columns.iter().map(|c| c.n_steps).max().unwrap();
    assert!(longest > 10, "{longest}");
    assert_eq!(sol.n_steps, longest);
    assert!(sol.summary().contains("6 converged"), "{}", sol.summary());
}

#[test]
fn batched_results_do_not_depend_on_the_thread_count() {
    // 200 × 200 × 96 = 3.8e6 multiply-adds per product: above the threshold at which the
    // batch flow splits its products across threads
    let n = 200;
    let w = random_symmetric_weights(n, 1.5, 6).unwrap();
    let x0 = initial_states(n, 128, 7);
    let run = Run::new(0.1)
        .unwrap()
        .max_steps(400)
        .steady_state(1e-9, 1e-11)
        .unwrap();
    let solve = |par: Par| {
        let net = HopfieldNetwork::new(w.clone(), Activation::Tanh)
            .unwrap()
            .with_par(par);
        run.solve_batch(&mut net.batch_flow(128), &mut Rk4::new(), x0.as_ref())
            .unwrap()
    };
    let (one, two) = (solve(Par::Seq), solve(Par::rayon(2)));
    assert_eq!(one.columns, two.columns);
    assert!(
        one.states == two.states,
        "states differ between 1 and 2 threads"
    );

    // batched queries of the modern memory
    let p = Patterns::random_gaussian(500, 32, 8).unwrap();
    let q = Patterns::random_gaussian(300, 32, 9).unwrap().columns();
    let mem = ModernHopfield::new(&p, 2.0).unwrap();
    let mut a = Mat::<f64>::zeros(32, 300);
    let mut b = Mat::<f64>::zeros(32, 300);
    mem.retrieve_batch_into(q.as_ref(), a.as_mut(), 3, 64, Par::Seq)
        .unwrap();
    mem.retrieve_batch_into(q.as_ref(), b.as_mut(), 3, 64, Par::rayon(2))
        .unwrap();
    assert!(
        a == b,
        "modern batched retrieval differs between 1 and 2 threads"
    );
}

fn hopfield() -> HopfieldNetwork {
    HopfieldNetwork::new(
        random_symmetric_weights(40, 1.5, 1).unwrap(),
        Activation::Tanh,
    )
    .unwrap()
}

#[test]
fn the_observer_stops_every_family() {
    // an ODE run: the observer is shown the initial state, then every 5th step
    let net = hopfield();
    let mut seen = Vec::new();
    let sol = Run::new(0.05)
        .unwrap()
        .max_steps(10_000)
        .solve_with_observer(
            &mut net.flow(),
            &mut Rk4::new(),
            &[0.3; 40],
            every(5, |o: &Observation<'_>| {
                seen.push(o.step);
                if o.step >= 20 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            }),
        )
        .unwrap();
    assert_eq!(sol.status, Status::Interrupted);
    assert_eq!(sol.n_steps, 20);
    assert_eq!(seen, vec![0, 5, 10, 15, 20]);

    // a discrete map (a memory's recall): stopped after the first sweep
    let p = Patterns::random_binary(30, 100, 2).unwrap();
    let mut mem = HopfieldMemory::hebbian(&p)
        .unwrap()
        .with_update(Update::Synchronous);
    let q = flip_fraction(p.pattern(0), 0.4, 3).unwrap();
    let sol = Run::new(1.0)
        .unwrap()
        .max_steps(100)
        .iterate_with_observer(mem.map(), &q, |o: &Observation<'_>| {
            if o.step == 1 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(sol.status, Status::Interrupted);
    assert_eq!(sol.n_steps, 1);
    assert_eq!(sol.trace.len(), 2);

    // a batch: every column still running is interrupted
    let x0 = initial_states(40, 4, 1);
    let sol = Run::new(0.05)
        .unwrap()
        .max_steps(10_000)
        .steady_state(1e-12, 1e-14)
        .unwrap()
        .solve_batch_with_observer(
            &mut net.batch_flow(4),
            &mut Rk4::new(),
            x0.as_ref(),
            |o: &BatchObservation<'_>| {
                if o.step == 7 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .unwrap();
    assert!(
        sol.columns
            .iter()
            .all(|c| c.status == Status::Interrupted && c.n_steps == 7)
    );
}

#[test]
fn the_interrupt_flag_stops_every_family_and_keeps_the_best() {
    // raised from the observer after 40 steps: the loop sees it at its next check
    let net = hopfield();
    let stop = Interrupt::new();
    let raise = stop.clone();
    let sol = Run::new(0.05)
        .unwrap()
        .max_steps(1_000_000)
        .keep_best(true)
        .interrupt(stop.clone())
        .solve_with_observer(
            &mut net.flow(),
            &mut Rk4::new(),
            &[0.3; 40],
            |o: &Observation<'_>| {
                if o.step == 40 {
                    raise.raise();
                }
                ControlFlow::Continue(())
            },
        )
        .unwrap();
    assert_eq!(sol.status, Status::Interrupted);
    assert!((40..=48).contains(&sol.n_steps), "{}", sol.n_steps);
    let best = sol.best.unwrap();
    assert!(sol.trace.iter().all(|p| best.energy <= p.energy));

    // a memory's recall and a batch with the flag already raised: nothing runs
    let p = Patterns::random_binary(5, 64, 2).unwrap();
    let mut mem = HopfieldMemory::hebbian(&p).unwrap();
    let q = flip_fraction(p.pattern(1), 0.2, 4).unwrap();
    let run = Run::new(1.0)
        .unwrap()
        .max_steps(100)
        .keep_best(true)
        .interrupt(stop.clone());
    let sol = run.iterate(mem.map(), &q).unwrap();
    assert_eq!(sol.status, Status::Interrupted);
    assert_eq!(sol.n_steps, 0);
    assert!(sol.best.is_some());
    let x0 = initial_states(40, 3, 2);
    let sol = Run::new(0.05)
        .unwrap()
        .max_steps(100)
        .interrupt(stop.flag())
        .solve_batch(&mut net.batch_flow(3), &mut Rk4::new(), x0.as_ref())
        .unwrap();
    assert!(
        sol.columns
            .iter()
            .all(|c| c.status == Status::Interrupted && c.n_steps == 0)
    );
    stop.clear();
    let sol = run.iterate(mem.map(), &q).unwrap();
    assert_eq!(sol.status, Status::FixedPoint);
}

#[test]
fn a_stop_predicate_certifies_and_recorded_quantities_follow_the_trace() {
    // E = ½‖x‖² descends to 0; stop once ‖x‖ < 1e-3
    let e = FnEnergy::new(
        2,
        |x: &[f64]| 0.5 * (x[0] * x[0] + x[1] * x[1]),
        |x: &[f64], g: &mut [f64]| g.copy_from_slice(x),
    );
    let norm = |x: &[f64]| (x[0] * x[0] + x[1] * x[1]).sqrt();
    let sol = Run::new(0.01)
        .unwrap()
        .max_steps(100_000)
        .record("norm", move |_, x| norm(x))
        .stop_when(1, move |_, x| norm(x) < 1e-3)
        .unwrap()
        .solve(&mut GradientFlow::new(e), &mut Rk4::new(), &[1.0, 1.0])
        .unwrap();
    assert_eq!(sol.status, Status::Certified);
    assert!(sol.status.is_success());
    let r = sol.quantity("norm").unwrap();
    assert_eq!(r.len(), sol.trace.len());
    assert!(*r.last().unwrap() < 1e-3 && r[r.len() - 2] >= 1e-3);
    for (p, v) in sol.trace.iter().zip(r) {
        // E = ½‖x‖² at every recorded point
        assert!((p.energy - 0.5 * v * v).abs() < 1e-12);
    }
    // ‖x(t)‖ = √2 e^{−t}: stops at t ≈ ln(√2 · 1000) = 7.25
    assert!(
        (sol.t - (2f64.sqrt() * 1e3).ln()).abs() < 0.011,
        "{}",
        sol.t
    );
    assert!(Run::new(0.1).unwrap().stop_when(0, |_, _| true).is_err());
}

#[test]
fn the_memory_parameter_gradient_matches_finite_differences() {
    let p = Patterns::random_binary(4, 12, 3).unwrap();
    let mut mem = HopfieldMemory::hebbian(&p).unwrap();
    let mut theta = mem.params();
    assert_eq!(theta.len(), 12 * 11 / 2 + 12);
    // move off the Hebbian point, thresholds included
    for (k, v) in theta.iter_mut().enumerate() {
        *v += 0.01 * ((k as f64) * 0.7).sin();
    }
    mem.set_params(&theta).unwrap();
    let x = flip_fraction(p.pattern(2), 0.3, 1).unwrap();
    let mut grad = vec![0.0; theta.len()];
    mem.param_gradient_into(&x, &mut grad);
    let fd = common::fd_gradient(
        |th| {
            let mut m = mem.clone();
            m.set_params(th).unwrap();
            Memory::energy(&mut m, &x)
        },
        &theta,
    );
    for (k, (a, b)) in grad.iter().zip(&fd).enumerate() {
        assert!(
            (a - b).abs() < 1e-6,
            "θ[{k}]: analytic {a} vs finite differences {b}"
        );
    }
    assert!(mem.set_params(&theta[1..]).is_err());
    let _ = <attractor::energy::Quadratic as Energy>::dim;
}

#[test]
fn every_status_says_what_happened_and_what_to_change() {
    use std::time::Duration;
    let advice = [
        (Status::MaxSteps, "raise max_steps"),
        (Status::TwoCycle, "asynchronous"),
        (Status::Timeout, "raise the time budget"),
        (Status::Diverged("x".into()), "reduce dt"),
        (Status::Interrupted, "best state"),
        (Status::FixedPoint, "fixed point"),
        (Status::Certified, "predicate"),
        (Status::Converged, "steady state"),
    ];
    for (s, needle) in advice {
        let m = s.message(12, 1.5, Duration::from_millis(20));
        assert!(m.contains(needle), "{s:?}: {m}");
        assert!(!s.name().is_empty());
    }
    assert!(!Status::TwoCycle.is_success() && Status::FixedPoint.is_success());
}
