//! Energies of many states at once, and the two ways the learning rules modify an energy,
//! written once for every model: the nudge `F = E + β·C` and the clamp of some rows.
//!
//! A [`BatchEnergy`] evaluates `E` and `∇E` on the columns of a `d × b` matrix (one state per
//! column: an example of a minibatch), with per-column data (the example's input) gathered by
//! [`select_columns`](BatchEnergy::select_columns) when the batch loop compacts its running
//! columns. [`Nudged`] adds `β·C(x_rows, y_j)` for an [`OutputCost`] `C` of some rows of the
//! state and a target per column (Scellier & Bengio 2017: the nudged phase of equilibrium
//! propagation, `β = 0` the free phase); [`Clamped`] holds some rows where they start (their
//! gradient is zero: the clamped phase of contrastive Hebbian learning, Movellan 1991).
//! [`Phased`] is the two together, switched by a [`Phase`]. The gradient flow of any of them is
//! [`BatchGradientFlow`](crate::flow::BatchGradientFlow).

use crate::error::{Error, Result, check_len};
use crate::linalg::check_matrix_finite;
use faer::{Mat, MatMut, MatRef};
use std::ops::Range;

/// An energy evaluated on the columns of a `d × b` matrix.
pub trait BatchEnergy {
    /// The dimension `d` of one state.
    fn dim(&self) -> usize;
    /// Write `E(x_j)` into `out[j]` for every column `j` of `x`.
    fn energies_into(&mut self, x: MatRef<'_, f64>, out: &mut [f64]);
    /// Write `∇E(x_j)` into column `j` of `g`. Must not allocate.
    fn gradients_into(&mut self, x: MatRef<'_, f64>, g: MatMut<'_, f64>);
    /// The block now holds the batch's original columns `ids[k]` in position `k`: gather the
    /// per-column data (see [`BatchField::select_columns`](crate::run::BatchField)).
    fn select_columns(&mut self, _ids: &[usize]) {}
}

/// A cost `C(s, y)` of some rows `s` of one state against a target `y`.
pub trait OutputCost {
    /// `C(s, y)`.
    fn value(&self, s: &[f64], y: &[f64]) -> f64;
    /// `g = ∂C/∂s`.
    fn gradient_into(&self, s: &[f64], y: &[f64], g: &mut [f64]);
}

/// `F = E + β·C(x[rows], y_j)` per column `j` (module docs); `β = 0` leaves `E` as it is.
#[derive(Debug, Clone)]
pub struct Nudged<E, C> {
    inner: E,
    cost: C,
    rows: Range<usize>,
    beta: f64,
    y_all: Mat<f64>,
    y: Mat<f64>,
    s_buf: Vec<f64>,
    g_buf: Vec<f64>,
}

impl<E: BatchEnergy, C: OutputCost> Nudged<E, C> {
    /// `inner` nudged on `rows` by `cost` towards the targets `y` (`rows.len() × b`, one
    /// column per state of the batch; checked: shape, finite), or without targets (only
    /// `β = 0` then). Starts at `β = 0`.
    pub fn new(
        inner: E,
        cost: C,
        rows: Range<usize>,
        y: Option<MatRef<'_, f64>>,
        n_columns: usize,
    ) -> Result<Self> {
        let y_all = match y {
            Some(y) => {
                check_len(
                    "targets y (rows)",
                    y.nrows(),
                    rows.len(),
                    "give one target value per output unit",
                )?;
                check_len(
                    "targets y (columns)",
                    y.ncols(),
                    n_columns,
                    "give one target per input column",
                )?;
                check_matrix_finite("targets y", y)?;
                y.to_owned()
            }
            None => Mat::new(),
        };
        let n = rows.len();
        Ok(Self {
            inner,
            cost,
            rows,
            beta: 0.0,
            y: y_all.clone(),
            y_all,
            s_buf: vec![0.0; n],
            g_buf: vec![0.0; n],
        })
    }
    /// Whether targets were given.
    pub fn has_targets(&self) -> bool {
        self.y_all.ncols() > 0
    }
    /// The targets of every column (`rows × b`; empty without targets).
    pub fn targets(&self) -> MatRef<'_, f64> {
        self.y_all.as_ref()
    }
    /// The rows the cost reads.
    pub fn rows(&self) -> Range<usize> {
        self.rows.clone()
    }
    /// Set `β` (finite; nonzero needs targets).
    pub fn set_beta(&mut self, beta: f64) -> Result<()> {
        if !beta.is_finite() || (beta != 0.0 && !self.has_targets()) {
            return Err(Error::invalid(
                "beta",
                beta,
                "the nudging strength must be finite, and nudging needs targets y",
            ));
        }
        self.beta = beta;
        Ok(())
    }
    /// `β`.
    pub fn beta(&self) -> f64 {
        self.beta
    }
    /// The energy nudged.
    pub fn inner(&self) -> &E {
        &self.inner
    }
}

