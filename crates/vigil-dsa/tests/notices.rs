//! Statements for decisions taken because of a notice carry the notice's
//! source type (and a trusted flagger's or authority's name), pass every
//! rule, and leave automated decisions' source as it was.

use std::path::Path;

use time::macros::datetime;
use vigil_core::dsa::{AutomatedDecision, SourceType};
use vigil_core::{Action, Category, ContentFacts, Modality, ReporterType, Score};
use vigil_dsa::{
    statement_for, statement_for_rescan, statement_for_reviewed_notice, NoticeSource,
    ReviewedNotice, StatementOptions, YesNo,
};
use vigil_policy::{CategoryScore, DecisionInput, Policy};

fn default_policy() -> Policy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/default.toml");
    match Policy::load(&path) {
        Ok(checked) => checked.policy,
        Err(e) => panic!("the default policy is refused:\n{e}"),
    }
}

fn reviewed(reporter: ReporterType, action: Action) -> ReviewedNotice {
    ReviewedNotice {
        puid: "0193a6f0-1c2d-7e3f-8a9b-0c1d2e3f4a5b".to_owned(),
        item_id: "post-1".to_owned(),
        action,
        categories: vec![Category::Hate, Category::Harassment],
        decided_at: datetime!(2025-03-02 10:00 UTC),
        content: ContentFacts {
            modalities: vec![Modality::Text],
            lang: Some("de".to_owned()),
            content_date: Some("2025-03-01".to_owned()),
        },
        flagged_by_model: false,
        source: NoticeSource {
            reporter,
            name: Some("Meldestelle Beispiel e.V.".to_owned()),
        },
    }
}

#[test]
fn a_reviewed_notice_carries_its_reporters_source_and_passes_every_rule() {
    let policy = default_policy();
    for reporter in ReporterType::ALL {
        for action in [Action::Restrict, Action::Block] {
            let s = statement_for_reviewed_notice(
                &reviewed(reporter, action),
                &policy,
                &StatementOptions::default(),
            )
            .unwrap_or_else(|e| panic!("{reporter} {action}: {e}"));
            assert_eq!(s.validate(), Ok(()));
            assert_eq!(s.source_type, reporter.source_type(), "{reporter}");
            let expected = match reporter {
                ReporterType::User => SourceType::Article16,
                ReporterType::TrustedFlagger => SourceType::TrustedFlagger,
                ReporterType::AuthorityOrder => SourceType::TypeOtherNotification,
            };
            assert_eq!(s.source_type, expected);
            let named = reporter != ReporterType::User;
            assert_eq!(s.source_identity.is_some(), named, "{reporter}");
            assert_eq!(s.puid, "0193a6f0-1c2d-7e3f-8a9b-0c1d2e3f4a5b");
            assert_eq!(s.automated_decision, AutomatedDecision::NotAutomated);
            assert_eq!(s.automated_detection, YesNo::No);
            assert!(s.decision_facts.contains("notice"), "{}", s.decision_facts);
            assert_eq!(s.content_language.as_deref(), Some("DE"));
        }
    }
}

#[test]
fn a_rescan_keeps_the_automated_mapping_with_the_notices_source() {
    let policy = default_policy();
    let block = policy
        .categories
        .get(&Category::Hate)
        .and_then(|c| c.thresholds.block)
        .expect("the default policy blocks hate");
    let decision = policy.decide(DecisionInput {
        item_id: "post-1".to_owned(),
        input_digest: "sha256:00".to_owned(),
        scores: vec![CategoryScore {
            category: Category::Hate,
            score: Score::new(f64::from(block.get()).max(0.99)).unwrap(),
            evidence: Vec::new(),
        }],
        models: Vec::new(),
        content: ContentFacts::default(),
        latency_us: 1,
    });
    let options = StatementOptions::default();
    // Automated, unprompted: voluntary, as before.
    let voluntary = statement_for(&decision, &policy, &options).unwrap();
    assert_eq!(voluntary.source_type, SourceType::Voluntary);
    assert_eq!(voluntary.source_identity, None);
    for reporter in ReporterType::ALL {
        let source = NoticeSource {
            reporter,
            name: Some("Example Flaggers".to_owned()),
        };
        let s = statement_for_rescan(&decision, &policy, &options, &source).unwrap();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.source_type, reporter.source_type());
        assert_eq!(s.puid, decision.id.to_string());
        assert_eq!(s.automated_decision, AutomatedDecision::Fully);
    }
}

#[test]
fn a_verdict_that_restricts_nothing_owes_no_statement() {
    let policy = default_policy();
    let r = reviewed(ReporterType::User, Action::Allow);
    assert!(statement_for_reviewed_notice(&r, &policy, &StatementOptions::default()).is_err());
}
