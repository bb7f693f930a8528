//! Encoding signals: many signals against one dictionary, each a network on the shared run
//! loop, all advanced together; warm starts; the regularisation path; trajectories.

use super::certificate::{Report, evaluate};
use super::dictionary::Dictionary;
use super::flow::{SparseFlow, gram_product};
use super::inertial::InertialSparseFlow;
use super::network::{Network, SparseParams};
use crate::error::{Error, Result};
use crate::linalg::check_dense_size;
use crate::run::{BatchObservation, BatchSolution, Budget, Observer, Run, Silent, Status};
use crate::step::Euler;
use faer::{Mat, MatRef};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A sparse coder: a dictionary and the network that encodes signals against it.
///
/// ```
/// use attractor::models::sparse::{Dictionary, SparseCoder, SparseParams};
/// use attractor::Par;
/// use attractor::run::Budget;
/// // two orthonormal atoms in ℝ³; y = 2·atom₀ ⇒ the non-negative LASSO code is (2 − λ, 0)
/// let phi = faer::mat![[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]];
/// let coder = SparseCoder::new(Dictionary::new(phi, Par::Seq)?.into(), SparseParams::new(0.5, true))?;
/// let y = faer::mat![[2.0], [0.0], [0.0]];
/// let codes = coder.encode(y.as_ref(), &Budget::new())?;
/// assert!((codes.codes[(0, 0)] - 1.5).abs() < 1e-12 && codes.codes[(1, 0)] == 0.0);
/// assert!(codes.certificate[0] <= 1e-6);
/// # Ok::<(), attractor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SparseCoder {
    dict: Arc<Dictionary>,
    params: SparseParams,
    net: Network,
}

/// The codes of a batch of signals and what each is worth.
#[derive(Debug, Clone)]
pub struct SparseCodes {
    /// The codes, one column per signal (`n_atoms × n_signals`; in column-major order this is
    /// scikit-learn's row-major `n_signals × n_atoms`).
    pub codes: Mat<f64>,
    /// `½‖y − Φa‖² + g(a)` per signal.
    pub objective: Vec<f64>,
    /// The duality gap `P(a) − D(ν) ≥ P(a) − P*` per signal (soft-threshold networks; empty
    /// for the hard threshold, which has no dual).
    pub duality_gap: Vec<f64>,
    /// The certificate the run stopped on, per signal: the relative duality gap, or the
    /// relative fixed-point residual (hard threshold).
    pub certificate: Vec<f64>,
    /// Non-zero entries per code.
    pub support: Vec<usize>,
    /// Why each signal stopped ([`Status::Certified`] when its certificate reached `tol`).
    pub status: Vec<Status>,
    /// Euler steps per signal.
    pub n_steps: Vec<usize>,
    /// The `λ` the codes were computed for.
    pub lambda: f64,
    /// Wall-clock time of the whole batch, the products `ΦᵀY` included.
    pub elapsed: Duration,
}

impl SparseCodes {
    /// The number of signals.
    pub fn n_signals(&self) -> usize {
        self.codes.ncols()
    }
    /// The code of signal `j`.
    pub fn code(&self, j: usize) -> &[f64] {
        self.codes.col_as_slice(j)
    }
    /// `Σ_j objective_j`.
    pub fn total_objective(&self) -> f64 {
        self.objective.iter().sum()
    }
    /// The mean number of non-zeros per code.
    pub fn mean_support(&self) -> f64 {
        self.support.iter().sum::<usize>() as f64 / self.support.len().max(1) as f64
    }
    /// The largest certificate over the signals.
    pub fn max_certificate(&self) -> f64 {
        self.certificate.iter().copied().fold(0.0, f64::max)
    }
    /// How many signals were certified.
    pub fn n_certified(&self) -> usize {
        self.status
            .iter()
            .filter(|s| matches!(s, Status::Certified))
            .count()
    }
    /// Wall-clock time per signal.
    pub fn time_per_signal(&self) -> Duration {
        self.elapsed / self.n_signals().max(1) as u32
    }
    /// How many signals ended with each status, e.g. `"998 certified, 2 max steps"`.
    pub fn summary(&self) -> String {
        crate::run::status::summary(&self.status)
    }
}

/// The network's path from its initial state for one signal ([`SparseCoder::trajectory`]).
#[derive(Debug, Clone)]
pub struct SparseTrajectory {
    /// Times of the recorded points.
    pub t: Vec<f64>,
    /// The code `a(t)` at each point (`n_atoms × n_points`).
    pub codes: Mat<f64>,
    /// The objective at each point.
    pub objective: Vec<f64>,
    /// The certificate at each point.
    pub certificate: Vec<f64>,
    /// The final code and its report.
    pub end: SparseCodes,
}

