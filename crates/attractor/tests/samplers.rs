//! The samplers behind one trait (dimod's shape): the exact reference, greedy descent and the
//! oscillator Ising machine, their sample sets, QUBO energies and Max-Cut cuts.

use attractor::problems::{IsingModel, Qubo, WeightedGraph, brute_force, spins_from_bits};
use attractor::samplers::{
    BruteForce, GreedyDescent, IsingSampler, OimSampler, SampleSet, SampleSetInfo, Vartype,
};
use proptest::prelude::*;
use std::time::Duration;

fn random_model(n: usize, seed: u64, fields: bool) -> IsingModel {
    let g = WeightedGraph::random(n, 0.4, &[1.0, -1.0, 0.5, 2.0], seed).unwrap();
    let h: Vec<f64> = (0..n)
        .map(|i| {
            if fields {
                ((i as f64) * 0.7 + seed as f64).sin()
            } else {
                0.0
            }
        })
        .collect();
    IsingModel::from_couplings(n, h, &g.edges, 0.25).unwrap()
}

fn assert_sorted(set: &SampleSet) {
    let e = set.energies();
    assert!(e.windows(2).all(|w| w[0] <= w[1]), "not sorted: {e:?}");
}

#[test]
fn brute_force_sampler_lowest_equals_brute_force() {
    for (seed, fields) in [(1, false), (2, true), (3, true), (4, false)] {
        let m = random_model(12, seed, fields);
        let exact = brute_force(&m).unwrap();
        let all = BruteForce::all().sample_ising(&m).unwrap();
        assert_eq!(all.len(), 1 << 12, "every state once");
        assert!(all.iter().all(|s| s.num_occurrences == 1));
        assert_sorted(&all);
        let first = all.first().unwrap();
        assert_eq!(first.energy, exact.energy);
        assert_eq!(all.lowest().len() as u64, exact.degeneracy);
        // every energy recomputed from its spins
        for s in all.iter().step_by(97) {
            assert_eq!(s.energy, m.energy(&s.spins).unwrap());
        }
        let k = BruteForce::lowest(5).sample_ising(&m).unwrap();
        assert_eq!(k.len(), 5);
        assert_eq!(k.energies(), all.energies()[..5].to_vec());
    }
    let e = BruteForce::all()
        .sample_ising(&random_model(21, 1, false))
        .unwrap_err()
        .to_string();
    assert!(e.contains("n = 21") && e.contains("lowest"), "{e}");
}

#[test]
fn greedy_sampler_samples_are_one_flip_local_minima() {
    let m = random_model(40, 7, true);
    let set = GreedyDescent::new(64, 3).unwrap().sample_ising(&m).unwrap();
    assert_eq!(set.info.num_reads, 64);
    assert_eq!(set.iter().map(|s| s.num_occurrences).sum::<usize>(), 64);
    assert_sorted(&set);
    let mut f = vec![0.0; 40];
    for s in set.iter() {
        assert_eq!(s.energy, m.energy(&s.spins).unwrap());
        m.local_fields_into(&s.spins, &mut f).unwrap();
        for i in 0..40 {
            // flipping spin i changes H by 2 s_i f_i: never downhill at a local minimum
            assert!(
                2.0 * s.spins[i] as f64 * f[i] >= -1e-9,
                "spin {i} of a sample can still descend"
            );
        }
    }
    // distinct reads are distinct rows
    let rows: std::collections::HashSet<&Vec<i8>> = set.iter().map(|s| &s.spins).collect();
    assert_eq!(rows.len(), set.len());
    assert!(GreedyDescent::new(0, 1).is_err());
}

#[test]
fn oim_sampler_energies_recompute_from_its_samples() {
    let m = random_model(16, 5, true);
    let exact = brute_force(&m).unwrap();
    let s = OimSampler {
        params: attractor::models::OimParams {
            seed: 2,
            replicas: 32,
            ..Default::default()
        },
        budget: attractor::run::Budget::steps(2),
        progress: None,
    };
    let set = s.sample_ising(&m).unwrap();
    assert_sorted(&set);
    assert_eq!(set.vartype(), Vartype::Spin);
    assert!(set.info.num_reads >= 64);
    assert_eq!(
        set.iter().map(|s| s.num_occurrences).sum::<usize>(),
        set.info.num_reads
    );
    for smp in set.iter() {
        assert_eq!(smp.spins.len(), 16, "the ancilla is removed");
        assert_eq!(smp.energy, m.energy(&smp.spins).unwrap());
    }
    assert_eq!(set.first().unwrap().energy, exact.energy);
    assert!(set.info.status.is_some());
}

