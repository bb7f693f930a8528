//! Restricted Boltzmann machines: exact partition functions against brute force, AIS against
//! the exact value, likelihood gradients against finite differences, Gibbs sampling against
//! the exact marginal, CD/PCD training, thread-count independence, safetensors files, and
//! the messages of bad input.

mod common;

use attractor::energy::ParamGradient;
use attractor::learn::contrastive_divergence::{CdMethod, CdParams, CdTrainer, train};
use attractor::linalg::ALL_THREADS;
use attractor::models::rbm::{AisBase, AisParams, AisSchedule, Rbm, VisibleUnits};
use attractor::run::{Budget, Status};
use attractor::samplers::MarkovSampler;
use attractor::{Error, Par};
use faer::Mat;
use rand::RngExt;
use std::ops::ControlFlow;

fn bits(code: usize, n: usize) -> Vec<f64> {
    (0..n).map(|i| ((code >> i) & 1) as f64).collect()
}

/// `log Σ_{v,h} e^{−E(v,h)}` over all `2^(n_v + n_h)` joint states, from `Rbm::energy`.
fn brute_force_log_z(rbm: &Rbm) -> f64 {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let mut es = Vec::new();
    for cv in 0..1usize << nv {
        for ch in 0..1usize << nh {
            es.push(-rbm.energy(&bits(cv, nv), &bits(ch, nh)).unwrap());
        }
    }
    let m = es.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + es.iter().map(|e| (e - m).exp()).sum::<f64>().ln()
}

/// Fixed binary data: `n` noisy copies of two prototypes of length `nv`.
fn binary_data(nv: usize, n: usize, seed: u64) -> Mat<f64> {
    let mut r = common::rng(seed);
    Mat::from_fn(nv, n, |i, s| {
        let proto = if s % 2 == 0 { i % 2 == 0 } else { i < nv / 2 };
        let flip = r.random::<f64>() < 0.1;
        f64::from(u8::from(proto != flip))
    })
}

#[test]
fn rbm_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Rbm>();
    check::<attractor::models::rbm::RbmGibbs<'static>>();
}

#[test]
fn exact_log_z_equals_brute_force_enumeration() {
    // 6 x 4: the hidden layer is enumerated; 3 x 5: the visible layer is.
    for (nv, nh, seed) in [(6, 4, 1), (3, 5, 2), (4, 4, 3)] {
        let rbm = common::rbm_with_biases(nv, nh, 1.0, 0.5, seed);
        let exact = rbm.log_z_exact(Par::Seq).unwrap();
        let brute = brute_force_log_z(&rbm);
        println!("{nv}x{nh}: log Z exact {exact:.12}, brute force {brute:.12}");
        assert!(
            (exact - brute).abs() < 1e-10,
            "{nv}x{nh}: {exact} vs {brute}"
        );
        assert_eq!(exact, rbm.log_z_exact(ALL_THREADS).unwrap());
    }
}

#[test]
fn exact_log_z_gaussian_matches_quadrature_and_closed_form() {
    // 6 x 4 Gaussian: the sum over h of (2π)^{n/2} exp(bᵀh + ½‖a + Wh‖² − ½‖a‖²), written here
    let rbm = common::rbm_with_biases(6, 4, 0.3, 0.5, 4).with_visible(VisibleUnits::Gaussian);
    let (w, a, b) = (rbm.weights(), rbm.visible_bias(), rbm.hidden_bias());
    let mut z = 0.0;
    for ch in 0..16 {
        let h = bits(ch, 4);
        let mut m2 = 0.0;
        for i in 0..6 {
            let mi = a[i] + (0..4).map(|j| w[(i, j)] * h[j]).sum::<f64>();
            m2 += mi * mi;
        }
        let bh: f64 = b.iter().zip(&h).map(|(x, y)| x * y).sum();
        let a2: f64 = a.iter().map(|x| x * x).sum();
        z += (2.0 * std::f64::consts::PI).powi(3) * (bh + 0.5 * m2 - 0.5 * a2).exp();
    }
    let exact = rbm.log_z_exact(Par::Seq).unwrap();
    println!(
        "gaussian 6x4: exact {exact:.12}, closed form {:.12}",
        z.ln()
    );
    assert!((exact - z.ln()).abs() < 1e-10);

    // 2 x 3 Gaussian: trapezoidal quadrature of e^{−F(v)} on [−14, 14]²
    let rbm = common::rbm_with_biases(2, 3, 0.8, 0.5, 5).with_visible(VisibleUnits::Gaussian);
    let n = 1401;
    let hstep = 28.0 / (n - 1) as f64;
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            let v = [-14.0 + i as f64 * hstep, -14.0 + j as f64 * hstep];
            let wt = if i == 0 || i == n - 1 { 0.5 } else { 1.0 }
                * if j == 0 || j == n - 1 { 0.5 } else { 1.0 };
            s += wt * (-rbm.free_energy(&v).unwrap()).exp();
        }
    }
    let quad = (s * hstep * hstep).ln();
    let exact = rbm.log_z_exact(Par::Seq).unwrap();
    println!("gaussian 2x3: exact {exact:.12}, quadrature {quad:.12}");
    assert!((exact - quad).abs() < 1e-8);
}

