//! Ising / QUBO / Max-Cut instances, their readers, and the brute-force ground truth.

use attractor::Error;
use attractor::problems::{
    IsingModel, Qubo, WeightedGraph, bits_from_spins, brute_force, greedy_descent, parse_edge_list,
    parse_ising, parse_partition, parse_qubo, parse_rudy, read_partition, read_rudy,
    spins_from_bits, write_partition,
};
use proptest::prelude::*;
use std::path::PathBuf;

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn all_states(n: usize) -> impl Iterator<Item = Vec<u8>> {
    (0u32..(1 << n)).map(move |k| (0..n).map(|i| ((k >> i) & 1) as u8).collect())
}

#[test]
fn cut_equals_total_weight_minus_energy_over_two() {
    let g = WeightedGraph::random(12, 0.5, &[1.0, -1.0, 2.5], 3).unwrap();
    let m = IsingModel::max_cut(&g).unwrap();
    let w = g.total_weight();
    for x in all_states(12).step_by(37) {
        let s = spins_from_bits(&x);
        let e = m.energy(&s).unwrap();
        assert!((g.cut(&s).unwrap() - (w - e) / 2.0).abs() < 1e-12);
    }
}

#[test]
fn bundled_g1_reads_with_its_published_size() {
    let g = read_rudy(&repo_file("data/gset/G1.txt")).unwrap();
    assert_eq!((g.n, g.edges.len()), (800, 19176));
    assert_eq!(g.total_weight(), 19176.0);
    let m = IsingModel::max_cut(&g).unwrap();
    assert_eq!(m.nnz(), 2 * 19176); // CSR: both triangles, O(edges) memory
    let g11 = read_rudy(&repo_file("data/gset/G11.txt")).unwrap();
    assert_eq!((g11.n, g11.edges.len()), (800, 1600));
    assert!(g11.edges.iter().any(|e| e.2 == -1.0));
}

