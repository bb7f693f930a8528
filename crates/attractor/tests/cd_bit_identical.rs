//! CD-k / PCD training reproduces recorded parameters bit for bit: a hash of the bit patterns
//! of the trained `W`, `a`, `b` for CD-1 and PCD-2, Bernoulli and Gaussian visible units,
//! momentum 0 and 0.5, weight decay 0 and 1e-4, a batch size that does not divide the number
//! of samples, `fit`, `partial_fit` and `fit_epoch` calls, on `Par::Seq` and `Par::rayon(2)`.
//! The expected values were recorded with the trainer as it was before it moved onto the
//! shared `learn::trainer` loop and `learn::optimizer::Sgd`; they must never change.

use attractor::Par;
use attractor::learn::contrastive_divergence::{CdMethod, CdParams, CdTrainer};
use attractor::models::rbm::{Rbm, VisibleUnits};
use attractor::run::Budget;
use faer::Mat;
use std::ops::ControlFlow;

/// FNV-1a over the bytes of every parameter's bit pattern (`W` column by column, `a`, `b`).
fn hash(rbm: &Rbm) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: f64| {
        for byte in x.to_bits().to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let w = rbm.weights();
    for j in 0..w.ncols() {
        for i in 0..w.nrows() {
            eat(w[(i, j)]);
        }
    }
    rbm.visible_bias().iter().for_each(|&x| eat(x));
    rbm.hidden_bias().iter().for_each(|&x| eat(x));
    h
}

/// Data in `[0, 1]` (Bernoulli) or centred real values (Gaussian), one sample per column.
fn data(nv: usize, n: usize, units: VisibleUnits) -> Mat<f64> {
    Mat::from_fn(nv, n, |i, s| {
        let t = ((i * 7 + s * 13 + (i * s) % 5) % 11) as f64 / 10.0;
        match units {
            VisibleUnits::Bernoulli => {
                if (i + 2 * s) % 3 == 0 {
                    t
                } else {
                    ((i * 5 + s) % 4 == 0) as u8 as f64
                }
            }
            VisibleUnits::Gaussian => 2.0 * t - 1.0 + 0.1 * ((i + s) % 3) as f64,
        }
    })
}

/// Train one configuration (three epochs by `fit`, two `partial_fit` minibatches, one
/// `fit_epoch`) and hash the result.
fn trained(
    method: CdMethod,
    units: VisibleUnits,
    momentum: f64,
    weight_decay: f64,
    n_hidden: usize,
    par: Par,
) -> u64 {
    let (nv, n) = (12, 23);
    let x = data(nv, n, units);
    let mut rbm = Rbm::random(nv, n_hidden, 0.1, 7)
        .unwrap()
        .with_visible(units);
    let params = CdParams {
        method,
        k: if method == CdMethod::Persistent { 2 } else { 1 },
        learning_rate: 0.05,
        momentum,
        weight_decay,
        batch_size: 5,
        shuffle: true,
        seed: 11,
        par,
        ..CdParams::default()
    };
    let mut t = CdTrainer::new(&rbm, params).unwrap();
    let mut epochs = 0;
    t.fit(&mut rbm, x.as_ref(), &Budget::steps(3), |_| {
        epochs += 1;
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(epochs, 3);
    t.partial_fit(&mut rbm, x.as_ref().subcols(2, 4), &Budget::new())
        .unwrap();
    t.partial_fit(&mut rbm, x.as_ref().subcols(10, 5), &Budget::new())
        .unwrap();
    t.fit_epoch(&mut rbm, x.as_ref(), &Budget::new()).unwrap();
    assert_eq!((t.epochs_done(), t.n_updates()), (4, 4 * 5 + 2));
    hash(&rbm)
}

/// The configurations in a fixed order: method, units, momentum, weight decay, hidden units.
fn configurations() -> Vec<(CdMethod, VisibleUnits, f64, f64, usize)> {
    let mut out = Vec::new();
    for method in [CdMethod::Contrastive, CdMethod::Persistent] {
        for units in [VisibleUnits::Bernoulli, VisibleUnits::Gaussian] {
            for momentum in [0.0, 0.5] {
                for weight_decay in [0.0, 1e-4] {
                    out.push((method, units, momentum, weight_decay, 6));
                }
            }
        }
    }
    // one hidden unit: W is a single column
    for momentum in [0.0, 0.5] {
        out.push((
            CdMethod::Contrastive,
            VisibleUnits::Bernoulli,
            momentum,
            1e-4,
            1,
        ));
    }
    out
}

/// Recorded with the trainer before the port (one per configuration, in order).
const EXPECTED: [u64; 18] = [
    0x4a650864c6dd8c7c,
    0xe33465ba11cbd0a7,
    0x49bb3be31920dd9c,
    0x033801910d7236fa,
    0x9a4d1cc38e924249,
    0x75de206e8698c1a8,
    0x5e60eb15f753bb0b,
    0x83f6e2b08c97b5f0,
    0x4ed2142749f999b7,
    0x782cf4251761c0ea,
    0x18bbb8c7073c611d,
    0xd0b1d543baa98dc6,
    0xcdf8b5344c751ff8,
    0x2cb4b4a50d773397,
    0x7fb2f00e426a1beb,
    0x42e9d5a114853c94,
    0x65b124390fc63dcf,
    0xc67ed6afccfe0eb8,
];

#[test]
fn cd_training_reproduces_recorded_parameters_bit_for_bit() {
    let mut got = Vec::new();
    let mut bad = Vec::new();
    for (i, &(method, units, momentum, wd, nh)) in configurations().iter().enumerate() {
        let seq = trained(method, units, momentum, wd, nh, Par::Seq);
        let two = trained(method, units, momentum, wd, nh, Par::rayon(2));
        assert_eq!(
            seq, two,
            "{method:?} {units} momentum {momentum} decay {wd} nh {nh}: threads"
        );
        got.push(seq);
        if seq != EXPECTED[i] {
            bad.push(format!(
                "configuration {i} ({method:?} {units} momentum {momentum} decay {wd} nh {nh}): \
                 {seq:#018x}, recorded {:#018x}",
                EXPECTED[i]
            ));
        }
    }
    let listing: Vec<String> = got.iter().map(|h| format!("{h:#018x}")).collect();
    assert!(
        bad.is_empty(),
        "{}\nall: [{}]",
        bad.join("\n"),
        listing.join(", ")
    );
}
