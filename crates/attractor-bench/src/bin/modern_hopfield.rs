//! Batched modern-Hopfield retrieval `R = X softmax(βXᵀQ)` with the MNIST training images
//! stored (`X`: 784 × 60,000, pixels scaled to [0, 1]) and the test images as queries
//! (`Q`: 784 × 10,000), next to the faer matrix-product peak measured in the same run; and
//! classical Hopfield asynchronous sweeps per second at N = 4096.
//!
//! ```text
//! cargo run --release -p attractor-bench --bin modern_hopfield -- \
//!     [--mnist ../shared/data/mnist] [--stored 60000] [--queries 10000] [--beta 0.05]
//!     [--block 2048] [--threads 0] [--reps 1] [--hopfield-n 4096] [--dump DIR]
//! ```
//!
//! `--threads 0` uses every core (rayon), `1` runs single-threaded. A human-readable table goes
//! to stderr; stdout carries one JSON object per line for `bench/modern_hopfield.py`. With
//! `--dump DIR` the first 64 retrieved queries are written to `DIR/rust_out.npy` (784 × 64,
//! C order) so that NumPy's result can be checked against them.

use attractor::models::{HopfieldMemory, Memory, ModernHopfield, Update};
use attractor::problems::{Patterns, flip_fraction, read_idx};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use std::error::Error;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

type BoxResult<T> = std::result::Result<T, Box<dyn Error>>;

struct Args {
    mnist: PathBuf,
    stored: usize,
    queries: usize,
    beta: f64,
    block: usize,
    threads: usize,
    reps: usize,
    hopfield_n: usize,
    dump: Option<PathBuf>,
}

fn parse() -> BoxResult<Args> {
    let mut a = Args {
        mnist: PathBuf::from("../shared/data/mnist"),
        stored: 60_000,
        queries: 10_000,
        beta: 0.05,
        block: 2048,
        threads: 0,
        reps: 1,
        hopfield_n: 4096,
        dump: None,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let v = argv
            .get(i + 1)
            .ok_or(format!("{} needs a value", argv[i]))?;
        match argv[i].as_str() {
            "--mnist" => a.mnist = PathBuf::from(v),
            "--stored" => a.stored = v.parse()?,
            "--queries" => a.queries = v.parse()?,
            "--beta" => a.beta = v.parse()?,
            "--block" => a.block = v.parse()?,
            "--threads" => a.threads = v.parse()?,
            "--reps" => a.reps = v.parse::<usize>()?.max(1),
            "--hopfield-n" => a.hopfield_n = v.parse()?,
            "--dump" => a.dump = Some(PathBuf::from(v)),
            other => return Err(format!("unknown option {other}").into()),
        }
        i += 2;
    }
    Ok(a)
}

fn images(path: PathBuf, count: usize) -> BoxResult<Patterns> {
    let a = read_idx(&path)?;
    let n = a.item_len();
    let count = count.min(a.n_items());
    Ok(Patterns::from_bytes(
        count,
        n,
        &a.data[..count * n],
        1.0 / 255.0,
    )?)
}

/// Best GFLOP/s of an `m × k` by `k × n` product over a few repetitions.
fn matmul_gflops(m: usize, k: usize, n: usize, par: Par) -> f64 {
    let a = Mat::<f64>::from_fn(m, k, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0);
    let b = Mat::<f64>::from_fn(k, n, |i, j| ((i * 5 + j) % 13) as f64 / 13.0);
    let mut c = Mat::<f64>::zeros(m, n);
    let mut best = f64::INFINITY;
    for _ in 0..4 {
        let t = Instant::now();
        matmul(c.as_mut(), Accum::Replace, a.as_ref(), b.as_ref(), 1.0, par);
        best = best.min(t.elapsed().as_secs_f64());
    }
    std::hint::black_box(&c);
    2.0 * (m * k * n) as f64 / best / 1e9
}

