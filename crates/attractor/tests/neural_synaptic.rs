//! Neural–synaptic networks (Centorrino, Bullo & Russo, arXiv:2204.05382): the certified
//! contraction rate bounds the measured convergence of pairs of trajectories, the certificate
//! fails where trajectories do not meet, the learned weights are the rules' fixed points, Oja's
//! rule normalises, and bad input is refused by name.

use attractor::models::{
    Activation, NeuralForm, NeuralSynapticNetwork, SynapseMask, SynapticParams, SynapticRule,
};
use attractor::rng::uniform;
use attractor::run::{Run, Status};
use attractor::step::{Dopri5, Rk4};

/// A ring with both neighbours as inputs: in-degree 2.
fn ring(n: usize) -> SynapseMask {
    let edges: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| [(i, (i + 1) % n), (i, (i + n - 1) % n)])
        .collect();
    SynapseMask::from_edges(n, &edges).unwrap()
}

/// A random joint state in the certificate's forward-invariant box.
fn start_in_box(net: &NeuralSynapticNetwork, w_bar: f64, a_bar: f64, seed: u64) -> Vec<f64> {
    let n = net.n_neurons();
    let x = match net.params().form {
        NeuralForm::Hopfield => uniform(seed, n, -3.0, 3.0).unwrap(),
        NeuralForm::FiringRate => {
            let (lo, hi) = net.params().activation.range();
            let c = net.params().neural_decay;
            uniform(seed, n, 0.99 * lo / c, 0.99 * hi / c).unwrap()
        }
    };
    assert!(x.iter().all(|v| v.abs() <= 3.0_f64.max(a_bar)));
    let w = uniform(seed ^ 0x5eed, net.n_synapses(), -w_bar, w_bar).unwrap();
    net.join(&x, &w).unwrap()
}

/// The worst ratio `measured rate / certified rate` over seeds, after checking
/// `‖z₁(t) − z₂(t)‖ ≤ e^{−rate·t}‖z₁(0) − z₂(0)‖` (1e-9 relative slack) at every kept time.
fn check_rate(net: &NeuralSynapticNetwork, n_seeds: u64, t_end: f64) -> (f64, f64, f64) {
    let cert = net.certificate().unwrap();
    assert!(cert.contracting, "{}", cert.criterion);
    let run = Run::new(0.01).unwrap().t_end(t_end).unwrap();
    let (mut worst, mut best) = (f64::INFINITY, 0.0f64);
    for seed in 0..n_seeds {
        let z1 = start_in_box(net, cert.weight_bound, cert.activity_bound, 2 * seed);
        let z2 = start_in_box(net, cert.weight_bound, cert.activity_bound, 2 * seed + 1);
        let p1 = net.trajectory(&run, &mut Rk4::new(), &z1, 50).unwrap();
        let p2 = net.trajectory(&run, &mut Rk4::new(), &z2, 50).unwrap();
        assert_eq!(p1.t, p2.t);
        let d0 = cert.distance(&z1, &z2).unwrap();
        for k in 0..p1.t.len() {
            let d = cert.distance(p1.state(k), p2.state(k)).unwrap();
            let bound = d0 * (-cert.rate * p1.t[k]).exp();
            assert!(
                d <= bound * (1.0 + 1e-9) + 1e-13,
                "seed {seed}, t = {}: distance {d:e} above the certified bound {bound:e}",
                p1.t[k]
            );
            // the state stays in the invariant box
            let w_max = p1.synapses(k).iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(
                w_max <= cert.weight_bound * (1.0 + 1e-9),
                "{w_max} > {}",
                cert.weight_bound
            );
        }
        let last = p1.t.len() - 1;
        let measured =
            -(cert.distance(p1.state(last), p2.state(last)).unwrap() / d0).ln() / p1.t[last];
        worst = worst.min(measured);
        best = best.max(measured);
    }
    eprintln!(
        "{}-{} n = {} d = {}: certified rate {:.4}, measured over {n_seeds} seeds {:.4} .. {:.4}",
        net.params().form.name(),
        net.params().rule.name(),
        net.n_neurons(),
        cert.max_in_degree,
        cert.rate,
        worst,
        best
    );
    assert!(worst >= cert.rate);
    (cert.rate, worst, best)
}

