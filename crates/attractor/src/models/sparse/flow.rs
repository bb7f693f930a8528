//! The sparse-coding networks bound to a batch of signals: a [`BatchField`] whose columns are
//! the states of one network per signal, all advanced together. The lateral inhibition `Ga`
//! is one product for the whole batch: a dense matrix product while the codes are dense, and a
//! sum over the active atoms of each code (`Σ_{i: a_i ≠ 0} G_{:,i} a_i`) once they are sparse.

use super::active_set::{Workspace, equilibrium};
use super::certificate::evaluate;
use super::dictionary::Dictionary;
use super::network::{Kind, Network};
use crate::run::BatchField;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Mat, MatMut, MatRef, Par};
use rayon::prelude::*;

/// Codes with more than this fraction of non-zeros use the dense product.
const DENSE_FRACTION: f64 = 0.25;

/// One network per signal, as a batched vector field (see the [module](super) docs for the
/// equations). Made by [`SparseCoder`](super::SparseCoder); the columns of its state are the
/// codes `x` (FCN, PFCN) or the internal states `u` (LCA).
pub struct SparseFlow<'a> {
    dict: &'a Dictionary,
    net: Network,
    b_all: MatRef<'a, f64>,
    yy_all: &'a [f64],
    equilibrium_solve: bool,
    n: usize,
    /// `Φᵀy` and `‖y‖²` of the columns in the block, in block order.
    b: Vec<f64>,
    yy: Vec<f64>,
    a: Vec<f64>,
    ga: Vec<f64>,
}

impl<'a> SparseFlow<'a> {
    pub(crate) fn new(
        dict: &'a Dictionary,
        net: Network,
        b_all: MatRef<'a, f64>,
        yy_all: &'a [f64],
        equilibrium_solve: bool,
    ) -> Self {
        let (n, cap) = (dict.n_atoms(), b_all.ncols());
        Self {
            dict,
            net,
            b_all,
            yy_all,
            equilibrium_solve,
            n,
            b: vec![0.0; n * cap],
            yy: vec![0.0; cap],
            a: vec![0.0; n * cap],
            ga: vec![0.0; n * cap],
        }
    }

    /// The largest number of columns this field was prepared for.
    pub(crate) fn capacity(&self) -> usize {
        self.b_all.ncols()
    }

    /// Codes of the `k` columns of `x` into `self.a`, then `self.ga = G a`.
    fn codes_and_inhibition(&mut self, x: MatRef<'_, f64>) {
        let (n, k) = (self.n, x.ncols());
        for j in 0..k {
            for (ai, &xi) in self.a[j * n..(j + 1) * n].iter_mut().zip(x.col(j).iter()) {
                *ai = self.net.code(xi);
            }
        }
        gram_product(
            self.dict.gram_mat(),
            &self.a[..n * k],
            &mut self.ga[..n * k],
            self.dict.par(),
        );
    }
}

/// `out = G a` for the columns of `a` (contiguous, `n` rows each).
pub(crate) fn gram_product(g: &Mat<f64>, a: &[f64], out: &mut [f64], par: Par) {
    let n = g.nrows();
    let k = a.len() / n;
    let nnz = a.iter().filter(|v| **v != 0.0).count();
    if nnz as f64 > DENSE_FRACTION * a.len() as f64 {
        faer::linalg::matmul::matmul(
            MatMut::from_column_major_slice_mut(out, n, k),
            faer::Accum::Replace,
            g.as_ref(),
            MatRef::from_column_major_slice(a, n, k),
            1.0,
            if n * k >= 1 << 14 { par } else { Par::Seq },
        );
        return;
    }
    let column = |(o, aj): (&mut [f64], &[f64])| {
        o.fill(0.0);
        // the active atoms, four at a time (no allocation)
        let (mut idx, mut coef, mut m) = ([0usize; 4], [0.0f64; 4], 0);
        for (i, &ai) in aj.iter().enumerate() {
            if ai != 0.0 {
                idx[m] = i;
                coef[m] = ai;
                m += 1;
                if m == 4 {
                    crate::fastmath::add_combination(o, &coef, |k| g.col_as_slice(idx[k]));
                    m = 0;
                }
            }
        }
        crate::fastmath::add_combination(o, &coef[..m], |k| g.col_as_slice(idx[k]));
    };
    if matches!(par, Par::Seq) || nnz * n < 1 << 16 {
        out.chunks_mut(n).zip(a.chunks(n)).for_each(column);
    } else {
        out.par_chunks_mut(n)
            .zip(a.par_chunks(n))
            .with_min_len(4)
            .for_each(column);
    }
}

