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
    /// The size of one item (product of the remaining dimensions; 1 for a label file;
    /// `usize::MAX` if that product overflows, which no array read from a file does).
    pub fn item_len(&self) -> usize {
        self.dims
            .iter()
            .skip(1)
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .unwrap_or(usize::MAX)
    }
}

/// The most data bytes an IDX file may declare (the product of its dimensions): 2^31 bytes,
/// 2 GiB (all of MNIST is 55 MB). Larger declarations are refused before anything is read
/// into memory; smaller ones must also be backed by the data actually in the file, and a
/// gzipped file is decompressed no further than its header declares.
pub const MAX_IDX_BYTES: usize = 1 << 31;

fn format_err(path: &Path, msg: String) -> Error {
    Error::Format {
        path: path.display().to_string(),
        format: "IDX".into(),
        msg,
    }
}

/// What a decompressed prefix says about the size of the whole file.
pub(crate) enum Need {
    /// The header is not complete: decompress at least this many bytes.
    More(usize),
    /// The header declares the whole file to be this many bytes.
    Total(usize),
    /// Only the first this many bytes are wanted (a header and the items asked for): stop
    /// there without reading the rest of the stream.
    Prefix(usize),
}

/// Why a bounded decompression failed.
pub(crate) enum GzError {
    /// The gzip stream itself is corrupt or truncated.
    Gzip(String),
    /// The decompressed header is invalid, or the stream holds more than it declares.
    Content(String),
    /// The declared size cannot be allocated (the memory policy's error).
    Memory(Error),
}

/// `Vec::try_reserve` of `more` bytes for a decompressed stream, under the memory policy.
fn reserve(out: &mut Vec<u8>, more: usize) -> std::result::Result<(), GzError> {
    let fix = "the file declares more data than fits in memory; read fewer items (--count) or free memory";
    crate::memory::check(
        "decompressed data",
        &[out.len().saturating_add(more)],
        1,
        fix,
    )
    .map_err(GzError::Memory)?;
    out.try_reserve_exact(more).map_err(|_| {
        GzError::Memory(crate::memory::failed(
            "decompressed data",
            &[out.len().saturating_add(more)],
            1,
            fix,
        ))
    })
}

/// Why [`read_growing`] stopped early.
enum Grow {
    Io(std::io::Error),
    Memory(GzError),
}

/// Append up to `want` more bytes of `src` to `out`, reserving as the data arrive (chunks that
/// double from 64 KiB, under the memory policy) rather than the whole declared size at once:
/// a small file whose header declares gigabytes costs what it actually holds. Stops at the end
/// of the stream.
fn read_growing(
    src: &mut impl Read,
    out: &mut Vec<u8>,
    want: usize,
) -> std::result::Result<(), Grow> {
    let mut left = want;
    let mut chunk = 1usize << 16;
    while left > 0 {
        let step = chunk.min(left);
        reserve(out, step).map_err(Grow::Memory)?;
        let got = src.take(step as u64).read_to_end(out).map_err(Grow::Io)?;
        if got < step {
            return Ok(());
        }
        left -= step;
        chunk = chunk.saturating_mul(2);
    }
    Ok(())
}

/// Whether `b` starts with the gzip magic `1f 8b`.
pub(crate) fn is_gzip(b: &[u8]) -> bool {
    b.starts_with(&[0x1f, 0x8b])
}

/// Gunzip `raw`, decompressing no more than the size that the decompressed header declares
/// (`declared` reads it from a prefix); a stream that expands beyond it is refused, so a small
/// file cannot expand into gigabytes. A stream that ends early is returned as it is, for the
/// format's parser to report the truncation.
pub(crate) fn gunzip_bounded(
    raw: &[u8],
    declared: impl Fn(&[u8]) -> std::result::Result<Need, String>,
) -> std::result::Result<Vec<u8>, GzError> {
    let gz = |e: std::io::Error| {
        GzError::Gzip(format!(
            "{e}; the file is truncated or corrupt, copy it again"
        ))
    };
    // `&[u8]` is already buffered: no 32 KiB copy buffer of `read::MultiGzDecoder`
    let mut dec = flate2::bufread::MultiGzDecoder::new(raw);
    let mut out = Vec::new();
    loop {
        match declared(&out).map_err(GzError::Content)? {
            Need::More(k) => {
                if k <= out.len() {
                    return Ok(out);
                }
                let want = k - out.len();
                let got = (&mut dec)
                    .take(want as u64)
                    .read_to_end(&mut out)
                    .map_err(gz)?;
                if got < want {
                    return Ok(out);
                }
            }
            Need::Prefix(t) => {
                if out.len() < t {
                    let want = t - out.len();
                    read_growing(&mut dec, &mut out, want).map_err(|e| match e {
                        Grow::Io(e) => gz(e),
                        Grow::Memory(e) => e,
                    })?;
                }
                return Ok(out);
            }
            Need::Total(t) => {
                if out.len() <= t {
                    // one byte more than declared, to see a stream that expands beyond it
                    let want = t - out.len() + 1;
                    read_growing(&mut dec, &mut out, want).map_err(|e| match e {
                        Grow::Io(e) => gz(e),
                        Grow::Memory(e) => e,
                    })?;
                }
                if out.len() > t {
                    return Err(GzError::Content(format!(
                        "the gzip stream expands beyond the {t} bytes that its header declares (header and data); the file is corrupt or not what it claims, recreate it"
                    )));
                }
                return Ok(out);
            }
        }
    }
}

