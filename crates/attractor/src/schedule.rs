//! Schedules: a value that moves over the course of a run — an inverse temperature `β`
//! annealed by a sampler, a temperature `T`, a strength `μ` ramped by a machine — given once
//! and read by step (`at(k, n)`, `k = 0 … n − 1`) or by the fraction of the run done
//! (`at_fraction(u)`, `u ∈ [0, 1]`), so every family that anneals uses the same four shapes.
//!
//! ```
//! use attractor::schedule::Schedule;
//! let beta = Schedule::Geometric { start: 0.1, end: 10.0 };
//! beta.validate("beta", false)?;
//! assert!((beta.at(0, 3) - 0.1).abs() < 1e-15);
//! assert!((beta.at(1, 3) - 1.0).abs() < 1e-12); // the geometric mean, halfway
//! assert!((beta.at(2, 3) - 10.0).abs() < 1e-12);
//! assert_eq!(Schedule::Linear { start: 1.0, end: 0.0 }.at_fraction(0.25), 0.75);
//! # Ok::<(), attractor::Error>(())
//! ```

use crate::error::{Error, Result};

/// How a value moves from its start to its end over a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// The same value throughout.
    Constant(f64),
    /// `v(u) = start + u·(end − start)`.
    Linear {
        /// The value at the first step.
        start: f64,
        /// The value at the last step.
        end: f64,
    },
    /// `v(u) = start·(end/start)^u` (both `> 0`): equal ratios per step, the usual shape of
    /// an annealed `β` (Kirkpatrick, Gelatt & Vecchi 1983).
    Geometric {
        /// The value at the first step (`> 0`).
        start: f64,
        /// The value at the last step (`> 0`).
        end: f64,
    },
    /// Explicit values at equally spaced fractions of the run (at least one), linearly
    /// interpolated in between; `n` values read at `n` steps are the values themselves.
    Explicit(Vec<f64>),
}

impl Schedule {
    /// Check every value: finite, and `≥ 0` (or `> 0` where `positive`; a geometric schedule
    /// always needs `> 0`); `what` names the quantity in the message.
    pub fn validate(&self, what: &str, positive: bool) -> Result<()> {
        let check = |name: String, v: f64, must_be_positive: bool| -> Result<()> {
            let ok = v.is_finite() && if must_be_positive { v > 0.0 } else { v >= 0.0 };
            if ok {
                Ok(())
            } else {
                Err(Error::invalid(
                    &name,
                    crate::format_number(v),
                    if must_be_positive {
                        "schedule values must be finite and > 0"
                    } else {
                        "schedule values must be finite and >= 0"
                    },
                ))
            }
        };
        match self {
            Schedule::Constant(v) => check(what.to_string(), *v, positive),
            Schedule::Linear { start, end } => {
                check(format!("{what} start"), *start, positive)?;
                check(format!("{what} end"), *end, positive)
            }
            Schedule::Geometric { start, end } => {
                check(format!("{what} start"), *start, true)?;
                check(format!("{what} end"), *end, true)
            }
            Schedule::Explicit(v) => {
                if v.is_empty() {
                    return Err(Error::invalid(
                        what,
                        "[]",
                        "an explicit schedule needs at least one value",
                    ));
                }
                v.iter()
                    .enumerate()
                    .try_for_each(|(i, &x)| check(format!("{what}[{i}]"), x, positive))
            }
        }
    }

    /// The value after the fraction `u` of the run (clamped to `[0, 1]`).
    pub fn at_fraction(&self, u: f64) -> f64 {
        let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, 1.0) };
        match self {
            Schedule::Constant(v) => *v,
            Schedule::Linear { start, end } => start + u * (end - start),
            Schedule::Geometric { start, end } => start * (end / start).powf(u),
            Schedule::Explicit(v) => {
                if v.len() == 1 {
                    return v[0];
                }
                let x = u * (v.len() - 1) as f64;
                let i = (x.floor() as usize).min(v.len() - 2);
                let w = x - i as f64;
                v[i] + w * (v[i + 1] - v[i])
            }
        }
    }

    /// The value at step `k` of `n` (`k = 0` the start, `k = n − 1` the end; one step is the
    /// start).
    pub fn at(&self, k: usize, n: usize) -> f64 {
        if n <= 1 {
            return self.at_fraction(0.0);
        }
        self.at_fraction(k as f64 / (n - 1) as f64)
    }

    /// The values at the `n` steps of a run.
    pub fn values(&self, n: usize) -> Vec<f64> {
        (0..n).map(|k| self.at(k, n)).collect()
    }

    /// The smallest and the largest value the schedule takes.
    pub fn range(&self) -> (f64, f64) {
        match self {
            Schedule::Constant(v) => (*v, *v),
            Schedule::Linear { start, end } | Schedule::Geometric { start, end } => {
                (start.min(*end), start.max(*end))
            }
            Schedule::Explicit(v) => v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |r, &x| {
                (r.0.min(x), r.1.max(x))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Schedule;

    #[test]
    fn shapes_hit_their_ends_and_interpolate() {
        let n = 11;
        for s in [
            Schedule::Constant(2.0),
            Schedule::Linear {
                start: 1.0,
                end: 3.0,
            },
            Schedule::Geometric {
                start: 0.5,
                end: 8.0,
            },
            Schedule::Explicit(vec![1.0, 5.0, 2.0]),
        ] {
            let v = s.values(n);
            let (lo, hi) = s.range();
            assert!(
                v.iter().all(|x| *x >= lo - 1e-12 && *x <= hi + 1e-12),
                "{s:?}"
            );
            match &s {
                Schedule::Linear { start, end } | Schedule::Geometric { start, end } => {
                    assert!((v[0] - start).abs() < 1e-12 && (v[n - 1] - end).abs() < 1e-12);
                }
                _ => {}
            }
        }
        // geometric: equal ratios
        let g = Schedule::Geometric {
            start: 0.5,
            end: 8.0,
        }
        .values(5);
        for w in g.windows(3) {
            assert!((w[1] / w[0] - w[2] / w[1]).abs() < 1e-12);
        }
        // explicit: n values at n steps are the values
        let e = Schedule::Explicit(vec![1.0, 5.0, 2.0]);
        assert_eq!(e.values(3), vec![1.0, 5.0, 2.0]);
        assert_eq!(e.at_fraction(0.25), 3.0);
    }

    #[test]
    fn bad_values_are_named() {
        let e = Schedule::Geometric {
            start: 0.0,
            end: 1.0,
        }
        .validate("beta", false)
        .unwrap_err()
        .to_string();
        assert!(e.contains("beta start") && e.contains("> 0"), "{e}");
        let e = Schedule::Linear {
            start: 1.0,
            end: f64::NAN,
        }
        .validate("T", false)
        .unwrap_err()
        .to_string();
        assert!(e.contains("T end"), "{e}");
        let e = Schedule::Explicit(vec![])
            .validate("mu", false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least one value"), "{e}");
        assert!(
            Schedule::Linear {
                start: 1.0,
                end: 0.0
            }
            .validate("T", false)
            .is_ok()
        );
    }
}
