//! Scan jobs over loopback: an item with audio over `job_over_bytes` is
//! queued (`202`, `Location`) and a worker — the server's own, or one
//! started here as `vigil worker` starts it — scans it; a corrupt one fails
//! with the scan error's kind; bad input is still refused at once.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{base64, default_policy, poll, Options, Reply, TestServer};
use serde_json::{json, Value};
use vigil_engine::{Engine, Limits, PolicyState, TextModels, TextScorer};
use vigil_server::{Metrics, ServeConfig, WorkerOptions};
use vigil_store::Store;

/// Audio over this many bytes is a job in these tests.
const JOB_OVER_BYTES: usize = 4000;

fn server(workers: usize) -> TestServer {
    TestServer::start_with(Options {
        config: ServeConfig {
            reload_every: None,
            job_over_bytes: JOB_OVER_BYTES,
            workers,
            ..ServeConfig::default()
        },
        ..Options::default()
    })
}

/// A valid WAV file: 16-bit mono PCM at 16 kHz, `seconds` long, a quiet
/// 440 Hz tone.
fn wav(seconds: f64) -> Vec<u8> {
    let rate = 16_000u32;
    let samples = (f64::from(rate) * seconds) as u32;
    let data_len = samples * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend(b"RIFF");
    out.extend((36 + data_len).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes()); // fmt chunk size
    out.extend(1u16.to_le_bytes()); // PCM
    out.extend(1u16.to_le_bytes()); // mono
    out.extend(rate.to_le_bytes());
    out.extend((rate * 2).to_le_bytes()); // bytes per second
    out.extend(2u16.to_le_bytes()); // block align
    out.extend(16u16.to_le_bytes()); // bits per sample
    out.extend(b"data");
    out.extend(data_len.to_le_bytes());
    for i in 0..samples {
        let t = f64::from(i) / f64::from(rate);
        let v = (2000.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16;
        out.extend(v.to_le_bytes());
    }
    out
}

fn audio_item(id: &str, bytes: &[u8]) -> Value {
    json!({"id": id, "media": [{"kind": "audio", "data_base64": base64(bytes)}]})
}

fn scan(server: &TestServer, item: &Value) -> Reply {
    server.post_json("/v1/scan", Some(&server.keys.scan), item)
}

/// Posts `item`, expects `202`, and returns the job's URL.
fn queue(server: &TestServer, item: &Value) -> String {
    let request = server.client().post(server.url("/v1/scan")).json(item);
    let response = request
        .bearer_auth(&server.keys.scan)
        .send()
        .expect("the server answers");
    assert_eq!(response.status().as_u16(), 202);
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
        .to_owned();
    let body: Value = response.json().expect("a JSON body");
    assert_eq!(body["job"]["status"], "queued", "{body}");
    assert_eq!(body["job"]["url"], location.as_str(), "{body}");
    let id = body["job"]["id"].as_str().expect("a job id");
    assert_eq!(location, format!("/v1/jobs/{id}"));
    location
}

fn job(server: &TestServer, url: &str) -> Value {
    let reply = server.get(url, Some(&server.keys.scan));
    reply.expect_status(200);
    reply.json()
}

/// Polls the job until it is `done` or `failed`.
fn finished(server: &TestServer, url: &str) -> Value {
    poll("the job to finish", Duration::from_secs(60), || {
        let job = job(server, url);
        matches!(job["status"].as_str(), Some("done" | "failed")).then_some(job)
    })
}

#[test]
fn audio_over_job_over_bytes_is_a_job_that_the_server_scans() {
    let server = server(1);
    let url = queue(&server, &audio_item("long-clip", &wav(0.5)));
    let job = finished(&server, &url);
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["attempts"], 1, "{job}");
    assert!(job.get("error").is_none(), "{job}");
    let decision = &job["decision"];
    assert_eq!(decision["item_id"], "long-clip", "{job}");
    // Audio no detector examined is sent to review at least.
    assert_ne!(decision["action"], "allow", "{job}");

    let id = decision["id"].as_str().expect("a decision id");
    let stored = server.get(&format!("/v1/decisions/{id}"), Some(&server.keys.review));
    stored.expect_status(200);
    assert_eq!(&stored.json(), decision, "the job's decision is in the log");

    let metrics = server.metrics();
    assert!(
        metrics.contains("vigil_jobs{state=\"done\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("vigil_jobs_enqueued_total 1"), "{metrics}");
    assert!(
        metrics.contains("vigil_job_duration_seconds_count{result=\"done\"} 1"),
        "{metrics}"
    );
}

#[test]
fn audio_under_job_over_bytes_is_scanned_in_the_request() {
    let server = server(1);
    let reply = scan(&server, &audio_item("short-clip", &wav(0.05)));
    reply.expect_status(200);
    assert_eq!(reply.json()["item_id"], "short-clip");
}

#[test]
fn without_workers_a_job_waits_for_an_outside_worker() {
    let server = server(0);
    let url = queue(&server, &audio_item("queued-clip", &wav(0.5)));
    assert_eq!(job(&server, &url)["status"], "queued");

    // What `vigil worker` runs: the same loop, its own engine and store
    // handle, in a runtime of its own.
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    let engine = Arc::new(Engine::new(
        TextScorer::load(&TextModels::default()).expect("the shipped text model loads"),
        PolicyState::load(&default_policy()).expect("the default policy is valid"),
        Limits::default(),
    ));
    let store = runtime
        .block_on(Store::open_sqlite(&server.dir().join("vigil.db")))
        .expect("the server's store opens beside it");
    runtime.spawn(vigil_server::run_job_worker(
        engine,
        store,
        WorkerOptions::named("test-worker"),
        Arc::new(Metrics::default()),
    ));
    let job = finished(&server, &url);
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["decision"]["item_id"], "queued-clip", "{job}");
}

#[test]
fn a_job_with_corrupt_media_fails_with_the_error_kind() {
    let server = server(1);
    let mut junk = b"RIFF".to_vec();
    junk.extend(vec![0x5a; JOB_OVER_BYTES + 100]);
    let url = queue(&server, &audio_item("broken-clip", &junk));
    let job = finished(&server, &url);
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["attempts"], 1, "not retried: {job}");
    assert_eq!(job["error"]["kind"], "corrupt_media", "{job}");
    let message = job["error"]["message"].as_str().expect("a message");
    assert!(message.contains("media[0]"), "{message}");
    assert!(job.get("decision").is_none(), "{job}");
}

