//! Every size limit, at its boundary: the limit itself passes, one more is
//! refused with a 4xx JSON error whose message names the limit. And the
//! request timeout, which refuses with 503.

mod common;

use std::time::Duration;

use common::{base64, png_claiming, tiny_png, Options, Reply, TestServer};
use serde_json::{json, Value};
use vigil_engine::Limits;
use vigil_server::ServeConfig;

const MAX_BODY_BYTES: usize = 4096;
const MAX_BATCH: usize = 3;
const MAX_TEXT_CHARS: usize = 100;
const MAX_MEDIA_BYTES: usize = 600;
const MAX_MEDIA: usize = 2;
const MAX_ID_BYTES: usize = 16;

/// A server whose limits are small enough to reach with small requests.
fn small_server() -> TestServer {
    TestServer::start_with(Options {
        config: ServeConfig {
            max_body_bytes: MAX_BODY_BYTES,
            max_batch: MAX_BATCH,
            reload_every: None,
            ..ServeConfig::default()
        },
        limits: Limits {
            max_text_chars: MAX_TEXT_CHARS,
            max_media_bytes: MAX_MEDIA_BYTES,
            max_media: MAX_MEDIA,
            max_id_bytes: MAX_ID_BYTES,
            ..Limits::default()
        },
        ..Options::default()
    })
}

fn scan(server: &TestServer, item: &Value) -> Reply {
    server.post_json("/v1/scan", Some(&server.keys.scan), item)
}

/// Panics unless `reply` refuses with `status`, `kind`, and a message that
/// names `limit`.
fn assert_refused(reply: &Reply, status: u16, kind: &str, limit: &str) {
    reply.expect_error(status, kind);
    let message = reply.error_message();
    assert!(
        message.contains(limit),
        "the message does not name `{limit}`: {message}"
    );
}

/// An opaque video attachment of `bytes` bytes. The test server decodes no
/// video (it has no ffmpeg), so only the limits decide what happens to it.
fn video(bytes: usize) -> Value {
    json!({"kind": "video", "data_base64": base64(&vec![7u8; bytes])})
}

#[test]
fn a_body_over_max_body_bytes_is_refused() {
    let server = small_server();
    // A small item padded with JSON whitespace to an exact size.
    let padded = |size: usize| {
        let mut body = json!({"id": "a", "text": "hi"}).to_string();
        body.push_str(&" ".repeat(size - body.len()));
        body
    };
    let key = Some(server.keys.scan.as_str());
    server
        .post_raw("/v1/scan", key, "application/json", padded(MAX_BODY_BYTES))
        .expect_status(200);
    let reply = server.post_raw(
        "/v1/scan",
        key,
        "application/json",
        padded(MAX_BODY_BYTES + 1),
    );
    assert_refused(&reply, 413, "body_too_large", "max_body_bytes");

    let batch = json!({"items": [{"id": "a", "text": "x".repeat(MAX_BODY_BYTES)}]});
    let reply = server.post_json("/v1/scan/batch", key, &batch);
    assert_refused(&reply, 413, "body_too_large", "max_body_bytes");
}

#[test]
fn a_multipart_body_over_max_body_bytes_is_refused() {
    let server = small_server();
    let form = reqwest::blocking::multipart::Form::new()
        .text("item", json!({"id": "a"}).to_string())
        .part(
            "audio",
            reqwest::blocking::multipart::Part::bytes(vec![1u8; MAX_BODY_BYTES + 1]),
        );
    let reply = server.send(
        server.client().post(server.url("/v1/scan")).multipart(form),
        Some(&server.keys.scan),
    );
    assert_refused(&reply, 413, "body_too_large", "max_body_bytes");
}

#[test]
fn a_text_over_max_text_chars_is_refused() {
    let server = small_server();
    // Characters, not bytes: each of these is two bytes in UTF-8.
    let at_limit = "é".repeat(MAX_TEXT_CHARS);
    scan(&server, &json!({"id": "a", "text": at_limit})).expect_status(200);
    let over = "é".repeat(MAX_TEXT_CHARS + 1);
    let reply = scan(&server, &json!({"id": "a", "text": over}));
    assert_refused(&reply, 413, "text_too_long", "max_text_chars");
}

#[test]
fn media_over_max_media_bytes_is_refused() {
    let server = small_server();
    scan(
        &server,
        &json!({"id": "a", "media": [video(MAX_MEDIA_BYTES)]}),
    )
    .expect_status(200);
    let reply = scan(
        &server,
        &json!({"id": "a", "media": [video(MAX_MEDIA_BYTES + 1)]}),
    );
    assert_refused(&reply, 413, "media_too_large", "max_media_bytes");
    // Far over: refused from the encoded length, before decoding.
    let reply = scan(
        &server,
        &json!({"id": "a", "media": [video(MAX_MEDIA_BYTES * 4)]}),
    );
    assert_refused(&reply, 413, "media_too_large", "max_media_bytes");
}

#[test]
fn a_multipart_file_over_max_media_bytes_is_refused() {
    let server = small_server();
    let form = reqwest::blocking::multipart::Form::new()
        .text("item", json!({"id": "a"}).to_string())
        .part(
            "video",
            reqwest::blocking::multipart::Part::bytes(vec![1u8; MAX_MEDIA_BYTES + 1]),
        );
    let reply = server.send(
        server.client().post(server.url("/v1/scan")).multipart(form),
        Some(&server.keys.scan),
    );
    assert_refused(&reply, 413, "media_too_large", "max_media_bytes");
}

