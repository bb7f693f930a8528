//! Score matching end to end: the Gaussian's mean and precision recovered within the data's
//! sampling error, the dense memory's patterns at the clusters, and denoising score matching
//! on a 2-D mixture whose Langevin samples pass a two-sample test against the data — while
//! sampling at the wrong temperature fails it.

use attractor::learn::{Objective, ScoreMatchingParams, ScoreMatchingTrainer};
use attractor::markov::MarkovSampler;
use attractor::models::score_energy::{Batched, DenseMemoryEnergy, EnergyNetwork, GaussianEnergy};
use attractor::rng::stream;
use attractor::run::Budget;
use attractor::samplers::BatchLangevinSampler;
use attractor::schedule::Ramp;
use faer::Mat;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use std::ops::ControlFlow;

fn normal(r: &mut attractor::rng::Rng) -> f64 {
    StandardNormal.sample(r)
}

/// `n` draws of `N(μ, LLᵀ)`, one per column.
fn gaussian_data(mu: &[f64], l: &Mat<f64>, n: usize, seed: u64) -> Mat<f64> {
    let d = mu.len();
    let mut r = stream(seed, 0);
    let mut x = Mat::zeros(d, n);
    for j in 0..n {
        let z: Vec<f64> = (0..d).map(|_| normal(&mut r)).collect();
        for i in 0..d {
            x[(i, j)] = mu[i] + (0..d).map(|k| l[(i, k)] * z[k]).sum::<f64>();
        }
    }
    x
}

