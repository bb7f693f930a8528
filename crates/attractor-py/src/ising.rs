//! The Ising objective for Python, in dimod's convention
//! `E(s) = Σ_i a_i s_i + Σ_k b_k s_{i_k} s_{j_k} + c`, `s ∈ {−1, +1}ⁿ`, given as arrays: what
//! every Ising sampler reads ([`objective_model`]) and returns ([`set_dict`]), the energy of
//! given states, and the change of variables `x = (1 + s)/2` between an Ising objective and a
//! QUBO `f(x) = Σ_{i≤j} Q_ij x_i x_j + c` (Lucas 2014, §2).

use crate::errors::{ShapeError, err};
use attractor::problems::{IsingModel, Qubo};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Ising model of dimod's objective `E(s) = Σ_i a_i s_i + Σ_k b_k s_{i_k} s_{j_k} + c` given
/// as arrays (indices checked against `n`): what every Ising sampler binding reads.
pub(crate) fn objective_model(
    n: usize,
    linear: &PyReadonlyArray1<'_, f64>,
    i: &PyReadonlyArray1<'_, i64>,
    j: &PyReadonlyArray1<'_, i64>,
    b: &PyReadonlyArray1<'_, f64>,
    offset: f64,
) -> PyResult<IsingModel> {
    let quad = pairs(n, i, j, b)?;
    let lin = linear.as_array().to_vec();
    IsingModel::from_objective(n, &lin, &quad, offset).map_err(err)
}

/// Pairs `(i, j, v)` from three arrays, indices checked against `n`.
pub(crate) fn pairs(
    n: usize,
    i: &PyReadonlyArray1<'_, i64>,
    j: &PyReadonlyArray1<'_, i64>,
    v: &PyReadonlyArray1<'_, f64>,
) -> PyResult<Vec<(u32, u32, f64)>> {
    let (iv, jv, vv) = (i.as_array(), j.as_array(), v.as_array());
    if iv.len() != jv.len() || iv.len() != vv.len() {
        return Err(ShapeError::new_err(format!(
            "pair arrays differ in length: i {}, j {}, values {}",
            iv.len(),
            jv.len(),
            vv.len()
        )));
    }
    let ok = |x: i64| x >= 0 && (x as u64) < n as u64;
    (0..iv.len())
        .map(|k| {
            let (a, b) = (iv[k], jv[k]);
            if ok(a) && ok(b) {
                Ok((a as u32, b as u32, vv[k]))
            } else {
                Err(crate::errors::ParameterError::new_err(format!(
                    "pair {k} joins variables {a} and {b}: indices must lie in 0..{n}"
                )))
            }
        })
        .collect()
}

pub(crate) fn set_dict<'py>(
    py: Python<'py>,
    set: &attractor::samplers::SampleSet,
    n: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let m = set.len();
    let samples = PyArray2::<i8>::zeros(py, [m, n], false);
    {
        let mut w = samples.readwrite();
        let mut a = w.as_array_mut();
        for (r, s) in set.iter().enumerate() {
            for (c, &x) in s.spins.iter().enumerate() {
                a[[r, c]] = x;
            }
        }
    }
    let d = PyDict::new(py);
    d.set_item("samples", samples)?;
    d.set_item("energies", PyArray1::from_vec(py, set.energies()))?;
    d.set_item(
        "num_occurrences",
        PyArray1::from_vec(py, set.iter().map(|s| s.num_occurrences).collect()),
    )?;
    if set.iter().all(|s| s.cut.is_some()) {
        let cuts: Vec<f64> = set.iter().map(|s| s.cut.unwrap_or(f64::NAN)).collect();
        d.set_item("cuts", PyArray1::from_vec(py, cuts))?;
    }
    d.set_item("elapsed", set.info.elapsed.as_secs_f64())?;
    d.set_item("num_reads", set.info.num_reads)?;
    d.set_item(
        "status",
        set.info.status.as_ref().map_or("max steps", |s| s.name()),
    )?;
    Ok(d)
}

