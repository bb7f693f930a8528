//! Images as training data: read from an MNIST directory, an IDX file or a `.npy` array,
//! scaled to `[0, 1]`, one sample per column (the layout of the RBM and its trainer), and
//! prepared for binary units (binarised) or real units (standardised per pixel).

use super::idx::read_idx_items;
use super::image_patterns::image_shape;
use super::npy::read_npy;
use crate::error::{Error, Result};
use faer::Mat;
use std::path::{Path, PathBuf};

/// The file names an MNIST directory keeps its training images under, tried in this order.
pub const MNIST_TRAIN_IMAGES: [&str; 3] = [
    "train-images-idx3-ubyte.gz",
    "train-images-idx3-ubyte",
    "train-images.idx3-ubyte",
];

/// Images scaled to `[0, 1]`, one per column.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageData {
    /// `n_pixels × n_images`.
    pub data: Mat<f64>,
    /// Image height (1 for vectors that are not square images).
    pub height: usize,
    /// Image width.
    pub width: usize,
    /// The file read.
    pub source: PathBuf,
}

/// The values of an image file as read: IDX bytes stay bytes until the matrix is built (an
/// f64 copy of MNIST is 376 MB).
enum Values {
    Bytes(Vec<u8>),
    F64(Vec<f64>),
}

/// The training-image file of `path`: `path` itself, or in a directory the first of
/// [`MNIST_TRAIN_IMAGES`] that exists.
pub fn resolve_images(path: &Path) -> Result<PathBuf> {
    if !path.is_dir() {
        return Ok(path.to_path_buf());
    }
    MNIST_TRAIN_IMAGES
        .iter()
        .map(|n| path.join(n))
        .find(|p| p.is_file())
        .ok_or_else(|| Error::Io {
            path: path.display().to_string(),
            msg: format!(
                "a directory, but none of {} is in it; name the image file itself",
                MNIST_TRAIN_IMAGES.join(", ")
            ),
        })
}

/// Refuse a NaN or infinite value among images of `shape` (read from `shown`), naming its
/// image and pixel: one `inf` would otherwise scale every image to zero, and a NaN would be
/// binarised as if it were a pixel.
fn check_finite_images(values: &[f64], shape: &[usize], shown: &str) -> Result<()> {
    let Some(index) = values.iter().position(|v| !v.is_finite()) else {
        return Ok(());
    };
    let per_image: usize = shape.iter().skip(1).product::<usize>().max(1);
    Err(Error::NonFinite {
        what: format!(
            "{shown} (image {}, pixel {})",
            index / per_image,
            index % per_image
        ),
        index,
        value: values[index],
    })
}

impl ImageData {
    /// The first `count` images (all when `None`) of `path` ([`resolve_images`]): an IDX file
    /// (`.gz` or plain; bytes scaled by 1/255) or a `.npy` array of shape `n × pixels` or
    /// `n × height × width` (non-negative values, scaled by the largest kept). Memory: the file
    /// as read plus the `f64` matrix.
    pub fn read(path: &Path, count: Option<usize>) -> Result<Self> {
        let file = resolve_images(path)?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let shown = file.display().to_string();
        let (shape, values) = if name.ends_with(".npy") || name.ends_with(".npy.gz") {
            let a = read_npy(&file)?;
            check_finite_images(&a.data, &a.shape, &shown)?;
            if let Some(v) = a.data.iter().find(|v| **v < 0.0) {
                return Err(Error::invalid(
                    "image value",
                    crate::format_number(*v),
                    &format!(
                        "{shown} holds a negative value, but images are non-negative intensities; scale the data to [0, 1]"
                    ),
                ));
            }
            (a.shape, Values::F64(a.data))
        } else {
            // decode only the images asked for
            let a = read_idx_items(&file, count)?;
            (a.dims, Values::Bytes(a.data))
        };
        let bad_shape = |why: &str| {
            Error::invalid(
                "image array shape",
                format!("{shape:?} in {shown}"),
                &format!("expected n_images x n_pixels or n_images x height x width ({why})"),
            )
        };
        let (k_all, n, height, width) = match shape.as_slice() {
            [k, n] => {
                let (h, w) = image_shape(*n);
                (*k, *n, h, w)
            }
            [k, h, w] => match h.checked_mul(*w) {
                Some(n) => (*k, n, *h, *w),
                None => return Err(bad_shape("height x width overflows")),
            },
            _ => return Err(bad_shape("wrong number of dimensions")),
        };
        if k_all == 0 || n == 0 {
            return Err(bad_shape("it holds no images"));
        }
        let k = match count {
            None => k_all,
            Some(0) => return Err(Error::invalid("count", 0, "read at least one image")),
            Some(c) if c > k_all => {
                return Err(Error::invalid(
                    "count",
                    c,
                    &format!("{shown} holds only {k_all} images"),
                ));
            }
            Some(c) => c,
        };
        let mut data = crate::memory::try_zeros(
            "images as f64 (n_pixels x n_images)",
            n,
            k,
            "read fewer images (--count) or smaller ones",
        )?;
        // C-order k × n is column-major n × k: one image per column
        match &values {
            Values::Bytes(b) => {
                for s in 0..k {
                    for (i, x) in data.col_mut(s).iter_mut().enumerate() {
                        *x = f64::from(b[s * n + i]) / 255.0;
                    }
                }
            }
            Values::F64(v) => {
                let max = v[..k * n].iter().fold(0.0f64, |m, x| m.max(*x));
                let scale = if max > 0.0 { 1.0 / max } else { 1.0 };
                for s in 0..k {
                    for (i, x) in data.col_mut(s).iter_mut().enumerate() {
                        *x = v[s * n + i] * scale;
                    }
                }
            }
        }
        Ok(Self {
            data,
            height,
            width,
            source: file,
        })
    }

