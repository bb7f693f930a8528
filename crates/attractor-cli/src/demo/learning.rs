//! Chapter: learning as the other dynamical system. Denoising score matching (Vincent 2011)
//! fits a two-layer energy network to a 2-D Gaussian mixture; Langevin chains on the learned
//! energy then sample it, and their histogram is printed beside the data's with the mixture
//! weights each recovers. Then a non-symmetric firing-rate network — no energy exists — is
//! certified contracting in a weighted norm (Davydov, Jafarpour & Bullo, IEEE TAC 2022), and
//! the certified rate is printed beside the rate measured on two simulated trajectories.

use super::{Chapter, DemoArgs, ImagePanel, Panel};
use anyhow::{Context, Result};
use attractor::analysis::{NetworkForm, NormChoice, certify, contraction};
use attractor::learn::score_matching::objective_value;
use attractor::learn::{Objective, ScoreMatchingParams, ScoreMatchingTrainer};
use attractor::markov::MarkovSampler;
use attractor::models::score_energy::{Batched, EnergyNetwork};
use attractor::models::{Activation, FiringRateNetwork};
use attractor::rng::stream;
use attractor::run::{Budget, Run};
use attractor::samplers::BatchLangevinSampler;
use attractor::schedule::Ramp;
use attractor::step::Rk4;
use faer::Mat;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use std::ops::ControlFlow;

pub struct LearningChapter;

const WEIGHTS: [f64; 3] = [0.5, 0.3, 0.2];
const CENTRES: [[f64; 2]; 3] = [[-1.5, 0.0], [1.5, 0.0], [0.0, 1.8]];
const STD: f64 = 0.8;
const N_DATA: usize = 3000;
const EPOCHS: usize = 150;
const LEARNING_RATE: f64 = 0.003;
const SIGMA: f64 = 0.1;
const HIDDEN: usize = 64;
const N_CHAINS: usize = 3000;
const STEPS: usize = 1600;
const STEP: f64 = 0.01;
/// The histogram window `[−4, 4] × [−3, 4]` and its cells.
const GRID: (f64, f64, f64, f64) = (-4.0, 4.0, -3.0, 4.0);
const COLS: usize = 48;
const ROWS: usize = 18;

fn mixture(seed: u64) -> Mat<f64> {
    let mut r = stream(seed, 0);
    let mut x = Mat::zeros(2, N_DATA);
    for j in 0..N_DATA {
        let u: f64 = r.random();
        let k = if u < WEIGHTS[0] {
            0
        } else if u < WEIGHTS[0] + WEIGHTS[1] {
            1
        } else {
            2
        };
        for (i, c) in CENTRES[k].iter().enumerate() {
            let z: f64 = StandardNormal.sample(&mut r);
            x[(i, j)] = c + STD * z;
        }
    }
    x
}

/// Counts of the points in a `rows × cols` grid over the window (row 0 at the top).
fn histogram(x: &Mat<f64>, rows: usize, cols: usize) -> Vec<Vec<f64>> {
    let (x0, x1, y0, y1) = GRID;
    let mut h = vec![vec![0.0; cols]; rows];
    for j in 0..x.ncols() {
        let (a, b) = (x[(0, j)], x[(1, j)]);
        if !(x0..x1).contains(&a) || !(y0..y1).contains(&b) {
            continue;
        }
        let c = ((a - x0) / (x1 - x0) * cols as f64) as usize;
        let r = ((y1 - b) / (y1 - y0) * rows as f64) as usize;
        h[r.min(rows - 1)][c.min(cols - 1)] += 1.0;
    }
    h
}

/// The fraction of points nearest to each centre.
fn weights_of(x: &Mat<f64>) -> [f64; 3] {
    let mut w = [0.0; 3];
    for j in 0..x.ncols() {
        let d = |c: &[f64; 2]| (x[(0, j)] - c[0]).powi(2) + (x[(1, j)] - c[1]).powi(2);
        let k = (0..3)
            .min_by(|&a, &b| d(&CENTRES[a]).total_cmp(&d(&CENTRES[b])))
            .unwrap_or(0);
        w[k] += 1.0 / x.ncols() as f64;
    }
    w
}

fn density_rows(h: &[Vec<f64>]) -> Vec<String> {
    const SHADES: &[u8] = b" .:-=+*#%@";
    let max = h.iter().flatten().fold(0.0f64, |a, &b| a.max(b)).max(1.0);
    h.iter()
        .map(|row| {
            row.iter()
                .map(|&v| {
                    let k = ((v / max).sqrt() * (SHADES.len() - 1) as f64).round() as usize;
                    SHADES[k.min(SHADES.len() - 1)] as char
                })
                .collect()
        })
        .collect()
}

