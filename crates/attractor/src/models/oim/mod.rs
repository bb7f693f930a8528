//! The oscillator Ising machine (OIM): coupled phase oscillators with second-harmonic
//! injection locking whose phases settle at 0 or π and spell out a low-energy Ising state.
//!
//! `θ̇_i = −Σ_j J_ij sin(θ_i − θ_j) − μ_i sin 2θ_i + σ ξ_i(t)`
//!
//! is the gradient flow of `E(θ) = −½ Σ_ij J_ij cos(θ_i − θ_j) − ½ Σ_i μ_i cos 2θ_i` plus noise;
//! at binary phases `θ_i ∈ {0, π}` (`s_i = cos θ_i`) `E` equals the Ising energy `H(s) = −½sᵀJs`
//! minus `½ Σ μ_i`. References: T. Wang, J. Roychowdhury, *OIM: Oscillator-based Ising machines
//! for solving combinatorial optimisation problems*, UCNC 2019 (arXiv:1903.07163);
//! heterogeneous `μ_i ~ U[μ(1−δ), μ(1+δ)]`: Allibhoy, Montanari, Pasqualetti, Motter,
//! arXiv:2505.17027 (CDC 2025).
//!
//! One concept per file:
//! - [`params`]: [`OimParams`] and its parts (schedule, noise, readout, restart), validated once;
//! - [`flow`]: [`OimFlow`], one replica's flow in f64 (energy, Jacobian);
//! - `machine`: [`OscillatorIsingMachine`], the orchestration of rounds;
//! - `block`: a SIMD block of [`LANES`] replicas with its readouts;
//! - `kernel`: one Euler–Maruyama step of a block (CSR form, portable and AVX2 kernels).
//!
//! **Kernel.** State is stored node-major with [`LANES`] replicas per node, so each stored
//! coupling multiplies a contiguous vector of replicas (SIMD across replicas), and the force uses
//! `Σ_j J_ij sin(θ_i − θ_j) = sin θ_i Σ_j J_ij cos θ_j − cos θ_i Σ_j J_ij sin θ_j`: two CSR
//! products and one sin/cos per node per replica per step, in f32 (a test checks it against the
//! f64 flow [`OimFlow`]).
//!
//! **Parallelism.** [`OimParams::par`] is a [`faer::Par`]: `Par::Seq` runs the blocks of a round
//! one after the other in the calling thread; `Par::rayon(k)` splits them into at most `k`
//! contiguous chunks run on rayon's global pool (`Par::rayon(0)`: as many as the pool has
//! threads). No thread pool is built per call.
//!
//! **Reproducibility.** Every random number of block `b` in round `r` comes from
//! [`rng::stream`](crate::rng::stream)`(seed, base + r·n_blocks + b)` (`base` the
//! [`INIT`](crate::rng::streams::INIT), [`PARAMS`](crate::rng::streams::PARAMS) and
//! [`DYNAMICS`](crate::rng::streams::DYNAMICS) offsets), never from a shared generator, and the
//! blocks' best states merge in block order (ties keep the earlier block). So a run that ends
//! by its budget of rounds returns the same states on any number of threads. A run that ends by
//! the budget's time, its target energy or its interrupt stops where the clock or another block
//! happened to be, which depends on the machine and the scheduling.
//!
//! ```
//! use attractor::models::{OimParams, OscillatorIsingMachine};
//! use attractor::problems::{IsingModel, WeightedGraph};
//! use attractor::run::{Budget, Silent};
//! let g = WeightedGraph::random(40, 0.2, &[1.0], 3)?;
//! let model = IsingModel::max_cut(&g)?;
//! let mut p = OimParams::for_model(&model);
//! p.replicas = 32;
//! let one = OscillatorIsingMachine::new(model.clone(), p.clone())?.solve(&Budget::steps(1), Silent)?;
//! p.par = faer::Par::rayon(2);
//! let two = OscillatorIsingMachine::new(model, p)?.solve(&Budget::steps(1), Silent)?;
//! assert_eq!(one.best().spins, two.best().spins); // the same answer on 1 or 2 threads
//! # Ok::<(), attractor::Error>(())
//! ```

mod block;
pub mod flow;
mod kernel;
mod machine;
pub mod params;

pub use flow::OimFlow;
pub use machine::{Found, OimProgress, OimResult, OscillatorIsingMachine};
pub use params::{
    OimParams, OimReadout, OimRestart, OimSchedule, STEPS_PER_ROUND, STEPS_PER_ROUND_TIMED,
};

/// Replicas integrated together in one SIMD block (two AVX2 vectors of f32).
pub const LANES: usize = 16;

