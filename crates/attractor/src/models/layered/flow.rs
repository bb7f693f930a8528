//! The relaxation of a layered energy network on a minibatch, as a [`BatchField`]: one column
//! per example, each layer a block of rows, every coupling a matrix product over the batch.
//!
//! The phases of the learning rules are one field with an extra energy term
//! (Scellier & Bengio 2017): the total energy is `F = E + β·C(s_L, y)`, with `β = 0` in the
//! free phase, `β ≠ 0` in a nudged phase, and the output layer held at the target in the
//! clamped phase of contrastive Hebbian learning (Movellan 1991). The input's contribution
//! `b_1 + W_0ᵀρ(x)` is computed once per minibatch ([`LayeredFlow::new`]), not per step.
//!
//! For smooth activations the field is the gradient flow `ṡ = −∇_s F`. For the hard sigmoid,
//! whose states live in `[0, 1]`, it is the projected form
//! `ṡ = (Π(s − ε∇_s F) − s)/ε`, so that an Euler step of size `ε` is exactly the projected
//! gradient step `s ← Π(s − ε∇_s F)` of Scellier & Bengio's code, and the field vanishes
//! exactly at the fixed points (the steady-state rule applies unchanged).

use super::{LayerActivation, LayeredNetwork};
pub use crate::energy::Phase;
use crate::energy::{BatchEnergy, OutputCost, Phased};
use crate::error::{Error, Result};
use crate::flow::BatchGradientFlow;
use crate::linalg::blocked_matmul;
use crate::run::BatchField;
use faer::reborrow::ReborrowMut;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use std::str::FromStr;

/// The cost `C(s_L, y)` that nudges the output layer towards a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cost {
    /// `C = ½‖s_L − y‖²`, `∂C/∂s_L = s_L − y`.
    #[default]
    SquaredError,
    /// The cross-entropy of a softmax readout of the output layer,
    /// `C = −Σ_i y_i log softmax(s_L)_i`, `∂C/∂s_L = softmax(s_L) − y` (for targets that sum to 1).
    CrossEntropy,
}

impl Cost {
    /// The name ("squared-error", "cross-entropy").
    pub fn name(self) -> &'static str {
        match self {
            Cost::SquaredError => "squared-error",
            Cost::CrossEntropy => "cross-entropy",
        }
    }

    /// `C(s, y)` for one column.
    pub fn value(self, s: &[f64], y: &[f64]) -> f64 {
        match self {
            Cost::SquaredError => {
                0.5 * s.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum::<f64>()
            }
            Cost::CrossEntropy => {
                let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let lse = m + s.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                y.iter().zip(s).map(|(yi, si)| yi * (lse - si)).sum()
            }
        }
    }

    /// `g = ∂C/∂s` for one column.
    pub fn gradient_into(self, s: &[f64], y: &[f64], g: &mut [f64]) {
        match self {
            Cost::SquaredError => {
                for ((g, a), b) in g.iter_mut().zip(s).zip(y) {
                    *g = a - b;
                }
            }
            Cost::CrossEntropy => {
                let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut z = 0.0;
                for (g, v) in g.iter_mut().zip(s) {
                    *g = (v - m).exp();
                    z += *g;
                }
                let ysum: f64 = y.iter().sum();
                for (g, yi) in g.iter_mut().zip(y) {
                    *g = ysum * *g / z - yi;
                }
            }
        }
    }
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Cost {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "squared-error" | "squared_error" | "mse" | "squared" => Ok(Cost::SquaredError),
            "cross-entropy" | "cross_entropy" | "xent" | "ce" => Ok(Cost::CrossEntropy),
            _ => Err(Error::invalid(
                "cost",
                s,
                "use squared-error or cross-entropy",
            )),
        }
    }
}

/// The layers' pre-activation "fields" `u_k = b_k + W_{k−1}ᵀρ(s_{k−1}) + W_kρ(s_{k+1})` of a
/// block of columns, written into `out` (`D × n`), with `drive = b_1 + W_0ᵀρ(x)` (`d_1 × n`)
/// standing for layer 1's input term and `rho = ρ(s)`.
pub(crate) fn fields_into(
    net: &LayeredNetwork,
    drive: MatRef<'_, f64>,
    rho: MatRef<'_, f64>,
    mut out: MatMut<'_, f64>,
    par: Par,
) {
    let n_layers = net.n_layers();
    for k in 1..=n_layers {
        let (off, d) = (net.offset(k), net.sizes()[k]);
        let mut dst = out.rb_mut().subrows_mut(off, d);
        if k == 1 {
            dst.copy_from(drive);
        } else {
            let b = net.bias(k);
            for j in 0..dst.ncols() {
                let mut c = dst.rb_mut().col_mut(j);
                for i in 0..d {
                    c[i] = b[i];
                }
            }
            let prev = rho.subrows(net.offset(k - 1), net.sizes()[k - 1]);
            blocked_matmul(
                dst.rb_mut(),
                Accum::Add,
                net.weight(k - 1).transpose(),
                prev,
                1.0,
                par,
            );
        }
        if k < n_layers {
            let next = rho.subrows(net.offset(k + 1), net.sizes()[k + 1]);
            blocked_matmul(dst, Accum::Add, net.weight(k), next, 1.0, par);
        }
    }
}