/// Read an IDX file of unsigned bytes (gzipped or not).
///
/// Errors name the file and say what is wrong: an unreadable file, a wrong magic number
/// (not IDX, or a type other than unsigned byte), a header or data shorter than declared, a
/// declared size above [`MAX_IDX_BYTES`], a gzip stream that holds more than declared.
pub fn read_idx(path: impl AsRef<Path>) -> Result<IdxArray> {
    read_idx_items(path, None)
}

/// The largest IDX file read: [`MAX_IDX_BYTES`] of data, a header, and gzip's overhead on data
/// that does not compress.
const MAX_IDX_FILE_BYTES: u64 = (MAX_IDX_BYTES as u64) + (MAX_IDX_BYTES as u64 >> 4) + 4096;

/// Read the first `max_items` items (all when `None`) of an IDX file of unsigned bytes: the
/// returned array's first dimension is `min(max_items, n_items)`. A gzipped file is
/// decompressed only as far as those items, so ten images of a large file cost ten images.
/// Only regular files are read ([`crate::input::read_input`]).
///
/// # Errors
/// As [`read_idx`]; a file that declares fewer items than asked is read whole.
pub fn read_idx_items(path: impl AsRef<Path>, max_items: Option<usize>) -> Result<IdxArray> {
    let path = path.as_ref();
    let raw = crate::input::read_input(
        path,
        "IDX",
        MAX_IDX_FILE_BYTES,
        "MAX_IDX_BYTES = 2 GiB of data",
    )?;
    let name = path.display().to_string();
    if is_gzip(&raw) || max_items.is_some() {
        parse_idx_prefix(&raw, &name, max_items)
    } else {
        // the whole plain file: its buffer becomes the data
        parse_idx_owned(raw, None).map_err(|msg| format_err(path, msg))
    }
}

/// Parse the bytes of an IDX file of unsigned bytes, gzipped (detected from the magic `1f 8b`)
/// or not; `name` is used in error messages. Memory is bounded by the input: the data must be
/// present (plain) or decompress to no more than the header declares (gzip), and the declared
/// size is at most [`MAX_IDX_BYTES`].
///
/// ```
/// use attractor::problems::idx::parse_idx_bytes;
/// let a = parse_idx_bytes(&[0, 0, 8, 1, 0, 0, 0, 2, 7, 9], "labels")?;
/// assert_eq!((a.dims, a.data), (vec![2], vec![7, 9]));
/// let e = parse_idx_bytes(&[0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff], "big").unwrap_err();
/// assert!(e.to_string().contains("MAX_IDX_BYTES"), "{e}");
/// let e = parse_idx_bytes(&[0, 0, 8, 1, 0, 0, 0, 3, 7], "short").unwrap_err();
/// assert!(e.to_string().contains("truncated"), "{e}");
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn parse_idx_bytes(bytes: &[u8], name: &str) -> Result<IdxArray> {
    parse_idx_prefix(bytes, name, None)
}

/// [`parse_idx_bytes`] keeping only the first `max_items` items (all when `None`); a gzip
/// stream is decompressed no further than those items.
///
/// # Errors
/// As [`parse_idx_bytes`].
pub fn parse_idx_prefix(bytes: &[u8], name: &str, max_items: Option<usize>) -> Result<IdxArray> {
    let path = Path::new(name);
    if is_gzip(bytes) {
        let declared = |b: &[u8]| match idx_declared(b)? {
            Need::Total(t) => match idx_prefix_len(b, max_items) {
                Some(p) if p < t => Ok(Need::Prefix(p)),
                _ => Ok(Need::Total(t)),
            },
            other => Ok(other),
        };
        let plain = gunzip_bounded(bytes, declared).map_err(|e| match e {
            GzError::Gzip(msg) => Error::Format {
                path: name.to_string(),
                format: "gzip".into(),
                msg,
            },
            GzError::Content(msg) => format_err(path, msg),
            GzError::Memory(e) => e,
        })?;
        parse_idx_owned(plain, max_items).map_err(|msg| format_err(path, msg))
    } else {
        parse_idx(bytes, max_items).map_err(|msg| format_err(path, msg))
    }
}