#[test]
fn exact_score_matching_recovers_a_gaussian_within_its_sampling_error() {
    let mu = [1.0, -0.5, 2.0];
    let l = Mat::from_fn(3, 3, |i, j| match (i, j) {
        (0, 0) => 1.0,
        (1, 0) => 0.6,
        (1, 1) => 0.8,
        (2, 0) => -0.3,
        (2, 1) => 0.4,
        (2, 2) => 0.5,
        _ => 0.0,
    });
    let n = 4000;
    let x = gaussian_data(&mu, &l, n, 1);
    let sigma = &l * l.transpose();
    // population precision Σ⁻¹ by a 3x3 inverse (adjugate)
    let s = |i: usize, j: usize| sigma[(i, j)];
    let det = s(0, 0) * (s(1, 1) * s(2, 2) - s(1, 2) * s(2, 1))
        - s(0, 1) * (s(1, 0) * s(2, 2) - s(1, 2) * s(2, 0))
        + s(0, 2) * (s(1, 0) * s(2, 1) - s(1, 1) * s(2, 0));
    let cof = |i: usize, j: usize| {
        let r: Vec<usize> = (0..3).filter(|&k| k != i).collect();
        let c: Vec<usize> = (0..3).filter(|&k| k != j).collect();
        let m = s(r[0], c[0]) * s(r[1], c[1]) - s(r[0], c[1]) * s(r[1], c[0]);
        if (i + j).is_multiple_of(2) { m } else { -m }
    };
    let prec = Mat::from_fn(3, 3, |i, j| cof(j, i) / det);

    // the minimiser by gradient steps on the exact objective (full batches) …
    let mut g = GaussianEnergy::standard(3).unwrap();
    let params = ScoreMatchingParams {
        objective: Objective::Exact,
        learning_rate: 0.01,
        batch_size: n,
        weight_decay: 0.0,
        seed: 0,
    };
    let mut t = ScoreMatchingTrainer::new(&g, &params).unwrap();
    let report = t
        .fit(&mut g, x.as_ref(), &Budget::steps(3000), |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(report.status, attractor::run::Status::MaxSteps);
    // … equals the closed form Λ = S⁻¹, μ = x̄
    let closed = GaussianEnergy::fit_exact(x.as_ref()).unwrap();
    let mut worst = 0.0f64;
    for i in 0..3 {
        worst = worst.max((g.mean()[i] - closed.mean()[i]).abs());
        for j in 0..3 {
            worst = worst.max((g.precision()[(i, j)] - closed.precision()[(i, j)]).abs());
        }
    }
    println!("trained vs closed form: largest difference {worst:.2e}");
    assert!(worst < 2e-3, "{worst}");
    // and the estimate is within 4 standard errors of the truth: SE(μ_i) = √(Σ_ii/n),
    // SE(Λ_ij) = √((Λ_ii Λ_jj + Λ_ij²)/n) (the Wishart asymptotics of the inverse covariance)
    let mut worst_z = 0.0f64;
    for i in 0..3 {
        let z = (g.mean()[i] - mu[i]).abs() / (sigma[(i, i)] / n as f64).sqrt();
        worst_z = worst_z.max(z);
        for j in 0..3 {
            let se = ((prec[(i, i)] * prec[(j, j)] + prec[(i, j)].powi(2)) / n as f64).sqrt();
            worst_z = worst_z.max((g.precision()[(i, j)] - prec[(i, j)]).abs() / se);
        }
    }
    println!("largest error in standard errors: {worst_z:.2}");
    assert!(worst_z < 4.0, "{worst_z}");
}

#[test]
fn sliced_score_matching_approaches_the_closed_form() {
    let l = Mat::from_fn(2, 2, |i, j| match (i, j) {
        (0, 0) => 1.5,
        (1, 0) => -0.5,
        (1, 1) => 0.7,
        _ => 0.0,
    });
    let x = gaussian_data(&[0.5, 1.0], &l, 4000, 3);
    let closed = GaussianEnergy::fit_exact(x.as_ref()).unwrap();
    let mut g = GaussianEnergy::standard(2).unwrap();
    let params = ScoreMatchingParams {
        objective: Objective::sliced(),
        learning_rate: 0.003,
        batch_size: 500,
        weight_decay: 0.0,
        seed: 4,
    };
    let mut t = ScoreMatchingTrainer::new(&g, &params).unwrap();
    t.fit(&mut g, x.as_ref(), &Budget::steps(300), |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    let mut worst = 0.0f64;
    for i in 0..2 {
        for j in 0..2 {
            let c = closed.precision()[(i, j)];
            worst = worst.max((g.precision()[(i, j)] - c).abs() / closed.precision()[(i, i)]);
        }
    }
    println!("sliced vs closed form: largest relative difference {worst:.3}");
    assert!(worst < 0.05, "{worst}");
}

/// A mixture of isotropic Gaussians in 2-D: (weights, centres, std).
struct Mixture {
    weights: Vec<f64>,
    centres: Vec<[f64; 2]>,
    std: f64,
}

impl Mixture {
    fn draw(&self, n: usize, seed: u64) -> Mat<f64> {
        let mut r = stream(seed, 0);
        let mut x = Mat::zeros(2, n);
        for j in 0..n {
            let u: f64 = r.random();
            let mut k = 0;
            let mut acc = self.weights[0];
            while u > acc && k + 1 < self.weights.len() {
                k += 1;
                acc += self.weights[k];
            }
            for i in 0..2 {
                x[(i, j)] = self.centres[k][i] + self.std * normal(&mut r);
            }
        }
        x
    }
    /// The cell of a point: the nearest centre within `radius`, else the outer cell.
    fn cell(&self, p: [f64; 2], radius: f64) -> usize {
        let (k, d) = self
            .centres
            .iter()
            .map(|c| ((p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2)).sqrt())
            .enumerate()
            .fold(
                (0, f64::INFINITY),
                |a, (k, d)| if d < a.1 { (k, d) } else { a },
            );
        if d <= radius { k } else { self.centres.len() }
    }
    fn counts(&self, x: &Mat<f64>, radius: f64) -> Vec<f64> {
        let mut c = vec![0.0; self.centres.len() + 1];
        for j in 0..x.ncols() {
            c[self.cell([x[(0, j)], x[(1, j)]], radius)] += 1.0;
        }
        c
    }
}

/// Pearson's χ² statistic of homogeneity of two count vectors (a 2 × K table).
fn chi2_homogeneity(a: &[f64], b: &[f64]) -> f64 {
    let (na, nb) = (a.iter().sum::<f64>(), b.iter().sum::<f64>());
    let n = na + nb;
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        let col = x + y;
        if col == 0.0 {
            continue;
        }
        let (ea, eb) = (na * col / n, nb * col / n);
        s += (x - ea).powi(2) / ea + (y - eb).powi(2) / eb;
    }
    s
}

#[test]
fn denoising_score_matching_samples_a_2d_mixture_with_its_weights() {
    let mix = Mixture {
        weights: vec![0.5, 0.3, 0.2],
        centres: vec![[-1.5, 0.0], [1.5, 0.0], [0.0, 1.8]],
        // overlapping wells: score matching sees mixture weights only through the density
        // between the modes (Wenliang & Kanagawa / Song & Ermon 2019 note that it is blind to
        // them for separated modes), and Langevin chains must cross between wells
        std: 0.8,
    };
    let n = 3000;
    let data = mix.draw(n, 7);
    let mut net = EnergyNetwork::random(2, 64, 4.0, 1).unwrap();
    let params = ScoreMatchingParams {
        objective: Objective::denoising(0.1),
        learning_rate: 0.01,
        batch_size: 128,
        weight_decay: 0.0,
        seed: 2,
    };
    let mut t = ScoreMatchingTrainer::new(&net, &params).unwrap();
    let t0 = std::time::Instant::now();
    t.fit(&mut net, data.as_ref(), &Budget::steps(300), |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    println!("training: {:.2} s", t0.elapsed().as_secs_f64());
    let sample = |temperature: f64| {
        // annealed from 3T down to T over the first half, then held (t = 16, many relaxation
        // times of a well)
        let s = BatchLangevinSampler::new(
            Batched::new(net.clone()),
            0.01,
            Ramp::geometric(3.0 * temperature, temperature, 800.0),
        )
        .unwrap();
        s.sample(n, 11, &Budget::steps(1600)).unwrap().states
    };
    let radius = 1.6;
    let want = mix.counts(&data, radius);
    let fresh = mix.counts(&mix.draw(n, 8), radius);
    let right = mix.counts(&sample(1.0), radius);
    let hot = mix.counts(&sample(1.6), radius);
    let cold = mix.counts(&sample(0.5), radius);
    // χ² with K − 1 = 3 degrees of freedom; the 0.1% critical value is 16.27
    let crit = 16.27;
    let (c_fresh, c_right, c_hot, c_cold) = (
        chi2_homogeneity(&want, &fresh),
        chi2_homogeneity(&want, &right),
        chi2_homogeneity(&want, &hot),
        chi2_homogeneity(&want, &cold),
    );
    println!("cells (3 wells + outside r = {radius}): data {want:?}");
    println!("  fresh data {fresh:?} chi2 {c_fresh:.1}");
    println!("  T = 1      {right:?} chi2 {c_right:.1}");
    println!("  T = 1.6    {hot:?} chi2 {c_hot:.1}");
    println!("  T = 0.5    {cold:?} chi2 {c_cold:.1}");
    assert!(c_fresh < crit);
    assert!(
        c_right < crit,
        "the learned density's samples differ from the data: {c_right}"
    );
    assert!(
        c_hot > crit,
        "a wrong temperature was not detected: {c_hot}"
    );
    assert!(
        c_cold > crit,
        "a wrong temperature was not detected: {c_cold}"
    );
}

#[test]
fn the_dense_memory_learns_the_clusters_as_its_patterns() {
    // β = s = 1: e^{−E} is a unit-variance mixture centred on the patterns, weights ∝ e^{½‖ξ‖²};
    // centres of equal norm make the weights equal
    let centres = [[2.0, 0.0], [-1.0, 1.732], [-1.0, -1.732]];
    let mix = Mixture {
        weights: vec![1.0 / 3.0; 3],
        centres: centres.to_vec(),
        std: 1.0,
    };
    let data = mix.draw(6000, 5);
    let init = Mat::from_fn(3, 2, |i, j| 0.5 * centres[i][j] + 0.3 * (j as f64 - 0.5));
    let mut dam = DenseMemoryEnergy::new(init.as_ref(), 1.0, 1.0).unwrap();
    let params = ScoreMatchingParams {
        objective: Objective::Exact,
        learning_rate: 0.02,
        batch_size: 256,
        weight_decay: 0.0,
        seed: 1,
    };
    let mut t = ScoreMatchingTrainer::new(&dam, &params).unwrap();
    t.fit(&mut dam, data.as_ref(), &Budget::steps(60), |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    let p = dam.patterns();
    let mut worst = 0.0f64;
    for (k, c) in centres.iter().enumerate() {
        let d = ((p[(k, 0)] - c[0]).powi(2) + (p[(k, 1)] - c[1]).powi(2)).sqrt();
        worst = worst.max(d);
    }
    println!(
        "patterns {:?}, largest distance to its centre {worst:.3}",
        p
    );
    assert!(worst < 0.15, "{worst}");
}
