//! The Boltzmann machine as data: couplings, biases, the kind of units and the temperature.

use crate::energy::{Energy, ParamGradient};
use crate::error::{Error, Result, check_finite, check_len, check_positive};
use crate::format_number;
use faer::{Mat, MatRef};

/// The values a unit takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Units {
    /// `s_i ∈ {0, 1}` (Ackley, Hinton & Sejnowski's units).
    Binary,
    /// `s_i ∈ {−1, +1}` (Ising spins).
    Spin,
}

impl Units {
    /// The value of a unit that is off: 0 for binary units, −1 for spins.
    pub fn low(self) -> f64 {
        match self {
            Units::Binary => 0.0,
            Units::Spin => -1.0,
        }
    }
    /// Whether `v` is a value of these units (exactly 0/1 or −1/+1).
    pub fn admits(self, v: f64) -> bool {
        v == 1.0 || v == self.low()
    }
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Units::Binary => "binary units take the values 0 and 1",
            Units::Spin => "spin units take the values -1 and +1",
        }
    }
}

/// A Boltzmann machine `E(s) = −½sᵀWs − bᵀs` at temperature `T`, `P(s) = e^{−E(s)/T}/Z`
/// (Ackley, Hinton & Sejnowski, Cognitive Science 9, 1985).
///
/// `W` is symmetric with a zero diagonal. A self-coupling `W_ii` is refused rather than
/// silently dropped: for binary units `s_i² = s_i`, so `−½W_ii s_i²` is a bias `W_ii/2` (move it
/// into `b_i`); for spins `s_i² = 1`, so it is a constant that changes nothing (drop it).
///
/// ```
/// use attractor::energy::Energy;
/// use attractor::models::{BoltzmannMachine, Units};
/// let w = faer::mat![[0.0, 2.0], [2.0, 0.0]];
/// let mut bm = BoltzmannMachine::new(w, vec![1.0, 0.0], Units::Binary, 1.0)?;
/// assert_eq!(bm.energy(&[1.0, 1.0]), -3.0); // −W₀₁ − b₀
/// let bad = BoltzmannMachine::new(faer::mat![[1.0, 0.0], [0.0, 0.0]], vec![0.0; 2], Units::Binary, 1.0);
/// assert!(bad.unwrap_err().to_string().contains("W[0][0] = 1"));
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BoltzmannMachine {
    n: usize,
    /// `W`, column-major `n × n` (column `i` is also row `i`: `W` is symmetric).
    w: Vec<f64>,
    b: Vec<f64>,
    units: Units,
    temperature: f64,
}

impl BoltzmannMachine {
    /// A machine with couplings `w` (`n × n`, finite, symmetric up to rounding, zero diagonal),
    /// biases `b` (length `n`, finite), units and temperature `T > 0` (finite).
    pub fn new(w: Mat<f64>, b: Vec<f64>, units: Units, temperature: f64) -> Result<Self> {
        let asymmetry = super::super::validate_weights(&w)?;
        let n = w.nrows();
        if n == 0 {
            return Err(Error::invalid(
                "W",
                "a 0 x 0 matrix",
                "a Boltzmann machine needs at least one unit",
            ));
        }
        if super::super::is_asymmetric(&w, asymmetry) {
            return Err(Error::invalid(
                "W",
                format!("matrix with max |W_ij - W_ji| = {asymmetry:.3e}"),
                "a Boltzmann machine needs symmetric couplings (W_ij = W_ji); pass (W + Wᵀ)/2",
            ));
        }
        if let Some(i) = (0..n).find(|&i| w[(i, i)] != 0.0) {
            let fix = match units {
                Units::Binary => {
                    "the diagonal of W must be zero; for binary units s_i² = s_i, so move W_ii/2 into the bias b_i and set W_ii = 0"
                }
                Units::Spin => {
                    "the diagonal of W must be zero; for spins s_i² = 1, so W_ii only adds a constant to E: set W_ii = 0"
                }
            };
            return Err(Error::invalid(
                &format!("W[{i}][{i}]"),
                format_number(w[(i, i)]),
                fix,
            ));
        }
        check_len("b", b.len(), n, "pass one bias per unit (the size of W)")?;
        check_finite("b", &b)?;
        check_temperature(temperature)?;
        crate::linalg::check_dense_size("W", n, n)?;
        let mut flat = vec![0.0; n * n];
        for j in 0..n {
            for i in 0..n {
                flat[j * n + i] = 0.5 * (w[(i, j)] + w[(j, i)]);
            }
        }
        Ok(Self {
            n,
            w: flat,
            b,
            units,
            temperature,
        })
    }

