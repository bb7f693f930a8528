//! The projected, proximal and preconditioned flows reach the minimisers that theory predicts
//! (checked by the KKT conditions) while their energy decreases.

mod common;

use attractor::energy::{Gradient, Quadratic};
use attractor::flow::{
    BoxSet, NonNegativeOrthant, PreconditionedFlow, ProjectedFlow, ProximalFlow,
};
use attractor::prox::{BoxProx, NonNegativeSoftThreshold, SoftThreshold};
use attractor::run::{Run, Status};
use attractor::step::{Euler, Rk4};
use common::{random_matrix, rng, uniform_vec};
use faer::Mat;

/// `Q = GᵀG/n + 0.1 I` (positive definite) and a random linear term.
fn qp(seed: u64, n: usize) -> Quadratic {
    let g = random_matrix(&mut rng(seed), n, 1.0);
    let q = Mat::from_fn(n, n, |i, j| {
        (0..n).map(|k| g[(k, i)] * g[(k, j)]).sum::<f64>() + if i == j { 0.1 } else { 0.0 }
    });
    Quadratic::new(q, uniform_vec(&mut rng(seed + 1), n, -2.0, 2.0)).unwrap()
}

#[test]
fn projected_flow_solves_box_qp() {
    let n = 20;
    for seed in 0..4 {
        let set = BoxSet::uniform(n, -0.5, 0.5).unwrap();
        let mut f = ProjectedFlow::boxed(qp(seed, n), set).unwrap();
        let sol = Run::new(0.05)
            .unwrap()
            .max_steps(200_000)
            .steady_state(0.0, 1e-10)
            .unwrap()
            .solve(&mut f, &mut Euler::new(), &vec![0.0; n])
            .unwrap();
        assert_eq!(sol.status, Status::Converged, "{}", sol.message());
        assert!(sol.max_energy_increase.unwrap() <= 1e-12);
        let mut g = vec![0.0; n];
        qp(seed, n).gradient_into(&sol.state, &mut g);
        let mut active = 0;
        for i in 0..n {
            let x = sol.state[i];
            assert!((-0.5..=0.5).contains(&x));
            if x <= -0.5 {
                assert!(g[i] >= -1e-8, "lower bound with g = {}", g[i]);
                active += 1;
            } else if x >= 0.5 {
                assert!(g[i] <= 1e-8, "upper bound with g = {}", g[i]);
                active += 1;
            } else {
                assert!(g[i].abs() < 1e-8, "interior with g = {}", g[i]);
            }
        }
        assert!(active > 0, "the box should bind for seed {seed}");
    }
}

#[test]
fn proximal_flow_solves_lasso() {
    // f = ½xᵀQx − bᵀx, g = λ‖x‖₁: KKT ∇f_i = −λ sign(x_i) on the support, |∇f_i| ≤ λ off it.
    let n = 25;
    let lambda = 0.3;
    for seed in 0..4 {
        let mut f =
            ProximalFlow::new(qp(seed, n), SoftThreshold::new(lambda).unwrap(), 0.5).unwrap();
        let sol = Run::new(0.5)
            .unwrap()
            .max_steps(200_000)
            .steady_state(0.0, 1e-11)
            .unwrap()
            .solve(&mut f, &mut Rk4::new(), &vec![1.0; n])
            .unwrap();
        assert_eq!(sol.status, Status::Converged, "{}", sol.message());
        assert!(
            sol.max_energy_increase.unwrap() <= 1e-12,
            "{:?}",
            sol.max_energy_increase
        );
        let mut g = vec![0.0; n];
        qp(seed, n).gradient_into(&sol.state, &mut g);
        let mut zeros = 0;
        for i in 0..n {
            let x = sol.state[i];
            // off the support the flow decays like e^{−t} towards 0 (never exactly 0 in
            // continuous time), so "zero" means below the steady-state tolerance
            if x.abs() < 1e-9 {
                zeros += 1;
                assert!(g[i].abs() <= lambda + 1e-8);
            } else {
                assert!(
                    (g[i] + lambda * x.signum()).abs() < 1e-8,
                    "{} vs {}",
                    g[i],
                    x
                );
            }
        }
        assert!(zeros > 0, "lasso solution should be sparse (seed {seed})");
    }
}

