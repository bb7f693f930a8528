use crate::error::{Error, Result, check_finite, check_len};
use crate::flow::VectorField;
use faer::Mat;
use num_complex::Complex64;

/// The Jacobian `∂f/∂x` of a vector field at `(t, x)`: analytic when the model provides it
/// ([`VectorField::jacobian_into`]), central finite differences otherwise.
///
/// ```
/// use attractor::analysis::{jacobian, spectral_abscissa};
/// use attractor::models::{Activation, HopfieldNetwork};
/// let w = faer::Mat::<f64>::zeros(3, 3);
/// let net = HopfieldNetwork::new(w, Activation::Tanh).unwrap();
/// let j = jacobian(&mut net.flow(), 0.0, &[0.0; 3]).unwrap();
/// assert!((spectral_abscissa(&j).unwrap() + 1.0).abs() < 1e-12); // ẋ = −x
/// ```
pub fn jacobian<F: VectorField + ?Sized>(f: &mut F, t: f64, x: &[f64]) -> Result<Mat<f64>> {
    let n = f.dim();
    check_len(
        "state x",
        x.len(),
        n,
        "pass a state of the vector field's dimension",
    )?;
    check_finite("state x", x)?;
    let mut jac = Mat::<f64>::zeros(n, n);
    if f.jacobian_into(t, x, jac.as_mut()) {
        Ok(jac)
    } else {
        jacobian_finite_difference(f, t, x)
    }
}

/// The Jacobian by central differences, `J_ij ≈ (f_i(x + h e_j) − f_i(x − h e_j)) / 2h` with
/// `h = ε^{1/3} max(1, |x_j|)` (error `O(h²)`, about 1e-10 relative for smooth fields).
pub fn jacobian_finite_difference<F: VectorField + ?Sized>(
    f: &mut F,
    t: f64,
    x: &[f64],
) -> Result<Mat<f64>> {
    let n = f.dim();
    check_len(
        "state x",
        x.len(),
        n,
        "pass a state of the vector field's dimension",
    )?;
    check_finite("state x", x)?;
    let mut xp = x.to_vec();
    let mut fp = vec![0.0; n];
    let mut fm = vec![0.0; n];
    let mut jac = Mat::<f64>::zeros(n, n);
    let eps = f64::EPSILON.cbrt();
    for j in 0..n {
        let h = eps * x[j].abs().max(1.0);
        xp[j] = x[j] + h;
        f.eval_into(t, &xp, &mut fp);
        xp[j] = x[j] - h;
        f.eval_into(t, &xp, &mut fm);
        xp[j] = x[j];
        for i in 0..n {
            jac[(i, j)] = (fp[i] - fm[i]) / (2.0 * h);
        }
    }
    Ok(jac)
}

fn check_square(m: &Mat<f64>) -> Result<()> {
    check_len(
        "matrix (columns)",
        m.ncols(),
        m.nrows(),
        "eigenvalues need a square matrix",
    )?;
    crate::linalg::check_matrix_finite("matrix", m.as_ref())
}

/// All eigenvalues of a real square matrix (complex in general).
pub fn eigenvalues(m: &Mat<f64>) -> Result<Vec<Complex64>> {
    check_square(m)?;
    if m.nrows() == 0 {
        return Ok(Vec::new());
    }
    m.eigenvalues()
        .map_err(|e| Error::LinearAlgebra(format!("eigenvalues: {e:?}")))
}

/// Eigenvalues of a symmetric matrix, ascending.
pub fn symmetric_eigenvalues(m: &Mat<f64>) -> Result<Vec<f64>> {
    check_square(m)?;
    crate::linalg::symmetric_eigenvalues(m.as_ref())
}

/// The spectral abscissa `max Re λ(M)`: an equilibrium with Jacobian `M` is locally
/// exponentially stable when it is negative.
pub fn spectral_abscissa(m: &Mat<f64>) -> Result<f64> {
    Ok(eigenvalues(m)?
        .iter()
        .map(|z| z.re)
        .fold(f64::NEG_INFINITY, f64::max))
}