#[test]
fn trajectories_converge_at_least_at_the_certified_rate() {
    let cases = [
        // Hopfield–Hebbian on a ring: c = 1 > 3dρ/γ = 0.6
        SynapticParams {
            gain: 0.1,
            epsilon: 0.5,
            ..Default::default()
        },
        // anti-Hebbian, slow synapses
        SynapticParams {
            rule: SynapticRule::AntiHebbian,
            gain: 0.12,
            epsilon: 0.1,
            ..Default::default()
        },
        // Oja, faster neurons
        SynapticParams {
            rule: SynapticRule::Oja,
            gain: 0.1,
            tau: 0.5,
            epsilon: 0.3,
            ..Default::default()
        },
        // firing-rate–Hebbian with a logistic activation
        SynapticParams {
            form: NeuralForm::FiringRate,
            activation: Activation::Logistic,
            gain: 0.5,
            neural_decay: 1.0,
            synaptic_decay: 1.0,
            epsilon: 0.4,
            ..Default::default()
        },
    ];
    for (k, params) in cases.into_iter().enumerate() {
        let u = uniform(100 + k as u64, 6, -1.0, 1.0).unwrap();
        let net = NeuralSynapticNetwork::new(ring(6), params)
            .unwrap()
            .with_input(u)
            .unwrap();
        let (certified, worst, _) = check_rate(&net, 12, 30.0);
        assert!(certified > 0.0 && worst >= certified);
    }
    // all-to-all firing-rate network with tanh, in-degree 4
    let params = SynapticParams {
        form: NeuralForm::FiringRate,
        gain: 0.05,
        neural_decay: 1.0,
        epsilon: 0.5,
        ..Default::default()
    };
    let net = NeuralSynapticNetwork::new(SynapseMask::all_to_all(5).unwrap(), params)
        .unwrap()
        .with_input(vec![0.5, -0.3, 0.2, 0.9, -0.7])
        .unwrap();
    check_rate(&net, 12, 30.0);
}

#[test]
fn certificate_threshold_is_c_greater_than_three_d_rho_over_gamma() {
    // Hopfield–Hebbian with tanh: α(G) < 0 ⇔ c > L d (w̄ + 2ρā²/γ) = 3dρ/γ.
    let d = 2.0;
    let (c, gamma) = (1.5, 0.8);
    let rho_star = c * gamma / (3.0 * d);
    for (rho, expect) in [(0.99 * rho_star, true), (1.01 * rho_star, false)] {
        let params = SynapticParams {
            gain: rho,
            neural_decay: c,
            synaptic_decay: gamma,
            ..Default::default()
        };
        let cert = NeuralSynapticNetwork::new(ring(5), params)
            .unwrap()
            .certificate()
            .unwrap();
        assert_eq!(cert.contracting, expect, "rho = {rho}: {}", cert.criterion);
        assert_eq!(cert.max_in_degree, 2);
        assert!((cert.weight_bound - rho / gamma).abs() < 1e-15);
    }
}

