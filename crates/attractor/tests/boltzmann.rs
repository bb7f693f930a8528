//! Boltzmann machines and Markov-chain samplers: Gibbs sweeps against the exact law, the
//! unadjusted Langevin algorithm against the exact stationary law of its discretised chain, the
//! Boltzmann learning rule against finite differences of the exact log-likelihood, thread-count
//! independence and the error messages.

use attractor::energy::{Energy, ParamGradient, Quadratic};
use attractor::learn::boltzmann_rule::{data_expectation, exact_expectation};
use attractor::learn::{BoltzmannRule, GibbsStatistics, ModelStatistics};
use attractor::models::{BoltzmannMachine, ExactDistribution, Scan, Units};
use attractor::problems::Patterns;
use attractor::rng::{stream, streams};
use attractor::run::Budget;
use attractor::samplers::{LangevinSampler, MarkovSampler, chain_rngs};
use attractor::schedule::Ramp;
use faer::{Mat, Par};
use rand::RngExt;

// ---------------------------------------------------------------------------------------------
// helpers

/// A random symmetric `W` (zero diagonal, entries ±U(0.5, 1)) and biases U(−0.5, 0.5).
fn random_machine(n: usize, units: Units, temperature: f64, seed: u64) -> BoltzmannMachine {
    let mut r = stream(seed, streams::PARAMS);
    let mut w = Mat::<f64>::zeros(n, n);
    for i in 0..n {
        for j in i + 1..n {
            let mag: f64 = r.random_range(0.5..1.0);
            let v = if r.random::<bool>() { mag } else { -mag };
            w[(i, j)] = v;
            w[(j, i)] = v;
        }
    }
    let b: Vec<f64> = (0..n).map(|_| r.random_range(-0.5..0.5)).collect();
    BoltzmannMachine::new(w, b, units, temperature).unwrap()
}

/// Histogram of Gibbs samples: `n_chains` chains, `burn_in` sweeps, then every one of
/// `n_sweeps` sweeps counted. States indexed like `ExactDistribution::probabilities`.
fn gibbs_counts(
    bm: &BoltzmannMachine,
    scan: Scan,
    n_chains: usize,
    burn_in: usize,
    n_sweeps: usize,
    seed: u64,
) -> Vec<u64> {
    let n = bm.n();
    let sampler = bm.gibbs(scan);
    let mut rngs = chain_rngs(seed, n_chains);
    let mut x = sampler.initial_states(&mut rngs).unwrap();
    sampler.advance(x.as_mut(), &mut rngs, burn_in).unwrap();
    let mut counts = vec![0u64; 1 << n];
    for _ in 0..n_sweeps {
        sampler.advance(x.as_mut(), &mut rngs, 1).unwrap();
        for j in 0..n_chains {
            let mut k = 0usize;
            for i in 0..n {
                if x[(i, j)] == 1.0 {
                    k |= 1 << i;
                }
            }
            counts[k] += 1;
        }
    }
    counts
}

/// The expected TV distance of `n_samples` independent draws from `p`:
/// `E|p̂_k − p_k| ≈ √(2p_k(1 − p_k)/(πN))` (normal approximation), summed and halved.
fn expected_tv_iid(p: &[f64], n_samples: usize) -> f64 {
    let nf = n_samples as f64;
    0.5 * p
        .iter()
        .map(|&pk| (2.0 * pk * (1.0 - pk) / (std::f64::consts::PI * nf)).sqrt())
        .sum::<f64>()
}

fn err_text<T: std::fmt::Debug>(r: attractor::Result<T>) -> String {
    r.unwrap_err().to_string()
}

// ---------------------------------------------------------------------------------------------
// Gibbs sampling against the exact law

const GIBBS_CHAINS: usize = 200;
const GIBBS_BURN_IN: usize = 200;
const GIBBS_SWEEPS: usize = 2_000;
/// The TV bound. 400 000 correlated samples of a law on 256 states: the i.i.d. expectation of
/// the TV, `½ Σ_k √(2p_k(1 − p_k)/(πN))`, is 0.003–0.007 for these machines (printed by the
/// test), and an integrated autocorrelation time of τ sweeps raises it by about √τ (the measured
/// TV is within 1.4× of the i.i.d. figure, so τ ≲ 2); 0.03 is four times the largest measured.
const TV_BOUND: f64 = 0.03;

fn gibbs_against_exact(units: Units, scan: Scan, seed: u64) {
    gibbs_against_exact_of(&random_machine(8, units, 1.0, seed), scan, seed);
}

fn gibbs_against_exact_of(bm: &BoltzmannMachine, scan: Scan, seed: u64) {
    let (t, units) = (bm.temperature(), bm.units());
    let exact: ExactDistribution = bm.exact().unwrap();
    let counts = gibbs_counts(bm, scan, GIBBS_CHAINS, GIBBS_BURN_IN, GIBBS_SWEEPS, seed);
    let tv = exact.total_variation(&counts).unwrap();
    let iid = expected_tv_iid(exact.probabilities(), GIBBS_CHAINS * GIBBS_SWEEPS);
    // the same sampler at the wrong temperature
    let hot = bm.with_temperature(1.5 * t).unwrap();
    let counts_hot = gibbs_counts(&hot, scan, GIBBS_CHAINS, GIBBS_BURN_IN, GIBBS_SWEEPS, seed);
    let tv_hot = exact.total_variation(&counts_hot).unwrap();
    let tv_hot_self = hot.exact().unwrap().total_variation(&counts_hot).unwrap();
    eprintln!(
        "{units:?} {scan:?}: TV(T) = {tv:.4} (iid expectation {iid:.4}, bound {TV_BOUND}); TV(1.5T vs law at T) = {tv_hot:.4}; TV(1.5T vs its own law) = {tv_hot_self:.4}"
    );
    assert!(tv < TV_BOUND, "TV {tv} >= {TV_BOUND}");
    assert!(
        tv_hot > 3.0 * TV_BOUND,
        "sampling at 1.5 T should be far from the law at T: TV {tv_hot}"
    );
    assert!(
        tv_hot_self < TV_BOUND,
        "but close to its own law: {tv_hot_self}"
    );
}

