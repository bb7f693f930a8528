//! Equilibrium propagation on a layered oscillator network (Gower, arXiv 2505.02103 and
//! 2510.12934): the parameter gradient and the flow against finite differences of the energy,
//! energy descent along the free and nudged phases, the EP update against a finite-difference
//! gradient of the loss at the free equilibrium, training on the 8×8 digits, and bad input.

use attractor::Par;
use attractor::energy::{Energy, ParamGradient};
use attractor::learn::optimizer::{ParamBlocks, direction_blocks};
use attractor::learn::{
    Dataset, Nudging, OscEqPropParams, OscillatorEqProp, Sgd, TrainSettings, Trainer,
};
use attractor::models::layered::{Phase, Relaxation};
use attractor::models::oscillator_network::{OscillatorFlow, OscillatorNetwork, phase_cost};
use attractor::run::{BatchField, Budget};
use faer::Mat;
use std::ops::ControlFlow;

/// A 4-5-3 network with biases, inputs and one-hot targets.
fn small(seed: u64) -> (OscillatorNetwork, Mat<f64>, Mat<f64>) {
    let mut net = OscillatorNetwork::random(&[4, 5, 3], seed).unwrap();
    for k in 1..=2 {
        for (i, h) in net.bias_mut(k).iter_mut().enumerate() {
            *h = 0.2 * ((i + k) as f64).sin();
        }
    }
    let x = Mat::from_fn(4, 3, |i, j| 0.5 + 0.45 * ((i * 3 + j * 7) as f64).sin());
    let y = Mat::from_fn(3, 3, |i, j| if i == j { 1.0 } else { 0.0 });
    (net, x, y)
}

fn tight() -> Relaxation {
    Relaxation {
        epsilon: 0.2,
        max_steps: 400_000,
        tol: Some(1e-12),
    }
}

#[test]
fn param_gradient_and_flow_match_finite_differences_of_the_energy() {
    let (mut net, _, y) = small(1);
    let d0 = net.n_inputs();
    let dim = net.state_dim();
    let z: Vec<f64> = (0..d0 + dim)
        .map(|i| 3.0 * (i as f64 * 1.7).sin())
        .collect();
    let mut g = vec![0.0; net.n_params()];
    net.param_gradient_into(&z, &mut g);
    let theta = net.params();
    let h = 1e-6;
    let mut worst: f64 = 0.0;
    for p in 0..theta.len() {
        let mut t = theta.clone();
        t[p] += h;
        net.set_params(&t).unwrap();
        let ep = net.energy(&z);
        t[p] -= 2.0 * h;
        net.set_params(&t).unwrap();
        let em = net.energy(&z);
        worst = worst.max(((ep - em) / (2.0 * h) - g[p]).abs());
    }
    net.set_params(&theta).unwrap();
    println!("max |dE/dtheta - fd| = {worst:.2e}");
    assert!(worst < 1e-7, "parameter gradient off by {worst}");

    // the batched field is −∂F/∂θ and its energies are F (nudged, β = 0.7)
    let phi = Mat::from_fn(d0, 1, |i, _| z[i]);
    let mut flow =
        OscillatorFlow::new(&net, phi.as_ref(), Some(y.as_ref().subcols(0, 1)), Par::Seq).unwrap();
    flow.set_phase(Phase::Nudged(0.7)).unwrap();
    let s = Mat::from_fn(dim, 1, |i, _| z[d0 + i]);
    let mut ds = Mat::zeros(dim, 1);
    flow.eval_batch_into(0.0, s.as_ref(), ds.as_mut());
    let mut e = [0.0];
    assert!(flow.energies_into(0.0, s.as_ref(), &mut e));
    let out = net.output_rows();
    let reference = net.energy_of(&z[..d0], &z[d0..])
        + 0.7 * phase_cost(&z[d0 + out.start..], y.col_as_slice(0));
    assert!((e[0] - reference).abs() < 1e-12, "{} vs {reference}", e[0]);
    let mut worst: f64 = 0.0;
    for i in 0..dim {
        let mut sp = s.clone();
        sp[(i, 0)] += h;
        let mut ep = [0.0];
        flow.energies_into(0.0, sp.as_ref(), &mut ep);
        sp[(i, 0)] -= 2.0 * h;
        let mut em = [0.0];
        flow.energies_into(0.0, sp.as_ref(), &mut em);
        worst = worst.max(((ep[0] - em[0]) / (2.0 * h) + ds[(i, 0)]).abs());
    }
    println!("max |dF/dtheta + field| = {worst:.2e}");
    assert!(worst < 1e-7, "field off by {worst}");
}

