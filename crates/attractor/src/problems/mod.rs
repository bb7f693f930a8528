//! Problem instances and codecs: the inputs that models encode (pattern sets; Ising, QUBO and
//! Max-Cut instances and their file formats).

pub mod corruption;
pub mod idx;
pub mod image_data;
pub mod image_patterns;
pub mod labels;
pub mod npy;
pub mod patterns;

pub use corruption::{Corruption, CorruptionKind};
pub use idx::{IdxArray, read_idx, write_idx};
pub use image_data::{ImageData, MNIST_TRAIN_IMAGES, resolve_images};
pub use image_patterns::{ImagePatterns, image_shape};
pub use labels::{mnist_companions, read_labels};
pub use npy::{NpyArray, npy_bytes, parse_npy_bytes, read_npy, write_npy};
pub use patterns::{Patterns, add_gaussian_noise, flip_fraction, mask_fraction};

pub mod brute_force;
pub mod formats;
pub mod ising;
pub(crate) mod kernel_csr;
pub mod rounding;
pub mod sparse_instance;

pub use brute_force::{BRUTE_FORCE_MAX_N, GroundState, brute_force};
pub use formats::edge_list::parse_edge_list;
pub use formats::ising_file::parse_ising;
pub use formats::partition::{parse_partition, read_partition, write_partition};
pub use formats::qubo_file::parse_qubo;
pub use formats::read_text;
pub use formats::rudy::{parse_rudy, read_rudy};
pub use ising::{
    IsingModel, Qubo, WeightedGraph, bits_from_spins, greedy_descent, spins_from_bits,
};
pub use rounding::BestRotation;
pub use sparse_instance::SparseInstance;
