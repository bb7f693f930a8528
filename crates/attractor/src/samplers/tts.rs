//! Time-to-solution statistics of a randomised solver (the figure Ising-machine papers report:
//! e.g. Goto et al., Sci. Adv. 7, eabe7953, 2021; Hamerly et al., Sci. Adv. 5, eaau0823, 2019).
//! For `R` independent runs of mean wall time `t`, of which a fraction `p` reach the target,
//! the expected time to reach it with probability `q` (0.99 by default) by repeating runs is
//!
//! `TTS_q = t · ln(1 − q) / ln(1 − p)`   (`= t` when `p ≥ q`, `∞` when `p = 0`),
//!
//! given with a percentile bootstrap interval over the runs (seeded).

use crate::error::{Error, Result};
use crate::rng::{stream, streams};
use rand::RngExt;

/// One run of a solver: its best energy, its wall time in seconds, and whether it reached the
/// target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOutcome {
    /// The best energy the run found.
    pub energy: f64,
    /// Wall time of the run, seconds (to the target when it stopped there).
    pub seconds: f64,
    /// Whether it reached the target.
    pub reached: bool,
}

/// The statistics of [`time_to_solution`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TimeToSolution {
    /// Runs.
    pub runs: usize,
    /// Runs that reached the target.
    pub successes: usize,
    /// `p = successes / runs`.
    pub p: f64,
    /// Mean wall time of a run, seconds.
    pub mean_seconds: f64,
    /// `TTS_q` in seconds (`∞` when no run reached the target).
    pub tts: f64,
    /// The target probability `q`.
    pub probability: f64,
    /// A 95% percentile-bootstrap interval of `TTS_q` (`∞` ends when resamples had no success).
    pub interval: (f64, f64),
    /// The lowest energy over the runs.
    pub best_energy: f64,
    /// The mean of the runs' best energies.
    pub mean_energy: f64,
}

/// `TTS_q` of runs of mean time `t` succeeding with probability `p` (module docs).
pub fn tts(t: f64, p: f64, q: f64) -> f64 {
    if p >= q {
        t
    } else if p <= 0.0 {
        f64::INFINITY
    } else {
        t * (1.0 - q).ln() / (1.0 - p).ln()
    }
}

/// The time-to-solution statistics of `outcomes` for target probability `q ∈ (0, 1)`, with a
/// 95% bootstrap interval from `resamples` resamples of the runs drawn from
/// `rng::stream(seed, ORDER)`.
///
/// ```
/// use attractor::samplers::tts::{RunOutcome, time_to_solution};
/// // 10 runs of 0.5 s, 3 reached the target: TTS99 = 0.5 ln(0.01)/ln(0.7) ≈ 6.46 s
/// let runs: Vec<RunOutcome> = (0..10)
///     .map(|i| RunOutcome { energy: if i < 3 { -10.0 } else { -9.0 }, seconds: 0.5, reached: i < 3 })
///     .collect();
/// let s = time_to_solution(&runs, 0.99, 1000, 1)?;
/// assert!((s.tts - 0.5 * 0.01f64.ln() / 0.7f64.ln()).abs() < 1e-12);
/// assert!(s.interval.0 <= s.tts && s.tts <= s.interval.1);
/// assert_eq!((s.successes, s.best_energy), (3, -10.0));
/// # Ok::<(), attractor::Error>(())
/// ```
pub fn time_to_solution(
    outcomes: &[RunOutcome],
    q: f64,
    resamples: usize,
    seed: u64,
) -> Result<TimeToSolution> {
    if outcomes.is_empty() {
        return Err(Error::invalid("runs", 0, "give at least one run"));
    }
    if !(q > 0.0 && q < 1.0) {
        return Err(Error::invalid(
            "target probability",
            q,
            "must lie in (0, 1), e.g. 0.99",
        ));
    }
    if let Some(i) = outcomes
        .iter()
        .position(|o| !(o.seconds.is_finite() && o.seconds >= 0.0) || o.energy.is_nan())
    {
        return Err(Error::invalid(
            &format!("run {i}"),
            format!("{} s, energy {}", outcomes[i].seconds, outcomes[i].energy),
            "times must be finite and >= 0, energies numbers",
        ));
    }
    let r = outcomes.len();
    let stats = |idx: &mut dyn Iterator<Item = usize>| {
        let (mut ok, mut t) = (0usize, 0.0);
        for i in idx {
            ok += usize::from(outcomes[i].reached);
            t += outcomes[i].seconds;
        }
        tts(t / r as f64, ok as f64 / r as f64, q)
    };
    let value = stats(&mut (0..r));
    let mut rng = stream(seed, streams::ORDER);
    let mut boot: Vec<f64> = (0..resamples)
        .map(|_| stats(&mut (0..r).map(|_| rng.random_range(0..r))))
        .collect();
    boot.sort_by(f64::total_cmp);
    let pick = |f: f64| {
        if boot.is_empty() {
            value
        } else {
            boot[((f * (boot.len() - 1) as f64).round() as usize).min(boot.len() - 1)]
        }
    };
    let successes = outcomes.iter().filter(|o| o.reached).count();
    Ok(TimeToSolution {
        runs: r,
        successes,
        p: successes as f64 / r as f64,
        mean_seconds: outcomes.iter().map(|o| o.seconds).sum::<f64>() / r as f64,
        tts: value,
        probability: q,
        interval: (pick(0.025).min(value), pick(0.975).max(value)),
        best_energy: outcomes
            .iter()
            .map(|o| o.energy)
            .fold(f64::INFINITY, f64::min),
        mean_energy: outcomes.iter().map(|o| o.energy).sum::<f64>() / r as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tts_limits_and_formula() {
        assert_eq!(tts(2.0, 1.0, 0.99), 2.0);
        assert_eq!(tts(2.0, 0.995, 0.99), 2.0);
        assert!(tts(2.0, 0.0, 0.99).is_infinite());
        // p = 1/2: log2(100) ≈ 6.64 runs
        assert!((tts(1.0, 0.5, 0.99) - 100f64.ln() / 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn the_bootstrap_interval_narrows_with_more_runs_and_bad_input_is_named() {
        let runs = |n: usize| -> Vec<RunOutcome> {
            (0..n)
                .map(|i| RunOutcome {
                    energy: -1.0,
                    seconds: 1.0,
                    reached: i % 4 == 0,
                })
                .collect()
        };
        let few = time_to_solution(&runs(12), 0.99, 2000, 3).unwrap();
        let many = time_to_solution(&runs(400), 0.99, 2000, 3).unwrap();
        assert!((few.tts - many.tts).abs() < 1e-12, "same p = 1/4");
        let width = |s: &TimeToSolution| s.interval.1 - s.interval.0;
        assert!(width(&many) < width(&few) / 3.0, "{:?} {:?}", many, few);
        // seeded: the same interval again
        assert_eq!(
            time_to_solution(&runs(12), 0.99, 2000, 3).unwrap().interval,
            few.interval
        );
        let e = time_to_solution(&[], 0.99, 10, 0).unwrap_err().to_string();
        assert!(e.contains("runs"), "{e}");
        let e = time_to_solution(&runs(3), 1.0, 10, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("target probability"), "{e}");
    }
}
