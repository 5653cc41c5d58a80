//! Online accuracy indicators: what a running deployment can say about its
//! own precision, recall and stability from the items people looked at.
//!
//! No item seen in production has a label unless a person gave it one, so
//! every figure here is an estimate from a sample, with an interval and a
//! typed [`Adequacy`] that says whether the sample is large enough for the
//! figure to mean something (the rules are on [`Shortfall`]):
//!
//! - [`restriction_precision`]: the share of automated restrictions that a
//!   person upheld, with a Wilson interval, labelled with its
//!   [`AuditSource`] (a random audit is unbiased; reviews and appeals are
//!   not, see there).
//! - [`allowed_prevalence`]: the share of violating items among those
//!   allowed, from the random prevalence sample, with a Wilson interval.
//! - [`estimated_recall`]: violating items caught over all violating items,
//!   `caught = restricted × precision`, `missed = allowed × prevalence`,
//!   with an interval that carries the uncertainty of both samples (drawn
//!   from their Jeffreys Beta distributions, see there).
//! - [`estimated_accuracy`]: the share of restrict-or-allow decisions that
//!   were right, `(restricted × precision + allowed × (1 − prevalence)) /
//!   (restricted + allowed)`, with an interval made the same way.
//! - Drift between a reference window and the current one: [`psi`] on the
//!   reference's deciles with a [`DriftLevel`], the two-sample
//!   Kolmogorov–Smirnov test [`ks_two_sample`], the change of a decision
//!   rate [`rate_change`], and [`latency_percentiles`].
//! - [`simulate`] draws streams with known truth and measures how often the
//!   intervals cover it; `examples/online_coverage.rs` prints the table.
//!
//! ```
//! use vigil_eval::online::{
//!     allowed_prevalence, estimated_recall, restriction_precision, AuditSource, WindowCounts,
//! };
//! use vigil_eval::{BootstrapConfig, Confidence};
//!
//! let c = Confidence::NINETY_FIVE;
//! // 180 of 200 randomly audited restrictions upheld; 20 of 500 sampled
//! // allowed items violating; 4 000 restricted and 46 000 allowed in the window.
//! let precision = restriction_precision(180, 200, AuditSource::RandomAudit, c).unwrap();
//! let prevalence = allowed_prevalence(20, 500, c).unwrap();
//! let window = WindowCounts { restricted: 4_000, allowed: 46_000 };
//! let recall =
//!     estimated_recall(window, &precision, &prevalence, &BootstrapConfig::default()).unwrap();
//! // caught 3 600, missed 1 840: recall about 0.66.
//! assert!((recall.interval.estimate - 3_600.0 / 5_440.0).abs() < 1e-12);
//! assert!(recall.interval.low < 0.66 && 0.66 < recall.interval.high);
//! assert!(recall.adequacy.is_meaningful());
//! ```

mod accuracy;
mod beta;
mod decision_rate;
mod drift;
mod latency;
mod overall_accuracy;
pub mod simulate;

pub use accuracy::{
    allowed_prevalence, estimated_recall, restriction_precision, AuditSource, PrecisionEstimate,
    PrevalenceEstimate, RecallEstimate, WindowCounts, MIN_CHECKED, MIN_SAMPLED,
    MIN_VIOLATING_IN_SAMPLE,
};
pub use decision_rate::{rate_change, ChangeDirection, RateChange};
pub use drift::{
    kolmogorov_survival, ks_two_sample, psi, DriftLevel, KsTest, Psi, PSI_EMPTY_SHARE, PSI_MAJOR,
    PSI_MODERATE,
};
pub use latency::{latency_percentiles, nearest_rank, LatencyPercentiles};
pub use overall_accuracy::{estimated_accuracy, AccuracyEstimate};

/// Why an online figure cannot be computed from its inputs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OnlineError {
    /// A count of a part exceeds the count of the whole it is part of.
    #[error("{part} ({part_count}) exceeds {whole} ({whole_count})")]
    PartExceedsWhole {
        /// What the part counts, e.g. "upheld restrictions".
        part: &'static str,
        /// Its count.
        part_count: u64,
        /// What the whole counts, e.g. "checked restrictions".
        whole: &'static str,
        /// Its count.
        whole_count: u64,
    },
    /// A sample or window holds nothing, so the figure has no denominator.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// A value is NaN or infinite.
    #[error("{what} holds {value} at index {index}, which is not a finite number")]
    NotFinite {
        /// Which input.
        what: &'static str,
        /// Position of the value.
        index: usize,
        /// The value itself.
        value: f64,
    },
    /// Recall is `0 / 0`: nothing restricted was upheld and no sampled
    /// allowed item was violating, so no violating item is estimated at all.
    #[error("no violating item is estimated (no restriction upheld, none found among allowed items), so recall is undefined")]
    NoViolatingEstimated,
    /// A probability in a simulation's configuration outside `[0, 1]`.
    #[error("{what} must be a share in [0, 1]; it is {value}")]
    NotAShare {
        /// Which setting.
        what: &'static str,
        /// Its value.
        value: f64,
    },
    /// A percentile outside `(0, 100]`.
    #[error("a percentile must lie in (0, 100]; it is {0}")]
    InvalidPercentile(f64),
}

