//! Neural–synaptic networks: learning as a dynamical system (Centorrino, Bullo & Russo,
//! *Modeling and contractivity of neural-synaptic networks with Hebbian learning*,
//! arXiv:2204.05382, Automatica 2024).
//!
//! The neurons `x ∈ ℝⁿ` follow a Hopfield or firing-rate flow whose couplings `W` are state
//! variables that learn, on a slower time scale `ε`, from the activities `a` of the neurons they
//! join. Only the synapses of a connectivity pattern ([`SynapseMask`]) exist, so the synaptic
//! state is a vector `w ∈ ℝᵐ`, one entry per synapse (the paper's low-dimensional formulation
//! of sparse circuits), and the joint state is `z = [x; w] ∈ ℝ^{n+m}`:
//!
//! ```text
//! Hopfield:     τẋ = −cx + WΦ(x) + u,   a = Φ(x)
//! firing rate:  τẋ = −cx + Φ(Wx + u),   a = x
//! synapses:     ẇ_ij = ε(−γ w_ij + ρ h_ij),   (i, j) ∈ mask  (post i, pre j)
//!   Hebbian h = a_i a_j,   anti-Hebbian h = −a_i a_j,   Oja h = a_i(a_j − a_i w_ij)
//! ```
//!
//! with `τ, c, ε, ρ > 0`, `γ ≥ 0`, `Φ` slope-restricted in `[0, L]`. At an equilibrium the
//! Hebbian weights are `w*_ij = (ρ/γ) a*_i a*_j` and Oja's are `ρ a*_i a*_j / (γ + ρ a*_i²)`.
//!
//! **On the source.** The equations above follow the paper's abstract and its published
//! summaries (Hopfield and firing-rate neurons; Hebbian, anti-Hebbian and Oja-like synapses;
//! a test in the neural and synaptic decay rates, the maximum in-degree and the maximum
//! synaptic strength, in a non-Euclidean norm). The body of the paper could not be consulted
//! when this was written, so its exact theorem is *not* reproduced here: the certificate below
//! is a lemma derived for this library in the same spirit (a composite `ℓ∞` norm and a Metzler
//! majorant), with its proof, and its constants may differ from the paper's.
//!
//! # The contractivity test
//!
//! Let `ā = sup|Φ|` (Hopfield) or `sup|Φ|/c` (firing rate) bound the activity, `ℓ = L`
//! (Hopfield) or `1` (firing rate) bound its slope, `d` be the largest in-degree of the mask and
//! `w̄ = ρā²/γ` (Hebbian, anti-Hebbian) or `min(ρā²/γ, ½ā√(ρ/γ))` (Oja).
//!
//! **Invariance.** `S = X × [−w̄, w̄]^m` is forward invariant, with `X = ℝⁿ` (Hopfield) or the
//! box `[lo/c, hi/c]ⁿ` of the range `(lo, hi)` of `Φ` (firing rate: at a face `x_i = hi/c`,
//! `τẋ_i = −hi + Φ(·) ≤ 0`). On `S`, `|a_i| ≤ ā`; at a face `w_e = w̄`,
//! `ẇ_e ≤ ε(−γw̄ + ρā²) = 0` for the Hebbian rules, and for Oja
//! `ẇ_e ≤ ε(−(γ + ρa_i²)w̄ + ρ|a_i|ā) ≤ 0` because `(γ + ρa²)/(ρ|a|) ≥ 2√(γ/ρ)` (AM–GM).
//!
//! **Lemma.** On `S` the blocks of the Jacobian `J = ∂f/∂z` satisfy
//!
//! ```text
//! μ∞(J_xx)  ≤ g_xx = (−c + L d w̄)/τ            (row i: −c + Φ′·(W_ii + Σ_{k≠i}|W_ik|))
//! ‖J_xw‖∞   ≤ g_xw = d ā/τ   (Hopfield),  L d ā/τ   (firing rate)
//! ‖J_wx‖∞   ≤ g_wx = 2ερℓā   (Hebbian rules), 2ερℓā(1 + w̄)   (Oja)
//! μ∞(J_ww)  ≤ g_ww = −εγ                         (Oja's −ερa_i² only helps)
//! ```
//!
//! so `G = [[g_xx, g_xw], [g_wx, g_ww]]` is Metzler and irreducible (`d ≥ 1`). With `v > 0` its
//! right Perron eigenvector, `Gv = α(G)v`, and the composite norm
//! `‖z‖ = max(‖x‖∞/v_x, ‖w‖∞/v_w)`, the log-norm of a block matrix is bounded by the weighted
//! `ℓ∞` log-norm of its gain matrix (e.g. Bullo, *Contraction Theory for Dynamical Systems*,
//! 2022, on composite norms): `μ(J) ≤ max_k (Gv)_k/v_k = α(G)`. Hence, if
//! `α(G) < 0`, the flow is strongly infinitesimally contracting on the convex set `S` with rate
//! `−α(G)`: any two trajectories in `S` obey `‖z₁(t) − z₂(t)‖ ≤ e^{α(G)t}‖z₁(0) − z₂(0)‖`, and
//! for a constant input there is one equilibrium in `S`, globally exponentially stable there.
//!
//! `α(G) < 0` ⇔ `g_xx < 0` and `g_xx g_ww > g_xw g_wx` ⇔
//! `c > L d (w̄ + 2ρā²/γ)` (Hebbian rules; Oja: `c > L d (w̄ + 2(1 + w̄)ρā²/γ)`), for both
//! neural forms. For the Hebbian rules on a Hopfield network with `tanh` this reads
//! `c > 3dρ/γ`. The condition does not depend on the time scales `τ, ε`; the rate does, and is
//! at most `min((c − Ldw̄)/τ, εγ)` (slow synapses learn slowly).
//!
//! The bound is sufficient, not necessary: a network outside the region may still converge, and
//! the measured rate is usually faster than the certified one.

