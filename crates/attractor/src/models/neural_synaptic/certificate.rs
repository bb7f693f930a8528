//! The contractivity test of a neural–synaptic network: a 2 × 2 Metzler matrix of block gains
//! whose spectral abscissa bounds the log-norm of the joint Jacobian in a weighted mixed
//! `ℓ∞` norm (the lemma and its proof are in the [module documentation](super)).

use super::{NeuralForm, NeuralSynapticNetwork, SynapticRule};
use crate::error::{Error, Result, check_len};

/// The outcome of [`NeuralSynapticNetwork::certificate`]: on the forward-invariant box
/// `S = X × [−w̄, w̄]^m` the joint flow satisfies
/// `‖z₁(t) − z₂(t)‖ ≤ e^{−rate·t}‖z₁(0) − z₂(0)‖` in the norm
/// `‖z‖ = max(‖x‖∞ / v_x, ‖w‖∞ / v_w)` when `contracting`.
#[derive(Debug, Clone, PartialEq)]
pub struct SynapticCertificate {
    /// The certified rate `−α(G)` (units 1/time; negative when the test fails).
    pub rate: f64,
    /// Whether `α(G) < 0`: strongly infinitesimally contracting on `S`.
    pub contracting: bool,
    /// The Metzler gain matrix `G = [[g_xx, g_xw], [g_wx, g_ww]]`.
    pub gains: [[f64; 2]; 2],
    /// The norm weights `(v_x, v_w)`: the right Perron eigenvector of `G`, `v_x = 1`.
    pub norm_weights: [f64; 2],
    /// `ā`, the bound on the activity `|a_i|` seen by the rule on `S`.
    pub activity_bound: f64,
    /// `w̄`, the synaptic bound of the forward-invariant box.
    pub weight_bound: f64,
    /// The largest in-degree `d` of the mask.
    pub max_in_degree: usize,
    /// The activation's largest slope `L`.
    pub lipschitz: f64,
    /// The condition tested, in words.
    pub criterion: String,
    n_neurons: usize,
}

impl SynapticCertificate {
    /// `‖z‖ = max(‖x‖∞ / v_x, ‖w‖∞ / v_w)` of a joint state (or a difference of two).
    pub fn norm(&self, z: &[f64]) -> f64 {
        let (x, w) = z.split_at(self.n_neurons.min(z.len()));
        let inf = |v: &[f64]| v.iter().fold(0.0f64, |m, a| m.max(a.abs()));
        (inf(x) / self.norm_weights[0]).max(inf(w) / self.norm_weights[1])
    }

    /// The distance `‖z₁ − z₂‖` of two joint states in the certificate's norm.
    pub fn distance(&self, z1: &[f64], z2: &[f64]) -> Result<f64> {
        check_len(
            "second joint state",
            z2.len(),
            z1.len(),
            "compare two states of the same network",
        )?;
        let inf = |a: &[f64], b: &[f64]| {
            a.iter()
                .zip(b)
                .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()))
        };
        let n = self.n_neurons.min(z1.len());
        Ok((inf(&z1[..n], &z2[..n]) / self.norm_weights[0])
            .max(inf(&z1[n..], &z2[n..]) / self.norm_weights[1]))
    }
}

impl NeuralSynapticNetwork {
    /// The contractivity test (see the lemma in the [module documentation](super)): the
    /// block gains of the joint Jacobian on the forward-invariant box, their Metzler matrix
    /// `G`, the rate `−α(G)` and the norm in which it holds.
    ///
    /// Errors (the test does not apply) when the activation is unbounded (ReLU, identity: no
    /// bound on the activity) or the synaptic decay `γ` is 0 (no bound on the weights).
    pub fn certificate(&self) -> Result<SynapticCertificate> {
        let p = self.params();
        let (lo, hi) = p.activation.range();
        let phi_bar = lo.abs().max(hi.abs());
        if !phi_bar.is_finite() {
            return Err(Error::invalid(
                "activation",
                p.activation.name(),
                "the contractivity test needs a bounded activation (tanh, logistic, satlin) so that the activities and the weights stay bounded",
            ));
        }
        let (rho, gamma, c, tau, eps) =
            (p.gain, p.synaptic_decay, p.neural_decay, p.tau, p.epsilon);
        if gamma <= 0.0 {
            return Err(Error::invalid(
                "synaptic_decay",
                gamma,
                "the contractivity test needs a synaptic decay gamma > 0 (without it the weights have no uniform bound and no uniform decay)",
            ));
        }
        let l = p.activation.max_slope();
        let d = self.mask().max_in_degree() as f64;
        // the activity a = Φ(x) or x, its bound ā and its slope bound ℓ
        let (a_bar, ell) = match p.form {
            NeuralForm::Hopfield => (phi_bar, l),
            NeuralForm::FiringRate => (phi_bar / c, 1.0),
        };
        let hebb_bound = rho * a_bar * a_bar / gamma;
        let w_bar = match p.rule {
            SynapticRule::Hebbian | SynapticRule::AntiHebbian => hebb_bound,
            SynapticRule::Oja => hebb_bound.min(0.5 * a_bar * (rho / gamma).sqrt()),
        };
        let g_xx = (-c + l * d * w_bar) / tau;
        let g_xw = match p.form {
            NeuralForm::Hopfield => d * a_bar / tau,
            NeuralForm::FiringRate => l * d * a_bar / tau,
        };
        let g_wx = match p.rule {
            SynapticRule::Hebbian | SynapticRule::AntiHebbian => 2.0 * eps * rho * ell * a_bar,
            SynapticRule::Oja => 2.0 * eps * rho * ell * a_bar * (1.0 + w_bar),
        };
        let g_ww = -eps * gamma;
        let half = 0.5 * (g_xx - g_ww);
        let alpha = 0.5 * (g_xx + g_ww) + (half * half + g_xw * g_wx).sqrt();
        // the right Perron vector (G − αI)v = 0 with v_x = 1; g_xw > 0 whenever d ≥ 1
        let v_w = if g_xw > 0.0 {
            (alpha - g_xx) / g_xw
        } else {
            1.0
        };
        let v_w = if v_w > 0.0 && v_w.is_finite() {
            v_w
        } else {
            1.0
        };
        let criterion = format!(
            "{form}-{rule}: alpha(G) < 0, i.e. c > L*d*(w_bar + {k}*rho*a_bar^2/gamma) with c = {c}, L = {l}, d = {d}, w_bar = {w_bar:.6}, rho = {rho}, a_bar = {a_bar:.6}, gamma = {gamma}",
            form = p.form.name(),
            rule = p.rule.name(),
            k = match p.rule {
                SynapticRule::Oja => "2*(1 + w_bar)",
                _ => "2",
            },
        );
        Ok(SynapticCertificate {
            rate: -alpha,
            contracting: alpha < 0.0,
            gains: [[g_xx, g_xw], [g_wx, g_ww]],
            norm_weights: [1.0, v_w],
            activity_bound: a_bar,
            weight_bound: w_bar,
            max_in_degree: self.mask().max_in_degree(),
            lipschitz: l,
            criterion,
            n_neurons: self.n_neurons(),
        })
    }
}
