//! Plain weighted edge lists: lines `i j` or `i j w`.

use super::{
    MAX_NODES, check_backed, check_nodes, data_lines, last_line, parse_usize, parse_weight, perr,
};
use crate::error::Result;
use crate::problems::WeightedGraph;
use std::collections::HashSet;

/// Parse a plain weighted edge list: lines `i j` or `i j w` (weight 1 if absent), 0-based ids
/// unless `one_based`; `n` is one more than the largest id. No self-loops or duplicates.
///
/// Bounds: ids imply `n ≤` [`MAX_NODES`] vertices, and
/// `n ≤ 2m +` [`MAX_ISOLATED_NODES`](super::MAX_ISOLATED_NODES) for `m` edges; storage grows
/// with the lines read. A rudy / G-set file (a header `n m` followed by exactly `m` lines `i j w`) is
/// refused with a message naming `--format rudy`, rather than read with its header as an edge.
///
/// ```
/// use attractor::problems::parse_edge_list;
/// let e = parse_edge_list("3 2\n1 2 1\n2 3 1\n", "g", false).unwrap_err().to_string();
/// assert!(e.contains("--format rudy"), "{e}");
/// ```
pub fn parse_edge_list(text: &str, file: &str, one_based: bool) -> Result<WeightedGraph> {
    if let Some((line, n, m)) = rudy_header(text) {
        return Err(perr(
            file,
            line,
            format!(
                "this looks like a rudy / G-set file (header 'n m' = '{n} {m}' followed by {m} lines 'i j w'), not an edge list: read it with --format rudy (or, if it is an edge list, give its first edge a weight)"
            ),
        ));
    }
    let mut edges = Vec::new();
    let mut seen: HashSet<(u32, u32)> = HashSet::new();
    let mut n = 0usize;
    for (line, l) in data_lines(text) {
        let toks: Vec<&str> = l.split_whitespace().take(4).collect();
        if toks.len() != 2 && toks.len() != 3 {
            return Err(perr(
                file,
                line,
                format!(
                    "expected 'i j' or 'i j w', found {} fields in '{}'",
                    l.split_whitespace().count(),
                    super::quoted(l)
                ),
            ));
        }
        let mut ids = [0usize; 2];
        for k in 0..2 {
            let v = parse_usize(file, line, toks[k], "vertex id")?;
            if one_based && v == 0 {
                return Err(perr(file, line, "vertex id 0 in a 1-based edge list"));
            }
            let v = if one_based { v - 1 } else { v };
            if v >= MAX_NODES {
                check_nodes(
                    file,
                    line,
                    v.saturating_add(1),
                    &format!("vertex id {} implies n", toks[k]),
                )?;
            }
            ids[k] = v;
        }
        let w = if toks.len() == 3 {
            parse_weight(file, line, toks[2])?
        } else {
            1.0
        };
        if ids[0] == ids[1] {
            return Err(perr(
                file,
                line,
                format!("self-loop {} {}; remove the line", toks[0], toks[1]),
            ));
        }
        // ids < MAX_NODES < 2^32: the casts are exact
        let (a, b) = (ids[0].min(ids[1]) as u32, ids[0].max(ids[1]) as u32);
        if !seen.insert((a, b)) {
            return Err(perr(
                file,
                line,
                format!("duplicate edge {} {}", toks[0], toks[1]),
            ));
        }
        n = n.max(b as usize + 1);
        edges.push((a, b, w));
    }
    if edges.is_empty() {
        return Err(perr(
            file,
            last_line(text),
            "the edge list is empty; give lines 'i j w'",
        ));
    }
    check_backed(
        file,
        last_line(text),
        n,
        edges.len(),
        "the largest id sets n; renumber the vertices 0..n-1 consecutively",
    )?;
    WeightedGraph::new(n, edges)
}

/// `Some((line, n, m))` when `text` is shaped like a rudy file: a first data line of two
/// integers `n ≥ 1` and `m ≥ 1`, followed by exactly `m` data lines, each of three fields.
fn rudy_header(text: &str) -> Option<(usize, usize, usize)> {
    let mut lines = data_lines(text);
    let (line, first) = lines.next()?;
    let mut toks = first.split_whitespace();
    let (a, b) = (toks.next()?, toks.next()?);
    if toks.next().is_some() {
        return None;
    }
    let n = a.parse::<usize>().ok().filter(|&n| n >= 1)?;
    let m = b.parse::<usize>().ok().filter(|&m| m >= 1)?;
    let mut count = 0usize;
    for (_, l) in lines {
        if l.split_whitespace().count() != 3 {
            return None;
        }
        count += 1;
        if count > m {
            return None;
        }
    }
    (count == m).then_some((line, n, m))
}