#[test]
fn gibbs_binary_units_match_the_exact_distribution() {
    gibbs_against_exact(Units::Binary, Scan::Sequential, 11);
}

#[test]
fn gibbs_spin_units_match_the_exact_distribution() {
    gibbs_against_exact(Units::Spin, Scan::Sequential, 12);
}

#[test]
fn gibbs_random_permutation_scan_matches_the_exact_distribution() {
    gibbs_against_exact(Units::Spin, Scan::RandomPermutation, 13);
    gibbs_against_exact(Units::Binary, Scan::RandomPermutation, 14);
}

/// The Gray-code enumeration against direct sums of `e^{−E/T}` state by state, and the
/// moments against their definitions.
/// A machine whose couplings join only the parts {0, 3, 5, 6} and {1, 2, 4, 7} (dense between
/// them, entries ±U(0.5, 1.5)), with biases U(−0.5, 0.5).
fn bipartite_machine(units: Units, seed: u64) -> BoltzmannMachine {
    let side = [false, true, true, false, true, false, false, true];
    let mut r = stream(seed, streams::PARAMS);
    let mut w = Mat::<f64>::zeros(8, 8);
    for i in 0..8 {
        for j in i + 1..8 {
            if side[i] != side[j] {
                let mag: f64 = r.random_range(0.5..1.5);
                let v = if r.random::<bool>() { mag } else { -mag };
                w[(i, j)] = v;
                w[(j, i)] = v;
            }
        }
    }
    let b: Vec<f64> = (0..8).map(|_| r.random_range(-0.5..0.5)).collect();
    BoltzmannMachine::new(w, b, units, 1.0).unwrap()
}

#[test]
fn block_gibbs_on_bipartite_couplings_matches_the_exact_distribution() {
    for (units, seed) in [(Units::Binary, 31), (Units::Spin, 32)] {
        let bm = bipartite_machine(units, seed);
        let part = bm.bipartition().unwrap();
        // unit 0 starts the first part
        assert_eq!(
            part,
            vec![false, true, true, false, true, false, false, true]
        );
        gibbs_against_exact_of(&bm, Scan::Block, seed);
    }
    // couplings with an odd cycle (0-1-2-0) are refused, naming a coupled pair
    let w = faer::mat![
        [0.0, 1.0, 0.5, 0.0],
        [1.0, 0.0, -1.0, 0.0],
        [0.5, -1.0, 0.0, 0.2],
        [0.0, 0.0, 0.2, 0.0]
    ];
    let bm = BoltzmannMachine::new(w, vec![0.0; 4], Units::Binary, 1.0).unwrap();
    assert!(bm.bipartition().is_err());
    let e = err_text(bm.gibbs(Scan::Block).sample(4, 0, &Budget::steps(3)));
    assert!(
        e.contains("bipartite") && e.contains("Scan::Sequential"),
        "{e}"
    );
    // a machine without couplings is bipartite (every unit in the first part)
    let free =
        BoltzmannMachine::new(Mat::zeros(3, 3), vec![0.1, 0.2, 0.3], Units::Spin, 1.0).unwrap();
    assert_eq!(free.bipartition().unwrap(), vec![false; 3]);
}

#[test]
fn exact_distribution_matches_direct_enumeration() {
    for (units, t) in [(Units::Binary, 0.7), (Units::Spin, 1.3)] {
        let mut bm = random_machine(9, units, t, 5);
        let exact = bm.exact().unwrap();
        let mut logw = Vec::new();
        for k in 0..exact.n_states() {
            let s = exact.state(k).unwrap();
            assert_eq!(exact.index_of(&s).unwrap(), k);
            logw.push(-bm.energy(&s) / t);
        }
        let z: f64 = logw.iter().map(|l| l.exp()).sum();
        assert!(
            (exact.log_partition() - z.ln()).abs() < 1e-12,
            "log Z {} vs {}",
            exact.log_partition(),
            z.ln()
        );
        for (k, l) in logw.iter().enumerate() {
            let p = l.exp() / z;
            assert!((exact.probabilities()[k] - p).abs() < 1e-14 * (1.0 + p));
        }
        let mean = exact.mean();
        let corr = exact.correlation();
        let mut m0 = 0.0;
        let mut c01 = 0.0;
        for k in 0..exact.n_states() {
            let s = exact.state(k).unwrap();
            m0 += exact.probabilities()[k] * s[0];
            c01 += exact.probabilities()[k] * s[0] * s[1];
        }
        assert!((mean[0] - m0).abs() < 1e-14 && (corr[(0, 1)] - c01).abs() < 1e-14);
        assert!((corr[(2, 2)] - if units == Units::Spin { 1.0 } else { mean[2] }).abs() < 1e-13);
    }
}

