//! Oscillator networks: the signed-Laplacian stability theory (SCIENCE.md §5), the Kuramoto
//! ring count, the oscillatory associative memory and the oscillator Ising machine.

mod common;

use attractor::analysis::{
    certify_stable, critical_kappa, jacobian, jacobian_finite_difference, signed_laplacian,
    symmetric_eigenvalues, transverse_spectrum,
};
use attractor::flow::VectorField;
use attractor::models::{
    HebbianScale, KuramotoRing, OimFlow, OimParams, OscillatorIsingMachine, OscillatorMemory,
    random_patterns,
};
use attractor::problems::{IsingModel, WeightedGraph, brute_force};
use attractor::run::Run;
use attractor::step::Rk4;
use faer::Mat;
use rand::RngExt;

fn random_spins(rng: &mut impl rand::Rng, n: usize) -> Vec<i8> {
    (0..n)
        .map(|_| if rng.random::<bool>() { 1 } else { -1 })
        .collect()
}

fn phases(s: &[i8]) -> Vec<f64> {
    OscillatorMemory::phases_of(s)
}

#[test]
fn jacobian_at_binary_states_is_minus_signed_laplacian_plus_two_mu() {
    let mut rng = common::rng(11);
    for trial in 0..6 {
        let n = 8 + trial;
        let weights: &[f64] = if trial % 2 == 0 {
            &[1.0, -1.0]
        } else {
            &[0.3, -1.7, 2.2]
        };
        let g = WeightedGraph::random(n, 0.6, weights, 100 + trial as u64).unwrap();
        let model = IsingModel::max_cut(&g).unwrap();
        let mu: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..2.0)).collect();
        let s = random_spins(&mut rng, n);
        let mut flow = OimFlow::new(&model, mu.clone()).unwrap();
        let x = phases(&s);
        let fd = jacobian_finite_difference(&mut flow, 0.0, &x).unwrap();
        let an = jacobian(&mut flow, 0.0, &x).unwrap();
        let ls = signed_laplacian(&model, &s).unwrap();
        let mut worst: f64 = 0.0;
        for i in 0..n {
            for j in 0..n {
                let want = -(ls[(i, j)] + if i == j { 2.0 * mu[i] } else { 0.0 });
                worst = worst
                    .max((fd[(i, j)] - want).abs())
                    .max((an[(i, j)] - want).abs());
            }
        }
        assert!(
            worst < 1e-7,
            "trial {trial}: |J_fd − (−(L_s + 2 diag μ))| = {worst:e}"
        );
        // binary phases are equilibria, and tr L_s = −2H(s)
        let mut dx = vec![0.0; n];
        flow.eval_into(0.0, &x, &mut dx);
        assert!(dx.iter().all(|v| v.abs() < 1e-12));
        let tr: f64 = (0..n).map(|i| ls[(i, i)]).sum();
        let h = model.energy(&s).unwrap();
        assert!(
            (tr + 2.0 * h).abs() < 1e-9,
            "tr L_s = {tr}, −2H = {}",
            -2.0 * h
        );
        // the Jacobian test can fail: a wrong μ factor would be caught
        assert!((an[(0, 0)] + ls[(0, 0)] + mu[0]).abs() > 1e-3 || mu[0] < 1e-3);
    }
}

#[test]
fn certificate_agrees_with_the_spectrum() {
    let mut rng = common::rng(5);
    let mut seen = [0usize; 2];
    for trial in 0..40 {
        let n = 10;
        let g = WeightedGraph::random(n, 0.5, &[1.0, -1.0], 500 + trial).unwrap();
        let model = IsingModel::max_cut(&g).unwrap();
        let s = random_spins(&mut rng, n);
        let mu = rng.random_range(0.0..3.0);
        let mut m = signed_laplacian(&model, &s).unwrap();
        for i in 0..n {
            m[(i, i)] += 2.0 * mu;
        }
        let lmin = symmetric_eigenvalues(&m).unwrap()[0];
        if lmin.abs() < 1e-9 {
            continue;
        }
        let cert = certify_stable(&model, &s, &[mu]).unwrap();
        assert_eq!(cert.stable, Some(lmin > 0.0), "λ_min = {lmin}, {cert:?}");
        seen[usize::from(lmin > 0.0)] += 1;
    }
    assert!(
        seen[0] > 3 && seen[1] > 3,
        "both verdicts exercised: {seen:?}"
    );
}

