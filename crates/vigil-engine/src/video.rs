//! Video: every frame hashed (vPDQ) and matched against the video banks;
//! one frame a second, and each scene change, read by OCR and looked at by
//! the nudity detector; the sound track through the audio pipeline. Every
//! piece of evidence carries its frame or time range.

use std::ops::ControlFlow;

use ::image::DynamicImage;
use vigil_audio::{Audio, SpeechToText, SAMPLE_RATE};
use vigil_core::{Location, Modality};
use vigil_image::nudity::NudityDetector;
use vigil_image::ocr::Ocr;
use vigil_image::PdqHash;
use vigil_policy::Policy;
use vigil_video::{scan_video, Ffmpeg, Sampler, TempVideo};

use crate::audio::analyse_audio;
use crate::banks::Banks;
use crate::engine::ScanError;
use crate::findings::{score_recognised_text, Findings, TextSource};
use crate::image::{find_nudity, match_banks};
use crate::input::InputError;
use crate::media_banks::{match_media_banks, MediaBanks, Query};
use crate::text::TextScorer;

/// Sampled frames within this many PDQ bits of the last frame read show the
/// same picture (a still caption over several seconds): its OCR text and
/// nudity result stand, and the text's time range is extended instead of
/// reading the frame again. Frames of one shot differ by a few bits; the
/// vPDQ match distance is 31.
const SAME_PICTURE_BITS: u32 = 16;

/// The tools a video goes through.
pub(crate) struct VideoTools<'a> {
    /// The image banks, matched against each sampled frame (a known image
    /// shown in a video).
    pub image_banks: &'a Banks,
    pub ffmpeg: Result<&'a Ffmpeg, &'a str>,
    pub ocr: Result<&'a Ocr, &'a str>,
    pub nudity: Result<&'a NudityDetector, &'a str>,
    pub asr: Result<&'a dyn SpeechToText, &'a str>,
    pub text: &'a TextScorer,
}

/// Text read in one picture, shown from `start` until the next different
/// picture.
struct Caption {
    text: String,
    first_frame: u64,
    start_s: f64,
}

