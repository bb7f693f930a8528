//! Optimisers over per-layer parameter blocks: stochastic gradient steps with momentum and
//! weight decay, and Adam (Kingma & Ba, "Adam: a method for stochastic optimization", ICLR
//! 2015).
//!
//! A learning rule does not compute a gradient vector and hand it over: it *adds* its descent
//! direction `d = −∂L/∂θ` (an estimate: data minus model statistics for contrastive divergence,
//! `−(1/β)(∂E/∂θ(s^β) − ∂E/∂θ(s⁰))` for equilibrium propagation), scaled, into targets the
//! optimiser chooses ([`Direction::add_into`]). For a matrix block that is a matrix product
//! accumulated straight into the velocity or into the weights, so that no buffer of the size of
//! `W` is filled only to be read once. The parameters are a list of dense blocks
//! ([`ParamBlocks`]: a weight matrix, a bias as one column), each with its own learning rate
//! and a flag saying whether weight decay applies to it (weights, not biases).
//!
//! With momentum `μ`, learning rate `η_i` of block `i` and decay `λ`, [`Sgd`] makes
//! `v ← μv − η_iλθ + η_i d`, `θ ← θ + v` (Polyak's heavy ball, in the form of Hinton's
//! practical guide to RBMs); with `μ = 0` a matrix block, and any decayed block, receives
//! `θ ← (1 − η_iλ)θ + η_i d` in place, and a vector block without decay (a bias) sums `η_i d`
//! in a buffer first and adds it once.
//! [`Adam`] keeps running means of `g = λθ − d` and `g²` and moves
//! `θ ← θ − η_i m̂/(√v̂ + ε)`.

use crate::error::{Error, Result};
use faer::reborrow::ReborrowMut;
use faer::{Mat, MatMut};

/// The shape and settings of one parameter block.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockSpec {
    /// Rows of the block.
    pub rows: usize,
    /// Columns of the block (1 for a bias vector).
    pub cols: usize,
    /// Multiplies the optimiser's learning rate for this block (per-layer learning rates).
    pub lr_scale: f64,
    /// Whether weight decay applies (weights yes, biases no).
    pub decay: bool,
}

impl BlockSpec {
    /// A weight matrix (decayed), learning-rate scale 1.
    pub fn weights(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            lr_scale: 1.0,
            decay: true,
        }
    }
    /// A bias vector (not decayed), learning-rate scale 1.
    pub fn bias(len: usize) -> Self {
        Self {
            rows: len,
            cols: 1,
            lr_scale: 1.0,
            decay: false,
        }
    }
    /// The same block with learning-rate scale `s`.
    pub fn with_lr_scale(mut self, s: f64) -> Self {
        self.lr_scale = s;
        self
    }
}

/// A model whose parameters are a fixed list of dense blocks, in a fixed order.
pub trait ParamBlocks {
    /// The blocks' shapes and settings (their order is the order of
    /// [`with_blocks_mut`](Self::with_blocks_mut)).
    fn block_specs(&self) -> Vec<BlockSpec>;
    /// Call `f` with mutable views of every block, in order.
    fn with_blocks_mut(&mut self, f: &mut dyn FnMut(&mut [MatMut<'_, f64>]));
    /// Whether every parameter is finite.
    fn params_finite(&self) -> bool;
}

/// What a learning rule contributes to an update: its descent direction `d` (an estimate of
/// `−∂L/∂θ`), added into targets chosen by the optimiser.
pub trait Direction {
    /// `targets.get(i) += targets.scale(i) · d_i` for every block `i`. Must not read the model
    /// (a target may be one of its parameters): everything needed was computed beforehand.
    fn add_into(&mut self, targets: &mut Targets<'_, '_>);
}

/// Where a [`Direction`] adds itself: per block, either the parameter itself or a buffer of
/// the optimiser (a velocity, a gradient), with the scale to apply. Built by the optimiser
/// without allocating.
pub struct Targets<'t, 'p> {
    params: &'t mut [MatMut<'p, f64>],
    bufs: &'t mut [Mat<f64>],
    in_buffer: &'t [bool],
    scales: &'t [f64],
}

impl Targets<'_, '_> {
    /// The number of blocks.
    pub fn len(&self) -> usize {
        self.scales.len()
    }
    /// Whether there are no blocks.
    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }
    /// The scale by which block `i`'s direction is multiplied.
    pub fn scale(&self, i: usize) -> f64 {
        self.scales[i]
    }
    /// The matrix that block `i`'s scaled direction is added into.
    pub fn get(&mut self, i: usize) -> MatMut<'_, f64> {
        if self.in_buffer[i] {
            self.bufs[i].as_mut()
        } else {
            self.params[i].rb_mut()
        }
    }

