//! The shipped default policy loads, covers every category, and decides sensibly.

use std::path::Path;

use vigil_core::{Action, Category, Evidence, Modality, Score, Signal};
use vigil_policy::{fuse_max, DecisionInput, Policy};

fn default_policy() -> Policy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/default.toml");
    match Policy::load(&path) {
        Ok(checked) => {
            assert!(
                checked.warnings.is_empty(),
                "warnings: {:?}",
                checked.warnings
            );
            checked.policy
        }
        Err(e) => panic!("default policy refused:\n{e}"),
    }
}

#[test]
fn default_policy_covers_every_category() {
    let policy = default_policy();
    for c in Category::ALL {
        assert!(policy.categories.contains_key(&c), "{c} missing");
    }
    assert_eq!(policy.version.name, "default");
    assert!(policy.obligations.contains_key(&Category::Hate));
}

fn signal(category: Category, score: f64, detector: &str) -> Signal {
    Signal {
        category,
        score: Score::new(score).expect("valid score"),
        evidence: Evidence::new(Modality::Text, detector),
    }
}

#[test]
fn decisions_take_the_most_restrictive_action_and_explain_it() {
    let policy = default_policy();
    let signals = [
        signal(Category::Hate, 0.5, "a"),
        signal(Category::Hate, 0.97, "b"),
        signal(Category::Profanity, 0.95, "a"),
        signal(Category::SpamScam, 0.01, "a"),
    ];
    let decision = policy.decide(DecisionInput {
        item_id: "x".into(),
        input_digest: "sha256:00".into(),
        scores: fuse_max(&signals),
        models: vec![],
        content: Default::default(),
        latency_us: 12,
    });
    assert_eq!(decision.action, Action::Block);
    let hate = decision.category(Category::Hate).expect("hate scored");
    assert_eq!(hate.action, Action::Block);
    assert_eq!(hate.evidence.len(), 1, "only the max signal's evidence");
    assert_eq!(hate.evidence[0].detector, "b");
    assert_eq!(
        decision.category(Category::Profanity).map(|c| c.action),
        Some(Action::Restrict)
    );
    assert_eq!(
        decision.category(Category::SpamScam).map(|c| c.action),
        Some(Action::Allow)
    );
    assert_eq!(decision.reasons.len(), 2);
    assert_eq!(
        decision.reasons[0].category,
        Category::Hate,
        "most restrictive first"
    );
    assert!(
        decision.reasons[0].text.contains("block threshold"),
        "{}",
        decision.reasons[0].text
    );
    assert_eq!(decision.policy.digest.as_deref().map(|d| d.len()), Some(71));
}

#[test]
fn nothing_scored_means_allow() {
    let policy = default_policy();
    let decision = policy.decide(DecisionInput {
        item_id: "x".into(),
        input_digest: "sha256:00".into(),
        scores: vec![],
        models: vec![],
        content: Default::default(),
        latency_us: 0,
    });
    assert_eq!(decision.action, Action::Allow);
    assert!(decision.reasons.is_empty());
}
