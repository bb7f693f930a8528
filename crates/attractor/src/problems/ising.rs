//! Ising models stored sparse, QUBO ↔ Ising conversion and Max-Cut.
//!
//! Convention (SCIENCE.md §5; Lucas, *Ising formulations of many NP problems*, Front. Phys. 2014):
//!
//! `H(s) = −Σ_{i<j} J_ij s_i s_j − Σ_i h_i s_i + c = −½ sᵀJs − hᵀs + c`,  `s ∈ {−1, +1}ⁿ`,
//!
//! with `J` symmetric, zero diagonal, stored in compressed sparse rows (CSR, both triangles), so
//! memory is `O(n + edges)`. Max-Cut of a weighted graph `w` is the Ising model `J = −w`, `h = 0`:
//! `cut(s) = ¼ Σ_ij w_ij (1 − s_i s_j) = (W − H(s)) / 2` with `W = Σ_edges w`.

use crate::error::{Error, Result, check_len};

/// A weighted undirected graph as an edge list `(i, j, w)`, `0 ≤ i, j < n`, `i ≠ j`.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedGraph {
    /// Number of vertices.
    pub n: usize,
    /// Edges `(i, j, w_ij)`, 0-based, each listed once.
    pub edges: Vec<(u32, u32, f64)>,
}

impl WeightedGraph {
    /// A graph from an edge list; rejects out-of-range ids, self-loops and non-finite weights.
    pub fn new(n: usize, edges: Vec<(u32, u32, f64)>) -> Result<Self> {
        check_edges(n, &edges)?;
        Ok(Self { n, edges })
    }

    /// Total weight `W = Σ_edges w_ij` (the cut of a partition is `(W − H(s))/2`).
    pub fn total_weight(&self) -> f64 {
        self.edges.iter().map(|e| e.2).sum()
    }

    /// Cut value `cut(s) = Σ_{edges, s_i ≠ s_j} w_ij` of a spin vector.
    pub fn cut(&self, s: &[i8]) -> Result<f64> {
        check_spins(s, self.n)?;
        Ok(self
            .edges
            .iter()
            .filter(|&&(i, j, _)| s[i as usize] != s[j as usize])
            .map(|e| e.2)
            .sum())
    }

    /// The cut of a state whose energy under [`IsingModel::max_cut`]`(self)` is `energy`:
    /// `cut = (W − H)/2`, `W` the [`total_weight`](Self::total_weight).
    ///
    /// ```
    /// use attractor::problems::{IsingModel, WeightedGraph};
    /// let g = WeightedGraph::new(3, vec![(0, 1, 2.0), (1, 2, 1.0)])?;
    /// let s = [1, -1, -1];
    /// let e = IsingModel::max_cut(&g)?.energy(&s)?;
    /// assert_eq!(g.cut_from_energy(e), g.cut(&s)?);
    /// assert_eq!(g.energy_from_cut(g.cut(&s)?), e);
    /// # Ok::<(), attractor::Error>(())
    /// ```
    pub fn cut_from_energy(&self, energy: f64) -> f64 {
        // + 0.0 turns a −0 into 0
        (self.total_weight() - energy) / 2.0 + 0.0
    }

    /// The energy under [`IsingModel::max_cut`]`(self)` of a state with this cut:
    /// `H = W − 2·cut` (the inverse of [`cut_from_energy`](Self::cut_from_energy)).
    pub fn energy_from_cut(&self, cut: f64) -> f64 {
        self.total_weight() - 2.0 * cut
    }

    /// An Erdős–Rényi graph `G(n, p)` with weights drawn uniformly from `weights` (seeded).
    pub fn random(n: usize, p: f64, weights: &[f64], seed: u64) -> Result<Self> {
        use rand::{RngExt, SeedableRng};
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::invalid(
                "p",
                p,
                "edge probability must lie in [0, 1]",
            ));
        }
        if weights.is_empty() {
            return Err(Error::invalid("weights", "[]", "give at least one weight"));
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut edges = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                if rng.random::<f64>() < p {
                    let w = weights[rng.random_range(0..weights.len())];
                    edges.push((i as u32, j as u32, w));
                }
            }
        }
        Self::new(n, edges)
    }
}

/// The most spins (graph vertices, QUBO variables) a model may have: 2²⁷ ≈ 134 million, so that
/// its per-spin arrays stay within a few GiB.
pub const MAX_SPINS: usize = 1 << 27;

