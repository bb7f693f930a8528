//! IDX reader on the bytes as given (plain, or gzip when they start with `1f 8b`): no panic; an
//! array read has `Π dims` bytes, no more than `MAX_IDX_BYTES` and, when plain, than the input.
#![no_main]
use attractor::problems::idx::{MAX_IDX_BYTES, parse_idx_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = parse_idx_bytes(data, "fuzz.idx") {
        assert_eq!(a.dims.iter().product::<usize>(), a.data.len());
        assert!(a.data.len() <= MAX_IDX_BYTES);
        if !data.starts_with(&[0x1f, 0x8b]) {
            assert!(a.data.len() <= data.len());
        }
        assert_eq!(a.n_items(), a.dims[0]);
    }
});
