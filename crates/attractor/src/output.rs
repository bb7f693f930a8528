//! Outputs that are written whole or not at all, and never clobber what they should not.
//!
//! Every file the library or the CLI writes goes through [`write_atomic`] (bytes) or
//! [`write_atomic_with`] (a writer that needs a path, such as a PNG encoder): the content goes
//! to a temporary file created exclusively, with a unique unpredictable name, in the target's
//! own directory (the `tempfile` crate), is flushed to disk (`fsync`), and is then renamed over
//! the target in one step, so a reader sees the old file or the new one and never half of
//! either. On any failure the temporary file is removed. [`check_writable`] refuses, before
//! anything runs, a target that exists and is not a regular file (a directory, a device, a
//! FIFO, a symbolic link) and a directory where no file can be created, so that a long run is
//! never lost to a typo in its output path.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

fn io_err(path: &Path, what: &str, e: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        msg: format!("{what}: {e}"),
    }
}

/// The directory a target lives in (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Refuse a target that exists and is not a regular file.
fn check_target(path: &Path) -> Result<()> {
    if path.as_os_str().is_empty() {
        return Err(Error::Io {
            path: "\"\"".into(),
            msg: "empty output path; name a file to write".into(),
        });
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) => {
            let t = m.file_type();
            let kind = if t.is_symlink() {
                "a symbolic link"
            } else if t.is_dir() {
                "a directory"
            } else if t.is_file() {
                return Ok(());
            } else {
                "not a regular file (a device, FIFO or socket)"
            };
            Err(Error::Io {
                path: path.display().to_string(),
                msg: format!(
                    "refusing to write: the path exists and is {kind}; choose a new file name or remove it"
                ),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(path, "cannot inspect the output path", e)),
    }
}

fn temp_in(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Err(Error::Io {
            path: path.display().to_string(),
            msg: format!(
                "the directory {} does not exist; create it first",
                dir.display()
            ),
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    // keep the target's extension last, for encoders that choose a format by it
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(&format!(".partial{ext}"))
        .tempfile_in(&dir)
        .map_err(|e| Error::Io {
            path: path.display().to_string(),
            // the error's own text repeats the random temporary name; keep its kind only
            msg: format!(
                "cannot create a file in {}: {}",
                dir.display(),
                std::io::Error::from(e.kind())
            ),
        })
}

/// Check, before a long computation, that `path` can be written: it does not exist or is a
/// regular file, and its directory exists and accepts a new file (a probe temporary file is
/// created there and removed).
///
/// ```
/// use attractor::output::check_writable;
/// let dir = tempfile::tempdir()?;
/// assert!(check_writable(&dir.path().join("out.cut")).is_ok());
/// assert!(check_writable(dir.path()).is_err()); // a directory
/// assert!(check_writable(&dir.path().join("no/such/dir/out.cut")).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_writable(path: &Path) -> Result<()> {
    check_target(path)?;
    let probe = temp_in(path)?;
    probe
        .close()
        .map_err(|e| io_err(path, "cannot remove the probe file", e))
}

/// Write `bytes` to `path` whole or not at all (see the module docs).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |tmp| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(tmp)
            .map_err(|e| io_err(path, "cannot write", e))?;
        f.write_all(bytes)
            .map_err(|e| io_err(path, "cannot write", e))
    })
}

/// Let `write` produce the file at a temporary path (same directory and extension as `path`),
/// then sync it and rename it over `path`. When `write` fails, or the rename does, nothing is
/// left behind and `path` is untouched.
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    check_target(path)?;
    let tmp = temp_in(path)?;
    write(tmp.path())?;
    std::fs::File::open(tmp.path())
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err(path, "cannot flush to disk", e))?;
    check_target(path)?;
    tmp.persist(path)
        .map_err(|e| io_err(path, "cannot move the finished file into place", e.error))?;
    Ok(())
}