/// Refuse a spin count above [`MAX_SPINS`], with the memory the model's arrays would need.
pub(crate) fn check_n(n: usize) -> Result<()> {
    if n <= MAX_SPINS {
        return Ok(());
    }
    Err(Error::invalid(
        "number of spins n",
        n,
        &format!(
            "at most {MAX_SPINS} spins are supported (the per-spin arrays alone would need {:.1} GiB); check the header or the largest node id",
            n as f64 * 40.0 / f64::from(1u32 << 30)
        ),
    ))
}

fn check_edges(n: usize, edges: &[(u32, u32, f64)]) -> Result<()> {
    check_n(n)?;
    for (k, &(i, j, w)) in edges.iter().enumerate() {
        if i as usize >= n || j as usize >= n {
            return Err(Error::invalid(
                &format!("edge {k}"),
                format!("({i}, {j})"),
                &format!("vertex ids must be 0-based and below n = {n}"),
            ));
        }
        if i == j {
            return Err(Error::invalid(
                &format!("edge {k}"),
                format!("({i}, {j})"),
                "self-loops carry no cut; remove them (or give them as fields h_i)",
            ));
        }
        if !w.is_finite() {
            return Err(Error::NonFinite {
                what: "edge weights".into(),
                index: k,
                value: w,
            });
        }
    }
    Ok(())
}

pub(crate) fn check_spins(s: &[i8], n: usize) -> Result<()> {
    crate::error::check_len("spin vector s", s.len(), n, "give one spin per node")?;
    if let Some(k) = s.iter().position(|&v| v != 1 && v != -1) {
        return Err(Error::invalid(
            &format!("s[{k}]"),
            s[k],
            "spins must be −1 or +1",
        ));
    }
    Ok(())
}

/// An Ising model `H(s) = −Σ_{i<j} J_ij s_i s_j − Σ h_i s_i + c` with `J` in CSR form.
///
/// Both triangles are stored (row `i` lists every neighbour `j` with `J_ij`), in f64 and in
/// f32 (the f32 copy feeds the replica kernels of the oscillator Ising machine).
///
/// ```
/// use attractor::problems::IsingModel;
/// // two antiferromagnetically coupled spins: the ground states are anti-aligned
/// let m = IsingModel::from_couplings(2, vec![0.0, 0.0], &[(0, 1, -1.0)], 0.0)?;
/// assert_eq!(m.energy(&[1, -1])?, -1.0);
/// assert_eq!(m.energy(&[1, 1])?, 1.0);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct IsingModel {
    n: usize,
    h: Vec<f64>,
    offset: f64,
    row_ptr: Vec<usize>,
    col: Vec<u32>,
    val: Vec<f64>,
    val32: Vec<f32>,
}

