//! Partitions: one line `node spin` per node, written atomically.

use super::{data_lines, last_line, parse_usize, perr, quoted, read_text};
use crate::error::Result;
use std::collections::HashMap;
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
///
/// Memory is bounded by the text: `n` nodes need `n` lines of at least 4 bytes each, so for an
/// `n` the text cannot hold nothing of size `n` is allocated (the partition is reported
/// incomplete).
///
/// ```
/// use attractor::problems::parse_partition;
/// assert_eq!(parse_partition("2 -1\n1 1\n", "p", 2, false)?, vec![1, -1]);
/// let e = parse_partition("1 1\n", "p", usize::MAX, false).unwrap_err().to_string();
/// assert!(e.contains("node 2 has no line"), "{e}");
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn parse_partition(text: &str, file: &str, n: usize, bits: bool) -> Result<Vec<i8>> {
    // A line 'i v' is at least 3 characters and a line break (the last may lack it): when the
    // text cannot hold n lines, the partition is incomplete and nothing of size n is allocated
    // (the nodes read are kept sparse, to report the first missing one).
    let room = text.len().saturating_add(1) / 4;
    let mut dense = if n <= room { vec![0i8; n] } else { Vec::new() };
    let mut sparse: HashMap<usize, i8> = HashMap::new();
    let mut last = last_line(text);
    for (line, l) in data_lines(text) {
        last = line;
        let toks: Vec<&str> = l.split_whitespace().take(3).collect();
        if toks.len() != 2 {
            return Err(perr(
                file,
                line,
                format!(
                    "expected 'node value', found {} fields",
                    l.split_whitespace().count()
                ),
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
                    format!("value '{}' of node {i} is not {want}", quoted(t)),
                ));
            }
        };
        let twice = if n <= room {
            std::mem::replace(&mut dense[i - 1], v) != 0
        } else {
            sparse.insert(i, v).is_some()
        };
        if twice {
            return Err(perr(file, line, format!("node {i} appears twice")));
        }
    }
    let missing = if n <= room {
        dense.iter().position(|&v| v == 0).map(|k| k + 1)
    } else {
        // more nodes than the text holds: one of 1..=room+1 has no line
        (1..=n).find(|i| !sparse.contains_key(i))
    };
    if let Some(i) = missing {
        return Err(perr(
            file,
            last,
            format!("node {i} has no line: a partition lists every node 1..={n} once"),
        ));
    }
    Ok(dense)
}

/// Read a partition file: see [`parse_partition`].
pub fn read_partition(path: &Path, n: usize, bits: bool) -> Result<Vec<i8>> {
    parse_partition(&read_text(path)?, &path.display().to_string(), n, bits)
}
