//! `attractor train eqprop` on the 8×8 digits shipped in the repository: the per-epoch lines,
//! the network written and identical for 1 and 2 threads, the three rules, and bad input
//! exiting with code 2 and a message naming the option.

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

fn digits(file: &str) -> String {
    format!("{}/../../data/digits/{file}", env!("CARGO_MANIFEST_DIR"))
}

fn train(extra: &[&str]) -> (i32, String, String) {
    let (x, y) = (digits("digits_X_uint8.npy"), digits("digits_y_uint8.npy"));
    let mut args = vec![
        "train",
        "eqprop",
        "--data",
        &x,
        "--labels",
        &y,
        "--test-data",
        &x,
        "--test-labels",
        &y,
        "--hidden",
        "40",
        "--count",
        "600",
    ];
    if !extra.contains(&"--epochs") {
        args.extend_from_slice(&["--epochs", "2"]);
    }
    args.extend_from_slice(extra);
    attractor(&args)
}

#[test]
fn trains_prints_epochs_and_writes_the_same_network_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| -> PathBuf { dir.path().join(n) };
    let (a, b) = (path("a.safetensors"), path("b.safetensors"));
    let (code, out, err) = train(&["--out", a.to_str().unwrap(), "--threads", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("epoch 2/2  train error"), "{out}");
    assert!(out.contains("test error"), "{out}");
    assert!(out.contains("all 2 epochs done"), "{out}");
    let (code, _, err) = train(&["--out", b.to_str().unwrap(), "--threads", "2"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    for rule in ["chl", "bptt"] {
        let (code, out, err) = train(&["--rule", rule, "--epochs", "1"]);
        assert_eq!(code, 0, "{rule}: {err}");
        assert!(out.contains("epoch 1/1"), "{rule}: {out}");
    }
    let (code, out, err) = train(&["--symmetric", "--cost", "cross-entropy", "--epochs", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(symmetric)"), "{out}");
    // the oscillator network (written with --out), and Scellier's evaluation on persistent
    // test particles
    let osc = path("osc.safetensors");
    let (code, out, err) = train(&[
        "--out",
        osc.to_str().unwrap(),
        "--network",
        "oscillator",
        "--epsilon",
        "0.3",
        "--free-steps",
        "40",
        "--nudge-steps",
        "20",
        "--symmetric",
        "--epochs",
        "1",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("epoch 1/1  train error") && out.contains("test error"),
        "{out}"
    );
    assert!(out.contains("wrote") && osc.exists(), "{out}");
    let bytes = std::fs::read(&osc).unwrap();
    assert!(
        String::from_utf8_lossy(&bytes[..200.min(bytes.len())])
            .contains("attractor.oscillator-network"),
        "the oscillator network's file names its format"
    );
    let (code, out, err) = train(&["--test-particles", "--epochs", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("test error (particles)"), "{out}");
}

#[test]
fn bad_input_names_the_option() {
    let cases: &[(&[&str], &str)] = &[
        (&["--beta", "0"], "beta"),
        (&["--beta", "-0.5"], "beta"),
        (&["--lr", "-0.1"], "--lr"),
        (&["--epochs", "0"], "--epochs 0"),
        (&["--hidden", "0"], "--hidden"),
        (&["--free-steps", "0"], "free steps"),
        (&["--epsilon", "nan"], "epsilon"),
        (&["--activation", "relu"], "activation"),
        (&["--cost", "hinge"], "cost"),
        (&["--batch-size", "0"], "batch_size"),
        (&["--network", "oscillator", "--rule", "chl"], "--rule ep"),
        (
            &["--network", "oscillator", "--test-particles"],
            "--test-particles",
        ),
        (&["--network", "oscillator", "--beta", "0"], "beta"),
    ];
    for (extra, needle) in cases {
        let (code, _, err) = train(extra);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
        assert!(!err.contains("panicked"), "{extra:?}: {err}");
    }
    // labels that do not match the images
    let x = digits("digits_X_uint8.npy");
    let (code, _, err) = attractor(&["train", "eqprop", "--data", &x, "--labels", &x]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("label"), "{err}");
    // no labels at all for a .npy file
    let (code, _, err) = attractor(&["train", "eqprop", "--data", &x]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--labels"), "{err}");
}

/// SIGINT (Ctrl-C) or SIGTERM during training stops it between minibatches, writes the network
/// reached and exits with 130.
#[test]
fn a_signal_keeps_the_network_reached() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stopped.safetensors");
    let (x, y) = (digits("digits_X_uint8.npy"), digits("digits_y_uint8.npy"));
    for signal in ["INT", "TERM"] {
        let _ = std::fs::remove_file(&out);
        let child = Command::new(env!("CARGO_BIN_EXE_attractor"))
            .args([
                "train",
                "eqprop",
                "--data",
                &x,
                "--labels",
                &y,
                "--hidden",
                "200",
                "--epochs",
                "100000",
                "--out",
                out.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let result = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&result.stdout);
        assert_eq!(result.status.code(), Some(130), "{signal}: {stdout}");
        assert!(
            stdout.contains("the parameters reached are kept"),
            "{signal}: {stdout}"
        );
        assert!(out.is_file(), "{signal}: no network written");
    }
}
