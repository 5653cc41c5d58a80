//! Statements built from decisions of the shipped default policy: every
//! action, category and modality mix gives a valid statement or, for
//! allow and review, the error saying none is owed.

use std::path::Path;

use time::macros::datetime;
use vigil_core::dsa::{ContentType, DecisionGround, StatementCategory, Visibility};
use vigil_core::{Action, Category, ContentFacts, Decision, Modality, Reason, Score, VersionRef};
use vigil_dsa::{statement_for, Rule, StatementError, StatementOfReasons, StatementOptions, YesNo};
use vigil_policy::{CategoryScore, DecisionInput, Policy};

fn default_policy() -> Policy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/default.toml");
    match Policy::load(&path) {
        Ok(checked) => checked.policy,
        Err(e) => panic!("the default policy is refused:\n{e}"),
    }
}

fn score(v: f64) -> Score {
    Score::new(v).expect("a score in [0, 1]")
}

fn decide(policy: &Policy, scores: &[(Category, Score)], content: ContentFacts) -> Decision {
    let mut decision = policy.decide(DecisionInput {
        item_id: "post-1".to_owned(),
        input_digest: "sha256:00".to_owned(),
        scores: scores
            .iter()
            .map(|&(category, score)| CategoryScore {
                category,
                score,
                evidence: Vec::new(),
            })
            .collect(),
        models: vec![VersionRef {
            name: "text-linear".to_owned(),
            version: "3".to_owned(),
            digest: None,
        }],
        content,
        latency_us: 120,
    });
    decision.decided_at = datetime!(2025-03-02 23:30 -02:00);
    decision
}

fn text() -> ContentFacts {
    ContentFacts {
        modalities: vec![Modality::Text],
        lang: Some("en".to_owned()),
        content_date: Some("2025-02-28".to_owned()),
    }
}

/// The score that reaches `action` for `category`, if the policy sets that threshold.
fn reaching(policy: &Policy, category: Category, action: Action) -> Option<Score> {
    match action {
        Action::Allow => Some(Score::ZERO),
        _ => policy.thresholds(category).get(action),
    }
}

/// Every subset of the four modalities.
fn modality_mixes() -> Vec<Vec<Modality>> {
    (0u8..16)
        .map(|bits| {
            Modality::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, m)| *m)
                .collect()
        })
        .collect()
}

fn check_statement(policy: &Policy, decision: &Decision, s: &StatementOfReasons) {
    assert_eq!(s.validate(), Ok(()), "{s:#?}");
    assert_eq!(s.puid, decision.id.to_string());
    let restrictive: Vec<&Reason> = decision
        .reasons
        .iter()
        .filter(|r| r.action.is_restrictive())
        .collect();
    let main = &policy.categories[&restrictive[0].category];
    assert_eq!(s.category, main.dsa_category);
    assert_eq!(s.decision_ground, main.decision_ground);
    assert!(!s.category_addition.contains(&s.category));
    for r in &restrictive {
        let p = &policy.categories[&r.category];
        assert!(s.category == p.dsa_category || s.category_addition.contains(&p.dsa_category));
        for k in &p.dsa_keywords {
            assert!(s.category_specification.contains(k), "{k} missing");
        }
        assert!(s
            .decision_facts
            .contains(&format!("{} scored {}", r.category, r.score)));
    }
    let visibility = match decision.action {
        Action::Block => Visibility::ContentRemoved,
        _ => Visibility::ContentDemoted,
    };
    assert_eq!(s.decision_visibility, [visibility]);
    let want_types: Vec<ContentType> = if decision.content.modalities.is_empty() {
        vec![ContentType::Other]
    } else {
        decision
            .content
            .modalities
            .iter()
            .map(|m| match m {
                Modality::Text => ContentType::Text,
                Modality::Image => ContentType::Image,
                Modality::Audio => ContentType::Audio,
                Modality::Video => ContentType::Video,
            })
            .collect()
    };
    assert_eq!(s.content_type, want_types);
    match s.decision_ground {
        DecisionGround::IllegalContent => {
            assert_eq!(s.illegal_content_legal_ground, main.legal_ground);
            assert!(s.incompatible_content_ground.is_none());
        }
        DecisionGround::IncompatibleContent => {
            assert!(s
                .incompatible_content_ground
                .as_deref()
                .is_some_and(|g| g.starts_with(main.terms_ground.as_deref().unwrap_or("-"))));
            assert!(s.illegal_content_legal_ground.is_none());
        }
    }
    let back: StatementOfReasons =
        serde_json::from_str(&serde_json::to_string(s).expect("serialises")).expect("parses");
    assert_eq!(&back, s);
}