#[test]
fn free_energy_is_minus_log_sum_over_hidden() {
    for units in [VisibleUnits::Bernoulli, VisibleUnits::Gaussian] {
        let rbm = common::rbm_with_biases(5, 3, 1.0, 0.5, 6).with_visible(units);
        let v = [1.0, 0.0, 1.0, 1.0, 0.0];
        let s: f64 = (0..8)
            .map(|c| (-rbm.energy(&v, &bits(c, 3)).unwrap()).exp())
            .sum();
        assert!((rbm.free_energy(&v).unwrap() + s.ln()).abs() < 1e-12);
        let batch = Mat::from_fn(5, 1, |i, _| v[i]);
        assert_eq!(
            rbm.free_energies(batch.as_ref(), Par::Seq).unwrap()[0],
            rbm.free_energy(&v).unwrap()
        );
    }
}

#[test]
fn cd_training_raises_the_exact_log_likelihood() {
    let data = binary_data(6, 20, 11);
    for method in [CdMethod::Contrastive, CdMethod::Persistent] {
        let mut rbm = Rbm::random(6, 4, 0.01, 3).unwrap();
        let before = rbm.log_likelihood_exact(data.as_ref(), Par::Seq).unwrap();
        let params = CdParams {
            method,
            k: 1,
            learning_rate: 0.1,
            batch_size: 5,
            momentum: 0.5,
            seed: 5,
            ..CdParams::default()
        };
        let s = train(&mut rbm, data.as_ref(), params, &Budget::steps(300), |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(s.status, Status::MaxSteps);
        assert_eq!(s.n_updates, 300 * 4);
        let after = rbm.log_likelihood_exact(data.as_ref(), Par::Seq).unwrap();
        println!("{method:?}: exact LL before {before:.4}, after {after:.4} nats per sample");
        // before ≈ −6 ln 2 − 4 ln 2 + 4 ln 2 = −4.16; the two prototypes are learnt
        assert!(after > before + 1.0, "{method:?}: {before} -> {after}");
    }
}

#[test]
fn ais_agrees_with_exact_log_z_on_20x10() {
    let rbm = common::rbm_with_biases(20, 10, 1.0, 0.5, 21);
    let exact = rbm.log_z_exact(Par::Seq).unwrap();
    let data = binary_data(20, 50, 3);
    for (base, data) in [
        (AisBase::Zero, None),
        (AisBase::FromData, Some(data.as_ref())),
    ] {
        let params = AisParams {
            seed: 1,
            base: base.clone(),
            ..AisParams::default()
        };
        let ais = rbm.ais_log_z(&params, data, &Budget::new()).unwrap();
        let err = ais.log_z - exact;
        println!(
            "20x10 ({base:?}): log Z exact {exact:.4}, AIS {:.4} ± {:.4} (error {err:+.4})",
            ais.log_z, ais.std_err
        );
        assert!(err.abs() < 0.1);
        assert!(err.abs() <= 3.0 * ais.std_err + 0.02);
        assert_eq!(ais.log_weights.len(), 100);
    }
    // the AIS log-likelihood is the exact one shifted by the log Z error
    let params = AisParams {
        seed: 2,
        ..AisParams::default()
    };
    let (ll, ais) = rbm
        .log_likelihood_ais(data.as_ref(), &params, &Budget::new())
        .unwrap();
    let ll_exact = rbm.log_likelihood_exact(data.as_ref(), Par::Seq).unwrap();
    println!("LL exact {ll_exact:.4}, AIS {ll:.4}");
    assert!((ll - ll_exact + (ais.log_z - exact)).abs() < 1e-9);
    // a geometric schedule works too
    let params = AisParams {
        schedule: AisSchedule::Geometric { beta_min: 1e-3 },
        seed: 3,
        ..AisParams::default()
    };
    let g = rbm.ais_log_z(&params, None, &Budget::new()).unwrap();
    println!("geometric: AIS {:.4} ± {:.4}", g.log_z, g.std_err);
    assert!((g.log_z - exact).abs() < 0.2);
}

#[test]
fn ais_on_gaussian_rbm() {
    let rbm = common::rbm_with_biases(8, 6, 0.4, 0.5, 22).with_visible(VisibleUnits::Gaussian);
    let exact = rbm.log_z_exact(Par::Seq).unwrap();
    let ais = rbm
        .ais_log_z(
            &AisParams {
                n_betas: 2000,
                seed: 4,
                ..AisParams::default()
            },
            None,
            &Budget::new(),
        )
        .unwrap();
    println!(
        "gaussian 8x6: exact {exact:.4}, AIS {:.4} ± {:.4}",
        ais.log_z, ais.std_err
    );
    assert!((ais.log_z - exact).abs() < 0.1);
}

/// Central differences of `f` at every parameter of `rbm`.
fn fd_params(rbm: &Rbm, f: impl Fn(&Rbm) -> f64) -> Vec<f64> {
    let theta = rbm.params();
    let mut r = rbm.clone();
    (0..theta.len())
        .map(|k| {
            let h = 1e-5;
            let mut t = theta.clone();
            t[k] += h;
            r.set_params(&t).unwrap();
            let fp = f(&r);
            t[k] -= 2.0 * h;
            r.set_params(&t).unwrap();
            let fm = f(&r);
            (fp - fm) / (2.0 * h)
        })
        .collect()
}

#[test]
fn log_likelihood_gradient_matches_finite_differences() {
    for (nv, nh, units, seed) in [
        (4, 3, VisibleUnits::Bernoulli, 31),
        (3, 5, VisibleUnits::Bernoulli, 32),
        (3, 3, VisibleUnits::Gaussian, 33),
    ] {
        let rbm = common::rbm_with_biases(nv, nh, 0.7, 0.5, seed).with_visible(units);
        let data = match units {
            VisibleUnits::Bernoulli => binary_data(nv, 9, seed),
            VisibleUnits::Gaussian => {
                let mut r = common::rng(seed);
                Mat::from_fn(nv, 9, |_, _| r.sample::<f64, _>(rand_distr::StandardNormal))
            }
        };
        let g = rbm.log_likelihood_gradient_exact(data.as_ref()).unwrap();
        let mut analytic = Vec::new();
        for j in 0..nh {
            for i in 0..nv {
                analytic.push(g.weights[(i, j)]);
            }
        }
        analytic.extend(&g.visible_bias);
        analytic.extend(&g.hidden_bias);
        let fd = fd_params(&rbm, |r| {
            r.log_likelihood_exact(data.as_ref(), Par::Seq).unwrap()
        });
        let worst = analytic
            .iter()
            .zip(&fd)
            .map(|(a, f)| (a - f).abs())
            .fold(0.0, f64::max);
        println!("{nv}x{nh} {units}: max |analytic - finite difference| = {worst:.2e}");
        assert_eq!(analytic.len(), nv * nh + nv + nh);
        assert!(worst < 1e-7, "{nv}x{nh} {units}: {worst}");
        assert!(analytic.iter().any(|x| x.abs() > 1e-3));
    }
}

#[test]
fn free_energy_param_gradient_matches_finite_differences() {
    for units in [VisibleUnits::Bernoulli, VisibleUnits::Gaussian] {
        let rbm = common::rbm_with_biases(5, 4, 0.7, 0.5, 41).with_visible(units);
        let v = [1.0, 0.0, 0.0, 1.0, 1.0];
        let mut g = vec![0.0; rbm.n_params()];
        rbm.param_gradient_into(&v, &mut g);
        let fd = fd_params(&rbm, |r| r.free_energy(&v).unwrap());
        let worst = g
            .iter()
            .zip(&fd)
            .map(|(a, f)| (a - f).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-8, "{units}: {worst}");
    }
}

#[test]
fn gibbs_sampling_matches_the_exact_visible_marginal() {
    let rbm = common::rbm_with_biases(5, 3, 1.0, 0.5, 51);
    let log_z = rbm.log_z_exact(Par::Seq).unwrap();
    let p: Vec<f64> = (0..32)
        .map(|c| (-rbm.free_energy(&bits(c, 5)).unwrap() - log_z).exp())
        .collect();
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let n_chains = 20_000;
    let v = rbm
        .gibbs()
        .sample(n_chains, 7, &Budget::steps(30))
        .unwrap()
        .states;
    let mut counts = [0usize; 32];
    for s in 0..n_chains {
        let code: usize = (0..5).map(|i| (v[(i, s)] as usize) << i).sum();
        counts[code] += 1;
    }
    let tv: f64 = 0.5
        * p.iter()
            .zip(&counts)
            .map(|(p, &c)| (p - c as f64 / n_chains as f64).abs())
            .sum::<f64>();
    println!("Gibbs 5x3, 20000 chains x 30 sweeps: TV distance to exact p(v) = {tv:.4}");
    assert!(tv < 0.02, "TV = {tv}");
    // a hot sampler is close to uniform, and far from p
    let hot = rbm
        .gibbs()
        .with_temperature(1e6)
        .unwrap()
        .sample(n_chains, 8, &Budget::steps(5))
        .unwrap()
        .states;
    let mut counts = [0usize; 32];
    for s in 0..n_chains {
        let code: usize = (0..5).map(|i| (hot[(i, s)] as usize) << i).sum();
        counts[code] += 1;
    }
    let tv_uniform: f64 = 0.5
        * counts
            .iter()
            .map(|&c| (1.0 / 32.0 - c as f64 / n_chains as f64).abs())
            .sum::<f64>();
    assert!(tv_uniform < 0.03, "{tv_uniform}");
}

#[test]
fn gaussian_rbm_reconstruction_error_falls_over_training() {
    // a mixture of three Gaussians in 4-D (means ±1.5 per axis, sd 0.3)
    let mut r = common::rng(61);
    let means = [
        [1.5, -1.5, 1.5, 0.0],
        [-1.5, 1.5, 0.0, 1.5],
        [0.0, 0.0, -1.5, -1.5],
    ];
    let data = Mat::from_fn(4, 300, |i, s| {
        means[s % 3][i] + 0.3 * r.sample::<f64, _>(rand_distr::StandardNormal)
    });
    let mut rbm = Rbm::random(4, 8, 0.01, 62)
        .unwrap()
        .with_visible(VisibleUnits::Gaussian);
    let first = rbm.reconstruction_error(data.as_ref(), Par::Seq).unwrap();
    let mut errors = Vec::new();
    let params = CdParams {
        learning_rate: 0.01,
        batch_size: 10,
        momentum: 0.5,
        seed: 63,
        ..CdParams::default()
    };
    train(&mut rbm, data.as_ref(), params, &Budget::steps(40), |rep| {
        errors.push(rep.reconstruction_error());
        assert!(rep.pseudo_likelihood().is_none());
        ControlFlow::Continue(())
    })
    .unwrap();
    let last = *errors.last().unwrap();
    println!(
        "Gaussian 4x8: reconstruction error {first:.4} before, {:.4} after epoch 1, {last:.4} after 40",
        errors[0]
    );
    assert!(last < 0.5 * first, "{first} -> {last}");
    assert!(last < errors[0]);
}

#[test]
fn pseudo_likelihood_exact_and_stochastic() {
    let rbm = common::rbm_with_biases(6, 4, 1.0, 0.5, 71);
    let data = binary_data(6, 7, 72);
    let mut total = 0.0;
    let mut terms = Vec::new();
    for s in 0..7 {
        let v: Vec<f64> = (0..6).map(|i| data[(i, s)]).collect();
        let f = rbm.free_energy(&v).unwrap();
        let mut ts = Vec::new();
        for i in 0..6 {
            let mut u = v.clone();
            u[i] = 1.0 - u[i];
            let fu = rbm.free_energy(&u).unwrap();
            // log σ(F(ṽ) − F(v))
            let t = -(1.0 + (f - fu).exp()).ln();
            total += t;
            ts.push(t);
        }
        terms.push(ts);
    }
    let pl = rbm
        .pseudo_likelihood_exact(data.as_ref(), Par::Seq)
        .unwrap();
    assert!((pl - total / 7.0).abs() < 1e-12, "{pl} vs {}", total / 7.0);
    let st = rbm
        .pseudo_likelihood_stochastic(data.as_ref(), 9, Par::Seq)
        .unwrap();
    for (s, &x) in st.iter().enumerate() {
        assert!(
            terms[s].iter().any(|t| (6.0 * t - x).abs() < 1e-12),
            "sample {s}"
        );
    }
    assert_eq!(
        st,
        rbm.pseudo_likelihood_stochastic(data.as_ref(), 9, Par::Seq)
            .unwrap()
    );
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let data = binary_data(200, 150, 81);
    for method in [CdMethod::Contrastive, CdMethod::Persistent] {
        let run = |par: Par| {
            let mut rbm = Rbm::random(200, 150, 0.05, 82).unwrap();
            let params = CdParams {
                method,
                k: 2,
                batch_size: 50,
                momentum: 0.5,
                weight_decay: 1e-4,
                seed: 83,
                par,
                ..CdParams::default()
            };
            train(&mut rbm, data.as_ref(), params, &Budget::steps(2), |_| {
                ControlFlow::Continue(())
            })
            .unwrap();
            rbm
        };
        let (a, b) = (run(Par::Seq), run(ALL_THREADS));
        assert!(
            a == b,
            "{method:?}: training differs between Par::Seq and ALL_THREADS"
        );
    }
    let rbm = common::rbm_with_biases(40, 12, 0.5, 0.5, 84);
    let ais = |par| {
        rbm.ais_log_z(
            &AisParams {
                n_runs: 100,
                n_betas: 300,
                seed: 85,
                par,
                ..AisParams::default()
            },
            None,
            &Budget::new(),
        )
        .unwrap()
    };
    assert_eq!(ais(Par::Seq), ais(ALL_THREADS));
    assert_eq!(
        rbm.log_z_exact(Par::Seq).unwrap().to_bits(),
        rbm.log_z_exact(ALL_THREADS).unwrap().to_bits()
    );
    let g = |par| {
        rbm.gibbs()
            .with_par(par)
            .sample(100, 86, &Budget::steps(10))
            .unwrap()
            .states
    };
    assert!(g(Par::Seq) == g(ALL_THREADS));
}

#[test]
fn training_can_be_stopped_and_resumed() {
    let data = binary_data(6, 20, 91);
    let params = CdParams {
        batch_size: 4,
        seed: 92,
        ..CdParams::persistent()
    };
    // stopped after 3 epochs, then 3 more by fit_epoch, equals 6 in one go
    let mut one = Rbm::random(6, 4, 0.1, 93).unwrap();
    train(
        &mut one,
        data.as_ref(),
        params.clone(),
        &Budget::steps(6),
        |_| ControlFlow::Continue(()),
    )
    .unwrap();
    let mut two = Rbm::random(6, 4, 0.1, 93).unwrap();
    let mut t = CdTrainer::new(&two, params).unwrap();
    let s = t
        .fit(&mut two, data.as_ref(), &Budget::steps(6), |rep| {
            assert!(rep.pseudo_likelihood().unwrap() < 0.0);
            if rep.epoch == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!((s.n_epochs, s.status), (3, Status::Interrupted));
    for _ in 0..3 {
        t.fit_epoch(&mut two, data.as_ref(), &Budget::new())
            .unwrap();
    }
    assert!(one == two);
    assert_eq!(t.persistent_chains().unwrap().ncols(), 4);
    // partial_fit: one update per call
    let before = two.clone();
    t.partial_fit(&mut two, data.as_ref().subcols(0, 7), &Budget::new())
        .unwrap();
    assert_eq!(t.n_updates(), 6 * 5 + 1);
    assert!(two != before);
}

#[test]
fn the_interrupt_stops_training_between_minibatches() {
    use attractor::run::Interrupt;
    let data = binary_data(6, 40, 97);
    let params = CdParams {
        batch_size: 4,
        seed: 98,
        ..CdParams::persistent()
    };
    // raised before fit: no update, the model untouched
    let mut rbm = Rbm::random(6, 4, 0.1, 99).unwrap();
    let start = rbm.clone();
    let mut t = CdTrainer::new(&rbm, params.clone()).unwrap();
    let stop = Interrupt::new();
    let budget = Budget::steps(3).interrupt(stop.clone());
    stop.raise();
    let s = t
        .fit(&mut rbm, data.as_ref(), &budget, |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!((s.n_epochs, s.n_updates), (0, 0));
    assert_eq!(s.status, Status::Interrupted);
    assert!(rbm == start);
    // lowered again, training goes on exactly as a run that was never stopped
    stop.clear();
    let s = t
        .fit(&mut rbm, data.as_ref(), &budget, |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!((s.n_epochs, s.status), (3, Status::MaxSteps));
    let mut reference = Rbm::random(6, 4, 0.1, 99).unwrap();
    train(
        &mut reference,
        data.as_ref(),
        params,
        &Budget::steps(3),
        |_| ControlFlow::Continue(()),
    )
    .unwrap();
    assert!(rbm == reference);

    // raised by another thread in the middle of a long epoch: it stops there
    let data = binary_data(100, 20_000, 100);
    let mut rbm = Rbm::random(100, 100, 0.1, 101).unwrap();
    let params = CdParams {
        k: 10,
        batch_size: 1,
        ..CdParams::default()
    };
    let mut t = CdTrainer::new(&rbm, params).unwrap();
    let stop = Interrupt::new();
    let budget = Budget::steps(1).interrupt(stop.clone());
    // (150 ms: the first minibatches are done on a loaded machine too, and the epoch of
    // 20 000 CD-10 updates takes about a second)
    let raiser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(150));
        stop.raise();
    });
    let s = t
        .fit(&mut rbm, data.as_ref(), &budget, |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    raiser.join().unwrap();
    assert_eq!((s.n_epochs, s.status), (0, Status::Interrupted));
    assert!(s.n_updates > 0 && s.n_updates < 20_000, "{}", s.n_updates);
    assert_eq!(t.epochs_done(), 0);
    assert!(s.elapsed.as_secs_f64() < 1.0, "{:?}", s.elapsed);
}

/// The interrupt reaches inside one CD step: CD-k with k = 10^9 (hours of sweeps) stops within
/// a second of the flag, the model untouched, in `fit` and in `partial_fit`.
#[test]
fn the_interrupt_stops_the_gibbs_sweeps_inside_a_cd_step() {
    use attractor::run::Interrupt;
    let data = binary_data(50, 20, 7);
    let mut rbm = Rbm::random(50, 40, 0.1, 8).unwrap();
    let start = rbm.clone();
    let params = CdParams {
        k: 1_000_000_000,
        batch_size: 20,
        ..CdParams::default()
    };
    let mut t = CdTrainer::new(&rbm, params).unwrap();
    let stop = Interrupt::new();
    let budget = Budget::steps(5).interrupt(stop.clone());
    let raise_later = |stop: Interrupt| {
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            stop.raise();
        })
    };
    let raiser = raise_later(stop.clone());
    let t0 = std::time::Instant::now();
    let s = t
        .fit(&mut rbm, data.as_ref(), &budget, |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    raiser.join().unwrap();
    let took = t0.elapsed().as_secs_f64();
    assert!(took < 1.2, "stopped after {took} s");
    assert_eq!(
        (s.status, s.n_updates, s.n_epochs),
        (Status::Interrupted, 0, 0)
    );
    assert!(rbm == start, "a stopped step leaves the model untouched");
    // partial_fit: the step ends with an error that names the stop, not a panic or a hang
    stop.clear();
    let raiser = raise_later(stop.clone());
    let t0 = std::time::Instant::now();
    let e = t
        .partial_fit(&mut rbm, data.as_ref(), &budget)
        .unwrap_err()
        .to_string();
    raiser.join().unwrap();
    assert!(t0.elapsed().as_secs_f64() < 1.2);
    assert!(
        e.contains("Gibbs sweeps") && e.contains("interrupted"),
        "{e}"
    );
    assert!(rbm == start);
    // a time limit stops it the same way, reported as a timeout
    let s = t
        .fit(
            &mut rbm,
            data.as_ref(),
            &Budget::steps(5).time(std::time::Duration::from_millis(100)),
            |_| ControlFlow::Continue(()),
        )
        .unwrap();
    assert_eq!(s.status, Status::Timeout);
}

/// Long pure computations take the budget too: the exact enumeration of log Z (2^24 hidden
/// states of a wide model) and AIS stop with `Error::Stopped` within a second of the flag.
#[test]
fn the_interrupt_stops_exact_enumeration_and_ais() {
    use attractor::run::Interrupt;
    let rbm = Rbm::random(2000, 24, 0.01, 9).unwrap();
    let stop = Interrupt::new();
    let budget = Budget::new().interrupt(stop.clone());
    let s2 = stop.clone();
    let raiser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        s2.raise();
    });
    let t0 = std::time::Instant::now();
    let e = rbm
        .log_z_exact_within(Par::Seq, &budget)
        .unwrap_err()
        .to_string();
    raiser.join().unwrap();
    assert!(t0.elapsed().as_secs_f64() < 1.2, "{:?}", t0.elapsed());
    assert!(
        e.contains("exact enumeration") && e.contains("interrupted"),
        "{e}"
    );
    // AIS with a long schedule, stopped by a time limit
    let t0 = std::time::Instant::now();
    let e = rbm
        .ais_log_z(
            &AisParams {
                n_betas: 5_000_000,
                ..AisParams::default()
            },
            None,
            &Budget::time_limit(std::time::Duration::from_millis(200)),
        )
        .unwrap_err()
        .to_string();
    assert!(t0.elapsed().as_secs_f64() < 1.2, "{:?}", t0.elapsed());
    assert!(
        e.contains("annealed importance sampling") && e.contains("timeout"),
        "{e}"
    );
}

