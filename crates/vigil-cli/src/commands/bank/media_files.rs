//! The hashes that video and audio banks hold, made from files (and the
//! entries `vigil bank add` makes of them): a video's
//! vPDQ hash (every frame, through the `ffmpeg` programs), a recording's
//! Chromaprint fingerprint, a reference vPDQ file; and the check that text
//! offered as an entry (from `vigil bank import`) is the right kind of hash.
//!
//! Every hash leaves here in one canonical text form (`write_vpdq`'s lines;
//! the fingerprint's comma-separated values), since the store tells entries
//! apart by the SHA-256 of that text.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use vigil_audio::{AudioLimits, Fingerprint};
use vigil_store::{BankMedia, NewMediaEntry};
use vigil_video::{Ffmpeg, Sampling, VpdqFrame};

use super::{file_name, one_line};

/// A hash ready to be stored, and how much it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaHash {
    /// The canonical text (see the module's documentation).
    pub content: String,
    /// How long the video or audio is, in seconds.
    pub duration_s: f64,
    /// Frames hashed (video) or fingerprint values (audio).
    pub parts: usize,
}

/// The vPDQ hash of every frame of the video at `path`.
pub fn hash_video(ffmpeg: &Ffmpeg, path: &Path) -> Result<MediaHash> {
    let info = ffmpeg
        .probe(path)
        .with_context(|| format!("cannot hash {} as a video", path.display()))?;
    if !info.has_video {
        bail!("{} is not a video: it has no video stream", path.display());
    }
    let frames = vigil_video::hash_video(ffmpeg, path, Sampling::AllFrames)
        .with_context(|| format!("cannot hash {} as a video", path.display()))?;
    if frames.is_empty() {
        bail!("{}: no frame of the video could be decoded", path.display());
    }
    let duration_s = if info.duration_s > 0.0 {
        info.duration_s
    } else {
        last_frame_time(&frames)
    };
    Ok(MediaHash {
        content: vpdq_text(&frames),
        duration_s,
        parts: frames.len(),
    })
}

/// The Chromaprint fingerprint of the audio file at `path` (WAV, MP3, Ogg
/// Vorbis, FLAC, or AAC in MP4/M4A or ADTS).
pub fn hash_audio(path: &Path) -> Result<MediaHash> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let audio = vigil_audio::decode(&bytes, &AudioLimits::default())
        .with_context(|| format!("cannot fingerprint {} as audio", path.display()))?;
    let print = vigil_audio::fingerprint(&audio);
    if print.values.is_empty() {
        bail!(
            "{}: {:.1} s of audio is too short to fingerprint",
            path.display(),
            audio.duration_s
        );
    }
    Ok(MediaHash {
        content: print.to_string(),
        duration_s: audio.duration_s,
        parts: print.values.len(),
    })
}