    /// The number of images.
    pub fn n_images(&self) -> usize {
        self.data.ncols()
    }

    /// Pixels above `threshold` to 1, the others to 0 (for Bernoulli units).
    pub fn binarize(&mut self, threshold: f64) -> Result<()> {
        if !(threshold.is_finite() && (0.0..1.0).contains(&threshold)) {
            return Err(Error::invalid(
                "threshold",
                threshold,
                "the binarisation threshold applies to values scaled to [0, 1]; give a number in [0, 1) such as 0.5",
            ));
        }
        for c in self.data.as_mut().col_iter_mut() {
            for x in c.iter_mut() {
                *x = if *x > threshold { 1.0 } else { 0.0 };
            }
        }
        Ok(())
    }

    /// Each pixel (row) to mean 0 and standard deviation 1 over the images (constant pixels
    /// to 0), for Gaussian units of unit variance.
    pub fn standardize(&mut self) {
        let d = &mut self.data;
        let n = d.ncols() as f64;
        for i in 0..d.nrows() {
            let mean = (0..d.ncols()).map(|s| d[(i, s)]).sum::<f64>() / n;
            let var = (0..d.ncols())
                .map(|s| (d[(i, s)] - mean).powi(2))
                .sum::<f64>()
                / n;
            let inv = if var > 1e-12 { var.sqrt().recip() } else { 0.0 };
            for s in 0..d.ncols() {
                d[(i, s)] = (d[(i, s)] - mean) * inv;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scales_binarizes_and_standardizes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.npy");
        // 3 images of 2 x 2
        let v = [0.0, 2.0, 4.0, 1.0, 4.0, 4.0, 0.0, 3.0, 2.0, 0.0, 4.0, 1.0];
        std::fs::write(&p, crate::problems::npy_bytes(&[3, 2, 2], &v).unwrap()).unwrap();
        let mut im = ImageData::read(&p, Some(2)).unwrap();
        assert_eq!((im.height, im.width, im.n_images()), (2, 2, 2));
        // image 1 is column 1, scaled by the largest kept value (4)
        assert_eq!(im.data[(1, 1)], 1.0);
        assert_eq!(im.data[(3, 1)], 0.75);
        let mut std = im.clone();
        im.binarize(0.5).unwrap();
        assert_eq!(im.data[(3, 1)], 1.0);
        assert_eq!(im.data[(1, 0)], 0.0);
        std.standardize();
        for i in 0..4 {
            let m = (std.data[(i, 0)] + std.data[(i, 1)]) / 2.0;
            assert!(m.abs() < 1e-15);
        }
        assert!(
            ImageData::read(&p, Some(4))
                .unwrap_err()
                .to_string()
                .contains("holds only 3")
        );
        assert!(im.binarize(1.0).is_err());
        let neg = dir.path().join("n.npy");
        std::fs::write(
            &neg,
            crate::problems::npy_bytes(&[1, 2], &[1.0, -0.5]).unwrap(),
        )
        .unwrap();
        let e = ImageData::read(&neg, None).unwrap_err().to_string();
        assert!(e.contains("-0.5") && e.contains("non-negative"), "{e}");
        let e = ImageData::read(dir.path(), None).unwrap_err().to_string();
        assert!(e.contains("train-images-idx3-ubyte.gz"), "{e}");
    }
}
