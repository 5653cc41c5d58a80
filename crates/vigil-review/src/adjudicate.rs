//! Adjudication: several reviewers' verdicts on one item become one set of labels.
//!
//! Per category, the label is the majority of the reviewers who judged that
//! category; a reviewer who left it out does not vote. A tie, or no vote at
//! all, leaves the label unknown (absent), never negative. Gold labels, where
//! the item has them, win over the votes. Each category's votes are kept
//! beside the label ([`CategoryOutcome`]), so a data set built from reviews
//! can say how every label was reached and which were disputed.
//!
//! The action is the one most reviewers chose; a tie goes to the more
//! restrictive of the tied actions (`allow < review < restrict < block`).
//! A tie means at least as many reviewers asked for the stricter action as
//! for any other, and the item keeps that stricter action until more reviews
//! settle it: under-enforcing content that half the reviewers found violating
//! is the costlier mistake, and it can be appealed.
//!
//! ```
//! use vigil_core::{Action, Category, Labels, Verdict};
//! use vigil_review::adjudicate::{adjudicate, LabelSource};
//!
//! let verdict = |hate: bool, action| Verdict {
//!     labels: Labels::new().with(Category::Hate, hate),
//!     action,
//!     note: None,
//! };
//! let verdicts = [
//!     verdict(true, Action::Block),
//!     verdict(true, Action::Restrict),
//!     verdict(false, Action::Allow),
//! ];
//! let a = adjudicate(&verdicts, None).unwrap();
//! assert_eq!(a.labels.get(Category::Hate), Some(true));
//! assert_eq!(a.labels.get(Category::Violence), None, "nobody judged it: unknown");
//! assert_eq!(a.categories[0].source, LabelSource::Majority);
//! assert!(a.categories[0].disputed);
//! // One vote each: the tie goes to the most restrictive.
//! assert_eq!(a.action.action, Action::Block);
//! assert!(a.action.tie_broken);
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use vigil_core::{Action, Category, Labels, Verdict};

/// One reviewer's verdict on one item, as the store hands rows out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRow {
    /// The reviewed item.
    pub item_id: String,
    /// Who reviewed it.
    pub reviewer: String,
    /// What they answered.
    pub verdict: Verdict,
}

/// Review rows that cannot be adjudicated or measured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdjudicationError {
    /// There is no verdict to adjudicate.
    #[error("no verdicts to adjudicate")]
    NoVerdicts,
    /// One reviewer has two verdicts on one item, which would count twice.
    #[error("reviewer `{reviewer}` has more than one verdict on item `{item_id}`")]
    DuplicateReview {
        /// The item.
        item_id: String,
        /// The reviewer.
        reviewer: String,
    },
}

/// The votes on one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Votes {
    /// Reviewers who judged it violated.
    pub positive: u32,
    /// Reviewers who judged it not violated.
    pub negative: u32,
}

impl Votes {
    /// Reviewers who judged the category at all.
    pub fn judged(self) -> u32 {
        self.positive + self.negative
    }

    /// The majority label; `None` on a tie or with no votes.
    pub fn majority(self) -> Option<bool> {
        match self.positive.cmp(&self.negative) {
            std::cmp::Ordering::Greater => Some(true),
            std::cmp::Ordering::Less => Some(false),
            std::cmp::Ordering::Equal => None,
        }
    }
}

/// How a category's adjudicated label was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelSource {
    /// The item's gold label, whatever the votes said.
    Gold,
    /// Every reviewer who judged the category agreed.
    Unanimous,
    /// Reviewers disagreed; the larger side won.
    Majority,
    /// As many votes each way: the label is unknown.
    Tie,
}

/// One category's adjudication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryOutcome {
    /// The category.
    pub category: Category,
    /// The reviewers' votes.
    pub votes: Votes,
    /// The gold label, where the item has one.
    pub gold: Option<bool>,
    /// The adjudicated label; `None` (unknown) on a tie.
    pub label: Option<bool>,
    /// How the label was reached.
    pub source: LabelSource,
    /// Whether the reviewers disagreed among themselves (votes both ways).
    pub disputed: bool,
}

/// The adjudicated action and the votes for each action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionOutcome {
    /// The action most reviewers chose (ties: the most restrictive tied one).
    pub action: Action,
    /// Votes per action; actions nobody chose are absent.
    pub votes: BTreeMap<Action, u32>,
    /// Whether several actions shared the most votes.
    pub tie_broken: bool,
}

/// The adjudication of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjudication {
    /// The adjudicated labels; a category nobody could settle is absent.
    pub labels: Labels,
    /// Every category that someone judged or gold labelled, in category order.
    pub categories: Vec<CategoryOutcome>,
    /// The adjudicated action.
    pub action: ActionOutcome,
    /// Verdicts adjudicated.
    pub reviewers: usize,
}

