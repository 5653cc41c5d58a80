//! The SQL text of every query, written once for every backend.
//!
//! Only portable SQL goes here: `$N` placeholders (which SQLite and
//! PostgreSQL both read), plain `SELECT`/`INSERT`/`DELETE`, no
//! backend-specific functions. Placeholders are numbered in the order they
//! appear in the text, which SQLite's binding relies on.

use crate::TimeOrder;

pub(crate) mod models;
pub(crate) use models::*;

/// Inserts one `decisions` row.
pub(crate) const INSERT_DECISION: &str = "\
    INSERT INTO decisions (id, item_id, action, decided_at, decided_at_unix_ms, \
        policy_name, policy_version, policy_digest, models, input_digest, latency_us, body) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// Inserts one `decision_scores` row.
pub(crate) const INSERT_SCORE: &str = "\
    INSERT INTO decision_scores (decision_id, category, score, action) \
    VALUES ($1, $2, $3, $4)";

/// Inserts `rows` `decisions` rows in one statement (12 placeholders a row).
pub(crate) fn insert_decisions(rows: usize) -> String {
    multi_row(INSERT_DECISION, 12, rows)
}

/// Inserts `rows` `decision_scores` rows in one statement (4 placeholders a row).
pub(crate) fn insert_scores(rows: usize) -> String {
    multi_row(INSERT_SCORE, 4, rows)
}

