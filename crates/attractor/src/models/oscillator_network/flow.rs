//! The relaxation of a layered oscillator network on a minibatch, as a [`BatchField`]: one
//! column per example, every coupling two matrix products (of the cosines and of the sines of
//! the phases) over the batch.
//!
//! The phases of equilibrium propagation are one field with an extra energy term (Scellier &
//! Bengio 2017; for oscillator Ising machines Gower, arXiv 2505.02103 and 2510.12934): the
//! total energy is `F = E + β·C(θ^L, y)`, `β = 0` in the free phase ([`Phase::Free`]),
//! `β ≠ 0` in a nudged phase ([`Phase::Nudged`]); in [`Phase::Clamped`] the output phases are
//! held where they start. The flow is the gradient flow `θ̇ = −∂F/∂θ`, the coarse-grained
//! phase dynamics of the oscillator Ising machine, so `F` never rises along it.
//!
//! The cost reads the output oscillators through `cos θ^L_k` (Gower reads an OIM's outputs
//! from the phases' projections on the reference): with a target `y_k ∈ [0, 1]` (one-hot
//! class codes) mapped to `t_k = 2y_k − 1 ∈ [−1, 1]`,
//! `C = ½Σ_k (cos θ^L_k − t_k)²` ([`phase_cost`]), `∂C/∂θ^L_k = −(cos θ^L_k − t_k) sin θ^L_k`
//! ([`phase_cost_gradient`]). The squared error on the readout is our choice, the analogue of
//! Scellier & Bengio's squared error; it is zero exactly when the winning output is in phase
//! with the reference and the others in antiphase.

use super::OscillatorNetwork;
use crate::energy::{BatchEnergy, OutputCost, Phase, Phased};
use crate::error::{Result, check_len};
use crate::flow::BatchGradientFlow;
use crate::linalg::{blocked_matmul, check_matrix_finite};
use crate::run::BatchField;
use faer::reborrow::ReborrowMut;
use faer::{Accum, Mat, MatMut, MatRef, Par};

/// `C = ½Σ_k (cos θ_k − (2y_k − 1))²` for the output phases `theta` and targets `y` of one
/// column.
pub fn phase_cost(theta: &[f64], y: &[f64]) -> f64 {
    0.5 * theta
        .iter()
        .zip(y)
        .map(|(t, yk)| {
            let d = t.cos() - (2.0 * yk - 1.0);
            d * d
        })
        .sum::<f64>()
}

/// `g = ∂C/∂θ = −(cos θ − (2y − 1)) sin θ` for one column.
pub fn phase_cost_gradient(theta: &[f64], y: &[f64], g: &mut [f64]) {
    for ((g, t), yk) in g.iter_mut().zip(theta).zip(y) {
        *g = -(t.cos() - (2.0 * yk - 1.0)) * t.sin();
    }
}

/// The phase cost of the module documentation as an [`OutputCost`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhaseCost;

impl OutputCost for PhaseCost {
    fn value(&self, s: &[f64], y: &[f64]) -> f64 {
        phase_cost(s, y)
    }
    fn gradient_into(&self, s: &[f64], y: &[f64], g: &mut [f64]) {
        phase_cost_gradient(s, y, g)
    }
}

/// The energy `E(φ_0, θ)` of a layered oscillator network on a minibatch, the input phases
/// clamped (a [`BatchEnergy`] over the free phases, one column per example): the input's
/// drives `h_1 + W_0ᵀ cos φ_0` and `W_0ᵀ sin φ_0` are computed once, in [`new`](Self::new).
#[derive(Debug)]
pub struct OscillatorEnergy<'a> {
    net: &'a OscillatorNetwork,
    par: Par,
    /// `h_1 + W_0ᵀ cos φ_0` and `W_0ᵀ sin φ_0` for every column (`d_1 × B`).
    drive_c_all: Mat<f64>,
    drive_s_all: Mat<f64>,
    drive_c: Mat<f64>,
    drive_s: Mat<f64>,
    cos: Mat<f64>,
    sin: Mat<f64>,
    fu: Mat<f64>,
    fv: Mat<f64>,
}