mod certificate;
mod mask;
mod network;

pub use certificate::SynapticCertificate;
pub use mask::SynapseMask;
pub use network::{
    NeuralForm, NeuralSynapticFlow, NeuralSynapticNetwork, SynapticParams, SynapticRule,
    SynapticTrajectory,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::jacobian_finite_difference;
    use crate::flow::VectorField;
    use crate::models::Activation;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn model_is_send_and_sync() {
        assert_send_sync::<NeuralSynapticNetwork>();
    }

    #[test]
    fn jacobian_matches_finite_differences() {
        let mask =
            SynapseMask::from_edges(4, &[(0, 1), (0, 3), (1, 2), (2, 2), (3, 0), (3, 1)]).unwrap();
        for form in [NeuralForm::Hopfield, NeuralForm::FiringRate] {
            for rule in [
                SynapticRule::Hebbian,
                SynapticRule::AntiHebbian,
                SynapticRule::Oja,
            ] {
                for activation in [Activation::Tanh, Activation::Logistic] {
                    let params = SynapticParams {
                        form,
                        rule,
                        activation,
                        tau: 0.7,
                        neural_decay: 1.3,
                        gain: 0.8,
                        synaptic_decay: 0.4,
                        epsilon: 0.3,
                    };
                    let net = NeuralSynapticNetwork::new(mask.clone(), params)
                        .unwrap()
                        .with_input(vec![0.3, -0.2, 0.5, 0.1])
                        .unwrap();
                    let z = crate::rng::uniform(3, net.dim(), -1.5, 1.5).unwrap();
                    let mut f = net.flow();
                    let mut jac = faer::Mat::zeros(net.dim(), net.dim());
                    assert!(f.jacobian_into(0.0, &z, jac.as_mut()));
                    let fd = jacobian_finite_difference(&mut f, 0.0, &z).unwrap();
                    let err = (0..net.dim())
                        .flat_map(|i| (0..net.dim()).map(move |j| (i, j)))
                        .map(|(i, j)| (jac[(i, j)] - fd[(i, j)]).abs())
                        .fold(0.0, f64::max);
                    assert!(err < 1e-8, "{form:?} {rule:?} {activation:?}: {err:e}");
                }
            }
        }
    }

    #[test]
    fn perron_weights_make_both_rows_equal_alpha() {
        let net = NeuralSynapticNetwork::new(
            SynapseMask::all_to_all(5).unwrap(),
            SynapticParams {
                gain: 0.05,
                ..Default::default()
            },
        )
        .unwrap();
        let c = net.certificate().unwrap();
        let [[a, b], [cc, d]] = c.gains;
        let v = c.norm_weights;
        let alpha = -c.rate;
        assert!((a + b * v[1] / v[0] - alpha).abs() < 1e-12);
        assert!((cc * v[0] / v[1] + d - alpha).abs() < 1e-12);
    }
}
