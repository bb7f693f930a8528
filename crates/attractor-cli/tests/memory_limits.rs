//! The memory policy and the input checks, seen from the command line: each reproduction of
//! issue 19 runs under an address-space limit (`prlimit --as`, 4 GiB: the matrix backend
//! reserves about 1 GiB of address space per thread) and must end with exit 2 and one clear
//! line, never a panic (101) or an abort (134).

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_attractor")
}

/// `attractor args` under `prlimit --as=4GiB` (plain when prlimit is missing), with
/// `ATTRACTOR_MAX_MEMORY` unset: `(exit code, stderr)`.
fn capped(args: &[&str]) -> (i32, String) {
    let has_prlimit = Command::new("prlimit").arg("--version").output().is_ok();
    let mut cmd = if has_prlimit {
        let mut c = Command::new("prlimit");
        c.arg("--as=4294967296").arg(bin());
        c
    } else {
        Command::new(bin())
    };
    let out = cmd
        .args(args)
        .env_remove("ATTRACTOR_MAX_MEMORY")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Write a `.npy` (`<f8`, C order) of `shape` whose data are `data` (may be fewer values than
/// the shape declares when the test wants a header only).
fn npy(path: &Path, shape: &[u64], data: &[f64]) {
    let dims = match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut h = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {dims}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(b"\x93NUMPY\x01\x00").unwrap();
    f.write_all(&(h.len() as u16).to_le_bytes()).unwrap();
    f.write_all(h.as_bytes()).unwrap();
    for x in data {
        f.write_all(&x.to_le_bytes()).unwrap();
    }
}

fn assert_clear(what: &str, (code, err): (i32, String), needles: &[&str]) {
    assert_eq!(code, 2, "{what}: exit {code}, stderr: {err}");
    assert_eq!(err.trim().lines().count(), 1, "{what}: one line: {err}");
    for n in needles {
        assert!(err.contains(n), "{what}: {n:?} missing from: {err}");
    }
}

#[test]
fn derived_sizes_that_cannot_fit_are_refused_with_the_quantity_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).display().to_string();
    // 30 000 atoms x 1 feature: a 6.7 GiB Gram matrix from a 240 KB file
    npy(Path::new(&p("d.npy")), &[30_000, 1], &vec![0.5; 30_000]);
    npy(Path::new(&p("y.npy")), &[2, 1], &[1.0, 2.0]);
    assert_clear(
        "Gram",
        capped(&[
            "sparse",
            "--dict",
            &p("d.npy"),
            "--signals",
            &p("y.npy"),
            "--lambda",
            "0.1",
        ]),
        &["Gram matrix", "30000 x 30000", "6.7 GiB", "use fewer atoms"],
    );
    // --hidden 65536 over 16384 features: an 8 GiB weight matrix
    npy(Path::new(&p("x.npy")), &[2, 16_384], &vec![1.0; 2 * 16_384]);
    assert_clear(
        "hidden",
        capped(&[
            "train",
            "rbm",
            "--data",
            &p("x.npy"),
            "--hidden",
            "65536",
            "--out",
            &p("m.safetensors"),
        ]),
        &["65536", "8.0 GiB", "available"],
    );
    assert!(!Path::new(&p("m.safetensors")).exists());
}

/// The other surfaces under the same cap: the oscillator machine's replicas, a Hopfield
/// memory's N x N weights, a layered network's weights — each refused with the quantity, never
/// an abort.
#[test]
fn the_machine_the_memories_and_the_layered_networks_obey_the_cap() {
    let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let g11 = format!("{repo}/data/gset/G11.txt");
    assert_clear(
        "replicas",
        capped(&["maxcut", &g11, "--rounds", "1", "--replicas", "100000000"]),
        &[
            "oscillator replicas",
            "100000000 x 800",
            "use fewer replicas",
        ],
    );
    assert_clear(
        "memory",
        capped(&["memory", "--dim", "1000000", "--count", "5"]),
        &["1000000 x 1000000", "available"],
    );
    let x = format!("{repo}/data/digits/digits_X_uint8.npy");
    let y = format!("{repo}/data/digits/digits_y_uint8.npy");
    assert_clear(
        "layered",
        capped(&[
            "train",
            "eqprop",
            "--data",
            &x,
            "--labels",
            &y,
            "--hidden",
            "100000,100000",
            "--epochs",
            "1",
        ]),
        &["weight matrix", "100000 x 100000", "available"],
    );
}

