//! A reader and a writer for NumPy `.npy` arrays (format versions 1, 2 and 3; NumPy's
//! `numpy/lib/format.py`), gzipped or not.
//!
//! Layout: magic `\x93NUMPY`, version `major minor`, a little-endian header length (`u16` in
//! version 1, `u32` in 2 and 3), a Python dict literal
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (K, N), }`, then the data. Read dtypes:
//! `u1 i1 b1 <u2 <i2 <u4 <i4 <u8 <i8 <f4 <f8` (and `|`/`=` byte orders for one-byte types);
//! C or Fortran order. Values are converted to `f64`.

use crate::error::{Error, Result};
use crate::problems::formats::quoted;
use std::path::Path;

/// An `.npy` array converted to `f64`, row-major (C order) whatever the file's order.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// The shape, outermost first (`[]` for a scalar).
    pub shape: Vec<usize>,
    /// `Π shape` values in C order.
    pub data: Vec<f64>,
}

/// The most values an `.npy` array may declare (the product of its shape): 2^28, 2 GiB once
/// converted to `f64`. Larger shapes are refused before anything is allocated; smaller ones
/// must also be backed by the data in the file (a gzipped file is decompressed no further than
/// its header declares).
pub const MAX_NPY_VALUES: usize = 1 << 28;

/// The longest `.npy` header accepted: 65 536 bytes (NumPy's own `np.load` refuses headers over
/// 10 000 bytes by default).
pub const MAX_NPY_HEADER_BYTES: usize = 1 << 16;

fn format_err(path: &Path, msg: String) -> Error {
    Error::Format {
        path: path.display().to_string(),
        format: ".npy".into(),
        msg,
    }
}

/// Read an `.npy` file (gzipped or not) into `f64`: see [`parse_npy_bytes`] for the bounds.
pub fn read_npy(path: impl AsRef<Path>) -> Result<NpyArray> {
    let path = path.as_ref();
    // a file larger than the largest array it may declare, as f64, is not a valid one
    let max = (MAX_NPY_VALUES as u64) * 8 + MAX_NPY_HEADER_BYTES as u64 + 16;
    let raw = crate::input::read_input(path, ".npy", max, "MAX_NPY_VALUES f64 values")?;
    parse_npy_bytes(&raw, &path.display().to_string())
}

/// The bytes of an `.npy` file (version 1.0, C order) holding `data` as little-endian `f64`
/// with the given `shape` (outermost first; `Π shape` must equal `data.len()`).
pub fn npy_bytes(shape: &[usize], data: &[f64]) -> Result<Vec<u8>> {
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| {
            Error::invalid(
                "npy shape",
                format!("{shape:?}"),
                "its product overflows; give the shape of the data",
            )
        })?;
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
    if header.len() > usize::from(u16::MAX) {
        return Err(Error::invalid(
            "npy shape",
            format!("{} dimensions", shape.len()),
            "its header does not fit the 65535 bytes of format version 1; reshape the array",
        ));
    }
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

/// Parse an in-memory `.npy` file (e.g. one embedded with `include_bytes!`), gzipped or not;
/// `name` is used in error messages. Memory is bounded by the input: the shape holds at most
/// [`MAX_NPY_VALUES`] values, whose bytes must follow the header (plain) or decompress from it
/// without going past the declared size (gzip); the header is at most
/// [`MAX_NPY_HEADER_BYTES`].
///
/// ```
/// use attractor::problems::{npy_bytes, parse_npy_bytes};
/// let a = parse_npy_bytes(&npy_bytes(&[2], &[1.5, -2.0])?, "a.npy")?;
/// assert_eq!((a.shape, a.data), (vec![2], vec![1.5, -2.0]));
/// let mut b = npy_bytes(&[2], &[1.5, -2.0])?;
/// b.truncate(b.len() - 1);
/// assert!(parse_npy_bytes(&b, "b.npy").unwrap_err().to_string().contains("truncated"));
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn parse_npy_bytes(bytes: &[u8], name: &str) -> Result<NpyArray> {
    let path = Path::new(name);
    if super::idx::is_gzip(bytes) {
        use super::idx::GzError;
        let plain = super::idx::gunzip_bounded(bytes, npy_declared).map_err(|e| match e {
            GzError::Gzip(msg) => Error::Format {
                path: name.to_string(),
                format: "gzip".into(),
                msg,
            },
            GzError::Content(msg) => format_err(path, msg),
            GzError::Memory(e) => e,
        })?;
        parse_npy(&plain).map_err(|msg| format_err(path, msg))
    } else {
        parse_npy(bytes).map_err(|msg| format_err(path, msg))
    }
}

