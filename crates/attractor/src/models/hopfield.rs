//! The continuous-time Hopfield network (Hopfield, PNAS 81, 1984; tutorial §III):
//!
//! `τẋ = −Dx + WΦ(x) + Bu`, `D = diag(d) ≻ 0`,
//!
//! with, for symmetric `W`, the energy
//!
//! `E(x) = −½Φ(x)ᵀWΦ(x) + (Dx − Bu)ᵀΦ(x) − Σᵢ dᵢ ∫₀^{xᵢ} Φ(w) dw`
//!
//! whose gradient is `∇E = −τ Φ′(x) ⊙ ẋ`: the network is the preconditioned gradient flow
//! `τẋ = −diag(Φ′(x))⁻¹∇E(x)` and `Ė = −τ Σ Φ′(xᵢ) ẋᵢ² ≤ 0`.

use super::{Activation, asymmetry_caveat, is_asymmetric, validate_weights};
use crate::energy::{Energy, Gradient};
use crate::error::{Result, check_finite, check_len, check_positive};
use crate::flow::VectorField;
use crate::linalg::{dot, matvec_into, matvec_t_into};
use crate::run::BatchField;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// A continuous-time Hopfield network `τẋ = −Dx + WΦ(x) + Bu`.
///
/// ```
/// use attractor::models::{Activation, HopfieldNetwork, random_symmetric_weights};
/// use attractor::run::Run;
/// use attractor::step::Rk4;
/// let w = random_symmetric_weights(20, 1.5, 7).unwrap();
/// let net = HopfieldNetwork::new(w, Activation::Tanh).unwrap();
/// let x0 = vec![0.1; 20];
/// let sol = Run::new(0.05).unwrap().max_steps(2000).steady_state(1e-8, 1e-10).unwrap()
///     .solve(&mut net.flow(), &mut Rk4::new(), &x0).unwrap();
/// assert!(sol.max_energy_increase.unwrap() <= 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct HopfieldNetwork {
    w: Mat<f64>,
    decay: Vec<f64>,
    input: Vec<f64>,
    tau: f64,
    activation: Activation,
    asymmetry: f64,
    /// `Wᵀ`, kept only when `W` is not symmetric, so that `WΦ` is computed by contiguous
    /// column dot products ([`matvec_t_into`]) in both cases.
    wt: Option<Mat<f64>>,
    par: Par,
}

impl HopfieldNetwork {
    /// A network with couplings `W` (square, finite), unit decay `D = I`, no input and `τ = 1`.
    pub fn new(w: Mat<f64>, activation: Activation) -> Result<Self> {
        let asymmetry = validate_weights(&w)?;
        let n = w.nrows();
        let wt = super::is_asymmetric(&w, asymmetry).then(|| w.transpose().to_owned());
        Ok(Self {
            w,
            decay: vec![1.0; n],
            input: vec![0.0; n],
            tau: 1.0,
            activation,
            asymmetry,
            wt,
            par: crate::linalg::ALL_THREADS,
        })
    }

    /// How one evaluation may split its matrix products across the global rayon pool
    /// (default [`ALL_THREADS`](crate::linalg::ALL_THREADS); single-state evaluations only split from
    /// about n = 512 up). Use `Par::Seq` when many networks are integrated in parallel already.
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// Set the decay rates `d` (each finite and `> 0`).
    pub fn with_decay(mut self, d: Vec<f64>) -> Result<Self> {
        check_len(
            "decay d",
            d.len(),
            self.dim(),
            "pass one decay rate per neuron",
        )?;
        for (i, &v) in d.iter().enumerate() {
            check_positive(
                &format!("decay d[{i}]"),
                v,
                "decay rates must be positive (D = diag(d) > 0)",
            )?;
        }
        self.decay = d;
        Ok(self)
    }

    /// Set the constant input `b = Bu` directly.
    pub fn with_input(mut self, b: Vec<f64>) -> Result<Self> {
        check_len("input Bu", b.len(), self.dim(), "pass one input per neuron")?;
        check_finite("input Bu", &b)?;
        self.input = b;
        Ok(self)
    }

    /// Set the input from an input matrix `B` (n × m) and a constant input `u` (length m).
    pub fn with_input_matrix(self, b: &Mat<f64>, u: &[f64]) -> Result<Self> {
        check_len(
            "input matrix B (rows)",
            b.nrows(),
            self.dim(),
            "B needs one row per neuron",
        )?;
        check_len(
            "input u",
            u.len(),
            b.ncols(),
            "u needs one entry per column of B",
        )?;
        crate::linalg::check_matrix_finite("B", b.as_ref())?;
        check_finite("input u", u)?;
        let mut bu = vec![0.0; self.dim()];
        matvec_into(b.as_ref(), u, &mut bu);
        self.with_input(bu)
    }

    /// Set the time constant `τ > 0`.
    pub fn with_tau(mut self, tau: f64) -> Result<Self> {
        check_positive("tau", tau, "the time constant must be positive")?;
        self.tau = tau;
        Ok(self)
    }

