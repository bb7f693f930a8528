//! Retrieval quality and storage capacity of associative memories.
//!
//! - overlap `m = ξ·σ/N` (Amit, Gutfreund, Sompolinsky 1985), bit error rate, fraction of
//!   exactly recovered patterns;
//! - a capacity sweep for any [`Memory`]: for each `N` and seed, the largest `K` at which a
//!   stated fraction of random `±1` patterns is recovered, found by bisection over `K`;
//! - the principal branch `W₀` of the Lambert W function and the storage constant of Ramsauer
//!   et al. (2020, Theorem 3): `c = b / W₀(exp(a + ln b))`,
//!   `a = (2/(d−1))(1 + ln(2βK²p(d−1)))`, `b = 2K²β/5`.

use crate::error::{Error, Result, check_len};
use crate::models::{Memory, is_recovered};
use crate::problems::{Patterns, flip_fraction};
use crate::run::Solution;

/// Overlap `m = (1/N) Σᵢ ξᵢσᵢ` (1 for the pattern itself, about 0 for an unrelated state).
///
/// ```
/// use attractor::analysis::overlap;
/// assert_eq!(overlap(&[1.0, -1.0, 1.0, 1.0], &[1.0, 1.0, 1.0, 1.0])?, 0.5);
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn overlap(state: &[f64], pattern: &[f64]) -> Result<f64> {
    check_len(
        "state",
        state.len(),
        pattern.len(),
        "compare vectors of equal length",
    )?;
    if pattern.is_empty() {
        return Err(Error::invalid("pattern length", 0, "must be >= 1"));
    }
    Ok(crate::linalg::dot(state, pattern) / pattern.len() as f64)
}

/// Bit error rate: the fraction of units whose sign (`sgn(0) = +1`) differs from the pattern's.
pub fn bit_error_rate(state: &[f64], pattern: &[f64]) -> Result<f64> {
    check_len(
        "state",
        state.len(),
        pattern.len(),
        "compare vectors of equal length",
    )?;
    if pattern.is_empty() {
        return Err(Error::invalid("pattern length", 0, "must be >= 1"));
    }
    let s = |v: f64| v >= 0.0;
    let wrong = state
        .iter()
        .zip(pattern)
        .filter(|(a, b)| s(**a) != s(**b))
        .count();
    Ok(wrong as f64 / pattern.len() as f64)
}

/// The fraction of `recalled[μ]` that recover `targets` pattern `μ` exactly
/// ([`is_recovered`]: every sign for `±1` targets).
pub fn recovered_fraction(recalled: &[Vec<f64>], targets: &Patterns) -> Result<f64> {
    check_len(
        "recalled states",
        recalled.len(),
        targets.n_patterns(),
        "pass one recalled state per target pattern",
    )?;
    let mut ok = 0;
    for (r, t) in recalled.iter().zip(targets.iter()) {
        check_len(
            "recalled state",
            r.len(),
            t.len(),
            "states must have the patterns' length",
        )?;
        if is_recovered(r, t) {
            ok += 1;
        }
    }
    Ok(ok as f64 / targets.n_patterns() as f64)
}

/// What counts as "recovered" in a capacity sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Criterion {
    /// Each stored pattern is left unchanged by one update ([`Memory::count_stable`]).
    Stable,
    /// A copy with `round(flip·N)` flipped bits (seeded) recalls the pattern exactly.
    Retrieve {
        /// Fraction of flipped bits.
        flip: f64,
    },
}

/// A capacity sweep: sizes, seeds, the required recovered fraction and the criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacitySweep {
    /// Pattern lengths `N`.
    pub dims: Vec<usize>,
    /// Upper end of the bisection over `K`, one per entry of `dims`.
    pub k_max: Vec<usize>,
    /// One random pattern set per seed.
    pub seeds: Vec<u64>,
    /// The fraction of tested patterns that must be recovered (e.g. 0.98, or 1 for
    /// error-free capacity).
    pub fraction: f64,
    /// What "recovered" means.
    pub criterion: Criterion,
    /// Test at most this many patterns per `K` (the first ones; all when `K` is smaller).
    pub max_tested: usize,
}

/// The result of a capacity sweep at one `N` and seed.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityPoint {
    /// Pattern length.
    pub dim: usize,
    /// Seed of the pattern set.
    pub seed: u64,
    /// The largest `K` found with at least the required fraction recovered (0 if none).
    pub capacity: usize,
    /// Every `(K, recovered fraction)` evaluated by the bisection.
    pub evaluated: Vec<(usize, f64)>,
}

