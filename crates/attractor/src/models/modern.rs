//! The modern (continuous) Hopfield memory (Ramsauer et al., *Hopfield Networks is All You
//! Need*, ICLR 2021, arXiv:2008.02217):
//!
//! `E(ξ) = −lse(β, Xᵀξ) + ½ξᵀξ + β⁻¹ ln K + ½M²`, `lse(β, z) = β⁻¹ ln Σ_μ exp(βz_μ)`,
//!
//! with `X = (x¹ … xᴷ)` the `N × K` matrix of stored patterns, `M = max_μ ‖x^μ‖`, and the
//! update `ξ ← X softmax(βXᵀξ)`, which never increases `E` (a concave–convex procedure;
//! Ramsauer et al., Theorem 1). The log-sum-exp is evaluated with the largest term factored
//! out, so `E` is finite for any finite `β` and state.
//!
//! The same energy is the Lyapunov function of the continuous flow `τξ̇ = X softmax(βXᵀξ) − ξ
//! = −τ∇E(ξ)·(1/τ)`, a plain gradient flow ([`ModernHopfield::flow`]), of which the update is
//! the Euler step with `dt = τ`; it is also the `τ_h → 0` limit of the Krotov–Hopfield 2021
//! model B ([`Krotov2021`](super::Krotov2021)).
//!
//! Many queries are retrieved at once by [`ModernHopfield::retrieve_batch_into`] as matrix
//! products (`S = βXᵀQ`, column softmax, `R = XP`), in blocks of queries so that the `K × B`
//! scores fit in memory.

use super::memory::Memory;
use crate::energy::{Energy, Gradient};
use crate::error::{Error, Result, check_len, check_positive};
use crate::flow::VectorField;
use crate::problems::Patterns;
use crate::step::DiscreteMap;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};

/// A modern Hopfield memory with inverse temperature `β`.
///
/// ```
/// use attractor::models::{Memory, ModernHopfield};
/// use attractor::problems::{Patterns, flip_fraction};
/// let p = Patterns::random_binary(1000, 64, 5)?; // K = 1000 patterns in d = 64
/// let mut mem = ModernHopfield::new(&p, 1.0)?;
/// let q = flip_fraction(p.pattern(7), 0.1, 1)?;
/// let sol = mem.recall(&q)?;
/// assert!(sol.state.iter().zip(p.pattern(7)).all(|(a, b)| a.signum() == *b));
/// let e = sol.energies(); // the energy of the query, then after every update
/// assert!(e[1] <= e[0]);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ModernHopfield {
    x: Mat<f64>,
    beta: f64,
    half_m2: f64,
    max_iter: usize,
    tol: f64,
    // scratch
    s: Vec<f64>,
    /// The state the map produced last, for which `s = softmax(βXᵀx)` and `lse` are current.
    last: Vec<f64>,
    lse: f64,
}

fn check_beta(beta: f64) -> Result<()> {
    check_positive(
        "beta",
        beta,
        "the inverse temperature β must be a finite positive number (e.g. 1)",
    )
}