    /// Every target at once, in block order (each as [`get`](Self::get) would give it).
    pub fn blocks(&mut self) -> Vec<MatMut<'_, f64>> {
        // a buffered block may have no parameter view (direction_blocks) and a parameter
        // block an empty buffer (Sgd without momentum): walk both lists side by side
        let (mut params, mut bufs) = (self.params.iter_mut(), self.bufs.iter_mut());
        let mut out = Vec::with_capacity(self.scales.len());
        for &buffered in self.in_buffer {
            let (p, b) = (params.next(), bufs.next());
            match (buffered, p, b) {
                (true, _, Some(b)) => out.push(b.as_mut()),
                (false, Some(p), _) => out.push(p.rb_mut()),
                _ => break,
            }
        }
        out
    }
}

/// The direction `d` itself, block by block (zero buffers shaped by `specs`, scale 1): for
/// checks and reports, not for training.
pub fn direction_blocks(direction: &mut dyn Direction, specs: &[BlockSpec]) -> Vec<Mat<f64>> {
    let mut bufs: Vec<Mat<f64>> = specs.iter().map(|b| Mat::zeros(b.rows, b.cols)).collect();
    let ones = vec![1.0; specs.len()];
    let in_buffer = vec![true; specs.len()];
    let mut targets = Targets {
        params: &mut [],
        bufs: &mut bufs,
        in_buffer: &in_buffer,
        scales: &ones,
    };
    direction.add_into(&mut targets);
    bufs
}

