//! The RBM itself: its parameters `(W, a, b)`, the type of its visible units, the energy, the
//! free energy, the two conditionals and the features and reconstructions they give.

use super::kernels::{self, blocked_matmul, col, col_mut, softplus};
use crate::energy::ParamGradient;
use crate::error::{Error, Result, check_len};
use faer::reborrow::ReborrowMut;
use faer::{Accum, Mat, MatMut, MatRef, Par};

/// The type of the visible units (the hidden units are always Bernoulli, `h ∈ {0, 1}ⁿʰ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VisibleUnits {
    /// `v ∈ {0, 1}ⁿᵛ`: `E(v, h) = −aᵀv − bᵀh − vᵀWh`, `p(v_i = 1 | h) = σ(a_i + W_i h)`.
    /// Training data may be probabilities in `[0, 1]` (scikit-learn's convention).
    #[default]
    Bernoulli,
    /// `v ∈ ℝⁿᵛ` with unit variance: `E(v, h) = ½‖v − a‖² − bᵀh − vᵀWh`,
    /// `v | h ~ N(a + Wh, I)`. Standardise the data (zero mean, unit variance per feature)
    /// first: the variance is fixed at 1, not learned.
    Gaussian,
}

impl VisibleUnits {
    /// The name used in files and messages: `"bernoulli"` or `"gaussian"`.
    pub fn name(self) -> &'static str {
        match self {
            VisibleUnits::Bernoulli => "bernoulli",
            VisibleUnits::Gaussian => "gaussian",
        }
    }
}

impl std::fmt::Display for VisibleUnits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for VisibleUnits {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bernoulli" | "binary" => Ok(VisibleUnits::Bernoulli),
            "gaussian" => Ok(VisibleUnits::Gaussian),
            _ => Err(Error::invalid(
                "visible units",
                format!("{s:?}"),
                "use \"bernoulli\" or \"gaussian\"",
            )),
        }
    }
}

/// A restricted Boltzmann machine: `n_visible` visible units, `n_hidden` Bernoulli hidden
/// units, weights `W` (`n_visible × n_hidden`), visible bias `a`, hidden bias `b`.
///
/// ```
/// use attractor::models::rbm::Rbm;
/// let rbm = Rbm::random(6, 4, 0.5, 7)?;
/// let v = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0];
/// let f = rbm.free_energy(&v)?;
/// // F(v) = −log Σ_h e^{−E(v, h)}
/// let mut s = 0.0;
/// for code in 0..16u32 {
///     let h: Vec<f64> = (0..4).map(|j| f64::from((code >> j) & 1)).collect();
///     s += (-rbm.energy(&v, &h)?).exp();
/// }
/// assert!((f + s.ln()).abs() < 1e-12);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Rbm {
    pub(super) w: Mat<f64>,
    pub(super) a: Vec<f64>,
    pub(super) b: Vec<f64>,
    pub(super) visible: VisibleUnits,
}

fn check_finite_slice(what: &str, x: &[f64]) -> Result<()> {
    match x.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(Error::NonFinite {
            what: what.to_string(),
            index: i,
            value: x[i],
        }),
    }
}

impl Rbm {
    /// An RBM with weights `w` (`n_visible × n_hidden`), visible bias `visible_bias`
    /// (length `n_visible`) and hidden bias `hidden_bias` (length `n_hidden`), all finite.
    pub fn new(
        w: Mat<f64>,
        visible_bias: Vec<f64>,
        hidden_bias: Vec<f64>,
        visible: VisibleUnits,
    ) -> Result<Self> {
        if w.nrows() == 0 || w.ncols() == 0 {
            return Err(Error::invalid(
                "W",
                format!("{} x {}", w.nrows(), w.ncols()),
                "an RBM needs at least one visible and one hidden unit (W is n_visible x n_hidden)",
            ));
        }
        check_len(
            "visible_bias",
            visible_bias.len(),
            w.nrows(),
            "the visible bias has one entry per visible unit (rows of W)",
        )?;
        check_len(
            "hidden_bias",
            hidden_bias.len(),
            w.ncols(),
            "the hidden bias has one entry per hidden unit (columns of W)",
        )?;
        crate::linalg::check_matrix_finite("W", w.as_ref())?;
        check_finite_slice("visible_bias", &visible_bias)?;
        check_finite_slice("hidden_bias", &hidden_bias)?;
        Ok(Self {
            w,
            a: visible_bias,
            b: hidden_bias,
            visible,
        })
    }