#[test]
fn nonnegative_prox_and_orthant_projection_agree() {
    // min f(x) + λ·1ᵀx over x ≥ 0 two ways: the proximal flow with the shifted ReLU, and the
    // projected flow on f + λ·1ᵀx over the orthant.
    let n = 15;
    let lambda = 0.2;
    let mut prox = ProximalFlow::new(
        qp(9, n),
        NonNegativeSoftThreshold::new(lambda).unwrap(),
        0.5,
    )
    .unwrap();
    let run = Run::new(0.05)
        .unwrap()
        .max_steps(400_000)
        .steady_state(0.0, 1e-12)
        .unwrap();
    let a = run
        .solve(&mut prox, &mut Euler::new(), &vec![0.5; n])
        .unwrap();
    let q = qp(9, n);
    let shifted = Quadratic::new(
        q.a().to_owned(),
        uniform_vec(&mut rng(10), n, -2.0, 2.0)
            .iter()
            .map(|b| b - lambda)
            .collect(),
    )
    .unwrap();
    let mut proj = ProjectedFlow::new(shifted, NonNegativeOrthant).unwrap();
    let b = run
        .solve(&mut proj, &mut Euler::new(), &vec![0.5; n])
        .unwrap();
    assert_eq!(a.status, Status::Converged);
    assert_eq!(b.status, Status::Converged);
    let d = a
        .state
        .iter()
        .zip(&b.state)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max);
    assert!(d < 1e-8, "prox and projection disagree by {d}");
    assert!(a.state.iter().all(|&v| v >= 0.0));
}

#[test]
fn box_prox_is_projection() {
    let mut f = ProximalFlow::new(
        qp(3, 6),
        BoxProx::new(vec![-0.1; 6], vec![0.1; 6]).unwrap(),
        1.0,
    )
    .unwrap();
    let sol = Run::new(0.2)
        .unwrap()
        .max_steps(100_000)
        .steady_state(0.0, 1e-12)
        .unwrap()
        .solve(&mut f, &mut Rk4::new(), &[0.0; 6])
        .unwrap();
    let mut g = ProjectedFlow::boxed(qp(3, 6), BoxSet::uniform(6, -0.1, 0.1).unwrap()).unwrap();
    let sol2 = Run::new(0.05)
        .unwrap()
        .max_steps(100_000)
        .steady_state(0.0, 1e-12)
        .unwrap()
        .solve(&mut g, &mut Euler::new(), &[0.0; 6])
        .unwrap();
    for (a, b) in sol.state.iter().zip(&sol2.state) {
        assert!((a - b).abs() < 1e-8);
    }
}

#[test]
fn preconditioned_flow_descends_to_the_minimiser() {
    let n = 10;
    let m: Vec<f64> = uniform_vec(&mut rng(5), n, 0.1, 3.0);
    let mut f = PreconditionedFlow::diagonal(qp(5, n), m).unwrap();
    let sol = Run::new(0.05)
        .unwrap()
        .max_steps(100_000)
        .steady_state(0.0, 1e-11)
        .unwrap()
        .solve(&mut f, &mut Rk4::new(), &vec![0.0; n])
        .unwrap();
    assert_eq!(sol.status, Status::Converged);
    assert!(sol.max_energy_increase.unwrap() <= 1e-12);
    let mut g = vec![0.0; n];
    qp(5, n).gradient_into(&sol.state, &mut g);
    assert!(g.iter().all(|v| v.abs() < 1e-9));
    let e = PreconditionedFlow::diagonal(qp(5, n), vec![1.0; n - 1])
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("length 9, expected 10"), "{e}");
    let e = PreconditionedFlow::diagonal(qp(5, n), vec![-1.0; n])
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("m[0] = -1"), "{e}");
}
