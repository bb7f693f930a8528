//! Chapter: equilibrium propagation (Scellier & Bengio 2017) trains a layered energy network
//! on the 8×8 digits shipped with the repository, with nothing but two relaxations per
//! minibatch and a local, contrastive update; then the gradient check shows that the update is
//! the gradient of the loss at the free equilibrium (implicit differentiation) to within `O(β)`
//! one-sided and `O(β²)` with symmetric nudging (Laborieux et al. 2021).

use super::{Chapter, DemoArgs, Panel};
use anyhow::Result;
use attractor::Par;
use attractor::learn::gradient_check::{CheckSettings, gradient_check};
use attractor::learn::{
    Dataset, EqPropParams, EquilibriumPropagation, Nudging, Sgd, TrainSettings, Trainer,
};
use attractor::models::layered::{Cost, LayerActivation, LayeredNetwork, Relaxation};
use attractor::problems::parse_npy_bytes;
use attractor::run::Budget;
use faer::Mat;
use std::ops::ControlFlow;

pub struct EqpropChapter;

static DIGITS_X: &[u8] = include_bytes!("../../../../data/digits/digits_X_uint8.npy");
static DIGITS_Y: &[u8] = include_bytes!("../../../../data/digits/digits_y_uint8.npy");

const HIDDEN: usize = 100;
const EPOCHS: usize = 15;
const N_TRAIN: usize = 1300;

impl Chapter for EqpropChapter {
    fn name(&self) -> &'static str {
        "eqprop"
    }
    fn summary(&self) -> &'static str {
        "equilibrium propagation learns the digits; its update checked against the gradient"
    }
    fn run(&self, _args: &DemoArgs) -> Result<Vec<Panel>> {
        let xa = parse_npy_bytes(DIGITS_X, "digits_X_uint8.npy")?;
        let ya = parse_npy_bytes(DIGITS_Y, "digits_y_uint8.npy")?;
        let (n, d) = (xa.shape[0], xa.shape[1]);
        let x = Mat::from_fn(d, n, |i, j| xa.data[j * d + i] / 16.0);
        let labels: Vec<usize> = ya.data.iter().map(|&v| v as usize).collect();
        let onehot = Mat::from_fn(10, n, |i, j| (labels[j] == i) as u8 as f64);
        let train = Dataset::supervised(
            x.as_ref().subcols(0, N_TRAIN),
            onehot.as_ref().subcols(0, N_TRAIN),
        )?;
        let (test_x, test_y) = (x.as_ref().subcols(N_TRAIN, n - N_TRAIN), &labels[N_TRAIN..]);
        let mut net = LayeredNetwork::random(&[d, HIDDEN, 10], LayerActivation::HardSigmoid, 3)?;
        let opt = Sgd::new(net.block_specs_scaled(&[0.1, 0.05]), 1.0, 0.0, 0.0)?;
        let rule = EquilibriumPropagation::new(EqPropParams::default())?;
        let settings = TrainSettings {
            batch_size: 20,
            shuffle: true,
            seed: 7,
        };
        let predict = Relaxation::fixed(0.5, 100);
        let mut trainer = Trainer::new(rule, opt, settings)?;
        println!(
            "A {d}-{HIDDEN}-10 hard-sigmoid network learns {N_TRAIN} digits by equilibrium propagation \
             (beta 0.5, 20 free + 4 nudged steps of 0.5, minibatch 20, persistent particles);"
        );
        println!("the test set is the other {} digits.", n - N_TRAIN);
        let mut curve = Vec::new();
        let mut err = None;
        let report = trainer.fit(&mut net, &train, &Budget::steps(EPOCHS), |e| {
            match e.model.predict_classes(test_x, &predict, Par::Seq) {
                Ok(p) => {
                    let wrong = p.iter().zip(test_y).filter(|(a, b)| a != b).count();
                    let rate = 100.0 * wrong as f64 / test_y.len() as f64;
                    if [1, 2, 5, 10, EPOCHS].contains(&e.epoch) {
                        println!("  epoch {:>2}: test error {rate:5.2}%", e.epoch);
                    }
                    curve.push((e.epoch as f64, rate));
                    ControlFlow::Continue(())
                }
                Err(x) => {
                    err = Some(x);
                    ControlFlow::Break(())
                }
            }
        })?;
        if let Some(e) = err {
            return Err(e.into());
        }
        println!(
            "  {} epochs, {} updates (the run time is left out so that the demo's output is reproducible)",
            report.n_epochs, report.n_updates
        );

        // the gradient check on a small smooth network
        let mut small = LayeredNetwork::random(&[5, 7, 6, 3], LayerActivation::Sigmoid, 3)?;
        for k in 1..=3 {
            for (i, b) in small.bias_mut(k).iter_mut().enumerate() {
                *b = 0.3 + 0.05 * (i as f64).sin();
            }
        }
        let cx = Mat::from_fn(5, 4, |i, j| 0.5 + 0.4 * ((i * 3 + j * 7) as f64).sin());
        let cy = Mat::from_fn(3, 4, |i, j| ((i + j) % 3 == 0) as u8 as f64);
        let check = gradient_check(
            &small,
            cx.as_ref(),
            cy.as_ref(),
            Cost::SquaredError,
            &CheckSettings::default(),
        )?;
        println!(
            "Gradient check on a 5-7-6-3 sigmoid network: backpropagation through the relaxation \
             differs from implicit differentiation by {:.1e}, finite differences by {:.1e} (relative);",
            check.bptt_error,
            check.finite_difference_error.unwrap_or(f64::NAN)
        );
        println!("the EP update against the implicit gradient:");
        let mut one = Vec::new();
        let mut sym = Vec::new();
        for r in &check.ep {
            println!(
                "  beta {:<5} {:<10} cosine {:.6}  relative error {:.2e}",
                r.beta,
                r.nudging.name(),
                r.cosine,
                r.relative_error
            );
            let p = (r.beta.log10(), r.relative_error.log10());
            if r.nudging == Nudging::Symmetric {
                sym.push(p);
            } else {
                one.push(p);
            }
        }
        Ok(vec![
            Panel {
                title: format!("equilibrium propagation on the digits ({d}-{HIDDEN}-10)"),
                x_label: "epoch".into(),
                y_label: "test error (%)".into(),
                series: vec![("EP, beta 0.5".into(), curve)],
                images: None,
            },
            Panel {
                title: "EP update against the implicit gradient".into(),
                x_label: "log10 beta".into(),
                y_label: "log10 relative error".into(),
                series: vec![("one-sided".into(), one), ("symmetric".into(), sym)],
                images: None,
            },
        ])
    }
}