    /// A Bernoulli–Bernoulli RBM with `W_ij = scale·z_ij`, `z_ij ~ N(0, 1)` drawn from
    /// `rng::stream(seed, streams::PARAMS)`, and zero biases (scikit-learn's `BernoulliRBM`
    /// starts from `scale = 0.01`). Change the unit type with [`with_visible`](Self::with_visible).
    pub fn random(n_visible: usize, n_hidden: usize, scale: f64, seed: u64) -> Result<Self> {
        use rand::RngExt;
        if n_visible == 0 || n_hidden == 0 {
            return Err(Error::invalid(
                "RBM size",
                format!("{n_visible} visible x {n_hidden} hidden"),
                "an RBM needs at least one visible and one hidden unit",
            ));
        }
        if !(scale.is_finite() && scale >= 0.0) {
            return Err(Error::invalid(
                "scale",
                scale,
                "the standard deviation of the initial weights must be finite and >= 0 (e.g. 0.01)",
            ));
        }
        let mut w = crate::memory::try_zeros(
            "RBM weights W (n_visible x n_hidden)",
            n_visible,
            n_hidden,
            "use fewer hidden units (n_components, --hidden) or fewer features",
        )?;
        let mut rng = crate::rng::stream(seed, crate::rng::streams::PARAMS);
        // column by column, as `Mat::from_fn` draws them
        for j in 0..n_hidden {
            for x in w.col_as_slice_mut(j) {
                *x = scale * rng.sample::<f64, _>(rand_distr::StandardNormal);
            }
        }
        Ok(Self {
            w,
            a: vec![0.0; n_visible],
            b: vec![0.0; n_hidden],
            visible: VisibleUnits::Bernoulli,
        })
    }

    /// The same parameters with visible units of type `visible`.
    pub fn with_visible(mut self, visible: VisibleUnits) -> Self {
        self.visible = visible;
        self
    }

