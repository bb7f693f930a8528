//! Energies: the scalar functions that every model in the library descends.
//!
//! An energy-based dynamical model (Montanari, Bullo, Krotov, Motter, *Energy-Based Dynamical
//! Models for Neurocomputation, Learning, and Optimization*, arXiv:2604.05042) is a flow
//! `ẋ = f(x)` with `Ė = ∇E(x)ᵀẋ ≤ 0`. These traits describe `E`; the [`flow`](crate::flow)
//! module turns them into vector fields.
//!
//! Methods take `&mut self` so that an implementation can keep scratch buffers and never allocate
//! while it is evaluated (models are plain data; the object implementing these traits is the
//! model bound to its workspace).

pub mod batch;
pub mod batch_energy;

pub use batch::{BatchParamGradient, LayerFeatures, add_param_contrast};
pub use batch_energy::{BatchEnergy, Clamped, Nudged, OutputCost, Phase, Phased};

/// A scalar energy `E: ℝⁿ → ℝ`.
pub trait Energy {
    /// The dimension `n` of the state.
    fn dim(&self) -> usize;
    /// `E(x)`. `x.len()` equals [`dim`](Energy::dim).
    fn energy(&mut self, x: &[f64]) -> f64;
}

/// An energy with a gradient.
pub trait Gradient: Energy {
    /// Write `∇E(x)` into `grad`.
    fn gradient_into(&mut self, x: &[f64], grad: &mut [f64]);

    /// Write `∇E(x)` into `grad` and return `E(x)`. Models override this when the two share
    /// work (a matrix–vector product, say).
    fn energy_and_gradient_into(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.gradient_into(x, grad);
        self.energy(x)
    }
}

/// A closed proper convex function `g` with a cheap proximal map, for composite energies
/// `E = f + g` (Parikh & Boyd, *Proximal Algorithms*, 2014):
/// `prox_{γg}(z) = argmin_x g(x) + ‖x − z‖²/(2γ)`.
pub trait Prox {
    /// `g(x)`; `+∞` outside the domain of `g`.
    fn value(&self, x: &[f64]) -> f64;
    /// Write `prox_{γg}(z)` into `out`.
    fn prox_into(&self, gamma: f64, z: &[f64], out: &mut [f64]);
}

/// An energy given by two closures, for quick experiments and tests.
///
/// ```
/// use attractor::energy::{Energy, FnEnergy, Gradient};
/// // E(x) = ½‖x‖²
/// let mut e = FnEnergy::new(
///     2,
///     |x: &[f64]| 0.5 * x.iter().map(|v| v * v).sum::<f64>(),
///     |x: &[f64], g: &mut [f64]| g.copy_from_slice(x),
/// );
/// assert_eq!(e.energy(&[3.0, 4.0]), 12.5);
/// let mut g = [0.0; 2];
/// e.gradient_into(&[3.0, 4.0], &mut g);
/// assert_eq!(g, [3.0, 4.0]);
/// ```
pub struct FnEnergy<E, G> {
    dim: usize,
    energy: E,
    gradient: G,
}

impl<E, G> FnEnergy<E, G>
where
    E: FnMut(&[f64]) -> f64,
    G: FnMut(&[f64], &mut [f64]),
{
    /// An energy of dimension `dim` from `E(x)` and `∇E(x)`.
    pub fn new(dim: usize, energy: E, gradient: G) -> Self {
        Self {
            dim,
            energy,
            gradient,
        }
    }
}

impl<E, G> Energy for FnEnergy<E, G>
where
    E: FnMut(&[f64]) -> f64,
    G: FnMut(&[f64], &mut [f64]),
{
    fn dim(&self) -> usize {
        self.dim
    }
    fn energy(&mut self, x: &[f64]) -> f64 {
        (self.energy)(x)
    }
}

impl<E, G> Gradient for FnEnergy<E, G>
where
    E: FnMut(&[f64]) -> f64,
    G: FnMut(&[f64], &mut [f64]),
{
    fn gradient_into(&mut self, x: &[f64], grad: &mut [f64]) {
        (self.gradient)(x, grad)
    }
}

