//! `vigil report online`: the three files, the figures in the JSON, the
//! `[alerts]` breaches on stderr, and flag errors.

mod util;

use time::macros::datetime;
use time::Duration;
use util::Vigil;
use vigil_core::{
    Action, AppealOutcome, Category, CategoryDecision, Decision, DecisionId, Item, Labels,
    QueueReason, Score, Thresholds, Verdict, VersionRef,
};
use vigil_store::{NewReview, Store};

const POLICY: &str = r#"
[policy]
name = "online"
version = "1"

[categories.hate]
description = "Hate."
dsa_category = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
terms_ground = "Terms: hate"
thresholds = { review = 0.4, restrict = 0.7, block = 0.9 }

[alerts]
min_precision = 0.9
"#;

fn decision(i: i64, action: Action, score: f64) -> Decision {
    Decision {
        id: DecisionId::new(),
        item_id: format!("post-{i}"),
        action,
        categories: vec![CategoryDecision {
            category: Category::Hate,
            score: Score::new(score).expect("a score in [0, 1]"),
            action,
            thresholds: Thresholds::default(),
            evidence: Vec::new(),
        }],
        reasons: Vec::new(),
        policy: VersionRef {
            name: "online".into(),
            version: "1".into(),
            digest: None,
        },
        models: Vec::new(),
        input_digest: "sha256:00".into(),
        latency_us: 100 * (i as u64 + 1),
        decided_at: datetime!(2026-03-01 12:00 UTC) + Duration::minutes(i),
        content: Default::default(),
        not_analysed: Vec::new(),
        hash_matches: Vec::new(),
        media_matches: Vec::new(),
    }
}

fn hate_verdict(hate: bool) -> Verdict {
    Verdict {
        labels: Labels::new().with(Category::Hate, hate),
        action: if hate { Action::Block } else { Action::Allow },
        note: None,
    }
}

/// Ten decisions on 2026-03-01: six allowed, four blocked; every block in
/// the audit sample, three upheld there and one (post-9) overturned; two of
/// the blocks appealed, one upheld and one overturned.
fn seed(db: &std::path::Path) {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    rt.block_on(async {
        let store = Store::open_sqlite(db).await.expect("store");
        for i in 0..10 {
            let blocked = i >= 6;
            let d = decision(
                i,
                if blocked {
                    Action::Block
                } else {
                    Action::Allow
                },
                if blocked { 0.95 } else { 0.1 },
            );
            store.insert_decision(&d).await.expect("insert");
            if blocked {
                let id = store
                    .enqueue_review(&NewReview {
                        item: Item::text(&d.item_id, "t"),
                        decision_id: d.id,
                        reason: QueueReason::Audit,
                        priority: 1.0,
                        required_reviews: 1,
                        bucket: None,
                    })
                    .await
                    .expect("queue")
                    .expect("queued");
                store
                    .claim_review(id, "r", std::time::Duration::from_secs(60))
                    .await
                    .expect("claim");
                store
                    .submit_review(id, "r", &hate_verdict(i != 9), None)
                    .await
                    .expect("verdict");
            }
            if i >= 8 {
                let a = store
                    .file_appeal(d.id, "wrong", Some(&Item::text(&d.item_id, "t")))
                    .await
                    .expect("appeal");
                store
                    .claim_review(a.review_item, "r", std::time::Duration::from_secs(60))
                    .await
                    .expect("claim");
                let upheld = i == 8;
                let verdict = hate_verdict(upheld);
                let outcome = if upheld {
                    AppealOutcome::Upheld
                } else {
                    AppealOutcome::Overturned
                };
                store
                    .submit_review(a.review_item, "r", &verdict, Some(outcome))
                    .await
                    .expect("verdict");
            }
        }
        store.close().await;
    });
}

