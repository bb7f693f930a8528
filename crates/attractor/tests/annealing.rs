//! Simulated annealing: the optimum of small models, incremental fields against fields
//! recomputed, the Boltzmann law at fixed temperature, thread independence, the budget.

mod common;

use attractor::problems::{IsingModel, WeightedGraph, brute_force};
use attractor::rng::stream;
use attractor::run::{Budget, Interrupt, Status};
use attractor::samplers::{
    AnnealingParams, AnnealingSampler, IsingMetropolis, IsingSampler, default_beta_range,
};
use attractor::schedule::Schedule;

#[test]
fn annealing_finds_the_brute_force_optimum_and_reports_true_energies() {
    for seed in 0..4 {
        for n in [8, 14, 20] {
            for (what, m) in common::ising_models(n, seed) {
                let exact = brute_force(&m).unwrap();
                let set = AnnealingSampler::new(AnnealingParams {
                    num_reads: 8,
                    num_sweeps: 300,
                    seed,
                    ..AnnealingParams::default()
                })
                .sample_ising(&m)
                .unwrap();
                let best = set.first().unwrap();
                assert!(
                    (best.energy - exact.energy).abs() < 1e-9,
                    "{what}, n = {n}, seed {seed}: {} against the optimum {}",
                    best.energy,
                    exact.energy
                );
                for s in set.iter() {
                    assert!((s.energy - m.energy(&s.spins).unwrap()).abs() < 1e-12);
                }
                assert_eq!(set.info.num_reads, 8);
                assert_eq!(set.info.status, Some(Status::MaxSteps));
            }
        }
    }
    // and through Max-Cut: the cut equals the one recomputed from the spins
    let g = WeightedGraph::random(18, 0.3, &[1.0, 2.0], 9).unwrap();
    let set = AnnealingSampler::default().sample_max_cut(&g).unwrap();
    for s in set.iter() {
        assert_eq!(s.cut, Some(g.cut(&s.spins).unwrap()));
    }
}

#[test]
fn incremental_fields_equal_fields_recomputed_after_every_sweep() {
    for (what, m) in common::ising_models(60, 3) {
        let mut rng = stream(1, 2);
        let spins: Vec<i8> = (0..m.n())
            .map(|i| if i % 3 == 0 { 1 } else { -1 })
            .collect();
        let mut chain = IsingMetropolis::new(&m, spins).unwrap();
        let mut fresh = vec![0.0; m.n()];
        let (hot, cold) = default_beta_range(&m);
        let betas = Schedule::Geometric {
            start: hot,
            end: cold,
        }
        .values(2000);
        let mut flips = 0;
        for (k, &beta) in betas.iter().enumerate() {
            flips += chain.sweep(beta, &mut rng);
            m.local_fields_into(chain.spins(), &mut fresh).unwrap();
            let worst = chain
                .fields()
                .iter()
                .zip(&fresh)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(worst <= 1e-9, "{what}: sweep {k}: fields off by {worst}");
            let e = m.energy(chain.spins()).unwrap();
            assert!(
                (chain.energy() - e).abs() <= 1e-9 * (1.0 + e.abs()),
                "{what}: sweep {k}: energy {} against {e}",
                chain.energy()
            );
        }
        assert!(
            flips > 1000,
            "{what}: only {flips} flips: the test exercised nothing"
        );
    }
}

/// At fixed `β` the chain samples `p(s) ∝ e^{−βH(s)}`: the total variation between the
/// visited states (every sweep of one long chain) and the exact law is below 0.02.
#[test]
fn metropolis_at_fixed_temperature_samples_the_boltzmann_law() {
    let m = IsingModel::from_couplings(
        5,
        vec![0.2, -0.3, 0.0, 0.1, 0.0],
        &[
            (0, 1, 0.8),
            (1, 2, -0.5),
            (2, 3, 0.7),
            (3, 4, -0.4),
            (0, 4, 0.3),
            (1, 3, 0.2),
        ],
        0.0,
    )
    .unwrap();
    let beta = 0.9;
    // the exact law
    let mut p = vec![0.0; 32];
    for (c, pc) in p.iter_mut().enumerate() {
        let s: Vec<i8> = (0..5)
            .map(|i| if c >> i & 1 == 1 { 1 } else { -1 })
            .collect();
        *pc = (-beta * m.energy(&s).unwrap()).exp();
    }
    let z: f64 = p.iter().sum();
    p.iter_mut().for_each(|v| *v /= z);
    // the chain
    let mut chain = IsingMetropolis::new(&m, vec![1; 5]).unwrap();
    let mut rng = stream(7, 0);
    let mut counts = [0usize; 32];
    let n = 200_000;
    for k in 0..n + 1000 {
        chain.sweep(beta, &mut rng);
        if k >= 1000 {
            let c: usize = (0..5)
                .map(|i| usize::from(chain.spins()[i] == 1) << i)
                .sum();
            counts[c] += 1;
        }
    }
    let tv: f64 = 0.5
        * counts
            .iter()
            .zip(&p)
            .map(|(&c, &q)| (c as f64 / n as f64 - q).abs())
            .sum::<f64>();
    println!("total variation {tv:.4} over {n} sweeps");
    assert!(tv < 0.02, "total variation {tv}");
    // and a wrong temperature is told apart: the law at β = 0.3 is far from these counts
    let mut q: Vec<f64> = (0..32)
        .map(|c| {
            let s: Vec<i8> = (0..5)
                .map(|i| if c >> i & 1 == 1 { 1 } else { -1 })
                .collect();
            (-0.3 * m.energy(&s).unwrap()).exp()
        })
        .collect();
    let zq: f64 = q.iter().sum();
    q.iter_mut().for_each(|v| *v /= zq);
    let tv_wrong: f64 = 0.5
        * counts
            .iter()
            .zip(&q)
            .map(|(&c, &qq)| (c as f64 / n as f64 - qq).abs())
            .sum::<f64>();
    assert!(tv_wrong > 0.05, "{tv_wrong}");
}