/// The recovered fraction of the first `max_tested` of `K` random patterns.
fn recovered_at<M: Memory>(
    build: &mut impl FnMut(&Patterns) -> Result<M>,
    patterns: &Patterns,
    criterion: Criterion,
    max_tested: usize,
    seed: u64,
) -> Result<f64> {
    let mut mem = build(patterns)?;
    let tested = patterns.take(patterns.n_patterns().min(max_tested))?;
    let ok = match criterion {
        Criterion::Stable => mem.count_stable(&tested)?,
        Criterion::Retrieve { flip } => {
            let mut out = vec![0.0; patterns.dim()];
            let mut ok = 0;
            for (mu, p) in tested.iter().enumerate() {
                let q = flip_fraction(
                    p,
                    flip,
                    seed ^ (0x9e37_79b9_7f4a_7c15u64.wrapping_mul(mu as u64 + 1)),
                )?;
                mem.recall_into(&q, &mut out)?;
                if is_recovered(&out, p) {
                    ok += 1;
                }
            }
            ok
        }
    };
    Ok(ok as f64 / tested.n_patterns() as f64)
}

/// Run a capacity sweep. `build` stores a pattern set in a fresh memory (e.g.
/// `|p| HopfieldMemory::hebbian(p)`). For each `N` and seed, random `±1` patterns are drawn
/// once (`Patterns::random_binary(k_max, N, seed)`; the sets for smaller `K` are their first
/// `K` rows) and the largest `K ∈ [1, k_max]` whose recovered fraction is at least
/// `fraction` is found by bisection (assuming recovery falls with `K`).
///
/// ```
/// use attractor::analysis::{CapacitySweep, Criterion, capacity_sweep};
/// use attractor::models::HopfieldMemory;
/// let sweep = CapacitySweep { dims: vec![100], k_max: vec![60], seeds: vec![1],
///     fraction: 1.0, criterion: Criterion::Stable, max_tested: usize::MAX };
/// let pts = capacity_sweep(&sweep, |p| HopfieldMemory::hebbian(p))?;
/// assert!(pts[0].capacity >= 3 && pts[0].capacity <= 30);
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn capacity_sweep<M: Memory>(
    sweep: &CapacitySweep,
    mut build: impl FnMut(&Patterns) -> Result<M>,
) -> Result<Vec<CapacityPoint>> {
    check_len(
        "k_max",
        sweep.k_max.len(),
        sweep.dims.len(),
        "give one upper bound on K per pattern length N",
    )?;
    if !(sweep.fraction > 0.0 && sweep.fraction <= 1.0) {
        return Err(Error::invalid(
            "fraction",
            sweep.fraction,
            "must lie in (0, 1]",
        ));
    }
    if sweep.seeds.is_empty() || sweep.max_tested == 0 {
        return Err(Error::invalid(
            "seeds/max_tested",
            "empty/0",
            "give at least one seed and test at least one pattern",
        ));
    }
    let mut points = Vec::new();
    for (&n, &k_max) in sweep.dims.iter().zip(&sweep.k_max) {
        if k_max == 0 {
            return Err(Error::invalid("k_max", 0, "must be >= 1"));
        }
        for &seed in &sweep.seeds {
            let all = Patterns::random_binary(k_max, n, seed)?;
            let mut evaluated = Vec::new();
            let mut eval = |k: usize, evaluated: &mut Vec<(usize, f64)>| -> Result<bool> {
                let f = recovered_at(
                    &mut build,
                    &all.take(k)?,
                    sweep.criterion,
                    sweep.max_tested,
                    seed,
                )?;
                evaluated.push((k, f));
                Ok(f >= sweep.fraction)
            };
            // invariant: lo passes (or is 0), hi fails (or is k_max + 1)
            let (mut lo, mut hi) = (0usize, k_max + 1);
            if eval(k_max, &mut evaluated)? {
                lo = k_max;
            } else {
                hi = k_max;
            }
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if eval(mid, &mut evaluated)? {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            points.push(CapacityPoint {
                dim: n,
                seed,
                capacity: lo,
                evaluated,
            });
        }
    }
    Ok(points)
}

/// The principal branch `W₀(x)` of the Lambert W function, `W e^W = x`, for `x ≥ −1/e`
/// (Halley's iteration; Corless et al., *On the Lambert W function*, 1996).
///
/// ```
/// use attractor::analysis::lambert_w0;
/// assert!((lambert_w0(1.0)? - 0.567_143_290_409_783_8).abs() < 1e-15);
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn lambert_w0(x: f64) -> Result<f64> {
    let branch = -(-1.0f64).exp();
    if !x.is_finite() || x < branch {
        return Err(Error::invalid(
            "Lambert W argument",
            x,
            "must be finite and >= -1/e ≈ -0.3679",
        ));
    }
    if x == 0.0 {
        return Ok(0.0);
    }
    let mut w = if x < 1.0 {
        // near the branch point use the series in p = sqrt(2(ex + 1))
        let p = (2.0 * (std::f64::consts::E * x + 1.0)).max(0.0).sqrt();
        if x < -0.25 {
            -1.0 + p - p * p / 3.0
        } else {
            x.ln_1p()
        }
    } else {
        let l = x.ln();
        if l > 1.0 { l - l.ln() } else { l.max(0.5) }
    };
    for _ in 0..100 {
        let e = w.exp();
        let f = w * e - x;
        let denom = e * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0);
        if denom == 0.0 || !denom.is_finite() {
            break;
        }
        let step = f / denom;
        w -= step;
        if step.abs() <= 1e-16 * (1.0 + w.abs()) {
            break;
        }
    }
    Ok(w)
}

