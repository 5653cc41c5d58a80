//! The batch example in docs/dsa.md is exactly what Vigil writes for the
//! decision it describes, so the page cannot drift from the code.

use std::path::Path;

use time::macros::datetime;
use vigil_core::{Category, ContentFacts, Modality, Score, VersionRef};
use vigil_dsa::{statement_for, Batch, StatementOptions};
use vigil_policy::{CategoryScore, DecisionInput, Policy};

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The page's one JSON example.
fn example() -> Batch {
    let text = read("../../docs/dsa.md");
    let start = text
        .find("```json\n")
        .expect("docs/dsa.md has a JSON example")
        + 8;
    let end = start + text[start..].find("```").expect("the example is closed");
    serde_json::from_str(&text[start..end]).expect("the example is a batch")
}

#[test]
fn the_documented_batch_is_what_vigil_writes() {
    let batch = example();
    assert_eq!(batch.statements.len(), 1);
    let documented = &batch.statements[0];
    assert_eq!(documented.validate(), Ok(()));

    let policy = Policy::from_toml(&read("../../policies/default.toml"), "default.toml")
        .expect("the default policy loads")
        .policy;
    let mut decision = policy.decide(DecisionInput {
        item_id: "post-1".to_owned(),
        input_digest: "sha256:00".to_owned(),
        scores: vec![CategoryScore {
            category: Category::SpamScam,
            score: Score::new(0.99).expect("a score"),
            evidence: Vec::new(),
        }],
        models: vec![VersionRef {
            name: "text-linear".to_owned(),
            version: "3".to_owned(),
            digest: None,
        }],
        content: ContentFacts {
            modalities: vec![Modality::Text],
            lang: Some("en".to_owned()),
            content_date: Some("2025-03-01".to_owned()),
        },
        latency_us: 100,
    });
    decision.id = documented
        .puid
        .parse()
        .expect("the example's puid is a decision id");
    decision.decided_at = datetime!(2025-03-02 09:00 UTC);
    let built = statement_for(&decision, &policy, &StatementOptions::default()).expect("built");
    assert_eq!(&built, documented);
}
