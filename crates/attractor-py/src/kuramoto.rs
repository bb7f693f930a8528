//! Kuramoto ring memories for Python (Guo, Ogranovich, …, Bullo & Pasqualetti,
//! arXiv:2504.03102): a ring of `n` oscillators `θ̇_i = sin(θ_{i+1} − θ_i) + sin(θ_{i−1} − θ_i)`
//! whose stable twisted states `θ_i = 2πqi/n`, `4|q| < n`, are its memories; the flow runs on
//! the library's loop (see `HopfieldNetwork.run` for the options).

use crate::arrays::vector;
use crate::dynamics::{field_rows, run_with_kwargs};
use crate::errors::err;
use attractor::models::KuramotoRing as RsRing;
use numpy::{PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A ring of `n ≥ 3` identical, nearest-neighbour coupled phase oscillators.
#[pyclass(name = "KuramotoRing", module = "attractor._attractor", frozen)]
pub(crate) struct PyKuramotoRing {
    ring: RsRing,
}

#[pymethods]
impl PyKuramotoRing {
    #[new]
    fn new(n: usize) -> PyResult<Self> {
        Ok(Self {
            ring: RsRing::new(n).map_err(err)?,
        })
    }
    #[getter]
    fn n(&self) -> usize {
        self.ring.n()
    }
    /// Every winding number `q ∈ (−n/2, n/2]`.
    fn twists(&self) -> Vec<i64> {
        self.ring.twists()
    }
    /// The winding numbers of the stable twisted states (`4|q| < n`).
    fn stable_twists(&self) -> Vec<i64> {
        self.ring.stable_twists()
    }
    /// The twisted state `θ_i = 2πqi/n`.
    fn twisted_state<'py>(&self, py: Python<'py>, q: i64) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_vec(py, self.ring.twisted_state(q))
    }
    /// The Jacobian's eigenvalues at the twisted state `q`,
    /// `λ_k = −2 cos(2πq/n)(1 − cos(2πk/n))`.
    fn twisted_eigenvalues<'py>(&self, py: Python<'py>, q: i64) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_vec(py, self.ring.twisted_eigenvalues(q))
    }
    /// Whether the twisted state `q` is stable.
    fn is_stable_twist(&self, q: i64) -> bool {
        self.ring.is_stable_twist(q)
    }
    /// The winding number of a phase vector.
    #[staticmethod]
    fn winding_number(theta: &Bound<'_, PyAny>) -> PyResult<i64> {
        let t = vector(theta, "theta", "(n,) phases")?;
        Ok(RsRing::winding_number(&t.as_array().to_vec()))
    }
    /// The vector field at every row of `theta`.
    fn field<'py>(
        &self,
        py: Python<'py>,
        theta: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        field_rows(py, self.ring, &theta, 0.0)
    }
    /// Integrate from `theta0` (the options of `HopfieldNetwork.run`); the energy traced is
    /// `−Σ_i cos(θ_{i+1} − θ_i)`.
    #[pyo3(signature = (theta0, **options))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        theta0: &Bound<'py, PyAny>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let t = vector(theta0, "theta0", "(n,) phases")?.as_array().to_vec();
        let ring = self.ring;
        run_with_kwargs(py, move || ring, t, options)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyKuramotoRing>()
}
