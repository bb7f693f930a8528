//! Invalid input returns an error whose message names the value.

use attractor::models::{Activation, FiringRateNetwork, HopfieldNetwork};
use attractor::run::Run;
use attractor::step::{Dopri5, Rk4};
use faer::Mat;

fn net(n: usize) -> HopfieldNetwork {
    HopfieldNetwork::new(Mat::zeros(n, n), Activation::Tanh).unwrap()
}

fn msg<T: std::fmt::Debug>(r: attractor::Result<T>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn dimension_mismatch_names_both_sizes() {
    let n = net(4);
    let m =
        msg(Run::new(0.1)
            .unwrap()
            .max_steps(5)
            .solve(&mut n.flow(), &mut Rk4::new(), &[0.0; 3]));
    assert!(
        m.contains("x0") && m.contains("length 3") && m.contains("expected 4"),
        "{m}"
    );
    let m = msg(net(3).with_decay(vec![1.0; 2]));
    assert!(m.contains("decay") && m.contains("length 2"), "{m}");
    let m = msg(HopfieldNetwork::new(Mat::zeros(3, 2), Activation::Tanh));
    assert!(m.contains("square"), "{m}");
    let m = msg(net(3).with_input_matrix(&Mat::zeros(3, 2), &[1.0]));
    assert!(
        m.contains("input u") && m.contains("length 1, expected 2"),
        "{m}"
    );
}

#[test]
fn non_finite_values_are_located() {
    let mut w = Mat::<f64>::zeros(3, 3);
    w[(1, 2)] = f64::NAN;
    let m = msg(HopfieldNetwork::new(w, Activation::Tanh));
    assert!(m.contains("row 1, column 2") && m.contains("NaN"), "{m}");
    let n = net(3);
    let m = msg(Run::new(0.1).unwrap().max_steps(5).solve(
        &mut n.flow(),
        &mut Rk4::new(),
        &[0.0, f64::INFINITY, 0.0],
    ));
    assert!(
        m.contains("x0") && m.contains("index 1") && m.contains("inf"),
        "{m}"
    );
    let m = msg(net(2).with_input(vec![1.0, f64::NAN]));
    assert!(m.contains("input") && m.contains("index 1"), "{m}");
}

#[test]
fn nonpositive_tau_and_decay() {
    for tau in [0.0, -2.0, f64::NAN] {
        let m = msg(net(2).with_tau(tau));
        assert!(m.contains("tau") && m.contains(&format!("{tau}")), "{m}");
    }
    let m = msg(FiringRateNetwork::new(Mat::zeros(2, 2), Activation::Relu)
        .unwrap()
        .with_tau(-1.0));
    assert!(m.contains("tau = -1"), "{m}");
    let m = msg(net(3).with_decay(vec![1.0, 0.0, 1.0]));
    assert!(m.contains("decay d[1] = 0"), "{m}");
}

#[test]
fn tolerances_and_step_sizes() {
    for rtol in [0.0, -1e-6] {
        let m = msg(Dopri5::new(rtol, 1e-9));
        assert!(
            m.contains(&format!("rtol = {}", attractor::format_number(rtol))),
            "{m}"
        );
    }
    let m = msg(Dopri5::new(1e-6, f64::NAN));
    assert!(m.contains("atol = NaN"), "{m}");
    for dt in [0.0, -0.1, f64::INFINITY] {
        let m = msg(Run::new(dt));
        assert!(m.contains(&format!("dt = {dt}")), "{m}");
    }
    let m = msg(Run::new(0.1).unwrap().steady_state(0.0, 0.0));
    assert!(m.contains("rtol = 0 and atol = 0"), "{m}");
}

#[test]
fn a_run_without_a_stop_rule_is_rejected() {
    let n = net(2);
    let m = msg(Run::new(0.1)
        .unwrap()
        .solve(&mut n.flow(), &mut Rk4::new(), &[0.0; 2]));
    assert!(m.contains("max_steps"), "{m}");
}

#[test]
fn divergence_is_a_status_with_the_last_finite_state() {
    // ẋ = −x + 50·tanh(x)·… with explicit Euler at a huge step blows up.
    let w = Mat::from_fn(2, 2, |i, j| if i == j { 0.0 } else { 1e3 });
    let n = HopfieldNetwork::new(w, Activation::Identity).unwrap();
    let sol = Run::new(1.0)
        .unwrap()
        .max_steps(10_000)
        .solve(&mut n.flow(), &mut Rk4::new(), &[1.0, 0.5])
        .unwrap();
    assert!(
        matches!(sol.status, attractor::run::Status::Diverged(_)),
        "{:?}",
        sol.status
    );
    assert!(sol.state.iter().all(|v| v.is_finite()));
    assert!(sol.message().contains("reduce dt"), "{}", sol.message());
}
