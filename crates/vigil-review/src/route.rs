//! Routing: whether a decision goes to the review queue, why, and how urgently.
//!
//! Called once per decision, as it is logged, so the queue entry and the
//! decision are written together. The rules, in order:
//!
//! 1. action `review` → [`QueueReason::Policy`];
//! 2. action `allow`, drawn into the prevalence sample (`prevalence_rate`,
//!    independent of the scores, so the sample stays unbiased) →
//!    [`QueueReason::Prevalence`];
//! 3. action `allow`, uncertain (a category's score within
//!    `active_learning_margin` log-odds of one of its thresholds) and drawn
//!    at `active_learning_rate` → [`QueueReason::ActiveLearning`], with a
//!    bucket (category, language) the store caps so the queue is not one
//!    cluster;
//! 4. action `restrict` or `block`, drawn into the audit sample
//!    (`audit_rate`, independent of the scores, so the sample of
//!    restrictions stays unbiased) → [`QueueReason::Audit`], with the most
//!    restrictive category (the severest among equals);
//! 5. anything else (a confident allow, an undrawn restriction) is not
//!    queued; appeals, notices and gold items enter the queue by their own
//!    doors.
//!
//! The draws are a hash of the decision id, not a random number generator:
//! the same decision always routes the same way, and a replay of the log
//! rebuilds the same queue.
//!
//! ```
//! use vigil_review::route::{route, Routed};
//! # use vigil_core::*;
//! # let t = Thresholds { review: Some(Score::new(0.4).unwrap()), restrict: None, block: Some(Score::new(0.9).unwrap()) };
//! # let decision = Decision {
//! #     id: DecisionId(uuid::Uuid::nil()), item_id: "a".into(), action: Action::Review,
//! #     categories: vec![CategoryDecision { category: Category::Hate, score: Score::new(0.5).unwrap(), action: Action::Review, thresholds: t, evidence: vec![] }],
//! #     reasons: vec![], policy: VersionRef { name: "p".into(), version: "1".into(), digest: None },
//! #     models: vec![], input_digest: String::new(), latency_us: 0,
//! #     decided_at: time::OffsetDateTime::UNIX_EPOCH, content: ContentFacts::default(),
//! #     not_analysed: vec![], hash_matches: vec![], media_matches: vec![],
//! # };
//! let settings = vigil_policy::ReviewSettings::default();
//! let routed = route(&decision, &Meta::default(), &settings).unwrap();
//! assert_eq!(routed.reason, QueueReason::Policy);
//! assert_eq!(routed.required_reviews, 1);
//! ```

use vigil_core::{Action, Category, CategoryDecision, Decision, Meta, QueueReason, Score};
use vigil_policy::ReviewSettings;

/// A decision the queue should hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Routed {
    /// Why it is queued.
    pub reason: QueueReason,
    /// Higher is reviewed sooner: severity × closeness × reach (see [`priority`]).
    pub priority: f64,
    /// Independent reviews the item needs.
    pub required_reviews: u32,
    /// The category that put it there (the most restrictive, else the
    /// most uncertain); `None` for a prevalence or audit draw with no
    /// signal.
    pub category: Option<Category>,
    /// Active learning only: the diversity bucket the store caps,
    /// `category/language` (`und` when the language is unknown).
    pub bucket: Option<String>,
}

/// Where `decision` goes: the queue, and why, or nowhere (`None`).
///
/// `meta` is the item's metadata (for the language bucket and the reach
/// field); it is not part of the decision log, so the caller passes it.
pub fn route(decision: &Decision, meta: &Meta, settings: &ReviewSettings) -> Option<Routed> {
    let reach = settings
        .reach_field
        .as_deref()
        .and_then(|f| meta.get(f))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|r| r.is_finite() && *r >= 0.0);
    let routed = |reason, category: Option<&CategoryDecision>, bucket| Routed {
        reason,
        priority: priority(settings, category, reach) * reason_weight(reason),
        required_reviews: settings.required_reviews,
        category: category.map(|c| c.category),
        bucket,
    };
    match decision.action {
        Action::Review => Some(routed(
            QueueReason::Policy,
            severest(decision, Action::Review, settings),
            None,
        )),
        Action::Allow => {
            let id = decision.id.0.as_u128();
            let nearest = most_uncertain(decision);
            if draw(id, SALT_PREVALENCE) < settings.prevalence_rate {
                return Some(routed(
                    QueueReason::Prevalence,
                    nearest.map(|(c, _)| c),
                    None,
                ));
            }
            let (c, margin) = nearest?;
            if margin <= settings.active_learning_margin
                && draw(id, SALT_ACTIVE) < settings.active_learning_rate
            {
                let lang = meta.lang.as_deref().unwrap_or("und");
                let bucket = format!("{}/{lang}", c.category);
                return Some(routed(QueueReason::ActiveLearning, Some(c), Some(bucket)));
            }
            None
        }
        Action::Restrict | Action::Block => {
            if draw(decision.id.0.as_u128(), SALT_AUDIT) < settings.audit_rate {
                let top = severest(decision, decision.action, settings);
                return Some(routed(QueueReason::Audit, top, None));
            }
            None
        }
    }
}

