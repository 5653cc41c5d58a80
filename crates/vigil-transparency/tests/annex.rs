//! The template files end to end over a real store: decisions with several
//! categories and languages go in through the store, come out of its
//! queries as measures, and land in the template's rows and files.

use time::macros::datetime;
use time::OffsetDateTime;
use vigil_core::{
    Action, Category, CategoryDecision, ContentFacts, Decision, DecisionId, Score, Thresholds,
    VersionRef,
};
use vigil_policy::Policy;
use vigil_store::Store;
use vigil_transparency::{annex, build, write_annex, Period, ANNEX_DIR};

fn decision(
    action: Action,
    categories: &[(Category, Action)],
    lang: Option<&str>,
    at: OffsetDateTime,
) -> Decision {
    Decision {
        id: DecisionId::new(),
        item_id: "post".to_owned(),
        action,
        categories: categories
            .iter()
            .map(|&(category, action)| CategoryDecision {
                category,
                score: Score::new(0.9).expect("a score"),
                action,
                thresholds: Thresholds::default(),
                evidence: Vec::new(),
            })
            .collect(),
        reasons: Vec::new(),
        policy: VersionRef {
            name: "default".into(),
            version: "1".into(),
            digest: None,
        },
        models: Vec::new(),
        input_digest: "sha256:x".to_owned(),
        latency_us: 1,
        decided_at: at,
        content: ContentFacts {
            lang: lang.map(str::to_owned),
            ..ContentFacts::default()
        },
        not_analysed: Vec::new(),
        hash_matches: Vec::new(),
        media_matches: Vec::new(),
    }
}

/// The CSV's rows as string records, header first.
fn read(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("csv");
    reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect()
}

fn cell(rows: &[Vec<String>], key: &str, column: &str) -> String {
    let col = rows[0].iter().position(|h| h == column).expect(column);
    rows.iter().find(|r| r[3] == key).expect(key)[col].clone()
}

#[tokio::test]
async fn decisions_in_the_store_fill_the_template_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite(&dir.path().join("vigil.db"))
        .await
        .expect("store");
    let at = datetime!(2026-10-01 12:00 UTC);
    use Action::{Allow, Block, Restrict};
    use Category::{Hate, SexualMinors, SpamScam};
    for d in [
        // sexual_minors (illegal in the default policy) blocks; spam also
        // restricts: the main ground is sexual_minors.
        decision(
            Block,
            &[(SexualMinors, Block), (SpamScam, Restrict)],
            Some("de"),
            at,
        ),
        // hate and spam both restrict: hate comes first.
        decision(
            Restrict,
            &[(SpamScam, Restrict), (Hate, Restrict)],
            Some("en"),
            at,
        ),
        // spam alone, blocked.
        decision(Block, &[(SpamScam, Block)], None, at),
        // allowed: no measure.
        decision(Allow, &[(Hate, Allow)], Some("en"), at),
        // before the period: not counted.
        decision(
            Block,
            &[(Hate, Block)],
            Some("en"),
            datetime!(2026-06-30 23:00 UTC),
        ),
    ] {
        store.insert_decision(&d).await.expect("insert");
    }
    let policy = Policy::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/default.toml"
    )))
    .expect("the default policy")
    .policy;
    let period: Period = "2026-H2".parse().expect("period");
    let report = build(&store, period, datetime!(2027-01-15 0:00 UTC), None)
        .await
        .expect("report");
    let annex = annex(&report, &policy);
    let out = dir.path().join("report");
    let files = write_annex(&annex, &out).expect("write");
    assert_eq!(files.len(), 10, "nine sections and sources.json");
    assert!(files.iter().all(|f| f.starts_with(out.join(ANNEX_DIR))));

    let own = "Number of measures taken at the provider's own initiative";
    let removal = "Visibility restriction Removal";
    let demoted = "Visibility restriction Demoted";
    let illegal = read(&out.join(ANNEX_DIR).join("5_own_initiative_illegal.csv"));
    assert_eq!(cell(&illegal, "TOTAL", own), "1");
    assert_eq!(
        cell(&illegal, "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", own),
        "1"
    );
    assert_eq!(
        cell(&illegal, "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL", removal),
        "1"
    );
    // The default policy files hate and spam as incompatible with the terms.
    let terms = read(&out.join(ANNEX_DIR).join("6_own_initiative_TC.csv"));
    assert_eq!(cell(&terms, "TOTAL", own), "2");
    assert_eq!(
        cell(&terms, "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", own),
        "1"
    );
    assert_eq!(
        cell(
            &terms,
            "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
            demoted
        ),
        "1"
    );
    assert_eq!(cell(&terms, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", own), "1");
    assert_eq!(
        cell(&terms, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", removal),
        "1"
    );

    let means = read(&out.join(ANNEX_DIR).join("8_automated_means.csv"));
    let solely = |scope: &str| {
        means
            .iter()
            .find(|r| r[4] == "Number of measures solely taken by automated means" && r[5] == scope)
            .map(|r| r[6].clone())
    };
    assert_eq!(solely("Own-initiative").as_deref(), Some("3"));
    assert_eq!(solely("de").as_deref(), Some("1"));
    assert_eq!(solely("en").as_deref(), Some("1"));

    let sources: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join(ANNEX_DIR).join("sources.json")).expect("sources"),
    )
    .expect("json");
    assert_eq!(sources["policy"]["name"], "default");
    assert_eq!(sources["files"].as_array().map(Vec::len), Some(9));
}
