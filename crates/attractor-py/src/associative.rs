//! The associative memories for Python: every model of the library's memory specification
//! (`hebbian`, `storkey`, `pinv`, `dense`, `modern`) behind one class, with recall as one long
//! call, and the Krotov–Hopfield hidden-neuron network (Krotov & Hopfield, ICLR 2021).

use crate::arrays::patterns_of;
use crate::errors::{ShapeError, bad, err};
use crate::long_call::long_call;
use attractor::learn::{MemoryModel, MemorySpec};
use attractor::models::{Memory as RsMemory, Separation, Update};
use attractor::run::{Interrupt, Run};
use attractor::step::Rk4;
use faer::Mat;
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2};
use pyo3::prelude::*;

/// An associative memory of any model (`hebbian`, `storkey`, `pinv`, `dense`, `modern`).
#[pyclass(name = "Memory", module = "attractor._attractor")]
struct PyMemory {
    inner: Stored,
}

/// The stored memory; the modern one is kept as its own type for its batched retrieval.
enum Stored {
    Modern(attractor::models::ModernHopfield),
    Other(Box<dyn RsMemory>),
}

impl Stored {
    fn get(&mut self) -> &mut dyn RsMemory {
        match self {
            Stored::Modern(m) => m,
            Stored::Other(b) => b.as_mut(),
        }
    }
    fn get_ref(&self) -> &dyn RsMemory {
        match self {
            Stored::Modern(m) => m,
            Stored::Other(b) => b.as_ref(),
        }
    }
}

#[pymethods]
impl PyMemory {
    #[new]
    #[pyo3(signature = (model, patterns, separation="3", beta=1.0, synchronous=false, seed=0, max_sweeps=100))]
    fn new(
        model: &str,
        patterns: PyReadonlyArray2<'_, f64>,
        separation: &str,
        beta: f64,
        synchronous: bool,
        seed: u64,
        max_sweeps: usize,
    ) -> PyResult<Self> {
        let mut spec = MemorySpec::new(model.parse::<MemoryModel>().map_err(err)?);
        spec.separation = separation.parse::<Separation>().map_err(err)?;
        spec.beta = beta;
        spec.update = if synchronous {
            Update::Synchronous
        } else {
            Update::Asynchronous { seed }
        };
        spec.max_sweeps = max_sweeps;
        let p = patterns_of(&patterns, "patterns")?;
        let inner = if spec.model == MemoryModel::Modern {
            Stored::Modern(
                attractor::models::ModernHopfield::new(&p, beta)
                    .map_err(err)?
                    .with_max_iter(max_sweeps)
                    .map_err(err)?,
            )
        } else {
            Stored::Other(spec.store(&p).map_err(err)?)
        };
        Ok(Self { inner })
    }

    #[getter]
    fn name(&self) -> String {
        self.inner.get_ref().name()
    }
    #[getter]
    fn dim(&self) -> usize {
        self.inner.get_ref().dim()
    }
    #[getter]
    fn n_patterns(&self) -> usize {
        self.inner.get_ref().n_patterns()
    }

    /// `E(x)` for every row.
    fn energy<'py>(
        &mut self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let q = patterns_of(&x, "X")?;
        let mem = self.inner.get();
        if q.dim() != mem.dim() {
            return Err(ShapeError::new_err(format!(
                "X has {} features, the memory stores patterns of {}",
                q.dim(),
                mem.dim()
            )));
        }
        let out: Vec<f64> = q.iter().map(|r| mem.energy(r)).collect();
        Ok(PyArray1::from_vec(py, out))
    }

    /// The modern memory's batched retrieval `Q ← X softmax(βXᵀQ)` repeated `n_steps` times for
    /// all rows of `queries` at once (two matrix products per block of `block` queries, on
    /// `threads` threads; 0: all).
    #[pyo3(signature = (queries, n_steps=1, block=2048, threads=0))]
    fn retrieve<'py>(
        &self,
        py: Python<'py>,
        queries: PyReadonlyArray2<'_, f64>,
        n_steps: usize,
        block: usize,
        threads: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let m = match &self.inner {
            Stored::Modern(m) => m,
            Stored::Other(o) => {
                return Err(bad(format!(
                    "retrieve is the modern memory's batched update; this memory is {}",
                    o.name()
                )));
            }
        };
        let v = queries.as_array();
        let (b, n) = (v.nrows(), v.ncols());
        let q = Mat::from_fn(n, b, |i, j| v[[j, i]]);
        let par = match threads {
            0 => attractor::linalg::effective_par(attractor::linalg::ALL_THREADS),
            1 => faer::Par::Seq,
            k => faer::Par::rayon(k),
        };
        let out = long_call(py, "retrieval", &Interrupt::new(), || {
            let mut out = Mat::<f64>::zeros(n, b);
            m.retrieve_batch_into(q.as_ref(), out.as_mut(), n_steps, block, par)?;
            Ok(out)
        })?;
        let arr = PyArray2::<f64>::zeros(py, [b, n], false);
        {
            let mut w = arr.readwrite();
            let mut a = w.as_array_mut();
            for j in 0..b {
                for (i, &x) in out.col_as_slice(j).iter().enumerate() {
                    a[[j, i]] = x;
                }
            }
        }
        Ok(arr)
    }

    /// Recall every row of `queries`; returns (states, status names, sweeps, energies,
    /// interrupted).
    #[allow(clippy::type_complexity)]
    fn recall<'py>(
        &mut self,
        py: Python<'py>,
        queries: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<(
        Bound<'py, PyArray2<f64>>,
        Vec<&'static str>,
        Bound<'py, PyArray1<usize>>,
        Bound<'py, PyArray1<f64>>,
        bool,
    )> {
        let q = patterns_of(&queries, "X")?;
        let (k, n) = (q.n_patterns(), q.dim());
        let inner = self.inner.get();
        if n != inner.dim() {
            return Err(ShapeError::new_err(format!(
                "X has {n} features, the memory stores patterns of {}",
                inner.dim()
            )));
        }
        let stop = Interrupt::new();
        let results = long_call(py, "recall", &stop, || {
            let mut out = Vec::with_capacity(k);
            for row in q.iter() {
                if stop.is_raised() {
                    break;
                }
                out.push(inner.recall(row)?);
            }
            Ok(out)
        })?;
        let done = results.len();
        let states = PyArray2::<f64>::zeros(py, [done, n], false);
        {
            let mut w = states.readwrite();
            let mut a = w.as_array_mut();
            for (j, s) in results.iter().enumerate() {
                for (i, &x) in s.state.iter().enumerate() {
                    a[[j, i]] = x;
                }
            }
        }
        let statuses = results.iter().map(|s| s.status.name()).collect();
        let sweeps = PyArray1::from_vec(py, results.iter().map(|s| s.n_steps).collect());
        let energies = PyArray1::from_vec(
            py,
            results
                .iter()
                .map(|s| s.energy.unwrap_or(f64::NAN))
                .collect(),
        );
        Ok((states, statuses, sweeps, energies, stop.is_raised()))
    }
}