// ---------------------------------------------------------------------------------------------
// Langevin sampling of a Gaussian

/// `A = Q diag(λ) Qᵀ` with `Q` a fixed rotation; returns `(A, Q, λ)`.
fn gaussian_hessian() -> (Mat<f64>, Mat<f64>, [f64; 3]) {
    let lambda = [0.5, 1.0, 2.0];
    // Q = rotation about z by 0.6, then about x by -0.4
    let (c1, s1) = (0.6f64.cos(), 0.6f64.sin());
    let (c2, s2) = ((-0.4f64).cos(), (-0.4f64).sin());
    let rz = faer::mat![[c1, -s1, 0.0], [s1, c1, 0.0], [0.0, 0.0, 1.0]];
    let rx = faer::mat![[1.0, 0.0, 0.0], [0.0, c2, -s2], [0.0, s2, c2]];
    let q = &rx * &rz;
    let d = Mat::from_fn(3, 3, |i, j| if i == j { lambda[i] } else { 0.0 });
    let a = &q * &d * q.transpose();
    let a = Mat::from_fn(3, 3, |i, j| 0.5 * (a[(i, j)] + a[(j, i)]));
    (a, q, lambda)
}

/// `Q diag(f(λ)) Qᵀ`.
fn spectral(q: &Mat<f64>, lambda: [f64; 3], f: impl Fn(f64) -> f64) -> Mat<f64> {
    let d = Mat::from_fn(3, 3, |i, j| if i == j { f(lambda[i]) } else { 0.0 });
    &(q * &d) * q.transpose()
}

const MU: [f64; 3] = [1.0, -2.0, 0.5];

/// `E = ½(x − μ)ᵀA(x − μ)` as the library's quadratic `½xᵀAx − (Aμ)ᵀx` (+ const).
fn gaussian_energy(a: &Mat<f64>) -> Quadratic {
    let b: Vec<f64> = (0..3)
        .map(|i| (0..3).map(|j| a[(i, j)] * MU[j]).sum())
        .collect();
    Quadratic::new(a.clone(), b).unwrap()
}

/// Sample mean and covariance of the columns of `xs` (3 × N).
fn moments(xs: &[[f64; 3]]) -> ([f64; 3], [[f64; 3]; 3]) {
    let nf = xs.len() as f64;
    let mut m = [0.0; 3];
    for x in xs {
        for i in 0..3 {
            m[i] += x[i] / nf;
        }
    }
    let mut c = [[0.0; 3]; 3];
    for x in xs {
        for i in 0..3 {
            for j in 0..3 {
                c[i][j] += (x[i] - m[i]) * (x[j] - m[j]) / (nf - 1.0);
            }
        }
    }
    (m, c)
}

/// The largest standardised error of the sample mean and covariance against `(mean, cov)`
/// with `n_eff` effective samples: se(m̂_i) = √(Σ_ii/N), se(Σ̂_ij) = √((Σ_iiΣ_jj + Σ_ij²)/N)
/// (the variance of a Gaussian sample covariance).
fn max_z(
    m: &[f64; 3],
    c: &[[f64; 3]; 3],
    mean: &[f64; 3],
    cov: &Mat<f64>,
    n_eff: f64,
) -> (f64, f64, f64) {
    let mut zm = 0.0f64;
    let mut zc = 0.0f64;
    let mut worst_abs = 0.0f64;
    for i in 0..3 {
        zm = zm.max((m[i] - mean[i]).abs() / (cov[(i, i)] / n_eff).sqrt());
        for j in 0..3 {
            let se = ((cov[(i, i)] * cov[(j, j)] + cov[(i, j)].powi(2)) / n_eff).sqrt();
            zc = zc.max((c[i][j] - cov[(i, j)]).abs() / se);
            worst_abs = worst_abs.max((c[i][j] - cov[(i, j)]).abs());
        }
    }
    (zm, zc, worst_abs)
}

const Z_BOUND: f64 = 4.5;

