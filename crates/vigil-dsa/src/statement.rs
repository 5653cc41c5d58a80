//! The statement of reasons as the Transparency Database API takes it.

use serde::{Deserialize, Serialize};
use vigil_core::dsa::{
    AccountAction, AccountType, AutomatedDecision, ContentType, DecisionGround, Keyword, Monetary,
    Provision, SourceType, StatementCategory, Visibility,
};

/// One statement of reasons: the explanation a platform owes under DSA
/// Article 17 for a decision that restricts content, in the shape the EU
/// Transparency Database API takes (`POST /api/v1/statement`).
///
/// Field names are the API's. Values drawn from a DSA list are the typed
/// enums of [`vigil_core::dsa`], so reading a statement whose JSON holds a
/// value outside a list fails at parse time. Free text and dates are
/// strings, so that a statement read back from a file can hold a malformed
/// one and [`StatementOfReasons::validate`] can refuse it by name. Optional
/// fields are left out of the JSON when they are `None` or empty.
///
/// Build one from a decision with [`crate::statement_for`]; check any
/// statement with [`StatementOfReasons::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementOfReasons {
    // Required.
    /// The platform's unique id for the decision (at most 500 characters of
    /// `a-z A-Z 0-9 - _`), never reused.
    pub puid: String,
    /// Illegal content, or content incompatible with the terms of service.
    pub decision_ground: DecisionGround,
    /// The main statement category.
    pub category: StatementCategory,
    /// The kinds of content concerned; at least one.
    pub content_type: Vec<ContentType>,
    /// What the content is, required when `content_type` holds
    /// `CONTENT_TYPE_OTHER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type_other: Option<String>,
    /// When the content was created or posted, `YYYY-MM-DD`.
    pub content_date: String,
    /// When the decision was applied, `YYYY-MM-DD`.
    pub application_date: String,
    /// The facts and circumstances relied on, at most 5000 characters.
    pub decision_facts: String,
    /// What prompted the decision.
    pub source_type: SourceType,
    /// Who notified the content; must be absent for `SOURCE_VOLUNTARY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    /// Whether the content was detected by automated means.
    pub automated_detection: YesNo,
    /// How far the decision itself was automated.
    pub automated_decision: AutomatedDecision,

    // At least one of the four kinds of restriction.
    /// Restrictions of the content's visibility.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decision_visibility: Vec<Visibility>,
    /// What the visibility restriction is, required with
    /// `DECISION_VISIBILITY_OTHER` (at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_visibility_other: Option<String>,
    /// A restriction of monetary payments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_monetary: Option<Monetary>,
    /// What the monetary restriction is, required with
    /// `DECISION_MONETARY_OTHER` (at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_monetary_other: Option<String>,
    /// A suspension or termination of the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_provision: Option<Provision>,
    /// A suspension or termination of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_account: Option<AccountAction>,

    // Conditional on the decision ground.
    /// The law broken (at most 500 characters), required for illegal content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illegal_content_legal_ground: Option<String>,
    /// Why the content is illegal under that law (at most 2000 characters),
    /// required for illegal content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illegal_content_explanation: Option<String>,
    /// The clause of the terms of service broken (at most 500 characters),
    /// required for incompatible content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incompatible_content_ground: Option<String>,
    /// Why the content breaks that clause (at most 2000 characters),
    /// required for incompatible content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incompatible_content_explanation: Option<String>,
    /// Whether content incompatible with the terms is also considered illegal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incompatible_content_illegal: Option<YesNo>,

    // Optional.
    /// Further statement categories besides `category`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_addition: Vec<StatementCategory>,
    /// Specification keywords.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_specification: Vec<Keyword>,
    /// A specification in words (at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_specification_other: Option<String>,
    /// The EU/EEA countries where the decision applies (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub territorial_scope: Vec<String>,
    /// The content's language, ISO 639-1 in upper case (`EN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_language: Option<String>,
    /// When an account restriction ends, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_account_restriction: Option<String>,
    /// When a monetary restriction ends, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_monetary_restriction: Option<String>,
    /// When a service restriction ends, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_service_restriction: Option<String>,
    /// When a visibility restriction ends, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_visibility_restriction: Option<String>,
    /// Where the ground (terms of service or law) is published, an http(s)
    /// URL of at most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_ground_reference_url: Option<String>,
    /// The kind of account that posted the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountType>,
    /// A product identifier of the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_id: Option<ContentId>,
}

/// The API's two-valued answers (`automated_detection`,
/// `incompatible_content_illegal`), spelt `Yes` and `No`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum YesNo {
    /// `Yes`.
    Yes,
    /// `No`.
    No,
}

impl YesNo {
    /// `Yes` for true, `No` for false.
    pub const fn from_bool(value: bool) -> YesNo {
        if value {
            YesNo::Yes
        } else {
            YesNo::No
        }
    }

    /// The value as the API spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            YesNo::Yes => "Yes",
            YesNo::No => "No",
        }
    }
}

/// A product identifier of the content: `{"EAN-13": "4006381333931"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentId {
    /// The European Article Number, 13 digits.
    #[serde(rename = "EAN-13")]
    pub ean13: String,
}
