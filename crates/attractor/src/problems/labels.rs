//! Class labels for supervised training: an IDX file of unsigned bytes (MNIST's
//! `*-labels-idx1-ubyte[.gz]`) or a one-dimensional `.npy` array of non-negative integers, and
//! the MNIST file names that go with an image file.

use super::{read_idx, read_npy};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The first `count` labels (all when `None`) of `path`.
pub fn read_labels(path: &Path, count: Option<usize>) -> Result<Vec<usize>> {
    let name = path.to_string_lossy().to_lowercase();
    let shown = path.display().to_string();
    let mut labels: Vec<usize> = if name.ends_with(".npy") || name.ends_with(".npy.gz") {
        let a = read_npy(path)?;
        if a.shape.len() != 1 {
            return Err(Error::invalid(
                "label array shape",
                format!("{:?} in {shown}", a.shape),
                "labels are one integer per sample (a one-dimensional array)",
            ));
        }
        a.data
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                if v >= 0.0 && v.fract() == 0.0 && v < 1e9 {
                    Ok(v as usize)
                } else {
                    Err(Error::invalid(
                        "label",
                        crate::format_number(v),
                        &format!("{shown}[{i}] is not a non-negative integer class index"),
                    ))
                }
            })
            .collect::<Result<_>>()?
    } else {
        let a = read_idx(path)?;
        if a.dims.len() != 1 {
            return Err(Error::invalid(
                "label file dimensions",
                format!("{:?} in {shown}", a.dims),
                "an IDX label file has one dimension (e.g. train-labels-idx1-ubyte.gz)",
            ));
        }
        a.data.iter().map(|&b| b as usize).collect()
    };
    if let Some(c) = count {
        labels.truncate(c);
    }
    Ok(labels)
}

/// The labels and test files that sit beside an MNIST training image file: for
/// `…/train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`, and the test pair
/// `t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]` when present.
pub fn mnist_companions(images: &Path) -> (Option<PathBuf>, Option<(PathBuf, PathBuf)>) {
    let dir = images.parent().unwrap_or(Path::new("."));
    let name = images
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let find = |stem: &str| -> Option<PathBuf> {
        [format!("{stem}.gz"), stem.to_string()]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
    };
    if !name.starts_with("train-images-idx3-ubyte") {
        return (None, None);
    }
    let train = find("train-labels-idx1-ubyte");
    let test = find("t10k-images-idx3-ubyte").zip(find("t10k-labels-idx1-ubyte"));
    (train, test)
}
