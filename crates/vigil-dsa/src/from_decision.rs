//! Building the statement of reasons for a restrictive decision from the
//! decision and the policy it was taken under.

use vigil_core::dsa::{
    AccountType, AutomatedDecision, ContentType, DecisionGround, Keyword, SourceType,
    StatementCategory, Visibility,
};
use vigil_core::{Action, Category, Decision, DecisionId, Modality, Reason};
use vigil_policy::{CategoryPolicy, Policy};

use crate::date::{format_date, parse_date, CONTENT_DATE_MIN};
use crate::iso_codes::is_iso_639_1;
use crate::rule::{MAX_EXPLANATION_CHARS, MAX_FACTS_CHARS, MAX_GROUND_CHARS};
use crate::{StatementOfReasons, Violation, YesNo};

/// What a statement needs that neither the decision nor the policy says:
/// the platform's answers, chosen once by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementOptions {
    /// How far the decision was automated; `AUTOMATED_DECISION_FULLY` by
    /// default, since Vigil applies its thresholds without a person.
    pub automated_decision: AutomatedDecision,
    /// The EU/EEA countries where the restriction applies (upper-case ISO
    /// 3166-1 alpha-2); empty (left out) by default.
    pub territorial_scope: Vec<String>,
    /// The kind of account that posted the content, if the platform knows.
    pub account_type: Option<AccountType>,
    /// For content incompatible with the terms: whether it is also
    /// considered illegal. Left out by default, as Vigil cannot know.
    pub incompatible_content_illegal: Option<YesNo>,
    /// What the restriction is, when the policy's visibility for the action
    /// is `DECISION_VISIBILITY_OTHER` (required then, at most 500 characters).
    pub decision_visibility_other: Option<String>,
}

impl Default for StatementOptions {
    fn default() -> Self {
        StatementOptions {
            automated_decision: AutomatedDecision::Fully,
            territorial_scope: Vec::new(),
            account_type: None,
            incompatible_content_illegal: None,
            decision_visibility_other: None,
        }
    }
}

/// Why no statement of reasons could be built for a decision.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatementError {
    /// The decision allows or reviews the content, so it restricts nothing
    /// and owes no statement.
    #[error("decision {decision} is `{action}`, which restricts nothing, so it needs no statement of reasons")]
    NotRestrictive {
        /// The decision.
        decision: DecisionId,
        /// Its action.
        action: Action,
    },
    /// The decision restricts but holds no restrictive reason to explain it.
    #[error(
        "decision {decision} is `{action}` but holds no restrict or block reason to explain it"
    )]
    NoRestrictiveReason {
        /// The decision.
        decision: DecisionId,
        /// Its action.
        action: Action,
    },
    /// The policy given is not the one the decision was taken under (by name
    /// and version), so its grounds may not be the ones applied.
    #[error(
        "decision {decision} was taken under policy {decided_under}, but policy {given} was given"
    )]
    PolicyMismatch {
        /// The decision.
        decision: DecisionId,
        /// `name version` of the decision's policy.
        decided_under: String,
        /// `name version` of the policy given.
        given: String,
    },
    /// A reason names a category the policy does not act on.
    #[error("decision {decision} restricts for `{category}`, but the policy has no [categories.{category}]")]
    CategoryNotInPolicy {
        /// The decision.
        decision: DecisionId,
        /// The category.
        category: Category,
    },
    /// The category is filed as illegal content but the policy names no law.
    #[error("category `{category}` is filed as illegal content but the policy names no legal_ground for it; the statement must name the law broken")]
    MissingLegalGround {
        /// The category.
        category: Category,
    },
    /// The category is filed as incompatible content but the policy names
    /// no clause of the terms.
    #[error("category `{category}` is filed as incompatible with the terms but the policy names no terms_ground for it; the statement must name the clause broken")]
    MissingTermsGround {
        /// The category.
        category: Category,
    },
    /// The policy's visibility for the action is `DECISION_VISIBILITY_OTHER`
    /// and the options do not say what it is.
    #[error("the policy restricts `{action}` with DECISION_VISIBILITY_OTHER; set StatementOptions::decision_visibility_other to say what the restriction is")]
    VisibilityOtherUndescribed {
        /// The action.
        action: Action,
    },
    /// The statement built breaks the database's rules (a policy or option
    /// value out of bounds, such as a malformed `terms_url`, or a decision
    /// date outside the accepted range).
    #[error("the statement for decision {decision} breaks the Transparency Database's rules: {}", join_violations(.violations))]
    Invalid {
        /// The decision.
        decision: DecisionId,
        /// Every rule broken.
        violations: Vec<Violation>,
    },
}

