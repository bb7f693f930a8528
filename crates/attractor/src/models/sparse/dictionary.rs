//! The dictionary `Φ` of sparse coding and the quantities every network on it shares: the Gram
//! matrix `G = ΦᵀΦ` (the networks' lateral inhibition, Rozell et al. 2008), its largest
//! eigenvalue `L` (the Lipschitz constant of `∇f`, which sets the step `γ = 1/L`), and on demand
//! its smallest eigenvalue `ρ` (strong convexity, for the contraction bound).

use crate::error::{Error, Result};
use crate::linalg::{check_dense_size, effective_par};
use faer::{Mat, MatRef, Par};
use std::sync::OnceLock;

/// A dictionary of `n_atoms` atoms in `ℝ^{n_features}`, stored as the columns of `Φ`
/// (`n_features × n_atoms`), with its Gram matrix formed once.
#[derive(Debug)]
pub struct Dictionary {
    phi: Mat<f64>,
    gram: Mat<f64>,
    lipschitz: f64,
    spectrum: OnceLock<std::result::Result<(f64, f64), Error>>,
    par: Par,
}

/// The Gram matrix's name and fix in the memory policy's message.
const GRAM: &str = "dictionary Gram matrix (n_atoms x n_atoms)";
const GRAM_FIX: &str =
    "use fewer atoms (the Gram matrix grows as n_atoms^2), or code with a subset of the dictionary";

impl Dictionary {
    /// Refuse, before anything is copied or allocated, a dictionary of `n_atoms` atoms of
    /// `n_features` features that is empty in either dimension (an array of shape
    /// `(10^18, 0)` holds no values but would loop over 10^18 atoms) or whose atoms and Gram
    /// matrix `n_atoms^2` cannot fit in memory. The CLI and the Python face call this on an
    /// array's shape before converting it; [`Dictionary::new`] calls it too.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the shape; [`Error::OutOfMemory`] for the Gram matrix.
    ///
    /// ```
    /// use attractor::models::sparse::Dictionary;
    /// let e = Dictionary::check_shape(1_000_000_000_000_000_000, 0).unwrap_err();
    /// assert!(e.to_string().contains("0 features"), "{e}");
    /// assert!(Dictionary::check_shape(3, 2).is_ok());
    /// ```
    pub fn check_shape(n_atoms: usize, n_features: usize) -> Result<()> {
        if n_atoms == 0 || n_features == 0 {
            return Err(Error::invalid(
                "dictionary shape",
                format!("{n_atoms} atoms x {n_features} features"),
                "pass a dictionary with at least one atom and one feature (n_atoms x n_features)",
            ));
        }
        let gram = crate::memory::bytes_of(GRAM, &[n_atoms, n_atoms], 8, GRAM_FIX)?;
        let atoms = crate::memory::bytes_of("dictionary", &[n_atoms, n_features], 8, GRAM_FIX)?;
        crate::memory::check_bytes(
            GRAM,
            &[n_atoms, n_atoms],
            gram.saturating_add(atoms),
            GRAM_FIX,
        )
    }

    /// The dictionary whose atoms are the columns of `phi` (`n_features × n_atoms`; a row-major
    /// `n_atoms × n_features` array, scikit-learn's layout, is this matrix in column-major
    /// order). Products run with `par` (`Par::Seq` or [`ALL_THREADS`](crate::linalg::ALL_THREADS)).
    pub fn new(phi: Mat<f64>, par: Par) -> Result<Self> {
        let (m, n) = (phi.nrows(), phi.ncols());
        Self::check_shape(n, m)?;
        check_columns_finite("dictionary", "atom", phi.as_ref())?;
        let par = effective_par(par);
        let mut gram = crate::memory::try_zeros(GRAM, n, n, GRAM_FIX)?;
        faer::linalg::matmul::matmul(
            gram.as_mut(),
            faer::Accum::Replace,
            phi.transpose(),
            phi.as_ref(),
            1.0,
            par,
        );
        // finite entries whose products overflow (atoms of norm 1e200): name the atom, not
        // "all atoms zero" after the overflow has zeroed the power iteration
        if let Some(k) = (0..n)
            .find(|&k| !gram[(k, k)].is_finite())
            .or_else(|| (0..n).find(|&k| gram.col(k).iter().any(|v| !v.is_finite())))
        {
            let largest = phi.col(k).iter().fold(0.0f64, |a, v| a.max(v.abs()));
            return Err(Error::invalid(
                &format!("dictionary atom {k}"),
                format!("entries up to {}", crate::format_number(largest)),
                "the products of the atoms overflow f64 (the Gram matrix is not finite); scale the dictionary down, e.g. normalise the atoms",
            ));
        }
        let lipschitz = largest_eigenvalue(gram.as_ref());
        if lipschitz <= 0.0 {
            return Err(Error::invalid(
                "dictionary",
                "all atoms zero",
                "at least one atom must be non-zero",
            ));
        }
        Ok(Self {
            phi,
            gram,
            lipschitz,
            spectrum: OnceLock::new(),
            par,
        })
    }

