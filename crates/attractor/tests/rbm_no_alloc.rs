//! CD/PCD training allocates nothing per minibatch after the first: the allocations of an
//! epoch do not grow with the number of minibatches. (One test in this binary, so no other
//! thread allocates meanwhile.)

use attractor::Par;
use attractor::learn::contrastive_divergence::{CdMethod, CdParams, CdTrainer};
use attractor::models::rbm::{Rbm, VisibleUnits};
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

/// Allocations of one epoch (after a first one has sized everything) over `n` samples.
fn allocations_of_epoch(method: CdMethod, units: VisibleUnits, momentum: f64, n: usize) -> usize {
    let data = faer::Mat::from_fn(30, n, |i, s| ((i * 7 + s * 3) % 5 == 0) as u8 as f64);
    let mut rbm = Rbm::random(30, 20, 0.1, 1).unwrap().with_visible(units);
    let params = CdParams {
        method,
        k: 2,
        momentum,
        weight_decay: 1e-4,
        batch_size: 10,
        par: Par::Seq,
        ..CdParams::default()
    };
    let mut t = CdTrainer::new(&rbm, params).unwrap();
    t.fit_epoch(&mut rbm, data.as_ref(), &attractor::run::Budget::new())
        .unwrap();
    let before = ALLOCS.load(Ordering::Relaxed);
    t.fit_epoch(&mut rbm, data.as_ref(), &attractor::run::Budget::new())
        .unwrap();
    ALLOCS.load(Ordering::Relaxed) - before
}

#[test]
fn training_allocates_nothing_per_minibatch() {
    for method in [CdMethod::Contrastive, CdMethod::Persistent] {
        for units in [VisibleUnits::Bernoulli, VisibleUnits::Gaussian] {
            for momentum in [0.0, 0.5] {
                let small = allocations_of_epoch(method, units, momentum, 20);
                let large = allocations_of_epoch(method, units, momentum, 2000);
                println!(
                    "{method:?} {units} momentum {momentum}: {small} allocations per epoch of 2 minibatches, {large} of 200"
                );
                assert_eq!(
                    small, large,
                    "{method:?} {units}: allocations grow with minibatches"
                );
                assert!(
                    large <= 4,
                    "{method:?} {units}: {large} allocations per epoch"
                );
            }
        }
    }
}
