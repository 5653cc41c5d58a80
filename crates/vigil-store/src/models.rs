//! The model registry: the text models Vigil may serve, each a folder the
//! registry owns, with its content digest, the data it was trained on and
//! where it stands.
//!
//! A model is registered as a [`ModelStatus::Candidate`]; `vigil promote`
//! judges it and then either [`Store::promote_model`]s it (the model it
//! replaces is retired in the same transaction, so a name never has two
//! active models: the schema refuses it too) or [`Store::refuse_model`]s
//! it with the reason. The gate's report is kept either way.

use std::fmt;
use std::path::PathBuf;

use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::codec::unix_ms;
use crate::store::Backend;
use crate::{sql, Store, StoreError};

/// What a registered model is, which says how it is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelKind {
    /// A `vigil-text` linear model folder (`manifest.toml` + `weights.bin`).
    TextLinear,
}

impl ModelKind {
    /// The kind as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::TextLinear => "text-linear",
        }
    }

    fn parse(value: &str) -> Option<ModelKind> {
        (value == "text-linear").then_some(ModelKind::TextLinear)
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a registered model stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelStatus {
    /// Registered, not yet judged.
    Candidate,
    /// Served: at most one per name.
    Active,
    /// Was active, replaced by a later promotion.
    Retired,
    /// Judged and refused by the promotion gate.
    Refused,
}

impl ModelStatus {
    /// Every status.
    pub const ALL: [ModelStatus; 4] = [
        ModelStatus::Candidate,
        ModelStatus::Active,
        ModelStatus::Retired,
        ModelStatus::Refused,
    ];

    /// The status as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelStatus::Candidate => "candidate",
            ModelStatus::Active => "active",
            ModelStatus::Retired => "retired",
            ModelStatus::Refused => "refused",
        }
    }
}

impl fmt::Display for ModelStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A model to register as a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewModel {
    /// Its name, as decisions record it.
    pub name: String,
    /// Its version, as decisions record it.
    pub version: String,
    /// What it is.
    pub kind: ModelKind,
    /// The folder the registry owns its files in.
    pub path: PathBuf,
    /// `sha256:` over the folder's files (names and bytes).
    pub digest: String,
    /// The data sets it was trained on, as JSON (from its manifest).
    pub training_data: String,
}

/// A model as the registry holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredModel {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// What it is.
    pub kind: ModelKind,
    /// Its folder.
    pub path: PathBuf,
    /// The folder's digest when it was registered.
    pub digest: String,
    /// The data sets it was trained on, as JSON.
    pub training_data: String,
    /// Where it stands.
    pub status: ModelStatus,
    /// The promotion gate's report, as JSON, once judged.
    pub report: Option<String>,
    /// Why it was refused.
    pub reason: Option<String>,
    /// When it was registered.
    pub created_at: OffsetDateTime,
    /// When it was last promoted, refused or retired.
    pub decided_at: Option<OffsetDateTime>,
}