impl Adjudication {
    /// The categories on which reviewers disagreed.
    pub fn disputed(&self) -> impl Iterator<Item = Category> + '_ {
        self.categories
            .iter()
            .filter(|c| c.disputed)
            .map(|c| c.category)
    }
}

/// One category's outcome from its votes and gold label.
fn settle(category: Category, votes: Votes, gold: Option<bool>) -> CategoryOutcome {
    let disputed = votes.positive > 0 && votes.negative > 0;
    let (label, source) = match (gold, votes.majority()) {
        (Some(g), _) => (Some(g), LabelSource::Gold),
        (None, Some(m)) if !disputed => (Some(m), LabelSource::Unanimous),
        (None, Some(m)) => (Some(m), LabelSource::Majority),
        (None, None) => (None, LabelSource::Tie),
    };
    CategoryOutcome {
        category,
        votes,
        gold,
        label,
        source,
        disputed,
    }
}

/// The plurality action, ties to the most restrictive.
fn settle_action(votes: BTreeMap<Action, u32>) -> Result<ActionOutcome, AdjudicationError> {
    let most = votes
        .values()
        .copied()
        .max()
        .ok_or(AdjudicationError::NoVerdicts)?;
    let tied: Vec<Action> = votes
        .iter()
        .filter(|(_, &n)| n == most)
        .map(|(&a, _)| a)
        .collect();
    // `Action` is ordered least restrictive first, so the last is the strictest.
    let action = *tied.last().ok_or(AdjudicationError::NoVerdicts)?;
    Ok(ActionOutcome {
        action,
        tie_broken: tied.len() > 1,
        votes,
    })
}

/// Adjudicates one item's verdicts, with its gold labels where it has them.
///
/// Fails only when there is no verdict (there is no action to adjudicate).
pub fn adjudicate<'a, I>(
    verdicts: I,
    gold: Option<&Labels>,
) -> Result<Adjudication, AdjudicationError>
where
    I: IntoIterator<Item = &'a Verdict>,
{
    let mut votes: BTreeMap<Category, Votes> = BTreeMap::new();
    let mut actions: BTreeMap<Action, u32> = BTreeMap::new();
    let mut reviewers = 0;
    for verdict in verdicts {
        reviewers += 1;
        *actions.entry(verdict.action).or_insert(0) += 1;
        for (category, positive) in verdict.labels.iter() {
            let v = votes.entry(category).or_default();
            if positive {
                v.positive += 1;
            } else {
                v.negative += 1;
            }
        }
    }
    let action = settle_action(actions)?;
    if let Some(gold) = gold {
        for (category, _) in gold.iter() {
            votes.entry(category).or_default();
        }
    }
    let categories: Vec<CategoryOutcome> = votes
        .into_iter()
        .map(|(c, v)| settle(c, v, gold.and_then(|g| g.get(c))))
        .collect();
    let mut labels = Labels::new();
    for outcome in &categories {
        if let Some(label) = outcome.label {
            labels.set(outcome.category, label);
        }
    }
    Ok(Adjudication {
        labels,
        categories,
        action,
        reviewers,
    })
}

/// Groups review rows by item (in item order), refusing a reviewer's second
/// verdict on the same item.
pub fn rows_by_item(
    rows: &[ReviewRow],
) -> Result<BTreeMap<&str, Vec<&ReviewRow>>, AdjudicationError> {
    let mut by_item: BTreeMap<&str, Vec<&ReviewRow>> = BTreeMap::new();
    for row in rows {
        let item = by_item.entry(row.item_id.as_str()).or_default();
        if item.iter().any(|r| r.reviewer == row.reviewer) {
            return Err(AdjudicationError::DuplicateReview {
                item_id: row.item_id.clone(),
                reviewer: row.reviewer.clone(),
            });
        }
        item.push(row);
    }
    Ok(by_item)
}