/// ULA at constant `T`: the chain's stationary law is `N(μ, T A⁻¹ (I − hA/2)⁻¹)` exactly
/// (per eigen-direction `σ² = 2Th/(1 − (1 − hλ)²)`), an `O(h)` distance from the target
/// `N(μ, T A⁻¹)`. 1000 chains, each sampled every 500 steps after a burn-in: the correlation
/// between successive samples is at most `(1 − hλ_min)^500 = 0.99^500 ≈ 0.007`, so the samples
/// are effectively independent (the variance inflation `(1 + ρ)/(1 − ρ) ≤ 1.014` is applied).
#[test]
fn langevin_matches_the_gaussian_mean_and_covariance() {
    let (a, q, lambda) = gaussian_hessian();
    let t = 0.7;
    let h = 0.02;
    let sampler = LangevinSampler::new(gaussian_energy(&a), h, Ramp::constant(t)).unwrap();
    let (n_chains, n_samples, spacing, burn_in) = (1000, 20, 500, 2000);
    let mut rngs = chain_rngs(2026, n_chains);
    let mut x = sampler.initial_states(&mut rngs).unwrap();
    sampler.advance(x.as_mut(), &mut rngs, burn_in).unwrap();
    let mut xs = Vec::with_capacity(n_chains * n_samples);
    for _ in 0..n_samples {
        sampler.advance(x.as_mut(), &mut rngs, spacing).unwrap();
        for j in 0..n_chains {
            xs.push([x[(0, j)], x[(1, j)], x[(2, j)]]);
        }
    }
    let (m, c) = moments(&xs);
    let rho = (1.0 - h * lambda[0]).powi(spacing as i32);
    let n_eff = xs.len() as f64 * (1.0 - rho) / (1.0 + rho);
    let cov_h = spectral(&q, lambda, |l| t / (l * (1.0 - h * l / 2.0)));
    let cov_target = spectral(&q, lambda, |l| t / l);
    let (zm, zc, abs_err) = max_z(&m, &c, &MU, &cov_h, n_eff);
    let (_, zc_target, abs_target) = max_z(&m, &c, &MU, &cov_target, n_eff);
    let bias = (0..3)
        .flat_map(|i| (0..3).map(move |j| (i, j)))
        .map(|(i, j)| (cov_h[(i, j)] - cov_target[(i, j)]).abs())
        .fold(0.0, f64::max);
    let merr = (0..3).map(|i| (m[i] - MU[i]).abs()).fold(0.0, f64::max);
    eprintln!(
        "ULA h = {h}, T = {t}, N_eff = {n_eff:.0}: max |mean err| = {merr:.4} (z {zm:.2}); max |cov err| vs TA⁻¹(I−hA/2)⁻¹ = {abs_err:.4} (z {zc:.2}); vs TA⁻¹ = {abs_target:.4} (z {zc_target:.2}); O(h) bias max |Σ_h − TA⁻¹| = {bias:.4}; bound z < {Z_BOUND}"
    );
    assert!(zm < Z_BOUND, "mean z {zm}");
    assert!(zc < Z_BOUND, "covariance z {zc}");
    // the wrong temperature is detected: the same samples against T' = 1.1 T
    let cov_wrong = spectral(&q, lambda, |l| 1.1 * t / (l * (1.0 - h * l / 2.0)));
    let (_, zc_wrong, _) = max_z(&m, &c, &MU, &cov_wrong, n_eff);
    assert!(zc_wrong > 2.0 * Z_BOUND, "1.1 T not detected: z {zc_wrong}");
}

/// Geometric annealing from `T₀ = 5` to `T₁ = 0.5` over 3000 steps, then 1000 steps at `T₁`
/// (the schedule holds `T₁`): the chains' law is Gaussian at every step with
/// `m_{k+1} = μ + M(m_k − μ)`, `Σ_{k+1} = MΣ_kM + 2T_k h I`, `M = I − hA`, propagated here
/// exactly from the start `x₀ = 0`; the samples match it, and it has reached the stationary
/// covariance at `T₁` (within 0.5%) and left the one at `T₀`.
#[test]
fn langevin_annealing_ends_with_the_covariance_of_the_final_temperature() {
    let (a, q, lambda) = gaussian_hessian();
    let h = 0.02;
    let (t0, t1, n_anneal, n_hold) = (5.0, 0.5, 3000usize, 1000usize);
    let schedule = Ramp::geometric(t0, t1, n_anneal as f64);
    let sampler = LangevinSampler::new(gaussian_energy(&a), h, schedule)
        .unwrap()
        .initial(vec![0.0; 3], 0.0)
        .unwrap();
    let n_chains = 4000;
    let mut rngs = chain_rngs(77, n_chains);
    let mut x = sampler.initial_states(&mut rngs).unwrap();
    // in two pieces, to exercise advance_from
    sampler
        .advance_from(x.as_mut(), &mut rngs, 0, 1700)
        .unwrap();
    let mid: Vec<[f64; 3]> = (0..n_chains)
        .map(|j| [x[(0, j)], x[(1, j)], x[(2, j)]])
        .collect();
    sampler
        .advance_from(x.as_mut(), &mut rngs, 1700, n_anneal + n_hold - 1700)
        .unwrap();
    // one piece gives the same bits
    let mut rngs2 = chain_rngs(77, 8);
    let mut y = sampler.initial_states(&mut rngs2).unwrap();
    sampler
        .advance(y.as_mut(), &mut rngs2, n_anneal + n_hold)
        .unwrap();
    for j in 0..8 {
        for i in 0..3 {
            assert_eq!(x[(i, j)].to_bits(), y[(i, j)].to_bits());
        }
    }
    // exact law of the discretised, annealed chain
    let mmat = Mat::from_fn(3, 3, |i, j| f64::from(u8::from(i == j)) - h * a[(i, j)]);
    let mut mean = [0.0f64; 3];
    let mut cov = Mat::<f64>::zeros(3, 3);
    let mut z_mid = (0.0, 0.0);
    for k in 0..n_anneal + n_hold {
        if k == 1700 {
            // mid-anneal (T ≈ 1.36): the schedule is followed step by step, not only at its end
            let (m, c) = moments(&mid);
            let (zm, zc, _) = max_z(&m, &c, &mean, &cov, n_chains as f64);
            z_mid = (zm, zc);
        }
        let tk = t0 * (t1 / t0).powf((k as f64 / n_anneal as f64).min(1.0));
        let dev: Vec<f64> = (0..3).map(|i| mean[i] - MU[i]).collect();
        for i in 0..3 {
            mean[i] = MU[i] + (0..3).map(|j| mmat[(i, j)] * dev[j]).sum::<f64>();
        }
        cov = &mmat * &cov * mmat.transpose();
        for i in 0..3 {
            cov[(i, i)] += 2.0 * tk * h;
        }
    }
    let cov_t1 = spectral(&q, lambda, |l| t1 / (l * (1.0 - h * l / 2.0)));
    let cov_t0 = spectral(&q, lambda, |l| t0 / (l * (1.0 - h * l / 2.0)));
    let rel = |c: &Mat<f64>| {
        let mut r = 0.0f64;
        for i in 0..3 {
            for j in 0..3 {
                r = r.max((cov[(i, j)] - c[(i, j)]).abs() / (cov[(i, i)] * cov[(j, j)]).sqrt());
            }
        }
        r
    };
    let (rel1, rel0) = (rel(&cov_t1), rel(&cov_t0));
    let xs: Vec<[f64; 3]> = (0..n_chains)
        .map(|j| [x[(0, j)], x[(1, j)], x[(2, j)]])
        .collect();
    let (m, c) = moments(&xs);
    let (zm, zc, abs_err) = max_z(&m, &c, &mean, &cov, n_chains as f64);
    let (_, zc1, _) = max_z(&m, &c, &MU, &cov_t1, n_chains as f64);
    eprintln!(
        "annealed {t0} -> {t1}: exact-law cov vs stationary at T1: rel {rel1:.2e} (at T0: {rel0:.2}); samples vs exact law: mean z {zm:.2}, cov z {zc:.2} (max abs {abs_err:.4}); samples vs stationary at T1: cov z {zc1:.2}; bound z < {Z_BOUND}"
    );
    eprintln!(
        "  at step 1700 (T = {:.3}): samples vs exact law: mean z {:.2}, cov z {:.2}",
        sampler.temperature_at(1700),
        z_mid.0,
        z_mid.1
    );
    assert!(z_mid.0 < Z_BOUND && z_mid.1 < Z_BOUND, "{z_mid:?}");
    assert!(rel1 < 5e-3 && rel0 > 0.8, "{rel1} {rel0}");
    assert!(zm < Z_BOUND && zc < Z_BOUND, "{zm} {zc}");
    assert!(zc1 < Z_BOUND, "{zc1}");
    assert_eq!(sampler.temperature_at(0), t0);
    assert!((sampler.temperature_at(n_anneal) - t1).abs() < 1e-12);
    assert!((sampler.temperature_at(n_anneal / 2) - (t0 * t1).sqrt()).abs() < 1e-9);
}

