//! The change of a decision rate (the share restricted, blocked or sent to
//! review) between a reference window and the current one.

use super::{check_part, OnlineError};
use crate::intervals::{wilson, Confidence, Interval};

/// Which way a rate moved, by whether the interval on the difference
/// excludes zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeDirection {
    /// The whole interval on `current − reference` is above zero.
    Increased,
    /// The whole interval is below zero.
    Decreased,
    /// The interval contains zero.
    NoDetectableChange,
}

/// A rate in two windows and their difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateChange {
    /// The reference window's rate, with its Wilson interval.
    pub reference: Interval,
    /// The current window's rate, with its Wilson interval.
    pub current: Interval,
    /// `current − reference`, with Newcombe's hybrid score interval.
    pub difference: Interval,
    /// What the interval says.
    pub direction: ChangeDirection,
}

/// The change of a rate from `reference_hits / reference_total` to
/// `current_hits / current_total`, with Newcombe's hybrid score interval
/// for the difference of two independent proportions (his method 10,
/// Statistics in Medicine 17, 1998): the two Wilson intervals combined as
/// `d − √((p₂ − l₂)² + (u₁ − p₁)²)` and `d + √((u₂ − p₂)² + (p₁ − l₁)²)`,
/// with `p₂` the current rate and `p₁` the reference. It stays inside
/// `[−1, 1]` and behaves at rates of 0 and 1, where the Wald interval
/// collapses.
///
/// Fails when a window is empty or its hits exceed its total.
///
/// ```
/// use vigil_eval::online::{rate_change, ChangeDirection};
/// use vigil_eval::Confidence;
///
/// // Newcombe's example: 56/70 against 48/80, difference 0.2 (0.0524 to 0.3339).
/// let c = rate_change(48, 80, 56, 70, Confidence::NINETY_FIVE).unwrap();
/// assert!((c.difference.low - 0.0524).abs() < 1e-4 && (c.difference.high - 0.3339).abs() < 1e-4);
/// assert_eq!(c.direction, ChangeDirection::Increased);
/// ```
pub fn rate_change(
    reference_hits: u64,
    reference_total: u64,
    current_hits: u64,
    current_total: u64,
    confidence: Confidence,
) -> Result<RateChange, OnlineError> {
    check_part(
        "reference hits",
        reference_hits,
        "reference total",
        reference_total,
    )?;
    check_part("current hits", current_hits, "current total", current_total)?;
    let reference = wilson(reference_hits, reference_total, confidence)
        .ok_or(OnlineError::Empty("the reference window"))?;
    let current = wilson(current_hits, current_total, confidence)
        .ok_or(OnlineError::Empty("the current window"))?;
    let d = current.estimate - reference.estimate;
    let low = d
        - ((current.estimate - current.low).powi(2)
            + (reference.high - reference.estimate).powi(2))
        .sqrt();
    let high = d
        + ((current.high - current.estimate).powi(2)
            + (reference.estimate - reference.low).powi(2))
        .sqrt();
    let direction = if low > 0.0 {
        ChangeDirection::Increased
    } else if high < 0.0 {
        ChangeDirection::Decreased
    } else {
        ChangeDirection::NoDetectableChange
    };
    Ok(RateChange {
        reference,
        current,
        difference: Interval {
            estimate: d,
            low,
            high,
        },
        direction,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: Confidence = Confidence::NINETY_FIVE;

    #[test]
    fn matches_newcombes_worked_examples() {
        // Newcombe (1998), table II, method 10: 56/70 − 48/80 gives 0.0524
        // to 0.3339 (the doc example); 5/56 − 0/29, a reference without a
        // hit, gives −0.0381 to 0.1926.
        let c = rate_change(0, 29, 5, 56, C).expect("defined");
        assert!((c.difference.low - (-0.0381)).abs() < 1e-4, "{c:?}");
        assert!((c.difference.high - 0.1926).abs() < 1e-4, "{c:?}");
        assert_eq!(c.direction, ChangeDirection::NoDetectableChange);
    }

    #[test]
    fn a_fall_is_decreased_and_no_change_is_no_change() {
        let c = rate_change(300, 1_000, 200, 1_000, C).expect("defined");
        assert_eq!(c.direction, ChangeDirection::Decreased);
        assert!((c.difference.estimate + 0.1).abs() < 1e-12);
        let c = rate_change(100, 1_000, 100, 1_000, C).expect("defined");
        assert_eq!(c.direction, ChangeDirection::NoDetectableChange);
        assert!(c.difference.low < 0.0 && c.difference.high > 0.0);
    }

    #[test]
    fn bad_counts_are_refused() {
        assert_eq!(
            rate_change(0, 0, 1, 2, C),
            Err(OnlineError::Empty("the reference window"))
        );
        assert!(rate_change(1, 2, 3, 2, C).is_err());
    }
}
