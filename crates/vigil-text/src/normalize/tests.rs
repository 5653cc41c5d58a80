use super::*;

fn norm(text: &str) -> String {
    normalize(text).as_str().to_owned()
}

#[test]
fn ascii_is_lowercased_and_whitespace_collapsed() {
    assert_eq!(norm("  Hello,\tWORLD\r\n  again  "), "hello, world again");
    assert_eq!(norm(""), "");
    assert_eq!(norm(" \n\t "), "");
}

#[test]
fn controls_and_invisibles_are_removed() {
    assert_eq!(norm("k\0i\x07ll"), "kill");
    assert_eq!(norm("k\u{200B}i\u{200D}l\u{FEFF}l\u{00AD}"), "kill");
    assert_eq!(norm("k\u{2060}i\u{200E}l\u{FE0F}l\u{E0041}"), "kill");
    assert_eq!(norm("k\u{3164}ill"), "kill");
    assert_eq!(norm("kill\u{0085}you\u{2028}now"), "kill you now");
}

#[test]
fn compatibility_forms_fold_to_ascii() {
    assert_eq!(norm("ｋｉｌｌ"), "kill");
    assert_eq!(norm("𝐤𝐢𝐥𝐥 𝕜𝕚𝕝𝕝 𝚔𝚒𝚕𝚕"), "kill kill kill");
    assert_eq!(norm("ⓚⓘⓛⓛ"), "kill");
    assert_eq!(norm("ᵏⁱˡˡ"), "kill");
    assert_eq!(norm("\u{1F1F0}\u{1F1EE}\u{1F1F1}\u{1F1F1}"), "kill");
    assert_eq!(norm("ab\u{00A0}cd\u{3000}ef"), "ab cd ef");
}

#[test]
fn confusables_fold_to_latin() {
    assert_eq!(norm("k\u{0456}ll"), "kill"); // Cyrillic і
    assert_eq!(norm("ΚΙLL"), "kill"); // Greek capitals
    assert_eq!(norm("ѕех"), "sex"); // all Cyrillic
    assert_eq!(norm("ΝΟ"), "no");
    assert_eq!(norm("ʜᴇʟʟᴏ"), "hello");
}

#[test]
fn diacritics_are_stripped() {
    assert_eq!(norm("ḱïll"), "kill");
    assert_eq!(norm("k\u{0337}\u{0321}i\u{0336}l\u{0338}l\u{0489}"), "kill");
    assert_eq!(norm("Café Ñandú"), "cafe nandu");
    assert_eq!(norm("İstanbul"), "istanbul");
}

#[test]
fn other_scripts_keep_their_meaningful_marks() {
    assert_eq!(norm("한국어"), "한국어");
    assert_eq!(norm("ｶﾞｷﾞ"), "ガギ");
    assert_eq!(norm("नमस्ते"), "नमस्ते");
    assert_eq!(norm("Привет"), "npиbet"); // the confusable skeleton
}

#[test]
fn leetspeak_spacing_and_repeats() {
    assert_eq!(norm("K1LL"), "kill");
    assert_eq!(norm("ki11 y0u"), "kill you");
    assert_eq!(norm("k i l l  y o u"), "kill you");
    assert_eq!(norm("K.I.L.L"), "kill");
    assert_eq!(norm("fuuuuuck"), "fuuck");
    assert_eq!(norm("sh!t!!!!"), "shit!!");
    assert_eq!(norm("f*ck"), "f*ck");
    assert_eq!(
        norm("in 2024 we paid $100 for 1000 items"),
        "in 2024 we paid $100 for 1000 items"
    );
}

#[test]
fn spans_point_into_the_original() {
    let n = normalize("  K.I.L.L  you");
    assert_eq!(n.as_str(), "kill you");
    assert_eq!(n.original_span(0, 4), (2, 9));
    assert_eq!(n.original_span(5, 8), (11, 14));
    assert_eq!(n.original_len(), 14);

    let n = normalize("k\u{0301}i\u{0308}ll");
    assert_eq!(n.as_str(), "kill");
    assert_eq!(n.original_span(0, 2), (0, 4));

    let n = normalize("ｋｉｌｌ\u{200B}!");
    assert_eq!(n.as_str(), "kill!");
    assert_eq!(n.original_span(4, 5), (5, 6));
}

#[test]
fn spans_clamp_out_of_range_bounds() {
    let n = normalize("ab");
    assert_eq!(n.original_span(1, 99), (1, 2));
    assert_eq!(n.original_span(5, 9), (2, 2));
    assert_eq!(n.original_span(2, 1), (1, 1));
    assert_eq!(normalize("").original_span(0, 0), (0, 0));
}

#[test]
fn normalize_into_reuses_its_buffers() {
    let mut normalizer = Normalizer::new();
    let mut out = Normalized::default();
    let text = "You are such an IDIOT, k i l l yourself!!!";
    normalizer.normalize_into(text, &mut out);
    let (ptr, capacity) = (out.text.as_ptr(), out.text.capacity());
    for _ in 0..3 {
        normalizer.normalize_into(text, &mut out);
    }
    assert_eq!((out.text.as_ptr(), out.text.capacity()), (ptr, capacity));
    assert_eq!(out, normalize(text));
}

/// Every code point on its own, and between two letters, normalises to a fixed
/// point: the guarantee behind the idempotence property, checked exhaustively.
#[test]
fn every_code_point_reaches_a_fixed_point() {
    let mut normalizer = Normalizer::new();
    let (mut once, mut twice) = (Normalized::default(), Normalized::default());
    let mut input = String::new();
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        for context in [false, true] {
            input.clear();
            if context {
                input.push('a');
            }
            input.push(c);
            if context {
                input.push('b');
            }
            normalizer.normalize_into(&input, &mut once);
            normalizer.normalize_into(once.as_str(), &mut twice);
            assert_eq!(once.as_str(), twice.as_str(), "U+{:04X}", u32::from(c));
        }
    }
}
