//! Analysis of flows: Jacobians, spectra, stability and contraction.

mod capacity;
mod contraction;
mod jacobian;
mod signed_laplacian;

pub use capacity::{
    CapacityPoint, CapacitySweep, Criterion, RecallSummary, bit_error_rate, capacity_sweep,
    evaluate_recall, lambert_w0, overlap, ramsauer_storage_constant, recovered_fraction,
};
pub use contraction::{
    Certificate, Contraction, L2_MAX_N, NetworkForm, Norm, NormChoice, SlopeBounds, certify,
    certify_with_slopes, contraction, input_lipschitz, log_norm_l1, log_norm_linf,
    metzler_majorant, perron_vector, weighted_log_norm_l1, weighted_log_norm_l2,
    weighted_log_norm_linf,
};
pub use jacobian::{
    eigenvalues, jacobian, jacobian_finite_difference, spectral_abscissa, symmetric_eigenvalues,
};
pub use signed_laplacian::{
    CERTIFY_DENSE_MAX_N, CertificateMethod, Mu, StabilityCertificate, certify_stable,
    critical_kappa, signed_laplacian, transverse_spectrum,
};
