//! The Krotov–Hopfield hidden-neuron network (Krotov & Hopfield, *Large Associative Memory
//! Problem in Neurobiology and Machine Learning*, ICLR 2021, arXiv:2008.06996): `N` feature
//! neurons `v`, `K` hidden (memory) neurons `h`, memories `ξ` (`K × N`), Lagrangians
//! `L_v(v)`, `L_h(h)` with activations `g = ∂L_v/∂v`, `f = ∂L_h/∂h`:
//!
//! `τ_f v̇ = ξᵀf − v + I`, `τ_h ḣ = ξg − h`,
//!
//! `E = [(v − I)ᵀg − L_v] + [hᵀf − L_h] − fᵀξg`,
//!
//! and `Ė = −τ_f v̇ᵀ(∂²L_v)v̇ − τ_h ḣᵀ(∂²L_h)ḣ ≤ 0` when both Hessians are positive
//! semidefinite, as they are for the three models here:
//!
//! | model | `L_v` | `L_h` | limit `τ_h → 0` |
//! |---|---|---|---|
//! | A | `½‖v‖²` | `Σ_μ F(h_μ)`, `F(x) = max(x,0)ⁿ/n` | dense associative memory |
//! | B | `½‖v‖²` | `β⁻¹ ln Σ_μ e^{βh_μ}` (so `f = softmax(βh)`) | modern Hopfield (Ramsauer) |
//! | C | `‖v‖` (so `g = v/‖v‖`) | `Σ_μ F(h_μ)` as in A | spherical memory |
//!
//! In model B with `h` slaved to `ξv`, `τ_f v̇ = ξᵀ softmax(βξv) − v + I`, whose Euler step
//! with `dt = τ_f` (and `I = 0`) is exactly the update of [`ModernHopfield`](super::ModernHopfield).

use crate::energy::Energy;
use crate::error::{Error, Result, check_finite, check_len, check_positive};
use crate::flow::VectorField;
use crate::problems::Patterns;
use faer::Mat;

/// The choice of Lagrangians.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Krotov2021Model {
    /// `L_v = ½‖v‖²`, `L_h = Σ max(h,0)ⁿ/n` (`n ≥ 2`).
    A {
        /// Power `n`.
        n: u32,
    },
    /// `L_v = ½‖v‖²`, `L_h = β⁻¹ lse(βh)`.
    B {
        /// Inverse temperature `β > 0`.
        beta: f64,
    },
    /// `L_v = ‖v‖`, `L_h = Σ max(h,0)ⁿ/n` (`n ≥ 2`).
    C {
        /// Power `n`.
        n: u32,
    },
}

/// The network's data: memories, model, time constants and input.
///
/// ```
/// use attractor::models::{Krotov2021, Krotov2021Model};
/// use attractor::problems::Patterns;
/// use attractor::run::Run;
/// use attractor::step::Dopri5;
/// let p = Patterns::random_binary(20, 30, 3)?;
/// let net = Krotov2021::new(&p, Krotov2021Model::B { beta: 0.5 })?;
/// let z0 = net.initial_state(p.pattern(0))?; // v = query, h = ξv
/// let sol = Run::new(0.1)?.max_steps(10_000).steady_state(1e-9, 1e-12)?
///     .solve(&mut net.flow(), &mut Dopri5::new(1e-8, 1e-10)?, &z0)?;
/// assert!(sol.max_energy_increase.unwrap() <= 1e-9);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Krotov2021 {
    xi: Mat<f64>,
    model: Krotov2021Model,
    tau_f: f64,
    tau_h: f64,
    input: Vec<f64>,
}

