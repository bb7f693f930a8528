//! Problem instances and codecs: the inputs that models encode (pattern sets; Ising, QUBO and
//! Max-Cut instances and their file formats).

pub mod idx;
pub mod npy;
pub mod patterns;

pub use idx::{IdxArray, read_idx, write_idx};
pub use npy::{NpyArray, read_npy};
pub use patterns::{Patterns, add_gaussian_noise, flip_fraction, mask_fraction};
