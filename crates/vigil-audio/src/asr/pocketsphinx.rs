//! CMU Pocketsphinx through Debian's `pocketsphinx_continuous` program and
//! its US English model (packages `pocketsphinx`, `pocketsphinx-en-us`).
//!
//! The audio is written as a 16 kHz WAV file to a private temporary file,
//! the program prints one line per word with `-time yes`
//! (`word start end posterior`), and the words are grouped into segments at
//! pauses.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{segment_words, AsrError, SpeechToText, Transcript, Word};
use crate::decode::Audio;
use crate::process::{run, RunError};
use crate::wav::to_wav16;

const PROGRAM: &str = "pocketsphinx_continuous";
const PACKAGES: &str = "pocketsphinx and pocketsphinx-en-us";
/// Where Debian's pocketsphinx-en-us puts the model.
const DEBIAN_MODEL_DIR: &str = "/usr/share/pocketsphinx/model/en-us";
/// Most output read from the program; a transcript is far smaller.
const MAX_OUTPUT_BYTES: usize = 4 << 20;
/// A pause at least this long between words starts a new segment.
const SEGMENT_PAUSE_S: f64 = 0.3;

/// Decoding settings. The defaults are the best trade-off of speed and
/// accuracy measured on 61 s of espeak-ng speech (docs/audio.md): the
/// program's own defaults except `-maxhmmpf 3000` and `-fwdflat no`, which
/// cut pocketsphinx's CPU time from 14.4 s to 8.0 s (4.2x to 7.6x real
/// time) for 78 % of the words heard instead of 83 %.
#[derive(Debug, Clone, PartialEq)]
pub struct PocketsphinxOptions {
    /// The model directory holding `en-us/`, `en-us.lm.bin` and
    /// `cmudict-en-us.dict`; `None` uses the program's built-in default
    /// (Debian: `/usr/share/pocketsphinx/model/en-us`).
    pub model_dir: Option<PathBuf>,
    /// `-ds`: acoustic scores computed every `ds` frames (1 = every frame).
    pub ds: u32,
    /// `-topn`: Gaussians scored per mixture.
    pub topn: u32,
    /// `-maxhmmpf`: active HMMs kept per frame (-1: no limit).
    pub maxhmmpf: i32,
    /// `-pl_window`: phone lookahead window, in frames (0: off).
    pub pl_window: u32,
    /// `-beam`: main search beam.
    pub beam: f64,
    /// `-wbeam`: word-exit beam.
    pub wbeam: f64,
    /// `-fwdflat`: the second, flat-lexicon search pass.
    pub fwdflat: bool,
    /// `-bestpath`: the third, lattice best-path pass.
    pub bestpath: bool,
    /// `-remove_noise`: spectral noise subtraction. Off by default: it
    /// estimates the noise from the quiet frames, and on digitally silent
    /// stretches (edited or synthetic audio) that estimate ruins
    /// recognition (measured: 40 of 75 words found without, 9 with).
    pub remove_noise: bool,
    /// The time allowed is this plus `timeout_per_audio_s` per second of audio.
    pub timeout_base_s: f64,
    /// See `timeout_base_s`.
    pub timeout_per_audio_s: f64,
}

impl Default for PocketsphinxOptions {
    fn default() -> PocketsphinxOptions {
        PocketsphinxOptions {
            model_dir: None,
            ds: 1,
            topn: 4,
            maxhmmpf: 3_000,
            pl_window: 5,
            beam: 1e-48,
            wbeam: 7e-29,
            fwdflat: false,
            bestpath: true,
            remove_noise: false,
            timeout_base_s: 20.0,
            timeout_per_audio_s: 2.0,
        }
    }
}

impl PocketsphinxOptions {
    /// The program's flags for these settings (without the input file).
    fn flags(&self) -> Vec<String> {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
        let mut flags = vec![
            "-ds".to_owned(),
            self.ds.to_string(),
            "-topn".to_owned(),
            self.topn.to_string(),
            "-maxhmmpf".to_owned(),
            self.maxhmmpf.to_string(),
            "-pl_window".to_owned(),
            self.pl_window.to_string(),
            "-beam".to_owned(),
            format!("{:e}", self.beam),
            "-wbeam".to_owned(),
            format!("{:e}", self.wbeam),
            "-fwdflat".to_owned(),
            yes_no(self.fwdflat),
            "-bestpath".to_owned(),
            yes_no(self.bestpath),
            "-remove_noise".to_owned(),
            yes_no(self.remove_noise),
        ];
        if let Some(dir) = &self.model_dir {
            for (flag, file) in [
                ("-hmm", "en-us"),
                ("-lm", "en-us.lm.bin"),
                ("-dict", "cmudict-en-us.dict"),
            ] {
                flags.push(flag.to_owned());
                flags.push(dir.join(file).to_string_lossy().into_owned());
            }
        }
        flags
    }
}

