//! Chapter: a restricted Boltzmann machine learns the 8×8 digits shipped with the repository.
//! With 16 hidden units the partition function is an exact sum over 2¹⁶ hidden states, so the
//! log-likelihood that CD-1 and PCD-1 climb (Hinton 2002; Tieleman 2008) is shown exactly,
//! AIS (Salakhutdinov & Murray 2008) is checked against it, and under `--plot` the samples
//! the trained machine dreams up are drawn.

use super::{Chapter, DemoArgs, ImagePanel, Panel};
use anyhow::Result;
use attractor::Par;
use attractor::learn::{CdMethod, CdParams, CdTrainer};
use attractor::markov::MarkovSampler;
use attractor::models::rbm::{AisParams, Rbm};
use attractor::problems::parse_npy_bytes;
use attractor::run::Budget;
use faer::Mat;
use std::ops::ControlFlow;

pub struct RbmChapter;

static DIGITS: &[u8] = include_bytes!("../../../../data/digits/digits_X_uint8.npy");

const HIDDEN: usize = 16;
const EPOCHS: usize = 30;
const LEARNING_RATE: f64 = 0.05;
const BATCH: usize = 10;
/// Epochs at which the story prints a row.
const SHOWN: [usize; 7] = [0, 1, 2, 5, 10, 20, 30];
const N_SAMPLES: usize = 36;
const SWEEPS: usize = 1000;

/// The digits binarised at half intensity, one per column (64 × 1797).
fn digits() -> Result<Mat<f64>> {
    let a = parse_npy_bytes(DIGITS, "digits_X_uint8.npy")?;
    let (k, n) = (a.shape[0], 64);
    Ok(Mat::from_fn(n, k, |i, s| {
        if a.data[s * n + i] / 16.0 > 0.5 {
            1.0
        } else {
            0.0
        }
    }))
}

/// The mean log-likelihood of the independent-pixel model fitted to the data (add-one
/// smoothed marginals): the baseline an RBM has to beat.
fn independent_pixels(data: &Mat<f64>) -> f64 {
    let n = data.ncols() as f64;
    (0..data.nrows())
        .map(|i| {
            let ones = (0..data.ncols()).map(|s| data[(i, s)]).sum::<f64>();
            let p = (ones + 1.0) / (n + 2.0);
            (ones * p.ln() + (n - ones) * (1.0 - p).ln()) / n
        })
        .sum()
}

fn ascii(x: &[f64]) -> Vec<String> {
    x.chunks(8)
        .map(|r| {
            r.iter()
                .map(|&p| if p >= 0.5 { '#' } else { '.' })
                .collect()
        })
        .collect()
}

/// One row of the training record: epoch, exact log-likelihood, exact pseudo-likelihood,
/// reconstruction error.
type Row = (usize, f64, f64, f64);

/// Train by `method`, recording (epoch, exact log-likelihood, pseudo-likelihood,
/// reconstruction error) at every epoch.
fn train(data: &Mat<f64>, method: CdMethod, seed: u64) -> Result<(Rbm, Vec<Row>)> {
    let mut rbm = Rbm::random(data.nrows(), HIDDEN, 0.01, seed)?;
    let params = CdParams {
        method,
        learning_rate: LEARNING_RATE,
        batch_size: BATCH,
        seed,
        ..CdParams::default()
    };
    let row = |rbm: &Rbm, epoch: usize| -> Result<Row> {
        Ok((
            epoch,
            rbm.log_likelihood_exact(data.as_ref(), Par::Seq)?,
            rbm.pseudo_likelihood_exact(data.as_ref(), Par::Seq)?,
            rbm.reconstruction_error(data.as_ref(), Par::Seq)?,
        ))
    };
    let mut rows = vec![row(&rbm, 0)?];
    let mut failure = None;
    let mut trainer = CdTrainer::new(&rbm, params)?;
    trainer.fit(
        &mut rbm,
        data.as_ref(),
        &Budget::steps(EPOCHS),
        |r| match row(r.rbm(), r.epoch) {
            Ok(x) => {
                rows.push(x);
                ControlFlow::Continue(())
            }
            Err(e) => {
                failure = Some(e);
                ControlFlow::Break(())
            }
        },
    )?;
    if let Some(e) = failure {
        return Err(e);
    }
    Ok((rbm, rows))
}

