//! Recall through the shared run loop gives the recalled states and energies that each
//! memory's own loop gave before the engine change (values recorded from that code).

use attractor::models::{DenseMemory, HopfieldMemory, Memory, ModernHopfield, Separation, Update};
use attractor::problems::{Patterns, add_gaussian_noise, flip_fraction};
use attractor::run::Status;

fn cases() -> Vec<(&'static str, Box<dyn Memory>, Vec<f64>)> {
    let p = Patterns::random_binary(12, 100, 1).unwrap();
    let over = Patterns::random_binary(40, 100, 11).unwrap();
    let q = flip_fraction(p.pattern(0), 0.25, 2).unwrap();
    let qo = flip_fraction(over.pattern(3), 0.3, 4).unwrap();
    let g = Patterns::random_gaussian(50, 64, 6).unwrap();
    let qg = add_gaussian_noise(g.pattern(5), 0.8, 7).unwrap();
    vec![
        (
            "hebbian async",
            Box::new(
                HopfieldMemory::hebbian(&p)
                    .unwrap()
                    .with_update(Update::Asynchronous { seed: 3 }),
            ),
            q.clone(),
        ),
        (
            "hebbian sync",
            Box::new(
                HopfieldMemory::hebbian(&p)
                    .unwrap()
                    .with_update(Update::Synchronous),
            ),
            q.clone(),
        ),
        (
            "hebbian sync overloaded",
            Box::new(
                HopfieldMemory::hebbian(&over)
                    .unwrap()
                    .with_update(Update::Synchronous),
            ),
            qo.clone(),
        ),
        (
            "hebbian async overloaded",
            Box::new(
                HopfieldMemory::hebbian(&over)
                    .unwrap()
                    .with_update(Update::Asynchronous { seed: 9 }),
            ),
            qo.clone(),
        ),
        (
            "storkey async",
            Box::new(HopfieldMemory::storkey(&p).unwrap()),
            q.clone(),
        ),
        (
            "pinv sync",
            Box::new(
                HopfieldMemory::pseudo_inverse(&p)
                    .unwrap()
                    .with_update(Update::Synchronous),
            ),
            q.clone(),
        ),
        (
            "dense n=3",
            Box::new(
                DenseMemory::new(&over, Separation::Polynomial(3))
                    .unwrap()
                    .with_seed(5),
            ),
            qo.clone(),
        ),
        (
            "dense exp",
            Box::new(
                DenseMemory::new(&over, Separation::Exponential)
                    .unwrap()
                    .with_seed(8),
            ),
            qo.clone(),
        ),
        (
            "hebbian sync two-cycle",
            Box::new(
                HopfieldMemory::hebbian(&over)
                    .unwrap()
                    .with_update(Update::Synchronous),
            ),
            Patterns::random_binary(1, 100, 101)
                .unwrap()
                .pattern(0)
                .to_vec(),
        ),
        (
            "hebbian sync max-sweeps",
            Box::new(
                HopfieldMemory::hebbian(&over)
                    .unwrap()
                    .with_update(Update::Synchronous)
                    .with_max_sweeps(3)
                    .unwrap(),
            ),
            Patterns::random_binary(1, 100, 100)
                .unwrap()
                .pattern(0)
                .to_vec(),
        ),
        (
            "modern beta=0.2",
            Box::new(ModernHopfield::new(&g, 0.2).unwrap()),
            qg.clone(),
        ),
    ]
}

type Row = (
    &'static str,
    &'static str,
    usize,
    f64,
    &'static str,
    &'static [f64],
);