/// A quadratic energy `E(x) = ½xᵀAx − bᵀx` with symmetric `A` (dense, faer).
///
/// Its gradient flow `ẋ = b − Ax` has the exact solution `x(t) = x* + e^{−At}(x₀ − x*)`, which
/// the stepper-order tests use.
#[derive(Debug, Clone)]
pub struct Quadratic {
    a: faer::Mat<f64>,
    b: Vec<f64>,
    ax: Vec<f64>,
}

impl Quadratic {
    /// `E(x) = ½xᵀAx − bᵀx`. `A` must be square, symmetric and finite; `b` of matching length.
    pub fn new(a: faer::Mat<f64>, b: Vec<f64>) -> crate::Result<Self> {
        let n = a.nrows();
        crate::error::check_len("A (columns)", a.ncols(), n, "pass a square matrix")?;
        crate::error::check_len("b", b.len(), n, "b must have one entry per row of A")?;
        crate::linalg::check_matrix_finite("A", a.as_ref())?;
        crate::error::check_finite("b", &b)?;
        let asym = crate::linalg::max_asymmetry(a.as_ref());
        if asym > 1e-12 * (1.0 + crate::linalg::max_abs(a.as_ref())) {
            return Err(crate::Error::invalid(
                "A",
                format!("matrix with max |A - Aᵀ| = {asym:.3e}"),
                "a quadratic energy needs a symmetric A; pass (A + Aᵀ)/2",
            ));
        }
        Ok(Self {
            a,
            b,
            ax: vec![0.0; n],
        })
    }

    /// The matrix `A`.
    pub fn a(&self) -> faer::MatRef<'_, f64> {
        self.a.as_ref()
    }
}

impl Energy for Quadratic {
    fn dim(&self) -> usize {
        self.b.len()
    }
    fn energy(&mut self, x: &[f64]) -> f64 {
        crate::linalg::matvec_into(self.a.as_ref(), x, &mut self.ax);
        0.5 * crate::linalg::dot(x, &self.ax) - crate::linalg::dot(&self.b, x)
    }
}

impl Gradient for Quadratic {
    fn gradient_into(&mut self, x: &[f64], grad: &mut [f64]) {
        crate::linalg::matvec_into(self.a.as_ref(), x, grad);
        for (g, b) in grad.iter_mut().zip(&self.b) {
            *g -= b;
        }
    }
    fn energy_and_gradient_into(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        crate::linalg::matvec_into(self.a.as_ref(), x, grad);
        let e = 0.5 * crate::linalg::dot(x, grad) - crate::linalg::dot(&self.b, x);
        for (g, b) in grad.iter_mut().zip(&self.b) {
            *g -= b;
        }
        e
    }
}

/// The curvature of a smooth energy with a constant Hessian `H`: `(ρ, L)`, its smallest and
/// largest eigenvalues, so that `f` is `ρ`-strongly convex (when `ρ > 0`) and `L`-smooth. The
/// contraction rate of the proximal gradient flow is a function of them
/// ([`proximal_contraction_rate`](crate::flow::proximal_contraction_rate)).
pub trait Curvature {
    /// `(ρ, L)`: the extreme eigenvalues of the Hessian.
    fn curvature(&self) -> crate::Result<(f64, f64)>;
}

impl Curvature for Quadratic {
    fn curvature(&self) -> crate::Result<(f64, f64)> {
        extreme_eigenvalues(self.a.as_ref())
    }
}

fn extreme_eigenvalues(h: faer::MatRef<'_, f64>) -> crate::Result<(f64, f64)> {
    let ev = crate::linalg::symmetric_eigenvalues(h)?;
    Ok((
        ev.first().copied().unwrap_or(0.0),
        ev.last().copied().unwrap_or(0.0),
    ))
}