/// `single` (an `INSERT … VALUES ($1, …, $width)`) repeated for `rows` rows
/// in one portable multi-row `VALUES` list.
fn multi_row(single: &str, width: usize, rows: usize) -> String {
    let head = &single[..single.find("VALUES").expect("an INSERT … VALUES statement")];
    let mut out = String::with_capacity(head.len() + rows * width * 5);
    out.push_str(head);
    out.push_str("VALUES ");
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * width + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// The stored body of one decision, by id.
pub(crate) const GET_DECISION: &str = "SELECT id, body FROM decisions WHERE id = $1";

/// Row counts per action in the window `[$1, $2)`.
pub(crate) const COUNT_DECISIONS_BY_ACTION: &str = "\
    SELECT action, COUNT(*) FROM decisions \
    WHERE decided_at_unix_ms >= $1 AND decided_at_unix_ms < $2 \
    GROUP BY action";

/// Deletes the scores of decisions taken before `$1`.
pub(crate) const PURGE_SCORES_BEFORE: &str = "\
    DELETE FROM decision_scores WHERE decision_id IN \
        (SELECT id FROM decisions WHERE decided_at_unix_ms < $1)";

/// Deletes the stored content of decisions taken before `$1`.
pub(crate) const PURGE_CONTENT_BEFORE: &str = "\
    DELETE FROM decision_content WHERE decision_id IN \
        (SELECT id FROM decisions WHERE decided_at_unix_ms < $1)";

/// Stores a decision's content: `$1` id, `$2` the item JSON.
pub(crate) const INSERT_CONTENT: &str =
    "INSERT INTO decision_content (decision_id, item) VALUES ($1, $2)";

/// The content stored for decision `$1`.
pub(crate) const GET_CONTENT: &str =
    "SELECT decision_id, item FROM decision_content WHERE decision_id = $1";

/// Deletes the decisions taken before `$1` (after their scores).
pub(crate) const PURGE_DECISIONS_BEFORE: &str =
    "DELETE FROM decisions WHERE decided_at_unix_ms < $1";

/// Lists stored bodies in the window `[$1, $2)`, in time order, id breaking
/// ties. With `by_action`, `$3` is the action and `$4` the limit; without,
/// `$3` is the limit.
///
/// The text is assembled from fixed pieces only; no value ever goes into it.
pub(crate) fn list_decisions(by_action: bool, order: TimeOrder) -> String {
    let (action_filter, limit) = if by_action {
        ("AND action = $3 ", "$4")
    } else {
        ("", "$3")
    };
    let direction = match order {
        TimeOrder::OldestFirst => "ASC",
        TimeOrder::NewestFirst => "DESC",
    };
    format!(
        "SELECT id, body FROM decisions \
         WHERE decided_at_unix_ms >= $1 AND decided_at_unix_ms < $2 {action_filter}\
         ORDER BY decided_at_unix_ms {direction}, id {direction} \
         LIMIT {limit}"
    )
}

pub(crate) const INSERT_EVAL_RUN: &str = "\
INSERT INTO eval_runs (id, created_at, created_at_unix_ms, model_name, model_version, \
policy_name, policy_version, split, datasets, report) \
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub(crate) const INSERT_EVAL_METRIC: &str = "\
INSERT INTO eval_metrics (run_id, category, n_known, positives, auprc, auprc_low, auprc_high, roc_auc) \
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

pub(crate) const EVAL_HISTORY: &str = "\
SELECT r.id, r.created_at, r.model_name, r.model_version, r.policy_name, r.policy_version, r.split, \
m.n_known, m.positives, m.auprc, m.auprc_low, m.auprc_high, m.roc_auc \
FROM eval_metrics m JOIN eval_runs r ON r.id = m.run_id \
WHERE m.category = $1 ORDER BY r.created_at_unix_ms, r.id";

/// Inserts one `api_keys` row, active.
pub(crate) const INSERT_API_KEY: &str = "\
    INSERT INTO api_keys (id, name, scopes, secret_sha256, created_at) \
    VALUES ($1, $2, $3, $4, $5)";

/// Every API key, oldest first: creation times are fixed-width RFC 3339
/// text in UTC, so they sort as text; the id breaks ties.
pub(crate) const LIST_API_KEYS: &str = "\
    SELECT id, name, scopes, created_at, revoked_at FROM api_keys \
    ORDER BY created_at, id";

/// One API key, by id.
pub(crate) const GET_API_KEY: &str = "\
    SELECT id, name, scopes, created_at, revoked_at FROM api_keys WHERE id = $1";

/// The active API key whose secret hashes to `$1`.
pub(crate) const AUTHENTICATE_API_KEY: &str = "\
    SELECT id, name, scopes, created_at, revoked_at FROM api_keys \
    WHERE secret_sha256 = $1 AND revoked_at IS NULL";

/// Marks the key `$2` revoked at `$1`, unless it already is.
pub(crate) const REVOKE_API_KEY: &str =
    "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_placeholders_are_numbered_in_order_of_appearance() {
        let sql = list_decisions(true, TimeOrder::NewestFirst);
        let positions: Vec<usize> = ["$1", "$2", "$3", "$4"]
            .iter()
            .map(|p| sql.find(p).expect("placeholder present"))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{sql}");
        assert!(sql.contains("DESC, id DESC"));
        let sql = list_decisions(false, TimeOrder::OldestFirst);
        assert!(sql.ends_with("LIMIT $3") && !sql.contains("$4"), "{sql}");
    }
}

/// Records a policy file once: `$1` digest, `$2` name, `$3` version, `$4`
/// text, `$5` first seen.
pub(crate) const RECORD_POLICY: &str = "\
    INSERT INTO policies (digest, name, version, text, first_seen) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (digest) DO NOTHING";

/// The policy file recorded under digest `$1`.
pub(crate) const GET_POLICY: &str =
    "SELECT digest, name, version, text FROM policies WHERE digest = $1";

#[cfg(test)]
mod multi_row_tests {
    #[test]
    fn multi_row_inserts_number_placeholders_in_order() {
        let sql = super::insert_scores(2);
        assert!(
            sql.ends_with("VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)"),
            "{sql}"
        );
        assert!(
            sql.starts_with("INSERT INTO decision_scores (decision_id, category, score, action)")
        );
        assert_eq!(super::insert_decisions(1).matches('$').count(), 12);
    }
}

