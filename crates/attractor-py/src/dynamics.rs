//! The continuous-time networks for Python: the Hopfield network `τẋ = −Dx + WΦ(x) + b`
//! (Hopfield 1984) and the firing-rate network `τṙ = −r + Φ(Wr + u)`, their vector fields and
//! energies at given states, and runs on the library's loop ([`run_ode`]) that return the final
//! state, the energy trace and, on request, the states along the trajectory.

use crate::arrays::{mat, time_budget};
use crate::errors::err;
use crate::long_call::long_call;
use attractor::flow::VectorField;
use attractor::models::{Activation, HopfieldNetwork as RsHopfield};
use attractor::run::{Interrupt, Observation, Run, Solution, every};
use attractor::step::{Dopri5, Euler, Heun, Rk4};
use faer::Mat;
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::ops::ControlFlow;

/// States along a trajectory, at most `cap` of them plus the last: every `stride` steps, the
/// stride doubling (and every other kept state dropped) whenever the buffer fills, so memory
/// stays bounded and the kept states stay evenly spaced.
struct Trajectory {
    stride: usize,
    cap: usize,
    steps: Vec<usize>,
    times: Vec<f64>,
    states: Vec<Vec<f64>>,
    last: Option<(usize, f64, Vec<f64>)>,
}

impl Trajectory {
    fn new(stride: usize, cap: usize) -> Self {
        Self {
            stride: stride.max(1),
            cap: cap.max(2),
            steps: Vec::new(),
            times: Vec::new(),
            states: Vec::new(),
            last: None,
        }
    }

    fn record(&mut self, o: &Observation<'_>) {
        self.last = Some((o.step, o.t, o.x.to_vec()));
        if !o.step.is_multiple_of(self.stride) {
            return;
        }
        if self.steps.len() == self.cap {
            fn every_other<T>(v: &mut Vec<T>) {
                let mut i = 0;
                v.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
            }
            every_other(&mut self.steps);
            every_other(&mut self.times);
            every_other(&mut self.states);
            self.stride *= 2;
            if !o.step.is_multiple_of(self.stride) {
                return;
            }
        }
        self.steps.push(o.step);
        self.times.push(o.t);
        self.states.push(o.x.to_vec());
    }

    /// The states kept, the last one (where the run stopped) included.
    fn finish(mut self) -> (Vec<usize>, Vec<f64>, Vec<Vec<f64>>) {
        if let Some((step, t, x)) = self.last.take()
            && self.steps.last() != Some(&step)
        {
            self.steps.push(step);
            self.times.push(t);
            self.states.push(x);
        }
        (self.steps, self.times, self.states)
    }
}

/// How to integrate one state: the arguments of `run` in Python.
struct OdeOptions<'a> {
    stepper: &'a str,
    dt: f64,
    rtol: f64,
    atol: f64,
    max_steps: usize,
    t_end: Option<f64>,
    time: Option<f64>,
    steady: Option<(f64, f64)>,
    energy_every: usize,
    trace_capacity: usize,
    /// Record the state every this many steps (0: only the final state is returned).
    states_every: usize,
    /// At most this many recorded states (the stride doubles when they would be more).
    max_states: usize,
}

