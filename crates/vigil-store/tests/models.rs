//! The model registry: registering candidates, one active model per name,
//! promotion retiring the model it replaces, refusals with their reason,
//! and shadow scores.

mod common;

use common::{raw_connection, TempStore};
use vigil_core::DecisionId;
use vigil_store::{ModelKind, ModelStatus, NewModel, ShadowScore, StoreError};

fn candidate(name: &str, version: &str) -> NewModel {
    NewModel {
        name: name.to_owned(),
        version: version.to_owned(),
        kind: ModelKind::TextLinear,
        path: format!("/registry/{name}/{version}").into(),
        digest: format!("sha256:{version}"),
        training_data: r#"[{"name":"seed","items_sha256":"sha256:00"}]"#.to_owned(),
    }
}

#[tokio::test]
async fn a_registered_model_is_a_candidate_and_reads_back_whole() {
    let t = TempStore::new().await;
    let new = candidate("text-linear", "1");
    t.store.register_model(&new).await.expect("registers");
    let got = t
        .store
        .get_model("text-linear", "1")
        .await
        .expect("reads")
        .expect("found");
    assert_eq!(got.status, ModelStatus::Candidate);
    assert_eq!(
        (got.kind, &got.path, &got.digest),
        (new.kind, &new.path, &new.digest)
    );
    assert_eq!(got.training_data, new.training_data);
    assert_eq!(
        (&got.report, &got.reason, got.decided_at),
        (&None, &None, None)
    );
    assert_eq!(got.id(), "text-linear@1");
    assert!(matches!(
        t.store.register_model(&new).await,
        Err(StoreError::DuplicateModel { .. })
    ));
    assert!(t
        .store
        .get_model("text-linear", "2")
        .await
        .expect("reads")
        .is_none());
}

#[tokio::test]
async fn promoting_retires_the_active_model_of_the_same_name_only() {
    let t = TempStore::new().await;
    for (name, version) in [("text-linear", "1"), ("text-linear", "2"), ("other", "1")] {
        t.store
            .register_model(&candidate(name, version))
            .await
            .expect("registers");
    }
    let retired = t
        .store
        .promote_model("text-linear", "1", "{\"passed\":true}")
        .await
        .expect("promotes");
    assert_eq!(retired, None);
    t.store
        .promote_model("other", "1", "{}")
        .await
        .expect("promotes");
    // Promotion times are kept to the millisecond: let one pass.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let retired = t
        .store
        .promote_model("text-linear", "2", "{}")
        .await
        .expect("promotes");
    assert_eq!(retired.as_deref(), Some("1"));
    let status = |name: &'static str, version: &'static str| {
        let store = t.store.clone();
        async move {
            store
                .get_model(name, version)
                .await
                .expect("reads")
                .expect("found")
                .status
        }
    };
    assert_eq!(status("text-linear", "1").await, ModelStatus::Retired);
    assert_eq!(status("text-linear", "2").await, ModelStatus::Active);
    assert_eq!(status("other", "1").await, ModelStatus::Active);
    let active = t
        .store
        .active_model("text-linear")
        .await
        .expect("reads")
        .expect("one");
    assert_eq!(active.version, "2");
    assert_eq!(active.report.as_deref(), Some("{}"));
    // The latest promotion of the kind is what a server loads.
    let latest = t
        .store
        .latest_active_model(ModelKind::TextLinear)
        .await
        .expect("reads")
        .expect("one");
    assert_eq!(latest.id(), "text-linear@2");
    // A retired model can be promoted again (a roll-back), retiring 2.
    t.store
        .promote_model("text-linear", "1", "{}")
        .await
        .expect("rolls back");
    assert_eq!(status("text-linear", "2").await, ModelStatus::Retired);
    // Promoting the active model again is refused, and changes nothing.
    assert!(matches!(
        t.store.promote_model("text-linear", "1", "{}").await,
        Err(StoreError::ModelNotJudgeable {
            status: "active",
            ..
        })
    ));
    assert_eq!(status("text-linear", "1").await, ModelStatus::Active);
    assert!(matches!(
        t.store.promote_model("text-linear", "9", "{}").await,
        Err(StoreError::UnknownModel { .. })
    ));
    assert_eq!(status("text-linear", "1").await, ModelStatus::Active);
}

#[tokio::test]
async fn the_schema_itself_refuses_two_active_models_of_one_name() {
    let t = TempStore::new().await;
    for version in ["1", "2"] {
        t.store
            .register_model(&candidate("text-linear", version))
            .await
            .expect("registers");
    }
    t.store
        .promote_model("text-linear", "1", "{}")
        .await
        .expect("promotes");
    let mut conn = raw_connection(&t.path).await;
    let second = sqlx::query(
        "UPDATE models SET status = 'active', decided_at = '2025-01-01T00:00:00Z' \
         WHERE version = '2'",
    )
    .execute(&mut conn)
    .await;
    assert!(
        second.is_err(),
        "a second active model of one name is refused"
    );
}

#[tokio::test]
async fn a_refused_candidate_keeps_its_reason_and_report_until_judged_again() {
    let t = TempStore::new().await;
    t.store
        .register_model(&candidate("text-linear", "bad"))
        .await
        .expect("registers");
    t.store
        .refuse_model(
            "text-linear",
            "bad",
            "hate AUPRC: worse",
            "{\"passed\":false}",
        )
        .await
        .expect("refuses");
    let got = t
        .store
        .get_model("text-linear", "bad")
        .await
        .expect("reads")
        .expect("found");
    assert_eq!(got.status, ModelStatus::Refused);
    assert_eq!(got.reason.as_deref(), Some("hate AUPRC: worse"));
    assert_eq!(got.report.as_deref(), Some("{\"passed\":false}"));
    assert!(got.decided_at.is_some());
    assert!(t
        .store
        .active_model("text-linear")
        .await
        .expect("reads")
        .is_none());
    let listed = t.store.list_models().await.expect("lists");
    assert_eq!(listed.len(), 1);
    // Judged again (say under a corrected policy) and passed.
    t.store
        .promote_model("text-linear", "bad", "{\"passed\":true}")
        .await
        .expect("promotes");
    let got = t
        .store
        .get_model("text-linear", "bad")
        .await
        .expect("reads")
        .expect("found");
    assert_eq!((got.status, got.reason), (ModelStatus::Active, None));
    assert!(matches!(
        t.store.refuse_model("text-linear", "bad", "no", "{}").await,
        Err(StoreError::ModelNotJudgeable {
            status: "active",
            ..
        })
    ));
}

#[tokio::test]
async fn shadow_scores_are_kept_per_model_version() {
    let t = TempStore::new().await;
    let (a, b) = (DecisionId::new(), DecisionId::new());
    let rows = vec![
        ShadowScore {
            decision_id: a,
            category: "hate".into(),
            active_score: 0.25,
            candidate_score: 0.5,
        },
        ShadowScore {
            decision_id: b,
            category: "hate".into(),
            active_score: 0.75,
            candidate_score: 0.5,
        },
    ];
    t.store
        .insert_shadow_scores(("text-linear", "2"), &rows)
        .await
        .expect("inserts");
    let mut got = t
        .store
        .shadow_scores("text-linear", "2")
        .await
        .expect("reads");
    got.sort_by_key(|s| s.decision_id);
    assert_eq!(got, rows);
    assert!(t
        .store
        .shadow_scores("text-linear", "3")
        .await
        .expect("reads")
        .is_empty());
}
