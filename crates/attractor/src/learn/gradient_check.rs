//! The gradient of the loss at the free equilibrium of a layered energy network, three ways,
//! and how close equilibrium propagation's update comes to it.
//!
//! The loss of a minibatch is `L(θ) = (1/n) Σ_j C(s*_j(θ), y_j)`, where `s*_j` is the free
//! equilibrium of input `x_j`: `∇_s E(s*, θ) = 0`.
//!
//! - **Implicit differentiation** ([`implicit_gradient`]): differentiating the equilibrium
//!   condition gives `ds*/dθ = −H⁻¹ ∂²E/∂s∂θ` with `H = ∂²E/∂s²` at `s*`, so with the adjoint
//!   `λ = H⁻¹ ∂C/∂s` and `u = λ ⊙ ρ′(s*)`: `∂L/∂b_k = u_k`,
//!   `∂L/∂W_k = u_k ρ(s_{k+1})ᵀ + ρ(s_k) u_{k+1}ᵀ` (`u_0 = 0`, the input being clamped). `H` is
//!   block tridiagonal: `I − diag(ρ″(s) ⊙ field)` on the diagonal,
//!   `−diag(ρ′(s_k)) W_k diag(ρ′(s_{k+1}))` beside it. For the hard sigmoid the units at the
//!   bounds of `[0, 1]` are held there (active constraints) and `H` is restricted to the others.
//! - **Backpropagation through the relaxation** ([`bptt_gradient`]): reverse-mode
//!   differentiation of `T` steps `s ← Π(s − ε∇_s E(s))` (Almeida 1987 and Pineda 1987's
//!   recurrent backpropagation unrolled), which tends to the implicit gradient as `T` grows.
//! - **Finite differences** of the loss ([`finite_difference_gradient`]), relaxing to a tight
//!   tolerance for each perturbed parameter.
//!
//! [`gradient_check`] compares equilibrium propagation's update `−(1/β)(∂E/∂θ(s^β) − ∂E/∂θ(s⁰))`
//! (one-sided and symmetric) with the implicit gradient for a list of `β`: Scellier & Bengio's
//! theorem says it tends to `−∂L/∂θ` as `β → 0`, with an error `O(β)` one-sided and `O(β²)`
//! symmetric. Gradients are flattened in [`ParamGradient`] order:
//! `W_0` column-major, `b_1`, `W_1`, `b_2`, …

use super::equilibrium_propagation::{EqPropParams, EquilibriumPropagation, Nudging};
use super::optimizer::direction_blocks;
use crate::energy::ParamGradient;
use crate::error::{Error, Result, check_len};
use crate::models::layered::{Cost, LayeredNetwork, Relaxation};
use faer::linalg::solvers::Solve;
use faer::{Mat, MatRef, Par};

/// The per-column quantities of one state: activities, derivatives and fields.
struct Column {
    rho: Vec<f64>,
    drho: Vec<f64>,
    d2rho: Vec<f64>,
    field: Vec<f64>,
}

/// `field_k = (k = 1 ? drive : b_k + W_{k−1}ᵀρ_{k−1}) + W_k ρ_{k+1}` for one column.
fn column_at(net: &LayeredNetwork, drive: &[f64], s: &[f64]) -> Column {
    let act = net.activation();
    let rho: Vec<f64> = s.iter().map(|&v| act.rho(v)).collect();
    let drho = s.iter().map(|&v| act.drho(v)).collect();
    let d2rho = s.iter().map(|&v| act.d2rho(v)).collect();
    let mut field = vec![0.0; s.len()];
    let l = net.n_layers();
    for k in 1..=l {
        let (o, d) = (net.offset(k), net.sizes()[k]);
        if k == 1 {
            field[o..o + d].copy_from_slice(drive);
        } else {
            let (po, w) = (net.offset(k - 1), net.weight(k - 1));
            let b = net.bias(k);
            for j in 0..d {
                let wj = w.col(j);
                let mut acc = b[j];
                for i in 0..w.nrows() {
                    acc += wj[i] * rho[po + i];
                }
                field[o + j] += acc;
            }
        }
        if k < l {
            let (no, w) = (net.offset(k + 1), net.weight(k));
            for j in 0..w.ncols() {
                let (wj, r) = (w.col(j), rho[no + j]);
                for i in 0..d {
                    field[o + i] += wj[i] * r;
                }
            }
        }
    }
    Column {
        rho,
        drho,
        d2rho,
        field,
    }
}

