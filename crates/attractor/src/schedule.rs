//! Schedules: a value that moves over the course of a run — an inverse temperature `β`
//! annealed by a sampler, a temperature `T`, a strength `μ` ramped by a machine — given once
//! and read by step (`at(k, n)`, `k = 0 … n − 1`) or by the fraction of the run done
//! (`at_fraction(u)`, `u ∈ [0, 1]`), so every family that anneals uses the same four shapes.
//! A [`Ramp`] lays a schedule over a span of steps or of time and holds its last value after
//! it (the Langevin temperature `T(t)`). Users: simulated annealing's `β`, the Langevin
//! sampler's and flow's `T`, AIS's `β_k`, the oscillator machine's `μ` and noise over a round.
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

/// A [`Schedule`] laid over a span of steps or of time: the value at `x` is the schedule's at
/// the fraction `min(x/span, 1)`, so it holds its end value after the span.
///
/// ```
/// use attractor::schedule::{Ramp, Schedule};
/// let t = Ramp::geometric(5.0, 0.5, 100.0);
/// t.validate("temperature", true)?;
/// assert_eq!(t.at(0.0), 5.0);
/// assert!((t.at(100.0) - 0.5).abs() < 1e-12);
/// assert!((t.at(1e6) - 0.5).abs() < 1e-12); // held after the span
/// assert_eq!(Ramp::constant(2.0).at(7.0), 2.0);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ramp {
    /// The shape.
    pub schedule: Schedule,
    /// The steps or the time over which it goes from its start to its end (`> 0`).
    pub span: f64,
}

impl Ramp {
    /// A schedule over `span`.
    pub fn over(schedule: Schedule, span: f64) -> Self {
        Self { schedule, span }
    }
    /// The same value throughout.
    pub fn constant(v: f64) -> Self {
        Self::over(Schedule::Constant(v), 1.0)
    }
    /// Linear from `start` to `end` over `span`.
    pub fn linear(start: f64, end: f64, span: f64) -> Self {
        Self::over(Schedule::Linear { start, end }, span)
    }
    /// Geometric from `start` to `end` (both `> 0`) over `span`.
    pub fn geometric(start: f64, end: f64, span: f64) -> Self {
        Self::over(Schedule::Geometric { start, end }, span)
    }
    /// Check the values ([`Schedule::validate`]) and, unless constant, that the span is finite
    /// and `> 0`; `what` names the quantity.
    pub fn validate(&self, what: &str, positive: bool) -> Result<()> {
        self.schedule.validate(what, positive)?;
        let moves = !matches!(self.schedule, Schedule::Constant(_));
        if moves && !(self.span.is_finite() && self.span > 0.0) {
            return Err(Error::invalid(
                &format!("{what} span"),
                crate::format_number(self.span),
                "anneal over a finite span > 0 (of steps or of time), or use a constant",
            ));
        }
        Ok(())
    }
    /// The value at `x` (a step or a time).
    pub fn at(&self, x: f64) -> f64 {
        match self.schedule {
            Schedule::Constant(v) => v,
            _ => self.schedule.at_fraction((x / self.span).clamp(0.0, 1.0)),
        }
    }
}

/// A training hyperparameter (a learning rate, a momentum) as a function of the epoch
/// `t = 0, 1, 2, …`, around a base value `v₀` given beside it, with no end of training fixed in
/// advance (a run may be stopped by time or continued by another call). The shapes are the
/// ones the RBM literature uses: a learning rate decayed linearly, exponentially or as `1/t`
/// (Robbins & Monro 1951; Tieleman, ICML 2008, decays PCD's rate linearly to zero), and a
/// momentum held low for the first epochs and then raised (Hinton, "A practical guide to
/// training restricted Boltzmann machines", 2010: 0.5 for 5 epochs, then 0.9).
///
/// ```
/// use attractor::schedule::PerEpoch;
/// let lr = PerEpoch::InverseTime { tau: 10.0 };
/// assert_eq!(lr.at(0.1, 0), 0.1);
/// assert!((lr.at(0.1, 10) - 0.05).abs() < 1e-15);
/// let m = PerEpoch::Step { before: 0.5, epochs: 5 };
/// assert_eq!((m.at(0.9, 4), m.at(0.9, 5)), (0.5, 0.9));
/// assert!(PerEpoch::Linear { end: -0.1, epochs: 10 }.validate("learning_rate", 0.1, true, None).is_err());
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PerEpoch {
    /// `v(t) = v₀`.
    #[default]
    Constant,
    /// `v(t) = v₀ + min(t/epochs, 1)·(end − v₀)`: linear from the base value to `end` over
    /// `epochs` epochs, then `end`.
    Linear {
        /// The value reached after `epochs` epochs and kept after.
        end: f64,
        /// The epochs the ramp takes (`≥ 1`).
        epochs: usize,
    },
    /// `v(t) = v₀·factor^t` (`0 < factor ≤ 1`).
    Exponential {
        /// The ratio between consecutive epochs.
        factor: f64,
    },
    /// `v(t) = v₀/(1 + t/τ)` (`τ > 0`): halved after `τ` epochs, `O(1/t)` after.
    InverseTime {
        /// The epochs after which the value is halved.
        tau: f64,
    },
    /// `v(t) = before` for `t < epochs`, then `v₀`.
    Step {
        /// The value of the first `epochs` epochs.
        before: f64,
        /// How many epochs take `before`.
        epochs: usize,
    },
}