/// A long sample stops within a fraction of a second of the flag and keeps the states
/// reached; sampling in chunks gives the same states as one uninterrupted sample.
#[test]
fn a_long_sample_stops_on_the_interrupt_and_chunks_do_not_change_states() {
    use attractor::run::Interrupt;
    let rbm = Rbm::random(30, 20, 0.5, 10).unwrap();
    let stop = Interrupt::new();
    let budget = Budget::steps(usize::MAX).interrupt(stop.clone());
    let s2 = stop.clone();
    let raiser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        s2.raise();
    });
    let t0 = std::time::Instant::now();
    let c = rbm.gibbs().sample(8, 1, &budget).unwrap();
    raiser.join().unwrap();
    assert!(t0.elapsed().as_secs_f64() < 1.0, "{:?}", t0.elapsed());
    assert_eq!(c.status, Status::Interrupted);
    assert!(c.n_steps > 0);
    assert!((0..8).all(|j| c.states.col(j).iter().all(|v| *v == 0.0 || *v == 1.0)));
    // the same number of sweeps without interruption (chunks of other sizes) gives the same
    // states
    let again = rbm.gibbs().sample(8, 1, &Budget::steps(c.n_steps)).unwrap();
    assert_eq!(again.n_steps, c.n_steps);
    assert!(again.states == c.states);
    // a budget without a number of sweeps is refused by name
    let e = rbm
        .gibbs()
        .sample(8, 1, &Budget::new())
        .unwrap_err()
        .to_string();
    assert!(e.contains("transitions"), "{e}");
}

