//! Speech to text behind a small trait, so a better engine can replace the
//! one shipped: [`Pocketsphinx`], Debian's `pocketsphinx_continuous` program
//! run at run time (never linked in).

mod pocketsphinx;

pub use pocketsphinx::{Pocketsphinx, PocketsphinxOptions};

use std::path::PathBuf;

use crate::decode::Audio;

/// A speech recogniser.
pub trait SpeechToText: Send + Sync {
    /// A short name for logs and decisions (`pocketsphinx`).
    fn name(&self) -> &str;
    /// What identifies the recogniser's output: program, model and settings.
    fn version(&self) -> Option<String>;
    /// The words spoken in the audio, with their times.
    fn transcribe(&self, audio: &Audio) -> Result<Transcript, AsrError>;
}

/// What was said, in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcript {
    /// Stretches of speech separated by pauses.
    pub segments: Vec<Segment>,
}

impl Transcript {
    /// All the words, segments joined by newlines.
    pub fn text(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A stretch of speech without a long pause.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Start of the first word, in seconds from the start of the audio.
    pub start_s: f64,
    /// End of the last word.
    pub end_s: f64,
    /// The words, joined by spaces.
    pub text: String,
    /// The words with their times.
    pub words: Vec<Word>,
}

/// One recognised word.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The word, lower case as the dictionary spells it.
    pub text: String,
    /// Start, in seconds from the start of the audio.
    pub start_s: f64,
    /// End.
    pub end_s: f64,
    /// The recogniser's confidence, 0 to 1 (pocketsphinx: the word's
    /// posterior probability in the lattice).
    pub confidence: f32,
}

/// Why speech could not be transcribed.
#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    /// The program or its model is not installed.
    #[error("{what} is not installed (looked for `{}`); install the Debian packages {packages}", path.display())]
    NotInstalled {
        /// The program or the model.
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
        /// The packages that provide it.
        packages: &'static str,
    },
    /// It ran past its time limit and was stopped.
    #[error("{program} gave no answer within {seconds} s")]
    Timeout {
        /// The program.
        program: String,
        /// The limit.
        seconds: u64,
    },
    /// It ran and failed.
    #[error("{program} failed: {message}")]
    Failed {
        /// The program.
        program: String,
        /// Its last line of complaint, or why it could not start.
        message: String,
    },
    /// The audio could not be handed over (temporary file).
    #[error("cannot write the audio for {program}: {source}")]
    Io {
        /// The program.
        program: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Groups timed words into segments, starting a new one wherever the pause
/// between two words is at least `min_pause_s`.
pub(crate) fn segment_words(words: Vec<Word>, min_pause_s: f64) -> Vec<Segment> {
    let mut segments: Vec<Segment> = Vec::new();
    for word in words {
        match segments.last_mut() {
            Some(segment) if word.start_s - segment.end_s < min_pause_s => {
                segment.end_s = segment.end_s.max(word.end_s);
                segment.text.push(' ');
                segment.text.push_str(&word.text);
                segment.words.push(word);
            }
            _ => segments.push(Segment {
                start_s: word.start_s,
                end_s: word.end_s,
                text: word.text.clone(),
                words: vec![word],
            }),
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start_s: f64, end_s: f64) -> Word {
        Word {
            text: text.to_owned(),
            start_s,
            end_s,
            confidence: 1.0,
        }
    }

    #[test]
    fn pauses_split_segments() {
        let words = vec![
            word("hello", 1.0, 1.4),
            word("there", 1.5, 1.9),
            word("kill", 5.0, 5.3),
        ];
        let segments = segment_words(words, 0.3);
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[0].text, "hello there");
        assert_eq!((segments[0].start_s, segments[0].end_s), (1.0, 1.9));
        assert_eq!(segments[1].start_s, 5.0);
        let transcript = Transcript { segments };
        assert_eq!(transcript.text(), "hello there\nkill");
    }
}
