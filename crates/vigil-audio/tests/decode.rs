//! Decoding every supported format, limits, and bad input.

mod common;

use common::{corpus, decode_file, have, probe_duration_s};
use vigil_audio::{decode, fingerprint, to_wav16, Audio, AudioError, AudioLimits, SAMPLE_RATE};

#[test]
fn every_format_decodes_to_the_right_duration() {
    if !have(&["espeak-ng", "ffmpeg", "ffprobe"]) {
        return;
    }
    let c = corpus();
    let wav = decode_file(&c.speech_wav);
    assert_eq!(wav.sample_rate, SAMPLE_RATE);
    assert_eq!((wav.source_rate, wav.channels), (44100, 2));
    let expected_s = probe_duration_s(&c.speech_wav);
    assert!(
        (wav.duration_s - expected_s).abs() < 0.001,
        "wav {}",
        wav.duration_s
    );
    for (name, path) in &c.encoded {
        let audio = decode_file(path);
        eprintln!(
            "{name}: codec {}, {} Hz x {}, {:.3} s (wav {:.3} s)",
            audio.codec, audio.source_rate, audio.channels, audio.duration_s, expected_s
        );
        assert!(
            (audio.duration_s - expected_s).abs() <= 0.050,
            "{name}: {:.3} s, expected {expected_s:.3} s",
            audio.duration_s
        );
        assert_eq!(audio.channels, 2, "{name}");
    }
}

#[test]
fn every_format_fingerprints_like_the_wav() {
    if !have(&["espeak-ng", "ffmpeg", "ffprobe"]) {
        return;
    }
    let c = corpus();
    let reference = fingerprint(&decode_file(&c.speech_wav));
    for (name, path) in &c.encoded {
        let print = fingerprint(&decode_file(path));
        let n = reference.values.len().min(print.values.len());
        let same = (0..n)
            .filter(|&i| reference.values[i] == print.values[i])
            .count();
        let differing: u32 = (0..n)
            .map(|i| (reference.values[i] ^ print.values[i]).count_ones())
            .sum();
        let share = same as f64 / n as f64;
        let ber = f64::from(differing) / (32.0 * n as f64);
        eprintln!("{name}: {same}/{n} values identical ({share:.3}), bit error rate {ber:.4}");
        let (min_share, max_ber) = if *name == "flac" {
            (1.0, 0.0)
        } else {
            (0.5, 0.03)
        };
        assert!(share >= min_share, "{name}: only {share:.3} identical");
        assert!(ber <= max_ber, "{name}: bit error rate {ber:.4}");
    }
}

#[test]
fn a_video_soundtrack_from_pcm_equals_the_decoded_wav() {
    if !have(&["espeak-ng", "ffmpeg"]) {
        return;
    }
    let c = corpus();
    let pcm_path = c.dir.join("speech.s16le");
    common::ffmpeg(
        &c.speech_wav,
        &pcm_path,
        &["-f", "s16le", "-ac", "1", "-ar", "16000"],
    );
    let bytes = std::fs::read(&pcm_path).expect("ffmpeg wrote it");
    let pcm: Vec<i16> = bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let from_pcm = Audio::from_pcm16(&pcm, 16000).expect("valid rate");
    let decoded = decode_file(&c.speech_wav);
    assert!((from_pcm.duration_s - decoded.duration_s).abs() < 0.002);
    let n = from_pcm.samples.len().min(decoded.samples.len());
    let err: f64 = (0..n)
        .map(|i| f64::from(from_pcm.samples[i] - decoded.samples[i]).powi(2))
        .sum::<f64>()
        / n as f64;
    // Two different resamplers (ffmpeg's and ours): close, not equal.
    assert!(err.sqrt() < 0.01, "rms difference {}", err.sqrt());
}

#[test]
fn the_duration_limit_stops_decoding_and_names_itself() {
    if !have(&["espeak-ng", "ffmpeg"]) {
        return;
    }
    let c = corpus();
    let limits = AudioLimits {
        max_duration_s: 10.0,
    };
    for path in [&c.speech_wav, &c.encoded[0].1] {
        let bytes = std::fs::read(path).expect("read");
        let err = decode(&bytes, &limits).expect_err("30 s is over 10 s");
        assert!(matches!(err, AudioError::TooLong { .. }), "{err}");
        assert!(err.to_string().contains("max_duration_s = 10"), "{err}");
    }
}

#[test]
fn random_bytes_are_refused_without_a_panic() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for len in [0usize, 1, 3, 4, 12, 100, 1000, 10_000, 100_000] {
        for _ in 0..20 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            assert!(
                decode(&bytes, &AudioLimits::default()).is_err(),
                "{len} random bytes"
            );
        }
    }
}

#[test]
fn headers_followed_by_garbage_are_refused_without_a_panic() {
    let mut state: u64 = 12345;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect()
    };
    let headers: [&[u8]; 6] = [
        b"RIFF\x24\x00\x00\x00WAVEfmt ",
        b"ID3\x03\x00\x00\x00\x00\x00\x00\xff\xfb",
        b"OggS\x00\x02",
        b"fLaC\x00\x00\x00\x22",
        b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00",
        b"\xff\xf1\x50\x80",
    ];
    for header in headers {
        for len in [0, 10, 1000, 50_000] {
            let mut bytes = header.to_vec();
            bytes.extend(noise(len));
            // Any answer but a panic (the decoder's own panics become errors).
            let _ = decode(&bytes, &AudioLimits::default());
        }
    }
}

#[test]
fn truncated_files_decode_what_is_there_or_fail_cleanly() {
    if !have(&["espeak-ng", "ffmpeg"]) {
        return;
    }
    let c = corpus();
    let mut files = vec![("wav", c.speech_wav.clone())];
    files.extend(c.encoded.iter().map(|(n, p)| (*n, p.clone())));
    for (name, path) in files {
        let bytes = std::fs::read(&path).expect("read");
        for share in [0.01, 0.1, 0.5, 0.9] {
            let cut = (bytes.len() as f64 * share) as usize;
            match decode(&bytes[..cut], &AudioLimits::default()) {
                Ok(audio) => eprintln!("{name} cut at {share}: {:.2} s", audio.duration_s),
                Err(e) => eprintln!("{name} cut at {share}: {e}"),
            }
        }
        // Corrupt the middle: flip bytes in a run.
        let mut damaged = bytes.clone();
        let middle = damaged.len() / 2;
        for b in &mut damaged[middle..middle + 2000] {
            *b ^= 0x5A;
        }
        match decode(&damaged, &AudioLimits::default()) {
            Ok(audio) => eprintln!("{name} damaged: {:.2} s", audio.duration_s),
            Err(e) => eprintln!("{name} damaged: {e}"),
        }
    }
}

#[test]
fn our_wav_round_trips_through_decode() {
    let pcm: Vec<i16> = (0..48000)
        .map(|i| ((i * 131) % 30000 - 15000) as i16)
        .collect();
    let audio = Audio::from_pcm16(&pcm, 16000).expect("valid rate");
    let back = decode(&to_wav16(&audio), &AudioLimits::default()).expect("own WAV");
    assert_eq!(back.samples.len(), audio.samples.len());
    assert_eq!(back.codec, "pcm_s16le");
}
