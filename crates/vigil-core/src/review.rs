//! Human review: why an item is in a review queue, and what a reviewer answers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Action, Labels};

/// Why an item was put in the review queue. One item is queued once, with
/// the first reason that applied (in the order below, highest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueReason {
    /// A user contested the decision; reviewers uphold or overturn it.
    Appeal,
    /// Someone reported the item (a DSA notice: a user, a trusted flagger or
    /// an authority's order); priority by who sent it
    /// ([`crate::ReporterType::priority`]).
    Notice,
    /// The policy's action was `review`.
    Policy,
    /// Picked by active learning: a score close to a threshold, where a
    /// label teaches the model most.
    ActiveLearning,
    /// A random sample of allowed items, for the prevalence of violating
    /// content among what was published (and so recall, online).
    Prevalence,
    /// A random sample of restricted and blocked items, judged as the
    /// prevalence sample is, for the precision of automated restrictions
    /// (online). Reviewers who are not admins see it as `prevalence`, so
    /// that knowing an item was blocked does not anchor their judgement.
    Audit,
    /// An item with known labels mixed into the queue to measure reviewers.
    Gold,
}

impl QueueReason {
    /// Every reason, in the order above.
    pub const ALL: [QueueReason; 7] = [
        QueueReason::Appeal,
        QueueReason::Notice,
        QueueReason::Policy,
        QueueReason::ActiveLearning,
        QueueReason::Prevalence,
        QueueReason::Audit,
        QueueReason::Gold,
    ];

    /// The stable key.
    pub const fn as_str(self) -> &'static str {
        match self {
            QueueReason::Appeal => "appeal",
            QueueReason::Notice => "notice",
            QueueReason::Policy => "policy",
            QueueReason::ActiveLearning => "active_learning",
            QueueReason::Prevalence => "prevalence",
            QueueReason::Audit => "audit",
            QueueReason::Gold => "gold",
        }
    }
}

impl fmt::Display for QueueReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A string that names no queue reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown queue reason `{0}`; the reasons are appeal, notice, policy, active_learning, prevalence, audit, gold")]
pub struct UnknownQueueReason(pub String);

impl FromStr for QueueReason {
    type Err = UnknownQueueReason;

    fn from_str(s: &str) -> Result<QueueReason, UnknownQueueReason> {
        QueueReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownQueueReason(s.to_owned()))
    }
}

/// One reviewer's answer about one queued item.
///
/// JSON: `{"labels": {"hate": 1, "violence": 0}, "action": "block", "note": "slur in line 2"}`.
/// A category the reviewer did not judge is absent from `labels` (unknown),
/// never negative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// Per-category judgements; absent = not judged.
    pub labels: Labels,
    /// The action the reviewer takes on the item.
    pub action: Action,
    /// Free text for the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How an appeal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealOutcome {
    /// The decision stands.
    Upheld,
    /// The decision was wrong and is replaced by the reviewer's action.
    Overturned,
}

impl AppealOutcome {
    /// The stable key.
    pub const fn as_str(self) -> &'static str {
        match self {
            AppealOutcome::Upheld => "upheld",
            AppealOutcome::Overturned => "overturned",
        }
    }
}

impl fmt::Display for AppealOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Category;

    #[test]
    fn reasons_round_trip_through_their_keys() {
        for r in QueueReason::ALL {
            assert_eq!(r.as_str().parse::<QueueReason>(), Ok(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{r}\""));
        }
        assert!("urgent".parse::<QueueReason>().is_err());
    }

    #[test]
    fn a_verdict_keeps_unjudged_categories_unknown() {
        let v: Verdict = serde_json::from_str(
            r#"{"labels": {"hate": 1, "violence": false}, "action": "block"}"#,
        )
        .unwrap();
        assert_eq!(v.labels.get(Category::Hate), Some(true));
        assert_eq!(v.labels.get(Category::Violence), Some(false));
        assert_eq!(v.labels.get(Category::Sexual), None);
        assert!(serde_json::from_str::<Verdict>(r#"{"labels": {}, "action": "nuke"}"#).is_err());
        assert!(
            serde_json::from_str::<Verdict>(r#"{"labels": {}, "action": "allow", "x": 1}"#)
                .is_err()
        );
    }
}
