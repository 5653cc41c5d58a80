//! Precision of automated restrictions, prevalence among allowed items and
//! the recall estimated from the two, each with its interval and adequacy.

use super::beta::beta;
use super::{check_part, check_samples, joint_adequacy, Adequacy, OnlineError, Shortfall};
use crate::bootstrap::{percentile_interval, BootstrapConfig, SplitMix64};
use crate::intervals::{wilson, Confidence, Interval};

/// Fewest checked restrictions for precision to be meaningful.
pub const MIN_CHECKED: u64 = 30;
/// Fewest sampled allowed items for prevalence to be meaningful.
pub const MIN_SAMPLED: u64 = 30;
/// Fewest violating items in the prevalence sample for prevalence (and so
/// recall) to be meaningful.
pub const MIN_VIOLATING_IN_SAMPLE: u64 = 10;

/// Where the checked restrictions came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditSource {
    /// A uniform random sample of the window's restrictions, each judged by
    /// a person regardless of whether anyone complained: an unbiased
    /// estimate of precision.
    RandomAudit,
    /// Restrictions that reached a person because they were routed to
    /// review or appealed. Biased: appeals come mostly from users who think
    /// the restriction wrong (so precision is understated), and routing
    /// picks uncertain scores (where precision is lowest). Shown, but always
    /// flagged [`Shortfall::NotARandomSample`].
    ReviewsAndAppeals,
}

/// Precision of automated restrictions over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionEstimate {
    /// `upheld / checked` with its Wilson interval.
    pub interval: Interval,
    /// Restrictions a person checked.
    pub checked: u64,
    /// Of those, the ones the person upheld.
    pub upheld: u64,
    /// Where the checked restrictions came from.
    pub source: AuditSource,
    /// Whether the figure may be read as an estimate.
    pub adequacy: Adequacy,
}

/// Prevalence of violating items among allowed ones, from the random
/// prevalence sample.
#[derive(Debug, Clone, PartialEq)]
pub struct PrevalenceEstimate {
    /// `violating / sampled` with its Wilson interval.
    pub interval: Interval,
    /// Allowed items sampled and labelled.
    pub sampled: u64,
    /// Of those, the violating ones.
    pub violating: u64,
    /// Whether the figure may be read as an estimate.
    pub adequacy: Adequacy,
}

/// How many items the window restricted (restrict or block) and allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowCounts {
    /// Items restricted or blocked by the automated decision.
    pub restricted: u64,
    /// Items allowed.
    pub allowed: u64,
}

/// Recall estimated from precision and prevalence.
#[derive(Debug, Clone, PartialEq)]
pub struct RecallEstimate {
    /// `caught / (caught + missed)` with its interval.
    pub interval: Interval,
    /// Estimated violating items restricted: `restricted × precision`.
    pub caught: f64,
    /// Estimated violating items allowed: `allowed × prevalence`.
    pub missed: f64,
    /// Meaningful only when both inputs are.
    pub adequacy: Adequacy,
}

/// Precision of automated restrictions: `upheld` of `checked` restrictions
/// a person upheld, with the two-sided Wilson interval at `confidence`.
///
/// Not meaningful below [`MIN_CHECKED`] checks or when `source` is
/// [`AuditSource::ReviewsAndAppeals`]. Fails when nothing was checked or
/// `upheld > checked`.
///
/// ```
/// use vigil_eval::online::{restriction_precision, AuditSource};
/// use vigil_eval::Confidence;
///
/// let p = restriction_precision(45, 50, AuditSource::RandomAudit, Confidence::NINETY_FIVE).unwrap();
/// assert_eq!(p.interval.estimate, 0.9);
/// assert!(p.adequacy.is_meaningful());
/// let appeals = restriction_precision(45, 50, AuditSource::ReviewsAndAppeals, Confidence::NINETY_FIVE).unwrap();
/// assert!(!appeals.adequacy.is_meaningful());
/// ```
pub fn restriction_precision(
    upheld: u64,
    checked: u64,
    source: AuditSource,
    confidence: Confidence,
) -> Result<PrecisionEstimate, OnlineError> {
    check_part(
        "upheld restrictions",
        upheld,
        "checked restrictions",
        checked,
    )?;
    let interval = wilson(upheld, checked, confidence)
        .ok_or(OnlineError::Empty("the checked restrictions"))?;
    let mut shortfalls = Vec::new();
    if checked < MIN_CHECKED {
        shortfalls.push(Shortfall::TooFewChecked {
            checked,
            minimum: MIN_CHECKED,
        });
    }
    if source == AuditSource::ReviewsAndAppeals {
        shortfalls.push(Shortfall::NotARandomSample);
    }
    Ok(PrecisionEstimate {
        interval,
        checked,
        upheld,
        source,
        adequacy: Adequacy::from_shortfalls(shortfalls),
    })
}

