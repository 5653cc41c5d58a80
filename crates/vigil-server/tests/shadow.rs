//! Shadow mode: a candidate model scores every scanned text beside the
//! active model, its scores are stored with the decision's id, and the
//! decision itself is what the active model alone would have given.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{poll, Options, TestServer};
use vigil_engine::{TextModels, TextScorer};
use vigil_server::{ServeConfig, ShadowModel};

#[test]
fn shadow_scores_are_stored_beside_unchanged_decisions() {
    // The candidate is the shipped model itself, so each of its scores must
    // equal the score the decision took (no blocklist term in these texts).
    let candidate = TextScorer::load(&TextModels::default()).expect("the shipped model loads");
    let (name, version) = candidate.name_version();
    let shadowed = TestServer::start_with(Options {
        config: ServeConfig {
            shadow: Some(Arc::new(ShadowModel::new(candidate))),
            ..Options::default().config
        },
        ..Options::default()
    });
    let plain = TestServer::start();
    let texts = [
        "what a lovely morning for a walk",
        "you are a worthless idiot",
    ];
    let mut decisions = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let with = shadowed.scan_text(&format!("post-{i}"), text);
        let without = plain.scan_text(&format!("post-{i}"), text);
        assert_eq!(with["action"], without["action"], "{text}");
        assert_eq!(with["categories"], without["categories"], "{text}");
        assert_eq!(
            with["models"], without["models"],
            "the candidate is not named"
        );
        decisions.push(with);
    }
    let rows = poll("the shadow scores", Duration::from_secs(5), || {
        let rows = shadowed
            .block_on(shadowed.store.shadow_scores(&name, &version))
            .expect("shadow scores read");
        let ids: std::collections::BTreeSet<_> = rows.iter().map(|r| r.decision_id).collect();
        (ids.len() == texts.len()).then_some(rows)
    });
    for decision in &decisions {
        let id = decision["id"].as_str().expect("an id");
        let categories = decision["categories"].as_array().expect("categories");
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r.decision_id.to_string() == id)
            .collect();
        assert_eq!(mine.len(), categories.len(), "one row per category of {id}");
        for row in mine {
            let scored = categories
                .iter()
                .find(|c| c["category"] == row.category.as_str())
                .expect("a category of the decision");
            let active = scored["score"].as_f64().expect("a score");
            assert!((row.active_score - active).abs() < 1e-6, "{row:?}");
            assert!(
                (row.candidate_score - row.active_score).abs() < 1e-6,
                "{row:?}"
            );
        }
    }
}
