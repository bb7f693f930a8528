//! A block of [`LANES`] replicas integrated together (SIMD across replicas), with its buffers,
//! its readouts and its best states.

use super::LANES;
use super::kernel::{Coef, KernelCsr, W, step_dispatch};
use super::params::OimParams;
use crate::fastmath::sincos_f32;
use crate::problems::ising::greedy_descent_unchecked;
use crate::problems::{BestRotation, IsingModel};
use crate::rng::{stream, streams};
use crate::run::replicas::{Candidate, ReplicaUnit, Round, UnitReport, merge};
use rand::RngExt;
use std::f32::consts::PI;

/// What every block of a solve reads: the machine's data.
pub(crate) struct Machine<'a> {
    pub(crate) model: &'a IsingModel,
    pub(crate) p: &'a OimParams,
    pub(crate) node_h: &'a [f32],
    pub(crate) node_nf: &'a [f32],
    /// The couplings in kernel form.
    pub(crate) kernel: &'a KernelCsr,
}

/// The tracks of a block's report: the pure oscillator readout, then the descended state.
pub(crate) const OSCILLATOR: usize = 0;
pub(crate) const GREEDY: usize = 1;

/// One node's cos/sin row, aligned to a cache line so that each row spans exactly two lines.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Row([f32; W]);

/// The cos/sin rows of all nodes of one block, cache-line aligned.
pub(crate) struct Rows(Vec<Row>);

impl Rows {
    pub(crate) fn new(n: usize) -> Self {
        Self(vec![Row([0.0; W]); n])
    }
    pub(crate) fn as_slice(&self) -> &[f32] {
        // SAFETY: Row is repr(C) around [f32; W] with no padding (W·4 = 128 is a multiple of 64).
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().cast::<f32>(), self.0.len() * W) }
    }
    pub(crate) fn as_mut_slice(&mut self) -> &mut [f32] {
        // SAFETY: as in as_slice; the borrow is unique.
        unsafe {
            std::slice::from_raw_parts_mut(self.0.as_mut_ptr().cast::<f32>(), self.0.len() * W)
        }
    }
}

/// One block of [`LANES`] replicas with its buffers (node-major: index `i·LANES + l`).
pub(crate) struct Block {
    /// cos and sin, interleaved per node: `[cos θ_i (LANES) | sin θ_i (LANES)]`, double-buffered.
    cs: [Rows; 2],
    mu_fac: Vec<f32>,
    sign: Vec<f32>,
    rng: [u32; LANES],
    // scalar scratch for readout and descent
    spins: Vec<i8>,
    fields: Vec<f64>,
    rounding: BestRotation,
}

/// A block with the machine it runs: a unit of the shared replica engine.
pub(crate) struct Unit<'a> {
    pub(crate) block: Block,
    pub(crate) machine: &'a Machine<'a>,
}

impl ReplicaUnit for Unit<'_> {
    fn run_round(&mut self, round: &Round<'_>, out: &mut UnitReport) {
        self.block.run(self.machine, round, out);
    }
}

impl Block {
    pub(crate) fn new(n: usize) -> Self {
        let z = vec![0f32; n * LANES];
        Self {
            cs: [Rows::new(n), Rows::new(n)],
            mu_fac: z.clone(),
            sign: z,
            rng: [1; LANES],
            spins: vec![1; n],
            fields: vec![0.0; n],
            rounding: BestRotation::new(n),
        }
    }

