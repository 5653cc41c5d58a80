//! Evaluation metrics for scores against known labels.
//!
//! Every function takes `(score, label)` pairs where the label is *known*;
//! callers drop unknown labels before calling, so an absent label is never
//! counted as a negative. Ties are handled as scikit-learn does: tied scores
//! form one threshold step.
//!
//! ```
//! use vigil_eval::{average_precision, roc_auc};
//!
//! let pairs = [(0.9, true), (0.8, false), (0.7, true), (0.1, false)];
//! assert!((average_precision(&pairs).unwrap() - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
//! assert!((roc_auc(&pairs).unwrap() - 0.75).abs() < 1e-12);
//! ```
//!
//! Around those two sit the rest of an evaluation, each in its own module:
//! [`known_pairs`] drops unknown labels; `threshold` gives
//! [`ConfusionCounts`] at a threshold (precision, recall, F1, FPR) and the
//! [`sweep`] over every distinct score; `intervals` gives Wilson intervals
//! ([`wilson`], [`wilson_lower_one_sided`]); `calibration` the
//! [`brier_score`], [`expected_calibration_error`] and
//! [`reliability_curve`]; `bootstrap` seeded percentile intervals
//! ([`auprc_interval`]) and paired comparisons with a [`Verdict`]
//! ([`compare_auprc`]); and [`choose_threshold`] turns a
//! [`ThresholdObligation`] into a threshold, or says why it cannot.
//! [`gate`] judges whether a candidate model may replace the active one
//! (every obligation holds, no category's AUPRC is worse).
//! `agreement` measures how far raters agree beyond chance on nominal labels:
//! [`cohen_kappa`] for two, [`krippendorff_alpha`] for any number with
//! missing labels, each with a bootstrap interval.
//! [`online`] estimates a running deployment's precision, prevalence and
//! recall from its review samples, and measures score drift (PSI,
//! Kolmogorov–Smirnov), decision-rate changes and latency percentiles.
//!
//! ```
//! use vigil_eval::{
//!     choose_threshold, known_pairs, Confidence, ConfusionCounts, ThresholdChoice,
//!     ThresholdObligation,
//! };
//!
//! let scores = [0.95, 0.9, 0.8, 0.7, 0.4, 0.3, 0.2];
//! let labels = [Some(true), Some(true), None, Some(true), Some(false), Some(true), Some(false)];
//! let pairs = known_pairs(&scores, &labels).unwrap(); // the unlabelled 0.8 is dropped
//!
//! let at_half = ConfusionCounts::at_threshold(&pairs, 0.5).unwrap();
//! assert_eq!((at_half.tp, at_half.fp, at_half.fn_), (3, 0, 1));
//! let recall = at_half.recall_interval(Confidence::NINETY_FIVE).unwrap();
//! assert!(recall.low < 0.75 && 0.75 < recall.high);
//!
//! // Six labelled items cannot show 90 % precision at 95 % confidence.
//! let obligation = ThresholdObligation::new(Some(0.9), None, 0.95).unwrap();
//! match choose_threshold(&pairs, &obligation).unwrap() {
//!     ThresholdChoice::Infeasible { positives_needed, .. } => assert!(positives_needed.is_some()),
//!     other => panic!("{other:?}"),
//! }
//! ```

mod agreement;
mod bootstrap;
mod calibration;
mod intervals;
mod metrics;
mod threshold;

pub use agreement::{
    cohen_kappa, cohen_kappa_interval, krippendorff_alpha, krippendorff_alpha_interval,
    AgreementUndefined, Alpha, Kappa,
};
pub use bootstrap::{
    auprc_interval, bootstrap_interval, compare_auprc, compare_precision, compare_recall,
    paired_bootstrap, BootstrapConfig, BootstrapInterval, PairedComparison, SplitMix64, Verdict,
    DEFAULT_SEED,
};
pub use calibration::{
    bin_index, brier_score, expected_calibration_error, reliability_curve, ReliabilityBin,
};
pub use intervals::{
    normal_quantile, wilson, wilson_lower_one_sided, wilson_upper_one_sided, Confidence, Interval,
    InvalidConfidence,
};
pub use metrics::{average_precision, roc_auc, MetricError};
pub use metrics::{known_pairs, prevalence};
pub use threshold::{
    choose_threshold, f1_at, fpr_at, precision_at, recall_at, sweep, ConfusionCounts,
    InvalidObligation, LowerBounds, OperatingPoint, ThresholdChoice, ThresholdObligation,
};
pub mod evaluate;
pub mod gate;
pub mod online;
pub mod report;
