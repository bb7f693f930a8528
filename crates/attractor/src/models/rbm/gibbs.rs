//! Block Gibbs sampling of an RBM over many chains at once: the chains are the columns of a
//! visible block `V`, and one transition is a full sweep `h ~ p(h | v)`, `v ~ p(v | h)`, each
//! half a matrix product followed by per-chain draws.

use super::kernels::{self, col_mut};
use super::model::{Rbm, VisibleUnits};
use crate::error::{Error, Result, check_len};
use crate::markov::{MarkovSampler, TemperedSampler};
use crate::rng::Rng;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Mat, MatMut, Par};

/// Chains per block: each block of chains is one product per half-sweep and runs on one
/// thread; blocks are fixed by the number of chains, so the result does not depend on the
/// number of threads.
pub(crate) use crate::markov::{CHAIN_BLOCK, for_chain_blocks};

/// The block Gibbs sampler of an [`Rbm`] at temperature `T` (`p ∝ e^{−E/T}`):
/// `p(h_j = 1 | v) = σ((b_j + W_jᵀv)/T)`, and `p(v_i = 1 | h) = σ((a_i + W_i h)/T)`
/// (Bernoulli) or `v | h ~ N(a + Wh, T·I)` (Gaussian). A state is the visible layer
/// (`dim = n_visible`); one transition of [`MarkovSampler::advance`] is one full sweep
/// `v → h → v`. Chains start from `v_i ~ Bernoulli(½)` (Bernoulli) or `N(a, T·I)` (Gaussian).
///
/// ```
/// use attractor::models::rbm::Rbm;
/// use attractor::samplers::MarkovSampler;
/// use attractor::run::Budget;
/// let rbm = Rbm::random(6, 4, 1.0, 3)?;
/// let v = rbm.gibbs().sample(100, 7, &Budget::steps(20))?.states; // 100 chains, 20 sweeps, seed 7
/// assert_eq!((v.nrows(), v.ncols()), (6, 100));
/// assert!(v.col_iter().all(|c| c.iter().all(|&x| x == 0.0 || x == 1.0)));
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RbmGibbs<'a> {
    rbm: &'a Rbm,
    beta: f64,
    par: Par,
}

impl Rbm {
    /// The block Gibbs sampler at `T = 1`, single-threaded.
    pub fn gibbs(&self) -> RbmGibbs<'_> {
        RbmGibbs {
            rbm: self,
            beta: 1.0,
            par: Par::Seq,
        }
    }
}

impl<'a> RbmGibbs<'a> {
    /// The sampler at temperature `t > 0` (finite).
    pub fn with_temperature(mut self, t: f64) -> Result<Self> {
        if !(t.is_finite() && t > 0.0) {
            return Err(Error::invalid(
                "temperature",
                t,
                "the temperature must be finite and > 0 (1 samples the model itself)",
            ));
        }
        self.beta = 1.0 / t;
        Ok(self)
    }
    /// Run blocks of [`CHAIN_BLOCK`] chains in parallel with `par` (results are identical for
    /// any `par`).
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }
    /// The temperature `T`.
    pub fn temperature(&self) -> f64 {
        1.0 / self.beta
    }
}

/// Buffers of one block of chains: hidden states and visible scratch.
#[derive(Debug)]
pub(crate) struct SweepBuffers {
    pub(crate) h: Mat<f64>,
}

impl SweepBuffers {
    pub(crate) fn new(rbm: &Rbm, n_chains: usize) -> Result<Self> {
        Ok(Self {
            h: crate::memory::try_zeros(
                "hidden states of the chains (n_hidden x n_chains)",
                rbm.n_hidden(),
                n_chains,
                "use fewer chains (samples, batch size) or fewer hidden units",
            )?,
        })
    }
}

/// One full sweep `h ~ p(h | v)`, `v ~ p(v | h)` at inverse temperature `beta` on the chains
/// of `v` (`n_visible × n`, contiguous columns), chain `s` drawing from `rngs[s]`.
pub(crate) fn sweep(
    rbm: &Rbm,
    mut v: MatMut<'_, f64>,
    buf: &mut SweepBuffers,
    rngs: &mut [Rng],
    beta: f64,
    par: Par,
) {
    let n = v.ncols();
    let mut h = buf.h.as_mut().subcols_mut(0, n);
    rbm.hidden_probabilities_into(v.rb(), h.rb_mut(), beta, par);
    for (s, rng) in rngs.iter_mut().enumerate().take(n) {
        kernels::sample_bernoulli_in_place(col_mut(&mut h, s), rng);
    }
    sample_visible(rbm, h.rb(), v.rb_mut(), rngs, beta, par);
}

