use super::{StepFailure, StepReport, Stepper, resize};
use crate::flow::StochasticField;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Euler–Maruyama for `dx = f(t, x) dt + σ(t, x) ⊙ dW` (Maruyama 1955; Kloeden & Platen,
/// *Numerical Solution of Stochastic Differential Equations*, §10.2):
/// `x ← x + h f(t, x) + σ(t, x) ⊙ √h ζ`, `ζ ~ N(0, I)`. Strong order ½, weak order 1.
/// For Langevin dynamics this is the unadjusted Langevin algorithm
/// `x ← x − h∇E(x) + √(2Th) ζ`.
///
/// All randomness comes from the seed: the same seed gives a bit-identical trajectory.
#[derive(Debug, Clone)]
pub struct EulerMaruyama {
    rng: ChaCha8Rng,
    k1: Vec<f64>,
    sigma: Vec<f64>,
}

impl EulerMaruyama {
    /// A stepper whose Gaussian increments come from a ChaCha8 stream seeded by `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            k1: Vec::new(),
            sigma: Vec::new(),
        }
    }

    /// A stepper that draws its Gaussian increments from `rng` (a chain's own
    /// [`rng::stream`](crate::rng::stream)), so that a sampler can hand each chain's generator
    /// to the stepper and take it back with [`into_rng`](Self::into_rng).
    pub fn from_rng(rng: ChaCha8Rng) -> Self {
        Self {
            rng,
            k1: Vec::new(),
            sigma: Vec::new(),
        }
    }

    /// The generator, advanced past every increment drawn so far.
    pub fn into_rng(self) -> ChaCha8Rng {
        self.rng
    }
}

impl<F: StochasticField + ?Sized> Stepper<F> for EulerMaruyama {
    fn name(&self) -> &'static str {
        "euler-maruyama"
    }
    fn init(&mut self, f: &mut F, _t0: f64, _x0: &[f64]) -> usize {
        resize(&mut self.k1, f.dim());
        resize(&mut self.sigma, f.dim());
        0
    }
    fn step(
        &mut self,
        f: &mut F,
        t: f64,
        x: &mut [f64],
        h: f64,
    ) -> Result<StepReport, StepFailure> {
        f.eval_into(t, x, &mut self.k1);
        f.diffusion_into(t, x, &mut self.sigma);
        let sq = h.sqrt();
        for i in 0..x.len() {
            let z: f64 = self.rng.sample(StandardNormal);
            x[i] += h * self.k1[i] + self.sigma[i] * sq * z;
        }
        f.project_state(x);
        Ok(StepReport {
            h_taken: h,
            h_next: h,
            n_evals: 1,
            n_rejected: 0,
        })
    }
    fn derivative(&self) -> &[f64] {
        &self.k1
    }
}
