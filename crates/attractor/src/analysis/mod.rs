//! Analysis of flows: Jacobians, spectra, stability and contraction.

mod contraction;
mod jacobian;

pub use contraction::{Contraction, contraction};
pub use jacobian::{
    eigenvalues, jacobian, jacobian_finite_difference, spectral_abscissa, symmetric_eigenvalues,
};
