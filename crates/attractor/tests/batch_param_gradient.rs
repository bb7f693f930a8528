//! `BatchParamGradient`: the batched parameter gradient of the layered networks (rates and
//! phases), formed as matrix products of per-layer features, equals the sum over the columns
//! of the per-state `ParamGradient`, and the contrast of two batches equals the difference of
//! their sums.

use attractor::Par;
use attractor::energy::{BatchParamGradient, LayerFeatures, ParamGradient, add_param_contrast};
use attractor::learn::optimizer::ParamBlocks;
use attractor::models::OscillatorNetwork;
use attractor::models::layered::{LayerActivation, LayeredNetwork};
use faer::{Mat, MatMut};

/// `Σ_j ∂E/∂θ([x_j; s_j])` from the per-state gradient, flattened as `ParamGradient` orders it.
fn summed<M: ParamGradient>(m: &M, x: &Mat<f64>, s: &Mat<f64>) -> Vec<f64> {
    let mut total = vec![0.0; m.n_params()];
    let mut g = vec![0.0; m.n_params()];
    for j in 0..x.ncols() {
        let z: Vec<f64> = (0..x.nrows())
            .map(|i| x[(i, j)])
            .chain((0..s.nrows()).map(|i| s[(i, j)]))
            .collect();
        m.param_gradient_into(&z, &mut g);
        for (t, v) in total.iter_mut().zip(&g) {
            *t += v;
        }
    }
    total
}

/// The blocks flattened column by column, block after block (`W_0, b_1, W_1, …`).
fn flat(blocks: &[Mat<f64>]) -> Vec<f64> {
    blocks
        .iter()
        .flat_map(|b| (0..b.ncols()).flat_map(move |j| (0..b.nrows()).map(move |i| b[(i, j)])))
        .collect()
}

fn check<M: ParamGradient + BatchParamGradient + ParamBlocks>(
    m: &M,
    x: &Mat<f64>,
    s: &Mat<f64>,
    s2: &Mat<f64>,
) {
    let zeros = || -> Vec<Mat<f64>> {
        m.block_specs()
            .iter()
            .map(|b| Mat::zeros(b.rows, b.cols))
            .collect()
    };
    let coefs = vec![1.0; m.block_specs().len()];
    let mut feats = LayerFeatures::default();
    feats.set(m, x.as_ref(), s.as_ref());
    let mut blocks = zeros();
    {
        let mut views: Vec<MatMut<'_, f64>> = blocks.iter_mut().map(|b| b.as_mut()).collect();
        feats.add_param_gradient(&coefs, &mut views, Par::Seq);
    }
    let want = summed(m, x, s);
    let got = flat(&blocks);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-12 * (1.0 + w.abs()), "{g} vs {w}");
    }
    // the contrast: Σ(∂E/∂θ(minus) − ∂E/∂θ(plus)) with plus = s2, minus = s
    let mut plus = LayerFeatures::default();
    plus.set(m, x.as_ref(), s2.as_ref());
    let mut blocks = zeros();
    {
        let mut views: Vec<MatMut<'_, f64>> = blocks.iter_mut().map(|b| b.as_mut()).collect();
        let mut diff = Mat::new();
        add_param_contrast(&plus, &feats, &coefs, &mut views, &mut diff, Par::Seq);
    }
    let other = summed(m, x, s2);
    for ((g, a), b) in flat(&blocks).iter().zip(&want).zip(&other) {
        let w = a - b;
        assert!((g - w).abs() <= 1e-12 * (1.0 + w.abs()), "{g} vs {w}");
    }
}

#[test]
fn layered_and_oscillator_batch_gradients_equal_the_per_state_sums() {
    let sizes = [5, 4, 3, 2];
    let x = Mat::from_fn(5, 6, |i, j| 0.5 + 0.5 * ((i * 5 + j * 3) as f64).sin());
    let s = Mat::from_fn(9, 6, |i, j| 0.5 + 0.6 * ((i * 7 + j) as f64).cos());
    let s2 = Mat::from_fn(9, 6, |i, j| 0.5 + 0.6 * ((i + j * 11) as f64).sin());
    for act in [
        LayerActivation::HardSigmoid,
        LayerActivation::Sigmoid,
        LayerActivation::Tanh,
    ] {
        let net = LayeredNetwork::random(&sizes, act, 2).unwrap();
        check(&net, &x, &s, &s2);
    }
    let osc = OscillatorNetwork::random(&sizes, 3).unwrap();
    let phases = |m: &Mat<f64>| Mat::from_fn(m.nrows(), m.ncols(), |i, j| 3.0 * m[(i, j)]);
    check(&osc, &phases(&x), &phases(&s), &phases(&s2));
}
