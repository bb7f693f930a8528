//! Layered oscillator networks trained by equilibrium propagation (Gower, "How to train an
//! oscillator Ising machine using equilibrium propagation", arXiv 2505.02103; "Learning at the
//! speed of physics: equilibrium propagation on oscillator Ising machines", arXiv 2510.12934):
//! the oscillator Ising machine's phase energy with clamped input phases, hidden and output
//! oscillators in layers. `network` holds the model (energy, `∂E/∂θ`, parameter blocks,
//! prediction), `flow` its relaxation on a minibatch with the free and nudged phases.

pub mod flow;
pub mod network;

pub use flow::{OscillatorFlow, phase_cost, phase_cost_gradient};
pub use network::OscillatorNetwork;
