//! The engine: text models loaded once, a policy that can be swapped, and
//! [`Engine::scan`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use vigil_audio::{AudioLimits, SpeechToText};
use vigil_core::{
    sha256_hex, Action, ContentFacts, Decision, Evidence, InputDigest, Item, Modality, Score,
    Signal,
};
use vigil_core::{MediaKind, VersionRef};
use vigil_image::nudity::NudityDetector;
use vigil_image::ocr::Ocr;
use vigil_policy::{fuse_max, DecisionInput, Policy};
use vigil_text::blocklist::PolicyBlocklists;
use vigil_video::Ffmpeg;

use crate::audio::analyse_audio;
use crate::banks::Banks;
use crate::findings::Findings;
use crate::fusion::Stacker;
use crate::image::analyse;
use crate::input::{check_item, InputError, Limits};
use crate::media_banks::MediaBanks;
use crate::text::{LinearPass, TextModelError, TextScorer};
use crate::video::{analyse_video, VideoTools};

/// A validated policy with its blocklists compiled, and where it came from.
#[derive(Debug)]
pub struct PolicyState {
    /// The policy.
    pub policy: Policy,
    /// Its blocklists, ready to match.
    pub blocklists: PolicyBlocklists,
    /// The file it was read from.
    pub path: PathBuf,
    /// `sha256:` of the file's bytes: a reload is needed when it changes.
    pub digest: String,
    /// The file's text, as it was loaded (for the store's policy record).
    pub text: String,
}