#[test]
fn the_cd_rule_runs_on_the_shared_trainer_with_adam() {
    use attractor::learn::{
        Adam, ContrastiveDivergence, Dataset, ParamBlocks, TrainSettings, Trainer,
    };
    let data = binary_data(6, 20, 11);
    let mut rbm = Rbm::random(6, 4, 0.01, 3).unwrap();
    let before = rbm.log_likelihood_exact(data.as_ref(), Par::Seq).unwrap();
    let params = CdParams {
        batch_size: 5,
        seed: 5,
        ..CdParams::default()
    };
    let rule = ContrastiveDivergence::new(&rbm, &params).unwrap();
    let adam = Adam::new(rbm.block_specs(), 0.02, 0.0).unwrap();
    let settings = TrainSettings {
        batch_size: 5,
        shuffle: true,
        seed: 5,
    };
    let mut t = Trainer::new(rule, adam, settings).unwrap();
    let r = t
        .fit(
            &mut rbm,
            &Dataset::unsupervised(data.as_ref()),
            &Budget::steps(200),
            |_| ControlFlow::Continue(()),
        )
        .unwrap();
    assert_eq!((r.status, r.n_updates), (Status::MaxSteps, 200 * 4));
    let after = rbm.log_likelihood_exact(data.as_ref(), Par::Seq).unwrap();
    println!("CD-1 with Adam: exact LL before {before:.4}, after {after:.4}");
    assert!(after > before + 1.0, "{before} -> {after}");
    // a model of another shape is refused by the rule, not by a panic in a product
    let mut other = Rbm::random(6, 5, 0.01, 3).unwrap();
    let e = t
        .update(
            &mut other,
            &Dataset::unsupervised(data.as_ref()),
            &[0, 1],
            &Budget::new(),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("hidden units"), "{e}");
}

