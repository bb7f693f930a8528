//! Saving and loading an RBM's parameters as a safetensors file, readable by Python's
//! `safetensors` (`safetensors.numpy.load_file`).
//!
//! Tensors, little-endian `F64` and row-major as safetensors stores them:
//! `W` of shape `[n_visible, n_hidden]` (`W[i][j]` couples visible `i` to hidden `j`;
//! scikit-learn's `components_` is its transpose), `visible_bias` `[n_visible]`,
//! `hidden_bias` `[n_hidden]`. Metadata: `format = "attractor.rbm"`, `visible_units`
//! (`"bernoulli"` or `"gaussian"`), `library_version`. Loading also accepts `F32` tensors
//! (widened to f64) and a file without metadata (Bernoulli units assumed), and checks every
//! shape, dtype and value; the safetensors parser allocates nothing beyond the bytes read.

use super::model::{Rbm, VisibleUnits};
use crate::error::{Error, Result};
use faer::Mat;
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use std::collections::HashMap;
use std::path::Path;

/// The `format` metadata value of an RBM file.
pub const RBM_FORMAT: &str = "attractor.rbm";

/// The largest RBM file read: 8 GiB.
const MAX_FILE_BYTES: u64 = 8 << 30;

fn le_bytes(x: impl Iterator<Item = f64>) -> Vec<u8> {
    x.flat_map(f64::to_le_bytes).collect()
}

/// Rewrite the header's `__metadata__` object with its entries in the order given, so that
/// the same model always gives the same bytes: safetensors writes the metadata map in its
/// hash order, which changes from run to run. The entries are the same, so the header keeps
/// its length and the data their offsets; bytes not laid out as expected are returned as they
/// are. The values must need no JSON escaping (ours are fixed identifiers).
pub(crate) fn canonical_metadata(mut bytes: Vec<u8>, entries: &[(&str, &str)]) -> Vec<u8> {
    let Some(n) = bytes
        .get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_le_bytes)
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n <= bytes.len() - 8)
    else {
        return bytes;
    };
    let header = &bytes[8..8 + n];
    let key = b"\"__metadata__\":{";
    let Some(start) = header
        .windows(key.len())
        .position(|w| w == key)
        .map(|p| p + key.len())
    else {
        return bytes;
    };
    let Some(len) = header[start..].iter().position(|&b| b == b'}') else {
        return bytes;
    };
    let body: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("\"{k}\":\"{v}\""))
        .collect();
    let body = body.join(",");
    if body.len() == len {
        bytes[8 + start..8 + start + len].copy_from_slice(body.as_bytes());
    }
    bytes
}

/// The bytes of a model file at `path` (at most 8 GiB, checked before reading) and its name
/// for messages; `format` names the file type in the error for a file too large.
pub(crate) fn read_model_file(path: &Path, format: &str) -> Result<(Vec<u8>, String)> {
    let bytes = crate::input::read_input(path, format, MAX_FILE_BYTES, "8 GiB for a model file")?;
    Ok((bytes, path.display().to_string()))
}

/// The shape and values (widened to f64, each finite) of tensor `name` of a safetensors file;
/// `fmt` makes a format error for the file, `names_hint` says which tensors it should hold.
pub(crate) fn read_tensor(
    st: &SafeTensors<'_>,
    name: &str,
    fmt: &dyn Fn(String) -> Error,
    names_hint: &str,
) -> Result<(Vec<usize>, Vec<f64>)> {
    let t = st.tensor(name).map_err(|_| {
        let mut names = st.names();
        names.sort_unstable();
        fmt(format!(
            "no tensor named {name:?} (the file has {names:?}); {names_hint}"
        ))
    })?;
    let values: Vec<f64> = match t.dtype() {
        Dtype::F64 => t
            .data()
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect(),
        Dtype::F32 => t
            .data()
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        d => {
            return Err(fmt(format!(
                "tensor {name:?} has dtype {d:?}; save it as F64 (or F32)"
            )));
        }
    };
    if let Some(i) = values.iter().position(|x| !x.is_finite()) {
        return Err(fmt(format!(
            "tensor {name:?} holds a non-finite value ({}) at flat index {i}",
            values[i]
        )));
    }
    Ok((t.shape().to_vec(), values))
}

