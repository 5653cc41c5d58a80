//! The bad-input table of docs/api.md, run row by row: each row's case is
//! sent as the request defined here, and must get the row's status and
//! `kind`. A row this file has no request for, or a request no row names,
//! fails the test, so the table and the server cannot drift apart.

mod common;

use common::{base64, png_claiming, tiny_png, Options, Reply, TestServer};
use reqwest::blocking::multipart::{Form, Part};
use serde_json::{json, Value};
use vigil_engine::Limits;
use vigil_server::ServeConfig;

/// The test server's body limit, small so that oversize requests are too.
const MAX_BODY_BYTES: usize = 65_536;
/// The test server's attachment limit, below the body limit so that an
/// attachment over it still fits in a body.
const MAX_MEDIA_BYTES: usize = 1024;

/// One row of the table.
#[derive(Debug)]
struct Row {
    case: String,
    status: u16,
    kind: String,
    line: usize,
}

/// A case: its name in the table and the request it stands for.
type Case = (&'static str, fn(&TestServer) -> Reply);

/// Every case, by the name its table row gives it.
const CASES: &[Case] = &[
    ("malformed JSON", |s| scan_raw(s, r#"{"id": "a", "text": "#)),
    ("empty body", |s| scan_raw(s, "")),
    ("not an object", |s| scan(s, &json!(["a", "hi"]))),
    ("media not an object", |s| {
        scan_media(s, json!(["audio", "aGk="]))
    }),
    ("wrong type (id as number)", |s| {
        scan(s, &json!({"id": 1, "text": "hi"}))
    }),
    ("unknown field", |s| {
        scan(s, &json!({"id": "a", "txt": "hi"}))
    }),
    ("missing id", |s| scan(s, &json!({"text": "hi"}))),
    ("empty id", |s| scan(s, &json!({"id": "", "text": "hi"}))),
    ("id too long", |s| {
        let id = "i".repeat(Limits::default().max_id_bytes + 1);
        scan(s, &json!({"id": id, "text": "hi"}))
    }),
    ("empty item (no text no media)", |s| {
        scan(s, &json!({"id": "a"}))
    }),
    ("blank text", |s| {
        scan(s, &json!({"id": "a", "text": " \n\t "}))
    }),
    ("unknown media kind", |s| {
        scan_media(s, json!({"kind": "document", "data_base64": "aGk="}))
    }),
    ("invalid base64", |s| {
        scan_media(s, json!({"kind": "audio", "data_base64": "@@@"}))
    }),
    ("empty media", |s| {
        scan_media(s, json!({"kind": "audio", "data_base64": ""}))
    }),
    ("media given as a path", |s| {
        scan_media(s, json!({"kind": "image", "path": "/etc/passwd"}))
    }),
    ("oversize body", |s| {
        let mut body = json!({"id": "a", "text": "hi"}).to_string();
        body.push_str(&" ".repeat(MAX_BODY_BYTES + 1 - body.len()));
        scan_raw(s, &body)
    }),
    ("text too long", |s| {
        let text = "x".repeat(Limits::default().max_text_chars + 1);
        scan(s, &json!({"id": "a", "text": text}))
    }),
    ("too many media", |s| {
        let media: Vec<Value> = (0..=Limits::default().max_media)
            .map(|_| audio(b"RIFF"))
            .collect();
        scan(s, &json!({"id": "a", "media": media}))
    }),
    ("media too large", |s| {
        scan_media(s, audio(&vec![0u8; MAX_MEDIA_BYTES + 1]))
    }),
    ("huge image dimensions (decompression bomb)", |s| {
        let bomb = png_claiming(100_000, 100_000);
        assert_eq!(bomb.len(), 45, "the table says how small the bomb is");
        scan_media(s, image(&bomb))
    }),
    ("truncated image file", |s| {
        scan_media(s, image(&tiny_png()[..20]))
    }),
    ("not-an-image bytes as image", |s| {
        scan_media(s, image(b"hello, world"))
    }),
    ("unsupported content type", |s| {
        s.post_raw("/v1/scan", admin(s), "text/plain", "hello")
    }),
    ("multipart without a boundary", |s| {
        s.post_raw("/v1/scan", admin(s), "multipart/form-data", "hello")
    }),
    ("multipart without an item part", |s| {
        multipart(s, Form::new().part("image", Part::bytes(tiny_png())))
    }),
    ("multipart with an unknown part", |s| {
        let form = Form::new()
            .text("item", json!({"id": "a", "text": "hi"}).to_string())
            .part("document", Part::bytes(b"%PDF-1.7".to_vec()));
        multipart(s, form)
    }),
    ("multipart batch", |s| {
        let form = Form::new().text("items", "[]");
        s.send(
            s.client().post(s.url("/v1/scan/batch")).multipart(form),
            admin(s),
        )
    }),
    ("batch item not an object", |s| {
        batch(s, &json!({"items": [["a", "hi"]]}))
    }),
    ("empty batch", |s| batch(s, &json!({"items": []}))),
    ("batch too large", |s| {
        let items: Vec<Value> = (0..=ServeConfig::default().max_batch)
            .map(|i| json!({"id": format!("b-{i}"), "text": "hi"}))
            .collect();
        batch(s, &json!({"items": items}))
    }),
    ("invalid item in a batch", |s| {
        let reply = batch(
            s,
            &json!({"items": [{"id": "b-0", "text": "hi"}, {"id": "b-1", "text": "  "}]}),
        );
        assert!(
            reply.error_message().starts_with("items[1]"),
            "the message names the item: {}",
            reply.body
        );
        reply
    }),
    ("invalid decision id", |s| {
        s.get("/v1/decisions/not-a-uuid", admin(s))
    }),
    ("unknown decision id", |s| {
        let id = vigil_core::DecisionId::new();
        s.get(&format!("/v1/decisions/{id}"), admin(s))
    }),
    ("content not kept", |s| {
        let decision = s.scan_text("a", "hello");
        let id = decision["id"].as_str().expect("a decision id");
        s.get(&format!("/v1/decisions/{id}/content"), admin(s))
    }),
    ("unknown route", |s| s.get("/v1/nothing", admin(s))),
    ("wrong method", |s| {
        s.send(s.client().delete(s.url("/v1/scan")), admin(s))
    }),
    ("bad `since`", |s| {
        s.get("/v1/statements?since=yesterday", admin(s))
    }),
    ("missing `since`", |s| s.get("/v1/statements", admin(s))),
    ("unknown query parameter", |s| {
        s.get("/v1/statements?since=2026-01-01&sinse=2026-01-01", admin(s))
    }),
    ("limit out of range", |s| {
        s.get("/v1/statements?since=2026-01-01&limit=101", admin(s))
    }),
    ("bad `after`", |s| {
        s.get("/v1/statements?since=2026-01-01&after=42", admin(s))
    }),
    ("no API key", |s| {
        s.post_json("/v1/scan", None, &json!({"id": "a", "text": "hi"}))
    }),
    ("not a bearer token", |s| {
        let request = s
            .client()
            .post(s.url("/v1/scan"))
            .header(reqwest::header::AUTHORIZATION, "Basic dXNlcjpwYXNz")
            .json(&json!({"id": "a", "text": "hi"}));
        s.send(request, None)
    }),
    ("key without the scope", |s| {
        s.get(
            "/v1/statements?since=2026-01-01",
            Some(s.keys.scan.as_str()),
        )
    }),
];

fn admin(server: &TestServer) -> Option<&str> {
    Some(server.keys.admin.as_str())
}

fn scan(server: &TestServer, body: &Value) -> Reply {
    server.post_json("/v1/scan", admin(server), body)
}

fn scan_raw(server: &TestServer, body: &str) -> Reply {
    server.post_raw(
        "/v1/scan",
        admin(server),
        "application/json",
        body.to_owned(),
    )
}

fn scan_media(server: &TestServer, media: Value) -> Reply {
    scan(server, &json!({"id": "a", "media": [media]}))
}

fn batch(server: &TestServer, body: &Value) -> Reply {
    server.post_json("/v1/scan/batch", admin(server), body)
}

fn multipart(server: &TestServer, form: Form) -> Reply {
    server.send(
        server.client().post(server.url("/v1/scan")).multipart(form),
        admin(server),
    )
}

fn audio(bytes: &[u8]) -> Value {
    json!({"kind": "audio", "data_base64": base64(bytes)})
}

fn image(bytes: &[u8]) -> Value {
    json!({"kind": "image", "data_base64": base64(bytes)})
}

/// The rows of the table whose header is `case | request | status | kind`.
fn table_rows(markdown: &str) -> Vec<Row> {
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect()
    };
    let mut lines = markdown.lines().enumerate();
    lines
        .by_ref()
        .find(|(_, l)| {
            l.trim_start().starts_with('|') && cells(l) == ["case", "request", "status", "kind"]
        })
        .expect("docs/api.md has a table headed `| case | request | status | kind |`");
    let (_, separator) = lines.next().expect("the table has a separator line");
    assert!(separator.contains("---"), "not a separator: {separator}");
    lines
        .take_while(|(_, l)| l.trim_start().starts_with('|'))
        .map(|(i, line)| {
            let cells = cells(line);
            assert_eq!(cells.len(), 4, "line {}: four cells: {line}", i + 1);
            Row {
                case: cells[0].clone(),
                status: cells[2]
                    .parse()
                    .unwrap_or_else(|_| panic!("line {}: a status: {line}", i + 1)),
                kind: cells[3].trim_matches('`').to_owned(),
                line: i + 1,
            }
        })
        .collect()
}

#[test]
fn every_row_of_the_bad_input_table_is_what_the_server_does() {
    let path = common::repo_root().join("docs/api.md");
    let markdown = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let rows = table_rows(&markdown);

    let mut problems = Vec::new();
    for row in &rows {
        if rows.iter().filter(|r| r.case == row.case).count() > 1 {
            problems.push(format!(
                "line {}: case `{}` is listed twice",
                row.line, row.case
            ));
        }
        if !CASES.iter().any(|(name, _)| *name == row.case) {
            problems.push(format!(
                "line {}: case `{}` has no request in tests/bad_input.rs; add one to CASES",
                row.line, row.case
            ));
        }
    }
    for (name, _) in CASES {
        if !rows.iter().any(|r| r.case == *name) {
            problems.push(format!(
                "case `{name}` of tests/bad_input.rs has no row in docs/api.md's bad-input table"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let server = TestServer::start_with(Options {
        config: ServeConfig {
            max_body_bytes: MAX_BODY_BYTES,
            reload_every: None,
            ..ServeConfig::default()
        },
        limits: Limits {
            max_media_bytes: MAX_MEDIA_BYTES,
            ..Limits::default()
        },
        ..Options::default()
    });
    for row in &rows {
        let (_, request) = CASES
            .iter()
            .find(|(name, _)| *name == row.case)
            .expect("checked above");
        let reply = request(&server);
        let answered = (reply.status, reply.json()["error"]["kind"].clone());
        if answered != (row.status, json!(row.kind)) {
            problems.push(format!(
                "line {}: `{}`: the table says {} `{}`, the server answered {} {}",
                row.line, row.case, row.status, row.kind, reply.status, reply.body
            ));
            continue;
        }
        // The shape every error shares.
        reply.expect_error(row.status, &row.kind);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Every refusal was counted by kind.
    let metrics = server.metrics();
    for row in &rows {
        let counter = format!("vigil_errors_total{{kind=\"{}\"}}", row.kind);
        assert!(metrics.contains(&counter), "no `{counter}` in\n{metrics}");
    }
}

#[test]
fn the_table_parser_reads_rows_and_stops_at_the_table_end() {
    let markdown = "text\n\n| case | request | status | kind |\n|---|---|---|---|\n\
                    | a | `GET /` | 404 | `not_found` |\n| b | x | 400 | `invalid_id` |\n\nmore\n| not | a | row | here |\n";
    let rows = table_rows(markdown);
    let read: Vec<(&str, u16, &str)> = rows
        .iter()
        .map(|r| (r.case.as_str(), r.status, r.kind.as_str()))
        .collect();
    assert_eq!(read, [("a", 404, "not_found"), ("b", 400, "invalid_id")]);
    assert_eq!(rows[0].line, 5);
}
