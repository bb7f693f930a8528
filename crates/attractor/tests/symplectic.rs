//! Second-order flows and symplectic steppers: the energy of a harmonic oscillator stays within
//! O(hᵖ) over a long run (leapfrog p = 2, symplectic Euler p = 1) while explicit Euler's drifts;
//! leapfrog is time-reversible to rounding; damping makes the energy a Lyapunov function.

use attractor::energy::Quadratic;
use attractor::flow::{InertialFlow, VectorField};
use attractor::run::Run;
use attractor::step::{Euler, Leapfrog, Stepper, SymplecticEuler};

/// Two uncoupled oscillators of frequencies 1 and 3: E = ½(x₀² + 9x₁²).
fn oscillator(gamma: f64) -> InertialFlow<Quadratic> {
    InertialFlow::new(
        Quadratic::new(faer::mat![[1.0, 0.0], [0.0, 9.0]], vec![0.0, 0.0]).unwrap(),
        gamma,
    )
    .unwrap()
}

/// The largest |E(t) − E(0)| over `steps` steps of `h`.
fn worst_energy_error<S: Stepper<InertialFlow<Quadratic>>>(mut s: S, h: f64, steps: usize) -> f64 {
    let mut f = oscillator(0.0);
    let mut z = vec![1.0, 0.5, 0.0, 0.0];
    let e0 = f.energy_at(0.0, &z).unwrap();
    s.init(&mut f, 0.0, &z);
    let mut worst = 0.0f64;
    for k in 0..steps {
        s.step(&mut f, k as f64 * h, &mut z, h).unwrap();
        worst = worst.max((f.energy_at(0.0, &z).unwrap() - e0).abs());
    }
    worst
}

#[test]
fn symplectic_steppers_conserve_the_energy_to_their_order_without_drift() {
    // over a time of 2000 (about 1000 periods of the fast oscillator)
    let run = |h: f64| -> (f64, f64, f64) {
        let steps = (2000.0 / h) as usize;
        (
            worst_energy_error(Leapfrog::new(), h, steps),
            worst_energy_error(SymplecticEuler::new(), h, steps),
            worst_energy_error(Euler::new(), h, steps.min(20_000)),
        )
    };
    let (lf1, se1, eu1) = run(0.02);
    let (lf2, se2, _) = run(0.01);
    println!("h 0.02: leapfrog {lf1:.3e}, symplectic Euler {se1:.3e}, Euler {eu1:.3e}");
    println!("h 0.01: leapfrog {lf2:.3e}, symplectic Euler {se2:.3e}");
    // orders: halving h divides the (bounded) error by 4 and by 2
    let (p_lf, p_se) = ((lf1 / lf2).log2(), (se1 / se2).log2());
    assert!((1.8..2.2).contains(&p_lf), "leapfrog order {p_lf}");
    assert!((0.8..1.2).contains(&p_se), "symplectic Euler order {p_se}");
    // bounded, small: no drift over a thousand periods
    assert!(lf1 < 2e-3 && se1 < 0.2, "{lf1} {se1}");
    // explicit Euler's energy grows without bound (here by far more in a tenth of the time)
    assert!(eu1 > 100.0 * se1, "Euler {eu1}");
}

#[test]
fn leapfrog_is_time_reversible_to_rounding() {
    let mut f = oscillator(0.0);
    let z0 = vec![0.3, -0.7, 0.2, 0.1];
    let mut z = z0.clone();
    let mut s = Leapfrog::new();
    s.init(&mut f, 0.0, &z);
    for _ in 0..10_000 {
        s.step(&mut f, 0.0, &mut z, 0.05).unwrap();
    }
    // flip the velocities, step the same number again, flip back: the start
    for v in &mut z[2..] {
        *v = -*v;
    }
    s.init(&mut f, 0.0, &z);
    for _ in 0..10_000 {
        s.step(&mut f, 0.0, &mut z, 0.05).unwrap();
    }
    for v in &mut z[2..] {
        *v = -*v;
    }
    let err = z
        .iter()
        .zip(&z0)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(err < 1e-10, "returned within {err}");
}

#[test]
fn damping_makes_the_energy_a_lyapunov_function_on_the_shared_run_loop() {
    let mut f = oscillator(0.5);
    let sol = Run::new(0.02)
        .unwrap()
        .max_steps(5000)
        .solve(&mut f, &mut Leapfrog::new(), &[1.0, 0.5, 0.0, 0.0])
        .unwrap();
    assert!(
        sol.max_energy_increase.unwrap() <= 1e-12,
        "{:?}",
        sol.max_energy_increase
    );
    let e = f.energy_at(0.0, &sol.state).unwrap();
    assert!(e < 1e-10, "energy {e} after t = 100 at gamma 0.5");
    let e = InertialFlow::new(Quadratic::new(faer::mat![[1.0]], vec![0.0]).unwrap(), -1.0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("damping gamma"), "{e}");
}