impl ModernHopfield {
    /// Store the patterns (any real values) with inverse temperature `β` (finite, `> 0`).
    /// Recall iterates to a fixed point (`max |Δξ| ≤ 1e-10(1 + max |ξ|)`, at most 100 updates;
    /// see [`with_max_iter`](Self::with_max_iter)).
    pub fn new(patterns: &Patterns, beta: f64) -> Result<Self> {
        check_beta(beta)?;
        let m = patterns.max_norm();
        // the scores β ξᵀx of states in the patterns' hull are at most β M²: keep them finite
        if !(beta * m * m).is_finite() || beta * m * m > 1e300 {
            return Err(Error::invalid(
                "beta",
                crate::format_number(beta),
                &format!(
                    "β·max‖ξ‖² = {:.3e} overflows f64 arithmetic; use β < {:.3e}",
                    beta * m * m,
                    1e300 / (m * m).max(1.0)
                ),
            ));
        }
        Ok(Self {
            x: patterns.columns(),
            beta,
            half_m2: 0.5 * m * m,
            max_iter: 100,
            tol: 1e-10,
            s: vec![0.0; patterns.n_patterns()],
            last: vec![f64::NAN; patterns.dim()],
            lse: f64::NAN,
        })
    }
    /// Set the update limit of [`Memory::recall`] (`1` = the one-step retrieval of
    /// Ramsauer et al.).
    pub fn with_max_iter(mut self, max_iter: usize) -> Result<Self> {
        if max_iter == 0 {
            return Err(Error::invalid("max_iter", 0, "must be >= 1"));
        }
        self.max_iter = max_iter;
        Ok(self)
    }
    /// The inverse temperature `β`.
    pub fn beta(&self) -> f64 {
        self.beta
    }
    /// The stored patterns as columns, `X` (`N × K`).
    pub fn patterns(&self) -> MatRef<'_, f64> {
        self.x.as_ref()
    }

    /// `s ← softmax(βXᵀξ)` in place; returns `lse(β, Xᵀξ)`.
    fn softmax(&mut self, xi: &[f64]) -> f64 {
        let (n, k) = (self.x.nrows(), self.x.ncols());
        let mut mx = f64::NEG_INFINITY;
        for mu in 0..k {
            let col = self.x.col_as_slice(mu);
            let mut d = 0.0;
            for i in 0..n {
                d += col[i] * xi[i];
            }
            let v = self.beta * d;
            self.s[mu] = v;
            mx = mx.max(v);
        }
        let mut z = 0.0;
        for v in self.s.iter_mut() {
            *v = (*v - mx).exp();
            z += *v;
        }
        let inv = 1.0 / z;
        self.s.iter_mut().for_each(|v| *v *= inv);
        (mx + z.ln()) / self.beta
    }

    fn mix_into(&self, out: &mut [f64]) {
        out.iter_mut().for_each(|v| *v = 0.0);
        for (mu, &p) in self.s.iter().enumerate() {
            if p == 0.0 {
                continue;
            }
            for (o, &x) in out.iter_mut().zip(self.x.col_as_slice(mu)) {
                *o += p * x;
            }
        }
    }

    fn energy_with_lse(&self, xi: &[f64], lse: f64) -> f64 {
        let k = self.x.ncols() as f64;
        -lse + 0.5 * crate::linalg::dot(xi, xi) + k.ln() / self.beta + self.half_m2
    }

    /// One update for each query in the columns of `queries` (`N × B`), written to the
    /// columns of `out`, repeated `n_steps ≥ 1` times: `Q ← X softmax(βXᵀQ)`. Queries are
    /// processed in blocks of `block` columns (the `K × block` scores are the only large
    /// buffer), each block as two matrix products run with parallelism `par` (the column
    /// softmax runs on rayon too unless `par` is `Par::Seq`).
    pub fn retrieve_batch_into(
        &self,
        queries: MatRef<'_, f64>,
        mut out: MatMut<'_, f64>,
        n_steps: usize,
        block: usize,
        par: Par,
    ) -> Result<()> {
        let (n, k) = (self.x.nrows(), self.x.ncols());
        check_len(
            "queries (rows)",
            queries.nrows(),
            n,
            "one query per column, N rows",
        )?;
        check_len("out (rows)", out.nrows(), n, "out must be N x B")?;
        check_len(
            "out (columns)",
            out.ncols(),
            queries.ncols(),
            "out must be N x B",
        )?;
        if n_steps == 0 || block == 0 {
            return Err(Error::invalid(
                "n_steps/block",
                format!("{n_steps}/{block}"),
                "both must be >= 1",
            ));
        }
        crate::linalg::check_matrix_finite("queries", queries)?;
        let b = queries.ncols();
        let block = block.min(b.max(1));
        let mut scores = Mat::<f64>::zeros(k, block);
        let mut cur = Mat::<f64>::zeros(n, block);
        let mut start = 0;
        while start < b {
            let w = block.min(b - start);
            cur.as_mut()
                .subcols_mut(0, w)
                .copy_from(queries.subcols(start, w));
            for _ in 0..n_steps {
                matmul(
                    scores.as_mut().subcols_mut(0, w),
                    Accum::Replace,
                    self.x.transpose(),
                    cur.as_ref().subcols(0, w),
                    self.beta,
                    par,
                );
                if matches!(par, Par::Seq) {
                    for c in 0..w {
                        softmax_in_place(scores.col_as_slice_mut(c));
                    }
                } else {
                    use rayon::prelude::*;
                    scores
                        .as_mut()
                        .subcols_mut(0, w)
                        .par_col_iter_mut()
                        .for_each(|col| {
                            if let Some(col) = col.try_as_col_major_mut() {
                                softmax_in_place(col.as_slice_mut());
                            }
                        });
                }
                matmul(
                    cur.as_mut().subcols_mut(0, w),
                    Accum::Replace,
                    self.x.as_ref(),
                    scores.as_ref().subcols(0, w),
                    1.0,
                    par,
                );
            }
            out.as_mut()
                .subcols_mut(start, w)
                .copy_from(cur.as_ref().subcols(0, w));
            start += w;
        }
        Ok(())
    }

    /// The continuous-time memory `τξ̇ = X softmax(βXᵀξ) − ξ`, the gradient flow
    /// `ξ̇ = −∇E(ξ)/τ` of the modern Hopfield energy (`τ > 0`).
    pub fn flow(&self, tau: f64) -> Result<ModernFlow<'_>> {
        check_positive("tau", tau, "the time constant must be positive")?;
        Ok(ModernFlow {
            mem: self,
            tau,
            s: vec![0.0; self.x.ncols()],
        })
    }
}

