//! Model families, one file each. A model is plain data (weights, parameters); calling its
//! `flow()` binds it to the scratch buffers that evaluating it needs, giving a
//! [`VectorField`](crate::flow::VectorField) with its energy.

pub mod activation;
pub mod boltzmann;
pub mod box_qp;
pub mod dense;
pub mod firing_rate;
pub mod hopfield;
pub mod hopfield_memory;
pub mod krotov2021;
pub mod kuramoto_ring;
pub mod layered;
pub mod memory;
pub mod modern;
pub mod neural_synaptic;
pub mod oim;
pub mod oscillator_memory;
pub mod oscillator_network;
pub mod pi_pgd;
pub mod rbm;
pub mod score_energy;
pub mod sparse;

pub use activation::Activation;
pub use boltzmann::{BoltzmannMachine, ExactDistribution, Gibbs, MAX_EXACT_UNITS, Scan, Units};
pub use box_qp::{BoxQp, BoxQpFlow};
pub use dense::{DenseMemory, Separation};
pub use firing_rate::{FiringRateFlow, FiringRateNetwork};
pub use hopfield::{HopfieldFlow, HopfieldNetwork, random_symmetric_weights};
pub use hopfield_memory::{HopfieldMemory, Update};
pub use krotov2021::{Krotov2021, Krotov2021Flow, Krotov2021Model};
pub use kuramoto_ring::KuramotoRing;
pub use layered::{Cost, LayerActivation, LayeredFlow, LayeredNetwork, Phase, Relaxation};
pub use memory::{Memory, is_recovered};
pub use modern::{ModernFlow, ModernHopfield};
pub use neural_synaptic::{
    NeuralForm, NeuralSynapticFlow, NeuralSynapticNetwork, SynapseMask, SynapticCertificate,
    SynapticParams, SynapticRule, SynapticTrajectory,
};
pub use oim::{
    Found, LANES, OimFlow, OimParams, OimProgress, OimReadout, OimRestart, OimResult, OimSchedule,
    OscillatorIsingMachine,
};
pub use oscillator_memory::{HebbianScale, OscillatorMemory, OscillatorMemoryFlow};
pub use oscillator_network::{OscillatorFlow, OscillatorNetwork};
pub use pi_pgd::{PiPgd, PiPgdFlow, PiPgdParams};
pub use rbm::{
    AisBase, AisParams, AisResult, AisSchedule, Rbm, RbmGibbs, RbmGradient, VisibleUnits,
};

use crate::error::{Result, check_len};
use crate::linalg::{check_matrix_finite, max_abs, max_asymmetry};
use faer::Mat;

/// Validate a square, finite coupling matrix and return its largest asymmetry `max |W − Wᵀ|`.
pub(crate) fn validate_weights(w: &Mat<f64>) -> Result<f64> {
    check_len(
        "W (columns)",
        w.ncols(),
        w.nrows(),
        "the coupling matrix W must be square (n x n)",
    )?;
    check_matrix_finite("W", w.as_ref())?;
    Ok(max_asymmetry(w.as_ref()))
}

/// Whether an asymmetry is large enough to void the energy as a Lyapunov function.
pub(crate) fn is_asymmetric(w: &Mat<f64>, asymmetry: f64) -> bool {
    asymmetry > 1e-12 * (1.0 + max_abs(w.as_ref()))
}

/// The caveat a flow reports when `W ≠ Wᵀ`.
pub(crate) fn asymmetry_caveat(asymmetry: f64) -> String {
    format!(
        "W is not symmetric (max |W_ij - W_ji| = {asymmetry:.3e}), so the energy is not a Lyapunov function and may rise; symmetrise W with (W + Wᵀ)/2 for guaranteed descent"
    )
}

/// Validate the Hessian `W` of a convex quadratic objective: square, finite, symmetric and
/// positive semidefinite. Returns its extreme eigenvalues `(ρ, L)` (smallest, largest), with a
/// smallest eigenvalue that is negative only by rounding reported as 0.
pub(crate) fn validate_psd_hessian(w: &Mat<f64>) -> Result<(f64, f64)> {
    let asymmetry = validate_weights(w)?;
    if is_asymmetric(w, asymmetry) {
        return Err(crate::Error::invalid(
            "W",
            format!("matrix with max |W_ij - W_ji| = {asymmetry:.3e}"),
            "the Hessian of a quadratic objective must be symmetric; pass (W + Wᵀ)/2",
        ));
    }
    if w.nrows() == 0 {
        return Err(crate::Error::invalid(
            "W",
            "a 0 x 0 matrix",
            "the problem needs at least one variable",
        ));
    }
    let ev = crate::linalg::symmetric_eigenvalues(w.as_ref())?;
    let (rho, l) = (ev[0], ev[ev.len() - 1]);
    let tol = 1e-10 * (1.0 + l.abs().max(rho.abs()));
    if rho < -tol {
        return Err(crate::Error::invalid(
            "W",
            format!("matrix with smallest eigenvalue {rho:.6e}"),
            "W must be positive semidefinite for the objective to be convex; add a multiple of the identity or pass BᵀB",
        ));
    }
    Ok((rho.max(0.0), l.max(0.0)))
}
