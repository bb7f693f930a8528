//! The couplings of an [`IsingModel`] in the form the SIMD replica kernels read them (f32,
//! narrow indices, ±w rows split by sign): a layout of the problem, shared by every kernel that
//! streams the couplings once per step for a block of replicas.

use crate::problems::IsingModel;

/// The couplings `J` in CSR form for the replica kernels. When every `|J_ij|` equals one `w`
/// (every G-set graph) each row is split into its `+w` and `−w` neighbours and no values are
/// stored; column indices are 16-bit when `n ≤ 65 536`. On G22 (n = 2000, 39 980 couplings)
/// this shrinks the coupling stream from 320 KB to 80 KB, so the stream and the replicas'
/// cos/sin rows share the 512 KB L2 instead of spilling to L3.
pub(crate) struct KernelCsr {
    pub(crate) n: usize,
    /// Row `i` is `row[i]..row[i + 1]`.
    pub(crate) row: Vec<usize>,
    /// End of the `+w` part of row `i` (magnitude form); `row[i + 1]` otherwise.
    pub(crate) mid: Vec<usize>,
    pub(crate) cols: Cols,
    /// `Some(w)`: every `|J_ij| = w` (values not stored).
    pub(crate) mag: Option<f32>,
    /// Coupling values (general form only).
    pub(crate) val: Vec<f32>,
}

/// Column indices, 16- or 32-bit.
pub(crate) enum Cols {
    U16(Vec<u16>),
    U32(Vec<u32>),
}

/// A column index type of [`KernelCsr`].
pub(crate) trait Ix: Copy {
    fn ix(self) -> usize;
}
impl Ix for u16 {
    #[inline(always)]
    fn ix(self) -> usize {
        self as usize
    }
}
impl Ix for u32 {
    #[inline(always)]
    fn ix(self) -> usize {
        self as usize
    }
}

impl KernelCsr {
    /// The kernel form of a model's couplings (16-bit indices where they fit).
    pub(crate) fn new(model: &IsingModel) -> Self {
        Self::with_width(model, model.n() <= 1 << 16)
    }

    /// `narrow`: 16-bit column indices (requires `n ≤ 65 536`).
    pub(crate) fn with_width(model: &IsingModel, narrow: bool) -> Self {
        let n = model.n();
        let vals = model.values_f32();
        let w = vals.first().map_or(1.0, |v| v.abs());
        let mag = vals.iter().all(|v| v.abs() == w).then_some(w);
        let mut row = Vec::with_capacity(n + 1);
        let mut mid = Vec::with_capacity(n);
        let mut cols: Vec<u32> = Vec::with_capacity(vals.len());
        let mut val = Vec::new();
        row.push(0);
        for i in 0..n {
            let (c, _) = model.row(i);
            let rp = &model.row_ptr()[i..i + 2];
            let v = &vals[rp[0]..rp[1]];
            if mag.is_some() {
                cols.extend(c.iter().zip(v).filter(|(_, w)| **w > 0.0).map(|(j, _)| *j));
                mid.push(cols.len());
                cols.extend(c.iter().zip(v).filter(|(_, w)| **w < 0.0).map(|(j, _)| *j));
            } else {
                cols.extend_from_slice(c);
                val.extend_from_slice(v);
                mid.push(cols.len());
            }
            row.push(cols.len());
        }
        let cols = if narrow && n <= 1 << 16 {
            Cols::U16(cols.iter().map(|&j| j as u16).collect())
        } else {
            Cols::U32(cols)
        };
        Self {
            n,
            row,
            mid,
            cols,
            mag,
            val,
        }
    }
}
