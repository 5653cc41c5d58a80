//! One line of `items.jsonl`: an item, its known labels and its split.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::de::{Error as _, IgnoredAny};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use vigil_core::{Item, Labels};

/// Which part of a data set a record belongs to. Lower case in JSON and TOML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// For fitting models (about 80 % of ids).
    Train,
    /// For choosing thresholds and hyper-parameters (about 10 %).
    Validation,
    /// For the figures that are reported (about 10 %).
    Test,
}

impl Split {
    /// Every split, in the order above.
    pub const ALL: [Split; 3] = [Split::Train, Split::Validation, Split::Test];

    /// The stable key (`train`, `validation`, `test`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Validation => "validation",
            Split::Test => "test",
        }
    }

    /// The split of an item, from its id alone.
    ///
    /// The first 8 bytes of SHA-256 of the id's UTF-8 bytes, read as a
    /// big-endian `u64`, modulo 100: below 80 is `train`, below 90
    /// `validation`, the rest `test`. The split so depends on nothing but the
    /// id: re-importing a set, or importing it on another machine, puts every
    /// item where it was, and adding rows never moves old ones.
    ///
    /// ```
    /// use vigil_data::Split;
    /// assert_eq!(Split::for_id("davidson-00017"), Split::for_id("davidson-00017"));
    /// ```
    pub fn for_id(id: &str) -> Split {
        let digest = Sha256::digest(id.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        match u64::from_be_bytes(first) % 100 {
            0..=79 => Split::Train,
            80..=89 => Split::Validation,
            _ => Split::Test,
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown split `{0}`; the splits are train, validation, test")]
pub struct UnknownSplit(pub String);

impl FromStr for Split {
    type Err = UnknownSplit;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Split::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| UnknownSplit(s.to_owned()))
    }
}

/// One labelled item of a data set: a line of `items.jsonl`.
///
/// The item's fields (`id`, `text`, `media`, `meta`) sit at the top level of
/// the JSON object beside `labels` and `split`:
///
/// ```
/// use vigil_core::Category;
/// use vigil_data::{Record, Split};
///
/// let line = r#"{"id":"davidson-00017","text":"…","labels":{"hate":1,"profanity":0},"split":"train","meta":{"source":"davidson","lang":"en"}}"#;
/// let record: Record = serde_json::from_str(line).unwrap();
/// assert_eq!(record.item.id, "davidson-00017");
/// assert_eq!(record.labels.get(Category::Hate), Some(true));
/// assert_eq!(record.labels.get(Category::Sexual), None); // absent: unknown
/// assert_eq!(record.split, Split::Train);
/// ```
///
/// On input, `labels` may be left out (nothing known), and a key that is none
/// of the above is an error rather than silently dropped, so that a typo such
/// as `"lables"` cannot erase a record's labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// The item.
    #[serde(flatten)]
    pub item: Item,
    /// Known labels; an absent category is unknown.
    pub labels: Labels,
    /// The split.
    pub split: Split,
}

/// The wire form of a [`Record`]: the same fields, plus a catch-all for the
/// keys that neither the item nor the record claims. Serde's `flatten` cannot
/// be combined with `deny_unknown_fields`, so unknown keys are caught here.
#[derive(Deserialize)]
struct RecordWire {
    #[serde(flatten)]
    item: Item,
    #[serde(default)]
    labels: Labels,
    split: Split,
    // Must stay after `item`: flattened fields are filled in declaration order,
    // and a struct takes its own keys out of the buffer, leaving only strangers.
    #[serde(flatten)]
    unknown: BTreeMap<String, IgnoredAny>,
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = RecordWire::deserialize(d)?;
        if let Some(key) = wire.unknown.keys().next() {
            return Err(D::Error::custom(format!(
                "unknown field `{key}`; a record has id, text, media, meta, labels and split"
            )));
        }
        Ok(Record {
            item: wire.item,
            labels: wire.labels,
            split: wire.split,
        })
    }
}

#[cfg(test)]
mod tests {
    use vigil_core::{Category, Media, MediaKind, MediaSource};

    use super::*;