#[test]
fn the_free_and_nudged_phases_never_raise_their_energy() {
    let (net, x, y) = small(2);
    let phi = net.input_phases(x.as_ref()).unwrap();
    let mut flow = OscillatorFlow::new(&net, phi.as_ref(), Some(y.as_ref()), Par::Seq).unwrap();
    let b = x.ncols();
    for phase in [Phase::Free, Phase::Nudged(1.0), Phase::Nudged(-1.0)] {
        flow.set_phase(phase).unwrap();
        let mut s = Mat::from_fn(net.state_dim(), b, |i, j| {
            ((i * 5 + j * 3) as f64).cos() * 3.0
        });
        let mut ds = Mat::zeros(net.state_dim(), b);
        let (mut prev, mut e) = (vec![0.0; b], vec![0.0; b]);
        flow.energies_into(0.0, s.as_ref(), &mut prev);
        let first = prev.clone();
        for step in 0..500 {
            flow.eval_batch_into(0.0, s.as_ref(), ds.as_mut());
            for j in 0..b {
                for i in 0..s.nrows() {
                    s[(i, j)] += 0.05 * ds[(i, j)];
                }
            }
            flow.energies_into(0.0, s.as_ref(), &mut e);
            for j in 0..b {
                assert!(
                    e[j] <= prev[j] + 1e-12,
                    "{phase:?} column {j} step {step}: energy rose {} -> {}",
                    prev[j],
                    e[j]
                );
            }
            prev.clone_from(&e);
        }
        println!("{phase:?}: energies {first:?} -> {prev:?}");
        assert!(prev.iter().zip(&first).all(|(a, b)| a < &(b - 1e-3)));
    }
}

/// The mean cost at the free equilibria reached from `start` (tight relaxation).
fn loss(net: &OscillatorNetwork, x: &Mat<f64>, y: &Mat<f64>, start: &Mat<f64>) -> f64 {
    let phi = net.input_phases(x.as_ref()).unwrap();
    let mut flow = OscillatorFlow::new(net, phi.as_ref(), None, Par::Seq).unwrap();
    let sol = tight()
        .run()
        .unwrap()
        .solve_batch(
            &mut flow,
            &mut attractor::step::Euler::new(),
            start.as_ref(),
        )
        .unwrap();
    let out = net.output_rows();
    (0..x.ncols())
        .map(|j| phase_cost(&sol.states.col_as_slice(j)[out.start..], y.col_as_slice(j)))
        .sum::<f64>()
        / x.ncols() as f64
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let d: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|v| v * v).sum::<f64>().sqrt();
    let nb = b.iter().map(|v| v * v).sum::<f64>().sqrt();
    d / (na * nb)
}

fn rel(a: &[f64], b: &[f64]) -> f64 {
    let d = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt();
    d / b.iter().map(|v| v * v).sum::<f64>().sqrt()
}

