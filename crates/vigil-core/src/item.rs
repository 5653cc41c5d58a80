//! The content item a platform asks Vigil about: text, media and metadata.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of content a detector reads or a piece of evidence points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    Text,
    Image,
    Audio,
    Video,
}

impl Modality {
    /// Every modality.
    pub const ALL: [Modality; 4] = [
        Modality::Text,
        Modality::Image,
        Modality::Audio,
        Modality::Video,
    ];

    /// The stable key of this modality.
    pub const fn as_str(self) -> &'static str {
        match self {
            Modality::Text => "text",
            Modality::Image => "image",
            Modality::Audio => "audio",
            Modality::Video => "video",
        }
    }
}

impl fmt::Display for Modality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The kinds of media an item can carry (text travels in [`Item::text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Audio,
    Video,
}

impl MediaKind {
    /// The modality detectors see this media as.
    pub const fn modality(self) -> Modality {
        match self {
            MediaKind::Image => Modality::Image,
            MediaKind::Audio => Modality::Audio,
            MediaKind::Video => Modality::Video,
        }
    }
}

/// Where a media attachment's bytes are.
///
/// JSON: `{"kind": "image", "path": "img/17.jpg"}` or
/// `{"kind": "image", "data_base64": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MediaSource {
    /// A file path; in a dataset, relative to the dataset folder.
    Path {
        /// The path.
        path: String,
    },
    /// The bytes inline, base64 encoded (the HTTP API's form).
    Inline {
        /// Standard base64 with padding.
        data_base64: String,
    },
}

/// One media attachment of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// Image, audio or video.
    pub kind: MediaKind,
    /// Where the bytes are.
    #[serde(flatten)]
    pub source: MediaSource,
    /// The MIME type, when the sender knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
}

/// Metadata about an item. `lang`, `source` and `surface` are named because
/// evaluation slices and reports use them; anything else lands in `extra`.
///
/// Every value is a string so that any field can serve as an evaluation slice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// ISO 639-1 language code, lower case (`en`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Where the item came from: the data set, or the platform feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where the item would be published (`comment`, `profile`, `chat`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface: Option<String>,
    /// Any other field.
    #[serde(flatten)]
    pub extra: BTreeMap<String, String>,
}

impl Meta {
    /// The value of any field by name, named or extra.
    pub fn get(&self, field: &str) -> Option<&str> {
        match field {
            "lang" => self.lang.as_deref(),
            "source" => self.source.as_deref(),
            "surface" => self.surface.as_deref(),
            other => self.extra.get(other).map(String::as_str),
        }
    }

    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.lang.is_none()
            && self.source.is_none()
            && self.surface.is_none()
            && self.extra.is_empty()
    }
}

/// A piece of content to scan: text and/or media, plus metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The caller's id for the item; unique within a data set.
    pub id: String,
    /// The text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Attached media, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<Media>,
    /// Metadata.
    #[serde(default, skip_serializing_if = "Meta::is_empty")]
    pub meta: Meta,
}

impl Item {
    /// A text-only item.
    pub fn text(id: impl Into<String>, text: impl Into<String>) -> Item {
        Item {
            id: id.into(),
            text: Some(text.into()),
            media: Vec::new(),
            meta: Meta::default(),
        }
    }

    /// The modalities this item carries.
    pub fn modalities(&self) -> Vec<Modality> {
        let mut out: Vec<Modality> = self.media.iter().map(|m| m.kind.modality()).collect();
        if self.text.is_some() {
            out.push(Modality::Text);
        }
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_json_matches_the_documented_form() {
        let json = r#"{"id":"davidson-00017","text":"hi","media":[{"kind":"image","path":"img/17.jpg"}],"meta":{"source":"davidson","lang":"en","annotators":"3"}}"#;
        let item: Item = serde_json::from_str(json).expect("documented form parses");
        assert_eq!(
            item.media[0].source,
            MediaSource::Path {
                path: "img/17.jpg".into()
            }
        );
        assert_eq!(item.meta.get("lang"), Some("en"));
        assert_eq!(item.meta.get("annotators"), Some("3"));
        assert_eq!(item.modalities(), vec![Modality::Text, Modality::Image]);
        let back: Item = serde_json::from_str(&serde_json::to_string(&item).expect("serialises"))
            .expect("round trip");
        assert_eq!(back, item);
    }

    #[test]
    fn inline_media_parses() {
        let m: Media = serde_json::from_str(r#"{"kind":"audio","data_base64":"AAAA"}"#)
            .expect("inline media parses");
        assert_eq!(m.kind.modality(), Modality::Audio);
    }
}
