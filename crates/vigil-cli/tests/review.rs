//! The review loop from the command line: `vigil scan` queues items as it
//! logs their decisions, reviewers judge them (through the store, as the
//! API does), `vigil review gold` mixes in known items, `vigil review stats`
//! measures the reviewers and `vigil data from-reviews` writes what they
//! decided as a canonical data set.

mod util;

use std::time::Duration;

use serde_json::Value;
use util::Vigil;
use vigil_core::{Action, Category, Item, Labels, Verdict};
use vigil_data::{Dataset, Split};
use vigil_store::Store;

const POLICY: &str = r#"
[policy]
name = "loop"
version = "1"

[categories.violence]
description = "Threats."
dsa_category = "STATEMENT_CATEGORY_VIOLENCE"
terms_ground = "Terms: violence"
thresholds = { review = 0.3 }

[categories.hate]
description = "Hate."
dsa_category = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
terms_ground = "Terms: hate"
thresholds = { review = 0.5 }

[review]
prevalence_rate = 1.0
required_reviews = 2
"#;

const ITEMS: [(&str, &str); 3] = [
    ("post-threat", "I will find you and beat you to death"),
    ("post-calm", "Lovely weather for a walk in the park today"),
    ("post-recipe", "Add the flour slowly and stir until smooth"),
];

fn verdict(violence: bool, hate: Option<bool>) -> Verdict {
    let mut labels = Labels::new().with(Category::Violence, violence);
    if let Some(h) = hate {
        labels.set(Category::Hate, h);
    }
    Verdict {
        labels,
        action: if violence {
            Action::Block
        } else {
            Action::Allow
        },
        note: None,
    }
}

#[test]
fn scanned_items_are_reviewed_measured_and_exported_as_training_data() {
    let vigil = Vigil::new();
    let dir = tempfile::tempdir().expect("a temp dir");
    let policy = dir.path().join("loop.toml");
    std::fs::write(&policy, POLICY).expect("policy written");
    let items = dir.path().join("items.jsonl");
    let lines: Vec<String> = ITEMS
        .iter()
        .map(|(id, text)| serde_json::to_string(&Item::text(*id, *text)).expect("json"))
        .collect();
    std::fs::write(&items, lines.join("\n")).expect("items written");
    let policy_arg = policy.to_str().expect("utf-8 path");
    vigil
        .run([
            "scan",
            "--policy",
            policy_arg,
            "--items",
            items.to_str().expect("utf-8"),
        ])
        .success();
    let queue = vigil.run(["review", "queue"]).success();
    assert!(queue.stdout.contains("policy 1"), "{}", queue.stdout);
    assert!(queue.stdout.contains("prevalence 2"), "{}", queue.stdout);

    // A gold item from a canonical data set.
    let gold_dir = dir.path().join("gold");
    let mut gold = Dataset {
        manifest: vigil_data::Manifest {
            name: "gold".into(),
            version: "1".into(),
            license: "CC0-1.0".into(),
            description: "one known item".into(),
            items_sha256: String::new(),
            provenance: vigil_data::Provenance {
                importer: "test".into(),
                upstream: "test".into(),
                sources: vec![],
            },
            labels: vigil_data::LabelSchema {
                covered: vec![],
                mapping: [(Category::Violence, "by hand".to_owned())].into(),
            },
            counts: vigil_data::Counts {
                rows_read: 1,
                ..Default::default()
            },
        },
        records: vec![vigil_data::Record {
            item: Item::text("gold-1", "I am going to hurt you badly"),
            labels: Labels::new().with(Category::Violence, true),
            split: Split::Test,
        }],
    };
    gold.write(&gold_dir).expect("gold set written");
    vigil
        .run([
            "review",
            "gold",
            "--data",
            gold_dir.to_str().expect("utf-8"),
            "--required-reviews",
            "2",
        ])
        .success();

    // Two reviewers judge everything; they disagree on hate for the
    // threat, and bob misses the gold item.
    let db = vigil.home().join("vigil.db");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let store = Store::open(db.to_str().expect("utf-8"))
            .await
            .expect("store");
        let lease = Duration::from_secs(60);
        for reviewer in ["alice", "bob"] {
            while let Some(item) = store
                .claim_next_review(reviewer, lease, &[])
                .await
                .expect("claim")
            {
                let text = item
                    .content
                    .as_ref()
                    .and_then(|c| c.text.clone())
                    .unwrap_or_default();
                let v = match (reviewer, item.entry.item_id.as_str()) {
                    ("alice", "post-threat") => verdict(true, Some(true)),
                    ("bob", "post-threat") => verdict(true, Some(false)),
                    ("bob", "gold-1") => verdict(false, None),
                    (_, "gold-1") => verdict(true, None),
                    _ => verdict(false, Some(false)),
                };
                assert!(!text.is_empty(), "reviewers see the content");
                store
                    .submit_review(item.entry.id, reviewer, &v, None)
                    .await
                    .expect("judged");
            }
        }
        store.close().await;
    });

    let stats = vigil.run(["review", "stats", "--json"]).success();
    let stats: Value = serde_json::from_str(&stats.stdout).expect("json");
    assert_eq!(stats["items"], 4, "{stats}");
    assert_eq!(stats["gold_items"], 1, "{stats}");
    let reviewer = |name: &str| {
        stats["reviewers"]
            .as_array()
            .expect("reviewers")
            .iter()
            .find(|r| r["reviewer"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name}: {stats}"))
    };
    let violence = |r: &Value| {
        r["accuracy"]
            .as_array()
            .expect("accuracy")
            .iter()
            .find(|a| a["category"] == "violence")
            .cloned()
            .expect("violence judged on gold")
    };
    assert_eq!(violence(&reviewer("alice"))["correct"], 1);
    assert_eq!(violence(&reviewer("bob"))["correct"], 0);
    let human = vigil.run(["review", "stats"]).success();
    assert!(human.stdout.contains("Krippendorff"), "{}", human.stdout);

    let out = dir.path().join("reviews");
    let export = vigil
        .run([
            "data",
            "from-reviews",
            "--out",
            out.to_str().expect("utf-8"),
            "--policy",
            policy_arg,
            "--reviewer-salt",
            "pepper",
        ])
        .success();
    assert!(export.stdout.contains("1 gold"), "{}", export.stdout);
    let set = Dataset::open(&out).expect("the export is a canonical data set");
    assert_eq!(set.records.len(), 3, "gold left out");
    let threat = set
        .records
        .iter()
        .find(|r| r.item.id == "post-threat")
        .expect("the threat is exported");
    assert_eq!(threat.labels.get(Category::Violence), Some(true));
    assert_eq!(
        threat.labels.get(Category::Hate),
        None,
        "a 1-1 tie is unknown"
    );
    assert_eq!(threat.labels.get(Category::Unsafe), Some(true));
    assert_eq!(threat.item.meta.get("disputed"), Some("hate"));
    assert_eq!(threat.item.meta.get("review_reason"), Some("policy"));
    assert!(threat
        .item
        .meta
        .get("routed_by")
        .is_some_and(|m| m.contains('@')));
    let reviewers = threat.item.meta.get("reviewers").expect("reviewers");
    assert!(
        !reviewers.contains("alice") && reviewers.split(',').count() == 2,
        "{reviewers}"
    );
    let calm = set
        .records
        .iter()
        .find(|r| r.item.id == "post-calm")
        .expect("calm exported");
    assert_eq!(
        calm.labels.get(Category::Unsafe),
        Some(false),
        "every policy category judged negative"
    );
    assert_eq!(calm.item.meta.get("review_reason"), Some("prevalence"));
}
