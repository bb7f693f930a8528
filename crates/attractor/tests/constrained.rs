//! Constrained optimisation by proximal gradient dynamics: the box-constrained QP
//! ([`BoxQp`]) and PI-PGD for equality constraints ([`PiPgd`]).

use attractor::models::{BoxQp, PiPgd, PiPgdParams};
use attractor::rng::{Rng, stream, streams};
use attractor::run::{Run, Status};
use attractor::step::Euler;
use faer::Mat;
use rand::RngExt;
use rand_distr::StandardNormal;

fn normal(r: &mut Rng) -> f64 {
    r.sample(StandardNormal)
}

fn msg<T: std::fmt::Debug>(r: attractor::Result<T>) -> String {
    r.unwrap_err().to_string()
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// `y = M x` by loops (independent of the library's kernels).
fn mul(m: &Mat<f64>, x: &[f64]) -> Vec<f64> {
    (0..m.nrows())
        .map(|i| (0..m.ncols()).map(|j| m[(i, j)] * x[j]).sum())
        .collect()
}

/// Least-squares line `y ≈ a + s t`: returns `(s, rms residual)`.
fn fit_line(t: &[f64], y: &[f64]) -> (f64, f64) {
    let k = t.len() as f64;
    let (mt, my) = (t.iter().sum::<f64>() / k, y.iter().sum::<f64>() / k);
    let sxy: f64 = t.iter().zip(y).map(|(a, b)| (a - mt) * (b - my)).sum();
    let sxx: f64 = t.iter().map(|a| (a - mt) * (a - mt)).sum();
    let s = sxy / sxx;
    let a = my - s * mt;
    let rss: f64 = t
        .iter()
        .zip(y)
        .map(|(ti, yi)| (yi - a - s * ti).powi(2))
        .sum();
    (s, (rss / k).sqrt())
}

// ---------------------------------------------------------------------------------------------
// PI-PGD: the example of Centorrino, Rossi, Russo, Bullo (SCIENCE.md §6)
// ---------------------------------------------------------------------------------------------

const N: usize = 10;
const M: usize = 5;

/// `W = 10I + W₀W₀ᵀ` with `W₀` (n × n) Gaussian, Gaussian `A` (m × n) and `b = 0.3·N(0, 1)`,
/// drawn from the parameter streams of `seed`.
fn paper_instance(seed: u64) -> (Mat<f64>, Mat<f64>, Vec<f64>) {
    let mut r = stream(seed, streams::PARAMS);
    let w0 = Mat::from_fn(N, N, |_, _| normal(&mut r));
    let w = Mat::from_fn(N, N, |i, j| {
        (0..N).map(|k| w0[(i, k)] * w0[(j, k)]).sum::<f64>() + if i == j { 10.0 } else { 0.0 }
    });
    let mut r = stream(seed, streams::PARAMS + 1);
    let a = Mat::from_fn(M, N, |_, _| normal(&mut r));
    let mut r = stream(seed, streams::PARAMS + 2);
    let b = (0..M).map(|_| 0.3 * normal(&mut r)).collect();
    (w, a, b)
}

/// The KKT conditions of `min ½xᵀWx + λ‖x‖₁ s.t. Ax = b` at `z = (x, ξ)`, computed here with
/// `ν = k_p(Ax − b) + k_i ξ` and `g = Wx + Aᵀν`: returns the worst violation of
/// `g_i + λ sign(x_i) = 0` (`x_i ≠ 0`) and `|g_i| ≤ λ` (`x_i = 0`, i.e. `|x_i| ≤ 1e-9`), and
/// the numbers of non-zero and zero components.
fn kkt_violation(
    w: &Mat<f64>,
    a: &Mat<f64>,
    b: &[f64],
    p: PiPgdParams,
    z: &[f64],
) -> (f64, usize, usize) {
    let (x, xi) = z.split_at(N);
    let r: Vec<f64> = mul(a, x).iter().zip(b).map(|(ax, bi)| ax - bi).collect();
    let nu: Vec<f64> = r
        .iter()
        .zip(xi)
        .map(|(ri, s)| p.k_p * ri + p.k_i * s)
        .collect();
    let wx = mul(w, x);
    let (mut worst, mut n_nonzero, mut n_zero) = (0.0f64, 0, 0);
    for i in 0..N {
        let g = wx[i] + (0..M).map(|k| a[(k, i)] * nu[k]).sum::<f64>();
        if x[i].abs() > 1e-9 {
            n_nonzero += 1;
            worst = worst.max((g + p.lambda * x[i].signum()).abs());
        } else {
            n_zero += 1;
            worst = worst.max(g.abs() - p.lambda);
        }
    }
    (worst, n_nonzero, n_zero)
}

#[test]
fn pi_pgd_paper_example_converges_linearly_to_a_kkt_point() {
    let (w, a, b) = paper_instance(11);
    let params = PiPgdParams {
        lambda: 1.0,
        k_p: 20.0,
        k_i: 20.0,
        gamma: None,
    };
    let p = PiPgd::new(w.clone(), a.clone(), b.clone(), params).unwrap();
    assert_eq!(p.dim(), N + M);
    let z0 = vec![0.0; N + M];
    let dt = 0.01;

    // z*: the same dynamics run much longer (t = 80).
    let long = Run::new(dt)
        .unwrap()
        .t_end(80.0)
        .unwrap()
        .energy_every(0)
        .solve(&mut p.flow(), &mut Euler::new(), &z0)
        .unwrap();
    let z_star = long.state.clone();
    assert!(
        p.kkt_residual(&z_star).unwrap() < 1e-12,
        "{}",
        p.kkt_residual(&z_star).unwrap()
    );

    // The example: Euler dt = 0.01 on [0, 30], recording ‖z − z*‖.
    let zs = z_star.clone();
    let sol = Run::new(dt)
        .unwrap()
        .t_end(30.0)
        .unwrap()
        .record("dist", move |_, z| dist(z, &zs))
        .solve(&mut p.flow(), &mut Euler::new(), &z0)
        .unwrap();
    assert_eq!(sol.status, Status::EndTime);
    assert!((sol.t - 30.0).abs() < 1e-9);
    assert!(sol.lyapunov_caveat.is_some());

    // ‖Ax − b‖ → 0, computed here from the state.
    let z = &sol.state;
    let (x, xi) = z.split_at(N);
    let r: Vec<f64> = mul(&a, x).iter().zip(&b).map(|(ax, bi)| ax - bi).collect();
    let feas = r.iter().map(|v| v * v).sum::<f64>().sqrt();
    eprintln!("PI-PGD: ‖Ax − b‖ at t = 30: {feas:.3e}");
    assert!(feas < 1e-6, "‖Ax − b‖ = {feas:.3e} at t = 30");
    assert!(p.constraint_residual(&z_star).unwrap() < 1e-13);
    assert!((p.constraint_residual(z).unwrap() - feas).abs() < 1e-12);

    // KKT, computed here: exactly (to rounding) at z*, and to the remaining distance at t = 30.
    let (kkt_star, nnz, nz) = kkt_violation(&w, &a, &b, params, &z_star);
    let (kkt_30, _, _) = kkt_violation(&w, &a, &b, params, z);
    eprintln!(
        "PI-PGD: {nnz} non-zero, {nz} zero components; worst KKT violation {kkt_star:.2e} at z*, {kkt_30:.2e} at t = 30"
    );
    assert!(nz > 0 && nnz > 0, "the instance should test both KKT cases");
    assert!(kkt_star < 1e-10, "KKT violated by {kkt_star:.3e} at z*");
    assert!(kkt_30 < 2e-5, "KKT violated by {kkt_30:.3e} at t = 30");
    assert!(p.kkt_residual(z).unwrap() < 1e-6);
    let nu: Vec<f64> = r
        .iter()
        .zip(xi)
        .map(|(ri, s)| params.k_p * ri + params.k_i * s)
        .collect();
    let (x_lib, nu_lib) = p.split(z).unwrap();
    assert!(dist(&nu, &nu_lib) < 1e-12 && x_lib == x);

    // log‖z − z*‖ decreases linearly after the transient.
    let d = sol.quantity("dist").unwrap();
    let t: Vec<f64> = sol.trace.iter().map(|q| q.t).collect();
    let window = |t0: f64, t1: f64| -> (Vec<f64>, Vec<f64>) {
        t.iter()
            .zip(d)
            .filter(|(ti, _)| **ti >= t0 && **ti <= t1)
            .map(|(ti, di)| (*ti, di.ln()))
            .unzip()
    };
    // After the transient (t ≥ 5) the log-distance is a line with a small periodic ripple
    // (a complex pair of eigenvalues of the linearisation decays about as fast as the slowest
    // real mode): fit a line on [5, 28] and check that the rates over three windows of about
    // one ripple period agree with it.
    let (tw, lw) = window(5.0, 28.0);
    let (slope, rms) = fit_line(&tw, &lw);
    let drop = lw[0] - lw[lw.len() - 1];
    let parts: Vec<f64> = [(5.0, 13.0), (12.5, 20.5), (20.0, 28.0)]
        .iter()
        .map(|&(a, b)| {
            let (tw, lw) = window(a, b);
            fit_line(&tw, &lw).0
        })
        .collect();
    eprintln!(
        "PI-PGD: log-distance slope {slope:.4} on [5, 28] (rms {rms:.3}, drop {drop:.2}), per window {parts:.4?}; d(0) = {:.3e}, d(30) = {:.3e}",
        d[0],
        d[d.len() - 1]
    );
    assert!(slope < -0.1, "slope {slope}");
    assert!(
        rms < 0.05 * drop,
        "log-distance is not a line: rms {rms}, drop {drop}"
    );
    for s in &parts {
        assert!(
            (s / slope - 1.0).abs() < 0.2,
            "window slopes {parts:?} vs {slope}"
        );
    }
    // the distance never grows after the transient
    let (_, lw) = window(5.0, 30.0);
    assert!(lw.windows(2).all(|p| p[1] <= p[0] + 1e-9));
}

// ---------------------------------------------------------------------------------------------
// Box-constrained QP
// ---------------------------------------------------------------------------------------------

/// A random strictly convex QP in n variables with bounds `lo < 0 < hi`.
fn box_instance(seed: u64, n: usize, c_scale: f64) -> BoxQp {
    let mut r = stream(seed, streams::PARAMS);
    let bm = Mat::from_fn(n, n, |_, _| normal(&mut r) / (n as f64).sqrt());
    let w = Mat::from_fn(n, n, |i, j| {
        (0..n).map(|k| bm[(i, k)] * bm[(j, k)]).sum::<f64>() + if i == j { 0.1 } else { 0.0 }
    });
    let c = (0..n).map(|_| c_scale * normal(&mut r)).collect();
    let lo = (0..n).map(|_| -r.random_range(0.2..1.0)).collect();
    let hi = (0..n).map(|_| r.random_range(0.2..1.0)).collect();
    BoxQp::new(w, c, lo, hi).unwrap()
}

/// Solve `M y = v` by Gaussian elimination with partial pivoting.
fn solve_dense(mut m: Vec<Vec<f64>>, mut v: Vec<f64>) -> Vec<f64> {
    let k = v.len();
    for col in 0..k {
        let piv = (col..k)
            .max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))
            .unwrap();
        m.swap(col, piv);
        v.swap(col, piv);
        for row in col + 1..k {
            let f = m[row][col] / m[col][col];
            for j in col..k {
                m[row][j] -= f * m[col][j];
            }
            v[row] -= f * v[col];
        }
    }
    let mut y = vec![0.0; k];
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|j| m[i][j] * y[j]).sum();
        y[i] = (v[i] - s) / m[i][i];
    }
    y
}

