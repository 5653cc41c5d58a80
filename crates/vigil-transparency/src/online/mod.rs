//! The online report (docs/online-report.md): per category, over a window
//! and a language/modality slice, the precision of automated restrictions
//! from the random audit sample (and, apart and flagged as biased, the
//! overturn rate of the restrictions appeals and policy reviews put before
//! people), the prevalence of violating content among allowed
//! items, recall estimated from the two, score drift against a reference
//! window, decision-rate change and latency percentiles; each figure with
//! the query that produced it, and the alert thresholds it breaches.
//!
//! [`build_online_report`] reads the store (which alone speaks SQL) and
//! runs `vigil_eval::online`'s estimators; [`OnlineReport`] serialises to
//! the stable JSON (`schema` names its version) and renders as Markdown
//! ([`OnlineReport::to_markdown`]) and one self-contained HTML page
//! ([`OnlineReport::to_html`]). It lives here, beside the transparency
//! report, so that both read the same estimates from one implementation:
//! `vigil report online` calls it, the transparency report's accuracy
//! section calls it per language, and the server (`vigil_server::online_gauges`)
//! keeps the same figures, over a trailing day, as gauges on `/metrics`.

mod build;
mod render;

use serde::Serialize;
use vigil_policy::AlertLimits;
use vigil_store::{
    ActionCounts, AuditSample, Audited, CheckedRestrictions, PrevalenceSample, QueryRecord,
    StoreError,
};

pub use build::{build_online_report, OnlineReportRequest};

/// The version of the report's JSON; raised on any incompatible change.
/// Version 2: `precision` comes from the audit sample (`audit_sample`),
/// and the appeals-and-reviews figure is `overturn_rate`.
pub const ONLINE_REPORT_SCHEMA: &str = "vigil.online-report/2";

/// Why a report could not be built.
#[derive(Debug, thiserror::Error)]
pub enum OnlineReportError {
    /// Reading the store failed.
    #[error("cannot read the online figures from the store")]
    Store(#[from] StoreError),
}

/// The policy's `[alerts]` limits as applied to one category; `null`
/// checks nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct AppliedLimits {
    /// Alert when precision is below this.
    pub min_precision: Option<f64>,
    /// Alert when PSI is above this.
    pub max_psi: Option<f64>,
    /// Alert when prevalence among allowed items is above this.
    pub max_prevalence: Option<f64>,
}

impl From<AlertLimits> for AppliedLimits {
    fn from(l: AlertLimits) -> AppliedLimits {
        AppliedLimits {
            min_precision: l.min_precision,
            max_psi: l.max_psi,
            max_prevalence: l.max_prevalence,
        }
    }
}

/// A proportion estimated from a sample, with its interval and whether it
/// is meaningful (the rules in docs/online-metrics.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Successes (upheld, violating, …); for recall, the estimated caught.
    pub numerator: f64,
    /// Trials (checked, sampled, …); for recall, caught + missed.
    pub denominator: f64,
    /// The point estimate.
    pub estimate: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
    /// How the interval is made.
    pub method: &'static str,
    /// Whether the sample is large enough to read the figure as an estimate.
    pub meaningful: bool,
    /// Why not, when not.
    pub shortfalls: Vec<String>,
}

/// Score drift of one category against the reference window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    /// Scores in the reference window.
    pub reference_n: usize,
    /// Scores in the current window.
    pub current_n: usize,
    /// Population stability index on the reference's deciles.
    pub psi: f64,
    /// `stable` (< 0.1), `moderate` (< 0.25) or `major`.
    pub psi_level: &'static str,
    /// The reference's decile shares.
    pub reference_shares: Vec<f64>,
    /// The current window's shares of the same bins.
    pub current_shares: Vec<f64>,
    /// Kolmogorov–Smirnov distance between the two score distributions.
    pub ks_statistic: f64,
    /// Its asymptotic p-value.
    pub ks_p_value: f64,
    /// The query for the reference scores.
    pub reference_query: QueryRecord,
    /// The query for the current scores.
    pub current_query: QueryRecord,
}