/// The storage constant `c` of Ramsauer et al. (2020, Theorem 3): with probability `1 − p`,
/// `√p · c^{(d−1)/4}` random patterns on the sphere of radius `K√(d−1)` are stored and
/// retrieved in one update, where `c = b / W₀(exp(a + ln b))`,
/// `a = (2/(d−1))(1 + ln(2βK²p(d−1)))`, `b = 2K²β/5`.
///
/// ```
/// use attractor::analysis::ramsauer_storage_constant;
/// let c = ramsauer_storage_constant(1.0, 3.0, 20, 0.001)?;
/// assert!((c - 3.1546).abs() < 5e-5);
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn ramsauer_storage_constant(beta: f64, k: f64, d: usize, p: f64) -> Result<f64> {
    crate::error::check_positive("beta", beta, "use a finite β > 0")?;
    crate::error::check_positive("K", k, "use a finite pattern-norm constant K > 0")?;
    if d < 2 {
        return Err(Error::invalid("d", d, "the dimension must be >= 2"));
    }
    if !(p > 0.0 && p < 1.0) {
        return Err(Error::invalid(
            "p",
            p,
            "the failure probability must lie in (0, 1)",
        ));
    }
    let dm1 = (d - 1) as f64;
    let a = 2.0 / dm1 * (1.0 + (2.0 * beta * k * k * p * dm1).ln());
    let b = 2.0 * k * k * beta / 5.0;
    Ok(b / lambert_w0((a + b.ln()).exp())?)
}

/// The outcome of recalling a set of queries, one per target pattern.
#[derive(Debug, Clone)]
pub struct RecallSummary {
    /// One solution per query: the recalled state, its status, sweeps and energies.
    pub solutions: Vec<Solution>,
    /// Fraction of queries whose recalled state recovers its target exactly.
    pub recovered_fraction: f64,
    /// Mean overlap `ξ·sgn(x)/N` (`ξ·x/N` for real targets).
    pub mean_overlap: f64,
    /// Mean bit error rate.
    pub mean_bit_error_rate: f64,
    /// Mean number of update sweeps.
    pub mean_sweeps: f64,
}

/// Recall every query with `memory` and score it against the target of the same index.
///
/// ```
/// use attractor::analysis::evaluate_recall;
/// use attractor::models::HopfieldMemory;
/// use attractor::problems::{Patterns, flip_fraction};
/// let p = Patterns::random_binary(5, 200, 1)?;
/// let q: Vec<Vec<f64>> = p.iter().enumerate()
///     .map(|(mu, x)| flip_fraction(x, 0.1, mu as u64)).collect::<Result<_, _>>()?;
/// let s = evaluate_recall(&mut HopfieldMemory::hebbian(&p)?, &p, &q)?;
/// assert_eq!(s.recovered_fraction, 1.0);
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn evaluate_recall(
    memory: &mut dyn Memory,
    targets: &Patterns,
    queries: &[Vec<f64>],
) -> Result<RecallSummary> {
    check_len(
        "queries",
        queries.len(),
        targets.n_patterns(),
        "pass one query per target pattern",
    )?;
    let binary = targets.is_binary();
    let mut solutions = Vec::with_capacity(queries.len());
    let (mut ok, mut m, mut ber, mut sweeps) = (0usize, 0.0, 0.0, 0.0);
    for (q, t) in queries.iter().zip(targets.iter()) {
        let r = memory.recall(q)?;
        let x = &r.state;
        if is_recovered(x, t) {
            ok += 1;
        }
        m += if binary {
            let s: Vec<f64> = x
                .iter()
                .map(|&v| if v >= 0.0 { 1.0 } else { -1.0 })
                .collect();
            overlap(&s, t)?
        } else {
            overlap(x, t)?
        };
        ber += bit_error_rate(x, t)?;
        sweeps += r.n_steps as f64;
        solutions.push(r);
    }
    let k = queries.len().max(1) as f64;
    Ok(RecallSummary {
        solutions,
        recovered_fraction: ok as f64 / k,
        mean_overlap: m / k,
        mean_bit_error_rate: ber / k,
        mean_sweeps: sweeps / k,
    })
}