/// What a path names on disk, for comparing paths that are spelled differently: the
/// canonical path (symbolic links and `..` resolved; for a file that does not exist yet, its
/// directory's canonical path joined with its name) and, where the file exists, its device
/// and inode (hard links).
fn identity(path: &Path) -> (PathBuf, Option<(u64, u64)>) {
    #[cfg(unix)]
    let inode = |m: &std::fs::Metadata| {
        use std::os::unix::fs::MetadataExt;
        Some((m.dev(), m.ino()))
    };
    #[cfg(not(unix))]
    let inode = |_: &std::fs::Metadata| None;
    match std::fs::canonicalize(path) {
        Ok(c) => {
            let id = std::fs::metadata(&c).ok().and_then(|m| inode(&m));
            (c, id)
        }
        Err(_) => {
            let dir = std::fs::canonicalize(parent_dir(path)).unwrap_or_else(|_| parent_dir(path));
            let name = path.file_name().map(PathBuf::from).unwrap_or_default();
            (dir.join(name), None)
        }
    }
}

/// Refuse, before any work, an output that names one of the command's inputs or another
/// output: `inputs` and `outputs` are `(option, path)` pairs (`("--out", …)`). Paths are
/// compared by what they name on disk (symbolic links, `..`, hard links), and an output may not
/// replace an existing file inside an input directory (a data directory such as MNIST's).
///
/// ```
/// use attractor::output::check_distinct;
/// use std::path::Path;
/// let dir = tempfile::tempdir()?;
/// let model = dir.path().join("m.safetensors");
/// std::fs::write(&model, b"model")?;
/// let same = dir.path().join(".").join("m.safetensors");
/// let e = check_distinct(&[("MODEL", &model)], &[("--out", &same)]).unwrap_err().to_string();
/// assert!(e.contains("--out") && e.contains("MODEL"), "{e}");
/// check_distinct(&[("MODEL", &model)], &[("--out", &dir.path().join("samples.npy"))])?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_distinct(inputs: &[(&str, &Path)], outputs: &[(&str, &Path)]) -> Result<()> {
    let ids: Vec<_> = outputs.iter().map(|(_, p)| identity(p)).collect();
    let same = |a: &(PathBuf, Option<(u64, u64)>), b: &(PathBuf, Option<(u64, u64)>)| {
        a.0 == b.0 || (a.1.is_some() && a.1 == b.1)
    };
    for (k, (out_name, out)) in outputs.iter().enumerate() {
        for (in_name, input) in inputs {
            let id = identity(input);
            let inside_dir = input.is_dir() && out.exists() && ids[k].0.parent() == Some(&id.0);
            if same(&ids[k], &id) || inside_dir {
                return Err(Error::Io {
                    path: out.display().to_string(),
                    msg: format!(
                        "refusing to write {out_name}: it {} {in_name} ({}), which this command reads; choose another output file",
                        if inside_dir {
                            "would replace a file in the directory of"
                        } else {
                            "is the same file as"
                        },
                        input.display()
                    ),
                });
            }
        }
        for (other_name, other) in outputs.iter().take(k).zip(&ids) {
            if same(&ids[k], other) {
                return Err(Error::Io {
                    path: out.display().to_string(),
                    msg: format!(
                        "{out_name} and {} name the same file; give each output its own file",
                        other_name.0
                    ),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".partial"))
            .collect()
    }

    #[test]
    fn writes_whole_and_replaces_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_failed_write_leaves_the_target_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.png");
        write_atomic(&p, b"old").unwrap();
        let e = write_atomic_with(&p, |tmp| {
            assert!(tmp.to_string_lossy().ends_with(".png"));
            std::fs::write(tmp, b"half").unwrap();
            Err(Error::Incompatible("encoder failed".into()))
        })
        .unwrap_err();
        assert!(e.to_string().contains("encoder failed"));
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_directories_and_devices() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious");
        std::fs::write(&target, b"keep").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        for (p, needle) in [
            (link.as_path(), "symbolic link"),
            (dir.path(), "directory"),
            (Path::new("/dev/null"), "device"),
        ] {
            let e = write_atomic(p, b"x").unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
            assert!(check_writable(p).is_err());
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        assert!(leftovers(dir.path()).is_empty());
    }
}
