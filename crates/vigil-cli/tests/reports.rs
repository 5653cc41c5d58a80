//! The three report commands on a store filled by a load run and simulated
//! reviews: `vigil serve` scans a stream of items from several clients,
//! some blocks are appealed, a simulated reviewer works the queue (prevalence
//! and audit samples, appeals), and then `vigil report sor`, `vigil report
//! transparency` and `vigil report online` must agree with what the test
//! itself counted. Items carry a language (`meta.lang`), so the
//! transparency report's accuracy section has per-language rows.

mod util;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use util::{key, repo_root, Server, Vigil};

const THREATS: [&str; 4] = [
    "I will find you and beat you to death",
    "I am going to kill you and your whole family",
    "I will burn your house down with you inside",
    "you deserve to be shot and I will do it",
];
const CALM: [&str; 4] = [
    "Lovely weather for a walk in the park today",
    "Add the flour slowly and stir until smooth",
    "The train to Leeds leaves at half past nine",
    "Thanks for the book, I finished it last night",
];

/// The languages the items are written in, by position in a client's stream.
const LANGS: [&str; 2] = ["en", "de"];

/// The language the test gave item `id` (`c{client}-{i}`).
fn lang_of(id: &str) -> &'static str {
    let i: usize = id
        .rsplit('-')
        .next()
        .and_then(|i| i.parse().ok())
        .expect("ids end in their position");
    LANGS[i % LANGS.len()]
}

/// The CSV rows of `file` as maps from column to value.
fn csv_rows(file: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(file).expect("a CSV file");
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.expect("a CSV row").iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// Wilson's score interval at 95 %, written out from the formula.
fn wilson95(k: u64, n: u64) -> (f64, f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (p, centre - half, centre + half)
}

/// A CSV cell as a number.
fn num(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} is not a number: {row:?}"))
}

/// A CSV figure (written to 6 decimals) equals `expected`.
fn close(row: &BTreeMap<String, String>, column: &str, expected: f64) {
    let got = num(row, column);
    assert!(
        (got - expected).abs() < 1e-6,
        "{column}: {got} vs {expected} in {row:?}"
    );
}

/// The action decision `d` took for `category`, if it scored it.
fn category_action<'a>(d: &'a Value, category: &str) -> Option<&'a str> {
    d["categories"]
        .as_array()?
        .iter()
        .find(|c| c["category"] == category)
        .and_then(|c| c["action"].as_str())
}

/// Counts of one language's samples, as the simulated reviewer judged them.
#[derive(Default, Clone, Copy)]
struct Samples {
    /// Allowed items of the prevalence sample, and the violating ones.
    sampled: u64,
    violating: u64,
    /// Violence restrictions of the audit sample, and the upheld ones.
    audited: u64,
    upheld: u64,
}

