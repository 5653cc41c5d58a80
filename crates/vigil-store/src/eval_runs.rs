//! Evaluation run history: every `vigil eval` run with the model, policy and
//! data digests it measured, so a metric's trend over model versions can be
//! listed.

use sqlx::Row;
use time::OffsetDateTime;

use crate::store::Backend;
use crate::{sql, Store, StoreError};

/// Headline figures of one category in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalMetric {
    /// The category key.
    pub category: String,
    /// Items with a known label.
    pub n_known: u64,
    /// Positive labels among them.
    pub positives: u64,
    /// AUPRC and its interval, when defined.
    pub auprc: Option<(f64, f64, f64)>,
    /// ROC AUC, when defined.
    pub roc_auc: Option<f64>,
}

/// One evaluation run to record.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalRun {
    /// The run's id (a UUIDv7 string).
    pub id: String,
    /// When it ran.
    pub created_at: OffsetDateTime,
    /// Model name and version.
    pub model: (String, String),
    /// Policy name and version.
    pub policy: (String, String),
    /// The split measured.
    pub split: String,
    /// The data sets and their digests, as JSON.
    pub datasets_json: String,
    /// The full report, as JSON.
    pub report_json: String,
    /// Per-category figures.
    pub metrics: Vec<EvalMetric>,
}

/// One row of a category's history.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalHistoryRow {
    /// The run's id.
    pub run_id: String,
    /// When it ran (RFC 3339).
    pub created_at: String,
    /// Model name and version.
    pub model: (String, String),
    /// Policy name and version.
    pub policy: (String, String),
    /// The split measured.
    pub split: String,
    /// The category's figures in that run.
    pub metric: EvalMetric,
}

impl Store {
    /// Record an evaluation run and its per-category figures in one transaction.
    pub async fn insert_eval_run(&self, run: &EvalRun) -> Result<(), StoreError> {
        let created_at = run
            .created_at
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| StoreError::Corrupt {
                id: run.id.clone(),
                reason: format!("cannot format the run time: {e}"),
            })?;
        let unix_ms =
            i64::try_from(run.created_at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool
                    .begin()
                    .await
                    .map_err(StoreError::query("begin insert eval run"))?;
                sqlx::query(sql::INSERT_EVAL_RUN)
                    .bind(&run.id)
                    .bind(&created_at)
                    .bind(unix_ms)
                    .bind(&run.model.0)
                    .bind(&run.model.1)
                    .bind(&run.policy.0)
                    .bind(&run.policy.1)
                    .bind(&run.split)
                    .bind(&run.datasets_json)
                    .bind(&run.report_json)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query("insert eval run"))?;
                for m in &run.metrics {
                    sqlx::query(sql::INSERT_EVAL_METRIC)
                        .bind(&run.id)
                        .bind(&m.category)
                        .bind(i64::try_from(m.n_known).unwrap_or(i64::MAX))
                        .bind(i64::try_from(m.positives).unwrap_or(i64::MAX))
                        .bind(m.auprc.map(|a| a.0))
                        .bind(m.auprc.map(|a| a.1))
                        .bind(m.auprc.map(|a| a.2))
                        .bind(m.roc_auc)
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::query("insert eval metric"))?;
                }
                tx.commit()
                    .await
                    .map_err(StoreError::query("commit insert eval run"))
            }
        }
    }

    /// Every recorded run's figures for one category, oldest first.
    pub async fn eval_history(&self, category: &str) -> Result<Vec<EvalHistoryRow>, StoreError> {
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::EVAL_HISTORY)
                .bind(category)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("eval history"))?,
        };
        rows.iter()
            .map(|r| {
                let get = |e| StoreError::Query {
                    what: "read eval history row",
                    source: e,
                };
                let auprc: Option<f64> = r.try_get(9).map_err(get)?;
                let low: Option<f64> = r.try_get(10).map_err(get)?;
                let high: Option<f64> = r.try_get(11).map_err(get)?;
                let n_known: i64 = r.try_get(7).map_err(get)?;
                let positives: i64 = r.try_get(8).map_err(get)?;
                Ok(EvalHistoryRow {
                    run_id: r.try_get(0).map_err(get)?,
                    created_at: r.try_get(1).map_err(get)?,
                    model: (r.try_get(2).map_err(get)?, r.try_get(3).map_err(get)?),
                    policy: (r.try_get(4).map_err(get)?, r.try_get(5).map_err(get)?),
                    split: r.try_get(6).map_err(get)?,
                    metric: EvalMetric {
                        category: category.to_owned(),
                        n_known: u64::try_from(n_known).unwrap_or(0),
                        positives: u64::try_from(positives).unwrap_or(0),
                        auprc: auprc.map(|a| (a, low.unwrap_or(a), high.unwrap_or(a))),
                        roc_auc: r.try_get(12).map_err(get)?,
                    },
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_are_recorded_and_listed_per_category_oldest_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_sqlite(&dir.path().join("v.db"))
            .await
            .expect("opens");
        assert!(store.schema_version().await.expect("version") >= 9);
        for (i, version) in ["1", "2"].iter().enumerate() {
            let run = EvalRun {
                id: format!("run-{i}"),
                created_at: OffsetDateTime::from_unix_timestamp(1_700_000_000 + i as i64)
                    .expect("time"),
                model: ("text-linear".into(), (*version).into()),
                policy: ("default".into(), "1".into()),
                split: "test".into(),
                datasets_json: "[]".into(),
                report_json: "{}".into(),
                metrics: vec![EvalMetric {
                    category: "hate".into(),
                    n_known: 100,
                    positives: 10 + i as u64,
                    auprc: Some((0.8 + 0.05 * i as f64, 0.7, 0.9)),
                    roc_auc: None,
                }],
            };
            store.insert_eval_run(&run).await.expect("inserts");
        }
        let history = store.eval_history("hate").await.expect("lists");
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].model.1, "1");
        assert_eq!(history[1].metric.positives, 11);
        assert!(history[1]
            .metric
            .auprc
            .is_some_and(|a| (a.0 - 0.85).abs() < 1e-12));
        assert!(store
            .eval_history("sexual")
            .await
            .expect("lists")
            .is_empty());
        let dup = EvalRun {
            id: "run-0".into(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            model: ("m".into(), "v".into()),
            policy: ("p".into(), "v".into()),
            split: "test".into(),
            datasets_json: "[]".into(),
            report_json: "{}".into(),
            metrics: vec![],
        };
        assert!(
            store.insert_eval_run(&dup).await.is_err(),
            "a run id is never reused"
        );
    }
}