/// Creates a bank: `$1` name, `$2` kind, `$3` description, `$4` created at,
/// `$5` media.
pub(crate) const INSERT_BANK: &str = "\
    INSERT INTO banks (name, kind, description, created_at, media) VALUES ($1, $2, $3, $4, $5)";

/// Every bank with its entry counts (all, enabled) and media, in name order.
/// A bank's entries are in one of the two entry tables, by its media; the
/// media table is small, so it is counted by subquery beside the join that
/// counts image entries.
pub(crate) const LIST_BANKS: &str = "\
    SELECT b.name, b.kind, b.description, b.created_at, \
        COUNT(e.id) + (SELECT COUNT(*) FROM media_bank_entries m WHERE m.bank = b.name), \
        COALESCE(SUM(e.enabled), 0) \
            + (SELECT COALESCE(SUM(m.enabled), 0) FROM media_bank_entries m WHERE m.bank = b.name), \
        b.media \
    FROM banks b LEFT JOIN bank_entries e ON e.bank = b.name \
    GROUP BY b.name, b.kind, b.description, b.created_at, b.media \
    ORDER BY b.name";

/// One bank with its entry counts and media, by name (`$1`), as [`LIST_BANKS`].
pub(crate) const GET_BANK: &str = "\
    SELECT b.name, b.kind, b.description, b.created_at, \
        COUNT(e.id) + (SELECT COUNT(*) FROM media_bank_entries m WHERE m.bank = b.name), \
        COALESCE(SUM(e.enabled), 0) \
            + (SELECT COALESCE(SUM(m.enabled), 0) FROM media_bank_entries m WHERE m.bank = b.name), \
        b.media \
    FROM banks b LEFT JOIN bank_entries e ON e.bank = b.name \
    WHERE b.name = $1 \
    GROUP BY b.name, b.kind, b.description, b.created_at, b.media";

/// Adds one entry unless the bank holds its hash already: `$1` bank, `$2`
/// hash, `$3` source, `$4` label, `$5` added at, `$6` enabled (0 or 1),
/// `$7` the banks version of the change.
const INSERT_BANK_ENTRY: &str = "\
    INSERT INTO bank_entries (bank, hash, source, label, added_at, enabled, change_seq) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Placeholders per row of [`INSERT_BANK_ENTRY`].
pub(crate) const BANK_ENTRY_COLUMNS: usize = 7;

/// Adds `rows` entries in one statement ([`BANK_ENTRY_COLUMNS`]
/// placeholders a row, as [`INSERT_BANK_ENTRY`]), skipping those whose hash
/// the bank holds already.
pub(crate) fn insert_bank_entries(rows: usize) -> String {
    let mut text = multi_row(INSERT_BANK_ENTRY, BANK_ENTRY_COLUMNS, rows);
    text.push_str(" ON CONFLICT (bank, hash) DO NOTHING");
    text
}

/// Every entry of bank `$1`, in id order.
pub(crate) const BANK_ENTRIES: &str = "\
    SELECT id, bank, hash, source, label, added_at, enabled FROM bank_entries \
    WHERE bank = $1 ORDER BY id";

/// Every enabled entry of every bank, in id order.
pub(crate) const ALL_ENABLED_BANK_ENTRIES: &str = "\
    SELECT id, bank, hash, source, label, added_at, enabled FROM bank_entries \
    WHERE enabled = 1 ORDER BY id";

/// Removes the entry with hash `$2` from bank `$1`, returning its id.
pub(crate) const DELETE_BANK_ENTRY: &str =
    "DELETE FROM bank_entries WHERE bank = $1 AND hash = $2 RETURNING id";

/// Records that entry `$1` of bank `$2` was removed at banks version `$3`.
pub(crate) const INSERT_BANK_ENTRY_REMOVAL: &str =
    "INSERT INTO bank_entry_removals (entry_id, bank, change_seq) VALUES ($1, $2, $3)";

