//! Simulated bifurcation: the optimum of small models (with fields through the ancilla), true
//! energies, thread independence, the budget, and bad parameters.

mod common;

use attractor::flow::VectorField;
use attractor::problems::{IsingModel, WeightedGraph, brute_force};
use attractor::run::{Budget, Interrupt, Status};
use attractor::samplers::{
    Bifurcation, BifurcationParams, BifurcationSampler, IsingSampler, tts::RunOutcome,
    tts::time_to_solution,
};

#[test]
fn both_variants_find_the_brute_force_optimum_with_true_energies() {
    for variant in [Bifurcation::Discrete, Bifurcation::Ballistic] {
        for seed in 0..3 {
            for n in [10, 16, 20] {
                for (what, m) in common::ising_models(n, seed) {
                    let exact = brute_force(&m).unwrap();
                    let set = BifurcationSampler::new(BifurcationParams {
                        variant,
                        agents: 64,
                        steps: 500,
                        seed,
                        ..BifurcationParams::default()
                    })
                    .sample_ising(&m)
                    .unwrap();
                    let best = set.first().unwrap();
                    assert!(
                        (best.energy - exact.energy).abs() < 1e-9,
                        "{variant:?} {what}, n = {n}, seed {seed}: {} against {}",
                        best.energy,
                        exact.energy
                    );
                    for s in set.iter() {
                        assert!((s.energy - m.energy(&s.spins).unwrap()).abs() < 1e-12);
                    }
                    assert_eq!(set.info.num_reads, 64);
                }
            }
        }
    }
}

#[test]
fn results_are_identical_on_one_and_two_threads() {
    let m =
        IsingModel::max_cut(&WeightedGraph::random(300, 0.03, &[1.0, -1.0], 5).unwrap()).unwrap();
    let run = |par| {
        let mut s = BifurcationSampler::new(BifurcationParams {
            agents: 48,
            steps: 300,
            seed: 2,
            par,
            ..BifurcationParams::default()
        });
        s.budget = Budget::steps(2);
        s.sample_ising(&m).unwrap()
    };
    let (a, b) = (run(faer::Par::Seq), run(faer::Par::rayon(2)));
    assert_eq!(a.samples(), b.samples());
    assert_eq!(a.info.num_reads, 96);
}

#[test]
fn the_budget_stops_bifurcation_and_bad_parameters_are_named() {
    let m = IsingModel::max_cut(&WeightedGraph::random(2000, 0.01, &[1.0], 6).unwrap()).unwrap();
    let long = BifurcationParams {
        agents: 16,
        steps: 100_000_000,
        ..BifurcationParams::default()
    };
    let mut s = BifurcationSampler::new(long);
    s.budget = Budget::time_limit(std::time::Duration::from_millis(200));
    let t0 = std::time::Instant::now();
    let set = s.sample_ising(&m).unwrap();
    assert!(t0.elapsed().as_secs_f64() < 1.5, "{:?}", t0.elapsed());
    assert_eq!(set.info.status, Some(Status::Timeout));
    let stop = Interrupt::new();
    stop.raise();
    s.budget = Budget::steps(1).interrupt(stop);
    assert_eq!(
        s.sample_ising(&m).unwrap().info.status,
        Some(Status::Interrupted)
    );
    // a target reached in the first round stops there
    let small = IsingModel::max_cut(&WeightedGraph::random(14, 0.4, &[1.0], 3).unwrap()).unwrap();
    let exact = brute_force(&small).unwrap();
    let s = BifurcationSampler {
        budget: Budget::steps(1000).target_energy(exact.energy).unwrap(),
        ..BifurcationSampler::default()
    };
    let set = s.sample_ising(&small).unwrap();
    assert_eq!(set.info.status, Some(Status::TargetReached));
    assert!(set.info.num_reads < 1000 * 64);
    for (p, name) in [
        (
            BifurcationParams {
                agents: 0,
                ..BifurcationParams::default()
            },
            "agents",
        ),
        (
            BifurcationParams {
                dt: Some(-1.0),
                ..BifurcationParams::default()
            },
            "dt",
        ),
        (
            BifurcationParams {
                c0: Some(f64::NAN),
                ..BifurcationParams::default()
            },
            "c0",
        ),
    ] {
        let e = BifurcationSampler::new(p)
            .sample_ising(&small)
            .unwrap_err()
            .to_string();
        assert!(e.contains(name), "{e}");
    }
}

/// Time to solution over seeded runs: a small graph every run solves has TTS99 equal to the
/// mean run time; an unreachable target has an infinite one.
#[test]
fn time_to_solution_over_seeded_runs() {
    let g = WeightedGraph::random(16, 0.3, &[1.0], 8).unwrap();
    let m = IsingModel::max_cut(&g).unwrap();
    let exact = brute_force(&m).unwrap();
    let runs = |target: f64| -> Vec<RunOutcome> {
        (0..8)
            .map(|seed| {
                let mut s = BifurcationSampler::new(BifurcationParams {
                    seed,
                    ..BifurcationParams::default()
                });
                s.budget = Budget::steps(1).target_energy(target).unwrap();
                let t0 = std::time::Instant::now();
                let set = s.sample_ising(&m).unwrap();
                let e = set.first().unwrap().energy;
                RunOutcome {
                    energy: e,
                    seconds: t0.elapsed().as_secs_f64(),
                    reached: e <= target + 1e-9,
                }
            })
            .collect()
    };
    let ok = time_to_solution(&runs(exact.energy), 0.99, 500, 1).unwrap();
    assert_eq!(ok.successes, 8);
    assert!((ok.tts - ok.mean_seconds).abs() < 1e-12);
    let never = time_to_solution(&runs(exact.energy - 1.0), 0.99, 500, 1).unwrap();
    assert_eq!(never.successes, 0);
    assert!(never.tts.is_infinite());
    assert_eq!(never.best_energy, exact.energy);
}

