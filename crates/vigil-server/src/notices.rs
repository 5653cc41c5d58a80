//! Notice intake (EU DSA Art. 16): one code path for `POST /v1/notices`
//! and `vigil notices import`. A notice is checked, its content found (sent
//! with it, or kept with the decision it names), and — as the policy's
//! `[notices]` says for its reporter type — queued for a person or scanned
//! again first (docs/notices.md). [`notice_statement`] is the statement
//! of reasons for one acted on.

mod statement;

pub use statement::{notice_statement, NoticeStatementError};

use std::sync::Arc;
use std::time::Instant;

use serde::Deserialize;
use utoipa::ToSchema;
use vigil_core::{Category, DecisionId, Item, ReporterType};
use vigil_engine::Engine;
use vigil_policy::NoticeHandling;
use vigil_store::{NewNotice, Notice, NoticeError, NoticeRoute, Store};

/// Longest explanation, in characters.
pub const MAX_EXPLANATION_CHARS: usize = 10_000;
/// Longest reporter id, name or legal ground, in characters.
pub const MAX_SHORT_FIELD_CHARS: usize = 500;

/// A notice as the platform forwards it (`POST /v1/notices`, one line of
/// `vigil notices import`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    /// The platform's id of the item reported.
    pub item_id: String,
    /// The decision the notice is about, when Vigil scanned the item.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub decision_id: Option<DecisionId>,
    /// `user`, `trusted_flagger` or `authority_order`.
    #[schema(value_type = String)]
    pub reporter_type: ReporterType,
    /// The platform's id of the reporter.
    #[serde(default)]
    pub reporter_id: Option<String>,
    /// The reporter's name; required for trusted flaggers and authorities.
    #[serde(default)]
    pub reporter_name: Option<String>,
    /// The category the reporter claims (`hate`, `violence`, …).
    #[schema(value_type = String)]
    pub category: Category,
    /// The law the reporter says is broken.
    #[serde(default)]
    pub legal_ground: Option<String>,
    /// Why the reporter thinks the item is illegal or against the terms.
    pub explanation: String,
    /// The item's content; needed when the decision log kept none.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub item: Option<Item>,
}

/// Why a notice was not taken.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// A field is missing, empty, too long or inconsistent.
    #[error("{0}")]
    Invalid(String),
    /// The notice names a decision the log does not hold.
    #[error("no decision {0}")]
    DecisionNotFound(DecisionId),
    /// Neither the notice nor the decision log has the content.
    #[error("the notice must carry the item: {0}")]
    ContentRequired(String),
    /// The rescan refused the item.
    #[error("the rescan refused the item: {0}")]
    Scan(String),
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] NoticeError),
}

impl IntakeError {
    /// A stable machine-readable name for the API.
    pub fn kind(&self) -> &'static str {
        match self {
            IntakeError::Invalid(_) => "invalid_request",
            IntakeError::DecisionNotFound(_) => "not_found",
            IntakeError::ContentRequired(_) => "content_required",
            IntakeError::Scan(_) => "invalid_item",
            IntakeError::Store(NoticeError::Invalid(_)) => "invalid_request",
            IntakeError::Store(_) => "store_unavailable",
        }
    }
}

/// Checks `request`, finds its content, routes it as the policy in force
/// says and records it; returns the stored notice.
pub async fn take_notice(
    store: &Store,
    engine: &Arc<Engine>,
    request: &NoticeRequest,
) -> Result<Notice, IntakeError> {
    check(request)?;
    let content = content_of(store, request).await?;
    let state = engine.policy();
    let reporter = request.reporter_type;
    let priority = reporter.priority();
    let k = state.policy.review.required_reviews;
    let notice = NewNotice {
        item_id: request.item_id.clone(),
        decision_id: request.decision_id,
        reporter_type: reporter,
        reporter_id: request.reporter_id.clone(),
        reporter_name: request.reporter_name.clone(),
        category: request.category,
        legal_ground: request.legal_ground.clone(),
        explanation: request.explanation.clone(),
    };
    match state.policy.notices.handling(reporter) {
        NoticeHandling::Review => Ok(store
            .file_notice(
                &notice,
                NoticeRoute::Review {
                    content: &content,
                    priority,
                    required_reviews: k,
                },
            )
            .await?),
        NoticeHandling::Rescan => {
            let scanning = Arc::clone(engine);
            let item = content.clone();
            let scan = tokio::task::spawn_blocking(move || scanning.scan(&item, Instant::now()))
                .await
                .map_err(|e| IntakeError::Scan(format!("the scan stopped: {e}")))?
                .map_err(|e| IntakeError::Scan(e.to_string()))?;
            let decision = scan.decision;
            // The decision is logged in the notice's own transaction.
            Ok(store
                .file_notice(
                    &notice,
                    NoticeRoute::Rescanned {
                        decision: &decision,
                        content: &content,
                        priority,
                        required_reviews: k,
                        keep_content: state.policy.log.store_content,
                    },
                )
                .await?)
        }
    }
}

/// Every field within bounds, each refusal naming its field.
fn check(r: &NoticeRequest) -> Result<(), IntakeError> {
    let invalid = |m: String| Err(IntakeError::Invalid(m));
    if r.item_id.trim().is_empty() {
        return invalid("`item_id` is empty".to_owned());
    }
    if r.explanation.trim().is_empty() {
        return invalid(
            "`explanation` is empty: say why the item is illegal or against the terms".to_owned(),
        );
    }
    let chars = r.explanation.chars().count();
    if chars > MAX_EXPLANATION_CHARS {
        return invalid(format!(
            "`explanation` has {chars} characters, more than the {MAX_EXPLANATION_CHARS} allowed"
        ));
    }
    for (field, value) in [
        ("reporter_id", &r.reporter_id),
        ("reporter_name", &r.reporter_name),
        ("legal_ground", &r.legal_ground),
    ] {
        let chars = value.as_deref().map_or(0, |v| v.chars().count());
        if chars > MAX_SHORT_FIELD_CHARS {
            return invalid(format!(
                "`{field}` has {chars} characters, more than the {MAX_SHORT_FIELD_CHARS} allowed"
            ));
        }
    }
    let named = r
        .reporter_name
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty());
    if r.reporter_type.named_in_statement() && !named {
        return invalid(format!(
            "`reporter_name` is required for a notice from `{}`: statements of reasons name it",
            r.reporter_type
        ));
    }
    if let Some(item) = &r.item {
        if item.id != r.item_id {
            return invalid(format!(
                "`item.id` is `{}` but `item_id` is `{}`",
                item.id, r.item_id
            ));
        }
    }
    Ok(())
}

/// The content reviewers will see: the item the decision log kept (it
/// wins), else the one the notice carries.
async fn content_of(store: &Store, r: &NoticeRequest) -> Result<Item, IntakeError> {
    let stored = match r.decision_id {
        Some(id) => {
            let decision = store
                .get_decision(id)
                .await
                .map_err(NoticeError::from)?
                .ok_or(IntakeError::DecisionNotFound(id))?;
            if decision.item_id != r.item_id {
                return Err(IntakeError::Invalid(format!(
                    "decision {id} is about item `{}`, not `{}`",
                    decision.item_id, r.item_id
                )));
            }
            store
                .get_decision_content(id)
                .await
                .map_err(NoticeError::from)?
        }
        None => None,
    };
    stored.or_else(|| r.item.clone()).ok_or_else(|| {
        IntakeError::ContentRequired(
            "the item was never scanned or its content was not kept; send it as `item`".to_owned(),
        )
    })
}
