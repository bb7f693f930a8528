//! The sparse-coding networks (SCIENCE.md §6): equilibria against independent LASSO solvers,
//! the PFCN experiment of Centorrino et al., descent, contraction, batching, warm starts and
//! bad input.

mod common;

use attractor::Par;
use attractor::models::sparse::{Dictionary, SparseCoder, SparseMethod, SparseParams};
use attractor::run::{Budget, Status};
use faer::Mat;
use proptest::prelude::*;
use rand::RngExt;
use std::sync::Arc;

/// A Gaussian dictionary with unit-norm atoms (`m × n`).
fn gaussian_dictionary(m: usize, n: usize, seed: u64) -> Mat<f64> {
    let mut rng = common::rng(seed);
    let mut phi = Mat::from_fn(m, n, |_, _| {
        rng.sample::<f64, _>(rand_distr::StandardNormal)
    });
    for j in 0..n {
        let norm = (0..m).map(|i| phi[(i, j)].powi(2)).sum::<f64>().sqrt();
        for i in 0..m {
            phi[(i, j)] /= norm;
        }
    }
    phi
}

/// `k`-sparse code with entries U(lo, hi) (random signs when `signed`), and `y = Φx₀`.
fn sparse_signal(phi: &Mat<f64>, k: usize, seed: u64, signed: bool) -> (Vec<f64>, Vec<f64>) {
    let mut rng = common::rng(seed);
    let n = phi.ncols();
    let mut x0 = vec![0.0; n];
    let mut placed = 0;
    while placed < k {
        let i = rng.random_range(0..n);
        if x0[i] == 0.0 {
            let s = if signed && rng.random_bool(0.5) {
                -1.0
            } else {
                1.0
            };
            x0[i] = s * rng.random_range(1.0..2.0);
            placed += 1;
        }
    }
    let y = (0..phi.nrows())
        .map(|r| (0..n).map(|c| phi[(r, c)] * x0[c]).sum())
        .collect();
    (x0, y)
}

fn coder(phi: &Mat<f64>, params: SparseParams) -> SparseCoder {
    SparseCoder::new(
        Arc::new(Dictionary::new(phi.clone(), Par::Seq).unwrap()),
        params,
    )
    .unwrap()
}

fn column(y: &[f64]) -> Mat<f64> {
    Mat::from_fn(y.len(), 1, |i, _| y[i])
}

/// `½‖y − Φa‖² + λ‖a‖₁`, computed directly.
fn lasso_objective(phi: &Mat<f64>, y: &[f64], a: &[f64], lambda: f64) -> f64 {
    let r: f64 = (0..phi.nrows())
        .map(|i| {
            let v = y[i] - (0..phi.ncols()).map(|j| phi[(i, j)] * a[j]).sum::<f64>();
            v * v
        })
        .sum();
    0.5 * r + lambda * a.iter().map(|v| v.abs()).sum::<f64>()
}

/// Reference LASSO by cyclic coordinate descent (Friedman, Hastie, Tibshirani 2007), written
/// here independently of the library, run until no coordinate moves by more than 1e-15.
fn coordinate_descent(phi: &Mat<f64>, y: &[f64], lambda: f64, positive: bool) -> Vec<f64> {
    let (m, n) = (phi.nrows(), phi.ncols());
    let mut a = vec![0.0; n];
    let mut r = y.to_vec();
    let norms: Vec<f64> = (0..n)
        .map(|j| (0..m).map(|i| phi[(i, j)].powi(2)).sum())
        .collect();
    for _ in 0..200_000 {
        let mut change = 0.0f64;
        for j in 0..n {
            let rho: f64 = (0..m).map(|i| phi[(i, j)] * r[i]).sum::<f64>() + norms[j] * a[j];
            let mut new = rho.signum() * (rho.abs() - lambda).max(0.0) / norms[j];
            if positive {
                new = new.max(0.0);
            }
            let d = new - a[j];
            if d != 0.0 {
                for i in 0..m {
                    r[i] -= d * phi[(i, j)];
                }
                a[j] = new;
                change = change.max(d.abs());
            }
        }
        if change < 1e-15 {
            break;
        }
    }
    a
}

