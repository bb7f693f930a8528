//! The neural–synaptic network: neurons in Hopfield or firing-rate form, synapses learning on a
//! slower time scale, integrated as one joint state `z = [x; w]` (see the [module
//! documentation](super) for the equations).

use super::SynapseMask;
use crate::error::{Error, Result, check_finite, check_len, check_nonnegative, check_positive};
use crate::flow::VectorField;
use crate::models::Activation;
use crate::run::{Observation, Run, Solution};
use crate::step::Stepper;
use faer::{Mat, MatMut};
use std::ops::ControlFlow;

/// How the neurons integrate their synaptic input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeuralForm {
    /// `τẋ = −cx + WΦ(x) + u`: the synapses carry the firing rates `Φ(x)`, and the activity
    /// that the learning rule sees is `a = Φ(x)`.
    Hopfield,
    /// `τẋ = −cx + Φ(Wx + u)`: `x` is the firing rate itself, and the activity that the
    /// learning rule sees is `a = x`.
    FiringRate,
}

impl NeuralForm {
    /// The lower-case name ("hopfield", "firing_rate").
    pub fn name(self) -> &'static str {
        match self {
            NeuralForm::Hopfield => "hopfield",
            NeuralForm::FiringRate => "firing_rate",
        }
    }
}

impl std::str::FromStr for NeuralForm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hopfield" => Ok(NeuralForm::Hopfield),
            "firing_rate" => Ok(NeuralForm::FiringRate),
            _ => Err(Error::invalid(
                "neural form",
                s,
                "choose hopfield or firing_rate",
            )),
        }
    }
}

/// The learning rule of each synapse `j → i` (post `i`, pre `j`, activities `a = a(x)`):
/// `ẇ_ij = ε(−γw_ij + ρ·h_ij)` with
///
/// - `Hebbian`: `h = a_i a_j` (fire together, wire together);
/// - `AntiHebbian`: `h = −a_i a_j`;
/// - `Oja`: `h = a_i(a_j − a_i w_ij)`, Oja's rule (J. Math. Biol. 15, 1982) elementwise: the
///   postsynaptic activity also forgets the weight, which bounds it without a decay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SynapticRule {
    /// `h = a_i a_j`.
    Hebbian,
    /// `h = −a_i a_j`.
    AntiHebbian,
    /// `h = a_i(a_j − a_i w_ij)`.
    Oja,
}

impl SynapticRule {
    /// The lower-case name ("hebbian", "anti_hebbian", "oja").
    pub fn name(self) -> &'static str {
        match self {
            SynapticRule::Hebbian => "hebbian",
            SynapticRule::AntiHebbian => "anti_hebbian",
            SynapticRule::Oja => "oja",
        }
    }
}

impl std::str::FromStr for SynapticRule {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hebbian" => Ok(SynapticRule::Hebbian),
            "anti_hebbian" => Ok(SynapticRule::AntiHebbian),
            "oja" => Ok(SynapticRule::Oja),
            _ => Err(Error::invalid(
                "synaptic rule",
                s,
                "choose hebbian, anti_hebbian or oja",
            )),
        }
    }
}

/// The mathematics of a [`NeuralSynapticNetwork`] (the defaults are accepted by the
/// constructor: a Hopfield–Hebbian network with `τ = c = γ = 1`, gain `ρ = 0.1`, synapses ten
/// times slower than neurons, `ε = 0.1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynapticParams {
    /// Hopfield or firing-rate neurons.
    pub form: NeuralForm,
    /// The activation `Φ`.
    pub activation: Activation,
    /// The neural time constant `τ > 0`.
    pub tau: f64,
    /// The neural decay rate `c > 0`.
    pub neural_decay: f64,
    /// The learning rule.
    pub rule: SynapticRule,
    /// The learning gain `ρ > 0` (the sign of the rule is in [`SynapticRule`]).
    pub gain: f64,
    /// The synaptic decay rate `γ ≥ 0` (0 only makes sense for Oja's rule; the contraction
    /// certificate needs `γ > 0`).
    pub synaptic_decay: f64,
    /// The synaptic time scale `ε > 0` (`ε < 1`: synapses slower than neurons).
    pub epsilon: f64,
}

impl Default for SynapticParams {
    fn default() -> Self {
        Self {
            form: NeuralForm::Hopfield,
            activation: Activation::Tanh,
            tau: 1.0,
            neural_decay: 1.0,
            rule: SynapticRule::Hebbian,
            gain: 0.1,
            synaptic_decay: 1.0,
            epsilon: 0.1,
        }
    }
}