/// name, status, sweeps, Σ (i+1)·x_i, signs of the state, energies per sweep: two recalls in a
/// row per memory (the second continues the memory's visiting-order stream). Recorded from
/// the memories' own recall loops before they moved onto the shared run loop.
#[rustfmt::skip]
#[allow(clippy::excessive_precision)]
const BASELINE: &[Row] = &[
    ("hebbian async", "FixedPoint", 3, -5.74000000000000000e2, "+-+--+--+-++--+--+-+--+++-+------+++++--------+-+---+++------+-+---+-+++---++--+++++-++-+-++--++----", &[-10.679999999999994, -47.48000000000001, -48.68, -48.68]),
    ("hebbian async", "FixedPoint", 2, -5.74000000000000000e2, "+-+--+--+-++--+--+-+--+++-+------+++++--------+-+---+++------+-+---+-+++---++--+++++-++-+-++--++----", &[-10.679999999999994, -48.67999999999999, -48.67999999999999]),
    ("hebbian sync", "FixedPoint", 3, -5.74000000000000000e2, "+-+--+--+-++--+--+-+--+++-+------+++++--------+-+---+++------+-+---+-+++---++--+++++-++-+-++--++----", &[-10.679999999999994, -43.000000000000036, -48.68, -48.68]),
    ("hebbian sync", "FixedPoint", 3, -5.74000000000000000e2, "+-+--+--+-++--+--+-+--+++-+------+++++--------+-+---+++------+-+---+-+++---++--+++++-++-+-++--++----", &[-10.679999999999994, -43.000000000000036, -48.68, -48.68]),
    ("hebbian sync overloaded", "FixedPoint", 8, -1.08000000000000000e2, "++--+-++++--++---+++++-++++++-++---+-+------+++----++++-+-+--+--++--+-+++-+-++--+-+------+-+-+++--++", &[-8.639999999999999, -36.08000000000002, -55.68000000000002, -66.56000000000002, -70.55999999999999, -71.28, -71.52000000000002, -71.60000000000004, -71.60000000000004]),
    ("hebbian sync overloaded", "FixedPoint", 8, -1.08000000000000000e2, "++--+-++++--++---+++++-++++++-++---+-+------+++----++++-+-+--+--++--+-+++-+-++--+-+------+-+-+++--++", &[-8.639999999999999, -36.08000000000002, -55.68000000000002, -66.56000000000002, -70.55999999999999, -71.28, -71.52000000000002, -71.60000000000004, -71.60000000000004]),
    ("hebbian async overloaded", "FixedPoint", 5, 2.96000000000000000e2, "++--+-+++++--+--+++-++++-++++-++-----++-+---+++---+++---+-+-++-+++-----++-++-++-+-+-+++-+--+-+-++--+", &[-8.639999999999999, -55.920000000000016, -62.47999999999999, -68.00000000000003, -68.16, -68.16]),
    ("hebbian async overloaded", "FixedPoint", 4, -6.74000000000000000e2, "++----++++--++-+-+++++-++++++-++---+-+--+--+++++--++-+--+----+--++--+---+-+--+--+-+--------++-++--++", &[-8.639999999999999, -59.83999999999998, -65.59999999999997, -65.68, -65.68]),
    ("storkey async", "FixedPoint", 2, -5.74000000000000000e2, "+-+--+--+-++--+--+-+--+++-+------+++++--------+-+---+++------+-+---+-+++---++--+++++-++-+-++--++----", &[-10.426061406116297, -50.204098107443045, -50.204098107443045]),
    ("storkey async", "FixedPoint", 2, -5.74000000000000000e2, "+-+--+--+-++--+--+-+--+++-+------+++++--------+-+---+++------+-+---+-+++---++--+++++-++-+-++--++----", &[-10.426061406116297, -50.20409810744306, -50.20409810744306]),
    ("pinv sync", "FixedPoint", 3, -5.74000000000000000e2, "+-+--+--+-++--+--+-+--+++-+------+++++--------+-+---+++------+-+---+-+++---++--+++++-++-+-++--++----", &[-9.252293564964376, -39.33230229026768, -44.000000000000014, -44.000000000000014]),
    ("pinv sync", "FixedPoint", 3, -5.74000000000000000e2, "+-+--+--+-++--+--+-+--+++-+------+++++--------+-+---+++------+-+---+-+++---++--+++++-++-+-++--++----", &[-9.252293564964376, -39.33230229026768, -44.000000000000014, -44.000000000000014]),
    ("dense n=3", "FixedPoint", 2, 3.78000000000000000e2, "+++-+--++++--+-+-+----++--++++++--++-++-+---+-----+----+++-++--+-+-++-+--++-+++-+---+++-+--++++++--+", &[-114640.0, -1025696.0, -1025696.0]),
    ("dense n=3", "FixedPoint", 3, 3.78000000000000000e2, "+++-+--++++--+-+-+----++--++++++--++-++-+---+-----+----+++-++--+-+-++-+--++-+++-+---+++-+--++++++--+", &[-114640.0, -969440.0, -1025696.0, -1025696.0]),
    ("dense exp", "FixedPoint", 2, 3.78000000000000000e2, "+++-+--++++--+-+-+----++--++++++--++-++-+---+-----+----+++-++--+-+-++-+--++-+++-+---+++-+--++++++--+", &[-40.00000001999622, -100.0, -100.0]),
    ("dense exp", "FixedPoint", 2, 3.78000000000000000e2, "+++-+--++++--+-+-+----++--++++++--++-++-+---+-----+----+++-++--+-+-++-+--++-+++-+---+++-+--++++++--+", &[-40.00000001999622, -100.0, -100.0]),
    ("hebbian sync two-cycle", "TwoCycle", 8, -3.74000000000000000e2, "-+--+-++----++---+++++-+++++++-----+-+------++++---++-+-+-+--+-++---+-+-+-+-++----+----+-+++-++--++-", &[-3.5999999999999996, -35.360000000000014, -52.40000000000005, -58.320000000000014, -64.88000000000002, -65.67999999999999, -66.48000000000002, -66.56000000000002, -66.48000000000002]),
    ("hebbian sync two-cycle", "TwoCycle", 8, -3.74000000000000000e2, "-+--+-++----++---+++++-+++++++-----+-+------++++---++-+-+-+--+-++---+-+-+-+-++----+----+-+++-++--++-", &[-3.5999999999999996, -35.360000000000014, -52.40000000000005, -58.320000000000014, -64.88000000000002, -65.67999999999999, -66.48000000000002, -66.56000000000002, -66.48000000000002]),
    ("hebbian sync max-sweeps", "MaxSweeps", 3, 2.76000000000000000e2, "+---+---+++--+--+++---++-+++-+-+--+--+++++---++-+-+++--++-+-+-++++-----++-+++-+--++-+++-+--+-+--++--", &[2.559999999999999, -26.480000000000004, -49.68000000000003, -63.44000000000002]),
    ("hebbian sync max-sweeps", "MaxSweeps", 3, 2.76000000000000000e2, "+---+---+++--+--+++---++-+++-+-+--+--+++++---++-+-+++--++-+-+-++++-----++-+++-+--++-+++-+--+-+--++--", &[2.559999999999999, -26.480000000000004, -49.68000000000003, -63.44000000000002]),
    ("modern beta=0.2", "FixedPoint", 4, -4.24167002030043676e1, "+-++++++-+-+---+-+-+-+++-+++--+-++++-+-+--++--+++-+---+-+--+++--", &[41.73727924899295, 26.77365990228593, 26.77365989474333, 26.77365989474325, 26.7736598947433]),
    ("modern beta=0.2", "FixedPoint", 4, -4.24167002030043676e1, "+-++++++-+-+---+-+-+-+++-+++--+-++++-+-+--++--+++-+---+-+--+++--", &[41.73727924899295, 26.77365990228593, 26.77365989474333, 26.77365989474325, 26.7736598947433]),
];

