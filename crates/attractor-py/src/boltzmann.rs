//! The general Boltzmann machine for Python (Ackley, Hinton & Sejnowski 1985):
//! `E(s) = −½sᵀWs − bᵀs` at temperature `T` over binary (`0/1`) or spin (`±1`) units, its
//! energies, its exact law for small machines (`log Z`, probabilities, log-likelihoods), Gibbs
//! sampling as one long call, and the Boltzmann learning rule
//! `Δθ = η(⟨−∂E/∂θ⟩_data − ⟨−∂E/∂θ⟩_model)` with exact or Gibbs model statistics.

use crate::arrays::{matrix, par, patterns_of, rows_of, time_budget, vector};
use crate::errors::{ShapeError, bad, err};
use crate::long_call::long_call;
use attractor::learn::{BoltzmannRule, GibbsStatistics, ModelStatistics};
use attractor::models::{BoltzmannMachine as RsMachine, Scan, Units};
use attractor::run::{Budget, Interrupt};
use attractor::samplers::MarkovSampler;
use attractor::samplers::tempering::ParallelTempering;
use faer::Mat;
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

fn units_of(s: &str) -> PyResult<Units> {
    match s {
        "binary" => Ok(Units::Binary),
        "spin" => Ok(Units::Spin),
        other => Err(bad(format!(
            "units = {other:?}: use \"binary\" (values 0/1) or \"spin\" (values -1/+1)"
        ))),
    }
}

fn scan_of(s: &str) -> PyResult<Scan> {
    match s {
        "sequential" => Ok(Scan::Sequential),
        "random" => Ok(Scan::RandomPermutation),
        "block" => Ok(Scan::Block),
        other => Err(bad(format!(
            "scan = {other:?}: use \"sequential\", \"random\" (a fresh permutation per sweep) \
             or \"block\" (bipartite couplings)"
        ))),
    }
}

/// A Boltzmann machine over `n` units.
#[pyclass(name = "BoltzmannMachine", module = "attractor._attractor")]
pub(crate) struct PyBoltzmann {
    bm: RsMachine,
    /// The learning rule, kept between `learn` calls (its persistent chains).
    rule: Option<BoltzmannRule>,
}

#[pymethods]
impl PyBoltzmann {
    #[new]
    #[pyo3(signature = (weights, biases, units="binary", temperature=1.0))]
    fn new(
        weights: &Bound<'_, PyAny>,
        biases: &Bound<'_, PyAny>,
        units: &str,
        temperature: f64,
    ) -> PyResult<Self> {
        let w = matrix(weights, "weights", "(n, n), symmetric with a zero diagonal")?;
        let b = vector(biases, "biases", "(n,)")?;
        let v = w.as_array();
        let wm = Mat::from_fn(v.nrows(), v.ncols(), |i, j| v[[i, j]]);
        let bm = RsMachine::new(wm, b.as_array().to_vec(), units_of(units)?, temperature)
            .map_err(err)?;
        Ok(Self { bm, rule: None })
    }