#[test]
fn every_action_category_and_modality_mix_gives_a_valid_statement_or_none() {
    let policy = default_policy();
    let options = StatementOptions::default();
    let mut built = 0;
    let mut refused = 0;
    for modalities in modality_mixes() {
        let content = ContentFacts {
            modalities: modalities.clone(),
            lang: Some("de-AT".to_owned()),
            content_date: None,
        };
        for first in Category::ALL {
            for first_action in Action::ALL {
                let Some(first_score) = reaching(&policy, first, first_action) else {
                    continue;
                };
                // Alone, and with every other category restricting or blocking beside it.
                let mut seconds: Vec<Option<(Category, Score)>> = vec![None];
                for second in Category::ALL.into_iter().filter(|c| *c != first) {
                    for a in [Action::Review, Action::Restrict, Action::Block] {
                        seconds.extend(reaching(&policy, second, a).map(|s| Some((second, s))));
                    }
                }
                for second in seconds {
                    let mut scores = vec![(first, first_score)];
                    scores.extend(second);
                    let decision = decide(&policy, &scores, content.clone());
                    match statement_for(&decision, &policy, &options) {
                        Ok(s) => {
                            assert!(decision.action.is_restrictive());
                            check_statement(&policy, &decision, &s);
                            built += 1;
                        }
                        Err(StatementError::NotRestrictive { action, .. }) => {
                            assert!(!action.is_restrictive());
                            assert_eq!(action, decision.action);
                            refused += 1;
                        }
                        Err(e) => panic!("{scores:?} with {modalities:?}: {e}"),
                    }
                }
            }
        }
    }
    assert!(
        built > 1000 && refused > 100,
        "built {built}, refused {refused}"
    );
}

#[test]
fn fields_come_from_the_decision_and_the_policy() {
    let policy = default_policy();
    let decision = decide(
        &policy,
        &[
            (Category::Hate, score(0.95)),
            (Category::Violence, score(0.85)),
            (Category::SelfHarm, score(0.3)),
        ],
        text(),
    );
    let s = statement_for(&decision, &policy, &StatementOptions::default()).expect("built");
    assert_eq!(s.category, StatementCategory::IllegalOrHarmfulSpeech);
    assert_eq!(s.category_addition, [StatementCategory::Violence]);
    // Self-harm only reached review: it is no ground for the restriction.
    let spec: Vec<&str> = s
        .category_specification
        .iter()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        spec,
        [
            "KEYWORD_HATE_SPEECH",
            "KEYWORD_DISCRIMINATION",
            "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
            "KEYWORD_COORDINATED_HARM"
        ]
    );
    assert_eq!(
        s.incompatible_content_ground.as_deref(),
        Some("Community guidelines: hateful conduct; Community guidelines: violent speech")
    );
    let explanation = s.incompatible_content_explanation.as_deref().unwrap_or("");
    assert!(explanation.starts_with("hate: score 0.9500 reached the block threshold"));
    assert!(explanation.contains("violence: score 0.8500"));
    assert!(!explanation.contains("self_harm"));
    // 23:30 at UTC-2 is the next day in UTC.
    assert_eq!(s.application_date, "2025-03-03");
    assert_eq!(s.content_date, "2025-02-28");
    assert_eq!(s.content_language.as_deref(), Some("EN"));
    assert_eq!(s.source_type.as_str(), "SOURCE_VOLUNTARY");
    assert_eq!(s.automated_detection, YesNo::Yes);
    assert_eq!(s.automated_decision.as_str(), "AUTOMATED_DECISION_FULLY");
    assert_eq!(s.decision_visibility, [Visibility::ContentRemoved]);
    assert!(s.territorial_scope.is_empty() && s.incompatible_content_illegal.is_none());
    for needle in [
        "`block`",
        "\"default\" version 2026.11.0",
        "text-linear 3",
        "0.9200",
    ] {
        assert!(
            s.decision_facts.contains(needle),
            "{needle}: {}",
            s.decision_facts
        );
    }
}

