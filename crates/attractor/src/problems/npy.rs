//! A reader and a writer for NumPy `.npy` arrays (format versions 1, 2 and 3; NumPy's
//! `numpy/lib/format.py`), gzipped or not.
//!
//! Layout: magic `\x93NUMPY`, version `major minor`, a little-endian header length (`u16` in
//! version 1, `u32` in 2 and 3), a Python dict literal
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (K, N), }`, then the data. Read dtypes:
//! `u1 i1 b1 <u2 <i2 <u4 <i4 <u8 <i8 <f4 <f8` (and `|`/`=` byte orders for one-byte types);
//! C or Fortran order. Values are converted to `f64`.

use crate::error::{Error, Result};
use std::path::Path;

/// An `.npy` array converted to `f64`, row-major (C order) whatever the file's order.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// The shape, outermost first (`[]` for a scalar).
    pub shape: Vec<usize>,
    /// `Π shape` values in C order.
    pub data: Vec<f64>,
}

fn format_err(path: &Path, msg: String) -> Error {
    Error::Format {
        path: path.display().to_string(),
        format: ".npy".into(),
        msg,
    }
}

/// Read an `.npy` file (gzipped or not) into `f64`.
pub fn read_npy(path: impl AsRef<Path>) -> Result<NpyArray> {
    let path = path.as_ref();
    let bytes = super::idx::read_maybe_gz(path)?;
    parse_npy(&bytes).map_err(|msg| format_err(path, msg))
}

/// The bytes of an `.npy` file (version 1.0, C order) holding `data` as little-endian `f64`
/// with the given `shape` (outermost first; `Π shape` must equal `data.len()`).
pub fn npy_bytes(shape: &[usize], data: &[f64]) -> Result<Vec<u8>> {
    let count: usize = shape.iter().product();
    crate::error::check_len(
        "npy data",
        data.len(),
        count,
        "pass exactly prod(shape) values in C order",
    )?;
    let dims = match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {dims}, }}");
    // magic (6) + version (2) + header length (2) + header + '\n', padded to a multiple of 64
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut b = Vec::with_capacity(10 + header.len() + 8 * data.len());
    b.extend_from_slice(b"\x93NUMPY\x01\x00");
    b.extend_from_slice(&(header.len() as u16).to_le_bytes());
    b.extend_from_slice(header.as_bytes());
    for v in data {
        b.extend_from_slice(&v.to_le_bytes());
    }
    Ok(b)
}

/// Write `data` (C order, shape `shape`) as an `f64` `.npy` file, whole or not at all
/// ([`write_atomic`](crate::output::write_atomic)).
pub fn write_npy(path: impl AsRef<Path>, shape: &[usize], data: &[f64]) -> Result<()> {
    let path = path.as_ref();
    let bytes = npy_bytes(shape, data)?;
    crate::output::write_atomic(path, &bytes)
}

/// Parse an in-memory `.npy` file (e.g. one embedded with `include_bytes!`); `name` is used
/// in error messages.
pub fn parse_npy_bytes(bytes: &[u8], name: &str) -> Result<NpyArray> {
    parse_npy(bytes).map_err(|msg| format_err(Path::new(name), msg))
}

fn header_value<'a>(header: &'a str, key: &str) -> std::result::Result<&'a str, String> {
    let k = format!("'{key}'");
    let start = header
        .find(&k)
        .ok_or_else(|| format!("header has no {k} entry: {header}"))?;
    let rest = header[start + k.len()..].trim_start();
    let rest = rest
        .strip_prefix(':')
        .ok_or_else(|| format!("malformed header near {k}: {header}"))?;
    Ok(rest.trim_start())
}

fn parse_npy(b: &[u8]) -> std::result::Result<NpyArray, String> {
    if b.len() < 10 || &b[..6] != b"\x93NUMPY" {
        return Err(
            "wrong magic: an .npy file starts with \\x93NUMPY (save it with numpy.save)".into(),
        );
    }
    let major = b[6];
    let (hlen, hstart) = match major {
        1 => (u16::from_le_bytes([b[8], b[9]]) as usize, 10),
        2 | 3 => {
            if b.len() < 12 {
                return Err("file ends inside the header; it is truncated".into());
            }
            (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12)
        }
        v => {
            return Err(format!(
                "unsupported format version {v}; expected 1, 2 or 3"
            ));
        }
    };
    if b.len() < hstart + hlen {
        return Err("file ends inside the header; it is truncated".into());
    }
    let header = std::str::from_utf8(&b[hstart..hstart + hlen])
        .map_err(|_| "header is not text".to_string())?;
    let descr = header_value(header, "descr")?;
    let descr = descr
        .strip_prefix('\'')
        .and_then(|s| s.split('\'').next())
        .ok_or_else(|| format!("malformed 'descr' in header: {header}"))?;
    let fortran = header_value(header, "fortran_order")?.starts_with("True");
    let shape_txt = header_value(header, "shape")?;
    let shape_txt = shape_txt
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or_else(|| format!("malformed 'shape' in header: {header}"))?;
    let shape = shape_txt
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!("bad shape entry '{s}'"))
        })
        .collect::<std::result::Result<Vec<usize>, String>>()?;
    let n: usize = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format!("shape {shape:?} overflows"))?;

    let (order, kind) = descr.split_at(1);
    let (order, kind) = if matches!(order, "<" | ">" | "|" | "=") {
        (order, kind)
    } else {
        ("|", descr)
    };
    let size: usize = kind[1..]
        .parse()
        .map_err(|_| format!("unsupported dtype '{descr}'"))?;
    if size > 1 && order == ">" {
        return Err(format!(
            "big-endian dtype '{descr}' is not supported; save the array little-endian (arr.astype('<f8'))"
        ));
    }
    let data_bytes = &b[hstart + hlen..];
    if data_bytes.len() < n * size {
        return Err(format!(
            "shape {shape:?} of '{descr}' needs {} data bytes but only {} follow the header; the file is truncated",
            n * size,
            data_bytes.len()
        ));
    }
    let d = &data_bytes[..n * size];
    let c = |k: usize| -> [u8; 8] {
        let mut a = [0u8; 8];
        a[..size].copy_from_slice(&d[k * size..(k + 1) * size]);
        a
    };
    let conv: Box<dyn Fn(usize) -> f64> = match (&kind[..1], size) {
        ("u", 1) | ("b", 1) => Box::new(|k| f64::from(d[k])),
        ("i", 1) => Box::new(|k| f64::from(d[k] as i8)),
        ("u", 2) => Box::new(move |k| f64::from(u16::from_le_bytes([c(k)[0], c(k)[1]]))),
        ("i", 2) => Box::new(move |k| f64::from(i16::from_le_bytes([c(k)[0], c(k)[1]]))),
        ("u", 4) => Box::new(move |k| {
            let a = c(k);
            f64::from(u32::from_le_bytes([a[0], a[1], a[2], a[3]]))
        }),
        ("i", 4) => Box::new(move |k| {
            let a = c(k);
            f64::from(i32::from_le_bytes([a[0], a[1], a[2], a[3]]))
        }),
        ("u", 8) => Box::new(move |k| u64::from_le_bytes(c(k)) as f64),
        ("i", 8) => Box::new(move |k| i64::from_le_bytes(c(k)) as f64),
        ("f", 4) => Box::new(move |k| {
            let a = c(k);
            f64::from(f32::from_le_bytes([a[0], a[1], a[2], a[3]]))
        }),
        ("f", 8) => Box::new(move |k| f64::from_le_bytes(c(k))),
        _ => {
            return Err(format!(
                "unsupported dtype '{descr}'; use one of u1 i1 b1 u2 i2 u4 i4 u8 i8 f4 f8"
            ));
        }
    };
    let mut data = vec![0.0; n];
    if fortran && shape.len() > 1 {
        // Fortran order: the first index varies fastest. Convert to C order.
        let nd = shape.len();
        let mut idx = vec![0usize; nd];
        for k in 0..n {
            // idx is the multi-index of the k-th stored element (column-major)
            let mut c_off = 0;
            for a in 0..nd {
                c_off = c_off * shape[a] + idx[a];
            }
            data[c_off] = conv(k);
            for a in 0..nd {
                idx[a] += 1;
                if idx[a] < shape[a] {
                    break;
                }
                idx[a] = 0;
            }
        }
    } else {
        for (k, v) in data.iter_mut().enumerate() {
            *v = conv(k);
        }
    }
    Ok(NpyArray { shape, data })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        let mut h = format!(
            "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
            if fortran { "True" } else { "False" }
        );
        while (10 + h.len() + 1) % 64 != 0 {
            h.push(' ');
        }
        h.push('\n');
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(h.as_bytes());
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn writer_round_trips_through_the_reader() {
        let data: Vec<f64> = (0..12).map(|i| i as f64 * 0.5 - 2.0).collect();
        for shape in [vec![12], vec![3, 4], vec![2, 3, 2]] {
            let a = parse_npy(&npy_bytes(&shape, &data).unwrap()).unwrap();
            assert_eq!(a.shape, shape);
            assert_eq!(a.data, data);
        }
        let e = npy_bytes(&[5], &data).unwrap_err().to_string();
        assert!(e.contains("length 12, expected 5"), "{e}");
    }

    #[test]
    fn reads_dtypes_and_orders() {
        let a = parse_npy(&npy("|u1", false, "(2, 3)", &[1, 2, 3, 4, 5, 6])).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(a.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let f = parse_npy(&npy("|u1", true, "(2, 3)", &[1, 4, 2, 5, 3, 6])).unwrap();
        assert_eq!(f.data, a.data);
        let mut d = Vec::new();
        for v in [1.5f64, -2.0] {
            d.extend_from_slice(&v.to_le_bytes());
        }
        let g = parse_npy(&npy("<f8", false, "(2,)", &d)).unwrap();
        assert_eq!(g.data, vec![1.5, -2.0]);
        let e = parse_npy(&npy("<f8", false, "(3,)", &d)).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
        let e = parse_npy(b"NOTNUMPYATALL").unwrap_err();
        assert!(e.contains("magic"), "{e}");
    }
}
