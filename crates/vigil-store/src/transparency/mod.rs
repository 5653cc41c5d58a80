//! The figures of the DSA transparency report (docs/transparency-report.md):
//! own-initiative actions, complaints, notices and orders, automated means,
//! each counted over one reporting window.
//!
//! Every section carries the [`QueryRecord`]s that produced it — the SQL
//! text as it ran, its parameters and the rule that counted its rows — so
//! that a report's figures can be traced and reproduced from the store at
//! any later date. Outcomes count only when recorded before the window's
//! `as_of` instant, so a report re-run later with the same `as_of` gives the
//! same figures (as long as retention has not deleted the rows read).

mod aggregate;
mod languages;
mod sql;

use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

use crate::audit::{param, BoundParam, QueryRecord};
use crate::store::Backend;
use crate::{Store, StoreError};

pub use aggregate::{
    median_seconds, notice_rows, own_initiative_rows, AutomatedMeansRow, ComplaintRow, Detection,
    Measure, MeasureGround, NoticeRecord, NoticeRow, OwnInitiativeRow, ALL, NONE,
};

/// The span a report covers, `[start, end)`, and the instant up to which
/// outcomes (appeal decisions, notice actions) are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReportWindow {
    /// First instant covered.
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// First instant not covered.
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    /// Outcomes recorded at or after this instant count as pending.
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
}

/// One section's figures and the queries they came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section<T> {
    /// The figures, one row per group, sorted by their keys.
    pub rows: Vec<T>,
    /// The queries read.
    pub queries: Vec<QueryRecord>,
}

impl Store {
    /// Restrictive actions taken on the platform's own initiative in the
    /// window: by the engine (restrictive decisions no notice's rescan took)
    /// and by reviewers (policy-queue items a majority of reviews restricted).
    pub async fn transparency_own_initiative(
        &self,
        window: &ReportWindow,
    ) -> Result<Section<OwnInitiativeRow>, StoreError> {
        let measures = self.transparency_measures(window).await?;
        Ok(Section {
            rows: aggregate::own_initiative_rows(&measures.rows),
            queries: measures.queries,
        })
    }

