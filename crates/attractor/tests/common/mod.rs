//! Helpers shared by the integration tests.
#![allow(dead_code)]

use faer::Mat;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub fn uniform_vec(rng: &mut ChaCha8Rng, n: usize, lo: f64, hi: f64) -> Vec<f64> {
    (0..n).map(|_| rng.random_range(lo..hi)).collect()
}

/// A random (non-symmetric) matrix with entries `N(0, 1)·scale/√n`.
pub fn random_matrix(rng: &mut ChaCha8Rng, n: usize, scale: f64) -> Mat<f64> {
    let s = scale / (n as f64).sqrt();
    Mat::from_fn(n, n, |_, _| {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        s * z
    })
}

/// Central-difference gradient.
pub fn fd_gradient(mut e: impl FnMut(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let mut xp = x.to_vec();
    (0..x.len())
        .map(|j| {
            let h = 1e-6 * x[j].abs().max(1.0);
            xp[j] = x[j] + h;
            let fp = e(&xp);
            xp[j] = x[j] - h;
            let fm = e(&xp);
            xp[j] = x[j];
            (fp - fm) / (2.0 * h)
        })
        .collect()
}

/// Largest relative difference between two vectors, scaled by `1 + max|b|`.
pub fn rel_diff(a: &[f64], b: &[f64]) -> f64 {
    let scale = 1.0 + b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
        / scale
}

/// Small Ising models of three kinds for the samplers' tests: a weighted Max-Cut, a ±1 Max-Cut
/// and ±1 couplings with fields and an offset.
pub fn ising_models(n: usize, seed: u64) -> Vec<(&'static str, attractor::problems::IsingModel)> {
    use attractor::problems::{IsingModel, WeightedGraph};
    let w = WeightedGraph::random(n, 0.4, &[1.0, 2.0, 3.0], seed).unwrap();
    let pm = WeightedGraph::random(n, 0.4, &[1.0, -1.0], seed + 100).unwrap();
    let h: Vec<f64> = (0..n)
        .map(|i| 0.3 * ((i * 7 + 3) % 5) as f64 - 0.6)
        .collect();
    let with_fields = IsingModel::from_couplings(n, h, &pm.edges, 0.5).unwrap();
    vec![
        ("weighted max-cut", IsingModel::max_cut(&w).unwrap()),
        ("±1 max-cut", IsingModel::max_cut(&pm).unwrap()),
        ("±1 couplings with fields", with_fields),
    ]
}

/// An RBM with `W ~ scale·N(0,1)` and biases `~ bias_scale·N(0,1)`.
pub fn rbm_with_biases(
    nv: usize,
    nh: usize,
    scale: f64,
    bias_scale: f64,
    seed: u64,
) -> attractor::models::rbm::Rbm {
    let mut rbm = attractor::models::rbm::Rbm::random(nv, nh, scale, seed).unwrap();
    let mut r = rng(seed + 1000);
    let a: Vec<f64> = (0..nv)
        .map(|_| bias_scale * r.sample::<f64, _>(rand_distr::StandardNormal))
        .collect();
    let b: Vec<f64> = (0..nh)
        .map(|_| bias_scale * r.sample::<f64, _>(rand_distr::StandardNormal))
        .collect();
    let w = rbm.weights().to_owned();
    rbm.set_parameters(w.as_ref(), &a, &b).unwrap();
    rbm
}