    /// The number of visible units.
    pub fn n_visible(&self) -> usize {
        self.w.nrows()
    }
    /// The number of hidden units.
    pub fn n_hidden(&self) -> usize {
        self.w.ncols()
    }
    /// The type of the visible units.
    pub fn visible_units(&self) -> VisibleUnits {
        self.visible
    }
    /// `W` (`n_visible × n_hidden`). scikit-learn's `components_` is `Wᵀ`.
    pub fn weights(&self) -> MatRef<'_, f64> {
        self.w.as_ref()
    }
    /// The visible bias `a` (scikit-learn's `intercept_visible_`).
    pub fn visible_bias(&self) -> &[f64] {
        &self.a
    }
    /// The hidden bias `b` (scikit-learn's `intercept_hidden_`).
    pub fn hidden_bias(&self) -> &[f64] {
        &self.b
    }

    /// Replace all parameters (same shapes, finite), keeping the unit type.
    pub fn set_parameters(
        &mut self,
        w: MatRef<'_, f64>,
        visible_bias: &[f64],
        hidden_bias: &[f64],
    ) -> Result<()> {
        check_len(
            "W (rows)",
            w.nrows(),
            self.n_visible(),
            "W keeps its shape n_visible x n_hidden",
        )?;
        check_len(
            "W (columns)",
            w.ncols(),
            self.n_hidden(),
            "W keeps its shape n_visible x n_hidden",
        )?;
        let new = Rbm::new(
            w.to_owned(),
            visible_bias.to_vec(),
            hidden_bias.to_vec(),
            self.visible,
        )?;
        *self = new;
        Ok(())
    }

    /// Mutable views of `(W, a, b)` for the learning rules of [`crate::learn`], which keep the
    /// parameters finite (they restore the last finite state when an update diverges).
    pub(crate) fn parts_mut(&mut self) -> (MatMut<'_, f64>, &mut [f64], &mut [f64]) {
        (self.w.as_mut(), &mut self.a, &mut self.b)
    }

    /// Whether every parameter is finite.
    pub(crate) fn is_finite(&self) -> bool {
        self.a.iter().chain(&self.b).all(|v| v.is_finite())
            && (0..self.w.ncols()).all(|j| col(self.w.as_ref(), j).iter().all(|v| v.is_finite()))
    }

    /// Check a block of visible states `data` (`n_visible × n_samples`, one sample per
    /// column): the right number of rows, at least one column, finite, and in `[0, 1]` for
    /// Bernoulli units. `what` names the data in the message.
    pub fn check_data(&self, what: &str, data: MatRef<'_, f64>) -> Result<()> {
        check_len(
            &format!("{what} (rows = features per sample)"),
            data.nrows(),
            self.n_visible(),
            "pass one sample per column with n_visible rows (a row-major (n_samples, n_visible) array seen column-major)",
        )?;
        if data.ncols() == 0 {
            return Err(Error::invalid(
                what,
                "0 samples",
                "pass at least one sample (column)",
            ));
        }
        for s in 0..data.ncols() {
            for i in 0..data.nrows() {
                let x = data[(i, s)];
                if !x.is_finite() {
                    return Err(Error::invalid(
                        what,
                        format!("{x} at sample {s}, feature {i}"),
                        "every entry must be finite; replace NaN/inf entries",
                    ));
                }
                if self.visible == VisibleUnits::Bernoulli && !(0.0..=1.0).contains(&x) {
                    return Err(Error::invalid(
                        what,
                        format!("{x} at sample {s}, feature {i}"),
                        "Bernoulli visible units take values in {0, 1} (or probabilities in [0, 1]); binarise or scale the data to [0, 1], or use Gaussian visible units for real-valued data",
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_state(&self, v: &[f64]) -> Result<()> {
        let m = MatRef::from_column_major_slice(v, v.len(), 1);
        self.check_data("visible state v", m)
    }

    /// `E(v, h) = −aᵀv − bᵀh − vᵀWh` (Bernoulli visible) or `½‖v − a‖² − bᵀh − vᵀWh`
    /// (Gaussian visible), for `h ∈ [0, 1]ⁿʰ`.
    pub fn energy(&self, v: &[f64], h: &[f64]) -> Result<f64> {
        self.check_state(v)?;
        check_len(
            "hidden state h",
            h.len(),
            self.n_hidden(),
            "h has one entry per hidden unit",
        )?;
        if let Some(j) = h.iter().position(|x| !(0.0..=1.0).contains(x)) {
            return Err(Error::invalid(
                "hidden state h",
                format!("{} at unit {j}", h[j]),
                "hidden units are Bernoulli: pass values in {0, 1}",
            ));
        }
        let mut e = -crate::linalg::dot(&self.b, h);
        for (j, &hj) in h.iter().enumerate() {
            if hj != 0.0 {
                e -= hj * crate::linalg::dot(col(self.w.as_ref(), j), v);
            }
        }
        Ok(e + self.visible_term(v))
    }

    /// `−aᵀv` (Bernoulli) or `½‖v − a‖²` (Gaussian).
    pub(crate) fn visible_term(&self, v: &[f64]) -> f64 {
        match self.visible {
            VisibleUnits::Bernoulli => -crate::linalg::dot(&self.a, v),
            VisibleUnits::Gaussian => {
                0.5 * v
                    .iter()
                    .zip(&self.a)
                    .map(|(x, a)| (x - a) * (x - a))
                    .sum::<f64>()
            }
        }
    }

    /// The free energy `F(v) = −log Σ_h e^{−E(v,h)} = −aᵀv − Σ_j softplus(b_j + W_jᵀv)`
    /// (Bernoulli visible; `½‖v − a‖² − Σ_j softplus(…)` for Gaussian), so that
    /// `p(v) = e^{−F(v)}/Z`. `softplus(x) = log(1 + eˣ)`, computed without overflow.
    pub fn free_energy(&self, v: &[f64]) -> Result<f64> {
        self.check_state(v)?;
        let mut s = 0.0;
        for j in 0..self.n_hidden() {
            s += softplus(self.b[j] + crate::linalg::dot(col(self.w.as_ref(), j), v));
        }
        Ok(self.visible_term(v) - s)
    }

    /// The free energy of the visible marginal at temperature `T = 1/β`, for every column of
    /// `data` (`n_visible × n`), written into `out` (length `n`):
    /// `F_β(v) = −log Σ_h e^{−βE(v,h)} = −β aᵀv − Σ_j softplus(β(b_j + W_jᵀv))` (Bernoulli;
    /// Gaussian: `β·½‖v − a‖² − Σ_j softplus(…)`), so that the block Gibbs sampler at `T`
    /// leaves `p_T(v) ∝ e^{−F_β(v)}` invariant. `F_1 = F`; for `β ≠ 1`, `F_β ≠ βF` (the
    /// hidden units are summed out of the tempered joint law, not the tempered marginal).
    pub(crate) fn tempered_free_energies_into(
        &self,
        data: MatRef<'_, f64>,
        beta: f64,
        out: &mut [f64],
        par: Par,
    ) -> Result<()> {
        self.check_data("data", data)?;
        check_len(
            "free energies (out)",
            out.len(),
            data.ncols(),
            "pass one output entry per column of data",
        )?;
        let mut blocks = ColumnBlocks::new(self, data, par)?;
        let mut k = 0;
        while let Some((v, x)) = blocks.next_hidden_input() {
            for s in 0..v.ncols() {
                let sp = crate::fastmath::softplus_sum_scaled(col(x, s), beta);
                out[k] = beta * self.visible_term(col(v, s)) - sp;
                k += 1;
            }
        }
        Ok(())
    }

    /// `F(v)` for every column of `data` (`n_visible × n_samples`), as matrix products.
    pub fn free_energies(&self, data: MatRef<'_, f64>, par: Par) -> Result<Vec<f64>> {
        self.check_data("data", data)?;
        let mut out = Vec::with_capacity(data.ncols());
        let mut blocks = ColumnBlocks::new(self, data, par)?;
        while let Some((v, x)) = blocks.next_hidden_input() {
            for s in 0..v.ncols() {
                let xs = col(x, s);
                let sp = crate::fastmath::softplus_sum(xs);
                out.push(self.visible_term(col(v, s)) - sp);
            }
        }
        Ok(out)
    }

    /// The hidden features `p(h = 1 | v) = σ(b + Wᵀv)` of every column of `data`
    /// (`n_hidden × n_samples`; scikit-learn's `transform`, transposed).
    pub fn hidden_probabilities(&self, data: MatRef<'_, f64>, par: Par) -> Result<Mat<f64>> {
        self.check_data("data", data)?;
        let mut h = crate::memory::try_zeros(
            "hidden features (n_hidden x n_samples)",
            self.n_hidden(),
            data.ncols(),
            "pass fewer samples at once",
        )?;
        let dense = data.to_owned();
        self.hidden_probabilities_into(dense.as_ref(), h.as_mut(), 1.0, par);
        Ok(h)
    }

    /// The visible means `E[v | h]`: `σ(a + Wh)` (Bernoulli) or `a + Wh` (Gaussian), for every
    /// column of `hidden` (`n_hidden × n_samples`, entries in `[0, 1]`).
    pub fn visible_means(&self, hidden: MatRef<'_, f64>, par: Par) -> Result<Mat<f64>> {
        check_len(
            "hidden states (rows)",
            hidden.nrows(),
            self.n_hidden(),
            "pass one hidden state per column with n_hidden rows",
        )?;
        for s in 0..hidden.ncols() {
            for j in 0..hidden.nrows() {
                let x = hidden[(j, s)];
                if !(0.0..=1.0).contains(&x) {
                    return Err(Error::invalid(
                        "hidden states",
                        format!("{x} at sample {s}, unit {j}"),
                        "hidden units are Bernoulli: pass values (or probabilities) in [0, 1]",
                    ));
                }
            }
        }
        let mut v = crate::memory::try_zeros(
            "visible means (n_visible x n_samples)",
            self.n_visible(),
            hidden.ncols(),
            "pass fewer samples at once",
        )?;
        let h = hidden.to_owned();
        self.visible_means_into(h.as_ref(), v.as_mut(), 1.0, par);
        Ok(v)
    }

    /// The mean-field reconstructions `E[v | h = p(h | v)]` of every column of `data`.
    pub fn reconstruct(&self, data: MatRef<'_, f64>, par: Par) -> Result<Mat<f64>> {
        let h = self.hidden_probabilities(data, par)?;
        self.visible_means(h.as_ref(), par)
    }

    /// The reconstruction error: the mean over samples and features of `(v − v̂)²`, where
    /// `v̂ = E[v | h = p(h | v)]` is the deterministic mean-field reconstruction (no sampling,
    /// so no seed; it is what Hinton's guide calls the reconstruction error, a cheap progress
    /// indicator that is *not* the likelihood).
    pub fn reconstruction_error(&self, data: MatRef<'_, f64>, par: Par) -> Result<f64> {
        self.check_data("data", data)?;
        let mut blocks = ColumnBlocks::new(self, data, par)?;
        let mut sum = 0.0;
        while let Some((v, _, r)) = blocks.next_reconstruction() {
            for s in 0..v.ncols() {
                sum += col(v, s)
                    .iter()
                    .zip(col(r, s))
                    .map(|(x, y)| (x - y) * (x - y))
                    .sum::<f64>();
            }
        }
        Ok(sum / (data.nrows() * data.ncols()) as f64)
    }

    /// `out = σ(β(Wᵀv + b))` for every column of `v` (contiguous `n_visible × n`; `out` is
    /// `n_hidden × n`), products in fixed row blocks.
    pub(crate) fn hidden_probabilities_into(
        &self,
        v: MatRef<'_, f64>,
        mut out: MatMut<'_, f64>,
        beta: f64,
        par: Par,
    ) {
        blocked_matmul(
            out.rb_mut(),
            Accum::Replace,
            self.w.transpose(),
            v,
            1.0,
            par,
        );
        for s in 0..out.ncols() {
            kernels::sigmoid_affine(col_mut(&mut out, s), &self.b, beta);
        }
    }

    /// `out = Wᵀv + b` (the hidden pre-activations) for every column of `v`.
    pub(crate) fn hidden_input_into(&self, v: MatRef<'_, f64>, mut out: MatMut<'_, f64>, par: Par) {
        blocked_matmul(
            out.rb_mut(),
            Accum::Replace,
            self.w.transpose(),
            v,
            1.0,
            par,
        );
        for s in 0..out.ncols() {
            for (x, &b) in col_mut(&mut out, s).iter_mut().zip(&self.b) {
                *x += b;
            }
        }
    }

    /// `out = E[v | h]` at inverse temperature `β`: `σ(β(a + Wh))` (Bernoulli) or
    /// `a + Wh` (Gaussian, whose conditional variance `1/β` the samplers add), for every
    /// column of `h`.
    pub(crate) fn visible_means_into(
        &self,
        h: MatRef<'_, f64>,
        mut out: MatMut<'_, f64>,
        beta: f64,
        par: Par,
    ) {
        blocked_matmul(out.rb_mut(), Accum::Replace, self.w.as_ref(), h, 1.0, par);
        for s in 0..out.ncols() {
            let o = col_mut(&mut out, s);
            match self.visible {
                VisibleUnits::Bernoulli => kernels::sigmoid_affine(o, &self.a, beta),
                VisibleUnits::Gaussian => {
                    for (x, &a) in o.iter_mut().zip(&self.a) {
                        *x += a;
                    }
                }
            }
        }
    }
}

/// Walks the columns of a (possibly strided) data matrix in contiguous blocks, with the
/// products a block needs; memory is one block, whatever the number of samples.
pub(crate) struct ColumnBlocks<'a> {
    rbm: &'a Rbm,
    data: MatRef<'a, f64>,
    next: usize,
    v: Mat<f64>,
    h: Mat<f64>,
    r: Mat<f64>,
    par: Par,
}

/// Samples per block of [`ColumnBlocks`].
const DATA_BLOCK: usize = 256;

impl<'a> ColumnBlocks<'a> {
    pub(crate) fn new(rbm: &'a Rbm, data: MatRef<'a, f64>, par: Par) -> Result<Self> {
        let n = data.ncols().min(DATA_BLOCK);
        let fix = "use a model with fewer units";
        Ok(Self {
            rbm,
            data,
            next: 0,
            v: crate::memory::try_zeros("data block", rbm.n_visible(), n, fix)?,
            h: crate::memory::try_zeros("hidden block", rbm.n_hidden(), n, fix)?,
            r: Mat::zeros(0, 0),
            par: crate::linalg::effective_par(par),
        })
    }

    /// Copy the next block of columns into `self.v`; `None` at the end.
    fn load(&mut self) -> Option<usize> {
        let n_total = self.data.ncols();
        if self.next >= n_total {
            return None;
        }
        let n = DATA_BLOCK.min(n_total - self.next);
        let s0 = self.next;
        self.next += n;
        for s in 0..n {
            let c = self.v.col_as_slice_mut(s);
            for (i, x) in c.iter_mut().enumerate() {
                *x = self.data[(i, s0 + s)];
            }
        }
        Some(n)
    }

    /// The next block `V` and its hidden pre-activations `Wᵀ V + b`.
    pub(crate) fn next_hidden_input(&mut self) -> Option<(MatRef<'_, f64>, MatRef<'_, f64>)> {
        let n = self.load()?;
        let v = self.v.as_ref().subcols(0, n);
        let mut h = self.h.as_mut().subcols_mut(0, n);
        self.rbm.hidden_input_into(v, h.rb_mut(), self.par);
        Some((v, self.h.as_ref().subcols(0, n)))
    }

    /// The next block `V`, `P = p(h | V)` and the reconstruction `E[v | P]`.
    fn next_reconstruction(
        &mut self,
    ) -> Option<(MatRef<'_, f64>, MatRef<'_, f64>, MatRef<'_, f64>)> {
        let n = self.load()?;
        if self.r.ncols() < n {
            self.r = Mat::zeros(self.rbm.n_visible(), self.v.ncols());
        }
        let v = self.v.as_ref().subcols(0, n);
        self.rbm
            .hidden_probabilities_into(v, self.h.as_mut().subcols_mut(0, n), 1.0, self.par);
        self.rbm.visible_means_into(
            self.h.as_ref().subcols(0, n),
            self.r.as_mut().subcols_mut(0, n),
            1.0,
            self.par,
        );
        Some((
            v,
            self.h.as_ref().subcols(0, n),
            self.r.as_ref().subcols(0, n),
        ))
    }
}

/// The free energy's gradient in the parameters, `θ = (vec W, a, b)` with `W` flattened
/// column-major (`W_ij` at `i + j·n_visible`):
/// `∂F/∂W_ij = −v_i σ(b_j + W_jᵀv)`, `∂F/∂a_i = −v_i` (Gaussian: `a_i − v_i`),
/// `∂F/∂b_j = −σ(b_j + W_jᵀv)`. The average log-likelihood's gradient is
/// `⟨∂F/∂θ⟩_model − ⟨∂F/∂θ⟩_data` (see `log_likelihood_gradient_exact`).
impl ParamGradient for Rbm {
    fn n_params(&self) -> usize {
        self.n_visible() * self.n_hidden() + self.n_visible() + self.n_hidden()
    }
    fn params(&self) -> Vec<f64> {
        let mut p = Vec::with_capacity(self.n_params());
        for j in 0..self.n_hidden() {
            p.extend_from_slice(col(self.w.as_ref(), j));
        }
        p.extend_from_slice(&self.a);
        p.extend_from_slice(&self.b);
        p
    }
    fn set_params(&mut self, theta: &[f64]) -> Result<()> {
        check_len(
            "theta",
            theta.len(),
            self.n_params(),
            "pass n_visible*n_hidden + n_visible + n_hidden parameters (vec W column-major, a, b)",
        )?;
        check_finite_slice("theta", theta)?;
        let (nv, nh) = (self.n_visible(), self.n_hidden());
        for j in 0..nh {
            self.w
                .col_as_slice_mut(j)
                .copy_from_slice(&theta[j * nv..(j + 1) * nv]);
        }
        self.a.copy_from_slice(&theta[nv * nh..nv * nh + nv]);
        self.b.copy_from_slice(&theta[nv * nh + nv..]);
        Ok(())
    }
    fn param_gradient_into(&self, x: &[f64], grad: &mut [f64]) {
        let (nv, nh) = (self.n_visible(), self.n_hidden());
        debug_assert_eq!(x.len(), nv);
        debug_assert_eq!(grad.len(), self.n_params());
        let (gw, rest) = grad.split_at_mut(nv * nh);
        let (ga, gb) = rest.split_at_mut(nv);
        for (j, g) in gb.iter_mut().enumerate() {
            *g = self.b[j] + crate::linalg::dot(col(self.w.as_ref(), j), x);
        }
        crate::fastmath::sigmoid_in_place(gb);
        for (j, &p) in gb.iter().enumerate() {
            for (g, &v) in gw[j * nv..(j + 1) * nv].iter_mut().zip(x) {
                *g = -v * p;
            }
        }
        for g in gb.iter_mut() {
            *g = -*g;
        }
        match self.visible {
            VisibleUnits::Bernoulli => {
                for (g, &v) in ga.iter_mut().zip(x) {
                    *g = -v;
                }
            }
            VisibleUnits::Gaussian => {
                for ((g, &v), &a) in ga.iter_mut().zip(x).zip(&self.a) {
                    *g = a - v;
                }
            }
        }
    }
}