impl SynapticParams {
    pub(crate) fn validate(&self) -> Result<()> {
        check_positive(
            "tau",
            self.tau,
            "the neural time constant must be positive, e.g. 1",
        )?;
        check_positive(
            "neural_decay",
            self.neural_decay,
            "the neural decay rate c must be positive, e.g. 1",
        )?;
        check_positive(
            "gain",
            self.gain,
            "the learning gain must be positive; for a negative one choose the anti_hebbian rule",
        )?;
        check_nonnegative(
            "synaptic_decay",
            self.synaptic_decay,
            "the synaptic decay rate gamma must be >= 0, e.g. 1",
        )?;
        check_positive(
            "epsilon",
            self.epsilon,
            "the synaptic time scale must be positive, e.g. 0.1 for synapses ten times slower than neurons",
        )?;
        Ok(())
    }
}

/// A neural–synaptic network (Centorrino, Bullo & Russo, arXiv:2204.05382): neurons
/// `τẋ = −cx + WΦ(x) + u` (Hopfield) or `τẋ = −cx + Φ(Wx + u)` (firing rate), synapses
/// `ẇ_ij = ε(−γw_ij + ρ h_ij(a))` on the connections of a [`SynapseMask`], one joint state
/// `z = [x; w]` of length `n + m`.
///
/// ```
/// use attractor::models::{NeuralSynapticNetwork, SynapseMask, SynapticParams};
/// use attractor::run::Run;
/// use attractor::step::Rk4;
/// let net = NeuralSynapticNetwork::new(SynapseMask::all_to_all(4)?, SynapticParams::default())?
///     .with_input(vec![1.0, -0.5, 0.2, 0.0])?;
/// let cert = net.certificate()?;
/// assert!(cert.contracting);
/// let z0 = vec![0.0; net.dim()];
/// let run = Run::new(0.05)?.max_steps(100_000).steady_state(0.0, 1e-12)?;
/// let sol = run.solve(&mut net.flow(), &mut Rk4::new(), &z0)?;
/// let (x, w) = net.split(&sol.state)?;
/// // Hebbian equilibrium: w_ij = (ρ/γ) Φ(x_i) Φ(x_j)
/// let (i, j) = net.mask().edges().next().unwrap();
/// assert!((w[0] - 0.1 * x[i].tanh() * x[j].tanh()).abs() < 1e-8);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct NeuralSynapticNetwork {
    mask: SynapseMask,
    params: SynapticParams,
    input: Vec<f64>,
}

impl NeuralSynapticNetwork {
    /// A network on `mask` (at least one synapse) with `params` (checked as documented on
    /// [`SynapticParams`]) and no input.
    pub fn new(mask: SynapseMask, params: SynapticParams) -> Result<Self> {
        params.validate()?;
        if mask.n_synapses() == 0 {
            return Err(Error::invalid(
                "mask",
                "a pattern with no synapse",
                "a network without synapses has nothing to learn; give at least one synapse, or use HopfieldNetwork / FiringRateNetwork",
            ));
        }
        let n = mask.n_neurons();
        Ok(Self {
            mask,
            params,
            input: vec![0.0; n],
        })
    }

    /// Set the constant input `u` (one finite value per neuron).
    pub fn with_input(mut self, u: Vec<f64>) -> Result<Self> {
        check_len(
            "input u",
            u.len(),
            self.n_neurons(),
            "pass one input per neuron",
        )?;
        check_finite("input u", &u)?;
        self.input = u;
        Ok(self)
    }

    /// The number of neurons `n`.
    pub fn n_neurons(&self) -> usize {
        self.mask.n_neurons()
    }
    /// The number of synapses `m`.
    pub fn n_synapses(&self) -> usize {
        self.mask.n_synapses()
    }
    /// The joint state dimension `n + m`.
    pub fn dim(&self) -> usize {
        self.n_neurons() + self.n_synapses()
    }
    /// The connectivity.
    pub fn mask(&self) -> &SynapseMask {
        &self.mask
    }
    /// The parameters.
    pub fn params(&self) -> &SynapticParams {
        &self.params
    }
    /// The input `u`.
    pub fn input(&self) -> &[f64] {
        &self.input
    }