    #[test]
    fn split_is_deterministic_and_roughly_80_10_10() {
        let mut counts = [0u32; 3];
        for i in 0..20_000 {
            let id = format!("test-{i:05}");
            let s = Split::for_id(&id);
            assert_eq!(s, Split::for_id(&id));
            counts[s as usize] += 1;
        }
        let [train, validation, test] = counts;
        assert!((15_600..=16_400).contains(&train), "{counts:?}");
        assert!((1_800..=2_200).contains(&validation), "{counts:?}");
        assert!((1_800..=2_200).contains(&test), "{counts:?}");
    }

    #[test]
    fn split_matches_values_computed_outside_rust() {
        // Buckets computed with Python's hashlib:
        // int.from_bytes(sha256(id).digest()[:8], "big") % 100.
        for (id, bucket, split) in [
            ("davidson-00017", 3, Split::Train),
            ("test-00000", 11, Split::Train),
            ("test-00011", 76, Split::Train),
            ("test-00012", 82, Split::Validation),
            ("test-00013", 88, Split::Validation),
            ("test-00030", 90, Split::Test),
            ("test-00041", 94, Split::Test),
        ] {
            assert_eq!(Split::for_id(id), split, "{id} is in bucket {bucket}");
        }
    }

    #[test]
    fn split_keys_round_trip() {
        for s in Split::ALL {
            assert_eq!(s.as_str().parse::<Split>(), Ok(s));
            let json = serde_json::to_string(&s).expect("a split serialises");
            assert_eq!(json, format!("\"{s}\""));
        }
        assert!("Train".parse::<Split>().is_err());
    }

    fn full_record() -> Record {
        let mut item = Item::text("davidson-00017", "some text");
        item.media.push(Media {
            kind: MediaKind::Image,
            source: MediaSource::Path {
                path: "img/17.jpg".into(),
            },
            mime: None,
        });
        item.meta.source = Some("davidson".into());
        item.meta.lang = Some("en".into());
        item.meta.extra.insert("annotators".into(), "3".into());
        Record {
            item,
            labels: Labels::new()
                .with(Category::Hate, true)
                .with(Category::Profanity, false),
            split: Split::Validation,
        }
    }

    #[test]
    fn flatten_round_trips_with_the_items_flattened_meta() {
        let record = full_record();
        let json = serde_json::to_string(&record).expect("a record serialises");
        assert_eq!(
            json,
            r#"{"id":"davidson-00017","text":"some text","media":[{"kind":"image","path":"img/17.jpg"}],"meta":{"lang":"en","source":"davidson","annotators":"3"},"labels":{"hate":1,"profanity":0},"split":"validation"}"#
        );
        let back: Record = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back, record);
        assert_eq!(back.item.meta.get("annotators"), Some("3"));
    }

    #[test]
    fn the_documented_example_line_parses() {
        let line = r#"{"id": "davidson-00017", "text": "…", "media": [{"kind": "image", "path": "img/17.jpg"}], "labels": {"hate": 1, "profanity": 0}, "split": "train", "meta": {"source": "davidson", "lang": "en"}}"#;
        let r: Record = serde_json::from_str(line).expect("documented form parses");
        assert_eq!(r.item.media.len(), 1);
        assert_eq!(r.item.meta.source.as_deref(), Some("davidson"));
        assert_eq!(r.labels.get(Category::Profanity), Some(false));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let typo = r#"{"id":"a","text":"t","lables":{"hate":1},"split":"train"}"#;
        let err = serde_json::from_str::<Record>(typo).expect_err("typo refused");
        assert!(err.to_string().contains("`lables`"), "{err}");
        let bad_split = r#"{"id":"a","text":"t","split":"dev"}"#;
        assert!(serde_json::from_str::<Record>(bad_split).is_err());
        let no_split = r#"{"id":"a","text":"t","labels":{}}"#;
        assert!(serde_json::from_str::<Record>(no_split).is_err());
        let bad_label = r#"{"id":"a","text":"t","labels":{"hate":2},"split":"test"}"#;
        assert!(serde_json::from_str::<Record>(bad_label).is_err());
        let no_labels = r#"{"id":"a","text":"t","split":"test"}"#;
        let r: Record = serde_json::from_str(no_labels).expect("labels may be absent");
        assert!(r.labels.is_empty());
    }
}
