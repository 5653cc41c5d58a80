//! Shared fixtures for the store's integration tests: a store in a fresh
//! temporary folder, and realistic decisions built from `vigil_core` types.

#![allow(dead_code)] // each test binary uses a different part of this file

use std::path::PathBuf;

use tempfile::TempDir;
use time::{Duration, OffsetDateTime};
use vigil_core::{
    Action, Category, CategoryDecision, Decision, DecisionId, Evidence, Location, Modality, Reason,
    Score, Thresholds, VersionRef,
};
use vigil_store::Store;

/// A store file in a temporary folder that lives as long as this value.
pub struct TempStore {
    pub store: Store,
    pub path: PathBuf,
    _dir: TempDir,
}

impl TempStore {
    pub async fn new() -> TempStore {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let path = dir.path().join("vigil.db");
        let store = Store::open_sqlite(&path).await.expect("open a fresh store");
        TempStore {
            store,
            path,
            _dir: dir,
        }
    }

    /// The `sqlite://` URL of the file.
    pub fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }
}

pub fn score(v: f64) -> Score {
    Score::new(v).expect("test scores are in [0, 1]")
}

/// A fixed instant plus `offset_s` seconds.
pub fn at(offset_s: i64) -> OffsetDateTime {
    time::macros::datetime!(2025-03-01 09:00:00 UTC) + Duration::seconds(offset_s)
}

fn thresholds() -> Thresholds {
    Thresholds {
        review: Some(score(0.5)),
        restrict: Some(score(0.8)),
        block: Some(score(0.95)),
    }
}

/// A decision with every field set: categories with evidence, reasons,
/// policy and model digests.
pub fn decision(action: Action, decided_at: OffsetDateTime) -> Decision {
    let hate_score = match action {
        Action::Allow => 0.1,
        Action::Review => 0.6,
        Action::Restrict => 0.85,
        Action::Block => 0.97,
    };
    let categories = vec![
        CategoryDecision {
            category: Category::Hate,
            score: score(hate_score),
            action,
            thresholds: thresholds(),
            evidence: vec![Evidence::new(Modality::Text, "text-linear")
                .at(Location::Span { start: 4, end: 11 })
                .detail("n-gram `example`")],
        },
        CategoryDecision {
            category: Category::Unsafe,
            score: score(hate_score * 0.9),
            action: Action::Allow,
            thresholds: Thresholds::default(),
            evidence: Vec::new(),
        },
    ];
    let reasons = match thresholds().get(action) {
        Some(threshold) => vec![Reason {
            category: Category::Hate,
            action,
            score: score(hate_score),
            threshold,
            text: format!("hate score {hate_score} reached the {action} threshold"),
        }],
        None => Vec::new(),
    };
    Decision {
        id: DecisionId::new(),
        item_id: format!("post-{}", decided_at.unix_timestamp()),
        action,
        categories,
        reasons,
        policy: VersionRef {
            name: "default".to_owned(),
            version: "2025.03".to_owned(),
            digest: Some(format!("sha256:{}", "ab".repeat(32))),
        },
        models: vec![VersionRef {
            name: "text-linear".to_owned(),
            version: "0.3.1".to_owned(),
            digest: Some(format!("sha256:{}", "cd".repeat(32))),
        }],
        input_digest: format!("sha256:{}", "ef".repeat(32)),
        latency_us: 412,
        decided_at,
        content: Default::default(),
        not_analysed: Vec::new(),
        hash_matches: Vec::new(),
        media_matches: Vec::new(),
    }
}

/// A plain connection to the store file, bypassing the store, for checking
/// what it wrote and for damaging it on purpose.
pub async fn raw_connection(path: &std::path::Path) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("open the store file directly")
}