/// The least-squares energy `f(x) = ½‖u − Φx‖²` of reconstructing a signal `u` from the
/// columns (atoms) of `Φ`: `∇f(x) = Φᵀ(Φx − u)`, Hessian `ΦᵀΦ`. The smooth part of LASSO and
/// of the sparse-coding networks (Rozell et al. 2008; Centorrino et al. 2024).
///
/// ```
/// use attractor::energy::{Energy, Gradient, LeastSquares};
/// let phi = faer::mat![[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]];
/// let mut f = LeastSquares::new(phi, vec![1.0, 2.0, 3.0])?;
/// assert_eq!(f.energy(&[1.0, 1.0]), 4.5); // ½‖(0, 0, 3)‖²
/// let mut g = [0.0; 2];
/// f.gradient_into(&[1.0, 1.0], &mut g);
/// assert_eq!(g, [0.0, 0.0]);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LeastSquares {
    phi: faer::Mat<f64>,
    u: Vec<f64>,
    residual: Vec<f64>,
}

impl LeastSquares {
    /// `f(x) = ½‖u − Φx‖²` with `Φ` of size `m × n` (atoms as columns) and `u` of length `m`.
    pub fn new(phi: faer::Mat<f64>, u: Vec<f64>) -> crate::Result<Self> {
        crate::error::check_len(
            "signal u",
            u.len(),
            phi.nrows(),
            "the signal needs one entry per row (feature) of the dictionary",
        )?;
        if phi.ncols() == 0 {
            return Err(crate::Error::invalid(
                "dictionary",
                "0 atoms",
                "pass a dictionary with at least one atom (column)",
            ));
        }
        crate::linalg::check_matrix_finite("dictionary", phi.as_ref())?;
        crate::error::check_finite("signal u", &u)?;
        let m = u.len();
        Ok(Self {
            phi,
            u,
            residual: vec![0.0; m],
        })
    }

    fn residual_into(&mut self, x: &[f64]) {
        // r = Φx − u
        crate::linalg::matvec_into(self.phi.as_ref(), x, &mut self.residual);
        for (r, u) in self.residual.iter_mut().zip(&self.u) {
            *r -= u;
        }
    }
}

impl Energy for LeastSquares {
    fn dim(&self) -> usize {
        self.phi.ncols()
    }
    fn energy(&mut self, x: &[f64]) -> f64 {
        self.residual_into(x);
        0.5 * crate::linalg::dot(&self.residual, &self.residual)
    }
}

impl Gradient for LeastSquares {
    fn gradient_into(&mut self, x: &[f64], grad: &mut [f64]) {
        self.residual_into(x);
        crate::linalg::matvec_t_into(self.phi.as_ref(), &self.residual, grad, faer::Par::Seq);
    }
    fn energy_and_gradient_into(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.gradient_into(x, grad);
        0.5 * crate::linalg::dot(&self.residual, &self.residual)
    }
}

impl Curvature for LeastSquares {
    fn curvature(&self) -> crate::Result<(f64, f64)> {
        let gram = self.phi.transpose() * &self.phi;
        extreme_eigenvalues(gram.as_ref())
    }
}

/// The gradient of an energy with respect to its parameters `θ`, `∂E(x; θ)/∂θ`: what
/// contrastive divergence, equilibrium propagation and score matching share. Each of them
/// moves `θ` along a difference of this gradient averaged over two sets of states
/// (data and model samples, free and nudged equilibria): e.g. the Boltzmann rule
/// `Δθ = −η(⟨∂E/∂θ⟩_data − ⟨∂E/∂θ⟩_model)` (Ackley, Hinton, Sejnowski, 1985).
pub trait ParamGradient {
    /// The number of parameters.
    fn n_params(&self) -> usize;
    /// The parameters, flattened in the order of [`param_gradient_into`](Self::param_gradient_into).
    fn params(&self) -> Vec<f64>;
    /// Replace the parameters (same length and order; finite).
    fn set_params(&mut self, theta: &[f64]) -> crate::Result<()>;
    /// Write `∂E(x; θ)/∂θ` into `grad` (length [`n_params`](Self::n_params)).
    fn param_gradient_into(&self, x: &[f64], grad: &mut [f64]);
}
