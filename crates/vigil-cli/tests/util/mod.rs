//! A small harness that runs the real `vigil` binary, as a user would.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared data folder beside the checkout, if present.
pub fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("VIGIL_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/data"));
    dir.is_dir().then_some(dir)
}

/// One run of `vigil` in a private home directory.
pub struct Vigil {
    home: tempfile::TempDir,
}

/// What a run printed and how it ended.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Vigil {
    pub fn new() -> Vigil {
        Vigil {
            home: tempfile::tempdir().expect("a temporary home"),
        }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Run `vigil ARGS` from the repository root.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out: Output = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(args)
            .current_dir(repo_root())
            .env("VIGIL_HOME", self.home.path())
            .env_remove("XDG_DATA_HOME")
            .output()
            .expect("the vigil binary runs");
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Panic with the whole output unless the run succeeded.
    pub fn success(self) -> Run {
        assert_eq!(
            self.status, 0,
            "vigil failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panic with the whole output unless the run failed.
    pub fn failure(self) -> Run {
        assert_ne!(
            self.status, 0,
            "vigil should have failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A running `vigil serve` (on a free loopback port) and its address.
/// Dropping it kills the server.
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    /// `vigil serve` in `home` with the usual test flags.
    pub fn start(home: &Path) -> Server {
        Server::start_with::<&str>(home, &[])
    }

    /// `vigil serve` with `extra` flags after the usual ones.
    pub fn start_with<S: AsRef<std::ffi::OsStr>>(home: &Path, extra: &[S]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--no-cascade",
                "--reload-ms",
                "0",
            ])
            .args(extra)
            .current_dir(repo_root())
            .env("VIGIL_HOME", home)
            .env_remove("XDG_DATA_HOME")
            .stderr(Stdio::piped())
            .spawn()
            .expect("vigil serve starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("vigil serve printed its address before exiting")
                .expect("stderr is readable");
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new API key of `scope` in `vigil`'s store; its secret.
pub fn key(vigil: &Vigil, scope: &str) -> String {
    vigil
        .run(["keys", "create", "--scope", scope])
        .success()
        .stdout
        .trim()
        .to_owned()
}
