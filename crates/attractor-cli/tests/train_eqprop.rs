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
