//! Headless Chromium driven over WebDriver: a `chromedriver` started on a
//! free loopback port for one test, a session in it, and blocking helpers
//! over fantoccini's async calls (the rest of the harness is blocking).
//! Each helper panics with what it was waiting for; this is test code.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long a helper waits for the page before failing.
const WAIT: Duration = Duration::from_secs(20);

/// The programs a browser test needs: `chromedriver` and the browser.
pub struct Programs {
    chromedriver: PathBuf,
    chromium: PathBuf,
}

/// Finds chromedriver and chromium on the `PATH`. When one is missing the
/// test is skipped with a printed reason, unless `CI` is set: there the
/// setup script must have installed them, so their absence fails.
pub fn programs_or_skip() -> Option<Programs> {
    let found = |name: &str| {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    };
    let chromedriver = found("chromedriver");
    let chromium = found("chromium").or_else(|| found("chromium-browser"));
    match (chromedriver, chromium) {
        (Some(chromedriver), Some(chromium)) => Some(Programs {
            chromedriver,
            chromium,
        }),
        (driver, _) => {
            let what = if driver.is_none() {
                "chromedriver"
            } else {
                "chromium"
            };
            let reason = format!(
                "{what} is not on the PATH; scripts/setup.sh installs the Debian packages chromium and chromium-driver"
            );
            assert!(std::env::var_os("CI").is_none(), "{reason}");
            eprintln!("skipped: {reason}");
            None
        }
    }
}

/// A running chromedriver; killed when dropped.
struct Driver {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(program: &Path) -> Driver {
        // A port the OS says is free; chromedriver binds it a moment later.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} starts: {e}", program.display()));
        let driver = Driver {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        };
        let status = format!("http://{}/status", driver.addr);
        let deadline = Instant::now() + WAIT;
        while reqwest::blocking::get(&status).map_or(true, |r| !r.status().is_success()) {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on {status}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

/// One headless browser session. Screenshots go to
/// `target/review-ui-screenshots/<test>-<nn>-<step>.png`.
pub struct Browser {
    client: Client,
    runtime: tokio::runtime::Runtime,
    screenshots: PathBuf,
    test: String,
    shots: usize,
    // Dropped after the session is closed.
    _profile: tempfile::TempDir,
    _driver: Driver,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let client = self.client.clone();
        let _ = self.runtime.block_on(client.close());
    }
}

impl Browser {
    /// Starts chromedriver and a headless Chromium in a fresh profile, for
    /// the test named `test`.
    pub fn start(programs: &Programs, test: &str) -> Browser {
        let driver = Driver::start(&programs.chromedriver);
        let profile = tempfile::tempdir().expect("a temporary browser profile");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a Tokio runtime");
        let options = json!({
            "binary": programs.chromium,
            "args": [
                "--headless=new",
                // Tests run as root in containers, where the sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,1600",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".to_owned(), options);
        let url = format!("http://{}", driver.addr);
        let client = runtime
            .block_on(
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities)
                    .connect(&url),
            )
            .unwrap_or_else(|e| panic!("a Chromium session through {url}: {e}"));
        let screenshots = screenshot_dir();
        std::fs::create_dir_all(&screenshots)
            .unwrap_or_else(|e| panic!("{} is created: {e}", screenshots.display()));
        Browser {
            client,
            runtime,
            screenshots,
            test: test.to_owned(),
            shots: 0,
            _profile: profile,
            _driver: driver,
        }
    }

    /// Opens `url`.
    pub fn goto(&self, url: &str) {
        self.runtime
            .block_on(self.client.goto(url))
            .unwrap_or_else(|e| panic!("the browser opens {url}: {e}"));
    }

    /// The first element matching `css`, waiting for it to appear.
    pub fn wait_for(&self, css: &str) -> Element {
        self.runtime
            .block_on(
                self.client
                    .wait()
                    .at_most(WAIT)
                    .for_element(Locator::Css(css)),
            )
            .unwrap_or_else(|e| panic!("no element `{css}` appeared: {e}"))
    }

    /// Waits until the script `condition` (a function body returning a
    /// boolean) is true.
    pub fn wait_until(&self, what: &str, condition: &str) {
        let deadline = Instant::now() + WAIT;
        while self.eval(condition, vec![]) != Value::Bool(true) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) and
    /// returns its value.
    pub fn eval(&self, script: &str, args: Vec<Value>) -> Value {
        self.runtime
            .block_on(self.client.execute(script, args))
            .unwrap_or_else(|e| panic!("the script ran ({script}): {e}"))
    }

    /// The visible text of the first element matching `css`.
    pub fn text(&self, css: &str) -> String {
        let element = self.wait_for(css);
        self.runtime
            .block_on(element.text())
            .unwrap_or_else(|e| panic!("the text of `{css}`: {e}"))
    }

    /// A property of the computed style of the first element matching `css`.
    pub fn computed_style(&self, css: &str, property: &str) -> String {
        self.wait_for(css);
        let value = self.eval(
            "return getComputedStyle(document.querySelector(arguments[0])).getPropertyValue(arguments[1]);",
            vec![json!(css), json!(property)],
        );
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Whether the first element matching `css` (a radio, a checkbox) is checked.
    pub fn is_checked(&self, css: &str) -> bool {
        let element = self.wait_for(css);
        self.runtime
            .block_on(element.is_selected())
            .unwrap_or_else(|e| panic!("whether `{css}` is checked: {e}"))
    }

    /// Clicks the first element matching `css`.
    pub fn click(&self, css: &str) {
        let element = self.wait_for(css);
        self.runtime
            .block_on(element.click())
            .unwrap_or_else(|e| panic!("`{css}` is clicked: {e}"));
    }

    /// Types `text` into the first element matching `css`.
    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.wait_for(css);
        self.runtime
            .block_on(element.send_keys(text))
            .unwrap_or_else(|e| panic!("text is typed into `{css}`: {e}"));
    }

    /// Presses each key in turn, sent to whatever has focus (as a reviewer
    /// presses shortcuts).
    pub fn press(&self, keys: &[Keystroke]) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for key in keys {
            let value = key.code();
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.runtime
            .block_on(self.client.perform_actions(actions))
            .unwrap_or_else(|e| panic!("the keys {keys:?} are pressed: {e}"));
    }

    /// Saves a PNG of the page as it is, named after the test and `step`.
    pub fn screenshot(&mut self, step: &str) -> PathBuf {
        let png = self
            .runtime
            .block_on(self.client.screenshot())
            .unwrap_or_else(|e| panic!("a screenshot of `{step}`: {e}"));
        assert!(png.starts_with(b"\x89PNG"), "a screenshot is a PNG");
        self.shots += 1;
        let path = self
            .screenshots
            .join(format!("{}-{:02}-{step}.png", self.test, self.shots));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("{} is written: {e}", path.display()));
        path
    }
}

/// One key a test presses.
#[derive(Debug, Clone, Copy)]
pub enum Keystroke {
    /// A printable key.
    Char(char),
    Enter,
    Escape,
}

impl Keystroke {
    /// Printable keys, one per character of `keys`.
    pub fn chars(keys: &str) -> Vec<Keystroke> {
        keys.chars().map(Keystroke::Char).collect()
    }

    fn code(self) -> char {
        match self {
            Keystroke::Char(c) => c,
            Keystroke::Enter => Key::Enter.into(),
            Keystroke::Escape => Key::Escape.into(),
        }
    }
}

/// `target/review-ui-screenshots/`, beside this build's `tmp/` folder, so
/// it follows `CARGO_TARGET_DIR`.
fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("review-ui-screenshots")
}
