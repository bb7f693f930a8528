//! Activation functions `Φ` and the integrals that the energies of Hopfield-type networks need.

/// A scalar, non-decreasing activation `Φ` applied componentwise. All the variants here are
/// slope-restricted in `[0, 1]` (the hypothesis of the contraction test).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `tanh(x)`, range `(−1, 1)`.
    Tanh,
    /// The logistic sigmoid `1/(1 + e^{−x})`, range `(0, 1)`, slope ≤ ¼.
    Logistic,
    /// `max(x, 0)`, range `[0, ∞)`.
    Relu,
    /// Saturated linear `clip(x, −1, 1)`, range `[−1, 1]`.
    SatLinear,
    /// `x`.
    Identity,
}

impl Activation {
    /// All variants, for tests and command-line parsing.
    pub const ALL: [Activation; 5] = [
        Activation::Tanh,
        Activation::Logistic,
        Activation::Relu,
        Activation::SatLinear,
        Activation::Identity,
    ];

    /// The lower-case name ("tanh", "logistic", "relu", "satlin", "identity").
    pub fn name(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Logistic => "logistic",
            Activation::Relu => "relu",
            Activation::SatLinear => "satlin",
            Activation::Identity => "identity",
        }
    }

    /// `Φ(x)`.
    #[inline]
    pub fn phi(self, x: f64) -> f64 {
        match self {
            Activation::Tanh => x.tanh(),
            Activation::Logistic => logistic(x),
            Activation::Relu => x.max(0.0),
            Activation::SatLinear => x.clamp(-1.0, 1.0),
            Activation::Identity => x,
        }
    }

    /// `out_i = Φ(x_i)` over a slice; for `Tanh` the vectorised kernel of
    /// [`crate::fastmath::tanh_into`] (within 2 ulp of libm, several times faster).
    pub fn phi_into(self, x: &[f64], out: &mut [f64]) {
        match self {
            Activation::Tanh => crate::fastmath::tanh_into(x, out),
            _ => {
                for (o, &v) in out.iter_mut().zip(x) {
                    *o = self.phi(v);
                }
            }
        }
    }

    /// `Φ′(x)` (the right derivative at the kinks of ReLU and saturated linear).
    #[inline]
    pub fn dphi(self, x: f64) -> f64 {
        match self {
            Activation::Tanh => {
                let t = x.tanh();
                1.0 - t * t
            }
            Activation::Logistic => {
                let s = logistic(x);
                s * (1.0 - s)
            }
            Activation::Relu => {
                if x >= 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::SatLinear => {
                if (-1.0..1.0).contains(&x) {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Identity => 1.0,
        }
    }

    /// `∫₀ˣ Φ(w) dw`, computed without overflow.
    #[inline]
    pub fn integral(self, x: f64) -> f64 {
        match self {
            // ln cosh x = |x| + ln(1 + e^{−2|x|}) − ln 2
            Activation::Tanh => {
                let a = x.abs();
                a + (-2.0 * a).exp().ln_1p() - std::f64::consts::LN_2
            }
            // softplus(x) − ln 2
            Activation::Logistic => softplus(x) - std::f64::consts::LN_2,
            Activation::Relu => {
                let p = x.max(0.0);
                0.5 * p * p
            }
            Activation::SatLinear => {
                let a = x.abs();
                if a <= 1.0 { 0.5 * x * x } else { a - 0.5 }
            }
            Activation::Identity => 0.5 * x * x,
        }
    }

    /// `Φ⁻¹(r)` on the range of `Φ` (NaN outside). At the boundary of ReLU's and saturated
    /// linear's ranges it returns the element of the (set-valued) inverse nearest 0.
    #[inline]
    pub fn inverse(self, r: f64) -> f64 {
        match self {
            Activation::Tanh => {
                if r.abs() < 1.0 {
                    r.atanh()
                } else {
                    f64::NAN
                }
            }
            Activation::Logistic => {
                if r > 0.0 && r < 1.0 {
                    (r / (1.0 - r)).ln()
                } else {
                    f64::NAN
                }
            }
            Activation::Relu => {
                if r >= 0.0 {
                    r
                } else {
                    f64::NAN
                }
            }
            Activation::SatLinear => {
                if r.abs() <= 1.0 {
                    r
                } else {
                    f64::NAN
                }
            }
            Activation::Identity => r,
        }
    }

    /// `∫₀ʳ Φ⁻¹(s) ds` (for the logistic, from the limit at 0); `+∞` outside the closure of the
    /// range of `Φ`.
    #[inline]
    pub fn integral_inverse(self, r: f64) -> f64 {
        match self {
            // r atanh r + ½ ln(1 − r²)
            Activation::Tanh => {
                let a = r.abs();
                if a < 1.0 {
                    a * a.atanh() + 0.5 * (-a * a).ln_1p()
                } else if a == 1.0 {
                    std::f64::consts::LN_2
                } else {
                    f64::INFINITY
                }
            }
            // r ln r + (1 − r) ln(1 − r)
            Activation::Logistic => {
                if (0.0..=1.0).contains(&r) {
                    xlogx(r) + xlogx(1.0 - r)
                } else {
                    f64::INFINITY
                }
            }
            Activation::Relu => {
                if r >= 0.0 {
                    0.5 * r * r
                } else {
                    f64::INFINITY
                }
            }
            Activation::SatLinear => {
                if r.abs() <= 1.0 {
                    0.5 * r * r
                } else {
                    f64::INFINITY
                }
            }
            Activation::Identity => 0.5 * r * r,
        }
    }

    /// The open-or-closed range of `Φ`, as `(lo, hi)`.
    pub fn range(self) -> (f64, f64) {
        match self {
            Activation::Tanh | Activation::SatLinear => (-1.0, 1.0),
            Activation::Logistic => (0.0, 1.0),
            Activation::Relu => (0.0, f64::INFINITY),
            Activation::Identity => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    /// The supremum of `Φ′` (all variants have `inf Φ′ ≥ 0`).
    pub fn max_slope(self) -> f64 {
        match self {
            Activation::Logistic => 0.25,
            _ => 1.0,
        }
    }

    /// The infimum of `Φ′`: 1 for the identity, 0 for the others (their slopes tend to 0 in
    /// the tails or vanish on a half-line). With [`max_slope`](Self::max_slope) it gives the
    /// slope box `Φ′ ∈ [min_slope, max_slope]` of the contraction certificates
    /// ([`crate::analysis::certify`]).
    pub fn min_slope(self) -> f64 {
        match self {
            Activation::Identity => 1.0,
            _ => 0.0,
        }
    }
}

impl std::str::FromStr for Activation {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                crate::Error::invalid(
                    "activation",
                    s,
                    "choose one of tanh, logistic, relu, satlin, identity",
                )
            })
    }
}

#[inline]
fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[inline]
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

#[inline]
fn xlogx(x: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x * x.ln() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = 1e-6;
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    #[test]
    fn derivatives_and_integrals_match_finite_differences() {
        for a in Activation::ALL {
            for &x in &[-3.1, -0.7, -0.2, 0.3, 0.9, 2.4] {
                let d = central(|v| a.phi(v), x);
                assert!((d - a.dphi(x)).abs() < 1e-7, "{} dphi at {x}", a.name());
                let i = central(|v| a.integral(v), x);
                assert!((i - a.phi(x)).abs() < 1e-7, "{} integral at {x}", a.name());
            }
            assert_eq!(a.integral(0.0).abs(), 0.0, "{}", a.name());
        }
    }

    #[test]
    fn inverse_integrals_match_finite_differences() {
        for a in Activation::ALL {
            let (lo, hi) = a.range();
            for &u in &[0.05, 0.3, 0.5, 0.8, 0.95] {
                let r = if lo.is_finite() && hi.is_finite() {
                    lo + u * (hi - lo)
                } else {
                    4.0 * u - if lo.is_finite() { 0.0 } else { 2.0 }
                };
                let d = central(|v| a.integral_inverse(v), r);
                assert!(
                    (d - a.inverse(r)).abs() < 1e-6,
                    "{} at {r}: {d} vs {}",
                    a.name(),
                    a.inverse(r)
                );
                // Φ(Φ⁻¹(r)) = r
                assert!((a.phi(a.inverse(r)) - r).abs() < 1e-12, "{}", a.name());
            }
        }
    }

    #[test]
    fn no_overflow_for_large_arguments() {
        assert!((Activation::Tanh.integral(800.0) - (800.0 - std::f64::consts::LN_2)).abs() < 1e-9);
        assert!(Activation::Logistic.integral(-800.0).is_finite());
        assert!(Activation::Logistic.phi(-800.0) >= 0.0);
    }

    #[test]
    fn slopes_bound_the_derivative() {
        for a in Activation::ALL {
            for k in -400..=400 {
                let x = k as f64 * 0.02;
                let d = a.dphi(x);
                assert!(
                    d >= a.min_slope() && d <= a.max_slope(),
                    "{} at {x}: {d}",
                    a.name()
                );
            }
        }
    }

    #[test]
    fn parses_names() {
        assert_eq!("relu".parse::<Activation>().unwrap(), Activation::Relu);
        let e = "softmax".parse::<Activation>().unwrap_err().to_string();
        assert!(e.contains("softmax") && e.contains("tanh"), "{e}");
    }
}