impl PerEpoch {
    /// The value at epoch `t` around the base value `base`.
    pub fn at(&self, base: f64, t: usize) -> f64 {
        let tf = t as f64;
        match *self {
            PerEpoch::Constant => base,
            PerEpoch::Linear { end, epochs } => {
                if t >= epochs {
                    return end;
                }
                base + (tf / epochs.max(1) as f64) * (end - base)
            }
            PerEpoch::Exponential { factor } => base * factor.powf(tf),
            PerEpoch::InverseTime { tau } => base / (1.0 + tf / tau),
            PerEpoch::Step { before, epochs } => {
                if t < epochs {
                    before
                } else {
                    base
                }
            }
        }
    }

    /// Check that every value the schedule can take around `base` is finite and `> 0` (where
    /// `positive`) or `≥ 0`, and `< below` when given (a momentum stays below 1); `what` names
    /// the hyperparameter in the message.
    pub fn validate(
        &self,
        what: &str,
        base: f64,
        positive: bool,
        below: Option<f64>,
    ) -> Result<()> {
        let range = match below {
            Some(b) => format!("in [0, {b})"),
            None if positive => "finite and > 0".to_string(),
            None => "finite and >= 0".to_string(),
        };
        let check = |name: String, v: f64| -> Result<()> {
            let lower = if positive { v > 0.0 } else { v >= 0.0 };
            let upper = below.is_none_or(|b| v < b);
            if v.is_finite() && lower && upper {
                Ok(())
            } else {
                Err(Error::invalid(
                    &name,
                    crate::format_number(v),
                    &format!("every value of the {what} schedule must be {range}"),
                ))
            }
        };
        check(what.to_string(), base)?;
        match *self {
            PerEpoch::Constant => Ok(()),
            PerEpoch::Linear { end, epochs } => {
                if epochs == 0 {
                    return Err(Error::invalid(
                        &format!("{what} schedule epochs"),
                        0,
                        "a linear schedule ramps over at least one epoch (e.g. 100)",
                    ));
                }
                check(format!("{what} schedule end"), end)
            }
            PerEpoch::Exponential { factor } => {
                if factor.is_finite() && factor > 0.0 && factor <= 1.0 {
                    Ok(())
                } else {
                    Err(Error::invalid(
                        &format!("{what} schedule factor"),
                        crate::format_number(factor),
                        "an exponential decay multiplies by a factor in (0, 1] per epoch (e.g. 0.98)",
                    ))
                }
            }
            PerEpoch::InverseTime { tau } => {
                if tau.is_finite() && tau > 0.0 {
                    Ok(())
                } else {
                    Err(Error::invalid(
                        &format!("{what} schedule tau"),
                        crate::format_number(tau),
                        "a 1/t decay halves the value after tau > 0 epochs (e.g. 10)",
                    ))
                }
            }
            PerEpoch::Step { before, .. } => {
                check(format!("{what} schedule's first value"), before)
            }
        }
    }
}

