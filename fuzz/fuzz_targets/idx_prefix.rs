//! IDX reader keeping only the first items (`read_idx_items`, `train rbm --count`): the first
//! fuzz byte is the number of items asked for, the rest an IDX file, read plain and wrapped in
//! a gzip stream of stored blocks. No panic; the plain and gzipped reads agree, or the gzipped
//! one is refused for expanding beyond the size its header declares (trailing bytes after the
//! declared data, which the plain read ignores, as `idx_gzip` has it); an accepted
//! prefix is the whole file's first items (when the whole file is valid too), and its first
//! dimension is at most the number asked for.
#![no_main]
use attractor::problems::idx::{parse_idx_bytes, parse_idx_prefix};
use libfuzzer_sys::fuzz_target;

#[path = "gzip_stored.rs"]
mod gzip_stored;

fuzz_target!(|data: &[u8]| {
    let Some((&k, file)) = data.split_first() else {
        return;
    };
    if file.starts_with(&[0x1f, 0x8b]) {
        return; // the plain read would itself be a gzip read
    }
    let k = usize::from(k);
    let plain = parse_idx_prefix(file, "fuzz.idx", Some(k));
    let gz = gzip_stored::gzip_stored(file);
    let zipped = parse_idx_prefix(&gz, "fuzz.idx.gz", Some(k));
    match (&plain, &zipped) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => assert!(e.to_string().contains("expands beyond"), "{e}"),
        (a, b) => panic!("plain {a:?} and gzip {b:?} disagree"),
    }
    if let Ok(a) = plain {
        assert!(a.dims.first().is_none_or(|&d| d <= k), "{:?} for {k} items", a.dims);
        if let Ok(whole) = parse_idx_bytes(file, "fuzz.idx") {
            assert_eq!(a.data, whole.data[..a.data.len()]);
        }
    }
});
