//! Properties of normalisation, the adversarial generator and blocklists, through the public API.

use proptest::prelude::*;
use vigil_text::blocklist::Blocklist;
use vigil_text::normalize::{normalize, Normalized, Normalizer};
use vigil_text::obfuscate::{obfuscate, obfuscate_word, AttackModel, Transform};

/// Characters that exercise every step: letters, leet symbols, spacers,
/// repeats, controls, invisibles, confusables, marks, and scripts that compose.
fn evasion_char() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        'a',
        'e',
        'i',
        'k',
        'l',
        'o',
        's',
        't',
        'K',
        'L',
        '0',
        '1',
        '3',
        '4',
        '5',
        '7',
        '8',
        '9',
        '2',
        '!',
        '|',
        '@',
        '$',
        '*',
        '.',
        '-',
        '_',
        ' ',
        ' ',
        ' ',
        ',',
        '\n',
        '\t',
        '\0',
        '\u{200B}',
        '\u{200D}',
        '\u{FEFF}',
        '\u{00AD}',
        '\u{FE0F}',
        '\u{0301}',
        '\u{0308}',
        '\u{0489}',
        '\u{0430}',
        '\u{0456}',
        '\u{041A}',
        '\u{039D}',
        '\u{03BD}',
        'ｋ',
        '𝐢',
        'ⓛ',
        'İ',
        'ß',
        'ᴬ',
        '한',
        '\u{1100}',
        '\u{1161}',
        'ｶ',
        'ﾞ',
        'क',
        '\u{093F}',
        '\u{094D}',
        '\u{0F73}',
        '\u{0345}',
        '\u{1F1F0}',
        '日',
    ])
}

fn evasion_text() -> impl Strategy<Value = String> {
    prop::collection::vec(evasion_char(), 0..60).prop_map(|chars| chars.into_iter().collect())
}

fn any_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..40).prop_map(|chars| chars.into_iter().collect())
}

fn word() -> impl Strategy<Value = String> {
    "[a-z]{3,12}"
}

fn invertible_transform() -> impl Strategy<Value = Transform> {
    prop::sample::select(
        Transform::ALL
            .iter()
            .copied()
            .filter(|t| t.is_invertible())
            .collect::<Vec<_>>(),
    )
}

fn assert_spans_are_sane(input: &str, n: &Normalized) {
    let original_len = input.chars().count();
    assert_eq!(n.original_len(), original_len);
    assert_eq!(n.char_len(), n.as_str().chars().count());
    let mut previous = (0, 0);
    for i in 0..n.char_len() {
        let (start, end) = n.original_span(i, i + 1);
        assert!(start < end && end <= original_len, "{i}: {start}..{end}");
        assert!(
            start >= previous.0 && end >= previous.1,
            "not monotone at {i}"
        );
        previous = (start, end);
    }
    let (start, end) = n.original_span(0, n.char_len());
    assert!(start <= end && end <= original_len);
}

proptest! {
    #[test]
    fn normalisation_is_idempotent_on_evasion_text(text in evasion_text()) {
        let once = normalize(&text);
        let twice = normalize(once.as_str());
        prop_assert_eq!(twice.as_str(), once.as_str());
    }

    #[test]
    fn normalisation_is_idempotent_on_any_unicode(text in any_text()) {
        let once = normalize(&text);
        let twice = normalize(once.as_str());
        prop_assert_eq!(twice.as_str(), once.as_str());
    }

    #[test]
    fn spans_are_in_bounds_and_monotone(text in evasion_text(), other in any_text()) {
        assert_spans_are_sane(&text, &normalize(&text));
        assert_spans_are_sane(&other, &normalize(&other));
    }

    #[test]
    fn reused_buffers_give_the_same_result(first in any_text(), second in evasion_text()) {
        let mut normalizer = Normalizer::new();
        let mut out = Normalized::default();
        normalizer.normalize_into(&first, &mut out);
        normalizer.normalize_into(&second, &mut out);
        prop_assert_eq!(out, normalize(&second));
    }

    #[test]
    fn output_has_no_case_controls_or_stray_spaces(text in any_text()) {
        let n = normalize(&text);
        let s = n.as_str();
        prop_assert!(!s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  "));
        prop_assert!(!s.chars().any(|c| c.is_control() || c.is_ascii_uppercase()));
    }

    #[test]
    fn invertible_transforms_are_undone(w in word(), t in invertible_transform(), seed: u64) {
        let attacked = obfuscate_word(&w, t, seed);
        let (restored, plain) = (normalize(&attacked), normalize(&w));
        prop_assert_eq!(restored.as_str(), plain.as_str(), "{:?}", attacked);
    }

    #[test]
    fn invertible_transforms_are_undone_in_sentences(
        words in prop::collection::vec("[a-z]{2,8}", 1..8),
        seed: u64,
    ) {
        // Spacing is left out: two neighbouring words spaced out with single
        // spaces (`k i l l y o u`) cannot be told apart again.
        let model = AttackModel {
            word_rate: 0.5,
            transforms: Transform::ALL
                .into_iter()
                .filter(|t| t.is_invertible() && *t != Transform::Spacing)
                .collect(),
        };
        let sentence = words.join(" ");
        let attacked = model.apply(&sentence, seed);
        let (restored, plain) = (normalize(&attacked), normalize(&sentence));
        prop_assert_eq!(restored.as_str(), plain.as_str(), "{:?}", attacked);
    }

    #[test]
    fn obfuscated_flagged_words_stay_flagged(w in word(), t in invertible_transform(), seed: u64) {
        let list = Blocklist::new([w.as_str()]).expect("generated words are not empty");
        let original = format!("you are {w} today");
        let attacked = format!("you are {} today", obfuscate_word(&w, t, seed));
        let found = list.find_in(&attacked);
        prop_assert!(!found.is_empty(), "{:?}", attacked);
        // The evidence span, cut from the attacked text, normalises to the term.
        let term = normalize(&w);
        let hit = found
            .iter()
            .map(|m| attacked.chars().skip(m.original_start).take(m.original_end - m.original_start))
            .map(|chars| normalize(&chars.collect::<String>()))
            .any(|n| n.as_str() == term.as_str());
        prop_assert!(hit, "{:?} in {:?}", found, attacked);
        prop_assert_eq!(list.find_in(&original).len(), found.len());
    }

    #[test]
    fn nothing_panics_on_arbitrary_input(text in any_text(), term in any_text(), seed: u64) {
        let attacked = obfuscate(&text, seed);
        let _ = normalize(&attacked);
        if let Ok(list) = Blocklist::new([term.as_str(), "kill"]) {
            let _ = list.find_in(&text);
            let _ = list.find_in(&attacked);
        }
    }
}
