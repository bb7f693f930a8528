//! Partition reader: the first two bytes give `n` (little-endian u16, or `usize::MAX` when both
//! are 0xff) and the lowest bit of the third says `bits`; the rest is the text. No panic; a
//! partition read has exactly `n` spins of ±1.
#![no_main]
use attractor::problems::formats::text_from_bytes;
use attractor::problems::parse_partition;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let raw = u16::from_le_bytes([data[0], data[1]]);
    let n = if raw == u16::MAX {
        usize::MAX
    } else {
        raw as usize
    };
    let bits = data[2] & 1 == 1;
    let Ok(text) = text_from_bytes(data[3..].to_vec(), "fuzz") else {
        return;
    };
    if let Ok(s) = parse_partition(&text, "fuzz", n, bits) {
        assert_eq!(s.len(), n);
        assert!(s.iter().all(|&v| v == 1 || v == -1));
    }
});
