//! The real `vigil serve` binary: a crash in the middle of a load loses no
//! acknowledged decision, the README's curl examples work as written, and
//! a registered candidate runs in shadow.

mod util;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use util::{key, repo_root, Server, Vigil};

#[test]
fn a_kill_during_load_loses_no_acknowledged_decision() {
    let vigil = Vigil::new();
    let scan_key = key(&vigil, "scan");
    let review_key = key(&vigil, "review");
    let mut server = Server::start(vigil.home());
    let url = server.url("/v1/scan");

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (url, key) = (url.clone(), scan_key.clone());
            let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let body = serde_json::json!({
                        "id": format!("w{w}-{n}"),
                        "text": format!("message {n} from worker {w}: you are an idiot"),
                    });
                    let Ok(response) = client.post(&url).bearer_auth(&key).json(&body).send()
                    else {
                        continue; // The server is down: nothing was acknowledged.
                    };
                    if response.status() != 200 {
                        continue;
                    }
                    // Acknowledged only if the whole decision arrived.
                    if let Ok(d) = response.json::<serde_json::Value>() {
                        if let Some(id) = d["id"].as_str() {
                            acknowledged.lock().expect("lock").push(id.to_owned());
                        }
                    }
                }
            })
        })
        .collect();
    // Kill -9 once the load is well under way.
    let started = Instant::now();
    while acknowledged.lock().expect("lock").len() < 300
        && started.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.child.kill().expect("SIGKILL the server");
    server.child.wait().expect("the server is gone");
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("worker");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(
        acknowledged.len() >= 300,
        "the load reached only {} decisions",
        acknowledged.len()
    );

    let server = Server::start(vigil.home());
    let client = reqwest::blocking::Client::new();
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|id| {
            let r = client
                .get(server.url(&format!("/v1/decisions/{id}")))
                .bearer_auth(&review_key)
                .send()
                .expect("the restarted server answers");
            r.status() != 200
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged decisions are not in the log after kill -9: {:?}",
        missing.len(),
        acknowledged.len(),
        &missing[..missing.len().min(5)]
    );
}

#[test]
fn the_readme_curl_examples_work_as_written() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let section = readme
        .split("## Scanning from the publish path")
        .nth(1)
        .expect("the README has the scanning section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section has a sh block");
    assert!(block.contains("curl"), "{block}");

    let vigil = Vigil::new();
    let server = Server::start(vigil.home());
    let bin = env!("CARGO_BIN_EXE_vigil");
    // Run the block as written, with the test's binary and port, every curl
    // failing loudly on an HTTP error.
    let script = block
        .replace("target/release/vigil", bin)
        .replace("127.0.0.1:8080", &server.addr)
        .replace("curl -s ", "curl -sSf ");
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(repo_root())
        .env("VIGIL_HOME", vigil.home())
        .env_remove("XDG_DATA_HOME")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the README block failed:\n{script}\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"action\":\"block\""), "{stdout}");
    assert!(stdout.contains("\"decisions\":["), "{stdout}");
    assert!(stdout.contains("\"statements\":[{"), "{stdout}");
    assert!(stdout.contains("vigil_decisions_total"), "{stdout}");
}

#[test]
fn report_sor_writes_valid_batches_of_the_logged_restrictive_decisions() {
    let vigil = Vigil::new();
    let key = key(&vigil, "scan");
    let mut blocked = Vec::new();
    {
        let server = Server::start(vigil.home());
        let client = reqwest::blocking::Client::new();
        for (i, text) in [
            "I will find you and beat you to death",
            "See you at the meeting tomorrow",
            "I am going to kill you and your whole family",
        ]
        .iter()
        .enumerate()
        {
            let d: serde_json::Value = client
                .post(server.url("/v1/scan"))
                .bearer_auth(&key)
                .json(&serde_json::json!({"id": format!("r{i}"), "text": text}))
                .send()
                .expect("scan")
                .json()
                .expect("a decision");
            if matches!(d["action"].as_str(), Some("restrict" | "block")) {
                blocked.push(d["id"].as_str().expect("an id").to_owned());
            }
        }
    }
    assert!(!blocked.is_empty(), "no restrictive decision to report");
    let out = vigil.home().join("sor");
    let run = vigil
        .run([
            "report".as_ref(),
            "sor".as_ref(),
            "--since".as_ref(),
            "2020-01-01".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
        .success();
    assert!(
        run.stdout
            .contains(&format!("{} statements", blocked.len())),
        "{}",
        run.stdout
    );
    let batch: vigil_dsa::Batch = serde_json::from_slice(
        &std::fs::read(out.join("statements-0001.json")).expect("the first batch file"),
    )
    .expect("a batch");
    let puids: Vec<&str> = batch.statements.iter().map(|s| s.puid.as_str()).collect();
    assert_eq!(
        puids,
        blocked.iter().map(String::as_str).collect::<Vec<_>>()
    );
    for s in &batch.statements {
        s.validate()
            .expect("every statement passes the database's rules");
    }
    // A second export into the same folder is refused, never overwritten.
    vigil
        .run([
            "report".as_ref(),
            "sor".as_ref(),
            "--since".as_ref(),
            "2020-01-01".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
        .failure();
}

#[test]
fn a_candidate_in_shadow_is_scored_beside_each_decision_and_reported() {
    let vigil = Vigil::new();
    let model = vigil.home().join("trained");
    let seed = repo_root().join("data/seed/harassment");
    vigil
        .run([
            "train".as_ref(),
            "text-linear".as_ref(),
            "--data".as_ref(),
            seed.as_os_str(),
            "--out".as_ref(),
            model.as_os_str(),
            "--version".as_ref(),
            "shadowed".as_ref(),
            "--register".as_ref(),
        ])
        .success();
    let scan_key = key(&vigil, "scan");
    let server = Server::start_with(vigil.home(), &["--shadow", "text-linear@shadowed"]);
    let client = reqwest::blocking::Client::new();
    let texts = [
        "good morning",
        "you are a pathetic loser",
        "see you at lunch",
    ];
    for (i, text) in texts.iter().enumerate() {
        let reply = client
            .post(server.url("/v1/scan"))
            .bearer_auth(&scan_key)
            .json(&serde_json::json!({"id": format!("post-{i}"), "text": text}))
            .send()
            .expect("the scan is answered");
        assert_eq!(reply.status(), 200);
        let decision: serde_json::Value = reply.json().expect("a decision");
        assert!(
            !decision["models"].to_string().contains("shadowed"),
            "the decision names the active model only: {decision}"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let report = loop {
        let run = vigil
            .run(["models", "shadow-report", "text-linear@shadowed"])
            .success();
        if run.stdout.contains("3 decisions compared") {
            break run.stdout;
        }
        assert!(
            Instant::now() < deadline,
            "no shadow scores:\n{}",
            run.stdout
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let harassment = report
        .lines()
        .find(|l| l.starts_with("harassment "))
        .unwrap_or_else(|| panic!("harassment compared:\n{report}"));
    assert!(
        harassment.contains(" 3 "),
        "three texts scored: {harassment}"
    );
}
