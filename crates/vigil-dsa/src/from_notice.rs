//! Statements of reasons for decisions taken because of a notice: the
//! source is the notice's (`source_type` by reporter type, the reporter's
//! name in `source_identity` where [`ReporterType::named_in_statement`]),
//! not `SOURCE_VOLUNTARY` (docs/notices.md).

use time::OffsetDateTime;
use vigil_core::dsa::AutomatedDecision;
use vigil_core::{
    Action, Category, ContentFacts, Decision, DecisionId, ReporterType, Score, VersionRef,
};
use vigil_policy::Policy;

use crate::rule::MAX_FACTS_CHARS;
use crate::{statement_for, StatementError, StatementOfReasons, StatementOptions, YesNo};

/// Who sent the notice a decision answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeSource {
    /// The reporter type.
    pub reporter: ReporterType,
    /// The reporter's name, if given.
    pub name: Option<String>,
}

/// A person's restrictive verdict on an item someone reported.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedNotice {
    /// The statement's `puid`: the notice's id.
    pub puid: String,
    /// The caller's item id.
    pub item_id: String,
    /// The action the reviewer took (`restrict` or `block`).
    pub action: Action,
    /// The categories the reviewer found, most important first (at least one).
    pub categories: Vec<Category>,
    /// When the verdict was given.
    pub decided_at: OffsetDateTime,
    /// What the content was (modalities, language, date).
    pub content: ContentFacts,
    /// Whether a model had flagged the item before (its decision said
    /// `review` or worse), so detection was partly automated.
    pub flagged_by_model: bool,
    /// Who sent the notice.
    pub source: NoticeSource,
}

/// The statement for an automated decision taken on a notice's rescan:
/// [`statement_for`] with the notice as its source.
pub fn statement_for_rescan(
    decision: &Decision,
    policy: &Policy,
    options: &StatementOptions,
    source: &NoticeSource,
) -> Result<StatementOfReasons, StatementError> {
    let mut s = statement_for(decision, policy, options)?;
    set_source(&mut s, source);
    checked(s, decision.id)
}

/// The statement for a reviewer's restrictive verdict on a notice's item:
/// grounds, categories and visibility from `policy` as for an automated
/// decision, taken by a person (`AUTOMATED_DECISION_NOT_AUTOMATED`), the
/// notice as source.
pub fn statement_for_reviewed_notice(
    reviewed: &ReviewedNotice,
    policy: &Policy,
    options: &StatementOptions,
) -> Result<StatementOfReasons, StatementError> {
    // The policy's mapping works on a decision: one whose reasons are the
    // reviewer's categories at the reviewer's action.
    let one = Score::new(1.0).expect("1 is a score");
    let decision = Decision {
        id: DecisionId::new(),
        item_id: reviewed.item_id.clone(),
        action: reviewed.action,
        categories: Vec::new(),
        reasons: reviewed
            .categories
            .iter()
            .map(|&category| vigil_core::Reason {
                category,
                action: reviewed.action,
                score: one,
                threshold: one,
                text: format!("A reviewer found the reported content to be {category}."),
            })
            .collect(),
        policy: VersionRef {
            name: policy.version.name.clone(),
            version: policy.version.version.clone(),
            digest: policy.version.digest.clone(),
        },
        models: Vec::new(),
        input_digest: String::new(),
        latency_us: 0,
        decided_at: reviewed.decided_at,
        content: reviewed.content.clone(),
        not_analysed: Vec::new(),
        hash_matches: Vec::new(),
        media_matches: Vec::new(),
    };
    let options = StatementOptions {
        automated_decision: AutomatedDecision::NotAutomated,
        ..options.clone()
    };
    let mut s = statement_for(&decision, policy, &options)?;
    s.puid = reviewed.puid.clone();
    set_source(&mut s, &reviewed.source);
    s.automated_detection = if reviewed.flagged_by_model {
        YesNo::Yes
    } else {
        YesNo::No
    };
    let categories: Vec<&str> = reviewed.categories.iter().map(|c| c.as_str()).collect();
    let facts = format!(
        "Acting on a notice ({}), a reviewer examined the content and found it to be {}; the action `{}` was taken under policy \"{}\" version {}. {} The decision was taken by a person.",
        reviewed.source.reporter.source_type(),
        categories.join(", "),
        reviewed.action,
        policy.version.name,
        policy.version.version,
        if reviewed.flagged_by_model {
            "An automated classifier had flagged it before."
        } else {
            "No automated classifier had flagged it."
        },
    );
    s.decision_facts = facts.chars().take(MAX_FACTS_CHARS).collect();
    checked(s, decision.id)
}

fn set_source(s: &mut StatementOfReasons, source: &NoticeSource) {
    s.source_type = source.reporter.source_type();
    s.source_identity = source
        .name
        .as_ref()
        .filter(|_| source.reporter.named_in_statement())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
}

fn checked(
    s: StatementOfReasons,
    decision: DecisionId,
) -> Result<StatementOfReasons, StatementError> {
    s.validate().map_err(|violations| StatementError::Invalid {
        decision,
        violations,
    })?;
    Ok(s)
}