/// An objective in dimod's convention, as arrays: `(linear, i, j, b, offset)`.
type Objective<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
    f64,
);

/// A QUBO as arrays: `(i, j, Q, offset)`, each pair once with `i ≤ j`.
type QuboArrays<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
    f64,
);

fn objective_of<'py>(py: Python<'py>, m: &IsingModel) -> Objective<'py> {
    // H = −½ sᵀJs − hᵀs + c is E with a = −h, b_ij = −J_ij
    let c = m.couplings();
    (
        PyArray1::from_vec(py, m.fields().iter().map(|h| -h).collect()),
        PyArray1::from_vec(py, c.iter().map(|e| i64::from(e.0)).collect()),
        PyArray1::from_vec(py, c.iter().map(|e| i64::from(e.1)).collect()),
        PyArray1::from_vec(py, c.iter().map(|e| -e.2).collect()),
        m.offset(),
    )
}

/// The Ising objective with the same value as the QUBO `Σ_{k} Q_k x_{i_k} x_{j_k} + c` on
/// `x = (1 + s)/2`: `(linear, i, j, b, offset)` in dimod's convention.
#[pyfunction]
#[pyo3(signature = (n, i, j, q, offset=0.0))]
fn qubo_to_ising<'py>(
    py: Python<'py>,
    n: usize,
    i: PyReadonlyArray1<'_, i64>,
    j: PyReadonlyArray1<'_, i64>,
    q: PyReadonlyArray1<'_, f64>,
    offset: f64,
) -> PyResult<Objective<'py>> {
    let terms = pairs(n, &i, &j, &q)?;
    let qubo = Qubo::new(n, &terms, offset).map_err(err)?;
    Ok(objective_of(py, &qubo.to_ising().map_err(err)?))
}

/// The QUBO with the same value as the Ising objective on `s = 2x − 1`: `(i, j, Q, offset)`.
#[pyfunction]
#[pyo3(signature = (n, linear, i, j, b, offset=0.0))]
fn ising_to_qubo<'py>(
    py: Python<'py>,
    n: usize,
    linear: PyReadonlyArray1<'_, f64>,
    i: PyReadonlyArray1<'_, i64>,
    j: PyReadonlyArray1<'_, i64>,
    b: PyReadonlyArray1<'_, f64>,
    offset: f64,
) -> PyResult<QuboArrays<'py>> {
    let q = objective_model(n, &linear, &i, &j, &b, offset)?.to_qubo();
    let t = q.terms();
    Ok((
        PyArray1::from_vec(py, t.iter().map(|e| i64::from(e.0)).collect()),
        PyArray1::from_vec(py, t.iter().map(|e| i64::from(e.1)).collect()),
        PyArray1::from_vec(py, t.iter().map(|e| e.2).collect()),
        q.offset(),
    ))
}

/// The rows of `states` as `±1` spins (or `0/1` values with `binary`), each entry checked.
fn rows_of_values(
    states: &PyReadonlyArray2<'_, f64>,
    n: usize,
    binary: bool,
) -> PyResult<Vec<Vec<i8>>> {
    let v = states.as_array();
    if v.ncols() != n {
        return Err(ShapeError::new_err(format!(
            "states have {} entries per row, the objective has {n} variables: pass an \
             (n_states, {n}) array",
            v.ncols()
        )));
    }
    let (lo, hi, names) = if binary {
        (0.0, 1.0, "0 or 1")
    } else {
        (-1.0, 1.0, "-1 or +1")
    };
    v.rows()
        .into_iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, &x)| {
                    if x == lo || x == hi {
                        Ok(x as i8)
                    } else {
                        Err(crate::errors::ParameterError::new_err(format!(
                            "states[{r}, {c}] = {x}: every entry must be {names}"
                        )))
                    }
                })
                .collect()
        })
        .collect()
}

