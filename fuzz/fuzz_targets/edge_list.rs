//! Edge-list reader (0- and 1-based): no panic; a graph read has ids in range, finite weights
//! and at most `MAX_NODES` vertices.
#![no_main]
use attractor::problems::formats::{MAX_NODES, text_from_bytes};
use attractor::problems::parse_edge_list;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = text_from_bytes(data.to_vec(), "fuzz") else {
        return;
    };
    for one_based in [false, true] {
        if let Ok(g) = parse_edge_list(&text, "fuzz", one_based) {
            assert!(g.n >= 2 && g.n <= MAX_NODES);
            assert!(!g.edges.is_empty() && g.edges.len() <= text.len() / 4 + 1);
            for &(i, j, w) in &g.edges {
                assert!(i < j && (j as usize) < g.n && w.is_finite());
            }
        }
    }
});
