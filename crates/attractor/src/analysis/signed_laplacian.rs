//! Stability of binary phase states of oscillator networks through signed Laplacians.
//!
//! Oscillator Ising machine (SCIENCE.md §5; Wang & Roychowdhury 2019; Allibhoy et al.,
//! arXiv:2505.17027): at a binary state `θ_i ∈ {0, π}`, `s_i = cos θ_i`, the Jacobian of
//! `θ̇_i = −Σ_j J_ij sin(θ_i − θ_j) − μ_i sin 2θ_i` is `−(L_s + 2 diag μ)` with the signed Laplacian
//! `(L_s)_ij = −J_ij s_i s_j` (i ≠ j), `(L_s)_ii = Σ_j J_ij s_i s_j`; the state is a stable
//! equilibrium iff `L_s + 2 diag μ ≻ 0`, and `tr L_s = sᵀJs = −2H(s)` for a field-free model.
//!
//! Oscillatory associative memory (Nishikawa, Lai & Hoppensteadt, PRL 92, 108101, 2004): the
//! Jacobian at a stored pattern `s` is `−L(A)`, `A_ij = W_ij s_i s_j + 2κ/N`; on the subspace
//! orthogonal to `𝟏` (the global phase) this is `−L(D_s W D_s) − 2κ I`, so the pattern is stable
//! iff `κ > κ_c = λ_max,⊥(−L(D_s W D_s)) / 2`.

use crate::error::{Error, Result, check_finite, check_len};
use crate::models::OscillatorMemory;
use crate::problems::IsingModel;
use crate::problems::ising::check_spins;
use faer::{Mat, Side};

/// The dense signed Laplacian `L_s` of a field-free Ising model at spins `s` (for analysis of
/// small models; the certificate below avoids it when it can).
pub fn signed_laplacian(model: &IsingModel, s: &[i8]) -> Result<Mat<f64>> {
    check_spins(s, model.n())?;
    let n = model.n();
    let mut l = Mat::zeros(n, n);
    for i in 0..n {
        let (col, val) = model.row(i);
        for (&j, &w) in col.iter().zip(val) {
            let v = w * s[i] as f64 * s[j as usize] as f64;
            l[(i, j as usize)] -= v;
            l[(i, i)] += v;
        }
    }
    Ok(l)
}

/// How a stability verdict was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateMethod {
    /// Every row of `L_s + 2 diag μ` is strictly diagonally dominant with a positive diagonal
    /// (Gershgorin): positive definite, no factorisation needed.
    Gershgorin,
    /// A dense Cholesky factorisation of `L_s + 2 diag μ` succeeded (stable) or failed (not).
    Cholesky,
    /// A diagonal entry `(L_s)_ii + 2μ_i ≤ 0`: not positive definite (unstable or marginal).
    NegativeDiagonal,
    /// Too large for a dense check (`n >` [`CERTIFY_DENSE_MAX_N`]) and Gershgorin did not decide.
    Undecided,
}

/// The largest `n` for which the certificate factorises `L_s + 2 diag μ` densely.
pub const CERTIFY_DENSE_MAX_N: usize = 6000;

/// A verdict on whether a spin state is a stable equilibrium of the oscillator Ising machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StabilityCertificate {
    /// `Some(true)`: `L_s + 2 diag μ ≻ 0` (stable); `Some(false)`: not; `None`: undecided.
    pub stable: Option<bool>,
    /// How the verdict was reached.
    pub method: CertificateMethod,
}

/// The second-harmonic strengths `μ` of a stability question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mu<'a> {
    /// One `μ` for every oscillator.
    Uniform(f64),
    /// `μ_i` per oscillator (one per spin).
    PerNode(&'a [f64]),
}