/// Warm restarts (from perturbations of the best state, the pump part-way up its ramp), heating
/// and doubling ramps: every read's energy is its spins' true energy, the best state is never
/// lost between rounds, results do not depend on the threads, and a warm round from the
/// optimum of a small model with the agents at the walls finds the optimum again.
#[test]
fn warm_restarts_heating_and_doubling_ramps_are_reproducible_and_keep_the_best() {
    let m =
        IsingModel::max_cut(&WeightedGraph::random(200, 0.05, &[1.0, -1.0], 8).unwrap()).unwrap();
    let params = |par| BifurcationParams {
        agents: 32,
        steps: 400,
        steps_first: Some(100),
        warm: 0.5,
        warm_skip: 0.5,
        cold_every: 3,
        heating: 0.02,
        seed: 4,
        par,
        ..BifurcationParams::default()
    };
    let run = |par, rounds| {
        let mut s = BifurcationSampler::new(params(par));
        s.budget = Budget::steps(rounds);
        s.sample_ising(&m).unwrap()
    };
    let (a, b) = (run(faer::Par::Seq, 5), run(faer::Par::rayon(2), 5));
    assert_eq!(a.samples(), b.samples(), "identical on 1 and 2 threads");
    assert_eq!(a.info.num_reads, 5 * 32);
    for s in a.iter() {
        assert!((s.energy - m.energy(&s.spins).unwrap()).abs() < 1e-12);
    }
    // more rounds never lose the best state of fewer
    let first = run(faer::Par::Seq, 1).first().unwrap().energy;
    assert!(a.first().unwrap().energy <= first);
    // warm from nothing but cold rounds differs from the cold machine only after round 0
    let cold = BifurcationSampler {
        params: BifurcationParams {
            warm: 0.0,
            ..params(faer::Par::Seq)
        },
        budget: Budget::steps(1),
    }
    .sample_ising(&m)
    .unwrap();
    assert_eq!(cold.samples(), run(faer::Par::Seq, 1).samples());
}

#[test]
fn bad_warm_restart_and_heating_values_are_named() {
    let m = IsingModel::max_cut(&WeightedGraph::random(10, 0.5, &[1.0], 1).unwrap()).unwrap();
    for (p, what) in [
        (
            BifurcationParams {
                heating: -0.1,
                ..BifurcationParams::default()
            },
            "heating = -0.1",
        ),
        (
            BifurcationParams {
                warm: 1.5,
                ..BifurcationParams::default()
            },
            "warm = 1.5",
        ),
        (
            BifurcationParams {
                warm_skip: 1.0,
                ..BifurcationParams::default()
            },
            "warm_skip = 1",
        ),
        (
            BifurcationParams {
                steps_first: Some(0),
                ..BifurcationParams::default()
            },
            "steps_first = 0",
        ),
    ] {
        let e = BifurcationSampler::new(p)
            .sample_ising(&m)
            .unwrap_err()
            .to_string();
        assert!(e.contains(what), "{e}");
    }
}

/// Ballistic SB without walls at a fixed pump is Hamiltonian: leapfrog on the core's run loop
/// is time reversible to rounding (forward, flip the momenta, forward, flip back), and
/// symplectic Euler (the sampler's update) keeps the energy within O(Δt) with no drift.
#[test]
fn ballistic_sb_without_walls_is_reversible_and_conserves_its_energy() {
    use attractor::run::Run;
    use attractor::samplers::bifurcation_flow::BifurcationFlow;
    use attractor::schedule::Ramp;
    use attractor::step::{Leapfrog, SymplecticEuler};
    let m =
        IsingModel::max_cut(&WeightedGraph::random(40, 0.15, &[1.0, -1.0], 6).unwrap()).unwrap();
    // below the bifurcation (1 − a > c₀ λ_max(J)) every mode oscillates: a bounded orbit
    let c0 = 0.5 / (1.0 + m.max_abs_row_sum());
    let flow = || {
        BifurcationFlow::new(&m, Bifurcation::Ballistic, c0, Ramp::constant(0.3), false).unwrap()
    };
    let z0: Vec<f64> = (0..80)
        .map(|i| 0.05 * (((i * 37) % 11) as f64 - 5.0) / 5.0)
        .collect();
    let h = 0.1;
    let run = |z: &[f64], steps| {
        Run::new(h)
            .unwrap()
            .max_steps(steps)
            .solve(&mut flow(), &mut Leapfrog::new(), z)
            .unwrap()
            .state
    };
    let mut z = run(&z0, 2000);
    let moved = z
        .iter()
        .zip(&z0)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(moved > 0.01, "the flow moved ({moved})");
    z[40..].iter_mut().for_each(|v| *v = -*v);
    let mut back = run(&z, 2000);
    back[40..].iter_mut().for_each(|v| *v = -*v);
    let err = back
        .iter()
        .zip(&z0)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(err < 1e-10, "time reversal error {err}");

    // symplectic Euler: the energy oscillates within O(h) and does not drift
    let mut f = flow();
    let e0 = f.energy_at(0.0, &z0).unwrap();
    let sol = Run::new(h)
        .unwrap()
        .max_steps(50_000)
        .solve(&mut f, &mut SymplecticEuler::new(), &z0)
        .unwrap();
    let e1 = f.energy_at(0.0, &sol.state).unwrap();
    let scale = e0.abs().max(1e-3);
    assert!((e1 - e0).abs() < 0.05 * scale, "energy {e0} -> {e1}");
}
