//! Reading a stored notice back: every column checked, a bad one named.

use std::str::FromStr;

use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{Notice, NoticeError, NoticeStatus};
use crate::StoreError;

/// A notice from its row, or why the row is corrupt.
pub(super) fn from_row(row: &SqliteRow) -> Result<Notice, NoticeError> {
    let text = |c: &str| -> Result<Option<String>, NoticeError> {
        row.try_get(c)
            .map_err(|e| StoreError::query("read a notice")(e).into())
    };
    let id = text("id")?.unwrap_or_default();
    let need = |c: &str| text(c)?.ok_or_else(|| corrupt(&id, format!("{c} is NULL")));
    let time = |c: &str, v: &str| {
        OffsetDateTime::parse(v, &Rfc3339)
            .map_err(|e| corrupt(&id, format!("its {c} `{v}` is not RFC 3339: {e}")))
    };
    let status = match need("status")?.as_str() {
        "in_review" => NoticeStatus::InReview,
        "decided" => NoticeStatus::Decided,
        other => return Err(corrupt(&id, format!("its status `{other}` is unknown"))),
    };
    Ok(Notice {
        id: read(&id, "id", &id)?,
        item_id: need("item_id")?,
        decision_id: read_opt(&id, "decision_id", text("decision_id")?)?,
        reporter_type: read(&id, "reporter_type", &need("reporter_type")?)?,
        reporter_id: text("reporter_id")?,
        reporter_name: text("reporter_name")?,
        category: read(&id, "category", &need("category")?)?,
        legal_ground: text("legal_ground")?,
        explanation: need("explanation")?,
        received_at: time("received_at", &need("received_at")?)?,
        status,
        review_item: read_opt(&id, "review_item_id", text("review_item_id")?)?,
        rescan_decision: read_opt(&id, "rescan_decision_id", text("rescan_decision_id")?)?,
        outcome: read_opt(&id, "outcome", text("outcome")?)?,
        action: read_opt(&id, "action", text("action")?)?,
        acted_at: text("acted_at")?
            .map(|v| time("acted_at", &v))
            .transpose()?,
    })
}

fn corrupt(id: &str, reason: String) -> NoticeError {
    NoticeError::Corrupt {
        id: id.to_owned(),
        reason,
    }
}

/// A stored column's value as `T`, or the row is corrupt.
fn read<T: FromStr>(id: &str, column: &str, value: &str) -> Result<T, NoticeError> {
    value
        .parse()
        .map_err(|_| corrupt(id, format!("its {column} `{value}` does not read back")))
}

fn read_opt<T: FromStr>(
    id: &str,
    column: &str,
    value: Option<String>,
) -> Result<Option<T>, NoticeError> {
    value.map(|v| read(id, column, &v)).transpose()
}