impl IsingModel {
    /// A model from an objective in the convention of dimod and of the h/J file format,
    /// `E(s) = Σ_i a_i s_i + Σ_(i,j) b_ij s_i s_j + c` with each pair listed once (repeats add
    /// up): the same function as `H = −½ sᵀJs − hᵀs + c` with `h = −a`, `J_ij = −b_ij`.
    ///
    /// ```
    /// use attractor::problems::IsingModel;
    /// // E = s0 − 2 s0 s1: E(1, 1) = −1, E(−1, −1) = −3
    /// let m = IsingModel::from_objective(2, &[1.0, 0.0], &[(0, 1, -2.0)], 0.0)?;
    /// assert_eq!(m.energy(&[-1, -1])?, -3.0);
    /// assert_eq!(m.energy(&[1, 1])?, -1.0);
    /// # Ok::<(), attractor::Error>(())
    /// ```
    pub fn from_objective(
        n: usize,
        linear: &[f64],
        quadratic: &[(u32, u32, f64)],
        offset: f64,
    ) -> Result<Self> {
        check_len(
            "linear terms",
            linear.len(),
            n,
            "give one linear coefficient per variable",
        )?;
        let h: Vec<f64> = linear.iter().map(|a| -a).collect();
        let j: Vec<(u32, u32, f64)> = quadratic.iter().map(|&(a, b, v)| (a, b, -v)).collect();
        Self::from_couplings(n, h, &j, offset)
    }
    /// Build from fields `h`, couplings `(i, j, J_ij)` (each pair once; duplicates are summed)
    /// and a constant offset `c`.
    pub fn from_couplings(
        n: usize,
        h: Vec<f64>,
        couplings: &[(u32, u32, f64)],
        offset: f64,
    ) -> Result<Self> {
        crate::error::check_len(
            "fields h",
            h.len(),
            n,
            "give one field per spin (zeros if none)",
        )?;
        crate::error::check_finite("fields h", &h)?;
        if !offset.is_finite() {
            return Err(Error::invalid("offset", offset, "must be finite"));
        }
        check_edges(n, couplings)?;
        let mut deg = vec![0usize; n + 1];
        for &(i, j, _) in couplings {
            deg[i as usize + 1] += 1;
            deg[j as usize + 1] += 1;
        }
        for i in 0..n {
            deg[i + 1] += deg[i];
        }
        let nnz = deg[n];
        let mut col = vec![0u32; nnz];
        let mut val = vec![0.0f64; nnz];
        let mut fill = deg.clone();
        for &(i, j, w) in couplings {
            for (a, b) in [(i, j), (j, i)] {
                let p = fill[a as usize];
                col[p] = b;
                val[p] = w;
                fill[a as usize] += 1;
            }
        }
        // sort each row by column and merge duplicates
        let mut row_ptr = vec![0usize; n + 1];
        let mut out = 0usize;
        let mut pairs: Vec<(u32, f64)> = Vec::new();
        for i in 0..n {
            pairs.clear();
            pairs.extend((deg[i]..deg[i + 1]).map(|p| (col[p], val[p])));
            pairs.sort_by_key(|p| p.0);
            let mut k = 0;
            while k < pairs.len() {
                let (c, mut v) = pairs[k];
                k += 1;
                while k < pairs.len() && pairs[k].0 == c {
                    v += pairs[k].1;
                    k += 1;
                }
                if v != 0.0 {
                    col[out] = c;
                    val[out] = v;
                    out += 1;
                }
            }
            row_ptr[i + 1] = out;
        }
        col.truncate(out);
        val.truncate(out);
        // |H(s)| ≤ Σ_i (|h_i| + ½ Σ_j |J_ij|) + |c|: refuse weights whose sums overflow f64 (an
        // energy, a local field or a step scale would be inf or NaN downstream)
        let row_sum = |i: usize| {
            h[i].abs()
                + val[row_ptr[i]..row_ptr[i + 1]]
                    .iter()
                    .map(|v| v.abs())
                    .sum::<f64>()
        };
        let total: f64 = (0..n).map(row_sum).sum::<f64>() + offset.abs();
        if !total.is_finite() {
            let worst = (0..n)
                .max_by(|&a, &b| row_sum(a).total_cmp(&row_sum(b)))
                .unwrap_or(0);
            let largest = val.iter().chain(&h).fold(0.0f64, |m, v| m.max(v.abs()));
            return Err(Error::invalid(
                "couplings",
                format!(
                    "weights up to {} (the row of spin {worst} sums to {})",
                    crate::format_number(largest),
                    crate::format_number(row_sum(worst))
                ),
                "the sums of |J_ij| and |h_i| overflow f64, so energies and local fields would be infinite; scale the weights down",
            ));
        }
        let val32 = val.iter().map(|&v| v as f32).collect();
        Ok(Self {
            n,
            h,
            offset,
            row_ptr,
            col,
            val,
            val32,
        })
    }

    /// The Max-Cut instance of a graph: `J = −w`, `h = 0`, `c = 0`, so that
    /// `cut(s) = (W − H(s))/2`.
    pub fn max_cut(g: &WeightedGraph) -> Result<Self> {
        let c: Vec<(u32, u32, f64)> = g.edges.iter().map(|&(i, j, w)| (i, j, -w)).collect();
        Self::from_couplings(g.n, vec![0.0; g.n], &c, 0.0)
    }

