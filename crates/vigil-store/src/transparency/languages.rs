//! The languages of a report window's decisions: the transparency report's
//! accuracy section gives one set of rows per language seen.

use sqlx::Row;

use super::{ms_params, record, ReportWindow, Section};
use crate::{Store, StoreError};

/// The distinct languages (`content.lang` of the decision's JSON body, the
/// item's `meta.lang`) of decisions in `[$1, $2)` (unix ms), sorted.
/// Decisions without a language are left out. Like the online queries'
/// slice (`crate::online`), it reads the body with SQLite's JSON1
/// `json_extract`; PostgreSQL would write `body::jsonb #>> '{content,lang}'`.
pub(crate) const LANGUAGES: &str = "\
    SELECT DISTINCT json_extract(d.body, '$.content.lang') AS lang \
    FROM decisions d \
    WHERE d.decided_at_unix_ms >= $1 AND d.decided_at_unix_ms < $2 \
        AND json_extract(d.body, '$.content.lang') IS NOT NULL \
    ORDER BY lang";

pub(crate) const LANGUAGES_RULE: &str = "one row per distinct language of the window's decisions \
    (their `content.lang`), sorted; decisions without a language are counted under `all` only";

impl Store {
    /// The languages of the window's decisions, sorted, with the query
    /// that listed them.
    pub async fn transparency_languages(
        &self,
        window: &ReportWindow,
    ) -> Result<Section<String>, StoreError> {
        const WHAT: &str = "transparency: languages";
        let params = ms_params(window);
        let raw = self.transparency_rows(LANGUAGES, &params, WHAT).await?;
        let rows = raw
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query(WHAT))?;
        Ok(Section {
            rows,
            queries: vec![record(
                "languages",
                LANGUAGES,
                &params,
                LANGUAGES_RULE,
                raw.len(),
            )],
        })
    }
}
