//! `.npy` reader, plain and gzipped: no panic; an array read has `Π shape` values, no more than
//! `MAX_NPY_VALUES` nor than the input has bytes; the gzipped input reads the same as the plain
//! one (or is refused for holding more than its header declares).
#![no_main]
use attractor::problems::npy::MAX_NPY_VALUES;
use attractor::problems::parse_npy_bytes;
use libfuzzer_sys::fuzz_target;

#[path = "gzip_stored.rs"]
mod gzip_stored;

fuzz_target!(|data: &[u8]| {
    let plain = parse_npy_bytes(data, "fuzz.npy");
    if let Ok(a) = &plain {
        assert_eq!(a.shape.iter().product::<usize>(), a.data.len());
        assert!(a.data.len() <= MAX_NPY_VALUES && a.data.len() <= data.len());
    }
    if data.starts_with(&[0x1f, 0x8b]) {
        return; // already read as gzip
    }
    let gz = gzip_stored::gzip_stored(data);
    match (parse_npy_bytes(&gz, "fuzz.npy.gz"), &plain) {
        // bit for bit: NaN payloads read the same (and NaN != NaN under ==)
        (Ok(a), Ok(b)) => assert!(
            a.shape == b.shape
                && a.data.len() == b.data.len()
                && a.data
                    .iter()
                    .zip(&b.data)
                    .all(|(x, y)| x.to_bits() == y.to_bits())
        ),
        (Err(_), Err(_)) => {}
        (Err(e), Ok(_)) => assert!(e.to_string().contains("expands beyond"), "{e}"),
        (Ok(_), Err(e)) => panic!("gzip accepted what plain refused: {e}"),
    }
});
