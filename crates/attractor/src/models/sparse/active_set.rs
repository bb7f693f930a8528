//! The equilibrium of a sparse-coding network on its active set, solved exactly.
//!
//! Once a network has found the support `S` and signs `s` of its equilibrium (LCA reaches it in
//! finite time: Balavoine, Romberg, Rozell, *IEEE TNNLS* 2012), its dynamics are linear on `S`
//! and its equilibrium solves `G_SS a_S = Φ_Sᵀy − λ s_S` (soft threshold) or `G_SS a_S = Φ_Sᵀy`
//! (hard threshold). This module solves that system from the network's current state and
//! corrects the active set where the state's guess is wrong: the feature-sign search of Lee,
//! Battle, Raina and Ng (*NIPS* 2007), which for non-negative codes is the active-set method of
//! Lawson and Hanson (1974): solve on the active set with fixed signs; if a coefficient would
//! change sign, step to where the first one reaches zero and drop it; when the active set is
//! optimal, add the inactive coefficient that most violates the optimality condition
//! `|c_j| ≤ λ` (`c_j ≤ λ` for non-negative codes), `c = Φᵀy − Ga`. Each step lowers the cost,
//! so the method ends at the LASSO solution in finitely many steps (bounded here).

use super::network::{Kind, Network};
use faer::Mat;

/// Scratch buffers for one signal's active-set solve (sized to the support, reused).
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    idx: Vec<usize>,
    sgn: Vec<f64>,
    /// The Cholesky factor `L` of `G_SS` (row-major lower triangle, row stride `stride`), kept
    /// up to date as atoms join the active set (one triangular solve each) and refactored when
    /// they leave.
    chol: Vec<f64>,
    stride: usize,
    z: Vec<f64>,
    coef: Vec<f64>,
}

/// The largest active set the solve starts from: a state with more non-zeros (the dense
/// transient of a network) starts from its largest entries, since every correction to the
/// active set costs a factorisation update.
const MAX_START_SUPPORT: usize = 64;

/// Compute the network's equilibrium code from `a` (overwritten) and write `c = b − Ga` at the
/// result; `true` when it satisfies the optimality conditions to rounding, `false` when the
/// solve failed (a singular `G_SS`, too many corrections), in which case `a` holds a point whose
/// cost is no higher than the start's (soft) or is meaningless (hard) and the caller keeps its
/// own state.
pub(crate) fn equilibrium(
    net: &Network,
    g: &Mat<f64>,
    b: &[f64],
    a: &mut [f64],
    c: &mut [f64],
    ws: &mut Workspace,
) -> bool {
    match net.kind {
        Kind::LcaHard => hard(net, g, b, a, c, ws),
        _ => soft(net, g, b, a, c, ws),
    }
}

fn soft(
    net: &Network,
    g: &Mat<f64>,
    b: &[f64],
    a: &mut [f64],
    c: &mut [f64],
    ws: &mut Workspace,
) -> bool {
    let n = a.len();
    let lambda = net.lambda;
    if net.positive && a.iter().any(|&v| v < 0.0) {
        return false;
    }
    start_support(a, ws);
    if !factor(g, ws) {
        return false;
    }
    let bmax = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let kkt_tol = 1e-11 * (lambda + bmax);
    let mut just_added: Option<usize> = None;
    let limit = 4 * n + 50;
    for _ in 0..limit {
        // minimise on the active set with fixed signs
        let mut settled = false;
        for _ in 0..n + 2 {
            let k = ws.idx.len();
            if k == 0 {
                settled = true;
                break;
            }
            solve(b, lambda, ws);
            let mut theta = f64::INFINITY;
            let mut first = usize::MAX;
            for (p, &i) in ws.idx.iter().enumerate() {
                if ws.z[p] * ws.sgn[p] <= 0.0 {
                    let denom = a[i] - ws.z[p];
                    let t = if denom == 0.0 {
                        0.0
                    } else {
                        (a[i] / denom).clamp(0.0, 1.0)
                    };
                    if t < theta {
                        theta = t;
                        first = p;
                    }
                }
            }
            if first == usize::MAX {
                for (p, &i) in ws.idx.iter().enumerate() {
                    a[i] = ws.z[p];
                }
                settled = true;
                break;
            }
            // step to the first sign change and drop the coefficients that reached zero
            let mut keep = 0;
            let mut dropped_new = false;
            for p in 0..k {
                let i = ws.idx[p];
                let v = a[i] + theta * (ws.z[p] - a[i]);
                if p == first || v * ws.sgn[p] <= 0.0 {
                    a[i] = 0.0;
                    dropped_new |= Some(i) == just_added;
                } else {
                    a[i] = v;
                    ws.idx[keep] = i;
                    ws.sgn[keep] = ws.sgn[p];
                    keep += 1;
                }
            }
            ws.idx.truncate(keep);
            ws.sgn.truncate(keep);
            if !factor(g, ws) {
                return false;
            }
            if theta == 0.0 && dropped_new {
                // degenerate: the coefficient just added cannot move; give up
                return false;
            }
            just_added = None;
        }
        if !settled {
            return false;
        }
        residual_correlation(g, b, a, &ws.idx, &mut ws.coef, c);
        // the most violated optimality condition off the active set
        let mut best: Option<(usize, f64)> = None;
        for j in 0..n {
            if a[j] != 0.0 {
                continue;
            }
            let v = if net.positive { c[j] } else { c[j].abs() } - lambda;
            if v > kkt_tol && best.is_none_or(|(_, bv)| v > bv) {
                best = Some((j, v));
            }
        }
        match best {
            None => return true,
            Some((j, _)) => {
                if ws.idx.contains(&j) {
                    return false;
                }
                if !append(g, ws, j) {
                    return false;
                }
                ws.sgn.push(if net.positive { 1.0 } else { c[j].signum() });
                just_added = Some(j);
            }
        }
    }
    false
}

