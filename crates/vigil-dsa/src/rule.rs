//! The rules a statement of reasons must keep, the limits they name, and
//! the violation reported when one is broken.

use std::fmt;

/// Most characters in `puid`.
pub const MAX_PUID_CHARS: usize = 500;
/// Most characters in `decision_facts`.
pub const MAX_FACTS_CHARS: usize = 5000;
/// Most characters in `illegal_content_legal_ground` and
/// `incompatible_content_ground`.
pub const MAX_GROUND_CHARS: usize = 500;
/// Most characters in `illegal_content_explanation` and
/// `incompatible_content_explanation`.
pub const MAX_EXPLANATION_CHARS: usize = 2000;
/// Most characters in `decision_visibility_other`, `decision_monetary_other`
/// and `category_specification_other`.
pub const MAX_OTHER_CHARS: usize = 500;
/// Most characters in `decision_ground_reference_url`.
pub const MAX_URL_CHARS: usize = 500;

/// One rule of the Transparency Database, as listed in
/// `shared/reference/dsa-statement-of-reasons.md`.
///
/// Membership of the DSA lists (`decision_ground`, `category`,
/// `content_type`, …) and the `Yes`/`No` fields are not rules here: the
/// fields are typed, so a statement holding another value cannot be built,
/// and reading one from JSON fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// A required field (`puid`, `content_type`, `content_date`,
    /// `application_date`, `decision_facts`) is empty.
    Required,
    /// `puid` is longer than 500 characters.
    PuidLength,
    /// `puid` holds a character outside `a-z A-Z 0-9 - _`.
    PuidPattern,
    /// `content_type` holds `CONTENT_TYPE_OTHER` but `content_type_other` is empty.
    ContentTypeOther,
    /// A date field is not a real day written `YYYY-MM-DD`.
    DateFormat,
    /// `content_date` is outside 2000-01-01 ..= 2038-01-01.
    ContentDateRange,
    /// `application_date` is outside 2020-01-01 ..= 2038-01-01.
    ApplicationDateRange,
    /// An `end_date_*` field is after 2038-01-01.
    EndDateRange,
    /// `decision_facts` is longer than 5000 characters.
    DecisionFactsLength,
    /// `source_identity` is given although `source_type` is `SOURCE_VOLUNTARY`.
    SourceIdentityExcluded,
    /// None of `decision_visibility`, `decision_monetary`,
    /// `decision_provision`, `decision_account` is given.
    DecisionMissing,
    /// `decision_visibility` holds `DECISION_VISIBILITY_OTHER` but
    /// `decision_visibility_other` is empty.
    VisibilityOtherRequired,
    /// `decision_visibility_other` is longer than 500 characters.
    VisibilityOtherLength,
    /// `decision_monetary` is `DECISION_MONETARY_OTHER` but
    /// `decision_monetary_other` is empty.
    MonetaryOtherRequired,
    /// `decision_monetary_other` is longer than 500 characters.
    MonetaryOtherLength,
    /// The ground is illegal content but `illegal_content_legal_ground` or
    /// `illegal_content_explanation` is empty.
    IllegalContentRequired,
    /// `illegal_content_legal_ground` is longer than 500 characters.
    IllegalGroundLength,
    /// `illegal_content_explanation` is longer than 2000 characters.
    IllegalExplanationLength,
    /// The ground is incompatible content but `incompatible_content_ground`
    /// or `incompatible_content_explanation` is empty.
    IncompatibleContentRequired,
    /// `incompatible_content_ground` is longer than 500 characters.
    IncompatibleGroundLength,
    /// `incompatible_content_explanation` is longer than 2000 characters.
    IncompatibleExplanationLength,
    /// `category_specification_other` is longer than 500 characters.
    CategorySpecificationOtherLength,
    /// `territorial_scope` names something other than an EU/EEA country code.
    TerritorialScope,
    /// `content_language` is not an upper-case ISO 639-1 code.
    ContentLanguage,
    /// `decision_ground_reference_url` is longer than 500 characters.
    ReferenceUrlLength,
    /// `decision_ground_reference_url` is not an http(s) URL.
    ReferenceUrlFormat,
    /// `content_id`'s `EAN-13` is not 13 digits.
    ContentIdEan13,
}

impl Rule {
    /// Every rule, in the order the reference lists them.
    pub const ALL: [Rule; 27] = [
        Rule::Required,
        Rule::PuidLength,
        Rule::PuidPattern,
        Rule::ContentTypeOther,
        Rule::DateFormat,
        Rule::ContentDateRange,
        Rule::ApplicationDateRange,
        Rule::EndDateRange,
        Rule::DecisionFactsLength,
        Rule::SourceIdentityExcluded,
        Rule::DecisionMissing,
        Rule::VisibilityOtherRequired,
        Rule::VisibilityOtherLength,
        Rule::MonetaryOtherRequired,
        Rule::MonetaryOtherLength,
        Rule::IllegalContentRequired,
        Rule::IllegalGroundLength,
        Rule::IllegalExplanationLength,
        Rule::IncompatibleContentRequired,
        Rule::IncompatibleGroundLength,
        Rule::IncompatibleExplanationLength,
        Rule::CategorySpecificationOtherLength,
        Rule::TerritorialScope,
        Rule::ContentLanguage,
        Rule::ReferenceUrlLength,
        Rule::ReferenceUrlFormat,
        Rule::ContentIdEan13,
    ];
}

/// A broken rule: the field, the rule, and a sentence naming both the field
/// and the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The field as the API names it (`content_id` for the EAN-13).
    pub field: &'static str,
    /// The rule broken.
    pub rule: Rule,
    /// What is wrong, naming the field and the limit.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
