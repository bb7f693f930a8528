//! A batched run that keeps every column's best state, trace and recorded quantity allocates
//! nothing per step: its allocations do not grow with the number of steps. Only the test's own
//! thread is counted (the harness's other threads allocate now and then).

use attractor::models::{Activation, HopfieldNetwork, random_symmetric_weights};
use attractor::run::{BatchField, Flattened, Run};
use attractor::step::{Euler, Rk4, Stepper};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations are counted.
    static COUNTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn count() {
    if COUNTED.try_with(|c| c.get()).unwrap_or(false) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_of_batch<F, S>(flow: &mut F, mut stepper: S, steps: usize) -> usize
where
    F: BatchField,
    S: for<'f> Stepper<Flattened<'f, F>>,
{
    let b = 6;
    let x0 = faer::Mat::from_fn(flow.dim(), b, |i, j| ((i * 5 + j * 3) as f64).sin());
    let run = Run::new(0.01)
        .unwrap()
        .max_steps(steps)
        .trace_capacity(32)
        .unwrap()
        .keep_best(true)
        .trace_columns(true)
        .record("first", |_, x: &[f64]| x[0]);
    let before = ALLOCS.load(Ordering::Relaxed);
    let sol = run.solve_batch(flow, &mut stepper, x0.as_ref()).unwrap();
    let n = ALLOCS.load(Ordering::Relaxed) - before;
    assert_eq!(sol.n_steps, steps);
    assert!(
        sol.columns
            .iter()
            .all(|c| c.best.is_some() && c.trace.len() > 2)
    );
    n
}

#[test]
fn batched_runs_with_best_and_traces_do_not_allocate_per_step() {
    COUNTED.with(|c| c.set(true));
    let net = HopfieldNetwork::new(
        random_symmetric_weights(24, 1.5, 3).unwrap(),
        Activation::Tanh,
    )
    .unwrap()
    .with_par(attractor::Par::Seq);
    for (name, short, long) in [
        (
            "euler",
            allocations_of_batch(&mut net.batch_flow(6), Euler::new(), 10),
            allocations_of_batch(&mut net.batch_flow(6), Euler::new(), 5000),
        ),
        (
            "rk4",
            allocations_of_batch(&mut net.batch_flow(6), Rk4::new(), 10),
            allocations_of_batch(&mut net.batch_flow(6), Rk4::new(), 5000),
        ),
    ] {
        println!("{name}: {short} allocations for 10 steps, {long} for 5000");
        assert_eq!(short, long, "{name} allocates per step");
    }
}
