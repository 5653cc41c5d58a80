//! The accuracy of the automated decision over a window, estimated from
//! the precision of its restrictions and the prevalence of violating items
//! among what it allowed.

use super::beta::beta;
use super::{check_samples, joint_adequacy, Adequacy, OnlineError};
use super::{PrecisionEstimate, PrevalenceEstimate, WindowCounts};
use crate::bootstrap::{percentile_interval, BootstrapConfig, SplitMix64};
use crate::intervals::Interval;

/// Accuracy estimated from precision and prevalence.
#[derive(Debug, Clone, PartialEq)]
pub struct AccuracyEstimate {
    /// `correct / decided` with its interval.
    pub interval: Interval,
    /// Estimated correct decisions: `restricted × precision + allowed × (1 − prevalence)`.
    pub correct: f64,
    /// Decisions the estimate covers: `restricted + allowed`.
    pub decided: u64,
    /// Meaningful only when both inputs are.
    pub adequacy: Adequacy,
}

/// Accuracy of the automated decision over a window: the share of its
/// restrict-or-allow decisions that were right,
/// `(restricted × precision + allowed × (1 − prevalence)) / (restricted + allowed)`.
/// A restriction is right when a person upholds it; an allowed item is
/// right when it is not violating. Decisions sent to a person (`review`)
/// are neither and are left out.
///
/// The interval is made as [`super::estimated_recall`]'s: `cfg.resamples`
/// draws of precision from `Beta(upheld + ½, checked − upheld + ½)` and of
/// prevalence from `Beta(violating + ½, sampled − violating + ½)`,
/// accuracy computed on each pair, and the percentile interval at
/// `cfg.confidence`. When every checked restriction was upheld and no
/// sampled item was violating the estimate is 1 and the upper end is set
/// to 1; when none was upheld and every sampled item was violating the
/// estimate is 0 and the lower end 0 (the Jeffreys boundary rule applied
/// to both inputs at once). The samples are taken as small beside the
/// window, as there.
///
/// Meaningful only when both inputs are. Fails when a sample is larger
/// than the part of the window it was drawn from, when the window decided
/// nothing, or when `cfg.resamples` is 0.
///
/// ```
/// use vigil_eval::online::{
///     allowed_prevalence, estimated_accuracy, restriction_precision, AuditSource, WindowCounts,
/// };
/// use vigil_eval::{BootstrapConfig, Confidence};
///
/// let c = Confidence::NINETY_FIVE;
/// let precision = restriction_precision(180, 200, AuditSource::RandomAudit, c).unwrap();
/// let prevalence = allowed_prevalence(20, 500, c).unwrap();
/// let window = WindowCounts { restricted: 4_000, allowed: 46_000 };
/// let a = estimated_accuracy(window, &precision, &prevalence, &BootstrapConfig::default())
///     .unwrap();
/// // 3 600 right restrictions and 44 160 right allows of 50 000.
/// assert!((a.interval.estimate - 47_760.0 / 50_000.0).abs() < 1e-12);
/// assert!(a.interval.low < a.interval.estimate && a.interval.estimate < a.interval.high);
/// ```
pub fn estimated_accuracy(
    window: WindowCounts,
    precision: &PrecisionEstimate,
    prevalence: &PrevalenceEstimate,
    cfg: &BootstrapConfig,
) -> Result<AccuracyEstimate, OnlineError> {
    check_samples(window, precision, prevalence)?;
    let decided = window.restricted + window.allowed;
    if decided == 0 {
        return Err(OnlineError::Empty(
            "the window's restricted and allowed items",
        ));
    }
    if cfg.resamples == 0 {
        return Err(OnlineError::Empty("the bootstrap draws (resamples = 0)"));
    }
    let (restricted, allowed) = (window.restricted as f64, window.allowed as f64);
    let correct =
        restricted * precision.interval.estimate + allowed * (1.0 - prevalence.interval.estimate);
    let estimate = correct / decided as f64;
    let draws = accuracy_draws(window, precision, prevalence, cfg);
    let (mut interval, _) = percentile_interval(draws, estimate, cfg)
        .map_err(|_| OnlineError::Empty("the bootstrap draws"))?;
    if precision.upheld == precision.checked && prevalence.violating == 0 {
        interval.high = 1.0;
    }
    if precision.upheld == 0 && prevalence.violating == prevalence.sampled {
        interval.low = 0.0;
    }
    interval.low = interval.low.min(estimate);
    interval.high = interval.high.max(estimate);
    Ok(AccuracyEstimate {
        interval,
        correct,
        decided,
        adequacy: joint_adequacy(precision, prevalence),
    })
}

