//! The constrained-optimisation networks for Python, each a flow run on the library's loop
//! (see `HopfieldNetwork.run` for the options): the box-constrained QP
//! `min ½xᵀWx + cᵀx s.t. lo ≤ x ≤ hi` as the proximal network `τẋ = −x + clip(x − γ(Wx + c))`
//! (Gokhale, Davydov & Bullo, arXiv:2409.10664), and the equality-constrained LASSO
//! `min ½xᵀWx + λ‖x‖₁ s.t. Ax = b` as PI-PGD, proximal gradient dynamics with a
//! proportional–integral controller on the multipliers (Centorrino, Rossi, Russo & Bullo,
//! arXiv:2503.15093).

use crate::arrays::{matrix, vector};
use crate::dynamics::{field_rows, run_with_kwargs};
use crate::errors::err;
use attractor::models::{BoxQp as RsBoxQp, PiPgd as RsPiPgd, PiPgdParams};
use faer::Mat;
use numpy::{PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

fn square(a: &Bound<'_, PyAny>, what: &str, layout: &str) -> PyResult<Mat<f64>> {
    let m = matrix(a, what, layout)?;
    let v = m.as_array();
    Ok(Mat::from_fn(v.nrows(), v.ncols(), |i, j| v[[i, j]]))
}

fn vec_of(a: &Bound<'_, PyAny>, what: &str, layout: &str) -> PyResult<Vec<f64>> {
    Ok(vector(a, what, layout)?.as_array().to_vec())
}

/// The box-constrained quadratic program as a proximal (projected) network.
#[pyclass(name = "BoxQP", module = "attractor._attractor", frozen)]
pub(crate) struct PyBoxQp {
    qp: RsBoxQp,
}

#[pymethods]
impl PyBoxQp {
    #[new]
    #[pyo3(signature = (weights, linear, lower, upper, gamma=None, tau=1.0))]
    fn new(
        weights: &Bound<'_, PyAny>,
        linear: &Bound<'_, PyAny>,
        lower: &Bound<'_, PyAny>,
        upper: &Bound<'_, PyAny>,
        gamma: Option<f64>,
        tau: f64,
    ) -> PyResult<Self> {
        let mut qp = RsBoxQp::new(
            square(
                weights,
                "weights",
                "(n, n), symmetric positive semidefinite",
            )?,
            vec_of(linear, "linear", "(n,)")?,
            vec_of(lower, "lower", "(n,)")?,
            vec_of(upper, "upper", "(n,)")?,
        )
        .map_err(err)?;
        if let Some(g) = gamma {
            qp = qp.with_gamma(g).map_err(err)?;
        }
        Ok(Self {
            qp: qp.with_tau(tau).map_err(err)?,
        })
    }
    #[getter]
    fn dim(&self) -> usize {
        self.qp.dim()
    }
    #[getter]
    fn gamma(&self) -> f64 {
        self.qp.gamma()
    }
    /// The contraction rate of the network, when `W ≻ 0` (else `None`).
    fn contraction_rate(&self) -> Option<f64> {
        self.qp.contraction_rate()
    }
    /// `½xᵀWx + cᵀx` at `x`.
    fn objective(&self, x: &Bound<'_, PyAny>) -> PyResult<f64> {
        self.qp.objective(&vec_of(x, "x", "(n,)")?).map_err(err)
    }
    /// The fixed-point residual `‖x − clip(x − γ(Wx + c))‖` (0 exactly at the minimisers).
    fn kkt_residual(&self, x: &Bound<'_, PyAny>) -> PyResult<f64> {
        self.qp.kkt_residual(&vec_of(x, "x", "(n,)")?).map_err(err)
    }
    /// The vector field at every row of `x`.
    fn field<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        field_rows(py, self.qp.flow(), &x, 0.0)
    }
    /// Integrate from `x0` (the options of `HopfieldNetwork.run`); the energy traced is the
    /// objective.
    #[pyo3(signature = (x0, **options))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        x0: &Bound<'py, PyAny>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let x = vec_of(x0, "x0", "(n,)")?;
        run_with_kwargs(py, || self.qp.flow(), x, options)
    }
}

/// The equality-constrained LASSO solved by PI-PGD on the state `z = (x, ξ)`.
#[pyclass(name = "PiPgd", module = "attractor._attractor", frozen)]
pub(crate) struct PyPiPgd {
    p: RsPiPgd,
}

#[pymethods]
impl PyPiPgd {
    #[new]
    #[pyo3(signature = (weights, a, b, lam=1.0, k_p=20.0, k_i=20.0, gamma=None))]
    fn new(
        weights: &Bound<'_, PyAny>,
        a: &Bound<'_, PyAny>,
        b: &Bound<'_, PyAny>,
        lam: f64,
        k_p: f64,
        k_i: f64,
        gamma: Option<f64>,
    ) -> PyResult<Self> {
        let params = PiPgdParams {
            lambda: lam,
            k_p,
            k_i,
            gamma,
        };
        let p = RsPiPgd::new(
            square(
                weights,
                "weights",
                "(n, n), symmetric positive semidefinite",
            )?,
            square(a, "A", "(m, n), of full row rank")?,
            vec_of(b, "b", "(m,)")?,
            params,
        )
        .map_err(err)?;
        Ok(Self { p })
    }
    #[getter]
    fn n_vars(&self) -> usize {
        self.p.n_vars()
    }
    #[getter]
    fn n_constraints(&self) -> usize {
        self.p.n_constraints()
    }
    #[getter]
    fn dim(&self) -> usize {
        self.p.dim()
    }
    /// `(x, ν)` of a state `z = (x, ξ)`: the variables and the multipliers.
    #[allow(clippy::type_complexity)]
    fn split<'py>(
        &self,
        py: Python<'py>,
        z: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>)> {
        let (x, nu) = self.p.split(&vec_of(z, "z", "(n + m,)")?).map_err(err)?;
        Ok((PyArray1::from_vec(py, x), PyArray1::from_vec(py, nu)))
    }
    /// `‖Ax − b‖` at the state `z`.
    fn constraint_residual(&self, z: &Bound<'_, PyAny>) -> PyResult<f64> {
        self.p
            .constraint_residual(&vec_of(z, "z", "(n + m,)")?)
            .map_err(err)
    }
    /// The KKT residual at the state `z` (0 exactly at the solutions).
    fn kkt_residual(&self, z: &Bound<'_, PyAny>) -> PyResult<f64> {
        self.p
            .kkt_residual(&vec_of(z, "z", "(n + m,)")?)
            .map_err(err)
    }
    /// `½xᵀWx + λ‖x‖₁` at `x`.
    fn objective(&self, x: &Bound<'_, PyAny>) -> PyResult<f64> {
        self.p.objective(&vec_of(x, "x", "(n,)")?).map_err(err)
    }
    /// The vector field at every row of `z`.
    fn field<'py>(
        &self,
        py: Python<'py>,
        z: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        field_rows(py, self.p.flow(), &z, 0.0)
    }
    /// Integrate from `z0 = (x0, ξ0)` (the options of `HopfieldNetwork.run`).
    #[pyo3(signature = (z0, **options))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        z0: &Bound<'py, PyAny>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let z = vec_of(z0, "z0", "(n + m,)")?;
        run_with_kwargs(py, || self.p.flow(), z, options)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBoxQp>()?;
    m.add_class::<PyPiPgd>()
}