impl RegisteredModel {
    /// `NAME@VERSION`, as `vigil promote` takes it.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

impl Store {
    /// Registers `model` as a candidate. A name and version are registered
    /// once: [`StoreError::DuplicateModel`] otherwise.
    pub async fn register_model(&self, model: &NewModel) -> Result<(), StoreError> {
        let now = format_time(OffsetDateTime::now_utc())?;
        let result = match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query(sql::INSERT_MODEL)
                    .bind(&model.name)
                    .bind(&model.version)
                    .bind(model.kind.as_str())
                    .bind(model.path.to_string_lossy().as_ref())
                    .bind(&model.digest)
                    .bind(&model.training_data)
                    .bind(now)
                    .execute(pool)
                    .await
            }
        };
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::DuplicateModel {
                    name: model.name.clone(),
                    version: model.version.clone(),
                })
            }
            Err(e) => Err(StoreError::query("register a model")(e)),
        }
    }

    /// Every registered model, by name and then registration time.
    pub async fn list_models(&self) -> Result<Vec<RegisteredModel>, StoreError> {
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(&sql::list_models())
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("list models"))?,
        };
        rows.iter().map(model_from_row).collect()
    }

    /// The model `name` at `version`, if registered.
    pub async fn get_model(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Option<RegisteredModel>, StoreError> {
        let row = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(&sql::get_model())
                .bind(name)
                .bind(version)
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("get a model"))?,
        };
        row.as_ref().map(model_from_row).transpose()
    }

    /// The active model of `name`, if one is.
    pub async fn active_model(&self, name: &str) -> Result<Option<RegisteredModel>, StoreError> {
        let row = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(&sql::active_model())
                .bind(name)
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("get the active model"))?,
        };
        row.as_ref().map(model_from_row).transpose()
    }

    /// The most recently promoted active model of `kind`, whatever its
    /// name: the one a server serves when no model is named.
    pub async fn latest_active_model(
        &self,
        kind: ModelKind,
    ) -> Result<Option<RegisteredModel>, StoreError> {
        let row = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(&sql::latest_active_of_kind())
                .bind(kind.as_str())
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("get the latest active model"))?,
        };
        row.as_ref().map(model_from_row).transpose()
    }

    /// Makes `name@version` (a candidate, a retired model to roll back to,
    /// or a refused one judged again) active with the gate's `report`, retiring the active model of
    /// the same name in the same transaction. Returns the retired model's
    /// version, if one was active.
    pub async fn promote_model(
        &self,
        name: &str,
        version: &str,
        report: &str,
    ) -> Result<Option<String>, StoreError> {
        let now = OffsetDateTime::now_utc();
        let (text, ms) = (format_time(now)?, unix_ms(now));
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool
                    .begin()
                    .await
                    .map_err(StoreError::query("begin promote a model"))?;
                let previous = sqlx::query(&sql::active_model())
                    .bind(name)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(StoreError::query("get the active model"))?
                    .as_ref()
                    .map(model_from_row)
                    .transpose()?
                    .filter(|m| m.version != version);
                sqlx::query(sql::RETIRE_ACTIVE)
                    .bind(name)
                    .bind(version)
                    .bind(&text)
                    .bind(ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query("retire the active model"))?;
                let done = sqlx::query(sql::PROMOTE_MODEL)
                    .bind(name)
                    .bind(version)
                    .bind(report)
                    .bind(&text)
                    .bind(ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query("promote a model"))?;
                if done.rows_affected() == 0 {
                    // Dropping the transaction rolls the retirement back.
                    return Err(self.not_decidable(name, version).await);
                }
                tx.commit()
                    .await
                    .map_err(StoreError::query("commit promote a model"))?;
                Ok(previous.map(|m| m.version))
            }
        }
    }

    /// Marks `name@version` (anything but the active model) refused, with
    /// the failed checks as `reason` and the gate's `report`.
    pub async fn refuse_model(
        &self,
        name: &str,
        version: &str,
        reason: &str,
        report: &str,
    ) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc();
        let done = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::REFUSE_MODEL)
                .bind(name)
                .bind(version)
                .bind(reason)
                .bind(report)
                .bind(format_time(now)?)
                .bind(unix_ms(now))
                .execute(pool)
                .await
                .map_err(StoreError::query("refuse a model"))?,
        };
        if done.rows_affected() == 0 {
            return Err(self.not_decidable(name, version).await);
        }
        Ok(())
    }

    /// Why `name@version` could not be promoted or refused: unknown, or
    /// active already.
    async fn not_decidable(&self, name: &str, version: &str) -> StoreError {
        match self.get_model(name, version).await {
            Ok(Some(m)) => StoreError::ModelNotJudgeable {
                model: m.id(),
                status: m.status.as_str(),
            },
            Ok(None) => StoreError::UnknownModel {
                model: format!("{name}@{version}"),
            },
            Err(e) => e,
        }
    }
}

fn format_time(t: OffsetDateTime) -> Result<String, StoreError> {
    t.format(&Rfc3339).map_err(|e| StoreError::CorruptModel {
        model: String::new(),
        reason: format!("cannot format the time {t}: {e}"),
    })
}

fn model_from_row(row: &SqliteRow) -> Result<RegisteredModel, StoreError> {
    let get = |e| StoreError::Query {
        what: "read a model row",
        source: e,
    };
    let name: String = row.try_get(0).map_err(get)?;
    let version: String = row.try_get(1).map_err(get)?;
    let corrupt = |reason: String| StoreError::CorruptModel {
        model: format!("{name}@{version}"),
        reason,
    };
    let kind: String = row.try_get(2).map_err(get)?;
    let kind = ModelKind::parse(&kind).ok_or_else(|| corrupt(format!("unknown kind `{kind}`")))?;
    let status: String = row.try_get(6).map_err(get)?;
    let status = ModelStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == status)
        .ok_or_else(|| corrupt(format!("unknown status `{status}`")))?;
    let parse = |text: String| {
        OffsetDateTime::parse(&text, &Rfc3339)
            .map_err(|e| corrupt(format!("time `{text}` is not RFC 3339: {e}")))
    };
    let created_at: String = row.try_get(9).map_err(get)?;
    let decided_at: Option<String> = row.try_get(10).map_err(get)?;
    let path: String = row.try_get(3).map_err(get)?;
    Ok(RegisteredModel {
        kind,
        path: PathBuf::from(path),
        digest: row.try_get(4).map_err(get)?,
        training_data: row.try_get(5).map_err(get)?,
        status,
        report: row.try_get(7).map_err(get)?,
        reason: row.try_get(8).map_err(get)?,
        created_at: parse(created_at)?,
        decided_at: decided_at.map(parse).transpose()?,
        name,
        version,
    })
}
