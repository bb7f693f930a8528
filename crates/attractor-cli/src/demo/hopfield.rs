//! Chapter 1: a random symmetric continuous Hopfield network relaxes to an attractor while its
//! energy never increases.

use super::{Chapter, DemoArgs, Panel};
use anyhow::{Context, Result, bail};
use attractor::analysis::{contraction, jacobian, spectral_abscissa};
use attractor::models::{Activation, HopfieldNetwork, random_symmetric_weights};
use attractor::run::Run;
use attractor::step::Dopri5;

pub struct HopfieldChapter;

const GAIN: f64 = 1.5;

impl Chapter for HopfieldChapter {
    fn name(&self) -> &'static str {
        "hopfield"
    }
    fn summary(&self) -> &'static str {
        "a random symmetric continuous Hopfield network relaxes; its energy never rises"
    }
    fn run(&self, args: &DemoArgs) -> Result<Vec<Panel>> {
        let n = args.n;
        if !(2..=5000).contains(&n) {
            bail!("--n {n} is out of range; use a network size between 2 and 5000");
        }
        let w = random_symmetric_weights(n, GAIN, args.seed)?;
        let c = contraction(&w, Activation::Tanh, 1.0)?;
        let net = HopfieldNetwork::new(w, Activation::Tanh)?;
        let x0 = attractor::rng::uniform(args.seed ^ 0x5eed, n, -1.0, 1.0)?;

        println!("== hopfield: continuous Hopfield network  τẋ = −x + W tanh(x) ==");
        println!(
            "n = {n}, W random symmetric (gain {GAIN}, seed {}), λ_max(W) = {:.3} → {}",
            args.seed,
            c.lambda,
            if c.contracting {
                "contracting: one global attractor"
            } else {
                "not contracting: many attractors"
            }
        );
        let (rtol, atol) = (1e-8, 1e-10);
        println!(
            "stepper: Dormand–Prince 5(4), rtol {rtol:e}, atol {atol:e}; start: x0 ~ U(−1, 1)"
        );
        let sol = Run::new(0.05)?
            .max_steps(200_000)
            .steady_state(1e-8, 1e-10)?
            .solve(&mut net.flow(), &mut Dopri5::new(rtol, atol)?, &x0)
            .context("hopfield demo run")?;

        println!("{:>10}  {:>16}", "t", "energy E(x)");
        let rows = 10usize.min(sol.trace.len());
        for k in 0..rows {
            let i = if rows == 1 {
                0
            } else {
                k * (sol.trace.len() - 1) / (rows - 1)
            };
            let p = sol.trace[i];
            println!("{:>10.4}  {:>16.9}", p.t, p.energy);
        }
        println!("status: {:?} — {}", sol.status, sol.message());
        println!(
            "steps: {} accepted, {} rejected, {} vector-field evaluations, {:.2} ms",
            sol.n_steps,
            sol.n_rejected,
            sol.n_evals,
            sol.elapsed.as_secs_f64() * 1e3
        );
        let inc = sol.max_energy_increase.unwrap_or(f64::NAN);
        println!(
            "largest energy increase between steps: {inc:.3e} ({})",
            if inc <= 1e-12 * (1.0 + sol.energy.unwrap_or(0.0).abs()) {
                "≤ 0 up to rounding: E is a Lyapunov function"
            } else {
                "POSITIVE: E rose"
            }
        );
        let j = jacobian(&mut net.flow(), sol.t, &sol.state)?;
        let a = spectral_abscissa(&j)?;
        let active = sol.state.iter().filter(|v| v.abs() > 0.5).count();
        println!(
            "attractor: {active}/{n} neurons saturated (|x| > 0.5); largest Re λ of the Jacobian {a:.4} ({})",
            if a < 0.0 { "stable" } else { "not stable" }
        );

        Ok(vec![Panel {
            title: format!("Hopfield network, n = {n}: energy along the flow"),
            x_label: "time t".into(),
            y_label: "energy E(x(t))".into(),
            series: vec![(
                "E(x(t))".into(),
                sol.trace.iter().map(|p| (p.t, p.energy)).collect(),
            )],
            images: None,
        }])
    }
}
