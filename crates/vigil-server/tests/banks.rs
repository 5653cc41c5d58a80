//! Hash-bank changes reach a running server without a restart or a
//! rebuild: a hash added to a bank the policy uses blocks the next scans of
//! the image within a few reload periods, disabling it allows them again,
//! and the server's log says it applied the changes rather than rebuilt.
//!
//! The log is the server's stderr, so the server runs in a child process:
//! this test binary again, running only [`server_process`], which serves
//! the store and policy in the folder named by [`CHILD_DIR`].

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use vigil_engine::{Engine, Limits, PolicyState, TextModels, TextScorer};
use vigil_image::PdqHash;
use vigil_server::ServeConfig;
use vigil_store::{BankKind, NewEntry, Scope, Store};

/// Names the folder holding `vigil.db` and `policy.toml` for the child.
const CHILD_DIR: &str = "VIGIL_TEST_BANKS_SERVER_DIR";

/// What the child prints, then its address.
const LISTENING: &str = "test server listening on ";

/// How often the server looks at the banks.
const RELOAD_EVERY: Duration = Duration::from_millis(100);

/// Generous: a loaded machine may take many reload periods.
const POLL_FOR: Duration = Duration::from_secs(30);

const BANK: &str = "known_bad";

/// The image scanned: the PDQ reference's bridge photo when the shared data
/// is present, otherwise a generated one.
fn test_image() -> Vec<u8> {
    let path = common::repo_root().join("../shared/data/images/pdq/bridge-mods/aaa-orig.jpg");
    match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!(
                "{} is absent ({e}): scanning a generated image instead",
                path.display()
            );
            generated_png()
        }
    }
}