    /// Number of spins.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Fields `h`.
    pub fn fields(&self) -> &[f64] {
        &self.h
    }
    /// Constant offset `c`.
    pub fn offset(&self) -> f64 {
        self.offset
    }
    /// Number of stored couplings (both triangles: twice the number of edges).
    pub fn nnz(&self) -> usize {
        self.col.len()
    }
    /// Whether any field is non-zero.
    pub fn has_fields(&self) -> bool {
        self.h.iter().any(|&v| v != 0.0)
    }
    /// CSR row pointers (length `n + 1`).
    pub fn row_ptr(&self) -> &[usize] {
        &self.row_ptr
    }
    /// CSR column indices.
    pub fn col(&self) -> &[u32] {
        &self.col
    }
    /// CSR values `J_ij` in f64.
    pub fn values(&self) -> &[f64] {
        &self.val
    }
    /// CSR values `J_ij` in f32.
    pub fn values_f32(&self) -> &[f32] {
        &self.val32
    }
    /// Row `i`: neighbours and couplings.
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.row_ptr[i]..self.row_ptr[i + 1];
        (&self.col[r.clone()], &self.val[r])
    }
    /// The couplings `(i, j, J_ij)` with `i < j`.
    pub fn couplings(&self) -> Vec<(u32, u32, f64)> {
        let mut out = Vec::with_capacity(self.nnz() / 2);
        for i in 0..self.n {
            let (c, v) = self.row(i);
            for (&j, &w) in c.iter().zip(v) {
                if (i as u32) < j {
                    out.push((i as u32, j, w));
                }
            }
        }
        out
    }
    /// `Some(w)` when every stored coupling equals `w` (unweighted graphs), else `None`.
    pub fn uniform_coupling(&self) -> Option<f64> {
        let w = *self.val.first()?;
        self.val.iter().all(|&v| v == w).then_some(w)
    }
    /// `max_i Σ_j |J_ij| + |h_i|`: the largest absolute row sum (sets the machine's time scale).
    pub fn max_abs_row_sum(&self) -> f64 {
        (0..self.n)
            .map(|i| self.row(i).1.iter().map(|v| v.abs()).sum::<f64>() + self.h[i].abs())
            .fold(0.0, f64::max)
    }

    /// Local fields `f_i = Σ_j J_ij s_j + h_i`; flipping spin `i` changes `H` by `2 s_i f_i`.
    /// Errors when `s` or `out` is not of length `n` or `s` holds a value other than `±1`.
    pub fn local_fields_into(&self, s: &[i8], out: &mut [f64]) -> Result<()> {
        self.check_spins(s)?;
        check_len(
            "fields",
            out.len(),
            self.n,
            "pass a buffer of one field per spin",
        )?;
        self.local_fields_into_unchecked(s, out);
        Ok(())
    }

    /// `s ∈ {±1}ⁿ`.
    fn check_spins(&self, s: &[i8]) -> Result<()> {
        check_len("spins", s.len(), self.n, "pass one spin per variable")?;
        match s.iter().position(|&v| v != 1 && v != -1) {
            Some(i) => Err(Error::invalid(
                &format!("spins[{i}]"),
                s[i],
                "spins are +1 or -1",
            )),
            None => Ok(()),
        }
    }

    /// [`local_fields_into`](Self::local_fields_into) without checks, for the hot loops of the
    /// library. Panics if `s` or `out` is shorter than `n`.
    pub(crate) fn local_fields_into_unchecked(&self, s: &[i8], out: &mut [f64]) {
        for i in 0..self.n {
            let (c, v) = self.row(i);
            let mut acc = self.h[i];
            for (&j, &w) in c.iter().zip(v) {
                acc += w * s[j as usize] as f64;
            }
            out[i] = acc;
        }
    }

    /// Flip spin `i` and keep `fields` (the local fields of `s`, see
    /// [`local_fields_into`](Self::local_fields_into)) current; returns the energy change
    /// `ΔH = 2 s_i f_i` (`s_i`, `f_i` before the flip). `O(degree of i)`.
    pub(crate) fn flip(&self, s: &mut [i8], fields: &mut [f64], i: usize) -> f64 {
        let de = 2.0 * s[i] as f64 * fields[i];
        s[i] = -s[i];
        let ds = 2.0 * s[i] as f64;
        let (c, v) = self.row(i);
        for (&j, &w) in c.iter().zip(v) {
            fields[j as usize] += w * ds;
        }
        de
    }

    /// `H(s) = −½ sᵀJs − hᵀs + c` without input checks (the caller guarantees `s ∈ {±1}ⁿ`).
    pub(crate) fn energy_unchecked(&self, s: &[i8]) -> f64 {
        let mut quad = 0.0;
        let mut lin = 0.0;
        for i in 0..self.n {
            let (c, v) = self.row(i);
            let mut acc = 0.0;
            for (&j, &w) in c.iter().zip(v) {
                acc += w * s[j as usize] as f64;
            }
            quad += acc * s[i] as f64;
            lin += self.h[i] * s[i] as f64;
        }
        -0.5 * quad - lin + self.offset
    }

    /// The Ising energy `H(s) = −½ sᵀJs − hᵀs + c` of a spin vector `s ∈ {−1, +1}ⁿ`.
    pub fn energy(&self, s: &[i8]) -> Result<f64> {
        check_spins(s, self.n)?;
        Ok(self.energy_unchecked(s))
    }

    /// The model with one extra ancilla spin `s_n` that carries the fields:
    /// `J'_{i,n} = h_i`, `h' = 0`. For any `s'`, `H'(s') = H(s'_n · s'_{0..n})`, so a field-free
    /// solver (the oscillator machine) solves models with fields. Returns `self` unchanged
    /// (cloned) when there are no fields.
    pub fn with_ancilla(&self) -> Result<Self> {
        if !self.has_fields() {
            return Ok(self.clone());
        }
        let mut c = self.couplings();
        for i in 0..self.n {
            if self.h[i] != 0.0 {
                c.push((i as u32, self.n as u32, self.h[i]));
            }
        }
        Self::from_couplings(self.n + 1, vec![0.0; self.n + 1], &c, self.offset)
    }

    /// Map a spin vector of [`with_ancilla`](Self::with_ancilla)'s model back: multiply by
    /// the ancilla spin and drop it. A vector of length `n` is returned unchanged.
    pub fn from_ancilla_spins(&self, s: &[i8]) -> Vec<i8> {
        if s.len() == self.n + 1 {
            let a = s[self.n];
            s[..self.n].iter().map(|&v| v * a).collect()
        } else {
            s.to_vec()
        }
    }

    /// The QUBO with the same objective on `x = (1 + s)/2`: see [`Qubo::from_ising`].
    pub fn to_qubo(&self) -> Qubo {
        Qubo::from_ising(self)
    }
}