/// Projected ISTA `x ← max(x − γ(Φᵀ(Φx − y)) − γλ, 0)` with `γ = 1/‖Φ‖²`, written here.
fn projected_ista(phi: &Mat<f64>, y: &[f64], lambda: f64) -> Vec<f64> {
    let n = phi.ncols();
    let gram = phi.transpose() * phi;
    let b: Vec<f64> = (0..n)
        .map(|j| (0..phi.nrows()).map(|i| phi[(i, j)] * y[i]).sum())
        .collect();
    let l = attractor::linalg::symmetric_eigenvalues(gram.as_ref())
        .unwrap()
        .last()
        .copied()
        .unwrap();
    let gamma = 1.0 / l;
    let mut x = vec![0.0; n];
    for _ in 0..1_000_000 {
        let mut change = 0.0f64;
        let gx: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| gram[(i, j)] * x[j]).sum())
            .collect();
        for i in 0..n {
            let new = (x[i] - gamma * (gx[i] - b[i]) - gamma * lambda).max(0.0);
            change = change.max((new - x[i]).abs());
            x[i] = new;
        }
        if change < 1e-16 {
            break;
        }
    }
    x
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn support(a: &[f64]) -> Vec<usize> {
    (0..a.len()).filter(|&i| a[i] != 0.0).collect()
}

/// SCIENCE.md §6 [chk]: m = 30, n = 60, unit-norm Gaussian Φ, 5-sparse non-negative x₀ with
/// entries U(1, 2), λ = 0.05: the PFCN equilibrium equals projected ISTA to 1e-10, has the
/// true support, and x(t) ≥ 0 at every recorded step.
#[test]
fn pfcn_experiment_of_centorrino_et_al() {
    let mut true_support = 0;
    for seed in 0..3 {
        let phi = gaussian_dictionary(30, 60, 100 + seed);
        let (x0, y) = sparse_signal(&phi, 5, 200 + seed, false);
        let reference = projected_ista(&phi, &y, 0.05);
        // the network's own dynamics, every step recorded
        let mut p = SparseParams::new(0.05, true);
        p.tol = 1e-13;
        let budget = Budget::steps(200_000);
        p.dt = 0.5;
        let c = coder(&phi, p);
        let tr = c.trajectory(&y, None, 1, 1 << 20, &budget).unwrap();
        assert_eq!(tr.end.status[0], Status::Certified, "seed {seed}");
        let neg = tr
            .codes
            .col_iter()
            .flat_map(|c| c.iter().copied())
            .fold(0.0, f64::min);
        assert!(neg >= 0.0, "seed {seed}: x(t) left the orthant ({neg})");
        assert!(tr.t.len() > 100, "seed {seed}: only {} points", tr.t.len());
        let d = max_diff(tr.end.code(0), &reference);
        assert!(
            d < 1e-10,
            "seed {seed}: PFCN dynamics vs projected ISTA {d:e}"
        );
        // with dt < τ the off-support entries decay exponentially rather than vanish
        let above: Vec<usize> = (0..60).filter(|&i| tr.end.code(0)[i] > 1e-9).collect();
        assert_eq!(above, support(&reference), "seed {seed}");
        let recovered = support(&reference);
        assert!(
            support(&x0).iter().all(|i| recovered.contains(i)),
            "seed {seed}"
        );
        true_support += usize::from(recovered == support(&x0));
        // where the LASSO keeps an atom outside the true support, it is tiny
        let smallest = support(&x0)
            .iter()
            .map(|&i| reference[i])
            .fold(f64::INFINITY, f64::min);
        for &i in recovered.iter().filter(|i| !support(&x0).contains(i)) {
            assert!(
                reference[i] < 0.01 * smallest,
                "seed {seed}: atom {i} = {}",
                reference[i]
            );
        }
        // with the equilibrium solve (the default): the same point
        let fast = coder(&phi, SparseParams::new(0.05, true))
            .encode(column(&y).as_ref(), &budget)
            .unwrap();
        let d = max_diff(fast.code(0), &reference);
        assert!(
            d < 1e-10,
            "seed {seed}: PFCN + equilibrium solve vs ISTA {d:e}"
        );
        assert_eq!(support(fast.code(0)), recovered, "seed {seed}");
    }
    // exactly the true support on the first instance; the other two keep one extra atom of
    // size 1e-5 and 1.5e-3 (the LASSO solution itself: projected ISTA agrees)
    assert!(
        true_support >= 1,
        "true support on {true_support} of 3 instances"
    );
}