/// A reference vPDQ file (`frame,quality,hash,time` lines, as the
/// reference's `vpdq-hash-video` and `vigil hash --vpdq` write them).
pub fn read_vpdq(path: &Path) -> Result<MediaHash> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_content(BankMedia::Video, &text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Entries for video or audio `files` (each hashed; videos with the
/// `ffmpeg` given or found on the PATH) and, for a video bank, reference
/// vPDQ files; `--source` defaults to each file's name.
pub fn entries(
    media: BankMedia,
    files: &[PathBuf],
    vpdq: &[PathBuf],
    ffmpeg: Option<&Path>,
    source: Option<&str>,
    label: Option<&str>,
) -> Result<Vec<NewMediaEntry>> {
    let source = one_line("--source", source)?;
    let label = one_line("--label", label)?;
    // Looked for only when there is a video to read, so that audio banks
    // work without ffmpeg.
    let ffmpeg = match media {
        BankMedia::Video if !files.is_empty() => Some(Ffmpeg::locate(ffmpeg)?),
        _ => None,
    };
    let mut entries = Vec::with_capacity(files.len() + vpdq.len());
    for file in files {
        let hash = match &ffmpeg {
            Some(ffmpeg) => hash_video(ffmpeg, file)?,
            None => hash_audio(file)?,
        };
        let parts = if media == BankMedia::Video {
            "frames"
        } else {
            "fingerprint values"
        };
        println!(
            "hashed {}: {} {parts} over {:.1} s",
            file.display(),
            hash.parts,
            hash.duration_s
        );
        entries.push(media_entry(hash, file, source, label));
    }
    for file in vpdq {
        let hash = read_vpdq(file)?;
        println!("read {}: {} frames", file.display(), hash.parts);
        entries.push(media_entry(hash, file, source, label));
    }
    Ok(entries)
}

/// An entry for `hash`, made from `file`: its name is the default source.
fn media_entry(hash: MediaHash, file: &Path, source: &str, label: &str) -> NewMediaEntry {
    NewMediaEntry {
        content: hash.content,
        duration_s: hash.duration_s,
        source: match source {
            "" => file_name(file),
            given => given.to_owned(),
        },
        label: label.to_owned(),
        enabled: true,
    }
}

/// `text` as a hash of `media` in canonical form, or why it is not one. The
/// duration is what the hash covers: the last frame's time for a video, the
/// values' span for audio.
pub fn parse_content(media: BankMedia, text: &str) -> Result<MediaHash, String> {
    match media {
        BankMedia::Video => {
            let frames = vigil_video::parse_vpdq(text).map_err(|e| format!("not vPDQ: {e}"))?;
            if frames.is_empty() {
                return Err("no vPDQ frame in it".to_owned());
            }
            Ok(MediaHash {
                content: vpdq_text(&frames),
                duration_s: last_frame_time(&frames),
                parts: frames.len(),
            })
        }
        BankMedia::Audio => {
            let print = Fingerprint::parse_values(text, 0.0)
                .map_err(|e| format!("not a Chromaprint fingerprint: {e}"))?;
            if print.values.is_empty() {
                return Err("the fingerprint has no values".to_owned());
            }
            Ok(MediaHash {
                content: print.to_string(),
                duration_s: print.covered_s(),
                parts: print.values.len(),
            })
        }
        BankMedia::Image => Err("image banks hold PDQ hashes, not media entries".to_owned()),
    }
}

/// Frames in the text format, one line each, as `write_vpdq` writes them
/// (each frame's `Display`).
fn vpdq_text(frames: &[VpdqFrame]) -> String {
    frames.iter().map(|frame| format!("{frame}\n")).collect()
}

fn last_frame_time(frames: &[VpdqFrame]) -> f64 {
    frames.iter().map(|f| f.time_s).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAMES: &str =
        "0,100,dadb999c25266273529cadac89cb52c22324ad3bce99726c38668d93c799f07c,0.000
1,100,DADB999C25266273529CADAC8DCB52C22324AD3BCE99726C38660D93C799F07C,0.0333
";

    #[test]
    fn vpdq_text_is_made_canonical() {
        let hash = parse_content(BankMedia::Video, FRAMES).expect("vPDQ");
        assert_eq!(hash.parts, 2);
        assert_eq!(hash.duration_s, 0.0333);
        assert!(hash.content.ends_with(",0.033\n"), "{}", hash.content);
        assert_eq!(hash.content, hash.content.to_ascii_lowercase());
        let again = parse_content(BankMedia::Video, &hash.content).expect("vPDQ");
        assert_eq!(again.content, hash.content);
    }

    #[test]
    fn fingerprints_are_made_canonical() {
        let hash = parse_content(BankMedia::Audio, " 1, -1,7 ").expect("values");
        assert_eq!(hash.content, "1,4294967295,7");
        assert_eq!(hash.parts, 3);
    }

    #[test]
    fn the_wrong_kind_of_hash_is_named() {
        let err = parse_content(BankMedia::Audio, FRAMES).expect_err("not audio");
        assert!(err.starts_with("not a Chromaprint fingerprint"), "{err}");
        let err = parse_content(BankMedia::Video, "1,2,3").expect_err("not video");
        assert!(err.starts_with("not vPDQ: line 1"), "{err}");
        assert!(parse_content(BankMedia::Video, "\n").is_err());
        assert!(parse_content(BankMedia::Audio, "").is_err());
    }
}
