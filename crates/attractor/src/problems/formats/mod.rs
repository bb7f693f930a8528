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
                quoted(s),
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

/// The most vertices a graph, Ising or QUBO file may declare (header `n`) or imply (one more
/// than an edge list's largest id): 2^24 = 16 777 216. The models built from a file hold several
/// arrays of `n` entries (fields, CSR row pointers, spins), about [`BYTES_PER_NODE`] bytes a
/// vertex, so a header of a few bytes cannot demand gigabytes; a larger request is refused up
/// front with the memory it would need.
pub const MAX_NODES: usize = 1 << 24;

/// The most edge (coefficient) lines a file may declare: 2^28. Below it, storage is reserved
/// for no more lines than the text after the header can hold (each line `i j w` takes at least
/// 6 bytes) and grows only with the lines actually read.
pub const MAX_EDGES: usize = 1 << 28;

/// The most vertices a file may leave without any line (isolated, field-free vertices): 2^16.
/// A header `n` (or an edge list's largest id) must be backed by the data: `m` lines touch at
/// most `2m` vertices, so `n ≤ 2m +` [`MAX_ISOLATED_NODES`]; a larger `n` is almost surely a
/// wrong header or sparse ids, and would have a few bytes demand memory for millions of
/// vertices.
pub const MAX_ISOLATED_NODES: usize = 1 << 16;

/// Refuse `n` vertices that `m` lines cannot back (see [`MAX_ISOLATED_NODES`]).
pub(super) fn check_backed(file: &str, line: usize, n: usize, m: usize, fix: &str) -> Result<()> {
    let backed = m.saturating_mul(2).saturating_add(MAX_ISOLATED_NODES);
    if n > backed {
        return Err(perr(
            file,
            line,
            format!(
                "n = {n} vertices, but {m} lines touch at most {} of them, leaving more than {MAX_ISOLATED_NODES} (MAX_ISOLATED_NODES) without any line; a model of n vertices needs about {}; {fix}",
                m.saturating_mul(2),
                mib(n.saturating_mul(BYTES_PER_NODE))
            ),
        ));
    }
    Ok(())
}

/// Memory a model needs per vertex, used in the messages of [`MAX_NODES`] refusals (fields,
/// row pointers and the build's degree arrays: four 8-byte words).
pub const BYTES_PER_NODE: usize = 32;

/// Tokens and lines quoted in messages are cut to this many characters.
pub const MAX_QUOTED_CHARS: usize = 40;

/// `text` as it is quoted in a message: whole when short, else its first
/// [`MAX_QUOTED_CHARS`] characters, an ellipsis and the full length.
pub fn quoted(text: &str) -> String {
    let n = text.chars().count();
    if n <= MAX_QUOTED_CHARS {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX_QUOTED_CHARS).collect();
        format!("{head}… ({n} characters)")
    }
}

/// `bytes` in MiB, for messages.
pub(crate) fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

/// Refuse `n` vertices above [`MAX_NODES`], naming the memory they would need.
pub(super) fn check_nodes(file: &str, line: usize, n: usize, what: &str) -> Result<()> {
    if n > MAX_NODES {
        return Err(perr(
            file,
            line,
            format!(
                "{what} = {n}, above the limit of {MAX_NODES} vertices (MAX_NODES = 2^24): a model of that size needs about {} (and more for the run); split the problem or renumber the vertices",
                mib(n.saturating_mul(BYTES_PER_NODE))
            ),
        ));
    }
    Ok(())
}

/// The largest text file read: 16 GiB (a file of [`MAX_EDGES`] edges with long weights).
pub const MAX_TEXT_BYTES: u64 = 16 << 30;

/// Read a whole text file (UTF-8), mapping failures to [`Error::Io`]; invalid UTF-8 is an
/// [`Error::Parse`] naming the line and byte where it starts. Memory is bounded by the file's
/// size: nothing is allocated from its contents, and only regular files are read
/// ([`crate::input::read_input`]).
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = crate::input::read_input(path, "text", MAX_TEXT_BYTES, "MAX_TEXT_BYTES = 16 GiB")?;
    text_from_bytes(bytes, &path.display().to_string())
}

/// UTF-8 text from the bytes of a file named `file`; invalid UTF-8 is an [`Error::Parse`]
/// naming the 1-based line and the byte offset of the first bad byte.
pub fn text_from_bytes(bytes: Vec<u8>, file: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
        perr(
            file,
            line,
            format!(
                "byte {at} is not UTF-8 text; this is a binary file or another encoding, save it as UTF-8 (ASCII) text"
            ),
        )
    })
}