/// Add `scale·(u_k ρ_{k+1}ᵀ + ρ_k u_{k+1}ᵀ)` and `scale·u_k` into the flattened gradient, with
/// `x_rho = ρ(x)` for layer 0 (whose `u` is zero); `None` leaves `W_0` to the caller.
fn add_param_terms(
    net: &LayeredNetwork,
    x_rho: Option<&[f64]>,
    rho: &[f64],
    u: &[f64],
    scale: f64,
    grad: &mut [f64],
) {
    let mut at = 0;
    for k in 0..net.n_layers() {
        let (dk, dk1) = (net.sizes()[k], net.sizes()[k + 1]);
        let o1 = net.offset(k + 1);
        if k == 0 && x_rho.is_none() {
            // W_0 is left to the caller
            at += dk * dk1;
            for j in 0..dk1 {
                grad[at] += scale * u[o1 + j];
                at += 1;
            }
            continue;
        }
        for j in 0..dk1 {
            let (r1, u1) = (rho[o1 + j], u[o1 + j]);
            for i in 0..dk {
                let (r0, u0) = if let (0, Some(xr)) = (k, x_rho) {
                    (xr[i], 0.0)
                } else {
                    let o = net.offset(k);
                    (rho[o + i], u[o + i])
                };
                grad[at] += scale * (u0 * r1 + r0 * u1);
                at += 1;
            }
        }
        for j in 0..dk1 {
            grad[at] += scale * u[o1 + j];
            at += 1;
        }
    }
}

/// `b_1 + W_0ᵀρ(x)` for one input.
fn drive_of(net: &LayeredNetwork, x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let act = net.activation();
    let x_rho: Vec<f64> = x.iter().map(|&v| act.rho(v)).collect();
    let w = net.weight(0);
    let drive = (0..w.ncols())
        .map(|j| {
            let wj = w.col(j);
            net.bias(1)[j] + (0..w.nrows()).map(|i| wj[i] * x_rho[i]).sum::<f64>()
        })
        .collect();
    (x_rho, drive)
}

fn check_batch(net: &LayeredNetwork, x: MatRef<'_, f64>, y: MatRef<'_, f64>) -> Result<()> {
    net.check_inputs("inputs x", x)?;
    check_len(
        "targets y (rows)",
        y.nrows(),
        net.n_outputs(),
        "give one target per output unit",
    )?;
    check_len(
        "targets y (columns)",
        y.ncols(),
        x.ncols(),
        "give one target per input column",
    )?;
    crate::linalg::check_matrix_finite("targets y", y)?;
    if x.ncols() == 0 {
        return Err(Error::invalid(
            "inputs x (columns)",
            0,
            "give at least one example",
        ));
    }
    Ok(())
}

/// The units that are free at a state (for the hard sigmoid, those strictly inside `(0, 1)`).
fn free_units(net: &LayeredNetwork, s: &[f64]) -> Vec<usize> {
    if net.activation().is_projected() {
        (0..s.len()).filter(|&i| s[i] > 0.0 && s[i] < 1.0).collect()
    } else {
        (0..s.len()).collect()
    }
}

