//! The SQLite backend: connection settings, migrations, and running the
//! shared SQL of [`crate::sql`] on a [`SqlitePool`].

use std::path::Path;
use std::time::Duration;

use sqlx::migrate::{Migrate, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::codec::{DecisionRow, TimeWindow};
use crate::review::ItemRow;
use crate::{sql, StoreError, TimeOrder};

/// The SQLite schema, embedded at build time.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a connection waits for another's write lock before failing.
/// Writers take turns in SQLite, so under load they queue here.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections in the pool. WAL lets readers run beside the one writer;
/// more connections than this mostly add lock contention.
const MAX_CONNECTIONS: u32 = 8;

/// Opens (creating if missing) and migrates the database file at `path`.
/// `url` is what the caller gave, for error messages.
pub(crate) async fn open(path: &Path, url: &str) -> Result<SqlitePool, StoreError> {
    create_parent_dir(path)?;
    // WAL: readers do not block the writer nor the writer readers.
    // synchronous=NORMAL: in WAL mode a commit survives a crash of the
    // process; only a power loss or OS crash can roll back the last commits.
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    let pool = SqlitePoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open {
            url: url.to_owned(),
            source,
        })?;
    if let Err(e) = migrate(&pool).await {
        pool.close().await;
        return Err(e);
    }
    Ok(pool)
}

fn create_parent_dir(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => std::fs::create_dir_all(dir)
            .map_err(|source| StoreError::CreateDir {
                path: dir.to_owned(),
                source,
            }),
        _ => Ok(()),
    }
}

/// Applies the migrations not yet applied, refusing a schema newer than ours.
async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    let supported = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let found = applied_version(pool).await?;
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    MIGRATOR
        .run(pool)
        .await
        .map_err(|source| StoreError::Migrate { source })
}

/// The newest migration applied, 0 when none is.
pub(crate) async fn applied_version(pool: &SqlitePool) -> Result<i64, StoreError> {
    let mut conn = pool
        .acquire()
        .await
        .map_err(StoreError::query("acquire a connection"))?;
    let migrate_err = |source| StoreError::Migrate { source };
    conn.ensure_migrations_table().await.map_err(migrate_err)?;
    let applied = conn.list_applied_migrations().await.map_err(migrate_err)?;
    Ok(applied.iter().map(|m| m.version).max().unwrap_or(0))
}

/// Writes a decision and its scores in one transaction.
pub(crate) async fn insert_decision(
    pool: &SqlitePool,
    row: &DecisionRow<'_>,
) -> Result<(), StoreError> {
    insert_decisions(pool, std::slice::from_ref(row), &[], &[])
        .await
        .map(|_| ())
}

/// Every row, the `(decision id, item JSON)` contents and the review-queue
/// entries, in one transaction: all are stored or none is. Returns the
/// entries queued (a full active-learning bucket takes none).
pub(crate) async fn insert_decisions(
    pool: &SqlitePool,
    rows: &[DecisionRow<'_>],
    contents: &[(String, String)],
    reviews: &[ItemRow],
) -> Result<u64, StoreError> {
    let mut tx = pool
        .begin()
        .await
        .map_err(StoreError::query("begin insert decision"))?;
    if !rows.is_empty() {
        // One statement for every row: each statement is a round trip to
        // SQLite's worker thread, and a scan writes twelve rows.
        match insert_rows(&mut tx, rows).await {
            Ok(()) => {}
            // Find which row offends, with the one-row path's errors.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                tx.rollback()
                    .await
                    .map_err(StoreError::query("roll back insert decision"))?;
                tx = pool
                    .begin()
                    .await
                    .map_err(StoreError::query("begin insert decision"))?;
                for row in rows {
                    insert_row(&mut tx, row).await?;
                }
            }
            Err(source) => {
                return Err(StoreError::Query {
                    what: "insert decisions",
                    source,
                })
            }
        }
    }
    for (id, item) in contents {
        sqlx::query(sql::INSERT_CONTENT)
            .bind(id)
            .bind(item)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("insert decision content"))?;
    }
    let mut queued = 0;
    for review in reviews {
        queued += u64::from(review.insert(&mut tx).await?);
    }
    tx.commit()
        .await
        .map_err(StoreError::query("commit insert decision"))?;
    Ok(queued)
}

/// Rows per multi-row statement, under SQLite's 32,766 placeholders.
const DECISIONS_PER_STATEMENT: usize = 500;
const SCORES_PER_STATEMENT: usize = 2000;