/// Integrate the field that `make` binds from `x0` on the library's run loop, as one long call
/// (lock released, Ctrl-C raising the run's interrupt); with `states_every`, the states along
/// the way come back as `trajectory_step`, `trajectory_t` and `trajectory` (rows).
fn run_ode<'py, F, M>(
    py: Python<'py>,
    make: M,
    x0: Vec<f64>,
    o: &OdeOptions<'_>,
) -> PyResult<Bound<'py, PyDict>>
where
    F: VectorField,
    M: Fn() -> F + Send + Sync,
{
    let stop = Interrupt::new();
    let mut run = Run::new(o.dt)
        .map_err(err)?
        .max_steps(o.max_steps)
        .energy_every(o.energy_every)
        .trace_capacity(o.trace_capacity)
        .map_err(err)?
        .keep_best(true)
        .interrupt(stop.clone());
    if let Some(t) = o.t_end {
        run = run.t_end(t).map_err(err)?;
    }
    if let Some(b) = time_budget(o.time)? {
        run = run.time_budget(b);
    }
    if let Some((r, a)) = o.steady {
        run = run.steady_state(r, a).map_err(err)?;
    }
    let stepper = o.stepper.to_ascii_lowercase();
    let (rtol, atol) = (o.rtol, o.atol);
    let record = o.states_every > 0;
    let mut path = Trajectory::new(o.states_every, o.max_states);
    let sol = long_call(
        py,
        "integrator",
        &stop,
        || -> attractor::Result<Solution> {
            let k = if record { path.stride } else { usize::MAX };
            let watch = every(k, |obs: &Observation<'_>| {
                if record {
                    path.record(obs);
                }
                ControlFlow::Continue(())
            });
            let mut f = make();
            match stepper.as_str() {
                "euler" => run.solve_with_observer(&mut f, &mut Euler::new(), &x0, watch),
                "heun" => run.solve_with_observer(&mut f, &mut Heun::new(), &x0, watch),
                "rk4" => run.solve_with_observer(&mut f, &mut Rk4::new(), &x0, watch),
                "dopri5" => {
                    run.solve_with_observer(&mut f, &mut Dopri5::new(rtol, atol)?, &x0, watch)
                }
                other => Err(attractor::Error::invalid(
                    "stepper",
                    other,
                    "use euler, heun, rk4 or dopri5",
                )),
            }
        },
    )?;
    let d = solution_dict(py, &sol)?;
    if record {
        let (steps, times, states) = path.finish();
        d.set_item("trajectory_step", PyArray1::from_vec(py, steps))?;
        d.set_item("trajectory_t", PyArray1::from_vec(py, times))?;
        d.set_item("trajectory", rows(py, &states, x0.len())?)?;
    }
    Ok(d)
}

/// The options of `run` from keyword arguments (the names and defaults of
/// `HopfieldNetwork.run`), refusing unknown names; runs the flow `make` binds from `x0`.
pub(crate) fn run_with_kwargs<'py, F, M>(
    py: Python<'py>,
    make: M,
    x0: Vec<f64>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>>
where
    F: VectorField,
    M: Fn() -> F + Send + Sync,
{
    let mut stepper = String::from("dopri5");
    let mut o = OdeOptions {
        stepper: "",
        dt: 0.01,
        rtol: 1e-8,
        atol: 1e-10,
        max_steps: 100_000,
        t_end: None,
        time: None,
        steady: Some((1e-8, 1e-8)),
        energy_every: 1,
        trace_capacity: 4096,
        states_every: 0,
        max_states: 4096,
    };
    if let Some(kw) = kwargs {
        for (k, v) in kw.iter() {
            let key: String = k.extract()?;
            let named = |e: PyErr| crate::errors::bad(format!("{key} = {v}: {e}"));
            match key.as_str() {
                "stepper" => stepper = v.extract().map_err(named)?,
                "dt" => o.dt = v.extract().map_err(named)?,
                "rtol" => o.rtol = v.extract().map_err(named)?,
                "atol" => o.atol = v.extract().map_err(named)?,
                "max_steps" => o.max_steps = v.extract().map_err(named)?,
                "t_end" => o.t_end = v.extract().map_err(named)?,
                "time" => o.time = v.extract().map_err(named)?,
                "steady" => o.steady = v.extract().map_err(named)?,
                "energy_every" => o.energy_every = v.extract().map_err(named)?,
                "trace_capacity" => o.trace_capacity = v.extract().map_err(named)?,
                "states_every" => o.states_every = v.extract().map_err(named)?,
                "max_states" => o.max_states = v.extract().map_err(named)?,
                other => {
                    return Err(crate::errors::bad(format!(
                        "run got an unknown option {other:?}: the options are stepper, dt, \
                         rtol, atol, max_steps, t_end, time, steady, energy_every, \
                         trace_capacity, states_every, max_states"
                    )));
                }
            }
        }
    }
    o.stepper = &stepper;
    run_ode(py, make, x0, &o)
}

/// Rows of equal length `n` as a `(len, n)` array.
fn rows<'py>(py: Python<'py>, r: &[Vec<f64>], n: usize) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let flat: Vec<f64> = r.iter().flatten().copied().collect();
    PyArray1::from_vec(py, flat).reshape([r.len(), n])
}