impl Krotov2021 {
    /// Memories from the rows of `patterns` (any real values), `τ_f = τ_h = 1`, `I = 0`.
    pub fn new(patterns: &Patterns, model: Krotov2021Model) -> Result<Self> {
        match model {
            Krotov2021Model::A { n } | Krotov2021Model::C { n } if n < 2 => {
                return Err(Error::invalid(
                    "polynomial degree n",
                    n,
                    "must be >= 2 so that L_h is convex",
                ));
            }
            Krotov2021Model::B { beta } => check_positive(
                "beta",
                beta,
                "the inverse temperature β must be a finite positive number",
            )?,
            _ => {}
        }
        Ok(Self {
            xi: patterns.rows(),
            model,
            tau_f: 1.0,
            tau_h: 1.0,
            input: vec![0.0; patterns.dim()],
        })
    }
    /// Set the time constants (each finite and `> 0`).
    pub fn with_taus(mut self, tau_f: f64, tau_h: f64) -> Result<Self> {
        check_positive("tau_f", tau_f, "time constants must be positive")?;
        check_positive("tau_h", tau_h, "time constants must be positive")?;
        self.tau_f = tau_f;
        self.tau_h = tau_h;
        Ok(self)
    }
    /// Set the constant input `I` (length `N`, finite).
    pub fn with_input(mut self, input: Vec<f64>) -> Result<Self> {
        check_len(
            "input I",
            input.len(),
            self.n_features(),
            "one input per feature neuron",
        )?;
        check_finite("input I", &input)?;
        self.input = input;
        Ok(self)
    }
    /// Number of feature neurons `N`.
    pub fn n_features(&self) -> usize {
        self.xi.ncols()
    }
    /// Number of hidden (memory) neurons `K`.
    pub fn n_hidden(&self) -> usize {
        self.xi.nrows()
    }
    /// The state `[v; h]` with `v = query` and the hidden neurons at rest, `h = ξg(v)`.
    pub fn initial_state(&self, query: &[f64]) -> Result<Vec<f64>> {
        let n = self.n_features();
        check_len("query", query.len(), n, "pass one value per feature neuron")?;
        check_finite("query", query)?;
        let mut g = vec![0.0; n];
        self.g_into(query, &mut g);
        let mut z = query.to_vec();
        z.extend(
            (0..self.n_hidden()).map(|mu| (0..n).map(|i| self.xi[(mu, i)] * g[i]).sum::<f64>()),
        );
        Ok(z)
    }
    /// The network bound to its scratch buffers: a [`VectorField`] on `[v; h]` with energy.
    pub fn flow(&self) -> Krotov2021Flow<'_> {
        Krotov2021Flow {
            net: self,
            g: vec![0.0; self.n_features()],
            f: vec![0.0; self.n_hidden()],
        }
    }

    fn g_into(&self, v: &[f64], g: &mut [f64]) {
        match self.model {
            Krotov2021Model::C { .. } => {
                let norm = crate::linalg::norm2(v);
                let inv = if norm > 0.0 { 1.0 / norm } else { 0.0 };
                for (gi, &vi) in g.iter_mut().zip(v) {
                    *gi = vi * inv;
                }
            }
            _ => g.copy_from_slice(v),
        }
    }
    fn l_v(&self, v: &[f64]) -> f64 {
        match self.model {
            Krotov2021Model::C { .. } => crate::linalg::norm2(v),
            _ => 0.5 * crate::linalg::dot(v, v),
        }
    }
    /// `f = ∂L_h/∂h` into `f`; returns `L_h(h)`.
    fn f_into(&self, h: &[f64], f: &mut [f64]) -> f64 {
        match self.model {
            Krotov2021Model::A { n } | Krotov2021Model::C { n } => {
                let mut l = 0.0;
                for (fi, &x) in f.iter_mut().zip(h) {
                    let r = x.max(0.0);
                    let p = r.powi(n as i32 - 1);
                    *fi = p;
                    l += p * r / n as f64;
                }
                l
            }
            Krotov2021Model::B { beta } => {
                let mx = h.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let mut z = 0.0;
                for (fi, &x) in f.iter_mut().zip(h) {
                    *fi = (beta * (x - mx)).exp();
                    z += *fi;
                }
                f.iter_mut().for_each(|v| *v /= z);
                mx + z.ln() / beta
            }
        }
    }
}

/// A [`Krotov2021`] network with the buffers to evaluate it without allocating. The state is
/// `[v (N); h (K)]`.
#[derive(Debug, Clone)]
pub struct Krotov2021Flow<'a> {
    net: &'a Krotov2021,
    g: Vec<f64>,
    f: Vec<f64>,
}

impl VectorField for Krotov2021Flow<'_> {
    fn dim(&self) -> usize {
        self.net.n_features() + self.net.n_hidden()
    }
    fn eval_into(&mut self, _t: f64, z: &[f64], dz: &mut [f64]) {
        let net = self.net;
        let (n, k) = (net.n_features(), net.n_hidden());
        let (v, h) = z.split_at(n);
        let (dv, dh) = dz.split_at_mut(n);
        net.g_into(v, &mut self.g);
        net.f_into(h, &mut self.f);
        // dv = (ξᵀf − v + I)/τ_f
        for i in 0..n {
            dv[i] = net.input[i] - v[i];
        }
        for i in 0..n {
            let col = net.xi.col_as_slice(i);
            let mut acc = 0.0;
            for mu in 0..k {
                acc += col[mu] * self.f[mu];
            }
            dv[i] = (dv[i] + acc) / net.tau_f;
        }
        // dh = (ξg − h)/τ_h
        for mu in 0..k {
            dh[mu] = -h[mu];
        }
        for i in 0..n {
            let gi = self.g[i];
            for (d, &x) in dh.iter_mut().zip(net.xi.col_as_slice(i)) {
                *d += x * gi;
            }
        }
        for d in dh.iter_mut() {
            *d /= net.tau_h;
        }
    }
    fn energy_at(&mut self, _t: f64, z: &[f64]) -> Option<f64> {
        Some(Energy::energy(self, z))
    }
}

impl Energy for Krotov2021Flow<'_> {
    fn dim(&self) -> usize {
        self.net.n_features() + self.net.n_hidden()
    }
    /// `E = (v − I)ᵀg − L_v + hᵀf − L_h − fᵀξg`.
    fn energy(&mut self, z: &[f64]) -> f64 {
        let net = self.net;
        let n = net.n_features();
        let (v, h) = z.split_at(n);
        net.g_into(v, &mut self.g);
        let l_h = net.f_into(h, &mut self.f);
        let mut e = -net.l_v(v) - l_h;
        for i in 0..n {
            e += (v[i] - net.input[i]) * self.g[i];
        }
        e += crate::linalg::dot(h, &self.f);
        for i in 0..n {
            let col = net.xi.col_as_slice(i);
            let mut acc = 0.0;
            for (mu, &x) in col.iter().enumerate() {
                acc += x * self.f[mu];
            }
            e -= acc * self.g[i];
        }
        e
    }
}