impl SparseCoder {
    /// A coder for `dict` with `params` (checked here).
    pub fn new(dict: Arc<Dictionary>, params: SparseParams) -> Result<Self> {
        params.validate()?;
        let net = params.network(dict.lipschitz());
        Ok(Self { dict, params, net })
    }
    /// The dictionary.
    pub fn dictionary(&self) -> &Dictionary {
        &self.dict
    }
    /// The parameters.
    pub fn params(&self) -> &SparseParams {
        &self.params
    }
    /// The proximal step `γ` in use.
    pub fn gamma(&self) -> f64 {
        self.net.gamma
    }
    /// The contraction rate of the soft-threshold networks' proximal gradient flow when the
    /// least-squares term is strongly convex (`ρ = λ_min(ΦᵀΦ) > 0`):
    /// `1 − max{|1 − γρ|, |1 − γL|}` per time constant (Gokhale, Davydov, Bullo,
    /// arXiv:2409.10664); `None` otherwise (more atoms than features, or the hard threshold).
    /// The first call computes the spectrum of `ΦᵀΦ`.
    pub fn contraction_rate(&self) -> Result<Option<f64>> {
        if !self.net.is_convex() || self.dict.n_atoms() > self.dict.n_features() {
            // more atoms than features: ΦᵀΦ is singular, ρ = 0
            return Ok(None);
        }
        let (rho, l) = self.dict.spectrum()?;
        Ok(crate::flow::proximal_contraction_rate(
            self.net.gamma,
            rho,
            l,
        ))
    }

    /// Encode the signals (the columns of `signals`, `n_features × n_signals`) from zero codes,
    /// within `budget`: Euler steps per signal ([`DEFAULT_MAX_STEPS`] when it sets none), time
    /// (every signal still running stops, keeping its state) and interrupt.
    ///
    /// [`DEFAULT_MAX_STEPS`]: super::DEFAULT_MAX_STEPS
    pub fn encode(&self, signals: MatRef<'_, f64>, budget: &Budget) -> Result<SparseCodes> {
        self.encode_from(signals, None, budget)
    }

    /// Encode from initial codes `init` (`n_atoms × n_signals`, a warm start; non-negative for
    /// non-negative codes), or from zero, within `budget` (as [`encode`](Self::encode)).
    pub fn encode_from(
        &self,
        signals: MatRef<'_, f64>,
        init: Option<MatRef<'_, f64>>,
        budget: &Budget,
    ) -> Result<SparseCodes> {
        let start = Instant::now();
        let b = self.dict.correlations(signals)?;
        let yy: Vec<f64> = (0..signals.ncols())
            .map(|j| signals.col(j).iter().map(|v| v * v).sum())
            .collect();
        let x0 = self.initial_states(&b, init)?;
        let run = self.run(budget)?;
        let flow = SparseFlow::new(
            &self.dict,
            self.net,
            b.as_ref(),
            &yy,
            self.params.equilibrium_solve,
        );
        let sol = self.solve(&run, flow, x0, Silent)?;
        let n = self.dict.n_atoms();
        let mut out = self.report(&b, &yy, sol.states.as_ref().subrows(0, n));
        out.status = sol.columns.iter().map(|c| c.status.clone()).collect();
        out.n_steps = sol.columns.iter().map(|c| c.n_steps).collect();
        out.elapsed = start.elapsed();
        Ok(out)
    }

    /// The regularisation path: the codes for each `λ` of `lambdas` (decreasing), each run
    /// warm-started from the codes of the previous `λ`; `budget` bounds each `λ`'s encode (its
    /// interrupt stops the path at the `λ` it is on).
    pub fn path(
        &self,
        signals: MatRef<'_, f64>,
        lambdas: &[f64],
        budget: &Budget,
    ) -> Result<Vec<SparseCodes>> {
        if lambdas.is_empty() {
            return Err(Error::invalid(
                "lambdas",
                "[]",
                "give at least one l1 weight",
            ));
        }
        // a NaN weight is refused by the coder of that weight
        if let Some(w) = lambdas.windows(2).find(|w| w[1] > w[0]) {
            return Err(Error::invalid(
                "lambdas",
                format!("{} then {}", w[0], w[1]),
                "the path runs over decreasing l1 weights (warm starts follow the solution as lambda shrinks)",
            ));
        }
        let mut out: Vec<SparseCodes> = Vec::with_capacity(lambdas.len());
        for &lambda in lambdas {
            let mut params = self.params.clone();
            params.lambda = lambda;
            params.gamma = Some(self.net.gamma);
            let coder = SparseCoder::new(self.dict.clone(), params)?;
            let init = out.last().map(|c| c.codes.as_ref());
            let codes = coder.encode_from(signals, init, budget)?;
            let stopped = budget.is_interrupted();
            out.push(codes);
            if stopped {
                break;
            }
        }
        Ok(out)
    }