pub(super) fn perr(file: &str, line: usize, msg: impl Into<String>) -> Error {
    Error::Parse {
        file: file.to_string(),
        // lines are 1-based: a message never says "line 0"
        line: line.max(1),
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

/// The number of the last line of `text` (1 for an empty text).
pub(super) fn last_line(text: &str) -> usize {
    text.lines().count().max(1)
}

pub(super) fn parse_usize(file: &str, line: usize, tok: &str, what: &str) -> Result<usize> {
    tok.parse::<usize>().map_err(|_| {
        let digits = tok.strip_prefix('+').unwrap_or(tok);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            perr(
                file,
                line,
                format!(
                    "{what} '{}' is too large (above {}); the limits are MAX_NODES = {MAX_NODES} vertices and MAX_EDGES = {MAX_EDGES} lines",
                    quoted(tok),
                    usize::MAX
                ),
            )
        } else {
            perr(
                file,
                line,
                format!("{what} '{}' is not a non-negative integer", quoted(tok)),
            )
        }
    })
}

pub(super) fn parse_weight(file: &str, line: usize, tok: &str) -> Result<f64> {
    match tok.parse::<f64>() {
        Ok(w) if w.is_finite() => Ok(w),
        _ => Err(perr(
            file,
            line,
            format!("weight '{}' is not a finite number", quoted(tok)),
        )),
    }
}

/// The most lines `i j w` that `rest` bytes of text can hold (each is at least 5 characters and
/// a line break).
fn max_triplet_lines(rest: usize) -> usize {
    rest.saturating_add(1) / 6
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
///
/// Bounds: `n ≤` [`MAX_NODES`] and `n ≤ 2m +` [`MAX_ISOLATED_NODES`]; `m ≤` [`MAX_EDGES`] and
/// storage is reserved for no more lines than the text after the header can hold.
pub(super) fn parse_header_triplets(
    text: &str,
    file: &str,
    rules: Rules,
) -> Result<(usize, Vec<Triplet>)> {
    let mut lines = data_lines(text);
    let (hline, header) = lines.next().ok_or_else(|| {
        perr(
            file,
            last_line(text),
            "the file is empty; expected a header line 'n m' (vertices, edges)",
        )
    })?;
    let toks: Vec<&str> = header.split_whitespace().take(4).collect();
    if toks.len() != 2 {
        let hint = if toks.len() == 3 {
            "; this looks like an edge list (lines 'i j w' without a header): read it with --format edges"
        } else {
            ""
        };
        return Err(perr(
            file,
            hline,
            format!(
                "header '{}' must be two integers 'n m' (vertices, edges), found {} fields{hint}",
                quoted(header),
                header.split_whitespace().count()
            ),
        ));
    }
    let n = parse_usize(file, hline, toks[0], "vertex count n")?;
    let m = parse_usize(file, hline, toks[1], "edge count m")?;
    if n == 0 {
        return Err(perr(file, hline, "vertex count n = 0; a graph needs n ≥ 1"));
    }
    check_nodes(file, hline, n, "vertex count n")?;
    if m > MAX_EDGES {
        return Err(perr(
            file,
            hline,
            format!(
                "edge count m = {m} is above the limit of {MAX_EDGES} lines (MAX_EDGES = 2^28); storing them needs about {}; split the problem",
                mib(m.saturating_mul(32))
            ),
        ));
    }
    check_backed(
        file,
        hline,
        n,
        m,
        "fix the header's n (the number of vertices the lines use)",
    )?;
    // The header is a slice of `text`: what follows it bounds how many lines there can be,
    // so storage is reserved for at most that many (a short file is reported after reading).
    let header_end = header.as_ptr() as usize - text.as_ptr() as usize + header.len();
    let room = max_triplet_lines(text.len() - header_end);
    let mut edges = Vec::with_capacity(m.min(room));
    let mut seen: HashSet<(u32, u32)> = HashSet::with_capacity(m.min(room));
    let mut last = hline;
    for (line, l) in lines {
        last = line;
        if edges.len() == m {
            return Err(perr(
                file,
                line,
                format!(
                    "more edge lines than the header's m = {m}; fix the header or remove extra lines"
                ),
            ));
        }
        let toks: Vec<&str> = l.split_whitespace().take(4).collect();
        if toks.len() != 3 {
            let hint = if toks.len() == 2 {
                "; lines without a weight belong to an edge list: read it with --format edges"
            } else {
                ""
            };
            return Err(perr(
                file,
                line,
                format!(
                    "expected 'i j w' (three fields), found {} in '{}'{hint}",
                    l.split_whitespace().count(),
                    quoted(l)
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
        // 1 ≤ i, j ≤ n ≤ MAX_NODES < 2^32: the casts are exact
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
            last,
            format!(
                "the header announces m = {m} edges but the file has {}; fix the header or add the missing lines",
                edges.len()
            ),
        ));
    }
    Ok((n, edges))
}