    /// The own-initiative measures of the window, one per restricted
    /// decision or review item, in id order (automated first): what
    /// [`Store::transparency_own_initiative`] counts.
    pub async fn transparency_measures(
        &self,
        window: &ReportWindow,
    ) -> Result<Section<Measure>, StoreError> {
        const AUTO: &str = "transparency: automated actions";
        const HUMAN: &str = "transparency: human actions";
        let ms = ms_params(window);
        let auto = self
            .transparency_rows(sql::AUTOMATED_ACTIONS, &ms, AUTO)
            .await?;
        let auto_rows = auto
            .iter()
            .map(|r| {
                Ok(aggregate::AutoAction {
                    decision: r.try_get(0)?,
                    action: r.try_get(1)?,
                    category: r.try_get(2)?,
                    category_action: r.try_get(3)?,
                    lang: r.try_get(4)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query(AUTO))?;
        let text = text_params(window);
        let human = self
            .transparency_rows(sql::HUMAN_ACTIONS, &text, HUMAN)
            .await?;
        let human_rows = human
            .iter()
            .map(|r| {
                Ok(aggregate::HumanReview {
                    item: r.try_get(0)?,
                    reviews_done: r.try_get(1)?,
                    review: r.try_get(2)?,
                    action: r.try_get(3)?,
                    category: r.try_get(4)?,
                    lang: r.try_get(5)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query(HUMAN))?;
        let mut rows = aggregate::automated_measures(&auto_rows);
        rows.extend(aggregate::human_measures(&human_rows));
        Ok(Section {
            rows,
            queries: vec![
                record(
                    "automated_actions",
                    sql::AUTOMATED_ACTIONS,
                    &ms,
                    aggregate::AUTOMATED_RULE,
                    auto.len(),
                ),
                record(
                    "human_actions",
                    sql::HUMAN_ACTIONS,
                    &text,
                    aggregate::HUMAN_RULE,
                    human.len(),
                ),
            ],
        })
    }

    /// Appeals (Art. 20 complaints) filed in the window, by the appealed
    /// decision's restrictive category and action, with their outcomes as
    /// of `window.as_of` and the median time from filing to decision.
    pub async fn transparency_complaints(
        &self,
        window: &ReportWindow,
    ) -> Result<Section<ComplaintRow>, StoreError> {
        const WHAT: &str = "transparency: appeals";
        let params = text_params(window);
        let raw = self.transparency_rows(sql::APPEALS, &params, WHAT).await?;
        let mut appeals = Vec::with_capacity(raw.len());
        for r in &raw {
            let id: String = r.try_get(0).map_err(StoreError::query(WHAT))?;
            let submitted: String = r.try_get(1).map_err(StoreError::query(WHAT))?;
            let decided: Option<String> = r.try_get(3).map_err(StoreError::query(WHAT))?;
            appeals.push(aggregate::AppealRow {
                submitted_at: parse_time(&id, &submitted)?,
                outcome: r.try_get(2).map_err(StoreError::query(WHAT))?,
                decided_at: decided.map(|d| parse_time(&id, &d)).transpose()?,
                decision_action: r.try_get(4).map_err(StoreError::query(WHAT))?,
                category: r.try_get(5).map_err(StoreError::query(WHAT))?,
                id,
            });
        }
        Ok(Section {
            rows: aggregate::complaints(&appeals, window.as_of),
            queries: vec![record(
                "appeals",
                sql::APPEALS,
                &params,
                aggregate::COMPLAINTS_RULE,
                raw.len(),
            )],
        })
    }

    /// Notices (Art. 16) and authority orders (Art. 9) received in the
    /// window, by reporter type and claimed category, with what was done
    /// as of `window.as_of` and the median time to act.
    pub async fn transparency_notices(
        &self,
        window: &ReportWindow,
    ) -> Result<Section<NoticeRow>, StoreError> {
        let records = self.transparency_notice_records(window).await?;
        Ok(Section {
            rows: aggregate::notice_rows(&records.rows, window.as_of),
            queries: records.queries,
        })
    }

    /// The notices and orders received in the window, one record each, in
    /// id order: what [`Store::transparency_notices`] counts.
    pub async fn transparency_notice_records(
        &self,
        window: &ReportWindow,
    ) -> Result<Section<NoticeRecord>, StoreError> {
        const WHAT: &str = "transparency: notices";
        let params = text_params(window);
        let raw = self.transparency_rows(sql::NOTICES, &params, WHAT).await?;
        let mut notices = Vec::with_capacity(raw.len());
        for r in &raw {
            let id: String = r.try_get(0).map_err(StoreError::query(WHAT))?;
            let received: String = r.try_get(3).map_err(StoreError::query(WHAT))?;
            let acted: Option<String> = r.try_get(6).map_err(StoreError::query(WHAT))?;
            notices.push(NoticeRecord {
                reporter_type: r.try_get(1).map_err(StoreError::query(WHAT))?,
                category: r.try_get(2).map_err(StoreError::query(WHAT))?,
                received_at: parse_time(&id, &received)?,
                outcome: r.try_get(4).map_err(StoreError::query(WHAT))?,
                action: r.try_get(5).map_err(StoreError::query(WHAT))?,
                acted_at: acted.map(|a| parse_time(&id, &a)).transpose()?,
                item_id: r.try_get(7).map_err(StoreError::query(WHAT))?,
                reviewed: r.try_get(8).map_err(StoreError::query(WHAT))?,
                id,
            });
        }
        Ok(Section {
            rows: notices,
            queries: vec![record(
                "notices",
                sql::NOTICES,
                &params,
                aggregate::NOTICES_RULE,
                raw.len(),
            )],
        })
    }

    /// Per category, the decisions the engine scored in the window, those
    /// it restricted, and how many of those restrictions appeals checked
    /// and upheld (as of `window.as_of`): the counts behind the precision
    /// indicator of the automated means.
    pub async fn transparency_automated_means(
        &self,
        window: &ReportWindow,
    ) -> Result<Section<AutomatedMeansRow>, StoreError> {
        const WHAT: &str = "transparency: automated means";
        let params = ms_params(window);
        let raw = self
            .transparency_rows(sql::AUTOMATED_MEANS, &params, WHAT)
            .await?;
        let mut scores = Vec::with_capacity(raw.len());
        for r in &raw {
            let id: String = r.try_get(0).map_err(StoreError::query(WHAT))?;
            let decided: Option<String> = r.try_get(5).map_err(StoreError::query(WHAT))?;
            scores.push(aggregate::ScoreRecord {
                decision: id.clone(),
                decision_action: r.try_get(1).map_err(StoreError::query(WHAT))?,
                category: r.try_get(2).map_err(StoreError::query(WHAT))?,
                category_action: r.try_get(3).map_err(StoreError::query(WHAT))?,
                appeal_outcome: r.try_get(4).map_err(StoreError::query(WHAT))?,
                appeal_decided_at: decided.map(|d| parse_time(&id, &d)).transpose()?,
            });
        }
        Ok(Section {
            rows: aggregate::automated_means(&scores, window.as_of),
            queries: vec![record(
                "automated_means",
                sql::AUTOMATED_MEANS,
                &params,
                aggregate::AUTOMATED_MEANS_RULE,
                raw.len(),
            )],
        })
    }

    /// Runs `query` with the window's two bounds, bound as `params` are
    /// typed (integers for unix ms, text for RFC 3339 columns).
    async fn transparency_rows(
        &self,
        query: &'static str,
        params: &Bounds,
        what: &'static str,
    ) -> Result<Vec<SqliteRow>, StoreError> {
        let Backend::Sqlite(pool) = &self.backend;
        let q = sqlx::query(query);
        let q = match params {
            Bounds::UnixMs(start, end) => q.bind(*start).bind(*end),
            Bounds::Text(start, end) => q.bind(start.clone()).bind(end.clone()),
        };
        q.fetch_all(pool).await.map_err(StoreError::query(what))
    }
}

/// A window's bounds as one query binds them.
enum Bounds {
    /// Unix milliseconds, for `decided_at_unix_ms`.
    UnixMs(i64, i64),
    /// `YYYY-MM-DDTHH:MM:SS`, for RFC 3339 text columns.
    Text(String, String),
}

impl Bounds {
    /// The bounds as the audit record shows them, `$1` first.
    fn shown(&self) -> Vec<BoundParam> {
        match self {
            Bounds::UnixMs(start, end) => vec![
                param(1, "start_unix_ms", (*start).into()),
                param(2, "end_unix_ms", (*end).into()),
            ],
            Bounds::Text(start, end) => vec![
                param(1, "start", start.as_str().into()),
                param(2, "end", end.as_str().into()),
            ],
        }
    }
}

fn record(
    name: &'static str,
    sql: &'static str,
    params: &Bounds,
    rule: &'static str,
    rows_read: usize,
) -> QueryRecord {
    QueryRecord {
        name,
        sql,
        params: params.shown(),
        rule,
        rows_read,
    }
}

/// The window as unix milliseconds, for `decided_at_unix_ms`.
fn ms_params(window: &ReportWindow) -> Bounds {
    let ms = |t: OffsetDateTime| i64::try_from(t.unix_timestamp_nanos() / 1_000_000);
    Bounds::UnixMs(
        ms(window.start).unwrap_or(i64::MIN),
        ms(window.end).unwrap_or(i64::MAX),
    )
}

/// The window as `YYYY-MM-DDTHH:MM:SS` in UTC, for RFC 3339 text columns
/// (see [`sql`] on why there is no zone designator). Fractions of a second
/// are dropped: report windows start and end on whole seconds.
fn text_params(window: &ReportWindow) -> Bounds {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let text = |t: OffsetDateTime| {
        t.to_offset(time::UtcOffset::UTC)
            .format(&format)
            .unwrap_or_else(|_| t.to_string())
    };
    Bounds::Text(text(window.start), text(window.end))
}

fn parse_time(id: &str, text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| StoreError::Corrupt {
        id: id.to_owned(),
        reason: format!("time `{text}` is not RFC 3339: {e}"),
    })
}
