//! A small harness that runs the real `vigil` binary, as a user would.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