impl Rbm {
    /// The parameters as the bytes of a safetensors file (module docs).
    pub fn to_safetensors_bytes(&self) -> Result<Vec<u8>> {
        let (nv, nh) = (self.n_visible(), self.n_hidden());
        crate::linalg::check_dense_size("RBM file", nv * nh + nv + nh, 1)?;
        let w = le_bytes(
            (0..nv)
                .flat_map(|i| (0..nh).map(move |j| (i, j)))
                .map(|(i, j)| self.w[(i, j)]),
        );
        let a = le_bytes(self.a.iter().copied());
        let b = le_bytes(self.b.iter().copied());
        fn view(shape: Vec<usize>, data: &[u8]) -> Result<TensorView<'_>> {
            TensorView::new(Dtype::F64, shape, data).map_err(|e| {
                Error::Incompatible(format!("cannot build the safetensors tensor: {e}"))
            })
        }
        let tensors = vec![
            ("W", view(vec![nv, nh], &w)?),
            ("hidden_bias", view(vec![nh], &b)?),
            ("visible_bias", view(vec![nv], &a)?),
        ];
        // sorted by key: the header lists them in this order (see `canonical_metadata`)
        let entries = [
            ("format", RBM_FORMAT),
            ("library_version", env!("CARGO_PKG_VERSION")),
            ("visible_units", self.visible.name()),
        ];
        let meta: HashMap<String, String> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let bytes = safetensors::serialize(tensors, Some(meta))
            .map_err(|e| Error::Incompatible(format!("cannot serialise the RBM: {e}")))?;
        Ok(canonical_metadata(bytes, &entries))
    }

    /// Write the parameters to `path` as safetensors, atomically
    /// ([`write_atomic`](crate::output::write_atomic)).
    ///
    /// ```
    /// use attractor::models::rbm::Rbm;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("rbm.safetensors");
    /// let rbm = Rbm::random(5, 3, 0.1, 1)?;
    /// rbm.save_safetensors(&path)?;
    /// assert_eq!(Rbm::load_safetensors(&path)?, rbm);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_safetensors(&self, path: &Path) -> Result<()> {
        let bytes = self.to_safetensors_bytes()?;
        crate::output::write_atomic(path, &bytes)
    }

    /// Read an RBM written by [`save_safetensors`](Self::save_safetensors) (or by Python with
    /// the same tensor names). Every problem is an error naming the file and what is wrong.
    pub fn load_safetensors(path: &Path) -> Result<Rbm> {
        let (bytes, name) = read_model_file(path, "safetensors RBM")?;
        Rbm::from_safetensors_bytes(&bytes, &name)
    }

    /// Parse the bytes of an RBM safetensors file; `name` is used in messages.
    pub fn from_safetensors_bytes(bytes: &[u8], name: &str) -> Result<Rbm> {
        let fmt = |msg: String| Error::Format {
            path: name.to_string(),
            format: "safetensors RBM".into(),
            msg,
        };
        let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| {
            fmt(format!(
                "{e} (the file is corrupt or truncated: {} bytes); write the model again (Rbm::save_safetensors, the estimator's save, or attractor train rbm)",
                bytes.len()
            ))
        })?;
        let st = SafeTensors::deserialize(bytes)
            .map_err(|e| fmt(format!("{e}; the file is corrupt or truncated")))?;
        let meta = metadata.metadata().clone().unwrap_or_default();
        if let Some(f) = meta.get("format")
            && f != RBM_FORMAT
        {
            return Err(fmt(format!(
                "metadata format = {f:?}, expected {RBM_FORMAT:?}: this is not an RBM file"
            )));
        }
        let visible = match meta.get("visible_units") {
            None => VisibleUnits::Bernoulli,
            Some(s) => s.parse::<VisibleUnits>().map_err(|_| {
                fmt(format!(
                    "metadata visible_units = {s:?}; expected \"bernoulli\" or \"gaussian\""
                ))
            })?,
        };
        let read = |tensor: &str| {
            read_tensor(
                &st,
                tensor,
                &fmt,
                "an RBM file has W, visible_bias and hidden_bias",
            )
        };
        let (ws, w) = read("W")?;
        let (nv, nh) = match ws[..] {
            [nv, nh] if nv > 0 && nh > 0 => (nv, nh),
            _ => {
                return Err(fmt(format!(
                    "tensor \"W\" has shape {ws:?}; expected [n_visible, n_hidden] with both at least 1"
                )));
            }
        };
        let (as_, a) = read("visible_bias")?;
        if as_ != [nv] {
            return Err(fmt(format!(
                "tensor \"visible_bias\" has shape {as_:?}; expected [{nv}] (n_visible, the rows of W)"
            )));
        }
        let (bs, b) = read("hidden_bias")?;
        if bs != [nh] {
            return Err(fmt(format!(
                "tensor \"hidden_bias\" has shape {bs:?}; expected [{nh}] (n_hidden, the columns of W)"
            )));
        }
        let w = Mat::from_fn(nv, nh, |i, j| w[i * nh + j]);
        Rbm::new(w, a, b, visible)
    }
}
