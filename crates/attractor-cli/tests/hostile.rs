//! Bad input as a hostile user would give it, one row per class of issue 10: every row must
//! end with exit code 2 (130 for an interrupt), one line on stderr that names the value, no
//! panic text, nothing written or clobbered, quickly and within a memory bound.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The most memory any refused input may make the binary take (peak resident set).
const PEAK_RSS_BOUND_KB: i64 = 256 * 1024;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_attractor")
}

fn repo(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
        .display()
        .to_string()
}

/// Peak resident set (KiB) of the largest child waited for so far.
fn children_peak_rss_kb() -> i64 {
    // SAFETY: getrusage writes into the zeroed struct we own.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru);
        ru.ru_maxrss
    }
}

struct Outcome {
    code: i32,
    stderr: String,
    elapsed: Duration,
}

fn run(args: &[&str]) -> Outcome {
    let start = Instant::now();
    let out = Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn bad_inputs_exit_2_with_one_line_and_touch_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let g1 = repo("data/gset/G1.txt");
    let precious = write(d, "precious.txt", b"keep me\n");
    let link = d.join("link.cut");
    std::os::unix::fs::symlink(&precious, &link).unwrap();
    let link = link.display().to_string();
    let link_png = d.join("link.png");
    std::os::unix::fs::symlink(&precious, &link_png).unwrap();
    let link_png = link_png.display().to_string();
    let huge_header = write(d, "huge.txt", b"1000000000 1\n1 2 1\n");
    let huge_ids = write(d, "ids.txt", b"0 4000000000 1\n");
    let bad_npy = write(d, "bad.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': '', }\n");
    let inf_qubo = write(d, "inf.qubo", b"2 1\n1 2 1e400\n");
    let no_dir = d.join("no/such/dir/out.cut").display().to_string();
    let dir_arg = d.display().to_string();
    let long_num = "9".repeat(300);
    let mnist = repo("data/mnist/train-images-first.idx3-ubyte.gz");
    let npy = |name: &str, shape: &[usize], data: &[f64]| {
        write(
            d,
            name,
            &attractor::problems::npy_bytes(shape, data).unwrap(),
        )
    };
    let dict = npy(
        "D.npy",
        &[3, 4],
        &[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
    );
    let signals5 = npy("Y5.npy", &[2, 5], &[1.0; 10]);
    let signals = npy("Y.npy", &[2, 4], &[1.0; 8]);
    let nan_dict = npy(
        "Dnan.npy",
        &[2, 4],
        &[1.0, f64::NAN, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
    );
    let empty_dict = npy("D0.npy", &[0, 4], &[]);
    let cube = npy("D3.npy", &[1, 2, 2], &[1.0; 4]);
    let negative = npy(
        "neg.npy",
        &[2, 4],
        &[1.0, -0.5, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
    );
    let model_bytes = attractor::models::rbm::Rbm::random(4, 3, 0.1, 0)
        .unwrap()
        .to_safetensors_bytes()
        .unwrap();
    let model = write(d, "rbm.safetensors", &model_bytes);
    let truncated = write(d, "cut.safetensors", &model_bytes[..model_bytes.len() - 7]);
    let garbage = write(d, "junk.safetensors", b"not a safetensors file at all");
    let png = d.join("out.png").display().to_string();
    let st_out = d.join("out.safetensors").display().to_string();
    let train = |extra: &[&'static str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "train", "rbm", "--data", &mnist, "--out", &st_out, "--epochs", "1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let train_rows: Vec<(&str, Vec<String>, &str)> = vec![
        ("train: k = 0", train(&["--cd-k", "0"]), "--cd-k"),
        (
            "train: learning rate <= 0",
            train(&["--learning-rate", "-0.1"]),
            "--learning-rate",
        ),
        (
            "train: learning rate NaN",
            train(&["--learning-rate", "nan"]),
            "--learning-rate",
        ),
        (
            "train: momentum 1",
            train(&["--momentum", "1"]),
            "--momentum",
        ),
        (
            "train: batch size 0",
            train(&["--batch-size", "0"]),
            "--batch-size",
        ),
        (
            "train: no hidden units",
            train(&["--hidden", "0"]),
            "--hidden",
        ),
        (
            "train: count beyond the data",
            train(&["--count", "100000"]),
            "--count 100000",
        ),
        (
            "train: threshold 1",
            train(&["--threshold", "1"]),
            "--threshold",
        ),
        (
            "train: AIS with one run",
            train(&["--ais-runs", "1"]),
            "--ais-runs",
        ),
        (
            "train: time budget NaN",
            train(&["--time", "nan"]),
            "--time",
        ),
    ];

    // (class, args, a needle the one stderr line must contain)
    let rows: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "output: a device",
            vec!["maxcut", &g1, "--rounds", "1", "--out", "/dev/null"],
            "not a regular file",
        ),
        (
            "output: a symlink",
            vec!["maxcut", &g1, "--rounds", "1", "--out", &link],
            "symbolic link",
        ),
        (
            "output: a directory",
            vec!["maxcut", &g1, "--rounds", "1", "--out", &dir_arg],
            "directory",
        ),
        (
            "output: checked before a long run",
            vec!["maxcut", &g1, "--time", "60", "--out", &no_dir],
            "--out",
        ),
        (
            "output: png checked first",
            vec!["memory", "--png", &no_dir],
            "--png",
        ),
        (
            "memory: header counts",
            vec!["maxcut", &huge_header],
            "1000000000",
        ),
        (
            "memory: node ids",
            vec!["maxcut", &huge_ids, "--format", "edges"],
            "vertex id 4000000000",
        ),
        (
            "memory: replicas",
            vec!["maxcut", &g1, "--replicas", "100000000"],
            "--replicas",
        ),
        (
            "memory: count",
            vec!["memory", "--count", "1000000000"],
            "GiB",
        ),
        (
            "panic: huge time",
            vec!["maxcut", &g1, "--time", "1e300"],
            "--time",
        ),
        (
            "panic: malformed npy",
            vec!["memory", "--data", &bad_npy],
            "bad.npy",
        ),
        (
            "resources: threads",
            vec!["maxcut", &g1, "--threads", "100000"],
            "--threads",
        ),
        (
            "nonsense: threshold nan",
            vec!["memory", "--data", &mnist, "--threshold", "nan"],
            "--threshold",
        ),
        (
            "nonsense: inf QUBO coefficient",
            vec!["ising", &inf_qubo, "--qubo", "--rounds", "1"],
            "inf.qubo",
        ),
        (
            "nonsense: huge beta",
            vec!["memory", "--model", "modern", "--beta", "1e300"],
            "beta",
        ),
        (
            "nonsense: high degree",
            vec!["memory", "--model", "dense", "--n", "400"],
            "degree",
        ),
        (
            "sparse: dimensions disagree",
            vec![
                "sparse",
                "--dict",
                &dict,
                "--signals",
                &signals5,
                "--lambda",
                "0.1",
            ],
            "5 features",
        ),
        (
            "sparse: negative lambda",
            vec![
                "sparse",
                "--dict",
                &dict,
                "--signals",
                &signals,
                "--lambda",
                "-1",
            ],
            "--lambda -1",
        ),
        (
            "sparse: non-finite dictionary",
            vec![
                "sparse",
                "--dict",
                &nan_dict,
                "--signals",
                &signals,
                "--lambda",
                "0.1",
            ],
            "NaN",
        ),
        (
            "sparse: empty dictionary",
            vec![
                "sparse",
                "--dict",
                &empty_dict,
                "--signals",
                &signals,
                "--lambda",
                "0.1",
            ],
            "at least one atom",
        ),
        (
            "sparse: malformed npy",
            vec![
                "sparse",
                "--dict",
                &bad_npy,
                "--signals",
                &signals,
                "--lambda",
                "0.1",
            ],
            "bad.npy",
        ),
        (
            "sparse: a 3-D dictionary",
            vec![
                "sparse",
                "--dict",
                &cube,
                "--signals",
                &signals,
                "--lambda",
                "0.1",
            ],
            "2-D",
        ),
        (
            "sparse: pfcn without --nonneg",
            vec![
                "sparse",
                "--dict",
                &dict,
                "--signals",
                &signals,
                "--lambda",
                "0.1",
                "--method",
                "pfcn",
            ],
            "--nonneg",
        ),
        (
            "sparse: output a symlink",
            vec![
                "sparse",
                "--dict",
                &dict,
                "--signals",
                &signals,
                "--lambda",
                "0.1",
                "--out",
                &link,
            ],
            "symbolic link",
        ),
        (
            "train: negative intensities",
            vec!["train", "rbm", "--data", &negative, "--out", &st_out],
            "image value = -0.5",
        ),
        (
            "train: output a symlink",
            vec!["train", "rbm", "--data", &mnist, "--out", &link],
            "symbolic link",
        ),
        (
            "train: output checked before training",
            vec!["train", "rbm", "--data", &mnist, "--out", &no_dir],
            "--out",
        ),
        (
            "train: a directory without MNIST",
            vec!["train", "rbm", "--data", &dir_arg, "--out", &st_out],
            "train-images-idx3-ubyte.gz",
        ),
        (
            "sample: truncated model",
            vec!["sample", &truncated, "--png", &png],
            "cut.safetensors",
        ),
        (
            "sample: not a safetensors file",
            vec!["sample", &garbage, "--png", &png],
            "junk.safetensors",
        ),
        (
            "sample: temperature 0",
            vec!["sample", &model, "--png", &png, "--temperature", "0"],
            "--temperature",
        ),
        (
            "sample: shape that does not fit",
            vec!["sample", &model, "--png", &png, "--shape", "3x3"],
            "--shape 3x3",
        ),
        (
            "sample: too many chains",
            vec!["sample", &model, "--png", &png, "--count", "100000000"],
            "--count",
        ),
        (
            "sample: png a symlink",
            vec!["sample", &model, "--png", &link_png],
            "symbolic link",
        ),
        ("messages: missing argument", vec!["maxcut"], "<FILE>"),
        (
            "messages: valid values",
            vec!["maxcut", &g1, "--format", "csv"],
            "rudy",
        ),
        (
            "messages: 300 digits",
            vec!["memory", "--model", "modern", "--beta", &long_num],
            "beta",
        ),
    ];
    let rows = rows
        .into_iter()
        .map(|(c, a, n)| (c, a.into_iter().map(str::to_string).collect::<Vec<_>>(), n))
        .chain(train_rows);
    for (class, args, needle) in rows {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args);
        println!("| {class} | {} | {} |", o.code, o.stderr.trim_end());
        assert_eq!(o.code, 2, "{class}: exit {} with {}", o.code, o.stderr);
        let lines: Vec<&str> = o.stderr.trim_end().lines().collect();
        assert_eq!(lines.len(), 1, "{class}: {}", o.stderr);
        assert!(
            o.stderr.contains(needle),
            "{class}: {needle:?} not in {}",
            o.stderr
        );
        assert!(
            !o.stderr.contains("panicked") && !o.stderr.contains("internal error"),
            "{class}: {}",
            o.stderr
        );
        assert!(
            o.stderr.len() < 400,
            "{class}: a long message: {}",
            o.stderr
        );
        assert!(
            o.elapsed < Duration::from_secs(10),
            "{class}: took {:?}",
            o.elapsed
        );
    }
    assert!(
        children_peak_rss_kb() < PEAK_RSS_BOUND_KB,
        "a refused input took {} KiB",
        children_peak_rss_kb()
    );
    // nothing clobbered, nothing left behind
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me\n");
    let left: Vec<PathBuf> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn sigterm_and_sigint_keep_the_best_and_exit_130() {
    let dir = tempfile::tempdir().unwrap();
    for (signal, name) in [(libc::SIGTERM, "term"), (libc::SIGINT, "int")] {
        let out = dir.path().join(format!("{name}.cut"));
        let child = Command::new(bin())
            .args(["maxcut", &repo("data/gset/G1.txt"), "--time", "60", "--out"])
            .arg(&out)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (o, took) = signal_and_wait(child, signal, Duration::from_millis(1500));
        assert!(took < Duration::from_secs(5), "{name}: took {took:?}");
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            o.status.code(),
            Some(130),
            "{name}: {stdout} {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(stdout.contains("interrupted"), "{stdout}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 800);
    }
}

