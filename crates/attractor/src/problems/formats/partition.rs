//! Partitions: one line `node spin` per node, written atomically.

use super::{data_lines, parse_usize, perr, read_text};
use crate::error::Result;
use std::path::Path;

/// Write a partition: comment lines from `header` (each prefixed `# `), then one line
/// `node spin` per node (1-based node, spin ±1). The file is written whole or not at all
/// ([`write_atomic`](crate::output::write_atomic)).
pub fn write_partition(path: &Path, s: &[i8], header: &[String]) -> Result<()> {
    use std::fmt::Write;
    let mut text = String::with_capacity(8 * s.len() + 64);
    for h in header {
        // a header line never breaks the format: newlines inside it become spaces
        let _ = writeln!(text, "# {}", h.replace(['\n', '\r'], " "));
    }
    for (i, &v) in s.iter().enumerate() {
        let _ = writeln!(text, "{} {}", i + 1, v);
    }
    crate::output::write_atomic(path, text.as_bytes())
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