    /// Number of neurons.
    pub fn dim(&self) -> usize {
        self.w.nrows()
    }
    /// The couplings `W`.
    pub fn weights(&self) -> &Mat<f64> {
        &self.w
    }
    /// The activation `Φ`.
    pub fn activation(&self) -> Activation {
        self.activation
    }
    /// The time constant `τ`.
    pub fn tau(&self) -> f64 {
        self.tau
    }
    /// The decay rates `d`.
    pub fn decay(&self) -> &[f64] {
        &self.decay
    }
    /// The input `Bu`.
    pub fn input(&self) -> &[f64] {
        &self.input
    }
    /// `max |W_ij − W_ji|`.
    pub fn asymmetry(&self) -> f64 {
        self.asymmetry
    }
    /// Whether `W = Wᵀ` (to rounding), the condition under which `E` is a Lyapunov function.
    pub fn is_symmetric(&self) -> bool {
        !is_asymmetric(&self.w, self.asymmetry)
    }

    /// The network bound to its scratch buffers: a [`VectorField`] with energy and gradient.
    pub fn flow(&self) -> HopfieldFlow<'_> {
        let n = self.dim();
        HopfieldFlow {
            net: self,
            phi: vec![0.0; n],
            wphi: vec![0.0; n],
        }
    }
}

impl HopfieldNetwork {
    /// The network bound to the buffers of a batch of up to `max_batch` states: a
    /// [`BatchField`] for [`Run::solve_batch`](crate::run::Run::solve_batch), which evaluates
    /// `WΦ(X)` for all states as one matrix product.
    pub fn batch_flow(&self, max_batch: usize) -> HopfieldBatchFlow<'_> {
        let n = self.dim();
        HopfieldBatchFlow {
            net: self,
            phi: Mat::zeros(n, max_batch),
            wphi: Mat::zeros(n, max_batch),
        }
    }

    /// The energy `E(x)` at one state (allocates its buffers; in loops use
    /// [`flow`](Self::flow), whose [`Energy`] does not).
    pub fn energy(&self, x: &[f64]) -> Result<f64> {
        check_len("x", x.len(), self.dim(), "pass one value per neuron")?;
        check_finite("x", x)?;
        Ok(Energy::energy(&mut self.flow(), x))
    }
}

/// A [`HopfieldNetwork`] with the buffers to evaluate a batch of states (the columns of a
/// `n × b` matrix) by matrix products: `Ẋ = (−DX + WΦ(X) + Bu1ᵀ)/τ`.
#[derive(Debug, Clone)]
pub struct HopfieldBatchFlow<'a> {
    net: &'a HopfieldNetwork,
    phi: Mat<f64>,
    wphi: Mat<f64>,
}

impl HopfieldBatchFlow<'_> {
    /// `Φ(X)` and `WΦ(X)` into the first `b` columns of the buffers.
    fn fill(&mut self, x: MatRef<'_, f64>) {
        let net = self.net;
        let b = x.ncols();
        if b > self.phi.ncols() {
            // a larger batch than prepared for: grow once
            self.phi = Mat::zeros(x.nrows(), b);
            self.wphi = Mat::zeros(x.nrows(), b);
        }
        for j in 0..b {
            let out = self.phi.col_as_slice_mut(j);
            match x.col(j).try_as_col_major() {
                Some(c) => net.activation.phi_into(c.as_slice(), out),
                None => {
                    for (i, o) in out.iter_mut().enumerate() {
                        *o = net.activation.phi(x[(i, j)]);
                    }
                }
            }
        }
        // W Φ; for W ≠ Wᵀ the stored Wᵀ is used transposed
        let w = match &net.wt {
            Some(wt) => wt.transpose(),
            None => net.w.as_ref(),
        };
        matmul(
            self.wphi.as_mut().subcols_mut(0, b),
            Accum::Replace,
            w,
            self.phi.as_ref().subcols(0, b),
            1.0,
            // threads only for large products (2^22 multiply-adds and up); small ones run faster on one
            if w.nrows() * w.ncols() * b >= 1 << 22 {
                crate::linalg::effective_par(net.par)
            } else {
                Par::Seq
            },
        );
        crate::linalg::clear_avx_upper_state();
    }
}

impl BatchField for HopfieldBatchFlow<'_> {
    fn dim(&self) -> usize {
        self.net.dim()
    }
    fn eval_batch_into(&mut self, _t: f64, x: MatRef<'_, f64>, mut dx: MatMut<'_, f64>) {
        self.fill(x);
        let net = self.net;
        let inv_tau = 1.0 / net.tau;
        for j in 0..x.ncols() {
            let wphi = self.wphi.col_as_slice(j);
            for i in 0..x.nrows() {
                dx[(i, j)] = (wphi[i] - net.decay[i] * x[(i, j)] + net.input[i]) * inv_tau;
            }
        }
    }
    fn energies_into(&mut self, _t: f64, x: MatRef<'_, f64>, out: &mut [f64]) -> bool {
        self.fill(x);
        let net = self.net;
        let a = net.activation;
        for j in 0..x.ncols() {
            let (phi, wphi) = (self.phi.col_as_slice(j), self.wphi.col_as_slice(j));
            let mut e = -0.5 * dot(phi, wphi);
            for i in 0..x.nrows() {
                let xi = x[(i, j)];
                e += (net.decay[i] * xi - net.input[i]) * phi[i] - net.decay[i] * a.integral(xi);
            }
            out[j] = e;
        }
        true
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        (!self.net.is_symmetric()).then(|| asymmetry_caveat(self.net.asymmetry))
    }
}