#[cfg(test)]
mod tests {
    use super::block::Rows;
    use super::kernel::{Coef, KernelCsr, step_dispatch};
    use super::*;
    use crate::fastmath::sincos_f32 as sincos;
    use crate::flow::VectorField;
    use crate::problems::IsingModel;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Run `steps` noise-free Euler steps of the replica kernel (`simd` or portable) and of the
    /// f64 flow from the same random phases; return the largest phase difference over lanes and
    /// the largest distance the f64 phases travelled.
    fn kernel_vs_flow(
        weights: &[f64],
        het: bool,
        narrow: bool,
        simd: bool,
        steps: usize,
    ) -> (f64, f64) {
        use crate::problems::WeightedGraph;
        let g = WeightedGraph::random(40, 0.3, weights, 3).unwrap();
        let model = IsingModel::max_cut(&g).unwrap();
        let kc = KernelCsr::with_width(&model, narrow);
        assert_eq!(
            kc.mag.is_some(),
            weights.iter().all(|w| w.abs() == weights[0].abs())
        );
        let n = model.n();
        let dt = 0.02;
        let mu = 0.7;
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let theta: Vec<f64> = (0..n * LANES)
            .map(|_| rng.random_range(-3.1..3.1))
            .collect();
        let mu_fac: Vec<f32> = (0..n * LANES)
            .map(|_| if het { rng.random_range(0.5..1.5) } else { 1.0 })
            .collect();
        let mut cs = [Rows::new(n), Rows::new(n)];
        for i in 0..n {
            for l in 0..LANES {
                let (s, c) = sincos(theta[i * LANES + l] as f32);
                cs[0].as_mut_slice()[2 * i * LANES + l] = c;
                cs[0].as_mut_slice()[2 * i * LANES + LANES + l] = s;
            }
        }
        let mut x: Vec<Vec<f64>> = (0..LANES)
            .map(|l| (0..n).map(|i| theta[i * LANES + l]).collect())
            .collect();
        let hs = vec![dt as f32; n];
        let nf = vec![0f32; n];
        let mut st = [1u32; LANES];
        let mut flows: Vec<OimFlow> = (0..LANES)
            .map(|l| {
                let m = (0..n).map(|i| mu * mu_fac[i * LANES + l] as f64).collect();
                OimFlow::new(&model, m).unwrap()
            })
            .collect();
        let mut dx = vec![0.0; n];
        let mut cur = 0;
        for _ in 0..steps {
            let k = Coef {
                h: &hs,
                nf: &nf,
                mu2: (2.0 * mu) as f32,
                noise: 0.0,
                het,
            };
            let [c0, c1] = &mut cs;
            let (cin, cout) = if cur == 0 { (&*c0, c1) } else { (&*c1, c0) };
            step_dispatch(
                simd,
                &kc,
                cin.as_slice(),
                cout.as_mut_slice(),
                &mu_fac,
                &mut st,
                k,
            );
            cur ^= 1;
            for (xl, fl) in x.iter_mut().zip(flows.iter_mut()) {
                fl.eval_into(0.0, xl, &mut dx);
                for i in 0..n {
                    xl[i] += dt * dx[i];
                }
            }
        }
        let cs = cs[cur].as_slice();
        let wrap = |d: f64| (d - std::f64::consts::TAU * (d / std::f64::consts::TAU).round()).abs();
        let (mut worst, mut moved) = (0f64, 0f64);
        for l in 0..LANES {
            for i in 0..n {
                let (c, s) = (cs[2 * i * LANES + l], cs[2 * i * LANES + LANES + l]);
                assert!((c * c + s * s - 1.0).abs() < 1e-5, "unit length kept");
                worst = worst.max(wrap(s.atan2(c) as f64 - x[l][i]));
                moved = moved.max(wrap(x[l][i] - theta[i * LANES + l]));
            }
        }
        (worst, moved)
    }

    /// The f32 replica kernels (AVX2 and portable, 16- and 32-bit indices, general weights and
    /// the ±w magnitude form, homogeneous and heterogeneous μ) track the f64 flow: 300
    /// noise-free Euler steps agree to 1e-3 rad in every lane (f32 accumulates ~1e-6 per step)
    /// while the phases travel more than 0.5 rad.
    #[test]
    fn f32_replica_kernels_match_the_f64_flow() {
        for weights in [&[1.0, -1.0, 0.5][..], &[1.0, -1.0], &[2.0]] {
            for het in [false, true] {
                for narrow in [true, false] {
                    for simd in [true, false] {
                        let (worst, moved) = kernel_vs_flow(weights, het, narrow, simd, 300);
                        assert!(
                            worst < 1e-3 && moved > 0.5,
                            "{weights:?} het {het} narrow {narrow} simd {simd}: {worst:e} rad \
                             (moved {moved})"
                        );
                    }
                }
            }
        }
    }
}