/// A QUBO `f(x) = Σ_{i≤j} Q_ij x_i x_j + c`, `x ∈ {0, 1}ⁿ` (upper-triangular terms, sparse).
///
/// The change of variables `x = (1 + s)/2` maps it to an [`IsingModel`] with
/// `J_ij = −Q_ij/4` (i < j), `h_i = −Q_ii/2 − ¼ Σ_{j≠i} Q_ij`, `c' = c + ½ Σ Q_ii + ¼ Σ_{i<j} Q_ij`,
/// so `f(x) = H(s)` for every state (Lucas 2014, §2).
///
/// ```
/// use attractor::problems::Qubo;
/// let q = Qubo::new(2, &[(0, 0, -1.0), (1, 1, -1.0), (0, 1, 3.0)], 0.5)?;
/// let ising = q.to_ising()?;
/// assert_eq!(q.value(&[1, 0])?, -0.5);
/// assert_eq!(ising.energy(&[1, -1])?, -0.5);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Qubo {
    n: usize,
    terms: Vec<(u32, u32, f64)>,
    offset: f64,
}

impl Qubo {
    /// Build from terms `(i, j, Q_ij)`; `(j, i)` is folded onto `(i, j)` and duplicates summed.
    pub fn new(n: usize, terms: &[(u32, u32, f64)], offset: f64) -> Result<Self> {
        check_n(n)?;
        if !offset.is_finite() {
            return Err(Error::invalid("offset", offset, "must be finite"));
        }
        let mut t: Vec<(u32, u32, f64)> = Vec::with_capacity(terms.len());
        for (k, &(i, j, q)) in terms.iter().enumerate() {
            if i as usize >= n || j as usize >= n {
                return Err(Error::invalid(
                    &format!("QUBO term {k}"),
                    format!("({i}, {j})"),
                    &format!("indices must be 0-based and below n = {n}"),
                ));
            }
            if !q.is_finite() {
                return Err(Error::NonFinite {
                    what: "QUBO coefficients".into(),
                    index: k,
                    value: q,
                });
            }
            t.push((i.min(j), i.max(j), q));
        }
        t.sort_by_key(|a| (a.0, a.1));
        let mut merged: Vec<(u32, u32, f64)> = Vec::with_capacity(t.len());
        for e in t {
            match merged.last_mut() {
                Some(last) if last.0 == e.0 && last.1 == e.1 => last.2 += e.2,
                _ => merged.push(e),
            }
        }
        merged.retain(|e| e.2 != 0.0);
        Ok(Self {
            n,
            terms: merged,
            offset,
        })
    }

