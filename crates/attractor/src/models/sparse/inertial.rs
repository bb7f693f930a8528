//! Inertial proximal networks: the sparse-coding networks of [`network`](super::network) with
//! momentum, a second-order flow whose force is the first-order network's vector field.
//!
//! # The dynamics
//! Write `f(x) = (prox_{γg}(x − γ(Gx − Φᵀy)) − x)/τ` for the field of the first-order network
//! (FCN/PFCN; for the LCA `f(u) = (T(u) − γ(G T(u) − Φᵀy) − u)/τ`), the proximal-gradient
//! residual, which vanishes exactly at the minimisers. The inertial network is
//!
//! ```text
//! ẍ + c(s)·ẋ = f(x)/τ,        ṡ = 1,
//! ```
//!
//! a particle in the force field `f` with friction `c`:
//!
//! - **heavy ball** (Polyak 1964): constant damping `c > 0`;
//! - **Nesterov**: the vanishing damping `c = 3/s`, the continuous-time limit of Nesterov's
//!   accelerated method (Su, Boyd & Candès, *JMLR* 17(153), 2016), here `3/(s + 3h)` so that it
//!   is finite at `s = 0`. Its objective error decays as `O(1/s²)` instead of the first-order
//!   network's `O(1/s)`.
//!
//! The clock `s` is the time since the last **restart** (O'Donoghue & Candès, *Found. Comput.
//! Math.* 15, 2015): the gradient scheme sets the velocity and the clock to zero whenever the
//! force and the velocity point apart, `⟨f(y), ẋ⟩ < 0` (in the iterates:
//! `(y_k − x_{k+1})ᵀ(x_{k+1} − x_k) > 0`). This keeps the momentum from carrying the state up
//! the objective: the ripples of the un-restarted method disappear, the step after a restart
//! is a plain proximal gradient step (which cannot increase the objective for `γ ≤ 1/L`), and
//! where the problem is strongly convex on the support the convergence is observed to become
//! linear without knowing the modulus (O'Donoghue & Candès prove it for quadratics).
//!
//! # The discretisation, and why the state has a clock
//! The state of one signal is the column `z = [x; v; s]` (codes or internal states, velocities,
//! clock: `2n + 1` rows). [`InertialSparseFlow`] is a [`BatchField`] whose explicit Euler step
//! with `dt = h` is the accelerated proximal gradient method with the force at the look-ahead
//! point:
//!
//! ```text
//! y_k     = x_k + h β_k v_k                      (projected on a ≥ 0 for the PFCN when h < τ)
//! x_{k+1} = y_k + (h²/τ) f(y_k)                  (= prox_{γg}(y_k − γ∇(½‖y − Φ·‖²)(y_k)) at h = τ)
//! v_{k+1} = (x_{k+1} − x_k)/h,   or 0 and s ← 0 at a restart,
//! ```
//!
//! with `β_k = s_k/(s_k + 3h)` (Nesterov) or `β = e^{−ch}` (heavy ball, the exact decay of the
//! velocity over a step, as in the symplectic steppers). Since `β = 1 − h·c + O(h²)` and
//! `x_{k+1} − x_k = h v_k + O(h²)`, this is a consistent, first-order discretisation of the
//! flow above; with `dt = τ` and the Nesterov damping it is FISTA (Beck & Teboulle, *SIAM J.
//! Imaging Sci.* 2(1), 2009) with the momentum `k/(k + 3)` of Chambolle & Dossal (*J. Optim.
//! Theory Appl.* 166, 2015), and with the restart the adaptive restart of O'Donoghue & Candès;
//! with constant damping it is the constant-momentum accelerated method. At `dt = τ` the codes
//! are proximal points, so the PFCN's stay non-negative and both rate networks' codes are
//! exactly sparse, as the first-order network's are; for `dt < τ` the look-ahead of the PFCN is
//! projected on the orthant, and the update is a convex combination of two non-negative points.
//! The Nesterov damping depends on the time since the last restart, not on the run's time, and
//! a restart is a jump of the state: keeping `s` in the state makes the field autonomous, so
//! every column restarts on its own while the batch runs on the shared loop
//! ([`Run::solve_batch`](crate::run::Run::solve_batch)) with the same certificates (the duality
//! gap of the codes `x`, [`BatchField::certify_into`]) and, when asked, the same equilibrium
//! solve as the first-order networks.
//!
//! # Relation to [`SecondOrder`](crate::flow::SecondOrder)
//! The flow is a [`SecondOrder`](crate::flow::SecondOrder) flow `ẋ = v`, `v̇ = a(x) − c·v` with
//! the acceleration `a = f/τ` and positions first, velocities second. It is not integrated by
//! the symplectic steppers of that trait, for two reasons: the force must be evaluated at the
//! look-ahead point `x + hβv` (not at `x`) for the step to be the proximal step that keeps
//! codes sparse and feasible and that carries FISTA's `O(1/k²)` guarantee, and the restart
//! resets the velocity, which no symplectic map does. It is a [`BatchField`] (one network per
//! signal, the lateral inhibition `G·Y` as one product) that wraps the first-order
//! [`SparseFlow`] and calls it for the force.

