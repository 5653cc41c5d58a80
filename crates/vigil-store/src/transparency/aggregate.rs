//! Counting the rows the transparency queries read into figures. Plain
//! functions over plain rows, so each counting rule is tested without a
//! database; the rule texts here are what a report's audit record shows.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::OffsetDateTime;

/// The key of a row that totals every group of its section; each item
/// counts once in it, even when it counts under several categories.
pub const ALL: &str = "all";
/// The category of an item with no category to report (a restriction from
/// a hash-bank match alone, a reviewer who labelled nothing positive).
pub const NONE: &str = "none";

pub(crate) const AUTOMATED_RULE: &str = "one action per decision row; counted once under each \
    restrictive category of the decision (none: `none`) and once under `all`, by the decision's \
    action as type of restriction";
pub(crate) const HUMAN_RULE: &str = "an item is restricted when more than half of its reviews \
    answered restrict or block; its type is block when more than half answered block, else \
    restrict; counted once under each category a restricting review labelled positive (none: \
    `none`) and once under `all`";
pub(crate) const COMPLAINTS_RULE: &str = "one complaint per appeal; outcome upheld or overturned \
    when decided before as_of, else pending; reversals are the overturned; counted once under \
    each restrictive category of the appealed decision (none: `none`) by its action (decision no \
    longer stored: `unknown`), and once under `all`/`all`; handling time = decided_at - \
    submitted_at of the decided, median of the middle one or two";
pub(crate) const NOTICES_RULE: &str = "one notice per row; acted on when acted_at is before \
    as_of, else pending; counted by reporter type under its claimed category and under `all`; \
    time to act = acted_at - received_at of the acted on, median of the middle one or two";
pub(crate) const AUTOMATED_MEANS_RULE: &str = "per category: scored = decisions scoring it; \
    restricted = restrictive decisions whose action for it was restrictive; checked = those \
    restricted whose appeal was decided before as_of; upheld = checked and upheld. `all` counts \
    each decision once (restricted: restrictive decisions)";

/// Who took an own-initiative action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Detection {
    /// The engine's decision, with no person involved.
    Automated,
    /// A reviewer's verdict on an item the policy sent to review.
    Human,
}

impl Detection {
    /// The stable key.
    pub const fn as_str(self) -> &'static str {
        match self {
            Detection::Automated => "automated",
            Detection::Human => "human",
        }
    }
}

/// Own-initiative actions of one category, detection method and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnInitiativeRow {
    /// The category, [`NONE`] or [`ALL`].
    pub category: String,
    /// Engine or reviewer.
    pub detection: Detection,
    /// `restrict` or `block`.
    pub restriction: String,
    /// How many items.
    pub actions: u64,
}

impl OwnInitiativeRow {
    /// The sort key.
    pub fn key(&self) -> (&str, Detection, &str) {
        (&self.category, self.detection, &self.restriction)
    }
}

/// Complaints about decisions of one category and action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintRow {
    /// The appealed decision's restrictive category, [`NONE`] or [`ALL`].
    pub category: String,
    /// The appealed decision's action, `unknown` or [`ALL`].
    pub appealed_action: String,
    /// Appeals filed.
    pub filed: u64,
    /// Decided: the decision stands.
    pub upheld: u64,
    /// Decided: the decision was reversed.
    pub overturned: u64,
    /// Not decided by `as_of`.
    pub pending: u64,
    /// Median seconds from filing to decision, over the decided.
    pub median_handling_s: Option<f64>,
}

/// Notices of one reporter type and claimed category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeRow {
    /// `user`, `trusted_flagger` or `authority_order`.
    pub reporter_type: String,
    /// The category claimed, or [`ALL`].
    pub category: String,
    /// Received in the window.
    pub received: u64,
    /// Acted on with an action against the item.
    pub action_taken: u64,
    /// Acted on with no action.
    pub no_action: u64,
    /// Not acted on by `as_of`.
    pub pending: u64,
    /// Action taken: restricted.
    pub restricted: u64,
    /// Action taken: blocked.
    pub blocked: u64,
    /// Median seconds from receipt to action, over the acted on.
    pub median_time_to_act_s: Option<f64>,
}

/// The engine's use in one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AutomatedMeansRow {
    /// The category, or [`ALL`].
    pub category: String,
    /// Decisions that scored it.
    pub scored: u64,
    /// Automated restrictions for it.
    pub restricted: u64,
    /// Of those, checked by a decided appeal.
    pub checked: u64,
    /// Of those checked, upheld.
    pub upheld: u64,
}