    /// Number of variables.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Upper-triangular terms `(i ≤ j, Q_ij)`.
    pub fn terms(&self) -> &[(u32, u32, f64)] {
        &self.terms
    }
    /// Constant offset.
    pub fn offset(&self) -> f64 {
        self.offset
    }

    /// `f(x) = Σ_{i≤j} Q_ij x_i x_j + c` for `x ∈ {0, 1}ⁿ`.
    pub fn value(&self, x: &[u8]) -> Result<f64> {
        crate::error::check_len("x", x.len(), self.n, "give one 0/1 value per variable")?;
        if let Some(k) = x.iter().position(|&v| v > 1) {
            return Err(Error::invalid(&format!("x[{k}]"), x[k], "must be 0 or 1"));
        }
        Ok(self
            .terms
            .iter()
            .filter(|&&(i, j, _)| x[i as usize] == 1 && x[j as usize] == 1)
            .map(|t| t.2)
            .sum::<f64>()
            + self.offset)
    }

    /// The Ising model with `H(s) = f((1 + s)/2)` for every `s`.
    pub fn to_ising(&self) -> Result<IsingModel> {
        let mut h = vec![0.0; self.n];
        let mut c = self.offset;
        let mut j = Vec::new();
        for &(a, b, q) in &self.terms {
            if a == b {
                h[a as usize] -= q / 2.0;
                c += q / 2.0;
            } else {
                j.push((a, b, -q / 4.0));
                h[a as usize] -= q / 4.0;
                h[b as usize] -= q / 4.0;
                c += q / 4.0;
            }
        }
        IsingModel::from_couplings(self.n, h, &j, c)
    }

    /// The QUBO of an Ising model, `x = (1 + s)/2`: `Q_ij = −4 J_ij` (i < j),
    /// `Q_ii = −2 h_i + 2 Σ_{j≠i} J_ij`, `c' = c + Σ h_i − Σ_{i<j} J_ij`.
    pub fn from_ising(m: &IsingModel) -> Self {
        let mut terms = Vec::new();
        let mut diag: Vec<f64> = m.fields().iter().map(|&h| -2.0 * h).collect();
        let mut c = m.offset() + m.fields().iter().sum::<f64>();
        for (i, j, w) in m.couplings() {
            terms.push((i, j, -4.0 * w));
            diag[i as usize] += 2.0 * w;
            diag[j as usize] += 2.0 * w;
            c -= w;
        }
        for (i, &d) in diag.iter().enumerate() {
            if d != 0.0 {
                terms.push((i as u32, i as u32, d));
            }
        }
        terms.sort_by_key(|a| (a.0, a.1));
        Self {
            n: m.n(),
            terms,
            offset: c,
        }
    }
}

/// Spins `s = 2x − 1` of a 0/1 vector.
pub fn spins_from_bits(x: &[u8]) -> Vec<i8> {
    x.iter().map(|&b| if b == 1 { 1 } else { -1 }).collect()
}

/// Bits `x = (1 + s)/2` of a spin vector.
pub fn bits_from_spins(s: &[i8]) -> Vec<u8> {
    s.iter().map(|&v| u8::from(v > 0)).collect()
}

/// Greedy single-flip descent: sweep the spins in order and flip every spin whose flip lowers
/// the energy (`ΔH_i = 2 s_i f_i < 0`), until a sweep flips nothing (a 1-flip local minimum).
/// Returns the number of flips; `fields` is scratch of length `n`. Never raises `H`. Errors
/// when `s` is not a spin vector of the model's length or `fields` is not of length `n`.
pub fn greedy_descent(model: &IsingModel, s: &mut [i8], fields: &mut [f64]) -> Result<usize> {
    model.local_fields_into(s, fields)?;
    Ok(greedy_descent_unchecked(model, s, fields))
}

/// [`greedy_descent`] without checks, for the library's hot loops (the OIM's readouts). Panics
/// if `s` or `fields` is shorter than the model.
pub(crate) fn greedy_descent_unchecked(
    model: &IsingModel,
    s: &mut [i8],
    fields: &mut [f64],
) -> usize {
    model.local_fields_into_unchecked(s, fields);
    let tol = 1e-12 * (1.0 + model.max_abs_row_sum());
    let mut flips = 0;
    loop {
        let mut changed = false;
        for i in 0..model.n() {
            if 2.0 * s[i] as f64 * fields[i] < -tol {
                model.flip(s, fields, i);
                flips += 1;
                changed = true;
            }
        }
        if !changed {
            return flips;
        }
    }
}