/// Scans one video attachment into `out`.
pub(crate) fn analyse_video(
    index: usize,
    bytes: &[u8],
    policy: &Policy,
    banks: &MediaBanks,
    tools: &VideoTools<'_>,
    out: &mut Findings,
) -> Result<(), ScanError> {
    let ffmpeg = match tools.ffmpeg {
        Ok(ffmpeg) => ffmpeg,
        Err(why) => {
            out.unexamined(
                Modality::Video,
                index,
                format!("the video was not decoded: {why}"),
            );
            return Ok(());
        }
    };
    let corrupt = |message: String| InputError::CorruptMedia {
        index,
        modality: Modality::Video,
        message,
    };
    let file = TempVideo::new(bytes).map_err(|e| corrupt(e.to_string()))?;
    out.model("ffmpeg");
    out.model("vpdq");
    let mut examined = false;
    let mut last_picture: Option<PdqHash> = None;
    let mut caption: Option<Caption> = None;
    let mut failure: Option<ScanError> = None;
    let mut ocr_ran = false;
    let mut nudity_ran = false;
    let match_frames = !policy.banks.is_empty() && !tools.image_banks.is_empty();
    // Each bank entry, and each bank's signal for a category, is reported
    // once: at the first frame that matched.
    let mut matched = std::collections::BTreeSet::new();
    let mut signalled = std::collections::BTreeSet::new();
    let scan = scan_video(ffmpeg, file.path(), Sampler::default(), |sampled| {
        let frame = sampled.frame;
        if match_frames && frame.quality >= policy.images.quality_floor {
            let mut found = Findings::default();
            match_banks(
                index,
                &[("orig", frame.hash)],
                Some((frame.index, frame.time_s)),
                policy,
                tools.image_banks,
                &mut found,
            );
            for m in found.matches {
                if matched.insert((m.bank.clone(), m.entry)) {
                    out.matches.push(m);
                }
            }
            for s in found.signals {
                if signalled.insert((s.category, s.evidence.detector.clone())) {
                    out.signals.push(s);
                }
            }
        }
        if last_picture.is_some_and(|h| h.distance(&frame.hash) <= SAME_PICTURE_BITS) {
            return ControlFlow::Continue(());
        }
        last_picture = Some(frame.hash);
        // A new picture: what was on screen before ends here.
        if let Some(done) = caption.take() {
            if let Err(e) = score_caption(index, done, frame.time_s, tools.text, out) {
                failure = Some(e);
                return ControlFlow::Break(());
            }
        }
        if let Ok(ocr) = tools.ocr {
            match ocr.read(&ppm(sampled.image)) {
                Ok(found) => {
                    ocr_ran = true;
                    if !found.lines.is_empty() {
                        caption = Some(Caption {
                            text: found.text(),
                            first_frame: frame.index,
                            start_s: frame.time_s,
                        });
                    }
                }
                Err(e) => out.not_run(Modality::Video, index, "ocr", e.to_string()),
            }
        }
        if tools.nudity.is_ok() {
            nudity_ran |= find_nudity(
                index,
                sampled.image,
                Some((frame.index, frame.time_s)),
                tools.nudity,
                out,
            );
        }
        ControlFlow::Continue(())
    })
    .map_err(|e| corrupt(e.to_string()))?;
    if let Some(e) = failure {
        return Err(e);
    }
    let end_s = scan
        .info
        .duration_s
        .max(scan.frames.last().map_or(0.0, |f| f.time_s));
    if let Some(done) = caption.take() {
        score_caption(index, done, end_s, tools.text, out)?;
    }
    if ocr_ran {
        out.model("tesseract");
        examined = true;
    }
    examined |= nudity_ran;
    if let Err(why) = tools.ocr {
        out.not_run(Modality::Video, index, "ocr", why.to_owned());
    }
    if let Err(why) = tools.nudity {
        out.not_run(Modality::Video, index, "nudity", why.to_owned());
    }
    if scan.sample_limit_reached {
        out.not_run(
            Modality::Video,
            index,
            "ocr",
            format!(
                "only the first {} sampled frames were read and looked at; the rest of the \
                 video was hashed only",
                scan.sampled
            ),
        );
    }
    examined |= match_frames;
    if banks.holds(Modality::Video) && !policy.banks.is_empty() {
        examined |= match_media_banks(index, Query::Video(&scan.frames), policy, banks, out);
    } else {
        out.not_run(
            Modality::Video,
            index,
            "hash-match",
            if policy.banks.is_empty() {
                "the policy uses no hash banks".to_owned()
            } else {
                "no video bank holds an enabled entry".to_owned()
            },
        );
    }
    if scan.info.has_audio {
        match ffmpeg.audio_pcm(file.path(), SAMPLE_RATE) {
            Ok(Some(pcm)) => match Audio::from_pcm16(&pcm, SAMPLE_RATE) {
                Ok(audio) => {
                    examined |=
                        analyse_audio(index, &audio, policy, banks, tools.asr, tools.text, out)?;
                }
                Err(e) => out.not_run(Modality::Audio, index, "audio", e.to_string()),
            },
            Ok(None) => {}
            Err(e) => out.not_run(
                Modality::Audio,
                index,
                "audio",
                format!("the sound track was not decoded: {e}"),
            ),
        }
    }
    if !examined {
        out.unexamined(
            Modality::Video,
            index,
            "no detector examined the video (no bank was compared, no frame was read or \
             looked at, and no speech was transcribed)"
                .to_owned(),
        );
    }
    Ok(())
}

/// Scores the text of one caption, on screen from its first frame until
/// `end_s`.
fn score_caption(
    index: usize,
    caption: Caption,
    end_s: f64,
    text: &TextScorer,
    out: &mut Findings,
) -> Result<(), ScanError> {
    let source = TextSource {
        modality: Modality::Video,
        detector: "ocr+text",
        media_index: index,
        location: Some(if end_s > caption.start_s {
            Location::TimeRange {
                start_s: caption.start_s,
                end_s,
            }
        } else {
            Location::Frame {
                index: caption.first_frame,
                time_s: caption.start_s,
            }
        }),
        what: "text on screen",
    };
    Ok(score_recognised_text(text, &caption.text, &source, out)?)
}

/// The picture as a binary PPM, which tesseract reads from stdin without
/// any compression work.
fn ppm(image: &DynamicImage) -> Vec<u8> {
    let rgb = image.to_rgb8();
    let mut out = format!("P6\n{} {}\n255\n", rgb.width(), rgb.height()).into_bytes();
    out.extend_from_slice(rgb.as_raw());
    out
}
