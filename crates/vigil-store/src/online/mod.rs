//! Reading the figures of the online report (docs/online-report.md): per
//! window, language and modality, the decisions by action, the audit
//! sample of restrictions and how many were upheld, the restrictions that
//! appeals and policy reviews put before people, the prevalence sample,
//! the scores and the latencies.
//!
//! Every method returns its figures inside an [`Audited`], with the SQL
//! text it ran and the values it bound ([`QueryRecord`]), so that a report
//! can show, for each figure, the query that produced it; running that
//! query again on the same store gives the same figure.

mod sql;

use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::OffsetDateTime;
use vigil_core::{Action, Modality};

use crate::audit::{param, QueryRecord};
use crate::codec::unix_ms;
use crate::store::Backend;
use crate::{Store, StoreError};

/// The half-open window `[since, until)` of decision times a figure covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnlineWindow {
    /// Decisions taken at or after this instant.
    pub since: OffsetDateTime,
    /// Decisions taken before this instant.
    pub until: OffsetDateTime,
}

/// Which decisions of a window a figure covers: all by default, or only
/// those whose content facts name this language or modality.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnlineSlice {
    /// Only decisions whose item's `meta.lang` was this (as recorded in the
    /// decision's `content.lang`); decisions without a language are left
    /// out of every sliced figure.
    pub lang: Option<String>,
    /// Only decisions whose item carried this modality.
    pub modality: Option<Modality>,
}

/// Figures with the query that produced them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audited<T> {
    /// The figures.
    pub value: T,
    /// Where they came from.
    pub query: QueryRecord,
}

/// How many decisions took each action, every action listed (zero where
/// none did), least restrictive first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionCounts(pub Vec<(Action, u64)>);

impl ActionCounts {
    /// The count of `action`.
    pub fn get(&self, action: Action) -> u64 {
        self.0
            .iter()
            .find(|(a, _)| *a == action)
            .map_or(0, |(_, n)| *n)
    }

    /// Every decision counted.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, n)| n).sum()
    }

    /// Decisions restricted or blocked.
    pub fn restricted(&self) -> u64 {
        self.get(Action::Restrict) + self.get(Action::Block)
    }
}

/// A category's restrictions in a window and how people judged those that
/// appeals and policy reviews put before them (each decision counted once;
/// an appeal's outcome takes precedence over a policy review of the same
/// decision). Not a random sample: appealed restrictions are those users
/// contest, and policy review items are mostly not restricted at all, so
/// these counts give the biased overturn figure, never precision
/// ([`AuditSample`] does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CheckedRestrictions {
    /// Decisions whose action for the category was `restrict` or `block`.
    pub restricted: u64,
    /// Of those, appealed with an outcome recorded by the as-of instant.
    pub appealed: u64,
    /// Of the appealed, upheld.
    pub appeal_upheld: u64,
    /// Not appealed, but judged in a done `policy` review item whose
    /// reviews labelled the category.
    pub reviewed: u64,
    /// Of the reviewed, upheld: a strict majority of the labels positive.
    pub review_upheld: u64,
}

impl CheckedRestrictions {
    /// Restrictions a person judged: appealed plus reviewed.
    pub fn checked(&self) -> u64 {
        self.appealed + self.reviewed
    }

    /// Of the checked, upheld.
    pub fn upheld(&self) -> u64 {
        self.appeal_upheld + self.review_upheld
    }
}

/// A category's audit sample in a window: restricted decisions queued with
/// reason `audit` (drawn at random, whatever their scores) and judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AuditSample {
    /// Done audit items of the window's decisions restricted (restrict or
    /// block) for the category.
    pub judged: u64,
    /// Of those, the items whose reviews labelled the category (an item
    /// nobody labelled for it is unknown, neither upheld nor overturned).
    pub sampled: u64,
    /// Of the sampled, upheld: a strict majority of labels positive.
    pub upheld: u64,
}

/// A category's prevalence sample in a window: allowed decisions queued
/// with reason `prevalence` and judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PrevalenceSample {
    /// Done prevalence items of the window's allowed decisions.
    pub judged: u64,
    /// Of those, the items whose reviews labelled the category (an item
    /// nobody labelled for it is unknown, not negative).
    pub sampled: u64,
    /// Of the sampled, violating: a strict majority of labels positive.
    pub violating: u64,
}

/// The bound values shared by every online query.
struct Binds<'a> {
    since_ms: i64,
    until_ms: i64,
    lang: Option<&'a str>,
    modality: Option<&'static str>,
    category: Option<&'a str>,
    as_of: Option<String>,
}