#[test]
fn illegal_content_names_the_law() {
    let policy = default_policy();
    let decision = decide(
        &policy,
        // Blocked for sexual_minors, only restricted for hate, so sexual_minors leads.
        &[
            (Category::SexualMinors, score(0.7)),
            (Category::Hate, score(0.8)),
        ],
        text(),
    );
    let s = statement_for(&decision, &policy, &StatementOptions::default()).expect("built");
    assert_eq!(s.decision_ground, DecisionGround::IllegalContent);
    assert_eq!(s.category, StatementCategory::ProtectionOfMinors);
    assert!(s
        .illegal_content_legal_ground
        .as_deref()
        .is_some_and(|g| g.starts_with("Directive 2011/93/EU")));
    let explanation = s.illegal_content_explanation.as_deref().unwrap_or("");
    assert!(explanation.starts_with("sexual_minors:"));
    // Hate is filed under the terms, not the law: not part of the legal explanation.
    assert!(!explanation.contains("hate:"));
    assert!(s
        .category_addition
        .contains(&StatementCategory::IllegalOrHarmfulSpeech));
    assert!(s.decision_ground_reference_url.is_none());
}

#[test]
fn a_missing_legal_ground_is_an_error_not_an_invention() {
    let mut policy = default_policy();
    policy
        .categories
        .get_mut(&Category::SexualMinors)
        .expect("the default policy acts on sexual_minors")
        .legal_ground = None;
    let decision = decide(&policy, &[(Category::SexualMinors, score(0.9))], text());
    let err = statement_for(&decision, &policy, &StatementOptions::default()).expect_err("refused");
    assert_eq!(
        err,
        StatementError::MissingLegalGround {
            category: Category::SexualMinors
        }
    );
    assert!(err.to_string().contains("legal_ground"), "{err}");
}

#[test]
fn a_missing_terms_ground_is_an_error() {
    let mut policy = default_policy();
    policy
        .categories
        .get_mut(&Category::Hate)
        .expect("the default policy acts on hate")
        .terms_ground = None;
    let decision = decide(&policy, &[(Category::Hate, score(0.99))], text());
    let err = statement_for(&decision, &policy, &StatementOptions::default()).expect_err("refused");
    assert_eq!(
        err,
        StatementError::MissingTermsGround {
            category: Category::Hate
        }
    );
}

#[test]
fn allow_and_review_owe_no_statement() {
    let policy = default_policy();
    for (s, action) in [(0.0, Action::Allow), (0.5, Action::Review)] {
        let decision = decide(&policy, &[(Category::Hate, score(s))], text());
        let err =
            statement_for(&decision, &policy, &StatementOptions::default()).expect_err("none owed");
        assert_eq!(
            err,
            StatementError::NotRestrictive {
                decision: decision.id,
                action
            }
        );
    }
}