/// Prevalence among allowed items: `violating` of the `sampled` allowed
/// items drawn uniformly at random for labelling, with the two-sided Wilson
/// interval at `confidence`.
///
/// Not meaningful below [`MIN_SAMPLED`] sampled items or
/// [`MIN_VIOLATING_IN_SAMPLE`] violating ones (the upper end of the
/// interval remains a valid bound). Fails when nothing was sampled or
/// `violating > sampled`.
pub fn allowed_prevalence(
    violating: u64,
    sampled: u64,
    confidence: Confidence,
) -> Result<PrevalenceEstimate, OnlineError> {
    check_part(
        "violating sampled items",
        violating,
        "sampled items",
        sampled,
    )?;
    let interval = wilson(violating, sampled, confidence)
        .ok_or(OnlineError::Empty("the prevalence sample"))?;
    let mut shortfalls = Vec::new();
    if sampled < MIN_SAMPLED {
        shortfalls.push(Shortfall::TooFewSampled {
            sampled,
            minimum: MIN_SAMPLED,
        });
    }
    if violating < MIN_VIOLATING_IN_SAMPLE {
        shortfalls.push(Shortfall::TooFewViolatingInSample {
            violating,
            minimum: MIN_VIOLATING_IN_SAMPLE,
        });
    }
    Ok(PrevalenceEstimate {
        interval,
        sampled,
        violating,
        adequacy: Adequacy::from_shortfalls(shortfalls),
    })
}

/// Recall of the automated decision over a window, estimated as
/// `caught / (caught + missed)` with `caught = restricted × precision` and
/// `missed = allowed × prevalence`.
///
/// The interval is a parametric bootstrap: `cfg.resamples` times, draw a
/// precision from `Beta(upheld + ½, checked − upheld + ½)` and a prevalence
/// from `Beta(violating + ½, sampled − violating + ½)` (the Jeffreys
/// posteriors of the two binomial samples, independent since the samples
/// are disjoint), compute recall from the pair, and take the percentile
/// interval at `cfg.confidence`. This carries both uncertainties through
/// the non-linear formula without a normal approximation, and stays defined
/// where a log-ratio (Katz) interval breaks: no violating item in the
/// sample, or every checked restriction upheld. When no violating item was
/// sampled the estimate is 1 and the upper end is set to 1; when no
/// restriction was upheld the estimate is 0 and the lower end 0 (Brown, Cai
/// and DasGupta's boundary rule for Jeffreys intervals). The samples are
/// taken as small beside the window (binomial, not hypergeometric); a
/// sample that is a large share of it gives a conservative interval.
///
/// Meaningful only when both inputs are. Fails when a sample is larger
/// than the part of the window it was drawn from, when `cfg.resamples` is
/// 0, or when no violating item is estimated at all (recall `0 / 0`).
pub fn estimated_recall(
    window: WindowCounts,
    precision: &PrecisionEstimate,
    prevalence: &PrevalenceEstimate,
    cfg: &BootstrapConfig,
) -> Result<RecallEstimate, OnlineError> {
    check_samples(window, precision, prevalence)?;
    let restricted = window.restricted as f64;
    let allowed = window.allowed as f64;
    let caught = restricted * precision.interval.estimate;
    let missed = allowed * prevalence.interval.estimate;
    if caught + missed <= 0.0 {
        return Err(OnlineError::NoViolatingEstimated);
    }
    if cfg.resamples == 0 {
        return Err(OnlineError::Empty("the bootstrap draws (resamples = 0)"));
    }
    let estimate = caught / (caught + missed);
    let draws = recall_draws(window, precision, prevalence, cfg);
    let (mut interval, _) = percentile_interval(draws, estimate, cfg)
        .map_err(|_| OnlineError::Empty("the bootstrap draws"))?;
    if prevalence.violating == 0 {
        interval.high = 1.0;
    }
    if precision.upheld == 0 {
        interval.low = 0.0;
    }
    interval.low = interval.low.min(estimate);
    interval.high = interval.high.max(estimate);
    Ok(RecallEstimate {
        interval,
        caught,
        missed,
        adequacy: joint_adequacy(precision, prevalence),
    })
}