/// FCN and soft-threshold LCA equilibria equal the LASSO solution of coordinate descent, on
/// several instances, signed and non-negative, with and without the equilibrium solve; the
/// duality gap at the returned point is below the requested tolerance.
#[test]
fn fcn_and_lca_solve_the_lasso() {
    for seed in 0..4u64 {
        let (m, n) = [(20, 40), (40, 25), (15, 60), (50, 50)][seed as usize];
        let phi = gaussian_dictionary(m, n, 300 + seed);
        for positive in [false, true] {
            let (_, y) = sparse_signal(&phi, 4, 400 + seed, !positive);
            let lambda = 0.1;
            let reference = coordinate_descent(&phi, &y, lambda, positive);
            let p_ref = lasso_objective(&phi, &y, &reference, lambda);
            let methods = if positive {
                vec![SparseMethod::Pfcn, SparseMethod::Lca]
            } else {
                vec![SparseMethod::Fcn, SparseMethod::Lca]
            };
            for method in methods {
                for solve in [true, false] {
                    let mut p = SparseParams::new(lambda, positive);
                    p.method = method;
                    p.equilibrium_solve = solve;
                    p.tol = 1e-12;
                    let budget = Budget::steps(500_000);
                    let codes = coder(&phi, p).encode(column(&y).as_ref(), &budget).unwrap();
                    let what = format!("seed {seed} {method} positive={positive} solve={solve}");
                    assert_eq!(codes.status[0], Status::Certified, "{what}");
                    let a = codes.code(0);
                    let d = max_diff(a, &reference);
                    assert!(d < 1e-6, "{what}: distance to coordinate descent {d:e}");
                    let obj = lasso_objective(&phi, &y, a, lambda);
                    assert!(
                        (obj - p_ref).abs() <= 1e-10 * p_ref,
                        "{what}: objective {obj} vs {p_ref}"
                    );
                    assert!((codes.objective[0] - obj).abs() <= 1e-10 * obj, "{what}");
                    assert!(codes.certificate[0] <= 1e-12, "{what}");
                    assert!(codes.duality_gap[0] <= 1e-12 * obj, "{what}");
                    assert!(!positive || a.iter().all(|&v| v >= 0.0), "{what}");
                }
            }
        }
    }
}

/// The duality gap bounds the distance to the optimum from above at any point (checked on
/// the network's trajectory), and is 0 only at the optimum.
#[test]
fn duality_gap_bounds_the_suboptimality() {
    let phi = gaussian_dictionary(25, 50, 7);
    let (_, y) = sparse_signal(&phi, 5, 8, true);
    let lambda = 0.2;
    let reference = coordinate_descent(&phi, &y, lambda, false);
    let p_star = lasso_objective(&phi, &y, &reference, lambda);
    let mut p = SparseParams::new(lambda, false);
    p.tol = 1e-12;
    let budget = Budget::steps(100_000);
    let tr = coder(&phi, p)
        .trajectory(&y, None, 1, 4096, &budget)
        .unwrap();
    for (k, (&obj, &cert)) in tr.objective.iter().zip(&tr.certificate).enumerate() {
        let sub = obj - p_star;
        assert!(
            sub <= cert * obj + 1e-12,
            "point {k}: suboptimality {sub:e} above the gap {:e}",
            cert * obj
        );
    }
    assert!(tr.certificate[0] > 1e-3);
}