/// A parsed header: the dtype, the order, the shape and where the data start.
struct Header {
    /// `u`, `i`, `b` or `f`.
    kind: u8,
    /// Bytes per value: 1, 2, 4 or 8.
    size: usize,
    fortran: bool,
    shape: Vec<usize>,
    /// `Π shape` (at most [`MAX_NPY_VALUES`]).
    n: usize,
    /// Offset of the first data byte.
    data_start: usize,
}

/// A complete header, or (for a prefix of a gzipped file) the bytes needed to complete it.
enum Parsed {
    Header(Header),
    More(usize),
}

fn header_value<'a>(header: &'a str, key: &str) -> std::result::Result<&'a str, String> {
    let k = format!("'{key}'");
    let start = header
        .find(&k)
        .ok_or_else(|| format!("header has no {k} entry: {}", quoted(header)))?;
    let rest = header[start + k.len()..].trim_start();
    let rest = rest
        .strip_prefix(':')
        .ok_or_else(|| format!("malformed header near {k}: {}", quoted(header)))?;
    Ok(rest.trim_start())
}

/// `(kind, size)` of a supported dtype such as `<f8` or `|u1`.
fn dtype(descr: &str) -> std::result::Result<(u8, usize), String> {
    let unsupported = || {
        format!(
            "unsupported dtype '{}'; use one of u1 i1 b1 u2 i2 u4 i4 u8 i8 f4 f8 (little-endian), e.g. arr.astype('<f8')",
            quoted(descr)
        )
    };
    let d = descr.as_bytes();
    let (order, rest) = match d.first() {
        Some(&o @ (b'<' | b'>' | b'|' | b'=')) => (o, &d[1..]),
        Some(_) => (b'|', d),
        None => return Err("empty dtype '' in the header; save the array with numpy.save".into()),
    };
    let (kind, size) = match rest {
        [
            k @ (b'u' | b'i' | b'b' | b'f'),
            s @ (b'1' | b'2' | b'4' | b'8'),
        ] => (*k, usize::from(s - b'0')),
        _ => return Err(unsupported()),
    };
    if size > 1 && order == b'>' {
        return Err(format!(
            "big-endian dtype '{descr}' is not supported; save the array little-endian (arr.astype('<f8'))"
        ));
    }
    match (kind, size) {
        (b'b', 1) | (b'u' | b'i', _) | (b'f', 4 | 8) => Ok((kind, size)),
        _ => Err(unsupported()),
    }
}

/// Parse the header of `b`; with `partial`, a `b` that stops inside the header asks for more.
fn parse_header(b: &[u8], partial: bool) -> std::result::Result<Parsed, String> {
    const MAGIC: &[u8] = b"\x93NUMPY";
    let truncated = || "file ends inside the header; it is truncated".to_string();
    let k = b.len().min(MAGIC.len());
    if b[..k] != MAGIC[..k] || (!partial && b.len() < MAGIC.len()) {
        return Err(
            "wrong magic: an .npy file starts with \\x93NUMPY (save it with numpy.save)".into(),
        );
    }
    if b.len() < 10 {
        return if partial {
            Ok(Parsed::More(12))
        } else {
            Err(truncated())
        };
    }
    let major = b[6];
    let (hlen, hstart) = match major {
        1 => (u16::from_le_bytes([b[8], b[9]]) as usize, 10),
        2 | 3 => {
            if b.len() < 12 {
                return if partial {
                    Ok(Parsed::More(12))
                } else {
                    Err(truncated())
                };
            }
            (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12)
        }
        v => {
            return Err(format!(
                "unsupported format version {v}; expected 1, 2 or 3"
            ));
        }
    };
    if hlen > MAX_NPY_HEADER_BYTES {
        return Err(format!(
            "header length {hlen} bytes is above the limit of {MAX_NPY_HEADER_BYTES} (MAX_NPY_HEADER_BYTES); the file is corrupt, save it again with numpy.save"
        ));
    }
    if b.len() < hstart + hlen {
        return if partial {
            Ok(Parsed::More(hstart + hlen))
        } else {
            Err(truncated())
        };
    }
    let header = std::str::from_utf8(&b[hstart..hstart + hlen])
        .ok()
        .filter(|h| h.is_ascii())
        .ok_or_else(|| {
            "header is not ASCII text; the file is corrupt, save it again with numpy.save"
                .to_string()
        })?;
    let descr = header_value(header, "descr")?;
    let descr = match descr.as_bytes().first() {
        Some(&q @ (b'\'' | b'"')) => descr[1..].split(char::from(q)).next(),
        _ => None,
    }
    .ok_or_else(|| format!("malformed 'descr' in header: {}", quoted(header)))?;
    let (kind, size) = dtype(descr)?;
    let fortran = header_value(header, "fortran_order")?.starts_with("True");
    let shape_txt = header_value(header, "shape")?;
    let shape_txt = shape_txt
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or_else(|| format!("malformed 'shape' in header: {}", quoted(header)))?;
    let shape = shape_txt
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>().map_err(|_| {
                if s.bytes().all(|c| c.is_ascii_digit()) {
                    format!(
                        "shape entry '{}' is too large; an array holds at most {MAX_NPY_VALUES} values (MAX_NPY_VALUES = 2^28)",
                        quoted(s)
                    )
                } else {
                    format!("bad shape entry '{}'; expected a non-negative integer", quoted(s))
                }
            })
        })
        .collect::<std::result::Result<Vec<usize>, String>>()?;
    let n = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= MAX_NPY_VALUES)
        .ok_or_else(|| {
            let values = shape.iter().fold(1f64, |acc, &d| acc * d as f64);
            format!(
                "shape {} declares {values:.3e} values ({:.3e} bytes as f64), above the limit of {MAX_NPY_VALUES} values (MAX_NPY_VALUES = 2^28, 2 GiB as f64); the header is corrupt, or split the array",
                quoted(&format!("{shape:?}")),
                values * 8.0
            )
        })?;
    Ok(Parsed::Header(Header {
        kind,
        size,
        fortran,
        shape,
        n,
        data_start: hstart + hlen,
    }))
}