    #[getter]
    fn n(&self) -> usize {
        self.bm.n()
    }
    #[getter]
    fn temperature(&self) -> f64 {
        self.bm.temperature()
    }
    #[getter]
    fn units(&self) -> &'static str {
        match self.bm.units() {
            Units::Binary => "binary",
            Units::Spin => "spin",
        }
    }
    /// `W` as an `(n, n)` array.
    #[getter]
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        rows_of(py, self.bm.weights())
    }
    /// `b` as an `(n,)` array.
    #[getter]
    fn biases<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.bm.biases())
    }

    /// `E(s)` for every row of `states` (each entry a value of the units).
    fn energy<'py>(
        &self,
        py: Python<'py>,
        states: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let s = matrix(states, "states", "(n_states, n)")?;
        let v = s.as_array();
        if v.ncols() != self.bm.n() {
            return Err(ShapeError::new_err(format!(
                "states have {} entries per row, the machine has {} units",
                v.ncols(),
                self.bm.n()
            )));
        }
        let e = v
            .rows()
            .into_iter()
            .map(|r| self.bm.energy_of(&r.to_vec()).map_err(err))
            .collect::<PyResult<Vec<f64>>>()?;
        Ok(PyArray1::from_vec(py, e))
    }

    /// `log Z = log Σ_s e^{−E(s)/T}` by enumeration (n ≤ 24).
    fn log_partition(&self, py: Python<'_>) -> PyResult<f64> {
        let bm = &self.bm;
        long_call(py, "enumeration", &Interrupt::new(), || bm.log_partition())
    }

    /// Every state's probability, in the order of the binary expansion of its index (unit 0
    /// the most significant bit), and the states as rows: `(states, probabilities)` (n ≤ 24).
    #[allow(clippy::type_complexity)]
    fn exact<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>)> {
        let bm = &self.bm;
        let d = long_call(py, "enumeration", &Interrupt::new(), || bm.exact())?;
        let n = self.bm.n();
        let k = d.n_states();
        let mut flat = Vec::with_capacity(k * n);
        for i in 0..k {
            flat.extend(d.state(i).map_err(err)?);
        }
        let states = PyArray1::from_vec(py, flat).reshape([k, n])?;
        Ok((states, PyArray1::from_slice(py, d.probabilities())))
    }

    /// The mean log-likelihood `(1/K) Σ_k log P(s_k)` of the rows of `data` (n ≤ 24).
    fn log_likelihood(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<f64> {
        let d = matrix(data, "data", "(n_samples, n)")?;
        let p = patterns_of(&d, "data")?;
        let bm = &self.bm;
        long_call(py, "enumeration", &Interrupt::new(), || {
            bm.log_likelihood(&p)
        })
    }

    /// `n_samples` states, one per chain, after `n_sweeps` Gibbs sweeps from random states
    /// (chain `j` from the seed's stream `j`: the same on any number of threads); a dict of
    /// `samples` (rows), `n_sweeps` done and `status` (`"max steps"`, `"interrupted"`,
    /// `"timeout"`). With `method="tempering"`: parallel tempering, each chain with one replica
    /// per rung of the ladder (`temperatures`, strictly increasing from 1, or `n_temperatures`
    /// geometric rungs up to `max_temperature`, all relative to the machine's temperature),
    /// `n_sweeps` rounds of one sweep per rung then neighbour swaps; the dict adds `tempering`
    /// (rung temperatures, per-pair swap rates, attempts and accepts).
    #[pyo3(signature = (n_samples, n_sweeps=100, seed=0, scan="sequential", time=None, n_threads=None, method="gibbs", temperatures=None, n_temperatures=None, max_temperature=10.0))]
    #[allow(clippy::too_many_arguments)]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n_samples: usize,
        n_sweeps: usize,
        seed: u64,
        scan: &str,
        time: Option<f64>,
        n_threads: Option<i64>,
        method: &str,
        temperatures: Option<Vec<f64>>,
        n_temperatures: Option<i64>,
        max_temperature: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let gibbs = self.bm.gibbs(scan_of(scan)?).par(par(n_threads)?);
        let stop = Interrupt::new();
        let budget = Budget::steps(n_sweeps)
            .time_opt(time_budget(time)?)
            .interrupt(stop.clone());
        let d = PyDict::new(py);
        match method {
            "gibbs" => {
                if temperatures.is_some() || n_temperatures.is_some() {
                    return Err(bad(
                        "temperatures/n_temperatures apply to method=\"tempering\"; \
                         drop them or pass method=\"tempering\""
                            .into(),
                    ));
                }
                let c = long_call(py, "Gibbs sampler", &stop, || {
                    gibbs.sample(n_samples, seed, &budget)
                })?;
                d.set_item("samples", rows_of(py, c.states.as_ref())?)?;
                d.set_item("n_sweeps", c.n_steps)?;
                d.set_item("status", c.status.name())?;
            }
            "tempering" => {
                let ladder =
                    crate::tempering::ladder_of(temperatures, n_temperatures, max_temperature)?;
                let c = long_call(py, "parallel tempering", &stop, || {
                    ParallelTempering::new(&gibbs, ladder)?.sample(n_samples, seed, &budget)
                })?;
                d.set_item("samples", rows_of(py, c.states())?)?;
                d.set_item("n_sweeps", c.n_sweeps)?;
                d.set_item("status", c.status.name())?;
                d.set_item("tempering", crate::tempering::report(py, &c)?)?;
            }
            other => {
                return Err(bad(format!(
                    "method = {other:?}: use \"gibbs\" (Gibbs sweeps) or \"tempering\" (parallel tempering)"
                )));
            }
        }
        Ok(d)
    }

    /// `n_updates` steps of the Boltzmann learning rule on the rows of `data` (the whole set
    /// per update), with model statistics computed exactly (`"exact"`, n ≤ 24) or from
    /// `n_chains` Gibbs chains of `n_sweeps` sweeps (`"gibbs"`, persistent between updates and
    /// calls with `persistent`); returns the parameter change of the last update (its norm
    /// measures convergence).
    #[pyo3(signature = (data, learning_rate=0.1, n_updates=1, statistics="exact", n_chains=100, n_sweeps=1, persistent=true, seed=0, n_threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn learn<'py>(
        &mut self,
        py: Python<'py>,
        data: PyReadonlyArray2<'_, f64>,
        learning_rate: f64,
        n_updates: usize,
        statistics: &str,
        n_chains: usize,
        n_sweeps: usize,
        persistent: bool,
        seed: u64,
        n_threads: Option<i64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let p = patterns_of(&data, "data")?;
        if self.rule.is_none() {
            let stats = match statistics {
                "exact" => ModelStatistics::Exact,
                "gibbs" => {
                    let mut g =
                        GibbsStatistics::new(n_chains, n_sweeps, persistent, seed).map_err(err)?;
                    g.par = par(n_threads)?;
                    ModelStatistics::Gibbs(g)
                }
                other => {
                    return Err(bad(format!(
                        "statistics = {other:?}: use \"exact\" (enumeration, n <= 24) or \
                         \"gibbs\" (sampled)"
                    )));
                }
            };
            self.rule = Some(BoltzmannRule::new(learning_rate, stats).map_err(err)?);
        }
        let stop = Interrupt::new();
        let (bm, rule) = (&mut self.bm, self.rule.as_mut());
        let Some(rule) = rule else {
            return Err(bad("internal: no learning rule".into()));
        };
        let delta = long_call(py, "Boltzmann learning", &stop, || {
            let mut last = Vec::new();
            for _ in 0..n_updates {
                if stop.is_raised() {
                    break;
                }
                last = rule.step(bm, &p)?;
            }
            Ok(last)
        })?;
        Ok(PyArray1::from_vec(py, delta))
    }

    /// Forget the learning rule (its settings and persistent chains): the next `learn` builds
    /// a new one from its arguments.
    fn reset_learning(&mut self) {
        self.rule = None;
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBoltzmann>()
}