/// `drive = b_1 + W_0ᵀρ(x)` for the columns of `x` (`d_0 × n` → `d_1 × n`).
pub(crate) fn drive_into(
    net: &LayeredNetwork,
    x: MatRef<'_, f64>,
    mut out: MatMut<'_, f64>,
    par: Par,
) {
    let act = net.activation();
    let rx = Mat::from_fn(x.nrows(), x.ncols(), |i, j| act.rho(x[(i, j)]));
    let b = net.bias(1);
    for j in 0..out.ncols() {
        let mut c = out.rb_mut().col_mut(j);
        for i in 0..b.len() {
            c[i] = b[i];
        }
    }
    blocked_matmul(
        out,
        Accum::Add,
        net.weight(0).transpose(),
        rx.as_ref(),
        1.0,
        par,
    );
}

/// `out = ρ(s)` elementwise.
pub(crate) fn rho_into(act: LayerActivation, s: MatRef<'_, f64>, mut out: MatMut<'_, f64>) {
    for j in 0..s.ncols() {
        let dst = column_mut(out.rb_mut(), j);
        match (act, s.col(j).try_as_col_major()) {
            (LayerActivation::HardSigmoid, Some(src)) => {
                for (d, &v) in dst.iter_mut().zip(src.as_slice()) {
                    *d = v.clamp(0.0, 1.0);
                }
            }
            (_, Some(src)) => {
                for (d, &v) in dst.iter_mut().zip(src.as_slice()) {
                    *d = act.rho(v);
                }
            }
            (_, None) => {
                let src = s.col(j);
                for (i, d) in dst.iter_mut().enumerate() {
                    *d = act.rho(src[i]);
                }
            }
        }
    }
}

/// Column `j` of a matrix whose columns are contiguous (every matrix the flows see).
fn column<'a>(m: MatRef<'a, f64>, j: usize) -> &'a [f64] {
    m.col(j)
        .try_as_col_major()
        .expect("the batch loop's columns are contiguous")
        .as_slice()
}

fn column_mut<'a>(m: MatMut<'a, f64>, j: usize) -> &'a mut [f64] {
    m.col_mut(j)
        .try_as_col_major_mut()
        .expect("the batch loop's columns are contiguous")
        .as_slice_mut()
}

impl OutputCost for Cost {
    fn value(&self, s: &[f64], y: &[f64]) -> f64 {
        Cost::value(*self, s, y)
    }
    fn gradient_into(&self, s: &[f64], y: &[f64], g: &mut [f64]) {
        Cost::gradient_into(*self, s, y, g)
    }
}

/// The energy `E(s)` of a layered network on a minibatch, its input clamped (a
/// [`BatchEnergy`] over the free layers' states, one column per example): the input's
/// contribution `b_1 + W_0ᵀρ(x)` is computed once, in [`new`](Self::new), and
/// `∇_{s_k}E = s_k − ρ′(s_k) ⊙ u_k` with the fields `u_k` of `fields_into` (for the hard
/// sigmoid `ρ′ = 1` on `[0, 1]`, Scellier & Bengio's convention).
#[derive(Debug)]
pub struct LayeredEnergy<'a> {
    net: &'a LayeredNetwork,
    par: Par,
    drive_all: Mat<f64>,
    drive: Mat<f64>,
    rho: Mat<f64>,
    field: Mat<f64>,
}

impl<'a> LayeredEnergy<'a> {
    /// The energy of `net` with the inputs `x` (`d_0 × B`) clamped (checked).
    pub fn new(net: &'a LayeredNetwork, x: MatRef<'_, f64>, par: Par) -> Result<Self> {
        net.check_inputs("inputs x", x)?;
        let b = x.ncols();
        crate::linalg::check_dense_size("relaxation states", net.state_dim(), b)?;
        let mut drive_all = Mat::zeros(net.sizes()[1], b);
        drive_into(net, x, drive_all.as_mut(), par);
        Ok(Self {
            net,
            par,
            drive: drive_all.clone(),
            drive_all,
            rho: Mat::zeros(net.state_dim(), b),
            field: Mat::zeros(net.state_dim(), b),
        })
    }
}

