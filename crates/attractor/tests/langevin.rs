//! Langevin dynamics samples the Gibbs density: on the double well
//! `E = (x₁² − 1)² + x₂²` at `T = 0.5` the marginal of `x₁` is `∝ exp(−(x₁² − 1)²/T)`.

use attractor::energy::FnEnergy;
use attractor::flow::LangevinFlow;
use attractor::run::{Observation, Run};
use attractor::schedule::Ramp;
use attractor::step::EulerMaruyama;
use std::ops::ControlFlow;

const TEMP: f64 = 0.5;

fn double_well() -> impl attractor::energy::Gradient {
    FnEnergy::new(
        2,
        |x: &[f64]| (x[0] * x[0] - 1.0).powi(2) + x[1] * x[1],
        |x: &[f64], g: &mut [f64]| {
            g[0] = 4.0 * x[0] * (x[0] * x[0] - 1.0);
            g[1] = 2.0 * x[1];
        },
    )
}

/// Samples of x₁ every `thin` steps from one long seeded chain.
fn samples(seed: u64, n_steps: usize, dt: f64, thin: usize) -> Vec<f64> {
    let mut flow = LangevinFlow::new(double_well(), Ramp::constant(TEMP)).unwrap();
    let mut out = Vec::with_capacity(n_steps / thin + 1);
    let burn_in = 5_000;
    Run::new(dt)
        .unwrap()
        .max_steps(n_steps)
        .energy_every(0)
        .solve_with_observer(
            &mut flow,
            &mut EulerMaruyama::new(seed),
            &[1.0, 0.0],
            |o: &Observation<'_>| {
                if o.step > burn_in && o.step.is_multiple_of(thin) {
                    out.push(o.x[0]);
                }
                ControlFlow::Continue(())
            },
        )
        .unwrap();
    out
}

/// The exact CDF of the x₁ marginal by the trapezoid rule on a fine grid.
fn exact_cdf() -> (Vec<f64>, Vec<f64>) {
    let (lo, hi, m) = (-3.0, 3.0, 60_001);
    let h = (hi - lo) / (m - 1) as f64;
    let xs: Vec<f64> = (0..m).map(|i| lo + i as f64 * h).collect();
    let p: Vec<f64> = xs
        .iter()
        .map(|x| (-(x * x - 1.0f64).powi(2) / TEMP).exp())
        .collect();
    let mut c = vec![0.0; m];
    for i in 1..m {
        c[i] = c[i - 1] + 0.5 * h * (p[i] + p[i - 1]);
    }
    let z = c[m - 1];
    (xs, c.into_iter().map(|v| v / z).collect())
}

#[test]
fn langevin_samples_the_gibbs_density_of_the_double_well() {
    let mut s = samples(2026, 10_000_000, 2e-3, 50);
    s.sort_by(f64::total_cmp);
    let (xs, cdf) = exact_cdf();
    let n = s.len() as f64;
    // Kolmogorov–Smirnov distance between the empirical and exact CDFs.
    let mut ks = 0.0f64;
    for (k, &v) in s.iter().enumerate() {
        let i = ((v + 3.0) / 6.0 * (xs.len() - 1) as f64)
            .round()
            .clamp(0.0, (xs.len() - 1) as f64) as usize;
        let f = cdf[i];
        ks = ks
            .max((f - k as f64 / n).abs())
            .max((f - (k + 1) as f64 / n).abs());
    }
    // Both wells must be visited about equally (symmetry), and the shape must match.
    let left = s.iter().filter(|&&v| v < 0.0).count() as f64 / n;
    println!(
        "KS distance {ks:.4} over {} samples; left-well fraction {left:.3}",
        s.len()
    );
    // Threshold 0.015: this seeded chain gives 0.005 (the chain is correlated and
    // Euler–Maruyama at dt = 2e-3 has an O(dt) bias); a wrong temperature (T = 0.35 or 0.7)
    // gives KS > 0.03 (checked in the next test).
    assert!(ks < 0.015, "KS distance {ks}");
    assert!((left - 0.5).abs() < 0.03, "left fraction {left}");
}

/// The same test has power: the exact CDF at a wrong temperature is far from the samples.
#[test]
fn ks_test_rejects_a_wrong_temperature() {
    let mut s = samples(7, 1_000_000, 2e-3, 20);
    s.sort_by(f64::total_cmp);
    let n = s.len() as f64;
    for wrong in [0.35, 0.7] {
        let (lo, hi, m) = (-3.0, 3.0, 6001usize);
        let h = (hi - lo) / (m - 1) as f64;
        let mut c = vec![0.0; m];
        for i in 1..m {
            let (a, b) = (lo + (i - 1) as f64 * h, lo + i as f64 * h);
            let pa = (-(a * a - 1.0f64).powi(2) / wrong).exp();
            let pb = (-(b * b - 1.0f64).powi(2) / wrong).exp();
            c[i] = c[i - 1] + 0.5 * h * (pa + pb);
        }
        let z = c[m - 1];
        let mut ks = 0.0f64;
        for (k, &v) in s.iter().enumerate() {
            let i = ((v - lo) / h).round().clamp(0.0, (m - 1) as f64) as usize;
            ks = ks.max((c[i] / z - k as f64 / n).abs());
        }
        assert!(ks > 0.03, "T = {wrong}: KS {ks} does not reject");
    }
}

#[test]
fn annealing_schedule_lowers_temperature() {
    let s = Ramp::geometric(1.0, 0.01, 10.0);
    assert!((s.at(5.0) - 0.1).abs() < 1e-12);
    assert_eq!(s.at(20.0), 0.01);
    let l = Ramp::linear(2.0, 0.0, 4.0);
    assert_eq!(l.at(1.0), 1.5);
    let e = Ramp::constant(-1.0)
        .validate("temperature", false)
        .unwrap_err();
    assert!(e.to_string().contains("temperature = -1"), "{e}");
    let e = Ramp::linear(1.0, 0.0, f64::NAN)
        .validate("temperature", false)
        .unwrap_err();
    assert!(e.to_string().contains("temperature span = NaN"), "{e}");
}
