//! The report end to end over a real store: files, columns, figures from
//! decisions at known times, the facts file named with its digest, and
//! "not provided" without one.

use time::macros::datetime;
use time::OffsetDateTime;
use vigil_core::{
    Action, Category, CategoryDecision, Decision, DecisionId, Score, Thresholds, VersionRef,
};
use vigil_store::Store;
use vigil_transparency::{build, write, FactsSource, Period, ReportError};

fn decision(action: Action, hate: Action, at: OffsetDateTime) -> Decision {
    Decision {
        id: DecisionId::new(),
        item_id: "post".to_owned(),
        action,
        categories: vec![CategoryDecision {
            category: Category::Hate,
            score: Score::new(0.9).expect("a score"),
            action: hate,
            thresholds: Thresholds::default(),
            evidence: Vec::new(),
        }],
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
        content: Default::default(),
        not_analysed: Vec::new(),
        hash_matches: Vec::new(),
        media_matches: Vec::new(),
    }
}

fn read(dir: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect(name)
}

#[tokio::test]
async fn writes_every_section_with_figures_and_their_queries() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite(&dir.path().join("vigil.db"))
        .await
        .expect("store");
    // Two blocks and a restriction in 2026-H2; one block just before it.
    for (action, at) in [
        (Action::Block, datetime!(2026-07-01 0:00 UTC)),
        (Action::Block, datetime!(2026-12-31 23:59:59.999 UTC)),
        (Action::Restrict, datetime!(2026-09-01 12:00 UTC)),
        (Action::Block, datetime!(2026-06-30 23:59:59.999 UTC)),
        (Action::Allow, datetime!(2026-08-01 0:00 UTC)),
    ] {
        let hate = action;
        store
            .insert_decision(&decision(action, hate, at))
            .await
            .expect("insert");
    }
    let facts_path = dir.path().join("facts.toml");
    std::fs::write(
        &facts_path,
        "monthly_active_recipients = 1200\nautomated_means_purposes = \"<detect> & queue\"\n",
    )
    .expect("facts");
    let facts = FactsSource::load(&facts_path).expect("facts load");
    let period: Period = "2026-H2".parse().expect("period");
    let as_of = datetime!(2027-01-15 0:00 UTC);
    let report = build(&store, period, as_of, Some(facts))
        .await
        .expect("report");
    let out = dir.path().join("report");
    let files = write(&report, &out).expect("write");
    assert_eq!(files.len(), 9);

    let own = read(&out, "own_initiative.csv");
    let lines: Vec<&str> = own.lines().collect();
    assert_eq!(
        lines,
        [
            "category,detection,restriction,actions,query",
            "all,automated,block,2,automated_actions",
            "all,automated,restrict,1,automated_actions",
            "hate,automated,block,2,automated_actions",
            "hate,automated,restrict,1,automated_actions",
        ]
    );
    let means = read(&out, "automated_means.csv");
    assert!(
        means.contains("hate,<detect> & queue,4,3,0,0,,,,automated_means"),
        "{means}"
    );
    assert!(means.starts_with("category,purposes,scored,restricted,appeal_checked,"));
    // Accuracy: the online report over the period, `all` only (these
    // decisions carry no language), with nothing judged yet.
    let accuracy = read(&out, "accuracy.csv");
    let lines: Vec<&str> = accuracy.lines().collect();
    assert!(lines[0].starts_with("lang,category,decisions,restricted,allowed,"));
    assert!(
        lines.iter().any(|l| l.starts_with("all,hate,4,3,1,,,,,,,")),
        "{accuracy}"
    );
    assert!(
        lines[1..].iter().all(|l| l.starts_with("all,")),
        "{accuracy}"
    );
    let facts = read(&out, "facts.csv");
    assert!(facts.contains("monthly_active_recipients,1200,"), "{facts}");
    assert!(facts.contains("moderation_staff,not provided,"), "{facts}");
    assert!(facts.contains("sha256:"), "{facts}");
    assert_eq!(
        read(&out, "complaints.csv").lines().count(),
        1,
        "only the header: no appeals"
    );

    let json: serde_json::Value =
        serde_json::from_str(&read(&out, "report.json")).expect("report.json parses");
    let queries = &json["own_initiative"]["queries"];
    assert_eq!(queries[0]["name"], "automated_actions");
    assert!(queries[0]["sql"]
        .as_str()
        .is_some_and(|s| s.contains("FROM decisions")));
    assert_eq!(queries[0]["params"][0]["placeholder"], "$1");
    assert_eq!(queries[0]["params"][0]["name"], "start_unix_ms");
    assert_eq!(queries[0]["params"][0]["value"], 1_782_864_000_000_i64);
    assert_eq!(json["period"], "2026-H2");

    let html = read(&out, "index.html");
    assert!(html.contains("&lt;detect&gt;") || !html.contains("<detect>"));
    assert!(html.contains("Transparency report 2026-H2"));

    // Built again with the same as_of, the figures are the same.
    let again = build(&store, period, as_of, None).await.expect("again");
    assert_eq!(again.own_initiative, report.own_initiative);
    assert_eq!(again.automated_means, report.automated_means);
    let bare = dir.path().join("bare");
    write(&again, &bare).expect("write");
    assert!(
        read(&bare, "facts.csv").contains("monthly_active_recipients,not provided,not provided")
    );
    assert!(read(&bare, "automated_means.csv").contains("hate,not provided,4,3"));

    assert!(!report.interim);
    // Before the period ends, the report is an interim one over the period
    // so far; before it starts, there is nothing to report.
    let interim = build(&store, period, datetime!(2026-12-01 0:00 UTC), None)
        .await
        .expect("an interim report");
    assert!(interim.interim);
    assert_eq!(interim.window.end, datetime!(2026-12-01 0:00 UTC));
    let err = build(&store, period, datetime!(2026-07-01 0:00 UTC), None)
        .await
        .expect_err("refused");
    assert!(matches!(err, ReportError::AsOfBeforeStart { .. }), "{err}");
    store.close().await;
}