#[test]
fn an_interrupted_training_writes_the_model_reached_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rbm.safetensors");
    let child = Command::new(bin())
        .args([
            "train",
            "rbm",
            "--data",
            &repo("data/mnist/train-images-first.idx3-ubyte.gz"),
            "--hidden",
            "32",
            "--epochs",
            "1000000",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (o, took) = signal_and_wait(child, libc::SIGTERM, Duration::from_millis(1500));
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("interrupted"), "{stdout}");
    let rbm = attractor::models::rbm::Rbm::load_safetensors(&out).unwrap();
    assert_eq!((rbm.n_visible(), rbm.n_hidden()), (784, 32));
    assert!(
        rbm.weights().norm_l2() > 0.1,
        "the model reached, not the initial one"
    );
}

/// Send `signal` to `child` after `after`, wait at most 10 s for it to exit (then kill it, so
/// a failing test leaves nothing running) and return its output and the time from the signal
/// to its exit.
fn signal_and_wait(
    mut child: std::process::Child,
    signal: libc::c_int,
    after: Duration,
) -> (std::process::Output, Duration) {
    std::thread::sleep(after);
    let sent = Instant::now();
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
    while child.try_wait().ok().flatten().is_none() && sent.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = sent.elapsed();
    let _ = child.kill();
    (child.wait_with_output().unwrap(), took)
}