/// Pocketsphinx, found and ready.
#[derive(Debug, Clone)]
pub struct Pocketsphinx {
    program: PathBuf,
    model_dir: PathBuf,
    options: PocketsphinxOptions,
}

impl Pocketsphinx {
    /// Finds `pocketsphinx_continuous` at `explicit` or, when `None`, on the
    /// `PATH`, and checks that it runs and that its model is installed.
    pub fn locate(explicit: Option<&Path>) -> Result<Pocketsphinx, AsrError> {
        Pocketsphinx::with_options(explicit, PocketsphinxOptions::default())
    }

    /// As [`Pocketsphinx::locate`], with other decoding settings.
    pub fn with_options(
        explicit: Option<&Path>,
        options: PocketsphinxOptions,
    ) -> Result<Pocketsphinx, AsrError> {
        let program = explicit.map_or_else(|| PathBuf::from(PROGRAM), Path::to_path_buf);
        let not_installed = || AsrError::NotInstalled {
            what: PROGRAM,
            path: program.clone(),
            packages: PACKAGES,
        };
        // Given a file that does not exist, the program logs its
        // configuration (the model's paths among it) and exits with status 1
        // before loading anything.
        let probe = ["-infile", "/nonexistent/vigil-probe.wav"];
        let usage =
            run(&program, &probe, Duration::from_secs(10), 1 << 20).map_err(|_| not_installed())?;
        if !usage.stderr.contains("-hmm") {
            return Err(not_installed());
        }
        let model_dir = match &options.model_dir {
            Some(dir) => dir.clone(),
            None => default_model_dir(&usage.stderr),
        };
        if !model_dir.join("en-us").join("mdef").is_file() {
            return Err(AsrError::NotInstalled {
                what: "the pocketsphinx US English model",
                path: model_dir,
                packages: PACKAGES,
            });
        }
        Ok(Pocketsphinx {
            program,
            model_dir,
            options,
        })
    }

    /// The decoding settings in use.
    pub fn options(&self) -> &PocketsphinxOptions {
        &self.options
    }

    fn timeout(&self, audio: &Audio) -> Duration {
        let seconds =
            self.options.timeout_base_s + self.options.timeout_per_audio_s * audio.duration_s;
        Duration::from_secs_f64(seconds.clamp(1.0, 86_400.0))
    }
}

impl SpeechToText for Pocketsphinx {
    fn name(&self) -> &str {
        "pocketsphinx"
    }

    /// The program prints no version; what determines its output is the
    /// model and the flags, so those are what this names.
    fn version(&self) -> Option<String> {
        Some(format!(
            "{PROGRAM} model={} {}",
            self.model_dir.display(),
            self.options.flags().join(" ")
        ))
    }

    fn transcribe(&self, audio: &Audio) -> Result<Transcript, AsrError> {
        let io_error = |source| AsrError::Io {
            program: PROGRAM.to_owned(),
            source,
        };
        let mut file = tempfile::Builder::new()
            .prefix("vigil-asr-")
            .suffix(".wav")
            .tempfile()
            .map_err(io_error)?;
        file.write_all(&to_wav16(audio)).map_err(io_error)?;
        file.flush().map_err(io_error)?;
        let path = file.path().to_string_lossy().into_owned();
        let mut args = vec![
            "-infile".to_owned(),
            path,
            "-time".to_owned(),
            "yes".to_owned(),
            "-logfn".to_owned(),
            "/dev/null".to_owned(),
        ];
        args.extend(self.options.flags());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let timeout = self.timeout(audio);
        let finished =
            run(&self.program, &args, timeout, MAX_OUTPUT_BYTES).map_err(|e| match e {
                RunError::Timeout(limit) => AsrError::Timeout {
                    program: PROGRAM.to_owned(),
                    seconds: limit.as_secs(),
                },
                RunError::Spawn(e) | RunError::Wait(e) => AsrError::Failed {
                    program: PROGRAM.to_owned(),
                    message: e.to_string(),
                },
            })?;
        if !finished.success {
            let message = finished
                .stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("exit status not 0")
                .to_owned();
            return Err(AsrError::Failed {
                program: PROGRAM.to_owned(),
                message,
            });
        }
        Ok(Transcript {
            segments: segment_words(parse_words(&finished.stdout), SEGMENT_PAUSE_S),
        })
    }
}

