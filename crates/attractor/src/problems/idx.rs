//! The IDX file format of MNIST (LeCun, Cortes, Burges, <http://yann.lecun.com/exdb/mnist/>),
//! plain or gzipped (detected from the gzip magic `1f 8b`).
//!
//! Layout: a big-endian magic `0x00 0x00 T D` (type `T`, `D` dimensions), then `D` big-endian
//! `u32` sizes, then the data in row-major order. Only unsigned bytes (`T = 0x08`) are read,
//! the type of every MNIST file.

use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::path::Path;

/// An IDX array of unsigned bytes: `dims` (e.g. `[60000, 28, 28]`) and row-major `data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// The sizes, outermost first.
    pub dims: Vec<usize>,
    /// `Π dims` bytes, row-major.
    pub data: Vec<u8>,
}

impl IdxArray {
    /// The number of items (the first dimension).
    pub fn n_items(&self) -> usize {
        self.dims.first().copied().unwrap_or(0)
    }
    /// The size of one item (product of the remaining dimensions; 1 for a label file).
    pub fn item_len(&self) -> usize {
        self.dims.iter().skip(1).product()
    }
}

fn format_err(path: &Path, msg: String) -> Error {
    Error::Format {
        path: path.display().to_string(),
        format: "IDX".into(),
        msg,
    }
}

/// Read the whole file, gunzipping it if it starts with the gzip magic.
pub(crate) fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        msg: format!("{e}; check the path and permissions"),
    };
    let raw = std::fs::read(path).map_err(io)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| Error::Format {
                path: path.display().to_string(),
                format: "gzip".into(),
                msg: format!("{e}; the file is truncated or corrupt, copy it again"),
            })?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Read an IDX file of unsigned bytes (gzipped or not).
///
/// Errors name the file and say what is wrong: an unreadable file, a wrong magic number
/// (not IDX, or a type other than unsigned byte), a header or data shorter than declared.
pub fn read_idx(path: impl AsRef<Path>) -> Result<IdxArray> {
    let path = path.as_ref();
    let bytes = read_maybe_gz(path)?;
    parse_idx(&bytes).map_err(|msg| format_err(path, msg))
}

fn parse_idx(b: &[u8]) -> std::result::Result<IdxArray, String> {
    if b.len() < 4 {
        return Err(format!(
            "file has {} bytes, too short for the 4-byte IDX magic; it is truncated",
            b.len()
        ));
    }
    if b[0] != 0 || b[1] != 0 || b[2] != 0x08 || b[3] == 0 {
        return Err(format!(
            "wrong magic number 0x{:02x}{:02x}{:02x}{:02x}; expected 0x000008DD (unsigned-byte IDX with DD dimensions, e.g. 0x00000803 for MNIST images)",
            b[0], b[1], b[2], b[3]
        ));
    }
    let nd = b[3] as usize;
    let header = 4 + 4 * nd;
    if b.len() < header {
        return Err(format!(
            "header declares {nd} dimensions but the file ends after {} bytes; it is truncated",
            b.len()
        ));
    }
    let dims: Vec<usize> = (0..nd)
        .map(|k| {
            let o = 4 + 4 * k;
            u32::from_be_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]) as usize
        })
        .collect();
    let n: usize = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format!("dimensions {dims:?} overflow"))?;
    let have = b.len() - header;
    if have < n {
        return Err(format!(
            "dimensions {dims:?} need {n} data bytes but only {have} follow the header; the file is truncated"
        ));
    }
    Ok(IdxArray {
        dims,
        data: b[header..header + n].to_vec(),
    })
}

/// Write an unsigned-byte IDX file (gzipped when `gzip`), whole or not at all
/// ([`write_atomic`](crate::output::write_atomic)). Used to ship small MNIST subsets with the repository.
pub fn write_idx(path: impl AsRef<Path>, array: &IdxArray, gzip: bool) -> Result<()> {
    let path = path.as_ref();
    let n: usize = array.dims.iter().product();
    crate::error::check_len(
        "IDX data",
        array.data.len(),
        n,
        "data must hold the product of the dimensions",
    )?;
    if array.dims.is_empty() || array.dims.len() > 255 {
        return Err(Error::invalid(
            "IDX dimensions",
            array.dims.len(),
            "must be between 1 and 255",
        ));
    }
    let mut bytes = vec![0, 0, 0x08, array.dims.len() as u8];
    for &d in &array.dims {
        let d = u32::try_from(d)
            .map_err(|_| Error::invalid("IDX dimension", d, "must fit in 32 bits"))?;
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(&array.data);
    if gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let gz = enc
            .write_all(&bytes)
            .and_then(|()| enc.finish())
            .map_err(|e| Error::Io {
                path: path.display().to_string(),
                msg: format!("cannot compress: {e}"),
            })?;
        crate::output::write_atomic(path, &gz)
    } else {
        crate::output::write_atomic(path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let a = IdxArray {
            dims: vec![2, 3],
            data: vec![1, 2, 3, 4, 5, 6],
        };
        let dir = std::env::temp_dir().join(format!("attractor-idx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for gz in [false, true] {
            let p = dir.join(format!("a{gz}.idx"));
            write_idx(&p, &a, gz).unwrap();
            assert_eq!(read_idx(&p).unwrap(), a);
        }
        let e = parse_idx(&[0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1]).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
        let e = parse_idx(&[1, 2, 3, 4]).unwrap_err();
        assert!(e.contains("wrong magic"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
