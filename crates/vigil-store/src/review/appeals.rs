//! Appeals: a user contests a decision, and the item goes back before a
//! reviewer, who upholds or overturns it.

use vigil_core::{DecisionId, Item, QueueReason};

use super::queue::ItemRow;
use super::{sql, Appeal, ReviewError, APPEAL_PRIORITY, MAX_STATEMENT_CHARS};
use crate::banks::{format_time, now_in_whole_seconds};
use crate::store::Backend;
use crate::{Store, StoreError};

impl Store {
    /// Files an appeal of decision `decision_id` with the user's
    /// `statement`, queuing the item for one review at
    /// [`APPEAL_PRIORITY`].
    ///
    /// The content reviewers see is the item stored with the decision when
    /// the decision log kept it (the stored content wins over `item`);
    /// otherwise `item`, which must have the decision's item id
    /// ([`ReviewError::ContentMismatch`]), and without which the appeal is
    /// refused ([`ReviewError::ContentRequired`]). A decision is appealed
    /// once ([`ReviewError::AlreadyAppealed`]).
    pub async fn file_appeal(
        &self,
        decision_id: DecisionId,
        statement: &str,
        item: Option<&Item>,
    ) -> Result<Appeal, ReviewError> {
        check_statement(statement)?;
        let decision = self
            .get_decision(decision_id)
            .await?
            .ok_or(ReviewError::DecisionNotFound(decision_id))?;
        let stored = self.get_decision_content(decision_id).await?;
        let content = match (stored.as_ref(), item) {
            (Some(stored), _) => stored,
            (None, Some(item)) if item.id == decision.item_id => item,
            (None, Some(item)) => {
                return Err(ReviewError::ContentMismatch {
                    decision: decision_id,
                    reason: format!(
                        "the item's id is `{}`, the decision's `{}`",
                        item.id, decision.item_id
                    ),
                })
            }
            (None, None) => return Err(ReviewError::ContentRequired(decision_id)),
        };
        let row = ItemRow::new(
            content,
            Some(decision_id.to_string()),
            QueueReason::Appeal,
            APPEAL_PRIORITY,
            1,
            None,
        )?;
        let appeal = Appeal {
            id: uuid::Uuid::now_v7(),
            decision_id,
            statement: statement.to_owned(),
            review_item: row.id,
            submitted_at: now_in_whole_seconds(),
            outcome: None,
            decided_at: None,
        };
        let Backend::Sqlite(pool) = &self.backend;
        let mut tx = pool
            .begin()
            .await
            .map_err(StoreError::query("begin file an appeal"))?;
        row.insert(&mut tx).await?;
        sqlx::query(sql::INSERT_APPEAL)
            .bind(appeal.id.to_string())
            .bind(decision_id.to_string())
            .bind(statement)
            .bind(row.id.to_string())
            .bind(format_time(appeal.submitted_at))
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    ReviewError::AlreadyAppealed(decision_id)
                }
                e => StoreError::query("file an appeal")(e).into(),
            })?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit file an appeal"))?;
        Ok(appeal)
    }
}

fn check_statement(statement: &str) -> Result<(), ReviewError> {
    if statement.trim().is_empty() {
        return Err(ReviewError::Invalid(
            "an appeal needs a statement: why the decision is wrong".to_owned(),
        ));
    }
    let chars = statement.chars().count();
    if chars > MAX_STATEMENT_CHARS {
        return Err(ReviewError::Invalid(format!(
            "the statement has {chars} characters, more than the {MAX_STATEMENT_CHARS} allowed"
        )));
    }
    Ok(())
}