    /// The two parts of a bipartite coupling graph (units `i`, `j` adjacent when
    /// `W_ij ≠ 0`), found by breadth-first 2-colouring: `Ok(part)` with `part[i]` true for the
    /// second part (each connected component's first unit in the first part), or `Err((i, j))`
    /// naming two coupled units that an odd cycle puts in the same part.
    pub fn bipartition(&self) -> std::result::Result<Vec<bool>, (usize, usize)> {
        let n = self.n;
        let mut part: Vec<Option<bool>> = vec![None; n];
        let mut queue = std::collections::VecDeque::new();
        for root in 0..n {
            if part[root].is_some() {
                continue;
            }
            part[root] = Some(false);
            queue.push_back(root);
            while let Some(i) = queue.pop_front() {
                let pi = part[i] == Some(true);
                for (j, &w) in self.coupling_column(i).iter().enumerate() {
                    if w == 0.0 || j == i {
                        continue;
                    }
                    match part[j] {
                        None => {
                            part[j] = Some(!pi);
                            queue.push_back(j);
                        }
                        Some(pj) if pj == pi => return Err((i.min(j), i.max(j))),
                        Some(_) => {}
                    }
                }
            }
        }
        Ok(part.into_iter().map(|p| p == Some(true)).collect())
    }

    /// The number of units `n`.
    pub fn n(&self) -> usize {
        self.n
    }
    /// The kind of units.
    pub fn units(&self) -> Units {
        self.units
    }
    /// The temperature `T`.
    pub fn temperature(&self) -> f64 {
        self.temperature
    }
    /// The couplings `W` (symmetric, zero diagonal).
    pub fn weights(&self) -> MatRef<'_, f64> {
        MatRef::from_column_major_slice(&self.w, self.n, self.n)
    }
    /// The biases `b`.
    pub fn biases(&self) -> &[f64] {
        &self.b
    }
    /// Column (= row) `i` of `W`.
    pub(crate) fn coupling_column(&self, i: usize) -> &[f64] {
        &self.w[i * self.n..(i + 1) * self.n]
    }

    /// Set the temperature (`T > 0`, finite).
    pub fn set_temperature(&mut self, temperature: f64) -> Result<()> {
        check_temperature(temperature)?;
        self.temperature = temperature;
        Ok(())
    }
    /// The same machine at another temperature.
    pub fn with_temperature(&self, temperature: f64) -> Result<Self> {
        let mut m = self.clone();
        m.set_temperature(temperature)?;
        Ok(m)
    }

    /// The local field `h_i = Σ_j W_ij s_j + b_i` on unit `i` (`W_ii = 0`, so `s_i` does not
    /// enter). `s` has length `n`.
    #[inline]
    pub(crate) fn field(&self, i: usize, s: &[f64]) -> f64 {
        self.b[i] + crate::linalg::dot(self.coupling_column(i), s)
    }

    /// `E(s) = −½sᵀWs − bᵀs` without checking `s` (length `n`).
    pub(crate) fn energy_unchecked(&self, s: &[f64]) -> f64 {
        let mut e = 0.0;
        for i in 0..self.n {
            let wi = crate::linalg::dot(self.coupling_column(i), s);
            e -= s[i] * (0.5 * wi + self.b[i]);
        }
        e
    }

    /// `E(s)` for a state of these units (length `n`, every entry a unit value).
    pub fn energy_of(&self, s: &[f64]) -> Result<f64> {
        self.check_state("state s", s)?;
        Ok(self.energy_unchecked(s))
    }

    /// Check that `s` is a state of this machine: length `n`, entries in {0, 1} (binary) or
    /// {−1, +1} (spins). `what` names it in the message ("state s", "pattern 3").
    pub fn check_state(&self, what: &str, s: &[f64]) -> Result<()> {
        check_len(
            what,
            s.len(),
            self.n,
            "a state has one entry per unit of the machine",
        )?;
        match s.iter().position(|&v| !self.units.admits(v)) {
            None => Ok(()),
            Some(i) => Err(Error::invalid(
                &format!("{what}[{i}]"),
                format_number(s[i]),
                self.units.describe(),
            )),
        }
    }

    /// The position of the coupling `W_ij = W_ji` (`i ≠ j`) in the parameter vector of
    /// [`ParamGradient`] (the strict upper triangle row by row, then the biases); `None` for
    /// `i = j` or an index out of range.
    pub fn weight_param_index(&self, i: usize, j: usize) -> Option<usize> {
        let (i, j) = if i < j { (i, j) } else { (j, i) };
        if i == j || j >= self.n {
            return None;
        }
        // rows 0..i hold (n−1) + (n−2) + … + (n−i) = i·n − i(i+1)/2 entries
        Some(i * self.n - i * (i + 1) / 2 + (j - i - 1))
    }
    /// The position of `b_i` in the parameter vector; `None` for `i ≥ n`.
    pub fn bias_param_index(&self, i: usize) -> Option<usize> {
        (i < self.n).then(|| self.n * (self.n - 1) / 2 + i)
    }
}