#[test]
fn results_are_identical_on_one_and_two_threads() {
    let g = WeightedGraph::random(200, 0.05, &[1.0, -1.0], 5).unwrap();
    let m = IsingModel::max_cut(&g).unwrap();
    let run = |par| {
        let mut s = AnnealingSampler::new(AnnealingParams {
            num_reads: 12,
            num_sweeps: 200,
            seed: 3,
            par,
            ..AnnealingParams::default()
        });
        s.budget = Budget::steps(2);
        s.sample_ising(&m).unwrap()
    };
    let (a, b) = (run(faer::Par::Seq), run(faer::Par::rayon(2)));
    assert_eq!(a.samples(), b.samples());
    assert_eq!(a.info.num_reads, 24);
    // another seed gives other samples
    let mut other = AnnealingSampler::new(AnnealingParams {
        num_reads: 12,
        num_sweeps: 200,
        seed: 4,
        ..AnnealingParams::default()
    });
    other.budget = Budget::steps(2);
    assert_ne!(other.sample_ising(&m).unwrap().samples(), a.samples());
}

#[test]
fn the_budget_stops_annealing_and_bad_parameters_are_named() {
    let g = WeightedGraph::random(2000, 0.01, &[1.0], 6).unwrap();
    let m = IsingModel::max_cut(&g).unwrap();
    let long = AnnealingParams {
        num_reads: 4,
        num_sweeps: 10_000_000,
        ..AnnealingParams::default()
    };
    // a time limit
    let mut s = AnnealingSampler::new(long.clone());
    s.budget = Budget::time_limit(std::time::Duration::from_millis(200));
    let t0 = std::time::Instant::now();
    let set = s.sample_ising(&m).unwrap();
    assert!(t0.elapsed().as_secs_f64() < 1.5, "{:?}", t0.elapsed());
    assert_eq!(set.info.status, Some(Status::Timeout));
    assert_eq!(set.info.num_reads, 4);
    // an interrupt raised by another thread
    let stop = Interrupt::new();
    s.budget = Budget::steps(1).interrupt(stop.clone());
    let raiser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        stop.raise();
    });
    let t0 = std::time::Instant::now();
    let set = s.sample_ising(&m).unwrap();
    raiser.join().unwrap();
    assert!(t0.elapsed().as_secs_f64() < 1.5);
    assert_eq!(set.info.status, Some(Status::Interrupted));
    // a target: stops as soon as a read reaches it
    let small = IsingModel::max_cut(&WeightedGraph::random(16, 0.3, &[1.0], 2).unwrap()).unwrap();
    let exact = brute_force(&small).unwrap();
    let mut s = AnnealingSampler::new(AnnealingParams {
        num_sweeps: 400,
        ..AnnealingParams::default()
    });
    s.budget = Budget::steps(1000).target_energy(exact.energy).unwrap();
    let set = s.sample_ising(&small).unwrap();
    assert_eq!(set.info.status, Some(Status::TargetReached));
    assert_eq!(set.first().unwrap().energy, exact.energy);
    assert!(set.info.num_reads < 1000 * 16);
    // a budget that bounds nothing, and bad parameters
    let s = AnnealingSampler {
        budget: Budget::new(),
        ..AnnealingSampler::default()
    };
    let e = s.sample_ising(&small).unwrap_err().to_string();
    assert!(e.contains("never end") && e.contains("rounds"), "{e}");
    for (p, name) in [
        (
            AnnealingParams {
                num_reads: 0,
                ..AnnealingParams::default()
            },
            "num_reads",
        ),
        (
            AnnealingParams {
                num_sweeps: 0,
                ..AnnealingParams::default()
            },
            "num_sweeps",
        ),
        (
            AnnealingParams {
                beta: Some(Schedule::Geometric {
                    start: 0.0,
                    end: 1.0,
                }),
                ..AnnealingParams::default()
            },
            "beta start",
        ),
    ] {
        let e = AnnealingSampler::new(p)
            .sample_ising(&small)
            .unwrap_err()
            .to_string();
        assert!(e.contains(name), "{e}");
    }
}

#[test]
fn the_default_beta_range_follows_the_couplings() {
    let m = IsingModel::from_couplings(3, vec![0.0, 0.0, 0.5], &[(0, 1, 2.0), (1, 2, -1.0)], 0.0)
        .unwrap();
    let (hot, cold) = default_beta_range(&m);
    // ΔH_max = 2·(|2| + |−1|) = 6 at spin 1; ΔH_min = 2·0.5 = 1
    assert!((hot - 2f64.ln() / 6.0).abs() < 1e-15);
    assert!((cold - 100f64.ln() / 1.0).abs() < 1e-12);
    let empty = IsingModel::from_couplings(3, vec![0.0; 3], &[], 0.0).unwrap();
    assert_eq!(default_beta_range(&empty), (0.1, 10.0));
}

/// Weights whose sums overflow f64 are refused when the model is built, by name (not later as
/// a derived step or schedule parameter).
#[test]
fn couplings_whose_sums_overflow_are_refused_by_name() {
    let e = IsingModel::from_couplings(3, vec![0.0; 3], &[(0, 1, 1e308), (1, 2, 1e308)], 0.0)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("couplings") && e.contains("1e308") && e.contains("overflow"),
        "{e}"
    );
    // large but summable weights are fine
    IsingModel::from_couplings(3, vec![0.0; 3], &[(0, 1, 1e300), (1, 2, 1e300)], 0.0).unwrap();
}