/// Adjudicates every reviewed item in `rows`, with gold labels by item id
/// where there are any; items in id order.
pub fn adjudicate_rows(
    rows: &[ReviewRow],
    gold: &BTreeMap<String, Labels>,
) -> Result<Vec<(String, Adjudication)>, AdjudicationError> {
    rows_by_item(rows)?
        .into_iter()
        .map(|(item, reviews)| {
            let verdicts = reviews.iter().map(|r| &r.verdict);
            Ok((item.to_owned(), adjudicate(verdicts, gold.get(item))?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(labels: &[(Category, bool)], action: Action) -> Verdict {
        let mut l = Labels::new();
        for &(c, v) in labels {
            l.set(c, v);
        }
        Verdict {
            labels: l,
            action,
            note: None,
        }
    }

    #[test]
    fn a_tie_or_no_vote_is_unknown_never_negative() {
        let vs = [
            verdict(
                &[(Category::Hate, true), (Category::Sexual, false)],
                Action::Block,
            ),
            verdict(&[(Category::Hate, false)], Action::Allow),
        ];
        let a = adjudicate(&vs, None).unwrap();
        assert_eq!(a.labels.get(Category::Hate), None, "one vote each way");
        assert_eq!(
            a.labels.get(Category::Sexual),
            Some(false),
            "the only judge"
        );
        assert_eq!(a.labels.get(Category::Violence), None, "nobody judged it");
        let hate = a.categories[0];
        assert_eq!(hate.category, Category::Hate);
        assert_eq!((hate.source, hate.disputed), (LabelSource::Tie, true));
        assert_eq!(
            hate.votes,
            Votes {
                positive: 1,
                negative: 1
            }
        );
        assert_eq!(a.categories[1].source, LabelSource::Unanimous);
        assert_eq!(a.categories.len(), 2);
        assert_eq!(a.disputed().collect::<Vec<_>>(), vec![Category::Hate]);
    }

    #[test]
    fn gold_wins_and_is_recorded_beside_the_votes() {
        let vs = [
            verdict(&[(Category::Hate, true)], Action::Block),
            verdict(&[(Category::Hate, true)], Action::Block),
        ];
        let gold = Labels::new()
            .with(Category::Hate, false)
            .with(Category::Illicit, true);
        let a = adjudicate(&vs, Some(&gold)).unwrap();
        assert_eq!(a.labels.get(Category::Hate), Some(false));
        assert_eq!(
            a.labels.get(Category::Illicit),
            Some(true),
            "gold without votes"
        );
        assert_eq!(a.categories[0].source, LabelSource::Gold);
        assert_eq!(a.categories[0].votes.positive, 2);
        assert!(
            !a.categories[0].disputed,
            "the reviewers agreed with each other"
        );
    }

    #[test]
    fn the_action_is_the_plurality_and_ties_go_to_the_stricter() {
        let vs = [
            verdict(&[], Action::Allow),
            verdict(&[], Action::Allow),
            verdict(&[], Action::Block),
        ];
        let a = adjudicate(&vs, None).unwrap();
        assert_eq!(
            (a.action.action, a.action.tie_broken),
            (Action::Allow, false)
        );
        assert_eq!(a.action.votes.get(&Action::Allow), Some(&2));
        let vs = [
            verdict(&[], Action::Review),
            verdict(&[], Action::Restrict),
            verdict(&[], Action::Allow),
            verdict(&[], Action::Restrict),
            verdict(&[], Action::Review),
        ];
        let a = adjudicate(&vs, None).unwrap();
        assert_eq!(
            (a.action.action, a.action.tie_broken),
            (Action::Restrict, true)
        );
        assert_eq!(adjudicate(&[], None), Err(AdjudicationError::NoVerdicts));
    }

    #[test]
    fn rows_are_grouped_by_item_and_duplicates_refused() {
        let row = |item: &str, reviewer: &str, hate: bool| ReviewRow {
            item_id: item.into(),
            reviewer: reviewer.into(),
            verdict: verdict(&[(Category::Hate, hate)], Action::Allow),
        };
        let rows = vec![
            row("b", "r1", true),
            row("a", "r1", false),
            row("b", "r2", true),
        ];
        let gold = BTreeMap::from([("a".to_owned(), Labels::new().with(Category::Hate, true))]);
        let out = adjudicate_rows(&rows, &gold).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].0, "a");
        assert_eq!(out[0].1.labels.get(Category::Hate), Some(true), "gold");
        assert_eq!(out[1].1.reviewers, 2);
        let mut twice = rows.clone();
        twice.push(row("b", "r1", false));
        assert_eq!(
            adjudicate_rows(&twice, &gold),
            Err(AdjudicationError::DuplicateReview {
                item_id: "b".into(),
                reviewer: "r1".into()
            })
        );
    }

    #[test]
    fn the_outcome_serialises_with_stable_keys() {
        let vs = [verdict(&[(Category::Hate, true)], Action::Block)];
        let json = serde_json::to_value(adjudicate(&vs, None).unwrap()).unwrap();
        assert_eq!(json["labels"], serde_json::json!({"hate": 1}));
        assert_eq!(json["categories"][0]["source"], "unanimous");
        assert_eq!(json["action"]["votes"], serde_json::json!({"block": 1}));
    }
}
