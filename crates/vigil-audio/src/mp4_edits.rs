//! The edit list of an MP4/M4A audio track, which says how much of the
//! decoded audio is real: AAC encoders put about 1,024 samples of priming
//! before the audio and pad the last frame, and the edit list tells players
//! to skip them. symphonia 0.5 reads the list but does not apply it, so
//! decoding applies it here (as ffmpeg does), keeping durations and times
//! faithful to the source.

/// The part of the decoded audio to keep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Trim {
    /// Seconds to drop at the start.
    pub skip_s: f64,
    /// Seconds to keep after that.
    pub keep_s: f64,
}

/// The trim of the first sound track's first real edit, if the bytes are an
/// MP4 file with one. Anything malformed gives `None` (decode untrimmed).
pub(crate) fn audio_trim(bytes: &[u8]) -> Option<Trim> {
    if bytes.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let moov = children(bytes).find(|(kind, _)| kind == b"moov")?.1;
    let movie_timescale = timescale(children(moov).find(|(kind, _)| kind == b"mvhd")?.1)?;
    for (_, trak) in children(moov).filter(|(kind, _)| kind == b"trak") {
        let Some((_, mdia)) = children(trak).find(|(kind, _)| kind == b"mdia") else {
            continue;
        };
        let is_sound = children(mdia)
            .find(|(kind, _)| kind == b"hdlr")
            .and_then(|(_, hdlr)| hdlr.get(8..12))
            == Some(b"soun");
        if !is_sound {
            continue;
        }
        let media_timescale = timescale(children(mdia).find(|(kind, _)| kind == b"mdhd")?.1)?;
        let edts = children(trak).find(|(kind, _)| kind == b"edts")?.1;
        let elst = children(edts).find(|(kind, _)| kind == b"elst")?.1;
        let (segment_duration, media_time) = first_real_edit(elst)?;
        return Some(Trim {
            skip_s: media_time as f64 / media_timescale as f64,
            keep_s: segment_duration as f64 / movie_timescale as f64,
        });
    }
    None
}

/// The boxes directly inside `data`: (type, body).
fn children(data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let size = u32::from_be_bytes(rest.get(0..4)?.try_into().ok()?) as u64;
        let kind: [u8; 4] = rest.get(4..8)?.try_into().ok()?;
        let (header, size) = match size {
            0 => (8, rest.len() as u64),
            1 => (16, u64::from_be_bytes(rest.get(8..16)?.try_into().ok()?)),
            n => (8, n),
        };
        if size < header as u64 || size > rest.len() as u64 {
            return None;
        }
        let body = &rest[header..size as usize];
        rest = &rest[size as usize..];
        Some((kind, body))
    })
}

/// The timescale of an `mvhd` or `mdhd` body (version 0 or 1).
fn timescale(body: &[u8]) -> Option<u64> {
    let at = match body.first()? {
        0 => 12,
        1 => 20,
        _ => return None,
    };
    let scale = u32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?);
    (scale > 0).then_some(u64::from(scale))
}

/// (segment duration in movie time, media time in media time) of the first
/// edit that plays media (an empty edit, media time −1, only delays).
fn first_real_edit(body: &[u8]) -> Option<(u64, u64)> {
    let version = *body.first()?;
    let count = u32::from_be_bytes(body.get(4..8)?.try_into().ok()?) as usize;
    let entry_size = if version == 1 { 20 } else { 12 };
    let entries = body.get(8..)?;
    for i in 0..count.min(entries.len() / entry_size) {
        let entry = &entries[i * entry_size..(i + 1) * entry_size];
        let (duration, media_time) = if version == 1 {
            (
                u64::from_be_bytes(entry[0..8].try_into().ok()?),
                i64::from_be_bytes(entry[8..16].try_into().ok()?),
            )
        } else {
            (
                u64::from(u32::from_be_bytes(entry[0..4].try_into().ok()?)),
                i64::from(i32::from_be_bytes(entry[4..8].try_into().ok()?)),
            )
        };
        if media_time >= 0 {
            return Some((duration, media_time as u64));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn an_aac_edit_list_is_read() {
        let mut mvhd = vec![0u8; 100];
        mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
        let mut mdhd = vec![0u8; 24];
        mdhd[12..16].copy_from_slice(&44100u32.to_be_bytes());
        let mut hdlr = vec![0u8; 24];
        hdlr[8..12].copy_from_slice(b"soun");
        let mut elst = vec![0, 0, 0, 0, 0, 0, 0, 1];
        elst.extend_from_slice(&26_710u32.to_be_bytes());
        elst.extend_from_slice(&1024i32.to_be_bytes());
        elst.extend_from_slice(&[0, 1, 0, 0]);
        let mdia = [boxed(b"mdhd", &mdhd), boxed(b"hdlr", &hdlr)].concat();
        let trak = [
            boxed(b"edts", &boxed(b"elst", &elst)),
            boxed(b"mdia", &mdia),
        ]
        .concat();
        let moov = [boxed(b"mvhd", &mvhd), boxed(b"trak", &trak)].concat();
        let file = [boxed(b"ftyp", b"M4A \0\0\0\0"), boxed(b"moov", &moov)].concat();
        let trim = audio_trim(&file).expect("edit list present");
        assert!((trim.skip_s - 1024.0 / 44100.0).abs() < 1e-12);
        assert!((trim.keep_s - 26.71).abs() < 1e-12);
        assert_eq!(audio_trim(&file[..file.len() - 5]), None);
        assert_eq!(audio_trim(b"RIFF...."), None);
    }
}