#[test]
fn sample_sets_sort_and_aggregate() {
    let m = random_model(6, 9, true);
    let reads: Vec<Vec<i8>> = (0..40u32)
        .map(|k| {
            (0..6)
                .map(|i| if (k * 7 + i) % 5 < 2 { 1 } else { -1 })
                .collect()
        })
        .collect();
    let info = SampleSetInfo::new("test", 0, Duration::ZERO);
    let raw = SampleSet::from_reads(&m, reads.clone(), false, info.clone()).unwrap();
    assert_eq!((raw.len(), raw.info.num_reads), (40, 40));
    assert_sorted(&raw);
    let agg = raw.aggregate();
    let direct = SampleSet::from_reads(&m, reads, true, info.clone()).unwrap();
    assert_eq!(agg.samples(), direct.samples());
    assert!(agg.len() < raw.len());
    assert_eq!(agg.iter().map(|s| s.num_occurrences).sum::<usize>(), 40);
    assert_sorted(&agg);
    let bad = SampleSet::from_reads(&m, vec![vec![1, 0, 1, 1, 1, 1]], true, info).unwrap_err();
    assert!(bad.to_string().contains("s[1]"), "{bad}");
}

#[test]
fn qubo_energies_equal_the_objective() {
    let q = Qubo::new(
        8,
        &[
            (0, 0, -1.0),
            (1, 1, 2.0),
            (2, 2, -3.0),
            (0, 1, 1.5),
            (1, 2, -2.0),
            (3, 4, 4.0),
            (4, 5, -1.0),
            (5, 6, 0.5),
            (6, 7, -2.5),
            (7, 7, 1.0),
            (0, 7, 3.0),
        ],
        0.75,
    )
    .unwrap();
    let samplers: Vec<Box<dyn IsingSampler>> = vec![
        Box::new(BruteForce::all()),
        Box::new(GreedyDescent::new(20, 1).unwrap()),
        Box::new(OimSampler::default()),
    ];
    let mut best = Vec::new();
    for s in &samplers {
        let set = s.sample_qubo(&q).unwrap();
        assert_eq!(set.vartype(), Vartype::Binary);
        assert_sorted(&set);
        for smp in set.iter() {
            let x = smp.to_bits();
            assert_eq!(spins_from_bits(&x), smp.spins);
            assert_eq!(
                smp.energy,
                q.value(&x).unwrap(),
                "energy is f(x), offset included"
            );
        }
        best.push(set.first().unwrap().energy);
    }
    // the exact minimum over all 2^8 bit vectors
    let min = (0..256u32)
        .map(|k| {
            let x: Vec<u8> = (0..8).map(|i| ((k >> i) & 1) as u8).collect();
            q.value(&x).unwrap()
        })
        .fold(f64::INFINITY, f64::min);
    assert_eq!(best[0], min);
    assert_eq!(best[2], min, "the OIM finds the optimum of a small QUBO");
}

#[test]
fn max_cut_samples_carry_their_cut() {
    let g = WeightedGraph::random(14, 0.4, &[1.0, 3.0], 11).unwrap();
    let exact = BruteForce::lowest(3).sample_max_cut(&g).unwrap();
    let oim = OimSampler::default().sample_max_cut(&g).unwrap();
    for set in [&exact, &oim] {
        for s in set.iter() {
            assert_eq!(s.cut, Some(g.cut(&s.spins).unwrap()));
        }
        // lowest energy first is largest cut first
        let cuts: Vec<f64> = set.iter().filter_map(|s| s.cut).collect();
        assert!(cuts.windows(2).all(|w| w[0] >= w[1]));
    }
    assert_eq!(oim.best_cut(), exact.best_cut());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    /// cut ↔ energy conversions are inverse and agree with the cut of the state.
    #[test]
    fn cut_energy_round_trip(n in 2usize..30, p in 0.05f64..0.9, seed in 0u64..1000, state in any::<u64>()) {
        let g = WeightedGraph::random(n, p, &[1.0, -2.0, 0.5, 7.0], seed).unwrap();
        let m = IsingModel::max_cut(&g).unwrap();
        let s: Vec<i8> = (0..n).map(|i| if (state >> (i % 64)) & 1 == 1 { 1 } else { -1 }).collect();
        let e = m.energy(&s).unwrap();
        let cut = g.cut(&s).unwrap();
        prop_assert!((g.cut_from_energy(e) - cut).abs() <= 1e-9 * (1.0 + cut.abs()));
        prop_assert!((g.energy_from_cut(cut) - e).abs() <= 1e-9 * (1.0 + e.abs()));
        prop_assert!((g.cut_from_energy(g.energy_from_cut(cut)) - cut).abs() <= 1e-9 * (1.0 + cut.abs()));
    }
}
