//! RBMs, round two: the centred gradient against finite differences of the exact
//! log-likelihood in the centred parameters, the rule's centred step against that formula,
//! learning-rate and momentum schedules in the shared trainer, tempered training, visible
//! biases from the data, the RAISE/AIS bracket against the exact likelihood, and the messages
//! of bad input.

mod common;

use attractor::learn::contrastive_divergence::{
    CdMethod, CdParams, CdTrainer, Centering, ContrastiveDivergence,
};
use attractor::learn::optimizer::{Optimizer, ParamBlocks, direction_blocks};
use attractor::learn::trainer::{Dataset, Rule};
use attractor::models::rbm::{AisBase, AisParams, RaiseParams, Rbm, RbmGradient, VisibleUnits};
use attractor::run::Budget;
use attractor::samplers::tempering::Ladder;
use attractor::schedule::PerEpoch;
use attractor::{Par, energy::ParamGradient};
use faer::Mat;
use rand::RngExt;
use std::ops::ControlFlow;

/// `n` noisy copies of two prototypes of length `nv`, mostly-off pixels (means far from ½,
/// where centring matters).
fn binary_data(nv: usize, n: usize, seed: u64) -> Mat<f64> {
    let mut r = common::rng(seed);
    Mat::from_fn(nv, n, |i, s| {
        let proto = if s % 2 == 0 { i % 3 == 0 } else { i < nv / 3 };
        let flip = r.random::<f64>() < 0.03;
        f64::from(u8::from(proto != flip))
    })
}

/// `n` exact samples of a small Bernoulli RBM's visible law (by enumerating `2^n_v` states).
fn exact_samples(rbm: &Rbm, n: usize, seed: u64) -> Mat<f64> {
    let nv = rbm.n_visible();
    let states = Mat::from_fn(nv, 1 << nv, |i, c| ((c >> i) & 1) as f64);
    let f = rbm.free_energies(states.as_ref(), Par::Seq).unwrap();
    let m = f.iter().copied().fold(f64::INFINITY, f64::min);
    let w: Vec<f64> = f.iter().map(|x| (m - x).exp()).collect();
    let total: f64 = w.iter().sum();
    let mut r = common::rng(seed);
    let mut out = Mat::<f64>::zeros(nv, n);
    for s in 0..n {
        let mut u = r.random::<f64>() * total;
        let mut c = 0;
        while c + 1 < w.len() && u >= w[c] {
            u -= w[c];
            c += 1;
        }
        out.col_mut(s).copy_from(states.col(c));
    }
    out
}

/// Flatten a gradient as the RBM's parameter vector: `W` column by column, `a`, `b`.
fn flat(g: &RbmGradient) -> Vec<f64> {
    let mut v = Vec::new();
    for j in 0..g.weights.ncols() {
        for i in 0..g.weights.nrows() {
            v.push(g.weights[(i, j)]);
        }
    }
    v.extend(&g.visible_bias);
    v.extend(&g.hidden_bias);
    v
}