/// Certify whether `s` is a stable equilibrium of `θ̇ = −Σ_j J_ij sin(θ_i − θ_j) − μ_i sin 2θ_i`
/// (criterion `L_s + 2 diag μ ≻ 0`, Wang & Roychowdhury 2019; Allibhoy et al. 2025).
/// The model must be field-free (use [`IsingModel::with_ancilla`] and its spins otherwise, or
/// [`OscillatorIsingMachine::certify`](crate::models::OscillatorIsingMachine::certify), which
/// does that).
///
/// ```
/// use attractor::analysis::{Mu, certify_stable};
/// use attractor::problems::IsingModel;
/// // a frustrated triangle: the ground state is stable only with enough injection
/// let m = IsingModel::from_couplings(3, vec![0.0; 3], &[(0, 1, -1.0), (1, 2, -1.0), (0, 2, -1.0)], 0.0)?;
/// assert_eq!(certify_stable(&m, &[1, 1, -1], Mu::Uniform(0.1))?.stable, Some(false));
/// assert_eq!(certify_stable(&m, &[1, 1, -1], Mu::Uniform(2.0))?.stable, Some(true));
/// assert_eq!(certify_stable(&m, &[1, 1, -1], Mu::PerNode(&[2.0, 2.0, 2.0]))?.stable, Some(true));
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn certify_stable(model: &IsingModel, s: &[i8], mu: Mu<'_>) -> Result<StabilityCertificate> {
    check_spins(s, model.n())?;
    if model.has_fields() {
        return Err(Error::Incompatible(
            "the certificate is for field-free models; use IsingModel::with_ancilla() and its spins".into(),
        ));
    }
    let n = model.n();
    match mu {
        Mu::Uniform(m) => check_finite("mu", &[m])?,
        Mu::PerNode(m) => {
            check_len("mu", m.len(), n, "give one μ per spin, or use Mu::Uniform")?;
            check_finite("mu", m)?;
        }
    }
    let mu_i = |i: usize| match mu {
        Mu::Uniform(m) => m,
        Mu::PerNode(m) => m[i],
    };
    let mut dominant = true;
    for i in 0..n {
        let (col, val) = model.row(i);
        let mut d = 2.0 * mu_i(i);
        let mut off = 0.0;
        for (&j, &w) in col.iter().zip(val) {
            d += w * s[i] as f64 * s[j as usize] as f64;
            off += w.abs();
        }
        if d <= 0.0 {
            return Ok(StabilityCertificate {
                stable: Some(false),
                method: CertificateMethod::NegativeDiagonal,
            });
        }
        if d <= off {
            dominant = false;
        }
    }
    if dominant {
        return Ok(StabilityCertificate {
            stable: Some(true),
            method: CertificateMethod::Gershgorin,
        });
    }
    if n > CERTIFY_DENSE_MAX_N {
        return Ok(StabilityCertificate {
            stable: None,
            method: CertificateMethod::Undecided,
        });
    }
    let mut m = signed_laplacian(model, s)?;
    for i in 0..n {
        m[(i, i)] += 2.0 * mu_i(i);
    }
    let stable = m.llt(Side::Lower).is_ok();
    Ok(StabilityCertificate {
        stable: Some(stable),
        method: CertificateMethod::Cholesky,
    })
}

/// Transverse spectrum of a stored binary pattern `ξ` (`±1` entries) of an oscillator memory:
/// the eigenvalues of `−L(D_ξ W D_ξ)` on the subspace orthogonal to `𝟏`, ascending (`N − 1`
/// values; Nishikawa, Lai & Hoppensteadt 2004).
pub fn transverse_spectrum(memory: &OscillatorMemory, pattern: &[f64]) -> Result<Vec<f64>> {
    let w = memory.weights();
    let n = w.nrows();
    check_len(
        "pattern",
        pattern.len(),
        n,
        "give one ±1 entry per oscillator",
    )?;
    let s = spins_of_pattern(pattern)?;
    // −L(A) with A = D_s W D_s (zero diagonal), shifted by −c·𝟏𝟏ᵀ/N to push the global-phase
    // eigenvalue (0 along 𝟏) below all others, where it is dropped.
    let mut m = Mat::zeros(n, n);
    let mut big = 1.0;
    for i in 0..n {
        let mut row = 0.0;
        for j in 0..n {
            if i != j {
                let a = w[(i, j)] * s[i] as f64 * s[j] as f64;
                m[(i, j)] = a;
                row += a;
                big += a.abs();
            }
        }
        m[(i, i)] = -row;
    }
    for i in 0..n {
        for j in 0..n {
            m[(i, j)] -= 4.0 * big / n as f64;
        }
    }
    let mut ev = m
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| Error::LinearAlgebra(format!("transverse spectrum: {e:?}")))?;
    ev.sort_by(|a, b| a.total_cmp(b));
    ev.remove(0);
    Ok(ev)
}

/// The critical second-harmonic strength `κ_c = λ_max,⊥(−L(D_ξ W D_ξ)) / 2` above which the
/// binary pattern `ξ` is a stable equilibrium of the oscillator memory (negative values: stable
/// even at κ = 0). Also [`OscillatorMemory::critical_kappa`].
///
/// ```
/// use attractor::analysis::critical_kappa;
/// use attractor::models::{HebbianScale, OscillatorMemory};
/// use attractor::problems::Patterns;
/// let p = Patterns::random_binary(5, 100, 2024)?;
/// let mem = OscillatorMemory::hebbian(&p, HebbianScale::OverN, 0.0)?;
/// let kc = critical_kappa(&mem, p.pattern(0))?;
/// assert!(kc > 0.0 && kc == mem.critical_kappa(p.pattern(0))?);
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn critical_kappa(memory: &OscillatorMemory, pattern: &[f64]) -> Result<f64> {
    let ev = transverse_spectrum(memory, pattern)?;
    Ok(ev.last().copied().unwrap_or(0.0) / 2.0)
}

/// `±1` entries as spins; any other value is an error naming it.
fn spins_of_pattern(p: &[f64]) -> Result<Vec<i8>> {
    p.iter()
        .enumerate()
        .map(|(i, &v)| {
            if v == 1.0 {
                Ok(1)
            } else if v == -1.0 {
                Ok(-1)
            } else {
                Err(Error::invalid(
                    &format!("pattern[{i}]"),
                    v,
                    "a binary phase pattern has entries +1 or -1; binarise it (the sign of each entry)",
                ))
            }
        })
        .collect()
}