/// Sets `enabled` to `$1` (0 or 1) and `change_seq` to `$2` on the entry
/// with hash `$4` in bank `$3`.
pub(crate) const SET_BANK_ENTRY_ENABLED: &str =
    "UPDATE bank_entries SET enabled = $1, change_seq = $2 WHERE bank = $3 AND hash = $4";

/// Raises the banks' change counter; run in every transaction that changes a bank.
pub(crate) const BUMP_BANKS_CHANGES: &str =
    "UPDATE banks_changes SET counter = counter + 1 WHERE id = 1";

/// Raises the banks' change counter and returns its new value, the
/// `change_seq` of what the transaction changes. A write, so it is the
/// first statement of a changing transaction: the transaction takes the
/// write lock at once instead of upgrading from a read.
pub(crate) const RAISE_BANKS_CHANGES: &str =
    "UPDATE banks_changes SET counter = counter + 1 WHERE id = 1 RETURNING counter";

/// Every entry, enabled or not, changed after banks version `$1`, in id order.
pub(crate) const BANK_ENTRIES_CHANGED_SINCE: &str = "\
    SELECT id, bank, hash, source, label, added_at, enabled FROM bank_entries \
    WHERE change_seq > $1 ORDER BY id";

/// The ids of entries removed after banks version `$1`, each once, in order.
pub(crate) const BANK_ENTRIES_REMOVED_SINCE: &str = "\
    SELECT DISTINCT entry_id FROM bank_entry_removals WHERE change_seq > $1 ORDER BY entry_id";

/// The media of bank `$1`, if it exists, without counting its entries.
pub(crate) const BANK_MEDIA: &str = "SELECT media FROM banks WHERE name = $1";

/// Every bank's name and kind, without counting entries.
pub(crate) const BANK_KINDS: &str = "SELECT name, kind FROM banks ORDER BY name";

/// The banks' change counter.
pub(crate) const BANKS_CHANGES: &str = "SELECT counter FROM banks_changes WHERE id = 1";

/// The columns of a video or audio entry as [`MediaEntry`](crate::MediaEntry)
/// reads them, with its bank's media; `e` is `media_bank_entries`, `b` is
/// `banks`.
macro_rules! media_entry_select {
    ($where:literal) => {
        concat!(
            "SELECT e.id, e.bank, b.media, e.content, e.content_digest, e.duration_s, \
                e.source, e.label, e.added_at, e.enabled \
             FROM media_bank_entries e JOIN banks b ON b.name = e.bank ",
            $where
        )
    };
}

/// Adds a video or audio entry unless the bank holds the same content
/// already: `$1` bank, `$2` content, `$3` its SHA-256 in hex, `$4` duration
/// in seconds, `$5` source, `$6` label, `$7` added at, `$8` enabled (0 or 1),
/// `$9` the banks version of the change.
pub(crate) const INSERT_MEDIA_ENTRY: &str = "\
    INSERT INTO media_bank_entries \
        (bank, content, content_digest, duration_s, source, label, added_at, enabled, change_seq) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
    ON CONFLICT (bank, content_digest) DO NOTHING";

/// Every entry of media bank `$1`, in id order.
pub(crate) const MEDIA_ENTRIES: &str = media_entry_select!("WHERE e.bank = $1 ORDER BY e.id");

/// Every enabled entry of every media bank, in id order.
pub(crate) const ALL_ENABLED_MEDIA_ENTRIES: &str =
    media_entry_select!("WHERE e.enabled = 1 ORDER BY e.id");

/// Removes entry `$2` from media bank `$1`.
pub(crate) const DELETE_MEDIA_ENTRY: &str =
    "DELETE FROM media_bank_entries WHERE bank = $1 AND id = $2";

/// Sets `enabled` to `$1` (0 or 1) and `change_seq` to `$2` on entry `$4` of
/// media bank `$3`.
pub(crate) const SET_MEDIA_ENTRY_ENABLED: &str =
    "UPDATE media_bank_entries SET enabled = $1, change_seq = $2 WHERE bank = $3 AND id = $4";