/// The vector field `F(t, x)` of `f` at every row of `x` (`n_states × n`).
pub(crate) fn field_rows<'py, F: VectorField>(
    py: Python<'py>,
    mut f: F,
    x: &PyReadonlyArray2<'_, f64>,
    t: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let v = x.as_array();
    let n = f.dim();
    if v.ncols() != n {
        return Err(crate::errors::ShapeError::new_err(format!(
            "x has {} entries per state, the network has {n} neurons: pass states as rows \
             of an (n_states, {n}) array",
            v.ncols()
        )));
    }
    let mut out = Vec::with_capacity(v.nrows());
    let mut dx = vec![0.0; n];
    for row in v.rows() {
        let xs = row.to_vec();
        if let Some(i) = xs.iter().position(|z| !z.is_finite()) {
            return Err(crate::errors::NonFiniteError::new_err(format!(
                "x[{}, {i}] = {}: states must be finite",
                out.len(),
                xs[i]
            )));
        }
        f.eval_into(t, &xs, &mut dx);
        out.push(dx.clone());
    }
    rows(py, &out, n)
}

/// The firing-rate network `τṙ = −r + Φ(Wr + u)` (Wilson–Cowan form; tutorial §III).
#[pyclass(name = "FiringRateNetwork", module = "attractor._attractor", frozen)]
pub(crate) struct PyFiringRate {
    net: attractor::models::FiringRateNetwork,
}

#[pymethods]
impl PyFiringRate {
    #[new]
    #[pyo3(signature = (weights, activation="tanh", tau=1.0, input=None))]
    fn new(
        weights: PyReadonlyArray2<'_, f64>,
        activation: &str,
        tau: f64,
        input: Option<PyReadonlyArray1<'_, f64>>,
    ) -> PyResult<Self> {
        let a: Activation = activation.parse().map_err(err)?;
        let mut net = attractor::models::FiringRateNetwork::new(mat(&weights), a)
            .map_err(err)?
            .with_tau(tau)
            .map_err(err)?;
        if let Some(u) = input {
            net = net.with_input(u.as_array().to_vec()).map_err(err)?;
        }
        Ok(Self { net })
    }

    #[getter]
    fn dim(&self) -> usize {
        self.net.dim()
    }

    /// The vector field `dr/dt = (−r + Φ(Wr + u))/τ` at every row of `r` (`n_states × n`).
    fn field<'py>(
        &self,
        py: Python<'py>,
        r: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        field_rows(py, self.net.flow(), &r, 0.0)
    }

    /// Integrate from `r0` with the options of `attractor.FiringRateNetwork.run` as keywords (see
    /// [`run_with_kwargs`]).
    #[pyo3(signature = (r0, **options))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        r0: PyReadonlyArray1<'_, f64>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        run_with_kwargs(py, || self.net.flow(), r0.as_array().to_vec(), options)
    }
}

/// The continuous-time Hopfield network `τẋ = −Dx + WΦ(x) + b` (Hopfield 1984).
#[pyclass(name = "HopfieldNetwork", module = "attractor._attractor", frozen)]
pub(crate) struct PyHopfield {
    pub(crate) net: RsHopfield,
}

#[pymethods]
impl PyHopfield {
    #[new]
    #[pyo3(signature = (weights, activation="tanh", tau=1.0, decay=None, bias=None))]
    fn new(
        weights: PyReadonlyArray2<'_, f64>,
        activation: &str,
        tau: f64,
        decay: Option<PyReadonlyArray1<'_, f64>>,
        bias: Option<PyReadonlyArray1<'_, f64>>,
    ) -> PyResult<Self> {
        let a: Activation = activation.parse().map_err(err)?;
        let mut net = RsHopfield::new(mat(&weights), a)
            .map_err(err)?
            .with_tau(tau)
            .map_err(err)?;
        if let Some(d) = decay {
            net = net.with_decay(d.as_array().to_vec()).map_err(err)?;
        }
        if let Some(b) = bias {
            net = net.with_input(b.as_array().to_vec()).map_err(err)?;
        }
        Ok(Self { net })
    }

    #[getter]
    fn dim(&self) -> usize {
        self.net.dim()
    }

