//! Readers and writers of the problem file formats, one file each: rudy / G-set graphs
//! ([`rudy`]), plain edge lists ([`edge_list`]), Ising `h`/`J` coefficient files
//! ([`ising_file`]), QUBO coefficient files ([`qubo_file`]) and partitions ([`partition`]).
//! Every malformed input is an [`Error::Parse`] naming the file and the 1-based line.

pub mod edge_list;
pub mod ising_file;
pub mod partition;
pub mod qubo_file;
pub mod rudy;

use crate::error::{Error, Result};
use crate::problems::WeightedGraph;
use std::collections::HashSet;
use std::path::Path;

/// The file formats of a weighted graph, parsed from their names (`rudy`/`gset`,
/// `edges`/`edge-list`).
///
/// ```
/// use attractor::problems::formats::GraphFormat;
/// let f: GraphFormat = "edges".parse()?;
/// let g = f.parse("0 1\n1 2 2.5\n", "inline")?;
/// assert_eq!((g.n, g.total_weight()), (3, 3.5));
/// assert!("dimacs".parse::<GraphFormat>().unwrap_err().to_string().contains("rudy"));
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// G-set / rudy: header `n m`, then `i j w` lines with 1-based ids ([`rudy`]).
    Rudy,
    /// Plain edge list: `i j [w]` lines, 0-based ids ([`edge_list`]).
    EdgeList,
}

impl std::str::FromStr for GraphFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "rudy" | "gset" | "g-set" => Ok(Self::Rudy),
            "edges" | "edge-list" | "edgelist" => Ok(Self::EdgeList),
            _ => Err(Error::invalid(
                "graph format",
                s,
                "use rudy (G-set: header 'n m', 1-based 'i j w' lines) or edges (0-based 'i j [w]' lines)",
            )),
        }
    }
}

impl std::fmt::Display for GraphFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rudy => "rudy",
            Self::EdgeList => "edges",
        })
    }
}

impl GraphFormat {
    /// Parse `text` (from `file`, named in errors) in this format.
    pub fn parse(self, text: &str, file: &str) -> Result<WeightedGraph> {
        match self {
            Self::Rudy => rudy::parse_rudy(text, file),
            Self::EdgeList => edge_list::parse_edge_list(text, file, false),
        }
    }
    /// Read a graph file in this format.
    pub fn read(self, path: &Path) -> Result<WeightedGraph> {
        self.parse(&read_text(path)?, &path.display().to_string())
    }
}

/// Read a whole text file, mapping failures to [`Error::Io`].
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        msg: format!("cannot read: {e}"),
    })
}

pub(super) fn perr(file: &str, line: usize, msg: impl Into<String>) -> Error {
    Error::Parse {
        file: file.to_string(),
        line,
        msg: msg.into(),
    }
}

/// Lines that carry data: `(1-based line number, trimmed text)`; blank lines and lines starting
/// with `#` or `%` are comments.
pub(super) fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(k, l)| (k + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#') && !l.starts_with('%'))
}

pub(super) fn parse_usize(file: &str, line: usize, tok: &str, what: &str) -> Result<usize> {
    tok.parse::<usize>().map_err(|_| {
        perr(
            file,
            line,
            format!("{what} '{tok}' is not a non-negative integer"),
        )
    })
}

pub(super) fn parse_weight(file: &str, line: usize, tok: &str) -> Result<f64> {
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
pub(super) type Triplet = (u32, u32, f64);

/// What a coefficient file may contain.
#[derive(Clone, Copy)]
pub(super) struct Rules {
    /// `i i v` lines allowed (fields / linear QUBO terms).
    pub(super) diagonal: bool,
}

/// Parse `n m` then exactly `m` lines `i j v` with 1-based ids; no duplicate pairs.
pub(super) fn parse_header_triplets(
    text: &str,
    file: &str,
    rules: Rules,
) -> Result<(usize, Vec<Triplet>)> {
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