/// The Krotov–Hopfield hidden-neuron network (ICLR 2021): models A (dense), B (modern), C
/// (spherical).
#[pyclass(name = "Krotov2021", module = "attractor._attractor", frozen)]
struct PyKrotov {
    net: attractor::models::Krotov2021,
}

#[pymethods]
impl PyKrotov {
    #[new]
    #[pyo3(signature = (patterns, model="B", n=3, beta=1.0, tau_f=1.0, tau_h=1.0))]
    fn new(
        patterns: PyReadonlyArray2<'_, f64>,
        model: &str,
        n: u32,
        beta: f64,
        tau_f: f64,
        tau_h: f64,
    ) -> PyResult<Self> {
        use attractor::models::Krotov2021Model;
        let m = match model {
            "A" | "a" => Krotov2021Model::A { n },
            "B" | "b" => Krotov2021Model::B { beta },
            "C" | "c" => Krotov2021Model::C { n },
            other => return Err(bad(format!("model = {other:?}: use \"A\", \"B\" or \"C\""))),
        };
        let p = patterns_of(&patterns, "patterns")?;
        let net = attractor::models::Krotov2021::new(&p, m)
            .map_err(err)?
            .with_taus(tau_f, tau_h)
            .map_err(err)?;
        Ok(Self { net })
    }

    /// Integrate from every row of `queries` (feature neurons `v = query`, hidden neurons at
    /// rest) with RK4 until the steady state or `t_end`; returns (final `v` per row, status
    /// names, whether Ctrl-C stopped it).
    #[pyo3(signature = (queries, t_end=50.0, dt=0.05, steady=Some((1e-8, 1e-8))))]
    #[allow(clippy::type_complexity)]
    fn recall<'py>(
        &self,
        py: Python<'py>,
        queries: PyReadonlyArray2<'_, f64>,
        t_end: f64,
        dt: f64,
        steady: Option<(f64, f64)>,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, Vec<&'static str>, bool)> {
        let q = patterns_of(&queries, "queries")?;
        let nf = self.net.n_features();
        let mut run = Run::new(dt).map_err(err)?.t_end(t_end).map_err(err)?;
        if let Some((r, a)) = steady {
            run = run.steady_state(r, a).map_err(err)?;
        }
        let net = &self.net;
        let stop = Interrupt::new();
        let run = run.interrupt(stop.clone());
        let sols = long_call(py, "recall", &stop, || {
            let mut out = Vec::with_capacity(q.n_patterns());
            for row in q.iter() {
                if stop.is_raised() {
                    break;
                }
                let x0 = net.initial_state(row)?;
                out.push(run.solve(&mut net.flow(), &mut Rk4::new(), &x0)?);
            }
            Ok(out)
        })?;
        let v = PyArray2::<f64>::zeros(py, [sols.len(), nf], false);
        {
            let mut w = v.readwrite();
            let mut a = w.as_array_mut();
            for (r, s) in sols.iter().enumerate() {
                for (c, &x) in s.state[..nf].iter().enumerate() {
                    a[[r, c]] = x;
                }
            }
        }
        let status = sols.iter().map(|s| s.status.name()).collect();
        Ok((v, status, stop.is_raised()))
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMemory>()?;
    m.add_class::<PyKrotov>()
}
