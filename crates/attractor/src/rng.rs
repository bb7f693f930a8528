//! Seeded randomness: one seed and a stream index give an independent generator.
//!
//! Every random choice in the library comes from [`stream`]`(seed, index)`: replicas, chains,
//! queries and signals each draw from the stream of their own index, so a result depends only
//! on the seed and never on how many threads share the work or in what order they run.
//!
//! The generator is ChaCha8 (Aumasson, *Too Much Crypto*, 2019): the 64-bit seed fills the key
//! through `seed_from_u64` and the index selects one of its 2⁶⁴ streams, which are independent
//! by construction (a different block-counter nonce), not by hoping that nearby seeds decorrelate.
//!
//! ```
//! use attractor::rng::{stream, Rng};
//! use rand::RngExt;
//! let mut a: Rng = stream(7, 0);
//! let mut b: Rng = stream(7, 1);
//! let (x, y): (u64, u64) = (a.random(), b.random());
//! assert_ne!(x, y);
//! assert_eq!(x, stream(7, 0).random::<u64>()); // same seed and index, same numbers
//! ```

use rand::SeedableRng;

/// The generator every model uses.
pub type Rng = rand_chacha::ChaCha8Rng;

/// The generator of stream `index` under `seed`.
pub fn stream(seed: u64, index: u64) -> Rng {
    let mut r = Rng::seed_from_u64(seed);
    r.set_stream(index);
    r
}

/// `n` values drawn uniformly from `[lo, hi)` by stream 0 of `seed` (an initial state, say).
///
/// ```
/// let x = attractor::rng::uniform(7, 4, -1.0, 1.0)?;
/// assert!(x.iter().all(|v| (-1.0..1.0).contains(v)));
/// assert_eq!(x, attractor::rng::uniform(7, 4, -1.0, 1.0)?);
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn uniform(seed: u64, n: usize, lo: f64, hi: f64) -> crate::Result<Vec<f64>> {
    use rand::RngExt;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(crate::Error::invalid(
            "uniform range",
            format!("[{lo}, {hi})"),
            "give finite bounds with lo < hi",
        ));
    }
    crate::linalg::check_dense_size("uniform draws", n, 1)?;
    let mut r = stream(seed, 0);
    Ok((0..n).map(|_| r.random_range(lo..hi)).collect())
}

/// Stream indices reserved by the library's families, so that two uses of one seed inside a
/// single run never share a stream. A family adds its item index (replica, chain, query…) to
/// its base.
pub mod streams {
    /// Initial states, one stream per replica / chain / query.
    pub const INIT: u64 = 0;
    /// Dynamics noise and visiting orders, one stream per replica / chain / query.
    pub const DYNAMICS: u64 = 1 << 40;
    /// Parameters drawn once per run (heterogeneity, random instances).
    pub const PARAMS: u64 = 2 << 40;
    /// Corruption of queries and data (flips, masks, noise).
    pub const CORRUPT: u64 = 3 << 40;
    /// Orders of data items (shuffles of training data per epoch, random units of stochastic
    /// estimates), one stream per epoch or item.
    pub const ORDER: u64 = 4 << 40;
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_differ_and_repeat() {
        let draw = |s, i| -> Vec<u64> {
            let mut r = stream(s, i);
            (0..4).map(|_| r.random()).collect()
        };
        assert_eq!(draw(3, 5), draw(3, 5));
        assert_ne!(draw(3, 5), draw(3, 6));
        assert_ne!(draw(3, 5), draw(4, 5));
    }
}
