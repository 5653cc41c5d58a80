//! API keys: scoped secrets that let a caller use Vigil's server, stored as
//! SHA-256 digests only.
//!
//! A key has a public id (`vk_` and 12 hex digits) that names it in lists
//! and logs, and a secret, `vigil_<id>_<64 hex digits>`, that is returned
//! once by [`Store::create_api_key`] and never stored. A presented secret is
//! hashed and looked up by its digest ([`Store::authenticate`]); revoking a
//! key ([`Store::revoke_api_key`]) takes effect on the next lookup.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::store::Backend;
use crate::{sql, Store, StoreError};

/// Random bytes in a key id: 48 bits, enough to keep ids of a few thousand
/// keys apart; the id is a name, not a secret.
const ID_RANDOM_BYTES: usize = 6;

/// Random bytes in a secret: 256 bits, beyond any guessing.
const SECRET_RANDOM_BYTES: usize = 32;

/// What an API key may do. [`Scope::Admin`] implies the others (see
/// [`ApiKey::allows`]).
///
/// Written in lower case (`scan`, `review`, `admin`) in JSON, on the command
/// line and in the store.
///
/// ```
/// use vigil_store::Scope;
///
/// let scope: Scope = "review".parse()?;
/// assert_eq!(scope, Scope::Review);
/// assert_eq!(scope.to_string(), "review");
/// assert!("write".parse::<Scope>().is_err());
/// # Ok::<(), vigil_store::UnknownScope>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Submit items for scanning (`POST /v1/scan` and its variants).
    Scan,
    /// Read and work the review queues.
    Review,
    /// Everything: every other scope, statements of reasons and key management.
    Admin,
}

impl Scope {
    /// Every scope, in canonical order (the order a key lists them in).
    pub const ALL: [Scope; 3] = [Scope::Scan, Scope::Review, Scope::Admin];

    /// The scope's name: `scan`, `review` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Scan => "scan",
            Scope::Review => "review",
            Scope::Admin => "admin",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = UnknownScope;

    fn from_str(s: &str) -> Result<Scope, UnknownScope> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| UnknownScope {
                value: s.to_owned(),
            })
    }
}

/// A scope name that is none of [`Scope::ALL`]; its message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope `{value}`; the valid scopes are {}", valid_scopes())]
pub struct UnknownScope {
    /// The name as given.
    pub value: String,
}

fn valid_scopes() -> String {
    Scope::ALL.map(Scope::as_str).join(", ")
}

/// An API key as the store holds it: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// The public id, `vk_` and 12 hex digits; also part of the secret.
    pub id: String,
    /// A name for people (who or what uses the key); may be empty.
    pub name: String,
    /// What the key may do, in canonical order, without repeats.
    pub scopes: Vec<Scope>,
    /// When it was created (UTC, whole seconds).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was revoked (UTC, whole seconds); `None` while it is active.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiKey {
    /// Whether the key grants `scope`: it holds that scope, or it holds
    /// [`Scope::Admin`], which implies every other.
    ///
    /// Revocation is not checked here: a revoked key is never returned by
    /// [`Store::authenticate`] in the first place.
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&Scope::Admin) || self.scopes.contains(&scope)
    }

    /// Whether the key has not been revoked.
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

