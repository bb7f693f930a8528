//! Observed orders of the steppers on `ẋ = −Ax` against the exact solution.

use attractor::energy::Quadratic;
use attractor::flow::GradientFlow;
use attractor::run::{Run, Status};
use attractor::step::{Dopri5, Euler, Heun, Rk4, Stepper};
use faer::Mat;

const EIGS: [f64; 5] = [0.5, 1.0, 1.5, 2.0, 3.0];
const T: f64 = 1.0;

/// `A = Q diag(λ) Qᵀ` with a Householder reflection `Q = I − 2vvᵀ/‖v‖²`.
fn householder() -> Mat<f64> {
    let v = [1.0, -2.0, 0.5, 3.0, -1.0];
    let vv: f64 = v.iter().map(|a| a * a).sum();
    Mat::from_fn(5, 5, |i, j| {
        (if i == j { 1.0 } else { 0.0 }) - 2.0 * v[i] * v[j] / vv
    })
}

fn system() -> (GradientFlow<Quadratic>, Vec<f64>, Vec<f64>) {
    let q = householder();
    let a = Mat::from_fn(5, 5, |i, j| {
        (0..5).map(|k| q[(i, k)] * EIGS[k] * q[(j, k)]).sum()
    });
    let x0 = vec![1.0, -0.5, 0.25, 2.0, -1.0];
    // exact: x(T) = Q e^{−ΛT} Qᵀ x0
    let y: Vec<f64> = (0..5)
        .map(|k| (0..5).map(|i| q[(i, k)] * x0[i]).sum::<f64>() * (-EIGS[k] * T).exp())
        .collect();
    let exact = (0..5)
        .map(|i| (0..5).map(|k| q[(i, k)] * y[k]).sum())
        .collect();
    let flow = GradientFlow::new(Quadratic::new(a, vec![0.0; 5]).unwrap());
    (flow, x0, exact)
}

fn error_at_t<S: Stepper<GradientFlow<Quadratic>>>(stepper: &mut S, dt: f64) -> (f64, usize) {
    let (mut f, x0, exact) = system();
    let sol = Run::new(dt)
        .unwrap()
        .t_end(T)
        .unwrap()
        .max_steps(10_000_000)
        .energy_every(0)
        .solve(&mut f, stepper, &x0)
        .unwrap();
    assert_eq!(sol.status, Status::EndTime);
    assert!((sol.t - T).abs() < 1e-12);
    let err = sol
        .state
        .iter()
        .zip(&exact)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt();
    (err, sol.n_steps)
}

/// Least-squares slope of log(err) against log(dt).
fn observed_order<S: Stepper<GradientFlow<Quadratic>>>(
    mut make: impl FnMut() -> S,
    dts: &[f64],
) -> f64 {
    let pts: Vec<(f64, f64)> = dts
        .iter()
        .map(|&dt| (dt.ln(), error_at_t(&mut make(), dt).0.ln()))
        .collect();
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    sxy / sxx
}

#[test]
fn euler_is_first_order() {
    let p = observed_order(Euler::new, &[0.02, 0.01, 0.005, 0.0025]);
    println!("euler observed order {p:.3}");
    assert!((p - 1.0).abs() < 0.3, "Euler order {p}");
}

#[test]
fn heun_is_second_order() {
    let p = observed_order(Heun::new, &[0.04, 0.02, 0.01, 0.005]);
    println!("heun observed order {p:.3}");
    assert!((p - 2.0).abs() < 0.3, "Heun order {p}");
}

#[test]
fn rk4_is_fourth_order() {
    let p = observed_order(Rk4::new, &[0.1, 0.05, 0.025, 0.0125]);
    println!("rk4 observed order {p:.3}");
    assert!((p - 4.0).abs() < 0.3, "RK4 order {p}");
}

#[test]
fn dopri5_meets_tolerance_with_fewer_steps_than_rk4() {
    for &(rtol, atol) in &[(1e-6, 1e-8), (1e-9, 1e-11)] {
        let (err, steps) = error_at_t(&mut Dopri5::new(rtol, atol).unwrap(), 0.1);
        // ‖x(T)‖ ≈ 0.7; allow the usual small accumulation of local errors over the run.
        let tol = atol + rtol * 1.0;
        println!("dopri5 rtol {rtol:e}: error {err:.3e} in {steps} steps");
        assert!(
            err <= 10.0 * tol,
            "dopri5 error {err:e} above 10x tolerance {tol:e}"
        );
        // RK4 with halving steps until it is as accurate.
        let mut n_rk4 = 1usize;
        loop {
            let (e4, s4) = error_at_t(&mut Rk4::new(), T / n_rk4 as f64);
            if e4 <= err {
                println!("rk4 needs {s4} steps for error {e4:.3e}");
                assert!(s4 > steps, "rk4 {s4} steps vs dopri5 {steps}");
                break;
            }
            n_rk4 *= 2;
            assert!(n_rk4 < 1 << 20);
        }
    }
}