#[test]
fn writes_the_report_and_logs_breaches() {
    let vigil = Vigil::new();
    let db = vigil.home().join("online.db");
    seed(&db);
    let policy = vigil.home().join("policy.toml");
    std::fs::write(&policy, POLICY).expect("write the policy");
    let out = vigil.home().join("out");
    let run = vigil
        .run([
            "report",
            "online",
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-02",
            "--policy",
            policy.to_str().expect("utf-8 path"),
            "--db",
            db.to_str().expect("utf-8 path"),
            "--out",
            out.to_str().expect("utf-8 path"),
        ])
        .success();
    let json_text = std::fs::read_to_string(out.join("online-report.json")).expect("the JSON");
    assert!(
        run.stdout.contains("1 alerts"),
        "{}\n{json_text}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("alert: hate min_precision = 0.7500 crosses 0.9"),
        "{}",
        run.stderr
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("online-report.json")).expect("the JSON"),
    )
    .expect("valid JSON");
    let hate = &json["categories"][0];
    assert_eq!(hate["category"], "hate");
    assert_eq!(hate["checked"]["value"]["restricted"], 4);
    assert_eq!(hate["checked"]["value"]["appealed"], 2);
    // Precision from the audit: 3 of 4 upheld; the appeals give the biased
    // overturn rate, 1 of 2.
    assert_eq!(hate["audit_sample"]["value"]["sampled"], 4);
    assert_eq!(hate["audit_sample"]["value"]["upheld"], 3);
    assert_eq!(hate["precision"]["estimate"], 0.75);
    assert_eq!(hate["overturn_rate"]["estimate"], 0.5);
    assert_eq!(hate["overturn_rate"]["meaningful"], false);
    assert_eq!(json["latency"]["value"]["p50_us"], 500);
    assert!(out.join("online-report.md").is_file());
    assert!(out.join("online-report.html").is_file());
}

/// `vigil report online --fail-on-breach` over the seeded store under
/// `policy`.
fn run_failing_on_breach(vigil: &Vigil, policy: &str) -> (util::Run, std::path::PathBuf) {
    let db = vigil.home().join("online.db");
    seed(&db);
    let policy_path = vigil.home().join("policy.toml");
    std::fs::write(&policy_path, policy).expect("write the policy");
    let out = vigil.home().join("out");
    let run = vigil.run([
        "report",
        "online",
        "--since",
        "2026-03-01",
        "--until",
        "2026-03-02",
        "--policy",
        policy_path.to_str().expect("utf-8 path"),
        "--db",
        db.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
        "--fail-on-breach",
    ]);
    (run, out)
}

#[test]
fn fail_on_breach_exits_3_after_writing_the_report() {
    let vigil = Vigil::new();
    // Precision 0.75 against a minimum of 0.9.
    let (run, out) = run_failing_on_breach(&vigil, POLICY);
    assert_eq!(run.status, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("alert: hate min_precision = 0.7500 crosses 0.9"),
        "{}",
        run.stderr
    );
    for name in [
        "online-report.json",
        "online-report.md",
        "online-report.html",
    ] {
        assert!(out.join(name).is_file(), "{name} written");
    }
}

#[test]
fn fail_on_breach_exits_0_when_no_limit_is_crossed() {
    let vigil = Vigil::new();
    let policy = POLICY.replace("min_precision = 0.9", "min_precision = 0.5");
    assert_ne!(policy, POLICY);
    let (run, out) = run_failing_on_breach(&vigil, &policy);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("0 alerts"), "{}", run.stdout);
    assert!(!run.stderr.contains("alert:"), "{}", run.stderr);
    assert!(out.join("online-report.json").is_file());
}

#[test]
fn a_bad_modality_and_an_empty_window_are_refused() {
    let vigil = Vigil::new();
    let out = vigil.home().join("out");
    let run = vigil
        .run([
            "report",
            "online",
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-02",
            "--modality",
            "smell",
            "--out",
            out.to_str().expect("utf-8 path"),
        ])
        .failure();
    assert!(run.stderr.contains("--modality must be"), "{}", run.stderr);
    let run = vigil
        .run([
            "report",
            "online",
            "--since",
            "2026-03-02",
            "--until",
            "2026-03-01",
            "--out",
            out.to_str().expect("utf-8 path"),
        ])
        .failure();
    assert!(
        run.stderr.contains("must end after it starts"),
        "{}",
        run.stderr
    );
}
