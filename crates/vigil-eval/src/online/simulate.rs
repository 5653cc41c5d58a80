//! Streams with known truth, to measure how often the online intervals
//! contain the true precision, prevalence and recall.
//!
//! Each simulated window draws every item's truth and decision from fixed
//! rates, then samples restrictions for audit and allowed items for the
//! prevalence sample at random, as the review queue does. The true values
//! are those *realised in the window* (the share of its restrictions that
//! are violating, and so on), which is what the estimators estimate.

use super::{
    allowed_prevalence, estimated_recall, restriction_precision, AuditSource, OnlineError,
    WindowCounts,
};
use crate::bootstrap::{BootstrapConfig, SplitMix64};
use crate::intervals::Confidence;

/// How a simulated window is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamConfig {
    /// Items in the window.
    pub items: u64,
    /// Share of items that violate policy.
    pub violating_share: f64,
    /// Share of violating items the classifier restricts.
    pub classifier_recall: f64,
    /// Share of clean items the classifier restricts.
    pub false_positive_rate: f64,
    /// Share of allowed items sampled for labelling (the review queue's
    /// `prevalence_rate`).
    pub prevalence_rate: f64,
    /// Share of restricted items audited at random.
    pub audit_rate: f64,
}

impl Default for StreamConfig {
    /// 50 000 items, 10 % violating, recall 0.8, false-positive rate 1 %
    /// (so precision about 0.9 and prevalence among allowed items about
    /// 2.2 %), 2 % of allowed items sampled, 5 % of restrictions audited.
    fn default() -> Self {
        Self {
            items: 50_000,
            violating_share: 0.10,
            classifier_recall: 0.80,
            false_positive_rate: 0.01,
            prevalence_rate: 0.02,
            audit_rate: 0.05,
        }
    }
}

impl StreamConfig {
    /// Checks that every rate is a share in `[0, 1]`.
    fn validate(&self) -> Result<(), OnlineError> {
        let shares = [
            ("violating_share", self.violating_share),
            ("classifier_recall", self.classifier_recall),
            ("false_positive_rate", self.false_positive_rate),
            ("prevalence_rate", self.prevalence_rate),
            ("audit_rate", self.audit_rate),
        ];
        for (what, value) in shares {
            if !(0.0..=1.0).contains(&value) {
                return Err(OnlineError::NotAShare { what, value });
            }
        }
        Ok(())
    }
}

/// One simulated window: what the estimators see, and the truth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulatedWindow {
    /// Restricted and allowed counts.
    pub counts: WindowCounts,
    /// Restrictions audited.
    pub audited: u64,
    /// Of those, violating (upheld).
    pub upheld: u64,
    /// Allowed items in the prevalence sample.
    pub sampled: u64,
    /// Of those, violating.
    pub sampled_violating: u64,
    /// Share of the window's restrictions that are violating.
    pub true_precision: f64,
    /// Share of the window's allowed items that are violating.
    pub true_prevalence: f64,
    /// Share of the window's violating items that were restricted.
    pub true_recall: f64,
}

/// Draws one window.
pub fn simulate_window(
    config: &StreamConfig,
    rng: &mut SplitMix64,
) -> Result<SimulatedWindow, OnlineError> {
    config.validate()?;
    let caught_p = config.violating_share * config.classifier_recall;
    let missed_p = caught_p + config.violating_share * (1.0 - config.classifier_recall);
    let false_p = missed_p + (1.0 - config.violating_share) * config.false_positive_rate;
    let (mut caught, mut missed, mut false_positives, mut clean_allowed) = (0u64, 0u64, 0u64, 0u64);
    let (mut audited, mut upheld, mut sampled, mut sampled_violating) = (0u64, 0u64, 0u64, 0u64);
    // Two uniforms per item: one for its truth and decision, one for
    // whether it is sampled. Plain counting, no allocation.
    for _ in 0..config.items {
        let u = unit(rng);
        let chosen = unit(rng);
        if u < caught_p {
            caught += 1;
            if chosen < config.audit_rate {
                audited += 1;
                upheld += 1;
            }
        } else if u < missed_p {
            missed += 1;
            if chosen < config.prevalence_rate {
                sampled += 1;
                sampled_violating += 1;
            }
        } else if u < false_p {
            false_positives += 1;
            if chosen < config.audit_rate {
                audited += 1;
            }
        } else {
            clean_allowed += 1;
            if chosen < config.prevalence_rate {
                sampled += 1;
            }
        }
    }
    let restricted = caught + false_positives;
    let allowed = missed + clean_allowed;
    Ok(SimulatedWindow {
        counts: WindowCounts {
            restricted,
            allowed,
        },
        audited,
        upheld,
        sampled,
        sampled_violating,
        true_precision: ratio(caught, restricted),
        true_prevalence: ratio(missed, allowed),
        true_recall: ratio(caught, caught + missed),
    })
}