/// A rule for turning descent directions into parameter steps, with its state (velocities,
/// moments) per block.
pub trait Optimizer: Send {
    /// Make the step for one update: ask `direction` to add itself into the optimiser's
    /// targets, then move `params`.
    fn step(&mut self, params: &mut [MatMut<'_, f64>], direction: &mut dyn Direction);
    /// The base learning rate.
    fn learning_rate(&self) -> f64;
    /// Set the base learning rate (`> 0`, finite: the trainer's schedules check it) for the
    /// next updates; the blocks keep their relative scales.
    fn set_learning_rate(&mut self, learning_rate: f64);
    /// The momentum, for optimisers that have one (`None` otherwise).
    fn momentum(&self) -> Option<f64> {
        None
    }
    /// Set the momentum (`[0, 1)`) for the next updates; ignored by optimisers without one.
    fn set_momentum(&mut self, momentum: f64) {
        let _ = momentum;
    }
    /// Updates made so far.
    fn n_steps(&self) -> usize;
}

fn check_lr(learning_rate: f64) -> Result<()> {
    if !(learning_rate.is_finite() && learning_rate > 0.0) {
        return Err(Error::invalid(
            "learning_rate",
            learning_rate,
            "the learning rate must be finite and > 0 (e.g. 0.1)",
        ));
    }
    Ok(())
}

fn check_decay(weight_decay: f64) -> Result<()> {
    if !(weight_decay.is_finite() && weight_decay >= 0.0) {
        return Err(Error::invalid(
            "weight_decay",
            weight_decay,
            "the weight decay must be finite and >= 0 (e.g. 1e-4)",
        ));
    }
    Ok(())
}

/// A zero block of optimiser state shaped as `b`, under the library's memory policy.
fn state_block(b: &BlockSpec) -> Result<Mat<f64>> {
    crate::memory::try_zeros(
        "optimiser state (a copy of a parameter block)",
        b.rows,
        b.cols,
        "use a smaller model (fewer hidden units or features)",
    )
}

fn check_specs(blocks: &[BlockSpec]) -> Result<()> {
    for (i, b) in blocks.iter().enumerate() {
        if !(b.lr_scale.is_finite() && b.lr_scale > 0.0) {
            return Err(Error::invalid(
                &format!("learning-rate scale of parameter block {i}"),
                b.lr_scale,
                "per-layer learning rates must be finite and > 0",
            ));
        }
        crate::linalg::check_dense_size("optimiser state", b.rows, b.cols)?;
    }
    Ok(())
}

/// Stochastic gradient steps with momentum and weight decay (see the module's formulas).
#[derive(Debug, Clone)]
pub struct Sgd {
    lr: f64,
    momentum: f64,
    weight_decay: f64,
    specs: Vec<BlockSpec>,
    /// Velocities (momentum > 0), or the sum buffers of undecayed vector blocks (momentum = 0).
    vel: Vec<Mat<f64>>,
    /// Whether block `i`'s direction goes into `vel[i]` (then added) or into the parameter.
    in_buffer: Vec<bool>,
    scales: Vec<f64>,
    n_steps: usize,
}

impl Sgd {
    /// SGD over `blocks` with learning rate `η > 0`, momentum `μ ∈ [0, 1)` and weight decay
    /// `λ ≥ 0` (each checked, the message naming it).
    pub fn new(
        blocks: Vec<BlockSpec>,
        learning_rate: f64,
        momentum: f64,
        weight_decay: f64,
    ) -> Result<Self> {
        check_lr(learning_rate)?;
        if !(momentum.is_finite() && (0.0..1.0).contains(&momentum)) {
            return Err(Error::invalid(
                "momentum",
                momentum,
                "the momentum must lie in [0, 1) (0 for plain gradient steps, e.g. 0.5 or 0.9)",
            ));
        }
        check_decay(weight_decay)?;
        check_specs(&blocks)?;
        // with momentum every block has a velocity; without, a bias (a vector, not decayed)
        // sums its direction in a buffer and the others take it in place
        let in_buffer: Vec<bool> = blocks
            .iter()
            .map(|b| momentum > 0.0 || (b.cols == 1 && !b.decay))
            .collect();
        let vel = blocks
            .iter()
            .zip(&in_buffer)
            .map(|(b, &buffered)| {
                if buffered {
                    state_block(b)
                } else {
                    Ok(Mat::new())
                }
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            in_buffer,
            scales: blocks.iter().map(|b| learning_rate * b.lr_scale).collect(),
            lr: learning_rate,
            momentum,
            weight_decay,
            specs: blocks,
            vel,
            n_steps: 0,
        })
    }

    /// The velocity of block `i` (zero before the first step; without momentum, the last
    /// step of a bias block, and empty for a block updated in place).
    pub fn velocity(&self, i: usize) -> faer::MatRef<'_, f64> {
        self.vel[i].as_ref()
    }
}

impl Optimizer for Sgd {
    fn step(&mut self, params: &mut [MatMut<'_, f64>], direction: &mut dyn Direction) {
        let (mu, wd) = (self.momentum, self.weight_decay);
        debug_assert_eq!(params.len(), self.specs.len());
        for (((v, p), (spec, &lr)), &buffered) in self
            .vel
            .iter_mut()
            .zip(params.iter_mut())
            .zip(self.specs.iter().zip(&self.scales))
            .zip(&self.in_buffer)
        {
            let decay = spec.decay && wd > 0.0;
            if buffered {
                // v ← μv − ηλθ
                for j in 0..v.ncols() {
                    let pj = p.as_ref().col(j);
                    let vj = v.col_as_slice_mut(j);
                    if decay {
                        for (i, x) in vj.iter_mut().enumerate() {
                            *x = mu * *x - lr * wd * pj[i];
                        }
                    } else {
                        for x in vj {
                            *x *= mu;
                        }
                    }
                }
            } else if decay {
                // θ ← (1 − ηλ)θ, the direction then added in place
                let s = 1.0 - lr * wd;
                for j in 0..p.ncols() {
                    let mut pj = p.rb_mut().col_mut(j);
                    for i in 0..pj.nrows() {
                        pj[i] *= s;
                    }
                }
            }
        }
        let mut targets = Targets {
            params,
            bufs: &mut self.vel,
            in_buffer: &self.in_buffer,
            scales: &self.scales,
        };
        direction.add_into(&mut targets);
        for (k, p) in params.iter_mut().enumerate() {
            if self.in_buffer[k] {
                add_assign(p.rb_mut(), self.vel[k].as_ref());
            }
        }
        self.n_steps += 1;
    }
    fn learning_rate(&self) -> f64 {
        self.lr
    }
    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.lr = learning_rate;
        for (s, b) in self.scales.iter_mut().zip(&self.specs) {
            *s = learning_rate * b.lr_scale;
        }
    }
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    /// Switching momentum on gives every block a (zero) velocity; switching it off keeps the
    /// velocities as buffers (then `v ← −ηλθ + ηd`, the same step as without momentum).
    fn set_momentum(&mut self, momentum: f64) {
        if momentum > 0.0 {
            for ((v, b), buffered) in self
                .vel
                .iter_mut()
                .zip(&self.specs)
                .zip(&mut self.in_buffer)
            {
                if !*buffered {
                    *v = Mat::zeros(b.rows, b.cols);
                    *buffered = true;
                }
            }
        }
        self.momentum = momentum;
    }
    fn n_steps(&self) -> usize {
        self.n_steps
    }
}

fn add_assign(mut p: MatMut<'_, f64>, v: faer::MatRef<'_, f64>) {
    for j in 0..p.ncols() {
        let vj = v.col(j);
        let mut pj = p.rb_mut().col_mut(j);
        for i in 0..pj.nrows() {
            pj[i] += vj[i];
        }
    }
}

/// Adam (Kingma & Ba 2015) with bias-corrected moments and L2 weight decay on the decayed
/// blocks: `g = λθ − d`, `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`,
/// `θ ← θ − η_i m̂/(√v̂ + ε)` with `m̂ = m/(1 − β₁ᵗ)`, `v̂ = v/(1 − β₂ᵗ)`.
#[derive(Debug, Clone)]
pub struct Adam {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    specs: Vec<BlockSpec>,
    grad: Vec<Mat<f64>>,
    m: Vec<Mat<f64>>,
    v: Vec<Mat<f64>>,
    ones: Vec<f64>,
    all_buffered: Vec<bool>,
    n_steps: usize,
}

impl Adam {
    /// Adam over `blocks` with learning rate `η > 0`, `β₁ = 0.9`, `β₂ = 0.999`, `ε = 1e−8`
    /// and weight decay `λ ≥ 0`.
    pub fn new(blocks: Vec<BlockSpec>, learning_rate: f64, weight_decay: f64) -> Result<Self> {
        check_lr(learning_rate)?;
        check_decay(weight_decay)?;
        check_specs(&blocks)?;
        let zeros = state_block;
        Ok(Self {
            lr: learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
            grad: blocks.iter().map(zeros).collect::<Result<_>>()?,
            m: blocks.iter().map(zeros).collect::<Result<_>>()?,
            v: blocks.iter().map(zeros).collect::<Result<_>>()?,
            ones: vec![1.0; blocks.len()],
            all_buffered: vec![true; blocks.len()],
            specs: blocks,
            n_steps: 0,
        })
    }

