//! The confusables table: non-Latin letters that look like Latin ones, folded to ASCII.
//!
//! NFKC already maps fullwidth forms, mathematical alphanumerics, circled and
//! squared letters, ligatures and superscripts to ASCII, so this table only
//! holds lookalikes that Unicode does not consider compatible:
//!
//! | source | examples | why it is here |
//! |---|---|---|
//! | Cyrillic | а е о р с у х і ј ѕ ԁ һ ӏ к м т н в п ь, and their capitals | the homoglyphs of choice for evasion (`kіll`) |
//! | Greek | α β γ ε η ι κ ν ο ρ τ υ χ ω, capitals Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ | second most common homoglyph source |
//! | Armenian | օ ս հ ո ց, capital Օ | lookalikes used by "fancy text" generators |
//! | Cherokee capitals | Ꭺ Ᏼ Ꮯ Ꭼ Ꮐ Ꮋ Ꭻ Ꮶ Ꮮ Ꮇ Ꮲ Ꮪ Ꭲ Ꮩ Ꮃ Ꮓ | as above |
//! | Latin extensions | ø đ ħ ı ł ŧ ƀ ɨ ƶ ȷ ɑ ɡ, small capitals ᴀ ʙ ᴄ ᴅ ᴇ ɢ ʜ ɪ ᴊ ᴋ ʟ ᴍ ɴ ᴏ ᴘ ʀ ꜱ ᴛ ᴜ ᴠ ᴡ ʏ ᴢ | letters with strokes and small capitals from "fancy text" |
//! | ranges | regional indicators 🇦–🇿, negative circled 🅐–🅩 and negative squared 🅰–🆉 | emoji letters with no decomposition |
//!
//! Capitals are listed separately because a capital can look like a
//! different Latin letter than its lowercase does (Greek `Ν` looks like `N`,
//! `ν` like `v`), so [`fold_confusable`] is consulted *before* lowercasing.
//!
//! Everything maps to one lowercase ASCII letter, so folding is idempotent.
//! The price is that Cyrillic and Greek text is reduced to a "skeleton" in
//! which some of its letters coincide with Latin ones; training and scoring
//! both see the same skeleton, so models still learn from it, and blocklist
//! terms in those scripts are folded the same way.