fn join_violations(violations: &[Violation]) -> String {
    let messages: Vec<&str> = violations.iter().map(|v| v.message.as_str()).collect();
    messages.join("; ")
}

/// The statement of reasons for a restrictive decision (`restrict` or
/// `block`), under the policy the decision was taken under.
///
/// The main category and the decision ground come from the first (most
/// restrictive) restrict-or-block reason; the other restrictive reasons add
/// their statement categories and keywords. Reasons that only send the item
/// to review are not grounds for the restriction and are left out. The
/// mapping, field by field, is in `docs/dsa.md`. The statement returned
/// passes [`StatementOfReasons::validate`]; anything that would make it fail
/// is an error instead.
///
/// ```
/// use vigil_core::{Action, Category, Score};
/// use vigil_dsa::{statement_for, StatementError, StatementOptions};
/// use vigil_policy::{CategoryScore, DecisionInput, Policy};
///
/// let policy = Policy::from_toml(r#"
/// [policy]
/// name = "tiny"
/// version = "1"
/// [categories.spam_scam]
/// description = "Unsolicited bulk messages and fraud."
/// dsa_category = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
/// dsa_keywords = ["KEYWORD_PHISHING"]
/// terms_ground = "Terms §4: spam"
/// thresholds = { review = 0.5, block = 0.9 }
/// "#, "tiny.toml").unwrap().policy;
/// let decide = |score: f64| policy.decide(DecisionInput {
///     item_id: "post-1".to_owned(),
///     input_digest: "sha256:00".to_owned(),
///     scores: vec![CategoryScore {
///         category: Category::SpamScam,
///         score: Score::new(score).unwrap(),
///         evidence: Vec::new(),
///     }],
///     models: Vec::new(),
///     content: Default::default(),
///     latency_us: 0,
/// });
///
/// let blocked = decide(0.95);
/// let statement = statement_for(&blocked, &policy, &StatementOptions::default()).unwrap();
/// assert_eq!(statement.puid, blocked.id.to_string());
/// assert_eq!(statement.incompatible_content_ground.as_deref(), Some("Terms §4: spam"));
/// assert!(statement.validate().is_ok());
///
/// let reviewed = decide(0.6);
/// assert!(matches!(
///     statement_for(&reviewed, &policy, &StatementOptions::default()),
///     Err(StatementError::NotRestrictive { action: Action::Review, .. })
/// ));
/// ```
pub fn statement_for(
    decision: &Decision,
    policy: &Policy,
    options: &StatementOptions,
) -> Result<StatementOfReasons, StatementError> {
    let id = decision.id;
    if !decision.action.is_restrictive() {
        return Err(StatementError::NotRestrictive {
            decision: id,
            action: decision.action,
        });
    }
    let same_policy = decision.policy.name == policy.version.name
        && decision.policy.version == policy.version.version;
    if !same_policy {
        return Err(StatementError::PolicyMismatch {
            decision: id,
            decided_under: format!("{} {}", decision.policy.name, decision.policy.version),
            given: format!("{} {}", policy.version.name, policy.version.version),
        });
    }
    let grounds = restrictive_grounds(decision, policy)?;
    let Some((_, main)) = grounds.first() else {
        return Err(StatementError::NoRestrictiveReason {
            decision: id,
            action: decision.action,
        });
    };
    let ground = main.decision_ground;
    let (visibility, visibility_other) = visibility(decision.action, policy, options)?;
    let (content_type, content_type_other) = content_types(&decision.content.modalities);
    let decided_on = decision.decided_at.to_offset(time::UtcOffset::UTC).date();

    let mut statement = StatementOfReasons {
        puid: id.to_string(),
        decision_ground: ground,
        category: main.dsa_category,
        content_type,
        content_type_other,
        content_date: content_date(decision.content.content_date.as_deref(), decided_on),
        application_date: format_date(decided_on),
        decision_facts: decision_facts(decision, &grounds, options.automated_decision),
        source_type: SourceType::Voluntary,
        source_identity: None,
        automated_detection: YesNo::Yes,
        automated_decision: options.automated_decision,
        decision_visibility: vec![visibility],
        decision_visibility_other: visibility_other,
        decision_monetary: None,
        decision_monetary_other: None,
        decision_provision: None,
        decision_account: None,
        illegal_content_legal_ground: None,
        illegal_content_explanation: None,
        incompatible_content_ground: None,
        incompatible_content_explanation: None,
        incompatible_content_illegal: None,
        category_addition: category_addition(&grounds),
        category_specification: keywords(&grounds),
        category_specification_other: None,
        territorial_scope: options.territorial_scope.clone(),
        content_language: content_language(decision.content.lang.as_deref()),
        end_date_account_restriction: None,
        end_date_monetary_restriction: None,
        end_date_service_restriction: None,
        end_date_visibility_restriction: None,
        decision_ground_reference_url: None,
        account_type: options.account_type,
        content_id: None,
    };
    let (ground_text, explanation) = ground_and_explanation(&grounds, ground)?;
    match ground {
        DecisionGround::IllegalContent => {
            statement.illegal_content_legal_ground = Some(ground_text);
            statement.illegal_content_explanation = Some(explanation);
        }
        DecisionGround::IncompatibleContent => {
            statement.incompatible_content_ground = Some(ground_text);
            statement.incompatible_content_explanation = Some(explanation);
            statement.incompatible_content_illegal = options.incompatible_content_illegal;
            statement.decision_ground_reference_url = policy.dsa.terms_url.clone();
        }
    }
    statement
        .validate()
        .map_err(|violations| StatementError::Invalid {
            decision: id,
            violations,
        })?;
    Ok(statement)
}

