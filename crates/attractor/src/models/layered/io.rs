//! Saving and loading layered networks as safetensors files (readable by Python's
//! `safetensors.numpy.load_file`): tensors `W0 … W{L−1}` of shape `[d_k, d_{k+1}]` (row-major,
//! little-endian F64) and `b1 … bL` of shape `[d_k]` — the [`LayerParams`] every layered
//! family shares — with metadata `format` (`"attractor.layered"` for a [`LayeredNetwork`], with
//! its `activation`; `"attractor.oscillator-network"` for an [`OscillatorNetwork`], whose
//! biases are the fields `h_k`) and `library_version`. Loading accepts F32 too and checks the
//! format, every name, shape and value.

use super::{LayerActivation, LayerParams, LayeredNetwork};
use crate::error::{Error, Result};
use crate::models::oscillator_network::OscillatorNetwork;
use crate::models::rbm::io::{canonical_metadata, read_model_file, read_tensor};
use faer::Mat;
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use std::collections::HashMap;
use std::path::Path;

/// The `format` metadata value of a layered-network file.
pub const LAYERED_FORMAT: &str = "attractor.layered";
/// The `format` metadata value of an oscillator-network file.
pub const OSCILLATOR_NETWORK_FORMAT: &str = "attractor.oscillator-network";

impl LayerParams {
    /// The parameters as the bytes of a safetensors file with metadata `format` and the
    /// `extra` entries (besides `library_version`).
    pub fn to_safetensors_bytes(&self, format: &str, extra: &[(&str, &str)]) -> Result<Vec<u8>> {
        let l = self.n_layers();
        let mut bufs: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
        for k in 0..l {
            let w = self.weight(k);
            let bytes: Vec<u8> = (0..w.nrows())
                .flat_map(|i| (0..w.ncols()).map(move |j| (i, j)))
                .flat_map(|(i, j)| w[(i, j)].to_le_bytes())
                .collect();
            bufs.push((format!("W{k}"), vec![w.nrows(), w.ncols()], bytes));
            let b: Vec<u8> = self
                .bias(k + 1)
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            bufs.push((format!("b{}", k + 1), vec![self.sizes()[k + 1]], b));
        }
        let mut tensors = Vec::with_capacity(bufs.len());
        for (name, shape, data) in &bufs {
            let v = TensorView::new(Dtype::F64, shape.clone(), data).map_err(|e| {
                Error::Incompatible(format!("cannot build the safetensors tensor: {e}"))
            })?;
            tensors.push((name.clone(), v));
        }
        let mut entries: Vec<(&str, &str)> = extra.to_vec();
        entries.push(("format", format));
        entries.push(("library_version", env!("CARGO_PKG_VERSION")));
        entries.sort();
        let meta: HashMap<String, String> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let bytes = safetensors::serialize(tensors, Some(meta))
            .map_err(|e| Error::Incompatible(format!("cannot serialise the network: {e}")))?;
        Ok(canonical_metadata(bytes, &entries))
    }

    /// Parse the bytes of a safetensors file written by
    /// [`to_safetensors_bytes`](Self::to_safetensors_bytes) with metadata `format`: the
    /// parameters and the file's metadata. `name` names the file and `what` its kind in
    /// messages.
    pub fn from_safetensors_bytes(
        bytes: &[u8],
        name: &str,
        format: &str,
        what: &str,
    ) -> Result<(Self, HashMap<String, String>)> {
        let fmt = |msg: String| Error::Format {
            path: name.to_string(),
            format: what.to_string(),
            msg,
        };
        let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| {
            fmt(format!(
                "{e} (the file is corrupt or truncated: {} bytes)",
                bytes.len()
            ))
        })?;
        let st = SafeTensors::deserialize(bytes)
            .map_err(|e| fmt(format!("{e}; the file is corrupt or truncated")))?;
        let meta = metadata.metadata().clone().unwrap_or_default();
        if meta.get("format").map(String::as_str) != Some(format) {
            return Err(fmt(format!(
                "metadata format = {:?}, expected {format:?}: this is not a {what} file",
                meta.get("format")
            )));
        }
        let read = |tensor: &str| {
            read_tensor(&st, tensor, &fmt, "a layered network has W0, b1, W1, b2, …")
        };
        let n_weights = st.names().iter().filter(|n| n.starts_with('W')).count();
        if n_weights == 0 {
            return Err(fmt("no weight tensors (W0, W1, …)".into()));
        }
        let mut weights = Vec::with_capacity(n_weights);
        let mut biases = Vec::with_capacity(n_weights);
        for k in 0..n_weights {
            let (ws, w) = read(&format!("W{k}"))?;
            let [r, c] = ws[..] else {
                return Err(fmt(format!(
                    "tensor W{k} has shape {ws:?}; expected two dimensions"
                )));
            };
            weights.push(Mat::from_fn(r, c, |i, j| w[i * c + j]));
            let (bs, b) = read(&format!("b{}", k + 1))?;
            if bs != [c] {
                return Err(fmt(format!(
                    "tensor b{} has shape {bs:?}; expected [{c}] (the columns of W{k})",
                    k + 1
                )));
            }
            biases.push(Mat::from_fn(c, 1, |i, _| b[i]));
        }
        let params = LayerParams::from_parts(weights, biases).map_err(|e| fmt(e.to_string()))?;
        Ok((params, meta))
    }
}