#[test]
fn the_time_budget_stops_training_between_minibatches() {
    let data = binary_data(6, 40, 97);
    let params = CdParams {
        batch_size: 4,
        seed: 98,
        ..CdParams::default()
    };
    let mut rbm = Rbm::random(6, 4, 0.1, 99).unwrap();
    let start = rbm.clone();
    let mut t = CdTrainer::new(&rbm, params).unwrap();
    // a spent budget: no update, the model untouched, told apart from an interrupt
    let spent = Budget::steps(3).time(std::time::Duration::ZERO);
    let s = t
        .fit(&mut rbm, data.as_ref(), &spent, |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(
        (s.n_epochs, s.n_updates, s.status.clone()),
        (0, 0, Status::Timeout)
    );
    assert!(s.message().contains("time budget"), "{}", s.message());
    assert!(rbm == start);
    let s = t
        .fit(&mut rbm, data.as_ref(), &Budget::steps(3), |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!((s.n_epochs, s.status), (3, Status::MaxSteps));
}

#[test]
fn divergence_restores_the_last_finite_model() {
    let mut r = common::rng(95);
    let data = Mat::from_fn(4, 20, |_, _| {
        3.0 * r.sample::<f64, _>(rand_distr::StandardNormal)
    });
    let mut rbm = Rbm::random(4, 3, 0.1, 96)
        .unwrap()
        .with_visible(VisibleUnits::Gaussian);
    let start = rbm.clone();
    let params = CdParams {
        learning_rate: 1e200,
        ..CdParams::default()
    };
    let s = train(&mut rbm, data.as_ref(), params, &Budget::steps(3), |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert!(
        matches!(&s.status, Status::Diverged(why) if why.contains("epoch 1")),
        "{:?}",
        s.status
    );
    assert_eq!((s.n_epochs, s.diverged_epoch), (0, Some(1)));
    assert!(rbm == start);
}

#[test]
fn safetensors_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    for units in [VisibleUnits::Bernoulli, VisibleUnits::Gaussian] {
        let rbm = common::rbm_with_biases(7, 3, 1.0, 0.5, 101).with_visible(units);
        let path = dir.path().join(format!("{units}.safetensors"));
        rbm.save_safetensors(&path).unwrap();
        let back = Rbm::load_safetensors(&path).unwrap();
        assert!(back == rbm);
        let bytes = std::fs::read(&path).unwrap();
        let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let w = st.tensor("W").unwrap();
        assert_eq!(w.shape(), &[7, 3]);
        assert_eq!(w.dtype(), safetensors::Dtype::F64);
        // row-major W[i][j]
        let w01 = f64::from_le_bytes(w.data()[8..16].try_into().unwrap());
        assert_eq!(w01, rbm.weights()[(0, 1)]);
        let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        let meta = meta.metadata().clone().unwrap();
        assert_eq!(meta["visible_units"], units.name());
        assert_eq!(meta["format"], "attractor.rbm");
        // the same model always gives the same bytes (the metadata in a fixed order), whatever
        // order the hash map behind safetensors' writer lists it in
        for _ in 0..20 {
            assert_eq!(rbm.to_safetensors_bytes().unwrap(), bytes);
        }
        let header = String::from_utf8_lossy(&bytes[8..200]).into_owned();
        assert!(
            header.contains(&format!(
                "{{\"format\":\"attractor.rbm\",\"library_version\":\"{}\",\"visible_units\":\"{}\"}}",
                env!("CARGO_PKG_VERSION"),
                units.name()
            )),
            "{header}"
        );
    }
}

fn err_text<T: std::fmt::Debug>(r: attractor::Result<T>) -> String {
    r.expect_err("expected an error").to_string()
}

/// A safetensors file with the given F64 tensors (row-major data) and metadata.
fn tensors_file(tensors: &[(&str, Vec<usize>, Vec<f64>)], meta: &[(&str, &str)]) -> Vec<u8> {
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, _, d)| d.iter().flat_map(|x| x.to_le_bytes()).collect())
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = tensors
        .iter()
        .zip(&bytes)
        .map(|((n, s, _), b)| {
            (
                n.to_string(),
                safetensors::tensor::TensorView::new(safetensors::Dtype::F64, s.clone(), b)
                    .unwrap(),
            )
        })
        .collect();
    let meta = meta
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    safetensors::serialize(views, Some(meta)).unwrap()
}

