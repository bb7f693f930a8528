//! Training a layered energy network by backpropagation through its relaxation: the exact
//! gradient of the loss after `T` free steps from the initial state, by reverse-mode
//! differentiation of the steps (the baseline that equilibrium propagation approximates
//! without a backward pass; Scellier & Bengio 2017 compare against it, and Ernoult et al.,
//! "Updates of equilibrium prop match gradients of backprop through time in an RNN with static
//! input", NeurIPS 2019, show the two coincide step by step). The gradient itself is
//! [`bptt_gradient`].

use super::gradient_check::bptt_gradient;
use super::optimizer::{Direction, Targets};
use super::trainer::{Dataset, Rule};
use super::two_phase::gather;
use crate::error::{Error, Result};
use crate::models::layered::{Cost, LayeredNetwork, Relaxation};
use crate::run::Clock;
use faer::Mat;

/// The gradient of the loss after a fixed relaxation, as a [`Rule`] for the shared trainer.
#[derive(Debug, Clone)]
pub struct BackpropRelaxation {
    relaxation: Relaxation,
    cost: Cost,
    x: Mat<f64>,
    y: Mat<f64>,
    grad: Vec<f64>,
    sizes: Vec<usize>,
    loss: f64,
}

impl BackpropRelaxation {
    /// The rule for `relaxation.max_steps` steps of size `relaxation.epsilon` from zero, with the
    /// loss `cost`.
    pub fn new(relaxation: Relaxation, cost: Cost) -> Result<Self> {
        relaxation.validate("free")?;
        Ok(Self {
            relaxation,
            cost,
            x: Mat::new(),
            y: Mat::new(),
            grad: Vec::new(),
            sizes: Vec::new(),
            loss: f64::NAN,
        })
    }
    /// The mean loss of the last minibatch (after the relaxation, before the update).
    pub fn last_loss(&self) -> f64 {
        self.loss
    }
}

impl Direction for BackpropRelaxation {
    fn add_into(&mut self, targets: &mut Targets<'_, '_>) {
        let mut at = 0;
        for k in 0..self.sizes.len() - 1 {
            let (r, c) = (self.sizes[k], self.sizes[k + 1]);
            let s = targets.scale(2 * k);
            let mut w = targets.get(2 * k);
            for j in 0..c {
                for i in 0..r {
                    w[(i, j)] -= s * self.grad[at];
                    at += 1;
                }
            }
            let s = targets.scale(2 * k + 1);
            let mut b = targets.get(2 * k + 1);
            for i in 0..c {
                b[(i, 0)] -= s * self.grad[at];
                at += 1;
            }
        }
    }
}

impl Rule<LayeredNetwork> for BackpropRelaxation {
    fn reserve(&mut self, _net: &LayeredNetwork, _b: usize) -> Result<()> {
        Ok(())
    }
    fn estimate(
        &mut self,
        net: &LayeredNetwork,
        data: &Dataset<'_>,
        idx: &[usize],
        _clock: &Clock,
    ) -> Result<()> {
        let y = data
            .y
            .ok_or_else(|| Error::Incompatible("backpropagation needs targets y".into()))?;
        gather(data.x, idx, &mut self.x);
        gather(y, idx, &mut self.y);
        let s0 = Mat::<f64>::zeros(net.state_dim(), idx.len());
        let (g, loss) = bptt_gradient(
            net,
            self.x.as_ref(),
            self.y.as_ref(),
            self.cost,
            self.relaxation.epsilon,
            self.relaxation.max_steps,
            s0.as_ref(),
        )?;
        self.grad = g;
        self.loss = loss;
        self.sizes.clear();
        self.sizes.extend_from_slice(net.sizes());
        Ok(())
    }
}
