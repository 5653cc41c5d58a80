//! The Transparency Database's rules, checked on a statement before it is
//! written: every broken rule is reported, each naming its field and limit.

use vigil_core::dsa::{ContentType, DecisionGround, Monetary, SourceType, Visibility};

use crate::date::{parse_date, APPLICATION_DATE_MIN, CONTENT_DATE_MIN, DATE_MAX};
use crate::http_url::looks_like_http_url;
use crate::iso_codes::{is_eu_eea_country, is_iso_639_1};
use crate::rule::{
    Rule, Violation, MAX_EXPLANATION_CHARS, MAX_FACTS_CHARS, MAX_GROUND_CHARS, MAX_OTHER_CHARS,
    MAX_PUID_CHARS, MAX_URL_CHARS,
};
use crate::StatementOfReasons;

impl StatementOfReasons {
    /// Check every rule of the Transparency Database and report every one
    /// broken, in the order the reference lists the fields (the end dates
    /// with the other dates). Lengths count characters, not bytes.
    ///
    /// ```
    /// # let mut statement: vigil_dsa::StatementOfReasons = serde_json::from_str(r#"{
    /// #   "puid": "d-1", "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
    /// #   "incompatible_content_ground": "Terms §4", "incompatible_content_explanation": "Spam.",
    /// #   "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "content_type": ["CONTENT_TYPE_TEXT"],
    /// #   "content_date": "2025-01-01", "application_date": "2025-01-02",
    /// #   "decision_facts": "Removed as spam.", "source_type": "SOURCE_VOLUNTARY",
    /// #   "automated_detection": "Yes", "automated_decision": "AUTOMATED_DECISION_FULLY",
    /// #   "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    /// # }"#).unwrap();
    /// use vigil_dsa::Rule;
    ///
    /// assert_eq!(statement.validate(), Ok(()));
    /// statement.puid = "not a valid id".to_owned();
    /// statement.content_language = Some("en".to_owned());
    /// let violations = statement.validate().unwrap_err();
    /// let rules: Vec<Rule> = violations.iter().map(|v| v.rule).collect();
    /// assert_eq!(rules, [Rule::PuidPattern, Rule::ContentLanguage]);
    /// ```
    pub fn validate(&self) -> Result<(), Vec<Violation>> {
        let mut check = Check::default();
        check.puid(&self.puid);
        check.content_type(self);
        check.dates(self);
        check.decision_facts(&self.decision_facts);
        check.source(self);
        check.restrictions(self);
        check.grounds(self);
        check.optional(self);
        if check.violations.is_empty() {
            Ok(())
        } else {
            Err(check.violations)
        }
    }
}

/// The violations found so far.
#[derive(Default)]
struct Check {
    violations: Vec<Violation>,
}

impl Check {
    fn fail(&mut self, field: &'static str, rule: Rule, message: String) {
        self.violations.push(Violation {
            field,
            rule,
            message,
        });
    }

    fn required(&mut self, field: &'static str, present: bool) -> bool {
        if !present {
            self.fail(
                field,
                Rule::Required,
                format!("{field} is required and must not be empty"),
            );
        }
        present
    }

    fn max_chars(&mut self, field: &'static str, rule: Rule, value: Option<&str>, limit: usize) {
        let Some(value) = value else { return };
        let n = value.chars().count();
        if n > limit {
            self.fail(
                field,
                rule,
                format!("{field} is {n} characters; the limit is {limit}"),
            );
        }
    }

