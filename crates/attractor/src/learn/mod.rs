//! Learning rules: how the parameters of a model are set so that its energy minima sit where
//! the data are.

pub mod hebbian;
pub mod pseudo_inverse;
pub mod storkey;

pub use hebbian::hebbian;
pub use pseudo_inverse::pseudo_inverse;
pub use storkey::storkey;