// ---------------------------------------------------------------------------------------------
// the Boltzmann learning rule

/// Six units, 40 data vectors from a "two groups" law: units 0–2 and 3–5 each mostly agree.
fn six_unit_data(units: Units) -> Patterns {
    let mut r = stream(3, streams::PARAMS);
    let low = units.low();
    let rows: Vec<Vec<f64>> = (0..40)
        .map(|_| {
            let g1 = r.random::<bool>();
            let g2 = r.random_bool(0.3);
            (0..6)
                .map(|i| {
                    let g = if i < 3 { g1 } else { g2 };
                    let v = if r.random_bool(0.85) { g } else { !g };
                    if v { 1.0 } else { low }
                })
                .collect()
        })
        .collect();
    Patterns::new(rows).unwrap()
}

/// Central finite differences of the exact log-likelihood in θ.
fn fd_log_likelihood(bm: &BoltzmannMachine, data: &Patterns, eps: f64) -> Vec<f64> {
    let theta = bm.params();
    (0..theta.len())
        .map(|k| {
            let mut m = bm.clone();
            let mut tp = theta.clone();
            tp[k] += eps;
            m.set_params(&tp).unwrap();
            let lp = m.log_likelihood(data).unwrap();
            tp[k] -= 2.0 * eps;
            m.set_params(&tp).unwrap();
            let lm = m.log_likelihood(data).unwrap();
            (lp - lm) / (2.0 * eps)
        })
        .collect()
}

/// With exact statistics the rule's direction is `T·∇L`: compared with central differences
/// of the exact log-likelihood (n = 6) for both kinds of units, at `T = 0.8`.
#[test]
fn boltzmann_rule_direction_is_t_times_the_log_likelihood_gradient() {
    for units in [Units::Binary, Units::Spin] {
        let t = 0.8;
        let bm = random_machine(6, units, t, 21);
        let data = six_unit_data(units);
        let mut rule = BoltzmannRule::new(0.1, ModelStatistics::Exact).unwrap();
        let dir = rule.direction(&bm, &data).unwrap();
        let fd = fd_log_likelihood(&bm, &data, 1e-5);
        let mut worst = 0.0f64;
        for (d, f) in dir.iter().zip(&fd) {
            worst = worst.max((d / t - f).abs());
        }
        let scale = fd.iter().map(|v| v.abs()).fold(0.0, f64::max);
        eprintln!("{units:?}: max |dir/T − FD ∇L| = {worst:.2e} (max |∇L| = {scale:.3})");
        assert!(worst < 1e-7 * (1.0 + scale), "{worst}");
        // and it is the difference of the two phases
        let d = data_expectation(&bm, &data).unwrap();
        let m = exact_expectation(&bm).unwrap();
        for k in 0..dir.len() {
            assert!((dir[k] - (d[k] - m[k])).abs() < 1e-15);
        }
    }
}