fn parse_err(text: &str) -> String {
    match parse_rudy(text, "g.txt") {
        Err(e @ Error::Parse { .. }) => e.to_string(),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn gset_reader_rejects_malformed_files_with_the_line_number() {
    // empty file
    let m = parse_err("");
    assert!(m.contains("g.txt:1") && m.contains("empty"), "{m}");
    let m = parse_err("\n\n");
    assert!(m.contains("empty"), "{m}");
    // wrong counts: too few, too many, bad header
    let m = parse_err("3 3\n1 2 1\n2 3 1\n");
    assert!(
        m.contains("g.txt:3") && m.contains("m = 3") && m.contains("has 2"),
        "{m}"
    );
    let m = parse_err("3 1\n1 2 1\n2 3 1\n");
    assert!(
        m.contains("g.txt:3") && m.contains("more edge lines"),
        "{m}"
    );
    let m = parse_err("3\n1 2 1\n");
    assert!(m.contains("g.txt:1") && m.contains("header"), "{m}");
    // node ids out of range (1-based)
    let m = parse_err("3 2\n1 2 1\n2 4 1\n");
    assert!(
        m.contains("g.txt:3") && m.contains("out of range 1..=3"),
        "{m}"
    );
    let m = parse_err("3 1\n0 2 1\n");
    assert!(m.contains("g.txt:2") && m.contains("vertex id 0"), "{m}");
    // self-loop
    let m = parse_err("3 2\n1 2 1\n3 3 1\n");
    assert!(m.contains("g.txt:3") && m.contains("self-loop"), "{m}");
    // non-numeric weight, non-numeric id, missing field
    let m = parse_err("3 2\n1 2 1\n2 3 x\n");
    assert!(m.contains("g.txt:3") && m.contains("weight 'x'"), "{m}");
    let m = parse_err("3 2\n1 2 1\n2 3 nan\n");
    assert!(m.contains("g.txt:3") && m.contains("weight 'nan'"), "{m}");
    let m = parse_err("3 2\n1 b 1\n2 3 1\n");
    assert!(m.contains("g.txt:2") && m.contains("'b'"), "{m}");
    let m = parse_err("3 2\n1 2 1\n2 3\n");
    assert!(m.contains("g.txt:3") && m.contains("three fields"), "{m}");
    // duplicates
    let m = parse_err("3 2\n1 2 1\n2 1 1\n");
    assert!(m.contains("g.txt:3") && m.contains("duplicate"), "{m}");
    // comments and blank lines keep line numbers right
    let m = parse_err("# a comment\n3 2\n\n1 2 1\n3 3 1\n");
    assert!(m.contains("g.txt:5"), "{m}");
    // and a good file parses
    let g = parse_rudy("% rudy\n3 2\n1 2 1\n2 3 -2.5\n", "ok").unwrap();
    assert_eq!(g.edges, vec![(0, 1, 1.0), (1, 2, -2.5)]);
}

#[test]
fn edge_list_and_coefficient_readers() {
    let g = parse_edge_list("0 1\n1 2 3.5\n", "e", false).unwrap();
    assert_eq!((g.n, g.total_weight()), (3, 4.5));
    let e = parse_edge_list("1 1 2\n", "e", false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("e:1") && e.contains("self-loop"), "{e}");
    let e = parse_edge_list("", "e", false).unwrap_err().to_string();
    assert!(e.contains("empty"), "{e}");
    // Ising file, dimod convention: E = Σ v_ii s_i + Σ v_ij s_i s_j
    let m = parse_ising("2 3\n1 1 0.5\n2 2 -1\n1 2 2\n", "i").unwrap();
    for s in [[1i8, 1], [1, -1], [-1, 1], [-1, -1]] {
        let want = 0.5 * s[0] as f64 - s[1] as f64 + 2.0 * (s[0] * s[1]) as f64;
        assert!((m.energy(&s).unwrap() - want).abs() < 1e-12);
    }
    let q = parse_qubo("2 3\n1 1 -1\n2 2 -1\n1 2 3\n", "q").unwrap();
    assert_eq!(q.value(&[1, 1]).unwrap(), 1.0);
}

#[test]
fn partition_reader_round_trips_and_rejects_bad_lines() {
    assert_eq!(
        parse_partition("# c\n2 -1\n1 +1\n3 1\n", "p", 3, false).unwrap(),
        vec![1, -1, 1]
    );
    assert_eq!(
        parse_partition("1 0\n2 1\n", "p", 2, true).unwrap(),
        vec![-1, 1]
    );
    for (text, bits, line, needle) in [
        ("1 1\n2 -1\n", false, 2, "node 3 has no line"),
        ("1 1\n4 -1\n3 1\n", false, 2, "out of range"),
        ("1 1\n1 -1\n", false, 2, "appears twice"),
        ("1 1\n2 0\n", false, 2, "not +1 or -1"),
        ("1 1\n2 -1\n", true, 2, "not 0 or 1"),
        ("1 1 1\n", false, 1, "3 fields"),
        ("x 1\n", false, 1, "'x'"),
        ("", false, 1, "node 1 has no line"),
    ] {
        let e = parse_partition(text, "part.txt", 3, bits).unwrap_err();
        match &e {
            Error::Parse { file, line: l, msg } => {
                assert_eq!(file, "part.txt");
                assert_eq!(*l, line, "{e}");
                assert!(msg.contains(needle), "{e}");
            }
            other => panic!("not a parse error: {other}"),
        }
    }
}

#[test]
fn partition_writer_is_whole_or_nothing() {
    let dir = std::env::temp_dir().join(format!("attractor-part-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("cut.txt");
    write_partition(&p, &[1, -1, 1], &["cut 2".into()]).unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(text, "# cut 2\n1 1\n2 -1\n3 1\n");
    assert_eq!(read_partition(&p, 3, false).unwrap(), vec![1, -1, 1]);
    let bad = dir.join("missing-dir").join("cut.txt");
    let e = write_partition(&bad, &[1], &[]).unwrap_err().to_string();
    assert!(e.contains("missing-dir"), "{e}");
    assert!(!bad.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn brute_force_matches_hand_solved_instances() {
    // 5-cycle: max cut 4 (odd cycle), triangle: max cut 2
    let c5 = WeightedGraph::new(5, (0..5).map(|i| (i, (i + 1) % 5, 1.0)).collect()).unwrap();
    let gs = brute_force(&IsingModel::max_cut(&c5).unwrap()).unwrap();
    assert_eq!(c5.cut(&gs.spins).unwrap(), 4.0);
    assert_eq!(gs.degeneracy, 10); // 5 positions of the uncut edge × global flip
    let e = brute_force(&IsingModel::from_couplings(25, vec![0.0; 25], &[], 0.0).unwrap());
    assert!(e.unwrap_err().to_string().contains("n = 25"));
}

#[test]
fn greedy_descent_never_raises_the_energy_and_ends_in_a_local_minimum() {
    let g = WeightedGraph::random(40, 0.3, &[1.0, -1.0], 5).unwrap();
    let m = IsingModel::max_cut(&g).unwrap();
    let mut s: Vec<i8> = (0..40).map(|i| if i % 3 == 0 { 1 } else { -1 }).collect();
    let e0 = m.energy(&s).unwrap();
    let mut f = vec![0.0; 40];
    greedy_descent(&m, &mut s, &mut f).unwrap();
    let e1 = m.energy(&s).unwrap();
    assert!(e1 <= e0);
    for i in 0..40 {
        let mut t = s.clone();
        t[i] = -t[i];
        assert!(m.energy(&t).unwrap() >= e1 - 1e-12, "flip {i} lowers H");
    }
}

#[test]
fn ancilla_carries_the_fields() {
    let m = parse_ising("4 5\n1 1 0.7\n3 3 -1.2\n1 2 1\n2 3 -0.5\n3 4 2\n", "i").unwrap();
    let a = m.with_ancilla().unwrap();
    assert_eq!(a.n(), 5);
    assert!(!a.has_fields());
    for x in all_states(5) {
        let s = spins_from_bits(&x);
        let back = m.from_ancilla_spins(&s);
        assert!((a.energy(&s).unwrap() - m.energy(&back).unwrap()).abs() < 1e-12);
    }
    assert!((brute_force(&a).unwrap().energy - brute_force(&m).unwrap().energy).abs() < 1e-12);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// QUBO → Ising → QUBO preserves every state's objective, offset included.
    #[test]
    fn qubo_ising_qubo_round_trip_preserves_every_objective(
        n in 1usize..8,
        raw in proptest::collection::vec((0u32..8, 0u32..8, -5.0f64..5.0), 0..20),
        offset in -3.0f64..3.0,
    ) {
        let terms: Vec<(u32, u32, f64)> = raw.into_iter().filter(|t| (t.0 as usize) < n && (t.1 as usize) < n).collect();
        let q = Qubo::new(n, &terms, offset).unwrap();
        let ising = q.to_ising().unwrap();
        let q2 = ising.to_qubo();
        for x in all_states(n) {
            let f = q.value(&x).unwrap();
            let s = spins_from_bits(&x);
            prop_assert_eq!(bits_from_spins(&s), x.clone());
            let h = ising.energy(&s).unwrap();
            let f2 = q2.value(&x).unwrap();
            prop_assert!((f - h).abs() < 1e-9, "QUBO {} vs Ising {}", f, h);
            prop_assert!((f - f2).abs() < 1e-9, "QUBO {} vs round trip {}", f, f2);
        }
    }
}

#[test]
fn public_kernels_check_their_arguments() {
    let g = WeightedGraph::random(10, 0.5, &[1.0], 1).unwrap();
    let m = IsingModel::max_cut(&g).unwrap();
    let mut f = vec![0.0; 10];
    let short = m
        .local_fields_into(&[1; 9], &mut f)
        .unwrap_err()
        .to_string();
    assert!(
        short.contains("spins") && short.contains("length 9"),
        "{short}"
    );
    let bad = m.local_fields_into(&[1, 1, 0, 1, 1, 1, 1, 1, 1, 1], &mut f);
    assert!(bad.unwrap_err().to_string().contains("spins[2]"));
    let mut s = vec![1i8; 10];
    let e = greedy_descent(&m, &mut s, &mut [0.0; 3])
        .unwrap_err()
        .to_string();
    assert!(e.contains("fields") && e.contains("length 3"), "{e}");
    assert!(greedy_descent(&m, &mut s, &mut f).is_ok());
}