    /// The number of atoms (columns of `Φ`, length of a code).
    pub fn n_atoms(&self) -> usize {
        self.phi.ncols()
    }
    /// The number of features (rows of `Φ`, length of a signal).
    pub fn n_features(&self) -> usize {
        self.phi.nrows()
    }
    /// `Φ` (`n_features × n_atoms`).
    pub fn phi(&self) -> MatRef<'_, f64> {
        self.phi.as_ref()
    }
    /// `G = ΦᵀΦ` (`n_atoms × n_atoms`).
    pub fn gram(&self) -> MatRef<'_, f64> {
        self.gram.as_ref()
    }
    /// `G` as an owned matrix (contiguous columns for the kernels).
    pub(crate) fn gram_mat(&self) -> &Mat<f64> {
        &self.gram
    }
    /// The parallelism the dictionary's products use.
    pub fn par(&self) -> Par {
        self.par
    }
    /// An estimate of `L = λ_max(ΦᵀΦ)` (power iteration, raised by 1%; within a few per cent,
    /// possibly below `L`, which the step tolerates up to `γ < 2/L`): the Lipschitz
    /// constant of the least-squares gradient; the default step is `γ = 1/L`.
    pub fn lipschitz(&self) -> f64 {
        self.lipschitz
    }
    /// `(ρ, L)`: the smallest and largest eigenvalues of `ΦᵀΦ`, computed once on first use
    /// (a dense symmetric eigendecomposition). `ρ > 0` only when the atoms are linearly
    /// independent (`n_atoms ≤ n_features`).
    pub fn spectrum(&self) -> Result<(f64, f64)> {
        self.spectrum
            .get_or_init(|| {
                let ev = crate::linalg::symmetric_eigenvalues(self.gram.as_ref())?;
                Ok((ev[0].max(0.0), ev[ev.len() - 1]))
            })
            .clone()
    }
    /// `Φᵀ Y` for signals as columns of `signals` (`n_features × n_signals`): the feed-forward
    /// input of every network, formed once per batch.
    pub fn correlations(&self, signals: MatRef<'_, f64>) -> Result<Mat<f64>> {
        self.check_signals(signals)?;
        check_dense_size(
            "codes (n_atoms x n_signals)",
            self.n_atoms(),
            signals.ncols(),
        )?;
        let mut b = Mat::<f64>::zeros(self.n_atoms(), signals.ncols());
        faer::linalg::matmul::matmul(
            b.as_mut(),
            faer::Accum::Replace,
            self.phi.transpose(),
            signals,
            1.0,
            self.par,
        );
        Ok(b)
    }
    /// Check that `signals` has one row per feature, at least one column and finite entries.
    pub fn check_signals(&self, signals: MatRef<'_, f64>) -> Result<()> {
        if signals.nrows() != self.n_features() {
            return Err(Error::Incompatible(format!(
                "the signals have {} features but the dictionary's atoms have {}; pass signals as n_signals x n_features with the dictionary's n_features",
                signals.nrows(),
                self.n_features()
            )));
        }
        if signals.ncols() == 0 {
            return Err(Error::invalid(
                "signals",
                "0 signals",
                "pass at least one signal (n_signals x n_features)",
            ));
        }
        check_columns_finite("signals", "signal", signals)
    }
}

/// Error on the first non-finite entry of a matrix whose columns are items (atoms, signals,
/// codes), naming it as the user's row-major array has it: item (row) and feature (column).
pub(crate) fn check_columns_finite(what: &str, item: &str, m: MatRef<'_, f64>) -> Result<()> {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            let v = m[(i, j)];
            if !v.is_finite() {
                return Err(Error::NonFinite {
                    what: format!("{what} ({item} {j}, entry {i})"),
                    index: j * m.nrows() + i,
                    value: v,
                });
            }
        }
    }
    Ok(())
}

/// `λ_max` of a symmetric positive semidefinite matrix by power iteration from the all-ones
/// vector (deterministic), stopped when the Rayleigh quotient changes by less than 1e-4
/// relatively, and raised by 1%: an estimate within a few per cent, which is all the step
/// `γ = 1/L` needs (the proximal gradient map decreases the cost for any `γ < 2/L`).
fn largest_eigenvalue(g: MatRef<'_, f64>) -> f64 {
    let n = g.nrows();
    let mut v = vec![1.0 / (n as f64).sqrt(); n];
    let mut w = vec![0.0; n];
    let mut mu = 0.0;
    for it in 0..500 {
        crate::linalg::matvec_into(g, &v, &mut w);
        let next = crate::linalg::dot(&v, &w);
        let norm = crate::linalg::norm2(&w);
        if norm == 0.0 {
            // v in the null space; restart from a coordinate vector
            if it + 1 < n {
                v.fill(0.0);
                v[it + 1] = 1.0;
                continue;
            }
            return 0.0;
        }
        for (vi, wi) in v.iter_mut().zip(&w) {
            *vi = wi / norm;
        }
        let done = it > 2 && (next - mu).abs() <= 1e-4 * next.abs();
        mu = next;
        if done {
            break;
        }
    }
    // ‖Gv‖ ≥ the Rayleigh quotient; take the larger, plus 1%
    mu.max(0.0) * 1.01
}
