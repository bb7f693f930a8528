use super::VectorField;
use crate::energy::Gradient;
use crate::error::{Result, check_len};

/// A closed convex set `C` with a cheap Euclidean projection and tangent-cone projection.
pub trait ConvexSet {
    /// Replace `x` by `Π_C(x)`.
    fn project(&self, x: &mut [f64]);
    /// Replace the velocity `v` at `x ∈ C` by its projection onto the tangent cone `T_C(x)`.
    fn project_velocity(&self, x: &[f64], v: &mut [f64]);
}

/// The box `{x : lo ≤ x ≤ hi}` (componentwise).
#[derive(Debug, Clone)]
pub struct BoxSet {
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl BoxSet {
    /// The box `[lo, hi]`; needs `lo_i ≤ hi_i`, no NaN (infinite bounds are allowed).
    pub fn new(lo: Vec<f64>, hi: Vec<f64>) -> Result<Self> {
        check_len(
            "upper bounds hi",
            hi.len(),
            lo.len(),
            "pass one lower and one upper bound per variable",
        )?;
        for i in 0..lo.len() {
            if lo[i].is_nan() || hi[i].is_nan() || lo[i] > hi[i] {
                return Err(crate::Error::invalid(
                    &format!("box bounds [lo[{i}], hi[{i}]]"),
                    format!("[{}, {}]", lo[i], hi[i]),
                    "each lower bound must be <= its upper bound and neither may be NaN",
                ));
            }
        }
        Ok(Self { lo, hi })
    }
    /// The same interval `[lo, hi]` for each of `n` variables.
    pub fn uniform(n: usize, lo: f64, hi: f64) -> Result<Self> {
        Self::new(vec![lo; n], vec![hi; n])
    }
    /// Lower bounds.
    pub fn lo(&self) -> &[f64] {
        &self.lo
    }
    /// Upper bounds.
    pub fn hi(&self) -> &[f64] {
        &self.hi
    }
}

impl ConvexSet for BoxSet {
    fn project(&self, x: &mut [f64]) {
        for ((v, &l), &h) in x.iter_mut().zip(&self.lo).zip(&self.hi) {
            *v = v.clamp(l, h);
        }
    }
    fn project_velocity(&self, x: &[f64], v: &mut [f64]) {
        for i in 0..x.len() {
            if (x[i] <= self.lo[i] && v[i] < 0.0) || (x[i] >= self.hi[i] && v[i] > 0.0) {
                v[i] = 0.0;
            }
        }
    }
}

/// The non-negative orthant `{x : x ≥ 0}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NonNegativeOrthant;

impl ConvexSet for NonNegativeOrthant {
    fn project(&self, x: &mut [f64]) {
        for v in x.iter_mut() {
            *v = v.max(0.0);
        }
    }
    fn project_velocity(&self, x: &[f64], v: &mut [f64]) {
        for (xi, vi) in x.iter().zip(v.iter_mut()) {
            if *xi <= 0.0 && *vi < 0.0 {
                *vi = 0.0;
            }
        }
    }
}

/// The projected gradient flow `ẋ = Π_{T_C(x)}(−∇E(x))` (Nagurney & Zhang, *Projected
/// Dynamical Systems and Variational Inequalities*, 1996): the velocity is projected onto the
/// tangent cone of `C`, and after each discrete step the state is projected back onto `C`
/// (so explicit Euler becomes projected gradient descent `x ← Π_C(x − h∇E(x))`).
///
/// ```
/// use attractor::energy::FnEnergy;
/// use attractor::flow::{NonNegativeOrthant, ProjectedFlow, VectorField};
/// // E = ½(x + 1)²: the unconstrained minimum −1 is infeasible; on x ≥ 0 the flow stops at 0.
/// let e = FnEnergy::new(1, |x: &[f64]| 0.5 * (x[0] + 1.0).powi(2), |x: &[f64], g: &mut [f64]| g[0] = x[0] + 1.0);
/// let mut flow = ProjectedFlow::new(e, NonNegativeOrthant).unwrap();
/// let mut dx = [0.0];
/// flow.eval_into(0.0, &[0.0], &mut dx);
/// assert_eq!(dx, [0.0]);
/// ```
#[derive(Debug, Clone)]
pub struct ProjectedFlow<E, C> {
    energy: E,
    set: C,
}

impl<E: Gradient, C: ConvexSet> ProjectedFlow<E, C> {
    /// Descend `energy` on `set`.
    pub fn new(energy: E, set: C) -> Result<Self> {
        Ok(Self { energy, set })
    }
}

impl<E: Gradient> ProjectedFlow<E, BoxSet> {
    /// Descend `energy` on a box, checking the box has the energy's dimension.
    pub fn boxed(energy: E, set: BoxSet) -> Result<Self> {
        check_len(
            "box bounds",
            set.lo.len(),
            energy.dim(),
            "pass one bound pair per state variable",
        )?;
        Self::new(energy, set)
    }
}

impl<E: Gradient, C: ConvexSet> VectorField for ProjectedFlow<E, C> {
    fn dim(&self) -> usize {
        self.energy.dim()
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        self.energy.gradient_into(x, dx);
        for v in dx.iter_mut() {
            *v = -*v;
        }
        self.set.project_velocity(x, dx);
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        Some(self.energy.energy(x))
    }
    fn project_state(&self, x: &mut [f64]) {
        self.set.project(x);
    }
}