/// Softmax of a column in place, largest score factored out.
fn softmax_in_place(col: &mut [f64]) {
    crate::linalg::clear_avx_upper_state();
    let mx = col.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let mut z = 0.0;
    for v in col.iter_mut() {
        *v = (*v - mx).exp();
        z += *v;
    }
    let inv = 1.0 / z;
    col.iter_mut().for_each(|v| *v *= inv);
}

impl Memory for ModernHopfield {
    fn name(&self) -> String {
        format!("modern β={}", self.beta)
    }
    fn dim(&self) -> usize {
        self.x.nrows()
    }
    fn n_patterns(&self) -> usize {
        self.x.ncols()
    }
    /// `E(ξ) = −lse(β, Xᵀξ) + ½ξᵀξ + β⁻¹ ln K + ½M²` (≥ 0 for ξ in the patterns' hull).
    fn energy(&mut self, x: &[f64]) -> f64 {
        let lse = self.softmax(x);
        self.last.fill(f64::NAN);
        self.energy_with_lse(x, lse)
    }
    /// `out = X softmax(βXᵀx)`.
    fn update_into(&mut self, x: &[f64], out: &mut [f64]) {
        self.softmax(x);
        self.mix_into(out);
        self.last.fill(f64::NAN);
    }
    fn map(&mut self) -> &mut dyn DiscreteMap {
        self
    }
    fn max_sweeps(&self) -> usize {
        self.max_iter
    }
    /// Batched: one retrieval step for all patterns as two matrix products.
    fn count_stable(&mut self, patterns: &Patterns) -> Result<usize> {
        super::memory::check_pattern_len(patterns, self.dim())?;
        let q = patterns.columns();
        let mut out = Mat::<f64>::zeros(q.nrows(), q.ncols());
        self.retrieve_batch_into(q.as_ref(), out.as_mut(), 1, 512, Par::Seq)?;
        let mut col = vec![0.0; q.nrows()];
        let mut count = 0;
        for (mu, p) in patterns.iter().enumerate() {
            for i in 0..col.len() {
                col[i] = out[(i, mu)];
            }
            if super::memory::is_recovered(&col, p) {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// The continuous modern Hopfield memory bound to its scratch buffer: a [`VectorField`] whose
/// energy (the modern Hopfield energy) is a Lyapunov function.
#[derive(Debug, Clone)]
pub struct ModernFlow<'a> {
    mem: &'a ModernHopfield,
    tau: f64,
    s: Vec<f64>,
}

impl ModernFlow<'_> {
    /// `s = softmax(βXᵀξ)`; returns the lse.
    fn fill(&mut self, xi: &[f64]) -> f64 {
        let x = &self.mem.x;
        let mut mx = f64::NEG_INFINITY;
        for mu in 0..x.ncols() {
            let v = self.mem.beta * crate::linalg::dot(x.col_as_slice(mu), xi);
            self.s[mu] = v;
            mx = mx.max(v);
        }
        let mut z = 0.0;
        for v in self.s.iter_mut() {
            *v = (*v - mx).exp();
            z += *v;
        }
        self.s.iter_mut().for_each(|v| *v /= z);
        (mx + z.ln()) / self.mem.beta
    }
    /// `out = X s`.
    fn xs_into(&self, out: &mut [f64]) {
        out.iter_mut().for_each(|v| *v = 0.0);
        for (mu, &p) in self.s.iter().enumerate() {
            for (o, &x) in out.iter_mut().zip(self.mem.x.col_as_slice(mu)) {
                *o += p * x;
            }
        }
    }
}

impl VectorField for ModernFlow<'_> {
    fn dim(&self) -> usize {
        self.mem.x.nrows()
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        self.fill(x);
        self.xs_into(dx);
        let inv = 1.0 / self.tau;
        for (d, &v) in dx.iter_mut().zip(x) {
            *d = (*d - v) * inv;
        }
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        Some(Energy::energy(self, x))
    }
}

impl Energy for ModernFlow<'_> {
    fn dim(&self) -> usize {
        self.mem.x.nrows()
    }
    fn energy(&mut self, x: &[f64]) -> f64 {
        let lse = self.fill(x);
        self.mem.energy_with_lse(x, lse)
    }
}

