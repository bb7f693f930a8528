//! The one run loop: a single run is a batch of one. A single run and the matching column of a
//! batch (of one, or of many with a fixed-step stepper) report the same run: status, steps,
//! time, state, energy, trace, recorded quantities, best state and Lyapunov monitor, bit for
//! bit, when the batched field evaluates each column with the same arithmetic as the single
//! field.

use attractor::flow::VectorField;
use attractor::run::{BatchField, ColumnResult, Run, Solution, Status};
use attractor::step::{Dopri5, Euler, Rk4, Stepper};
use faer::{Mat, MatMut, MatRef};

/// `ẋ = A x` in the plane with `E(x) = ½(x₀² + 4x₁²)`, as a single field and as a batched one
/// that applies the same arithmetic to each column.
#[derive(Clone, Copy)]
struct Linear {
    a: [[f64; 2]; 2],
}

impl Linear {
    /// The gradient flow of `E`: `ẋ = −(x₀, 4x₁)`, which descends it.
    fn descent() -> Self {
        Self {
            a: [[-1.0, 0.0], [0.0, -4.0]],
        }
    }
    /// A growing spiral, along which `E` rises and falls: the best state is not the last.
    fn spiral() -> Self {
        Self {
            a: [[0.02, 1.0], [-1.0, 0.02]],
        }
    }
    fn f(&self, x: &[f64], dx: &mut [f64]) {
        dx[0] = self.a[0][0] * x[0] + self.a[0][1] * x[1];
        dx[1] = self.a[1][0] * x[0] + self.a[1][1] * x[1];
    }
    fn e(x: &[f64]) -> f64 {
        0.5 * (x[0] * x[0] + 4.0 * x[1] * x[1])
    }
}

impl VectorField for Linear {
    fn dim(&self) -> usize {
        2
    }
    fn eval_into(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        self.f(x, dx);
    }
    fn energy_at(&mut self, _t: f64, x: &[f64]) -> Option<f64> {
        Some(Self::e(x))
    }
}

impl BatchField for Linear {
    fn dim(&self) -> usize {
        2
    }
    fn eval_batch_into(&mut self, _t: f64, x: MatRef<'_, f64>, mut dx: MatMut<'_, f64>) {
        for j in 0..x.ncols() {
            let xj = [x[(0, j)], x[(1, j)]];
            let mut d = [0.0; 2];
            self.f(&xj, &mut d);
            dx[(0, j)] = d[0];
            dx[(1, j)] = d[1];
        }
    }
    fn energies_into(&mut self, _t: f64, x: MatRef<'_, f64>, out: &mut [f64]) -> bool {
        for (j, o) in out.iter_mut().enumerate().take(x.ncols()) {
            *o = Self::e(&[x[(0, j)], x[(1, j)]]);
        }
        true
    }
}

fn columns(x0: &[[f64; 2]]) -> Mat<f64> {
    Mat::from_fn(2, x0.len(), |i, j| x0[j][i])
}

/// Every field of a single run equals the matching column of a batch.
fn assert_same_run(single: &Solution, column: &ColumnResult, state: &[f64], what: &str) {
    assert_eq!(single.status, column.status, "{what}: status");
    assert_eq!(single.n_steps, column.n_steps, "{what}: steps");
    assert_eq!(single.t.to_bits(), column.t.to_bits(), "{what}: t");
    assert_eq!(single.state, state, "{what}: state");
    assert_eq!(single.energy, column.energy, "{what}: energy");
    assert_eq!(single.trace, column.trace, "{what}: trace");
    assert_eq!(single.quantities, column.quantities, "{what}: quantities");
    assert_eq!(single.best, column.best, "{what}: best");
    assert_eq!(
        single.max_energy_increase, column.max_energy_increase,
        "{what}: Lyapunov monitor"
    );
}

fn traced(run: Run) -> Run {
    run.keep_best(true)
        .trace_capacity(64)
        .unwrap()
        .record("norm", |_, x: &[f64]| x[0].hypot(x[1]))
        .energy_every(3)
}

fn check_batch_of_one<S>(make: impl Fn() -> S, name: &str)
where
    S: Stepper<Linear> + for<'f> Stepper<attractor::run::Flattened<'f, Linear>>,
{
    let run = traced(
        Run::new(0.01)
            .unwrap()
            .max_steps(4000)
            .steady_state(1e-6, 1e-9)
            .unwrap(),
    );
    let x0 = [0.7, -1.3];
    let single = run.solve(&mut Linear::descent(), &mut make(), &x0).unwrap();
    let batch = run
        .solve_batch(&mut Linear::descent(), &mut make(), columns(&[x0]).as_ref())
        .unwrap();
    assert_eq!(single.status, Status::Converged, "{name}");
    assert!(single.trace.len() > 2 && single.best.is_some(), "{name}");
    assert_same_run(&single, &batch.columns[0], batch.state(0), name);
    assert_eq!(single.n_evals, batch.n_evals, "{name}: evaluations");
    assert_eq!(
        single.n_rejected, batch.n_rejected,
        "{name}: rejected steps"
    );
    assert_eq!(single.n_steps, batch.n_steps, "{name}: batched steps");
}

#[test]
fn a_single_run_and_a_batch_of_one_are_the_same_run() {
    check_batch_of_one(Euler::new, "euler");
    check_batch_of_one(Rk4::new, "rk4");
    // an adaptive stepper too: a batch of one chooses the same step sizes
    check_batch_of_one(|| Dopri5::new(1e-6, 1e-9).unwrap(), "dopri5");
}