#[test]
fn bad_safetensors_files_give_clear_errors() {
    let rbm = common::rbm_with_biases(4, 3, 1.0, 0.5, 111);
    let bytes = rbm.to_safetensors_bytes().unwrap();
    // truncated
    let e = err_text(Rbm::from_safetensors_bytes(
        &bytes[..bytes.len() - 5],
        "t.safetensors",
    ));
    assert!(
        e.contains("t.safetensors") && e.contains("corrupt or truncated"),
        "{e}"
    );
    let e = err_text(Rbm::from_safetensors_bytes(&bytes[..3], "t.safetensors"));
    assert!(
        e.contains("corrupt or truncated") && e.contains("3 bytes"),
        "{e}"
    );
    // corrupt header
    let mut bad = bytes.clone();
    bad[10] = b'#';
    let e = err_text(Rbm::from_safetensors_bytes(&bad, "c.safetensors"));
    assert!(e.contains("c.safetensors") && e.contains("corrupt"), "{e}");
    // random bytes, every length up to 64: an error, never a panic
    let mut r = common::rng(112);
    for n in 0..64 {
        let junk: Vec<u8> = (0..n).map(|_| r.random()).collect();
        assert!(Rbm::from_safetensors_bytes(&junk, "junk").is_err());
    }
    // wrong shapes
    let f = tensors_file(
        &[
            ("W", vec![4, 3], vec![0.0; 12]),
            ("visible_bias", vec![3], vec![0.0; 3]),
            ("hidden_bias", vec![3], vec![0.0; 3]),
        ],
        &[("format", "attractor.rbm")],
    );
    let e = err_text(Rbm::from_safetensors_bytes(&f, "s.safetensors"));
    assert!(
        e.contains("\"visible_bias\" has shape [3]; expected [4]"),
        "{e}"
    );
    let f = tensors_file(
        &[
            ("W", vec![12], vec![0.0; 12]),
            ("visible_bias", vec![4], vec![0.0; 4]),
            ("hidden_bias", vec![3], vec![0.0; 3]),
        ],
        &[],
    );
    let e = err_text(Rbm::from_safetensors_bytes(&f, "s.safetensors"));
    assert!(e.contains("\"W\" has shape [12]"), "{e}");
    // a missing tensor, a foreign format, a bad unit type, a NaN
    let f = tensors_file(&[("W", vec![4, 3], vec![0.0; 12])], &[]);
    let e = err_text(Rbm::from_safetensors_bytes(&f, "m.safetensors"));
    assert!(e.contains("no tensor named \"visible_bias\""), "{e}");
    let ok = [
        ("W", vec![2, 1], vec![0.0, 1.0]),
        ("visible_bias", vec![2], vec![0.0; 2]),
        ("hidden_bias", vec![1], vec![0.0]),
    ];
    let e = err_text(Rbm::from_safetensors_bytes(
        &tensors_file(&ok, &[("format", "gpt")]),
        "g",
    ));
    assert!(e.contains("format = \"gpt\""), "{e}");
    let e = err_text(Rbm::from_safetensors_bytes(
        &tensors_file(&ok, &[("visible_units", "poisson")]),
        "g",
    ));
    assert!(e.contains("visible_units = \"poisson\""), "{e}");
    let nan = [
        ("W", vec![2, 1], vec![0.0, f64::NAN]),
        ("visible_bias", vec![2], vec![0.0; 2]),
        ("hidden_bias", vec![1], vec![0.0]),
    ];
    let e = err_text(Rbm::from_safetensors_bytes(&tensors_file(&nan, &[]), "n"));
    assert!(e.contains("non-finite value (NaN) at flat index 1"), "{e}");
    // without metadata: Bernoulli
    let r = Rbm::from_safetensors_bytes(&tensors_file(&ok, &[]), "ok").unwrap();
    assert_eq!(r.visible_units(), VisibleUnits::Bernoulli);
    assert_eq!(r.weights()[(1, 0)], 1.0);
    // a missing file
    let e = err_text(Rbm::load_safetensors(std::path::Path::new(
        "/no/such/rbm.safetensors",
    )));
    assert!(e.contains("/no/such/rbm.safetensors"), "{e}");
}