/// Exact statistics: gradient ascent on the concave `L` with a small step raises it at every
/// update and ends near moment matching; persistent Gibbs chains raise it too.
#[test]
fn boltzmann_rule_raises_the_log_likelihood() {
    let data = six_unit_data(Units::Binary);
    let start = BoltzmannMachine::new(Mat::zeros(6, 6), vec![0.0; 6], Units::Binary, 1.0).unwrap();
    let l0 = start.log_likelihood(&data).unwrap();

    let mut bm = start.clone();
    let mut rule = BoltzmannRule::new(0.2, ModelStatistics::Exact).unwrap();
    let mut prev = l0;
    for step in 0..300 {
        rule.step(&mut bm, &data).unwrap();
        let l = bm.log_likelihood(&data).unwrap();
        assert!(l >= prev - 1e-12, "step {step}: {l} < {prev}");
        prev = l;
    }
    let l_exact = prev;
    let resid = rule
        .direction(&bm, &data)
        .unwrap()
        .iter()
        .map(|v| v.abs())
        .fold(0.0, f64::max);

    let mut pbm = start.clone();
    let gs = GibbsStatistics::new(500, 1, true, 9).unwrap();
    let mut prule = BoltzmannRule::new(0.2, ModelStatistics::Gibbs(gs)).unwrap();
    for _ in 0..300 {
        prule.step(&mut pbm, &data).unwrap();
    }
    let l_pcd = pbm.log_likelihood(&data).unwrap();
    eprintln!(
        "log-likelihood per pattern: start {l0:.4}, exact rule after 300 steps {l_exact:.4} (max |⟨·⟩_data − ⟨·⟩_model| {resid:.2e}), persistent Gibbs (500 chains, 1 sweep) {l_pcd:.4}"
    );
    assert!(l_exact > l0 + 0.5, "{l0} -> {l_exact}");
    assert!(resid < 0.03, "not near moment matching: {resid}");
    assert!(l_pcd > l0 + 0.5 && l_pcd > l_exact - 0.05, "{l_pcd}");
    assert_eq!(prule.chains().unwrap().ncols(), 500);
}

// ---------------------------------------------------------------------------------------------
// ParamGradient

#[test]
fn param_gradient_matches_finite_differences() {
    for units in [Units::Binary, Units::Spin] {
        let bm = random_machine(7, units, 1.0, 31);
        let mut r = stream(4, streams::INIT);
        let theta = bm.params();
        assert_eq!(theta.len(), bm.n_params());
        assert_eq!(theta.len(), 7 * 6 / 2 + 7);
        for _ in 0..5 {
            let s: Vec<f64> = (0..7)
                .map(|_| if r.random::<bool>() { 1.0 } else { units.low() })
                .collect();
            let mut g = vec![0.0; bm.n_params()];
            bm.param_gradient_into(&s, &mut g);
            for k in 0..theta.len() {
                let eps = 1e-6;
                let mut m = bm.clone();
                let mut tp = theta.clone();
                tp[k] += eps;
                m.set_params(&tp).unwrap();
                let ep = m.energy_of(&s).unwrap();
                tp[k] -= 2.0 * eps;
                m.set_params(&tp).unwrap();
                let em = m.energy_of(&s).unwrap();
                let fd = (ep - em) / (2.0 * eps);
                assert!((fd - g[k]).abs() < 1e-8, "θ_{k}: {fd} vs {}", g[k]);
            }
        }
        // the layout: W_ij (i < j) row by row, then b
        let k = bm.weight_param_index(2, 5).unwrap();
        assert_eq!(bm.weight_param_index(5, 2), Some(k));
        assert_eq!(theta[k], bm.weights()[(2, 5)]);
        assert_eq!(theta[bm.bias_param_index(3).unwrap()], bm.biases()[3]);
        assert_eq!(bm.weight_param_index(3, 3), None);
        // set_params keeps W symmetric
        let mut m = bm.clone();
        let mut tp = theta.clone();
        tp[k] = 9.0;
        m.set_params(&tp).unwrap();
        assert_eq!((m.weights()[(2, 5)], m.weights()[(5, 2)]), (9.0, 9.0));
        assert_eq!(m.params(), tp);
    }
}

// ---------------------------------------------------------------------------------------------
// thread-count independence

