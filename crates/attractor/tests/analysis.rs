//! Jacobians (analytic against central differences), spectra and the contraction test.

mod common;

use attractor::analysis::{contraction, jacobian, jacobian_finite_difference, spectral_abscissa};
use attractor::flow::VectorField;
use attractor::models::{Activation, FiringRateNetwork, HopfieldNetwork, random_symmetric_weights};
use attractor::run::{Run, Status};
use attractor::step::Dopri5;
use common::{random_matrix, rng, uniform_vec};

#[test]
fn analytic_jacobians_match_finite_differences() {
    for seed in 0..5u64 {
        let n = 12;
        let mut r = rng(seed);
        let w = random_matrix(&mut r, n, 2.0);
        let x = uniform_vec(&mut r, n, -1.5, 1.5);
        let net = HopfieldNetwork::new(w.clone(), Activation::Tanh)
            .unwrap()
            .with_tau(0.5)
            .unwrap()
            .with_decay(uniform_vec(&mut r, n, 0.5, 2.0))
            .unwrap();
        let mut f = net.flow();
        let ja = jacobian(&mut f, 0.0, &x).unwrap();
        let jf = jacobian_finite_difference(&mut f, 0.0, &x).unwrap();
        assert!((&ja - &jf).norm_max() < 1e-8, "hopfield seed {seed}");
        let fr = FiringRateNetwork::new(w, Activation::Logistic).unwrap();
        let mut g = fr.flow();
        let ja = jacobian(&mut g, 0.0, &x).unwrap();
        let jf = jacobian_finite_difference(&mut g, 0.0, &x).unwrap();
        assert!((&ja - &jf).norm_max() < 1e-8, "firing-rate seed {seed}");
    }
}

#[test]
fn converged_equilibria_have_negative_spectral_abscissa() {
    let n = 40;
    let net = HopfieldNetwork::new(
        random_symmetric_weights(n, 1.5, 4).unwrap(),
        Activation::Tanh,
    )
    .unwrap();
    let x0 = uniform_vec(&mut rng(1), n, -1.0, 1.0);
    let sol = Run::new(0.1)
        .unwrap()
        .max_steps(100_000)
        .steady_state(1e-9, 1e-11)
        .unwrap()
        .solve(
            &mut net.flow(),
            &mut Dopri5::new(1e-10, 1e-12).unwrap(),
            &x0,
        )
        .unwrap();
    assert_eq!(sol.status, Status::Converged, "{}", sol.message());
    let j = jacobian(&mut net.flow(), 0.0, &sol.state).unwrap();
    let a = spectral_abscissa(&j).unwrap();
    assert!(a < 0.0, "stable equilibrium has spectral abscissa {a}");
    // the origin is an equilibrium too, but unstable: λ_max(W) > 1
    let j0 = jacobian(&mut net.flow(), 0.0, &vec![0.0; n]).unwrap();
    assert!(spectral_abscissa(&j0).unwrap() > 0.0);
}

#[test]
fn contraction_rate_bounds_trajectory_convergence() {
    // λ_max(W) < 1: two trajectories approach each other at least at rate 1 − λ_max.
    let n = 50;
    let w = random_symmetric_weights(n, 0.4, 8).unwrap();
    let c = contraction(&w, Activation::Tanh, 1.0).unwrap();
    assert!(c.contracting && c.lambda < 1.0, "{c:?}");
    assert!((c.rate - (1.0 - c.lambda)).abs() < 1e-12);
    let net = FiringRateNetwork::new(w, Activation::Tanh)
        .unwrap()
        .with_input(uniform_vec(&mut rng(2), n, -0.5, 0.5))
        .unwrap();
    let t_end = 5.0;
    let run = Run::new(0.01)
        .unwrap()
        .t_end(t_end)
        .unwrap()
        .max_steps(1_000_000);
    let xa = uniform_vec(&mut rng(3), n, -0.9, 0.9);
    let xb = uniform_vec(&mut rng(4), n, -0.9, 0.9);
    let mut s = Dopri5::new(1e-10, 1e-12).unwrap();
    let a = run.solve(&mut net.flow(), &mut s, &xa).unwrap().state;
    let b = run.solve(&mut net.flow(), &mut s, &xb).unwrap().state;
    let d0: f64 = xa
        .iter()
        .zip(&xb)
        .map(|(p, q)| (p - q).powi(2))
        .sum::<f64>()
        .sqrt();
    let d1: f64 = a
        .iter()
        .zip(&b)
        .map(|(p, q)| (p - q).powi(2))
        .sum::<f64>()
        .sqrt();
    // the weighted-norm bound holds up to the condition number of the weight, which is 1 here
    // for the firing-rate form with symmetric W only approximately: allow a factor of 2.
    assert!(
        d1 <= 2.0 * d0 * (-c.rate * t_end).exp(),
        "d1 {d1} vs bound {}",
        d0 * (-c.rate * t_end).exp()
    );
    // and a non-contracting network is reported as such
    let c2 = contraction(
        &random_symmetric_weights(n, 1.5, 8).unwrap(),
        Activation::Tanh,
        2.0,
    )
    .unwrap();
    assert!(!c2.contracting && c2.rate < 0.0);
    // non-symmetric: the norm criterion
    let c3 = contraction(&random_matrix(&mut rng(5), n, 0.3), Activation::Tanh, 1.0).unwrap();
    assert!(c3.criterion.contains("non-symmetric"));
}

#[test]
fn jacobian_checks_its_input() {
    let net = HopfieldNetwork::new(faer::Mat::zeros(3, 3), Activation::Tanh).unwrap();
    let mut f = net.flow();
    assert_eq!(f.dim(), 3);
    let e = jacobian(&mut f, 0.0, &[0.0; 2]).unwrap_err().to_string();
    assert!(e.contains("length 2, expected 3"), "{e}");
}