#[cfg(test)]
mod bank_tests {
    #[test]
    fn bank_entries_are_inserted_many_a_statement_skipping_known_hashes() {
        let sql = super::insert_bank_entries(2);
        assert!(
            sql.ends_with(
                "VALUES ($1, $2, $3, $4, $5, $6, $7), ($8, $9, $10, $11, $12, $13, $14) \
                 ON CONFLICT (bank, hash) DO NOTHING"
            ),
            "{sql}"
        );
    }
}

/// Queues a job: `$1` id, `$2` item JSON, `$3` the time (RFC 3339).
pub(crate) const INSERT_JOB: &str = "\
    INSERT INTO scan_jobs (id, item, status, attempts, created_at, updated_at) \
    VALUES ($1, $2, 'queued', 0, $3, $3)";

/// Fails the running jobs whose lease ran out (`lease_until` at or before
/// `$1`, unix ms) after their last attempt (`attempts` at least `$2`):
/// `$3` the error kind, `$4` its message, `$5` the time.
pub(crate) const FAIL_EXHAUSTED_JOBS: &str = "\
    UPDATE scan_jobs SET status = 'failed', item = NULL, lease_owner = NULL, \
        lease_until = NULL, error_kind = $3, error_message = $4, updated_at = $5 \
    WHERE status = 'running' AND lease_until <= $1 AND attempts >= $2";

/// Claims the oldest job that is queued or running under a lease that ran
/// out at or before `$1` (unix ms), for `$2` the owner until `$3` (unix ms);
/// `$4` the time. Returns its id, item and attempts.
pub(crate) const CLAIM_JOB: &str = "\
    UPDATE scan_jobs SET status = 'running', attempts = attempts + 1, \
        lease_owner = $2, lease_until = $3, updated_at = $4 \
    WHERE id = (SELECT id FROM scan_jobs \
        WHERE status = 'queued' OR (status = 'running' AND lease_until <= $1) \
        ORDER BY id LIMIT 1) \
    RETURNING id, item, attempts";

/// Extends the lease of job `$1` held by `$2` to `$3` (unix ms); `$4` the time.
pub(crate) const EXTEND_JOB_LEASE: &str = "\
    UPDATE scan_jobs SET lease_until = $3, updated_at = $4 \
    WHERE id = $1 AND status = 'running' AND lease_owner = $2";

/// Marks job `$1`, held by `$2`, done with decision `$3`; `$4` the time.
pub(crate) const COMPLETE_JOB: &str = "\
    UPDATE scan_jobs SET status = 'done', item = NULL, lease_owner = NULL, \
        lease_until = NULL, decision_id = $3, updated_at = $4 \
    WHERE id = $1 AND status = 'running' AND lease_owner = $2";

/// Marks job `$1`, held by `$2`, failed with kind `$3` and message `$4`;
/// `$5` the time.
pub(crate) const FAIL_JOB: &str = "\
    UPDATE scan_jobs SET status = 'failed', item = NULL, lease_owner = NULL, \
        lease_until = NULL, error_kind = $3, error_message = $4, updated_at = $5 \
    WHERE id = $1 AND status = 'running' AND lease_owner = $2";

/// One job and, when done, its decision's stored body.
pub(crate) const GET_JOB: &str = "\
    SELECT j.id, j.status, j.attempts, j.decision_id, j.error_kind, j.error_message, \
        j.created_at, j.updated_at, d.body \
    FROM scan_jobs j LEFT JOIN decisions d ON d.id = j.decision_id \
    WHERE j.id = $1";

/// How many jobs are in each status.
pub(crate) const COUNT_JOBS_BY_STATUS: &str =
    "SELECT status, COUNT(*) FROM scan_jobs GROUP BY status";

/// The item of job `$1` while `$2` holds it.
pub(crate) const GET_JOB_ITEM: &str = "\
    SELECT item FROM scan_jobs WHERE id = $1 AND status = 'running' AND lease_owner = $2";
