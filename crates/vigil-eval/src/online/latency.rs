//! Latency percentiles of a window's decisions, by nearest rank.

use super::OnlineError;

/// The usual latency percentiles of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencyPercentiles {
    /// How many latencies the window held.
    pub count: usize,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// The slowest.
    pub max: u64,
}

/// The nearest-rank `percentile` (in `(0, 100]`) of ascending `sorted`
/// values: the value at rank `⌈percentile · n / 100⌉` (1-based). It is
/// always an observed value, never an interpolation, so a p99 over 100
/// decisions is the 99th slowest decision itself.
///
/// Fails on an empty slice or a percentile outside `(0, 100]`.
///
/// ```
/// use vigil_eval::online::nearest_rank;
///
/// let sorted = [15, 20, 35, 40, 50];
/// assert_eq!(nearest_rank(&sorted, 30.0).unwrap(), 20); // rank ⌈1.5⌉ = 2
/// assert_eq!(nearest_rank(&sorted, 100.0).unwrap(), 50);
/// ```
pub fn nearest_rank(sorted: &[u64], percentile: f64) -> Result<u64, OnlineError> {
    if !(percentile > 0.0 && percentile <= 100.0) {
        return Err(OnlineError::InvalidPercentile(percentile));
    }
    let n = sorted.len();
    if n == 0 {
        return Err(OnlineError::Empty("the latencies"));
    }
    // percentile · n / 100 in that order keeps whole ranks exact
    // (90 · 10 / 100 is 9, where 0.9 · 10 might round above it).
    let rank = (percentile * n as f64 / 100.0).ceil() as usize;
    Ok(sorted[rank.clamp(1, n) - 1])
}

/// p50, p90, p99 and the maximum of `latencies` (any unit; Vigil's
/// decisions record `latency_us`), by [`nearest_rank`].
///
/// Fails when `latencies` is empty.
pub fn latency_percentiles(latencies: &[u64]) -> Result<LatencyPercentiles, OnlineError> {
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    Ok(LatencyPercentiles {
        count: sorted.len(),
        p50: nearest_rank(&sorted, 50.0)?,
        p90: nearest_rank(&sorted, 90.0)?,
        p99: nearest_rank(&sorted, 99.0)?,
        max: nearest_rank(&sorted, 100.0)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_on_one_to_a_hundred() {
        let values: Vec<u64> = (1..=100).rev().collect();
        let p = latency_percentiles(&values).expect("defined");
        assert_eq!(
            (p.count, p.p50, p.p90, p.p99, p.max),
            (100, 50, 90, 99, 100)
        );
    }

    #[test]
    fn small_windows_take_observed_values() {
        // Ten values: p90 is rank 9, p99 rank ⌈9.9⌉ = 10.
        let values = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10];
        let p = latency_percentiles(&values).expect("defined");
        assert_eq!((p.p50, p.p90, p.p99), (5, 9, 10));
        let one = latency_percentiles(&[42]).expect("defined");
        assert_eq!((one.p50, one.p99, one.max), (42, 42, 42));
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(
            latency_percentiles(&[]),
            Err(OnlineError::Empty("the latencies"))
        );
        for bad in [0.0, -1.0, 100.5, f64::NAN] {
            assert!(nearest_rank(&[1, 2], bad).is_err(), "{bad}");
        }
    }
}
