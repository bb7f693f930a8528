//! The rudy / G-set graph format (Helmberg & Rendl 2000; G. Rinaldi's `rudy` generator):
//! ```text
//! n m          header: vertices, edges
//! i j w        m lines, 1-based vertex ids, i ≠ j, numeric weight
//! ```

use super::{Rules, parse_header_triplets, read_text};
use crate::error::Result;
use crate::problems::WeightedGraph;
use std::path::Path;

/// Parse a graph in rudy / G-set format (header `n m`, then `m` lines `i j w`, 1-based).
///
/// ```
/// use attractor::problems::parse_rudy;
/// let g = parse_rudy("3 2\n1 2 1\n2 3 1\n", "triangle-less")?;
/// assert_eq!((g.n, g.edges.len()), (3, 2));
/// assert!(parse_rudy("3 2\n1 2 1\n2 2 1\n", "bad").unwrap_err().to_string().contains("bad:3"));
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn parse_rudy(text: &str, file: &str) -> Result<WeightedGraph> {
    let (n, edges) = parse_header_triplets(text, file, Rules { diagonal: false })?;
    WeightedGraph::new(n, edges)
}

/// Read a rudy / G-set graph file.
pub fn read_rudy(path: &Path) -> Result<WeightedGraph> {
    parse_rudy(&read_text(path)?, &path.display().to_string())
}
