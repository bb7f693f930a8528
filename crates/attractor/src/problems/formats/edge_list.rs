//! Plain weighted edge lists: lines `i j` or `i j w`.

use super::{data_lines, parse_usize, parse_weight, perr};
use crate::error::Result;
use crate::problems::WeightedGraph;
use std::collections::HashSet;

/// Parse a plain weighted edge list: lines `i j` or `i j w` (weight 1 if absent), 0-based ids
/// unless `one_based`; `n` is one more than the largest id. No self-loops or duplicates.
pub fn parse_edge_list(text: &str, file: &str, one_based: bool) -> Result<WeightedGraph> {
    let mut edges = Vec::new();
    let mut seen: HashSet<(u32, u32)> = HashSet::new();
    let mut n = 0usize;
    for (line, l) in data_lines(text) {
        let toks: Vec<&str> = l.split_whitespace().collect();
        if toks.len() != 2 && toks.len() != 3 {
            return Err(perr(
                file,
                line,
                format!(
                    "expected 'i j' or 'i j w', found {} fields in '{l}'",
                    toks.len()
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
            if v >= u32::MAX as usize {
                return Err(perr(file, line, format!("vertex id {v} is too large")));
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
        return Err(perr(file, 1, "the edge list is empty; give lines 'i j w'"));
    }
    WeightedGraph::new(n, edges)
}
