//! Fingerprints against Debian's `fpcalc`, and matching of copies, clips and
//! unrelated audio.

mod common;

use std::path::Path;
use std::process::Command;

use common::{corpus, decode_file, have};
use vigil_audio::{fingerprint, match_fingerprints, Fingerprint, DEFAULT_MAX_BER, ITEM_DURATION_S};

/// `fpcalc -raw -length 0` (no length limit) of a file. `-ignore-errors`:
/// fpcalc 1.5.1 with FFmpeg 5 reports the end of a WAV file as a decoding
/// error after printing the whole fingerprint.
fn fpcalc(path: &Path) -> Fingerprint {
    let out = Command::new("fpcalc")
        .args(["-raw", "-length", "0", "-ignore-errors"])
        .arg(path)
        .output()
        .expect("fpcalc runs");
    Fingerprint::parse_fpcalc(&String::from_utf8_lossy(&out.stdout)).unwrap_or_else(|e| {
        panic!(
            "fpcalc: {e}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The lowest bit error rate of `query` against `reference` at any offset
/// with at least 5 s of overlap: what an exhaustive search would find, to
/// show how far unrelated audio stays from the threshold.
fn lowest_ber_at_any_offset(query: &Fingerprint, reference: &Fingerprint) -> f64 {
    let (q, r) = (&query.values, &reference.values);
    let min_overlap = (5.0 / ITEM_DURATION_S).ceil() as usize;
    let mut best = 1.0f64;
    for offset in -(q.len() as i64)..r.len() as i64 {
        let q_start = (-offset).max(0) as usize;
        let r_start = offset.max(0) as usize;
        if q_start >= q.len() || r_start >= r.len() {
            continue;
        }
        let n = (q.len() - q_start).min(r.len() - r_start);
        if n < min_overlap {
            continue;
        }
        let bits: u32 = (0..n)
            .map(|i| (q[q_start + i] ^ r[r_start + i]).count_ones())
            .sum();
        best = best.min(f64::from(bits) / (32.0 * n as f64));
    }
    best
}

/// (share of identical values, bit error rate) at offset 0 over the common length.
fn agreement(a: &Fingerprint, b: &Fingerprint) -> (f64, f64, usize) {
    let n = a.values.len().min(b.values.len());
    let same = (0..n).filter(|&i| a.values[i] == b.values[i]).count();
    let bits: u32 = (0..n)
        .map(|i| (a.values[i] ^ b.values[i]).count_ones())
        .sum();
    (
        same as f64 / n as f64,
        f64::from(bits) / (32.0 * n as f64),
        n,
    )
}

#[test]
fn fingerprints_agree_with_fpcalc() {
    if !have(&["espeak-ng", "ffmpeg", "fpcalc"]) {
        return;
    }
    let c = corpus();
    let mut files = vec![("wav", c.speech_wav.clone())];
    files.extend(c.encoded.iter().map(|(n, p)| (*n, p.clone())));
    files.push(("unrelated wav", c.unrelated_wav.clone()));
    for (name, path) in files {
        let theirs = fpcalc(&path);
        let ours = fingerprint(&decode_file(&path));
        let (share, ber, n) = agreement(&ours, &theirs);
        eprintln!(
            "{name}: ours {} values, fpcalc {}; {:.1} % identical, bit error rate {:.4}",
            ours.values.len(),
            theirs.values.len(),
            share * 100.0,
            ber
        );
        assert!(
            ours.values.len().abs_diff(theirs.values.len()) <= 2,
            "{name}: lengths differ"
        );
        assert!(n > 100, "{name}: too short to compare");
        assert!(
            share >= 0.80,
            "{name}: only {:.1} % identical",
            share * 100.0
        );
        assert!(ber <= 0.01, "{name}: bit error rate {ber:.4}");
        // fpcalc's own fingerprint matches ours at offset 0.
        let found = match_fingerprints(&ours, &theirs, DEFAULT_MAX_BER).expect("same audio");
        assert_eq!(found.offset_s, 0.0, "{name}");
    }
}

#[test]
fn a_low_bitrate_copy_matches_at_offset_zero() {
    if !have(&["espeak-ng", "ffmpeg"]) {
        return;
    }
    let c = corpus();
    let reference = fingerprint(&decode_file(&c.speech_wav));
    let copy = fingerprint(&decode_file(&c.low_bitrate_mp3));
    let found = match_fingerprints(&copy, &reference, DEFAULT_MAX_BER).expect("re-encoded copy");
    eprintln!("32 kb/s mp3 vs wav: {found:?}");
    assert!(found.offset_s.abs() < ITEM_DURATION_S, "{found:?}");
    assert!(found.bit_error_rate < 0.15, "{found:?}");
    assert!(found.overlap_s > 20.0, "{found:?}");
}

#[test]
fn a_slightly_faster_copy_still_matches() {
    if !have(&["espeak-ng", "ffmpeg"]) {
        return;
    }
    let c = corpus();
    let faster = c.dir.join("faster.mp3");
    common::ffmpeg(
        &c.speech_wav,
        &faster,
        &["-af", "atempo=1.05", "-b:a", "64k"],
    );
    let reference = fingerprint(&decode_file(&c.speech_wav));
    let copy = fingerprint(&decode_file(&faster));
    let found = match_fingerprints(&copy, &reference, DEFAULT_MAX_BER).expect("5 % faster copy");
    eprintln!("5 % faster: {found:?}");
    assert!(found.bit_error_rate < DEFAULT_MAX_BER - 0.03, "{found:?}");
}

#[test]
fn a_clip_is_found_where_it_was_cut() {
    if !have(&["espeak-ng", "ffmpeg"]) {
        return;
    }
    let c = corpus();
    let reference = fingerprint(&decode_file(&c.speech_wav));
    let clip = fingerprint(&decode_file(&c.clip_mp3));
    let found = match_fingerprints(&clip, &reference, DEFAULT_MAX_BER).expect("clip");
    eprintln!("12 s clip from {} s: {found:?}", c.clip_start_s);
    assert!(
        (found.offset_s - c.clip_start_s).abs() <= ITEM_DURATION_S,
        "{found:?}"
    );
    assert!(found.bit_error_rate < 0.2, "{found:?}");
    assert_eq!(found.query_start_s, 0.0);
    // The other way round: the long recording, looked up against the clip,
    // starts 8 s before it.
    let reverse = match_fingerprints(&reference, &clip, DEFAULT_MAX_BER).expect("contains clip");
    assert!(
        (reverse.offset_s + c.clip_start_s).abs() <= ITEM_DURATION_S,
        "{reverse:?}"
    );
    assert!((reverse.query_start_s - c.clip_start_s).abs() <= ITEM_DURATION_S);
}

#[test]
fn unrelated_speech_does_not_match() {
    if !have(&["espeak-ng", "ffmpeg"]) {
        return;
    }
    let c = corpus();
    let speech = fingerprint(&decode_file(&c.speech_wav));
    let clip = fingerprint(&decode_file(&c.clip_mp3));
    let other = fingerprint(&decode_file(&c.unrelated_wav));
    for (name, query) in [("speech", &speech), ("clip", &clip)] {
        let best = match_fingerprints(query, &other, 1.0);
        let lowest = lowest_ber_at_any_offset(query, &other);
        eprintln!(
            "unrelated vs {name}: candidates give {best:?}; lowest BER at any offset {lowest:.3}"
        );
        assert!(
            lowest > DEFAULT_MAX_BER + 0.05,
            "{name}: {lowest:.3} too close"
        );
        assert!(
            match_fingerprints(query, &other, DEFAULT_MAX_BER).is_none(),
            "{name}: {best:?}"
        );
        assert!(
            match_fingerprints(&other, query, DEFAULT_MAX_BER).is_none(),
            "{name}"
        );
    }
}