/// A [`HopfieldNetwork`] with the buffers needed to evaluate it without allocating.
#[derive(Debug, Clone)]
pub struct HopfieldFlow<'a> {
    net: &'a HopfieldNetwork,
    phi: Vec<f64>,
    wphi: Vec<f64>,
}

impl HopfieldFlow<'_> {
    /// `phi = Φ(x)`, `wphi = WΦ(x)`.
    fn fill(&mut self, x: &[f64]) {
        let net = self.net;
        net.activation.phi_into(x, &mut self.phi);
        let wt = net.wt.as_ref().unwrap_or(&net.w);
        matvec_t_into(wt.as_ref(), &self.phi, &mut self.wphi, net.par);
    }

    /// The energy from the filled buffers.
    fn energy_from_buffers(&self, x: &[f64]) -> f64 {
        let net = self.net;
        let a = net.activation;
        let mut e = -0.5 * dot(&self.phi, &self.wphi);
        for i in 0..x.len() {
            e += (net.decay[i] * x[i] - net.input[i]) * self.phi[i]
                - net.decay[i] * a.integral(x[i]);
        }
        e
    }
}

impl VectorField for HopfieldFlow<'_> {
    fn dim(&self) -> usize {
        self.net.dim()
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        self.fill(x);
        let net = self.net;
        let inv_tau = 1.0 / net.tau;
        for i in 0..x.len() {
            dx[i] = (self.wphi[i] - net.decay[i] * x[i] + net.input[i]) * inv_tau;
        }
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        Some(Energy::energy(self, x))
    }
    fn lyapunov_caveat(&self) -> Option<String> {
        (!self.net.is_symmetric()).then(|| asymmetry_caveat(self.net.asymmetry))
    }
    /// `∂f/∂x = (−D + W diag(Φ′(x)))/τ`.
    fn jacobian_into(&mut self, _t: f64, x: &[f64], mut jac: MatMut<'_, f64>) -> bool {
        let net = self.net;
        let a = net.activation;
        let inv_tau = 1.0 / net.tau;
        for j in 0..x.len() {
            let s = a.dphi(x[j]) * inv_tau;
            for i in 0..x.len() {
                jac[(i, j)] = net.w[(i, j)] * s;
            }
            jac[(j, j)] -= net.decay[j] * inv_tau;
        }
        true
    }
}

impl Energy for HopfieldFlow<'_> {
    fn dim(&self) -> usize {
        self.net.dim()
    }
    fn energy(&mut self, x: &[f64]) -> f64 {
        self.fill(x);
        self.energy_from_buffers(x)
    }
}

impl Gradient for HopfieldFlow<'_> {
    /// `∇E = Φ′(x) ⊙ (Dx − Bu − WΦ(x))`.
    fn gradient_into(&mut self, x: &[f64], grad: &mut [f64]) {
        self.energy_and_gradient_into(x, grad);
    }
    fn energy_and_gradient_into(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.fill(x);
        let net = self.net;
        let a = net.activation;
        for i in 0..x.len() {
            grad[i] = a.dphi(x[i]) * (net.decay[i] * x[i] - net.input[i] - self.wphi[i]);
        }
        self.energy_from_buffers(x)
    }
}

/// Random symmetric couplings `W = g (G + Gᵀ)/√(2n)` with `G_ij ~ N(0, 1)` and zero diagonal
/// (a Gaussian orthogonal ensemble scaled so the spectrum fills about `[−2g, 2g]`). With
/// `g > ½` and a tanh network, `λ_max(W) > 1` and the network has several attractors.
pub fn random_symmetric_weights(n: usize, gain: f64, seed: u64) -> Result<Mat<f64>> {
    if n == 0 {
        return Err(crate::Error::invalid(
            "n",
            n,
            "a network needs at least one neuron",
        ));
    }
    if !gain.is_finite() {
        return Err(crate::Error::invalid(
            "gain",
            gain,
            "the gain must be finite",
        ));
    }
    crate::linalg::check_dense_size("W (n x n)", n, n)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut w = Mat::<f64>::zeros(n, n);
    let scale = gain / (2.0 * n as f64).sqrt();
    for i in 0..n {
        for j in (i + 1)..n {
            let a: f64 = StandardNormal.sample(&mut rng);
            let b: f64 = StandardNormal.sample(&mut rng);
            let v = scale * (a + b);
            w[(i, j)] = v;
            w[(j, i)] = v;
        }
    }
    Ok(w)
}