impl<'a> OscillatorEnergy<'a> {
    /// The energy of `net` with the input phases `phi_in` (`d_0 × B`) clamped (checked).
    pub fn new(net: &'a OscillatorNetwork, phi_in: MatRef<'_, f64>, par: Par) -> Result<Self> {
        check_len(
            "input phases (rows)",
            phi_in.nrows(),
            net.n_inputs(),
            "give one phase per input oscillator (the first layer width)",
        )?;
        check_matrix_finite("input phases", phi_in)?;
        let b = phi_in.ncols();
        let dim = net.state_dim();
        crate::linalg::check_dense_size("relaxation phases", dim, b)?;
        let d1 = net.sizes()[1];
        let cos_in = Mat::from_fn(phi_in.nrows(), b, |i, j| phi_in[(i, j)].cos());
        let sin_in = Mat::from_fn(phi_in.nrows(), b, |i, j| phi_in[(i, j)].sin());
        let h1 = net.bias(1);
        let mut drive_c_all = Mat::from_fn(d1, b, |i, _| h1[i]);
        let mut drive_s_all = Mat::zeros(d1, b);
        let w0t = net.weight(0).transpose();
        blocked_matmul(
            drive_c_all.as_mut(),
            Accum::Add,
            w0t,
            cos_in.as_ref(),
            1.0,
            par,
        );
        blocked_matmul(
            drive_s_all.as_mut(),
            Accum::Replace,
            w0t,
            sin_in.as_ref(),
            1.0,
            par,
        );
        Ok(Self {
            net,
            par,
            drive_c: drive_c_all.clone(),
            drive_s: drive_s_all.clone(),
            drive_c_all,
            drive_s_all,
            cos: Mat::zeros(dim, b),
            sin: Mat::zeros(dim, b),
            fu: Mat::zeros(dim, b),
            fv: Mat::zeros(dim, b),
        })
    }
    /// `cos θ`, `sin θ` of the first `n` columns of `s`, and the downward fields
    /// `U_k = h_k + W_{k−1}ᵀ cos θ^{k−1}`, `V_k = W_{k−1}ᵀ sin θ^{k−1}` (layer 1 from the
    /// input drive); with `up`, the upward terms `W_k cos θ^{k+1}`, `W_k sin θ^{k+1}` added.
    fn fields(&mut self, s: MatRef<'_, f64>, up: bool) {
        let n = s.ncols();
        let net = self.net;
        for j in 0..n {
            for i in 0..s.nrows() {
                let (si, co) = s[(i, j)].sin_cos();
                self.cos[(i, j)] = co;
                self.sin[(i, j)] = si;
            }
        }
        let (cos, sin) = (
            self.cos.as_ref().subcols(0, n),
            self.sin.as_ref().subcols(0, n),
        );
        let mut fu = self.fu.as_mut().subcols_mut(0, n);
        let mut fv = self.fv.as_mut().subcols_mut(0, n);
        let n_layers = net.n_layers();
        for k in 1..=n_layers {
            let (off, d) = (net.offset(k), net.sizes()[k]);
            let mut u = fu.rb_mut().subrows_mut(off, d);
            let mut v = fv.rb_mut().subrows_mut(off, d);
            if k == 1 {
                u.copy_from(self.drive_c.as_ref().subcols(0, n));
                v.copy_from(self.drive_s.as_ref().subcols(0, n));
            } else {
                let h = net.bias(k);
                for j in 0..n {
                    for (i, hi) in h.iter().enumerate() {
                        u[(i, j)] = *hi;
                    }
                }
                let (po, pd) = (net.offset(k - 1), net.sizes()[k - 1]);
                let wt = net.weight(k - 1).transpose();
                blocked_matmul(
                    u.rb_mut(),
                    Accum::Add,
                    wt,
                    cos.subrows(po, pd),
                    1.0,
                    self.par,
                );
                blocked_matmul(
                    v.rb_mut(),
                    Accum::Replace,
                    wt,
                    sin.subrows(po, pd),
                    1.0,
                    self.par,
                );
            }
            if up && k < n_layers {
                let (no, nd) = (net.offset(k + 1), net.sizes()[k + 1]);
                let w = net.weight(k);
                blocked_matmul(u, Accum::Add, w, cos.subrows(no, nd), 1.0, self.par);
                blocked_matmul(v, Accum::Add, w, sin.subrows(no, nd), 1.0, self.par);
            }
        }
    }
}