/// Lookalike -> lowercase ASCII letter, sorted by code point for binary search.
static CONFUSABLES: &[(char, u8)] = &[
    ('\u{00D8}', b'o'), // Ø latin capital letter o with stroke
    ('\u{00F8}', b'o'), // ø latin small letter o with stroke
    ('\u{0110}', b'd'), // Đ latin capital letter d with stroke
    ('\u{0111}', b'd'), // đ latin small letter d with stroke
    ('\u{0126}', b'h'), // Ħ latin capital letter h with stroke
    ('\u{0127}', b'h'), // ħ latin small letter h with stroke
    ('\u{0131}', b'i'), // ı latin small letter dotless i
    ('\u{0141}', b'l'), // Ł latin capital letter l with stroke
    ('\u{0142}', b'l'), // ł latin small letter l with stroke
    ('\u{0166}', b't'), // Ŧ latin capital letter t with stroke
    ('\u{0167}', b't'), // ŧ latin small letter t with stroke
    ('\u{0180}', b'b'), // ƀ latin small letter b with stroke
    ('\u{0197}', b'i'), // Ɨ latin capital letter i with stroke
    ('\u{01B5}', b'z'), // Ƶ latin capital letter z with stroke
    ('\u{01B6}', b'z'), // ƶ latin small letter z with stroke
    ('\u{0237}', b'j'), // ȷ latin small letter dotless j
    ('\u{0251}', b'a'), // ɑ latin small letter alpha
    ('\u{0261}', b'g'), // ɡ latin small letter script g
    ('\u{0262}', b'g'), // ɢ latin letter small capital g
    ('\u{0268}', b'i'), // ɨ latin small letter i with stroke
    ('\u{0269}', b'i'), // ɩ latin small letter iota
    ('\u{026A}', b'i'), // ɪ latin letter small capital i
    ('\u{0274}', b'n'), // ɴ latin letter small capital n
    ('\u{0280}', b'r'), // ʀ latin letter small capital r
    ('\u{028F}', b'y'), // ʏ latin letter small capital y
    ('\u{0299}', b'b'), // ʙ latin letter small capital b
    ('\u{029C}', b'h'), // ʜ latin letter small capital h
    ('\u{029F}', b'l'), // ʟ latin letter small capital l
    ('\u{0391}', b'a'), // Α greek capital letter alpha
    ('\u{0392}', b'b'), // Β greek capital letter beta
    ('\u{0395}', b'e'), // Ε greek capital letter epsilon
    ('\u{0396}', b'z'), // Ζ greek capital letter zeta
    ('\u{0397}', b'h'), // Η greek capital letter eta
    ('\u{0399}', b'i'), // Ι greek capital letter iota
    ('\u{039A}', b'k'), // Κ greek capital letter kappa
    ('\u{039C}', b'm'), // Μ greek capital letter mu
    ('\u{039D}', b'n'), // Ν greek capital letter nu
    ('\u{039F}', b'o'), // Ο greek capital letter omicron
    ('\u{03A1}', b'p'), // Ρ greek capital letter rho
    ('\u{03A4}', b't'), // Τ greek capital letter tau
    ('\u{03A5}', b'y'), // Υ greek capital letter upsilon
    ('\u{03A7}', b'x'), // Χ greek capital letter chi
    ('\u{03B1}', b'a'), // α greek small letter alpha
    ('\u{03B2}', b'b'), // β greek small letter beta
    ('\u{03B3}', b'y'), // γ greek small letter gamma
    ('\u{03B5}', b'e'), // ε greek small letter epsilon
    ('\u{03B7}', b'n'), // η greek small letter eta
    ('\u{03B9}', b'i'), // ι greek small letter iota
    ('\u{03BA}', b'k'), // κ greek small letter kappa
    ('\u{03BD}', b'v'), // ν greek small letter nu
    ('\u{03BF}', b'o'), // ο greek small letter omicron
    ('\u{03C1}', b'p'), // ρ greek small letter rho
    ('\u{03C4}', b't'), // τ greek small letter tau
    ('\u{03C5}', b'u'), // υ greek small letter upsilon
    ('\u{03C7}', b'x'), // χ greek small letter chi
    ('\u{03C9}', b'w'), // ω greek small letter omega
    ('\u{03F3}', b'j'), // ϳ greek letter yot
    ('\u{0405}', b's'), // Ѕ cyrillic capital letter dze
    ('\u{0406}', b'i'), // І cyrillic capital letter byelorussian-ukrainian i
    ('\u{0408}', b'j'), // Ј cyrillic capital letter je
    ('\u{0410}', b'a'), // А cyrillic capital letter a
    ('\u{0412}', b'b'), // В cyrillic capital letter ve
    ('\u{0415}', b'e'), // Е cyrillic capital letter ie
    ('\u{041A}', b'k'), // К cyrillic capital letter ka
    ('\u{041C}', b'm'), // М cyrillic capital letter em
    ('\u{041D}', b'h'), // Н cyrillic capital letter en
    ('\u{041E}', b'o'), // О cyrillic capital letter o
    ('\u{0420}', b'p'), // Р cyrillic capital letter er
    ('\u{0421}', b'c'), // С cyrillic capital letter es
    ('\u{0422}', b't'), // Т cyrillic capital letter te
    ('\u{0423}', b'y'), // У cyrillic capital letter u
    ('\u{0425}', b'x'), // Х cyrillic capital letter ha
    ('\u{0430}', b'a'), // а cyrillic small letter a
    ('\u{0432}', b'b'), // в cyrillic small letter ve
    ('\u{0435}', b'e'), // е cyrillic small letter ie
    ('\u{043A}', b'k'), // к cyrillic small letter ka
    ('\u{043C}', b'm'), // м cyrillic small letter em
    ('\u{043D}', b'h'), // н cyrillic small letter en
    ('\u{043E}', b'o'), // о cyrillic small letter o
    ('\u{043F}', b'n'), // п cyrillic small letter pe
    ('\u{0440}', b'p'), // р cyrillic small letter er
    ('\u{0441}', b'c'), // с cyrillic small letter es
    ('\u{0442}', b't'), // т cyrillic small letter te
    ('\u{0443}', b'y'), // у cyrillic small letter u
    ('\u{0445}', b'x'), // х cyrillic small letter ha
    ('\u{044C}', b'b'), // ь cyrillic small letter soft sign
    ('\u{0455}', b's'), // ѕ cyrillic small letter dze
    ('\u{0456}', b'i'), // і cyrillic small letter byelorussian-ukrainian i
    ('\u{0458}', b'j'), // ј cyrillic small letter je
    ('\u{0474}', b'v'), // Ѵ cyrillic capital letter izhitsa
    ('\u{0475}', b'v'), // ѵ cyrillic small letter izhitsa
    ('\u{04AE}', b'y'), // Ү cyrillic capital letter straight u
    ('\u{04AF}', b'y'), // ү cyrillic small letter straight u
    ('\u{04BA}', b'h'), // Һ cyrillic capital letter shha
    ('\u{04BB}', b'h'), // һ cyrillic small letter shha
    ('\u{04C0}', b'l'), // Ӏ cyrillic letter palochka
    ('\u{04CF}', b'l'), // ӏ cyrillic small letter palochka
    ('\u{0500}', b'd'), // Ԁ cyrillic capital letter komi de
    ('\u{0501}', b'd'), // ԁ cyrillic small letter komi de
    ('\u{050C}', b'g'), // Ԍ cyrillic capital letter komi sje
    ('\u{050D}', b'g'), // ԍ cyrillic small letter komi sje
    ('\u{051A}', b'q'), // Ԛ cyrillic capital letter qa
    ('\u{051B}', b'q'), // ԛ cyrillic small letter qa
    ('\u{051C}', b'w'), // Ԝ cyrillic capital letter we
    ('\u{051D}', b'w'), // ԝ cyrillic small letter we
    ('\u{0555}', b'o'), // Օ armenian capital letter oh
    ('\u{0570}', b'h'), // հ armenian small letter ho
    ('\u{0578}', b'n'), // ո armenian small letter vo
    ('\u{057D}', b'u'), // ս armenian small letter seh
    ('\u{0581}', b'g'), // ց armenian small letter co
    ('\u{0585}', b'o'), // օ armenian small letter oh
    ('\u{13A2}', b't'), // Ꭲ cherokee letter i
    ('\u{13AA}', b'a'), // Ꭺ cherokee letter go
    ('\u{13AB}', b'j'), // Ꭻ cherokee letter gu
    ('\u{13AC}', b'e'), // Ꭼ cherokee letter gv
    ('\u{13B3}', b'w'), // Ꮃ cherokee letter la
    ('\u{13B7}', b'm'), // Ꮇ cherokee letter lu
    ('\u{13BB}', b'h'), // Ꮋ cherokee letter mi
    ('\u{13C0}', b'g'), // Ꮐ cherokee letter nah
    ('\u{13C3}', b'z'), // Ꮓ cherokee letter no
    ('\u{13D9}', b'v'), // Ꮩ cherokee letter do
    ('\u{13DA}', b's'), // Ꮪ cherokee letter du
    ('\u{13DE}', b'l'), // Ꮮ cherokee letter tle
    ('\u{13DF}', b'c'), // Ꮯ cherokee letter tli
    ('\u{13E2}', b'p'), // Ꮲ cherokee letter tlv
    ('\u{13E6}', b'k'), // Ꮶ cherokee letter tso
    ('\u{13F4}', b'b'), // Ᏼ cherokee letter yv
    ('\u{1D00}', b'a'), // ᴀ latin letter small capital a
    ('\u{1D04}', b'c'), // ᴄ latin letter small capital c
    ('\u{1D05}', b'd'), // ᴅ latin letter small capital d
    ('\u{1D07}', b'e'), // ᴇ latin letter small capital e
    ('\u{1D0A}', b'j'), // ᴊ latin letter small capital j
    ('\u{1D0B}', b'k'), // ᴋ latin letter small capital k
    ('\u{1D0D}', b'm'), // ᴍ latin letter small capital m
    ('\u{1D0F}', b'o'), // ᴏ latin letter small capital o
    ('\u{1D18}', b'p'), // ᴘ latin letter small capital p
    ('\u{1D1B}', b't'), // ᴛ latin letter small capital t
    ('\u{1D1C}', b'u'), // ᴜ latin letter small capital u
    ('\u{1D20}', b'v'), // ᴠ latin letter small capital v
    ('\u{1D21}', b'w'), // ᴡ latin letter small capital w
    ('\u{1D22}', b'z'), // ᴢ latin letter small capital z
    ('\u{A731}', b's'), // ꜱ latin letter small capital s
];

