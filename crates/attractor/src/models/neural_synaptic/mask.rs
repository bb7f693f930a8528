//! The connectivity pattern of a neural–synaptic network: which synapses `j → i` exist. The
//! synaptic state is one weight per existing synapse (the low-dimensional formulation of
//! Centorrino, Bullo & Russo, arXiv:2204.05382, which keeps sparse circuits sparse), stored by
//! postsynaptic neuron (row `i` of `W`), presynaptic neurons ascending within a row.

use crate::error::{Error, Result};

/// Which synapses exist: `W_ij` (post `i`, pre `j`) is a state variable exactly when `(i, j)`
/// is in the mask; every other `W_ij` is 0 forever. The synapse index `e` orders the synapses
/// row by row (post `i` ascending, then pre `j` ascending); the synaptic part of the joint
/// state is `w_e` in that order.
///
/// ```
/// use attractor::models::SynapseMask;
/// let m = SynapseMask::from_edges(3, &[(0, 1), (2, 0), (0, 2)])?;
/// assert_eq!(m.n_synapses(), 3);
/// assert_eq!(m.max_in_degree(), 2); // neuron 0 hears neurons 1 and 2
/// assert_eq!(m.edges().collect::<Vec<_>>(), vec![(0, 1), (0, 2), (2, 0)]);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynapseMask {
    n: usize,
    row_ptr: Vec<usize>,
    pre: Vec<usize>,
}

impl SynapseMask {
    /// Every synapse `j → i` with `i ≠ j` (no self-coupling): `n(n − 1)` synapses, in-degree
    /// `n − 1`.
    pub fn all_to_all(n: usize) -> Result<Self> {
        let m = n.checked_mul(n.saturating_sub(1)).ok_or_else(|| {
            Error::invalid(
                "n",
                n,
                "too many neurons for an all-to-all mask; pass a sparse one",
            )
        })?;
        crate::memory::check(
            "all-to-all synapse mask",
            &[m],
            std::mem::size_of::<usize>(),
            "use fewer neurons or a sparse mask (SynapseMask::from_edges)",
        )?;
        let mut row_ptr = Vec::with_capacity(n + 1);
        let mut pre = Vec::with_capacity(m);
        row_ptr.push(0);
        for i in 0..n {
            pre.extend((0..n).filter(|&j| j != i));
            row_ptr.push(pre.len());
        }
        Ok(Self { n, row_ptr, pre })
    }

    /// The synapses listed as `(post, pre)` pairs (any order; each index `< n`; no pair
    /// twice). Self-synapses `(i, i)` are allowed.
    pub fn from_edges(n: usize, edges: &[(usize, usize)]) -> Result<Self> {
        let mut sorted = edges.to_vec();
        for &(i, j) in &sorted {
            if i >= n || j >= n {
                return Err(Error::invalid(
                    "mask synapse",
                    format!("(post {i}, pre {j})"),
                    &format!("neuron indices must be < n = {n}"),
                ));
            }
        }
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::invalid(
                "mask synapse",
                format!("(post {}, pre {})", w[0].0, w[0].1),
                "each synapse may be listed once; remove the duplicate",
            ));
        }
        let mut row_ptr = vec![0; n + 1];
        for &(i, _) in &sorted {
            row_ptr[i + 1] += 1;
        }
        for i in 0..n {
            row_ptr[i + 1] += row_ptr[i];
        }
        let pre = sorted.into_iter().map(|(_, j)| j).collect();
        Ok(Self { n, row_ptr, pre })
    }

    /// The synapses where a row-major `n × n` pattern is `true` (`present[i*n + j]`: `j → i`).
    pub fn from_dense(n: usize, present: &[bool]) -> Result<Self> {
        let nn = n
            .checked_mul(n)
            .ok_or_else(|| Error::invalid("n", n, "too many neurons for a dense mask"))?;
        crate::error::check_len(
            "mask",
            present.len(),
            nn,
            "pass an n x n pattern (row i = postsynaptic neuron i), row-major",
        )?;
        let edges: Vec<(usize, usize)> = (0..nn)
            .filter(|&k| present[k])
            .map(|k| (k / n, k % n))
            .collect();
        Self::from_edges(n, &edges)
    }

    /// The number of neurons `n`.
    pub fn n_neurons(&self) -> usize {
        self.n
    }
    /// The number of synapses `m` (the length of the synaptic state).
    pub fn n_synapses(&self) -> usize {
        self.pre.len()
    }
    /// The largest number of synapses onto one neuron, `max_i |{j : (i, j) ∈ mask}|`.
    pub fn max_in_degree(&self) -> usize {
        (0..self.n)
            .map(|i| self.row_ptr[i + 1] - self.row_ptr[i])
            .max()
            .unwrap_or(0)
    }
    /// The synapse indices onto neuron `i` (`e` in `row(i)`, with presynaptic neuron
    /// `pre(e)`).
    pub fn row(&self, i: usize) -> std::ops::Range<usize> {
        self.row_ptr[i]..self.row_ptr[i + 1]
    }
    /// The presynaptic neuron of synapse `e`.
    #[inline]
    pub fn pre(&self, e: usize) -> usize {
        self.pre[e]
    }
    /// The synapses as `(post, pre)` pairs in synapse order.
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.n).flat_map(move |i| self.row(i).map(move |e| (i, self.pre[e])))
    }
}
