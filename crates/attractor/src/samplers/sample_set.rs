//! The one result type of every sampler.

use crate::error::{Result, check_len};
use crate::problems::ising::check_spins;
use crate::problems::{IsingModel, Qubo, WeightedGraph, bits_from_spins};
use crate::run::Status;
use std::collections::HashMap;
use std::time::Duration;

/// The kind of variables a sample set's energies refer to (its samples are always stored as
/// spins `s ∈ {±1}`; `x = (1 + s)/2` for `Binary`, see [`Sample::to_bits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vartype {
    /// Spins `s ∈ {−1, +1}`: energies are `H(s)`.
    Spin,
    /// Bits `x ∈ {0, 1}`: energies are the QUBO objective `f(x)`.
    Binary,
}

/// One distinct state of a [`SampleSet`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Sample {
    /// The state as spins `±1`.
    pub spins: Vec<i8>,
    /// Its energy, recomputed exactly in f64 from the problem (offset included).
    pub energy: f64,
    /// How many reads returned it.
    pub num_occurrences: usize,
    /// Per-sample info: the index of the first read that returned it.
    pub first_read: usize,
    /// For a Max-Cut set: the cut `(W − H)/2` of the state.
    pub cut: Option<f64>,
}

impl Sample {
    /// The state as bits `x = (1 + s)/2`.
    pub fn to_bits(&self) -> Vec<u8> {
        bits_from_spins(&self.spins)
    }
}

/// What a sampler says about its run.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SampleSetInfo {
    /// The sampler's name.
    pub sampler: &'static str,
    /// Reads taken (the sum of the occurrence counts).
    pub num_reads: usize,
    /// Wall time of the sampling.
    pub elapsed: Duration,
    /// Why an iterative sampler stopped (the oscillator machine), if it has a status.
    pub status: Option<Status>,
}

impl SampleSetInfo {
    /// Info for `num_reads` reads by `sampler` in `elapsed`.
    pub fn new(sampler: &'static str, num_reads: usize, elapsed: Duration) -> Self {
        Self {
            sampler,
            num_reads,
            elapsed,
            status: None,
        }
    }
}

/// Samples of a problem, lowest energy first (ties: the earlier first read), with their
/// energies, occurrence counts and per-sample info (dimod's `SampleSet`).
///
/// ```
/// use attractor::problems::IsingModel;
/// use attractor::samplers::{SampleSet, SampleSetInfo};
/// use std::time::Duration;
/// let m = IsingModel::from_couplings(2, vec![0.0; 2], &[(0, 1, 1.0)], 0.0)?;
/// let reads = vec![vec![1, -1], vec![1, 1], vec![1, 1]];
/// let set = SampleSet::from_reads(&m, reads, true, SampleSetInfo::new("hand", 3, Duration::ZERO))?;
/// assert_eq!(set.len(), 2);
/// let best = set.first().unwrap();
/// assert_eq!((best.spins.as_slice(), best.energy, best.num_occurrences), (&[1i8, 1][..], -1.0, 2));
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SampleSet {
    samples: Vec<Sample>,
    n_variables: usize,
    vartype: Vartype,
    /// Timing and provenance.
    pub info: SampleSetInfo,
}

impl SampleSet {
    /// A set of spin samples of `model` from reads (each `±1`, one per spin): energies are
    /// recomputed from the model; with `aggregate`, equal states merge into one sample with
    /// their occurrence count. `info.num_reads` is set to the number of reads.
    pub fn from_reads(
        model: &IsingModel,
        reads: impl IntoIterator<Item = Vec<i8>>,
        aggregate: bool,
        info: SampleSetInfo,
    ) -> Result<Self> {
        let mut b = Reads::new(model.n());
        for r in reads {
            check_spins(&r, model.n())?;
            b.push_counted(&r, 1, aggregate);
        }
        Ok(b.finish(model, info))
    }