impl<'a> Binds<'a> {
    fn new(window: OnlineWindow, slice: &'a OnlineSlice) -> Binds<'a> {
        Binds {
            since_ms: unix_ms(window.since),
            until_ms: unix_ms(window.until),
            lang: slice.lang.as_deref(),
            modality: slice.modality.map(Modality::as_str),
            category: None,
            as_of: None,
        }
    }

    fn category(mut self, category: &'a str) -> Self {
        self.category = Some(category);
        self
    }

    /// Judgments stamped at or before `as_of`'s whole second. The store
    /// stamps verdicts and appeal outcomes in whole seconds of RFC 3339
    /// text, compared here as text; a judgment in the same second as
    /// `as_of` counts, the same way every time the report is run.
    fn judged_before(mut self, as_of: OffsetDateTime) -> Self {
        self.as_of = Some(whole_second_rfc3339(as_of));
        self
    }

    /// The record of `sql` run with these values, named `name`, its rows
    /// counted by `rule`.
    fn record(
        &self,
        name: &'static str,
        sql: &'static str,
        rule: &'static str,
        rows_read: usize,
    ) -> QueryRecord {
        let mut params = vec![
            param(1, "since_unix_ms", self.since_ms.into()),
            param(2, "until_unix_ms", self.until_ms.into()),
            param(3, "lang", self.lang.into()),
            param(4, "modality", self.modality.into()),
        ];
        if let Some(c) = self.category {
            params.push(param(5, "category", c.into()));
        }
        if let Some(t) = &self.as_of {
            params.push(param(6, "as_of", t.as_str().into()));
        }
        QueryRecord {
            name,
            sql,
            params,
            rule,
            rows_read,
        }
    }

    async fn fetch(
        &self,
        store: &Store,
        sql: &'static str,
        what: &'static str,
    ) -> Result<Vec<SqliteRow>, StoreError> {
        let Backend::Sqlite(pool) = &store.backend;
        let mut q = sqlx::query(sql)
            .bind(self.since_ms)
            .bind(self.until_ms)
            .bind(self.lang)
            .bind(self.modality);
        if let Some(c) = self.category {
            q = q.bind(c);
        }
        if let Some(t) = &self.as_of {
            q = q.bind(t.as_str());
        }
        q.fetch_all(pool).await.map_err(StoreError::query(what))
    }
}

/// `t` in UTC as `YYYY-MM-DDTHH:MM:SSZ`, the form the store writes
/// without a fraction (written here so that it cannot fail).
fn whole_second_rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Column `i` of `row` as a count (SQL counts are never negative).
fn count(row: &SqliteRow, i: usize, what: &'static str) -> Result<u64, StoreError> {
    let n: i64 = row.try_get(i).map_err(StoreError::query(what))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

impl Store {
    /// The categories any decision of the window and slice scored, sorted.
    pub async fn online_categories(
        &self,
        window: OnlineWindow,
        slice: &OnlineSlice,
    ) -> Result<Audited<Vec<String>>, StoreError> {
        const WHAT: &str = "list the window's categories";
        let binds = Binds::new(window, slice);
        let rows = binds.fetch(self, sql::CATEGORIES, WHAT).await?;
        let value = rows
            .iter()
            .map(|r| r.try_get(0).map_err(StoreError::query(WHAT)))
            .collect::<Result<_, _>>()?;
        Ok(Audited {
            value,
            query: binds.record(
                "categories",
                sql::CATEGORIES,
                sql::rules::CATEGORIES,
                rows.len(),
            ),
        })
    }

    /// The window's decisions by overall action, or by the action taken for
    /// `category` when one is given.
    pub async fn online_action_counts(
        &self,
        window: OnlineWindow,
        slice: &OnlineSlice,
        category: Option<&str>,
    ) -> Result<Audited<ActionCounts>, StoreError> {
        const WHAT: &str = "count the window's actions";
        let (binds, name, text, rule) = match category {
            Some(c) => (
                Binds::new(window, slice).category(c),
                "category_actions",
                sql::CATEGORY_ACTIONS,
                sql::rules::CATEGORY_ACTIONS,
            ),
            None => (
                Binds::new(window, slice),
                "actions",
                sql::ACTIONS,
                sql::rules::ACTIONS,
            ),
        };
        let rows = binds.fetch(self, text, WHAT).await?;
        let mut counts: Vec<(Action, u64)> = Action::ALL.iter().map(|&a| (a, 0)).collect();
        for row in &rows {
            let value: String = row.try_get(0).map_err(StoreError::query(WHAT))?;
            let action: Action = value
                .parse()
                .map_err(|_| StoreError::UnknownAction { value })?;
            let n = count(row, 1, WHAT)?;
            if let Some(slot) = counts.iter_mut().find(|(a, _)| *a == action) {
                slot.1 += n;
            }
        }
        Ok(Audited {
            value: ActionCounts(counts),
            query: binds.record(name, text, rule, rows.len()),
        })
    }

    /// `category`'s restrictions in the window and how many people upheld
    /// of those appealed or in policy review (biased, see
    /// [`CheckedRestrictions`]), counting judgments stamped at or before
    /// `as_of` (whole seconds).
    pub async fn online_checked_restrictions(
        &self,
        window: OnlineWindow,
        slice: &OnlineSlice,
        category: &str,
        as_of: OffsetDateTime,
    ) -> Result<Audited<CheckedRestrictions>, StoreError> {
        const WHAT: &str = "count checked restrictions";
        let binds = Binds::new(window, slice)
            .category(category)
            .judged_before(as_of);
        let rows = binds.fetch(self, sql::CHECKED_RESTRICTIONS, WHAT).await?;
        let value = match rows.first() {
            Some(r) => CheckedRestrictions {
                restricted: count(r, 0, WHAT)?,
                appealed: count(r, 1, WHAT)?,
                appeal_upheld: count(r, 2, WHAT)?,
                reviewed: count(r, 3, WHAT)?,
                review_upheld: count(r, 4, WHAT)?,
            },
            None => CheckedRestrictions::default(),
        };
        Ok(Audited {
            value,
            query: binds.record(
                "checked_restrictions",
                sql::CHECKED_RESTRICTIONS,
                sql::rules::CHECKED_RESTRICTIONS,
                rows.len(),
            ),
        })
    }

    /// `category`'s audit sample among the window's restrictions for it,
    /// counting items done at or before `as_of` (whole seconds).
    pub async fn online_audit_sample(
        &self,
        window: OnlineWindow,
        slice: &OnlineSlice,
        category: &str,
        as_of: OffsetDateTime,
    ) -> Result<Audited<AuditSample>, StoreError> {
        const WHAT: &str = "count the audit sample";
        let binds = Binds::new(window, slice)
            .category(category)
            .judged_before(as_of);
        let rows = binds.fetch(self, sql::AUDIT_SAMPLE, WHAT).await?;
        let value = match rows.first() {
            Some(r) => AuditSample {
                judged: count(r, 0, WHAT)?,
                sampled: count(r, 1, WHAT)?,
                upheld: count(r, 2, WHAT)?,
            },
            None => AuditSample::default(),
        };
        Ok(Audited {
            value,
            query: binds.record(
                "audit_sample",
                sql::AUDIT_SAMPLE,
                sql::rules::AUDIT_SAMPLE,
                rows.len(),
            ),
        })
    }

    /// `category`'s prevalence sample among the window's allowed decisions,
    /// counting items done at or before `as_of` (whole seconds).
    pub async fn online_prevalence_sample(
        &self,
        window: OnlineWindow,
        slice: &OnlineSlice,
        category: &str,
        as_of: OffsetDateTime,
    ) -> Result<Audited<PrevalenceSample>, StoreError> {
        const WHAT: &str = "count the prevalence sample";
        let binds = Binds::new(window, slice)
            .category(category)
            .judged_before(as_of);
        let rows = binds.fetch(self, sql::PREVALENCE_SAMPLE, WHAT).await?;
        let value = match rows.first() {
            Some(r) => PrevalenceSample {
                judged: count(r, 0, WHAT)?,
                sampled: count(r, 1, WHAT)?,
                violating: count(r, 2, WHAT)?,
            },
            None => PrevalenceSample::default(),
        };
        Ok(Audited {
            value,
            query: binds.record(
                "prevalence_sample",
                sql::PREVALENCE_SAMPLE,
                sql::rules::PREVALENCE_SAMPLE,
                rows.len(),
            ),
        })
    }

    /// `category`'s scores in the window, ascending.
    pub async fn online_scores(
        &self,
        window: OnlineWindow,
        slice: &OnlineSlice,
        category: &str,
    ) -> Result<Audited<Vec<f64>>, StoreError> {
        const WHAT: &str = "read the window's scores";
        let binds = Binds::new(window, slice).category(category);
        let rows = binds.fetch(self, sql::SCORES, WHAT).await?;
        let value = rows
            .iter()
            .map(|r| r.try_get(0).map_err(StoreError::query(WHAT)))
            .collect::<Result<_, _>>()?;
        Ok(Audited {
            value,
            query: binds.record("scores", sql::SCORES, sql::rules::SCORES, rows.len()),
        })
    }

    /// The latencies of the window's decisions in microseconds, ascending.
    pub async fn online_latencies_us(
        &self,
        window: OnlineWindow,
        slice: &OnlineSlice,
    ) -> Result<Audited<Vec<u64>>, StoreError> {
        const WHAT: &str = "read the window's latencies";
        let binds = Binds::new(window, slice);
        let rows = binds.fetch(self, sql::LATENCIES, WHAT).await?;
        let value = rows
            .iter()
            .map(|r| count(r, 0, WHAT))
            .collect::<Result<_, _>>()?;
        Ok(Audited {
            value,
            query: binds.record(
                "latencies",
                sql::LATENCIES,
                sql::rules::LATENCIES,
                rows.len(),
            ),
        })
    }
}
