//! Ground-truth labels per category, where an absent key means *unknown*.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Category;

/// Known labels of one item. A category that is not present is unknown,
/// never negative: metrics count only known labels.
///
/// JSON: `{"hate": 1, "profanity": 0}` (booleans are accepted on input).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(BTreeMap<Category, bool>);

impl Labels {
    /// No known labels.
    pub fn new() -> Labels {
        Labels::default()
    }

    /// Record a known label.
    pub fn set(&mut self, category: Category, positive: bool) {
        self.0.insert(category, positive);
    }

    /// Builder form of [`Labels::set`].
    pub fn with(mut self, category: Category, positive: bool) -> Labels {
        self.set(category, positive);
        self
    }

    /// `Some(true)` positive, `Some(false)` negative, `None` unknown.
    pub fn get(&self, category: Category) -> Option<bool> {
        self.0.get(&category).copied()
    }

    /// Known labels in category order.
    pub fn iter(&self) -> impl Iterator<Item = (Category, bool)> + '_ {
        self.0.iter().map(|(c, v)| (*c, *v))
    }

    /// Whether no label is known.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Set `unsafe` from the harm categories where that is sound: positive if
    /// any known harm label is positive; negative only if *every* harm
    /// category in `covered` is known negative. Otherwise left as it is.
    pub fn derive_unsafe(&mut self, covered: &[Category]) {
        if self.get(Category::Unsafe).is_some() {
            return;
        }
        let any_positive = self.iter().any(|(c, v)| c != Category::Unsafe && v);
        if any_positive {
            self.set(Category::Unsafe, true);
        } else if !covered.is_empty() && covered.iter().all(|c| self.get(*c) == Some(false)) {
            self.set(Category::Unsafe, false);
        }
    }
}

impl Labels {
    /// The labels plus what the taxonomy implies, since `unsafe` means "any
    /// harm category is violated": a positive harm makes `unsafe` positive,
    /// and a known-negative `unsafe` makes every harm category negative.
    /// Nothing else is inferred; a conflict (a positive harm beside a
    /// negative `unsafe`) is left as it is for the data's owner to fix.
    pub fn with_implications(&self) -> Labels {
        let mut out = self.clone();
        let any_harm = self.iter().any(|(c, v)| c != Category::Unsafe && v);
        match self.get(Category::Unsafe) {
            None if any_harm => out.set(Category::Unsafe, true),
            Some(false) if !any_harm => {
                for c in Category::HARMS {
                    out.0.entry(c).or_insert(false);
                }
            }
            _ => {}
        }
        out
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(c, v)| (c, u8::from(*v))))
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LabelValue {
    Int(u8),
    Bool(bool),
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<Category, LabelValue>::deserialize(d)?;
        let mut out = Labels::new();
        for (c, v) in raw {
            let positive = match v {
                LabelValue::Int(0) | LabelValue::Bool(false) => false,
                LabelValue::Int(1) | LabelValue::Bool(true) => true,
                LabelValue::Int(n) => {
                    return Err(serde::de::Error::custom(format!(
                        "label `{c}` is {n}; a label is 0 or 1 (leave the key out when unknown)"
                    )))
                }
            };
            out.set(c, positive);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_is_unknown() {
        let l: Labels = serde_json::from_str(r#"{"hate":1,"profanity":0}"#).expect("parses");
        assert_eq!(l.get(Category::Hate), Some(true));
        assert_eq!(l.get(Category::Profanity), Some(false));
        assert_eq!(l.get(Category::Sexual), None);
        assert_eq!(
            serde_json::to_string(&l).expect("ser"),
            r#"{"hate":1,"profanity":0}"#
        );
    }

    #[test]
    fn bad_label_values_are_refused() {
        assert!(serde_json::from_str::<Labels>(r#"{"hate":2}"#).is_err());
        assert!(serde_json::from_str::<Labels>(r#"{"hat":1}"#).is_err());
    }

    #[test]
    fn implications_follow_the_definition_of_unsafe() {
        let safe = Labels::new()
            .with(Category::Unsafe, false)
            .with_implications();
        for c in Category::HARMS {
            assert_eq!(safe.get(c), Some(false), "{c}");
        }
        let spam = Labels::new()
            .with(Category::SpamScam, true)
            .with_implications();
        assert_eq!(spam.get(Category::Unsafe), Some(true));
        assert_eq!(spam.get(Category::Hate), None, "nothing else is inferred");
        let unknown = Labels::new()
            .with(Category::Hate, false)
            .with_implications();
        assert_eq!(unknown.get(Category::Unsafe), None);
        let conflict = Labels::new()
            .with(Category::Hate, true)
            .with(Category::Unsafe, false);
        assert_eq!(conflict.with_implications(), conflict);
    }

    #[test]
    fn unsafe_is_derived_only_when_sound() {
        let mut l = Labels::new().with(Category::Hate, false);
        l.derive_unsafe(&[Category::Hate, Category::Profanity]);
        assert_eq!(
            l.get(Category::Unsafe),
            None,
            "profanity unknown: unsafe unknown"
        );
        l.set(Category::Profanity, false);
        l.derive_unsafe(&[Category::Hate, Category::Profanity]);
        assert_eq!(l.get(Category::Unsafe), Some(false));
        let mut l = Labels::new().with(Category::SpamScam, true);
        l.derive_unsafe(&[]);
        assert_eq!(l.get(Category::Unsafe), Some(true));
    }
}