    /// Number of distinct samples (rows).
    pub fn len(&self) -> usize {
        self.samples.len()
    }
    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
    /// Number of variables of each sample.
    pub fn n_variables(&self) -> usize {
        self.n_variables
    }
    /// What the energies refer to.
    pub fn vartype(&self) -> Vartype {
        self.vartype
    }
    /// The samples, lowest energy first.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }
    /// Iterate over the samples, lowest energy first.
    pub fn iter(&self) -> std::slice::Iter<'_, Sample> {
        self.samples.iter()
    }
    /// The lowest-energy sample.
    pub fn first(&self) -> Option<&Sample> {
        self.samples.first()
    }
    /// Every sample within `1e-9·(1 + |E_min|)` of the lowest energy.
    pub fn lowest(&self) -> &[Sample] {
        let Some(e0) = self.samples.first().map(|s| s.energy) else {
            return &[];
        };
        let tol = 1e-9 * (1.0 + e0.abs());
        let k = self.samples.partition_point(|s| s.energy <= e0 + tol);
        &self.samples[..k]
    }
    /// The energies, lowest first.
    pub fn energies(&self) -> Vec<f64> {
        self.samples.iter().map(|s| s.energy).collect()
    }
    /// The largest cut of a Max-Cut set (the first sample's), `None` for other sets.
    pub fn best_cut(&self) -> Option<f64> {
        self.first().and_then(|s| s.cut)
    }

    /// Merge equal states into one sample each (counts add; the earliest first read is kept).
    pub fn aggregate(&self) -> Self {
        let mut out: Vec<Sample> = Vec::with_capacity(self.samples.len());
        let mut index: HashMap<&[i8], usize> = HashMap::with_capacity(self.samples.len());
        let mut order: Vec<&Sample> = self.samples.iter().collect();
        order.sort_by_key(|s| s.first_read);
        for s in order {
            match index.get(s.spins.as_slice()) {
                Some(&k) => out[k].num_occurrences += s.num_occurrences,
                None => {
                    index.insert(&s.spins, out.len());
                    out.push(s.clone());
                }
            }
        }
        sort_samples(&mut out);
        Self {
            samples: out,
            n_variables: self.n_variables,
            vartype: self.vartype,
            info: self.info.clone(),
        }
    }

    /// The set as samples of `qubo` (whose Ising form it sampled): [`Vartype::Binary`], energies
    /// the objective `f(x)` of the bits, recomputed from the QUBO.
    pub fn into_qubo(mut self, qubo: &Qubo) -> Result<Self> {
        check_len(
            "samples (variables)",
            self.n_variables,
            qubo.n(),
            "sample the QUBO's own Ising form (Qubo::to_ising)",
        )?;
        for s in &mut self.samples {
            s.energy = qubo.value(&s.to_bits())?;
            s.cut = None;
        }
        self.vartype = Vartype::Binary;
        sort_samples(&mut self.samples);
        Ok(self)
    }

    /// Attach each sample's cut `(W − H)/2` of `graph` (the set sampled
    /// `IsingModel::max_cut(graph)`).
    pub fn with_cuts(mut self, graph: &WeightedGraph) -> Self {
        for s in &mut self.samples {
            s.cut = Some(graph.cut_from_energy(s.energy));
        }
        self
    }
}

/// Lowest energy first; ties by first read (deterministic).
fn sort_samples(s: &mut [Sample]) {
    s.sort_by(|a, b| {
        a.energy
            .total_cmp(&b.energy)
            .then(a.first_read.cmp(&b.first_read))
    });
}

/// Reads being collected into a set (aggregated on the fly).
pub(crate) struct Reads {
    n: usize,
    rows: Vec<(Vec<i8>, usize, usize)>,
    index: HashMap<Vec<i8>, usize>,
    n_reads: usize,
}

impl Reads {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            n,
            rows: Vec::new(),
            index: HashMap::new(),
            n_reads: 0,
        }
    }

    /// Add a read (spins already checked) that occurred `count` times.
    pub(crate) fn push_counted(&mut self, s: &[i8], count: usize, aggregate: bool) {
        let read = self.n_reads;
        self.n_reads += count;
        if aggregate {
            if let Some(&k) = self.index.get(s) {
                self.rows[k].1 += count;
                return;
            }
            self.index.insert(s.to_vec(), self.rows.len());
        }
        self.rows.push((s.to_vec(), count, read));
    }

    /// Whether a state has been read (with aggregation on).
    pub(crate) fn contains(&self, s: &[i8]) -> bool {
        self.index.contains_key(s)
    }

    /// The set: energies recomputed from `model`, sorted.
    pub(crate) fn finish(self, model: &IsingModel, mut info: SampleSetInfo) -> SampleSet {
        info.num_reads = self.n_reads;
        let mut samples: Vec<Sample> = self
            .rows
            .into_iter()
            .map(|(spins, num_occurrences, first_read)| Sample {
                energy: model.energy_unchecked(&spins),
                spins,
                num_occurrences,
                first_read,
                cut: None,
            })
            .collect();
        sort_samples(&mut samples);
        SampleSet {
            samples,
            n_variables: self.n,
            vartype: Vartype::Spin,
            info,
        }
    }
}
