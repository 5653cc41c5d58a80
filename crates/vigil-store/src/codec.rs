//! How a [`Decision`] maps onto table rows and back, independent of the backend.
//!
//! The `decisions.body` column holds the whole decision as JSON and is the
//! only thing read back; the other columns are copies of its fields for
//! filtering and aggregation. Backends bind these rows; they never look
//! inside a decision themselves.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use vigil_core::{Decision, DecisionId};

use crate::StoreError;

/// The columns of one `decisions` row, plus its `decision_scores` rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DecisionRow<'a> {
    pub id: DecisionId,
    /// `id` as stored: hyphenated lower-case, which sorts by time for UUIDv7.
    pub id_text: String,
    pub item_id: &'a str,
    pub action: &'static str,
    /// RFC 3339, UTC.
    pub decided_at: String,
    pub decided_at_unix_ms: i64,
    pub policy_name: &'a str,
    pub policy_version: &'a str,
    pub policy_digest: Option<&'a str>,
    /// JSON array of the model versions.
    pub models: String,
    pub input_digest: &'a str,
    pub latency_us: i64,
    /// The whole decision, JSON.
    pub body: String,
    pub scores: Vec<ScoreRow>,
}

/// One `decision_scores` row (its `decision_id` is the parent's id).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ScoreRow {
    pub category: &'static str,
    pub score: f64,
    pub action: &'static str,
}

impl<'a> DecisionRow<'a> {
    /// The rows for one decision, or why it cannot be stored.
    pub fn from_decision(decision: &'a Decision) -> Result<DecisionRow<'a>, StoreError> {
        let invalid = |reason: String| StoreError::Invalid {
            id: decision.id,
            reason,
        };
        let decided_at = decision
            .decided_at
            .to_offset(UtcOffset::UTC)
            .format(&Rfc3339)
            .map_err(|e| invalid(format!("decided_at cannot be written as RFC 3339: {e}")))?;
        let latency_us = i64::try_from(decision.latency_us).map_err(|_| {
            invalid(format!(
                "latency_us {} does not fit a signed 64-bit column",
                decision.latency_us
            ))
        })?;
        let models = serde_json::to_string(&decision.models)
            .map_err(|e| invalid(format!("models cannot be written as JSON: {e}")))?;
        let body = serde_json::to_string(decision)
            .map_err(|e| invalid(format!("decision cannot be written as JSON: {e}")))?;
        let scores = decision
            .categories
            .iter()
            .map(|c| ScoreRow {
                category: c.category.as_str(),
                score: f64::from(c.score.get()),
                action: c.action.as_str(),
            })
            .collect();
        Ok(DecisionRow {
            id: decision.id,
            id_text: decision.id.to_string(),
            item_id: &decision.item_id,
            action: decision.action.as_str(),
            decided_at,
            decided_at_unix_ms: unix_ms(decision.decided_at),
            policy_name: &decision.policy.name,
            policy_version: &decision.policy.version,
            policy_digest: decision.policy.digest.as_deref(),
            models,
            input_digest: &decision.input_digest,
            latency_us,
            body,
            scores,
        })
    }
}

/// Reads a stored body back, checking that it is the decision its row says.
pub(crate) fn decode_body(stored_id: &str, body: &str) -> Result<Decision, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        id: stored_id.to_owned(),
        reason,
    };
    let decision: Decision = serde_json::from_str(body)
        .map_err(|e| corrupt(format!("its body is not a valid decision: {e}")))?;
    if decision.id.to_string() != stored_id {
        return Err(corrupt(format!(
            "its body holds decision {} instead",
            decision.id
        )));
    }
    Ok(decision)
}

/// Milliseconds since the Unix epoch, rounded down; saturates far outside
/// any real date so that it can serve as an open bound.
pub(crate) fn unix_ms(t: OffsetDateTime) -> i64 {
    let ms = t.unix_timestamp_nanos().div_euclid(1_000_000);
    i64::try_from(ms).unwrap_or(if ms < 0 { i64::MIN } else { i64::MAX })
}

/// A half-open time window `[since, until)` in Unix milliseconds; an absent
/// bound is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimeWindow {
    pub since_ms: i64,
    pub until_ms: i64,
}

impl TimeWindow {
    pub fn new(since: Option<OffsetDateTime>, until: Option<OffsetDateTime>) -> TimeWindow {
        TimeWindow {
            since_ms: since.map_or(i64::MIN, unix_ms),
            until_ms: until.map_or(i64::MAX, unix_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use vigil_core::{Action, VersionRef};

    use super::*;

    fn decision() -> Decision {
        Decision {
            id: DecisionId::new(),
            item_id: "item-1".to_owned(),
            action: Action::Allow,
            categories: Vec::new(),
            reasons: Vec::new(),
            policy: VersionRef {
                name: "default".to_owned(),
                version: "1".to_owned(),
                digest: None,
            },
            models: Vec::new(),
            input_digest: "sha256:00".to_owned(),
            latency_us: 12,
            decided_at: datetime!(2024-05-01 12:00:00.5 +02:00),
            content: Default::default(),
            not_analysed: Vec::new(),
            hash_matches: Vec::new(),
            media_matches: Vec::new(),
        }
    }

    #[test]
    fn times_are_stored_in_utc_and_milliseconds() {
        let d = decision();
        let row = DecisionRow::from_decision(&d).expect("storable");
        assert_eq!(row.decided_at, "2024-05-01T10:00:00.5Z");
        assert_eq!(row.decided_at_unix_ms, 1_714_557_600_500);
        assert_eq!(unix_ms(datetime!(1969-12-31 23:59:59.9999 UTC)), -1);
    }

    #[test]
    fn latency_beyond_i64_is_refused() {
        let mut d = decision();
        d.latency_us = u64::MAX;
        assert!(matches!(
            DecisionRow::from_decision(&d),
            Err(StoreError::Invalid { .. })
        ));
    }

    #[test]
    fn bodies_must_parse_and_match_their_row() {
        let d = decision();
        let row = DecisionRow::from_decision(&d).expect("storable");
        assert_eq!(decode_body(&row.id_text, &row.body).expect("decodes"), d);
        assert!(matches!(
            decode_body(&row.id_text, "{not json"),
            Err(StoreError::Corrupt { .. })
        ));
        let other = DecisionId::new().to_string();
        assert!(matches!(
            decode_body(&other, &row.body),
            Err(StoreError::Corrupt { .. })
        ));
    }

    #[test]
    fn open_bounds_saturate() {
        let w = TimeWindow::new(None, None);
        assert_eq!((w.since_ms, w.until_ms), (i64::MIN, i64::MAX));
    }
}