/// A 128×128 grey PNG of 16×16 blocks at scattered levels: edges enough
/// for a PDQ quality far above the policy's floor of 50.
fn generated_png() -> Vec<u8> {
    let pixels = image::GrayImage::from_fn(128, 128, |x, y| {
        let block = (x / 16) * 8 + y / 16;
        image::Luma([((block * 97 + 31) % 251) as u8])
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG encodes into memory");
    png
}

/// The default policy with the bank in use.
fn write_policy(dir: &Path) {
    let default = std::fs::read_to_string(common::default_policy()).expect("the default policy");
    let policy = format!("{default}\n[banks.{BANK}]\ncategory = \"violence_graphic\"\n");
    std::fs::write(dir.join("policy.toml"), policy).expect("the policy is written");
}

/// The server, running in a child process; killed when dropped.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    fn start(dir: &Path) -> ServerProcess {
        let mut child = Command::new(std::env::current_exe().expect("the test binary's path"))
            .args(["server_process", "--exact", "--ignored", "--nocapture"])
            .env(CHILD_DIR, dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server process starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix(LISTENING) {
                    let _ = tx.send(addr.parse::<SocketAddr>().expect("an address"));
                }
            }
        });
        let lines = Arc::new(Mutex::new(Vec::new()));
        let kept = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                kept.lock().expect("the log lock").push(line);
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr,
            Err(e) => {
                let _ = child.kill();
                let log = lines.lock().expect("the log lock").join("\n");
                panic!("the server process did not start ({e}); its stderr:\n{log}");
            }
        };
        ServerProcess {
            child,
            addr,
            stderr: lines,
        }
    }

    /// The lines the server has logged so far.
    fn log(&self) -> Vec<String> {
        self.stderr.lock().expect("the log lock").clone()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The decision for one scan of `image`.
fn scan(
    client: &reqwest::blocking::Client,
    server: &ServerProcess,
    key: &str,
    image: &[u8],
) -> Value {
    let body = json!({
        "id": "post",
        "media": [{"kind": "image", "data_base64": common::base64(image)}],
    });
    let reply = client
        .post(format!("http://{}/v1/scan", server.addr))
        .bearer_auth(key)
        .json(&body)
        .send()
        .expect("the server answers");
    assert_eq!(reply.status().as_u16(), 200, "the scan succeeds");
    reply.json().expect("a JSON decision")
}

#[test]
fn bank_changes_reach_a_running_server_incrementally() {
    let image = test_image();
    let pdq = vigil_image::pdq_from_bytes(&image).expect("the test image hashes");
    assert!(
        pdq.quality >= 50,
        "quality {} is below the floor",
        pdq.quality
    );
    let hash = pdq.hash.to_string();
    // An entry 256 bits away, so that the bank is not empty (an empty bank
    // means no match ran, and the image would go to review unexamined).
    let far = PdqHash::from_words(pdq.hash.words().map(|w| !w)).to_string();

    let dir = tempfile::tempdir().expect("a temporary directory");
    write_policy(dir.path());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let store = runtime
        .block_on(Store::open_sqlite(&dir.path().join("vigil.db")))
        .expect("a store");
    let key = runtime.block_on(async {
        store
            .create_bank(BANK, BankKind::Positive, "")
            .await
            .expect("create the bank");
        store
            .add_bank_entries(BANK, &[NewEntry::new(&far)])
            .await
            .expect("add the distant entry");
        store
            .create_api_key("scan", &[Scope::Scan])
            .await
            .expect("a key")
            .1
    });

    let server = ServerProcess::start(dir.path());
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("an HTTP client");
    let before = scan(&client, &server, &key, &image);
    assert_eq!(before["action"], "allow", "{before}");
    assert!(before["hash_matches"].as_array().is_none_or(Vec::is_empty));

    let entry = NewEntry {
        label: "the test image".to_owned(),
        ..NewEntry::new(&hash)
    };
    runtime
        .block_on(store.add_bank_entries(BANK, &[entry]))
        .expect("add the image's hash");
    let blocked = common::poll("the scan to be blocked", POLL_FOR, || {
        let decision = scan(&client, &server, &key, &image);
        (decision["action"] == "block").then_some(decision)
    });
    let matched = &blocked["hash_matches"][0];
    assert_eq!(matched["bank"], BANK, "{blocked}");
    assert_eq!(matched["distance"], 0, "{blocked}");
    assert_eq!(matched["label"], "the test image", "{blocked}");

    runtime
        .block_on(store.set_entry_enabled(BANK, &hash, false))
        .expect("disable the image's hash");
    common::poll("the scan to be allowed again", POLL_FOR, || {
        (scan(&client, &server, &key, &image)["action"] == "allow").then_some(())
    });

    let log = server.log();
    let said = |text: &str| log.iter().any(|line| line.contains(text));
    assert!(
        said("hash banks: applied 1 change (1 added, 0 enabled, 0 disabled, 0 removed"),
        "{log:#?}"
    );
    assert!(
        said("hash banks: applied 1 change (0 added, 0 enabled, 1 disabled, 0 removed"),
        "{log:#?}"
    );
    assert!(!said("rebuilt"), "{log:#?}");
    runtime.block_on(store.close());
}

#[test]
fn the_generated_image_hashes_above_the_quality_floor() {
    let pdq = vigil_image::pdq_from_bytes(&generated_png()).expect("the generated image hashes");
    assert!(pdq.quality >= 50, "quality {}", pdq.quality);
}

/// The server of [`bank_changes_reach_a_running_server_incrementally`],
/// run by it in a child process; does nothing when run otherwise.
#[test]
#[ignore = "the server process of bank_changes_reach_a_running_server_incrementally, started by it"]
fn server_process() {
    let Some(dir) = std::env::var_os(CHILD_DIR).map(PathBuf::from) else {
        eprintln!(
            "skipped: run only as the child of bank_changes_reach_a_running_server_incrementally"
        );
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let engine = Arc::new(Engine::new(
        TextScorer::load(&TextModels::default()).expect("the shipped text model loads"),
        PolicyState::load(&dir.join("policy.toml")).expect("the test policy is valid"),
        Limits::default(),
    ));
    runtime.block_on(async {
        let store = Store::open_sqlite(&dir.join("vigil.db"))
            .await
            .expect("the parent's store");
        let config = ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            reload_every: Some(RELOAD_EVERY),
            ..ServeConfig::default()
        };
        vigil_server::serve(engine, store, config, |addr| {
            println!("{LISTENING}{addr}");
        })
        .await
        .expect("the server runs until killed");
    });
}
