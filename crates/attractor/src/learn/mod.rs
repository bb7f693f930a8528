//! Learning rules: how the parameters of a model are set so that its energy minima sit where
//! the data are.
//!
//! The dependency points one way: a rule produces parameters and may build or use a model
//! (the Hebbian rule's [`HopfieldMemory::hebbian`](crate::models::HopfieldMemory::hebbian) is
//! defined here, next to the rule), while models never call into this module. Rules that
//! follow an energy's gradient in its parameters (contrastive divergence, equilibrium
//! propagation, score matching) use [`ParamGradient`](crate::energy::ParamGradient).

pub mod boltzmann_rule;
pub mod bptt;
pub mod contrastive_divergence;
pub mod contrastive_hebbian;
pub mod equilibrium_propagation;
pub mod gradient_check;
pub mod hebbian;
pub mod optimizer;
pub mod oscillator_eqprop;
pub mod pseudo_inverse;
pub mod score_matching;
pub mod store;
pub mod storkey;
pub mod trainer;
pub mod two_phase;

pub use boltzmann_rule::{BoltzmannRule, GibbsStatistics, ModelStatistics};
pub use bptt::BackpropRelaxation;
pub use contrastive_divergence::{
    CdMethod, CdParams, CdTrainer, ContrastiveDivergence, EpochReport,
};
pub use contrastive_hebbian::{ChlParams, ContrastiveHebbian};
pub use equilibrium_propagation::{EqPropParams, EquilibriumPropagation, Nudging};
pub use hebbian::hebbian;
pub use optimizer::{Adam, BlockSpec, Direction, Optimizer, ParamBlocks, Sgd, Targets};
pub use oscillator_eqprop::{OscEqPropParams, OscillatorEqProp};
pub use pseudo_inverse::pseudo_inverse;
pub use score_matching::{
    Objective, Projection, ScoreMatching, ScoreMatchingParams, ScoreMatchingTrainer,
};
pub use store::{MemoryModel, MemorySpec};
pub use storkey::storkey;
pub use trainer::{Dataset, Epoch, Rule, TrainReport, TrainSettings, Trainer};
