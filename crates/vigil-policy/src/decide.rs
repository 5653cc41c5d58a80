//! Turning per-category scores into a [`Decision`] under a [`Policy`].

use std::collections::BTreeMap;

use time::OffsetDateTime;
use vigil_core::{
    Action, Category, CategoryDecision, Decision, DecisionId, Evidence, Reason, Score, Signal,
    VersionRef,
};

use crate::Policy;

/// The fused score of one category, with the evidence behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryScore {
    /// The category.
    pub category: Category,
    /// The fused, calibrated score.
    pub score: Score,
    /// Evidence of the signals that contributed.
    pub evidence: Vec<Evidence>,
}

/// The fallback fusion: per category, the highest signal score, with the
/// evidence of the signal(s) that reached it. A learned stacker replaces it
/// where one is trained.
pub fn fuse_max(signals: &[Signal]) -> Vec<CategoryScore> {
    let mut by_category: BTreeMap<Category, CategoryScore> = BTreeMap::new();
    for s in signals {
        let entry = by_category.entry(s.category).or_insert(CategoryScore {
            category: s.category,
            score: s.score,
            evidence: Vec::new(),
        });
        if s.score > entry.score {
            entry.score = s.score;
            entry.evidence.clear();
        }
        if s.score == entry.score {
            entry.evidence.push(s.evidence.clone());
        }
    }
    by_category.into_values().collect()
}

/// Everything a decision needs besides the policy.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    /// The caller's item id.
    pub item_id: String,
    /// See [`vigil_core::InputDigest`].
    pub input_digest: String,
    /// One fused score per category the models cover.
    pub scores: Vec<CategoryScore>,
    /// The models that produced the scores.
    pub models: Vec<VersionRef>,
    /// Facts about the content for the statement of reasons.
    pub content: vigil_core::ContentFacts,
    /// Time spent so far, in microseconds.
    pub latency_us: u64,
}

impl Policy {
    /// Apply the thresholds: each category takes the most restrictive action
    /// whose threshold its score reaches; the item takes the most restrictive
    /// action over categories. Categories the policy does not act on are
    /// recorded with their score and `allow`.
    pub fn decide(&self, input: DecisionInput) -> Decision {
        let mut categories: Vec<CategoryDecision> = input
            .scores
            .into_iter()
            .map(|s| {
                let thresholds = self.thresholds(s.category);
                let (action, _) = thresholds.action_for(s.score);
                CategoryDecision {
                    category: s.category,
                    score: s.score,
                    action,
                    thresholds,
                    evidence: s.evidence,
                }
            })
            .collect();
        categories.sort_by_key(|c| c.category);
        let mut reasons: Vec<Reason> = categories.iter().filter_map(|c| self.reason(c)).collect();
        reasons.sort_by(|a, b| Reason::precedence((a.action, a.category), (b.action, b.category)));
        let action = categories
            .iter()
            .map(|c| c.action)
            .max()
            .unwrap_or(Action::Allow);
        Decision {
            id: DecisionId::new(),
            item_id: input.item_id,
            action,
            categories,
            reasons,
            policy: self.version.clone(),
            models: input.models,
            input_digest: input.input_digest,
            latency_us: input.latency_us,
            decided_at: OffsetDateTime::now_utc(),
            content: input.content,
            not_analysed: Vec::new(),
            hash_matches: Vec::new(),
            media_matches: Vec::new(),
        }
    }

    fn reason(&self, c: &CategoryDecision) -> Option<Reason> {
        let threshold = c.thresholds.get(c.action)?;
        let description = self
            .categories
            .get(&c.category)
            .map_or("", |p| p.description.as_str());
        let detectors: Vec<&str> = c.evidence.iter().map(|e| e.detector.as_str()).collect();
        let by = if detectors.is_empty() {
            String::new()
        } else {
            format!(" (detector: {})", detectors.join(", "))
        };
        Some(Reason {
            category: c.category,
            action: c.action,
            score: c.score,
            threshold,
            text: format!(
                "{}: score {} reached the {} threshold {}{by}. {description}",
                c.category, c.score, c.action, threshold
            ),
        })
    }
}