    /// The network's own trajectory for one signal (the inertial network's with a
    /// [`Momentum`](super::Momentum)), without the equilibrium solve: the code, objective and
    /// certificate every `every` steps (at most `max_points` points; the stride
    /// doubles when full), until the certificate reaches `tol` or `budget` is spent.
    pub fn trajectory(
        &self,
        signal: &[f64],
        init: Option<&[f64]>,
        every: usize,
        max_points: usize,
        budget: &Budget,
    ) -> Result<SparseTrajectory> {
        if every == 0 {
            return Err(Error::invalid("every", 0, "record every k >= 1 steps"));
        }
        if max_points < 2 {
            return Err(Error::invalid(
                "max_points",
                max_points,
                "keep at least 2 points",
            ));
        }
        let start = Instant::now();
        let y = MatRef::from_column_major_slice(signal, signal.len(), 1);
        let b = self.dict.correlations(y)?;
        let yy = vec![signal.iter().map(|v| v * v).sum::<f64>()];
        let init = init.map(|a| MatRef::from_column_major_slice(a, a.len(), 1));
        let x0 = self.initial_states(&b, init)?;
        let run = self.run(budget)?;
        let n = self.dict.n_atoms();
        let mut rec = Recorder {
            net: self.net,
            g: self.dict.gram_mat(),
            b: b.col_as_slice(0),
            yy: yy[0],
            stride: every,
            max_points,
            t: Vec::new(),
            codes: Vec::new(),
            objective: Vec::new(),
            certificate: Vec::new(),
            a: vec![0.0; n],
            c: vec![0.0; n],
        };
        let flow = SparseFlow::new(&self.dict, self.net, b.as_ref(), &yy, false);
        // (the record takes the first n rows of a state: the codes' states of an inertial one)
        let sol = self.solve(&run, flow, x0, |o: &BatchObservation<'_>| {
            if o.step.is_multiple_of(rec.stride) || o.n_active == 0 {
                rec.record(o.t, o.x.col(0).iter().copied());
            }
            ControlFlow::Continue(())
        })?;
        // the final state
        if rec.t.last() != Some(&sol.columns[0].t) {
            rec.record(sol.columns[0].t, sol.states.col(0).iter().copied());
        }
        let mut end = self.report(&b, &yy, sol.states.as_ref().subrows(0, n));
        end.status = vec![sol.columns[0].status.clone()];
        end.n_steps = vec![sol.columns[0].n_steps];
        end.elapsed = start.elapsed();
        let k = rec.t.len();
        Ok(SparseTrajectory {
            t: rec.t,
            codes: Mat::from_fn(n, k, |i, j| rec.codes[j * n + i]),
            objective: rec.objective,
            certificate: rec.certificate,
            end,
        })
    }

    /// Run the network on the shared loop from the first-order states `x0`: the first-order
    /// field itself, or its inertial version on `[x0; 0; 0]` ([`Momentum`](super::Momentum)).
    /// The states of the solution have the codes' states in their first `n` rows.
    fn solve<O>(
        &self,
        run: &Run,
        flow: SparseFlow<'_>,
        x0: Mat<f64>,
        observer: O,
    ) -> Result<BatchSolution>
    where
        O: for<'o> Observer<BatchObservation<'o>>,
    {
        let momentum = self.params.momentum;
        if !momentum.is_inertial() {
            let mut flow = flow;
            return run.solve_batch_with_observer(
                &mut flow,
                &mut Euler::new(),
                x0.as_ref(),
                observer,
            );
        }
        let z0 = InertialSparseFlow::initial_states(x0.as_ref());
        let mut inertial = InertialSparseFlow::new(flow, &self.net, momentum, self.params.dt);
        run.solve_batch_with_observer(&mut inertial, &mut Euler::new(), z0.as_ref(), observer)
    }

    fn run(&self, budget: &Budget) -> Result<Run> {
        let p = &self.params;
        if budget.max_steps() == Some(0) {
            return Err(Error::invalid("max_iter", 0, "allow at least one step"));
        }
        let steps = budget.max_steps().unwrap_or(super::DEFAULT_MAX_STEPS);
        Run::new(p.dt)?
            .with_budget(budget.clone().max_steps_limit(Some(steps)))
            .energy_every(0)
            .certify(p.tol, p.check_every)
    }

    /// The networks' initial states: zero, or the states whose codes are `init`.
    fn initial_states(&self, b: &Mat<f64>, init: Option<MatRef<'_, f64>>) -> Result<Mat<f64>> {
        let (n, k) = (b.nrows(), b.ncols());
        check_dense_size("codes (n_atoms x n_signals)", n, k)?;
        let Some(a0) = init else {
            return Ok(Mat::zeros(n, k));
        };
        if a0.nrows() != n || a0.ncols() != k {
            return Err(Error::Incompatible(format!(
                "the initial codes are {} x {} but the problem needs n_signals x n_atoms = {k} x {n}",
                a0.ncols(),
                a0.nrows()
            )));
        }
        super::dictionary::check_columns_finite("initial codes", "signal", a0)?;
        if self.params.positive
            && let Some((i, j)) =
                (0..k).find_map(|j| (0..n).find(|&i| a0[(i, j)] < 0.0).map(|i| (i, j)))
        {
            return Err(Error::invalid(
                "initial codes",
                format!("{} (signal {j}, atom {i})", a0[(i, j)]),
                "non-negative codes need a non-negative warm start",
            ));
        }
        if !self.params.method.has_internal_state() {
            return Ok(a0.to_owned());
        }
        // LCA: the internal state u = a + γ(b − Ga) maps to a's proximal gradient step
        let ga = self.dict.gram() * a0;
        Ok(Mat::from_fn(n, k, |i, j| {
            self.net.state_of(a0[(i, j)], b[(i, j)] - ga[(i, j)])
        }))
    }

    /// Codes, objectives and certificates of final states.
    fn report(&self, b: &Mat<f64>, yy: &[f64], states: MatRef<'_, f64>) -> SparseCodes {
        let (n, k) = (states.nrows(), states.ncols());
        let codes = Mat::from_fn(n, k, |i, j| self.net.code(states[(i, j)]));
        let flat: Vec<f64> = (0..k)
            .flat_map(|j| codes.col_as_slice(j).to_vec())
            .collect();
        let mut ga = vec![0.0; n * k];
        gram_product(self.dict.gram_mat(), &flat, &mut ga, self.dict.par());
        let reports: Vec<Report> = (0..k)
            .map(|j| {
                let c = &mut ga[j * n..(j + 1) * n];
                for (ci, bi) in c.iter_mut().zip(b.col_as_slice(j)) {
                    *ci = bi - *ci;
                }
                evaluate(
                    &self.net,
                    codes.col_as_slice(j),
                    b.col_as_slice(j),
                    c,
                    yy[j],
                )
            })
            .collect();
        SparseCodes {
            objective: reports.iter().map(|r| r.objective).collect(),
            duality_gap: reports.iter().filter_map(|r| r.gap).collect(),
            certificate: reports.iter().map(|r| r.certificate).collect(),
            support: reports.iter().map(|r| r.support).collect(),
            status: Vec::new(),
            n_steps: Vec::new(),
            lambda: self.params.lambda,
            elapsed: Duration::ZERO,
            codes,
        }
    }
}