    /// The vector field `dx/dt = (−Dx + WΦ(x) + b)/τ` at every row of `x` (`n_states × n`).
    fn field<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        field_rows(py, self.net.flow(), &x, 0.0)
    }

    /// `E(x)` for every row of `x` (`n_states × n`).
    fn energy<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let v = x.as_array();
        let mut out = Vec::with_capacity(v.nrows());
        for row in v.rows() {
            out.push(self.net.energy(&row.to_vec()).map_err(err)?);
        }
        Ok(PyArray1::from_vec(py, out))
    }

    /// Integrate from `x0` with the options of `attractor.HopfieldNetwork.run` as keywords (see
    /// [`run_with_kwargs`]).
    #[pyo3(signature = (x0, **options))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        x0: PyReadonlyArray1<'_, f64>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        run_with_kwargs(py, || self.net.flow(), x0.as_array().to_vec(), options)
    }

    /// Integrate every row of `x0` (`B × n`) as one batch (fixed-step steppers).
    #[pyo3(signature = (x0, stepper="rk4", dt=0.01, max_steps=100_000, steady=Some((1e-8, 1e-10))))]
    fn run_batch<'py>(
        &self,
        py: Python<'py>,
        x0: PyReadonlyArray2<'_, f64>,
        stepper: &str,
        dt: f64,
        max_steps: usize,
        steady: Option<(f64, f64)>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let v = x0.as_array();
        let (b, n) = (v.nrows(), v.ncols());
        let cols = Mat::from_fn(n, b, |i, j| v[[j, i]]);
        let mut run = Run::new(dt).map_err(err)?.max_steps(max_steps);
        if let Some((r, a)) = steady {
            run = run.steady_state(r, a).map_err(err)?;
        }
        let net = &self.net;
        let stepper = stepper.to_ascii_lowercase();
        let stop = Interrupt::new();
        run = run.interrupt(stop.clone());
        let sol = long_call(py, "integrator", &stop, move || {
            let mut f = net.batch_flow(b);
            match stepper.as_str() {
                "euler" => run.solve_batch(&mut f, &mut Euler::new(), cols.as_ref()),
                "heun" => run.solve_batch(&mut f, &mut Heun::new(), cols.as_ref()),
                "rk4" => run.solve_batch(&mut f, &mut Rk4::new(), cols.as_ref()),
                other => Err(attractor::Error::invalid(
                    "stepper",
                    other,
                    "batched runs use a fixed-step stepper: euler, heun or rk4",
                )),
            }
        })?;
        let d = PyDict::new(py);
        let states = PyArray2::<f64>::zeros(py, [b, n], false);
        {
            let mut w = states.readwrite();
            let mut a = w.as_array_mut();
            for j in 0..b {
                for (i, &x) in sol.state(j).iter().enumerate() {
                    a[[j, i]] = x;
                }
            }
        }
        d.set_item("states", states)?;
        let statuses: Vec<&str> = sol.columns.iter().map(|c| c.status.name()).collect();
        d.set_item("status", statuses)?;
        let steps: Vec<usize> = sol.columns.iter().map(|c| c.n_steps).collect();
        d.set_item("n_steps", PyArray1::from_vec(py, steps))?;
        let e: Vec<f64> = sol
            .columns
            .iter()
            .map(|c| c.energy.unwrap_or(f64::NAN))
            .collect();
        d.set_item("energy", PyArray1::from_vec(py, e))?;
        d.set_item("elapsed", sol.elapsed.as_secs_f64())?;
        Ok(d)
    }
}

fn solution_dict<'py>(py: Python<'py>, sol: &Solution) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("state", PyArray1::from_slice(py, &sol.state))?;
    d.set_item("energy", sol.energy)?;
    d.set_item("t", sol.t)?;
    d.set_item("n_steps", sol.n_steps)?;
    d.set_item("n_evals", sol.n_evals)?;
    d.set_item("n_rejected", sol.n_rejected)?;
    let steps: Vec<usize> = sol.trace.iter().map(|p| p.step).collect();
    let ts: Vec<f64> = sol.trace.iter().map(|p| p.t).collect();
    d.set_item("trace_step", PyArray1::from_vec(py, steps))?;
    d.set_item("trace_t", PyArray1::from_vec(py, ts))?;
    d.set_item("trace_energy", PyArray1::from_vec(py, sol.energies()))?;
    d.set_item("status", sol.status.name())?;
    d.set_item("message", sol.message())?;
    d.set_item("elapsed", sol.elapsed.as_secs_f64())?;
    d.set_item("max_energy_increase", sol.max_energy_increase)?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHopfield>()?;
    m.add_class::<PyFiringRate>()
}