#[test]
fn recall_matches_the_recorded_baseline() {
    let mut rows = BASELINE.iter();
    for (name, mut m, q) in cases() {
        for _ in 0..2 {
            let r = m.recall(&q).unwrap();
            let out = &r.state;
            let row = rows.next().unwrap();
            assert_eq!(row.0, name);
            // the names of the memories' old RecallStatus
            let status = match r.status {
                Status::FixedPoint => "FixedPoint",
                Status::TwoCycle => "TwoCycle",
                Status::MaxSteps => "MaxSweeps",
                ref s => panic!("{name}: unexpected status {s:?}"),
            };
            let (sweeps, energies) = (r.n_steps, r.energies());
            assert_eq!(status, row.1, "{name}: status");
            assert_eq!(sweeps, row.2, "{name}: sweeps");
            let sum: f64 = out
                .iter()
                .enumerate()
                .map(|(i, v)| (i + 1) as f64 * v)
                .sum();
            assert!(
                (sum - row.3).abs() <= 1e-9 * (1.0 + row.3.abs()),
                "{name}: state sum {sum} vs {}",
                row.3
            );
            let bits: String = out
                .iter()
                .map(|&v| if v > 0.0 { '+' } else { '-' })
                .collect();
            assert_eq!(bits, row.4, "{name}: state");
            assert_eq!(energies.len(), row.5.len(), "{name}: energies {energies:?}");
            for (a, b) in energies.iter().zip(row.5) {
                assert!(
                    (a - b).abs() <= 1e-10 * (1.0 + b.abs()),
                    "{name}: energy {a} vs {b}"
                );
            }
        }
    }
    assert!(rows.next().is_none());
}