/// The minimiser by enumerating all 3ⁿ assignments of each variable to its lower bound, its
/// upper bound or free (the free ones solving `W_FF x_F = −(c_F + W_FB x_B)`), keeping the
/// feasible candidate of lowest objective.
fn brute_force(qp: &BoxQp) -> Vec<f64> {
    let n = qp.dim();
    let (w, c, lo, hi) = (qp.weights(), qp.linear(), qp.lower(), qp.upper());
    let obj = |x: &[f64]| {
        let wx = mul(w, x);
        0.5 * x.iter().zip(&wx).map(|(a, b)| a * b).sum::<f64>()
            + x.iter().zip(c).map(|(a, b)| a * b).sum::<f64>()
    };
    let mut best = (f64::INFINITY, vec![]);
    for code in 0..3usize.pow(n as u32) {
        let mut x = vec![0.0; n];
        let mut free = vec![];
        let mut k = code;
        for i in 0..n {
            match k % 3 {
                0 => x[i] = lo[i],
                1 => x[i] = hi[i],
                _ => free.push(i),
            }
            k /= 3;
        }
        if !free.is_empty() {
            let m: Vec<Vec<f64>> = free
                .iter()
                .map(|&i| free.iter().map(|&j| w[(i, j)]).collect())
                .collect();
            let v: Vec<f64> = free
                .iter()
                .map(|&i| {
                    -c[i]
                        - (0..n)
                            .filter(|j| !free.contains(j))
                            .map(|j| w[(i, j)] * x[j])
                            .sum::<f64>()
                })
                .collect();
            for (&i, y) in free.iter().zip(solve_dense(m, v)) {
                x[i] = y;
            }
        }
        if (0..n).all(|i| x[i] >= lo[i] - 1e-12 && x[i] <= hi[i] + 1e-12) {
            let e = obj(&x);
            if e < best.0 {
                best = (e, x);
            }
        }
    }
    best.1
}

