//! The file readers for Python: G-set and edge-list graphs, QUBO files, `.npy` arrays and
//! IDX files (MNIST), each returning plain arrays (0-based indices).

use crate::errors::err;
use numpy::PyArray1;
use pyo3::prelude::*;

type Triplets<'py> = (
    usize,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
);

fn triplets<'py>(py: Python<'py>, n: usize, t: &[(u32, u32, f64)]) -> Triplets<'py> {
    (
        n,
        PyArray1::from_vec(py, t.iter().map(|e| i64::from(e.0)).collect()),
        PyArray1::from_vec(py, t.iter().map(|e| i64::from(e.1)).collect()),
        PyArray1::from_vec(py, t.iter().map(|e| e.2).collect()),
    )
}

/// Read a graph file (`format`: `rudy` for G-set, or `edges` for a 0-based edge list):
/// `(n, i, j, w)` with 0-based vertex indices.
#[pyfunction]
#[pyo3(signature = (path, format="rudy"))]
fn read_graph<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    format: &str,
) -> PyResult<Triplets<'py>> {
    let f: attractor::problems::formats::GraphFormat = format.parse().map_err(err)?;
    let g = f.read(&path).map_err(err)?;
    Ok(triplets(py, g.n, &g.edges))
}

/// Read a QUBO file (header `n m`, then `i j Q_ij`, 1-based): `(n, i, j, Q, offset)`, 0-based,
/// each pair once (`i ≤ j`).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn read_qubo<'py>(py: Python<'py>, path: std::path::PathBuf) -> PyResult<(Triplets<'py>, f64)> {
    let text = attractor::problems::read_text(&path).map_err(err)?;
    let q = attractor::problems::parse_qubo(&text, &path.display().to_string()).map_err(err)?;
    Ok((triplets(py, q.n(), q.terms()), q.offset()))
}

/// Read a `.npy` array of numbers as float64: `(shape, flat data in C order)`.
#[pyfunction]
fn read_npy<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
) -> PyResult<(Vec<usize>, Bound<'py, PyArray1<f64>>)> {
    let a = attractor::problems::read_npy(&path).map_err(err)?;
    Ok((a.shape, PyArray1::from_vec(py, a.data)))
}

/// Read an IDX file (MNIST; gzipped or not): `(dims, flat uint8 data)`.
#[pyfunction]
fn read_idx<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
) -> PyResult<(Vec<usize>, Bound<'py, PyArray1<u8>>)> {
    let a = attractor::problems::read_idx(&path).map_err(err)?;
    Ok((a.dims, PyArray1::from_vec(py, a.data)))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_graph, m)?)?;
    m.add_function(wrap_pyfunction!(read_qubo, m)?)?;
    m.add_function(wrap_pyfunction!(read_npy, m)?)?;
    m.add_function(wrap_pyfunction!(read_idx, m)?)
}
