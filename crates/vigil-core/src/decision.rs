//! The outcome of scanning one item: an action, per-category detail, and
//! everything needed to explain and replay it later.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Category, Evidence, Score};

/// What happens to the item. Ordered from least to most restrictive, so the
/// decision's action is the maximum over categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Publish.
    Allow,
    /// Publish or hold (per platform), and send to human review.
    Review,
    /// Publish with reduced visibility (labelled, demoted, age-restricted).
    Restrict,
    /// Do not publish.
    Block,
}

impl Action {
    /// Every action, least restrictive first.
    pub const ALL: [Action; 4] = [
        Action::Allow,
        Action::Review,
        Action::Restrict,
        Action::Block,
    ];

    /// The stable key.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Review => "review",
            Action::Restrict => "restrict",
            Action::Block => "block",
        }
    }

    /// Whether the action restricts the content (and so needs a statement of reasons).
    pub const fn is_restrictive(self) -> bool {
        matches!(self, Action::Restrict | Action::Block)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A string that names no action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown action `{0}`; the actions are allow, review, restrict, block")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| UnknownAction(s.to_owned()))
    }
}

/// Score thresholds of one category: a score at or above a threshold takes
/// that action (the most restrictive one reached wins). Below every threshold
/// the item is allowed. An absent threshold means the category never takes
/// that action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Send to human review at or above this score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Score>,
    /// Restrict visibility at or above this score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict: Option<Score>,
    /// Block at or above this score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<Score>,
}

impl Thresholds {
    /// The threshold of one action (`Allow` has none).
    pub fn get(&self, action: Action) -> Option<Score> {
        match action {
            Action::Allow => None,
            Action::Review => self.review,
            Action::Restrict => self.restrict,
            Action::Block => self.block,
        }
    }

    /// The thresholds that are set, least restrictive first.
    pub fn set_actions(&self) -> impl Iterator<Item = (Action, Score)> + '_ {
        [Action::Review, Action::Restrict, Action::Block]
            .into_iter()
            .filter_map(|a| self.get(a).map(|t| (a, t)))
    }

    /// The action a score takes, and the threshold it reached.
    pub fn action_for(&self, score: Score) -> (Action, Option<Score>) {
        self.set_actions()
            .filter(|(_, t)| score >= *t)
            .last()
            .map_or((Action::Allow, None), |(a, t)| (a, Some(t)))
    }

    /// Whether thresholds rise with restrictiveness (review ≤ restrict ≤ block).
    pub fn is_ordered(&self) -> bool {
        let set: Vec<Score> = self.set_actions().map(|(_, t)| t).collect();
        set.windows(2).all(|w| w[0] <= w[1])
    }
}

/// A name and version of a policy or model, with a content digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRef {
    /// Name (`default`, `text-linear`).
    pub name: String,
    /// Version string as the artifact declares it.
    pub version: String,
    /// `sha256:` + hex digest of the artifact's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// The outcome for one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryDecision {
    /// The category.
    pub category: Category,
    /// The fused score.
    pub score: Score,
    /// The action this category alone calls for.
    pub action: Action,
    /// The policy's thresholds for this category, as applied.
    pub thresholds: Thresholds,
    /// The evidence of the signals that produced the score.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// A plain-language reason for a non-allow outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The category that called for the action.
    pub category: Category,
    /// The action it called for.
    pub action: Action,
    /// The score.
    pub score: Score,
    /// The threshold reached.
    pub threshold: Score,
    /// One sentence a reviewer or user can read.
    pub text: String,
}

impl Reason {
    /// The order of a decision's reasons: the most restrictive action
    /// first, then by category. The first restrictive reason is the main
    /// ground of a restriction (its statement of reasons' category), so
    /// anything that names a decision's main ground from its categories
    /// and actions sorts with this.
    pub fn precedence(a: (Action, Category), b: (Action, Category)) -> std::cmp::Ordering {
        b.0.cmp(&a.0).then(a.1.cmp(&b.1))
    }
}

/// A decision id: a UUIDv7, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DecisionId(pub uuid::Uuid);

impl DecisionId {
    /// A fresh id for a decision taken now.
    pub fn new() -> DecisionId {
        DecisionId(uuid::Uuid::now_v7())
    }
}

impl Default for DecisionId {
    fn default() -> Self {
        DecisionId::new()
    }
}

impl fmt::Display for DecisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for DecisionId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(DecisionId)
    }
}

/// What Vigil decided about one item, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Unique, time-ordered id.
    pub id: DecisionId,
    /// The caller's item id.
    pub item_id: String,
    /// The overall action: the most restrictive over categories.
    pub action: Action,
    /// Every category the models scored, in category order.
    pub categories: Vec<CategoryDecision>,
    /// One reason per category whose action is not `allow`, most restrictive first.
    pub reasons: Vec<Reason>,
    /// The policy applied.
    pub policy: VersionRef,
    /// The models that produced the signals.
    pub models: Vec<VersionRef>,
    /// `sha256:` digest of the input (see [`crate::InputDigest`]).
    pub input_digest: String,
    /// Wall time from receiving the item to deciding, in microseconds.
    pub latency_us: u64,
    /// When the decision was taken (RFC 3339, UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// What a statement of reasons needs to know about the content, without
    /// the content itself.
    #[serde(default, skip_serializing_if = "ContentFacts::is_empty")]
    pub content: ContentFacts,
    /// Parts of the item a detector did not look at, and why. A part no
    /// detector examined at all makes the decision at least `review`:
    /// unexamined content is never allowed silently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_analysed: Vec<NotAnalysed>,
    /// Every hash-bank match of the item's images, used or suppressed, for
    /// audit. Positive matches that are not suppressed are also signals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hash_matches: Vec<HashMatch>,
    /// Every match of the item's video or audio against a video or audio
    /// bank, used or suppressed, for audit. Positive matches that are not
    /// suppressed are also signals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_matches: Vec<MediaMatch>,
}

