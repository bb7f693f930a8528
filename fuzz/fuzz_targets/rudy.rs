//! rudy / G-set reader: no panic; a graph read has ids in range, finite weights, at most
//! `MAX_NODES` vertices, no more edges than the text can hold, and writes back to itself.
#![no_main]
use attractor::problems::formats::{MAX_NODES, text_from_bytes};
use attractor::problems::parse_rudy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = text_from_bytes(data.to_vec(), "fuzz") else {
        return;
    };
    if let Ok(g) = parse_rudy(&text, "fuzz") {
        assert!(g.n >= 1 && g.n <= MAX_NODES);
        assert!(g.edges.len() <= text.len() / 6 + 1);
        let mut again = format!("{} {}\n", g.n, g.edges.len());
        for &(i, j, w) in &g.edges {
            assert!(i < j && (j as usize) < g.n && w.is_finite());
            again.push_str(&format!("{} {} {w:?}\n", i + 1, j + 1));
        }
        assert_eq!(parse_rudy(&again, "again").unwrap(), g);
    }
});
