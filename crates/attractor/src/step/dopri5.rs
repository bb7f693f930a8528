use super::{StepFailure, StepReport, Stepper, resize};
use crate::error::{Result, check_positive};
use crate::flow::VectorField;

// Dormand & Prince, "A family of embedded Runge–Kutta formulae", J. Comput. Appl. Math. 6 (1980).
const C2: f64 = 1.0 / 5.0;
const C3: f64 = 3.0 / 10.0;
const C4: f64 = 4.0 / 5.0;
const C5: f64 = 8.0 / 9.0;
const A21: f64 = 1.0 / 5.0;
const A31: f64 = 3.0 / 40.0;
const A32: f64 = 9.0 / 40.0;
const A41: f64 = 44.0 / 45.0;
const A42: f64 = -56.0 / 15.0;
const A43: f64 = 32.0 / 9.0;
const A51: f64 = 19372.0 / 6561.0;
const A52: f64 = -25360.0 / 2187.0;
const A53: f64 = 64448.0 / 6561.0;
const A54: f64 = -212.0 / 729.0;
const A61: f64 = 9017.0 / 3168.0;
const A62: f64 = -355.0 / 33.0;
const A63: f64 = 46732.0 / 5247.0;
const A64: f64 = 49.0 / 176.0;
const A65: f64 = -5103.0 / 18656.0;
const B1: f64 = 35.0 / 384.0;
const B3: f64 = 500.0 / 1113.0;
const B4: f64 = 125.0 / 192.0;
const B5: f64 = -2187.0 / 6784.0;
const B6: f64 = 11.0 / 84.0;
// Error coefficients: fifth-order minus embedded fourth-order weights.
const E1: f64 = 71.0 / 57600.0;
const E3: f64 = -71.0 / 16695.0;
const E4: f64 = 71.0 / 1920.0;
const E5: f64 = -17253.0 / 339200.0;
const E6: f64 = 22.0 / 525.0;
const E7: f64 = -1.0 / 40.0;

/// The adaptive Dormand–Prince 5(4) method (Dormand & Prince 1980), with first-same-as-last
/// stages and the standard error-per-step controller (Hairer, Nørsett & Wanner, *Solving
/// Ordinary Differential Equations I*, §II.4): a step is accepted when
/// `‖e_i / (atol + rtol·max(|x_i|, |x̂_i|))‖_rms ≤ 1`.
///
/// `rtol` and `atol` are required: there is no default that suits every problem.
///
/// ```
/// use attractor::step::Dopri5;
/// let s = Dopri5::new(1e-8, 1e-10).unwrap();
/// assert!(Dopri5::new(0.0, 1e-10).unwrap_err().to_string().contains("rtol"));
/// ```
#[derive(Debug, Clone)]
pub struct Dopri5 {
    rtol: f64,
    atol: f64,
    h_min: f64,
    h_max: f64,
    safety: f64,
    k: [Vec<f64>; 7],
    tmp: Vec<f64>,
    xnew: Vec<f64>,
}

impl Dopri5 {
    /// Relative and absolute tolerances, both finite and `> 0`.
    pub fn new(rtol: f64, atol: f64) -> Result<Self> {
        check_positive(
            "rtol",
            rtol,
            "give the adaptive stepper a relative tolerance such as 1e-6",
        )?;
        check_positive(
            "atol",
            atol,
            "give the adaptive stepper an absolute tolerance such as 1e-9",
        )?;
        Ok(Self {
            rtol,
            atol,
            h_min: 1e-14,
            h_max: f64::INFINITY,
            safety: 0.9,
            k: Default::default(),
            tmp: Vec::new(),
            xnew: Vec::new(),
        })
    }

    /// Bounds on the step size (`0 < h_min ≤ h_max`); below `h_min` a step fails.
    pub fn with_step_bounds(mut self, h_min: f64, h_max: f64) -> Result<Self> {
        check_positive("h_min", h_min, "the smallest allowed step must be > 0")?;
        if h_max.is_nan() || h_max < h_min {
            return Err(crate::Error::invalid(
                "h_max",
                h_max,
                "the largest allowed step must be >= h_min",
            ));
        }
        self.h_min = h_min;
        self.h_max = h_max;
        Ok(self)
    }

