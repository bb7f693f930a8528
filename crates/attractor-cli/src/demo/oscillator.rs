//! Chapter: oscillator networks. Phases recall a stored binary pattern (Nishikawa, Lai &
//! Hoppensteadt 2004), and an oscillator Ising machine cuts a small graph, next to the
//! brute-force optimum.

use super::{Chapter, DemoArgs, Panel};
use anyhow::{Context, Result};
use attractor::analysis::overlap;
use attractor::models::{HebbianScale, OimParams, OscillatorIsingMachine, OscillatorMemory};
use attractor::problems::{IsingModel, Patterns, WeightedGraph, brute_force, flip_fraction};
use attractor::run::{Run, Silent};
use attractor::step::Rk4;

pub struct OscillatorChapter;

const N: usize = 64;
const K: usize = 4;
const FLIP: f64 = 0.2;
const JITTER: f64 = 0.4;
const GRAPH_N: usize = 20;

impl Chapter for OscillatorChapter {
    fn name(&self) -> &'static str {
        "oscillator"
    }
    fn summary(&self) -> &'static str {
        "phases recall a stored pattern; an oscillator Ising machine solves a small Max-Cut"
    }
    fn run(&self, args: &DemoArgs) -> Result<Vec<Panel>> {
        println!("== oscillator: associative memory by phases, and an oscillator Ising machine ==");
        let xi = Patterns::random_binary(K, N, args.seed)?;
        let w0 = OscillatorMemory::hebbian(&xi, HebbianScale::OverN, 0.0)?;
        let kc = w0.critical_kappa(xi.pattern(0))?;
        let kappa = (1.5 * kc).max(0.05);
        let mem = w0.with_kappa(kappa)?;
        println!(
            "memory: N = {N} oscillators, K = {K} random patterns, W = ΞΞᵀ/N; pattern 1 is stable iff κ > κ_c = {kc:.4} (signed-Laplacian spectrum); using κ = {kappa:.4}"
        );
        let s = flip_fraction(xi.pattern(0), FLIP, args.seed ^ 0x05c1)?;
        let mut phi = OscillatorMemory::jittered_phases(&s, JITTER, args.seed ^ 0x05c1)?;
        println!(
            "query: pattern 1 with {:.0}% of the bits flipped and phase jitter ±{JITTER}; overlap m = {:.3}",
            FLIP * 100.0,
            overlap(&OscillatorMemory::read_pattern(&phi), xi.pattern(0))?
        );
        let shown = 8;
        let mut traces: Vec<Vec<(f64, f64)>> = vec![Vec::new(); shown];
        let record = |phi: &[f64], t: f64, traces: &mut Vec<Vec<(f64, f64)>>| {
            for (i, tr) in traces.iter_mut().enumerate() {
                let d = phi[i] - phi[N - 1];
                tr.push((t, d.sin().atan2(d.cos())));
            }
        };
        record(&phi, 0.0, &mut traces);
        println!("{:>8}  {:>9}", "t", "overlap m");
        let (chunk, n_chunks) = (2.0, 60);
        for k in 1..=n_chunks {
            let sol = Run::new(0.05)?
                .t_end(chunk)?
                .solve(&mut mem.flow(), &mut Rk4::new(), &phi)
                .context("oscillator memory run")?;
            phi = sol.state;
            let t = k as f64 * chunk;
            record(&phi, t, &mut traces);
            if k % 10 == 0 || k == 1 {
                let m = overlap(&OscillatorMemory::read_pattern(&phi), xi.pattern(0))?;
                println!("{t:>8.1}  {m:>9.3}");
            }
        }
        let m = overlap(&OscillatorMemory::read_pattern(&phi), xi.pattern(0))?;
        println!(
            "recalled: |m| = {:.3} ({})",
            m.abs(),
            if m.abs() == 1.0 {
                "perfect recall, up to the global sign"
            } else {
                "partial recall"
            }
        );

        // Max-Cut on a built-in random graph
        let g = WeightedGraph::random(GRAPH_N, 0.3, &[1.0], args.seed)?;
        let model = IsingModel::max_cut(&g)?;
        let exact = brute_force(&model)?;
        let mut p = OimParams::for_model(&model);
        p.seed = args.seed;
        let n_steps = p.schedule.n_steps;
        let machine = OscillatorIsingMachine::new(model, p)?;
        let r = machine.solve(&attractor::run::Budget::steps(1), Silent)?;
        let osc_cut = r.oscillator.cut(&g);
        let cert = machine.certify(&r.oscillator.spins)?;
        println!(
            "\nMax-Cut: G(n = {GRAPH_N}, p = 0.3) from seed {}, {} edges; oscillator Ising machine θ̇_i = −Σ J_ij sin(θ_i − θ_j) − μ sin 2θ_i + noise, J = −w",
            args.seed,
            g.edges.len()
        );
        println!(
            "oscillators: cut {osc_cut} (after greedy descent {}), brute-force optimum {} over 2^{GRAPH_N} states; {} replicas × {} steps; stable at μ = {:.3}: {}",
            r.best().cut(&g),
            g.cut(&exact.spins)?,
            r.replicas,
            n_steps,
            r.mu_final_min,
            match cert.stable {
                Some(true) => "yes",
                Some(false) => "no",
                None => "undecided",
            }
        );
        Ok(vec![Panel {
            title: format!("Oscillator memory, N = {N}: phases φ_i − φ_N relax to 0 or ±π"),
            x_label: "time t".into(),
            y_label: "phase difference (rad)".into(),
            series: traces
                .into_iter()
                .enumerate()
                .map(|(i, tr)| (format!("φ_{} − φ_{N}", i + 1), tr))
                .collect(),
            images: None,
        }])
    }
}