impl Chapter for RbmChapter {
    fn name(&self) -> &'static str {
        "rbm"
    }
    fn summary(&self) -> &'static str {
        "8x8 digits: an RBM trained by CD-1 and PCD-1, its exact log-likelihood, AIS and samples"
    }
    fn run(&self, args: &DemoArgs) -> Result<Vec<Panel>> {
        let data = digits()?;
        let (n, k) = (data.nrows(), data.ncols());
        println!(
            "== rbm: a restricted Boltzmann machine on the {k} 8×8 digits (binarised, {n} visible × {HIDDEN} hidden) =="
        );
        println!(
            "train {EPOCHS} epochs, minibatch {BATCH}, learning rate {LEARNING_RATE}, seed {}; log Z is exact (a sum over 2^{HIDDEN} hidden states)",
            args.seed
        );
        let (cd, cd_rows) = train(&data, CdMethod::Contrastive, args.seed)?;
        let (pcd, pcd_rows) = train(&data, CdMethod::Persistent, args.seed)?;
        println!(
            "{:>5}  {:>22}  {:>22}  {:>20}",
            "epoch", "log-likelihood CD-1", "log-likelihood PCD-1", "pseudo-lik. PCD-1"
        );
        for (c, p) in cd_rows.iter().zip(&pcd_rows) {
            if SHOWN.contains(&c.0) {
                println!("{:>5}  {:>22.3}  {:>22.3}  {:>20.3}", c.0, c.1, p.1, p.2);
            }
        }
        let base = independent_pixels(&data);
        println!("independent pixels (the data's marginals): {base:.3} nats per digit");
        let (cd_ll, pcd_ll) = (cd_rows[EPOCHS].1, pcd_rows[EPOCHS].1);
        println!(
            "after {EPOCHS} epochs both beat it: CD-1 by {:.2} and PCD-1 by {:.2} nats; the pseudo-likelihood",
            cd_ll - base,
            pcd_ll - base
        );
        println!(
            "(no log Z needed) follows the trend; at a fixed learning rate PCD's chains lag the moving model."
        );
        let (best, name) = if pcd_ll >= cd_ll {
            (&pcd, "PCD-1")
        } else {
            (&cd, "CD-1")
        };
        let exact = best.log_z_exact(Par::Seq)?;
        let ais = best.ais_log_z(
            &AisParams {
                n_betas: 1000,
                seed: args.seed,
                ..AisParams::default()
            },
            Some(data.as_ref()),
            &Budget::new(),
        )?;
        println!(
            "log Z of the {name} machine: exact {exact:.3}; AIS (100 runs × 1000 betas) {:.3} ± {:.3}",
            ais.log_z, ais.std_err
        );

        // dreams: chains from uniform noise, shown as the mean-field means of their last state
        let v = best
            .gibbs()
            .sample(N_SAMPLES, args.seed, &Budget::steps(SWEEPS))?
            .states;
        let h = best.hidden_probabilities(v.as_ref(), Par::Seq)?;
        let means = best.visible_means(h.as_ref(), Par::Seq)?;
        let image = |m: &Mat<f64>, s: usize| -> Vec<f64> { (0..n).map(|i| m[(i, s)]).collect() };
        println!("\nfour samples after {SWEEPS} Gibbs sweeps from noise ({name} machine):");
        let cols: Vec<Vec<String>> = (0..4).map(|s| ascii(&image(&means, s))).collect();
        for r in 0..8 {
            let line: Vec<&str> = cols.iter().map(|c| c[r].as_str()).collect();
            println!("    {}", line.join("  "));
        }

        let ink = |x: Vec<f64>| -> Vec<f64> { x.iter().map(|p| 2.0 * p - 1.0).collect() };
        let mut rows: Vec<Vec<Vec<f64>>> = vec![(0..12).map(|s| ink(image(&data, s))).collect()];
        let samples: Vec<Vec<f64>> = (0..N_SAMPLES).map(|s| ink(image(&means, s))).collect();
        rows.extend(samples.chunks(12).map(|c| c.to_vec()));
        let curve =
            |rows: &[Row]| -> Vec<(f64, f64)> { rows.iter().map(|r| (r.0 as f64, r.1)).collect() };
        Ok(vec![
            Panel {
                title: format!("RBM {n}×{HIDDEN} on the 8×8 digits: exact log-likelihood"),
                x_label: "epoch".into(),
                y_label: "log-likelihood (nats per digit)".into(),
                series: vec![
                    ("CD-1".into(), curve(&cd_rows)),
                    ("PCD-1".into(), curve(&pcd_rows)),
                    (
                        "independent pixels".into(),
                        vec![(0.0, base), (EPOCHS as f64, base)],
                    ),
                ],
                images: None,
            },
            Panel {
                title: format!(
                    "training digits (top) and {name} samples after {SWEEPS} Gibbs sweeps"
                ),
                x_label: String::new(),
                y_label: String::new(),
                series: Vec::new(),
                images: Some(ImagePanel {
                    width: 8,
                    height: 8,
                    rows,
                }),
            },
        ])
    }
}
