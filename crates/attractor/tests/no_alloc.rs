//! Workspaces are allocated once: the number of heap allocations of a run does not grow with
//! the number of steps. Only the test's own thread is counted (the runs here are sequential):
//! the test harness's other threads allocate now and then, which made a global count flaky
//! under load.

use attractor::models::HopfieldFlow;
use attractor::models::{
    Activation, BoxQp, HopfieldNetwork, PiPgd, PiPgdParams, random_symmetric_weights,
};
use attractor::run::{Budget, Run};
use attractor::step::{Dopri5, Euler, Heun, Rk4, Stepper};
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

fn allocations_of_run<S: for<'a> Stepper<HopfieldFlow<'a>>>(
    net: &HopfieldNetwork,
    make: impl Fn() -> S,
    steps: usize,
) -> usize {
    let x0 = vec![0.3; net.dim()];
    let run = Run::new(0.01)
        .unwrap()
        .max_steps(steps)
        .trace_capacity(64)
        .unwrap()
        .keep_best(true);
    let mut flow = net.flow();
    let mut stepper = make();
    let before = ALLOCS.load(Ordering::Relaxed);
    let sol = run.solve(&mut flow, &mut stepper, &x0).unwrap();
    let after = ALLOCS.load(Ordering::Relaxed);
    assert_eq!(sol.n_steps, steps);
    drop(sol);
    after - before
}

/// Allocations of `BoxQp::solve` (Euler, a `stop_when` on the residual at every step) and of
/// a PI-PGD run, for `steps` steps.
fn allocations_of_constrained(steps: usize) -> (usize, usize) {
    let n = 32;
    let w = faer::Mat::from_fn(n, n, |i, j| {
        if i == j {
            2.0
        } else {
            0.5 / (1.0 + (i as f64 - j as f64).abs())
        }
    });
    let c: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
    let qp = BoxQp::new(w.clone(), c, vec![-0.3; n], vec![0.3; n])
        .unwrap()
        .with_gamma(1e-4)
        .unwrap();
    let before = ALLOCS.load(Ordering::Relaxed);
    let sol = qp.solve(&vec![0.0; n], f64::MIN_POSITIVE, steps).unwrap();
    let qp_allocs = ALLOCS.load(Ordering::Relaxed) - before;
    assert_eq!(sol.n_steps, steps);
    drop(sol);
    let a = faer::Mat::from_fn(4, n, |i, j| (((i + 1) * (j + 1)) as f64 * 0.37).sin());
    let p = PiPgd::new(w, a, vec![0.1; 4], PiPgdParams::default()).unwrap();
    let run = Run::new(0.01)
        .unwrap()
        .max_steps(steps)
        .trace_capacity(64)
        .unwrap();
    let z0 = vec![0.0; p.dim()];
    let mut flow = p.flow();
    let before = ALLOCS.load(Ordering::Relaxed);
    let sol = run.solve(&mut flow, &mut Euler::new(), &z0).unwrap();
    let pi_allocs = ALLOCS.load(Ordering::Relaxed) - before;
    assert_eq!(sol.n_steps, steps);
    (qp_allocs, pi_allocs)
}

/// Allocations of a batched sparse-coding run (the network's dynamics alone, 6 signals) for
/// `steps` steps, certificates checked every 7 steps.
fn allocations_of_sparse(steps: usize) -> usize {
    use attractor::models::sparse::{Dictionary, SparseCoder, SparseParams};
    let inst =
        attractor::problems::SparseInstance::gaussian(20, 40, 4, (1.0, 2.0), true, 5).unwrap();
    let dict = std::sync::Arc::new(Dictionary::new(inst.dictionary, attractor::Par::Seq).unwrap());
    let mut p = SparseParams::new(0.01, true);
    p.equilibrium_solve = false;
    p.tol = 0.0;
    let budget = Budget::steps(steps);
    p.check_every = 7;
    let coder = SparseCoder::new(dict, p).unwrap();
    let y = faer::Mat::from_fn(20, 6, |i, j| inst.signal[i] * (1.0 + j as f64));
    let before = ALLOCS.load(Ordering::Relaxed);
    let codes = coder.encode(y.as_ref(), &budget).unwrap();
    let n = ALLOCS.load(Ordering::Relaxed) - before;
    assert_eq!(codes.n_steps[0], steps);
    n
}

/// Allocations of a neural–synaptic run (the joint flow of neurons and Hebbian/Oja synapses,
/// RK4) for `steps` steps.
fn allocations_of_synaptic(form: attractor::models::NeuralForm, steps: usize) -> usize {
    use attractor::models::{NeuralSynapticNetwork, SynapseMask, SynapticParams, SynapticRule};
    let net = NeuralSynapticNetwork::new(
        SynapseMask::all_to_all(12).unwrap(),
        SynapticParams {
            form,
            rule: SynapticRule::Oja,
            ..Default::default()
        },
    )
    .unwrap();
    let run = Run::new(0.01)
        .unwrap()
        .max_steps(steps)
        .trace_capacity(64)
        .unwrap();
    let z0 = vec![0.2; net.dim()];
    let mut flow = net.flow();
    let before = ALLOCS.load(Ordering::Relaxed);
    let sol = run.solve(&mut flow, &mut Rk4::new(), &z0).unwrap();
    let n = ALLOCS.load(Ordering::Relaxed) - before;
    assert_eq!(sol.n_steps, steps);
    n
}

#[test]
fn runs_do_not_allocate_per_step() {
    COUNTED.with(|c| c.set(true));
    let net = HopfieldNetwork::new(
        random_symmetric_weights(64, 1.5, 3).unwrap(),
        Activation::Tanh,
    )
    .unwrap();
    let counts = [
        (
            "euler",
            allocations_of_run(&net, Euler::new, 10),
            allocations_of_run(&net, Euler::new, 5000),
        ),
        (
            "heun",
            allocations_of_run(&net, Heun::new, 10),
            allocations_of_run(&net, Heun::new, 5000),
        ),
        (
            "rk4",
            allocations_of_run(&net, Rk4::new, 10),
            allocations_of_run(&net, Rk4::new, 5000),
        ),
        (
            "dopri5",
            allocations_of_run(&net, || Dopri5::new(1e-6, 1e-9).unwrap(), 10),
            allocations_of_run(&net, || Dopri5::new(1e-6, 1e-9).unwrap(), 5000),
        ),
    ];
    let (qp_short, pi_short) = allocations_of_constrained(10);
    let (qp_long, pi_long) = allocations_of_constrained(5000);
    let counts = counts
        .into_iter()
        .chain([
            ("box-qp solve", qp_short, qp_long),
            ("pi-pgd euler", pi_short, pi_long),
            (
                "sparse batch",
                allocations_of_sparse(10),
                allocations_of_sparse(5000),
            ),
            (
                "neural-synaptic hopfield",
                allocations_of_synaptic(attractor::models::NeuralForm::Hopfield, 10),
                allocations_of_synaptic(attractor::models::NeuralForm::Hopfield, 5000),
            ),
            (
                "neural-synaptic firing rate",
                allocations_of_synaptic(attractor::models::NeuralForm::FiringRate, 10),
                allocations_of_synaptic(attractor::models::NeuralForm::FiringRate, 5000),
            ),
        ])
        .collect::<Vec<_>>();
    for (name, short, long) in counts {
        println!("{name}: {short} allocations for 10 steps, {long} for 5000");
        assert_eq!(short, long, "{name} allocates per step");
        assert!(short < 60, "{name}: {short} allocations for setup");
    }
}