pub(crate) struct AutoAction {
    pub decision: String,
    pub action: String,
    pub category: Option<String>,
    pub category_action: Option<String>,
    pub lang: Option<String>,
}

pub(crate) struct HumanReview {
    pub item: String,
    pub reviews_done: i64,
    pub review: String,
    pub action: String,
    pub category: Option<String>,
    pub lang: Option<String>,
}

/// One restrictive measure taken on the platform's own initiative: an
/// automated restriction, or a policy-queue item reviewers restricted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    /// The decision (automated) or review item (human).
    pub id: String,
    /// Engine or reviewer.
    pub detection: Detection,
    /// `restrict` or `block`.
    pub restriction: String,
    /// The categories it was taken for, in name order: automated, each
    /// category whose own action was restrictive, with that action;
    /// human, each category a restricting review labelled positive, with
    /// the measure's restriction. Empty when there is none to report.
    pub grounds: Vec<MeasureGround>,
    /// The item's language (`meta.lang`), when given.
    pub lang: Option<String>,
}

/// A category a measure was taken for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureGround {
    /// The category's name.
    pub category: String,
    /// `restrict` or `block`.
    pub action: String,
}

pub(crate) struct AppealRow {
    pub id: String,
    pub submitted_at: OffsetDateTime,
    pub outcome: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub decision_action: Option<String>,
    pub category: Option<String>,
}

/// One notice or order received, as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeRecord {
    /// The notice.
    pub id: String,
    /// `user`, `trusted_flagger` or `authority_order`.
    pub reporter_type: String,
    /// The category the reporter claimed.
    pub category: String,
    /// The item it concerns (the platform's id).
    pub item_id: String,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// `action_taken` or `no_action`, once acted on.
    pub outcome: Option<String>,
    /// The action taken on the item, once acted on.
    pub action: Option<String>,
    /// When it was acted on.
    #[serde(with = "time::serde::rfc3339::option")]
    pub acted_at: Option<OffsetDateTime>,
    /// Whether a person reviewed it (else a rescan alone handled it).
    pub reviewed: bool,
}

pub(crate) struct ScoreRecord {
    pub decision: String,
    pub decision_action: String,
    pub category: String,
    pub category_action: String,
    pub appeal_outcome: Option<String>,
    pub appeal_decided_at: Option<OffsetDateTime>,
}

fn restrictive(action: &str) -> bool {
    action == "restrict" || action == "block"
}

/// The categories collected for one item, [`NONE`] when there are none.
fn or_none(categories: BTreeSet<String>) -> BTreeSet<String> {
    if categories.is_empty() {
        BTreeSet::from([NONE.to_owned()])
    } else {
        categories
    }
}

