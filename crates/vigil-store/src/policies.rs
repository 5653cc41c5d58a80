//! The policy files decisions were taken under, kept by digest.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::store::Backend;
use crate::{sql, Store, StoreError};

/// A policy file as it was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicy {
    /// `sha256:` of the file's bytes.
    pub digest: String,
    /// The policy's name.
    pub name: String,
    /// The policy's version.
    pub version: String,
    /// The file's text.
    pub text: String,
}

impl Store {
    /// Records a policy file (once per digest; recording it again does
    /// nothing).
    pub async fn record_policy(&self, policy: &StoredPolicy) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .expect("the current UTC time has a four-digit year, which RFC 3339 can write");
        match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query(sql::RECORD_POLICY)
                    .bind(&policy.digest)
                    .bind(&policy.name)
                    .bind(&policy.version)
                    .bind(&policy.text)
                    .bind(now)
                    .execute(pool)
                    .await
                    .map_err(StoreError::query("record policy"))?;
            }
        }
        Ok(())
    }

    /// The policy file recorded under `digest`, if any.
    pub async fn get_policy(&self, digest: &str) -> Result<Option<StoredPolicy>, StoreError> {
        use sqlx::Row;
        let row = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::GET_POLICY)
                .bind(digest)
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("get policy"))?,
        };
        row.map(|r| {
            Ok(StoredPolicy {
                digest: r.try_get(0).map_err(StoreError::query("read policy row"))?,
                name: r.try_get(1).map_err(StoreError::query("read policy row"))?,
                version: r.try_get(2).map_err(StoreError::query("read policy row"))?,
                text: r.try_get(3).map_err(StoreError::query("read policy row"))?,
            })
        })
        .transpose()
    }
}
