//! Sparse coding of MNIST test images over unit-norm MNIST training images (the benchmark of
//! `bench/sparse_mnist.py`): time, objective, certificate and support for the networks, with
//! and without the equilibrium solve. Prints one line per configuration; `--dump DIR` writes
//! the codes as raw little-endian f64 (n_signals × n_atoms) for the script's comparison.
//!
//! `sparse_mnist --mnist DIR [--signals 1000] [--atoms 512] [--lambda 0.1] [--signed]
//!  [--method pfcn] [--solve true] [--check-every 10] [--tol 1e-6] [--reps 3] [--threads 0]`

use attractor::Par;
use attractor::models::sparse::{Dictionary, SparseCoder, SparseMethod, SparseParams};
use attractor::problems::read_idx;
use attractor::run::Budget;
use faer::Mat;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

type BoxResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn images(path: PathBuf, count: usize, unit: bool) -> BoxResult<Mat<f64>> {
    let a = read_idx(&path)?;
    let n = a.item_len();
    let count = count.min(a.n_items());
    let mut m = Mat::from_fn(n, count, |i, j| f64::from(a.data[j * n + i]) / 255.0);
    if unit {
        for j in 0..count {
            let norm = m.col(j).iter().map(|v| v * v).sum::<f64>().sqrt();
            for i in 0..n {
                m[(i, j)] /= norm;
            }
        }
    }
    Ok(m)
}

fn main() -> BoxResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_string())
    };
    let mnist = PathBuf::from(get("--mnist", "../shared/data/mnist"));
    let n_signals: usize = get("--signals", "1000").parse()?;
    let n_atoms: usize = get("--atoms", "512").parse()?;
    let lambda: f64 = get("--lambda", "0.1").parse()?;
    let positive = !args.iter().any(|a| a == "--signed");
    let method: SparseMethod = get("--method", if positive { "pfcn" } else { "fcn" }).parse()?;
    let solve: bool = get("--solve", "true").parse()?;
    let check_every: usize = get("--check-every", "10").parse()?;
    let tol: f64 = get("--tol", "1e-6").parse()?;
    let reps: usize = get("--reps", "3").parse()?;
    let threads: usize = get("--threads", "0").parse()?;
    let max_steps: usize = get("--max-steps", "100000").parse()?;
    let par = if threads == 1 {
        Par::Seq
    } else {
        attractor::linalg::ALL_THREADS
    };
    if threads > 1 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()?;
    }
    let atoms = images(mnist.join("train-images-idx3-ubyte.gz"), n_atoms, true)?;
    let signals = images(mnist.join("t10k-images-idx3-ubyte.gz"), n_signals, false)?;
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..reps + 1 {
        let t = Instant::now();
        let dict = Arc::new(Dictionary::new(atoms.clone(), par)?);
        let t_dict = t.elapsed().as_secs_f64();
        let tb = Instant::now();
        std::hint::black_box(dict.correlations(signals.as_ref())?);
        let t_corr = tb.elapsed().as_secs_f64();
        let t = Instant::now() - std::time::Duration::from_secs_f64(t_dict);
        if args.iter().any(|a| a == "--verbose") {
            eprintln!("dictionary {t_dict:.4} s, correlations {t_corr:.4} s");
        }
        let mut p = SparseParams::new(lambda, positive);
        p.method = method;
        p.equilibrium_solve = solve;
        p.check_every = check_every;
        p.tol = tol;
        let codes =
            SparseCoder::new(dict, p)?.encode(signals.as_ref(), &Budget::steps(max_steps))?;
        times.push(t.elapsed().as_secs_f64());
        last = Some(codes);
    }
    let codes = last.unwrap();
    times.remove(0);
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let steps: f64 = codes.n_steps.iter().sum::<usize>() as f64 / codes.n_steps.len() as f64;
    println!(
        "method={method} positive={positive} solve={solve} check_every={check_every} tol={tol:e} time_s={median:.4} objective={:.10e} max_certificate={:.3e} mean_support={:.2} mean_steps={steps:.1} status=\"{}\"",
        codes.total_objective(),
        codes.max_certificate(),
        codes.mean_support(),
        codes.summary()
    );
    if let Some(i) = args.iter().position(|a| a == "--dump")
        && let Some(path) = args.get(i + 1)
    {
        let bytes: Vec<u8> = (0..codes.n_signals())
            .flat_map(|j| codes.code(j).to_vec())
            .flat_map(f64::to_le_bytes)
            .collect();
        std::fs::write(path, bytes)?;
    }
    Ok(())
}
