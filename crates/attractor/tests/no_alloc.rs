//! Workspaces are allocated once: the number of heap allocations of a run does not grow with
//! the number of steps. (One test in this binary, so no other thread allocates meanwhile.)

use attractor::models::HopfieldFlow;
use attractor::models::{Activation, HopfieldNetwork, random_symmetric_weights};
use attractor::run::Run;
use attractor::step::{Dopri5, Euler, Heun, Rk4, Stepper};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
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

#[test]
fn runs_do_not_allocate_per_step() {
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
    for (name, short, long) in counts {
        println!("{name}: {short} allocations for 10 steps, {long} for 5000");
        assert_eq!(short, long, "{name} allocates per step");
        assert!(short < 30, "{name}: {short} allocations for setup");
    }
}