/// The hard-threshold LCA stops at a fixed point of its iteration: on the support
/// `G_SS a_S = Φ_Sᵀy` (least squares on the support) with `|a_i| > λ√γ`, off it
/// `γ|c_j| ≤ λ√γ`; it recovers a well-separated sparse code exactly.
#[test]
fn hard_threshold_lca_reaches_its_fixed_point() {
    let phi = gaussian_dictionary(40, 60, 11);
    let (x0, y) = sparse_signal(&phi, 4, 12, true);
    for solve in [true, false] {
        let mut p = SparseParams::new(0.2, false);
        p.method = SparseMethod::LcaHard;
        p.equilibrium_solve = solve;
        p.tol = 1e-12;
        let budget = Budget::steps(200_000);
        let c = coder(&phi, p);
        let codes = c.encode(column(&y).as_ref(), &budget).unwrap();
        assert_eq!(codes.status[0], Status::Certified, "solve={solve}");
        assert!(codes.duality_gap.is_empty());
        let a = codes.code(0);
        assert_eq!(support(a), support(&x0), "solve={solve}");
        // noiseless and on the true support: least squares recovers x₀
        assert!(
            max_diff(a, &x0) < 1e-8,
            "solve={solve}: {:e}",
            max_diff(a, &x0)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// The composite cost never increases along the proximal flow (FCN and PFCN at any
    /// Euler step dt ≤ τ, and LCA), from any start.
    #[test]
    fn cost_never_increases_along_the_flow(
        seed in 0u64..1000,
        dt in 0.05f64..1.0,
        lambda in 0.01f64..1.0,
        positive in any::<bool>(),
        lca in any::<bool>(),
    ) {
        let phi = gaussian_dictionary(12, 20, seed);
        let (_, y) = sparse_signal(&phi, 3, seed + 1, !positive);
        let mut p = SparseParams::new(lambda, positive);
        if lca { p.method = SparseMethod::Lca; }
        p.dt = dt;
        p.tol = 1e-10;
        let budget = Budget::steps(3000);
        let init: Vec<f64> = attractor::rng::uniform(seed, 20, 0.0, 2.0).unwrap();
        let tr = coder(&phi, p).trajectory(&y, Some(&init), 1, 1 << 16, &budget).unwrap();
        for w in tr.objective.windows(2) {
            prop_assert!(w[1] <= w[0] + 1e-12 * w[0].abs().max(1.0), "cost rose {} -> {}", w[0], w[1]);
        }
    }
}

/// With more features than atoms the least-squares term is strongly convex and the FCN
/// contracts: Euler with step h shrinks the distance to the equilibrium by at least
/// `1 − h·c` per step, `c` the bound of Gokhale, Davydov, Bullo.
#[test]
fn measured_contraction_respects_the_bound() {
    let phi = gaussian_dictionary(60, 30, 21);
    let (_, y) = sparse_signal(&phi, 5, 22, true);
    for (gamma, h) in [(None, 0.2), (Some(0.5), 0.5), (None, 1.0)] {
        let mut p = SparseParams::new(0.1, false);
        p.gamma = gamma;
        p.dt = h;
        p.tol = 1e-14;
        let budget = Budget::steps(100_000);
        let c = coder(&phi, p);
        let rate = c.contraction_rate().unwrap().expect("strongly convex");
        assert!(rate > 0.0 && rate < 1.0);
        let tr = c.trajectory(&y, None, 1, 1 << 20, &budget).unwrap();
        let star = tr.end.code(0).to_vec();
        let dist: Vec<f64> = tr
            .codes
            .col_iter()
            .map(|col| {
                col.iter()
                    .zip(&star)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
                    .sqrt()
            })
            .collect();
        let mut checked = 0;
        for w in dist.windows(2) {
            if w[0] < 1e-9 {
                break;
            }
            assert!(
                w[1] <= (1.0 - h * rate) * w[0] * (1.0 + 1e-9),
                "gamma {gamma:?}, h {h}: ratio {} above the bound {}",
                w[1] / w[0],
                1.0 - h * rate
            );
            checked += 1;
        }
        assert!(checked > 10, "only {checked} steps checked");
    }
}

/// A batch of signals gives the same codes, statuses and step counts as one signal at a time.
#[test]
fn batched_equals_one_signal_at_a_time() {
    let phi = gaussian_dictionary(30, 50, 31);
    let k = 9;
    let signals: Vec<Vec<f64>> = (0..k)
        .map(|j| sparse_signal(&phi, 2 + j % 4, 40 + j as u64, j % 2 == 0).1)
        .collect();
    let y = Mat::from_fn(30, k, |i, j| signals[j][i]);
    for method in [SparseMethod::Fcn, SparseMethod::Lca, SparseMethod::LcaHard] {
        for solve in [false, true] {
            let mut p = SparseParams::new(0.1, false);
            p.method = method;
            p.equilibrium_solve = solve;
            let budget = Budget::steps(50_000);
            let c = SparseCoder::new(
                Arc::new(Dictionary::new(phi.clone(), attractor::linalg::ALL_THREADS).unwrap()),
                p.clone(),
            )
            .unwrap();
            let batch = c.encode(y.as_ref(), &budget).unwrap();
            for (j, s) in signals.iter().enumerate() {
                let one = coder(&phi, p.clone())
                    .encode(column(s).as_ref(), &budget)
                    .unwrap();
                let what = format!("{method} solve={solve} signal {j}");
                assert_eq!(batch.status[j], one.status[0], "{what}");
                assert_eq!(batch.n_steps[j], one.n_steps[0], "{what}");
                let d = max_diff(batch.code(j), one.code(0));
                assert!(d < 1e-12, "{what}: {d:e}");
            }
        }
    }
}

/// Warm starts: a path over decreasing λ equals solving each λ from zero, and warm-started
/// runs take fewer steps in all.
#[test]
fn regularisation_path_matches_cold_solves() {
    let phi = gaussian_dictionary(30, 60, 51);
    let (_, y) = sparse_signal(&phi, 6, 52, false);
    let lambdas = [1.0, 0.5, 0.2, 0.1, 0.05];
    let mut p = SparseParams::new(1.0, true);
    p.equilibrium_solve = false;
    p.tol = 1e-10;
    let budget = Budget::steps(200_000);
    let c = coder(&phi, p.clone());
    let path = c.path(column(&y).as_ref(), &lambdas, &budget).unwrap();
    let (mut warm, mut cold) = (0, 0);
    for (codes, &lambda) in path.iter().zip(&lambdas) {
        let mut q = p.clone();
        q.lambda = lambda;
        let alone = coder(&phi, q).encode(column(&y).as_ref(), &budget).unwrap();
        assert_eq!(codes.status[0], Status::Certified);
        assert!((codes.objective[0] - alone.objective[0]).abs() <= 1e-9 * alone.objective[0]);
        assert!(max_diff(codes.code(0), alone.code(0)) < 1e-5);
        warm += codes.n_steps[0];
        cold += alone.n_steps[0];
    }
    assert!(warm < cold, "warm starts took {warm} steps, cold {cold}");
    let e = c
        .path(column(&y).as_ref(), &[0.1, 0.2], &budget)
        .unwrap_err()
        .to_string();
    assert!(e.contains("lambdas") && e.contains("decreasing"), "{e}");
}

#[test]
fn bad_input_is_refused_with_a_named_value() {
    let phi = gaussian_dictionary(10, 20, 61);
    let dict = Arc::new(Dictionary::new(phi.clone(), Par::Seq).unwrap());
    let err = |p: SparseParams| SparseCoder::new(dict.clone(), p).unwrap_err().to_string();
    let e = err(SparseParams::new(-0.1, false));
    assert!(e.contains("lambda") && e.contains("-0.1"), "{e}");
    let e = err(SparseParams::new(f64::NAN, false));
    assert!(e.contains("lambda"), "{e}");
    let mut p = SparseParams::new(0.1, false);
    p.method = SparseMethod::Pfcn;
    let e = err(p);
    assert!(e.contains("pfcn") && e.contains("non-negative"), "{e}");
    let mut p = SparseParams::new(0.1, false);
    p.dt = 2.0;
    assert!(err(p).contains("dt"));
    let mut p = SparseParams::new(0.1, false);
    p.tol = -1.0;
    assert!(err(p).contains("tol"));
    let mut p = SparseParams::new(0.1, false);
    p.gamma = Some(0.0);
    assert!(err(p).contains("gamma"));
    assert!(
        "lasso"
            .parse::<SparseMethod>()
            .unwrap_err()
            .to_string()
            .contains("pfcn, fcn")
    );

    let e = Dictionary::new(Mat::zeros(10, 0), Par::Seq)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at least one atom"), "{e}");
    let e = Dictionary::new(Mat::zeros(10, 3), Par::Seq)
        .unwrap_err()
        .to_string();
    assert!(e.contains("non-zero"), "{e}");
    // atoms whose products overflow are named, not reported as "all atoms zero"
    let e = Dictionary::new(
        Mat::from_fn(3, 2, |i, j| if i == j { 1e200 } else { 0.0 }),
        Par::Seq,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("atom 0") && e.contains("1e200") && e.contains("overflow"),
        "{e}"
    );
    let mut bad = phi.clone();
    bad[(3, 4)] = f64::INFINITY;
    let e = Dictionary::new(bad, Par::Seq).unwrap_err().to_string();
    assert!(e.contains("dictionary") && e.contains("inf"), "{e}");

    let c = SparseCoder::new(dict.clone(), SparseParams::new(0.1, true)).unwrap();
    let e = c
        .encode(Mat::zeros(10, 1).as_ref(), &Budget::steps(0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("max_iter"), "{e}");
    let budget = Budget::new();
    let e = c
        .encode(Mat::zeros(11, 2).as_ref(), &budget)
        .unwrap_err()
        .to_string();
    assert!(e.contains("11 features") && e.contains("10"), "{e}");
    let e = c
        .encode(Mat::zeros(10, 0).as_ref(), &budget)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at least one signal"), "{e}");
    let mut y = Mat::<f64>::zeros(10, 2);
    y[(2, 1)] = f64::NAN;
    let e = c.encode(y.as_ref(), &budget).unwrap_err().to_string();
    assert!(e.contains("signals") && e.contains("NaN"), "{e}");
    let init = Mat::from_fn(20, 1, |i, _| if i == 3 { -1.0 } else { 0.0 });
    let e = c
        .encode_from(Mat::zeros(10, 1).as_ref(), Some(init.as_ref()), &budget)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("initial codes") && e.contains("non-negative"),
        "{e}"
    );
    let e = c
        .encode_from(
            Mat::zeros(10, 1).as_ref(),
            Some(Mat::zeros(19, 1).as_ref()),
            &budget,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("initial codes"), "{e}");
}

#[test]
fn zero_signal_codes_to_zero_and_models_are_send_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SparseCoder>();
    send_sync::<Dictionary>();
    let phi = gaussian_dictionary(10, 20, 71);
    let codes = coder(&phi, SparseParams::new(0.1, false))
        .encode(Mat::zeros(10, 3).as_ref(), &Budget::new())
        .unwrap();
    assert!(codes.codes.col_iter().all(|c| c.iter().all(|&v| v == 0.0)));
    assert!(codes.status.iter().all(|s| *s == Status::Certified));
    assert_eq!(codes.objective, vec![0.0; 3]);
}

/// The generic proximal gradient flow on every composite problem the library has: least
/// squares or a quadratic `f`, and each regulariser `g`. The composite cost never rises along
/// the flow (Euler with dt < 1 is a relaxed proximal gradient step), the end is a fixed point
/// of the proximal gradient map, and with a strongly convex `f` the reported contraction rate
/// bounds the measured one.
#[test]
fn proximal_flow_descends_on_every_composite_problem() {
    use attractor::energy::Prox;
    use attractor::energy::{LeastSquares, Quadratic};
    use attractor::flow::{ProximalFlow, VectorField};
    use attractor::prox::{
        BoxProx, ElasticNet, NonNegative, NonNegativeSoftThreshold, SoftThreshold,
    };
    use attractor::step::Euler;
    fn check<
        F: attractor::energy::Gradient + attractor::energy::Curvature + Clone,
        G: Prox + Clone,
    >(
        what: &str,
        f: F,
        g: G,
        n: usize,
    ) {
        let mut flow = ProximalFlow::new(f, g, 0.05).unwrap();
        let rate = flow.contraction_rate().unwrap().expect("strongly convex");
        // feasible for every g here (inside the boxes and the orthant)
        let x0: Vec<f64> = (0..n).map(|i| 0.1 * (i + 1) as f64).collect();
        let sol = attractor::run::Run::new(0.5)
            .unwrap()
            .max_steps(20_000)
            .steady_state(0.0, 1e-13)
            .unwrap()
            .solve(&mut flow, &mut Euler::new(), &x0)
            .unwrap();
        assert_eq!(sol.status, Status::Converged, "{what}");
        let inc = sol.max_energy_increase.unwrap();
        assert!(inc <= 1e-12, "{what}: the cost rose by {inc:e}");
        let mut dx = vec![0.0; n];
        flow.eval_into(0.0, &sol.state, &mut dx);
        assert!(
            dx.iter().all(|d| d.abs() < 1e-12),
            "{what}: not a fixed point"
        );
        // the measured rate from a second start, one Euler step of 0.5 at a time
        let x1: Vec<f64> = x0.iter().rev().copied().collect();
        let mut x = x1;
        let mut prev = f64::INFINITY;
        for _ in 0..50 {
            let d = x
                .iter()
                .zip(&sol.state)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                .sqrt();
            if d < 1e-9 {
                break;
            }
            assert!(
                d <= prev * (1.0 - 0.5 * rate) * (1.0 + 1e-9) || prev.is_infinite(),
                "{what}"
            );
            prev = d;
            flow.eval_into(0.0, &x, &mut dx);
            for (xi, di) in x.iter_mut().zip(&dx) {
                *xi += 0.5 * di;
            }
        }
    }
    let phi = gaussian_dictionary(12, 6, 81);
    let (_, y) = sparse_signal(&phi, 2, 82, true);
    let ls = LeastSquares::new(phi.clone(), y[..12].to_vec()).unwrap();
    let w = phi.transpose() * &phi + Mat::<f64>::identity(6, 6);
    let quad = Quadratic::new(w, vec![0.5, -1.0, 0.3, 0.0, 2.0, -0.7]).unwrap();
    check(
        "least squares + l1",
        ls.clone(),
        SoftThreshold::new(0.2).unwrap(),
        6,
    );
    check(
        "least squares + non-negative l1",
        ls.clone(),
        NonNegativeSoftThreshold::new(0.2).unwrap(),
        6,
    );
    check(
        "least squares + elastic net",
        ls.clone(),
        ElasticNet::new(0.2, 0.5).unwrap(),
        6,
    );
    check(
        "least squares + box",
        ls.clone(),
        BoxProx::new(vec![-0.5; 6], vec![0.7; 6]).unwrap(),
        6,
    );
    check("least squares + orthant", ls, NonNegative, 6);
    check(
        "quadratic + l1",
        quad.clone(),
        SoftThreshold::new(0.3).unwrap(),
        6,
    );
    check(
        "quadratic + box",
        quad.clone(),
        BoxProx::new(vec![0.0; 6], vec![1.0; 6]).unwrap(),
        6,
    );
    check("quadratic + orthant", quad, NonNegative, 6);
}
