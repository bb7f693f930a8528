//! The energies of the Hopfield and firing-rate networks never increase along trajectories
//! for symmetric W, and the same monitor reports increases for some non-symmetric W.

mod common;

use attractor::models::{Activation, FiringRateNetwork, HopfieldNetwork, random_symmetric_weights};
use attractor::run::Run;
use attractor::step::{Dopri5, Euler, Rk4};
use common::{random_matrix, rng, uniform_vec};

/// Allowed rounding in an energy difference: a few ulps of the energy's magnitude.
fn rounding(e: f64, n: usize) -> f64 {
    1e-13 * (1.0 + e.abs()) * (n as f64).sqrt()
}

#[test]
fn hopfield_energy_never_increases_for_symmetric_w() {
    for &n in &[20, 50, 100, 200] {
        for seed in 0..4u64 {
            for act in [
                Activation::Tanh,
                Activation::Logistic,
                Activation::SatLinear,
            ] {
                let mut r = rng(seed + 100);
                let net =
                    HopfieldNetwork::new(random_symmetric_weights(n, 1.5, seed).unwrap(), act)
                        .unwrap()
                        .with_decay(uniform_vec(&mut r, n, 0.5, 1.5))
                        .unwrap()
                        .with_input(uniform_vec(&mut r, n, -0.2, 0.2))
                        .unwrap();
                assert!(net.is_symmetric());
                let x0 = uniform_vec(&mut r, n, -2.0, 2.0);
                let sol = Run::new(0.01)
                    .unwrap()
                    .max_steps(1500)
                    .solve(&mut net.flow(), &mut Rk4::new(), &x0)
                    .unwrap();
                let inc = sol.max_energy_increase.unwrap();
                let e0 = sol.trace[0].energy;
                assert!(
                    inc <= rounding(e0, n),
                    "n={n} seed={seed} {}: energy rose by {inc:e}",
                    act.name()
                );
                assert!(sol.energy.unwrap() < e0, "energy did not decrease at all");
                assert!(sol.lyapunov_caveat.is_none());
            }
        }
    }
}

#[test]
fn firing_rate_energy_never_increases_for_symmetric_w() {
    for &n in &[20, 80, 200] {
        for seed in 0..4u64 {
            for act in [Activation::Tanh, Activation::Logistic, Activation::Relu] {
                let mut r = rng(seed + 7);
                let net =
                    FiringRateNetwork::new(random_symmetric_weights(n, 0.9, seed).unwrap(), act)
                        .unwrap()
                        .with_input(uniform_vec(&mut r, n, -0.5, 0.5))
                        .unwrap();
                // start inside the range of Φ (rates)
                let x0: Vec<f64> = uniform_vec(&mut r, n, 0.05, 0.95)
                    .into_iter()
                    .map(|t| {
                        if act == Activation::Tanh {
                            2.0 * t - 1.0
                        } else {
                            t
                        }
                    })
                    .collect();
                // Euler with dt < τ keeps r in the (convex) range of Φ.
                let sol = Run::new(0.02)
                    .unwrap()
                    .max_steps(1500)
                    .solve(&mut net.flow(), &mut Euler::new(), &x0)
                    .unwrap();
                let inc = sol.max_energy_increase.unwrap();
                let e0 = sol.trace[0].energy;
                assert!(
                    inc <= rounding(e0, n),
                    "n={n} seed={seed} {}: energy rose by {inc:e}",
                    act.name()
                );
            }
        }
    }
}

#[test]
fn monitor_reports_increase_for_nonsymmetric_w() {
    // A strongly non-symmetric W (rotation-like dynamics) makes E rise somewhere along the way.
    let mut found = 0;
    for seed in 0..5u64 {
        let n = 30;
        let mut r = rng(seed);
        let g = random_matrix(&mut r, n, 3.0);
        let net = HopfieldNetwork::new(g, Activation::Tanh).unwrap();
        assert!(!net.is_symmetric());
        let x0 = uniform_vec(&mut r, n, -1.0, 1.0);
        let sol = Run::new(0.05)
            .unwrap()
            .max_steps(4000)
            .solve(&mut net.flow(), &mut Dopri5::new(1e-8, 1e-10).unwrap(), &x0)
            .unwrap();
        let caveat = sol.lyapunov_caveat.as_deref().unwrap();
        assert!(caveat.contains("not symmetric"), "{caveat}");
        if sol.max_energy_increase.unwrap() > 1e-6 {
            found += 1;
            assert!(sol.message().contains("rose"), "{}", sol.message());
        }
    }
    assert!(
        found >= 3,
        "only {found} of 5 non-symmetric networks showed an energy increase"
    );
}
