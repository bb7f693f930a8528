//! `attractor maxcut`, `attractor ising` and the oscillator demo chapter.

use std::path::PathBuf;
use std::process::Command;

fn attractor(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_attractor"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn repo(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
        .display()
        .to_string()
}

/// A scratch path inside cargo's per-target temporary directory (nothing left in /tmp).
fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("attractor-maxcut-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// The cut of a written partition (`node spin` lines, 1-based, `#` comments) of a rudy graph,
/// recomputed from the files.
fn cut_of(graph: &str, partition: &str) -> i64 {
    let mut lines = graph.lines();
    let n: usize = lines
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut s = vec![0i64; n + 1];
    for l in partition.lines().filter(|l| !l.starts_with('#')) {
        let mut t = l.split_whitespace();
        let i: usize = t.next().unwrap().parse().unwrap();
        s[i] = t.next().unwrap().parse().unwrap();
    }
    lines
        .map(|l| {
            let v: Vec<i64> = l.split_whitespace().map(|x| x.parse().unwrap()).collect();
            if s[v[0] as usize] != s[v[1] as usize] {
                v[2]
            } else {
                0
            }
        })
        .sum()
}

#[test]
fn maxcut_reports_and_writes_a_partition_whose_cut_recomputes() {
    let out_path = tmp("g11.part");
    let g11 = repo("data/gset/G11.txt");
    let (code, out, err) = attractor(&[
        "maxcut",
        &g11,
        "--time",
        "1.5",
        "--seed",
        "2",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("best cut (after greedy descent):"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(out.contains("certified stable:"), "{out}");
    // recompute the cut of the written partition from the graph file
    let part = std::fs::read_to_string(&out_path).unwrap();
    let cut = cut_of(&std::fs::read_to_string(&g11).unwrap(), &part);
    let reported: i64 = line.split_whitespace().nth(5).unwrap().parse().unwrap();
    assert_eq!(cut, reported, "{line}");
    assert!(part.starts_with(&format!("# {g11}: cut {cut}")), "{part}");
    // G11's best-known cut is 564: 1.5 s gets within 1%
    assert!(cut >= 558, "cut {cut}");
    // refining the written partition never reports a smaller cut
    let (code, out, err) = attractor(&[
        "maxcut",
        &g11,
        "--time",
        "0.5",
        "--start",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let refined: i64 = out
        .lines()
        .find(|l| l.starts_with("best cut (after greedy descent):"))
        .and_then(|l| l.split_whitespace().nth(5))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!(refined >= cut, "refined {refined} < start {cut}");
    // a partition for another graph is rejected with its line
    std::fs::write(&out_path, "1 1\n2 -1\n").unwrap();
    let (code, _, err) = attractor(&["maxcut", &g11, "--start", out_path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("g11.part:2") && err.contains("node 3 has no line"),
        "{err}"
    );
}

#[test]
fn maxcut_rejects_malformed_graphs_with_the_line_number() {
    let p = tmp("bad.txt");
    std::fs::write(&p, "3 2\n1 2 1\n2 7 1\n").unwrap();
    let (code, _, err) = attractor(&["maxcut", p.to_str().unwrap(), "--time", "1"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error:") && err.contains("bad.txt:3") && err.contains("out of range"),
        "{err}"
    );
    let (code, _, err) = attractor(&["maxcut", "/no/such/graph.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/graph.txt"), "{err}");
    let (code, _, err) = attractor(&["maxcut", p.to_str().unwrap(), "--time", "-1"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn ising_and_qubo_inputs_reach_the_optimum_of_a_small_problem() {
    // QUBO: minimise −x1 − x2 − x3 + 2x1x2 + 2x2x3 : optimum −2 at x = (1, 0, 1)
    let p = tmp("q.txt");
    std::fs::write(&p, "3 5\n1 1 -1\n2 2 -1\n3 3 -1\n1 2 2\n2 3 2\n").unwrap();
    let o = tmp("q.out");
    let (code, out, err) = attractor(&[
        "ising",
        p.to_str().unwrap(),
        "--qubo",
        "--time",
        "1",
        "--target",
        "-2",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("best QUBO objective (after greedy descent): -2"),
        "{out}"
    );
    let x = std::fs::read_to_string(&o).unwrap();
    assert!(x.ends_with("1 1\n2 0\n3 1\n"), "{x}");
    // Ising with a field: E = s1 s2 + 0.5 s1 → −1.5 at s = (−1, +1)
    std::fs::write(&p, "2 2\n1 1 0.5\n1 2 1\n").unwrap();
    let (code, out, err) = attractor(&[
        "ising",
        p.to_str().unwrap(),
        "--time",
        "1",
        "--target",
        "-1.5",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(after greedy descent): -1.5"), "{out}");
}

#[test]
fn demo_oscillator_chapter_recalls_and_matches_brute_force() {
    let (code, out, err) = attractor(&["demo", "--chapter", "oscillator", "--seed", "5"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("perfect recall"), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("oscillators: cut"))
        .unwrap();
    let cut: Vec<&str> = line.split_whitespace().collect();
    // "oscillators: cut A (after greedy descent B), brute-force optimum C ..."
    let a = cut[2];
    let c = cut[9];
    assert_eq!(a, c, "{line}");
}

/// `--rounds` makes a run reproducible on any number of threads (and `--help` says that a time
/// budget alone does not).
#[test]
fn maxcut_with_fixed_rounds_is_reproducible_across_threads() {
    let g11 = repo("data/gset/G11.txt");
    let run = |threads: &str, out: &PathBuf| {
        let (code, stdout, err) = attractor(&[
            "maxcut",
            &g11,
            "--rounds",
            "2",
            "--steps",
            "800",
            "--replicas",
            "32",
            "--seed",
            "4",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(stdout.contains("2 rounds"), "{stdout}");
        std::fs::read_to_string(out).unwrap()
    };
    let (a, b) = (tmp("r1.part"), tmp("r2.part"));
    let (pa, pb) = (run("1", &a), run("2", &b));
    assert!(pa.starts_with(&format!("# {g11}: cut ")), "{pa}");
    assert_eq!(pa, pb, "the same partition on 1 and 2 threads");
    let (code, help, _) = attractor(&["maxcut", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.contains("--rounds") && help.contains("NOT reproducible"),
        "{help}"
    );
    let (code, _, err) = attractor(&["maxcut", &g11, "--rounds", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--rounds 0"), "{err}");
    let (code, _, err) = attractor(&["maxcut", &g11, "--format", "dimacs"]);
    assert_eq!(code, 2);
    assert!(err.contains("dimacs") && err.contains("rudy"), "{err}");
}

/// `--out` naming the graph or the `--start` partition is refused before the machine runs, and
/// the file is left as it was.
#[test]
fn maxcut_refuses_an_out_that_names_an_input() {
    let graph = tmp("own.txt");
    std::fs::copy(repo("data/gset/G11.txt"), &graph).unwrap();
    let before = std::fs::read(&graph).unwrap();
    let g = graph.to_str().unwrap();
    let (code, _, err) = attractor(&["maxcut", g, "--rounds", "1", "--out", g]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out") && err.contains("FILE"), "{err}");
    assert_eq!(before, std::fs::read(&graph).unwrap());
    let part = tmp("start.part");
    let (code, _, err) = attractor(&[
        "maxcut",
        g,
        "--rounds",
        "1",
        "--out",
        part.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let p = part.to_str().unwrap();
    let (code, _, err) = attractor(&["maxcut", g, "--rounds", "1", "--start", p, "--out", p]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--start"), "{err}");
}

/// `--solver anneal` and `--solver sb`: the reported cut is the cut of the written partition,
/// near G11's best-known 564, reproducible for a seed and a number of rounds.
#[test]
fn maxcut_with_annealing_and_bifurcation() {
    let g11 = repo("data/gset/G11.txt");
    let graph = std::fs::read_to_string(&g11).unwrap();
    for solver in ["anneal", "sb"] {
        let out_path = tmp(&format!("g11-{solver}.part"));
        let run = || {
            attractor(&[
                "maxcut",
                &g11,
                "--solver",
                solver,
                "--rounds",
                "2",
                "--seed",
                "3",
                "--out",
                out_path.to_str().unwrap(),
            ])
        };
        let (code, out, err) = run();
        assert_eq!(code, 0, "{solver}: {err}");
        let reported: i64 = out
            .lines()
            .find(|l| l.starts_with("best cut:"))
            .and_then(|l| l.split_whitespace().nth(2))
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("{out}"));
        let cut = cut_of(&graph, &std::fs::read_to_string(&out_path).unwrap());
        assert_eq!(cut, reported, "{solver}: {out}");
        assert!(cut >= 556, "{solver}: cut {cut}");
        let (_, again, _) = run();
        assert_eq!(
            again.lines().find(|l| l.starts_with("best cut:")),
            out.lines().find(|l| l.starts_with("best cut:")),
            "{solver}: reproducible"
        );
    }
    let (code, _, err) = attractor(&["maxcut", &g11, "--solver", "sb", "--mu-spread", "0.1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--mu-spread") && err.contains("--solver oim"),
        "{err}"
    );
}

/// `--runs R`: time-to-solution statistics over seeded runs stopping at the target.
#[test]
fn maxcut_runs_report_time_to_solution() {
    let g11 = repo("data/gset/G11.txt");
    let (code, out, err) = attractor(&[
        "maxcut", &g11, "--solver", "anneal", "--runs", "3", "--target", "564", "--time", "5",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("reached the target in 3/3 runs (p = 1.000)"),
        "{out}"
    );
    assert!(
        out.contains("TTS99 = ") && out.contains("best cut 564"),
        "{out}"
    );
    let (code, _, err) = attractor(&["maxcut", &g11, "--runs", "3", "--time", "1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--runs 3") && err.contains("--target"),
        "{err}"
    );
    // and `ising`: a frustrated triangle, ground energy -1
    let tri = tmp("triangle.txt");
    std::fs::write(&tri, "3 3\n1 2 1\n2 3 1\n1 3 1\n").unwrap();
    let (code, out, err) = attractor(&[
        "ising",
        tri.to_str().unwrap(),
        "--solver",
        "sb",
        "--runs",
        "2",
        "--target",
        "-1",
        "--rounds",
        "1",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("reached the target in 2/2 runs"), "{out}");
}
