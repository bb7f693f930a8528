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
use faer::MatRef;

/// Scratch buffers for one signal's active-set solve (sized to the support, reused).
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    idx: Vec<usize>,
    sgn: Vec<f64>,
    chol: Vec<f64>,
    z: Vec<f64>,
}

/// Compute the network's equilibrium code from `a` (overwritten) and write `c = b − Ga` at the
/// result; `true` when it satisfies the optimality conditions to rounding, `false` when the
/// solve failed (a singular `G_SS`, too many corrections), in which case `a` holds a point whose
/// cost is no higher than the start's (soft) or is meaningless (hard) and the caller keeps its
/// own state.
pub(crate) fn equilibrium(
    net: &Network,
    g: MatRef<'_, f64>,
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
    g: MatRef<'_, f64>,
    b: &[f64],
    a: &mut [f64],
    c: &mut [f64],
    ws: &mut Workspace,
) -> bool {
    let n = a.len();
    let lambda = net.lambda;
    ws.idx.clear();
    ws.sgn.clear();
    for (i, &v) in a.iter().enumerate() {
        if v != 0.0 {
            if net.positive && v < 0.0 {
                return false;
            }
            ws.idx.push(i);
            ws.sgn.push(v.signum());
        }
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
            if !solve_on(g, b, lambda, ws) {
                return false;
            }
            let mut theta = f64::INFINITY;
            let mut first = usize::MAX;
            for (p, &i) in ws.idx.iter().enumerate() {
                if ws.z[p] * ws.sgn[p] <= 0.0 {
                    let denom = a[i] - ws.z[p];
                    let t = if denom == 0.0 { 0.0 } else { (a[i] / denom).clamp(0.0, 1.0) };
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
            if theta == 0.0 && dropped_new {
                // degenerate: the coefficient just added cannot move; give up
                return false;
            }
            just_added = None;
        }
        if !settled {
            return false;
        }
        residual_correlation(g, b, a, &ws.idx, c);
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
                ws.idx.push(j);
                ws.sgn.push(if net.positive { 1.0 } else { c[j].signum() });
                just_added = Some(j);
            }
        }
    }
    false
}

fn hard(
    net: &Network,
    g: MatRef<'_, f64>,
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
        if !solve_on(g, b, 0.0, ws) {
            return false;
        }
        for (p, &i) in ws.idx.iter().enumerate() {
            a[i] = ws.z[p];
        }
    }
    residual_correlation(g, b, a, &ws.idx, c);
    // the equilibrium conditions of H_θ(a + γc) = a
    a.iter().zip(c.iter()).all(|(&ai, &ci)| {
        let u = ai + net.gamma * ci;
        net.threshold(u) == ai || (net.threshold(u) - ai).abs() <= 1e-12 * (1.0 + ai.abs())
    })
}

/// `c = b − G_{:,S} a_S`.
fn residual_correlation(g: MatRef<'_, f64>, b: &[f64], a: &[f64], idx: &[usize], c: &mut [f64]) {
    c.copy_from_slice(b);
    for &i in idx {
        let ai = a[i];
        for (cj, gj) in c.iter_mut().zip(g.col(i).iter()) {
            *cj -= ai * gj;
        }
    }
}

/// Solve `G_SS z = b_S − λ s_S` by a Cholesky factorisation (the systems are as small as the
/// support, so a dense in-place factorisation in the workspace is the whole cost); `false` when
/// `G_SS` is not numerically positive definite.
fn solve_on(g: MatRef<'_, f64>, b: &[f64], lambda: f64, ws: &mut Workspace) -> bool {
    let k = ws.idx.len();
    ws.chol.clear();
    ws.chol.resize(k * k, 0.0);
    ws.z.clear();
    let mut dmax = 0.0f64;
    for (p, &i) in ws.idx.iter().enumerate() {
        for (q, &j) in ws.idx.iter().enumerate().take(p + 1) {
            ws.chol[p * k + q] = g[(i, j)];
        }
        dmax = dmax.max(g[(i, i)]);
        ws.z.push(b[i] - lambda * ws.sgn[p]);
    }
    // L Lᵀ, row-major lower triangle
    let l = &mut ws.chol;
    for p in 0..k {
        for q in 0..=p {
            let mut s = l[p * k + q];
            for r in 0..q {
                s -= l[p * k + r] * l[q * k + r];
            }
            if p == q {
                if s <= 1e-12 * dmax {
                    return false;
                }
                l[p * k + p] = s.sqrt();
            } else {
                l[p * k + q] = s / l[q * k + q];
            }
        }
    }
    let z = &mut ws.z;
    for p in 0..k {
        let mut s = z[p];
        for r in 0..p {
            s -= l[p * k + r] * z[r];
        }
        z[p] = s / l[p * k + p];
    }
    for p in (0..k).rev() {
        let mut s = z[p];
        for r in p + 1..k {
            s -= l[r * k + p] * z[r];
        }
        z[p] = s / l[p * k + p];
    }
    true
}