/// SCIENCE.md §5 [chk]: N = 100, K = 5, W = (1/N)ΞΞᵀ: pattern 1 unstable at κ = 0 (largest
/// transverse eigenvalue ≈ +0.2) and stable above κ_c ≈ 0.1; the spectrum and a simulation agree.
#[test]
fn critical_kappa_separates_unstable_and_stable_patterns() {
    let (n, k) = (100, 5);
    let xi = random_patterns(k, n, 2024);
    let mem0 = OscillatorMemory::hebbian(&xi, HebbianScale::OverN, 0.0).unwrap();
    let kc = critical_kappa(mem0.weights(), &xi[0]).unwrap();
    assert!((0.03..0.3).contains(&kc), "κ_c = {kc}");
    for (factor, stable) in [(0.7, false), (1.3, true)] {
        let kappa = factor * kc;
        let mem = OscillatorMemory::hebbian(&xi, HebbianScale::OverN, kappa).unwrap();
        let x = phases(&xi[0]);
        // spectrum: the Jacobian's largest transverse eigenvalue is 2(κ_c − κ)
        let jac = jacobian(&mut mem.flow(), 0.0, &x).unwrap();
        let lt = transverse_spectrum(mem.weights(), &xi[0]).unwrap();
        let lam = lt.last().unwrap() - 2.0 * kappa;
        let jev = symmetric_eigenvalues(&jac).unwrap();
        // the Jacobian's spectrum is {0} ∪ {transverse eigenvalues − 2κ}
        assert!(
            jev.iter().any(|v| (v - lam).abs() < 1e-9),
            "λ = {lam} not in the Jacobian spectrum"
        );
        assert!((lam < 0.0) == stable, "κ = {kappa}: λ_max,⊥ = {lam}");
        // simulation: a small transverse perturbation grows below κ_c and decays above it
        let mut rng = common::rng(9);
        let mut pert: Vec<f64> = (0..n).map(|_| rng.random_range(-1e-4..1e-4)).collect();
        let mean = pert.iter().sum::<f64>() / n as f64;
        pert.iter_mut().for_each(|p| *p -= mean);
        let dev = |phi: &[f64]| {
            let d: Vec<f64> = phi.iter().zip(&x).map(|(a, b)| a - b).collect();
            let m = d.iter().sum::<f64>() / n as f64;
            d.iter().map(|v| (v - m) * (v - m)).sum::<f64>().sqrt()
        };
        let x0: Vec<f64> = x.iter().zip(&pert).map(|(a, b)| a + b).collect();
        let t_end = 2.0 / lam.abs();
        let sol = Run::new(0.05)
            .unwrap()
            .t_end(t_end)
            .unwrap()
            .solve(&mut mem.flow(), &mut Rk4::new(), &x0)
            .unwrap();
        let ratio = dev(&sol.state) / dev(&x0);
        if stable {
            assert!(ratio < 0.5, "κ = {kappa} > κ_c: deviation ratio {ratio}");
        } else {
            assert!(ratio > 2.0, "κ = {kappa} < κ_c: deviation ratio {ratio}");
        }
    }
}

#[test]
fn memory_retrieves_corrupted_patterns() {
    let (n, k) = (100, 5);
    let xi = random_patterns(k, n, 7);
    let mem0 = OscillatorMemory::hebbian(&xi, HebbianScale::OverN, 0.0).unwrap();
    let kc = (0..k)
        .map(|m| critical_kappa(mem0.weights(), &xi[m]).unwrap())
        .fold(0.0, f64::max);
    let mem = OscillatorMemory::hebbian(&xi, HebbianScale::OverN, 1.5 * kc.max(0.05)).unwrap();
    let mut rng = common::rng(3);
    let mut perfect = 0;
    for m in 0..k {
        let mut s = xi[m].clone();
        for i in 0..n {
            if rng.random::<f64>() < 0.15 {
                s[i] = -s[i];
            }
        }
        let x0: Vec<f64> = phases(&s)
            .iter()
            .map(|p| p + rng.random_range(-0.3..0.3))
            .collect();
        let sol = Run::new(0.1)
            .unwrap()
            .t_end(300.0)
            .unwrap()
            .solve(&mut mem.flow(), &mut Rk4::new(), &x0)
            .unwrap();
        let ov = OscillatorMemory::overlap(&OscillatorMemory::read_spins(&sol.state), &xi[m]).abs();
        if ov == 1.0 {
            perfect += 1;
        }
        assert!(ov > 0.9, "pattern {m}: overlap {ov}");
        assert!(
            sol.max_energy_increase.unwrap_or(0.0) < 1e-9,
            "the energy is a Lyapunov function"
        );
    }
    assert!(perfect >= 4, "{perfect}/5 perfect retrievals");
}

