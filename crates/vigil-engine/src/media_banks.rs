//! Video and audio banks: known videos (their vPDQ frame hashes) and known
//! recordings (their Chromaprint fingerprints), matched whole against each
//! scanned video or recording.
//!
//! Media banks are small next to image banks (a bank video is hundreds of
//! frame hashes, a recording a few thousand fingerprint values, and banks
//! hold thousands of them, not millions), so they are compared one by one
//! and reloaded whole when the banks change; the image banks' match index
//! and incremental updates are not needed here.

use vigil_audio::{match_fingerprints, Fingerprint};
use vigil_core::{Category, Evidence, Location, MediaMatch, Modality, Score, Signal};
use vigil_policy::Policy;
use vigil_video::vpdq::{dedupe, match_videos, VpdqFrame};

use crate::findings::{entry_note, Findings};

/// What a bank entry holds.
#[derive(Debug, Clone)]
pub enum MediaContent {
    /// A video's frame hashes, de-duplicated.
    Video(Vec<VpdqFrame>),
    /// A recording's fingerprint.
    Audio(Fingerprint),
}

/// One enabled entry of a video or audio bank.
#[derive(Debug, Clone)]
pub struct MediaBankEntry {
    /// The entry's id in the store.
    pub id: i64,
    /// The bank holding it.
    pub bank: String,
    /// Whether the bank is negative (known-benign).
    pub negative: bool,
    /// What it is; may be empty.
    pub label: String,
    /// Where it came from; may be empty.
    pub source: String,
    /// The hashes.
    pub content: MediaContent,
}

/// Every enabled entry of every video and audio bank, at one banks version.
#[derive(Debug, Clone, Default)]
pub struct MediaBanks {
    version: i64,
    entries: Vec<MediaBankEntry>,
}

impl MediaBanks {
    /// The banks at `version` (the store's banks version they were read at).
    pub fn new(version: i64, mut entries: Vec<MediaBankEntry>) -> MediaBanks {
        for e in &mut entries {
            if let MediaContent::Video(frames) = &mut e.content {
                *frames = dedupe(frames);
            }
        }
        MediaBanks { version, entries }
    }

    /// The banks version these entries were read at.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether any entry holds this kind of media.
    pub fn holds(&self, modality: Modality) -> bool {
        self.entries.iter().any(|e| e.modality() == modality)
    }
}

impl MediaBankEntry {
    /// Video or audio.
    pub fn modality(&self) -> Modality {
        match self.content {
            MediaContent::Video(_) => Modality::Video,
            MediaContent::Audio(_) => Modality::Audio,
        }
    }
}

/// What is matched: a scanned video's frames or a recording's fingerprint.
pub(crate) enum Query<'a> {
    Video(&'a [VpdqFrame]),
    Audio(&'a Fingerprint),
}

impl Query<'_> {
    fn modality(&self) -> Modality {
        match self {
            Query::Video(_) => Modality::Video,
            Query::Audio(_) => Modality::Audio,
        }
    }
}

/// Matches a video or a recording against the media banks the policy uses.
/// A positive match becomes a signal unless a negative (or suppressing)
/// bank matches the same attachment; every match is recorded. Returns
/// whether any bank of this kind was compared (so the caller can say when
/// none was).
pub(crate) fn match_media_banks(
    index: usize,
    query: Query<'_>,
    policy: &Policy,
    banks: &MediaBanks,
    out: &mut Findings,
) -> bool {
    let modality = query.modality();
    let mut compared = false;
    let mut positives: Vec<(MediaMatch, Category, Score)> = Vec::new();
    let mut suppressor: Option<String> = None;
    for entry in banks.entries.iter().filter(|e| e.modality() == modality) {
        let Some(used) = policy.banks.iter().find(|b| b.name == entry.bank) else {
            continue; // A bank this policy does not use.
        };
        compared = true;
        let Some((percent, start_s, end_s)) = compare(&query, &entry.content, policy) else {
            continue;
        };
        let record = MediaMatch {
            media_index: index,
            modality,
            bank: entry.bank.clone(),
            negative: entry.negative,
            entry: entry.id,
            label: entry.label.clone(),
            source: entry.source.clone(),
            percent,
            start_s,
            end_s,
            suppressed_by: None,
        };
        if entry.negative || used.suppress {
            if used.suppress && suppressor.is_none() {
                suppressor = Some(format!("{}#{}", entry.bank, entry.id));
            }
            out.media_matches.push(record);
        } else if let Some(category) = used.category {
            positives.push((record, category, used.score));
        }
    }
    for (mut record, category, score) in positives {
        if let Some(by) = &suppressor {
            record.suppressed_by = Some(by.clone());
        } else {
            let what = match modality {
                Modality::Audio => format!(
                    "fingerprint {:.1}% alike (bit error rate {:.3})",
                    record.percent,
                    1.0 - record.percent / 100.0
                ),
                _ => format!("{:.1}% of the bank video's frames found", record.percent),
            };
            let mut evidence = Evidence::new(modality, format!("bank:{}", record.bank))
                .at(Location::TimeRange {
                    start_s: record.start_s,
                    end_s: record.end_s,
                })
                .detail(format!(
                    "{what}: {}",
                    entry_note(record.entry, &record.label, &record.source)
                ));
            evidence.media_index = Some(index);
            out.signals.push(Signal {
                category,
                score,
                evidence,
            });
        }
        out.media_matches.push(record);
    }
    compared
}

/// Whether `query` matches `content` under the policy, and if so how much
/// (percent) and over which stretch of the query (seconds).
fn compare(query: &Query<'_>, content: &MediaContent, policy: &Policy) -> Option<(f64, f64, f64)> {
    match (query, content) {
        (Query::Video(frames), MediaContent::Video(bank)) => {
            let v = &policy.video;
            let m = match_videos(frames, bank, v.frame_distance, v.quality_floor);
            if !m.is_match(v.match_percent) {
                return None;
            }
            // The stretch of the upload whose frames are in the bank video.
            let words: Vec<_> = bank
                .iter()
                .filter(|f| f.quality >= v.quality_floor)
                .map(|f| f.hash)
                .collect();
            let mut hits = frames.iter().filter(|f| {
                f.quality >= v.quality_floor
                    && words
                        .iter()
                        .any(|w| w.distance(&f.hash) <= v.frame_distance)
            });
            let first = hits.next()?.time_s;
            let last = hits.next_back().map_or(first, |f| f.time_s);
            Some((m.compared_match_percent, first, last))
        }
        (Query::Audio(print), MediaContent::Audio(bank)) => {
            let a = &policy.audio;
            let m = match_fingerprints(print, bank, a.max_bit_error_rate)?;
            let overlap_needed = a.min_overlap_s.min(print.duration_s).min(bank.duration_s);
            if m.overlap_s + 1e-9 < overlap_needed {
                return None;
            }
            Some((
                100.0 * (1.0 - m.bit_error_rate),
                m.query_start_s,
                m.query_end_s,
            ))
        }
        _ => None,
    }
}
