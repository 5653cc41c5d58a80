//! Shadow scores: a candidate model's scores of live traffic, kept beside
//! the decisions the active model took, for comparing the two online.
//!
//! The server writes them off the answer's path ([`Store::insert_shadow_scores`]);
//! `vigil models shadow-report` reads them back ([`Store::shadow_scores`]).

use sqlx::Row;
use vigil_core::DecisionId;

use crate::store::Backend;
use crate::{sql, Store, StoreError};

/// One category of one decision, scored by the active model and a candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct ShadowScore {
    /// The decision the active model's score belongs to.
    pub decision_id: DecisionId,
    /// The category key.
    pub category: String,
    /// The score the decision took for the category.
    pub active_score: f64,
    /// The candidate's score of the same text.
    pub candidate_score: f64,
}

impl Store {
    /// Records the candidate `model` (name, version)'s scores, in one transaction.
    pub async fn insert_shadow_scores(
        &self,
        model: (&str, &str),
        scores: &[ShadowScore],
    ) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool
                    .begin()
                    .await
                    .map_err(StoreError::query("begin insert shadow scores"))?;
                for s in scores {
                    sqlx::query(sql::INSERT_SHADOW_SCORE)
                        .bind(s.decision_id.to_string())
                        .bind(model.0)
                        .bind(model.1)
                        .bind(&s.category)
                        .bind(s.active_score)
                        .bind(s.candidate_score)
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::query("insert a shadow score"))?;
                }
                tx.commit()
                    .await
                    .map_err(StoreError::query("commit insert shadow scores"))
            }
        }
    }

    /// Every shadow score recorded for `name@version`, by decision and category.
    pub async fn shadow_scores(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Vec<ShadowScore>, StoreError> {
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::SHADOW_SCORES)
                .bind(name)
                .bind(version)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("read shadow scores"))?,
        };
        rows.iter()
            .map(|r| {
                let get = |e| StoreError::Query {
                    what: "read a shadow score row",
                    source: e,
                };
                let id: String = r.try_get(0).map_err(get)?;
                let decision_id =
                    id.parse::<uuid::Uuid>()
                        .map(DecisionId)
                        .map_err(|e| StoreError::Corrupt {
                            id: id.clone(),
                            reason: format!("a shadow score's decision id does not parse: {e}"),
                        })?;
                Ok(ShadowScore {
                    decision_id,
                    category: r.try_get(1).map_err(get)?,
                    active_score: r.try_get(2).map_err(get)?,
                    candidate_score: r.try_get(3).map_err(get)?,
                })
            })
            .collect()
    }
}