/// Counts `measures` into rows: each once under every category it was
/// taken for ([`NONE`] when none) and once under [`ALL`], by detection and
/// type of restriction.
pub fn own_initiative_rows(measures: &[Measure]) -> Vec<OwnInitiativeRow> {
    let mut counts: BTreeMap<(String, Detection, String), u64> = BTreeMap::new();
    for m in measures {
        let categories: BTreeSet<String> = m.grounds.iter().map(|g| g.category.clone()).collect();
        for category in or_none(categories).into_iter().chain([ALL.to_owned()]) {
            *counts
                .entry((category, m.detection, m.restriction.clone()))
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(
            |((category, detection, restriction), actions)| OwnInitiativeRow {
                category,
                detection,
                restriction,
                actions,
            },
        )
        .collect()
}

pub(crate) fn automated_measures(rows: &[AutoAction]) -> Vec<Measure> {
    let mut decisions: BTreeMap<&str, Measure> = BTreeMap::new();
    for row in rows {
        let m = decisions.entry(&row.decision).or_insert_with(|| Measure {
            id: row.decision.clone(),
            detection: Detection::Automated,
            restriction: row.action.clone(),
            grounds: Vec::new(),
            lang: row.lang.clone(),
        });
        if let (Some(category), Some(action)) = (&row.category, &row.category_action) {
            m.grounds.push(MeasureGround {
                category: category.clone(),
                action: action.clone(),
            });
        }
    }
    decisions.into_values().collect()
}

pub(crate) fn human_measures(rows: &[HumanReview]) -> Vec<Measure> {
    // item -> (reviews done, language, review -> (action, positive categories))
    type Reviews<'a> = BTreeMap<&'a str, (&'a str, BTreeSet<String>)>;
    let mut items: BTreeMap<&str, (i64, &Option<String>, Reviews)> = BTreeMap::new();
    for row in rows {
        let item = items
            .entry(&row.item)
            .or_insert((row.reviews_done, &row.lang, BTreeMap::new()));
        let review = item
            .2
            .entry(&row.review)
            .or_insert((&row.action, BTreeSet::new()));
        review.1.extend(row.category.clone());
    }
    let mut measures = Vec::new();
    for (item, (done, lang, reviews)) in items {
        let restricting: Vec<_> = reviews.values().filter(|(a, _)| restrictive(a)).collect();
        let blocking = restricting.iter().filter(|(a, _)| *a == "block").count();
        if 2 * restricting.len() as i64 <= done {
            continue;
        }
        let restriction = if 2 * blocking as i64 > done {
            "block"
        } else {
            "restrict"
        };
        let categories: BTreeSet<String> =
            restricting.iter().flat_map(|(_, c)| c.clone()).collect();
        measures.push(Measure {
            id: item.to_owned(),
            detection: Detection::Human,
            restriction: restriction.to_owned(),
            grounds: categories
                .into_iter()
                .map(|category| MeasureGround {
                    category,
                    action: restriction.to_owned(),
                })
                .collect(),
            lang: lang.clone(),
        });
    }
    measures
}

/// The median of `values_ms`, in seconds: the middle value, or the mean of
/// the middle two.
pub fn median_seconds(mut values_ms: Vec<i64>) -> Option<f64> {
    values_ms.sort_unstable();
    let n = values_ms.len();
    if n == 0 {
        return None;
    }
    let mid = if n % 2 == 1 {
        values_ms[n / 2] as f64
    } else {
        (values_ms[n / 2 - 1] as f64 + values_ms[n / 2] as f64) / 2.0
    };
    Some(mid / 1000.0)
}

fn millis(d: time::Duration) -> i64 {
    i64::try_from(d.whole_milliseconds()).unwrap_or(i64::MAX)
}

#[derive(Default)]
struct ComplaintTally {
    filed: u64,
    upheld: u64,
    overturned: u64,
    pending: u64,
    handling_ms: Vec<i64>,
}

pub(crate) fn complaints(rows: &[AppealRow], as_of: OffsetDateTime) -> Vec<ComplaintRow> {
    let mut appeals: BTreeMap<&str, (&AppealRow, BTreeSet<String>)> = BTreeMap::new();
    for row in rows {
        let entry = appeals.entry(&row.id).or_insert((row, BTreeSet::new()));
        entry.1.extend(row.category.clone());
    }
    let mut tallies: BTreeMap<(String, String), ComplaintTally> = BTreeMap::new();
    for (appeal, categories) in appeals.into_values() {
        let action = appeal.decision_action.as_deref().unwrap_or("unknown");
        let decided = match (&appeal.outcome, appeal.decided_at) {
            (Some(outcome), Some(at)) if at < as_of => Some((outcome.as_str(), at)),
            _ => None,
        };
        let mut keys: Vec<(String, String)> = or_none(categories)
            .into_iter()
            .map(|c| (c, action.to_owned()))
            .collect();
        keys.push((ALL.to_owned(), ALL.to_owned()));
        for key in keys {
            let tally = tallies.entry(key).or_default();
            tally.filed += 1;
            match decided {
                Some(("upheld", at)) => {
                    tally.upheld += 1;
                    tally.handling_ms.push(millis(at - appeal.submitted_at));
                }
                Some((_, at)) => {
                    tally.overturned += 1;
                    tally.handling_ms.push(millis(at - appeal.submitted_at));
                }
                None => tally.pending += 1,
            }
        }
    }
    tallies
        .into_iter()
        .map(|((category, appealed_action), t)| ComplaintRow {
            category,
            appealed_action,
            filed: t.filed,
            upheld: t.upheld,
            overturned: t.overturned,
            pending: t.pending,
            median_handling_s: median_seconds(t.handling_ms),
        })
        .collect()
}

#[derive(Default)]
struct NoticeTally {
    received: u64,
    action_taken: u64,
    no_action: u64,
    pending: u64,
    restricted: u64,
    blocked: u64,
    act_ms: Vec<i64>,
}

/// Counts notice records into rows by reporter type and claimed category,
/// with outcomes as of `as_of`.
pub fn notice_rows(rows: &[NoticeRecord], as_of: OffsetDateTime) -> Vec<NoticeRow> {
    let mut tallies: BTreeMap<(String, String), NoticeTally> = BTreeMap::new();
    for notice in rows {
        let acted = match (&notice.outcome, notice.acted_at) {
            (Some(outcome), Some(at)) if at < as_of => Some((outcome.as_str(), at)),
            _ => None,
        };
        for category in [notice.category.as_str(), ALL] {
            let tally = tallies
                .entry((notice.reporter_type.clone(), category.to_owned()))
                .or_default();
            tally.received += 1;
            let Some((outcome, at)) = acted else {
                tally.pending += 1;
                continue;
            };
            tally.act_ms.push(millis(at - notice.received_at));
            if outcome == "action_taken" {
                tally.action_taken += 1;
                match notice.action.as_deref() {
                    Some("restrict") => tally.restricted += 1,
                    Some("block") => tally.blocked += 1,
                    _ => {}
                }
            } else {
                tally.no_action += 1;
            }
        }
    }
    tallies
        .into_iter()
        .map(|((reporter_type, category), t)| NoticeRow {
            reporter_type,
            category,
            received: t.received,
            action_taken: t.action_taken,
            no_action: t.no_action,
            pending: t.pending,
            restricted: t.restricted,
            blocked: t.blocked,
            median_time_to_act_s: median_seconds(t.act_ms),
        })
        .collect()
}

pub(crate) fn automated_means(
    rows: &[ScoreRecord],
    as_of: OffsetDateTime,
) -> Vec<AutomatedMeansRow> {
    let mut counts: BTreeMap<String, AutomatedMeansRow> = BTreeMap::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for row in rows {
        let restricted = restrictive(&row.decision_action) && restrictive(&row.category_action);
        let checked = match (&row.appeal_outcome, row.appeal_decided_at) {
            (Some(outcome), Some(at)) if at < as_of => Some(outcome == "upheld"),
            _ => None,
        };
        let mut keys = vec![row.category.clone()];
        if seen.insert(&row.decision) {
            keys.push(ALL.to_owned());
        }
        for key in keys {
            let is_all = key == ALL;
            let c = counts.entry(key.clone()).or_insert(AutomatedMeansRow {
                category: key,
                scored: 0,
                restricted: 0,
                checked: 0,
                upheld: 0,
            });
            c.scored += 1;
            let counts_as_restricted = if is_all {
                restrictive(&row.decision_action)
            } else {
                restricted
            };
            if counts_as_restricted {
                c.restricted += 1;
                if let Some(upheld) = checked {
                    c.checked += 1;
                    c.upheld += u64::from(upheld);
                }
            }
        }
    }
    counts.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_takes_the_middle_or_the_mean_of_the_middle_two() {
        assert_eq!(median_seconds(vec![]), None);
        assert_eq!(median_seconds(vec![3000, 1000, 2000]), Some(2.0));
        assert_eq!(median_seconds(vec![4000, 1000, 2000, 3000]), Some(2.5));
    }

    fn review(item: &str, done: i64, review: &str, action: &str, cat: Option<&str>) -> HumanReview {
        HumanReview {
            item: item.into(),
            reviews_done: done,
            review: review.into(),
            action: action.into(),
            category: cat.map(Into::into),
            lang: None,
        }
    }

    #[test]
    fn a_human_restriction_needs_a_strict_majority() {
        let rows = vec![
            // 1 of 2 restricting: a tie, not restricted.
            review("a", 2, "r1", "block", Some("hate")),
            review("a", 2, "r2", "allow", None),
            // 2 of 2, one block: restrict, both categories.
            review("b", 2, "r3", "block", Some("hate")),
            review("b", 2, "r4", "restrict", Some("spam")),
            review("b", 2, "r4", "restrict", Some("hate")),
        ];
        let out = own_initiative_rows(&human_measures(&rows));
        let got: Vec<_> = out
            .iter()
            .map(|r| (r.category.as_str(), r.restriction.as_str(), r.actions))
            .collect();
        assert_eq!(
            got,
            vec![
                ("all", "restrict", 1),
                ("hate", "restrict", 1),
                ("spam", "restrict", 1)
            ]
        );
    }
}