/// The model directory from the configuration the program logs: the value
/// of `-hmm` (the last field of its line) is the acoustic model,
/// `…/model/en-us/en-us`, inside the model directory.
fn default_model_dir(config_log: &str) -> PathBuf {
    config_log
        .lines()
        .find_map(|line| {
            let mut fields = line.split_whitespace();
            if fields.next() != Some("-hmm") {
                return None;
            }
            let hmm = Path::new(fields.last()?);
            hmm.is_absolute()
                .then(|| hmm.parent().unwrap_or(hmm).to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from(DEBIAN_MODEL_DIR))
}

/// Word lines of `-time yes` output: `word start end posterior`. Sentence
/// markers, silences and noise fillers are dropped, and alternate
/// pronunciations (`the(2)`) are reduced to the word. Other lines (the
/// hypothesis of each utterance) are ignored.
fn parse_words(output: &str) -> Vec<Word> {
    let mut words = Vec::new();
    for line in output.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [token, start, end, posterior] = fields[..] else {
            continue;
        };
        let (Ok(start_s), Ok(end_s), Ok(confidence)) = (
            start.parse::<f64>(),
            end.parse::<f64>(),
            posterior.parse::<f32>(),
        ) else {
            continue;
        };
        if is_filler(token) {
            continue;
        }
        let text = token.split('(').next().unwrap_or(token);
        if text.is_empty() {
            continue;
        }
        words.push(Word {
            text: text.to_owned(),
            start_s,
            end_s,
            confidence: confidence.clamp(0.0, 1.0),
        });
    }
    words
}

/// `<s>`, `</s>`, `<sil>`, and fillers in brackets such as `[NOISE]`, `++UH++`.
fn is_filler(token: &str) -> bool {
    (token.starts_with('<') && token.ends_with('>'))
        || (token.starts_with('[') && token.ends_with(']'))
        || (token.starts_with("++") && token.ends_with("++"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lines_are_parsed_and_fillers_dropped() {
        let out = "\n<s> 0.000 0.930 1.000000\n</s> 0.940 1.130 1.000000\ni am going\n<s> 4.880 4.990 0.999900\ni 5.000 5.200 0.9\n<sil> 5.210 5.500 0.95\nam 5.510 5.700 0.8\n[NOISE] 5.7 5.8 0.5\nthe(2) 5.810 6.000 0.7\n</s> 6.010 6.100 1.0\n";
        let words = parse_words(out);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["i", "am", "the"]);
        assert_eq!(words[0].start_s, 5.0);
        assert_eq!(words[2].confidence, 0.7);
        let segments = segment_words(words, SEGMENT_PAUSE_S);
        // The 0.31 s silence between "i" and "am" splits them.
        assert_eq!(segments.len(), 2);
    }

    #[test]
    fn the_model_directory_is_read_from_the_usage() {
        let usage = "-hmm\t\t\t\t\t/usr/share/pocketsphinx/model/en-us/en-us\n-lm x\n";
        assert_eq!(
            default_model_dir("-hmm\t\tDirectory containing acoustic model files.\n"),
            PathBuf::from(DEBIAN_MODEL_DIR)
        );
        assert_eq!(
            default_model_dir(usage),
            PathBuf::from("/usr/share/pocketsphinx/model/en-us")
        );
    }

    #[test]
    fn a_missing_program_names_the_packages() {
        let err = Pocketsphinx::locate(Some(Path::new("/nonexistent/pocketsphinx_continuous")))
            .expect_err("missing");
        let message = err.to_string();
        assert!(message.contains("pocketsphinx-en-us"), "{message}");
        assert!(message.contains("/nonexistent"), "{message}");
    }
}