#[test]
fn a_job_item_with_bad_input_is_refused_at_once() {
    let server = server(0);
    let bad_base64 = "!".repeat(JOB_OVER_BYTES * 2);
    let item = json!({"id": "x", "media": [{"kind": "video", "data_base64": bad_base64}]});
    scan(&server, &item).expect_error(422, "invalid_base64");
    let no_id = json!({"id": "", "media": [{"kind": "audio", "data_base64": base64(&wav(0.5))}]});
    scan(&server, &no_id).expect_error(422, "empty_id");
}

#[test]
fn a_job_over_max_job_media_bytes_is_refused_naming_the_limit() {
    let server = TestServer::start_with(Options {
        config: ServeConfig {
            reload_every: None,
            job_over_bytes: 1000,
            max_job_media_bytes: 3000,
            workers: 0,
            ..ServeConfig::default()
        },
        ..Options::default()
    });
    let reply = scan(&server, &audio_item("too-long", &wav(0.1)));
    reply.expect_error(413, "media_too_large");
    assert!(
        reply.error_message().contains("max_job_media_bytes"),
        "{}",
        reply.body
    );
}

#[test]
fn an_unknown_job_is_a_json_404_and_a_bad_id_a_400() {
    let server = server(0);
    let unknown = "01a21a80-7031-762a-94fe-9b972b03fbbb";
    server
        .get(&format!("/v1/jobs/{unknown}"), Some(&server.keys.scan))
        .expect_error(404, "not_found");
    server
        .get("/v1/jobs/42", Some(&server.keys.scan))
        .expect_error(400, "invalid_id");
    server
        .get(&format!("/v1/jobs/{unknown}"), None)
        .expect_error(401, "unauthorized");
}