/// The bytes of the header and the first `max_items` items of a file whose complete header is
/// in `b`, when fewer items than the file declares are asked for.
fn idx_prefix_len(b: &[u8], max_items: Option<usize>) -> Option<usize> {
    let k = max_items?;
    let nd = b[3] as usize;
    let (dims, _) = idx_dims(b, nd).ok()?;
    let first = *dims.first()?;
    if k >= first {
        return None;
    }
    let item: usize = dims[1..].iter().product();
    Some(4 + 4 * nd + k * item)
}

fn check_magic(b: &[u8]) -> std::result::Result<(), String> {
    if b[0] != 0 || b[1] != 0 || b[2] != 0x08 || b[3] == 0 {
        return Err(format!(
            "wrong magic number 0x{:02x}{:02x}{:02x}{:02x}; expected 0x000008DD (unsigned-byte IDX with DD dimensions, e.g. 0x00000803 for MNIST images)",
            b[0], b[1], b[2], b[3]
        ));
    }
    Ok(())
}

/// The dimensions in a complete header and the data bytes they declare (at most
/// [`MAX_IDX_BYTES`]).
fn idx_dims(b: &[u8], nd: usize) -> std::result::Result<(Vec<usize>, usize), String> {
    let dims: Vec<usize> = b[4..4 + 4 * nd]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let n = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= MAX_IDX_BYTES);
    match n {
        Some(n) => Ok((dims, n)),
        None => {
            let bytes = dims.iter().fold(1f64, |acc, &d| acc * d as f64);
            Err(format!(
                "dimensions {dims:?} declare {bytes:.3e} data bytes, above the limit of {MAX_IDX_BYTES} bytes (MAX_IDX_BYTES = 2 GiB); the header is corrupt, or split the array"
            ))
        }
    }
}

/// The size an IDX file declares, from a prefix of it (for bounded decompression).
fn idx_declared(b: &[u8]) -> std::result::Result<Need, String> {
    if b.len() < 4 {
        return Ok(Need::More(4));
    }
    check_magic(b)?;
    let nd = b[3] as usize;
    let header = 4 + 4 * nd;
    if b.len() < header {
        return Ok(Need::More(header));
    }
    let (_, n) = idx_dims(b, nd)?;
    Ok(Need::Total(header + n))
}

/// Parse a whole IDX file, keeping its first `max_items` items (all when `None`); the data
/// of the items kept must be present. The data are copied out of `b`.
fn parse_idx(b: &[u8], max_items: Option<usize>) -> std::result::Result<IdxArray, String> {
    let (dims, header, n) = idx_layout(b, max_items)?;
    Ok(IdxArray {
        dims,
        data: b[header..header + n].to_vec(),
    })
}

/// [`parse_idx`] of bytes it owns: the data are the buffer itself, its header removed in
/// place (no second copy of a large file).
fn parse_idx_owned(
    mut b: Vec<u8>,
    max_items: Option<usize>,
) -> std::result::Result<IdxArray, String> {
    let (dims, header, n) = idx_layout(&b, max_items)?;
    b.truncate(header + n);
    b.drain(..header);
    Ok(IdxArray { dims, data: b })
}

/// The dimensions (the first cut to `max_items`), the header's length and the data bytes of
/// a whole IDX file, checked against the bytes present.
fn idx_layout(
    b: &[u8],
    max_items: Option<usize>,
) -> std::result::Result<(Vec<usize>, usize, usize), String> {
    if b.len() < 4 {
        return Err(format!(
            "file has {} bytes, too short for the 4-byte IDX magic; it is truncated",
            b.len()
        ));
    }
    check_magic(b)?;
    let nd = b[3] as usize;
    let header = 4 + 4 * nd;
    if b.len() < header {
        return Err(format!(
            "header declares {nd} dimensions but the file ends after {} bytes; it is truncated",
            b.len()
        ));
    }
    let (mut dims, mut n) = idx_dims(b, nd)?;
    if let (Some(k), Some(first)) = (max_items, dims.first().copied())
        && k < first
    {
        // the declared size bounds `n`, and k < first: no overflow
        n = n / first * k;
        dims[0] = k;
    }
    let have = b.len() - header;
    if have < n {
        return Err(format!(
            "dimensions {dims:?} need {n} data bytes but only {have} follow the header; the file is truncated"
        ));
    }
    Ok((dims, header, n))
}

/// Write an unsigned-byte IDX file (gzipped when `gzip`), whole or not at all
/// ([`write_atomic`](crate::output::write_atomic)). Used to ship small MNIST subsets with the repository.
pub fn write_idx(path: impl AsRef<Path>, array: &IdxArray, gzip: bool) -> Result<()> {
    let path = path.as_ref();
    let n = array
        .dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| {
            Error::invalid(
                "IDX dimensions",
                format!("{:?}", array.dims),
                "their product overflows; give the sizes of the data",
            )
        })?;
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
        let e = parse_idx(&[0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1], None).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
        let e = parse_idx(&[1, 2, 3, 4], None).unwrap_err();
        assert!(e.contains("wrong magic"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