pub(crate) fn check_temperature(t: f64) -> Result<()> {
    check_positive(
        "temperature T",
        t,
        "the Boltzmann law e^{-E/T}/Z needs a finite T > 0 (T -> 0 is the ground state: use a Hopfield network or greedy descent)",
    )
}

impl Energy for BoltzmannMachine {
    fn dim(&self) -> usize {
        self.n
    }
    fn energy(&mut self, x: &[f64]) -> f64 {
        self.energy_unchecked(x)
    }
}

/// The parameters `θ = (W_ij for i < j, row by row; b_i)` — `n(n−1)/2 + n` of them, `W` kept
/// symmetric — and `∂E/∂W_ij = −s_i s_j`, `∂E/∂b_i = −s_i`. The temperature is not a parameter.
impl ParamGradient for BoltzmannMachine {
    fn n_params(&self) -> usize {
        self.n * (self.n - 1) / 2 + self.n
    }
    fn params(&self) -> Vec<f64> {
        let n = self.n;
        let mut theta = Vec::with_capacity(self.n_params());
        for i in 0..n {
            for j in i + 1..n {
                theta.push(self.w[j * n + i]);
            }
        }
        theta.extend_from_slice(&self.b);
        theta
    }
    fn set_params(&mut self, theta: &[f64]) -> Result<()> {
        check_len(
            "theta",
            theta.len(),
            self.n_params(),
            "pass n(n-1)/2 couplings (upper triangle, row by row) then n biases",
        )?;
        check_finite("theta", theta)?;
        let n = self.n;
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                self.w[j * n + i] = theta[k];
                self.w[i * n + j] = theta[k];
                k += 1;
            }
        }
        self.b.copy_from_slice(&theta[k..]);
        Ok(())
    }
    fn param_gradient_into(&self, x: &[f64], grad: &mut [f64]) {
        let n = self.n;
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                grad[k] = -x[i] * x[j];
                k += 1;
            }
        }
        for i in 0..n {
            grad[k + i] = -x[i];
        }
    }
}