    fn stage(&mut self, x: &[f64], coeffs: &[(usize, f64)], h: f64) {
        for i in 0..x.len() {
            let mut s = 0.0;
            for &(j, a) in coeffs {
                s += a * self.k[j][i];
            }
            self.tmp[i] = x[i] + h * s;
        }
    }
}

impl<F: VectorField + ?Sized> Stepper<F> for Dopri5 {
    fn name(&self) -> &'static str {
        "dopri5"
    }
    fn init(&mut self, f: &mut F, t0: f64, x0: &[f64]) -> usize {
        let n = f.dim();
        for k in self.k.iter_mut() {
            resize(k, n);
        }
        resize(&mut self.tmp, n);
        resize(&mut self.xnew, n);
        f.eval_into(t0, x0, &mut self.k[0]);
        1
    }
    fn is_adaptive(&self) -> bool {
        true
    }
    fn step(
        &mut self,
        f: &mut F,
        t: f64,
        x: &mut [f64],
        h: f64,
    ) -> std::result::Result<StepReport, StepFailure> {
        let mut h = h.min(self.h_max);
        let mut n_evals = 0;
        let mut n_rejected = 0;
        loop {
            if h < self.h_min || !h.is_finite() {
                return Err(StepFailure::StepSizeUnderflow { h });
            }
            self.stage(x, &[(0, A21)], h);
            f.eval_into(t + C2 * h, &self.tmp, &mut self.k[1]);
            self.stage(x, &[(0, A31), (1, A32)], h);
            f.eval_into(t + C3 * h, &self.tmp, &mut self.k[2]);
            self.stage(x, &[(0, A41), (1, A42), (2, A43)], h);
            f.eval_into(t + C4 * h, &self.tmp, &mut self.k[3]);
            self.stage(x, &[(0, A51), (1, A52), (2, A53), (3, A54)], h);
            f.eval_into(t + C5 * h, &self.tmp, &mut self.k[4]);
            self.stage(x, &[(0, A61), (1, A62), (2, A63), (3, A64), (4, A65)], h);
            f.eval_into(t + h, &self.tmp, &mut self.k[5]);
            self.stage(x, &[(0, B1), (2, B3), (3, B4), (4, B5), (5, B6)], h);
            self.xnew.copy_from_slice(&self.tmp);
            f.project_state(&mut self.xnew);
            let (head, tail) = self.k.split_at_mut(6);
            f.eval_into(t + h, &self.xnew, &mut tail[0]);
            n_evals += 6;
            let k7 = &tail[0];
            let mut acc = 0.0;
            for i in 0..x.len() {
                let e = h
                    * (E1 * head[0][i]
                        + E3 * head[2][i]
                        + E4 * head[3][i]
                        + E5 * head[4][i]
                        + E6 * head[5][i]
                        + E7 * k7[i]);
                let sc = self.atol + self.rtol * x[i].abs().max(self.xnew[i].abs());
                let r = e / sc;
                acc += r * r;
            }
            let err = (acc / x.len().max(1) as f64).sqrt();
            // Error-per-step control for an order-4 error estimate: h ∝ err^{-1/5}.
            let factor = if err == 0.0 {
                5.0
            } else if err.is_finite() {
                (self.safety * err.powf(-0.2)).clamp(0.2, 5.0)
            } else {
                0.1
            };
            if err <= 1.0 {
                x.copy_from_slice(&self.xnew);
                self.k.swap(0, 6);
                return Ok(StepReport {
                    h_taken: h,
                    h_next: (h * factor).min(self.h_max),
                    n_evals,
                    n_rejected,
                });
            }
            n_rejected += 1;
            h *= factor.min(1.0);
        }
    }
    fn derivative(&self) -> &[f64] {
        &self.k[0]
    }
}