/// `∂L/∂θ` by implicit differentiation at the free equilibria `free` (`D × n`) of the inputs
/// `x` with targets `y` (see the module documentation).
pub fn implicit_gradient(
    net: &LayeredNetwork,
    x: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    cost: Cost,
    free: MatRef<'_, f64>,
) -> Result<Vec<f64>> {
    check_batch(net, x, y)?;
    let dim = net.state_dim();
    check_len(
        "free states (rows)",
        free.nrows(),
        dim,
        "pass the free equilibria (D rows)",
    )?;
    check_len(
        "free states (columns)",
        free.ncols(),
        x.ncols(),
        "one free state per input",
    )?;
    let n = x.ncols();
    let mut grad = vec![0.0; net.n_params()];
    let out = net.output_rows();
    for j in 0..n {
        let xj: Vec<f64> = (0..x.nrows()).map(|i| x[(i, j)]).collect();
        let s: Vec<f64> = (0..dim).map(|i| free[(i, j)]).collect();
        let (x_rho, drive) = drive_of(net, &xj);
        let c = column_at(net, &drive[..], &s);
        let yj: Vec<f64> = (0..y.nrows()).map(|i| y[(i, j)]).collect();
        let mut gc = vec![0.0; net.n_outputs()];
        cost.gradient_into(&s[out.clone()], &yj, &mut gc);
        let idx = free_units(net, &s);
        let mut pos = vec![usize::MAX; dim];
        for (p, &i) in idx.iter().enumerate() {
            pos[i] = p;
        }
        let m = idx.len();
        let mut h = Mat::<f64>::zeros(m, m);
        for (p, &i) in idx.iter().enumerate() {
            h[(p, p)] = 1.0 - c.d2rho[i] * c.field[i];
        }
        for k in 1..net.n_layers() {
            let (o, o1, w) = (net.offset(k), net.offset(k + 1), net.weight(k));
            for b in 0..w.ncols() {
                let q = pos[o1 + b];
                if q == usize::MAX {
                    continue;
                }
                for a in 0..w.nrows() {
                    let p = pos[o + a];
                    if p == usize::MAX {
                        continue;
                    }
                    let v = -c.drho[o + a] * w[(a, b)] * c.drho[o1 + b];
                    h[(p, q)] = v;
                    h[(q, p)] = v;
                }
            }
        }
        let mut rhs = Mat::<f64>::zeros(m, 1);
        for (p, &i) in idx.iter().enumerate() {
            if i >= out.start {
                rhs[(p, 0)] = gc[i - out.start];
            }
        }
        let lambda = if m > 0 {
            h.partial_piv_lu().solve(&rhs)
        } else {
            rhs
        };
        if !(0..m).all(|p| lambda[(p, 0)].is_finite()) {
            return Err(Error::LinearAlgebra(
                "the Hessian of the energy at the free equilibrium (singular: not a strict minimum)".into(),
            ));
        }
        let mut u = vec![0.0; dim];
        for (p, &i) in idx.iter().enumerate() {
            u[i] = lambda[(p, 0)] * c.drho[i];
        }
        add_param_terms(net, Some(&x_rho), &c.rho, &u, 1.0 / n as f64, &mut grad);
    }
    Ok(grad)
}