/// Every row and its scores in as few statements as the placeholder limit allows.
async fn insert_rows(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    rows: &[DecisionRow<'_>],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(DECISIONS_PER_STATEMENT) {
        let text = sql::insert_decisions(chunk.len());
        let mut q = sqlx::query(&text);
        for row in chunk {
            q = bind_decision(q, row);
        }
        q.execute(&mut **tx).await?;
    }
    let scores: Vec<_> = rows
        .iter()
        .flat_map(|row| row.scores.iter().map(move |s| (&row.id_text, s)))
        .collect();
    for chunk in scores.chunks(SCORES_PER_STATEMENT) {
        let text = sql::insert_scores(chunk.len());
        let mut q = sqlx::query(&text);
        for (id, score) in chunk {
            q = q
                .bind(*id)
                .bind(score.category)
                .bind(score.score)
                .bind(score.action);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Binds one `decisions` row's 12 columns, in `sql::INSERT_DECISION` order.
fn bind_decision<'q>(
    q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    row: &'q DecisionRow<'_>,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    q.bind(&row.id_text)
        .bind(row.item_id)
        .bind(row.action)
        .bind(&row.decided_at)
        .bind(row.decided_at_unix_ms)
        .bind(row.policy_name)
        .bind(row.policy_version)
        .bind(row.policy_digest)
        .bind(&row.models)
        .bind(row.input_digest)
        .bind(row.latency_us)
        .bind(&row.body)
}

/// One decision and its scores, inside the caller's transaction; a
/// duplicate id is [`StoreError::Duplicate`].
pub(crate) async fn insert_row(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    row: &DecisionRow<'_>,
) -> Result<(), StoreError> {
    let id = row.id;
    bind_decision(sqlx::query(sql::INSERT_DECISION), row)
        .execute(&mut **tx)
        .await
        .map_err(|source| match source {
            sqlx::Error::Database(e) if e.is_unique_violation() => StoreError::Duplicate { id },
            source => StoreError::Query {
                what: "insert decision",
                source,
            },
        })?;
    for score in &row.scores {
        sqlx::query(sql::INSERT_SCORE)
            .bind(&row.id_text)
            .bind(score.category)
            .bind(score.score)
            .bind(score.action)
            .execute(&mut **tx)
            .await
            .map_err(|source| match source {
                sqlx::Error::Database(e) if e.is_unique_violation() => StoreError::Invalid {
                    id,
                    reason: format!("category `{}` appears more than once", score.category),
                },
                source => StoreError::Query {
                    what: "insert decision score",
                    source,
                },
            })?;
    }
    Ok(())
}

/// The `(id, item JSON)` stored for one decision, if any.
pub(crate) async fn get_content(
    pool: &SqlitePool,
    id: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let row = sqlx::query(sql::GET_CONTENT)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::query("get decision content"))?;
    row.as_ref().map(id_and_body).transpose()
}

/// The `(id, body)` of one decision.
pub(crate) async fn get_decision(
    pool: &SqlitePool,
    id: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let row = sqlx::query(sql::GET_DECISION)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::query("get decision"))?;
    row.map(|r| id_and_body(&r)).transpose()
}

/// The `(id, body)` of the decisions in a window, in time order.
pub(crate) async fn list_decisions(
    pool: &SqlitePool,
    window: TimeWindow,
    action: Option<&'static str>,
    limit: i64,
    order: TimeOrder,
) -> Result<Vec<(String, String)>, StoreError> {
    let text = sql::list_decisions(action.is_some(), order);
    let mut query = sqlx::query(&text)
        .bind(window.since_ms)
        .bind(window.until_ms);
    if let Some(action) = action {
        query = query.bind(action);
    }
    let rows = query
        .bind(limit)
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("list decisions"))?;
    rows.iter().map(id_and_body).collect()
}

/// `(action, count)` for each action present in the window.
pub(crate) async fn count_decisions_by_action(
    pool: &SqlitePool,
    window: TimeWindow,
) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query(sql::COUNT_DECISIONS_BY_ACTION)
        .bind(window.since_ms)
        .bind(window.until_ms)
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("count decisions by action"))?;
    rows.iter()
        .map(|r| {
            let action: String = r
                .try_get(0)
                .map_err(StoreError::query("count decisions by action"))?;
            let count: i64 = r
                .try_get(1)
                .map_err(StoreError::query("count decisions by action"))?;
            Ok((action, count))
        })
        .collect()
}

/// Deletes decisions (and their scores) taken before `cutoff_ms`; returns
/// how many decisions went.
pub(crate) async fn purge_decisions_before(
    pool: &SqlitePool,
    cutoff_ms: i64,
) -> Result<u64, StoreError> {
    let mut tx = pool
        .begin()
        .await
        .map_err(StoreError::query("begin purge decisions"))?;
    sqlx::query(sql::PURGE_SCORES_BEFORE)
        .bind(cutoff_ms)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("purge decision scores"))?;
    sqlx::query(sql::PURGE_CONTENT_BEFORE)
        .bind(cutoff_ms)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("purge decision content"))?;
    let purged = sqlx::query(sql::PURGE_DECISIONS_BEFORE)
        .bind(cutoff_ms)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("purge decisions"))?
        .rows_affected();
    tx.commit()
        .await
        .map_err(StoreError::query("commit purge decisions"))?;
    Ok(purged)
}

fn id_and_body(row: &sqlx::sqlite::SqliteRow) -> Result<(String, String), StoreError> {
    let id: String = row
        .try_get(0)
        .map_err(StoreError::query("read decision row"))?;
    let body: String = row
        .try_get(1)
        .map_err(StoreError::query("read decision row"))?;
    Ok((id, body))
}
