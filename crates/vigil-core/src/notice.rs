//! Notices (EU DSA Art. 16): who reported an item, and what came of it.
//!
//! A notice is someone outside the platform's detectors saying that an item
//! is illegal or breaks the terms. Who sent it decides how urgent it is and
//! what a statement of reasons about the resulting decision says in
//! `source_type` ([`ReporterType::source_type`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::dsa::SourceType;

/// Who sent a notice.
///
/// | reporter | `source_type` | priority | name in the statement |
/// |---|---|---|---|
/// | `user` (Art. 16 notice) | `SOURCE_ARTICLE_16` | 4.0 | never |
/// | `trusted_flagger` (Art. 22) | `SOURCE_TRUSTED_FLAGGER` | 8.0 | yes |
/// | `authority_order` (Art. 9 order) | `SOURCE_TYPE_OTHER_NOTIFICATION` | 100.0 | yes |
///
/// ```
/// use vigil_core::dsa::SourceType;
/// use vigil_core::ReporterType;
///
/// let r: ReporterType = "trusted_flagger".parse().unwrap();
/// assert_eq!(r.source_type(), SourceType::TrustedFlagger);
/// assert!(r.priority() > ReporterType::User.priority());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReporterType {
    /// Any person or entity using the notice mechanism of Art. 16.
    User,
    /// A trusted flagger awarded the status under Art. 22, whose notices
    /// must be given priority.
    TrustedFlagger,
    /// A judicial or administrative authority's order to act against
    /// illegal content (Art. 9).
    AuthorityOrder,
}

impl ReporterType {
    /// Every reporter type, least urgent first.
    pub const ALL: [ReporterType; 3] = [
        ReporterType::User,
        ReporterType::TrustedFlagger,
        ReporterType::AuthorityOrder,
    ];

    /// The stable key.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReporterType::User => "user",
            ReporterType::TrustedFlagger => "trusted_flagger",
            ReporterType::AuthorityOrder => "authority_order",
        }
    }

    /// The Transparency Database's `source_type` for a decision taken
    /// because of such a notice. An Art. 9 order is not an Art. 16 notice,
    /// so it is `SOURCE_TYPE_OTHER_NOTIFICATION`.
    pub const fn source_type(self) -> SourceType {
        match self {
            ReporterType::User => SourceType::Article16,
            ReporterType::TrustedFlagger => SourceType::TrustedFlagger,
            ReporterType::AuthorityOrder => SourceType::TypeOtherNotification,
        }
    }

    /// Whether a statement of reasons names the reporter in
    /// `source_identity`. A trusted flagger or an authority acts in its
    /// public role; a user's name is personal data and is left out.
    pub const fn named_in_statement(self) -> bool {
        !matches!(self, ReporterType::User)
    }

    /// The review-queue priority of the notice's item (served highest
    /// first). Appeals are 1.0 and a routed item at most 3 × its severity
    /// weight × its reach factor (docs/review.md): at default severities a
    /// user's notice comes before every routed item and appeal, a trusted
    /// flagger's before a user's (Art. 22(1): "given priority"), and an
    /// authority's order before anything a policy would reasonably route.
    pub const fn priority(self) -> f64 {
        match self {
            ReporterType::User => 4.0,
            ReporterType::TrustedFlagger => 8.0,
            ReporterType::AuthorityOrder => 100.0,
        }
    }
}

impl fmt::Display for ReporterType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A string that names no reporter type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown reporter type `{0}`; the types are user, trusted_flagger, authority_order")]
pub struct UnknownReporterType(pub String);

impl FromStr for ReporterType {
    type Err = UnknownReporterType;

    fn from_str(s: &str) -> Result<ReporterType, UnknownReporterType> {
        ReporterType::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownReporterType(s.to_owned()))
    }
}

/// What was done about a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeOutcome {
    /// The item was restricted or blocked.
    ActionTaken,
    /// The item was judged acceptable and left as it was.
    NoAction,
}

impl NoticeOutcome {
    /// The stable key.
    pub const fn as_str(self) -> &'static str {
        match self {
            NoticeOutcome::ActionTaken => "action_taken",
            NoticeOutcome::NoAction => "no_action",
        }
    }
}

impl fmt::Display for NoticeOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for NoticeOutcome {
    type Err = String;

    fn from_str(s: &str) -> Result<NoticeOutcome, String> {
        match s {
            "action_taken" => Ok(NoticeOutcome::ActionTaken),
            "no_action" => Ok(NoticeOutcome::NoAction),
            other => Err(format!(
                "unknown notice outcome `{other}`; the outcomes are action_taken, no_action"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reporter_types_round_trip_and_map_to_distinct_sources() {
        let mut sources = Vec::new();
        for r in ReporterType::ALL {
            assert_eq!(r.as_str().parse::<ReporterType>(), Ok(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{r}\""));
            assert_ne!(r.source_type(), SourceType::Voluntary);
            sources.push(r.source_type());
        }
        sources.dedup();
        assert_eq!(sources.len(), 3);
        let err = "police".parse::<ReporterType>().unwrap_err();
        assert!(err.to_string().contains("trusted_flagger"), "{err}");
    }

    #[test]
    fn priorities_rise_with_urgency_and_users_stay_anonymous() {
        let p: Vec<f64> = ReporterType::ALL.iter().map(|r| r.priority()).collect();
        assert!(p.windows(2).all(|w| w[0] < w[1]), "{p:?}");
        assert!(!ReporterType::User.named_in_statement());
        assert!(ReporterType::TrustedFlagger.named_in_statement());
        assert!(ReporterType::AuthorityOrder.named_in_statement());
    }

    #[test]
    fn outcomes_round_trip() {
        for o in [NoticeOutcome::ActionTaken, NoticeOutcome::NoAction] {
            assert_eq!(o.as_str().parse::<NoticeOutcome>(), Ok(o));
        }
        assert!("maybe".parse::<NoticeOutcome>().is_err());
    }
}
