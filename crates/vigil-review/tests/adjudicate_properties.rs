//! Property tests for adjudication: the label is the strict majority of the
//! reviewers who judged a category (never negative by default), gold always
//! wins, the order of verdicts does not matter, and the action is the most
//! chosen with ties to the stricter.

use proptest::prelude::*;
use vigil_core::{Action, Category, Labels, Verdict};
use vigil_review::adjudicate::{adjudicate, LabelSource};

/// A verdict judging each of three categories or leaving it out.
fn verdict() -> impl Strategy<Value = Verdict> {
    (
        prop::collection::vec(prop::option::of(any::<bool>()), 3),
        0usize..4,
    )
        .prop_map(|(labels, action)| {
            let mut l = Labels::new();
            for (c, v) in Category::ALL.into_iter().zip(labels) {
                if let Some(v) = v {
                    l.set(c, v);
                }
            }
            Verdict {
                labels: l,
                action: Action::ALL[action],
                note: None,
            }
        })
}

fn gold() -> impl Strategy<Value = Option<Labels>> {
    prop::option::of(prop::collection::vec(prop::option::of(any::<bool>()), 3)).prop_map(|g| {
        g.map(|labels| {
            let mut l = Labels::new();
            for (c, v) in Category::ALL.into_iter().zip(labels) {
                if let Some(v) = v {
                    l.set(c, v);
                }
            }
            l
        })
    })
}

proptest! {
    #[test]
    fn labels_are_the_strict_majority_unless_gold_says_otherwise(
        verdicts in prop::collection::vec(verdict(), 1..8),
        gold in gold(),
    ) {
        let a = adjudicate(&verdicts, gold.as_ref()).unwrap();
        prop_assert_eq!(a.reviewers, verdicts.len());
        for c in Category::ALL {
            let yes = verdicts.iter().filter(|v| v.labels.get(c) == Some(true)).count();
            let no = verdicts.iter().filter(|v| v.labels.get(c) == Some(false)).count();
            let majority = match yes.cmp(&no) {
                std::cmp::Ordering::Greater => Some(true),
                std::cmp::Ordering::Less => Some(false),
                std::cmp::Ordering::Equal => None,
            };
            let g = gold.as_ref().and_then(|g| g.get(c));
            prop_assert_eq!(a.labels.get(c), g.or(majority), "{}", c);
            let outcome = a.categories.iter().find(|o| o.category == c);
            prop_assert_eq!(outcome.is_some(), yes + no > 0 || g.is_some());
            if let Some(o) = outcome {
                prop_assert_eq!(o.votes.positive as usize, yes);
                prop_assert_eq!(o.votes.negative as usize, no);
                prop_assert_eq!(o.disputed, yes > 0 && no > 0);
                prop_assert_eq!(o.source == LabelSource::Gold, g.is_some());
            }
        }
    }

    #[test]
    fn the_order_of_verdicts_does_not_matter(
        verdicts in prop::collection::vec(verdict(), 1..8),
        gold in gold(),
    ) {
        let mut reversed = verdicts.clone();
        reversed.reverse();
        prop_assert_eq!(
            adjudicate(&verdicts, gold.as_ref()).unwrap(),
            adjudicate(&reversed, gold.as_ref()).unwrap()
        );
    }

    #[test]
    fn the_action_is_the_most_chosen_and_ties_go_to_the_stricter(
        verdicts in prop::collection::vec(verdict(), 1..8),
    ) {
        let a = adjudicate(&verdicts, None).unwrap();
        let count = |x: Action| verdicts.iter().filter(|v| v.action == x).count();
        let chosen = count(a.action.action);
        for x in Action::ALL {
            prop_assert!(count(x) <= chosen);
            if count(x) == chosen && x != a.action.action {
                prop_assert!(x < a.action.action, "{} tied with {}", x, a.action.action);
                prop_assert!(a.action.tie_broken);
            }
        }
    }
}
