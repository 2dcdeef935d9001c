//! Summaries of measured values: percentiles across calls or streams, and
//! a level sampled over time (calls on the line).

use serde::Serialize;

/// Count, mean and percentiles of a set of values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Summary {
    pub count: usize,
    pub mean: f64,
    pub min: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Summary {
    /// Summarises `values` (NaNs are ignored). Percentiles are nearest-rank:
    /// the smallest value with at least p% of the values at or below it.
    pub fn of(values: &[f64]) -> Summary {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            return Summary::default();
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        Summary {
            count: n,
            mean: v.iter().sum::<f64>() / n as f64,
            min: v[0],
            p50: percentile(&v, 50.0),
            p90: percentile(&v, 90.0),
            p99: percentile(&v, 99.0),
            max: v[n - 1],
        }
    }
}

/// Nearest-rank percentile of sorted, non-empty values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

/// A level (e.g. calls talking) sampled at times, for its peak and its
/// time-weighted mean.
#[derive(Debug, Clone, Default)]
pub struct Level {
    /// (seconds since the start, level), in time order.
    samples: Vec<(f64, u64)>,
}

impl Level {
    pub fn sample(&mut self, at_secs: f64, level: u64) {
        self.samples.push((at_secs, level));
    }

    pub fn max(&self) -> u64 {
        self.samples.iter().map(|s| s.1).max().unwrap_or(0)
    }

    /// Time-weighted mean between `from` and `to` seconds (each sample
    /// holds until the next one).
    pub fn mean_between(&self, from: f64, to: f64) -> f64 {
        if to <= from {
            return 0.0;
        }
        let mut total = 0.0;
        for (i, (t, level)) in self.samples.iter().enumerate() {
            let end = self.samples.get(i + 1).map_or(to, |n| n.0);
            let (a, b) = (t.max(from), end.min(to));
            if b > a {
                total += (b - a) * *level as f64;
            }
        }
        total / (to - from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = Summary::of(&v);
        assert_eq!(
            (s.count, s.min, s.p50, s.p90, s.p99, s.max),
            (100, 1.0, 50.0, 90.0, 99.0, 100.0)
        );
        assert!((s.mean - 50.5).abs() < 1e-9);
        // Unsorted input, one outlier: p99 of 10 values is the largest.
        let s = Summary::of(&[5.0, 1.0, 3.0, 2.0, 4.0, 1.0, 2.0, 3.0, 2.0, 900.0]);
        assert_eq!((s.p50, s.p90, s.p99), (2.0, 5.0, 900.0));
        let one = Summary::of(&[7.5]);
        assert_eq!((one.p50, one.p99, one.min, one.max), (7.5, 7.5, 7.5, 7.5));
        assert_eq!(Summary::of(&[]), Summary::default());
        assert_eq!(Summary::of(&[f64::NAN, 2.0]).count, 1);
    }

    #[test]
    fn level_mean_is_time_weighted() {
        let mut l = Level::default();
        l.sample(0.0, 0);
        l.sample(1.0, 10);
        l.sample(3.0, 4);
        assert_eq!(l.max(), 10);
        // 0 for 1 s, 10 for 2 s, 4 for 1 s over [0, 4].
        assert!((l.mean_between(0.0, 4.0) - 6.0).abs() < 1e-9);
        assert!((l.mean_between(1.0, 3.0) - 10.0).abs() < 1e-9);
        assert_eq!(l.mean_between(2.0, 2.0), 0.0);
    }
}
