//! The harness every integration test shares: a real server on a loopback
//! port over a temporary store, API keys for each scope, and a blocking HTTP
//! client to talk to it.
//!
//! Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use serde_json::Value;
use vigil_engine::{Engine, Limits, PolicyState, TextModels, TextScorer};
use vigil_server::ServeConfig;
use vigil_store::{Scope, Store};

/// The workspace root, where `policies/` and `docs/` are.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shipped default policy.
pub fn default_policy() -> PathBuf {
    repo_root().join("policies/default.toml")
}

/// How to start a server.
#[derive(Debug, Clone)]
pub struct Options {
    /// The service configuration; `listen` is replaced by 127.0.0.1:0.
    pub config: ServeConfig,
    /// The engine's input limits.
    pub limits: Limits,
    /// The policy file.
    pub policy: PathBuf,
    /// Whether the engine decodes video (ffmpeg), reads text in pictures
    /// (tesseract) and transcribes speech (pocketsphinx), each found on the
    /// PATH; without them media decisions say the tools did not run.
    pub media_tools: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            config: ServeConfig {
                // Tests that exercise reloading turn it on themselves.
                reload_every: None,
                ..ServeConfig::default()
            },
            limits: Limits::default(),
            policy: default_policy(),
            media_tools: false,
        }
    }
}

/// The secret of one key per scope, and the id of each.
#[derive(Debug, Clone)]
pub struct Keys {
    pub scan: String,
    pub review: String,
    pub admin: String,
    pub scan_id: String,
}

/// A running server. Dropping it stops the server and deletes its store.
pub struct TestServer {
    pub addr: SocketAddr,
    pub store: Store,
    pub keys: Keys,
    client: reqwest::blocking::Client,
    // Dropped before `dir`, so the store's files are closed first.
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

/// One HTTP response, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Reply {
    /// The body as JSON; panics with the body when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("the body is not JSON ({e}): {}", self.body))
    }

    /// `error.kind` of an error body.
    pub fn error_kind(&self) -> String {
        self.error_field("kind")
    }

    /// `error.message` of an error body.
    pub fn error_message(&self) -> String {
        self.error_field("message")
    }

    fn error_field(&self, field: &str) -> String {
        let json = self.json();
        json["error"][field]
            .as_str()
            .unwrap_or_else(|| {
                panic!(
                    "status {}: not an error body with `{field}`: {}",
                    self.status, self.body
                )
            })
            .to_owned()
    }

    /// Panics unless the status is `status`, showing the body.
    pub fn expect_status(&self, status: u16) -> &Reply {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// Panics unless this is an error response with this status and kind,
    /// in the JSON error shape.
    pub fn expect_error(&self, status: u16, kind: &str) -> &Reply {
        self.expect_status(status);
        assert!(
            self.content_type.starts_with("application/json"),
            "an error must be JSON, got `{}`: {}",
            self.content_type,
            self.body
        );
        assert_eq!(self.error_kind(), kind, "body: {}", self.body);
        assert!(
            !self.error_message().is_empty(),
            "an error message must say something: {}",
            self.body
        );
        self
    }
}

impl TestServer {
    /// A server with the default options.
    pub fn start() -> TestServer {
        TestServer::start_with(Options::default())
    }

