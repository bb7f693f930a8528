//! The `attractor` binary: the demo runs on built-in data, and bad input exits with code 2 and
//! a one-line message (never a panic).

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

#[test]
fn help_lists_the_demo() {
    let (code, out, _) = attractor(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("demo"), "{out}");
}

#[test]
fn demo_runs_and_reports_a_lyapunov_energy() {
    let (code, out, err) = attractor(&["demo", "--n", "60", "--seed", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("status: Converged"), "{out}");
    assert!(out.contains("E is a Lyapunov function"), "{out}");
    // same seed, same output (up to the wall-clock line)
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("steps:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (_, again, _) = attractor(&["demo", "--n", "60", "--seed", "3"]);
    assert_eq!(strip(&out), strip(&again));
}

#[test]
fn demo_writes_the_plot_whole() {
    let dir = std::env::temp_dir().join(format!("attractor-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("energy.png");
    let (code, _, err) = attractor(&["demo", "--n", "30", "--plot", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    // no temporary file left behind
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["demo", "--n", "1"], "--n 1"),
        (&["demo", "--n", "-5"], "-5"),
        (&["demo", "--seed", "abc"], "abc"),
        (&["demo", "--chapter", "nope"], "nope"),
        (&["demo", "--plot", "/no/such/dir/x.png"], "/no/such/dir"),
        (&["demo", "--plot", "figure.jpg"], ".png"),
        (&["frobnicate"], "frobnicate"),
    ];
    for (args, needle) in cases {
        let (code, out, err) = attractor(args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