#[test]
fn the_centred_step_is_the_gradient_in_centred_parameters_mapped_back() {
    let (nv, nh) = (5, 3);
    let rbm = common::rbm_with_biases(nv, nh, 0.7, 0.5, 41);
    let data = binary_data(nv, 12, 41);
    let mu: Vec<f64> = (0..nv).map(|i| 0.2 + 0.1 * i as f64).collect();
    let lam: Vec<f64> = (0..nh).map(|j| 0.7 - 0.15 * j as f64).collect();
    // the centred parameters of the same model: a_c = a + Wλ, b_c = b + Wᵀμ
    let w = rbm.weights().to_owned();
    let ac: Vec<f64> = (0..nv)
        .map(|i| rbm.visible_bias()[i] + (0..nh).map(|j| w[(i, j)] * lam[j]).sum::<f64>())
        .collect();
    let bc: Vec<f64> = (0..nh)
        .map(|j| rbm.hidden_bias()[j] + (0..nv).map(|i| w[(i, j)] * mu[i]).sum::<f64>())
        .collect();
    // ℓ_c(W, a_c, b_c) = ℓ(W, a_c − Wλ, b_c − Wᵀμ)
    let ll_centred = |theta: &[f64]| {
        let w = Mat::from_fn(nv, nh, |i, j| theta[j * nv + i]);
        let a: Vec<f64> = (0..nv)
            .map(|i| theta[nv * nh + i] - (0..nh).map(|j| w[(i, j)] * lam[j]).sum::<f64>())
            .collect();
        let b: Vec<f64> = (0..nh)
            .map(|j| theta[nv * nh + nv + j] - (0..nv).map(|i| w[(i, j)] * mu[i]).sum::<f64>())
            .collect();
        let mut r = rbm.clone();
        r.set_parameters(w.as_ref(), &a, &b).unwrap();
        r.log_likelihood_exact(data.as_ref(), Par::Seq).unwrap()
    };
    let mut theta_c: Vec<f64> = (0..nh)
        .flat_map(|j| (0..nv).map(move |i| (i, j)))
        .map(|(i, j)| w[(i, j)])
        .collect();
    theta_c.extend(&ac);
    theta_c.extend(&bc);
    let gc = common::fd_gradient(ll_centred, &theta_c);
    // J g_c in the plain parameters: ΔW = g_cW, Δa = g_ca − g_cW λ, Δb = g_cb − g_cWᵀ μ
    let gcw = Mat::from_fn(nv, nh, |i, j| gc[j * nv + i]);
    let expected = RbmGradient {
        visible_bias: (0..nv)
            .map(|i| gc[nv * nh + i] - (0..nh).map(|j| gcw[(i, j)] * lam[j]).sum::<f64>())
            .collect(),
        hidden_bias: (0..nh)
            .map(|j| gc[nv * nh + nv + j] - (0..nv).map(|i| gcw[(i, j)] * mu[i]).sum::<f64>())
            .collect(),
        weights: gcw,
    };
    let plain = rbm.log_likelihood_gradient_exact(data.as_ref()).unwrap();
    let centred = plain.centred(&mu, &lam).unwrap();
    let (e, c, p) = (flat(&expected), flat(&centred), flat(&plain));
    let worst = e
        .iter()
        .zip(&c)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    println!("max |J g_c (finite differences) - centred step| = {worst:.2e}");
    assert!(worst < 1e-6, "{worst}");
    // an ascent direction of the same likelihood, not the plain gradient itself
    let inner: f64 = c.iter().zip(&p).map(|(x, y)| x * y).sum();
    assert!(inner > 0.0, "{inner}");
    let diff = c
        .iter()
        .zip(&p)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(
        diff > 1e-3,
        "the centred step should differ from the plain one: {diff}"
    );
    // zero offsets give the plain gradient
    let zero = plain.centred(&vec![0.0; nv], &vec![0.0; nh]).unwrap();
    assert_eq!(flat(&zero), p);
}

#[test]
fn the_centred_rule_makes_the_documented_step_from_its_statistics() {
    let (nv, nh) = (8, 5);
    let rbm = common::rbm_with_biases(nv, nh, 0.5, 0.3, 43);
    let data = binary_data(nv, 20, 43);
    for method in [CdMethod::Contrastive, CdMethod::Persistent] {
        let plain_params = CdParams {
            method,
            k: 2,
            batch_size: 10,
            ..CdParams::default()
        };
        let centred_params = CdParams {
            centering: Centering::Data { rate: 1.0 },
            ..plain_params.clone()
        };
        let mut plain = ContrastiveDivergence::new(&rbm, &plain_params).unwrap();
        let mut centred = ContrastiveDivergence::new(&rbm, &centred_params).unwrap();
        let ds = Dataset::unsupervised(data.as_ref());
        let idx: Vec<usize> = (0..10).collect();
        let clock = Budget::new().start();
        plain.estimate(&rbm, &ds, &idx, &clock).unwrap();
        centred.estimate(&rbm, &ds, &idx, &clock).unwrap();
        let (mu, lam) = centred.offsets().unwrap();
        let (mu, lam) = (mu.to_vec(), lam.to_vec());
        // rate 1: the offsets are the minibatch's data means of v and p(h | v)
        for (i, m) in mu.iter().enumerate() {
            let mean = (0..10).map(|s| data[(i, s)]).sum::<f64>() / 10.0;
            assert!((m - mean).abs() < 1e-12);
        }
        let p = rbm
            .hidden_probabilities(data.as_ref().subcols(0, 10), Par::Seq)
            .unwrap();
        for (j, l) in lam.iter().enumerate() {
            let mean = (0..10).map(|s| p[(j, s)]).sum::<f64>() / 10.0;
            assert!((l - mean).abs() < 1e-12);
        }
        let specs = rbm.block_specs();
        let to_grad = |b: Vec<Mat<f64>>| RbmGradient {
            visible_bias: b[1].col(0).iter().copied().collect(),
            hidden_bias: b[2].col(0).iter().copied().collect(),
            weights: b[0].clone(),
        };
        let g_plain = to_grad(direction_blocks(&mut plain, &specs));
        let g_centred = to_grad(direction_blocks(&mut centred, &specs));
        let expected = g_plain.centred(&mu, &lam).unwrap();
        let worst = flat(&expected)
            .iter()
            .zip(flat(&g_centred))
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        println!("{method:?}: max |rule's centred step - formula| = {worst:.2e}");
        assert!(worst < 1e-12, "{method:?}: {worst}");
    }
}