/// The demo's non-symmetric weights: a sparse directed network with a few strong, one-way
/// couplings (row and column scales spread), for which `‖W‖₂ > 1`.
fn directed_weights(n: usize, seed: u64) -> Mat<f64> {
    let mut r = stream(seed, 1);
    let scale: Vec<f64> = (0..n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut r);
            (0.8 * z).exp()
        })
        .collect();
    Mat::from_fn(n, n, |i, j| {
        if i != j && r.random_bool(0.12) {
            let v: f64 = r.random_range(-1.0..1.0);
            0.55 * v * scale[i] / scale[j]
        } else {
            0.0
        }
    })
}

/// A loss curve: (epoch, objective) points.
type Curve = Vec<(f64, f64)>;

/// Fit the energy network by `objective`, then sample it with annealed Langevin chains;
/// returns the samples and the loss per epoch.
fn fit_and_sample(
    data: &Mat<f64>,
    objective: Objective,
    seed: u64,
    verbose: bool,
) -> Result<(Mat<f64>, Curve)> {
    let mut net = EnergyNetwork::random(2, HIDDEN, 4.0, seed)?;
    let params = ScoreMatchingParams {
        objective,
        learning_rate: LEARNING_RATE,
        batch_size: 128,
        weight_decay: 0.0,
        seed,
    };
    let mut trainer = ScoreMatchingTrainer::new(&net, &params)?;
    let mut curve = Vec::new();
    let objective = params.objective.clone();
    let report = trainer.fit(&mut net, data.as_ref(), &Budget::steps(EPOCHS), |e| {
        // the objective on all the data, with the same noise every time, every fifth epoch
        if e.epoch % 5 != 0 && e.epoch != 1 {
            return ControlFlow::Continue(());
        }
        if let Ok(loss) = objective_value(e.model, data.as_ref(), &objective, seed) {
            curve.push((e.epoch as f64, loss));
            if verbose && [1, 10, 50, 100, EPOCHS].contains(&e.epoch) {
                println!("  epoch {:>4}: objective on the data {loss:.4}", e.epoch);
            }
        }
        ControlFlow::Continue(())
    })?;
    // no wall-clock times: the demo's output is reproducible
    println!(
        "  trained: {} epochs, {} updates",
        report.n_epochs, report.n_updates
    );
    let sampler =
        BatchLangevinSampler::new(Batched::new(net), STEP, Ramp::geometric(3.0, 1.0, 800.0))?;
    let samples = sampler
        .sample(N_CHAINS, seed, &Budget::steps(STEPS))
        .context("Langevin sampling of the learned energy")?
        .states;
    println!(
        "  Langevin: {N_CHAINS} chains × {STEPS} steps of h = {STEP} (T annealed 3 → 1 over the \
         first half)"
    );
    Ok((samples, curve))
}

