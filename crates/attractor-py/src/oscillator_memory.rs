//! The oscillator associative memory for Python (Nishikawa, Lai & Hoppensteadt 2004): phase
//! oscillators with Hebbian couplings and second-harmonic injection that recall `±1` patterns,
//! with the stability threshold `κ_c` of each stored pattern.

use crate::arrays::patterns_of;
use crate::errors::{ShapeError, bad, err};
use crate::long_call::long_call;
use attractor::run::{Interrupt, Run};
use attractor::step::Rk4;
use numpy::{PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// The oscillator associative memory (Nishikawa, Lai & Hoppensteadt 2004):
/// `φ̇_i = Σ_j W_ij sin(φ_j − φ_i) + (κ/N) Σ_j sin 2(φ_j − φ_i)` with Hebbian `W`.
#[pyclass(name = "OscillatorMemory", module = "attractor._attractor", frozen)]
struct PyOscillatorMemory {
    mem: attractor::models::OscillatorMemory,
}

#[pymethods]
impl PyOscillatorMemory {
    #[new]
    #[pyo3(signature = (patterns, kappa, scale="n"))]
    fn new(patterns: PyReadonlyArray2<'_, f64>, kappa: f64, scale: &str) -> PyResult<Self> {
        use attractor::models::{HebbianScale, OscillatorMemory};
        let scale = match scale {
            "n" | "N" => HebbianScale::OverN,
            "k" | "K" => HebbianScale::OverK,
            other => {
                return Err(bad(format!(
                    "scale = {other:?}: use \"n\" (W = ΞᵀΞ/N) or \"k\" (W = ΞᵀΞ/K)"
                )));
            }
        };
        let p = patterns_of(&patterns, "patterns")?;
        Ok(Self {
            mem: OscillatorMemory::hebbian(&p, scale, kappa).map_err(err)?,
        })
    }

    /// `κ_c` of a stored `±1` pattern: it is a stable phase-locked state iff `κ > κ_c`.
    fn critical_kappa(&self, pattern: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        self.mem
            .critical_kappa(&pattern.as_array().to_vec())
            .map_err(err)
    }

    /// Integrate from the phases of every row of `queries` (±1, plus a seeded uniform jitter
    /// of ±`jitter` rad) for `t_end` with RK4 step `dt`; returns (read-out ±1 patterns, final
    /// phases).
    #[pyo3(signature = (queries, t_end=120.0, dt=0.05, jitter=0.0, seed=0))]
    #[allow(clippy::type_complexity)]
    fn recall<'py>(
        &self,
        py: Python<'py>,
        queries: PyReadonlyArray2<'_, f64>,
        t_end: f64,
        dt: f64,
        jitter: f64,
        seed: u64,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<f64>>)> {
        use attractor::models::OscillatorMemory;
        let q = patterns_of(&queries, "queries")?;
        let n = self.mem.n();
        if q.dim() != n {
            return Err(ShapeError::new_err(format!(
                "queries have {} entries, the memory has {n} oscillators",
                q.dim()
            )));
        }
        let stop = Interrupt::new();
        let run = Run::new(dt)
            .map_err(err)?
            .t_end(t_end)
            .map_err(err)?
            .interrupt(stop.clone());
        let mem = &self.mem;
        let phases = long_call(py, "recall", &stop, || {
            let mut out = Vec::with_capacity(q.n_patterns());
            for (k, row) in q.iter().enumerate() {
                if stop.is_raised() {
                    break;
                }
                let phi0 =
                    OscillatorMemory::jittered_phases(row, jitter, seed.wrapping_add(k as u64))?;
                out.push(run.solve(&mut mem.flow(), &mut Rk4::new(), &phi0)?.state);
            }
            Ok(out)
        })?;
        if stop.is_raised() {
            return Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(format!(
                "recall interrupted after {} of {} queries",
                phases.len(),
                q.n_patterns()
            )));
        }
        let k = phases.len();
        let read = PyArray2::<f64>::zeros(py, [k, n], false);
        let phi = PyArray2::<f64>::zeros(py, [k, n], false);
        {
            let (mut r, mut p) = (read.readwrite(), phi.readwrite());
            let (mut ra, mut pa) = (r.as_array_mut(), p.as_array_mut());
            for (row, ph) in phases.iter().enumerate() {
                for (c, (&x, &s)) in ph
                    .iter()
                    .zip(&OscillatorMemory::read_pattern(ph))
                    .enumerate()
                {
                    pa[[row, c]] = x;
                    ra[[row, c]] = s;
                }
            }
        }
        Ok((read, phi))
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyOscillatorMemory>()
}