impl<E: BatchEnergy, C: OutputCost> BatchEnergy for Nudged<E, C> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn energies_into(&mut self, x: MatRef<'_, f64>, out: &mut [f64]) {
        self.inner.energies_into(x, out);
        if self.beta != 0.0 {
            for (j, e) in out.iter_mut().enumerate().take(x.ncols()) {
                for (r, i) in self.rows.clone().enumerate() {
                    self.s_buf[r] = x[(i, j)];
                }
                *e += self.beta * self.cost.value(&self.s_buf, self.y.col_as_slice(j));
            }
        }
    }
    fn gradients_into(&mut self, x: MatRef<'_, f64>, mut g: MatMut<'_, f64>) {
        self.inner.gradients_into(x, g.as_mut());
        if self.beta != 0.0 {
            for j in 0..x.ncols() {
                for (r, i) in self.rows.clone().enumerate() {
                    self.s_buf[r] = x[(i, j)];
                }
                self.cost
                    .gradient_into(&self.s_buf, self.y.col_as_slice(j), &mut self.g_buf);
                for (r, i) in self.rows.clone().enumerate() {
                    g[(i, j)] += self.beta * self.g_buf[r];
                }
            }
        }
    }
    fn select_columns(&mut self, ids: &[usize]) {
        if self.has_targets() {
            for (k, &j) in ids.iter().enumerate() {
                let src = self.y_all.col(j);
                self.y.col_mut(k).copy_from(src);
            }
        }
        self.inner.select_columns(ids);
    }
}

/// `E` with the rows `rows` held where they start: their gradient is zero while the clamp is
/// on (module docs).
#[derive(Debug, Clone)]
pub struct Clamped<E> {
    inner: E,
    rows: Range<usize>,
    on: bool,
}

impl<E: BatchEnergy> Clamped<E> {
    /// `inner` with `rows` clampable; starts unclamped.
    pub fn new(inner: E, rows: Range<usize>) -> Self {
        Self {
            inner,
            rows,
            on: false,
        }
    }
    /// Turn the clamp on or off.
    pub fn set_clamped(&mut self, on: bool) {
        self.on = on;
    }
    /// Whether the clamp is on.
    pub fn is_clamped(&self) -> bool {
        self.on
    }
    /// The energy clamped.
    pub fn inner(&self) -> &E {
        &self.inner
    }
    /// The energy clamped, mutably.
    pub fn inner_mut(&mut self) -> &mut E {
        &mut self.inner
    }
}

impl<E: BatchEnergy> BatchEnergy for Clamped<E> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn energies_into(&mut self, x: MatRef<'_, f64>, out: &mut [f64]) {
        self.inner.energies_into(x, out);
    }
    fn gradients_into(&mut self, x: MatRef<'_, f64>, mut g: MatMut<'_, f64>) {
        self.inner.gradients_into(x, g.as_mut());
        if self.on {
            for j in 0..x.ncols() {
                for i in self.rows.clone() {
                    g[(i, j)] = 0.0;
                }
            }
        }
    }
    fn select_columns(&mut self, ids: &[usize]) {
        self.inner.select_columns(ids);
    }
}

/// Which phase a relaxation runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    /// `β = 0`: the network's own equilibrium for the input.
    Free,
    /// `F = E + βC`: the output is pulled (β > 0) or pushed (β < 0) by the cost.
    Nudged(f64),
    /// The output layer held at the target (contrastive Hebbian learning's clamped phase).
    Clamped,
}

impl Phase {
    /// Check that a flow can run this phase: nudging and clamping need targets, and `β` must be
    /// finite and nonzero.
    pub fn check(self, has_targets: bool) -> Result<()> {
        if !matches!(self, Phase::Free) && !has_targets {
            return Err(Error::Incompatible(
                "the nudged and clamped phases need targets: build the flow with y".into(),
            ));
        }
        if let Phase::Nudged(beta) = self
            && !(beta.is_finite() && beta != 0.0)
        {
            return Err(Error::invalid(
                "beta",
                beta,
                "the nudging strength must be finite and nonzero (e.g. 0.5)",
            ));
        }
        Ok(())
    }
}

/// An energy in the phases of the supervised two-phase rules: [`Nudged`] on the output rows,
/// inside [`Clamped`] on the same rows.
pub type Phased<E, C> = Clamped<Nudged<E, C>>;

impl<E: BatchEnergy, C: OutputCost> Phased<E, C> {
    /// `inner` with the cost on `rows` towards the targets `y` (module docs), free phase.
    pub fn phased(
        inner: E,
        cost: C,
        rows: Range<usize>,
        y: Option<MatRef<'_, f64>>,
        n_columns: usize,
    ) -> Result<Self> {
        Ok(Clamped::new(
            Nudged::new(inner, cost, rows.clone(), y, n_columns)?,
            rows,
        ))
    }
    /// Switch the phase (checked: nudging and clamping need targets, `β` finite and nonzero).
    pub fn set_phase(&mut self, phase: Phase) -> Result<()> {
        phase.check(self.inner.has_targets())?;
        let beta = match phase {
            Phase::Nudged(b) => b,
            _ => 0.0,
        };
        self.inner.set_beta(beta)?;
        self.on = matches!(phase, Phase::Clamped);
        Ok(())
    }
    /// The phase.
    pub fn phase(&self) -> Phase {
        if self.on {
            Phase::Clamped
        } else if self.inner.beta() != 0.0 {
            Phase::Nudged(self.inner.beta())
        } else {
            Phase::Free
        }
    }
}