#[test]
fn box_qp_equilibrium_equals_brute_force() {
    for seed in 3..=8 {
        let qp = box_instance(seed, 6, 0.4);
        let x_bf = brute_force(&qp);
        let sol = qp.solve(&[0.0; 6], 1e-13, 100_000).unwrap();
        assert_eq!(sol.status, Status::Certified, "{}", sol.message());
        let err = dist(&sol.state, &x_bf);
        let at_bound = (0..6)
            .filter(|&i| x_bf[i] == qp.lower()[i] || x_bf[i] == qp.upper()[i])
            .count();
        eprintln!(
            "box QP seed {seed}: {} PGD steps, {at_bound} of 6 at a bound, ‖x − x_bf‖ = {err:.2e}",
            sol.n_steps
        );
        assert!(
            at_bound > 0 && at_bound < 6,
            "the instance should mix active and free bounds"
        );
        assert!(err < 1e-10, "seed {seed}: ‖x − x_bf‖ = {err:.3e}");
        assert!(qp.kkt_residual(&sol.state).unwrap() <= 1e-13);
        assert!(qp.kkt_residual(&[0.0; 6]).unwrap() > 1e-3);
    }
}

#[test]
fn box_qp_objective_descends_and_iterates_stay_in_the_box() {
    let qp = box_instance(4, 6, 0.6);
    let (lo, hi) = (qp.lower().to_vec(), qp.upper().to_vec());
    let violation = move |_: f64, x: &[f64]| {
        (0..x.len()).fold(0.0f64, |m, i| m.max(lo[i] - x[i]).max(x[i] - hi[i]))
    };
    let mut r = stream(4, streams::INIT);
    let x0: Vec<f64> = (0..6)
        .map(|i| r.random_range(qp.lower()[i]..qp.upper()[i]))
        .collect();
    // Euler dt = τ (projected gradient descent) and a smaller step dt = τ/4, from inside the box.
    for dt in [1.0, 0.25] {
        let sol = Run::new(dt)
            .unwrap()
            .max_steps(400)
            .record("violation", violation.clone())
            .solve(&mut qp.flow(), &mut Euler::new(), &x0)
            .unwrap();
        let inc = sol.max_energy_increase.unwrap();
        let e = sol.energies();
        eprintln!(
            "box QP dt = {dt}: objective {:.6} -> {:.6}, largest increase {inc:.2e}",
            e[0],
            e[e.len() - 1]
        );
        assert!(inc <= 1e-14, "the objective rose by {inc:.3e}");
        assert!(e.windows(2).all(|p| p[1] <= p[0] + 1e-14));
        assert!(e[e.len() - 1] < e[0] - 1e-3);
        // x + dt·(p − x) is p up to one rounding when dt = τ
        assert!(
            sol.quantity("violation")
                .unwrap()
                .iter()
                .all(|&v| v <= 1e-15)
        );
    }
    // From outside the box, the first step lands in it (dt = τ).
    let outside: Vec<f64> = qp.upper().iter().map(|h| 3.0 * h + 1.0).collect();
    let sol = Run::new(1.0)
        .unwrap()
        .max_steps(50)
        .record("violation", violation)
        .solve(&mut qp.flow(), &mut Euler::new(), &outside)
        .unwrap();
    let v = sol.quantity("violation").unwrap();
    assert!(v[0] > 1.0 && v[1..].iter().all(|&x| x <= 4e-15), "{v:?}");
    // The check can fail: with γ = 3/L > 2/L projected gradient descent overshoots.
    let (_, l) = qp.eigenvalue_bounds();
    let big = qp.clone().with_gamma(3.0 / l).unwrap();
    let sol = Run::new(1.0)
        .unwrap()
        .max_steps(400)
        .solve(&mut big.flow(), &mut Euler::new(), &x0)
        .unwrap();
    let inc = sol.max_energy_increase.unwrap();
    eprintln!("box QP γ = 3/L: largest objective increase {inc:.3e}");
    assert!(
        inc > 1e-6,
        "γ = 3/L should break descent, rose by {inc:.3e}"
    );
}