/// The decision's restrict-or-block reasons, most restrictive first, each
/// with its category's policy.
fn restrictive_grounds<'a>(
    decision: &'a Decision,
    policy: &'a Policy,
) -> Result<Vec<(&'a Reason, &'a CategoryPolicy)>, StatementError> {
    decision
        .reasons
        .iter()
        .filter(|r| r.action.is_restrictive())
        .map(|r| {
            policy.categories.get(&r.category).map(|p| (r, p)).ok_or(
                StatementError::CategoryNotInPolicy {
                    decision: decision.id,
                    category: r.category,
                },
            )
        })
        .collect()
}

/// The visibility restriction the policy applies for the action.
fn visibility(
    action: Action,
    policy: &Policy,
    options: &StatementOptions,
) -> Result<(Visibility, Option<String>), StatementError> {
    let visibility = if action == Action::Block {
        policy.dsa.block_visibility
    } else {
        policy.dsa.restrict_visibility
    };
    if visibility != Visibility::Other {
        return Ok((visibility, None));
    }
    match &options.decision_visibility_other {
        Some(other) if !other.trim().is_empty() => Ok((visibility, Some(other.clone()))),
        _ => Err(StatementError::VisibilityOtherUndescribed { action }),
    }
}

/// One content type per modality, in modality order; with none known,
/// `CONTENT_TYPE_OTHER` described as "unspecified".
fn content_types(modalities: &[Modality]) -> (Vec<ContentType>, Option<String>) {
    let mut types: Vec<ContentType> = Vec::new();
    for m in modalities {
        let t = match m {
            Modality::Text => ContentType::Text,
            Modality::Image => ContentType::Image,
            Modality::Audio => ContentType::Audio,
            Modality::Video => ContentType::Video,
        };
        if !types.contains(&t) {
            types.push(t);
        }
    }
    if types.is_empty() {
        (vec![ContentType::Other], Some("unspecified".to_owned()))
    } else {
        (types, None)
    }
}

/// The caller's content date when it is a real date the database accepts
/// and not after the decision; otherwise the decision's date.
fn content_date(given: Option<&str>, decided_on: time::Date) -> String {
    match given.and_then(parse_date) {
        Some(d) if d >= CONTENT_DATE_MIN && d <= decided_on => format_date(d),
        _ => format_date(decided_on),
    }
}

/// The ISO 639-1 code of a language tag (`en`, `en-GB`, `pt_BR`), upper
/// case, or `None` when its primary subtag is no such code.
fn content_language(lang: Option<&str>) -> Option<String> {
    let primary = lang?.split(['-', '_']).next()?.trim().to_ascii_uppercase();
    is_iso_639_1(&primary).then_some(primary)
}

/// The statement categories of the other restrictive reasons, distinct and
/// without the main one.
fn category_addition(grounds: &[(&Reason, &CategoryPolicy)]) -> Vec<StatementCategory> {
    let main = grounds.first().map(|(_, p)| p.dsa_category);
    let mut out = Vec::new();
    for (_, p) in grounds.iter().skip(1) {
        if Some(p.dsa_category) != main && !out.contains(&p.dsa_category) {
            out.push(p.dsa_category);
        }
    }
    out
}

/// Every restrictive reason's keywords, distinct, in first-seen order.
fn keywords(grounds: &[(&Reason, &CategoryPolicy)]) -> Vec<Keyword> {
    let mut out = Vec::new();
    for k in grounds.iter().flat_map(|(_, p)| &p.dsa_keywords) {
        if !out.contains(k) {
            out.push(*k);
        }
    }
    out
}