#[test]
fn a_gzip_idx_declaring_8_gib_of_images_is_refused_and_ten_images_cost_ten() {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big-idx3-ubyte.gz");
    let mut gz = GzEncoder::new(std::fs::File::create(&f).unwrap(), Compression::fast());
    gz.write_all(&[0, 0, 8, 3]).unwrap();
    for d in [16_384u32, 256, 256] {
        gz.write_all(&d.to_be_bytes()).unwrap();
    }
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        gz.write_all(&zeros).unwrap();
    }
    gz.finish().unwrap();
    let data = f.display().to_string();
    let out = dir.path().join("m.safetensors").display().to_string();
    assert_clear(
        "idx",
        capped(&[
            "train", "rbm", "--data", &data, "--out", &out, "--epochs", "1",
        ]),
        &["images as f64", "65536 x 16384", "--count"],
    );
    // ten images: decoded alone (the whole file would be 1 GiB of bytes)
    let out = Command::new("prlimit")
        .args([
            "--as=4294967296",
            bin(),
            "train",
            "rbm",
            "--data",
            &data,
            "--count",
            "10",
        ])
        .args([
            "--hidden",
            "2",
            "--epochs",
            "1",
            "--ais-runs",
            "0",
            "--out",
            &out,
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
}

#[test]
fn sampling_more_states_than_fit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).display().to_string();
    // a model of 1e6 visible units x 1 hidden
    npy(
        Path::new(&p("x.npy")),
        &[1, 1_000_000],
        &vec![1.0; 1_000_000],
    );
    let out = Command::new(bin())
        .args([
            "train",
            "rbm",
            "--data",
            &p("x.npy"),
            "--hidden",
            "1",
            "--epochs",
            "1",
        ])
        .args([
            "--batch-size",
            "1",
            "--ais-runs",
            "0",
            "--out",
            &p("m.safetensors"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clear(
        "sample",
        capped(&[
            "sample",
            &p("m.safetensors"),
            "--count",
            "1000",
            "--png",
            &p("s.png"),
        ]),
        &["1000000 x 1000", "--count"],
    );
    assert!(!Path::new(&p("s.png")).exists());
}

#[test]
fn the_cap_from_the_environment_is_obeyed_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d.npy");
    let y = dir.path().join("y.npy");
    npy(&d, &[2_000, 1], &vec![0.5; 2_000]);
    npy(&y, &[1, 1], &[1.0]);
    let out = Command::new(bin())
        .args(["sparse", "--dict", &d.display().to_string()])
        .args(["--signals", &y.display().to_string(), "--lambda", "0.1"])
        .env("ATTRACTOR_MAX_MEMORY", "16M")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ATTRACTOR_MAX_MEMORY=16M") && err.contains("2000 x 2000"),
        "{err}"
    );
}

#[test]
fn a_dictionary_of_no_features_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d.npy");
    let y = dir.path().join("y.npy");
    npy(&d, &[1_000_000_000_000_000_000, 0], &[]);
    npy(&y, &[1, 1], &[1.0]);
    let t = Instant::now();
    let r = capped(&[
        "sparse",
        "--dict",
        &d.display().to_string(),
        "--signals",
        &y.display().to_string(),
        "--lambda",
        "0.1",
    ]);
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    assert_clear("empty", r, &["1000000000000000000 atoms x 0 features"]);
}

#[test]
fn devices_and_fifos_are_refused_without_reading_or_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.safetensors").display().to_string();
    assert_clear(
        "dev/zero",
        capped(&["train", "rbm", "--data", "/dev/zero", "--out", &out]),
        &["/dev/zero", "character device", "regular"],
    );
    let fifo = dir.path().join("x.npy");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.map(|s| s.success()).unwrap_or(false) {
        let t = Instant::now();
        let r = capped(&[
            "train",
            "rbm",
            "--data",
            &fifo.display().to_string(),
            "--out",
            &out,
        ]);
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "blocked {:?}",
            t.elapsed()
        );
        assert_clear("fifo", r, &["FIFO", "regular"]);
    }
}

#[test]
fn non_finite_pixels_are_refused_with_their_position_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.safetensors").display().to_string();
    for (bad, word, at) in [
        (f64::INFINITY, "(inf)", "image 3, pixel 5"),
        (f64::NAN, "(NaN)", "image 3, pixel 5"),
    ] {
        let mut x = vec![1.0; 50 * 12];
        x[3 * 12 + 5] = bad;
        let f = dir.path().join("x.npy");
        npy(&f, &[50, 12], &x);
        assert_clear(
            word,
            capped(&[
                "train",
                "rbm",
                "--data",
                &f.display().to_string(),
                "--out",
                &out,
            ]),
            &[word, at, "index 41"],
        );
        assert!(!Path::new(&out).exists());
    }
}

#[test]
fn rbm_training_that_diverges_fails_and_writes_no_initial_model() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.npy");
    let x: Vec<f64> = (0..50 * 12)
        .map(|i| f64::from(u8::from(i % 3 == 0)))
        .collect();
    npy(&f, &[50, 12], &x);
    let out = dir.path().join("m.safetensors");
    let o = Command::new(bin())
        .args([
            "train",
            "rbm",
            "--data",
            &f.display().to_string(),
            "--weight-decay",
            "1e300",
        ])
        .args(["--out", &out.display().to_string()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("diverged")
            && err.contains("--weight-decay 1e300")
            && err.contains("no model was written"),
        "{err}"
    );
    assert!(!out.exists());
}