#[test]
fn the_policy_must_be_the_one_decided_under() {
    let policy = default_policy();
    let decision = decide(&policy, &[(Category::Hate, score(0.99))], text());
    let mut other = policy.clone();
    other.version.version = "2099.1.0".to_owned();
    let err = statement_for(&decision, &other, &StatementOptions::default()).expect_err("refused");
    assert!(
        matches!(err, StatementError::PolicyMismatch { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("2099.1.0"), "{err}");
}

#[test]
fn a_restriction_without_a_restrictive_reason_is_an_error() {
    let policy = default_policy();
    let mut decision = decide(&policy, &[(Category::Hate, score(0.99))], text());
    decision.reasons.clear();
    let err = statement_for(&decision, &policy, &StatementOptions::default()).expect_err("refused");
    assert!(
        matches!(err, StatementError::NoRestrictiveReason { .. }),
        "{err}"
    );
}

#[test]
fn visibility_other_needs_a_description() {
    let mut policy = default_policy();
    policy.dsa.block_visibility = Visibility::Other;
    let decision = decide(&policy, &[(Category::Hate, score(0.99))], text());
    let err = statement_for(&decision, &policy, &StatementOptions::default()).expect_err("refused");
    assert_eq!(
        err,
        StatementError::VisibilityOtherUndescribed {
            action: Action::Block
        }
    );
    let options = StatementOptions {
        decision_visibility_other: Some("Hidden from search and feeds".to_owned()),
        ..StatementOptions::default()
    };
    let s = statement_for(&decision, &policy, &options).expect("built");
    assert_eq!(s.decision_visibility, [Visibility::Other]);
    assert_eq!(
        s.decision_visibility_other.as_deref(),
        Some("Hidden from search and feeds")
    );
}

#[test]
fn options_reach_the_statement() {
    let mut policy = default_policy();
    policy.dsa.terms_url = Some("https://example.com/community-guidelines".to_owned());
    let decision = decide(&policy, &[(Category::SpamScam, score(0.99))], text());
    let options = StatementOptions {
        automated_decision: vigil_core::dsa::AutomatedDecision::Partially,
        territorial_scope: vec!["DE".to_owned(), "IS".to_owned()],
        account_type: Some(vigil_core::dsa::AccountType::Business),
        incompatible_content_illegal: Some(YesNo::No),
        decision_visibility_other: None,
    };
    let s = statement_for(&decision, &policy, &options).expect("built");
    assert_eq!(s.automated_decision, options.automated_decision);
    assert_eq!(s.territorial_scope, options.territorial_scope);
    assert_eq!(s.account_type, options.account_type);
    assert_eq!(s.incompatible_content_illegal, Some(YesNo::No));
    assert_eq!(
        s.decision_ground_reference_url.as_deref(),
        Some("https://example.com/community-guidelines")
    );
    assert!(s.decision_facts.contains("automated assistance"));
}

#[test]
fn out_of_bounds_inputs_are_reported_as_violations() {
    let mut policy = default_policy();
    policy.dsa.terms_url = Some("www.example.com/terms".to_owned());
    let mut decision = decide(&policy, &[(Category::SpamScam, score(0.99))], text());
    decision.decided_at = datetime!(2019-06-01 12:00 UTC);
    let options = StatementOptions {
        territorial_scope: vec!["UK".to_owned()],
        ..StatementOptions::default()
    };
    let err = statement_for(&decision, &policy, &options).expect_err("refused");
    let StatementError::Invalid { violations, .. } = &err else {
        panic!("expected violations, got {err}");
    };
    let rules: Vec<Rule> = violations.iter().map(|v| v.rule).collect();
    assert_eq!(
        rules,
        [
            Rule::ApplicationDateRange,
            Rule::TerritorialScope,
            Rule::ReferenceUrlFormat
        ]
    );
    assert!(err.to_string().contains("application_date"), "{err}");
}

#[test]
fn long_texts_are_cut_to_the_limits() {
    let policy = default_policy();
    let mut decision = decide(
        &policy,
        &[
            (Category::Hate, score(0.99)),
            (Category::Violence, score(0.99)),
        ],
        text(),
    );
    for r in &mut decision.reasons {
        r.text = "ü".repeat(1500);
    }
    for _ in 0..200 {
        decision.models.push(VersionRef {
            name: "a-model-with-a-rather-long-name".to_owned(),
            version: "1.0.0".to_owned(),
            digest: None,
        });
    }
    let s = statement_for(&decision, &policy, &StatementOptions::default()).expect("built");
    let explanation = s.incompatible_content_explanation.as_deref().unwrap_or("");
    assert_eq!(explanation.chars().count(), 2000);
    assert!(explanation.ends_with('…'));
    assert_eq!(s.decision_facts.chars().count(), 5000);
    assert!(s.decision_facts.ends_with('…'));
}

#[test]
fn content_facts_that_do_not_fit_fall_back_or_are_left_out() {
    let policy = default_policy();
    let content = ContentFacts {
        modalities: Vec::new(),
        lang: Some("klingon".to_owned()),
        content_date: Some("2025-02-30".to_owned()),
    };
    let decision = decide(&policy, &[(Category::Hate, score(0.99))], content);
    let s = statement_for(&decision, &policy, &StatementOptions::default()).expect("built");
    assert_eq!(s.content_type, [ContentType::Other]);
    assert_eq!(s.content_type_other.as_deref(), Some("unspecified"));
    assert_eq!(s.content_date, "2025-03-03");
    assert_eq!(s.content_language, None);
}
