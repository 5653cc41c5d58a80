//! Speech to text with pocketsphinx on espeak-ng speech.

mod common;

use common::{have, sh, speak, RATE_WPM, THREAT, VOICE};
use vigil_audio::{Pocketsphinx, SpeechToText};

/// Threat sentences and the threat word each must yield (the other words
/// are counted and printed; pocketsphinx misses some of them).
const SENTENCES: [(&str, &[&str]); 3] = [
    (THREAT, &["kill", "tomorrow"]),
    ("send me the money or i will shoot you", &["shoot"]),
    ("we are going to bomb the school on friday", &["bomb"]),
];

/// Share of the reference's words found in the hypothesis (as a bag of words).
fn words_found(reference: &str, hypothesis: &str) -> (usize, usize) {
    let hyp: Vec<&str> = hypothesis.split_whitespace().collect();
    let words: Vec<&str> = reference.split_whitespace().collect();
    let found = words.iter().filter(|w| hyp.contains(w)).count();
    (found, words.len())
}

#[test]
fn a_threat_after_five_seconds_of_silence_is_heard_at_the_right_time() {
    if !have(&["espeak-ng", "sox", "pocketsphinx_continuous"]) {
        return;
    }
    let asr = Pocketsphinx::locate(None).expect("pocketsphinx installed");
    let dir = tempfile::tempdir().expect("temp dir");
    let silence_s = 5.0;
    let mut total = (0, 0);
    for (i, (sentence, required)) in SENTENCES.iter().enumerate() {
        let speech = speak(dir.path(), &format!("s{i}.wav"), VOICE, RATE_WPM, sentence);
        let padded = dir.path().join(format!("p{i}.wav"));
        let (s, p) = (
            speech.to_str().expect("UTF-8"),
            padded.to_str().expect("UTF-8"),
        );
        // 5 s of digital silence, the sentence, 1 s of silence.
        sh("sox", &[s, p, "pad", "5", "1"]);
        let audio = common::decode_file(&padded);
        let started = std::time::Instant::now();
        let transcript = asr.transcribe(&audio).expect("transcribes");
        let wall_s = started.elapsed().as_secs_f64();
        let text = transcript.text().replace('\n', " ");
        let (found, of) = words_found(sentence, &text);
        total = (total.0 + found, total.1 + of);
        eprintln!(
            "{sentence:?} -> {text:?}: {found}/{of} words; segments {:?}; {:.1}x real time",
            transcript
                .segments
                .iter()
                .map(|s| (s.start_s, s.end_s))
                .collect::<Vec<_>>(),
            audio.duration_s / wall_s
        );
        for word in *required {
            let heard = transcript
                .segments
                .iter()
                .flat_map(|s| &s.words)
                .find(|w| w.text == *word)
                .unwrap_or_else(|| panic!("{word:?} not heard in {text:?}"));
            assert!(
                heard.start_s >= silence_s - 0.5,
                "{word} at {}",
                heard.start_s
            );
        }
        let first = transcript.segments.first().expect("a segment");
        assert!(
            (first.start_s - silence_s).abs() <= 1.0,
            "speech starts at {silence_s} s, first segment at {} s",
            first.start_s
        );
    }
    eprintln!("words found: {}/{}", total.0, total.1);
}

#[test]
fn silence_gives_an_empty_transcript() {
    if !have(&["pocketsphinx_continuous"]) {
        return;
    }
    let asr = Pocketsphinx::locate(None).expect("pocketsphinx installed");
    let audio = vigil_audio::Audio::from_pcm16(&vec![0; 16000 * 3], 16000).expect("valid rate");
    let transcript = asr.transcribe(&audio).expect("transcribes");
    assert!(transcript.segments.is_empty(), "{transcript:?}");
    assert_eq!(asr.name(), "pocketsphinx");
    let version = asr.version().expect("describes itself");
    assert!(version.contains("-remove_noise no"), "{version}");
}