    /// A server with these options, listening on a free loopback port.
    pub fn start_with(options: Options) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a Tokio runtime");
        let mut engine = Engine::new(
            TextScorer::load(&TextModels::default()).expect("the shipped text model loads"),
            PolicyState::load(&options.policy).expect("the test policy is valid"),
            options.limits,
        );
        if options.media_tools {
            engine = engine
                .with_ffmpeg(vigil_video::Ffmpeg::locate(None).map_err(|e| e.to_string()))
                .with_ocr(vigil_image::ocr::Ocr::find("tesseract").map_err(|e| e.to_string()))
                .with_asr(
                    vigil_audio::Pocketsphinx::locate(None)
                        .map(|p| Arc::new(p) as Arc<dyn vigil_audio::SpeechToText>)
                        .map_err(|e| e.to_string()),
                );
        }
        let engine = Arc::new(engine);
        let store = runtime
            .block_on(Store::open_sqlite(&dir.path().join("vigil.db")))
            .expect("a temporary store");
        let keys = runtime.block_on(async {
            let key = |name: &'static str, scope: Scope| {
                let store = store.clone();
                async move {
                    store
                        .create_api_key(name, &[scope])
                        .await
                        .expect("a key is created")
                }
            };
            let (scan_key, scan) = key("scan", Scope::Scan).await;
            let (_, review) = key("review", Scope::Review).await;
            let (_, admin) = key("admin", Scope::Admin).await;
            Keys {
                scan,
                review,
                admin,
                scan_id: scan_key.id,
            }
        });
        let config = ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..options.config
        };
        let (tx, rx) = mpsc::channel();
        let served = store.clone();
        runtime.spawn(async move {
            let result = vigil_server::serve(engine, served, config, move |addr| {
                let _ = tx.send(addr);
            })
            .await;
            if let Err(e) = result {
                eprintln!("the test server stopped: {e}");
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server starts listening");
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
        TestServer {
            addr,
            store,
            keys,
            client,
            runtime,
            dir,
        }
    }

    /// The temporary folder the store lives in (tests may put files there).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs a future (a store call) on the server's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// `http://ADDR/PATH`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The HTTP client, for requests the helpers below do not cover.
    pub fn client(&self) -> &reqwest::blocking::Client {
        &self.client
    }

    /// Sends a request, with `Authorization: Bearer KEY` when a key is given.
    pub fn send(&self, request: reqwest::blocking::RequestBuilder, key: Option<&str>) -> Reply {
        let request = match key {
            Some(key) => request.bearer_auth(key),
            None => request,
        };
        read_reply(request.send().expect("the server answers"))
    }

    /// `GET PATH`.
    pub fn get(&self, path: &str, key: Option<&str>) -> Reply {
        self.send(self.client.get(self.url(path)), key)
    }

    /// `POST PATH` with a JSON body.
    pub fn post_json(&self, path: &str, key: Option<&str>, body: &Value) -> Reply {
        self.send(self.client.post(self.url(path)).json(body), key)
    }

    /// `POST PATH` with these bytes and this `Content-Type`.
    pub fn post_raw(
        &self,
        path: &str,
        key: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::blocking::Body>,
    ) -> Reply {
        let request = self
            .client
            .post(self.url(path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        self.send(request, key)
    }

    /// Scans a text with the scan key; panics unless it succeeds.
    pub fn scan_text(&self, id: &str, text: &str) -> Value {
        let reply = self.post_json(
            "/v1/scan",
            Some(&self.keys.scan),
            &serde_json::json!({"id": id, "text": text}),
        );
        reply.expect_status(200);
        reply.json()
    }

    /// `GET /metrics` as text.
    pub fn metrics(&self) -> String {
        let reply = self.get("/metrics", None);
        reply.expect_status(200);
        reply.body
    }
}

fn read_reply(response: reqwest::blocking::Response) -> Reply {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response.text().expect("a readable response body");
    Reply {
        status,
        content_type,
        body,
    }
}

/// Calls `check` until it returns `Some`, for at most `timeout`; panics
/// with `what` when it never does. For effects that take a moment (a
/// policy reload), never to assert that something did not happen.
pub fn poll<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A text the default policy blocks.
pub const THREAT: &str = "I will find you and beat you to death";

/// The actions from least to most restrictive.
pub const ACTIONS: [&str; 4] = ["allow", "review", "restrict", "block"];

/// How restrictive an action is (its index in [`ACTIONS`]).
pub fn severity(action: &Value) -> usize {
    let action = action.as_str().expect("an action is a string");
    ACTIONS
        .iter()
        .position(|a| *a == action)
        .unwrap_or_else(|| panic!("unknown action `{action}`"))
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A complete, valid 1×1 grayscale PNG (one black pixel).
pub fn tiny_png() -> Vec<u8> {
    // The scanline is a filter byte and one pixel, in a zlib stream holding
    // one stored (uncompressed) deflate block.
    let scanline = [0u8, 0u8];
    let mut zlib = vec![0x78, 0x01, 0x01, 0x02, 0x00, 0xfd, 0xff];
    zlib.extend(scanline);
    zlib.extend(adler32(&scanline).to_be_bytes());
    let mut png = PNG_SIGNATURE.to_vec();
    png_chunk(&mut png, b"IHDR", &ihdr(1, 1, 0));
    png_chunk(&mut png, b"IDAT", &zlib);
    png_chunk(&mut png, b"IEND", &[]);
    png
}

/// A PNG that claims `width`×`height` RGB pixels but holds none: a
/// signature, an IHDR and an empty IDAT, each chunk with a correct CRC. A
/// decoder that trusted the header would allocate width × height × 3 bytes.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = PNG_SIGNATURE.to_vec();
    png_chunk(&mut png, b"IHDR", &ihdr(width, height, 2));
    png_chunk(&mut png, b"IDAT", &[]);
    png
}

const PNG_SIGNATURE: [u8; 8] = *b"\x89PNG\r\n\x1a\n";

fn ihdr(width: u32, height: u32, colour_type: u8) -> Vec<u8> {
    let mut data = Vec::with_capacity(13);
    data.extend(width.to_be_bytes());
    data.extend(height.to_be_bytes());
    // Bit depth 8; compression, filter and interlace methods 0.
    data.extend([8, colour_type, 0, 0, 0]);
    data
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).expect("test chunks are small");
    out.extend(len.to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    // The CRC covers the chunk type and data, not the length.
    let crc = crc32(&out[start..]);
    out.extend(crc.to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today_utc() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::now_utc()
        .date()
        .format(&format)
        .expect("a date formats")
}

/// The statements of a `/v1/statements` body, each parsed as a statement of
/// reasons and checked against every rule of the Transparency Database.
pub fn valid_statements(body: &Value) -> Vec<vigil_dsa::StatementOfReasons> {
    body["statements"]
        .as_array()
        .unwrap_or_else(|| panic!("no list of statements in {body}"))
        .iter()
        .map(|s| {
            let statement: vigil_dsa::StatementOfReasons = serde_json::from_value(s.clone())
                .unwrap_or_else(|e| panic!("not a statement of reasons ({e}): {s}"));
            if let Err(violations) = statement.validate() {
                panic!("an invalid statement {s}: {violations:?}");
            }
            statement
        })
        .collect()
}

/// A copy of the default policy, changed by `edit`, in a temporary folder
/// (kept as long as the returned handle).
pub fn edited_policy(edit: impl FnOnce(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("policy.toml");
    let original = std::fs::read_to_string(default_policy()).expect("the default policy");
    let edited = edit(original.clone());
    assert_ne!(edited, original, "the edit changes the policy");
    std::fs::write(&path, edited).expect("the policy is written");
    (dir, path)
}

/// The default policy with `[log] store_content = true`.
pub fn content_keeping_policy() -> (tempfile::TempDir, PathBuf) {
    edited_policy(|p| p.replace("store_content = false", "store_content = true"))
}
