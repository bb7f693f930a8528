//! The update that equilibrium propagation and contrastive Hebbian learning share on a layered
//! energy network: a difference of the parameter gradient `∂E/∂θ` between two equilibria of
//! the same minibatch, `d = c·(∂E/∂θ(s⁻) − ∂E/∂θ(s⁺))`. With `∂E/∂W_k = −ρ(s_k)ρ(s_{k+1})ᵀ`
//! and `∂E/∂b_k = −ρ(s_k)` (rates; the oscillator network adds the same products of sines to
//! those of cosines) this is, summed over the columns of the minibatch,
//! `d_{W_k} = c·(ρ(s_k⁺)ρ(s_{k+1}⁺)ᵀ − ρ(s_k⁻)ρ(s_{k+1}⁻)ᵀ)` and
//! `d_{b_k} = c·(ρ(s_k⁺) − ρ(s_k⁻))`: two matrix products per weight matrix (one for `W_0`,
//! whose input factor `ρ(x)` is the same in both phases), formed by
//! [`add_param_contrast`] from the models'
//! [`BatchParamGradient`] features.

use super::optimizer::Targets;
use super::trainer::Dataset;
use crate::energy::{BatchParamGradient, LayerFeatures, add_param_contrast};
use crate::error::{Error, Result};
use crate::models::layered::LayeredNetwork;
use faer::{Mat, MatRef, Par};

/// The features of two equilibria of a minibatch and the coefficient of their difference,
/// for any layered energy with [`BatchParamGradient`] (the rate network, the oscillator
/// network).
#[derive(Debug, Clone)]
pub struct TwoPhase {
    /// The features of `[x; s⁺]`.
    plus: LayerFeatures,
    /// The features of `[x; s⁻]`.
    minus: LayerFeatures,
    /// Scratch for the first weight block's factor `φ(s_1⁺) − φ(s_1⁻)`.
    diff: Mat<f64>,
    coefs: Vec<f64>,
    coef: f64,
    par: Par,
}

impl Default for TwoPhase {
    fn default() -> Self {
        Self {
            plus: LayerFeatures::default(),
            minus: LayerFeatures::default(),
            diff: Mat::new(),
            coefs: Vec::new(),
            coef: 0.0,
            par: Par::Seq,
        }
    }
}

impl TwoPhase {
    /// Record the phases of a minibatch: inputs `x` (`d_0 × b`, the input layer as the energy
    /// sees it), equilibria `s_plus`, `s_minus` (`D × b`) and the coefficient `c` of their
    /// difference.
    pub fn set<M: BatchParamGradient + ?Sized>(
        &mut self,
        model: &M,
        x: MatRef<'_, f64>,
        s_plus: MatRef<'_, f64>,
        s_minus: MatRef<'_, f64>,
        coef: f64,
        par: Par,
    ) {
        self.plus.set(model, x, s_plus);
        self.minus.set(model, x, s_minus);
        self.coef = coef;
        self.par = par;
    }

    /// Add `scale_i · d_i` into every block target (order `W_0, b_1, W_1, b_2, …`), where
    /// `d = c·(∂E/∂θ(s⁻) − ∂E/∂θ(s⁺))` summed over the minibatch.
    pub fn add_into(&mut self, targets: &mut Targets<'_, '_>) {
        self.coefs.clear();
        self.coefs
            .extend((0..targets.len()).map(|i| targets.scale(i) * self.coef));
        let mut blocks = targets.blocks();
        add_param_contrast(
            &self.plus,
            &self.minus,
            &self.coefs,
            &mut blocks,
            &mut self.diff,
            self.par,
        );
    }
}

/// The number of columns whose most active output unit (rows `out` of `s`) is not the largest
/// entry of the target column of `y`: the training error seen by the free phase.
pub(crate) fn count_errors(
    s: MatRef<'_, f64>,
    out: std::ops::Range<usize>,
    y: MatRef<'_, f64>,
) -> usize {
    let argmax = |f: &dyn Fn(usize) -> f64, n: usize| {
        let mut best = 0;
        for i in 1..n {
            if f(i) > f(best) {
                best = i;
            }
        }
        best
    };
    (0..s.ncols())
        .filter(|&j| {
            let p = argmax(&|i| s[(out.start + i, j)], out.len());
            let t = argmax(&|i| y[(i, j)], y.nrows());
            p != t
        })
        .count()
}

