//! Audio for Vigil: decoding, fingerprints and speech to text.
//!
//! - [`decode`] turns WAV, MP3, Ogg Vorbis, FLAC or AAC (MP4/M4A, ADTS) bytes
//!   into an [`Audio`]: mono, 16 kHz, `f32` samples, within [`AudioLimits`].
//!   [`Audio::from_pcm16`] takes PCM that ffmpeg extracted from a video.
//! - [`fingerprint`] computes a Chromaprint fingerprint (the configuration
//!   `fpcalc` uses by default), and [`match_fingerprints`] finds where a
//!   query lies inside a reference, if it does, with its bit error rate.
//! - [`SpeechToText`] is the speech recogniser's trait; [`Pocketsphinx`]
//!   implements it with Debian's `pocketsphinx_continuous` program, found at
//!   run time. A [`Transcript`] has timed segments and words, so a detector
//!   can point at the second where something was said.
//!
//! ```
//! use vigil_audio::{decode, fingerprint, match_fingerprints, to_wav16, Audio, AudioLimits, DEFAULT_MAX_BER};
//!
//! // Six seconds of a 440 Hz tone, written as WAV and read back.
//! let pcm: Vec<i16> = (0..96000)
//!     .map(|i| ((i as f32 * 440.0 * std::f32::consts::TAU / 16000.0).sin() * 8000.0) as i16)
//!     .collect();
//! let wav = to_wav16(&Audio::from_pcm16(&pcm, 16000)?);
//! let audio = decode(&wav, &AudioLimits::default())?;
//! assert!((audio.duration_s - 6.0).abs() < 1e-3);
//! // One value per 0.124 s, after the first 2.6 s.
//! let print = fingerprint(&audio);
//! assert!(print.values.len() > 20);
//! let found = match_fingerprints(&print, &print, DEFAULT_MAX_BER).expect("itself");
//! assert_eq!(found.offset_s, 0.0);
//! # Ok::<(), vigil_audio::AudioError>(())
//! ```

mod asr;
mod decode;
mod fingerprint;
mod matching;
mod mp4_edits;
mod process;
mod resample;
mod wav;

pub use asr::{
    AsrError, Pocketsphinx, PocketsphinxOptions, Segment, SpeechToText, Transcript, Word,
};
pub use decode::{decode, Audio, AudioError, AudioLimits, SAMPLE_RATE};
pub use fingerprint::{fingerprint, Fingerprint, FingerprintError, ITEM_DURATION_S};
pub use matching::{match_fingerprints, AudioMatch, DEFAULT_MAX_BER, MIN_OVERLAP_S};
pub use resample::Resampler;
pub use wav::to_wav16;