/// The size an `.npy` file declares, from a prefix of it (for bounded decompression).
fn npy_declared(b: &[u8]) -> std::result::Result<super::idx::Need, String> {
    use super::idx::Need;
    Ok(match parse_header(b, true)? {
        Parsed::More(k) => Need::More(k),
        // n ≤ 2^28 and size ≤ 8: no overflow
        Parsed::Header(h) => Need::Total(h.data_start + h.n * h.size),
    })
}

fn parse_npy(b: &[u8]) -> std::result::Result<NpyArray, String> {
    let h = match parse_header(b, false)? {
        Parsed::Header(h) => h,
        Parsed::More(_) => return Err("file ends inside the header; it is truncated".into()),
    };
    let Header {
        kind,
        size,
        fortran,
        shape,
        n,
        data_start,
    } = h;
    let data_bytes = &b[data_start..];
    let need = n * size;
    if data_bytes.len() < need {
        return Err(format!(
            "shape {} of {}-byte values needs {need} data bytes but only {} follow the header; the file is truncated",
            quoted(&format!("{shape:?}")),
            size,
            data_bytes.len()
        ));
    }
    let d = &data_bytes[..need];
    let c = |k: usize| -> [u8; 8] {
        let mut a = [0u8; 8];
        a[..size].copy_from_slice(&d[k * size..(k + 1) * size]);
        a
    };
    let conv: Box<dyn Fn(usize) -> f64> = match (kind, size) {
        (b'u', 1) | (b'b', 1) => Box::new(|k| f64::from(d[k])),
        (b'i', 1) => Box::new(|k| f64::from(d[k] as i8)),
        (b'u', 2) => Box::new(move |k| f64::from(u16::from_le_bytes([c(k)[0], c(k)[1]]))),
        (b'i', 2) => Box::new(move |k| f64::from(i16::from_le_bytes([c(k)[0], c(k)[1]]))),
        (b'u', 4) => Box::new(move |k| {
            let a = c(k);
            f64::from(u32::from_le_bytes([a[0], a[1], a[2], a[3]]))
        }),
        (b'i', 4) => Box::new(move |k| {
            let a = c(k);
            f64::from(i32::from_le_bytes([a[0], a[1], a[2], a[3]]))
        }),
        (b'u', 8) => Box::new(move |k| u64::from_le_bytes(c(k)) as f64),
        (b'i', 8) => Box::new(move |k| i64::from_le_bytes(c(k)) as f64),
        (b'f', 4) => Box::new(move |k| {
            let a = c(k);
            f64::from(f32::from_le_bytes([a[0], a[1], a[2], a[3]]))
        }),
        (b'f', 8) => Box::new(move |k| f64::from_le_bytes(c(k))),
        _ => return Err(format!("unsupported dtype kind '{}'", char::from(kind))),
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