    /// The joint state `z = [x; w]` cut into neurons `x` and synapses `w`.
    pub fn split<'z>(&self, z: &'z [f64]) -> Result<(&'z [f64], &'z [f64])> {
        check_len(
            "joint state z",
            z.len(),
            self.dim(),
            "pass n neural states followed by one weight per synapse of the mask",
        )?;
        Ok(z.split_at(self.n_neurons()))
    }

    /// The joint state `[x; w]` from its parts (checked: lengths `n` and `m`, finite).
    pub fn join(&self, x: &[f64], w: &[f64]) -> Result<Vec<f64>> {
        check_len(
            "neural state x",
            x.len(),
            self.n_neurons(),
            "pass one value per neuron",
        )?;
        check_len(
            "synaptic state w",
            w.len(),
            self.n_synapses(),
            "pass one weight per synapse of the mask, in mask order",
        )?;
        check_finite("neural state x", x)?;
        check_finite("synaptic state w", w)?;
        Ok(x.iter().chain(w).copied().collect())
    }

    /// The synaptic weights `w` as the dense `n × n` matrix `W` (zero off the mask).
    pub fn weight_matrix(&self, w: &[f64]) -> Result<Mat<f64>> {
        check_len(
            "synaptic state w",
            w.len(),
            self.n_synapses(),
            "pass one weight per synapse of the mask, in mask order",
        )?;
        let n = self.n_neurons();
        crate::linalg::check_dense_size("weight matrix W", n, n)?;
        let mut m = Mat::zeros(n, n);
        for (e, (i, j)) in self.mask.edges().enumerate() {
            m[(i, j)] = w[e];
        }
        Ok(m)
    }

    /// The activity the learning rule sees at `x`: `Φ(x)` (Hopfield) or `x` (firing rate).
    pub fn activity(&self, x: &[f64]) -> Vec<f64> {
        match self.params.form {
            NeuralForm::Hopfield => x.iter().map(|&v| self.params.activation.phi(v)).collect(),
            NeuralForm::FiringRate => x.to_vec(),
        }
    }

    /// The network bound to its scratch buffers: the joint field `ż = f(z)`.
    pub fn flow(&self) -> NeuralSynapticFlow<'_> {
        let n = self.n_neurons();
        NeuralSynapticFlow {
            net: self,
            act: vec![0.0; n],
            drive: vec![0.0; n],
            slope: vec![0.0; n],
        }
    }

    /// The trajectory from `z0` on the shared run loop with `run` and `stepper`, the state
    /// kept every `every ≥ 1` accepted steps (and at the start and the end).
    pub fn trajectory<S>(
        &self,
        run: &Run,
        stepper: &mut S,
        z0: &[f64],
        every: usize,
    ) -> Result<SynapticTrajectory>
    where
        S: for<'a> Stepper<NeuralSynapticFlow<'a>>,
    {
        if every == 0 {
            return Err(Error::invalid(
                "every",
                0,
                "keep the state every k >= 1 steps",
            ));
        }
        self.split(z0)?;
        let mut t = Vec::new();
        let mut states = Vec::new();
        let mut flow = self.flow();
        let solution = run.solve_with_observer(
            &mut flow,
            stepper,
            z0,
            crate::run::every(every, |o: &Observation<'_>| {
                if t.last() != Some(&o.t) {
                    t.push(o.t);
                    states.extend_from_slice(o.x);
                }
                ControlFlow::Continue(())
            }),
        )?;
        if t.last() != Some(&solution.t) {
            t.push(solution.t);
            states.extend_from_slice(&solution.state);
        }
        Ok(SynapticTrajectory {
            n_neurons: self.n_neurons(),
            dim: self.dim(),
            t,
            states,
            solution,
        })
    }
}

/// A recorded path of a [`NeuralSynapticNetwork`] ([`NeuralSynapticNetwork::trajectory`]).
#[derive(Debug, Clone)]
pub struct SynapticTrajectory {
    n_neurons: usize,
    dim: usize,
    /// The times of the kept states.
    pub t: Vec<f64>,
    /// The kept joint states, one after another (`t.len()` blocks of `n + m`).
    pub states: Vec<f64>,
    /// The run's solution (final state, status, counts).
    pub solution: Solution,
}

impl SynapticTrajectory {
    /// The joint state kept at `t[k]`.
    pub fn state(&self, k: usize) -> &[f64] {
        &self.states[k * self.dim..(k + 1) * self.dim]
    }
    /// The neural part of [`state`](Self::state).
    pub fn neurons(&self, k: usize) -> &[f64] {
        &self.state(k)[..self.n_neurons]
    }
    /// The synaptic part of [`state`](Self::state).
    pub fn synapses(&self, k: usize) -> &[f64] {
        &self.state(k)[self.n_neurons..]
    }
}

/// A [`NeuralSynapticNetwork`] with its scratch buffers: the [`VectorField`] of the joint state
/// `z = [x; w]`. Evaluating it costs `O(n + m)` and never allocates.
#[derive(Debug, Clone)]
pub struct NeuralSynapticFlow<'a> {
    net: &'a NeuralSynapticNetwork,
    act: Vec<f64>,
    drive: Vec<f64>,
    slope: Vec<f64>,
}