impl Store {
    /// Creates an active key named `name` with `scopes`, returning the key
    /// and its secret.
    ///
    /// The secret is returned this once and only its SHA-256 is stored, so
    /// it cannot be shown again; a lost secret means a new key. Repeated
    /// scopes are kept once. A key needs at least one scope
    /// ([`StoreError::InvalidApiKey`] otherwise). Ids and secrets come from
    /// the operating system's random number generator
    /// ([`StoreError::Randomness`] if it fails).
    pub async fn create_api_key(
        &self,
        name: &str,
        scopes: &[Scope],
    ) -> Result<(ApiKey, String), StoreError> {
        let scopes = canonical_scopes(scopes);
        if scopes.is_empty() {
            return Err(StoreError::InvalidApiKey {
                name: name.to_owned(),
                reason: format!("it needs at least one scope ({})", valid_scopes()),
            });
        }
        let id = format!("vk_{}", random_hex(ID_RANDOM_BYTES)?);
        let secret = format!("vigil_{id}_{}", random_hex(SECRET_RANDOM_BYTES)?);
        let created_at = now_in_whole_seconds();
        match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query(sql::INSERT_API_KEY)
                    .bind(&id)
                    .bind(name)
                    .bind(scopes_text(&scopes))
                    .bind(secret_sha256(&secret))
                    .bind(format_now(created_at))
                    .execute(pool)
                    .await
                    .map_err(StoreError::query("insert API key"))?;
            }
        }
        let key = ApiKey {
            id,
            name: name.to_owned(),
            scopes,
            created_at,
            revoked_at: None,
        };
        Ok((key, secret))
    }

    /// Every key, active and revoked, oldest first.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::LIST_API_KEYS)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("list API keys"))?,
        };
        rows.iter().map(api_key_from_row).collect()
    }

    /// The key with this id, active or revoked, if there is one.
    pub async fn get_api_key(&self, id: &str) -> Result<Option<ApiKey>, StoreError> {
        let row = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::GET_API_KEY)
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("get API key"))?,
        };
        row.as_ref().map(api_key_from_row).transpose()
    }

    /// Revokes the key with this id, at once: its secret authenticates
    /// nothing from now on.
    ///
    /// Returns `true` when the key existed and was active, `false` when no
    /// key has this id or it was already revoked (its revocation time is
    /// then left as it was).
    pub async fn revoke_api_key(&self, id: &str) -> Result<bool, StoreError> {
        let revoked_at = format_now(now_in_whole_seconds());
        let changed = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::REVOKE_API_KEY)
                .bind(revoked_at)
                .bind(id)
                .execute(pool)
                .await
                .map_err(StoreError::query("revoke API key"))?
                .rows_affected(),
        };
        Ok(changed == 1)
    }

    /// The active key whose secret is `secret`, or `None` for a secret that
    /// is unknown, malformed or belongs to a revoked key.
    ///
    /// ```
    /// use vigil_store::{Scope, Store};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # tokio::runtime::Runtime::new()?.block_on(async {
    /// let store = Store::open_sqlite(&dir.path().join("vigil.db")).await?;
    /// let (key, secret) = store.create_api_key("moderation-ui", &[Scope::Review]).await?;
    ///
    /// let caller = store.authenticate(&secret).await?.expect("an active key");
    /// assert_eq!(caller.id, key.id);
    /// assert!(caller.allows(Scope::Review) && !caller.allows(Scope::Scan));
    ///
    /// store.revoke_api_key(&key.id).await?;
    /// assert_eq!(store.authenticate(&secret).await?, None);
    /// # store.close().await;
    /// # Ok::<(), vigil_store::StoreError>(())
    /// # })?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>, StoreError> {
        // The secret is found by its digest, not compared with a stored
        // value, so there is no comparison to make constant-time. What a
        // lookup's timing could leak is how a digest the caller chose
        // relates to stored digests; SHA-256 cannot be inverted, so that
        // says nothing about any stored secret. A fast hash is enough (no
        // password hashing) because secrets hold 256 random bits, not words.
        let digest = secret_sha256(secret);
        let row = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::AUTHENTICATE_API_KEY)
                .bind(digest)
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("authenticate API key"))?,
        };
        row.as_ref().map(api_key_from_row).transpose()
    }
}

/// The scopes in canonical order, each once.
fn canonical_scopes(scopes: &[Scope]) -> Vec<Scope> {
    let mut scopes = scopes.to_vec();
    scopes.sort_unstable();
    scopes.dedup();
    scopes
}