/// `v ~ p(v | h)` at inverse temperature `beta` for every column of `h`.
pub(crate) fn sample_visible(
    rbm: &Rbm,
    h: faer::MatRef<'_, f64>,
    mut v: MatMut<'_, f64>,
    rngs: &mut [Rng],
    beta: f64,
    par: Par,
) {
    rbm.visible_means_into(h, v.rb_mut(), beta, par);
    let sd = beta.recip().sqrt();
    for (s, rng) in rngs.iter_mut().enumerate().take(v.ncols()) {
        let c = col_mut(&mut v, s);
        match rbm.visible {
            VisibleUnits::Bernoulli => kernels::sample_bernoulli_in_place(c, rng),
            VisibleUnits::Gaussian => kernels::add_gaussian_noise(c, sd, rng),
        }
    }
}

impl MarkovSampler for RbmGibbs<'_> {
    fn dim(&self) -> usize {
        self.rbm.n_visible()
    }

    fn initial_states(&self, rngs: &mut [Rng]) -> Result<Mat<f64>> {
        let (nv, n) = (self.rbm.n_visible(), rngs.len());
        let mut v = crate::memory::try_zeros(
            "chain states (n_visible x n_chains)",
            nv,
            n,
            "draw fewer samples (--count, n_samples) at once",
        )?;
        let sd = self.beta.recip().sqrt();
        for (s, rng) in rngs.iter_mut().enumerate() {
            let c = v.col_as_slice_mut(s);
            match self.rbm.visible {
                VisibleUnits::Bernoulli => {
                    c.fill(0.5);
                    kernels::sample_bernoulli_in_place(c, rng);
                }
                VisibleUnits::Gaussian => {
                    c.copy_from_slice(&self.rbm.a);
                    kernels::add_gaussian_noise(c, sd, rng);
                }
            }
        }
        Ok(v)
    }

    fn advance(&self, mut states: MatMut<'_, f64>, rngs: &mut [Rng], n_steps: usize) -> Result<()> {
        check_len(
            "chain states (rows)",
            states.nrows(),
            self.rbm.n_visible(),
            "each chain is a visible state with n_visible entries",
        )?;
        check_len(
            "chain generators",
            rngs.len(),
            states.ncols(),
            "pass one generator per chain (column)",
        )?;
        if states.ncols() == 0 || n_steps == 0 {
            return Ok(());
        }
        // The sweeps need contiguous columns: work on an owned copy when the view is strided.
        let contiguous = states.rb().col(0).try_as_col_major().is_some();
        let mut owned = Mat::<f64>::new();
        let work: MatMut<'_, f64> = if contiguous {
            states.rb_mut()
        } else {
            owned = states.rb().to_owned();
            owned.as_mut()
        };
        let rbm = self.rbm;
        let beta = self.beta;
        // each block of chains (one per thread at a time) holds its hidden states
        let threads = match self.par {
            Par::Seq => 1,
            Par::Rayon(k) => k.get().min(rayon::current_num_threads()),
        };
        crate::memory::check(
            "hidden states of the blocks of chains (n_hidden x chains x threads)",
            &[rbm.n_hidden(), CHAIN_BLOCK.min(rngs.len()), threads],
            8,
            "use fewer hidden units or threads",
        )?;
        let mut unused =
            crate::memory::try_vec("chain weights", rngs.len(), 0.0, "use fewer chains")?;
        let run = |mut v: MatMut<'_, f64>, r: &mut [Rng], _: &mut [f64]| {
            // checked above
            let mut buf = SweepBuffers {
                h: Mat::zeros(rbm.n_hidden(), v.ncols()),
            };
            for _ in 0..n_steps {
                sweep(rbm, v.rb_mut(), &mut buf, r, beta, Par::Seq);
            }
        };
        for_chain_blocks(work, rngs, &mut unused, self.par, &run);
        if !contiguous {
            states.copy_from(owned.as_ref());
        }
        Ok(())
    }
}

/// At temperature `T = 1/β` the sweeps leave the tempered joint law `p_T(v, h) ∝ e^{−βE(v,h)}`
/// invariant, so the chains (visible states) sample its marginal
/// `p_T(v) ∝ e^{−F_β(v)}`, `F_β(v) = −β aᵀv − Σ_j softplus(β(b_j + W_jᵀv))` (Gaussian visible:
/// `β·½‖v − a‖² − Σ_j softplus(…)`): `U_T = F_β`, which differs from `F/T` when `T ≠ 1`.
/// This is what parallel tempering of an RBM (Desjardins, Courville, Bengio, Vincent &
/// Delalleau, AISTATS 2010) swaps with; see [`crate::samplers::tempering`].
impl TemperedSampler for RbmGibbs<'_> {
    fn at_temperature(&self, t: f64) -> Result<Self> {
        self.with_temperature(t)
    }

    fn temperature(&self) -> f64 {
        1.0 / self.beta
    }

    fn tempered_energies_into(&self, states: faer::MatRef<'_, f64>, out: &mut [f64]) -> Result<()> {
        self.rbm
            .tempered_free_energies_into(states, self.beta, out, self.par)
    }
}