fn hard(
    net: &Network,
    g: &Mat<f64>,
    b: &[f64],
    a: &mut [f64],
    c: &mut [f64],
    ws: &mut Workspace,
) -> bool {
    ws.idx.clear();
    ws.sgn.clear();
    for (i, &v) in a.iter().enumerate() {
        if v != 0.0 {
            ws.idx.push(i);
            ws.sgn.push(0.0);
        }
    }
    if !ws.idx.is_empty() {
        if !factor(g, ws) {
            return false;
        }
        solve(b, 0.0, ws);
        for (p, &i) in ws.idx.iter().enumerate() {
            a[i] = ws.z[p];
        }
    }
    residual_correlation(g, b, a, &ws.idx, &mut ws.coef, c);
    // the equilibrium conditions of H_θ(a + γc) = a
    a.iter().zip(c.iter()).all(|(&ai, &ci)| {
        let u = ai + net.gamma * ci;
        net.threshold(u) == ai || (net.threshold(u) - ai).abs() <= 1e-12 * (1.0 + ai.abs())
    })
}

/// `c = b − G_{:,S} a_S`.
fn residual_correlation(
    g: &Mat<f64>,
    b: &[f64],
    a: &[f64],
    idx: &[usize],
    coef: &mut Vec<f64>,
    c: &mut [f64],
) {
    c.copy_from_slice(b);
    coef.clear();
    coef.extend(idx.iter().map(|&i| -a[i]));
    crate::fastmath::add_combination(c, coef, |k| g.col_as_slice(idx[k]));
}

/// The active set to start from: the support of `a`, or its `MAX_START_SUPPORT` largest
/// entries (the rest set to zero) when it has more.
fn start_support(a: &mut [f64], ws: &mut Workspace) {
    ws.idx.clear();
    ws.sgn.clear();
    ws.idx.extend((0..a.len()).filter(|&i| a[i] != 0.0));
    if ws.idx.len() > MAX_START_SUPPORT {
        ws.idx.select_nth_unstable_by(MAX_START_SUPPORT, |&i, &j| {
            a[j].abs().total_cmp(&a[i].abs())
        });
        for &i in &ws.idx[MAX_START_SUPPORT..] {
            a[i] = 0.0;
        }
        ws.idx.truncate(MAX_START_SUPPORT);
        ws.idx.sort_unstable();
    }
    ws.sgn.extend(ws.idx.iter().map(|&i| a[i].signum()));
}

/// Factor `G_SS = LLᵀ` for the current active set from scratch; `false` when `G_SS` is not
/// numerically positive definite (linearly dependent atoms).
fn factor(g: &Mat<f64>, ws: &mut Workspace) -> bool {
    let idx = std::mem::take(&mut ws.idx);
    let k = idx.len();
    ws.stride = ws.stride.max(k.next_power_of_two()).max(16);
    ws.chol.clear();
    ws.chol.resize(ws.stride * ws.stride, 0.0);
    ws.idx.reserve(k);
    let mut ok = true;
    for &j in &idx {
        if !append(g, ws, j) {
            ok = false;
            break;
        }
    }
    ws.idx = idx;
    ok
}

/// Add atom `j` to the active set and its row to `L`: `L₂₁ = L⁻¹G_{S,j}`,
/// `l₂₂ = √(G_jj − ‖L₂₁‖²)`; `false` (and nothing added) when `l₂₂` vanishes.
fn append(g: &Mat<f64>, ws: &mut Workspace, j: usize) -> bool {
    let k = ws.idx.len();
    if k + 1 > ws.stride {
        // grow the factor's storage, keeping its rows
        let old = ws.stride;
        let new = (2 * old).max(16);
        let mut chol = vec![0.0; new * new];
        for p in 0..k {
            chol[p * new..p * new + p + 1].copy_from_slice(&ws.chol[p * old..p * old + p + 1]);
        }
        ws.chol = chol;
        ws.stride = new;
    }
    let st = ws.stride;
    let gjj = g[(j, j)];
    let mut sq = 0.0;
    let gj = g.col_as_slice(j);
    for p in 0..k {
        let (rows, row_k) = ws.chol.split_at_mut(k * st);
        let v = (gj[ws.idx[p]] - crate::linalg::dot(&rows[p * st..p * st + p], &row_k[..p]))
            / rows[p * st + p];
        row_k[p] = v;
        sq += v * v;
    }
    let d = gjj - sq;
    if d.is_nan() || d <= 1e-10 * gjj.max(f64::MIN_POSITIVE) {
        return false;
    }
    ws.chol[k * st + k] = d.sqrt();
    ws.idx.push(j);
    true
}

/// `z = G_SS⁻¹(b_S − λ s_S)` with the current factor.
fn solve(b: &[f64], lambda: f64, ws: &mut Workspace) {
    let (k, st) = (ws.idx.len(), ws.stride);
    let l = &ws.chol;
    ws.z.clear();
    ws.z.extend(ws.idx.iter().zip(&ws.sgn).map(|(&i, &s)| b[i] - lambda * s));
    let z = &mut ws.z;
    for p in 0..k {
        let v = z[p] - crate::linalg::dot(&l[p * st..p * st + p], &z[..p]);
        z[p] = v / l[p * st + p];
    }
    // Lᵀz = y by columns of Lᵀ (rows of L, contiguous)
    for p in (0..k).rev() {
        let zp = z[p] / l[p * st + p];
        z[p] = zp;
        for (zr, lr) in z[..p].iter_mut().zip(&l[p * st..p * st + p]) {
            *zr -= lr * zp;
        }
    }
}
