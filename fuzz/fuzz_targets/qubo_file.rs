//! QUBO file reader: no panic; a QUBO read has at most `MAX_NODES` variables, terms in range,
//! and converts to an Ising model of the same size.
#![no_main]
use attractor::problems::formats::{MAX_NODES, text_from_bytes};
use attractor::problems::parse_qubo;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = text_from_bytes(data.to_vec(), "fuzz") else {
        return;
    };
    if let Ok(q) = parse_qubo(&text, "fuzz") {
        let n = q.n();
        assert!(n >= 1 && n <= MAX_NODES);
        for &(i, j, v) in q.terms() {
            assert!(i <= j && (j as usize) < n && v.is_finite());
        }
        if n <= 1 << 12 {
            // the conversion may refuse coefficients whose sums overflow, but never panics
            if let Ok(m) = q.to_ising() {
                assert_eq!(m.n(), n);
            }
        }
    }
});
