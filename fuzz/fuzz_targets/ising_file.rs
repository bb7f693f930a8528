//! Ising h/J file reader: no panic; a model read has at most `MAX_NODES` spins, consistent CSR
//! arrays and an energy for the all-up state.
#![no_main]
use attractor::problems::formats::{MAX_NODES, text_from_bytes};
use attractor::problems::parse_ising;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = text_from_bytes(data.to_vec(), "fuzz") else {
        return;
    };
    if let Ok(m) = parse_ising(&text, "fuzz") {
        let n = m.n();
        assert!(n >= 1 && n <= MAX_NODES);
        assert_eq!(m.fields().len(), n);
        assert_eq!(m.row_ptr().len(), n + 1);
        assert_eq!(m.col().len(), m.nnz());
        assert!(m.col().iter().all(|&c| (c as usize) < n));
        if n <= 1 << 12 {
            assert!(m.energy(&vec![1i8; n]).is_ok());
        }
    }
});
