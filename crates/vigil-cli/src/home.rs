//! Where Vigil keeps its files: the store, the model cache, imported data.
//!
//! Resolved once, at the edge: `--home`, else `$VIGIL_HOME`, else
//! `$XDG_DATA_HOME/vigil`, else `~/.local/share/vigil`.

use std::path::{Path, PathBuf};

/// Vigil's data directory and the paths inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// Resolve the home directory from a flag and the environment.
    pub fn resolve(flag: Option<PathBuf>) -> Home {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let root = flag
            .or_else(|| env("VIGIL_HOME"))
            .or_else(|| env("XDG_DATA_HOME").map(|d| d.join("vigil")))
            .or_else(|| env("HOME").map(|h| h.join(".local/share/vigil")))
            .unwrap_or_else(|| PathBuf::from(".vigil"));
        Home { root }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The embedded SQLite store.
    pub fn store_path(&self) -> PathBuf {
        self.root.join("vigil.db")
    }

    /// The store a `--db` flag names, else this home's store.
    pub fn store_url(&self, db: Option<&str>) -> String {
        db.map_or_else(|| self.store_path().display().to_string(), str::to_owned)
    }

    /// The model cache (unpacked model files).
    pub fn model_dir(&self) -> PathBuf {
        self.root.join("models")
    }

    /// Where the model registry keeps the folders it owns:
    /// `registry/NAME/VERSION` under the model cache.
    pub fn registry_dir(&self) -> PathBuf {
        self.model_dir().join("registry")
    }

    /// Canonical data sets kept in the home, one folder each: the golden
    /// set of `vigil promote` when none is named.
    pub fn datasets_dir(&self) -> PathBuf {
        self.root.join("datasets")
    }

    /// Create the directory if needed.
    pub fn create(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.root)
    }
}