fn main() -> BoxResult<()> {
    let args = parse()?;
    let threads = if args.threads == 0 {
        rayon::current_num_threads()
    } else {
        args.threads
    };
    let par = if threads <= 1 {
        Par::Seq
    } else {
        Par::rayon(threads)
    };
    if threads > 1 {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
    }
    let stored = images(args.mnist.join("train-images-idx3-ubyte.gz"), args.stored)?;
    let test = images(args.mnist.join("t10k-images-idx3-ubyte.gz"), args.queries)?;
    let (n, k, b) = (stored.dim(), stored.n_patterns(), test.n_patterns());
    let mem = ModernHopfield::new(&stored, args.beta)?;
    let q = test.columns();
    let mut out = Mat::<f64>::zeros(n, b);

    // faer peak: the scores-shaped product and a square one, measured before and after the
    // retrieval (the best of both, so a busy moment on a shared machine does not lower it)
    let mut peak_scores = matmul_gflops(k.min(8192), n, args.block.min(b), par);
    let mut peak_square = matmul_gflops(2048, 2048, 2048, par);

    let mut best = f64::INFINITY;
    for _ in 0..args.reps {
        let t = Instant::now();
        mem.retrieve_batch_into(q.as_ref(), out.as_mut(), 1, args.block, par)?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    peak_scores = peak_scores.max(matmul_gflops(k.min(8192), n, args.block.min(b), par));
    peak_square = peak_square.max(matmul_gflops(2048, 2048, 2048, par));
    let peak = peak_scores.max(peak_square);
    let flops = 4.0 * (n * k * b) as f64;
    let gflops = flops / best / 1e9;
    let qps = b as f64 / best;
    eprintln!(
        "modern Hopfield, X {n} x {k}, {b} queries, β = {}, block {}, {threads} thread(s):",
        args.beta, args.block
    );
    eprintln!(
        "  {best:.3} s, {qps:.0} queries/s, {gflops:.1} GFLOP/s; faer matmul peak {peak:.1} GFLOP/s (retrieval shape {peak_scores:.1}, 2048³ {peak_square:.1}) → {:.0}% of peak",
        100.0 * gflops / peak
    );
    println!(
        "{{\"kind\":\"modern\",\"n\":{n},\"k\":{k},\"queries\":{b},\"beta\":{},\"block\":{},\"threads\":{threads},\"seconds\":{best},\"qps\":{qps},\"gflops\":{gflops},\"peak_gflops\":{peak},\"peak_scores_gflops\":{peak_scores},\"peak_square_gflops\":{peak_square}}}",
        args.beta, args.block
    );
    if let Some(dir) = &args.dump {
        std::fs::create_dir_all(dir)?;
        let m = 64.min(b);
        // (n, m) in C order
        let sub: Vec<f64> = (0..n)
            .flat_map(|i| (0..m).map(move |j| (i, j)))
            .map(|(i, j)| out[(i, j)])
            .collect();
        attractor::problems::npy::write_npy(dir.join("rust_out.npy"), &[n, m], &sub)?;
    }

    // classical Hopfield asynchronous sweeps at N = hopfield_n, K = 0.1 N
    let hn = args.hopfield_n;
    let hk = hn / 10;
    let p = Patterns::random_binary(hk, hn, 1)?;
    let mut hop = HopfieldMemory::hebbian(&p)?.with_update(Update::Asynchronous { seed: 2 });
    let mut state = vec![0.0; hn];
    for (label, start_flip) in [("from 20% flipped", 0.2), ("from random states", 0.5)] {
        let mut sweeps = 0usize;
        let mut flips_est = 0usize;
        let t = Instant::now();
        let mut n_recalls = 0;
        while t.elapsed().as_secs_f64() < 1.0 {
            let q = flip_fraction(p.pattern(n_recalls % hk), start_flip, n_recalls as u64)?;
            let r = hop.recall_into(&q, &mut state)?;
            sweeps += r.n_steps;
            flips_est += q.iter().zip(&state).filter(|(a, b)| a != b).count();
            n_recalls += 1;
        }
        let secs = t.elapsed().as_secs_f64();
        // time spent in sweeps only: subtract the O(N²) initial fields, timed separately
        let t2 = Instant::now();
        for _ in 0..n_recalls {
            std::hint::black_box(hop.energy(&state));
        }
        let field_secs = t2.elapsed().as_secs_f64();
        let sweep_secs = (secs - field_secs).max(1e-9);
        let sps = sweeps as f64 / sweep_secs;
        eprintln!(
            "classical Hopfield N = {hn}, K = {hk}, asynchronous, {label}: {n_recalls} recalls, {:.2} sweeps each, {sps:.0} sweeps/s (excluding the initial O(N²) fields), {:.0} net flips per recall, {:.2} ms per recall",
            sweeps as f64 / n_recalls as f64,
            flips_est as f64 / n_recalls as f64,
            1e3 * secs / n_recalls as f64
        );
        println!(
            "{{\"kind\":\"hopfield_async\",\"n\":{hn},\"k\":{hk},\"start_flip\":{start_flip},\"recalls\":{n_recalls},\"sweeps_per_recall\":{},\"sweeps_per_s\":{sps},\"ms_per_recall\":{}}}",
            sweeps as f64 / n_recalls as f64,
            1e3 * secs / n_recalls as f64
        );
    }
    std::io::stdout().flush()?;
    Ok(())
}
