//! The statement of reasons for a notice acted on: a reviewer's
//! restrictive verdict ([`vigil_dsa::statement_for_reviewed_notice`]) or a
//! rescan's restrictive decision ([`vigil_dsa::statement_for_rescan`]),
//! the notice as its source (docs/notices.md).

use vigil_core::{Action, Category, ContentFacts, NoticeOutcome};
use vigil_dsa::{
    statement_for_rescan, statement_for_reviewed_notice, NoticeSource, ReviewedNotice,
    StatementOfReasons, StatementOptions,
};
use vigil_policy::Policy;
use vigil_store::{Notice, ReviewError, Store, StoreError};

/// Why a notice has no statement.
#[derive(Debug, thiserror::Error)]
pub enum NoticeStatementError {
    /// The notice was not acted on (still in review, or no action taken),
    /// or what it was decided by is gone.
    #[error("notice {id} has no statement of reasons: {reason}")]
    NoStatement {
        /// The notice.
        id: String,
        /// Why not.
        reason: String,
    },
    /// The statement broke a rule of the Transparency Database.
    #[error("the statement of notice {id} is refused: {reason}")]
    Invalid {
        /// The notice.
        id: String,
        /// The rules it broke.
        reason: String,
    },
    /// The store failed reading the decision.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store failed reading the review item.
    #[error(transparent)]
    Review(#[from] ReviewError),
}

/// The statement for `notice`, under `policy` (the one in force), checked
/// against every rule of the Transparency Database. Only a notice whose
/// outcome is `action_taken` has one.
pub async fn notice_statement(
    store: &Store,
    policy: &Policy,
    options: &StatementOptions,
    notice: &Notice,
) -> Result<StatementOfReasons, NoticeStatementError> {
    let none = |reason: String| NoticeStatementError::NoStatement {
        id: notice.id.to_string(),
        reason,
    };
    if notice.outcome != Some(NoticeOutcome::ActionTaken) {
        return Err(none(match notice.outcome {
            Some(_) => "no action was taken on it".to_owned(),
            None => "it is still in review".to_owned(),
        }));
    }
    let source = NoticeSource {
        reporter: notice.reporter_type,
        name: notice.reporter_name.clone(),
    };
    let made = match (notice.review_item, notice.rescan_decision) {
        (Some(item), _) => {
            let reviewed = reviewed(store, notice, item, source).await?;
            statement_for_reviewed_notice(&reviewed, policy, options)
        }
        (None, Some(decision)) => {
            let d = store
                .get_decision(decision)
                .await?
                .ok_or_else(|| none(format!("its rescan decision {decision} is gone")))?;
            statement_for_rescan(&d, policy, options, &source)
        }
        (None, None) => return Err(none("it was neither reviewed nor rescanned".to_owned())),
    };
    made.map_err(|e| NoticeStatementError::Invalid {
        id: notice.id.to_string(),
        reason: e.to_string(),
    })
}

/// What the reviewers of `notice`'s item found.
async fn reviewed(
    store: &Store,
    notice: &Notice,
    item: vigil_store::ReviewItemId,
    source: NoticeSource,
) -> Result<ReviewedNotice, NoticeStatementError> {
    let none = |reason: String| NoticeStatementError::NoStatement {
        id: notice.id.to_string(),
        reason,
    };
    let item = store
        .get_review_item(item)
        .await?
        .ok_or_else(|| none(format!("its review item {item} is gone")))?;
    let action = notice
        .action
        .filter(|a| a.is_restrictive())
        .ok_or_else(|| none("its recorded action is not restrictive".to_owned()))?;
    let decided_at = notice
        .acted_at
        .ok_or_else(|| none("it has no time it was acted on".to_owned()))?;
    // The categories the restricting reviewers found, the one the reporter
    // claimed first when they found it; the claim when they named none.
    let mut found: Vec<Category> = Vec::new();
    let restricting = item
        .reviews
        .iter()
        .filter(|r| r.verdict.action.is_restrictive());
    for (category, positive) in restricting.flat_map(|r| r.verdict.labels.iter()) {
        if positive && category != Category::Unsafe && !found.contains(&category) {
            found.push(category);
        }
    }
    found.sort_by_key(|&c| c != notice.category);
    if found.is_empty() {
        found.push(notice.category);
    }
    let model = match notice.decision_id.or(notice.rescan_decision) {
        Some(id) => store.get_decision(id).await?,
        None => None,
    };
    let content = match (&item.content, &model) {
        (Some(content), _) => ContentFacts::of(content),
        (None, Some(d)) => d.content.clone(),
        (None, None) => ContentFacts::default(),
    };
    Ok(ReviewedNotice {
        puid: notice.id.to_string(),
        item_id: notice.item_id.clone(),
        action,
        categories: found,
        decided_at,
        content,
        flagged_by_model: model.is_some_and(|d| d.action >= Action::Review),
        source,
    })
}