/// Recall computed on `cfg.resamples` draws from the Jeffreys posteriors.
fn recall_draws(
    window: WindowCounts,
    precision: &PrecisionEstimate,
    prevalence: &PrevalenceEstimate,
    cfg: &BootstrapConfig,
) -> Vec<f64> {
    let mut rng = SplitMix64::new(cfg.seed);
    let (k, n) = (precision.upheld as f64, precision.checked as f64);
    let (v, m) = (prevalence.violating as f64, prevalence.sampled as f64);
    let restricted = window.restricted as f64;
    let allowed = window.allowed as f64;
    (0..cfg.resamples)
        .map(|_| {
            let caught = restricted * beta(k + 0.5, n - k + 0.5, &mut rng);
            let missed = allowed * beta(v + 0.5, m - v + 0.5, &mut rng);
            // Both draws are strictly positive, so the sum is too.
            caught / (caught + missed)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: Confidence = Confidence::NINETY_FIVE;

    fn audited(upheld: u64, checked: u64) -> PrecisionEstimate {
        restriction_precision(upheld, checked, AuditSource::RandomAudit, C)
            .expect("valid counts in this test")
    }

    fn sampled(violating: u64, sampled: u64) -> PrevalenceEstimate {
        allowed_prevalence(violating, sampled, C).expect("valid counts in this test")
    }

    #[test]
    fn precision_is_the_wilson_interval_with_its_flags() {
        let p = audited(45, 50);
        assert_eq!(p.interval, wilson(45, 50, C).expect("defined"));
        assert_eq!(p.adequacy, Adequacy::Meaningful);
        let small = audited(9, 10);
        assert_eq!(
            small.adequacy.shortfalls(),
            &[Shortfall::TooFewChecked {
                checked: 10,
                minimum: 30
            }]
        );
        let appeals =
            restriction_precision(45, 50, AuditSource::ReviewsAndAppeals, C).expect("valid");
        assert_eq!(
            appeals.adequacy.shortfalls(),
            &[Shortfall::NotARandomSample]
        );
        assert_eq!(
            restriction_precision(0, 0, AuditSource::RandomAudit, C),
            Err(OnlineError::Empty("the checked restrictions"))
        );
        assert!(matches!(
            restriction_precision(5, 4, AuditSource::RandomAudit, C),
            Err(OnlineError::PartExceedsWhole {
                part_count: 5,
                whole_count: 4,
                ..
            })
        ));
    }

    #[test]
    fn prevalence_flags_few_violating_items() {
        let p = sampled(3, 500);
        assert_eq!(p.interval.estimate, 3.0 / 500.0);
        assert_eq!(
            p.adequacy.shortfalls(),
            &[Shortfall::TooFewViolatingInSample {
                violating: 3,
                minimum: 10
            }]
        );
        assert!(sampled(10, 500).adequacy.is_meaningful());
        assert_eq!(sampled(0, 20).adequacy.shortfalls().len(), 2);
        assert!(allowed_prevalence(0, 0, C).is_err());
    }

    #[test]
    fn recall_combines_the_two_estimates() {
        let window = WindowCounts {
            restricted: 1_000,
            allowed: 9_000,
        };
        let r = estimated_recall(
            window,
            &audited(80, 100),
            &sampled(20, 1_000),
            &BootstrapConfig::default(),
        )
        .expect("defined");
        // caught 800, missed 180.
        assert!((r.caught - 800.0).abs() < 1e-9 && (r.missed - 180.0).abs() < 1e-9);
        assert!((r.interval.estimate - 800.0 / 980.0).abs() < 1e-12);
        assert!(r.interval.low < r.interval.estimate && r.interval.estimate < r.interval.high);
        // Prevalence 2 % ± about 0.9 points dominates: roughly 0.76 to 0.89.
        assert!(
            r.interval.low > 0.70 && r.interval.high < 0.93,
            "{:?}",
            r.interval
        );
        // A larger prevalence sample narrows it.
        let wide = r.interval.high - r.interval.low;
        let r = estimated_recall(
            window,
            &audited(80, 100),
            &sampled(200, 8_000),
            &BootstrapConfig::default(),
        )
        .expect("defined");
        assert!(r.interval.high - r.interval.low < wide);
        assert!(r.adequacy.is_meaningful());
    }

    #[test]
    fn recall_is_deterministic_for_a_seed() {
        let window = WindowCounts {
            restricted: 500,
            allowed: 5_000,
        };
        let cfg = BootstrapConfig::default();
        let a =
            estimated_recall(window, &audited(40, 50), &sampled(12, 300), &cfg).expect("defined");
        let b =
            estimated_recall(window, &audited(40, 50), &sampled(12, 300), &cfg).expect("defined");
        assert_eq!(a, b);
    }

    #[test]
    fn recall_at_the_boundaries_is_typed_not_nan() {
        let window = WindowCounts {
            restricted: 100,
            allowed: 1_000,
        };
        let cfg = BootstrapConfig::default();
        // No violating item sampled: recall 1, upper end 1, flagged.
        let r =
            estimated_recall(window, &audited(40, 50), &sampled(0, 200), &cfg).expect("defined");
        assert_eq!((r.interval.estimate, r.interval.high), (1.0, 1.0));
        assert!(r.interval.low < 1.0 && !r.adequacy.is_meaningful());
        // Nothing upheld: recall 0, lower end 0.
        let r = estimated_recall(window, &audited(0, 50), &sampled(5, 200), &cfg).expect("defined");
        assert_eq!((r.interval.estimate, r.interval.low), (0.0, 0.0));
        assert!(r.interval.high > 0.0);
        // Neither: undefined.
        assert_eq!(
            estimated_recall(window, &audited(0, 50), &sampled(0, 200), &cfg),
            Err(OnlineError::NoViolatingEstimated)
        );
        // A sample larger than its part of the window.
        assert!(matches!(
            estimated_recall(window, &audited(40, 500), &sampled(5, 200), &cfg),
            Err(OnlineError::PartExceedsWhole { .. })
        ));
        let none = BootstrapConfig {
            resamples: 0,
            ..cfg
        };
        assert!(estimated_recall(window, &audited(40, 50), &sampled(5, 200), &none).is_err());
    }

    #[test]
    fn appeals_make_recall_not_meaningful() {
        let window = WindowCounts {
            restricted: 1_000,
            allowed: 9_000,
        };
        let appeals =
            restriction_precision(80, 100, AuditSource::ReviewsAndAppeals, C).expect("valid");
        let r = estimated_recall(
            window,
            &appeals,
            &sampled(20, 1_000),
            &BootstrapConfig::default(),
        )
        .expect("defined");
        assert_eq!(r.adequacy.shortfalls(), &[Shortfall::NotARandomSample]);
    }
}