impl BatchEnergy for OscillatorEnergy<'_> {
    fn dim(&self) -> usize {
        self.net.state_dim()
    }

    /// `∂E/∂θ = sin θ ⊙ U − cos θ ⊙ V`.
    fn gradients_into(&mut self, s: MatRef<'_, f64>, mut g: MatMut<'_, f64>) {
        self.fields(s, true);
        for j in 0..s.ncols() {
            for i in 0..s.nrows() {
                g[(i, j)] = self.sin[(i, j)] * self.fu[(i, j)] - self.cos[(i, j)] * self.fv[(i, j)];
            }
        }
    }

    fn energies_into(&mut self, s: MatRef<'_, f64>, out: &mut [f64]) {
        self.fields(s, false);
        for (j, e_out) in out.iter_mut().enumerate().take(s.ncols()) {
            let mut e = 0.0;
            for i in 0..s.nrows() {
                e -= self.cos[(i, j)] * self.fu[(i, j)] + self.sin[(i, j)] * self.fv[(i, j)];
            }
            *e_out = e;
        }
    }

    fn select_columns(&mut self, ids: &[usize]) {
        for (k, &j) in ids.iter().enumerate() {
            let src = self.drive_c_all.col(j);
            self.drive_c.col_mut(k).copy_from(src);
            let src = self.drive_s_all.col(j);
            self.drive_s.col_mut(k).copy_from(src);
        }
    }
}

/// A layered oscillator network's relaxation on a minibatch (see the module documentation):
/// the gradient flow of its [`OscillatorEnergy`] in the phases of equilibrium propagation,
/// [`Phased`] by the [`PhaseCost`] on the output phases.
#[derive(Debug)]
pub struct OscillatorFlow<'a> {
    net: &'a OscillatorNetwork,
    flow: BatchGradientFlow<Phased<OscillatorEnergy<'a>, PhaseCost>>,
}

impl<'a> OscillatorFlow<'a> {
    /// The flow of `net` for the input phases `phi_in` (`d_0 × B`, e.g. from
    /// [`OscillatorNetwork::input_phases`]) and, for the nudged phase, the targets `y`
    /// (`d_L × B`, one-hot or in `[0, 1]`). Starts in the free phase.
    pub fn new(
        net: &'a OscillatorNetwork,
        phi_in: MatRef<'_, f64>,
        y: Option<MatRef<'_, f64>>,
        par: Par,
    ) -> Result<Self> {
        let energy = OscillatorEnergy::new(net, phi_in, par)?;
        let b = phi_in.ncols();
        let energy = Phased::phased(energy, PhaseCost, net.output_rows(), y, b)?;
        Ok(Self {
            net,
            flow: BatchGradientFlow::new(energy),
        })
    }

    /// Switch the phase (checked: nudging needs targets and a finite, nonzero β).
    pub fn set_phase(&mut self, phase: Phase) -> Result<()> {
        self.flow.energy_mut().set_phase(phase)
    }
    /// The phase.
    pub fn phase(&self) -> Phase {
        self.flow.energy().phase()
    }
    /// The network.
    pub fn network(&self) -> &OscillatorNetwork {
        self.net
    }
}

impl BatchField for OscillatorFlow<'_> {
    fn dim(&self) -> usize {
        self.flow.dim()
    }
    fn eval_batch_into(&mut self, t: f64, s: MatRef<'_, f64>, ds: MatMut<'_, f64>) {
        self.flow.eval_batch_into(t, s, ds);
    }
    fn energies_into(&mut self, t: f64, s: MatRef<'_, f64>, out: &mut [f64]) -> bool {
        self.flow.energies_into(t, s, out)
    }
    fn select_columns(&mut self, ids: &[usize]) {
        self.flow.select_columns(ids);
    }
}
