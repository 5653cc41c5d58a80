//! Policy hot reload: a valid change to the policy file is put in force
//! without a restart; an invalid one is refused and the last good policy
//! keeps serving.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{default_policy, poll, Options, TestServer};
use serde_json::Value;
use vigil_server::ServeConfig;

const POLL_FOR: Duration = Duration::from_secs(5);

/// Replaces the file in one step, so the watcher never reads half of it.
fn write_atomically(path: &Path, contents: &str) {
    let staging = path.with_extension("toml.new");
    std::fs::write(&staging, contents).expect("the staging file is written");
    std::fs::rename(&staging, path).expect("the policy file is replaced");
}

fn readyz_policy(server: &TestServer) -> String {
    let reply = server.get("/readyz", None);
    reply.expect_status(200);
    reply.json()["policy"]
        .as_str()
        .expect("a policy line")
        .to_owned()
}

fn scanned_policy_version(server: &TestServer) -> Value {
    server.scan_text("post", "Good morning")["policy"]["version"].clone()
}

#[test]
fn a_changed_policy_is_applied_and_an_invalid_one_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("policy.toml");
    let original = std::fs::read_to_string(default_policy()).expect("the default policy");
    const VERSION_LINE: &str = "version = \"2026.11.0\"";
    assert_eq!(original.matches(VERSION_LINE).count(), 1);
    std::fs::write(&path, &original).expect("the policy is copied");

    let server = TestServer::start_with(Options {
        config: ServeConfig {
            reload_every: Some(Duration::from_millis(50)),
            ..ServeConfig::default()
        },
        policy: path.clone(),
        ..Options::default()
    });
    assert!(readyz_policy(&server).starts_with("default 2026.11.0 "));
    assert_eq!(scanned_policy_version(&server), "2026.11.0");

    // A valid change: the new version is put in force.
    let changed = original.replace(VERSION_LINE, "version = \"2026.11.1-test\"");
    write_atomically(&path, &changed);
    poll("the new policy version on /readyz", POLL_FOR, || {
        readyz_policy(&server)
            .starts_with("default 2026.11.1-test ")
            .then_some(())
    });
    assert_eq!(scanned_policy_version(&server), "2026.11.1-test");
    assert!(server
        .metrics()
        .contains("vigil_policy_reloads_total{result=\"applied\"} 1"));

    // An invalid change: refused, and the last good policy keeps serving.
    write_atomically(&path, &format!("{changed}\n[[[ this is not TOML\n"));
    poll("the refused reload on /metrics", POLL_FOR, || {
        server
            .metrics()
            .contains("vigil_policy_reloads_total{result=\"refused\"} 1")
            .then_some(())
    });
    assert!(readyz_policy(&server).starts_with("default 2026.11.1-test "));
    assert_eq!(scanned_policy_version(&server), "2026.11.1-test");

    // A policy that parses but breaks a rule is refused the same way.
    let invalid_threshold = changed.replace(
        "thresholds = { review = 0.40, restrict = 0.75, block = 0.92 }",
        "thresholds = { review = 0.90, restrict = 0.75, block = 0.92 }",
    );
    assert_ne!(
        invalid_threshold, changed,
        "the hate thresholds line is found"
    );
    write_atomically(&path, &invalid_threshold);
    poll("the second refused reload on /metrics", POLL_FOR, || {
        server
            .metrics()
            .contains("vigil_policy_reloads_total{result=\"refused\"} 2")
            .then_some(())
    });
    assert!(readyz_policy(&server).starts_with("default 2026.11.1-test "));

    // Fixing the file brings reloading back.
    write_atomically(&path, &original);
    poll("the original version back on /readyz", POLL_FOR, || {
        readyz_policy(&server)
            .starts_with("default 2026.11.0 ")
            .then_some(())
    });
    assert_eq!(scanned_policy_version(&server), "2026.11.0");
}

#[test]
fn a_decision_names_the_digest_of_the_policy_it_was_taken_under() {
    let server = TestServer::start();
    let readyz = readyz_policy(&server);
    let decision = server.scan_text("post", "Good morning");
    let digest = decision["policy"]["digest"].as_str().expect("a digest");
    assert!(
        readyz.ends_with(&format!("({digest})")),
        "{readyz} vs {digest}"
    );
}
