//! Readers for the G-set / rudy graph format, plain weighted edge lists and sparse Ising/QUBO
//! coefficient files, and an atomic partition writer.
//!
//! rudy / G-set (Helmberg & Rendl 2000; G. Rinaldi's `rudy` generator):
//! ```text
//! n m          header: vertices, edges
//! i j w        m lines, 1-based vertex ids, i ≠ j, numeric weight
//! ```
//! Every malformed input is an [`Error::Parse`] naming the file and the 1-based line.

use super::ising::{IsingModel, Qubo, WeightedGraph};
use crate::error::{Error, Result};
use std::collections::HashSet;
use std::path::Path;

fn perr(file: &str, line: usize, msg: impl Into<String>) -> Error {
    Error::Parse {
        file: file.to_string(),
        line,
        msg: msg.into(),
    }
}

/// Lines that carry data: `(1-based line number, trimmed text)`; blank lines and lines starting
/// with `#` or `%` are comments.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(k, l)| (k + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#') && !l.starts_with('%'))
}

fn parse_usize(file: &str, line: usize, tok: &str, what: &str) -> Result<usize> {
    tok.parse::<usize>().map_err(|_| {
        perr(
            file,
            line,
            format!("{what} '{tok}' is not a non-negative integer"),
        )
    })
}

fn parse_weight(file: &str, line: usize, tok: &str) -> Result<f64> {
    match tok.parse::<f64>() {
        Ok(w) if w.is_finite() => Ok(w),
        _ => Err(perr(
            file,
            line,
            format!("weight '{tok}' is not a finite number"),
        )),
    }
}

/// One coefficient line `(i, j, v)`, 0-based.
type Triplet = (u32, u32, f64);

/// What a coefficient file may contain.
#[derive(Clone, Copy)]
struct Rules {
    /// `i i v` lines allowed (fields / linear QUBO terms).
    diagonal: bool,
}

/// Parse `n m` then exactly `m` lines `i j v` with 1-based ids; no duplicate pairs.
fn parse_header_triplets(text: &str, file: &str, rules: Rules) -> Result<(usize, Vec<Triplet>)> {
    let mut lines = data_lines(text);
    let (hline, header) = lines.next().ok_or_else(|| {
        perr(
            file,
            1,
            "the file is empty; expected a header line 'n m' (vertices, edges)",
        )
    })?;
    let toks: Vec<&str> = header.split_whitespace().collect();
    if toks.len() != 2 {
        return Err(perr(
            file,
            hline,
            format!(
                "header '{header}' must be two integers 'n m' (vertices, edges), found {} fields",
                toks.len()
            ),
        ));
    }
    let n = parse_usize(file, hline, toks[0], "vertex count n")?;
    let m = parse_usize(file, hline, toks[1], "edge count m")?;
    if n == 0 {
        return Err(perr(file, hline, "vertex count n = 0; a graph needs n ≥ 1"));
    }
    if n > u32::MAX as usize {
        return Err(perr(
            file,
            hline,
            format!("vertex count n = {n} is too large"),
        ));
    }
    let mut edges = Vec::with_capacity(m.min(1 << 26));
    let mut seen: HashSet<(u32, u32)> = HashSet::with_capacity(m.min(1 << 26));
    let mut last_line = hline;
    for (line, l) in lines {
        last_line = line;
        if edges.len() == m {
            return Err(perr(
                file,
                line,
                format!(
                    "more edge lines than the header's m = {m}; fix the header or remove extra lines"
                ),
            ));
        }
        let toks: Vec<&str> = l.split_whitespace().collect();
        if toks.len() != 3 {
            return Err(perr(
                file,
                line,
                format!(
                    "expected 'i j w' (three fields), found {} in '{l}'",
                    toks.len()
                ),
            ));
        }
        let i = parse_usize(file, line, toks[0], "vertex id")?;
        let j = parse_usize(file, line, toks[1], "vertex id")?;
        for v in [i, j] {
            if v < 1 || v > n {
                return Err(perr(
                    file,
                    line,
                    format!("vertex id {v} is out of range 1..={n} (ids are 1-based)"),
                ));
            }
        }
        if i == j && !rules.diagonal {
            return Err(perr(
                file,
                line,
                format!("self-loop {i} {j}; a Max-Cut graph has no self-loops, remove the line"),
            ));
        }
        let w = parse_weight(file, line, toks[2])?;
        let (a, b) = ((i.min(j) - 1) as u32, (i.max(j) - 1) as u32);
        if !seen.insert((a, b)) {
            return Err(perr(
                file,
                line,
                format!("duplicate pair {i} {j}; merge it with the earlier line"),
            ));
        }
        edges.push((a, b, w));
    }
    if edges.len() != m {
        return Err(perr(
            file,
            last_line,
            format!(
                "the header announces m = {m} edges but the file has {}; fix the header or add the missing lines",
                edges.len()
            ),
        ));
    }
    Ok((n, edges))
}

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