#[test]
fn more_than_max_media_attachments_are_refused() {
    let server = small_server();
    let media = |n: usize| (0..n).map(|_| video(8)).collect::<Vec<_>>();
    scan(&server, &json!({"id": "a", "media": media(MAX_MEDIA)})).expect_status(200);
    let reply = scan(&server, &json!({"id": "a", "media": media(MAX_MEDIA + 1)}));
    assert_refused(&reply, 413, "too_many_media", "max_media");
}

#[test]
fn an_id_over_max_id_bytes_is_refused() {
    let server = small_server();
    scan(
        &server,
        &json!({"id": "i".repeat(MAX_ID_BYTES), "text": "hi"}),
    )
    .expect_status(200);
    let reply = scan(
        &server,
        &json!({"id": "i".repeat(MAX_ID_BYTES + 1), "text": "hi"}),
    );
    assert_refused(&reply, 413, "id_too_long", "max_id_bytes");
}

#[test]
fn a_decompression_bomb_is_refused_by_max_pixels() {
    // The default limits: 40 megapixels.
    let server = TestServer::start();
    let bomb = png_claiming(100_000, 100_000);
    assert!(bomb.len() < 100, "the bomb itself is tiny");
    let reply = scan(
        &server,
        &json!({"id": "a", "media": [{"kind": "image", "data_base64": base64(&bomb)}]}),
    );
    assert_refused(&reply, 413, "too_many_pixels", "max_pixels");

    // The same as a multipart file.
    let form = reqwest::blocking::multipart::Form::new()
        .text("item", json!({"id": "a"}).to_string())
        .part("image", reqwest::blocking::multipart::Part::bytes(bomb));
    let reply = server.send(
        server.client().post(server.url("/v1/scan")).multipart(form),
        Some(&server.keys.scan),
    );
    assert_refused(&reply, 413, "too_many_pixels", "max_pixels");
}

#[test]
fn max_pixels_is_width_times_height() {
    let server = TestServer::start_with(Options {
        limits: Limits {
            max_pixels: 100,
            ..Limits::default()
        },
        ..Options::default()
    });
    let image = |png: Vec<u8>| json!({"id": "a", "media": [{"kind": "image", "data_base64": base64(&png)}]});
    // Exactly at the limit the pixel check passes; the header-only file is
    // then refused as truncated when it is decoded for hashing.
    let at_limit = scan(&server, &image(png_claiming(10, 10)));
    assert_refused(&at_limit, 422, "corrupt_media", "truncated");
    scan(&server, &image(tiny_png())).expect_status(200);
    let reply = scan(&server, &image(png_claiming(101, 1)));
    assert_refused(&reply, 413, "too_many_pixels", "max_pixels");
}

#[test]
fn a_batch_over_max_batch_is_refused() {
    let server = small_server();
    let items = |n: usize| {
        (0..n)
            .map(|i| json!({"id": format!("b-{i}"), "text": "hi"}))
            .collect::<Vec<_>>()
    };
    let key = Some(server.keys.scan.as_str());
    let reply = server.post_json("/v1/scan/batch", key, &json!({"items": items(MAX_BATCH)}));
    reply.expect_status(200);
    let reply = server.post_json(
        "/v1/scan/batch",
        key,
        &json!({"items": items(MAX_BATCH + 1)}),
    );
    assert_refused(&reply, 413, "batch_too_large", "max_batch");
}

#[test]
fn an_item_over_a_limit_refuses_its_whole_batch_naming_its_index() {
    let server = small_server();
    let batch = json!({"items": [
        {"id": "b-0", "text": "hi"},
        {"id": "b-1", "text": "x".repeat(MAX_TEXT_CHARS + 1)},
    ]});
    let reply = server.post_json("/v1/scan/batch", Some(&server.keys.scan), &batch);
    assert_refused(&reply, 413, "text_too_long", "max_text_chars");
    assert!(
        reply.error_message().starts_with("items[1]"),
        "{}",
        reply.body
    );
    let stored = server
        .block_on(server.store.list_decisions(&Default::default()))
        .expect("the store answers");
    assert!(stored.is_empty(), "nothing of a refused batch is stored");
}

#[test]
fn a_request_over_request_timeout_is_refused_and_nothing_is_stored() {
    let server = TestServer::start_with(Options {
        config: ServeConfig {
            request_timeout: Duration::ZERO,
            reload_every: None,
            ..ServeConfig::default()
        },
        ..Options::default()
    });
    let reply = scan(&server, &json!({"id": "a", "text": "hello"}));
    assert_refused(&reply, 503, "timeout", "request_timeout");
    let reply = server.post_json(
        "/v1/scan/batch",
        Some(&server.keys.scan),
        &json!({"items": [{"id": "a", "text": "hello"}]}),
    );
    assert_refused(&reply, 503, "timeout", "request_timeout");
    // The scan was abandoned before the commit, so no decision exists that
    // the caller was not given.
    let stored = server
        .block_on(server.store.list_decisions(&Default::default()))
        .expect("the store answers");
    assert!(stored.is_empty(), "{stored:?}");
    assert!(server
        .metrics()
        .contains("vigil_errors_total{kind=\"timeout\"} 2"));
}
