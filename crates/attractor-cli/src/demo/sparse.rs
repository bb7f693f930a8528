//! Chapter 4: a positive firing-rate competitive network (PFCN) recovers a sparse
//! non-negative code from a random dictionary, staying in the non-negative orthant; its
//! equilibrium is the non-negative LASSO solution (Centorrino et al., Neural Computation 2024).

use super::{Chapter, DemoArgs, Panel};
use anyhow::{Context, Result};
use attractor::models::sparse::{Dictionary, SparseCoder, SparseParams};
use attractor::problems::SparseInstance;
use attractor::run::Budget;
use std::sync::Arc;

pub struct SparseChapter;

/// The experiment of SCIENCE.md §6: 30 features, 60 atoms, 5 non-zeros U(1, 2), λ = 0.05.
const M: usize = 30;
const N: usize = 60;
const K: usize = 5;
const LAMBDA: f64 = 0.05;
/// The Euler step of the drawn trajectory, in units of τ.
const DT: f64 = 0.25;

impl Chapter for SparseChapter {
    fn name(&self) -> &'static str {
        "sparse"
    }
    fn summary(&self) -> &'static str {
        "a positive competitive network recovers a sparse non-negative code (non-negative LASSO)"
    }
    fn run(&self, args: &DemoArgs) -> Result<Vec<Panel>> {
        let inst = SparseInstance::gaussian(M, N, K, (1.0, 2.0), true, args.seed)?;
        let truth = inst.support();
        println!(
            "== sparse: positive firing-rate competitive network  τẋ = −x + ReLU(x − γ(Gx − Φᵀy) − γλ) =="
        );
        println!(
            "Φ: {N} unit-norm Gaussian atoms in ℝ^{M} (seed {}); y = Φx₀ with x₀ ≥ 0 {K}-sparse on {truth:?}; λ = {LAMBDA}",
            args.seed
        );
        let dict = Arc::new(Dictionary::new(
            inst.dictionary.clone(),
            attractor::Par::Seq,
        )?);
        let mut p = SparseParams::new(LAMBDA, true);
        p.dt = DT;
        p.tol = 1e-12;
        let coder = SparseCoder::new(dict.clone(), p)?;
        let tr = coder
            .trajectory(&inst.signal, None, 1, 2048, &Budget::steps(100_000))
            .context("sparse demo run")?;
        let x_star = tr.end.code(0).to_vec();
        let min_x = tr
            .codes
            .col_iter()
            .flat_map(|c| c.iter().copied())
            .fold(f64::INFINITY, f64::min);
        println!(
            "Euler dt = {DT} τ, γ = 1/L = {:.4}: {} after {} steps (t = {:.1} τ), relative duality gap {:.2e}",
            coder.gamma(),
            tr.end.status[0].name(),
            tr.end.n_steps[0],
            tr.t.last().copied().unwrap_or(0.0),
            tr.end.certificate[0]
        );
        println!(
            "{:>8}  {:>14}  {:>12}  {:>8}",
            "t", "objective", "gap (rel.)", "active"
        );
        let rows = 8usize.min(tr.t.len());
        for k in 0..rows {
            let i = if rows == 1 {
                0
            } else {
                k * (tr.t.len() - 1) / (rows - 1)
            };
            let active = tr.codes.col(i).iter().filter(|&&v| v > 1e-9).count();
            println!(
                "{:>8.2}  {:>14.9}  {:>12.3e}  {:>8}",
                tr.t[i], tr.objective[i], tr.certificate[i], active
            );
        }
        println!(
            "min over the trajectory of min_i x_i(t): {min_x:.3e} ({})",
            if min_x >= 0.0 {
                "the non-negative orthant is forward invariant"
            } else {
                "NEGATIVE: the orthant was left"
            }
        );
        let found: Vec<usize> = (0..N).filter(|&i| x_star[i] > 1e-9).collect();
        let err = x_star
            .iter()
            .zip(&inst.code)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let extra: Vec<String> = found
            .iter()
            .filter(|i| !truth.contains(i))
            .map(|&i| format!("x_{i} = {:.3e}", x_star[i]))
            .collect();
        println!(
            "support found {found:?}: {} of the {K} true atoms{}; max |x* − x₀| = {err:.3e} (λ shrinks the code)",
            truth.iter().filter(|i| found.contains(i)).count(),
            if extra.is_empty() {
                ", nothing else".to_string()
            } else {
                format!(
                    ", plus {} small LASSO coefficients ({})",
                    extra.len(),
                    extra.join(", ")
                )
            }
        );
        // the same equilibrium, solved on its active set
        let fast = SparseCoder::new(dict, SparseParams::new(LAMBDA, true))?.encode(
            faer::MatRef::from_column_major_slice(&inst.signal, M, 1),
            &Budget::new(),
        )?;
        let d = fast
            .code(0)
            .iter()
            .zip(&x_star)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        println!(
            "equilibrium solved on the active set: {} steps, gap {:.1e}, max difference to the trajectory's end {d:.1e}",
            fast.n_steps[0], fast.certificate[0]
        );

        let log_dist: Vec<(f64, f64)> = tr
            .codes
            .col_iter()
            .zip(&tr.t)
            .filter_map(|(c, &t)| {
                let d = c
                    .iter()
                    .zip(&x_star)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
                    .sqrt();
                (d > 0.0).then(|| (t, d.log10()))
            })
            .collect();
        let mut shown: Vec<usize> = truth.clone();
        shown.extend(found.iter().filter(|i| !truth.contains(i)));
        let series = shown
            .iter()
            .map(|&i| {
                (
                    format!(
                        "x_{i}{}",
                        if truth.contains(&i) {
                            ""
                        } else {
                            " (not in x₀)"
                        }
                    ),
                    tr.t.iter()
                        .zip(tr.codes.row(i).iter())
                        .map(|(&t, &v)| (t, v))
                        .collect(),
                )
            })
            .collect();
        Ok(vec![
            Panel {
                title: format!("PFCN, {N} atoms in ℝ^{M}: the code x(t)"),
                x_label: "time t / τ".into(),
                y_label: "x_i(t)".into(),
                series,
                images: None,
            },
            Panel {
                title: "PFCN: distance to the equilibrium".into(),
                x_label: "time t / τ".into(),
                y_label: "log10 ‖x(t) − x*‖".into(),
                series: vec![("log10 ‖x(t) − x*‖".into(), log_dist)],
                images: None,
            },
        ])
    }
}