/// `∂L_T/∂θ` by backpropagation through `steps` relaxation steps of size `epsilon` from the
/// initial states `s_init` (`D × n`), where `L_T` is the mean cost at the last step. Returns
/// the gradient and `L_T`.
#[allow(clippy::too_many_arguments)]
pub fn bptt_gradient(
    net: &LayeredNetwork,
    x: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    cost: Cost,
    epsilon: f64,
    steps: usize,
    s_init: MatRef<'_, f64>,
) -> Result<(Vec<f64>, f64)> {
    check_batch(net, x, y)?;
    Relaxation::fixed(epsilon, steps).validate("backpropagated")?;
    let dim = net.state_dim();
    check_len("initial states (rows)", s_init.nrows(), dim, "pass D rows")?;
    check_len(
        "initial states (columns)",
        s_init.ncols(),
        x.ncols(),
        "one state per input",
    )?;
    crate::linalg::check_dense_size("relaxation trajectory", dim, steps.saturating_add(1))?;
    let act = net.activation();
    let n = x.ncols();
    let out = net.output_rows();
    let mut grad = vec![0.0; net.n_params()];
    let mut loss = 0.0;
    let mut traj: Vec<Vec<f64>> = Vec::with_capacity(steps + 1);
    let mut masks: Vec<Vec<bool>> = Vec::with_capacity(steps);
    for j in 0..n {
        let xj: Vec<f64> = (0..x.nrows()).map(|i| x[(i, j)]).collect();
        let (x_rho, drive) = drive_of(net, &xj);
        traj.clear();
        masks.clear();
        let mut s: Vec<f64> = (0..dim).map(|i| s_init[(i, j)]).collect();
        for _ in 0..steps {
            let c = column_at(net, &drive, &s);
            let mut next = vec![0.0; dim];
            let mut mask = vec![true; dim];
            for i in 0..dim {
                let z = s[i] - epsilon * (s[i] - c.drho[i] * c.field[i]);
                next[i] = act.project(z);
                if act.is_projected() {
                    mask[i] = z > 0.0 && z < 1.0;
                }
            }
            traj.push(std::mem::replace(&mut s, next));
            masks.push(mask);
        }
        let yj: Vec<f64> = (0..y.nrows()).map(|i| y[(i, j)]).collect();
        loss += cost.value(&s[out.clone()], &yj) / n as f64;
        let mut a = vec![0.0; dim];
        let mut gc = vec![0.0; net.n_outputs()];
        cost.gradient_into(&s[out.clone()], &yj, &mut gc);
        for (r, i) in out.clone().enumerate() {
            a[i] = gc[r] / n as f64;
        }
        let mut u1_sum = vec![0.0; net.sizes()[1]];
        let mut gt = vec![0.0; grad.len()];
        for t in (0..steps).rev() {
            let st = &traj[t];
            let c = column_at(net, &drive, st);
            let ah: Vec<f64> = (0..dim)
                .map(|i| if masks[t][i] { a[i] } else { 0.0 })
                .collect();
            let u: Vec<f64> = (0..dim).map(|i| ah[i] * c.drho[i]).collect();
            for (acc, v) in u1_sum.iter_mut().zip(&u[..net.sizes()[1]]) {
                *acc += epsilon * v;
            }
            // the W_0 term is added once at the end (ρ(x) is constant); here the rest
            add_param_terms(net, None, &c.rho, &u, epsilon, &mut gt);
            // a ← â − ε H â
            let mut hu = vec![0.0; dim];
            for k in 1..net.n_layers() {
                let (o, o1, w) = (net.offset(k), net.offset(k + 1), net.weight(k));
                for b in 0..w.ncols() {
                    let wb = w.col(b);
                    let mut acc = 0.0;
                    for i in 0..w.nrows() {
                        acc += wb[i] * u[o + i];
                        hu[o + i] += wb[i] * u[o1 + b];
                    }
                    hu[o1 + b] += acc;
                }
            }
            for i in 0..dim {
                let h_a = ah[i] - c.d2rho[i] * c.field[i] * ah[i] - c.drho[i] * hu[i];
                a[i] = ah[i] - epsilon * h_a;
            }
        }
        // W_0: ρ(x)(Σ_t ε u_1(t))ᵀ
        let d0 = net.n_inputs();
        for (jj, &u) in u1_sum.iter().enumerate() {
            for i in 0..d0 {
                gt[jj * d0 + i] += x_rho[i] * u;
            }
        }
        for (g, v) in grad.iter_mut().zip(&gt) {
            *g += v;
        }
    }
    Ok((grad, loss))
}

