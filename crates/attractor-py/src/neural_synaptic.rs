//! Neural–synaptic networks (`attractor::models::neural_synaptic`) for Python: the network
//! built from names and arrays, its trajectory on the library's run loop (with the interpreter
//! lock released, Ctrl-C raising the run's interrupt) and its contraction certificate as a
//! dictionary. No numerics here.

use crate::arrays::{data, matrix, vector};
use crate::errors::{bad, err};
use crate::long_call::long_call;
use attractor::models::{NeuralSynapticNetwork, SynapseMask, SynapticParams, SynapticTrajectory};
use attractor::run::{Interrupt, Run};
use attractor::step::{Dopri5, Rk4};
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A network of `n` neurons (Hopfield or firing-rate form) whose synapses on a mask learn by
/// a Hebbian, anti-Hebbian or Oja rule on a slower time scale.
#[pyclass(
    name = "NeuralSynapticNetwork",
    module = "attractor._attractor",
    frozen
)]
pub(crate) struct PyNeuralSynaptic {
    net: NeuralSynapticNetwork,
}

#[pymethods]
impl PyNeuralSynaptic {
    #[new]
    #[pyo3(signature = (n, activation="tanh", rule="hebbian", form="hopfield", tau=1.0,
        neural_decay=1.0, gain=0.1, synaptic_decay=1.0, epsilon=0.1, mask=None, u=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        n: i64,
        activation: &str,
        rule: &str,
        form: &str,
        tau: f64,
        neural_decay: f64,
        gain: f64,
        synaptic_decay: f64,
        epsilon: f64,
        mask: Option<&Bound<'_, PyAny>>,
        u: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let n = usize::try_from(n).map_err(|_| {
            bad(format!(
                "n = {n}: give the number of neurons, a whole number >= 1"
            ))
        })?;
        let params = SynapticParams {
            form: form.parse().map_err(err)?,
            activation: activation.parse().map_err(err)?,
            tau,
            neural_decay,
            rule: rule.parse().map_err(err)?,
            gain,
            synaptic_decay,
            epsilon,
        };
        let mask = match mask {
            None => SynapseMask::all_to_all(n).map_err(err)?,
            Some(m) => {
                let a = matrix(
                    m,
                    "mask",
                    "(n, n) of 0/1 or booleans, row i = postsynaptic neuron",
                )?;
                let (r, c) = a.as_array().dim();
                if (r, c) != (n, n) {
                    return Err(bad(format!(
                        "mask: expected shape ({n}, {n}) (row i = postsynaptic neuron i), got ({r}, {c})"
                    )));
                }
                let present: Vec<bool> = data(&a)?.iter().map(|&v| v != 0.0).collect();
                SynapseMask::from_dense(n, &present).map_err(err)?
            }
        };
        let mut net = NeuralSynapticNetwork::new(mask, params).map_err(err)?;
        if let Some(u) = u {
            let v = vector(u, "u", "(n,)")?;
            net = net.with_input(v.as_array().to_vec()).map_err(err)?;
        }
        Ok(Self { net })
    }

    #[getter]
    fn n_neurons(&self) -> usize {
        self.net.n_neurons()
    }
    #[getter]
    fn n_synapses(&self) -> usize {
        self.net.n_synapses()
    }
    /// The synapses as an `(m, 2)` array of `(post, pre)` in the order of `w`.
    fn edges<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        let flat: Vec<i64> = self
            .net
            .mask()
            .edges()
            .flat_map(|(i, j)| [i as i64, j as i64])
            .collect();
        PyArray1::from_vec(py, flat).reshape([self.net.n_synapses(), 2])
    }

    /// The contraction certificate as a dictionary.
    fn certificate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = self.net.certificate().map_err(err)?;
        let d = PyDict::new(py);
        d.set_item("rate", c.rate)?;
        d.set_item("contracting", c.contracting)?;
        d.set_item("gains", c.gains.map(|r| r.to_vec()).to_vec())?;
        d.set_item("norm_weights", c.norm_weights.to_vec())?;
        d.set_item("activity_bound", c.activity_bound)?;
        d.set_item("weight_bound", c.weight_bound)?;
        d.set_item("max_in_degree", c.max_in_degree)?;
        d.set_item("lipschitz", c.lipschitz)?;
        d.set_item("criterion", c.criterion)?;
        Ok(d)
    }

    /// Integrate from `(x0, w0)` to `t_end` with step `dt` (RK4, or Dopri5 with `rtol`,
    /// `atol`), keeping the state every `every` steps.
    #[pyo3(signature = (x0, w0, t_end, dt=0.01, every=1, stepper="rk4", rtol=1e-8, atol=1e-10))]
    #[allow(clippy::too_many_arguments)]
    fn simulate<'py>(
        &self,
        py: Python<'py>,
        x0: &Bound<'py, PyAny>,
        w0: &Bound<'py, PyAny>,
        t_end: f64,
        dt: f64,
        every: i64,
        stepper: &str,
        rtol: f64,
        atol: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let x = vector(x0, "x0", "(n,)")?;
        let w = vector(w0, "w0", "(n_synapses,)")?;
        let z0 = self
            .net
            .join(&x.as_array().to_vec(), &w.as_array().to_vec())
            .map_err(err)?;
        let every = usize::try_from(every).map_err(|_| {
            bad(format!(
                "every = {every}: keep the state every k >= 1 steps"
            ))
        })?;
        let stop = Interrupt::new();
        let run = Run::new(dt)
            .map_err(err)?
            .t_end(t_end)
            .map_err(err)?
            .interrupt(stop.clone());
        let stepper = stepper.to_ascii_lowercase();
        let net = &self.net;
        let path = long_call(
            py,
            "simulation",
            &stop,
            move || -> attractor::Result<SynapticTrajectory> {
                match stepper.as_str() {
                    "rk4" => net.trajectory(&run, &mut Rk4::new(), &z0, every),
                    "dopri5" => net.trajectory(&run, &mut Dopri5::new(rtol, atol)?, &z0, every),
                    other => Err(attractor::Error::invalid(
                        "stepper",
                        other,
                        "use rk4 or dopri5",
                    )),
                }
            },
        )?;
        let (n, m, k) = (net.n_neurons(), net.n_synapses(), path.t.len());
        let mut xs = Vec::with_capacity(k * n);
        let mut ws = Vec::with_capacity(k * m);
        for i in 0..k {
            xs.extend_from_slice(path.neurons(i));
            ws.extend_from_slice(path.synapses(i));
        }
        let d = PyDict::new(py);
        d.set_item("t", PyArray1::from_vec(py, path.t.clone()))?;
        d.set_item("x", PyArray1::from_vec(py, xs).reshape([k, n])?)?;
        d.set_item("w", PyArray1::from_vec(py, ws).reshape([k, m])?)?;
        d.set_item("status", path.solution.status.name())?;
        d.set_item("message", path.solution.message())?;
        d.set_item("n_steps", path.solution.n_steps)?;
        Ok(d)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNeuralSynaptic>()?;
    Ok(())
}