use super::flow::SparseFlow;
use super::network::{Kind, Network};
use crate::error::{Error, Result};
use crate::run::BatchField;
use faer::reborrow::ReborrowMut;
use faer::{MatMut, MatRef};
use std::str::FromStr;

/// The momentum of a sparse-coding network ([`SparseParams::momentum`](super::SparseParams)).
///
/// ```
/// use attractor::models::sparse::Momentum;
/// assert_eq!("nesterov".parse::<Momentum>()?, Momentum::Nesterov { restart: true });
/// assert_eq!("heavy-ball:0.2".parse::<Momentum>()?, Momentum::HeavyBall { damping: 0.2 });
/// assert!("heavy-ball:-1".parse::<Momentum>().is_err());
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Momentum {
    /// The first-order network `ẋ = f(x)` (no inertia).
    #[default]
    None,
    /// `ẍ + cẋ = f(x)/τ` with a constant damping `c > 0` (per unit time): Polyak's heavy ball,
    /// stepped with the force at the look-ahead point.
    HeavyBall {
        /// The damping `c > 0`; the velocity decays by `e^{−c·dt}` per step.
        damping: f64,
    },
    /// `ẍ + (3/s)ẋ = f(x)/τ` (Su–Boyd–Candès), FISTA at `dt = τ`; with `restart`, the gradient
    /// restart of O'Donoghue & Candès resets the velocity and the clock `s` whenever
    /// `⟨f(y), ẋ⟩ < 0`.
    Nesterov {
        /// Restart when the force and the velocity point apart.
        restart: bool,
    },
}

impl Momentum {
    /// Whether the network has inertia (anything but [`Momentum::None`]).
    pub fn is_inertial(self) -> bool {
        self != Momentum::None
    }

    /// Check the damping: finite and positive.
    pub fn validate(self) -> Result<()> {
        if let Momentum::HeavyBall { damping } = self
            && !(damping.is_finite() && damping > 0.0)
        {
            return Err(Error::invalid(
                "momentum damping",
                damping,
                "the heavy-ball damping must be a finite number > 0 (e.g. heavy-ball:0.1; 0 never settles), or use nesterov",
            ));
        }
        Ok(())
    }

    /// The momentum factor `β` of a step `h` at clock `s`: `s/(s + 3h)` or `e^{−ch}`.
    #[inline]
    fn factor(self, s: f64, h: f64) -> f64 {
        match self {
            Momentum::None => 0.0,
            Momentum::HeavyBall { damping } => (-damping * h).exp(),
            Momentum::Nesterov { .. } => {
                let s = s.max(0.0);
                s / (s + 3.0 * h)
            }
        }
    }
}

impl FromStr for Momentum {
    type Err = Error;
    /// `none`, `nesterov` (with restart), `nesterov-no-restart`, `heavy-ball:<damping>`.
    fn from_str(text: &str) -> Result<Self> {
        let lower = text.trim().to_ascii_lowercase();
        let m = match lower.as_str() {
            "none" | "" => Momentum::None,
            "nesterov" | "nesterov-restart" => Momentum::Nesterov { restart: true },
            "nesterov-no-restart" | "nesterov_no_restart" => Momentum::Nesterov { restart: false },
            other => {
                let value = other
                    .strip_prefix("heavy-ball")
                    .or_else(|| other.strip_prefix("heavy_ball"))
                    .and_then(|rest| rest.strip_prefix(':').or_else(|| rest.strip_prefix('=')));
                let Some(value) = value else {
                    return Err(Error::invalid(
                        "momentum",
                        text,
                        "choose none, nesterov, nesterov-no-restart or heavy-ball:<damping> (e.g. heavy-ball:0.1)",
                    ));
                };
                let damping: f64 = value.trim().parse().map_err(|_| {
                    Error::invalid(
                        "momentum damping",
                        value,
                        "write the heavy-ball damping as a number, e.g. heavy-ball:0.1",
                    )
                })?;
                Momentum::HeavyBall { damping }
            }
        };
        m.validate()?;
        Ok(m)
    }
}

impl std::fmt::Display for Momentum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Momentum::None => f.write_str("none"),
            Momentum::HeavyBall { damping } => write!(f, "heavy-ball:{damping}"),
            Momentum::Nesterov { restart: true } => f.write_str("nesterov"),
            Momentum::Nesterov { restart: false } => f.write_str("nesterov-no-restart"),
        }
    }
}