/// The mean loss at the free equilibria (relaxed from zero by `relaxation`).
pub fn loss(
    net: &LayeredNetwork,
    x: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    cost: Cost,
    relaxation: &Relaxation,
) -> Result<f64> {
    check_batch(net, x, y)?;
    let s = net.relax_free(x, relaxation, 64, Par::Seq)?;
    let out = net.output_rows();
    let n = x.ncols();
    Ok((0..n)
        .map(|j| {
            let sj: Vec<f64> = out.clone().map(|i| s[(i, j)]).collect();
            let yj: Vec<f64> = (0..y.nrows()).map(|i| y[(i, j)]).collect();
            cost.value(&sj, &yj)
        })
        .sum::<f64>()
        / n as f64)
}

/// `∂L/∂θ` by central finite differences of [`loss`] with step `h` (two relaxations per
/// parameter: for small networks).
pub fn finite_difference_gradient(
    net: &LayeredNetwork,
    x: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    cost: Cost,
    relaxation: &Relaxation,
    h: f64,
) -> Result<Vec<f64>> {
    if !(h.is_finite() && h > 0.0) {
        return Err(Error::invalid(
            "h",
            h,
            "the finite-difference step must be > 0 (e.g. 1e-5)",
        ));
    }
    let theta = net.params();
    let mut probe = net.clone();
    let mut g = vec![0.0; theta.len()];
    let mut t = theta.clone();
    for i in 0..theta.len() {
        t[i] = theta[i] + h;
        probe.set_params(&t)?;
        let lp = loss(&probe, x, y, cost, relaxation)?;
        t[i] = theta[i] - h;
        probe.set_params(&t)?;
        let lm = loss(&probe, x, y, cost, relaxation)?;
        t[i] = theta[i];
        g[i] = (lp - lm) / (2.0 * h);
    }
    Ok(g)
}

/// Equilibrium propagation's estimate of `∂L/∂θ`, `(1/β)(∂E/∂θ(s^β) − ∂E/∂θ(s⁰))` (or its
/// symmetric form), from free and nudged phases relaxed from zero by `relaxation`.
pub fn ep_gradient(
    net: &LayeredNetwork,
    x: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    cost: Cost,
    beta: f64,
    nudging: Nudging,
    relaxation: &Relaxation,
) -> Result<Vec<f64>> {
    check_batch(net, x, y)?;
    let mut ep = EquilibriumPropagation::new(EqPropParams {
        beta,
        nudging,
        cost,
        free: *relaxation,
        nudged: *relaxation,
        persistent: false,
        seed: 0,
        par: Par::Seq,
    })?;
    let s0 = Mat::<f64>::zeros(net.state_dim(), x.ncols());
    ep.phases(net, x, y, s0.as_ref())?;
    let blocks = direction_blocks(
        &mut ep,
        &crate::learn::optimizer::ParamBlocks::block_specs(net),
    );
    let mut g = Vec::with_capacity(net.n_params());
    for b in &blocks {
        for j in 0..b.ncols() {
            g.extend(b.col_as_slice(j).iter().map(|v| -v));
        }
    }
    Ok(g)
}

/// The cosine of the angle between `a` and `b` (0 when either is zero).
pub fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let (na, nb) = (crate::linalg::norm2(a), crate::linalg::norm2(b));
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    crate::linalg::dot(a, b) / (na * nb)
}

/// `‖a − b‖ / ‖b‖` (`‖a‖` when `b` is zero).
pub fn relative_error(a: &[f64], b: &[f64]) -> f64 {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let nb = crate::linalg::norm2(b);
    crate::linalg::norm2(&d) / if nb == 0.0 { 1.0 } else { nb }
}

/// One row of the check: equilibrium propagation at one `β` against the implicit gradient.
#[derive(Debug, Clone, PartialEq)]
pub struct EpAgreement {
    /// The nudging strength.
    pub beta: f64,
    /// One-sided or symmetric.
    pub nudging: Nudging,
    /// `cos(EP estimate, ∂L/∂θ)`.
    pub cosine: f64,
    /// `‖EP estimate − ∂L/∂θ‖ / ‖∂L/∂θ‖`.
    pub relative_error: f64,
}