impl Chapter for LearningChapter {
    fn name(&self) -> &'static str {
        "learning"
    }
    fn summary(&self) -> &'static str {
        "denoising score matching samples a 2-D mixture; a non-symmetric network's certified contraction rate"
    }
    fn run(&self, args: &DemoArgs) -> Result<Vec<Panel>> {
        println!("== learning: score matching, and certificates for networks without an energy ==");
        let data = mixture(args.seed);
        println!(
            "data: {N_DATA} points of a 2-D mixture, weights {WEIGHTS:?}, centres {CENTRES:?}, std {STD}"
        );
        println!(
            "model: E(x) = Σ_k a_k softplus(w_kᵀx + b_k) + ‖x‖²/(2·4²), {HIDDEN} hidden units; \
             Adam (η = {LEARNING_RATE}), {EPOCHS} epochs of minibatches of 128"
        );
        println!("denoising score matching at σ = {SIGMA} (Vincent 2011):");
        let (samples, curve) = fit_and_sample(&data, Objective::denoising(SIGMA), args.seed, true)?;
        let (hd, hs) = (
            histogram(&data, ROWS, COLS),
            histogram(&samples, ROWS, COLS),
        );
        println!("{:<w$}   Langevin samples of e^(-E)", "data", w = COLS);
        for (a, b) in density_rows(&hd).iter().zip(density_rows(&hs)) {
            println!("{a}   {b}");
        }
        let (wd, ws) = (weights_of(&data), weights_of(&samples));
        println!("mixture weights (fraction nearest each centre):");
        println!(
            "  data                      {:.3} {:.3} {:.3}",
            wd[0], wd[1], wd[2]
        );
        println!(
            "  denoising, samples        {:.3} {:.3} {:.3}",
            ws[0], ws[1], ws[2]
        );
        println!("exact score matching (Hyvärinen 2005; the trace of the Hessian in closed form):");
        let (exact, _) = fit_and_sample(&data, Objective::Exact, args.seed, false)?;
        let we = weights_of(&exact);
        println!(
            "  exact, samples            {:.3} {:.3} {:.3}   (no noise in its gradient: closer weights)",
            we[0], we[1], we[2]
        );

        // a network with no energy: certified, then measured
        let n = 40;
        let w = directed_weights(n, args.seed);
        let crude = contraction(&w, Activation::Tanh, 1.0)?;
        let cert = certify(
            &w,
            Activation::Tanh,
            NetworkForm::FiringRate,
            1.0,
            NormChoice::Auto,
        )?;
        println!();
        println!(
            "firing-rate network τẋ = −x + tanh(Wx + u), n = {n}, W sparse and non-symmetric (no energy)"
        );
        println!(
            "  ‖W‖₂ = {:.3}: the Euclidean test s‖W‖₂ < 1 {}",
            crude.lambda,
            if crude.contracting {
                "certifies it"
            } else {
                "fails"
            }
        );
        println!(
            "  {:?} certificate: rate c = {:.4} per τ ({}), criterion: {}",
            cert.norm,
            cert.rate,
            if cert.contracting {
                "contracting"
            } else {
                "not certified"
            },
            cert.criterion
        );
        let u: Vec<f64> = attractor::rng::uniform(args.seed ^ 7, n, -0.5, 0.5)?;
        let fr = FiringRateNetwork::new(w, Activation::Tanh)?.with_input(u)?;
        let x0 = attractor::rng::uniform(args.seed ^ 11, n, -0.95, 0.95)?;
        let y0 = attractor::rng::uniform(args.seed ^ 13, n, -0.95, 0.95)?;
        let norm = |a: &[f64], b: &[f64]| {
            let d: Vec<f64> = a.iter().zip(b).map(|(p, q)| p - q).collect();
            cert.norm_of(&d)
                .unwrap_or_else(|| d.iter().map(|v| v * v).sum::<f64>().sqrt())
        };
        let d0 = norm(&x0, &y0);
        let mut series = Vec::new();
        let mut measured = f64::INFINITY;
        println!("  {:>6} {:>14} {:>14}", "t", "‖x − y‖", "bound e^{-ct}‖·‖");
        for k in 0..=8 {
            let t = k as f64 * 2.0;
            let (xt, yt) = if k == 0 {
                (x0.clone(), y0.clone())
            } else {
                // no energy exists for this W: the run monitors none
                let run = Run::new(0.01)?
                    .t_end(t)?
                    .max_steps(1_000_000)
                    .energy_every(0);
                (
                    run.solve(&mut fr.flow(), &mut Rk4::new(), &x0)?.state,
                    run.solve(&mut fr.flow(), &mut Rk4::new(), &y0)?.state,
                )
            };
            let d = norm(&xt, &yt);
            if k > 0 {
                measured = measured.min((d0 / d).ln() / t);
            }
            series.push((t, d.max(1e-300).log10()));
            println!(
                "  {t:>6.1} {d:>14.4e} {:>14.4e}",
                d0 * (-cert.rate * t).exp()
            );
        }
        println!(
            "  measured rate (slowest over [0, t]): {measured:.4} per τ ≥ certified {:.4}: {}",
            cert.rate,
            if measured >= cert.rate {
                "the certificate holds"
            } else {
                "VIOLATED"
            }
        );
        if let Some(l) = cert.lipschitz_input {
            println!("  the equilibrium moves at most {l:.3}·‖Δu‖ when the input moves by Δu");
        }

        let to_img = |h: &[Vec<f64>]| {
            let max = h.iter().flatten().fold(0.0f64, |a, &b| a.max(b)).max(1.0);
            h.iter()
                .flatten()
                .map(|&v| 2.0 * (v / max).sqrt() - 1.0)
                .collect::<Vec<f64>>()
        };
        let (hd2, hs2) = (histogram(&data, 32, 32), histogram(&samples, 32, 32));
        Ok(vec![
            Panel {
                title: "score matching: data (left) and Langevin samples (right)".into(),
                x_label: String::new(),
                y_label: String::new(),
                series: Vec::new(),
                images: Some(ImagePanel {
                    width: 32,
                    height: 32,
                    rows: vec![vec![to_img(&hd2), to_img(&hs2)]],
                }),
            },
            Panel {
                title: "denoising score matching loss".into(),
                x_label: "epoch".into(),
                y_label: "objective on the data".into(),
                series: vec![("DSM, σ = 0.1".into(), curve)],
                images: None,
            },
            Panel {
                title: format!("non-symmetric network: certified rate {:.3}", cert.rate),
                x_label: "t / τ".into(),
                y_label: "log10 ‖x(t) − y(t)‖".into(),
                series: vec![
                    ("measured".into(), series),
                    (
                        "certified bound".into(),
                        (0..=8)
                            .map(|k| {
                                let t = k as f64 * 2.0;
                                (t, (d0 * (-cert.rate * t).exp()).max(1e-300).log10())
                            })
                            .collect(),
                    ),
                ],
                images: None,
            },
        ])
    }
}