/// Why a policy file was refused.
#[derive(Debug, thiserror::Error)]
pub enum PolicyLoadError {
    /// Not readable.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Invalid: every problem, located.
    #[error("{0}")]
    Invalid(vigil_policy::PolicyErrors),
    /// A blocklist that does not compile.
    #[error("{path}: a blocklist does not compile: {message}")]
    Blocklist {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl PolicyState {
    /// Reads, validates and compiles a policy file.
    pub fn load(path: &Path) -> Result<PolicyState, PolicyLoadError> {
        let bytes = std::fs::read(path).map_err(|source| PolicyLoadError::Read {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let policy = Policy::from_toml_in(&text, &path.display().to_string(), path.parent())
            .map_err(PolicyLoadError::Invalid)?
            .policy;
        let blocklists =
            PolicyBlocklists::new(&policy.blocklists).map_err(|e| PolicyLoadError::Blocklist {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
        Ok(PolicyState {
            policy,
            blocklists,
            path: path.to_owned(),
            digest: sha256_hex(&bytes),
            text,
        })
    }

    /// The digest of the file as it is on disk now (to tell whether it changed).
    pub fn digest_on_disk(path: &Path) -> std::io::Result<String> {
        Ok(sha256_hex(&std::fs::read(path)?))
    }
}

/// Text models, image tools, the current policy, the hash banks and the
/// input limits.
pub struct Engine {
    text: TextScorer,
    policy: RwLock<Arc<PolicyState>>,
    banks: RwLock<Arc<Banks>>,
    media_banks: RwLock<Arc<MediaBanks>>,
    ocr: Result<Ocr, String>,
    nudity: Result<Arc<NudityDetector>, String>,
    ffmpeg: Result<Ffmpeg, String>,
    asr: Result<Arc<dyn SpeechToText>, String>,
    stacker: Option<Arc<Stacker>>,
    limits: Limits,
}

/// The result of one scan.
#[derive(Debug, Clone)]
pub struct Scan {
    /// The decision (not yet stored: the caller persists it).
    pub decision: Decision,
    /// Microseconds spent in the text models.
    pub inference_us: u64,
    /// Microseconds in the transformer, when the cascade consulted it.
    pub transformer_us: Option<u64>,
    /// Every signal the detectors emitted, before fusion (what a fusion
    /// stacker is trained on).
    pub signals: Vec<Signal>,
}

/// Why an item could not be scanned.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// Refused by the input checks or the decoders: the caller's fault.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A model failed: Vigil's fault.
    #[error(transparent)]
    Model(#[from] TextModelError),
}

impl Engine {
    /// An engine over loaded text models and a policy.
    pub fn new(text: TextScorer, policy: PolicyState, limits: Limits) -> Engine {
        Engine {
            text,
            policy: RwLock::new(Arc::new(policy)),
            banks: RwLock::new(Arc::new(Banks::default())),
            media_banks: RwLock::new(Arc::new(MediaBanks::default())),
            ocr: Err("OCR is not configured".to_owned()),
            nudity: Err("no nudity detector is configured".to_owned()),
            ffmpeg: Err("ffmpeg is not configured".to_owned()),
            asr: Err("no speech recogniser is configured".to_owned()),
            stacker: None,
            limits,
        }
    }

    /// Fuses each category's signals with a trained stacker instead of
    /// taking the maximum (`crate::fusion`).
    pub fn with_stacker(mut self, stacker: Option<Arc<Stacker>>) -> Engine {
        self.stacker = stacker;
        self
    }

    /// The fusion stacker, when one is loaded.
    pub fn stacker(&self) -> Option<&Stacker> {
        self.stacker.as_deref()
    }

    /// Decodes video with `ffmpeg`; with `Err(why)`, every video's decision
    /// says it was not decoded, and why (and is sent to review).
    pub fn with_ffmpeg(mut self, ffmpeg: Result<Ffmpeg, String>) -> Engine {
        self.ffmpeg = ffmpeg;
        self
    }

    /// Whether videos are decoded, or why not.
    pub fn ffmpeg(&self) -> Result<&Ffmpeg, &str> {
        self.ffmpeg.as_ref().map_err(String::as_str)
    }

    /// Transcribes speech (audio, and videos' sound tracks) with `asr`;
    /// with `Err(why)`, every recording's decision says speech was not
    /// transcribed, and why.
    pub fn with_asr(mut self, asr: Result<Arc<dyn SpeechToText>, String>) -> Engine {
        self.asr = asr;
        self
    }

    /// The speech recogniser, or why there is none.
    pub fn asr(&self) -> Result<&dyn SpeechToText, &str> {
        self.asr.as_deref().map_err(String::as_str)
    }

    /// The video and audio banks now matched against.
    pub fn media_banks(&self) -> Arc<MediaBanks> {
        self.media_banks
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Puts reloaded video and audio banks in force; scans already running
    /// finish with the old ones.
    pub fn replace_media_banks(&self, banks: MediaBanks) {
        *self
            .media_banks
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(banks);
    }

    /// Reads text in images with `ocr`; with `Err(why)`, every image's
    /// decision says OCR did not run, and why.
    pub fn with_ocr(mut self, ocr: Result<Ocr, String>) -> Engine {
        self.ocr = ocr;
        self
    }

    /// Whether OCR runs, or why not.
    pub fn ocr(&self) -> Result<&Ocr, &str> {
        self.ocr.as_ref().map_err(String::as_str)
    }

    /// Looks for nudity in images with `nudity` (shared, since the model is
    /// large and read-only); with `Err(why)`, every image's decision says
    /// the nudity detector did not run, and why.
    pub fn with_nudity(mut self, nudity: Result<Arc<NudityDetector>, String>) -> Engine {
        self.nudity = nudity;
        self
    }

    /// Whether the nudity detector runs, or why not.
    pub fn nudity(&self) -> Result<&NudityDetector, &str> {
        self.nudity.as_deref().map_err(String::as_str)
    }

    /// The hash banks now matched against.
    pub fn banks(&self) -> Arc<Banks> {
        self.banks
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Puts a rebuilt bank index in force; scans already running finish
    /// with the old one.
    pub fn replace_banks(&self, banks: Banks) {
        *self
            .banks
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(banks);
    }

    /// The text models.
    pub fn text(&self) -> &TextScorer {
        &self.text
    }

    /// The input limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The policy now in force.
    pub fn policy(&self) -> Arc<PolicyState> {
        // A poisoned lock only means a writer panicked mid-swap of an Arc;
        // the Arc inside is whole either way.
        self.policy
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Puts a new policy in force; scans already running finish under the
    /// old one.
    pub fn replace_policy(&self, state: PolicyState) {
        *self
            .policy
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(state);
    }

    /// Checks, scores and decides one item. `received` is when the item
    /// arrived, so the decision's latency covers queueing and parsing too.
    pub fn scan(&self, item: &vigil_core::Item, received: Instant) -> Result<Scan, ScanError> {
        self.finish(self.prepare(item, received)?)
    }

    /// The fast part of a scan: input checks, digest, the linear model and
    /// the blocklists, under the policy in force now. A server runs it on
    /// its request thread and sends only a [`Prepared::needs_transformer`]
    /// scan to a blocking pool for [`Engine::finish`].
    pub fn prepare(&self, item: &Item, received: Instant) -> Result<Prepared, ScanError> {
        let checked = check_item(item, &self.limits)?;
        let state = self.policy();
        let mut digest = InputDigest::new();
        if let Some(t) = &item.text {
            digest = digest.text(t);
        }
        for m in &checked.media {
            digest = digest.media(&m.bytes);
        }
        let text = item
            .text
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(str::to_owned);
        let started = Instant::now();
        let (linear, blocklist_signals) = match &text {
            Some(t) => {
                let pass = self.text.linear_pass(t);
                let normalized = vigil_text::normalize::normalize(t);
                (Some(pass), state.blocklists.detect(&normalized))
            }
            None => (None, Vec::new()),
        };
        let mut media = Findings::default();
        let banks = if checked
            .media
            .iter()
            .any(|m| matches!(m.kind, MediaKind::Image | MediaKind::Video))
        {
            Some(self.banks())
        } else {
            None
        };
        // Read only for audio and video: text-only scans (the hot path) skip
        // the lock.
        let media_banks = if checked
            .media
            .iter()
            .any(|m| matches!(m.kind, MediaKind::Audio | MediaKind::Video))
        {
            self.media_banks()
        } else {
            Arc::default()
        };
        for (i, m) in checked.media.iter().enumerate() {
            match m.kind {
                MediaKind::Image => {
                    let banks = banks.clone().unwrap_or_default();
                    media.absorb(analyse(
                        i,
                        &m.bytes,
                        &state.policy,
                        &banks,
                        self.ocr(),
                        self.nudity(),
                        &self.text,
                    )?);
                }
                MediaKind::Audio => {
                    let limits = AudioLimits {
                        max_duration_s: self.limits.max_media_seconds,
                    };
                    let audio = vigil_audio::decode(&m.bytes, &limits).map_err(|e| {
                        InputError::CorruptMedia {
                            index: i,
                            modality: Modality::Audio,
                            message: e.to_string(),
                        }
                    })?;
                    media.model("audio-decoder");
                    let examined = analyse_audio(
                        i,
                        &audio,
                        &state.policy,
                        &media_banks,
                        self.asr(),
                        &self.text,
                        &mut media,
                    )?;
                    if !examined {
                        media.unexamined(
                            Modality::Audio,
                            i,
                            "no detector examined the audio (no audio bank was compared and \
                             speech was not transcribed)"
                                .to_owned(),
                        );
                    }
                }
                MediaKind::Video => {
                    let image_banks = banks.clone().unwrap_or_default();
                    let tools = VideoTools {
                        image_banks: &image_banks,
                        ffmpeg: self.ffmpeg(),
                        ocr: self.ocr(),
                        nudity: self.nudity(),
                        asr: self.asr(),
                        text: &self.text,
                    };
                    analyse_video(i, &m.bytes, &state.policy, &media_banks, &tools, &mut media)?;
                }
            }
        }
        Ok(Prepared {
            item_id: item.id.clone(),
            text,
            content: ContentFacts::of(item),
            digest: digest.finish(),
            state,
            linear,
            blocklist_signals,
            media,
            received,
            linear_us: started.elapsed().as_micros() as u64,
        })
    }

    /// The rest of a scan: the transformer when the cascade needs it, then
    /// fusion and the policy's decision.
    pub fn finish(&self, mut prepared: Prepared) -> Result<Scan, ScanError> {
        let mut signals = Vec::new();
        let mut transformer_us = None;
        if let (Some(pass), Some(text)) = (prepared.linear.as_mut(), prepared.text.as_deref()) {
            if pass.needs_transformer {
                transformer_us = Some(self.text.transformer_pass(text, pass)?);
            }
            let versions = self.text.versions();
            let detector = if transformer_us.is_some() {
                self.text.name_version().0
            } else {
                versions[0].name.clone()
            };
            for (category, p) in self.text.outputs().iter().zip(&pass.probs) {
                signals.push(Signal {
                    category: *category,
                    score: Score::saturating(f64::from(*p)),
                    evidence: Evidence::new(Modality::Text, detector.clone()),
                });
            }
        }
        signals.append(&mut prepared.blocklist_signals);
        signals.append(&mut prepared.media.signals);
        let mut models = self.text.versions();
        for name in &prepared.media.models {
            models.push(match name.as_str() {
                "pdq" => VersionRef {
                    name: "pdq".to_owned(),
                    version: "1".to_owned(),
                    digest: None,
                },
                // Whichever recogniser is configured, by the name it gives.
                n if self.asr().is_ok_and(|asr| asr.name() == n) => VersionRef {
                    name: name.clone(),
                    version: self
                        .asr()
                        .ok()
                        .and_then(SpeechToText::version)
                        .unwrap_or_default(),
                    digest: None,
                },
                "ffmpeg" => VersionRef {
                    name: name.clone(),
                    version: self
                        .ffmpeg()
                        .ok()
                        .and_then(|f| f.version().ok())
                        .unwrap_or_default(),
                    digest: None,
                },
                "tesseract" => VersionRef {
                    name: "tesseract".to_owned(),
                    version: self.ocr().ok().and_then(Ocr::version).unwrap_or_default(),
                    digest: None,
                },
                vigil_image::nudity::MODEL_NAME => {
                    let detector = self.nudity().ok();
                    VersionRef {
                        name: name.clone(),
                        // The NudeNet release, when the file is one Vigil knows.
                        version: detector
                            .and_then(NudityDetector::release)
                            .unwrap_or("unknown")
                            .to_owned(),
                        digest: detector.map(|d| d.digest().to_owned()),
                    }
                }
                other => VersionRef {
                    name: other.to_owned(),
                    version: String::new(),
                    digest: None,
                },
            });
        }
        if prepared.media.models.iter().any(|m| m == "pdq") {
            models.push(VersionRef {
                name: "hash-banks".to_owned(),
                version: self.banks().version().to_string(),
                digest: None,
            });
        }
        if prepared
            .media
            .models
            .iter()
            .any(|m| m == "vpdq" || m == "chromaprint")
        {
            models.push(VersionRef {
                name: "media-banks".to_owned(),
                version: self.media_banks().version().to_string(),
                digest: None,
            });
        }
        let scores = match &self.stacker {
            Some(stacker) => {
                models.push(VersionRef {
                    name: "fusion-stacker".to_owned(),
                    version: stacker.file().trained_on.clone(),
                    digest: Some(stacker.digest().to_owned()),
                });
                stacker.fuse(&signals)
            }
            None => fuse_max(&signals),
        };
        let mut decision = prepared.state.policy.decide(DecisionInput {
            item_id: prepared.item_id,
            input_digest: prepared.digest,
            scores,
            models,
            latency_us: 0,
            content: prepared.content,
        });
        // A part no detector examined is never allowed silently.
        let unexamined = prepared
            .media
            .not_analysed
            .iter()
            .any(|n| n.detector.is_none());
        if unexamined && decision.action < Action::Review {
            decision.action = Action::Review;
        }
        decision.not_analysed = prepared.media.not_analysed;
        decision.hash_matches = prepared.media.matches;
        decision.media_matches = prepared.media.media_matches;
        decision.latency_us = prepared.received.elapsed().as_micros() as u64;
        Ok(Scan {
            decision,
            inference_us: prepared.linear_us + transformer_us.unwrap_or(0),
            transformer_us,
            signals,
        })
    }
}

/// A scan after its fast part ([`Engine::prepare`]); owns what
/// [`Engine::finish`] needs, so it can move to another thread.
#[derive(Debug)]
pub struct Prepared {
    item_id: String,
    text: Option<String>,
    content: ContentFacts,
    digest: String,
    state: Arc<PolicyState>,
    linear: Option<LinearPass>,
    blocklist_signals: Vec<Signal>,
    media: Findings,
    received: Instant,
    linear_us: u64,
}

impl Prepared {
    /// Whether [`Engine::finish`] will run the transformer (slow: send it
    /// to a blocking pool).
    pub fn needs_transformer(&self) -> bool {
        self.linear.as_ref().is_some_and(|p| p.needs_transformer)
    }
}

#[cfg(test)]
mod tests;
