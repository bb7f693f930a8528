//! Oscillator networks: the signed-Laplacian stability theory (SCIENCE.md §5), the Kuramoto
//! ring count, the oscillatory associative memory and the oscillator Ising machine.

mod common;

use attractor::analysis::{
    Mu, certify_stable, critical_kappa, jacobian, jacobian_finite_difference, overlap,
    signed_laplacian, symmetric_eigenvalues, transverse_spectrum,
};
use attractor::flow::VectorField;
use attractor::models::{
    HebbianScale, KuramotoRing, OimFlow, OimParams, OimProgress, OscillatorIsingMachine,
    OscillatorMemory,
};
use attractor::problems::{IsingModel, Patterns, WeightedGraph, brute_force};
use attractor::run::{Budget, Interrupt, Run, Silent, Status};
use attractor::schedule::Schedule;
use attractor::step::Rk4;
use faer::Mat;
use rand::RngExt;
use std::ops::ControlFlow;

fn random_spins(rng: &mut impl rand::Rng, n: usize) -> Vec<i8> {
    (0..n)
        .map(|_| if rng.random::<bool>() { 1 } else { -1 })
        .collect()
}

fn phases(s: &[i8]) -> Vec<f64> {
    s.iter()
        .map(|&v| if v > 0 { 0.0 } else { std::f64::consts::PI })
        .collect()
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
        let cert = certify_stable(&model, &s, Mu::Uniform(mu)).unwrap();
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
    let xi = Patterns::random_binary(k, n, 2024).unwrap();
    let mem0 = OscillatorMemory::hebbian(&xi, HebbianScale::OverN, 0.0).unwrap();
    let kc = mem0.critical_kappa(xi.pattern(0)).unwrap();
    assert_eq!(kc, critical_kappa(&mem0, xi.pattern(0)).unwrap());
    assert!((0.03..0.3).contains(&kc), "κ_c = {kc}");
    for (factor, stable) in [(0.7, false), (1.3, true)] {
        let kappa = factor * kc;
        let mem = mem0.with_kappa(kappa).unwrap();
        let x = OscillatorMemory::phases_of(xi.pattern(0));
        // spectrum: the Jacobian's largest transverse eigenvalue is 2(κ_c − κ)
        let jac = jacobian(&mut mem.flow(), 0.0, &x).unwrap();
        let lt = transverse_spectrum(&mem, xi.pattern(0)).unwrap();
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
    let xi = Patterns::random_binary(k, n, 7).unwrap();
    let mem0 = OscillatorMemory::hebbian(&xi, HebbianScale::OverN, 0.0).unwrap();
    let kc = (0..k)
        .map(|m| mem0.critical_kappa(xi.pattern(m)).unwrap())
        .fold(0.0, f64::max);
    let mem = mem0.with_kappa(1.5 * kc.max(0.05)).unwrap();
    let mut rng = common::rng(3);
    let mut perfect = 0;
    for m in 0..k {
        let mut s = xi.pattern(m).to_vec();
        for i in 0..n {
            if rng.random::<f64>() < 0.15 {
                s[i] = -s[i];
            }
        }
        let x0: Vec<f64> = OscillatorMemory::phases_of(&s)
            .iter()
            .map(|p| p + rng.random_range(-0.3..0.3))
            .collect();
        let sol = Run::new(0.1)
            .unwrap()
            .t_end(300.0)
            .unwrap()
            .solve(&mut mem.flow(), &mut Rk4::new(), &x0)
            .unwrap();
        let ov = overlap(&OscillatorMemory::read_pattern(&sol.state), xi.pattern(m))
            .unwrap()
            .abs();
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
        p.schedule.n_steps = 400;
        let r = OscillatorIsingMachine::new(model.clone(), p)
            .unwrap()
            .solve(&Budget::steps(2), Silent)
            .unwrap();
        let gr = r.greedy.clone().unwrap();
        for f in [&r.oscillator, &gr] {
            assert_eq!(
                f.energy,
                model.energy(&f.spins).unwrap(),
                "reported energy is recomputed"
            );
            assert!((f.cut(&g) - g.cut(&f.spins).unwrap()).abs() < 1e-9);
        }
        assert!(gr.energy <= r.oscillator.energy);
        assert_eq!(r.best(), &gr);
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
fn oim_solves_models_with_fields_and_certifies_through_the_ancilla() {
    let g = WeightedGraph::random(14, 0.4, &[1.0, -1.0], 9).unwrap();
    let h: Vec<f64> = (0..14)
        .map(|i| if i % 3 == 0 { 0.8 } else { -0.3 })
        .collect();
    let c: Vec<(u32, u32, f64)> = g.edges.iter().map(|&(i, j, w)| (i, j, w)).collect();
    let model = IsingModel::from_couplings(14, h, &c, 1.5).unwrap();
    let exact = brute_force(&model).unwrap();
    let mut p = OimParams::for_model(&model);
    p.seed = 3;
    let m = OscillatorIsingMachine::new(model.clone(), p.clone()).unwrap();
    let r1 = m.solve(&Budget::steps(2), Silent).unwrap();
    assert_eq!(r1.best().energy, exact.energy);
    // the certificate: through the ancilla, at the machine's final μ; a ground state of the
    // field model is stable with enough injection, and not with none
    let anc = model.with_ancilla().unwrap();
    let mut s = exact.spins.clone();
    s.push(1);
    assert_eq!(
        certify_stable(&anc, &s, Mu::Uniform(50.0)).unwrap().stable,
        Some(true)
    );
    let by_machine = m.certify(&exact.spins).unwrap();
    let direct = certify_stable(&anc, &s, Mu::Uniform(r1.mu_final_min)).unwrap();
    assert_eq!(by_machine, direct);
    p.schedule.mu = Some(Schedule::Constant(0.0));
    let weak = OscillatorIsingMachine::new(model.clone(), p).unwrap();
    assert_ne!(weak.certify(&exact.spins).unwrap().stable, Some(true));
    let e = m.certify(&[1, -1]).unwrap_err().to_string();
    assert!(e.contains("spins") && e.contains("14"), "{e}");
}

/// Blocks draw from streams of (seed, round, block) and merge in block order, so 64 replicas
/// (four SIMD blocks) give the same states on one thread and on two, round after round.
#[test]
fn oim_with_64_replicas_is_identical_on_1_and_2_threads() {
    use attractor::samplers::{IsingSampler, OimSampler};
    let g = WeightedGraph::random(60, 0.15, &[1.0, 2.0, 3.0], 21).unwrap();
    let model = IsingModel::max_cut(&g).unwrap();
    let run = |par| {
        let mut p = OimParams::for_model(&model);
        p.seed = 5;
        p.replicas = 64;
        p.schedule.n_steps = 300;
        p.par = par;
        OscillatorIsingMachine::new(model.clone(), p)
            .unwrap()
            .solve(&Budget::steps(3), Silent)
            .unwrap()
    };
    let (a, b) = (run(faer::Par::Seq), run(faer::Par::rayon(2)));
    assert_eq!(a.replicas, 64);
    assert_eq!(a.oscillator.spins, b.oscillator.spins);
    assert_eq!(a.best().spins, b.best().spins);
    assert_eq!(a.oscillator.replica_steps_at, b.oscillator.replica_steps_at);
    assert_eq!(a.replica_steps, b.replica_steps);
    let sample = |par| {
        OimSampler {
            params: OimParams {
                seed: 5,
                replicas: 64,
                par,
                ..OimParams::default()
            },
            budget: Budget::steps(2),
            progress: None,
        }
        .sample_ising(&model)
        .unwrap()
    };
    let (sa, sb) = (sample(faer::Par::Seq), sample(faer::Par::rayon(2)));
    assert_eq!(sa.samples(), sb.samples(), "identical sample sets");
    assert_eq!(sa.info.num_reads, sb.info.num_reads);
    assert!(sa.info.num_reads >= 128);
    // and the seed matters: another seed gives other samples
    let other = OimSampler {
        params: OimParams {
            seed: 6,
            replicas: 64,
            ..OimParams::default()
        },
        budget: Budget::steps(2),
        progress: None,
    }
    .sample_ising(&model)
    .unwrap();
    assert_ne!(sa.samples(), other.samples());
}

/// The defaults are always accepted: a sparse graph with integer weights 1..5 and a pendant
/// vertex (coupling sum 1, far below μ_end ≈ 0.15·d̄) used to be rejected with `h·mu >= 1`.
#[test]
fn oim_defaults_are_accepted_on_weighted_graphs_with_a_weak_node() {
    for seed in 0..6 {
        let g = WeightedGraph::random(20, 0.2, &[1.0, 2.0, 3.0, 4.0, 5.0], seed).unwrap();
        let mut edges = g.edges.clone();
        edges.push((0, 20, 1.0)); // a pendant vertex
        let g = WeightedGraph::new(21, edges).unwrap();
        let model = IsingModel::max_cut(&g).unwrap();
        let p = OimParams::for_model(&model);
        assert!(p.dt.unwrap() < 1.0, "the weak node needs a smaller step");
        let mut q = p.clone();
        q.dt = Some(1.0);
        let e = OscillatorIsingMachine::new(model.clone(), q)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no phase can lock"), "{e}");
        let exact = brute_force(&model).unwrap();
        let r = OscillatorIsingMachine::new(model, p)
            .unwrap_or_else(|e| panic!("seed {seed}: defaults rejected: {e}"))
            .solve(&Budget::steps(1), Silent)
            .unwrap();
        assert_eq!(r.best().energy, exact.energy, "seed {seed}");
    }
    // also with fields (the ancilla's coupling sums count) and for a time budget
    let m = IsingModel::from_couplings(3, vec![0.0, 0.0, 0.05], &[(0, 1, -4.0), (1, 2, -4.0)], 0.0)
        .unwrap();
    OscillatorIsingMachine::new(m.clone(), OimParams::for_model(&m)).unwrap();
    let t = OimParams::for_long_runs(&m);
    assert_eq!(t.schedule.n_steps, 20_000);
    OscillatorIsingMachine::new(m, t).unwrap();
}

#[test]
fn oim_honours_the_interrupt_the_observer_and_bad_parameters() {
    let g = WeightedGraph::random(30, 0.3, &[1.0], 1).unwrap();
    let model = IsingModel::max_cut(&g).unwrap();
    let mut p = OimParams::for_long_runs(&model);
    let stop = Interrupt::new();
    stop.raise();
    let m = OscillatorIsingMachine::new(model.clone(), p.clone()).unwrap();
    let long = Budget::time_limit(std::time::Duration::from_secs(30));
    let r = m.solve(&long.clone().interrupt(stop), Silent).unwrap();
    assert_eq!(r.status, Status::Interrupted);
    assert!(r.elapsed.as_secs_f64() < 5.0);
    assert_eq!(
        r.oscillator.energy,
        model.energy(&r.oscillator.spins).unwrap()
    );
    // the observer sees round 0 first, then every round; breaking after round 2 stops there
    let mut seen: Vec<(usize, f64)> = Vec::new();
    let r = m
        .solve(&long, |o: &OimProgress| {
            seen.push((o.rounds, o.best_greedy));
            if o.rounds == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(r.status, Status::Interrupted);
    assert_eq!(r.n_rounds, 2);
    assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert_eq!(
        seen[0].1,
        f64::INFINITY,
        "nothing read before the first round"
    );
    assert_eq!(seen[2].1, r.best().energy);
    // an observer that stops at once: no round runs
    let r = m
        .solve(&long, |_: &OimProgress| ControlFlow::Break(()))
        .unwrap();
    assert_eq!(
        (r.status, r.n_rounds, r.replica_steps),
        (Status::Interrupted, 0, 0)
    );
    p.schedule.mu_spread = 1.5;
    let e = OscillatorIsingMachine::new(model.clone(), p.clone())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("mu_spread") && e.contains("1.5"), "{e}");
    p.schedule.mu_spread = 0.0;
    // a budget that bounds nothing is refused by name
    let e = OscillatorIsingMachine::new(model, p)
        .unwrap()
        .solve(&Budget::new(), Silent)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("never end") && e.contains("rounds") && e.contains("target energy"),
        "{e}"
    );
}

#[test]
fn models_and_the_machine_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<IsingModel>();
    assert_send_sync::<OscillatorIsingMachine>();
    assert_send_sync::<OscillatorMemory>();
    assert_send_sync::<attractor::samplers::SampleSet>();
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
    p.schedule.mu = Some(Schedule::Constant(strong));
    p.noise = Schedule::Constant(0.0);
    p.schedule.n_steps = 400;
    p.dt = Some(0.1); // the Euler step must resolve the strong injection: h_i·2μ < 2
    p.readout.greedy = false;
    p.restart.warm_kick = 0.3;
    p.restart.initial_spins = Some(start.clone());
    let r = OscillatorIsingMachine::new(model.clone(), p.clone())
        .unwrap()
        .solve(&Budget::steps(1), Silent)
        .unwrap();
    let e_start = model.energy(&start).unwrap();
    assert_eq!(r.oscillator.energy, e_start, "the warm start is kept");
    let flipped: Vec<i8> = start.iter().map(|v| -v).collect();
    assert!(r.oscillator.spins == start || r.oscillator.spins == flipped);
    // the same machine from random phases ends elsewhere
    let mut cold = p.clone();
    cold.restart.initial_spins = None;
    cold.schedule.mu = Some(Schedule::Linear {
        start: 0.0,
        end: strong,
    });
    cold.noise = Schedule::Linear {
        start: 0.5,
        end: 0.0,
    };
    let rc = OscillatorIsingMachine::new(model.clone(), cold)
        .unwrap()
        .solve(&Budget::steps(1), Silent)
        .unwrap();
    assert!(rc.oscillator.energy < e_start);
    for (bad, what) in [
        (vec![1i8; 15], "initial_spins"),
        ([vec![1i8; 15], vec![0]].concat(), "initial_spins[15]"),
    ] {
        p.restart.initial_spins = Some(bad);
        let e = OscillatorIsingMachine::new(model.clone(), p.clone())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains(what), "{e}");
    }
    p.restart.initial_spins = Some(start.clone());
    p.dt = Some(1.0); // h_i·μ ≥ 1 at every node: the injection alone would diverge
    let e = OscillatorIsingMachine::new(model.clone(), p.clone())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("dt") && e.contains("no phase can lock"), "{e}");
    p.dt = Some(0.1);
    p.restart.warm_kick = 0.0;
    let e = OscillatorIsingMachine::new(model, p)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("warm_kick"), "{e}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Whatever the graph (sparse or dense, integer or mixed-sign weights, isolated or pendant
    /// nodes, fields), the constructor accepts the defaults `for_model` picks.
    #[test]
    fn for_model_defaults_are_always_accepted(
        n in 2usize..40,
        p in 0.02f64..0.9,
        seed in 0u64..10_000,
        signed in proptest::bool::ANY,
        fields in proptest::bool::ANY,
        budget in proptest::bool::ANY,
    ) {
        let w: &[f64] = if signed { &[1.0, -2.0, 5.0, -0.5] } else { &[1.0, 2.0, 3.0, 4.0, 5.0] };
        let g = WeightedGraph::random(n, p, w, seed).unwrap();
        let h: Vec<f64> = (0..n)
            .map(|i| if fields && i % 3 == 0 { 0.1 * (i as f64 + 1.0) } else { 0.0 })
            .collect();
        let m = IsingModel::from_couplings(n, h, &g.edges, 0.0).unwrap();
        let params = if budget {
            OimParams::for_long_runs(&m)
        } else {
            OimParams::for_model(&m)
        };
        let r = OscillatorIsingMachine::new(m, params);
        proptest::prop_assert!(r.is_ok(), "{:?}", r.err());
    }
}

/// An observer thinned with `run::every(k, ..)` sees round 0, every k-th round and the last.
#[test]
fn oim_observer_every_k_rounds() {
    let g = WeightedGraph::random(20, 0.3, &[1.0], 2).unwrap();
    let model = IsingModel::max_cut(&g).unwrap();
    let mut p = OimParams::for_model(&model);
    p.schedule.n_steps = 100;
    let m = OscillatorIsingMachine::new(model, p).unwrap();
    let mut seen = Vec::new();
    let r = m
        .solve(
            &Budget::steps(5),
            attractor::run::every(2, |o: &OimProgress| {
                seen.push(o.rounds);
                ControlFlow::Continue(())
            }),
        )
        .unwrap();
    assert_eq!(r.status, Status::MaxSteps);
    assert_eq!(seen, vec![0, 2, 4, 5]);
}
