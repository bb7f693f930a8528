//! Every energy's gradient against central finite differences, on random inputs.

mod common;

use attractor::energy::{Energy, Gradient, Quadratic};
use attractor::models::{Activation, FiringRateNetwork, HopfieldNetwork};
use common::{fd_gradient, random_matrix, rel_diff, rng, uniform_vec};
use faer::Mat;
use proptest::prelude::*;

fn symmetric(seed: u64, n: usize, scale: f64) -> Mat<f64> {
    let g = random_matrix(&mut rng(seed), n, scale);
    Mat::from_fn(n, n, |i, j| 0.5 * (g[(i, j)] + g[(j, i)]))
}

/// Points away from the kinks of ReLU/saturated-linear (where Φ′ jumps).
fn away_from_kinks(x: &mut [f64]) {
    for v in x.iter_mut() {
        if v.abs() < 0.05 {
            *v += 0.1;
        }
        if (v.abs() - 1.0).abs() < 0.05 {
            *v += 0.1 * v.signum();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn hopfield_energy_gradient(seed in 0u64..10_000, n in 2usize..30, act in 0usize..5) {
        let activation = Activation::ALL[act];
        let mut r = rng(seed);
        let d = uniform_vec(&mut r, n, 0.5, 2.0);
        let b = uniform_vec(&mut r, n, -1.0, 1.0);
        let net = HopfieldNetwork::new(symmetric(seed, n, 1.3), activation).unwrap()
            .with_decay(d).unwrap().with_input(b).unwrap();
        let mut x = uniform_vec(&mut r, n, -2.0, 2.0);
        away_from_kinks(&mut x);
        let mut flow = net.flow();
        let mut g = vec![0.0; n];
        let e = flow.energy_and_gradient_into(&x, &mut g);
        prop_assert!((e - flow.energy(&x)).abs() <= 1e-12 * (1.0 + e.abs()));
        let fd = fd_gradient(|y| flow.energy(y), &x);
        prop_assert!(rel_diff(&g, &fd) < 1e-6, "{:?} vs {:?}", g, fd);
    }

    #[test]
    fn firing_rate_energy_gradient(seed in 0u64..10_000, n in 2usize..30, act in 0usize..5) {
        let activation = Activation::ALL[act];
        let mut r = rng(seed);
        let u = uniform_vec(&mut r, n, -1.0, 1.0);
        let net = FiringRateNetwork::new(symmetric(seed, n, 1.3), activation).unwrap()
            .with_input(u).unwrap();
        // rates strictly inside the range of Φ
        let (lo, hi) = activation.range();
        let x: Vec<f64> = uniform_vec(&mut r, n, 0.05, 0.95).into_iter().map(|t| {
            if lo.is_finite() && hi.is_finite() { lo + t * (hi - lo) } else if lo.is_finite() { 0.1 + 3.0 * t } else { 4.0 * t - 2.0 }
        }).collect();
        let mut flow = net.flow();
        let mut g = vec![0.0; n];
        flow.gradient_into(&x, &mut g);
        let fd = fd_gradient(|y| flow.energy(y), &x);
        prop_assert!(rel_diff(&g, &fd) < 1e-6, "{:?} vs {:?}", g, fd);
    }

    #[test]
    fn quadratic_energy_gradient(seed in 0u64..10_000, n in 1usize..20) {
        let mut r = rng(seed);
        let mut q = Quadratic::new(symmetric(seed, n, 2.0), uniform_vec(&mut r, n, -1.0, 1.0)).unwrap();
        let x = uniform_vec(&mut r, n, -3.0, 3.0);
        let mut g = vec![0.0; n];
        let e = q.energy_and_gradient_into(&x, &mut g);
        prop_assert!((e - q.energy(&x)).abs() <= 1e-12 * (1.0 + e.abs()));
        let fd = fd_gradient(|y| q.energy(y), &x);
        prop_assert!(rel_diff(&g, &fd) < 1e-7);
    }
}

/// The Hopfield vector field is the preconditioned gradient flow τẋ = −diag(Φ′)⁻¹∇E.
#[test]
fn hopfield_flow_is_preconditioned_gradient_flow() {
    use attractor::flow::VectorField;
    let n = 15;
    let net = HopfieldNetwork::new(symmetric(3, n, 1.5), Activation::Tanh)
        .unwrap()
        .with_tau(0.7)
        .unwrap();
    let x = uniform_vec(&mut rng(9), n, -1.5, 1.5);
    let mut flow = net.flow();
    let (mut dx, mut g) = (vec![0.0; n], vec![0.0; n]);
    flow.eval_into(0.0, &x, &mut dx);
    flow.gradient_into(&x, &mut g);
    for i in 0..n {
        let pre = -g[i] / (Activation::Tanh.dphi(x[i]) * 0.7);
        assert!((pre - dx[i]).abs() < 1e-12, "{i}: {pre} vs {}", dx[i]);
    }
}
