//! Bad input to the associative memories and their readers returns an error whose message
//! names the bad value and the fix.

use attractor::Error;
use attractor::models::{
    DenseMemory, HopfieldMemory, Krotov2021, Krotov2021Model, Memory, ModernHopfield, Separation,
};
use attractor::problems::{Patterns, read_idx, read_npy};
use std::path::PathBuf;

fn msg<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    r.expect_err("expected an error").to_string()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    // cargo's per-target scratch directory: nothing is left behind in /tmp
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("attractor-memory-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn patterns_of_different_lengths() {
    let m = msg(Patterns::new(vec![vec![1.0, -1.0, 1.0], vec![1.0, 1.0]]));
    assert!(
        m.contains("different lengths") && m.contains("pattern 1 has 2"),
        "{m}"
    );
}

#[test]
fn empty_pattern_set() {
    let m = msg(Patterns::new(vec![]));
    assert!(
        m.contains("pattern set") && m.contains("at least one pattern"),
        "{m}"
    );
    let m = msg(Patterns::from_flat(0, 10, vec![]));
    assert!(m.contains("K >= 1"), "{m}");
}

#[test]
fn non_finite_beta() {
    let p = Patterns::random_binary(3, 8, 1).unwrap();
    for beta in [f64::NAN, f64::INFINITY, 0.0, -1.0] {
        let m = msg(ModernHopfield::new(&p, beta));
        assert!(
            m.contains("beta") && m.contains("finite positive"),
            "{beta}: {m}"
        );
    }
    let m = msg(Krotov2021::new(&p, Krotov2021Model::B { beta: f64::NAN }));
    assert!(m.contains("beta = NaN"), "{m}");
}

#[test]
fn polynomial_degree_below_two() {
    let p = Patterns::random_binary(3, 8, 1).unwrap();
    for sep in [
        Separation::Polynomial(1),
        Separation::RectifiedPolynomial(0),
    ] {
        let m = msg(DenseMemory::new(&p, sep));
        assert!(
            m.contains("polynomial degree n") && m.contains(">= 2"),
            "{m}"
        );
    }
    let m = msg(Krotov2021::new(&p, Krotov2021Model::A { n: 1 }));
    assert!(m.contains("degree n = 1"), "{m}");
}

#[test]
fn non_binary_patterns_for_spin_memories() {
    let p = Patterns::new(vec![vec![1.0, 0.5]]).unwrap();
    let m = msg(HopfieldMemory::hebbian(&p));
    assert!(m.contains("0.5") && m.contains("binarise"), "{m}");
    let m = msg(DenseMemory::new(&p, Separation::Exponential));
    assert!(m.contains("binarise"), "{m}");
}

#[test]
fn query_of_the_wrong_length_or_not_finite() {
    let p = Patterns::random_binary(3, 8, 1).unwrap();
    let mut mem = ModernHopfield::new(&p, 1.0).unwrap();
    let m = msg(mem.recall(&[1.0; 7]));
    assert!(m.contains("query has length 7, expected 8"), "{m}");
    let mut q = vec![1.0; 8];
    q[3] = f64::NAN;
    let m = msg(mem.recall(&q));
    assert!(m.contains("query") && m.contains("index 3"), "{m}");
}

#[test]
fn truncated_idx_file() {
    // declares 2 × 3 × 3 = 18 bytes, holds 5
    let mut b = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3];
    b.extend_from_slice(&[1, 2, 3, 4, 5]);
    let p = temp_file("trunc.idx", &b);
    let m = msg(read_idx(&p));
    assert!(
        m.contains("trunc.idx")
            && m.contains("need 18 data bytes but only 5")
            && m.contains("truncated"),
        "{m}"
    );
    // a gzip stream cut short
    let gz = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/mnist/train-labels-first.idx1-ubyte.gz"
    ))
    .unwrap();
    let p = temp_file("cut.gz", &gz[..gz.len() / 2]);
    let m = msg(read_idx(&p));
    assert!(
        m.contains("cut.gz") && m.contains("truncated or corrupt"),
        "{m}"
    );
}

#[test]
fn wrong_magic_idx_file() {
    let p = temp_file("magic.idx", &[0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 9]);
    let m = msg(read_idx(&p));
    assert!(
        m.contains("magic.idx")
            && m.contains("wrong magic number 0x12345678")
            && m.contains("0x00000803"),
        "{m}"
    );
    let m = msg(read_idx("/no/such/file.idx"));
    assert!(m.contains("/no/such/file.idx"), "{m}");
}

#[test]
fn bad_npy_files() {
    let p = temp_file("bad.npy", b"PK\x03\x04 not numpy");
    let m = msg(read_npy(&p));
    assert!(m.contains("bad.npy") && m.contains("\\x93NUMPY"), "{m}");
}

#[test]
fn shipped_data_reads_back() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    let x = read_npy(format!("{root}/digits/digits_X_uint8.npy")).unwrap();
    assert_eq!(x.shape, vec![1797, 64]);
    assert!(x.data.iter().all(|&v| (0.0..=16.0).contains(&v)));
    let y = read_npy(format!("{root}/digits/digits_y_uint8.npy")).unwrap();
    assert_eq!(
        &y.data[..10],
        &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    );
    let l = read_idx(format!("{root}/mnist/train-labels-first.idx1-ubyte.gz")).unwrap();
    assert_eq!(&l.data[..10], &[5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
}