/// Code point ranges whose letters run A..Z in order.
static LETTER_RANGES: &[(u32, u32)] = &[
    (0x1F150, 0x1F169), // negative circled latin capital letters
    (0x1F170, 0x1F189), // negative squared latin capital letters
    (0x1F1E6, 0x1F1FF), // regional indicator symbols
];

/// The ASCII letter that `c` is a lookalike of, if it is one.
pub(crate) fn fold_confusable(c: char) -> Option<u8> {
    let code = u32::from(c);
    if code >= 0x1F150 {
        return LETTER_RANGES
            .iter()
            .find(|(first, last)| (*first..=*last).contains(&code))
            .and_then(|(first, _)| u8::try_from(code - first).ok())
            .map(|offset| b'a' + offset);
    }
    CONFUSABLES
        .binary_search_by_key(&c, |&(from, _)| from)
        .ok()
        .map(|i| CONFUSABLES[i].1)
}

/// Every lookalike that folds to `letter` (a lowercase ASCII letter), from the
/// table and the letter ranges; used by the adversarial generator.
pub(crate) fn lookalikes(letter: u8) -> impl Iterator<Item = char> {
    let from_table = CONFUSABLES
        .iter()
        .filter(move |&&(_, to)| to == letter)
        .map(|&(from, _)| from);
    let from_ranges = LETTER_RANGES.iter().filter_map(move |&(first, _)| {
        letter
            .checked_sub(b'a')
            .filter(|offset| *offset < 26)
            .and_then(|offset| char::from_u32(first + u32::from(offset)))
    });
    from_table.chain(from_ranges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn table_is_sorted_without_duplicates() {
        for pair in CONFUSABLES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{:?} before {:?}", pair[0], pair[1]);
        }
    }

    #[test]
    fn targets_are_lowercase_ascii_letters() {
        for &(from, to) in CONFUSABLES {
            assert!(to.is_ascii_lowercase(), "{from:?} -> {to}");
        }
    }

    #[test]
    fn entries_are_reachable_after_compatibility_decomposition() {
        // Normalisation decomposes before it consults the table, so an entry
        // whose NFKD differs from itself could never be hit.
        for &(from, _) in CONFUSABLES {
            let decomposed: String = std::iter::once(from).nfkd().collect();
            assert_eq!(decomposed, from.to_string(), "{from:?} decomposes");
        }
    }

    #[test]
    fn ranges_fold_to_the_alphabet() {
        assert_eq!(fold_confusable('\u{1F1F0}'), Some(b'k')); // regional indicator K
        assert_eq!(fold_confusable('\u{1F170}'), Some(b'a')); // negative squared A
        assert_eq!(fold_confusable('\u{1F189}'), Some(b'z'));
        assert_eq!(fold_confusable('\u{1F18A}'), None);
        assert_eq!(fold_confusable('\u{0430}'), Some(b'a'));
        assert_eq!(fold_confusable('a'), None);
    }

    #[test]
    fn every_letter_has_a_lookalike() {
        for letter in b'a'..=b'z' {
            assert!(lookalikes(letter).count() >= 3, "{}", letter as char);
            for c in lookalikes(letter) {
                assert_eq!(fold_confusable(c), Some(letter), "{c:?}");
            }
        }
    }
}