#[test]
fn ep_follows_the_finite_difference_gradient_of_the_loss() {
    let (mut net, x, y) = small(3);
    // the free equilibria, and −∂L/∂θ by central differences warm-started from them
    let s0 = net.relax_free(x.as_ref(), &tight(), 8, Par::Seq).unwrap();
    let theta = net.params();
    let h = 1e-5;
    let mut minus_grad = vec![0.0; theta.len()];
    for p in 0..theta.len() {
        let mut t = theta.clone();
        t[p] += h;
        net.set_params(&t).unwrap();
        let lp = loss(&net, &x, &y, &s0);
        t[p] -= 2.0 * h;
        net.set_params(&t).unwrap();
        let lm = loss(&net, &x, &y, &s0);
        minus_grad[p] = -(lp - lm) / (2.0 * h);
    }
    net.set_params(&theta).unwrap();
    let norm = minus_grad.iter().map(|v| v * v).sum::<f64>().sqrt();
    assert!(norm > 1e-3, "the test network's gradient is ~0 ({norm})");
    let mut errs = Vec::new();
    for nudging in [Nudging::OneSided, Nudging::Symmetric] {
        for beta in [0.1, 0.05, 0.01] {
            let mut rule = OscillatorEqProp::new(OscEqPropParams {
                beta,
                nudging,
                free: tight(),
                nudged: tight(),
                ..OscEqPropParams::default()
            })
            .unwrap();
            rule.phases(&net, x.as_ref(), y.as_ref()).unwrap();
            let blocks = direction_blocks(&mut rule, &net.block_specs());
            let d: Vec<f64> = blocks
                .iter()
                .flat_map(|m| (0..m.ncols()).flat_map(move |j| m.col_as_slice(j).to_vec()))
                .collect();
            let (c, r) = (cosine(&d, &minus_grad), rel(&d, &minus_grad));
            println!(
                "{:10} beta {beta:5}: cosine {c:.6}, relative error {r:.3e}",
                nudging.name()
            );
            if beta == 0.01 {
                assert!(c > 0.99, "{} beta {beta}: cosine {c}", nudging.name());
            }
            errs.push((nudging, beta, r));
        }
    }
    // the bias is O(β) one-sided and O(β²) symmetric: slopes of log(error) against log(β)
    for (nudging, lo, hi) in [
        (Nudging::OneSided, 0.8, 1.2),
        (Nudging::Symmetric, 1.7, 2.3),
    ] {
        let pts: Vec<(f64, f64)> = errs
            .iter()
            .filter(|(m, _, _)| *m == nudging)
            .map(|(_, b, r)| (b.ln(), r.ln()))
            .collect();
        let n = pts.len() as f64;
        let (mx, my) = pts
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
        let num: f64 = pts.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
        let den: f64 = pts.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
        let slope = num / den;
        println!("{}: slope {slope:.3}", nudging.name());
        assert!(
            (lo..hi).contains(&slope),
            "{}: slope {slope}",
            nudging.name()
        );
    }
    for beta in [0.1, 0.05, 0.01] {
        let e = |n| {
            errs.iter()
                .find(|(m, b, _)| *m == n && *b == beta)
                .unwrap()
                .2
        };
        assert!(
            e(Nudging::Symmetric) < e(Nudging::OneSided),
            "beta {beta}: symmetric {} not below one-sided {}",
            e(Nudging::Symmetric),
            e(Nudging::OneSided)
        );
    }
}

fn digits() -> (Mat<f64>, Vec<usize>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/digits");
    let xs = attractor::problems::npy::read_npy(dir.join("digits_X_uint8.npy")).unwrap();
    let ys = attractor::problems::npy::read_npy(dir.join("digits_y_uint8.npy")).unwrap();
    let (n, d) = (xs.shape[0], xs.shape[1]);
    let x = Mat::from_fn(d, n, |i, j| xs.data[j * d + i] / 16.0);
    (x, ys.data.iter().map(|&v| v as usize).collect())
}

#[test]
fn ep_trains_an_oscillator_network_on_the_digits() {
    let t0 = std::time::Instant::now();
    let (x, labels) = digits();
    let n_train = 1300;
    let onehot = Mat::from_fn(10, x.ncols(), |i, j| (labels[j] == i) as u8 as f64);
    let train = Dataset::supervised(
        x.as_ref().subcols(0, n_train),
        onehot.as_ref().subcols(0, n_train),
    )
    .unwrap();
    let test_x = x.as_ref().subcols(n_train, x.ncols() - n_train);
    let test_y = &labels[n_train..];
    let settings = TrainSettings {
        batch_size: 20,
        shuffle: true,
        seed: 7,
    };
    let mut net = OscillatorNetwork::random(&[64, 64, 10], 3).unwrap();
    let params = OscEqPropParams::default();
    let free = params.free;
    let opt = Sgd::new(net.block_specs(), 0.1, 0.0, 0.0).unwrap();
    let rule = OscillatorEqProp::new(params).unwrap();
    let mut trainer = Trainer::new(rule, opt, settings).unwrap();
    let mut last = (0, 0);
    let report = trainer
        .fit(&mut net, &train, &Budget::steps(10), |e| {
            let (seen, errors) = e.rule.error_counts();
            println!(
                "epoch {}: train error (free phase) {:.3}",
                e.epoch,
                (errors - last.1) as f64 / (seen - last.0) as f64
            );
            last = (seen, errors);
            ControlFlow::Continue(())
        })
        .unwrap();
    let pred = net.predict_classes(test_x, &free, Par::Seq).unwrap();
    let acc = pred.iter().zip(test_y).filter(|(a, b)| a == b).count() as f64 / test_y.len() as f64;
    println!(
        "oscillator EP: test accuracy {acc:.3} on {} digits ({}), {:.2} s in all",
        test_y.len(),
        report.message(),
        t0.elapsed().as_secs_f64()
    );
    // measured: 0.918 after 10 epochs in about 1.3 s (release, one thread); chance: 0.1
    assert!(acc > 0.85, "test accuracy {acc}");
}