impl LayeredNetwork {
    /// The parameters as the bytes of a safetensors file (module docs).
    pub fn to_safetensors_bytes(&self) -> Result<Vec<u8>> {
        self.layers()
            .to_safetensors_bytes(LAYERED_FORMAT, &[("activation", self.activation().name())])
    }

    /// Write the parameters to `path` atomically ([`write_atomic`](crate::output::write_atomic)).
    ///
    /// ```
    /// use attractor::models::layered::{LayerActivation, LayeredNetwork};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("net.safetensors");
    /// let net = LayeredNetwork::random(&[6, 5, 3], LayerActivation::HardSigmoid, 1)?;
    /// net.save_safetensors(&path)?;
    /// assert_eq!(LayeredNetwork::load_safetensors(&path)?, net);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_safetensors(&self, path: &Path) -> Result<()> {
        crate::output::write_atomic(path, &self.to_safetensors_bytes()?)
    }

    /// Read a network written by [`save_safetensors`](Self::save_safetensors).
    pub fn load_safetensors(path: &Path) -> Result<Self> {
        let (bytes, name) = read_model_file(path, "safetensors layered network")?;
        Self::from_safetensors_bytes(&bytes, &name)
    }

    /// Parse the bytes of a layered-network safetensors file; `name` is used in messages.
    pub fn from_safetensors_bytes(bytes: &[u8], name: &str) -> Result<Self> {
        let what = "safetensors layered network";
        let fmt = |msg: String| Error::Format {
            path: name.to_string(),
            format: what.into(),
            msg,
        };
        let (params, meta) =
            LayerParams::from_safetensors_bytes(bytes, name, LAYERED_FORMAT, what)?;
        let activation: LayerActivation = meta
            .get("activation")
            .ok_or_else(|| fmt("no activation in the metadata".into()))?
            .parse()
            .map_err(|e: Error| fmt(e.to_string()))?;
        LayeredNetwork::from_params(params, activation).map_err(|e| fmt(e.to_string()))
    }
}

impl OscillatorNetwork {
    /// The couplings and bias fields as the bytes of a safetensors file (module docs).
    pub fn to_safetensors_bytes(&self) -> Result<Vec<u8>> {
        self.layers()
            .to_safetensors_bytes(OSCILLATOR_NETWORK_FORMAT, &[])
    }

    /// Write the network to `path` atomically ([`write_atomic`](crate::output::write_atomic)).
    ///
    /// ```
    /// use attractor::models::OscillatorNetwork;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("osc.safetensors");
    /// let net = OscillatorNetwork::random(&[6, 5, 3], 1)?;
    /// net.save_safetensors(&path)?;
    /// assert_eq!(OscillatorNetwork::load_safetensors(&path)?, net);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_safetensors(&self, path: &Path) -> Result<()> {
        crate::output::write_atomic(path, &self.to_safetensors_bytes()?)
    }

    /// Read a network written by [`save_safetensors`](Self::save_safetensors).
    pub fn load_safetensors(path: &Path) -> Result<Self> {
        let what = "safetensors oscillator network";
        let (bytes, name) = read_model_file(path, what)?;
        Self::from_safetensors_bytes(&bytes, &name)
    }

    /// Parse the bytes of an oscillator-network safetensors file; `name` is used in messages.
    pub fn from_safetensors_bytes(bytes: &[u8], name: &str) -> Result<Self> {
        let what = "safetensors oscillator network";
        let (params, _) =
            LayerParams::from_safetensors_bytes(bytes, name, OSCILLATOR_NETWORK_FORMAT, what)?;
        Ok(Self::from_params(params))
    }
}
