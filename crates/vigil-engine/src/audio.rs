//! Audio, on its own or as a video's sound track: the fingerprint matched
//! against the audio banks, and the speech transcribed and scored by the
//! text models, each piece of evidence with its time range.

use vigil_audio::{fingerprint, Audio, SpeechToText};
use vigil_core::{Location, Modality};
use vigil_policy::Policy;

use crate::findings::{score_recognised_text, Findings, TextSource};
use crate::media_banks::{match_media_banks, MediaBanks, Query};
use crate::text::{TextModelError, TextScorer};

/// The speech recogniser's name in decisions' `models` and `not_analysed`.
pub(crate) const ASR: &str = "asr";

/// Fingerprints `audio` and matches it against the audio banks the policy
/// uses; transcribes it and scores each stretch of speech. `index` is the
/// attachment (an audio file, or the video whose track this is). Returns
/// whether any detector examined the audio.
pub(crate) fn analyse_audio(
    index: usize,
    audio: &Audio,
    policy: &Policy,
    banks: &MediaBanks,
    asr: Result<&dyn SpeechToText, &str>,
    text: &TextScorer,
    out: &mut Findings,
) -> Result<bool, TextModelError> {
    let mut examined = false;
    if banks.holds(Modality::Audio) && !policy.banks.is_empty() {
        out.model("chromaprint");
        let print = fingerprint(audio);
        examined |= match_media_banks(index, Query::Audio(&print), policy, banks, out);
    } else {
        out.not_run(
            Modality::Audio,
            index,
            "hash-match",
            if policy.banks.is_empty() {
                "the policy uses no hash banks".to_owned()
            } else {
                "no audio bank holds an enabled entry".to_owned()
            },
        );
    }
    match asr {
        Ok(asr) => {
            out.model(asr.name());
            match asr.transcribe(audio) {
                Ok(transcript) => {
                    examined = true;
                    for segment in transcript
                        .segments
                        .iter()
                        .filter(|s| !s.text.trim().is_empty())
                    {
                        let source = TextSource {
                            modality: Modality::Audio,
                            detector: "asr+text",
                            media_index: index,
                            location: Some(Location::TimeRange {
                                start_s: segment.start_s,
                                end_s: segment.end_s,
                            }),
                            what: "speech",
                        };
                        score_recognised_text(text, &segment.text, &source, out)?;
                    }
                }
                Err(e) => out.not_run(Modality::Audio, index, ASR, e.to_string()),
            }
        }
        Err(why) => out.not_run(Modality::Audio, index, ASR, why.to_owned()),
    }
    Ok(examined)
}
