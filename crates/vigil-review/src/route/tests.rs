use vigil_core::{
    Action, Category, CategoryDecision, ContentFacts, Decision, DecisionId, Meta, QueueReason,
    Score, Thresholds, VersionRef,
};
use vigil_policy::ReviewSettings;

use super::{draw, margin_logits, priority, route, SALT_ACTIVE, SALT_AUDIT, SALT_PREVALENCE};

fn s(v: f64) -> Score {
    Score::new(v).unwrap()
}

fn category(category: Category, score: f64) -> CategoryDecision {
    let thresholds = Thresholds {
        review: Some(s(0.4)),
        restrict: None,
        block: Some(s(0.9)),
    };
    CategoryDecision {
        category,
        score: s(score),
        action: thresholds.action_for(s(score)).0,
        thresholds,
        evidence: vec![],
    }
}

fn decision(id: u128, categories: Vec<CategoryDecision>) -> Decision {
    let action = categories
        .iter()
        .map(|c| c.action)
        .max()
        .unwrap_or(Action::Allow);
    Decision {
        id: DecisionId(uuid::Uuid::from_u128(id)),
        item_id: format!("item-{id}"),
        action,
        categories,
        reasons: vec![],
        policy: VersionRef {
            name: "p".into(),
            version: "1".into(),
            digest: None,
        },
        models: vec![],
        input_digest: String::new(),
        latency_us: 0,
        decided_at: time::OffsetDateTime::UNIX_EPOCH,
        content: ContentFacts::default(),
        not_analysed: vec![],
        hash_matches: vec![],
        media_matches: vec![],
    }
}

fn ids() -> impl Iterator<Item = u128> {
    // UUIDv7-like: a time prefix, random-looking low bits.
    (0..20_000u128).map(|i| {
        (0x0190_0000_0000_7000u128 << 64)
            | (i.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835))
    })
}

#[test]
fn review_actions_go_to_the_policy_queue_with_the_severest_category() {
    let mut settings = ReviewSettings::default();
    settings.severity.insert(Category::Violence, 5.0);
    let d = decision(
        1,
        vec![
            category(Category::Hate, 0.6),
            category(Category::Violence, 0.45),
        ],
    );
    let r = route(&d, &Meta::default(), &settings).unwrap();
    assert_eq!(r.reason, QueueReason::Policy);
    assert_eq!(r.category, Some(Category::Violence));
    assert_eq!(r.bucket, None);
}

#[test]
fn without_the_audit_restrictions_and_blocks_are_not_queued() {
    let settings = ReviewSettings {
        prevalence_rate: 1.0,
        active_learning_rate: 1.0,
        audit_rate: 0.0,
        ..ReviewSettings::default()
    };
    let d = decision(2, vec![category(Category::Hate, 0.95)]);
    assert_eq!(d.action, Action::Block);
    assert_eq!(route(&d, &Meta::default(), &settings), None);
}

#[test]
fn the_audit_sample_is_drawn_at_its_rate_from_restrictions_only() {
    let settings = ReviewSettings {
        prevalence_rate: 0.0,
        active_learning_rate: 0.0,
        audit_rate: 0.05,
        ..ReviewSettings::default()
    };
    let audited = |score: f64| {
        ids()
            .filter(|&id| {
                let d = decision(id, vec![category(Category::Hate, score)]);
                route(&d, &Meta::default(), &settings)
                    .is_some_and(|r| r.reason == QueueReason::Audit)
            })
            .count()
    };
    // Blocks near and far from the threshold alike: 20 000 draws at 5 %,
    // 1 000 expected, sd about 31.
    for score in [0.91, 0.99] {
        let n = audited(score);
        assert!((880..=1120).contains(&n), "score {score}: {n} audited");
    }
    // Allowed and review decisions are never audited.
    assert_eq!(audited(0.1), 0);
    assert_eq!(audited(0.5), 0);
    // The draw is the decision id's own, with the audit's salt.
    let id = ids().find(|&i| draw(i, SALT_AUDIT) < 0.05).unwrap();
    let r = route(
        &decision(
            id,
            vec![
                category(Category::Hate, 0.95),
                category(Category::Violence, 0.6),
            ],
        ),
        &Meta::default(),
        &settings,
    )
    .unwrap();
    assert_eq!(r.reason, QueueReason::Audit);
    assert_eq!(r.category, Some(Category::Hate), "the blocking category");
    assert_eq!((r.required_reviews, r.bucket), (1, None));
}