impl BatchEnergy for LayeredEnergy<'_> {
    fn dim(&self) -> usize {
        self.net.state_dim()
    }

    fn gradients_into(&mut self, s: MatRef<'_, f64>, mut g: MatMut<'_, f64>) {
        let n = s.ncols();
        let net = self.net;
        let act = net.activation();
        rho_into(act, s, self.rho.as_mut().subcols_mut(0, n));
        fields_into(
            net,
            self.drive.as_ref().subcols(0, n),
            self.rho.as_ref().subcols(0, n),
            g.rb_mut(),
            self.par,
        );
        for j in 0..n {
            // g holds the field u; the gradient is s − ρ′(s)u
            let sj = column(s, j);
            let gj = column_mut(g.rb_mut(), j);
            match act {
                LayerActivation::HardSigmoid => {
                    for (d, &si) in gj.iter_mut().zip(sj) {
                        *d = si - *d;
                    }
                }
                _ => {
                    for (d, &si) in gj.iter_mut().zip(sj) {
                        *d = si - act.drho(si) * *d;
                    }
                }
            }
        }
    }

    fn energies_into(&mut self, s: MatRef<'_, f64>, out: &mut [f64]) {
        let n = s.ncols();
        let net = self.net;
        let act = net.activation();
        rho_into(act, s, self.rho.as_mut().subcols_mut(0, n));
        // W_k ρ(s_{k+1}) for k = 1 … L−1, into the field scratch
        let n_layers = net.n_layers();
        for k in 1..n_layers {
            let dst = self
                .field
                .as_mut()
                .subrows_mut(net.offset(k), net.sizes()[k]);
            let next = self
                .rho
                .as_ref()
                .subcols(0, n)
                .subrows(net.offset(k + 1), net.sizes()[k + 1]);
            blocked_matmul(
                dst.subcols_mut(0, n),
                Accum::Replace,
                net.weight(k),
                next,
                1.0,
                self.par,
            );
        }
        for j in 0..n {
            let (sj, rj) = (s.col(j), self.rho.col(j));
            let mut e = 0.0;
            for i in 0..sj.nrows() {
                e += 0.5 * sj[i] * sj[i];
            }
            let d1 = net.sizes()[1];
            for i in 0..d1 {
                e -= self.drive[(i, j)] * rj[i];
            }
            for k in 2..=n_layers {
                let b = net.bias(k);
                let off = net.offset(k);
                for i in 0..b.len() {
                    e -= b[i] * rj[off + i];
                }
            }
            for k in 1..n_layers {
                let off = net.offset(k);
                for i in 0..net.sizes()[k] {
                    e -= rj[off + i] * self.field[(off + i, j)];
                }
            }
            out[j] = e;
        }
    }

    fn select_columns(&mut self, ids: &[usize]) {
        for (k, &j) in ids.iter().enumerate() {
            let src = self.drive_all.col(j);
            self.drive.col_mut(k).copy_from(src);
        }
    }
}

/// A layered network's relaxation on a minibatch (see the module documentation): the
/// (projected, for the hard sigmoid) gradient flow of its [`LayeredEnergy`] in the phases of
/// the learning rules, [`Phased`] by the cost on the output layer.
#[derive(Debug)]
pub struct LayeredFlow<'a> {
    net: &'a LayeredNetwork,
    flow: BatchGradientFlow<Phased<LayeredEnergy<'a>, Cost>>,
}

impl<'a> LayeredFlow<'a> {
    /// The flow of `net` for the inputs `x` (`d_0 × B`) and, for the nudged and clamped
    /// phases, the targets `y` (`d_L × B`), with the projection step `ε` (the Euler step of
    /// the run; only the hard sigmoid uses it) and the cost. Starts in the free phase.
    pub fn new(
        net: &'a LayeredNetwork,
        x: MatRef<'_, f64>,
        y: Option<MatRef<'_, f64>>,
        eps: f64,
        cost: Cost,
        par: Par,
    ) -> Result<Self> {
        net.check_inputs("inputs x", x)?;
        if !(eps.is_finite() && eps > 0.0) {
            return Err(Error::invalid(
                "epsilon (relaxation step)",
                eps,
                "the relaxation step must be finite and > 0 (e.g. 0.5)",
            ));
        }
        let b = x.ncols();
        let rows = net.output_rows();
        let energy = Phased::phased(LayeredEnergy::new(net, x, par)?, cost, rows, y, b)?;
        let flow = if net.activation().is_projected() {
            let caveat = "the projected step descends the energy only while epsilon is below \
                          1/L of the coupling (e.g. epsilon <= 0.5 for weights of norm below 1)";
            BatchGradientFlow::projected(energy, 0.0, 1.0, eps, Some(caveat.to_string()))
        } else {
            BatchGradientFlow::new(energy)
        };
        Ok(Self { net, flow })
    }

    /// Switch the phase (checked: nudging and clamping need targets, β finite and nonzero).
    pub fn set_phase(&mut self, phase: Phase) -> Result<()> {
        self.flow.energy_mut().set_phase(phase)
    }
    /// The phase.
    pub fn phase(&self) -> Phase {
        self.flow.energy().phase()
    }
    /// The network.
    pub fn network(&self) -> &LayeredNetwork {
        self.net
    }
    /// Put the targets into the output rows of `s` (`D × B`): the clamped phase's start.
    pub fn clamp_outputs(&self, mut s: MatMut<'_, f64>) {
        let rows = self.net.output_rows();
        let y = self.flow.energy().inner().targets();
        for j in 0..s.ncols() {
            for (r, i) in rows.clone().enumerate() {
                s[(i, j)] = y[(r, j)];
            }
        }
    }
}

impl BatchField for LayeredFlow<'_> {
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
    fn lyapunov_caveat(&self) -> Option<String> {
        self.flow.lyapunov_caveat()
    }
}