impl BatchField for SparseFlow<'_> {
    fn dim(&self) -> usize {
        self.n
    }

    fn eval_batch_into(&mut self, _t: f64, x: MatRef<'_, f64>, mut dx: MatMut<'_, f64>) {
        let (n, k) = (self.n, x.ncols());
        self.codes_and_inhibition(x);
        let net = self.net;
        for j in 0..k {
            let (aj, gaj, bj) = (
                &self.a[j * n..(j + 1) * n],
                &self.ga[j * n..(j + 1) * n],
                &self.b[j * n..(j + 1) * n],
            );
            let xj = x.col(j);
            for (i, d) in dx.rb_mut().col_mut(j).iter_mut().enumerate() {
                let xi = xj[i];
                let grad = gaj[i] - bj[i];
                *d = net.rate
                    * match net.kind {
                        Kind::RateSoft => net.threshold(xi - net.gamma * grad) - xi,
                        Kind::LcaSoft | Kind::LcaHard => aj[i] - net.gamma * grad - xi,
                    };
            }
        }
    }

    fn energies_into(&mut self, _t: f64, x: MatRef<'_, f64>, out: &mut [f64]) -> bool {
        let (n, k) = (self.n, x.ncols());
        self.codes_and_inhibition(x);
        for j in 0..k {
            let r = &mut self.ga[j * n..(j + 1) * n];
            for (c, bi) in r.iter_mut().zip(&self.b[j * n..(j + 1) * n]) {
                *c = bi - *c;
            }
            out[j] = evaluate(
                &self.net,
                &self.a[j * n..(j + 1) * n],
                &self.b[j * n..(j + 1) * n],
                &self.ga[j * n..(j + 1) * n],
                self.yy[j],
            )
            .objective;
        }
        true
    }

    fn select_columns(&mut self, ids: &[usize]) {
        let n = self.n;
        for (k, &j) in ids.iter().enumerate() {
            for (d, s) in self.b[k * n..(k + 1) * n]
                .iter_mut()
                .zip(self.b_all.col(j).iter())
            {
                *d = *s;
            }
            self.yy[k] = self.yy_all[j];
        }
    }

    fn certify_into(&mut self, _t: f64, mut x: MatMut<'_, f64>, tol: f64, out: &mut [f64]) -> bool {
        let (n, k) = (self.n, x.ncols());
        self.codes_and_inhibition(x.rb());
        let job = Certify {
            net: self.net,
            g: self.dict.gram_mat(),
            solve: self.equilibrium_solve,
            tol,
        };
        if matches!(self.dict.par(), Par::Seq) || k < 4 {
            let mut ws = Scratch::default();
            for j in 0..k {
                out[j] = job.column(
                    x.rb_mut().subcols_mut(j, 1),
                    &self.a[j * n..(j + 1) * n],
                    &mut self.ga[j * n..(j + 1) * n],
                    &self.b[j * n..(j + 1) * n],
                    self.yy[j],
                    &mut ws,
                );
            }
        } else {
            x.par_col_chunks_mut(1)
                .zip(self.a[..n * k].par_chunks(n))
                .zip(self.ga[..n * k].par_chunks_mut(n))
                .zip(self.b[..n * k].par_chunks(n))
                .zip(self.yy[..k].par_iter())
                .zip(out[..k].par_iter_mut())
                .for_each_init(Scratch::default, |ws, (((((xj, aj), cj), bj), &yy), o)| {
                    *o = job.column(xj, aj, cj, bj, yy, ws);
                });
        }
        true
    }
}

#[derive(Default)]
struct Scratch {
    ws: Workspace,
    a: Vec<f64>,
    c: Vec<f64>,
}

/// The certificate check of one column, with the equilibrium solve.
#[derive(Clone, Copy)]
struct Certify<'g> {
    net: Network,
    g: &'g Mat<f64>,
    solve: bool,
    tol: f64,
}

impl Certify<'_> {
    /// `cj` holds `Ga` on entry and `b − Ga` on return. Writes the equilibrium into `xj` when
    /// it is certified; returns the certificate of what `xj` now holds.
    fn column(
        &self,
        mut xj: MatMut<'_, f64>,
        aj: &[f64],
        cj: &mut [f64],
        bj: &[f64],
        yy: f64,
        s: &mut Scratch,
    ) -> f64 {
        for (c, bi) in cj.iter_mut().zip(bj) {
            *c = bi - *c;
        }
        let r = evaluate(&self.net, aj, bj, cj, yy);
        if r.certificate <= self.tol || !self.solve {
            return r.certificate;
        }
        s.a.clear();
        s.a.extend_from_slice(aj);
        s.c.clear();
        s.c.resize(aj.len(), 0.0);
        if !equilibrium(&self.net, self.g, bj, &mut s.a, &mut s.c, &mut s.ws) {
            return r.certificate;
        }
        let r2 = evaluate(&self.net, &s.a, bj, &s.c, yy);
        if r2.certificate > self.tol {
            return r.certificate;
        }
        for (i, xi) in xj.rb_mut().col_mut(0).iter_mut().enumerate() {
            *xi = self.net.state_of(s.a[i], s.c[i]);
        }
        r2.certificate
    }
}
