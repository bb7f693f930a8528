//! IDX reader on gzipped input: the fuzz input is wrapped in a gzip stream of stored blocks (so that every input is a valid
//! gzip stream whose content the fuzzer controls), then read. No panic; the result equals the
//! plain read, or is refused for expanding beyond the size its header declares; memory stays
//! within the declared size.
#![no_main]
use attractor::problems::idx::parse_idx_bytes;
use libfuzzer_sys::fuzz_target;

#[path = "gzip_stored.rs"]
mod gzip_stored;

fuzz_target!(|data: &[u8]| {
    let gz = gzip_stored::gzip_stored(data);
    let zipped = parse_idx_bytes(&gz, "fuzz.idx.gz");
    let plain = parse_idx_bytes(data, "fuzz.idx");
    if data.starts_with(&[0x1f, 0x8b]) {
        return; // the plain read was itself a gzip read
    }
    match (zipped, plain) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        (Err(e), Ok(_)) => assert!(e.to_string().contains("expands beyond"), "{e}"),
        (Ok(_), Err(e)) => panic!("gzip accepted what plain refused: {e}"),
    }
});