/// The textual form used by the command line and Python: `constant`, `linear:END:EPOCHS`,
/// `exponential:FACTOR` (or `exp:`), `inverse:TAU` (or `inv:`), `step:BEFORE:EPOCHS`. Values
/// are checked later, against the base value ([`PerEpoch::validate`]).
impl std::str::FromStr for PerEpoch {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let forms = "use constant, linear:END:EPOCHS, exponential:FACTOR, inverse:TAU or step:BEFORE:EPOCHS (e.g. linear:0.001:50)";
        let parts: Vec<&str> = s.trim().split(':').map(str::trim).collect();
        let num = |i: usize| -> Result<f64> {
            parts
                .get(i)
                .and_then(|x| x.parse::<f64>().ok())
                .ok_or_else(|| Error::invalid("schedule", s, forms))
        };
        let epochs = |i: usize| -> Result<usize> {
            parts
                .get(i)
                .and_then(|x| x.parse::<usize>().ok())
                .ok_or_else(|| Error::invalid("schedule", s, forms))
        };
        let arity = |n: usize| -> Result<()> {
            if parts.len() == n {
                Ok(())
            } else {
                Err(Error::invalid("schedule", s, forms))
            }
        };
        match parts[0].to_ascii_lowercase().as_str() {
            "constant" => {
                arity(1)?;
                Ok(PerEpoch::Constant)
            }
            "linear" => {
                arity(3)?;
                Ok(PerEpoch::Linear {
                    end: num(1)?,
                    epochs: epochs(2)?,
                })
            }
            "exponential" | "exp" => {
                arity(2)?;
                Ok(PerEpoch::Exponential { factor: num(1)? })
            }
            "inverse" | "inv" => {
                arity(2)?;
                Ok(PerEpoch::InverseTime { tau: num(1)? })
            }
            "step" => {
                arity(3)?;
                Ok(PerEpoch::Step {
                    before: num(1)?,
                    epochs: epochs(2)?,
                })
            }
            _ => Err(Error::invalid("schedule", s, forms)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PerEpoch, Schedule};

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

    #[test]
    fn per_epoch_shapes_and_refusals() {
        let lin = PerEpoch::Linear {
            end: 0.01,
            epochs: 10,
        };
        assert_eq!(lin.at(0.1, 0), 0.1);
        assert!((lin.at(0.1, 5) - 0.055).abs() < 1e-15);
        assert_eq!(lin.at(0.1, 10), 0.01);
        assert_eq!(lin.at(0.1, 1000), 0.01);
        let ex = PerEpoch::Exponential { factor: 0.5 };
        assert_eq!(ex.at(1.0, 3), 0.125);
        assert_eq!(PerEpoch::Constant.at(0.3, 99), 0.3);
        // a schedule that would go negative, or a momentum that would reach 1, is refused
        let e = PerEpoch::Linear {
            end: -0.1,
            epochs: 10,
        }
        .validate("learning_rate", 0.1, true, None)
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("learning_rate schedule end") && e.contains("> 0"),
            "{e}"
        );
        let e = PerEpoch::Step {
            before: 1.0,
            epochs: 5,
        }
        .validate("momentum", 0.9, false, Some(1.0))
        .unwrap_err()
        .to_string();
        assert!(e.contains("momentum") && e.contains("[0, 1)"), "{e}");
        assert!(
            PerEpoch::Exponential { factor: 1.5 }
                .validate("learning_rate", 0.1, true, None)
                .is_err()
        );
        assert!(
            PerEpoch::InverseTime { tau: 0.0 }
                .validate("learning_rate", 0.1, true, None)
                .is_err()
        );
        assert!(
            PerEpoch::Step {
                before: 0.5,
                epochs: 5
            }
            .validate("momentum", 0.9, false, Some(1.0))
            .is_ok()
        );
    }

    #[test]
    fn per_epoch_parses_its_textual_forms() {
        let p = |s: &str| s.parse::<PerEpoch>();
        assert_eq!(p("constant").unwrap(), PerEpoch::Constant);
        assert_eq!(
            p("linear:0.001:50").unwrap(),
            PerEpoch::Linear {
                end: 0.001,
                epochs: 50
            }
        );
        assert_eq!(p("exp:0.9").unwrap(), PerEpoch::Exponential { factor: 0.9 });
        assert_eq!(
            p("inverse:10").unwrap(),
            PerEpoch::InverseTime { tau: 10.0 }
        );
        assert_eq!(
            p("step:0.5:5").unwrap(),
            PerEpoch::Step {
                before: 0.5,
                epochs: 5
            }
        );
        for bad in ["", "linear:0.1", "cosine:3", "step:0.5:x", "exp:1:2"] {
            let e = p(bad).unwrap_err().to_string();
            assert!(e.contains("linear:END:EPOCHS"), "{bad}: {e}");
        }
    }
}