/// The interrupt reaches inside the long inner loops of `train rbm`: the Gibbs sweeps of one
/// CD step (`--cd-k 1000000000`, hours per update) and the final AIS estimate stop within 2 s
/// of SIGINT / SIGTERM, the model written, exit 130.
#[test]
fn signals_stop_the_inner_loops_of_train_rbm_within_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo("data/mnist/train-images-first.idx3-ubyte.gz");
    let spawn = |out: &Path, extra: &[&str]| {
        Command::new(bin())
            .args(["train", "rbm", "--data", &data, "--hidden", "16", "--out"])
            .arg(out)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // inside one CD step
    let out = dir.path().join("cdk.safetensors");
    let child = spawn(&out, &["--cd-k", "1000000000", "--epochs", "1"]);
    let (o, took) = signal_and_wait(child, libc::SIGINT, Duration::from_millis(1500));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(took < Duration::from_secs(2), "took {took:?}: {stdout}");
    assert_eq!(o.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("interrupted"), "{stdout}");
    attractor::models::rbm::Rbm::load_safetensors(&out).unwrap();
    // inside the final RAISE/AIS bracket (one quick epoch, then 10^7 intermediate distributions)
    let out = dir.path().join("ais.safetensors");
    let child = spawn(
        &out,
        &[
            "--epochs",
            "1",
            "--ais-runs",
            "200",
            "--ais-betas",
            "10000000",
        ],
    );
    let (o, took) = signal_and_wait(child, libc::SIGTERM, Duration::from_millis(2500));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(took < Duration::from_secs(2), "took {took:?}: {stdout}");
    assert_eq!(o.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("the estimate was interrupted"), "{stdout}");
    let rbm = attractor::models::rbm::Rbm::load_safetensors(&out).unwrap();
    assert_eq!(rbm.n_hidden(), 16);
}
