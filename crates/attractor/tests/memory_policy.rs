//! The memory policy on the models whose size follows user numbers (issue 19, class 1): the
//! oscillator memory's `N × N` couplings and the layered networks' weight matrices together
//! are refused with `Error::OutOfMemory` naming them, under a cap (`memory::set_limit`, which
//! is process-wide: these tests run in their own binary).

use attractor::Error;
use attractor::memory;
use attractor::models::{HebbianScale, LayerActivation, LayeredNetwork, OscillatorMemory};
use attractor::problems::Patterns;

#[test]
fn couplings_and_weights_that_exceed_the_cap_are_refused_by_name() {
    memory::set_limit(Some(1 << 30));
    // N = 20 000: a 3.2 GB coupling matrix from 320 KB of patterns (a panic in faer before)
    let p = Patterns::new(vec![vec![1.0; 20_000], vec![-1.0; 20_000]]).unwrap();
    let e = OscillatorMemory::hebbian(&p, HebbianScale::OverN, 0.2).unwrap_err();
    assert!(matches!(e, Error::OutOfMemory { .. }), "{e}");
    assert!(
        e.to_string().contains("oscillator memory's couplings"),
        "{e}"
    );
    assert!(e.to_string().contains("20000 x 20000"), "{e}");
    // two 10 000 x 10 000 matrices: 800 MB each fits under 1 GiB, together they do not
    let e = LayeredNetwork::random(&[10_000, 10_000, 10_000], LayerActivation::HardSigmoid, 0)
        .unwrap_err();
    assert!(matches!(e, Error::OutOfMemory { .. }), "{e}");
    assert!(e.to_string().contains("weight matrices"), "{e}");
    // small ones pass
    LayeredNetwork::random(&[10, 20, 3], LayerActivation::HardSigmoid, 0).unwrap();
    memory::set_limit(None);
}
