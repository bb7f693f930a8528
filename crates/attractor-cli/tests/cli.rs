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

const MNIST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/mnist/train-images-first.idx3-ubyte.gz"
);

#[test]
fn memory_command_recalls_mnist_digits_and_draws_the_grid() {
    let dir = std::env::temp_dir().join(format!("attractor-cli-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("grid.png");
    let (code, out, err) = attractor(&[
        "memory",
        "--data",
        MNIST,
        "--count",
        "100",
        "--model",
        "modern",
        "--beta",
        "1",
        "--png",
        png.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("recovered exactly: 100.0% (100/100)"), "{out}");
    assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
    // the classical memory fails on the same correlated digits
    let (code, out, err) = attractor(&[
        "memory",
        "--data",
        MNIST,
        "--count",
        "100",
        "--queries",
        "20",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("recovered exactly: 0.0% (0/20)"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn demo_memory_chapter_shows_classical_failing_where_modern_succeeds() {
    let (code, out, err) = attractor(&["demo", "--chapter", "memory"]);
    assert_eq!(code, 0, "{err}");
    let row = out
        .lines()
        .find(|l| l.trim_start().starts_with("10 "))
        .unwrap_or_else(|| panic!("{out}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[1], "0/10", "Hebbian: {row}");
    assert_eq!(cells[5], "10/10", "modern: {row}");
}

#[test]
fn memory_bad_input_exits_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["memory", "--model", "dense", "--n", "1"], "n = 1"),
        (
            &["memory", "--model", "dense", "--n", "cubic"],
            "'cubic' for '--n",
        ),
        (
            &["memory", "--model", "hopfield"],
            "hebbian, storkey, pinv, dense, modern",
        ),
        (&["memory", "--model", "modern", "--beta", "nan"], "beta"),
        (
            &["memory", "--data", "/no/such/file.idx"],
            "/no/such/file.idx",
        ),
        (&["memory", "--count", "0"], "--count 0"),
        (&["memory", "--amount", "2"], "fraction"),
        (&["memory", "--data", MNIST, "--count", "301"], "only 300"),
    ];
    for (args, needle) in cases {
        let (code, out, err) = attractor(args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// The demo's printed numbers are a regression check of the whole library: everything but the
/// timings must stay as recorded in `tests/snapshots/demo.txt` (regenerate it deliberately, with
/// `attractor demo | sed -E 's/[0-9]+(\.[0-9]+)? ms\b/<t> ms/g'`, when a change is meant to move
/// them, and say why in the commit).
#[test]
fn demo_prints_the_recorded_numbers() {
    let (code, out, err) = attractor(&["demo"]);
    assert_eq!(code, 0, "{err}");
    let masked: String = out
        .lines()
        .map(|l| {
            // "3.60 ms" -> "<t> ms"
            let mut words: Vec<String> = l.split(' ').map(str::to_string).collect();
            for i in 1..words.len() {
                if words[i].starts_with("ms")
                    && words[i - 1].chars().all(|c| c.is_ascii_digit() || c == '.')
                    && !words[i - 1].is_empty()
                {
                    words[i - 1] = "<t>".into();
                }
            }
            words.join(" ") + "\n"
        })
        .collect();
    let expected = include_str!("snapshots/demo.txt");
    for (k, (a, b)) in masked.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, b, "demo line {}", k + 1);
    }
    assert_eq!(masked.lines().count(), expected.lines().count());
}

/// `attractor sparse` on an orthonormal dictionary, where the codes are known in closed form:
/// the soft threshold of `Dy` (non-negative: its positive part).
#[test]
fn sparse_writes_the_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let eye: Vec<f64> = (0..9).map(|k| if k % 4 == 0 { 1.0 } else { 0.0 }).collect();
    std::fs::write(
        d.join("D.npy"),
        attractor::problems::npy_bytes(&[3, 3], &eye).unwrap(),
    )
    .unwrap();
    let y = [2.0, 0.05, -1.0, 0.3, 0.6, 0.0];
    std::fs::write(
        d.join("Y.npy"),
        attractor::problems::npy_bytes(&[2, 3], &y).unwrap(),
    )
    .unwrap();
    for (extra, expected) in [
        (vec!["--nonneg"], [1.5, 0.0, 0.0, 0.0, 0.1, 0.0]),
        (vec!["--method", "lca"], [1.5, 0.0, -0.5, 0.0, 0.1, 0.0]),
        (
            vec!["--method", "fcn", "--dynamics-only"],
            [1.5, 0.0, -0.5, 0.0, 0.1, 0.0],
        ),
        (
            vec!["--momentum", "nesterov", "--dynamics-only"],
            [1.5, 0.0, -0.5, 0.0, 0.1, 0.0],
        ),
        (
            vec![
                "--nonneg",
                "--momentum",
                "heavy-ball:0.5",
                "--dynamics-only",
            ],
            [1.5, 0.0, 0.0, 0.0, 0.1, 0.0],
        ),
    ] {
        let out = d.join("codes.npy");
        let _ = std::fs::remove_file(&out);
        let dict = d.join("D.npy").display().to_string();
        let sig = d.join("Y.npy").display().to_string();
        let outs = out.display().to_string();
        let mut args = vec![
            "sparse",
            "--dict",
            &dict,
            "--signals",
            &sig,
            "--lambda",
            "0.5",
            "--out",
            &outs,
        ];
        args.extend(extra.iter().copied());
        let (code, stdout, err) = attractor(&args);
        assert_eq!(code, 0, "{extra:?}: {err}");
        assert!(stdout.contains("2 certified"), "{stdout}");
        assert!(stdout.contains("relative duality gap"), "{stdout}");
        if let Some(k) = extra.iter().position(|a| *a == "--momentum") {
            let m = format!("with momentum {}", extra[k + 1]);
            assert!(stdout.contains(&m), "{stdout}");
        }
        let codes = attractor::problems::read_npy(&out).unwrap();
        assert_eq!(codes.shape, vec![2, 3]);
        for (a, b) in codes.data.iter().zip(&expected) {
            assert!((a - b).abs() < 1e-9, "{extra:?}: {:?}", codes.data);
        }
    }
    // a bad momentum is refused by the option's name, with the fix
    let dict = d.join("D.npy").display().to_string();
    let sig = d.join("Y.npy").display().to_string();
    for (bad, want) in [("heavy-ball:0", "> 0"), ("fista", "choose none, nesterov")] {
        let (code, _, err) = attractor(&[
            "sparse",
            "--dict",
            &dict,
            "--signals",
            &sig,
            "--lambda",
            "0.5",
            "--momentum",
            bad,
        ]);
        assert_ne!(code, 0);
        assert!(err.contains("--momentum") && err.contains(want), "{err}");
    }
}

/// `attractor train rbm` on the MNIST images in the repository, then `attractor sample` on the
/// model written: the reconstruction error falls, the AIS log-likelihood is reported, the same
/// seed writes the same bytes on one thread or two, and the samples are binary images.
#[test]
fn train_rbm_then_sample() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = |name: &str| d.join(name).display().to_string();
    let train = |out: &str, threads: &str| {
        attractor(&[
            "train",
            "rbm",
            "--data",
            MNIST,
            "--hidden",
            "16",
            "--epochs",
            "4",
            "--ais-runs",
            "10",
            "--ais-betas",
            "200",
            "--seed",
            "5",
            "--threads",
            threads,
            "--out",
            out,
        ])
    };
    let (code, out, err) = train(&model("a.safetensors"), "1");
    assert_eq!(code, 0, "{err}");
    let recon: Vec<f64> = out
        .lines()
        .filter(|l| l.starts_with("epoch"))
        .map(|l| {
            let x = l.split("reconstruction error ").nth(1).unwrap();
            x.split(',').next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(recon.len(), 4, "{out}");
    assert!(recon[3] < recon[0], "reconstruction error {recon:?}");
    assert!(out.contains("pseudo-likelihood"), "{out}");
    // the bracket: RAISE (low) and AIS (high), each with its standard error
    let line = out
        .lines()
        .find(|l| l.starts_with("log-likelihood bracket (200 betas"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.contains("(RAISE, 200 images)") && line.contains("(AIS, 10 runs)"),
        "{line}"
    );
    let nums: Vec<f64> = line
        .split(['[', ']', ',', '±', '('])
        .filter_map(|t| t.trim().parse::<f64>().ok())
        .collect();
    assert!(
        nums.len() >= 4 && nums.iter().all(|x| x.is_finite()),
        "{line}"
    );
    let (code, _, err) = train(&model("b.safetensors"), "2");
    assert_eq!(code, 0, "{err}");
    let a = std::fs::read(model("a.safetensors")).unwrap();
    assert_eq!(a, std::fs::read(model("b.safetensors")).unwrap());
    let rbm = attractor::models::rbm::Rbm::from_safetensors_bytes(&a, "a").unwrap();
    assert_eq!((rbm.n_visible(), rbm.n_hidden()), (784, 16));

    let sample = |png: &str, npy: &str| {
        attractor(&[
            "sample",
            &model("a.safetensors"),
            "--count",
            "12",
            "--steps",
            "100",
            "--seed",
            "1",
            "--png",
            png,
            "--out",
            npy,
        ])
    };
    let (code, out, err) = sample(&model("s.png"), &model("s.npy"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("12 images of 28 x 28"), "{out}");
    let png = std::fs::read(model("s.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let s = attractor::problems::read_npy(model("s.npy")).unwrap();
    assert_eq!(s.shape, vec![12, 784]);
    assert!(s.data.iter().all(|&v| v == 0.0 || v == 1.0));
    let (code, _, err) = sample(&model("t.png"), &model("t.npy"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        s.data,
        attractor::problems::read_npy(model("t.npy")).unwrap().data
    );

    // an output never names an input or another output: refused before any work, the model
    // untouched (the same file spelled through "./", and the two outputs on one file)
    let through_dot = d.join(".").join("a.safetensors").display().to_string();
    let (code, _, err) = sample(&model("u.png"), &through_dot);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out") && err.contains("MODEL"), "{err}");
    assert_eq!(a, std::fs::read(model("a.safetensors")).unwrap());
    assert!(!d.join("u.png").exists());
    let (code, _, err) = sample(&model("v.png"), &model("v.png"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out and --png name the same file"), "{err}");
    // train rbm --out onto its data file, and onto a file of its data directory
    let data_dir = d.join("data");
    std::fs::create_dir(&data_dir).unwrap();
    let victim = data_dir.join("digits.idx3-ubyte.gz");
    std::fs::copy(MNIST, &victim).unwrap();
    let before = std::fs::read(&victim).unwrap();
    for data in [&victim, &data_dir] {
        let (code, _, err) = attractor(&[
            "train",
            "rbm",
            "--data",
            &data.display().to_string(),
            "--out",
            &victim.display().to_string(),
        ]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("--out") && err.contains("--data"), "{err}");
    }
    assert_eq!(before, std::fs::read(&victim).unwrap());
}

/// Gaussian visible units on real-valued `.npy` data: the data are standardised, the
/// reconstruction error falls, and the model is written with its unit type.
#[test]
fn train_a_gaussian_rbm_on_npy_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 200 samples of 9 features: two prototypes plus noise
    let data: Vec<f64> = (0..200 * 9)
        .map(|k| {
            let (s, i) = (k / 9, k % 9);
            let proto = if s % 2 == 0 { i as f64 } else { 8.0 - i as f64 };
            proto + 0.3 * (((k * 7919) % 101) as f64 / 101.0)
        })
        .collect();
    let x = d.join("x.npy");
    std::fs::write(
        &x,
        attractor::problems::npy_bytes(&[200, 9], &data).unwrap(),
    )
    .unwrap();
    let out = d.join("g.safetensors");
    let (code, stdout, err) = attractor(&[
        "train",
        "rbm",
        "--data",
        x.to_str().unwrap(),
        "--visible",
        "gaussian",
        "--hidden",
        "4",
        "--epochs",
        "20",
        "--learning-rate",
        "0.01",
        "--ais-runs",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("standardised per pixel"), "{stdout}");
    let recon: Vec<f64> = stdout
        .lines()
        .filter(|l| l.starts_with("epoch"))
        .map(|l| {
            let x = l.split("reconstruction error ").nth(1).unwrap();
            x.split([',', ' ']).next().unwrap().parse().unwrap()
        })
        .collect();
    assert!(recon[19] < 0.5 * recon[0], "{recon:?}");
    let rbm = attractor::models::rbm::Rbm::load_safetensors(&out).unwrap();
    assert_eq!(
        rbm.visible_units(),
        attractor::models::rbm::VisibleUnits::Gaussian
    );
}

/// A negative number is the value of the option before it, refused by the option's name (not
/// clap's "unexpected argument '-1'").
#[test]
fn negative_numbers_are_values_refused_by_name() {
    for (args, want) in [
        (
            vec![
                "sparse",
                "--dict",
                "d.npy",
                "--signals",
                "y.npy",
                "--lambda",
                "0.1",
                "--tol",
                "-1",
            ],
            "--tol -1",
        ),
        (vec!["maxcut", "g.txt", "--time", "-3"], "--time -3"),
        (
            vec![
                "train",
                "rbm",
                "--data",
                MNIST,
                "--out",
                "m.safetensors",
                "--learning-rate",
                "-1",
            ],
            "learning_rate = -1",
        ),
    ] {
        let (code, _, err) = attractor(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(want) && !err.contains("unexpected argument"),
            "{args:?}: {err}"
        );
    }
}

/// `attractor train rbm` with the round-two options: tempered chains, schedules, centring and
/// a separate evaluation set; bad values name their option.
#[test]
fn train_rbm_with_tempering_schedules_and_centering() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.safetensors").display().to_string();
    let (code, stdout, err) = attractor(&[
        "train",
        "rbm",
        "--data",
        MNIST,
        "--count",
        "200",
        "--hidden",
        "8",
        "--epochs",
        "3",
        "--method",
        "tempering",
        "--temperatures",
        "3",
        "--learning-rate-schedule",
        "linear:0.01:3",
        "--momentum",
        "0.9",
        "--momentum-schedule",
        "step:0.5:1",
        "--centering",
        "enhanced:0.1",
        "--test",
        MNIST,
        "--ais-runs",
        "10",
        "--ais-betas",
        "100",
        "--raise-samples",
        "20",
        "--out",
        &out,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("tempered PCD"), "{stdout}");
    assert!(stdout.contains("tempering swap rates"), "{stdout}");
    assert!(stdout.contains("nats per test image"), "{stdout}");
    assert!(stdout.contains("(RAISE, 20 images)"), "{stdout}");
    for (args, needle) in [
        (
            vec!["--learning-rate-schedule", "linear:-1:5"],
            "--learning-rate-schedule",
        ),
        (
            vec!["--learning-rate-schedule", "cosine"],
            "--learning-rate-schedule",
        ),
        (
            vec!["--momentum-schedule", "step:2:1"],
            "--momentum-schedule",
        ),
        (vec!["--centering", "data:0"], "--centering"),
        (vec!["--centering", "middle"], "--centering"),
        (
            vec!["--method", "tempering", "--temperatures", "0"],
            "--temperatures",
        ),
        (
            vec!["--method", "tempering", "--max-temperature", "0.5"],
            "--max-temperature",
        ),
    ] {
        let mut all = vec![
            "train", "rbm", "--data", MNIST, "--out", &out, "--epochs", "1",
        ];
        all.extend(args.iter().copied());
        let (code, _, err) = attractor(&all);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
