//! Chromaprint fingerprints (rusty-chromaprint, configuration "test2": the
//! default of the `fpcalc` program and of AcoustID), and their text form.

use std::fmt;

use rusty_chromaprint::{Configuration, Fingerprinter};

use crate::decode::Audio;
use crate::resample::Resampler;
use crate::wav::to_i16;

/// The rate Chromaprint analyses audio at.
const CHROMAPRINT_RATE: u32 = 11_025;

/// Seconds of audio each fingerprint value advances by: 1,365 samples
/// (4,096-sample frames with two thirds overlap) at 11,025 Hz, ≈ 0.1238 s.
pub const ITEM_DURATION_S: f64 = 1365.0 / 11025.0;

/// A Chromaprint fingerprint: one 32-bit value per [`ITEM_DURATION_S`].
#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    /// The raw values, as `fpcalc -raw` prints them.
    pub values: Vec<u32>,
    /// Duration of the audio fingerprinted, in seconds.
    pub duration_s: f64,
}

/// Why a fingerprint's text could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FingerprintError {
    /// A value is not a 32-bit integer.
    #[error("fingerprint value {index} is not a 32-bit integer: `{value}`")]
    BadValue {
        /// Position of the value, from 0.
        index: usize,
        /// The offending text.
        value: String,
    },
    /// `fpcalc` output without a `FINGERPRINT=` line.
    #[error("no FINGERPRINT= line in the fpcalc output")]
    NoFingerprintLine,
    /// A `DURATION=` line that is not a number.
    #[error("bad DURATION= line: `{0}`")]
    BadDuration(String),
}

/// The Chromaprint fingerprint of decoded audio.
///
/// The 16 kHz samples are converted to Chromaprint's 11,025 Hz with Vigil's
/// own resampler rather than rusty-chromaprint's internal one (a 16-tap sinc
/// with nearest-phase lookup), then fed as 16-bit PCM at 11,025 Hz, as
/// `fpcalc` feeds Chromaprint what ffmpeg decoded and resampled.
pub fn fingerprint(audio: &Audio) -> Fingerprint {
    let at_11k = Resampler::convert(&audio.samples, audio.sample_rate, CHROMAPRINT_RATE);
    let pcm: Vec<i16> = at_11k.iter().map(|&s| to_i16(s)).collect();
    let mut printer = Fingerprinter::new(&Configuration::preset_test2());
    let values = match printer.start(CHROMAPRINT_RATE, 1) {
        Ok(()) => {
            printer.consume(&pcm);
            printer.finish();
            printer.fingerprint().to_vec()
        }
        // Unreachable with a fixed rate and one channel.
        Err(_) => Vec::new(),
    };
    Fingerprint {
        values,
        duration_s: audio.duration_s,
    }
}

impl Fingerprint {
    /// Reads comma-separated values, as `fpcalc -raw` prints after
    /// `FINGERPRINT=` (signed values, from `fpcalc -signed`, are read too).
    ///
    /// ```
    /// let print = vigil_audio::Fingerprint::parse_values("1,4294967295,-1", 0.37)?;
    /// assert_eq!(print.values, [1, u32::MAX, u32::MAX]);
    /// assert_eq!(print.to_string(), "1,4294967295,4294967295");
    /// # Ok::<(), vigil_audio::FingerprintError>(())
    /// ```
    pub fn parse_values(text: &str, duration_s: f64) -> Result<Fingerprint, FingerprintError> {
        let text = text.trim();
        let mut values = Vec::new();
        if !text.is_empty() {
            for (index, field) in text.split(',').enumerate() {
                let field = field.trim();
                let value = field
                    .parse::<u32>()
                    .or_else(|_| field.parse::<i32>().map(|v| v as u32))
                    .map_err(|_| FingerprintError::BadValue {
                        index,
                        value: field.chars().take(40).collect(),
                    })?;
                values.push(value);
            }
        }
        Ok(Fingerprint { values, duration_s })
    }

    /// Reads the whole output of `fpcalc -raw`: `DURATION=…` and
    /// `FINGERPRINT=…` lines (other lines, such as `FILE=`, are ignored).
    pub fn parse_fpcalc(output: &str) -> Result<Fingerprint, FingerprintError> {
        let mut duration_s = 0.0;
        let mut values = None;
        for line in output.lines() {
            if let Some(rest) = line.strip_prefix("DURATION=") {
                duration_s = rest
                    .trim()
                    .parse()
                    .map_err(|_| FingerprintError::BadDuration(rest.to_owned()))?;
            } else if let Some(rest) = line.strip_prefix("FINGERPRINT=") {
                values = Some(rest);
            }
        }
        let values = values.ok_or(FingerprintError::NoFingerprintLine)?;
        Fingerprint::parse_values(values, duration_s)
    }

    /// Seconds of audio the values cover.
    pub fn covered_s(&self) -> f64 {
        self.values.len() as f64 * ITEM_DURATION_S
    }
}

impl fmt::Display for Fingerprint {
    /// The values separated by commas, as `fpcalc -raw` prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, value) in self.values.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{value}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        let print = Fingerprint {
            values: vec![0, 7, u32::MAX, 123_456_789],
            duration_s: 1.0,
        };
        let back = Fingerprint::parse_values(&print.to_string(), 1.0).expect("own output");
        assert_eq!(back, print);
        assert_eq!(
            Fingerprint::parse_values("", 0.0).expect("empty").values,
            Vec::<u32>::new()
        );
    }

    #[test]
    fn fpcalc_output_is_read() {
        let out = "FILE=x.wav\nDURATION=12\nFINGERPRINT=5,6,7\n";
        let print = Fingerprint::parse_fpcalc(out).expect("valid output");
        assert_eq!(print.values, [5, 6, 7]);
        assert_eq!(print.duration_s, 12.0);
        assert_eq!(
            Fingerprint::parse_fpcalc("DURATION=1\n"),
            Err(FingerprintError::NoFingerprintLine)
        );
    }

    #[test]
    fn bad_values_are_named() {
        let err = Fingerprint::parse_values("1,2,x3", 0.0).expect_err("bad value");
        assert_eq!(
            err,
            FingerprintError::BadValue {
                index: 2,
                value: "x3".to_owned()
            }
        );
    }

    #[test]
    fn silence_and_empty_audio_do_not_fail() {
        let empty = Audio::from_pcm16(&[], 16000).expect("valid rate");
        assert!(fingerprint(&empty).values.is_empty());
        // The first value needs about 2.6 s of audio, then one per item.
        let silence = Audio::from_pcm16(&vec![0; 16000 * 10], 16000).expect("valid rate");
        let print = fingerprint(&silence);
        let expected = ((10.0 - 2.6) / ITEM_DURATION_S) as usize;
        assert!(
            print.values.len().abs_diff(expected) <= 2,
            "{}",
            print.values.len()
        );
    }
}