/// The stored form of a key's scopes: `scan,review`.
fn scopes_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The stored digest of a secret: lower-case hex SHA-256 of its UTF-8 bytes.
fn secret_sha256(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// `len` bytes from the operating system's generator, hex-encoded.
fn random_hex(len: usize) -> Result<String, StoreError> {
    let mut bytes = vec![0u8; len];
    getrandom::getrandom(&mut bytes).map_err(|source| StoreError::Randomness { source })?;
    Ok(hex::encode(bytes))
}

/// The current time in UTC without its fraction of a second, so that stored
/// times are fixed-width and sort as text.
fn now_in_whole_seconds() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now - Duration::nanoseconds(i64::from(now.nanosecond()))
}

/// `now` (a time from [`now_in_whole_seconds`]) as stored: RFC 3339, UTC.
fn format_now(now: OffsetDateTime) -> String {
    now.format(&Rfc3339)
        .expect("the current UTC time has a four-digit year, which RFC 3339 can write")
}

/// A key from the columns `id, name, scopes, created_at, revoked_at`.
fn api_key_from_row(row: &SqliteRow) -> Result<ApiKey, StoreError> {
    let column = |source| StoreError::Query {
        what: "read API key row",
        source,
    };
    let id: String = row.try_get(0).map_err(column)?;
    let name: String = row.try_get(1).map_err(column)?;
    let scopes: String = row.try_get(2).map_err(column)?;
    let created_at: String = row.try_get(3).map_err(column)?;
    let revoked_at: Option<String> = row.try_get(4).map_err(column)?;

    let corrupt = |reason: String| StoreError::CorruptApiKey {
        id: id.clone(),
        reason,
    };
    let scopes = scopes
        .split(',')
        .map(|s| s.parse::<Scope>().map_err(|e| corrupt(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let parse_time = |what: &str, text: &str| {
        OffsetDateTime::parse(text, &Rfc3339)
            .map_err(|e| corrupt(format!("its {what} `{text}` is not RFC 3339: {e}")))
    };
    let created_at = parse_time("created_at", &created_at)?;
    let revoked_at = revoked_at
        .map(|t| parse_time("revoked_at", &t))
        .transpose()?;
    Ok(ApiKey {
        id,
        name,
        scopes,
        created_at,
        revoked_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_what_they_write() {
        for scope in Scope::ALL {
            assert_eq!(scope.to_string().parse::<Scope>(), Ok(scope));
            let json = serde_json::to_string(&scope).expect("serialises");
            assert_eq!(json, format!("\"{scope}\""));
        }
    }

    #[test]
    fn an_unknown_scope_names_the_valid_ones() {
        let err = "Admin".parse::<Scope>().expect_err("names are lower case");
        assert_eq!(
            err.to_string(),
            "unknown scope `Admin`; the valid scopes are scan, review, admin"
        );
    }

    #[test]
    fn admin_implies_every_scope_and_others_only_themselves() {
        let key = |scopes: Vec<Scope>| ApiKey {
            id: "vk_000000000000".to_owned(),
            name: String::new(),
            scopes,
            created_at: OffsetDateTime::UNIX_EPOCH,
            revoked_at: None,
        };
        let admin = key(vec![Scope::Admin]);
        assert!(Scope::ALL.iter().all(|&s| admin.allows(s)));
        let scan = key(vec![Scope::Scan]);
        assert!(scan.allows(Scope::Scan));
        assert!(!scan.allows(Scope::Review) && !scan.allows(Scope::Admin));
    }

    #[test]
    fn scopes_are_kept_in_canonical_order_once() {
        let scopes = canonical_scopes(&[Scope::Admin, Scope::Scan, Scope::Admin]);
        assert_eq!(scopes, [Scope::Scan, Scope::Admin]);
        assert_eq!(scopes_text(&scopes), "scan,admin");
    }

    #[test]
    fn stored_times_are_fixed_width() {
        let text = format_now(now_in_whole_seconds());
        assert_eq!(text.len(), "2025-03-01T09:00:00Z".len(), "{text}");
        assert!(text.ends_with('Z'), "{text}");
    }
}