    /// The same optimiser with moment decays `β₁, β₂ ∈ [0, 1)` and `ε > 0`.
    pub fn with_moments(mut self, beta1: f64, beta2: f64, eps: f64) -> Result<Self> {
        for (name, b) in [("beta1", beta1), ("beta2", beta2)] {
            if !(b.is_finite() && (0.0..1.0).contains(&b)) {
                return Err(Error::invalid(
                    name,
                    b,
                    "Adam's moment decays lie in [0, 1) (0.9 and 0.999 are the usual values)",
                ));
            }
        }
        if !(eps.is_finite() && eps > 0.0) {
            return Err(Error::invalid(
                "eps",
                eps,
                "Adam's epsilon must be > 0 (e.g. 1e-8)",
            ));
        }
        (self.beta1, self.beta2, self.eps) = (beta1, beta2, eps);
        Ok(self)
    }
}

impl Optimizer for Adam {
    fn step(&mut self, params: &mut [MatMut<'_, f64>], direction: &mut dyn Direction) {
        for g in &mut self.grad {
            g.fill(0.0);
        }
        let mut targets = Targets {
            params,
            bufs: &mut self.grad,
            in_buffer: &self.all_buffered,
            scales: &self.ones,
        };
        direction.add_into(&mut targets);
        self.n_steps += 1;
        let t = self.n_steps as i32;
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = 1.0 - b1.powi(t);
        let c2 = 1.0 - b2.powi(t);
        for (k, p) in params.iter_mut().enumerate() {
            let lr = self.lr * self.specs[k].lr_scale;
            let wd = if self.specs[k].decay {
                self.weight_decay
            } else {
                0.0
            };
            let (g, m, v) = (&self.grad[k], &mut self.m[k], &mut self.v[k]);
            for j in 0..p.ncols() {
                let mut pj = p.rb_mut().col_mut(j);
                let (gj, mj, vj) = (
                    g.col_as_slice(j),
                    m.col_as_slice_mut(j),
                    v.col_as_slice_mut(j),
                );
                for i in 0..gj.len() {
                    let gi = wd * pj[i] - gj[i];
                    mj[i] = b1 * mj[i] + (1.0 - b1) * gi;
                    vj[i] = b2 * vj[i] + (1.0 - b2) * gi * gi;
                    pj[i] -= lr * (mj[i] / c1) / ((vj[i] / c2).sqrt() + self.eps);
                }
            }
        }
    }
    fn learning_rate(&self) -> f64 {
        self.lr
    }
    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.lr = learning_rate;
    }
    fn n_steps(&self) -> usize {
        self.n_steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// d = −(θ − c): the descent direction of ½‖θ − c‖², read from a copy of θ.
    struct Quadratic {
        theta: Vec<f64>,
        c: Vec<f64>,
    }
    impl Direction for Quadratic {
        fn add_into(&mut self, targets: &mut Targets<'_, '_>) {
            let s = targets.scale(0);
            let mut t = targets.get(0);
            for i in 0..self.c.len() {
                t[(i, 0)] += s * (self.c[i] - self.theta[i]);
            }
        }
    }

    fn run(opt: &mut dyn Optimizer, steps: usize) -> Vec<f64> {
        let c = vec![1.0, -2.0, 0.5];
        let mut p = Mat::<f64>::zeros(3, 1);
        for _ in 0..steps {
            let mut d = Quadratic {
                theta: p.col_as_slice(0).to_vec(),
                c: c.clone(),
            };
            opt.step(&mut [p.as_mut()], &mut d);
        }
        p.col_as_slice(0).to_vec()
    }

    #[test]
    fn sgd_and_adam_reach_the_minimum_of_a_quadratic() {
        for mu in [0.0, 0.5] {
            let mut sgd = Sgd::new(vec![BlockSpec::bias(3)], 0.2, mu, 0.0).unwrap();
            let p = run(&mut sgd, 200);
            assert!(
                (p[0] - 1.0).abs() < 1e-9 && (p[1] + 2.0).abs() < 1e-9,
                "{p:?}"
            );
        }
        let mut adam = Adam::new(vec![BlockSpec::bias(3)], 0.05, 0.0).unwrap();
        let p = run(&mut adam, 2000);
        assert!(
            (p[0] - 1.0).abs() < 1e-3 && (p[1] + 2.0).abs() < 1e-3,
            "{p:?}"
        );
    }

    #[test]
    fn plain_sgd_is_one_gradient_step() {
        let mut sgd = Sgd::new(vec![BlockSpec::bias(3)], 0.25, 0.0, 0.0).unwrap();
        let p = run(&mut sgd, 1);
        assert_eq!(p, vec![0.25, -0.5, 0.125]);
    }

    #[test]
    fn bad_settings_are_named() {
        let e = Sgd::new(vec![], 0.0, 0.0, 0.0).unwrap_err().to_string();
        assert!(e.contains("learning_rate = 0"), "{e}");
        let e = Sgd::new(vec![], 0.1, 1.0, 0.0).unwrap_err().to_string();
        assert!(e.contains("momentum = 1"), "{e}");
        let e = Adam::new(vec![], 0.1, -1.0).unwrap_err().to_string();
        assert!(e.contains("weight_decay = -1"), "{e}");
        let e = Sgd::new(
            vec![BlockSpec::bias(2).with_lr_scale(f64::NAN)],
            0.1,
            0.0,
            0.0,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("block 0"), "{e}");
    }
}
