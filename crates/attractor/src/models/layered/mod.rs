//! Layered energy networks: the networks that equilibrium propagation and contrastive Hebbian
//! learning train (Scellier & Bengio 2017; Movellan 1991). `network` holds the parameters and
//! the energy, `flow` the batched relaxation with its free, nudged and clamped phases,
//! `activation` the nonlinearities `ρ`.

pub mod activation;
pub mod flow;
pub mod io;
pub mod network;
pub mod params;
pub mod relaxation;

pub use activation::LayerActivation;
pub use flow::{Cost, LayeredFlow, Phase};
pub use network::LayeredNetwork;
pub use params::LayerParams;
pub use relaxation::Relaxation;
