//! What the media detectors found in one item: signals, bank matches, the
//! parts they could not examine, and the models that ran. Shared by images,
//! audio and video.

use vigil_core::{Evidence, HashMatch, Location, MediaMatch, Modality, NotAnalysed, Score, Signal};

use crate::text::{TextModelError, TextScorer};

/// Most characters of recognised text (OCR, speech) quoted in evidence.
pub(crate) const QUOTE_CHARS: usize = 200;

/// The signals, matches and gaps of an item's media.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub signals: Vec<Signal>,
    pub matches: Vec<HashMatch>,
    pub media_matches: Vec<MediaMatch>,
    pub not_analysed: Vec<NotAnalysed>,
    pub models: Vec<String>,
}

impl Findings {
    /// Records that a model ran (each name once).
    pub fn model(&mut self, name: &str) {
        if !self.models.iter().any(|m| m == name) {
            self.models.push(name.to_owned());
        }
    }

    /// Adds what another detector pass found.
    pub fn absorb(&mut self, other: Findings) {
        self.signals.extend(other.signals);
        self.matches.extend(other.matches);
        self.media_matches.extend(other.media_matches);
        self.not_analysed.extend(other.not_analysed);
        for m in &other.models {
            self.model(m);
        }
    }

    /// Records that `detector` did not run on attachment `index`, and why.
    pub fn not_run(&mut self, modality: Modality, index: usize, detector: &str, reason: String) {
        self.not_analysed.push(NotAnalysed {
            modality,
            media_index: Some(index),
            detector: Some(detector.to_owned()),
            reason,
        });
    }

    /// Records that no detector examined attachment `index` at all (the
    /// decision is then at least `review`).
    pub fn unexamined(&mut self, modality: Modality, index: usize, reason: String) {
        self.not_analysed.push(NotAnalysed {
            modality,
            media_index: Some(index),
            detector: None,
            reason,
        });
    }
}

/// How a bank entry is named in evidence: `entry #41 "label" from source`
/// (label and source only when known).
pub(crate) fn entry_note(entry: i64, label: &str, source: &str) -> String {
    let mut out = format!("entry #{entry}");
    if !label.is_empty() {
        out.push_str(&format!(" \"{label}\""));
    }
    if !source.is_empty() {
        out.push_str(&format!(" from {source}"));
    }
    out
}

/// Where recognised text came from, for its evidence.
pub(crate) struct TextSource<'a> {
    /// The modality the recogniser read (image, video, audio).
    pub modality: Modality,
    /// `ocr+text`, `asr+text`.
    pub detector: &'a str,
    /// The attachment.
    pub media_index: usize,
    /// Where in it.
    pub location: Option<Location>,
    /// How to introduce the quote: `text in the image`, `speech`.
    pub what: &'a str,
}

/// Scores text recognised in media with the text models: one signal per
/// category the models output, each quoting the text and pointing at where
/// it was found.
pub(crate) fn score_recognised_text(
    text: &TextScorer,
    words: &str,
    source: &TextSource<'_>,
    out: &mut Findings,
) -> Result<(), TextModelError> {
    let scores = text.score_one(words)?;
    let quote: String = words.chars().take(QUOTE_CHARS).collect();
    let detail = format!("{}: \"{}\"", source.what, quote.replace('\n', " / "));
    for (category, p) in text.outputs().iter().zip(&scores.probs) {
        let mut evidence = Evidence::new(source.modality, source.detector).detail(detail.clone());
        evidence.media_index = Some(source.media_index);
        evidence.location = source.location.clone();
        out.signals.push(Signal {
            category: *category,
            score: Score::saturating(f64::from(*p)),
            evidence,
        });
    }
    Ok(())
}