#[test]
fn audit_and_prevalence_items_are_ordered_alike() {
    let settings = ReviewSettings {
        prevalence_rate: 1.0,
        audit_rate: 1.0,
        ..ReviewSettings::default()
    };
    let mut blocked = category(Category::Hate, 0.95);
    let mut allowed = category(Category::Hate, 0.95);
    allowed.action = Action::Allow;
    blocked.action = Action::Block;
    let audit = route(&decision(4, vec![blocked]), &Meta::default(), &settings).unwrap();
    let mut d = decision(5, vec![allowed]);
    d.action = Action::Allow;
    let prevalence = route(&d, &Meta::default(), &settings).unwrap();
    assert_eq!(
        (audit.reason, prevalence.reason),
        (QueueReason::Audit, QueueReason::Prevalence)
    );
    // Same category, same score: the same priority, reason weight 1.
    assert_eq!(audit.priority, prevalence.priority);
}

#[test]
fn the_prevalence_sample_is_drawn_at_its_rate_whatever_the_scores() {
    let settings = ReviewSettings {
        prevalence_rate: 0.05,
        active_learning_rate: 0.0,
        ..ReviewSettings::default()
    };
    for score in [0.01, 0.35] {
        let n = ids()
            .filter(|&id| {
                let d = decision(id, vec![category(Category::Hate, score)]);
                route(&d, &Meta::default(), &settings)
                    .is_some_and(|r| r.reason == QueueReason::Prevalence)
            })
            .count();
        // 20 000 draws at 5 %: 1 000 expected, sd about 31.
        assert!((880..=1120).contains(&n), "score {score}: {n} sampled");
    }
}

#[test]
fn only_uncertain_allowed_items_are_picked_for_active_learning() {
    let settings = ReviewSettings {
        prevalence_rate: 0.0,
        active_learning_rate: 0.5,
        active_learning_margin: 1.0,
        ..ReviewSettings::default()
    };
    let meta = Meta {
        lang: Some("de".into()),
        ..Meta::default()
    };
    let picked = |score: f64| {
        ids()
            .take(2000)
            .filter_map(|id| {
                route(
                    &decision(id, vec![category(Category::Hate, score)]),
                    &meta,
                    &settings,
                )
            })
            .collect::<Vec<_>>()
    };
    // 0.3 is 0.44 log-odds below the review threshold 0.4: uncertain.
    let near = picked(0.3);
    assert!((900..=1100).contains(&near.len()), "{}", near.len());
    assert!(
        near.iter()
            .all(|r| r.reason == QueueReason::ActiveLearning
                && r.bucket.as_deref() == Some("hate/de"))
    );
    // 0.05 is 2.5 log-odds below: confident, never picked.
    assert!(picked(0.05).is_empty());
}

#[test]
fn draws_are_stable_and_independent_per_purpose() {
    let id = 0x0190_1234_5678_7abc_8def_0123_4567_89abu128;
    assert_eq!(draw(id, SALT_PREVALENCE), draw(id, SALT_PREVALENCE));
    for (a, b) in [
        (SALT_PREVALENCE, SALT_ACTIVE),
        (SALT_PREVALENCE, SALT_AUDIT),
        (SALT_ACTIVE, SALT_AUDIT),
    ] {
        let both = ids()
            .filter(|&i| draw(i, a) < 0.1 && draw(i, b) < 0.1)
            .count();
        // Independent: about 1 % of 20 000.
        assert!((130..=270).contains(&both), "{both}");
    }
}

#[test]
fn priority_rises_with_severity_closeness_and_reach() {
    let mut settings = ReviewSettings::default();
    let on = category(Category::Hate, 0.4);
    let far = category(Category::Hate, 0.02);
    assert!(margin_logits(&on).unwrap() < 1e-6);
    let p_on = priority(&settings, Some(&on), None);
    assert!((p_on - 1.5).abs() < 1e-6, "{p_on}");
    assert!(priority(&settings, Some(&far), None) < p_on);
    let p_reach = priority(&settings, Some(&on), Some(999.0));
    assert!((p_reach - 1.5 * 4.0).abs() < 1e-9, "{p_reach}");
    settings.severity.insert(Category::Hate, 10.0);
    assert!((priority(&settings, Some(&on), None) - 15.0).abs() < 1e-6);
}

#[test]
fn reach_is_read_from_the_named_meta_field_and_junk_is_ignored() {
    let settings = ReviewSettings {
        reach_field: Some("followers".into()),
        ..ReviewSettings::default()
    };
    let d = decision(3, vec![category(Category::Hate, 0.5)]);
    let meta = |v: &str| Meta {
        extra: [("followers".to_owned(), v.to_owned())].into(),
        ..Meta::default()
    };
    let base = route(&d, &Meta::default(), &settings).unwrap().priority;
    assert!(route(&d, &meta("100000"), &settings).unwrap().priority > base);
    for junk in ["lots", "-5", "NaN", "inf"] {
        assert_eq!(
            route(&d, &meta(junk), &settings).unwrap().priority,
            base,
            "{junk}"
        );
    }
}