/// The result of [`gradient_check`].
#[derive(Debug, Clone, PartialEq)]
pub struct GradientCheck {
    /// The mean loss at the free equilibria.
    pub loss: f64,
    /// `∂L/∂θ` by implicit differentiation.
    pub implicit: Vec<f64>,
    /// Backpropagation through the relaxation against the implicit gradient (relative error).
    pub bptt_error: f64,
    /// Finite differences against the implicit gradient (relative error), if computed.
    pub finite_difference_error: Option<f64>,
    /// Equilibrium propagation, one row per `(β, nudging)`.
    pub ep: Vec<EpAgreement>,
}

/// Settings of [`gradient_check`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSettings {
    /// The values of `β` to test (each > 0).
    pub betas: Vec<f64>,
    /// The relaxations (to a tight tolerance: the theorem is about equilibria).
    pub relaxation: Relaxation,
    /// Steps of backpropagation through the relaxation (from zero).
    pub bptt_steps: usize,
    /// Finite-difference step, or `None` to skip (two relaxations per parameter).
    pub fd_step: Option<f64>,
}

impl Default for CheckSettings {
    /// `β ∈ {0.5, 0.2, 0.1, 0.05, 0.02, 0.01}`, `ε = 0.2` to `‖ṡ‖ ≤ 1e−11` (at most 20,000 steps),
    /// 2,000 steps of BPTT, finite differences with `h = 1e−5`.
    fn default() -> Self {
        Self {
            betas: vec![0.5, 0.2, 0.1, 0.05, 0.02, 0.01],
            relaxation: Relaxation {
                epsilon: 0.2,
                max_steps: 20_000,
                tol: Some(1e-11),
            },
            bptt_steps: 2_000,
            fd_step: Some(1e-5),
        }
    }
}

/// Compare equilibrium propagation (one-sided and symmetric, for every `β`) with the implicit
/// gradient, and the implicit gradient with backpropagation through the relaxation and finite
/// differences, on the inputs `x` and targets `y`.
pub fn gradient_check(
    net: &LayeredNetwork,
    x: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    cost: Cost,
    settings: &CheckSettings,
) -> Result<GradientCheck> {
    check_batch(net, x, y)?;
    settings.relaxation.validate("free")?;
    if settings.betas.is_empty() {
        return Err(Error::invalid(
            "betas",
            "[]",
            "give at least one beta (e.g. 0.01)",
        ));
    }
    let free = net.relax_free(x, &settings.relaxation, 64, Par::Seq)?;
    let implicit = implicit_gradient(net, x, y, cost, free.as_ref())?;
    let zeros = Mat::<f64>::zeros(net.state_dim(), x.ncols());
    let (bptt, _) = bptt_gradient(
        net,
        x,
        y,
        cost,
        settings.relaxation.epsilon,
        settings.bptt_steps,
        zeros.as_ref(),
    )?;
    let fd = match settings.fd_step {
        Some(h) => Some(relative_error(
            &finite_difference_gradient(net, x, y, cost, &settings.relaxation, h)?,
            &implicit,
        )),
        None => None,
    };
    let mut ep = Vec::new();
    for &beta in &settings.betas {
        for nudging in [Nudging::OneSided, Nudging::Symmetric] {
            let g = ep_gradient(net, x, y, cost, beta, nudging, &settings.relaxation)?;
            ep.push(EpAgreement {
                beta,
                nudging,
                cosine: cosine(&g, &implicit),
                relative_error: relative_error(&g, &implicit),
            });
        }
    }
    Ok(GradientCheck {
        loss: loss(net, x, y, cost, &settings.relaxation)?,
        bptt_error: relative_error(&bptt, &implicit),
        finite_difference_error: fd,
        implicit,
        ep,
    })
}