    fn puid(&mut self, puid: &str) {
        if !self.required("puid", !is_blank(puid)) {
            return;
        }
        self.max_chars("puid", Rule::PuidLength, Some(puid), MAX_PUID_CHARS);
        if let Some(bad) = puid
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            self.fail(
                "puid",
                Rule::PuidPattern,
                format!("puid holds {bad:?}; it may hold only a-z, A-Z, 0-9, `-` and `_` (^[a-zA-Z0-9-_]+$)"),
            );
        }
    }

    fn content_type(&mut self, s: &StatementOfReasons) {
        self.required("content_type", !s.content_type.is_empty());
        if s.content_type.contains(&ContentType::Other) && is_blank_opt(&s.content_type_other) {
            self.fail(
                "content_type_other",
                Rule::ContentTypeOther,
                "content_type_other is required when content_type holds CONTENT_TYPE_OTHER"
                    .to_owned(),
            );
        }
    }

    fn dates(&mut self, s: &StatementOfReasons) {
        if self.required("content_date", !is_blank(&s.content_date)) {
            self.date_in(
                "content_date",
                &s.content_date,
                Some(CONTENT_DATE_MIN),
                Rule::ContentDateRange,
            );
        }
        if self.required("application_date", !is_blank(&s.application_date)) {
            self.date_in(
                "application_date",
                &s.application_date,
                Some(APPLICATION_DATE_MIN),
                Rule::ApplicationDateRange,
            );
        }
        for (field, value) in [
            (
                "end_date_account_restriction",
                &s.end_date_account_restriction,
            ),
            (
                "end_date_monetary_restriction",
                &s.end_date_monetary_restriction,
            ),
            (
                "end_date_service_restriction",
                &s.end_date_service_restriction,
            ),
            (
                "end_date_visibility_restriction",
                &s.end_date_visibility_restriction,
            ),
        ] {
            if let Some(value) = value {
                self.date_in(field, value, None, Rule::EndDateRange);
            }
        }
    }

    /// A `YYYY-MM-DD` date from `min` (if any) to [`DATE_MAX`], both included.
    fn date_in(&mut self, field: &'static str, value: &str, min: Option<time::Date>, rule: Rule) {
        let Some(date) = parse_date(value) else {
            self.fail(
                field,
                Rule::DateFormat,
                format!("{field} is {value:?}; it must be a calendar date written YYYY-MM-DD"),
            );
            return;
        };
        let early = min.is_some_and(|min| date < min);
        if early || date > DATE_MAX {
            let range = match min {
                Some(min) => format!("from {} to {DATE_MAX}", crate::date::format_date(min)),
                None => format!("no later than {DATE_MAX}"),
            };
            self.fail(
                field,
                rule,
                format!("{field} is {value}; it must be {range}"),
            );
        }
    }

    fn decision_facts(&mut self, facts: &str) {
        if self.required("decision_facts", !is_blank(facts)) {
            self.max_chars(
                "decision_facts",
                Rule::DecisionFactsLength,
                Some(facts),
                MAX_FACTS_CHARS,
            );
        }
    }

    fn source(&mut self, s: &StatementOfReasons) {
        if s.source_type == SourceType::Voluntary && s.source_identity.is_some() {
            self.fail(
                "source_identity",
                Rule::SourceIdentityExcluded,
                "source_identity must be left out when source_type is SOURCE_VOLUNTARY".to_owned(),
            );
        }
    }

    fn restrictions(&mut self, s: &StatementOfReasons) {
        if s.decision_visibility.is_empty()
            && s.decision_monetary.is_none()
            && s.decision_provision.is_none()
            && s.decision_account.is_none()
        {
            self.fail(
                "decision_visibility",
                Rule::DecisionMissing,
                "at least one of decision_visibility, decision_monetary, decision_provision and decision_account is required".to_owned(),
            );
        }
        if s.decision_visibility.contains(&Visibility::Other)
            && is_blank_opt(&s.decision_visibility_other)
        {
            self.fail(
                "decision_visibility_other",
                Rule::VisibilityOtherRequired,
                format!("decision_visibility_other (at most {MAX_OTHER_CHARS} characters) is required when decision_visibility holds DECISION_VISIBILITY_OTHER"),
            );
        }
        self.max_chars(
            "decision_visibility_other",
            Rule::VisibilityOtherLength,
            s.decision_visibility_other.as_deref(),
            MAX_OTHER_CHARS,
        );
        if s.decision_monetary == Some(Monetary::Other) && is_blank_opt(&s.decision_monetary_other)
        {
            self.fail(
                "decision_monetary_other",
                Rule::MonetaryOtherRequired,
                format!("decision_monetary_other (at most {MAX_OTHER_CHARS} characters) is required when decision_monetary is DECISION_MONETARY_OTHER"),
            );
        }
        self.max_chars(
            "decision_monetary_other",
            Rule::MonetaryOtherLength,
            s.decision_monetary_other.as_deref(),
            MAX_OTHER_CHARS,
        );
    }

    fn grounds(&mut self, s: &StatementOfReasons) {
        let needed = |ground| s.decision_ground == ground;
        for (field, value, ground, rule, limit) in [
            (
                "illegal_content_legal_ground",
                &s.illegal_content_legal_ground,
                DecisionGround::IllegalContent,
                Rule::IllegalGroundLength,
                MAX_GROUND_CHARS,
            ),
            (
                "illegal_content_explanation",
                &s.illegal_content_explanation,
                DecisionGround::IllegalContent,
                Rule::IllegalExplanationLength,
                MAX_EXPLANATION_CHARS,
            ),
            (
                "incompatible_content_ground",
                &s.incompatible_content_ground,
                DecisionGround::IncompatibleContent,
                Rule::IncompatibleGroundLength,
                MAX_GROUND_CHARS,
            ),
            (
                "incompatible_content_explanation",
                &s.incompatible_content_explanation,
                DecisionGround::IncompatibleContent,
                Rule::IncompatibleExplanationLength,
                MAX_EXPLANATION_CHARS,
            ),
        ] {
            if needed(ground) && is_blank_opt(value) {
                let required = match ground {
                    DecisionGround::IllegalContent => Rule::IllegalContentRequired,
                    DecisionGround::IncompatibleContent => Rule::IncompatibleContentRequired,
                };
                self.fail(
                    field,
                    required,
                    format!(
                        "{field} (at most {limit} characters) is required when decision_ground is {ground}"
                    ),
                );
            }
            self.max_chars(field, rule, value.as_deref(), limit);
        }
    }

    fn optional(&mut self, s: &StatementOfReasons) {
        self.max_chars(
            "category_specification_other",
            Rule::CategorySpecificationOtherLength,
            s.category_specification_other.as_deref(),
            MAX_OTHER_CHARS,
        );
        let outside: Vec<&str> = s
            .territorial_scope
            .iter()
            .map(String::as_str)
            .filter(|c| !is_eu_eea_country(c))
            .collect();
        if !outside.is_empty() {
            self.fail(
                "territorial_scope",
                Rule::TerritorialScope,
                format!(
                    "territorial_scope holds {}; it may hold only the 30 EU/EEA country codes (upper case, e.g. DE, FR, NO)",
                    quoted(&outside)
                ),
            );
        }
        if let Some(lang) = &s.content_language {
            if !is_iso_639_1(lang) {
                self.fail(
                    "content_language",
                    Rule::ContentLanguage,
                    format!("content_language is {lang:?}; it must be an ISO 639-1 code in upper case (e.g. EN)"),
                );
            }
        }
        if let Some(url) = &s.decision_ground_reference_url {
            self.max_chars(
                "decision_ground_reference_url",
                Rule::ReferenceUrlLength,
                Some(url),
                MAX_URL_CHARS,
            );
            if !looks_like_http_url(url) {
                self.fail(
                    "decision_ground_reference_url",
                    Rule::ReferenceUrlFormat,
                    format!("decision_ground_reference_url is {url:?}; it must be an http:// or https:// URL with a host (at most {MAX_URL_CHARS} characters)"),
                );
            }
        }
        if let Some(id) = &s.content_id {
            if !(id.ean13.len() == 13 && id.ean13.bytes().all(|b| b.is_ascii_digit())) {
                self.fail(
                    "content_id",
                    Rule::ContentIdEan13,
                    format!(
                        "content_id's EAN-13 is {:?}; it must be exactly 13 digits",
                        id.ean13
                    ),
                );
            }
        }
    }
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn is_blank_opt(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(is_blank)
}

fn quoted(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests;