fn on_threads<T: Send>(n: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn samplers_are_bit_identical_on_1_and_2_threads() {
    let bm = random_machine(10, Units::Binary, 0.9, 41);
    let gibbs = |par| {
        bm.gibbs(Scan::RandomPermutation)
            .par(par)
            .sample(37, 3, &Budget::steps(25))
            .unwrap()
            .states
    };
    let g1 = on_threads(1, || gibbs(attractor::linalg::ALL_THREADS));
    let g2 = on_threads(2, || gibbs(attractor::linalg::ALL_THREADS));
    let gs = gibbs(Par::Seq);
    let g3 = gibbs(Par::rayon(3));
    assert_eq!(g1, g2);
    assert_eq!(g1, gs);
    assert_eq!(g1, g3);

    let (a, _, _) = gaussian_hessian();
    let ula = |par| {
        LangevinSampler::new(gaussian_energy(&a), 0.05, Ramp::linear(2.0, 0.1, 40.0))
            .unwrap()
            .par(par)
            .sample(37, 4, &Budget::steps(60))
            .unwrap()
            .states
    };
    let l1 = on_threads(1, || ula(attractor::linalg::ALL_THREADS));
    let l2 = on_threads(2, || ula(attractor::linalg::ALL_THREADS));
    let ls = ula(Par::Seq);
    let bits = |m: &Mat<f64>| -> Vec<u64> {
        (0..m.ncols())
            .flat_map(|j| (0..m.nrows()).map(move |i| (i, j)))
            .map(|(i, j)| m[(i, j)].to_bits())
            .collect()
    };
    assert_eq!(bits(&l1), bits(&l2));
    assert_eq!(bits(&l1), bits(&ls));
    // and the chains differ from one another (each has its own stream)
    assert_ne!(bits(&l1)[0..3], bits(&l1)[3..6]);

    let persistent = |threads| {
        on_threads(threads, || {
            let data = six_unit_data(Units::Binary);
            let mut m =
                BoltzmannMachine::new(Mat::zeros(6, 6), vec![0.0; 6], Units::Binary, 1.0).unwrap();
            let gs = GibbsStatistics::new(33, 2, true, 8).unwrap();
            let mut rule = BoltzmannRule::new(0.1, ModelStatistics::Gibbs(gs)).unwrap();
            for _ in 0..10 {
                rule.step(&mut m, &data).unwrap();
            }
            m.params()
        })
    };
    assert_eq!(persistent(1), persistent(2));
}

#[test]
fn models_and_samplers_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<BoltzmannMachine>();
    check::<ExactDistribution>();
    check::<attractor::models::Gibbs<'static>>();
    check::<LangevinSampler<Quadratic>>();
    check::<BoltzmannRule>();
}

// ---------------------------------------------------------------------------------------------
// bad input