#[test]
fn bad_input_gives_messages_that_name_the_value() {
    let rbm = Rbm::random(3, 2, 0.1, 1).unwrap();
    let mut data = Mat::from_fn(3, 4, |i, s| ((i + s) % 2) as f64);
    data[(1, 2)] = 2.0;
    let e = err_text(rbm.log_likelihood_exact(data.as_ref(), Par::Seq));
    assert!(
        e.contains("2 at sample 2, feature 1") && e.contains("{0, 1}"),
        "{e}"
    );
    data[(1, 2)] = -0.5;
    let mut rbm2 = rbm.clone();
    let e = err_text(train(
        &mut rbm2,
        data.as_ref(),
        CdParams::default(),
        &Budget::steps(3),
        |_| ControlFlow::Continue(()),
    ));
    assert!(
        e.contains("training data") && e.contains("-0.5 at sample 2, feature 1"),
        "{e}"
    );
    data[(1, 2)] = f64::NAN;
    let e = err_text(rbm.reconstruction_error(data.as_ref(), Par::Seq));
    assert!(e.contains("NaN at sample 2, feature 1"), "{e}");
    // probabilities in [0, 1] are accepted; Gaussian units take any finite value
    data[(1, 2)] = 0.25;
    assert!(rbm.log_likelihood_exact(data.as_ref(), Par::Seq).is_ok());
    data[(1, 2)] = 7.0;
    let g = rbm.clone().with_visible(VisibleUnits::Gaussian);
    assert!(g.reconstruction_error(data.as_ref(), Par::Seq).is_ok());
    let e = err_text(g.pseudo_likelihood_exact(data.as_ref(), Par::Seq));
    assert!(e.contains("gaussian") && e.contains("Bernoulli"), "{e}");
    // wrong widths
    let wide = Mat::<f64>::zeros(5, 4);
    let e = err_text(rbm.free_energies(wide.as_ref(), Par::Seq));
    assert!(e.contains("length 5, expected 3"), "{e}");
    let e = err_text(rbm.free_energy(&[0.0, 1.0]));
    assert!(e.contains("length 2, expected 3"), "{e}");
    let e = err_text(CdTrainer::new(&rbm, CdParams::default()).and_then(|mut t| {
        let mut other = Rbm::random(4, 2, 0.1, 1).unwrap();
        t.partial_fit(&mut other, Mat::<f64>::zeros(4, 2).as_ref(), &Budget::new())
    }));
    assert!(
        e.contains("RBM visible units has length 4, expected 3"),
        "{e}"
    );
    // training parameters
    let cases: [(CdParams, &str); 7] = [
        (
            CdParams {
                k: 0,
                ..CdParams::default()
            },
            "invalid k = 0",
        ),
        (
            CdParams {
                learning_rate: 0.0,
                ..CdParams::default()
            },
            "invalid learning_rate = 0",
        ),
        (
            CdParams {
                learning_rate: -0.1,
                ..CdParams::default()
            },
            "invalid learning_rate = -0.1",
        ),
        (
            CdParams {
                learning_rate: f64::NAN,
                ..CdParams::default()
            },
            "invalid learning_rate = NaN",
        ),
        (
            CdParams {
                momentum: 1.0,
                ..CdParams::default()
            },
            "invalid momentum = 1",
        ),
        (
            CdParams {
                weight_decay: -1.0,
                ..CdParams::default()
            },
            "invalid weight_decay = -1",
        ),
        (
            CdParams {
                batch_size: 0,
                ..CdParams::default()
            },
            "invalid batch_size = 0",
        ),
    ];
    for (p, want) in cases {
        let e = err_text(CdTrainer::new(&rbm, p));
        assert!(e.contains(want), "{e} should contain {want}");
    }
    // constructors, limits, samplers
    let e = err_text(Rbm::new(
        Mat::zeros(3, 2),
        vec![0.0; 2],
        vec![0.0; 2],
        VisibleUnits::Bernoulli,
    ));
    assert!(e.contains("visible_bias has length 2, expected 3"), "{e}");
    let mut w = Mat::<f64>::zeros(3, 2);
    w[(2, 1)] = f64::INFINITY;
    assert!(matches!(
        Rbm::new(w, vec![0.0; 3], vec![0.0; 2], VisibleUnits::Bernoulli),
        Err(Error::NonFinite { .. })
    ));
    let e = err_text(Rbm::random(3, 2, -1.0, 0));
    assert!(e.contains("invalid scale = -1"), "{e}");
    let big = Rbm::random(30, 25, 0.1, 0).unwrap();
    let e = err_text(big.log_z_exact(Par::Seq));
    assert!(
        e.contains("min(n_visible, n_hidden) = 25") && e.contains("annealed importance sampling"),
        "{e}"
    );
    let e = err_text(rbm.ais_log_z(
        &AisParams {
            n_runs: 1,
            ..AisParams::default()
        },
        None,
        &Budget::new(),
    ));
    assert!(e.contains("invalid n_runs = 1"), "{e}");
    let e = err_text(rbm.ais_log_z(
        &AisParams {
            n_betas: 0,
            ..AisParams::default()
        },
        None,
        &Budget::new(),
    ));
    assert!(e.contains("invalid n_betas = 0"), "{e}");
    let e = err_text(rbm.ais_log_z(
        &AisParams {
            schedule: AisSchedule::Betas(vec![0.0, 0.7, 0.5, 1.0]),
            ..AisParams::default()
        },
        None,
        &Budget::new(),
    ));
    assert!(
        e.contains("must increase from exactly 0 to exactly 1"),
        "{e}"
    );
    let e = err_text(rbm.gibbs().with_temperature(0.0));
    assert!(e.contains("invalid temperature = 0"), "{e}");
    let e = err_text("poisson".parse::<VisibleUnits>());
    assert!(e.contains("\"poisson\""), "{e}");
}