/// What [`SparseCoder::trajectory`] keeps: bounded, thinned by doubling the stride.
struct Recorder<'a> {
    net: Network,
    g: &'a Mat<f64>,
    b: &'a [f64],
    yy: f64,
    stride: usize,
    max_points: usize,
    t: Vec<f64>,
    codes: Vec<f64>,
    objective: Vec<f64>,
    certificate: Vec<f64>,
    a: Vec<f64>,
    c: Vec<f64>,
}

impl Recorder<'_> {
    fn record(&mut self, t: f64, state: impl Iterator<Item = f64>) {
        for (a, s) in self.a.iter_mut().zip(state) {
            *a = self.net.code(s);
        }
        crate::linalg::matvec_into(self.g.as_ref(), &self.a, &mut self.c);
        for (c, b) in self.c.iter_mut().zip(self.b) {
            *c = b - *c;
        }
        let r = evaluate(&self.net, &self.a, self.b, &self.c, self.yy);
        if self.t.len() == self.max_points {
            // keep every other point, double the stride
            let n = self.a.len();
            let keep: Vec<usize> = (0..self.t.len()).step_by(2).collect();
            for (dst, &src) in keep.iter().enumerate() {
                self.t[dst] = self.t[src];
                self.objective[dst] = self.objective[src];
                self.certificate[dst] = self.certificate[src];
                self.codes.copy_within(src * n..(src + 1) * n, dst * n);
            }
            self.t.truncate(keep.len());
            self.objective.truncate(keep.len());
            self.certificate.truncate(keep.len());
            self.codes.truncate(keep.len() * n);
            self.stride *= 2;
        }
        self.t.push(t);
        self.codes.extend_from_slice(&self.a);
        self.objective.push(r.objective);
        self.certificate.push(r.certificate);
    }
}
