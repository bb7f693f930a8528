//! Analysis of flows: Jacobians, spectra, stability and contraction.

mod capacity;
mod contraction;
mod jacobian;
mod signed_laplacian;

pub use capacity::{
    CapacityPoint, CapacitySweep, Criterion, RecallSummary, bit_error_rate, capacity_sweep,
    evaluate_recall, lambert_w0, overlap, ramsauer_storage_constant, recovered_fraction,
};
pub use contraction::{Contraction, contraction};
pub use jacobian::{
    eigenvalues, jacobian, jacobian_finite_difference, spectral_abscissa, symmetric_eigenvalues,
};
pub use signed_laplacian::{
    CERTIFY_DENSE_MAX_N, CertificateMethod, Mu, StabilityCertificate, certify_stable,
    critical_kappa, signed_laplacian, transverse_spectrum,
};
