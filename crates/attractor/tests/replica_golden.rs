//! The samplers that run rounds of replicas (the oscillator Ising machine, simulated annealing,
//! simulated bifurcation) give, for a fixed seed and number of rounds, exactly the states they
//! gave before their rounds moved onto the shared replica engine (`run::replicas`): the
//! fingerprints below were recorded from the machines' private loops and must not change.

use attractor::models::{OimParams, OscillatorIsingMachine};
use attractor::problems::{IsingModel, WeightedGraph};
use attractor::run::{Budget, Silent};
use attractor::samplers::{
    AnnealingParams, AnnealingSampler, BifurcationParams, BifurcationSampler, IsingSampler,
    OimSampler, SampleSet,
};

/// FNV-1a over the spins and the energies' bits.
fn fnv(spins: &[&[i8]], energies: &[f64]) -> u64 {
    let mut h = 0xcbf29ce484222325u64;
    let mut eat = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    };
    for s in spins {
        for &x in *s {
            eat(x as u8);
        }
    }
    for e in energies {
        for b in e.to_bits().to_le_bytes() {
            eat(b);
        }
    }
    h
}

fn set_print(set: &SampleSet) -> u64 {
    let samples: Vec<&[i8]> = set.samples().iter().map(|s| &s.spins[..]).collect();
    let energies: Vec<f64> = set.samples().iter().map(|s| s.energy).collect();
    let counts: Vec<f64> = set
        .samples()
        .iter()
        .map(|s| s.num_occurrences as f64)
        .collect();
    fnv(&samples, &[energies, counts].concat())
}

/// A weighted graph with fields (so the ancilla path runs) and a ±1 graph.
fn models() -> Vec<IsingModel> {
    let g = WeightedGraph::random(48, 0.2, &[1.0, 2.0, 3.0], 11).unwrap();
    let cut = IsingModel::max_cut(&g).unwrap();
    let h: Vec<f64> = (0..48).map(|i| ((i * 7) % 5) as f64 - 2.0).collect();
    let with_h = IsingModel::from_couplings(48, h, &cut.couplings(), 0.0).unwrap();
    let pm = WeightedGraph::random(64, 0.1, &[1.0, -1.0], 12).unwrap();
    vec![with_h, IsingModel::max_cut(&pm).unwrap()]
}

#[test]
fn oim_rounds_are_unchanged() {
    let mut got = Vec::new();
    for model in models() {
        for (cold_every, first) in [(3, None), (2, Some(100))] {
            let mut p = OimParams::for_model(&model);
            p.seed = 9;
            p.replicas = 32;
            p.schedule.n_steps = 400;
            p.schedule.n_steps_first = first;
            p.restart.cold_every = cold_every;
            let r = OscillatorIsingMachine::new(model.clone(), p)
                .unwrap()
                .solve(&Budget::steps(5), Silent)
                .unwrap();
            let g = r.greedy.as_ref().unwrap();
            got.push(fnv(
                &[&r.oscillator.spins, &g.spins],
                &[
                    r.oscillator.energy,
                    g.energy,
                    r.oscillator.replica_steps_at as f64,
                    g.replica_steps_at as f64,
                    r.replica_steps as f64,
                    r.n_rounds as f64,
                ],
            ));
        }
        let s = OimSampler {
            params: OimParams {
                seed: 4,
                replicas: 32,
                ..OimParams::default()
            },
            budget: Budget::steps(3),
            progress: None,
        };
        got.push(set_print(&s.sample_ising(&model).unwrap()));
    }
    println!("oim {got:?}");
    assert_eq!(got, OIM);
}

#[test]
fn annealing_and_bifurcation_rounds_are_unchanged() {
    let mut got = Vec::new();
    for model in models() {
        let sa = AnnealingSampler {
            params: AnnealingParams {
                num_reads: 5,
                num_sweeps: 50,
                seed: 3,
                ..AnnealingParams::default()
            },
            budget: Budget::steps(2),
        };
        got.push(set_print(&sa.sample_ising(&model).unwrap()));
        let sb = BifurcationSampler {
            params: BifurcationParams {
                agents: 40,
                steps: 300,
                seed: 3,
                ..BifurcationParams::default()
            },
            budget: Budget::steps(2),
        };
        got.push(set_print(&sb.sample_ising(&model).unwrap()));
    }
    println!("sa/sb {got:?}");
    assert_eq!(got, ROUNDS);
}

const OIM: [u64; 6] = [
    14209829055226622316,
    4792326710783494739,
    16358659551157143749,
    4120523401469441148,
    1003471642894769849,
    10836646454070218610,
];
const ROUNDS: [u64; 4] = [
    6300011379559980097,
    4521644049646488115,
    422263085132489109,
    12954727508133316141,
];