/// Train and return the exact log-likelihood before and after.
fn train_exact(
    rbm: &mut Rbm,
    data: &Mat<f64>,
    params: CdParams,
    epochs: usize,
) -> (f64, f64, CdTrainer) {
    let before = rbm.log_likelihood_exact(data.as_ref(), Par::Seq).unwrap();
    let mut t = CdTrainer::new(rbm, params).unwrap();
    t.fit(rbm, data.as_ref(), &Budget::steps(epochs), |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    let after = rbm.log_likelihood_exact(data.as_ref(), Par::Seq).unwrap();
    (before, after, t)
}

#[test]
fn centred_enhanced_and_tempered_training_raise_the_exact_log_likelihood() {
    let (nv, nh) = (12, 6);
    let data = binary_data(nv, 60, 44);
    for (name, params) in [
        ("plain", CdParams::default()),
        (
            "centred",
            CdParams {
                centering: Centering::Data { rate: 0.1 },
                ..CdParams::default()
            },
        ),
        (
            "enhanced",
            CdParams {
                centering: Centering::Enhanced { rate: 0.1 },
                ..CdParams::default()
            },
        ),
        (
            "pcd, 50 chains",
            CdParams {
                method: CdMethod::Persistent,
                n_chains: Some(50),
                ..CdParams::default()
            },
        ),
        (
            "tempered",
            CdParams {
                method: CdMethod::Tempering,
                temperatures: Ladder::geometric(4, 4.0).unwrap(),
                ..CdParams::default()
            },
        ),
    ] {
        let mut rbm = Rbm::random(nv, nh, 0.01, 44).unwrap();
        rbm.init_visible_bias_from_data(data.as_ref()).unwrap();
        let (before, after, t) = train_exact(&mut rbm, &data, params, 100);
        println!("{name}: exact log-likelihood {before:.3} -> {after:.3}");
        assert!(after > before + 1.0, "{name}: {before} -> {after}");
        if name == "pcd, 50 chains" {
            assert_eq!(t.persistent_chains().unwrap().ncols(), 50);
        }
        if name == "tempered" {
            let rates = t.trainer().rule().swap_rates().unwrap();
            println!("swap rates {rates:?}");
            assert_eq!(rates.len(), 3);
            assert!(rates.iter().all(|r| (0.0..=1.0).contains(r) && *r > 0.0));
            assert!(t.persistent_chains().is_some());
        }
    }
}

#[test]
fn schedules_move_the_rate_and_momentum_with_the_epoch_and_resume() {
    let data = binary_data(6, 20, 45);
    let mut rbm = Rbm::random(6, 3, 0.01, 45).unwrap();
    let params = CdParams {
        learning_rate: 0.1,
        learning_rate_schedule: PerEpoch::Linear {
            end: 0.01,
            epochs: 10,
        },
        momentum: 0.9,
        momentum_schedule: PerEpoch::Step {
            before: 0.5,
            epochs: 3,
        },
        ..CdParams::default()
    };
    let mut t = CdTrainer::new(&rbm, params.clone()).unwrap();
    let mut seen = Vec::new();
    for _ in 0..4 {
        t.fit(&mut rbm, data.as_ref(), &Budget::steps(1), |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        // the rate and momentum used in the epoch just run (set at its start)
        seen.push((
            t.trainer().current_learning_rate(),
            t.trainer().optimizer().momentum().unwrap(),
        ));
    }
    let expect = |e: usize| {
        (
            params.learning_rate_schedule.at(0.1, e),
            params.momentum_schedule.at(0.9, e),
        )
    };
    for (e, &(lr, mu)) in seen.iter().enumerate() {
        let (x, m) = expect(e);
        assert!(
            (lr - x).abs() < 1e-15 && mu == m,
            "epoch {e}: {lr}, {mu} vs {x}, {m}"
        );
    }
    assert_eq!(seen[3].1, 0.9);
    // four one-epoch calls equal one four-epoch call
    let mut rbm2 = Rbm::random(6, 3, 0.01, 45).unwrap();
    let mut t2 = CdTrainer::new(&rbm2, params).unwrap();
    t2.fit(&mut rbm2, data.as_ref(), &Budget::steps(4), |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(rbm.params(), rbm2.params());
}

#[test]
fn visible_biases_start_at_the_data_marginals() {
    let data = binary_data(6, 20, 46);
    let mut rbm = Rbm::random(6, 3, 0.01, 46).unwrap();
    rbm.init_visible_bias_from_data(data.as_ref()).unwrap();
    for i in 0..6 {
        let p = ((0..20).map(|s| data[(i, s)]).sum::<f64>() + 1.0) / 22.0;
        assert!((rbm.visible_bias()[i] - (p / (1.0 - p)).ln()).abs() < 1e-12);
    }
    let g = Mat::from_fn(3, 4, |i, s| (i + s) as f64);
    let mut gauss = Rbm::random(3, 2, 0.01, 1)
        .unwrap()
        .with_visible(VisibleUnits::Gaussian);
    gauss.init_visible_bias_from_data(g.as_ref()).unwrap();
    assert_eq!(gauss.visible_bias(), &[1.5, 2.5, 3.5]);
}

#[test]
fn the_raise_ais_bracket_contains_the_exact_likelihood_and_widens_when_short() {
    let (nv, nh) = (12, 10);
    let rbm = common::rbm_with_biases(nv, nh, 2.0, 0.5, 47);
    let test = exact_samples(&rbm, 300, 47);
    let exact = rbm.log_likelihood_exact(test.as_ref(), Par::Seq).unwrap();
    let mut widths = Vec::new();
    for (n_betas, label) in [(3000, "long"), (5, "short")] {
        let params = AisParams {
            n_runs: 200,
            n_betas,
            seed: 5,
            base: AisBase::Zero,
            ..AisParams::default()
        };
        let b = rbm
            .log_likelihood_bracket(
                test.as_ref(),
                &params,
                &RaiseParams {
                    chains_per_sample: 2,
                    max_samples: None,
                },
                None,
                &Budget::new(),
            )
            .unwrap();
        println!(
            "{label} ({n_betas} betas): RAISE {:.3} ± {:.3} <= exact {exact:.3} <= AIS {:.3} ± {:.3}; \
             log Z in [{:.3}, {:.3}], exact {:.3}",
            b.lower,
            b.lower_std_err,
            b.upper,
            b.upper_std_err,
            b.log_z_lower,
            b.log_z_upper,
            rbm.log_z_exact(Par::Seq).unwrap()
        );
        assert!(b.contains(exact, 3.0), "{label}: {b:?}");
        assert_eq!(b.raise.per_sample.len(), 300);
        widths.push(b.width());
    }
    // a short schedule widens the bracket (each end errs further its own way)
    assert!(widths[1] > widths[0] + 0.3, "{widths:?}");
    assert!(
        widths[0] < 0.1,
        "a 3000-step bracket should be tight: {widths:?}"
    );
}

#[test]
fn bad_round_two_settings_are_refused_with_their_names() {
    let rbm = Rbm::random(6, 3, 0.01, 1).unwrap();
    let err = |p: CdParams| CdTrainer::new(&rbm, p).unwrap_err().to_string();
    let e = err(CdParams {
        learning_rate_schedule: PerEpoch::Linear {
            end: -0.01,
            epochs: 10,
        },
        ..CdParams::default()
    });
    assert!(
        e.contains("learning_rate schedule end") && e.contains("> 0"),
        "{e}"
    );
    let e = err(CdParams {
        momentum: 0.9,
        momentum_schedule: PerEpoch::Step {
            before: 1.2,
            epochs: 5,
        },
        ..CdParams::default()
    });
    assert!(e.contains("momentum") && e.contains("[0, 1)"), "{e}");
    let e = err(CdParams {
        centering: Centering::Data { rate: 0.0 },
        ..CdParams::default()
    });
    assert!(e.contains("centering rate"), "{e}");
    let e = err(CdParams {
        method: CdMethod::Tempering,
        batch_size: 0,
        ..CdParams::default()
    });
    assert!(e.contains("batch_size"), "{e}");
    let e = err(CdParams {
        method: CdMethod::Persistent,
        n_chains: Some(0),
        ..CdParams::default()
    });
    assert!(
        e.contains("n_chains") && e.contains("at least one chain"),
        "{e}"
    );
    let e = Ladder::new(vec![1.0, 3.0, 2.0]).unwrap_err().to_string();
    assert!(
        e.contains("temperatures[2]") && e.contains("increasing"),
        "{e}"
    );
    let raise_err = |data: Mat<f64>, chains: usize| {
        rbm.raise_log_likelihood(
            data.as_ref(),
            &AisParams::default(),
            chains,
            None,
            &Budget::new(),
        )
        .unwrap_err()
        .to_string()
    };
    let e = raise_err(Mat::zeros(6, 4), 0);
    assert!(e.contains("chains_per_sample"), "{e}");
    for (rows, cols) in [(6, 0), (5, 3)] {
        let e = raise_err(Mat::zeros(rows, cols), 1);
        assert!(e.contains("RAISE data"), "{rows}x{cols}: {e}");
    }
    let mut r = rbm.clone();
    let e = r
        .init_visible_bias_from_data(Mat::<f64>::zeros(6, 0).as_ref())
        .unwrap_err()
        .to_string();
    assert!(e.contains("training data"), "{e}");
}