/// `ẇ` from the activities `a` into `dw`.
fn synapses_into(net: &NeuralSynapticNetwork, a: &[f64], w: &[f64], dw: &mut [f64]) {
    let p = &net.params;
    let mask = &net.mask;
    let (eps, gamma, rho) = (p.epsilon, p.synaptic_decay, p.gain);
    for i in 0..mask.n_neurons() {
        let ai = a[i];
        for e in mask.row(i) {
            let aj = a[mask.pre(e)];
            let h = match p.rule {
                SynapticRule::Hebbian => ai * aj,
                SynapticRule::AntiHebbian => -ai * aj,
                SynapticRule::Oja => ai * (aj - ai * w[e]),
            };
            dw[e] = eps * (rho * h - gamma * w[e]);
        }
    }
}

impl VectorField for NeuralSynapticFlow<'_> {
    fn dim(&self) -> usize {
        self.net.dim()
    }

    fn eval_into(&mut self, _t: f64, z: &[f64], dz: &mut [f64]) {
        let net = self.net;
        let n = net.n_neurons();
        let p = &net.params;
        let (x, w) = z.split_at(n);
        let (dx, dw) = dz.split_at_mut(n);
        let inv_tau = 1.0 / p.tau;
        let mask = &net.mask;
        match p.form {
            NeuralForm::Hopfield => {
                p.activation.phi_into(x, &mut self.act);
                for i in 0..n {
                    let mut s = net.input[i];
                    for e in mask.row(i) {
                        s += w[e] * self.act[mask.pre(e)];
                    }
                    dx[i] = (s - p.neural_decay * x[i]) * inv_tau;
                }
                synapses_into(net, &self.act, w, dw);
            }
            NeuralForm::FiringRate => {
                for i in 0..n {
                    let mut s = net.input[i];
                    for e in mask.row(i) {
                        s += w[e] * x[mask.pre(e)];
                    }
                    self.drive[i] = s;
                }
                p.activation.phi_into(&self.drive, dx);
                for i in 0..n {
                    dx[i] = (dx[i] - p.neural_decay * x[i]) * inv_tau;
                }
                synapses_into(net, x, w, dw);
            }
        }
    }

    /// The block Jacobian `[[∂ẋ/∂x, ∂ẋ/∂w], [∂ẇ/∂x, ∂ẇ/∂w]]` (for ReLU and saturated linear,
    /// with the right derivative at the kinks).
    fn jacobian_into(&mut self, _t: f64, z: &[f64], mut jac: MatMut<'_, f64>) -> bool {
        let net = self.net;
        let n = net.n_neurons();
        let p = &net.params;
        let mask = &net.mask;
        let (x, w) = z.split_at(n);
        let inv_tau = 1.0 / p.tau;
        jac.fill(0.0);
        // activities a and their slopes a′
        match p.form {
            NeuralForm::Hopfield => {
                for j in 0..n {
                    self.act[j] = p.activation.phi(x[j]);
                    self.slope[j] = p.activation.dphi(x[j]);
                }
                for i in 0..n {
                    jac[(i, i)] = -p.neural_decay * inv_tau;
                    for e in mask.row(i) {
                        let j = mask.pre(e);
                        jac[(i, j)] += w[e] * self.slope[j] * inv_tau;
                        jac[(i, n + e)] = self.act[j] * inv_tau;
                    }
                }
            }
            NeuralForm::FiringRate => {
                for i in 0..n {
                    let mut s = net.input[i];
                    for e in mask.row(i) {
                        s += w[e] * x[mask.pre(e)];
                    }
                    let d = p.activation.dphi(s) * inv_tau;
                    jac[(i, i)] = -p.neural_decay * inv_tau;
                    for e in mask.row(i) {
                        let j = mask.pre(e);
                        jac[(i, j)] += d * w[e];
                        jac[(i, n + e)] = d * x[j];
                    }
                }
                self.act.copy_from_slice(x);
                self.slope.fill(1.0);
            }
        }
        let (eps, gamma, rho) = (p.epsilon, p.synaptic_decay, p.gain);
        for i in 0..n {
            let (ai, si) = (self.act[i], self.slope[i]);
            for e in mask.row(i) {
                let j = mask.pre(e);
                let (aj, sj) = (self.act[j], self.slope[j]);
                let r = n + e;
                let (dhi, dhj, dhw) = match p.rule {
                    SynapticRule::Hebbian => (si * aj, ai * sj, 0.0),
                    SynapticRule::AntiHebbian => (-si * aj, -ai * sj, 0.0),
                    SynapticRule::Oja => (si * aj - 2.0 * ai * si * w[e], ai * sj, -ai * ai),
                };
                jac[(r, i)] += eps * rho * dhi;
                jac[(r, j)] += eps * rho * dhj;
                jac[(r, r)] = eps * (rho * dhw - gamma);
            }
        }
        true
    }
}