/// Of the categories whose action is `action`, the one with the highest
/// severity × score.
fn severest<'a>(
    decision: &'a Decision,
    action: Action,
    settings: &ReviewSettings,
) -> Option<&'a CategoryDecision> {
    decision
        .categories
        .iter()
        .filter(|c| c.action == action)
        .max_by(|a, b| {
            (settings.severity_of(a.category) * f64::from(a.score.get()))
                .total_cmp(&(settings.severity_of(b.category) * f64::from(b.score.get())))
        })
}

/// The priority of a queued item: `severity × (0.5 + closeness) × (1 +
/// log10(1 + reach))`, where severity is the category's `[review]
/// severity` weight and closeness is `exp(-|logit(score) -
/// logit(threshold)|)` to the category's nearest threshold (1 on it,
/// falling towards 0 far from it). Without a category it is 1 × 0.5.
pub fn priority(
    settings: &ReviewSettings,
    category: Option<&CategoryDecision>,
    reach: Option<f64>,
) -> f64 {
    let (severity, closeness) = category.map_or((1.0, 0.0), |c| {
        let margin = margin_logits(c).unwrap_or(f64::INFINITY);
        (settings.severity_of(c.category), (-margin).exp())
    });
    let reach = 1.0 + reach.map_or(0.0, f64::ln_1p) / std::f64::consts::LN_10;
    severity * (0.5 + closeness) * reach
}

/// Appeals first, then the policy's own review band, then learning and
/// measuring (the audit of restrictions weighs as the prevalence sample,
/// so the two samples are served alike); gold items are weighted by the
/// store as their cover requires.
fn reason_weight(reason: QueueReason) -> f64 {
    match reason {
        QueueReason::Appeal | QueueReason::Notice => 4.0,
        QueueReason::Policy => 2.0,
        QueueReason::ActiveLearning
        | QueueReason::Prevalence
        | QueueReason::Audit
        | QueueReason::Gold => 1.0,
    }
}

/// The category whose score is nearest (in log-odds) to one of its
/// thresholds, and that distance.
pub fn most_uncertain(decision: &Decision) -> Option<(&CategoryDecision, f64)> {
    decision
        .categories
        .iter()
        .filter_map(|c| margin_logits(c).map(|m| (c, m)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// Distance in log-odds from the category's score to its nearest set
/// threshold ([`crate::active::threshold_margin`], the measure active
/// learning uses too).
pub fn margin_logits(c: &CategoryDecision) -> Option<f64> {
    let set: Vec<Score> = c.thresholds.set_actions().map(|(_, t)| t).collect();
    crate::active::threshold_margin(c.score, &set).map(f64::from)
}

const SALT_PREVALENCE: u64 = 0x7072_6576_616c_656e; // "prevalen"
const SALT_ACTIVE: u64 = 0x6163_7469_7665_6c72; // "activelr"
const SALT_AUDIT: u64 = 0x6175_6469_7472_6573; // "auditres"

/// A uniform draw in [0, 1) from a decision id and a purpose: SplitMix64
/// finalisation of the id's halves mixed with the salt. Decision ids are
/// UUIDv7, whose low 62 bits are random, so the draws are independent per
/// decision and per purpose.
fn draw(id: u128, salt: u64) -> f64 {
    let mut z = (id as u64) ^ ((id >> 64) as u64).rotate_left(17) ^ salt;
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests;
