//! `attractor._attractor`: the compiled half of the Python package. It only translates: NumPy
//! arrays and Python scalars in, the library's types built and run, NumPy arrays and
//! dictionaries out. Every numeric decision stays in the `attractor` crate; the estimator and
//! sampler faces are pure Python (`python/attractor/`).
//!
//! One file per family of the library (dynamics, associative memories, oscillator memory, the
//! Ising objective and its samplers, sparse coding, RBMs and Boltzmann machines, score
//! matching, equilibrium propagation, contraction, neural–synaptic networks, readers), sharing
//! the array conversions of [`arrays`], the typed exceptions of [`errors`] and one helper for
//! every long call ([`long_call`]: the interpreter lock released, Ctrl-C polled from the
//! calling thread and turned into the run's interrupt, the library's errors converted). A run
//! stopped by Ctrl-C returns its best state with status `"interrupted"` (the Python layer then
//! raises `attractor.Interrupted` carrying it, or returns it with `strict=False`).

mod arrays;
mod associative;
mod boltzmann;
mod constrained;
mod contraction;
mod dynamics;
mod eqprop;
mod errors;
mod ising;
mod ising_samplers;
mod kuramoto;
mod langevin;
mod long_call;
mod memory;
mod neural_synaptic;
mod oim;
mod oscillator_eqprop;
mod oscillator_memory;
mod rbm;
mod readers;
mod score_matching;
mod sparse;
mod tempering;
mod threads;

use pyo3::prelude::*;

pub(crate) use errors::{AttractorError, ParameterError, bad, err};

#[pymodule]
fn _attractor(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    threads::register(m)?;
    memory::register(m)?;
    dynamics::register(m)?;
    associative::register(m)?;
    oscillator_memory::register(m)?;
    kuramoto::register(m)?;
    constrained::register(m)?;
    ising::register(m)?;
    oim::register(m)?;
    ising_samplers::register(m)?;
    readers::register(m)?;
    sparse::register(m)?;
    contraction::register(m)?;
    rbm::register(m)?;
    boltzmann::register(m)?;
    langevin::register(m)?;
    score_matching::register(m)?;
    eqprop::register(m)?;
    oscillator_eqprop::register(m)?;
    neural_synaptic::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