/// The inertial network of one signal per column, a [`BatchField`] on the columns
/// `z = [x; v; s]` (see the module docs): the Euler step with `dt = h` is the
/// accelerated (and, for Nesterov with restart, restarted) proximal gradient step.
pub struct InertialSparseFlow<'a> {
    inner: SparseFlow<'a>,
    momentum: Momentum,
    /// The Euler step `h` the field is stepped with.
    h: f64,
    /// `1/τ`.
    rate: f64,
    /// Project the look-ahead on `a ≥ 0` (PFCN with `h < τ`).
    project_lookahead: bool,
    /// Clamp the codes at 0 after each step (PFCN: removes rounding below zero).
    nonneg_codes: bool,
    n: usize,
    /// The look-ahead points and the force at them, `n × cap` each.
    y: Vec<f64>,
    force: Vec<f64>,
}

impl<'a> InertialSparseFlow<'a> {
    /// Wrap the first-order field `inner` of `net`, to be stepped by Euler with `dt = h`.
    pub(crate) fn new(inner: SparseFlow<'a>, net: &Network, momentum: Momentum, h: f64) -> Self {
        let n = BatchField::dim(&inner);
        let cap = inner.capacity();
        let rate_net = net.kind == Kind::RateSoft && net.positive;
        Self {
            inner,
            momentum,
            h,
            rate: net.rate,
            project_lookahead: rate_net && h * net.rate < 1.0 - 1e-12,
            nonneg_codes: rate_net,
            n,
            y: vec![0.0; n * cap],
            force: vec![0.0; n * cap],
        }
    }

    /// The inertial states `[x; 0; 0]` of first-order states `x` (at rest, clock at zero).
    pub(crate) fn initial_states(x: MatRef<'_, f64>) -> faer::Mat<f64> {
        let n = x.nrows();
        faer::Mat::from_fn(
            2 * n + 1,
            x.ncols(),
            |i, j| if i < n { x[(i, j)] } else { 0.0 },
        )
    }

    /// Whether the gradient restart is on.
    fn restarts(&self) -> bool {
        matches!(self.momentum, Momentum::Nesterov { restart: true })
    }
}

impl BatchField for InertialSparseFlow<'_> {
    fn dim(&self) -> usize {
        2 * self.n + 1
    }

    fn eval_batch_into(&mut self, t: f64, z: MatRef<'_, f64>, mut dz: MatMut<'_, f64>) {
        let (n, k, h) = (self.n, z.ncols(), self.h);
        // the look-ahead points y = x + hβv
        for j in 0..k {
            let zj = z.col(j);
            let beta = self.momentum.factor(zj[2 * n], h);
            for (i, yi) in self.y[j * n..(j + 1) * n].iter_mut().enumerate() {
                let y = zj[i] + h * beta * zj[n + i];
                *yi = if self.project_lookahead {
                    y.max(0.0)
                } else {
                    y
                };
            }
        }
        // the force: the first-order network's field at the look-ahead points
        self.inner.eval_batch_into(
            t,
            MatRef::from_column_major_slice(&self.y[..n * k], n, k),
            MatMut::from_column_major_slice_mut(&mut self.force[..n * k], n, k),
        );
        let scale = h * h * self.rate;
        let restart_rule = self.restarts();
        for j in 0..k {
            let zj = z.col(j);
            let mut dzj = dz.rb_mut().col_mut(j);
            let (yj, fj) = (&self.y[j * n..(j + 1) * n], &self.force[j * n..(j + 1) * n]);
            // ẋ: the displacement of the step, (x_{k+1} − x_k)/h
            let mut power = 0.0;
            for i in 0..n {
                let w = (yj[i] + scale * fj[i] - zj[i]) / h;
                dzj[i] = w;
                power += fj[i] * w;
            }
            let restart = restart_rule && power < 0.0;
            for i in 0..n {
                let target = if restart { 0.0 } else { dzj[i] };
                dzj[n + i] = (target - zj[n + i]) / h;
            }
            dzj[2 * n] = if restart { -zj[2 * n] / h } else { 1.0 };
        }
    }

    fn project_batch(&self, mut z: MatMut<'_, f64>) {
        let n = self.n;
        for j in 0..z.ncols() {
            let mut zj = z.rb_mut().col_mut(j);
            if self.nonneg_codes {
                for i in 0..n {
                    zj[i] = zj[i].max(0.0);
                }
            }
            // a restart lands on s = 0 up to rounding
            zj[2 * n] = zj[2 * n].max(0.0);
        }
    }

    fn energies_into(&mut self, t: f64, z: MatRef<'_, f64>, out: &mut [f64]) -> bool {
        self.inner.energies_into(t, z.subrows(0, self.n), out)
    }

    fn lyapunov_caveat(&self) -> Option<String> {
        Some(format!(
            "the inertial network ({}) does not descend the objective at every step: the momentum can carry the codes uphill (the restart bounds this); the duality gap certifies the result",
            self.momentum
        ))
    }

    fn select_columns(&mut self, ids: &[usize]) {
        self.inner.select_columns(ids)
    }

    fn certify_into(&mut self, t: f64, z: MatMut<'_, f64>, tol: f64, out: &mut [f64]) -> bool {
        let n = self.n;
        self.inner.certify_into(t, z.subrows_mut(0, n), tol, out)
    }
}