#[test]
fn bad_input_is_named() {
    let err = |r: Result<OscillatorNetwork, attractor::Error>| r.unwrap_err().to_string();
    assert!(err(OscillatorNetwork::random(&[5], 0)).contains("layer sizes"));
    assert!(err(OscillatorNetwork::random(&[5, 0, 3], 0)).contains("width of layer 1"));
    let (net, x, y) = small(1);
    let bad_x = Mat::<f64>::zeros(6, 2);
    let e = net.input_phases(bad_x.as_ref()).unwrap_err().to_string();
    assert!(e.contains("inputs x (features)") && e.contains('6'), "{e}");
    let bad_phi = Mat::<f64>::zeros(7, 3);
    let e = OscillatorFlow::new(&net, bad_phi.as_ref(), None, Par::Seq)
        .unwrap_err()
        .to_string();
    assert!(e.contains("input phases (rows)") && e.contains('7'), "{e}");
    let phi = net.input_phases(x.as_ref()).unwrap();
    let bad_y = Mat::<f64>::zeros(2, 3);
    let e = OscillatorFlow::new(&net, phi.as_ref(), Some(bad_y.as_ref()), Par::Seq)
        .unwrap_err()
        .to_string();
    assert!(e.contains("targets y (rows)") && e.contains('2'), "{e}");
    let mut nan = x.clone();
    nan[(1, 1)] = f64::NAN;
    let e = net
        .relax_free(nan.as_ref(), &Relaxation::fixed(0.3, 3), 4, Par::Seq)
        .unwrap_err()
        .to_string();
    assert!(e.contains("non-finite"), "{e}");
    for beta in [0.0, -0.5, f64::NAN] {
        let e = OscillatorEqProp::new(OscEqPropParams {
            beta,
            ..OscEqPropParams::default()
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("beta") && e.contains(&format!("{beta}")), "{e}");
    }
    let mut flow = OscillatorFlow::new(&net, phi.as_ref(), None, Par::Seq).unwrap();
    let e = flow.set_phase(Phase::Nudged(0.5)).unwrap_err().to_string();
    assert!(e.contains("targets"), "{e}");
    let mut flow = OscillatorFlow::new(&net, phi.as_ref(), Some(y.as_ref()), Par::Seq).unwrap();
    let e = flow.set_phase(Phase::Nudged(0.0)).unwrap_err().to_string();
    assert!(e.contains("beta"), "{e}");
    let e = OscillatorEqProp::new(OscEqPropParams {
        free: Relaxation::fixed(0.3, 0),
        ..OscEqPropParams::default()
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("free steps"), "{e}");
    let mut rule = OscillatorEqProp::new(OscEqPropParams::default()).unwrap();
    let e = rule
        .phases(&net, bad_x.as_ref(), y.as_ref())
        .unwrap_err()
        .to_string();
    assert!(e.contains("inputs x (features)"), "{e}");
}

/// The oscillator network's safetensors file: a round trip gives the same network, the bytes
/// are the same for the same network, and neither kind of layered file passes for the other.
#[test]
fn safetensors_round_trip_and_format_check() {
    use attractor::models::layered::{LayerActivation, LayeredNetwork};
    let (net, _, _) = small(3);
    let bytes = net.to_safetensors_bytes().unwrap();
    assert_eq!(bytes, net.to_safetensors_bytes().unwrap());
    let back = OscillatorNetwork::from_safetensors_bytes(&bytes, "osc").unwrap();
    assert_eq!(back, net);
    let err = LayeredNetwork::from_safetensors_bytes(&bytes, "osc").unwrap_err();
    assert!(err.to_string().contains("attractor.layered"), "{err}");
    let layered = LayeredNetwork::random(&[4, 5, 3], LayerActivation::HardSigmoid, 1).unwrap();
    let err = OscillatorNetwork::from_safetensors_bytes(
        &layered.to_safetensors_bytes().unwrap(),
        "layered",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("not a safetensors oscillator network file"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("osc.safetensors");
    net.save_safetensors(&path).unwrap();
    assert_eq!(OscillatorNetwork::load_safetensors(&path).unwrap(), net);
}
