//! The [`Store`] handle: opening, schema version, closing, and the choice of
//! backend behind it.

use std::path::Path;

use sqlx::SqlitePool;

use crate::location::{self, Location};
use crate::{sqlite, StoreError};

/// Vigil's persistent store: one handle over whichever database backs it.
///
/// Cloning is cheap and shares the connection pool, so a server can hand a
/// clone to every task. Every method is safe to call concurrently.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) backend: Backend,
}

/// The database behind a [`Store`]. Adding PostgreSQL is adding a
/// `Postgres(PgPool)` variant, a `migrations/postgres` folder and a backend
/// module beside [`crate::sqlite`] that runs the shared [`crate::sql`].
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    /// An embedded SQLite file in WAL mode.
    Sqlite(SqlitePool),
}

impl Store {
    /// Opens the store at `url`, creating and migrating it as needed.
    ///
    /// `url` is `sqlite://PATH`, `sqlite:PATH` or a bare file path; the file
    /// (and its folder) is created if missing. The path is taken verbatim:
    /// `sqlite:///var/lib/vigil.db` is absolute, `sqlite://vigil.db`
    /// relative. `postgres://` URLs are refused with
    /// [`StoreError::Unsupported`] until PostgreSQL support lands.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        match location::parse(url)? {
            Location::SqliteFile(path) => Store::open_sqlite_as(&path, url).await,
        }
    }

    /// Opens (creating if missing) the SQLite store file at `path`.
    pub async fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        Store::open_sqlite_as(path, &path.display().to_string()).await
    }

    async fn open_sqlite_as(path: &Path, url: &str) -> Result<Store, StoreError> {
        let pool = sqlite::open(path, url).await?;
        Ok(Store {
            backend: Backend::Sqlite(pool),
        })
    }

    /// The version of the newest migration applied to the database, which
    /// [`Store::open`] brings up to the newest this build carries.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite::applied_version(pool).await,
        }
    }

    /// Closes every connection, waiting for those in use to be returned.
    ///
    /// Calls on this store or its clones fail afterwards. Dropping the last
    /// clone closes it too, but without waiting; call this at shutdown so
    /// that SQLite can checkpoint its write-ahead log into the file.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
        }
    }
}