/// Parse an Ising coefficient file in the minimisation convention of dimod / D-Wave:
/// header `n m`, then `m` lines `i j v` (1-based); `i = j` gives a linear term. The objective is
/// `E(s) = Σ_i v_ii s_i + Σ_{i<j} v_ij s_i s_j`, i.e. `h_i = −v_ii`, `J_ij = −v_ij` in
/// [`IsingModel`]'s convention.
pub fn parse_ising(text: &str, file: &str) -> Result<IsingModel> {
    let (n, t) = parse_header_triplets(text, file, Rules { diagonal: true })?;
    let mut h = vec![0.0; n];
    let mut j = Vec::with_capacity(t.len());
    for (a, b, v) in t {
        if a == b {
            h[a as usize] -= v;
        } else {
            j.push((a, b, -v));
        }
    }
    IsingModel::from_couplings(n, h, &j, 0.0)
}

/// Parse a QUBO file: header `n m`, then `m` lines `i j Q_ij` (1-based); objective
/// `f(x) = Σ_{i≤j} Q_ij x_i x_j`, `x ∈ {0, 1}ⁿ`.
pub fn parse_qubo(text: &str, file: &str) -> Result<Qubo> {
    let (n, t) = parse_header_triplets(text, file, Rules { diagonal: true })?;
    Qubo::new(n, &t, 0.0)
}

/// Read a whole text file, mapping failures to [`Error::Io`].
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        msg: format!("cannot read: {e}"),
    })
}

/// Read a rudy / G-set graph file.
pub fn read_rudy(path: &Path) -> Result<WeightedGraph> {
    parse_rudy(&read_text(path)?, &path.display().to_string())
}

/// Write a partition: comment lines from `header` (each prefixed `# `), then one line
/// `node spin` per node (1-based node, spin ±1). The file is written whole or not at all:
/// a temporary file beside the target, then a rename.
pub fn write_partition(path: &Path, s: &[i8], header: &[String]) -> Result<()> {
    use std::io::Write;
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        msg: format!("cannot write the partition: {e}"),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "partition".into());
    let tmp = path.with_file_name(format!(".{name}.partial"));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        for h in header {
            writeln!(f, "# {h}")?;
        }
        for (i, &v) in s.iter().enumerate() {
            writeln!(f, "{} {}", i + 1, v)?;
        }
        f.flush()?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Parse a partition as [`write_partition`] writes it: `node value` lines, 1-based nodes, each of
/// `1..=n` exactly once (in any order), `#` comments. Values are spins `±1`, or with `bits`
/// the 0/1 variables of a QUBO (`x = 1` is `s = +1`). Returns the spins.
pub fn parse_partition(text: &str, file: &str, n: usize, bits: bool) -> Result<Vec<i8>> {
    let mut s = vec![0i8; n];
    let mut last = 0;
    for (line, l) in data_lines(text) {
        last = line;
        let toks: Vec<&str> = l.split_whitespace().collect();
        if toks.len() != 2 {
            return Err(perr(
                file,
                line,
                format!("expected 'node value', found {} fields", toks.len()),
            ));
        }
        let i = parse_usize(file, line, toks[0], "node")?;
        if i == 0 || i > n {
            return Err(perr(
                file,
                line,
                format!("node {i} is out of range: nodes are 1..={n}"),
            ));
        }
        let v = match (toks[1], bits) {
            ("1" | "+1", false) | ("1", true) => 1,
            ("-1", false) | ("0", true) => -1,
            (t, _) => {
                let want = if bits { "0 or 1" } else { "+1 or -1" };
                return Err(perr(
                    file,
                    line,
                    format!("value '{t}' of node {i} is not {want}"),
                ));
            }
        };
        if s[i - 1] != 0 {
            return Err(perr(file, line, format!("node {i} appears twice")));
        }
        s[i - 1] = v;
    }
    if let Some(i) = s.iter().position(|&v| v == 0) {
        return Err(perr(
            file,
            last,
            format!(
                "node {} has no line: a partition lists every node 1..={n} once",
                i + 1
            ),
        ));
    }
    Ok(s)
}

/// Read a partition file: see [`parse_partition`].
pub fn read_partition(path: &Path, n: usize, bits: bool) -> Result<Vec<i8>> {
    parse_partition(&read_text(path)?, &path.display().to_string(), n, bits)
}
