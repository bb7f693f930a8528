//! The trace: energy and any quantities the caller asks for, recorded along a run in fixed
//! memory.

use std::sync::Arc;

/// One recorded point of the trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TracePoint {
    /// Step index (0 is the initial state).
    pub step: usize,
    /// Time (for a discrete map, the number of updates).
    pub t: f64,
    /// Energy (`NaN` when the dynamics have none).
    pub energy: f64,
}

/// A quantity recorded along a run: `q(t, x)` (a distance to a known optimum, a duality gap,
/// a norm), given to [`Run::record`](super::Run::record).
pub type Probe = Arc<dyn Fn(f64, &[f64]) -> f64 + Send + Sync>;

/// The values of one recorded quantity, aligned with [`Solution::trace`](super::Solution::trace).
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// The name given to [`Run::record`](super::Run::record).
    pub name: String,
    /// One value per trace point.
    pub values: Vec<f64>,
}

/// A fixed-capacity trace: sample `k` is kept when `k` is a multiple of the stride; when the
/// buffer is full, every other kept point is dropped and the stride doubles. The newest sample
/// is always kept as the tail, so the trace ends at the latest state. Never allocates after
/// construction.
pub(crate) struct Trace {
    points: Vec<TracePoint>,
    /// `width` values per kept point, flat.
    values: Vec<f64>,
    tail: Option<TracePoint>,
    tail_values: Vec<f64>,
    width: usize,
    cap: usize,
    stride: usize,
    seen: usize,
}

impl Trace {
    pub(crate) fn new(cap: usize, width: usize) -> Self {
        Self {
            points: Vec::with_capacity(cap + 1),
            values: Vec::with_capacity((cap + 1) * width),
            tail: None,
            tail_values: vec![0.0; width],
            width,
            cap,
            stride: 1,
            seen: 0,
        }
    }

    pub(crate) fn push(&mut self, p: TracePoint, vals: &[f64]) {
        debug_assert_eq!(vals.len(), self.width);
        let k = self.seen;
        self.seen += 1;
        if !k.is_multiple_of(self.stride) {
            self.set_tail(p, vals);
            return;
        }
        if self.points.len() == self.cap {
            let w = self.width;
            let kept = self.points.len().div_ceil(2);
            for j in 0..kept {
                self.points[j] = self.points[2 * j];
                self.values.copy_within(2 * j * w..(2 * j + 1) * w, j * w);
            }
            self.points.truncate(kept);
            self.values.truncate(kept * w);
            self.stride *= 2;
            if !k.is_multiple_of(self.stride) {
                self.set_tail(p, vals);
                return;
            }
        }
        self.tail = None;
        self.points.push(p);
        self.values.extend_from_slice(vals);
    }

    fn set_tail(&mut self, p: TracePoint, vals: &[f64]) {
        self.tail = Some(p);
        self.tail_values.copy_from_slice(vals);
    }

    /// The points and, per quantity, its values.
    pub(crate) fn finish(mut self, names: &[String]) -> (Vec<TracePoint>, Vec<Quantity>) {
        if let Some(t) = self.tail.take() {
            self.points.push(t);
            self.values.extend_from_slice(&self.tail_values);
        }
        let w = self.width;
        let quantities = names
            .iter()
            .enumerate()
            .map(|(q, name)| Quantity {
                name: name.clone(),
                values: (0..self.points.len())
                    .map(|j| self.values[j * w + q])
                    .collect(),
            })
            .collect();
        (self.points, quantities)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_thins_evenly_and_keeps_the_last_point() {
        let mut tr = Trace::new(8, 1);
        for k in 0..100 {
            let p = TracePoint {
                step: k,
                t: k as f64,
                energy: 0.0,
            };
            tr.push(p, &[2.0 * k as f64]);
        }
        let (pts, q) = tr.finish(&["twice".to_string()]);
        assert!(pts.len() <= 9, "{}", pts.len());
        assert_eq!(pts[0].step, 0);
        assert_eq!(pts.last().unwrap().step, 99);
        let gaps: Vec<usize> = pts.windows(2).map(|w| w[1].step - w[0].step).collect();
        let g0 = gaps[0];
        assert!(gaps[..gaps.len() - 1].iter().all(|&g| g == g0), "{gaps:?}");
        // the quantity stays aligned with its points through every thinning
        for (p, v) in pts.iter().zip(&q[0].values) {
            assert_eq!(*v, 2.0 * p.step as f64);
        }
    }
}