impl Gradient for ModernFlow<'_> {
    /// `∇E(ξ) = ξ − X softmax(βXᵀξ)`.
    fn gradient_into(&mut self, x: &[f64], grad: &mut [f64]) {
        self.energy_and_gradient_into(x, grad);
    }
    fn energy_and_gradient_into(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        let lse = self.fill(x);
        self.xs_into(grad);
        for (g, &v) in grad.iter_mut().zip(x) {
            *g = v - *g;
        }
        self.mem.energy_with_lse(x, lse)
    }
}

/// The update `ξ ← X softmax(βXᵀξ)` as a map on `ℝᴺ` (a fixed point when
/// `max |Δξ| ≤ 10⁻¹⁰(1 + max |ξ|)`), with the softmax of the current state kept between calls.
impl DiscreteMap for ModernHopfield {
    fn dim(&self) -> usize {
        self.x.nrows()
    }
    fn start(&mut self, x: &mut [f64]) {
        self.lse = self.softmax(x);
        self.last.copy_from_slice(x);
    }
    fn apply(&mut self, x: &mut [f64]) {
        if self.last != x {
            self.softmax(x);
        }
        self.mix_into(x);
        self.lse = self.softmax(x);
        self.last.copy_from_slice(x);
    }
    fn energy_at(&mut self, x: &[f64]) -> Option<f64> {
        if self.last != x {
            self.lse = self.softmax(x);
            self.last.copy_from_slice(x);
        }
        Some(self.energy_with_lse(x, self.lse))
    }
    fn tolerance(&self, x: &[f64]) -> f64 {
        self.tol * (1.0 + x.iter().fold(0.0f64, |m, v| m.max(v.abs())))
    }
}
