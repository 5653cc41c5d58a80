//! The decision log: writing decisions, reading them back, counting and
//! purging them.

use time::OffsetDateTime;
use vigil_core::{Action, Decision, DecisionId, Item};

use crate::codec::{decode_body, unix_ms, DecisionRow, TimeWindow};
use crate::review::ItemRow;
use crate::store::Backend;
use crate::{sqlite, NewReview, Store, StoreError};

/// Which decisions [`Store::list_decisions`] returns.
///
/// The time window is half-open, `[since, until)`, and resolved to the
/// millisecond. Absent fields do not filter.
///
/// ```
/// use vigil_core::Action;
/// use vigil_store::{DecisionQuery, TimeOrder};
///
/// // The 20 most recent blocks.
/// let query = DecisionQuery {
///     action: Some(Action::Block),
///     limit: Some(20),
///     order: TimeOrder::NewestFirst,
///     ..DecisionQuery::default()
/// };
/// # let _ = query;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecisionQuery {
    /// Decisions taken at or after this instant.
    pub since: Option<OffsetDateTime>,
    /// Decisions taken before this instant.
    pub until: Option<OffsetDateTime>,
    /// Only decisions with this overall action.
    pub action: Option<Action>,
    /// At most this many decisions.
    pub limit: Option<u32>,
    /// Oldest or newest first.
    pub order: TimeOrder,
}

/// The order of listed decisions: by decision time, then by id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TimeOrder {
    /// Oldest first.
    #[default]
    OldestFirst,
    /// Newest first, for "the latest N".
    NewestFirst,
}

impl Store {
    /// Stores a decision and its per-category scores in one transaction.
    ///
    /// When this returns `Ok` the decision is committed: it survives a crash
    /// of the process (with SQLite's `synchronous=NORMAL`, a power loss may
    /// still roll back the last commits). A decision whose id is already
    /// stored is refused with [`StoreError::Duplicate`], never overwritten.
    pub async fn insert_decision(&self, decision: &Decision) -> Result<(), StoreError> {
        let row = DecisionRow::from_decision(decision)?;
        match &self.backend {
            Backend::Sqlite(pool) => sqlite::insert_decision(pool, &row).await,
        }
    }

    /// Stores several decisions in one transaction (group commit): all are
    /// committed or none is. A server acknowledges each only after this
    /// returns `Ok`. Each may carry its item, stored beside it when the
    /// policy asks to keep content (`[log] store_content`).
    pub async fn insert_decisions(&self, decisions: &[Decision]) -> Result<(), StoreError> {
        self.insert_decisions_with_content(decisions, &[]).await
    }

    /// As [`Store::insert_decisions`], also storing `(decision id, item)`
    /// contents in the same transaction.
    pub async fn insert_decisions_with_content(
        &self,
        decisions: &[Decision],
        contents: &[(DecisionId, &Item)],
    ) -> Result<(), StoreError> {
        self.log_decisions(decisions, contents, &[])
            .await
            .map(|_| ())
    }

    /// Stores decisions, their kept contents and the review-queue entries
    /// they route to in one transaction: a decision is never logged without
    /// its queue entry, nor queued without being logged. Returns how many
    /// entries were queued (an active-learning entry whose bucket is full
    /// is not).
    pub async fn log_decisions(
        &self,
        decisions: &[Decision],
        contents: &[(DecisionId, &Item)],
        reviews: &[&NewReview],
    ) -> Result<u64, StoreError> {
        let rows = decisions
            .iter()
            .map(DecisionRow::from_decision)
            .collect::<Result<Vec<_>, _>>()?;
        let contents = contents
            .iter()
            .map(|(id, item)| {
                serde_json::to_string(item)
                    .map(|json| (id.to_string(), json))
                    .map_err(|e| StoreError::Invalid {
                        id: *id,
                        reason: format!("the item does not serialise: {e}"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let reviews = reviews
            .iter()
            .map(|r| {
                ItemRow::for_decision(r).map_err(|e| StoreError::Invalid {
                    id: r.decision_id,
                    reason: format!("its review entry: {e}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        match &self.backend {
            Backend::Sqlite(pool) => {
                sqlite::insert_decisions(pool, &rows, &contents, &reviews).await
            }
        }
    }

    /// The item stored beside a decision, if the policy in force when it
    /// was taken kept content.
    pub async fn get_decision_content(&self, id: DecisionId) -> Result<Option<Item>, StoreError> {
        let stored = match &self.backend {
            Backend::Sqlite(pool) => sqlite::get_content(pool, &id.to_string()).await?,
        };
        stored
            .map(|(_, json)| {
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
                    id: id.to_string(),
                    reason: format!("stored content does not read back as an item: {e}"),
                })
            })
            .transpose()
    }

    /// The stored decision with this id, if any.
    ///
    /// A stored body that does not read back as this decision is
    /// [`StoreError::Corrupt`].
    pub async fn get_decision(&self, id: DecisionId) -> Result<Option<Decision>, StoreError> {
        let id = id.to_string();
        let stored = match &self.backend {
            Backend::Sqlite(pool) => sqlite::get_decision(pool, &id).await?,
        };
        stored
            .map(|(stored_id, body)| decode_body(&stored_id, &body))
            .transpose()
    }

    /// The decisions matching `query`, in time order.
    pub async fn list_decisions(&self, query: &DecisionQuery) -> Result<Vec<Decision>, StoreError> {
        let window = TimeWindow::new(query.since, query.until);
        let action = query.action.map(Action::as_str);
        let limit = query.limit.map_or(i64::MAX, i64::from);
        let stored = match &self.backend {
            Backend::Sqlite(pool) => {
                sqlite::list_decisions(pool, window, action, limit, query.order).await?
            }
        };
        stored
            .iter()
            .map(|(stored_id, body)| decode_body(stored_id, body))
            .collect()
    }

    /// How many decisions took each action in `[since, until)`: every
    /// action, least restrictive first, zero where none did.
    pub async fn count_decisions_by_action(
        &self,
        since: Option<OffsetDateTime>,
        until: Option<OffsetDateTime>,
    ) -> Result<Vec<(Action, u64)>, StoreError> {
        let window = TimeWindow::new(since, until);
        let stored = match &self.backend {
            Backend::Sqlite(pool) => sqlite::count_decisions_by_action(pool, window).await?,
        };
        let mut counts: Vec<(Action, u64)> = Action::ALL.iter().map(|&a| (a, 0)).collect();
        for (value, count) in stored {
            let action: Action = value
                .parse()
                .map_err(|_| StoreError::UnknownAction { value })?;
            if let Some(slot) = counts.iter_mut().find(|(a, _)| *a == action) {
                // COUNT(*) is never negative.
                slot.1 += u64::try_from(count).unwrap_or(0);
            }
        }
        Ok(counts)
    }

    /// Deletes every decision taken before `cutoff`, with its scores, in one
    /// transaction; returns how many decisions were deleted. For retention.
    ///
    /// Resolved to the millisecond, like [`DecisionQuery`].
    pub async fn purge_decisions_before(&self, cutoff: OffsetDateTime) -> Result<u64, StoreError> {
        let cutoff_ms = unix_ms(cutoff);
        match &self.backend {
            Backend::Sqlite(pool) => sqlite::purge_decisions_before(pool, cutoff_ms).await,
        }
    }
}