/// Successive distance ratios `d_{k+1}/d_k` to `x*` under Euler with `dt = τ`, while `d_k` is
/// above rounding.
fn distance_ratios(qp: &BoxQp, x0: &[f64], x_star: &[f64], steps: usize) -> Vec<f64> {
    let xs = x_star.to_vec();
    let sol = Run::new(qp.tau())
        .unwrap()
        .max_steps(steps)
        .energy_every(1)
        .record("d", move |_, x| dist(x, &xs))
        .solve(&mut qp.flow(), &mut Euler::new(), x0)
        .unwrap();
    let d = sol.quantity("d").unwrap();
    assert_eq!(d.len(), steps + 1);
    d.windows(2)
        .take_while(|p| p[0] > 1e-6)
        .map(|p| p[1] / p[0])
        .collect()
}

#[test]
fn box_qp_contraction_rate_bounds_the_measured_rate() {
    // A QP with active bounds: every step contracts at least by 1 − τ·rate.
    let qp = box_instance(5, 6, 0.6);
    let x_bf = brute_force(&qp);
    let x0 = qp.upper().to_vec();
    for tau in [1.0, 2.5] {
        let q = qp.clone().with_tau(tau).unwrap();
        let rate = q.contraction_rate().unwrap();
        let bound = 1.0 - tau * rate;
        let ratios = distance_ratios(&q, &x0, &x_bf, 300);
        let worst = ratios.iter().cloned().fold(0.0, f64::max);
        eprintln!(
            "box QP τ = {tau}: rate {rate:.4}, per-step bound {bound:.4}, worst measured ratio {worst:.4} over {} steps",
            ratios.len()
        );
        assert!(ratios.len() > 10);
        assert!(
            worst <= bound + 1e-9,
            "ratio {worst} above the bound {bound}"
        );
    }

    // With every bound inactive (a huge box) the bound is attained: the error settles on the
    // eigenvector of ρ, shrinking by exactly |1 − γρ| per step (γ = 1/L), or on both extreme
    // eigenvectors for γ = 2/(ρ + L).
    let inner = box_instance(6, 6, 0.2);
    let (rho, l) = inner.eigenvalue_bounds();
    let wide = BoxQp::new(
        inner.weights().clone(),
        inner.linear().to_vec(),
        vec![-1e3; 6],
        vec![1e3; 6],
    )
    .unwrap();
    let x_star = brute_force(&wide);
    assert!(x_star.iter().all(|v| v.abs() < 1e3));
    let mut r = stream(6, streams::INIT);
    let x0: Vec<f64> = (0..6).map(|_| r.random_range(-1.0..1.0)).collect();
    for (gamma, tau) in [(1.0 / l, 1.0), (2.0 / (rho + l), 1.0), (1.0 / l, 2.5)] {
        let q = wide
            .clone()
            .with_gamma(gamma)
            .unwrap()
            .with_tau(tau)
            .unwrap();
        let bound = 1.0 - tau * q.contraction_rate().unwrap();
        let expected = (1.0 - gamma * rho).abs().max((1.0 - gamma * l).abs());
        assert!((bound - expected).abs() < 1e-12);
        let ratios = distance_ratios(&q, &x0, &x_star, 2000);
        let worst = ratios.iter().cloned().fold(0.0, f64::max);
        let late = ratios[ratios.len() - 20..]
            .iter()
            .cloned()
            .fold(0.0, f64::max);
        eprintln!(
            "wide box γ = {gamma:.4}, τ = {tau}: bound {bound:.6}, worst ratio {worst:.6}, late ratio {late:.6}"
        );
        assert!(
            worst <= bound * (1.0 + 1e-6),
            "ratio {worst} above the bound {bound}"
        );
        assert!(
            late >= 0.99 * bound,
            "the bound should be nearly attained: {late} vs {bound}"
        );
    }
    // no bound for a singular W or for γ ≥ 2/L
    let singular = BoxQp::new(
        Mat::zeros(2, 2),
        vec![1.0, -1.0],
        vec![0.0; 2],
        vec![1.0; 2],
    )
    .unwrap();
    assert_eq!(singular.contraction_rate(), None);
    let (_, l_qp) = qp.eigenvalue_bounds();
    assert_eq!(
        qp.clone()
            .with_gamma(2.5 / l_qp)
            .unwrap()
            .contraction_rate(),
        None
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

#[test]
fn box_qp_bad_input_names_the_value() {
    let ok = || {
        (
            Mat::<f64>::identity(3, 3),
            vec![0.0; 3],
            vec![-1.0; 3],
            vec![1.0; 3],
        )
    };
    let (w, c, lo, hi) = ok();
    let m = msg(BoxQp::new(w, vec![0.0; 2], lo, hi));
    assert!(m.contains("c") && m.contains("length 2, expected 3"), "{m}");
    let (_, c2, lo, hi) = ok();
    let m = msg(BoxQp::new(Mat::zeros(3, 2), c2, lo, hi));
    assert!(m.contains("W") && m.contains("square"), "{m}");
    let (w, c2, _, hi) = ok();
    let m = msg(BoxQp::new(w, c2, vec![-1.0; 4], hi));
    assert!(
        m.contains("lower bounds lo") && m.contains("length 4"),
        "{m}"
    );
    let (mut w, c2, lo, hi) = ok();
    w[(0, 2)] = f64::NAN;
    let m = msg(BoxQp::new(w, c2, lo, hi));
    assert!(
        m.contains("W") && m.contains("row 0, column 2") && m.contains("NaN"),
        "{m}"
    );
    let (w, _, lo, hi) = ok();
    let m = msg(BoxQp::new(w, vec![0.0, f64::INFINITY, 0.0], lo, hi));
    assert!(
        m.contains("c") && m.contains("index 1") && m.contains("inf"),
        "{m}"
    );
    let (w, c2, _, _) = ok();
    let m = msg(BoxQp::new(w, c2, vec![-1.0, 2.0, -1.0], vec![1.0; 3]));
    assert!(
        m.contains("lo[1]") && m.contains("[2, 1]") && m.contains("lower bound must be <="),
        "{m}"
    );
    let (mut w, c2, lo, hi) = ok();
    w[(0, 1)] = 0.5;
    let m = msg(BoxQp::new(w, c2, lo, hi));
    assert!(
        m.contains("W") && m.contains("symmetric") && m.contains("5.000e-1"),
        "{m}"
    );
    let (mut w, c2, lo, hi) = ok();
    w[(2, 2)] = -0.5;
    let m = msg(BoxQp::new(w, c2, lo, hi));
    assert!(
        m.contains("positive semidefinite") && m.contains("-5.0"),
        "{m}"
    );
    let (w, _, lo, hi) = ok();
    let qp = BoxQp::new(w, c, lo, hi).unwrap();
    let m = msg(qp.clone().with_gamma(-1.0));
    assert!(m.contains("gamma") && m.contains("-1"), "{m}");
    let m = msg(qp.clone().with_tau(0.0));
    assert!(m.contains("tau") && m.contains("> 0"), "{m}");
    let m = msg(qp.solve(&[0.0; 3], 0.0, 10));
    assert!(m.contains("tol"), "{m}");
    let m = msg(qp.solve(&[0.0; 2], 1e-9, 10));
    assert!(m.contains("x0") && m.contains("length 2"), "{m}");
    let m = msg(qp.kkt_residual(&[0.0, f64::NAN, 0.0]));
    assert!(m.contains("x") && m.contains("index 1"), "{m}");
}

#[test]
fn pi_pgd_bad_input_names_the_value() {
    let w = || Mat::<f64>::identity(4, 4);
    let a = || Mat::from_fn(2, 4, |i, j| if i == j { 1.0 } else { 0.5 });
    let b = || vec![1.0, -1.0];
    let p = PiPgdParams::default();
    let m = msg(PiPgd::new(w(), Mat::zeros(2, 3), b(), p));
    assert!(
        m.contains("A (columns)") && m.contains("length 3, expected 4"),
        "{m}"
    );
    let m = msg(PiPgd::new(w(), a(), vec![1.0; 3], p));
    assert!(m.contains("b") && m.contains("length 3, expected 2"), "{m}");
    let mut an = a();
    an[(1, 3)] = f64::INFINITY;
    let m = msg(PiPgd::new(w(), an, b(), p));
    assert!(
        m.contains("A (row 1, column 3)") && m.contains("inf"),
        "{m}"
    );
    let m = msg(PiPgd::new(w(), a(), vec![1.0, f64::NAN], p));
    assert!(
        m.contains("b") && m.contains("index 1") && m.contains("NaN"),
        "{m}"
    );
    let mut wa = w();
    wa[(3, 0)] = 1.0;
    let m = msg(PiPgd::new(wa, a(), b(), p));
    assert!(m.contains("W") && m.contains("symmetric"), "{m}");
    let m = msg(PiPgd::new(w(), Mat::from_fn(2, 4, |_, j| j as f64), b(), p));
    assert!(m.contains("A") && m.contains("full row rank"), "{m}");
    let m = msg(PiPgd::new(
        w(),
        Mat::from_fn(5, 4, |i, j| (i + j) as f64),
        vec![0.0; 5],
        p,
    ));
    assert!(
        m.contains("5 x 4") && m.contains("more constraints than variables"),
        "{m}"
    );
    let m = msg(PiPgd::new(w(), a(), b(), PiPgdParams { lambda: -0.5, ..p }));
    assert!(m.contains("lambda") && m.contains("-0.5"), "{m}");
    let m = msg(PiPgd::new(w(), a(), b(), PiPgdParams { k_p: 0.0, ..p }));
    assert!(
        m.contains("k_p") && m.contains("= 0") && m.contains("> 0"),
        "{m}"
    );
    let m = msg(PiPgd::new(w(), a(), b(), PiPgdParams { k_i: -2.0, ..p }));
    assert!(m.contains("k_i") && m.contains("-2"), "{m}");
    let m = msg(PiPgd::new(
        w(),
        a(),
        b(),
        PiPgdParams {
            gamma: Some(f64::NAN),
            ..p
        },
    ));
    assert!(m.contains("gamma") && m.contains("NaN"), "{m}");
    let ok = PiPgd::new(w(), a(), b(), p).unwrap();
    let m = msg(ok.kkt_residual(&[0.0; 4]));
    assert!(
        m.contains("z = (x, xi)") && m.contains("length 4, expected 6"),
        "{m}"
    );
    let m = msg(ok.split(&[0.0, 0.0, 0.0, 0.0, f64::NAN, 0.0]));
    assert!(m.contains("index 4"), "{m}");
}

#[test]
fn models_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<BoxQp>();
    assert_send_sync::<PiPgd>();
}
