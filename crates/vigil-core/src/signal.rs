//! What detectors emit: a score for a category, with the evidence behind it.

use serde::{Deserialize, Serialize};

use crate::{Category, Modality, Score};

/// Where in the item a piece of evidence points.
///
/// JSON is tagged by `type`: `{"type": "span", "start": 4, "end": 11}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Location {
    /// A range of the item's text, in Unicode scalar values (chars), end exclusive.
    Span { start: usize, end: usize },
    /// A rectangle of an image, in pixels from the top-left corner.
    Region {
        x: u32,
        y: u32,
        width: u32,
        height: u32,
    },
    /// One video frame.
    Frame { index: u64, time_s: f64 },
    /// A stretch of audio or video, in seconds.
    TimeRange { start_s: f64, end_s: f64 },
}

/// Why a detector gave the score it gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The modality the detector read.
    pub modality: Modality,
    /// The detector's registered name (`text-linear`, `pdq-bank`, …).
    pub detector: String,
    /// Which media attachment, by position in [`crate::Item::media`]; absent for the item text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_index: Option<usize>,
    /// Where in the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// A short human-readable note (matched bank entry, OCR text, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Evidence {
    /// Evidence from a detector reading one modality, with no location yet.
    pub fn new(modality: Modality, detector: impl Into<String>) -> Evidence {
        Evidence {
            modality,
            detector: detector.into(),
            media_index: None,
            location: None,
            detail: None,
        }
    }

    /// Builder: point at a location.
    pub fn at(mut self, location: Location) -> Evidence {
        self.location = Some(location);
        self
    }

    /// Builder: add a note.
    pub fn detail(mut self, detail: impl Into<String>) -> Evidence {
        self.detail = Some(detail.into());
        self
    }
}

/// One detector's opinion about one category of one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// The category scored.
    pub category: Category,
    /// Calibrated probability that the item violates the category.
    pub score: Score,
    /// Why.
    pub evidence: Evidence,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_json_is_stable() {
        let s = Signal {
            category: Category::Hate,
            score: Score::new(0.5).expect("valid"),
            evidence: Evidence::new(Modality::Text, "text-linear")
                .at(Location::Span { start: 4, end: 11 }),
        };
        let json = serde_json::to_string(&s).expect("ser");
        assert_eq!(
            json,
            r#"{"category":"hate","score":0.5,"evidence":{"modality":"text","detector":"text-linear","location":{"type":"span","start":4,"end":11}}}"#
        );
        let back: Signal = serde_json::from_str(&json).expect("de");
        assert_eq!(back, s);
    }
}