/// For the reasons filed under `ground`: their distinct grounds (law or
/// terms clause) joined with "; ", and their texts joined, each cut to the
/// database's limit.
fn ground_and_explanation(
    grounds: &[(&Reason, &CategoryPolicy)],
    ground: DecisionGround,
) -> Result<(String, String), StatementError> {
    let mut texts: Vec<&str> = Vec::new();
    let mut explanations: Vec<&str> = Vec::new();
    for (reason, p) in grounds.iter().filter(|(_, p)| p.decision_ground == ground) {
        let text = match ground {
            DecisionGround::IllegalContent => {
                p.legal_ground
                    .as_deref()
                    .ok_or(StatementError::MissingLegalGround {
                        category: reason.category,
                    })?
            }
            DecisionGround::IncompatibleContent => {
                p.terms_ground
                    .as_deref()
                    .ok_or(StatementError::MissingTermsGround {
                        category: reason.category,
                    })?
            }
        };
        if !texts.contains(&text) {
            texts.push(text);
        }
        explanations.push(reason.text.trim());
    }
    Ok((
        truncate_chars(&texts.join("; "), MAX_GROUND_CHARS),
        truncate_chars(&explanations.join(" "), MAX_EXPLANATION_CHARS),
    ))
}

/// A plain account of the decision: the action, each restrictive score
/// against its threshold, the policy and the models.
fn decision_facts(
    decision: &Decision,
    grounds: &[(&Reason, &CategoryPolicy)],
    automated: AutomatedDecision,
) -> String {
    let scores: Vec<String> = grounds
        .iter()
        .map(|(r, _)| {
            format!(
                "{} scored {} against the {} threshold {}",
                r.category, r.score, r.action, r.threshold
            )
        })
        .collect();
    let models = if decision.models.is_empty() {
        "no model versions were recorded".to_owned()
    } else {
        let names: Vec<String> = decision
            .models
            .iter()
            .map(|m| format!("{} {}", m.name, m.version))
            .collect();
        format!("models: {}", names.join(", "))
    };
    let how = match automated {
        AutomatedDecision::Fully => "The decision was taken automatically, without human review.",
        AutomatedDecision::Partially => "The decision was taken with automated assistance.",
        AutomatedDecision::NotAutomated => "The decision was taken by a person.",
    };
    let facts = format!(
        "The content was detected by automated classification and given the action `{}` under policy \"{}\" version {}: {}. Scores are calibrated probabilities from 0 to 1; {}. {how}",
        decision.action,
        decision.policy.name,
        decision.policy.version,
        scores.join("; "),
        models,
    );
    truncate_chars(&facts, MAX_FACTS_CHARS)
}

/// `text` cut to at most `max` characters, ending in "…" when cut.
fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_characters_and_marks_the_cut() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("abcd", 3), "ab…");
        let long = "é".repeat(10);
        let cut = truncate_chars(&long, 5);
        assert_eq!(cut.chars().count(), 5);
        assert_eq!(cut, "éééé…");
    }

    #[test]
    fn languages_come_from_the_primary_subtag() {
        assert_eq!(content_language(Some("en")).as_deref(), Some("EN"));
        assert_eq!(content_language(Some("pt-BR")).as_deref(), Some("PT"));
        assert_eq!(content_language(Some("de_AT")).as_deref(), Some("DE"));
        assert_eq!(content_language(Some("eng")), None);
        assert_eq!(content_language(Some("xx")), None);
        assert_eq!(content_language(Some("")), None);
        assert_eq!(content_language(None), None);
    }

    #[test]
    fn content_dates_fall_back_to_the_decision_date() {
        let decided = time::macros::date!(2025 - 03 - 02);
        assert_eq!(content_date(Some("2025-01-31"), decided), "2025-01-31");
        assert_eq!(content_date(Some("2025-03-02"), decided), "2025-03-02");
        for bad in ["2025-02-30", "1999-12-31", "2025-03-03", "yesterday"] {
            assert_eq!(content_date(Some(bad), decided), "2025-03-02", "{bad}");
        }
        assert_eq!(content_date(None, decided), "2025-03-02");
    }

    #[test]
    fn content_types_follow_modalities() {
        assert_eq!(
            content_types(&[]),
            (vec![ContentType::Other], Some("unspecified".to_owned()))
        );
        assert_eq!(
            content_types(&[Modality::Video, Modality::Text, Modality::Video]),
            (vec![ContentType::Video, ContentType::Text], None)
        );
    }
}