#[test]
fn each_column_of_a_fixed_step_batch_is_its_single_run() {
    // columns converge at different steps (and one starts at the equilibrium), leave the batch,
    // and keep their own trace, best state and monitor
    let run = traced(
        Run::new(0.02)
            .unwrap()
            .max_steps(3000)
            .steady_state(1e-6, 1e-9)
            .unwrap(),
    );
    let x0 = [[0.7, -1.3], [0.0, 0.0], [5.0, 0.0], [0.01, 0.02]];
    let batch = run
        .solve_batch(
            &mut Linear::descent(),
            &mut Rk4::new(),
            columns(&x0).as_ref(),
        )
        .unwrap();
    let steps: Vec<usize> = batch.columns.iter().map(|c| c.n_steps).collect();
    assert!(steps.windows(2).any(|w| w[0] != w[1]), "{steps:?}");
    for (j, x) in x0.iter().enumerate() {
        let single = run
            .solve(&mut Linear::descent(), &mut Rk4::new(), x)
            .unwrap();
        assert_same_run(
            &single,
            &batch.columns[j],
            batch.state(j),
            &format!("column {j}"),
        );
    }
}

#[test]
fn each_column_keeps_the_best_state_of_its_single_run() {
    // along the growing spiral the energy rises: the best state is an early one
    let run = Run::new(0.01).unwrap().max_steps(700).keep_best(true);
    let x0 = [[1.0, 0.0], [0.0, 1.0], [0.3, -0.2], [-2.0, 0.5]];
    let batch = run
        .solve_batch(
            &mut Linear::spiral(),
            &mut Euler::new(),
            columns(&x0).as_ref(),
        )
        .unwrap();
    for (j, x) in x0.iter().enumerate() {
        let single = run
            .solve(&mut Linear::spiral(), &mut Euler::new(), x)
            .unwrap();
        let best = batch.columns[j].best.as_ref().unwrap();
        assert_eq!(single.best.as_ref(), Some(best), "column {j}");
        assert!(
            best.step < batch.columns[j].n_steps,
            "column {j}: {}",
            best.step
        );
        assert!(best.energy < batch.columns[j].energy.unwrap(), "column {j}");
        assert!(
            batch.columns[j].max_energy_increase.unwrap() > 0.0,
            "column {j}"
        );
        // no trace was asked for: none is kept
        assert!(batch.columns[j].trace.is_empty() && batch.columns[j].quantities.is_empty());
    }
    // and without keep_best, no best state
    let plain = Run::new(0.01)
        .unwrap()
        .max_steps(10)
        .solve_batch(
            &mut Linear::spiral(),
            &mut Euler::new(),
            columns(&x0).as_ref(),
        )
        .unwrap();
    assert!(plain.columns.iter().all(|c| c.best.is_none()));
}

#[test]
fn stop_when_stops_each_column_of_a_batch_on_its_own() {
    let run = Run::new(0.01)
        .unwrap()
        .max_steps(100_000)
        .stop_when(5, |_, x: &[f64]| x[0].hypot(x[1]) < 0.1)
        .unwrap();
    // the first column starts certified and takes no step
    let x0 = [[0.05, 0.0], [1.0, 0.0], [2.0, 1.0], [30.0, 0.0]];
    let batch = run
        .solve_batch(
            &mut Linear::descent(),
            &mut Euler::new(),
            columns(&x0).as_ref(),
        )
        .unwrap();
    assert_eq!(batch.columns[0].n_steps, 0);
    for (j, x) in x0.iter().enumerate() {
        let single = run
            .solve(&mut Linear::descent(), &mut Euler::new(), x)
            .unwrap();
        let c = &batch.columns[j];
        assert_eq!(c.status, Status::Certified, "column {j}");
        assert_eq!(single.status, Status::Certified, "column {j}");
        assert_eq!(single.n_steps, c.n_steps, "column {j}");
        assert_eq!(c.n_steps % 5, 0, "column {j}: checked every 5 steps");
        assert_eq!(single.state, batch.state(j), "column {j}");
    }
    assert!(batch.columns[3].n_steps > batch.columns[1].n_steps);
}

#[test]
fn a_diverging_column_stops_alone_with_its_last_finite_state() {
    // Euler at dt = 0.6 is unstable along x₁ (factor 1 − 4·0.6 = −1.4), stable along x₀
    let run = Run::new(0.6)
        .unwrap()
        .max_steps(10_000)
        .steady_state(1e-9, 1e-12)
        .unwrap()
        .keep_best(true);
    let x0 = [[1.0, 0.0], [1.0, 1.0]];
    let batch = run
        .solve_batch(
            &mut Linear::descent(),
            &mut Euler::new(),
            columns(&x0).as_ref(),
        )
        .unwrap();
    assert_eq!(batch.columns[0].status, Status::Converged);
    match &batch.columns[1].status {
        Status::Diverged(why) => assert!(
            why.contains("the energy of column 1 became non-finite"),
            "{why}"
        ),
        s => panic!("column 1: {s:?}"),
    }
    for (j, x) in x0.iter().enumerate() {
        let single = run
            .solve(&mut Linear::descent(), &mut Euler::new(), x)
            .unwrap();
        let c = &batch.columns[j];
        assert_eq!(single.n_steps, c.n_steps, "column {j}");
        assert_eq!(single.t.to_bits(), c.t.to_bits(), "column {j}");
        assert_eq!(single.state, batch.state(j), "column {j}");
        assert_eq!(single.best, c.best, "column {j}");
        assert_eq!(single.energy, c.energy, "column {j}");
        assert!(single.state.iter().all(|v| v.is_finite()));
        if j == 1 {
            match &single.status {
                Status::Diverged(why) => {
                    assert!(why.contains("the energy became non-finite"), "{why}")
                }
                s => panic!("single run: {s:?}"),
            }
        }
    }
}
