//! How the report writes numbers for people, shared by the HTML and Markdown
//! renderers so both show the same figures.

use super::model::{Estimate, ObligationVerdict};

/// Shown where a metric is undefined for the data.
pub(super) const UNDEFINED: &str = "–";

/// A fraction with three decimals; undefined for NaN and infinities.
pub(super) fn fraction(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.3}")
    } else {
        UNDEFINED.to_string()
    }
}

/// An optional fraction; `None` is undefined.
pub(super) fn opt_fraction(value: Option<f64>) -> String {
    value.map_or_else(|| UNDEFINED.to_string(), fraction)
}

/// `0.812 [0.790, 0.833]`: the value with its interval.
pub(super) fn estimate(value: Option<Estimate>) -> String {
    match value {
        Some(e) => format!(
            "{} [{}, {}]",
            fraction(e.value),
            fraction(e.low),
            fraction(e.high)
        ),
        None => UNDEFINED.to_string(),
    }
}

/// `positives / n_known` without dividing by zero.
pub(super) fn rate(positives: u64, n_known: u64) -> Option<f64> {
    // Counts are far below 2^53, where u64 → f64 would start to round.
    (n_known > 0).then(|| positives as f64 / n_known as f64)
}

/// One word for an obligation verdict, for text and for CSS classes.
pub(super) fn verdict_word(verdict: &ObligationVerdict) -> &'static str {
    match verdict.holds {
        Some(true) => "holds",
        Some(false) => "violated",
        None => "undetermined",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_values_are_marked_not_zeroed() {
        assert_eq!(fraction(f64::NAN), UNDEFINED);
        assert_eq!(opt_fraction(None), UNDEFINED);
        assert_eq!(estimate(None), UNDEFINED);
        assert_eq!(rate(3, 0), None);
    }

    #[test]
    fn estimates_show_their_interval() {
        let e = Estimate {
            value: 0.8123,
            low: 0.79,
            high: 0.8333,
        };
        assert_eq!(estimate(Some(e)), "0.812 [0.790, 0.833]");
    }
}