/// `E(s)` of the Ising objective for every row of `states` (`±1`).
#[pyfunction]
#[pyo3(signature = (n, linear, i, j, b, offset, states))]
#[allow(clippy::too_many_arguments)]
fn ising_energies<'py>(
    py: Python<'py>,
    n: usize,
    linear: PyReadonlyArray1<'_, f64>,
    i: PyReadonlyArray1<'_, i64>,
    j: PyReadonlyArray1<'_, i64>,
    b: PyReadonlyArray1<'_, f64>,
    offset: f64,
    states: PyReadonlyArray2<'_, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let m = objective_model(n, &linear, &i, &j, &b, offset)?;
    let e = rows_of_values(&states, n, false)?
        .iter()
        .map(|s| m.energy(s).map_err(err))
        .collect::<PyResult<Vec<f64>>>()?;
    Ok(PyArray1::from_vec(py, e))
}

/// `f(x)` of the QUBO for every row of `states` (`0/1`).
#[pyfunction]
#[pyo3(signature = (n, i, j, q, offset, states))]
fn qubo_values<'py>(
    py: Python<'py>,
    n: usize,
    i: PyReadonlyArray1<'_, i64>,
    j: PyReadonlyArray1<'_, i64>,
    q: PyReadonlyArray1<'_, f64>,
    offset: f64,
    states: PyReadonlyArray2<'_, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let terms = pairs(n, &i, &j, &q)?;
    let qubo = Qubo::new(n, &terms, offset).map_err(err)?;
    let e = rows_of_values(&states, n, true)?
        .iter()
        .map(|x| {
            let x: Vec<u8> = x.iter().map(|&v| v as u8).collect();
            qubo.value(&x).map_err(err)
        })
        .collect::<PyResult<Vec<f64>>>()?;
    Ok(PyArray1::from_vec(py, e))
}

/// Time-to-solution statistics of repeated runs of a randomised solver (`energies`, `seconds`
/// and `reached` per run): `TTS_q = t·ln(1 − q)/ln(1 − p)` with a 95% percentile-bootstrap
/// interval from `resamples` resamples drawn from `seed` (Goto et al., Sci. Adv. 2021).
#[pyfunction]
#[pyo3(signature = (energies, seconds, reached, probability=0.99, resamples=1000, seed=0))]
fn time_to_solution<'py>(
    py: Python<'py>,
    energies: Vec<f64>,
    seconds: Vec<f64>,
    reached: Vec<bool>,
    probability: f64,
    resamples: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    use attractor::samplers::tts::{RunOutcome, time_to_solution as tts};
    if energies.len() != seconds.len() || energies.len() != reached.len() {
        return Err(ShapeError::new_err(format!(
            "one entry per run in each list: energies {}, seconds {}, reached {}",
            energies.len(),
            seconds.len(),
            reached.len()
        )));
    }
    let runs: Vec<RunOutcome> = (0..energies.len())
        .map(|k| RunOutcome {
            energy: energies[k],
            seconds: seconds[k],
            reached: reached[k],
        })
        .collect();
    let s = tts(&runs, probability, resamples, seed).map_err(err)?;
    let d = PyDict::new(py);
    d.set_item("runs", s.runs)?;
    d.set_item("successes", s.successes)?;
    d.set_item("p", s.p)?;
    d.set_item("mean_seconds", s.mean_seconds)?;
    d.set_item("tts", s.tts)?;
    d.set_item("probability", s.probability)?;
    d.set_item("interval", s.interval)?;
    d.set_item("best_energy", s.best_energy)?;
    d.set_item("mean_energy", s.mean_energy)?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(time_to_solution, m)?)?;
    m.add_function(wrap_pyfunction!(qubo_to_ising, m)?)?;
    m.add_function(wrap_pyfunction!(ising_to_qubo, m)?)?;
    m.add_function(wrap_pyfunction!(ising_energies, m)?)?;
    m.add_function(wrap_pyfunction!(qubo_values, m)?)
}