/// The share of decisions restricted or blocked in each window, and the
/// change, with Newcombe's interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateShift {
    /// Restricted share in the reference window.
    pub reference: Estimate,
    /// Restricted share in the current window.
    pub current: Estimate,
    /// current − reference, low and high.
    pub difference: [f64; 3],
    /// `increased`, `decreased` or `no_detectable_change`.
    pub direction: &'static str,
}

/// Latency percentiles (µs) by nearest rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Latency {
    /// Decisions measured.
    pub count: usize,
    /// Median.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// Slowest.
    pub max_us: u64,
}

/// Every figure of one category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryFigures {
    /// The category key.
    pub category: String,
    /// Decisions by the action taken for this category.
    pub actions: Audited<ActionCounts>,
    /// The random audit sample of the category's restrictions and how
    /// many were upheld.
    pub audit_sample: Audited<AuditSample>,
    /// Precision of automated restrictions: upheld / sampled over the audit
    /// sample, Wilson.
    pub precision: Option<Estimate>,
    /// Restrictions appealed or in policy review and how people judged them.
    pub checked: Audited<CheckedRestrictions>,
    /// Overturned / checked over appeals and policy reviews: biased (never
    /// a random sample), so always flagged not meaningful; not 1 − precision.
    pub overturn_rate: Option<Estimate>,
    /// Overturned / appealed.
    pub appeal_overturn_rate: Option<Estimate>,
    /// The prevalence sample's counts.
    pub prevalence_sample: Audited<PrevalenceSample>,
    /// Violating / sampled among allowed items.
    pub prevalence: Option<Estimate>,
    /// Estimated recall from precision and prevalence.
    pub recall: Option<Estimate>,
    /// Estimated accuracy of the restrict-or-allow decisions from precision
    /// and prevalence: `(restricted × precision + allowed × (1 − prevalence))
    /// / (restricted + allowed)`; numerator the estimated correct decisions.
    pub accuracy: Option<Estimate>,
    /// Drift against the reference window, when one was given and both
    /// windows hold scores.
    pub drift: Option<Drift>,
    /// Restricted share change for this category, when a reference was given.
    pub rate_shift: Option<RateShift>,
    /// The `[alerts]` limits checked for this category.
    pub limits: AppliedLimits,
}

/// One threshold a figure crossed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach {
    /// The category.
    pub category: String,
    /// The threshold's name, e.g. `min_precision`.
    pub threshold: &'static str,
    /// Its value.
    pub limit: f64,
    /// The figure's value.
    pub value: f64,
    /// Whether the figure was meaningful (a breach of a figure that is not
    /// is reported, flagged, so nobody acts on noise unawares).
    pub meaningful: bool,
}

impl std::fmt::Display for Breach {
    /// `violence min_precision = 0.7500 crosses 0.9`, flagged when the
    /// figure is not meaningful: the one wording of a breach in logs,
    /// reports and the CLI.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} = {:.4} crosses {}{}",
            self.category,
            self.threshold,
            self.value,
            self.limit,
            if self.meaningful {
                ""
            } else {
                " (figure not meaningful)"
            }
        )
    }
}

/// The whole report; its JSON is the stable form (docs/online-report.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnlineReport {
    /// [`ONLINE_REPORT_SCHEMA`].
    pub schema: &'static str,
    /// The window, RFC 3339, `[since, until)`.
    pub window: [String; 2],
    /// The reference window, when drift was asked for.
    pub reference_window: Option<[String; 2]>,
    /// Only decisions in this language (`null`: all).
    pub lang: Option<String>,
    /// Only decisions carrying this modality (`null`: all).
    pub modality: Option<String>,
    /// Judgments stamped at or before this second count.
    pub as_of: String,
    /// Confidence level of every interval.
    pub confidence: f64,
    /// Decisions by overall action.
    pub actions: Audited<ActionCounts>,
    /// Overall restricted-share change, when a reference was given.
    pub rate_shift: Option<RateShift>,
    /// Latency percentiles, `null` when the window is empty.
    pub latency: Audited<Option<Latency>>,
    /// The categories scored in the window.
    pub categories: Vec<CategoryFigures>,
    /// The thresholds crossed.
    pub breaches: Vec<Breach>,
}