#[test]
fn bad_input_is_refused_with_the_value_named() {
    let ok_b = vec![0.0; 3];
    // asymmetric W
    let w = faer::mat![[0.0, 1.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.0, 0.0]];
    let e = err_text(BoltzmannMachine::new(w, ok_b.clone(), Units::Binary, 1.0));
    assert!(
        e.contains("W") && e.contains("5.000e-1") && e.contains("symmetric"),
        "{e}"
    );
    // non-zero diagonal: named entry, and the fix for each kind of unit
    let w = faer::mat![[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.25]];
    let e = err_text(BoltzmannMachine::new(
        w.clone(),
        ok_b.clone(),
        Units::Binary,
        1.0,
    ));
    assert!(
        e.contains("W[2][2] = 0.25") && e.contains("into the bias b_i"),
        "{e}"
    );
    let e = err_text(BoltzmannMachine::new(w, ok_b.clone(), Units::Spin, 1.0));
    assert!(
        e.contains("W[2][2] = 0.25") && e.contains("constant"),
        "{e}"
    );
    // temperature
    let w = Mat::<f64>::zeros(3, 3);
    for t in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = err_text(BoltzmannMachine::new(
            w.clone(),
            ok_b.clone(),
            Units::Spin,
            t,
        ));
        assert!(
            e.contains("temperature T") && e.contains(&format!("{t}")),
            "{e}"
        );
    }
    let bm = BoltzmannMachine::new(w.clone(), ok_b.clone(), Units::Spin, 1.0).unwrap();
    assert!(err_text(bm.with_temperature(-0.5)).contains("-0.5"));
    // shapes and values
    let e = err_text(BoltzmannMachine::new(
        w.clone(),
        vec![0.0; 2],
        Units::Spin,
        1.0,
    ));
    assert!(e.contains("b has length 2, expected 3"), "{e}");
    let e = err_text(BoltzmannMachine::new(
        Mat::zeros(3, 2),
        ok_b.clone(),
        Units::Spin,
        1.0,
    ));
    assert!(e.contains("square"), "{e}");
    let e = err_text(BoltzmannMachine::new(
        w.clone(),
        vec![0.0, f64::NAN, 0.0],
        Units::Spin,
        1.0,
    ));
    assert!(e.contains("b") && e.contains("index 1"), "{e}");
    let e = err_text(bm.energy_of(&[1.0, -1.0]));
    assert!(e.contains("length 2, expected 3"), "{e}");
    let e = err_text(bm.energy_of(&[1.0, 0.0, -1.0]));
    assert!(
        e.contains("state s[1] = 0") && e.contains("-1 and +1"),
        "{e}"
    );
    let sampler = bm.gibbs(Scan::Sequential);
    let mut rngs = chain_rngs(1, 2);
    let mut bad = Mat::<f64>::zeros(4, 2);
    let e = err_text(sampler.advance(bad.as_mut(), &mut rngs, 1));
    assert!(e.contains("states (rows) has length 4, expected 3"), "{e}");
    let mut bad = Mat::<f64>::from_fn(3, 2, |i, _| if i == 2 { 0.5 } else { 1.0 });
    let e = err_text(sampler.advance(bad.as_mut(), &mut rngs, 1));
    assert!(e.contains("chain 0") && e.contains("[2] = 0.5"), "{e}");
    let mut x = Mat::<f64>::ones(3, 3);
    let e = err_text(sampler.advance(x.as_mut(), &mut rngs, 1));
    assert!(e.contains("rngs has length 2, expected 3"), "{e}");
    // exact enumeration limit
    let big = BoltzmannMachine::new(Mat::zeros(25, 25), vec![0.0; 25], Units::Binary, 1.0).unwrap();
    let e = err_text(big.exact());
    assert!(e.contains("n = 25") && e.contains("n <= 24"), "{e}");
    // data for the rule and the likelihood
    let data = Patterns::new(vec![vec![1.0, 0.0, 1.0], vec![1.0, 2.0, 1.0]]).unwrap();
    let mut bin = BoltzmannMachine::new(w.clone(), ok_b.clone(), Units::Binary, 1.0).unwrap();
    let e = err_text(bin.log_likelihood(&data));
    assert!(e.contains("data pattern 1") && e.contains("= 2"), "{e}");
    let mut rule = BoltzmannRule::new(0.1, ModelStatistics::Exact).unwrap();
    let e = err_text(rule.direction(&bin, &data));
    assert!(e.contains("data pattern 1") && e.contains("= 2"), "{e}");
    assert!(
        err_text(BoltzmannRule::new(0.0, ModelStatistics::Exact)).contains("learning rate eta = 0")
    );
    assert!(err_text(BoltzmannRule::new(f64::NAN, ModelStatistics::Exact)).contains("NaN"));
    assert!(err_text(GibbsStatistics::new(0, 1, true, 0)).contains("n_chains = 0"));
    assert!(err_text(GibbsStatistics::new(5, 0, true, 0)).contains("n_sweeps = 0"));
    let e = err_text(bin.set_params(&[0.0; 4]));
    assert!(e.contains("theta has length 4, expected 6"), "{e}");

    // Langevin: step size, schedules, initial states, divergence
    let (a, _, _) = gaussian_hessian();
    let en = || gaussian_energy(&a);
    for h in [0.0, -0.1, f64::NAN] {
        let e = err_text(LangevinSampler::new(en(), h, Ramp::constant(1.0)));
        assert!(
            e.contains("step size h") && e.contains(&format!("{h}")),
            "{e}"
        );
    }
    let bad_schedules = [
        (Ramp::constant(0.0), "temperature T = 0"),
        (Ramp::constant(f64::NAN), "temperature T = NaN"),
        (Ramp::linear(-1.0, 0.0, 10.0), "temperature T start = -1"),
        (Ramp::linear(1.0, -0.5, 10.0), "temperature T end = -0.5"),
        (Ramp::linear(1.0, 0.0, 0.0), "temperature T span = 0"),
        (Ramp::geometric(1.0, 0.0, 10.0), "temperature T end = 0"),
        (
            Ramp::geometric(f64::INFINITY, 1.0, 10.0),
            "temperature T start = inf",
        ),
    ];
    for (s, text) in bad_schedules {
        let e = err_text(LangevinSampler::new(en(), 0.1, s.clone()));
        assert!(e.contains(text), "{s:?}: {e}");
    }
    // annealing to T = 0 on a linear schedule is allowed
    assert!(LangevinSampler::new(en(), 0.1, Ramp::linear(1.0, 0.0, 10.0)).is_ok());
    let s = LangevinSampler::new(en(), 0.1, Ramp::constant(1.0)).unwrap();
    let e = err_text(s.clone().initial(vec![0.0; 2], 1.0));
    assert!(e.contains("initial center has length 2, expected 3"), "{e}");
    let e = err_text(s.clone().initial(vec![0.0; 3], -1.0));
    assert!(e.contains("initial spread = -1"), "{e}");
    let mut rngs = chain_rngs(1, 2);
    let mut bad = Mat::<f64>::zeros(2, 2);
    let e = err_text(s.advance(bad.as_mut(), &mut rngs, 1));
    assert!(e.contains("states (rows) has length 2, expected 3"), "{e}");
    let mut bad = Mat::<f64>::zeros(3, 2);
    bad[(1, 1)] = f64::NAN;
    let e = err_text(s.advance(bad.as_mut(), &mut rngs, 1));
    assert!(e.contains("chain 1") && e.contains("index 1"), "{e}");
    // h > 2/λ_max = 1: the chain diverges, and the error says which h
    let unstable = LangevinSampler::new(en(), 1.5, Ramp::constant(1.0)).unwrap();
    let e = err_text(unstable.sample(3, 1, &Budget::steps(5000)));
    assert!(
        e.contains("step size h = 1.5") && e.contains("lower h"),
        "{e}"
    );
    let e = err_text(s.sample(0, 1, &Budget::steps(1)));
    assert!(e.contains("n_chains = 0"), "{e}");
}

/// Sampling in pieces equals sampling at once for every scan (the sample of a budget is
/// advanced in chunks sized by the clock): `advance(a)` then `advance(b)` is `advance(a + b)`.
#[test]
fn advancing_in_pieces_equals_advancing_at_once() {
    let bm = random_machine(9, Units::Binary, 0.9, 43);
    for scan in [Scan::Sequential, Scan::RandomPermutation] {
        let g = bm.gibbs(scan);
        let mut rngs = chain_rngs(5, 6);
        let mut once = g.initial_states(&mut rngs).unwrap();
        let mut pieces = once.clone();
        let mut rngs2 = rngs.clone();
        g.advance(once.as_mut(), &mut rngs, 30).unwrap();
        for k in [1, 4, 10, 15] {
            g.advance(pieces.as_mut(), &mut rngs2, k).unwrap();
        }
        assert!(once == pieces, "{scan:?}");
    }
}