#[test]
fn outside_the_region_two_trajectories_settle_on_different_equilibria() {
    // strong Hebbian learning on all-to-all tanh neurons without input: x → −x maps equilibria
    // to equilibria with the same weights, and a strong pattern is learned in both signs.
    let params = SynapticParams {
        gain: 2.0,
        epsilon: 0.5,
        ..Default::default()
    };
    let net = NeuralSynapticNetwork::new(SynapseMask::all_to_all(4).unwrap(), params).unwrap();
    let cert = net.certificate().unwrap();
    assert!(!cert.contracting && cert.rate < 0.0, "{}", cert.criterion);
    let run = Run::new(0.01)
        .unwrap()
        .max_steps(200_000)
        .steady_state(0.0, 1e-10)
        .unwrap();
    let w0 = vec![0.5; net.n_synapses()];
    let z1 = net.join(&[1.0, 0.8, 1.2, 0.9], &w0).unwrap();
    let z2 = net.join(&[-1.0, -0.8, -1.2, -0.9], &w0).unwrap();
    let s1 = run.solve(&mut net.flow(), &mut Rk4::new(), &z1).unwrap();
    let s2 = run.solve(&mut net.flow(), &mut Rk4::new(), &z2).unwrap();
    assert_eq!(s1.status, Status::Converged);
    assert_eq!(s2.status, Status::Converged);
    let (x1, w1) = net.split(&s1.state).unwrap();
    let (x2, w2) = net.split(&s2.state).unwrap();
    // a learned pattern, in both signs, with the same weights
    assert!(x1.iter().all(|&v| v > 1.0), "{x1:?}");
    for i in 0..4 {
        assert!((x1[i] + x2[i]).abs() < 1e-6);
    }
    for e in 0..w1.len() {
        assert!((w1[e] - w2[e]).abs() < 1e-6 && w1[e] > 1.0);
    }
    let d = cert.distance(&s1.state, &s2.state).unwrap();
    assert!(d > 2.0, "the two equilibria are {d} apart");
    // and the weak-gain network brings the same two starts together
    let weak = NeuralSynapticNetwork::new(
        SynapseMask::all_to_all(4).unwrap(),
        SynapticParams {
            gain: 0.05,
            epsilon: 0.5,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(weak.certificate().unwrap().contracting);
    let s1 = run.solve(&mut weak.flow(), &mut Rk4::new(), &z1).unwrap();
    let s2 = run.solve(&mut weak.flow(), &mut Rk4::new(), &z2).unwrap();
    let gap = s1
        .state
        .iter()
        .zip(&s2.state)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(gap < 1e-8, "{gap}");
}

/// Run to a steady state and return `(x, w, activities)`.
fn equilibrium(net: &NeuralSynapticNetwork, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let z0 = uniform(seed, net.dim(), -0.5, 0.5).unwrap();
    let sol = Run::new(0.02)
        .unwrap()
        .max_steps(500_000)
        .steady_state(0.0, 1e-12)
        .unwrap()
        .solve(&mut net.flow(), &mut Rk4::new(), &z0)
        .unwrap();
    assert_eq!(sol.status, Status::Converged, "{}", sol.message());
    let (x, w) = net.split(&sol.state).unwrap();
    (x.to_vec(), w.to_vec(), net.activity(x))
}

#[test]
fn learned_weights_are_the_rules_fixed_points() {
    let mask = SynapseMask::from_edges(
        5,
        &[
            (0, 1),
            (0, 4),
            (1, 0),
            (1, 2),
            (2, 3),
            (3, 3),
            (3, 1),
            (4, 0),
            (4, 2),
        ],
    )
    .unwrap();
    let u = vec![1.2, -0.7, 0.4, 0.9, -1.1];
    for form in [NeuralForm::Hopfield, NeuralForm::FiringRate] {
        for rule in [
            SynapticRule::Hebbian,
            SynapticRule::AntiHebbian,
            SynapticRule::Oja,
        ] {
            let params = SynapticParams {
                form,
                rule,
                gain: 0.6,
                synaptic_decay: 0.5,
                epsilon: 0.2,
                ..Default::default()
            };
            let (rho, gamma) = (params.gain, params.synaptic_decay);
            let net = NeuralSynapticNetwork::new(mask.clone(), params)
                .unwrap()
                .with_input(u.clone())
                .unwrap();
            let (x, w, a) = equilibrium(&net, 9);
            for (e, (i, j)) in net.mask().edges().enumerate() {
                let expect = match rule {
                    SynapticRule::Hebbian => rho / gamma * a[i] * a[j],
                    SynapticRule::AntiHebbian => -rho / gamma * a[i] * a[j],
                    SynapticRule::Oja => rho * a[i] * a[j] / (gamma + rho * a[i] * a[i]),
                };
                assert!(
                    (w[e] - expect).abs() < 1e-9,
                    "{form:?} {rule:?} synapse {i} <- {j}: {} vs {expect}",
                    w[e]
                );
            }
            // and the neurons are at their own equilibrium for the learned W
            let wm = net.weight_matrix(&w).unwrap();
            for i in 0..5 {
                let residual = match form {
                    NeuralForm::Hopfield => {
                        let s: f64 = (0..5).map(|j| wm[(i, j)] * x[j].tanh()).sum();
                        -x[i] + s + u[i]
                    }
                    NeuralForm::FiringRate => {
                        let s: f64 = (0..5).map(|j| wm[(i, j)] * x[j]).sum();
                        -x[i] + (s + u[i]).tanh()
                    }
                };
                assert!(residual.abs() < 1e-9, "{form:?} {rule:?}: {residual:e}");
            }
        }
    }
}

/// Three input neurons driven by `u` feed one linear output neuron `y = wᵀx`.
fn feedforward(rule: SynapticRule, synaptic_decay: f64) -> NeuralSynapticNetwork {
    let params = SynapticParams {
        form: NeuralForm::FiringRate,
        activation: Activation::Identity,
        rule,
        gain: 1.0,
        synaptic_decay,
        epsilon: 0.1,
        ..Default::default()
    };
    NeuralSynapticNetwork::new(
        SynapseMask::from_edges(4, &[(3, 0), (3, 1), (3, 2)]).unwrap(),
        params,
    )
    .unwrap()
    .with_input(vec![0.96, -1.2, 1.28, 0.0]) // ‖u‖ = 2
    .unwrap()
}

#[test]
fn oja_normalises_the_weights_where_hebb_grows_without_bound() {
    let z0 = [0.0, 0.0, 0.0, 0.0, 0.3, 0.1, 0.2];
    let run = Run::new(0.01).unwrap().t_end(60.0).unwrap();
    let oja = feedforward(SynapticRule::Oja, 0.0);
    let sol = run.solve(&mut oja.flow(), &mut Rk4::new(), &z0).unwrap();
    let (_, w) = oja.split(&sol.state).unwrap();
    let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
    // Oja (1982): ‖w‖ → 1, w → ±u/‖u‖ (the principal direction of the single input)
    assert!((norm - 1.0).abs() < 1e-6, "‖w‖ = {norm}");
    let u = [0.48, -0.6, 0.64];
    let cos: f64 = w.iter().zip(&u).map(|(a, b)| a * b).sum::<f64>() / norm;
    assert!(cos > 1.0 - 1e-9, "cos = {cos}");
    // the same neurons with Hebb's rule: ẏ-growth e^{ερ‖u‖²t}
    let hebb = feedforward(SynapticRule::Hebbian, 0.0);
    let sol = run.solve(&mut hebb.flow(), &mut Rk4::new(), &z0).unwrap();
    let (_, w) = hebb.split(&sol.state).unwrap();
    let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
    assert!(norm > 1e6, "‖w‖ = {norm}");
    // neither rule is certified without a synaptic decay, nor with an unbounded activation
    let e = oja.certificate().unwrap_err().to_string();
    assert!(e.contains("activation") && e.contains("bounded"), "{e}");
}

#[test]
fn oja_stays_in_its_smaller_box_where_hebb_leaves_it() {
    // strong gain ρ = 8, γ = 1: Oja's box is ½ā√(ρ/γ) = √2, Hebb's ρā²/γ = 8
    let mk = |rule| {
        NeuralSynapticNetwork::new(
            SynapseMask::all_to_all(3).unwrap(),
            SynapticParams {
                rule,
                gain: 8.0,
                epsilon: 0.5,
                ..Default::default()
            },
        )
        .unwrap()
        .with_input(vec![2.0, -1.5, 1.0])
        .unwrap()
    };
    let run = Run::new(0.01).unwrap().t_end(40.0).unwrap();
    let max_w = |net: &NeuralSynapticNetwork| {
        let z0 = net
            .join(&[0.5, -0.5, 0.2], &vec![0.0; net.n_synapses()])
            .unwrap();
        let p = net.trajectory(&run, &mut Rk4::new(), &z0, 10).unwrap();
        (0..p.t.len())
            .flat_map(|k| p.synapses(k).to_vec())
            .fold(0.0f64, |m, v| m.max(v.abs()))
    };
    let oja = mk(SynapticRule::Oja);
    let bound = oja.certificate().unwrap().weight_bound;
    assert!((bound - 2f64.sqrt()).abs() < 1e-12);
    let m_oja = max_w(&oja);
    assert!(m_oja <= bound, "{m_oja} > {bound}");
    let m_hebb = max_w(&mk(SynapticRule::Hebbian));
    assert!(m_hebb > 4.0, "Hebbian weights reached only {m_hebb}");
}

#[test]
fn adaptive_and_fixed_steps_agree() {
    let net = NeuralSynapticNetwork::new(ring(6), SynapticParams::default())
        .unwrap()
        .with_input(vec![0.5, -1.0, 0.3, 0.0, 0.8, -0.2])
        .unwrap();
    let z0 = uniform(4, net.dim(), -1.0, 1.0).unwrap();
    let run = Run::new(0.01).unwrap().t_end(20.0).unwrap();
    let a = run.solve(&mut net.flow(), &mut Rk4::new(), &z0).unwrap();
    let b = run
        .solve(
            &mut net.flow(),
            &mut Dopri5::new(1e-10, 1e-12).unwrap(),
            &z0,
        )
        .unwrap();
    let gap = a
        .state
        .iter()
        .zip(&b.state)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max);
    assert!(gap < 1e-8, "{gap}");
    assert_eq!(a.status, Status::EndTime);
}

#[test]
fn bad_input_is_refused_by_name() {
    let mask = ring(4);
    let bad = |p: SynapticParams| {
        NeuralSynapticNetwork::new(mask.clone(), p)
            .unwrap_err()
            .to_string()
    };
    let d = SynapticParams::default();
    let m = bad(SynapticParams { tau: 0.0, ..d });
    assert!(m.contains("tau") && m.contains("> 0"), "{m}");
    let m = bad(SynapticParams {
        neural_decay: -1.0,
        ..d
    });
    assert!(m.contains("neural_decay") && m.contains("-1"), "{m}");
    let m = bad(SynapticParams {
        epsilon: f64::NAN,
        ..d
    });
    assert!(m.contains("epsilon") && m.contains("NaN"), "{m}");
    let m = bad(SynapticParams { gain: -0.1, ..d });
    assert!(m.contains("gain") && m.contains("anti_hebbian"), "{m}");
    let m = bad(SynapticParams {
        synaptic_decay: -1.0,
        ..d
    });
    assert!(m.contains("synaptic_decay") && m.contains(">= 0"), "{m}");
    let m = bad(SynapticParams {
        epsilon: f64::INFINITY,
        ..d
    });
    assert!(m.contains("epsilon") && m.contains("finite"), "{m}");

    let m = SynapseMask::from_edges(3, &[(0, 3)])
        .unwrap_err()
        .to_string();
    assert!(m.contains("pre 3") && m.contains("< n = 3"), "{m}");
    let m = SynapseMask::from_edges(3, &[(0, 1), (0, 1)])
        .unwrap_err()
        .to_string();
    assert!(m.contains("duplicate"), "{m}");
    let m = SynapseMask::from_dense(3, &[true; 8])
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("mask") && m.contains("8") && m.contains("9"),
        "{m}"
    );
    let m = NeuralSynapticNetwork::new(SynapseMask::from_edges(3, &[]).unwrap(), d)
        .unwrap_err()
        .to_string();
    assert!(m.contains("no synapse"), "{m}");

    let net = NeuralSynapticNetwork::new(mask.clone(), d).unwrap();
    let m = net
        .clone()
        .with_input(vec![0.0; 3])
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("input u") && m.contains("3") && m.contains("4"),
        "{m}"
    );
    let m = net
        .clone()
        .with_input(vec![0.0, f64::NAN, 0.0, 0.0])
        .unwrap_err()
        .to_string();
    assert!(m.contains("input u") && m.contains("NaN"), "{m}");
    let m = net.split(&[0.0; 5]).unwrap_err().to_string();
    assert!(m.contains("joint state z") && m.contains("12"), "{m}");
    let m = net.join(&[0.0; 4], &[0.0; 7]).unwrap_err().to_string();
    assert!(m.contains("synaptic state w") && m.contains("8"), "{m}");
    let m = net
        .join(&[0.0, 0.0, f64::INFINITY, 0.0], &[0.0; 8])
        .unwrap_err()
        .to_string();
    assert!(m.contains("neural state x") && m.contains("inf"), "{m}");

    let m = NeuralSynapticNetwork::new(
        mask.clone(),
        SynapticParams {
            activation: Activation::Relu,
            ..d
        },
    )
    .unwrap()
    .certificate()
    .unwrap_err()
    .to_string();
    assert!(
        m.contains("relu") && m.contains("bounded activation"),
        "{m}"
    );
    let m = NeuralSynapticNetwork::new(
        mask,
        SynapticParams {
            synaptic_decay: 0.0,
            ..d
        },
    )
    .unwrap()
    .certificate()
    .unwrap_err()
    .to_string();
    assert!(
        m.contains("synaptic_decay") && m.contains("gamma > 0"),
        "{m}"
    );

    let m = "hebb".parse::<SynapticRule>().unwrap_err().to_string();
    assert!(m.contains("hebb") && m.contains("anti_hebbian"), "{m}");
    let m = "rate".parse::<NeuralForm>().unwrap_err().to_string();
    assert!(m.contains("firing_rate"), "{m}");
}
