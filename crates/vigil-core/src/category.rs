//! The category taxonomy: ten harm categories plus `unsafe`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A harm category. Keys are lower_snake_case everywhere (JSON, TOML, SQL, CLI).
///
/// `Unsafe` is the probability that *any* category is violated; every model reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Hate,
    Harassment,
    Sexual,
    SexualMinors,
    Violence,
    ViolenceGraphic,
    SelfHarm,
    Illicit,
    SpamScam,
    Profanity,
    Unsafe,
}

impl Category {
    /// Every category, `Unsafe` last.
    pub const ALL: [Category; 11] = [
        Category::Hate,
        Category::Harassment,
        Category::Sexual,
        Category::SexualMinors,
        Category::Violence,
        Category::ViolenceGraphic,
        Category::SelfHarm,
        Category::Illicit,
        Category::SpamScam,
        Category::Profanity,
        Category::Unsafe,
    ];

    /// The ten harm categories, without the aggregate `Unsafe`.
    pub const HARMS: [Category; 10] = [
        Category::Hate,
        Category::Harassment,
        Category::Sexual,
        Category::SexualMinors,
        Category::Violence,
        Category::ViolenceGraphic,
        Category::SelfHarm,
        Category::Illicit,
        Category::SpamScam,
        Category::Profanity,
    ];

    /// The stable key of this category, as used in every file format.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Hate => "hate",
            Category::Harassment => "harassment",
            Category::Sexual => "sexual",
            Category::SexualMinors => "sexual_minors",
            Category::Violence => "violence",
            Category::ViolenceGraphic => "violence_graphic",
            Category::SelfHarm => "self_harm",
            Category::Illicit => "illicit",
            Category::SpamScam => "spam_scam",
            Category::Profanity => "profanity",
            Category::Unsafe => "unsafe",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A string that names no category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category `{name}`; the categories are {}", known_list())]
pub struct UnknownCategory {
    /// The name that was given.
    pub name: String,
}

fn known_list() -> String {
    Category::ALL.map(Category::as_str).join(", ")
}

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCategory { name: s.to_owned() })
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Category {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
            let json = serde_json::to_string(&c).expect("a category serialises");
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Category>(&json).ok(), Some(c));
        }
    }

    #[test]
    fn unknown_category_names_the_culprit_and_the_choices() {
        let err = "hat".parse::<Category>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`hat`"), "{msg}");
        assert!(msg.contains("spam_scam"), "{msg}");
    }
}