/// A uniform number in `[0, 1)` from 53 random bits.
fn unit(rng: &mut SplitMix64) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `a / b`, or 0 when `b` is 0 (such a window yields no estimate anyway).
fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// How often the intervals contained the truth over repeated windows.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Coverage {
    /// Windows drawn.
    pub runs: usize,
    /// Windows where every estimate was defined (something audited,
    /// something sampled, recall not `0 / 0`).
    pub defined: usize,
    /// Defined windows whose precision interval held the true precision.
    pub precision_covered: usize,
    /// Defined windows whose prevalence interval held the true prevalence.
    pub prevalence_covered: usize,
    /// Defined windows whose recall interval held the true recall.
    pub recall_covered: usize,
    /// Defined windows whose recall was flagged meaningful.
    pub meaningful: usize,
    /// Meaningful windows whose recall interval held the true recall.
    pub recall_covered_meaningful: usize,
    /// Sum over defined windows of the recall interval's width.
    pub recall_width_sum: f64,
}

impl Coverage {
    /// `covered / defined`, or 0 with nothing defined.
    pub fn rate(covered: usize, defined: usize) -> f64 {
        ratio(covered as u64, defined as u64)
    }
}

/// Draws `runs` windows from `config` and counts how often the
/// `confidence` intervals of [`restriction_precision`] (over a random
/// audit), [`allowed_prevalence`] and [`estimated_recall`] (with
/// `resamples` draws) contain the window's true values. Deterministic for
/// a `seed`.
pub fn measure_coverage(
    config: &StreamConfig,
    runs: usize,
    confidence: Confidence,
    resamples: usize,
    seed: u64,
) -> Result<Coverage, OnlineError> {
    let mut rng = SplitMix64::new(seed);
    let mut coverage = Coverage {
        runs,
        ..Coverage::default()
    };
    for _ in 0..runs {
        let w = simulate_window(config, &mut rng)?;
        let cfg = BootstrapConfig {
            resamples,
            confidence,
            seed: rng.next_u64(),
        };
        let Ok(precision) =
            restriction_precision(w.upheld, w.audited, AuditSource::RandomAudit, confidence)
        else {
            continue;
        };
        let Ok(prevalence) = allowed_prevalence(w.sampled_violating, w.sampled, confidence) else {
            continue;
        };
        let Ok(recall) = estimated_recall(w.counts, &precision, &prevalence, &cfg) else {
            continue;
        };
        coverage.defined += 1;
        coverage.precision_covered += usize::from(precision.interval.contains(w.true_precision));
        coverage.prevalence_covered += usize::from(prevalence.interval.contains(w.true_prevalence));
        let hit = recall.interval.contains(w.true_recall);
        coverage.recall_covered += usize::from(hit);
        if recall.adequacy.is_meaningful() {
            coverage.meaningful += 1;
            coverage.recall_covered_meaningful += usize::from(hit);
        }
        coverage.recall_width_sum += recall.interval.high - recall.interval.low;
    }
    Ok(coverage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_adds_up_and_matches_its_rates() {
        let mut rng = SplitMix64::new(3);
        let w = simulate_window(&StreamConfig::default(), &mut rng).expect("valid config");
        assert_eq!(w.counts.restricted + w.counts.allowed, 50_000);
        assert!(w.audited <= w.counts.restricted && w.sampled <= w.counts.allowed);
        assert!((w.true_precision - 0.9).abs() < 0.02, "{w:?}");
        assert!((w.true_recall - 0.8).abs() < 0.02, "{w:?}");
        assert!((w.true_prevalence - 0.022).abs() < 0.003, "{w:?}");
    }

    #[test]
    fn rates_outside_the_unit_interval_are_refused() {
        let bad = StreamConfig {
            audit_rate: 1.5,
            ..StreamConfig::default()
        };
        let mut rng = SplitMix64::new(3);
        assert_eq!(
            simulate_window(&bad, &mut rng),
            Err(OnlineError::NotAShare {
                what: "audit_rate",
                value: 1.5
            })
        );
    }
}