#[test]
fn ring_stable_twisted_states_number_2_ceil_n_over_4_minus_1() {
    for n in 5..=16 {
        let mut ring = KuramotoRing::new(n).unwrap();
        let mut count = 0;
        for q in ring.twists() {
            let x = ring.twisted_state(q);
            let mut dx = vec![0.0; n];
            ring.eval_into(0.0, &x, &mut dx);
            assert!(
                dx.iter().all(|v| v.abs() < 1e-12),
                "twist {q} is an equilibrium"
            );
            // finite-difference Jacobian: drop the global-phase eigenvalue 0 (the largest
            // at a stable state), all the others must be strictly negative
            let j = jacobian(&mut ring, 0.0, &x).unwrap();
            let js = Mat::from_fn(n, n, |a, b| 0.5 * (j[(a, b)] + j[(b, a)]));
            let mut ev = symmetric_eigenvalues(&js).unwrap();
            ev.sort_by(|a, b| a.total_cmp(b));
            let stable = ev[n - 2] < -1e-6;
            assert_eq!(stable, ring.is_stable_twist(q), "n = {n}, q = {q}: {ev:?}");
            count += usize::from(stable);
        }
        assert_eq!(count, KuramotoRing::stable_count(n), "n = {n}");
        assert_eq!(count, 2 * n.div_ceil(4) - 1);
    }
    assert_eq!(KuramotoRing::honeycomb_count(6, 3), 27);
}

#[test]
fn ring_settles_in_stable_twists_from_random_starts() {
    let n = 12;
    let ring = KuramotoRing::new(n).unwrap();
    let mut rng = common::rng(17);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..30 {
        let x0: Vec<f64> = (0..n)
            .map(|_| rng.random_range(-std::f64::consts::PI..std::f64::consts::PI))
            .collect();
        let mut f = ring;
        let sol = Run::new(0.1)
            .unwrap()
            .t_end(200.0)
            .unwrap()
            .solve(&mut f, &mut Rk4::new(), &x0)
            .unwrap();
        let q = KuramotoRing::winding_number(&sol.state);
        assert!(ring.is_stable_twist(q), "settled in unstable twist {q}");
        seen.insert(q);
    }
    assert!(
        seen.len() >= 2,
        "random starts reach several memories: {seen:?}"
    );
}

#[test]
fn oim_finds_the_brute_force_optimum_on_small_random_graphs() {
    let mut pure_hits = 0;
    let trials = 8;
    for t in 0..trials {
        let n = 12 + t;
        let weights: &[f64] = if t % 2 == 0 { &[1.0] } else { &[1.0, -1.0] };
        let g = WeightedGraph::random(n, 0.35, weights, 40 + t as u64).unwrap();
        let model = IsingModel::max_cut(&g).unwrap();
        let exact = brute_force(&model).unwrap();
        let mut p = OimParams::for_model(&model);
        p.seed = t as u64;
        p.replicas = 32;
        p.n_steps = 400;
        p.max_rounds = Some(2);
        let r = OscillatorIsingMachine::new(&model, p)
            .unwrap()
            .solve(None, |_| {})
            .unwrap();
        let gr = r.greedy.clone().unwrap();
        for f in [&r.oscillator, &gr] {
            assert_eq!(
                f.energy,
                model.energy(&f.spins).unwrap(),
                "reported energy is recomputed"
            );
            let cut = g.cut(&f.spins).unwrap();
            assert!((cut - (g.total_weight() - f.energy) / 2.0).abs() < 1e-9);
        }
        assert!(gr.energy <= r.oscillator.energy);
        assert!(
            (gr.energy - exact.energy).abs() < 1e-9,
            "n = {n}: {} vs optimum {}",
            gr.energy,
            exact.energy
        );
        pure_hits += usize::from((r.oscillator.energy - exact.energy).abs() < 1e-9);
    }
    assert!(
        pure_hits >= trials - 1,
        "pure oscillator optimum on {pure_hits}/{trials}"
    );
}

#[test]
fn oim_solves_models_with_fields_and_is_reproducible() {
    let g = WeightedGraph::random(14, 0.4, &[1.0, -1.0], 9).unwrap();
    let h: Vec<f64> = (0..14)
        .map(|i| if i % 3 == 0 { 0.8 } else { -0.3 })
        .collect();
    let c: Vec<(u32, u32, f64)> = g.edges.iter().map(|&(i, j, w)| (i, j, w)).collect();
    let model = IsingModel::from_couplings(14, h, &c, 1.5).unwrap();
    let exact = brute_force(&model).unwrap();
    let mut p = OimParams::for_model(&model);
    p.seed = 3;
    p.max_rounds = Some(2);
    let m = OscillatorIsingMachine::new(&model, p.clone()).unwrap();
    let r1 = m.solve(None, |_| {}).unwrap();
    assert_eq!(r1.greedy.as_ref().unwrap().energy, exact.energy);
    p.threads = 2;
    let r2 = OscillatorIsingMachine::new(&model, p)
        .unwrap()
        .solve(None, |_| {})
        .unwrap();
    assert_eq!(
        r1.oscillator.spins, r2.oscillator.spins,
        "same seed, same answer on 1 or 2 threads"
    );
    // the certificate: a ground state of the field model is stable with enough injection
    let anc = model.with_ancilla().unwrap();
    let mut s = exact.spins.clone();
    s.push(1);
    assert_eq!(
        certify_stable(&anc, &s, &[50.0]).unwrap().stable,
        Some(true)
    );
}