    /// Run the block through one round, its report into `out` (tracks [`OSCILLATOR`] and
    /// [`GREEDY`]). Its random numbers come from the streams `base + round·n_blocks + b` of the
    /// seed only (initial phases, `μ_i` factors, the lanes' noise generators), so the result
    /// does not depend on which thread runs it or when.
    fn run(&mut self, ctx: &Machine<'_>, round: &Round<'_>, out: &mut UnitReport) {
        let p = ctx.p;
        let model = ctx.model;
        let n = model.n();
        let mut steps_done = 0u64;
        if round.stops.stop() {
            return;
        }
        let index = round.stream_index();
        let mut init = stream(p.seed, streams::INIT + index);
        // initial phases, written straight into the cos/sin rows
        let kick = p.restart.warm_kick as f32;
        let cs = self.cs[0].as_mut_slice();
        for i in 0..n {
            let base = match round.warm {
                Some(ws) if ws[i] < 0 => PI,
                _ => 0.0,
            };
            for l in 0..LANES {
                let t = match round.warm {
                    Some(_) => base + kick * init.random_range(-1.0f32..1.0),
                    None => init.random_range(-PI..PI),
                };
                let (sv, cv) = sincos_f32(t);
                cs[2 * i * LANES + l] = cv;
                cs[2 * i * LANES + LANES + l] = sv;
            }
        }
        let spread = p.schedule.mu_spread;
        if spread > 0.0 {
            let mut het = stream(p.seed, streams::PARAMS + index);
            for v in self.mu_fac.iter_mut() {
                *v = (1.0 + spread * het.random_range(-1.0..1.0)) as f32;
            }
        }
        let mut dynamics = stream(p.seed, streams::DYNAMICS + index);
        for r in self.rng.iter_mut() {
            // xorshift32 needs a non-zero state
            *r = dynamics.random::<u32>() | 1;
        }
        let skip = if round.warm.is_some() {
            p.restart.warm_skip
        } else {
            0.0
        };
        let s = &p.schedule;
        let mut cur = 0usize;
        let mut lane_best = f32::INFINITY;
        let n_steps = match s.n_steps_first {
            Some(f) => s
                .n_steps
                .min(f.max(1).saturating_mul(1usize << round.index.min(40))),
            None => s.n_steps,
        };
        let n_steps = ((n_steps as f64 * (1.0 - skip)).ceil() as usize).max(1);
        let greedy_readouts = p.readout.greedy && p.readout.greedy_readouts;
        for k in 0..n_steps {
            let frac = skip + (1.0 - skip) * (k as f64 / n_steps as f64);
            let mu = s.mu.as_ref().map_or(0.0, |m| m.at_fraction(frac));
            let sigma = p.noise.at_fraction(frac);
            let coef = Coef {
                h: ctx.node_h,
                nf: ctx.node_nf,
                mu2: (2.0 * mu) as f32,
                noise: sigma as f32,
                het: spread > 0.0,
            };
            let [c0, c1] = &mut self.cs;
            let (cin, cout) = if cur == 0 { (&*c0, c1) } else { (&*c1, c0) };
            let (cin, cout) = (cin.as_slice(), cout.as_mut_slice());
            step_dispatch(
                true,
                ctx.kernel,
                cin,
                cout,
                &self.mu_fac,
                &mut self.rng,
                coef,
            );
            cur ^= 1;
            steps_done += LANES as u64;
            let last = k + 1 == n_steps;
            if (k + 1) % p.readout.every == 0 || last {
                // cheap readout at θ_ref = 0: energies of all lanes in one CSR pass (f32)
                let cnow = self.cs[cur].as_slice();
                let e = lane_energies(model, cnow, &mut self.sign);
                let (l, el) =
                    e.iter().enumerate().fold(
                        (0, f32::INFINITY),
                        |a, (l, &v)| if v < a.1 { (l, v) } else { a },
                    );
                if el < lane_best {
                    lane_best = el;
                    self.read_lane_signs(l, n);
                    let exact = model.energy_unchecked(&self.spins);
                    round.offer(&mut out.best[OSCILLATOR], &self.spins, exact, steps_done);
                }
                if greedy_readouts {
                    self.read_lane_signs(l, n);
                    greedy_descent_unchecked(model, &mut self.spins, &mut self.fields);
                    let eg = model.energy_unchecked(&self.spins);
                    round.offer(&mut out.best[GREEDY], &self.spins, eg, steps_done);
                }
                if round.stops.stop() {
                    break;
                }
            }
        }
        // final readout of every lane at its best reference phase, then greedy descent
        let cnow = self.cs[cur].as_slice();
        for l in 0..LANES {
            let e = self.rounding.round_unchecked(
                model,
                |i| (cnow[2 * i * LANES + l], cnow[2 * i * LANES + LANES + l]),
                &mut self.spins,
            );
            round.offer(&mut out.best[OSCILLATOR], &self.spins, e, steps_done);
            if p.readout.greedy {
                greedy_descent_unchecked(model, &mut self.spins, &mut self.fields);
                let eg = model.energy_unchecked(&self.spins);
                let cand = Some(Candidate {
                    energy: eg,
                    spins: self.spins.clone(),
                    found_at: round.stops.elapsed(),
                    steps_at: round.steps_before + steps_done,
                });
                round.stops.offer(eg);
                merge(&mut out.best[GREEDY], &cand);
            }
            if round.collect {
                out.finals.extend_from_slice(&self.spins);
            }
        }
        out.steps = steps_done;
    }

    /// `spins = sgn cos θ` of lane `l` from the signs of the last [`lane_energies`].
    fn read_lane_signs(&mut self, l: usize, n: usize) {
        for i in 0..n {
            self.spins[i] = if self.sign[i * LANES + l] >= 0.0 {
                1
            } else {
                -1
            };
        }
    }
}

/// Energies `H(sgn cos θ)` of all lanes (f32, for selecting a lane; exact values are recomputed
/// in f64). Writes the signs into `sign`.
fn lane_energies(model: &IsingModel, cs: &[f32], sign: &mut [f32]) -> [f32; LANES] {
    for i in 0..model.n() {
        for l in 0..LANES {
            sign[i * LANES + l] = if cs[2 * i * LANES + l] >= 0.0 {
                1.0
            } else {
                -1.0
            };
        }
    }
    let rp = model.row_ptr();
    let col = model.col();
    let val = model.values_f32();
    let mut e = [0f32; LANES];
    for i in 0..model.n() {
        let mut a = [0f32; LANES];
        for p in rp[i]..rp[i + 1] {
            let j = col[p] as usize;
            let w = val[p];
            let sj = &sign[j * LANES..j * LANES + LANES];
            for l in 0..LANES {
                a[l] += w * sj[l];
            }
        }
        for l in 0..LANES {
            e[l] -= 0.5 * a[l] * sign[i * LANES + l];
        }
    }
    e
}
