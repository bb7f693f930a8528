//! Its own test binary: it sets the process-wide memory cap.

/// A gzip stream whose header declares far more data than it holds costs what it holds, not
/// what it declares: memory grows with the data decompressed (the input the fuzzer found: 24
/// bytes declaring 727 MB).
#[test]
fn a_small_gzip_declaring_a_large_file_is_not_allocated_up_front() {
    use std::io::Write;
    // IDX header: 3 dimensions 2^20 x 16 x 16 = 256 MiB declared, 10 bytes of data
    let mut plain = vec![0, 0, 8, 3];
    for d in [1u32 << 20, 16, 16] {
        plain.extend_from_slice(&d.to_be_bytes());
    }
    plain.extend_from_slice(&[7; 10]);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&plain).unwrap();
    let gz = enc.finish().unwrap();
    attractor::memory::set_limit(Some(64 << 20));
    let r = attractor::problems::idx::parse_idx_bytes(&gz, "small.idx.gz");
    attractor::memory::set_limit(None);
    let e = r.unwrap_err().to_string();
    assert!(e.contains("truncated"), "{e}");
}