/// Accuracy computed on `cfg.resamples` draws from the Jeffreys posteriors.
fn accuracy_draws(
    window: WindowCounts,
    precision: &PrecisionEstimate,
    prevalence: &PrevalenceEstimate,
    cfg: &BootstrapConfig,
) -> Vec<f64> {
    let mut rng = SplitMix64::new(cfg.seed);
    let (k, n) = (precision.upheld as f64, precision.checked as f64);
    let (v, m) = (prevalence.violating as f64, prevalence.sampled as f64);
    let (restricted, allowed) = (window.restricted as f64, window.allowed as f64);
    let decided = restricted + allowed;
    (0..cfg.resamples)
        .map(|_| {
            let right_restricted = restricted * beta(k + 0.5, n - k + 0.5, &mut rng);
            let right_allowed = allowed * (1.0 - beta(v + 0.5, m - v + 0.5, &mut rng));
            (right_restricted + right_allowed) / decided
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::online::{allowed_prevalence, restriction_precision, AuditSource, Shortfall};
    use crate::Confidence;

    const C: Confidence = Confidence::NINETY_FIVE;

    fn audited(upheld: u64, checked: u64) -> PrecisionEstimate {
        restriction_precision(upheld, checked, AuditSource::RandomAudit, C).expect("valid")
    }

    fn sampled(violating: u64, sampled: u64) -> PrevalenceEstimate {
        allowed_prevalence(violating, sampled, C).expect("valid")
    }

    fn window(restricted: u64, allowed: u64) -> WindowCounts {
        WindowCounts {
            restricted,
            allowed,
        }
    }

    /// Many draws, so that the percentile interval lies within about a
    /// thousandth of the distribution's exact quantiles.
    fn fine() -> BootstrapConfig {
        BootstrapConfig {
            resamples: 40_000,
            ..BootstrapConfig::default()
        }
    }

    #[test]
    fn the_interval_matches_the_exact_quantiles_of_the_posterior() {
        // (restricted, allowed, upheld, checked, violating, sampled) and the
        // 2.5 % and 97.5 % quantiles of (R·P + A·(1 − Q)) / (R + A) computed
        // by numerical integration in bench/fixtures/make_accuracy_quantiles.py
        // (scipy; no sampling).
        let cases = [
            ((1000, 9000, 80, 100, 20, 1000), (0.949509, 0.971668)),
            ((400, 600, 45, 50, 30, 200), (0.816983, 0.906601)),
            ((50, 5000, 48, 50, 3, 400), (0.979820, 0.997453)),
        ];
        for ((r, a, k, n, v, m), (low, high)) in cases {
            let e = estimated_accuracy(window(r, a), &audited(k, n), &sampled(v, m), &fine())
                .expect("defined");
            let point = (r as f64 * k as f64 / n as f64 + a as f64 * (1.0 - v as f64 / m as f64))
                / (r + a) as f64;
            assert!((e.interval.estimate - point).abs() < 1e-12, "{e:?}");
            assert!((e.correct - point * (r + a) as f64).abs() < 1e-6);
            assert_eq!(e.decided, r + a);
            assert!(
                (e.interval.low - low).abs() < 1.5e-3,
                "{:?} vs {low}",
                e.interval
            );
            assert!(
                (e.interval.high - high).abs() < 1.5e-3,
                "{:?} vs {high}",
                e.interval
            );
        }
    }

    #[test]
    fn accuracy_is_deterministic_for_a_seed() {
        let cfg = BootstrapConfig::default();
        let a = estimated_accuracy(window(500, 5000), &audited(40, 50), &sampled(12, 300), &cfg);
        let b = estimated_accuracy(window(500, 5000), &audited(40, 50), &sampled(12, 300), &cfg);
        assert_eq!(a, b);
    }

    #[test]
    fn boundaries_and_failures_are_typed() {
        let cfg = BootstrapConfig::default();
        // Everything right: estimate 1, upper end 1.
        let e = estimated_accuracy(window(100, 1000), &audited(50, 50), &sampled(0, 200), &cfg)
            .expect("defined");
        assert_eq!((e.interval.estimate, e.interval.high), (1.0, 1.0));
        assert!(e.interval.low < 1.0);
        // Everything wrong: estimate 0, lower end 0.
        let e = estimated_accuracy(window(100, 1000), &audited(0, 50), &sampled(200, 200), &cfg)
            .expect("defined");
        assert_eq!((e.interval.estimate, e.interval.low), (0.0, 0.0));
        assert!(e.interval.high > 0.0);
        // A sample larger than its part of the window.
        assert!(matches!(
            estimated_accuracy(window(10, 1000), &audited(40, 50), &sampled(5, 200), &cfg),
            Err(OnlineError::PartExceedsWhole { .. })
        ));
        let none = BootstrapConfig {
            resamples: 0,
            ..cfg
        };
        assert!(
            estimated_accuracy(window(100, 1000), &audited(40, 50), &sampled(5, 200), &none)
                .is_err()
        );
    }

    #[test]
    fn either_input_short_makes_it_not_meaningful() {
        let cfg = BootstrapConfig::default();
        let appeals =
            restriction_precision(80, 100, AuditSource::ReviewsAndAppeals, C).expect("valid");
        let e = estimated_accuracy(window(1000, 9000), &appeals, &sampled(20, 1000), &cfg)
            .expect("defined");
        assert_eq!(e.adequacy.shortfalls(), &[Shortfall::NotARandomSample]);
        let e = estimated_accuracy(window(1000, 9000), &audited(80, 100), &sampled(2, 20), &cfg)
            .expect("defined");
        assert_eq!(e.adequacy.shortfalls().len(), 2, "{e:?}");
    }
}