#[test]
fn oim_honours_the_stop_flag_and_bad_parameters() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    let g = WeightedGraph::random(30, 0.3, &[1.0], 1).unwrap();
    let model = IsingModel::max_cut(&g).unwrap();
    let mut p = OimParams::for_model(&model);
    p.max_rounds = None;
    p.time_budget = Some(std::time::Duration::from_secs(30));
    let stop = Arc::new(AtomicBool::new(true));
    let r = OscillatorIsingMachine::new(&model, p.clone())
        .unwrap()
        .solve(Some(stop), |_| {})
        .unwrap();
    assert_eq!(r.status, attractor::run::Status::Interrupted);
    assert!(r.elapsed.as_secs_f64() < 5.0);
    assert_eq!(
        r.oscillator.energy,
        model.energy(&r.oscillator.spins).unwrap()
    );
    p.mu_spread = 1.5;
    let e = OscillatorIsingMachine::new(&model, p.clone())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("mu_spread") && e.contains("1.5"), "{e}");
    p.mu_spread = 0.0;
    p.time_budget = None;
    let e = OscillatorIsingMachine::new(&model, p)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("forever"), "{e}");
}

/// A warm start returns to the given state when the injection makes every binary state a stable
/// equilibrium (`μ` above the largest row sum) and the noise is off: the pure readout is the
/// start, not the optimum a cold start finds. Bad starts are rejected by name.
#[test]
fn oim_warm_start_from_given_spins() {
    let g = WeightedGraph::random(16, 0.4, &[1.0], 5).unwrap();
    let model = IsingModel::max_cut(&g).unwrap();
    let exact = brute_force(&model).unwrap();
    let mut rng = common::rng(11);
    let start = loop {
        let s = random_spins(&mut rng, 16);
        if model.energy(&s).unwrap() > exact.energy + 4.0 {
            break s;
        }
    };
    let strong = 2.0 * model.max_abs_row_sum();
    let mut p = OimParams::for_model(&model);
    p.seed = 2;
    p.mu_start = strong;
    p.mu_end = strong;
    p.noise_start = 0.0;
    p.noise_end = 0.0;
    p.n_steps = 400;
    p.dt = 0.1; // the Euler step must resolve the strong injection: h_i·2μ < 2
    p.greedy = false;
    p.warm_kick = 0.3;
    p.initial_spins = Some(start.clone());
    let r = OscillatorIsingMachine::new(&model, p.clone())
        .unwrap()
        .solve(None, |_| {})
        .unwrap();
    let e_start = model.energy(&start).unwrap();
    assert_eq!(r.oscillator.energy, e_start, "the warm start is kept");
    let flipped: Vec<i8> = start.iter().map(|v| -v).collect();
    assert!(r.oscillator.spins == start || r.oscillator.spins == flipped);
    // the same machine from random phases ends elsewhere
    let mut cold = p.clone();
    cold.initial_spins = None;
    cold.mu_start = 0.0;
    cold.noise_start = 0.5;
    let rc = OscillatorIsingMachine::new(&model, cold)
        .unwrap()
        .solve(None, |_| {})
        .unwrap();
    assert!(rc.oscillator.energy < e_start);
    for (bad, what) in [
        (vec![1i8; 15], "initial_spins"),
        ([vec![1i8; 15], vec![0]].concat(), "initial_spins[15]"),
    ] {
        p.initial_spins = Some(bad);
        let e = OscillatorIsingMachine::new(&model, p.clone())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains(what), "{e}");
    }
    p.initial_spins = Some(start.clone());
    p.dt = 1.0; // h_i·μ ≥ 1 at every node: the injection alone would diverge
    let e = OscillatorIsingMachine::new(&model, p.clone())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("dt") && e.contains("no phase can lock"), "{e}");
    p.dt = 0.1;
    p.warm_kick = 0.0;
    let e = OscillatorIsingMachine::new(&model, p)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("warm_kick"), "{e}");
}