#[test]
fn the_report_commands_agree_with_a_load_run_and_simulated_reviews() {
    let vigil = Vigil::new();
    let dir = tempfile::tempdir().expect("a temp dir");
    // The default policy, with every allowed item in the prevalence sample
    // and every restriction in the audit sample, so the simulated reviewer
    // has both samples to label.
    let policy_text = std::fs::read_to_string(repo_root().join("policies/default.toml"))
        .expect("the default policy")
        .replace("prevalence_rate = 0.005", "prevalence_rate = 1.0")
        .replace("audit_rate = 0.01", "audit_rate = 1.0");
    assert!(policy_text.contains("prevalence_rate = 1.0"));
    assert!(policy_text.contains("audit_rate = 1.0"));
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, policy_text).expect("policy written");
    let scan_key = key(&vigil, "scan");
    let review_key = key(&vigil, "review");

    let server = Server::start_with(vigil.home(), &["--policy".as_ref(), policy.as_os_str()]);
    // The load: 4 clients, 24 items each, threats and calm texts mixed.
    let decisions: Vec<(String, String, Value)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|c| {
                let (server, scan_key) = (&server, &scan_key);
                s.spawn(move || {
                    let client = reqwest::blocking::Client::new();
                    (0..24)
                        .map(|i| {
                            let text = if i % 3 == 0 {
                                THREATS[i % 4]
                            } else {
                                CALM[i % 4]
                            };
                            let id = format!("c{c}-{i}");
                            let d: Value = client
                                .post(server.url("/v1/scan"))
                                .bearer_auth(scan_key)
                                .json(&json!({
                                    "id": id,
                                    "text": text,
                                    "meta": {"lang": LANGS[i % LANGS.len()]},
                                }))
                                .send()
                                .expect("a scan")
                                .json()
                                .expect("a decision");
                            (id, text.to_owned(), d)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a client"))
            .collect()
    });
    assert_eq!(decisions.len(), 96);
    let action = |d: &Value| d["action"].as_str().expect("an action").to_owned();
    let restrictive: Vec<&(String, String, Value)> = decisions
        .iter()
        .filter(|(_, _, d)| matches!(action(d).as_str(), "restrict" | "block"))
        .collect();
    let allowed = decisions
        .iter()
        .filter(|(_, _, d)| action(d) == "allow")
        .count();
    assert!(!restrictive.is_empty() && allowed > 0, "a mixed load");

    // Notices about six items (Art. 16 from users and trusted flaggers,
    // one authority order): threats claimed as violence, calm texts as
    // hate; one threat reported twice.
    let threats: Vec<&(String, String, Value)> = decisions
        .iter()
        .filter(|(_, t, _)| THREATS.contains(&t.as_str()))
        .take(3)
        .collect();
    let calm: Vec<&(String, String, Value)> = decisions
        .iter()
        .filter(|(_, t, _)| CALM.contains(&t.as_str()))
        .take(2)
        .collect();
    assert!(threats.len() == 3 && calm.len() == 2);
    let filed_notices: Vec<(&str, &str, &(String, String, Value))> = vec![
        ("user", "violence", threats[0]),
        ("trusted_flagger", "violence", threats[0]),
        ("user", "violence", threats[1]),
        ("user", "hate", calm[0]),
        ("trusted_flagger", "hate", calm[1]),
        ("authority_order", "violence", threats[2]),
    ];
    let notice_client = reqwest::blocking::Client::new();
    let notice_ids: Vec<String> = filed_notices
        .iter()
        .map(|(reporter, category, (id, text, d))| {
            let r = notice_client
                .post(server.url("/v1/notices"))
                .bearer_auth(&scan_key)
                .json(&json!({
                    "item_id": id,
                    "decision_id": d["id"],
                    "reporter_type": reporter,
                    "reporter_name": if *reporter == "user" { Value::Null } else { json!("Example body") },
                    "category": category,
                    "explanation": "reported by the test",
                    "item": {"id": id, "text": text},
                }))
                .send()
                .expect("a notice");
            assert_eq!(r.status().as_u16(), 201, "{}", r.text().unwrap_or_default());
            let n: Value = r.json().expect("a notice");
            n["id"].as_str().expect("a notice id").to_owned()
        })
        .collect();

    // Appeal the first four restrictions.
    let client = reqwest::blocking::Client::new();
    let appealed: Vec<&(String, String, Value)> = restrictive.iter().take(4).copied().collect();
    for (id, text, d) in &appealed {
        let r = client
            .post(server.url(&format!(
                "/v1/decisions/{}/appeals",
                d["id"].as_str().expect("id")
            )))
            .bearer_auth(&scan_key)
            .json(&json!({"statement": "not what I meant", "item": {"id": id, "text": text}}))
            .send()
            .expect("an appeal");
        assert_eq!(r.status().as_u16(), 201, "{}", r.text().unwrap_or_default());
    }

    // The simulated reviewer: the truth is whether the text is a threat;
    // appeals of threats are upheld, others overturned. A reviewer key sees
    // audit items as prevalence items; the test tells them apart by the
    // action it was answered for the item.
    let answered: BTreeMap<&str, &Value> = decisions
        .iter()
        .map(|(id, _, d)| (id.as_str(), d))
        .collect();
    let violence_restricted = |d: &Value| {
        d["categories"]
            .as_array()
            .expect("categories")
            .iter()
            .any(|c| {
                c["category"] == "violence"
                    && matches!(c["action"].as_str(), Some("restrict" | "block"))
            })
    };
    let (mut upheld, mut overturned, mut violating_sampled, mut sampled) = (0, 0, 0, 0);
    let (mut audited, mut audit_upheld, mut audited_any) = (0u64, 0u64, 0usize);
    // Policy-queue items the reviewer blocked: the human own-initiative
    // measures.
    let mut policy_blocked = 0u64;
    let mut by_lang: BTreeMap<&str, Samples> = BTreeMap::new();
    loop {
        let r = client
            .post(server.url("/v1/review/claim"))
            .bearer_auth(&review_key)
            .json(&json!({}))
            .send()
            .expect("a claim");
        if r.status().as_u16() == 204 {
            break;
        }
        let item: Value = r.json().expect("an item");
        let threat = THREATS.contains(&item["content"]["text"].as_str().unwrap_or_default());
        let mut body = json!({"verdict": {
            "labels": {"violence": threat},
            "action": if threat { "block" } else { "allow" },
        }});
        match item["reason"].as_str() {
            Some("appeal") => {
                let outcome = if threat { "upheld" } else { "overturned" };
                if threat {
                    upheld += 1
                } else {
                    overturned += 1
                }
                body["outcome"] = json!(outcome);
            }
            Some("policy") => policy_blocked += u64::from(threat),
            Some("prevalence") => {
                let item_id = item["item_id"].as_str().expect("an item id");
                let d = answered[item_id];
                let lang = by_lang.entry(lang_of(item_id)).or_default();
                assert!(item["decision"].is_null(), "judged blind: {item}");
                if matches!(action(d).as_str(), "restrict" | "block") {
                    audited_any += 1;
                    if violence_restricted(d) {
                        audited += 1;
                        audit_upheld += u64::from(threat);
                        lang.audited += 1;
                        lang.upheld += u64::from(threat);
                    }
                } else {
                    sampled += 1;
                    violating_sampled += usize::from(threat);
                    lang.sampled += 1;
                    lang.violating += u64::from(threat);
                }
            }
            _ => {}
        }
        let id = item["id"].as_str().expect("an id");
        let v = client
            .post(server.url(&format!("/v1/review/items/{id}/verdict")))
            .bearer_auth(&review_key)
            .json(&body)
            .send()
            .expect("a verdict");
        assert_eq!(v.status().as_u16(), 200, "{}", v.text().unwrap_or_default());
    }
    // The notices as the store recorded them: received and acted on.
    let notices_read: Vec<Value> = notice_ids
        .iter()
        .map(|id| {
            client
                .get(server.url(&format!("/v1/notices/{id}")))
                .bearer_auth(&scan_key)
                .send()
                .expect("a notice read")
                .json()
                .expect("a notice")
        })
        .collect();
    drop(server);
    assert!(
        notices_read.iter().all(|n| n["status"] == "decided"),
        "the reviewer handled every notice: {notices_read:?}"
    );
    assert_eq!(upheld + overturned, appealed.len());
    assert_eq!(sampled, allowed, "every allowed item was sampled");
    assert_eq!(
        audited_any,
        restrictive.len(),
        "every restriction was audited"
    );
    assert!(audited > 0, "violence restrictions were audited");

    // 1. Statements of reasons: one per restrictive decision.
    let sor = dir.path().join("sor");
    let run = vigil
        .run([
            "report".as_ref(),
            "sor".as_ref(),
            "--since".as_ref(),
            "2020-01-01".as_ref(),
            "--out".as_ref(),
            sor.as_os_str(),
        ])
        .success();
    // The notices acted on with action taken (the threats) have their own
    // statements, with the notice as their source.
    let notice_actions = notices_read
        .iter()
        .filter(|n| n["outcome"] == "action_taken")
        .count();
    assert_eq!(notice_actions, 4, "{notices_read:?}");
    assert!(
        run.stdout.contains(&format!(
            "{} statements",
            restrictive.len() + notice_actions
        )),
        "{}",
        run.stdout
    );

    // 2. The transparency report of this year, so far. The store stamps
    // appeals in whole seconds and the report counts those stamped before
    // its as-of second, so let that second pass first.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let year = time::OffsetDateTime::now_utc().year().to_string();
    let tr = dir.path().join("transparency");
    vigil
        .run([
            "report".as_ref(),
            "transparency".as_ref(),
            "--period".as_ref(),
            year.as_ref(),
            "--out".as_ref(),
            tr.as_os_str(),
        ])
        .success();
    let own = csv_rows(&tr.join("own_initiative.csv"));
    let automated: u64 = own
        .iter()
        .filter(|r| r["category"] == "all" && r["detection"] == "automated")
        .map(|r| r["actions"].parse::<u64>().expect("a count"))
        .sum();
    assert_eq!(automated, restrictive.len() as u64, "{own:?}");
    let complaints = csv_rows(&tr.join("complaints.csv"));
    let all = complaints
        .iter()
        .find(|r| r["category"] == "all" && r["appealed_action"] == "all")
        .unwrap_or_else(|| {
            panic!(
                "no totals row: {complaints:?}\n{}",
                std::fs::read_to_string(tr.join("report.json")).unwrap_or_default()
            )
        });
    assert_eq!(all["filed"], appealed.len().to_string());
    assert_eq!(all["upheld"], upheld.to_string());
    assert_eq!(all["overturned"], overturned.to_string());
    assert_eq!(all["pending"], "0");
    let audit: Value = serde_json::from_str(
        &std::fs::read_to_string(tr.join("report.json")).expect("report.json"),
    )
    .expect("JSON");
    assert!(
        audit.to_string().contains("SELECT"),
        "the queries are in the audit trail"
    );
    let means = csv_rows(&tr.join("automated_means.csv"));
    assert!(
        means.iter().all(|r| r.contains_key("appeal_upheld_share")),
        "the appeal-based figure is labelled as such: {means:?}"
    );

    // The Commission's template (annex-i/): the own-initiative sections
    // must add up to the statements of reasons `report sor` wrote (each
    // decision filed once, under its statement's category, keywords,
    // ground and visibility), plus the reviewer's blocks of policy items
    // (violence: filed as the violence statements are).
    let mut statements: Vec<Value> = Vec::new();
    for entry in std::fs::read_dir(&sor).expect("the sor folder") {
        let batch: Value = serde_json::from_str(
            &std::fs::read_to_string(entry.expect("an entry").path()).expect("a batch"),
        )
        .expect("a JSON batch");
        statements.extend(batch["statements"].as_array().expect("statements").clone());
    }
    assert_eq!(statements.len(), restrictive.len() + notice_actions);
    statements.retain(|st| st["source_type"] == "SOURCE_VOLUNTARY");
    assert_eq!(statements.len(), restrictive.len());
    // (section file, category block, row key, column) -> count, from the
    // statements: a measure counts under its statement's category, under
    // that block's keyword rows for the keywords it lists, and in TOTAL.
    type Key = (String, String, String, String);
    let mut expected: BTreeMap<Key, u64> = BTreeMap::new();
    let section_of = |ground: &str| {
        if ground == "DECISION_GROUND_ILLEGAL_CONTENT" {
            "5_own_initiative_illegal.csv"
        } else {
            "6_own_initiative_TC.csv"
        }
    };
    let visibility_column = |v: &str| match v {
        "DECISION_VISIBILITY_CONTENT_REMOVED" => "Visibility restriction Removal",
        "DECISION_VISIBILITY_CONTENT_DEMOTED" => "Visibility restriction Demoted",
        other => panic!("the default policy does not use {other}"),
    };
    let mut violence_filing = None;
    let mut tally = |file: &str, category: &str, keywords: &[String], columns: &[&str]| {
        let rows = keywords
            .iter()
            .map(|k| (category.to_owned(), k.clone()))
            .chain([
                (category.to_owned(), category.to_owned()),
                ("TOTAL".to_owned(), "TOTAL".to_owned()),
            ]);
        for (block, key) in rows {
            for column in columns {
                *expected
                    .entry((
                        file.to_owned(),
                        block.clone(),
                        key.clone(),
                        (*column).to_owned(),
                    ))
                    .or_default() += 1;
            }
        }
    };
    let own = "Number of measures taken at the provider's own initiative";
    let solely = "Number of measures taken after detection with solely automated means";
    for st in &statements {
        assert_eq!(st["source_type"], "SOURCE_VOLUNTARY");
        let ground = st["decision_ground"].as_str().expect("a ground");
        let category = st["category"].as_str().expect("a category");
        let keywords: Vec<String> = st["category_specification"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|k| k.as_str().expect("a keyword").to_owned())
            .collect();
        let visibility = st["decision_visibility"][0].as_str().expect("a visibility");
        if category == "STATEMENT_CATEGORY_VIOLENCE" {
            violence_filing = Some((ground.to_owned(), keywords.clone()));
        }
        tally(
            section_of(ground),
            category,
            &keywords,
            &[own, solely, visibility_column(visibility)],
        );
    }
    let (violence_ground, violence_keywords) = violence_filing.expect("violence statements");
    for _ in 0..policy_blocked {
        tally(
            section_of(&violence_ground),
            "STATEMENT_CATEGORY_VIOLENCE",
            &violence_keywords,
            &[own, "Visibility restriction Removal"],
        );
    }
    let annex = tr.join("annex-i");
    for file in ["5_own_initiative_illegal.csv", "6_own_initiative_TC.csv"] {
        let rows = csv_rows(&annex.join(file));
        let first = if file.starts_with('5') {
            "Category of illegal content"
        } else {
            "Category of incompatibility with the provider's terms and conditions"
        };
        let mut block = "TOTAL".to_owned();
        for row in &rows {
            let key = row[first].clone();
            if key.starts_with("STATEMENT_CATEGORY_") {
                block = key.clone();
            }
            for column in [
                own,
                solely,
                "Visibility restriction Removal",
                "Visibility restriction Demoted",
            ] {
                let want = expected
                    .get(&(
                        file.to_owned(),
                        block.clone(),
                        key.clone(),
                        column.to_owned(),
                    ))
                    .copied()
                    .unwrap_or(0);
                assert_eq!(
                    row[column],
                    want.to_string(),
                    "{file}: {block} / {key} / {column}"
                );
            }
        }
    }
    // Complaints and automated means, as the test counted them.
    let indicator = |file: &str, indicator: &str, scope: &str| -> String {
        csv_rows(&annex.join(file))
            .into_iter()
            .find(|r| r["Indicator"] == indicator && r["Scope"] == scope)
            .unwrap_or_else(|| panic!("no {indicator} / {scope} in {file}"))["Value"]
            .clone()
    };
    let complaints_file = "7_appeals_and_recidivism.csv";
    let submitted = "Number of complaints submitted to the internal-complaints mechanism";
    assert_eq!(
        indicator(complaints_file, submitted, "Total number"),
        appealed.len().to_string()
    );
    assert_eq!(
        indicator(complaints_file, submitted, "Decisions upheld"),
        upheld.to_string()
    );
    assert_eq!(
        indicator(complaints_file, submitted, "Decisions reversed"),
        overturned.to_string()
    );
    assert_eq!(
        indicator(complaints_file, submitted, "Decision omitted"),
        "0"
    );
    let means_file = "8_automated_means.csv";
    let solely_taken = "Number of measures solely taken by automated means";
    let not_taken = "Number of measures not taken by automated means";
    assert_eq!(
        indicator(means_file, solely_taken, "Own-initiative"),
        restrictive.len().to_string()
    );
    assert_eq!(
        indicator(means_file, not_taken, "Own-initiative"),
        policy_blocked.to_string()
    );
    // Every notice went to a reviewer: none solely automated.
    assert_eq!(
        indicator(means_file, solely_taken, "Total number"),
        restrictive.len().to_string()
    );
    assert_eq!(
        indicator(means_file, not_taken, "Total number"),
        (policy_blocked as usize + notice_actions).to_string()
    );
    let not_processed = "Number of notices not processed by automated means";
    assert_eq!(indicator(means_file, not_processed, "NAM Total"), "5");
    assert_eq!(
        indicator(means_file, not_processed, "NAM Trusted Flagger"),
        "2"
    );

    // Notices (section 4) and orders (section 3): counts, distinct items,
    // and the median time to act from the times the store reported.
    let hours = |reporters: &[&str], taken_only: bool| -> String {
        let mut ms: Vec<f64> = notices_read
            .iter()
            .filter(|n| reporters.contains(&n["reporter_type"].as_str().unwrap_or_default()))
            .filter(|n| !taken_only || n["outcome"] == "action_taken")
            .map(|n| {
                let at = |k: &str| {
                    time::OffsetDateTime::parse(
                        n[k].as_str().expect("a time"),
                        &time::format_description::well_known::Rfc3339,
                    )
                    .expect("RFC 3339")
                };
                (at("acted_at") - at("received_at")).whole_milliseconds() as f64
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        let mid = if ms.len() % 2 == 1 {
            ms[ms.len() / 2]
        } else {
            (ms[ms.len() / 2 - 1] + ms[ms.len() / 2]) / 2.0
        };
        format!("{:.4}", mid / 1000.0 / 3600.0)
    };
    let notices_csv = csv_rows(&annex.join("4_notices.csv"));
    let notice_row = |key: &str| {
        notices_csv
            .iter()
            .find(|r| r["Category of illegal content"] == key)
            .unwrap_or_else(|| panic!("no {key} in 4_notices.csv"))
    };
    let total = notice_row("TOTAL");
    assert_eq!(total["Number of notices received"], "5");
    assert_eq!(
        total["Number of notices received from Trusted flaggers"],
        "2"
    );
    assert_eq!(
        total["Number of specific items of information included in the total number of notices"],
        "4"
    );
    assert_eq!(
        total["Median time to take action"],
        hours(&["user", "trusted_flagger"], false)
    );
    assert_eq!(
        total["Median time to take action (Trusted Flagger notices)"],
        hours(&["trusted_flagger"], false)
    );
    // The three threats' notices took action, filed under violence's
    // ground; the calm texts' did not.
    let (law, terms) = if violence_ground == "DECISION_GROUND_ILLEGAL_CONTENT" {
        ("3", "0")
    } else {
        ("0", "3")
    };
    assert_eq!(
        total["Number of actions taken on the basis of the law"],
        law
    );
    assert_eq!(
        total["Number of actions taken on the basis of the terms and conditions of the service"],
        terms
    );
    assert_eq!(
        notice_row("STATEMENT_CATEGORY_VIOLENCE")["Number of notices received"],
        "3"
    );
    assert_eq!(
        notice_row("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH")["Number of notices received"],
        "2"
    );
    let orders = csv_rows(&annex.join("3_member_states_orders.csv"));
    let order_total = orders
        .iter()
        .find(|r| r["Category of illegal content"] == "TOTAL")
        .expect("a TOTAL row");
    assert_eq!(
        order_total["Number of orders to act against illegal content received"],
        "1"
    );
    assert_eq!(
        order_total["Median time to give effect to the order to act against illegal content"],
        hours(&["authority_order"], true)
    );
    for lang in LANGS {
        let in_lang = restrictive
            .iter()
            .filter(|(id, _, _)| lang_of(id) == lang)
            .count();
        assert_eq!(
            indicator(means_file, solely_taken, lang),
            in_lang.to_string(),
            "{lang}"
        );
    }

    // The accuracy section: per language and category, the online
    // report's estimates over the period so far.
    let accuracy = csv_rows(&tr.join("accuracy.csv"));
    let langs: Vec<&str> = accuracy.iter().map(|r| r["lang"].as_str()).collect();
    assert!(
        langs.contains(&"all") && langs.contains(&"en") && langs.contains(&"de"),
        "{accuracy:?}"
    );
    let total = by_lang.values().fold(Samples::default(), |t, s| Samples {
        sampled: t.sampled + s.sampled,
        violating: t.violating + s.violating,
        audited: t.audited + s.audited,
        upheld: t.upheld + s.upheld,
    });
    for lang in ["all", "en"] {
        let in_lang = |id: &str| lang == "all" || lang_of(id) == lang;
        let row = accuracy
            .iter()
            .find(|r| r["lang"] == lang && r["category"] == "violence")
            .unwrap_or_else(|| panic!("no violence row for {lang}: {accuracy:?}"));
        let mine: Vec<&Value> = decisions
            .iter()
            .filter(|(id, _, _)| in_lang(id))
            .map(|(_, _, d)| d)
            .collect();
        let scored = mine
            .iter()
            .filter(|d| category_action(d, "violence").is_some())
            .count();
        let restricted = mine
            .iter()
            .filter(|d| matches!(category_action(d, "violence"), Some("restrict" | "block")))
            .count() as u64;
        let allowed = mine.iter().filter(|d| action(d) == "allow").count() as u64;
        assert_eq!(row["decisions"], scored.to_string(), "{lang}");
        assert_eq!(row["restricted"], restricted.to_string(), "{lang}");
        assert_eq!(row["allowed"], allowed.to_string(), "{lang}");
        let s = if lang == "all" {
            total
        } else {
            by_lang.get(lang).copied().unwrap_or_default()
        };
        assert!(s.audited > 0 && s.sampled > 0, "{lang} has both samples");
        // Precision from the audit sample, Wilson.
        assert_eq!(row["precision_judged"], s.audited.to_string(), "{lang}");
        assert_eq!(row["precision_upheld"], s.upheld.to_string(), "{lang}");
        let (p, p_low, p_high) = wilson95(s.upheld, s.audited);
        close(row, "precision", p);
        close(row, "precision_low", p_low);
        close(row, "precision_high", p_high);
        // Prevalence among allowed items, Wilson.
        assert_eq!(row["prevalence_sampled"], s.sampled.to_string(), "{lang}");
        assert_eq!(
            row["prevalence_violating"],
            s.violating.to_string(),
            "{lang}"
        );
        let (q, q_low, q_high) = wilson95(s.violating, s.sampled);
        close(row, "prevalence", q);
        close(row, "prevalence_low", q_low);
        close(row, "prevalence_high", q_high);
        // Recall and accuracy from the two (restricted for the category,
        // allowed overall), when some violating item is estimated.
        let (r, a) = (restricted as f64, allowed as f64);
        if r * p + a * q > 0.0 {
            close(row, "recall", r * p / (r * p + a * q));
        }
        close(row, "accuracy", (r * p + a * (1.0 - q)) / (r + a));
        assert!(num(row, "accuracy_low") <= num(row, "accuracy"));
        assert!(num(row, "accuracy") <= num(row, "accuracy_high"));
        // Too few judged for either sample to be an estimate here.
        assert_eq!(row["accuracy_meaningful"], "false", "{row:?}");
        assert!(!row["shortfalls"].is_empty(), "{row:?}");
    }
    let json = audit.to_string();
    assert!(
        json.contains("$.content.lang") && json.contains("\"languages\""),
        "the language query is in the audit trail"
    );
    assert!(
        audit["accuracy"]["slices"][1]["report"]["categories"][0]["prevalence_sample"]["query"]
            ["sql"]
            .is_string(),
        "each accuracy figure names its query"
    );

    // 3. The online report over the last day.
    let now = time::OffsetDateTime::now_utc();
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .expect("a time")
    };
    let online = dir.path().join("online");
    vigil
        .run([
            "report".as_ref(),
            "online".as_ref(),
            "--since".as_ref(),
            fmt(now - time::Duration::days(1)).as_ref(),
            "--until".as_ref(),
            fmt(now + time::Duration::minutes(1)).as_ref(),
            "--policy".as_ref(),
            policy.as_os_str(),
            "--out".as_ref(),
            online.as_os_str(),
        ])
        .success();
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(online.join("online-report.json")).expect("online-report.json"),
    )
    .expect("JSON");
    let counts: BTreeMap<String, u64> = report["actions"]["value"]
        .as_array()
        .unwrap_or_else(|| panic!("actions: {report}"))
        .iter()
        .map(|p| {
            (
                p[0].as_str().expect("an action").to_owned(),
                p[1].as_u64().expect("a count"),
            )
        })
        .collect();
    assert_eq!(counts.values().sum::<u64>(), 96, "{counts:?}");
    assert_eq!(counts.get("allow").copied().unwrap_or(0), allowed as u64);
    let violence = report["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "violence")
        .expect("violence is reported");
    let sample = &violence["prevalence_sample"]["value"];
    assert_eq!(sample["sampled"], sampled as u64, "{sample}");
    assert_eq!(sample["violating"], violating_sampled as u64, "{sample}");
    assert!(
        violence["prevalence_sample"]["query"]["sql"].is_string(),
        "audited"
    );
    // Precision from the audit sample: upheld / audited, Wilson.
    let audit = &violence["audit_sample"]["value"];
    assert_eq!(audit["sampled"], audited, "{audit}");
    assert_eq!(audit["upheld"], audit_upheld, "{audit}");
    let precision = &violence["precision"];
    let expected = audit_upheld as f64 / audited as f64;
    assert!(
        (precision["estimate"].as_f64().expect("a precision") - expected).abs() < 1e-12,
        "{precision}"
    );
    assert!(violence["audit_sample"]["query"]["sql"]
        .as_str()
        .expect("sql")
        .contains("'audit'"));
    // The appeals give the separate, biased overturn rate.
    let checked = &violence["checked"]["value"];
    let appealed_violence = checked["appealed"].as_u64().expect("appealed");
    assert!(appealed_violence <= appealed.len() as u64);
    assert_eq!(violence["overturn_rate"]["meaningful"], false);
}
