//! Inputs read whole, bounded by what the file declares, and only from regular files.
//!
//! Every file the library reads (`.npy`, IDX, graph and Ising text formats, model files) goes
//! through [`read_input`]: the path's type is checked with `metadata` *before* the file is
//! opened, so that a device (`/dev/zero`, which never ends), a FIFO (whose `open` blocks until a
//! writer comes), a socket or a directory is refused with a message instead of reading until
//! memory runs out or waiting forever; the size the file system reports is then checked against
//! the format's limit and the library's memory policy ([`crate::memory`]), the buffer is
//! reserved fallibly, and no more than that size is read (a file that grows while it is read is
//! refused, not followed).

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// What a path that is not a regular file is, in words ("a character device", "a FIFO (named
/// pipe)"), or `None` for a regular file.
pub fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else {
        unix_kind(&t)
    }
}

/// The kind of a special file on Unix.
#[cfg(unix)]
fn unix_kind(t: &std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else if t.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    }
}

/// Elsewhere every non-regular, non-directory path is one kind.
#[cfg(not(unix))]
fn unix_kind(_: &std::fs::FileType) -> Option<&'static str> {
    Some("not a regular file")
}

/// Refuse `path` unless it is a regular file (symbolic links followed), without opening it;
/// returns its size in bytes. `format` names what was expected in the message.
///
/// # Errors
/// [`Error::Io`] when the path cannot be inspected or is a directory, device, FIFO or socket.
pub fn check_regular(path: &Path, format: &str) -> Result<u64> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::Io {
        path: shown.clone(),
        msg: format!("{e}; check the path and permissions"),
    })?;
    match special_kind(&meta) {
        None => Ok(meta.len()),
        Some(kind) => Err(Error::Io {
            path: shown,
            msg: format!(
                "is {kind}, not a regular file; give the path of a regular {format} file (save a stream to a file first)"
            ),
        }),
    }
}

/// The bytes of the regular file at `path`, at most `max_bytes` of them (the format's limit,
/// named `limit_name` in the message), read into a buffer reserved fallibly after the memory
/// policy's check. `format` names the file type in messages ("`.npy`", "IDX", "text").
///
/// # Errors
/// [`Error::Io`] for a missing, unreadable or special file, or one that grows while read;
/// [`Error::Format`] for a file above `max_bytes`; [`Error::OutOfMemory`] when its bytes
/// cannot fit in the memory available.
pub fn read_input(path: &Path, format: &str, max_bytes: u64, limit_name: &str) -> Result<Vec<u8>> {
    let shown = path.display().to_string();
    let len = check_regular(path, format)?;
    if len > max_bytes {
        return Err(Error::Format {
            path: shown,
            format: format.into(),
            msg: format!(
                "the file has {len} bytes, above the limit of {max_bytes} bytes ({limit_name}); split the data into smaller files"
            ),
        });
    }
    let io = |e: std::io::Error| Error::Io {
        path: shown.clone(),
        msg: format!("{e}; check the path and permissions"),
    };
    let n = usize::try_from(len).map_err(|_| Error::Format {
        path: shown.clone(),
        format: format.into(),
        msg: format!("the file has {len} bytes, more than this machine can address"),
    })?;
    let mut bytes = crate::memory::try_with_capacity::<u8>(
        &format!("the bytes of {shown}"),
        n.saturating_add(1),
        "free memory or give a smaller file",
    )?;
    let file = std::fs::File::open(path).map_err(io)?;
    file.take(len + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > len {
        return Err(Error::Io {
            path: shown,
            msg: format!(
                "the file grew beyond the {len} bytes it had when it was opened; read it when no one is writing to it"
            ),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused_before_reading() {
        let e = read_input(Path::new("/dev/zero"), ".npy", u64::MAX, "-").unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("/dev/zero") && m.contains("character device"),
            "{m}"
        );
        let e = read_input(Path::new("/"), "IDX", u64::MAX, "-").unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
    }

    #[test]
    fn a_file_above_its_limit_is_refused_and_a_small_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.txt");
        std::fs::write(&p, b"0123456789").unwrap();
        assert_eq!(read_input(&p, "text", 10, "L").unwrap(), b"0123456789");
        let e = read_input(&p, "text", 9, "MAX_X").unwrap_err().to_string();
        assert!(e.contains("10 bytes") && e.contains("MAX_X"), "{e}");
    }
}