/// The minibatch bookkeeping of the supervised two-phase rules (equilibrium propagation,
/// contrastive Hebbian learning): the inputs and targets gathered from the training data, the
/// persistent free states (one column per training example, Scellier & Bengio's particles) and
/// the free phase's error counts.
#[derive(Debug, Clone)]
pub struct Minibatch {
    x: Mat<f64>,
    y: Mat<f64>,
    init: Mat<f64>,
    particles: Mat<f64>,
    seen: usize,
    errors: usize,
}

impl Default for Minibatch {
    fn default() -> Self {
        Self {
            x: Mat::new(),
            y: Mat::new(),
            init: Mat::new(),
            particles: Mat::new(),
            seen: 0,
            errors: 0,
        }
    }
}

impl Minibatch {
    /// Gather the samples `idx` of `data` and their initial free states (their particles when
    /// `persistent`, else zeros); `rule` names the rule in the error for missing targets.
    pub fn begin(
        &mut self,
        rule: &str,
        net: &LayeredNetwork,
        data: &Dataset<'_>,
        idx: &[usize],
        persistent: bool,
    ) -> Result<()> {
        let y = data
            .y
            .ok_or_else(|| Error::Incompatible(format!("{rule} is supervised: give targets y")))?;
        gather(data.x, idx, &mut self.x);
        gather(y, idx, &mut self.y);
        let dim = net.state_dim();
        if persistent {
            if self.particles.nrows() != dim || self.particles.ncols() != data.len() {
                crate::linalg::check_dense_size("persistent particles", dim, data.len())?;
                self.particles = Mat::zeros(dim, data.len());
            }
            gather(self.particles.as_ref(), idx, &mut self.init);
        } else {
            self.init = Mat::zeros(dim, idx.len());
        }
        Ok(())
    }
    /// The inputs of the minibatch (`d_0 × b`).
    pub fn x(&self) -> MatRef<'_, f64> {
        self.x.as_ref()
    }
    /// The targets (`d_L × b`).
    pub fn y(&self) -> MatRef<'_, f64> {
        self.y.as_ref()
    }
    /// The initial free states (`D × b`).
    pub fn init(&self) -> MatRef<'_, f64> {
        self.init.as_ref()
    }
    /// Count the free phase's errors on the minibatch and, when `persistent`, keep its free
    /// equilibria `s0` as the samples' particles.
    pub fn finish(
        &mut self,
        net: &LayeredNetwork,
        idx: &[usize],
        s0: MatRef<'_, f64>,
        persistent: bool,
    ) {
        self.seen += idx.len();
        self.errors += count_errors(s0, net.output_rows(), self.y.as_ref());
        if persistent {
            for (k, &j) in idx.iter().enumerate() {
                self.particles.col_mut(j).copy_from(s0.col(k));
            }
        }
    }
    /// The persistent free states (empty before training or without persistence).
    pub fn particles(&self) -> MatRef<'_, f64> {
        self.particles.as_ref()
    }
    /// Forget the persistent states.
    pub fn reset_particles(&mut self) {
        self.particles = Mat::new();
    }
    /// Examples seen and misclassified by the free phase so far.
    pub fn error_counts(&self) -> (usize, usize) {
        (self.seen, self.errors)
    }
}

/// Gather the columns `idx` of `src` into `dst` (resized when the shape changes).
pub(crate) fn gather(src: MatRef<'_, f64>, idx: &[usize], dst: &mut Mat<f64>) {
    if dst.nrows() != src.nrows() || dst.ncols() != idx.len() {
        *dst = Mat::zeros(src.nrows(), idx.len());
    }
    for (k, &j) in idx.iter().enumerate() {
        dst.col_mut(k).copy_from(src.col(j));
    }
}