/// Whether a sample is large enough for its figure to be read as an
/// estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adequacy {
    /// Every rule on [`Shortfall`] is met.
    Meaningful,
    /// The figure is computed, and its interval is still valid, but it
    /// should not be shown as an estimate, for these reasons.
    NotMeaningful(Vec<Shortfall>),
}

impl Adequacy {
    /// Whether no rule was broken.
    pub fn is_meaningful(&self) -> bool {
        matches!(self, Adequacy::Meaningful)
    }

    /// `Meaningful` when `shortfalls` is empty.
    pub(crate) fn from_shortfalls(shortfalls: Vec<Shortfall>) -> Self {
        if shortfalls.is_empty() {
            Adequacy::Meaningful
        } else {
            Adequacy::NotMeaningful(shortfalls)
        }
    }

    /// The reasons, empty when meaningful.
    pub fn shortfalls(&self) -> &[Shortfall] {
        match self {
            Adequacy::Meaningful => &[],
            Adequacy::NotMeaningful(s) => s,
        }
    }
}

/// One reason a figure is not meaningful.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortfall {
    /// Fewer than [`MIN_CHECKED`] restrictions were checked by a person:
    /// a Wilson interval over so few is wider than ±0.1 near 0.85.
    TooFewChecked {
        /// How many were checked.
        checked: u64,
        /// The rule.
        minimum: u64,
    },
    /// The checked restrictions are reviews and appeals, not a random audit,
    /// so precision is biased (see [`AuditSource::ReviewsAndAppeals`]).
    NotARandomSample,
    /// Fewer than [`MIN_SAMPLED`] allowed items were sampled.
    TooFewSampled {
        /// How many were sampled.
        sampled: u64,
        /// The rule.
        minimum: u64,
    },
    /// Fewer than [`MIN_VIOLATING_IN_SAMPLE`] sampled allowed items were
    /// violating: the interval's width then exceeds the estimate itself, so
    /// only its upper end (a bound on prevalence) is informative.
    TooFewViolatingInSample {
        /// How many sampled items were violating.
        violating: u64,
        /// The rule.
        minimum: u64,
    },
}

/// Checks that each sample is drawn from no more than its part of the
/// window: the checked restrictions from the restricted items, the sampled
/// allowed items from the allowed ones.
pub(crate) fn check_samples(
    window: WindowCounts,
    precision: &PrecisionEstimate,
    prevalence: &PrevalenceEstimate,
) -> Result<(), OnlineError> {
    check_part(
        "checked restrictions",
        precision.checked,
        "restricted items",
        window.restricted,
    )?;
    check_part(
        "sampled allowed items",
        prevalence.sampled,
        "allowed items",
        window.allowed,
    )?;
    Ok(())
}

/// The adequacy of a figure estimated from both samples: every shortfall
/// of either.
pub(crate) fn joint_adequacy(
    precision: &PrecisionEstimate,
    prevalence: &PrevalenceEstimate,
) -> Adequacy {
    let mut shortfalls = precision.adequacy.shortfalls().to_vec();
    shortfalls.extend_from_slice(prevalence.adequacy.shortfalls());
    Adequacy::from_shortfalls(shortfalls)
}

/// Checks that `part ≤ whole`.
pub(crate) fn check_part(
    part: &'static str,
    part_count: u64,
    whole: &'static str,
    whole_count: u64,
) -> Result<(), OnlineError> {
    if part_count > whole_count {
        Err(OnlineError::PartExceedsWhole {
            part,
            part_count,
            whole,
            whole_count,
        })
    } else {
        Ok(())
    }
}

/// Checks that every value is finite.
pub(crate) fn check_finite(what: &'static str, values: &[f64]) -> Result<(), OnlineError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(OnlineError::NotFinite {
            what,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}