/// One match of a video (vPDQ) or a recording (audio fingerprint) against a
/// bank of known videos or recordings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaMatch {
    /// Which attachment (index into the item's `media`).
    pub media_index: usize,
    /// What was matched: `video` (frame hashes) or `audio` (a fingerprint,
    /// also of a video's sound track).
    pub modality: crate::Modality,
    /// The bank.
    pub bank: String,
    /// `true` for a negative (known-benign) bank.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negative: bool,
    /// The matched entry's id in the store.
    pub entry: i64,
    /// The entry's label, if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Where the entry came from, if known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// How much matched, in percent. Video: the share of the bank video's
    /// unique frames that a frame of the scanned video matched. Audio:
    /// 100 × (1 − the bit error rate) over the aligned overlap.
    pub percent: f64,
    /// The stretch of the scanned media that matched, in seconds.
    pub start_s: f64,
    /// The end of that stretch, in seconds.
    pub end_s: f64,
    /// For a positive match: the negative bank entry (`bank#entry`) that
    /// suppressed it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed_by: Option<String>,
}

/// One match of an image's perceptual hash against a hash bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashMatch {
    /// Which attachment (index into the item's `media`).
    pub media_index: usize,
    /// The bank.
    pub bank: String,
    /// `true` for a negative (known-benign) bank.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negative: bool,
    /// The matched entry's id in the store.
    pub entry: i64,
    /// The entry's label, if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Where the entry came from, if known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// Bits in which the image's hash and the entry's differ.
    pub distance: u32,
    /// Which of the image's 8 rotations and reflections matched (`orig`,
    /// `rot90`, …).
    pub variant: String,
    /// For a positive match: the negative bank entry (`bank#entry`) that
    /// suppressed it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed_by: Option<String>,
}

/// A part of an item no detector examined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotAnalysed {
    /// The kind of content.
    pub modality: crate::Modality,
    /// Which attachment (index into the item's `media`), if a media one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_index: Option<usize>,
    /// The detector that did not run (`ocr`, `nudity`, `hash-match`);
    /// absent when no detector examined the part at all, which makes the
    /// decision at least `review`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<String>,
    /// Why it was not analysed.
    pub reason: String,
}

/// Facts about the decided content that its statement of reasons reports:
/// never the content itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentFacts {
    /// The kinds of content the item carried (text, image, audio, video).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modalities: Vec<crate::Modality>,
    /// The content's language as the caller gave it (`meta.lang`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// When the content was created or posted, if the caller said
    /// (`meta.extra.content_date`, `YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_date: Option<String>,
}

impl ContentFacts {
    /// The facts of an item.
    pub fn of(item: &crate::Item) -> ContentFacts {
        ContentFacts {
            modalities: item.modalities(),
            lang: item.meta.lang.clone(),
            content_date: item.meta.extra.get("content_date").cloned(),
        }
    }

    /// Nothing known.
    pub fn is_empty(&self) -> bool {
        self.modalities.is_empty() && self.lang.is_none() && self.content_date.is_none()
    }
}

impl Decision {
    /// The category decision for one category, if the models scored it.
    pub fn category(&self, category: Category) -> Option<&CategoryDecision> {
        self.categories.iter().find(|c| c.category == category)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: f64) -> Score {
        Score::new(v).expect("valid score")
    }

    #[test]
    fn the_most_restrictive_threshold_reached_wins() {
        let t = Thresholds {
            review: Some(s(0.5)),
            restrict: Some(s(0.8)),
            block: Some(s(0.95)),
        };
        assert_eq!(t.action_for(s(0.1)).0, Action::Allow);
        assert_eq!(t.action_for(s(0.5)), (Action::Review, Some(s(0.5))));
        assert_eq!(t.action_for(s(0.9)).0, Action::Restrict);
        assert_eq!(t.action_for(s(0.99)).0, Action::Block);
        let review_only = Thresholds {
            review: Some(s(0.3)),
            ..Thresholds::default()
        };
        assert_eq!(review_only.action_for(s(1.0)).0, Action::Review);
    }

    #[test]
    fn ordering_is_checked() {
        let bad = Thresholds {
            review: Some(s(0.9)),
            restrict: None,
            block: Some(s(0.5)),
        };
        assert!(!bad.is_ordered());
    }

    #[test]
    fn actions_are_ordered_by_restrictiveness() {
        assert!(Action::Allow < Action::Review);
        assert!(Action::Restrict < Action::Block);
        assert!(Action::Block.is_restrictive() && !Action::Review.is_restrictive());
    }
}
