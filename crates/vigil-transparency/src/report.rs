//! Building a [`TransparencyReport`]: the store's sections, precision
//! intervals for the automated means, and the facts beside them.

use serde::Serialize;
use time::OffsetDateTime;
use vigil_eval::{wilson, Confidence};
use vigil_store::{
    notice_rows, own_initiative_rows, AutomatedMeansRow, ComplaintRow, Measure, NoticeRecord,
    NoticeRow, OwnInitiativeRow, QueryRecord, ReportWindow, Section, Store,
};

use crate::{FactsSource, Period, ReportError};

/// Every figure of one report, with the queries behind them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransparencyReport {
    /// The period, as written (`2026-H2`).
    pub period: String,
    /// Its span and the instant outcomes are counted up to. For a period
    /// that has not ended yet, the span ends at `as_of`.
    pub window: ReportWindow,
    /// Whether the period had not ended at `as_of`: an interim report of
    /// the period so far, not the period's report.
    pub interim: bool,
    /// When the report was built.
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    /// The facts file, if one was given.
    pub facts: Option<FactsSource>,
    /// Own-initiative restrictions by category, detection and type.
    pub own_initiative: Section<OwnInitiativeRow>,
    /// Notices and orders by reporter type and claimed category.
    pub notices: Section<NoticeRow>,
    /// Complaints (appeals) by category and outcome.
    pub complaints: Section<ComplaintRow>,
    /// Automated means per category, with the appeal overturn indicator.
    pub automated_means: Section<AutomatedMeansFigure>,
    /// The accuracy indicators per language and category: the online
    /// report over the window, per slice, with its queries.
    pub accuracy: crate::AccuracySection,
    /// The own-initiative measures counted in `own_initiative`, one each
    /// (for the template sections; the figures and their queries are
    /// above, so report.json leaves the records out).
    #[serde(skip)]
    pub measures: Vec<Measure>,
    /// The notices and orders counted in `notices`, one each.
    #[serde(skip)]
    pub notice_records: Vec<NoticeRecord>,
}

/// One category's automated means with the appeal overturn indicator:
/// the share of appeal-checked restrictions upheld. Biased (appeals are
/// not a random sample); the accuracy indicators are in
/// [`crate::AccuracySection`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutomatedMeansFigure {
    /// The counts from the store.
    #[serde(flatten)]
    pub counts: AutomatedMeansRow,
    /// upheld / checked on appeal, when any appeal was decided (CSV:
    /// `appeal_upheld_share`).
    pub precision: Option<f64>,
    /// The 95% Wilson interval's lower bound.
    pub precision_low: Option<f64>,
    /// Its upper bound.
    pub precision_high: Option<f64>,
}

impl From<AutomatedMeansRow> for AutomatedMeansFigure {
    fn from(counts: AutomatedMeansRow) -> Self {
        let interval = wilson(counts.upheld, counts.checked, Confidence::NINETY_FIVE);
        AutomatedMeansFigure {
            precision: interval.map(|i| i.estimate),
            precision_low: interval.map(|i| i.low),
            precision_high: interval.map(|i| i.high),
            counts,
        }
    }
}

/// Builds the report of `period` from `store`, counting outcomes recorded
/// before `as_of`. When `as_of` lies before the period's end, the report is
/// an interim one over `[start, as_of)`, and says so.
pub async fn build(
    store: &Store,
    period: Period,
    as_of: OffsetDateTime,
    facts: Option<FactsSource>,
) -> Result<TransparencyReport, ReportError> {
    if as_of <= period.start() {
        return Err(ReportError::AsOfBeforeStart {
            as_of: as_of.to_string(),
            start: period.start().to_string(),
        });
    }
    let interim = as_of < period.end();
    let window = ReportWindow {
        start: period.start(),
        end: period.end().min(as_of),
        as_of,
    };
    let means = store.transparency_automated_means(&window).await?;
    let measures = store.transparency_measures(&window).await?;
    let notice_records = store.transparency_notice_records(&window).await?;
    Ok(TransparencyReport {
        period: period.to_string(),
        window,
        interim,
        generated_at: OffsetDateTime::now_utc(),
        facts,
        own_initiative: Section {
            rows: own_initiative_rows(&measures.rows),
            queries: measures.queries,
        },
        notices: Section {
            rows: notice_rows(&notice_records.rows, window.as_of),
            queries: notice_records.queries,
        },
        measures: measures.rows,
        notice_records: notice_records.rows,
        complaints: store.transparency_complaints(&window).await?,
        automated_means: Section {
            rows: means.rows.into_iter().map(Into::into).collect(),
            queries: means.queries,
        },
        accuracy: crate::accuracy::build(store, &window).await?,
    })
}

impl TransparencyReport {
    /// Every query the report ran, in section order.
    pub fn queries(&self) -> impl Iterator<Item = &QueryRecord> {
        self.own_initiative
            .queries
            .iter()
            .chain(&self.notices.queries)
            .chain(&self.complaints.queries)
            .chain(&self.automated_means.queries)
            .chain(&self.accuracy.queries)
    }
}
