//! The three report commands on a store filled by a load run and simulated
//! reviews: `vigil serve` scans a stream of items from several clients,
//! some blocks are appealed, a simulated reviewer works the queue (prevalence
//! and audit samples, appeals), and then `vigil report sor`, `vigil report
//! transparency` and `vigil report online` must agree with what the test
//! itself counted.

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

/// The CSV rows of `file` as maps from column to value.
fn csv_rows(file: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(file).expect("a CSV file");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
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
                                .json(&json!({"id": id, "text": text}))
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
            Some("prevalence") => {
                let d = answered[item["item_id"].as_str().expect("an item id")];
                assert!(item["decision"].is_null(), "judged blind: {item}");
                if matches!(action(d).as_str(), "restrict" | "block") {
                    audited_any += 1;
                    if violence_restricted(d) {
                        audited += 1;
                        audit_upheld += u64::from(threat);
                    }
                } else {
                    sampled += 1;
                    violating_sampled += usize::from(threat);
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
    drop(server);
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
    assert!(
        run.stdout
            .contains(&format!("{} statements", restrictive.len())),
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
