//! Text normalisation against evasion: one canonical spelling for the many ways a word can be disguised.
//!
//! Every text detector and every blocklist reads text through [`normalize`]
//! (or, on the hot path, [`Normalizer::normalize_into`]), so `kіll` with a
//! Cyrillic `і`, `k.i.l.l`, `ｋｉｌｌ`, `k\u{200B}ill`, `K1LL` and `ḱïll` all
//! reach the models as `kill`. The result remembers, for every character,
//! which characters of the original produced it, so evidence found in the
//! normalised text can be shown in the original ([`Normalized::original_span`]).
//!
//! # The steps, in order
//!
//! Character stage (one pass over the input, `chars.rs`):
//!
//! 1. **Compatibility decomposition** (the NFKD half of NFKC, per character):
//!    fullwidth, mathematical, circled and superscript letters, ligatures and
//!    Unicode spaces become their plain forms. ASCII skips this entirely.
//! 2. **Confusables**: lookalikes from other scripts fold to ASCII letters
//!    (table and rationale in `confusables.rs`). Consulted before lowercasing
//!    because a capital can look like a different letter than its lowercase.
//! 3. **Diacritics removed**: combining marks from the generic diacritic blocks
//!    (U+0300–036F, U+0483–0489, U+1AB0–1AFF, U+1DC0–1DFF, U+20D0–20FF,
//!    U+FE20–FE2F) are dropped, which undoes accents and "Zalgo" text
//!    (`ḱïll` → `kill`). Script-specific marks (Indic vowel signs, Hebrew and
//!    Arabic points, kana voicing) are kept, as they carry meaning.
//! 4. **Invisible characters removed**: general category Cf (zero-width
//!    space and joiners U+200B–200F, U+2060–2064, U+FEFF, soft hyphen U+00AD,
//!    bidi controls, tags), variation selectors and Hangul fillers.
//! 5. **Control characters**: whitespace controls (tab, newline, …) and all
//!    Unicode whitespace become a space; other controls are dropped.
//! 6. **Lowercase** (full Unicode lowercasing; the result is decomposed and
//!    folded again, as lowercasing can produce decomposable characters).
//! 7. **Whitespace trimmed**: leading and trailing spaces go, and runs are
//!    cut to two (step 9 needs to see a double space, then makes it one).
//! 8. **Recomposition** (the composition half of NFKC), only when the text
//!    still holds characters that compose, such as Hangul jamo or kana with
//!    voicing marks.
//!
//! Word stage (over the character buffer, `words.rs`):
//!
//! 9. **Spaced-out letters joined**: three or more single letters separated
//!    by the same single space, `.`, `-`, `_` or `*` become one word
//!    (`k i l l`, `k.i.l.l`, `k-i-l-l` → `kill`); a double space inside such
//!    a run separates words (`k i l l  y o u` → `kill you`). Two are left
//!    alone (`a b`, `e.g.`); runs of three real one-letter words (`i a m`) are
//!    joined too, a price accepted for catching the trick. Whitespace runs
//!    become one space.
//! 10. **Leetspeak folded** inside words that contain at least one ASCII
//!     letter: `0→o 1→i 3→e 4→a 5→s 7→t 8→b 9→g @→a $→s`, with `11→ll`
//!     (`ki11` → `kill`, `k1ll` → `kill`); `!→i` between word characters
//!     (`sh!t`, not `hello!`) and `|→l` next to a word character (`ki||`).
//!     Numbers without letters (`2024`, `$100`) are untouched. Known cost:
//!     `10pm` becomes `iopm`, `user@example` becomes `useraexample`;
//!     consistently so, in training and in scoring.
//! 11. **Long repeats squeezed**: three or more identical characters become
//!     two (`fuuuuck` → `fuuck`, `!!!!` → `!!`), except digits (`1000` stays).
//!
//! Masked letters (`f*ck`) are deliberately left as they are: `*` is not a
//! letter, guessing which one it hides would be wrong as often as right, and
//! the n-gram model learns `f*ck` as a feature of its own.
//!
//! The whole pipeline is idempotent: normalising normalised text changes
//! nothing (a property test checks this on arbitrary Unicode).
//!
//! # Example
//!
//! ```
//! use vigil_text::normalize::normalize;
//!
//! let n = normalize("Y0u should K.I.L.L yourself\u{200B}!!!!");
//! assert_eq!(n.as_str(), "you should kill yourself!!");
//! // "kill" is chars 11..15 of the normalised text; in the original it is "K.I.L.L".
//! assert_eq!(n.original_span(11, 15), (11, 18));
//! ```

mod chars;
mod confusables;
mod words;

pub(crate) use confusables::lookalikes;

/// Normalised text with a map back to the characters of the original.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    /// For each char of `text`, the char range of the original it came from.
    spans: Vec<Span>,
    /// Length of the original, in chars.
    original_len: usize,
}

/// A char range `[start, end)` of the original text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Normalized {
    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length of the normalised text in chars.
    pub fn char_len(&self) -> usize {
        self.spans.len()
    }

    /// Length of the original text in chars.
    pub fn original_len(&self) -> usize {
        self.original_len
    }

    /// Maps the char range `[start, end)` of the normalised text to the char
    /// range of the original text that produced it (for evidence spans).
    ///
    /// The result covers every original character that contributed, including
    /// removed separators and marks inside the range. `end` is clamped to the
    /// length and `start` to `end`; an empty range maps to an empty range at
    /// the corresponding position of the original.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        let end = end.min(self.spans.len());
        let start = start.min(end);
        if start < end {
            (
                self.spans[start].start as usize,
                self.spans[end - 1].end as usize,
            )
        } else {
            let at = self
                .spans
                .get(start)
                .map_or(self.original_len, |span| span.start as usize);
            (at, at)
        }
    }
}

/// Normalises `input` (see the [module documentation](self) for the steps).
///
/// Allocates a fresh result; on a hot path keep a [`Normalizer`] and a
/// [`Normalized`] and call [`Normalizer::normalize_into`] instead.
pub fn normalize(input: &str) -> Normalized {
    let mut out = Normalized::default();
    Normalizer::new().normalize_into(input, &mut out);
    out
}

/// Reusable working buffers for [`normalize`]; once warmed up on texts of a
/// given length, normalising allocates nothing.
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    front: CharBuffer,
    back: CharBuffer,
}

impl Normalizer {
    /// A normaliser with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Normalises `input` into `out`, reusing the buffers of both.
    pub fn normalize_into(&mut self, input: &str, out: &mut Normalized) {
        // Each stage is a plain linear pass from one buffer into the other
        // (or in place), so that the buffers, once grown, are only cleared and
        // refilled: no per-call allocation and no per-character branching on
        // state kept across stages.
        out.original_len = chars::fold_chars(input, &mut self.front);
        if chars::needs_recomposition(&self.front) {
            chars::recompose(&self.front, &mut self.back);
            std::mem::swap(&mut self.front, &mut self.back);
        }
        words::join_spaced_letters(&self.front, &mut self.back);
        words::fold_leetspeak(&mut self.back.chars);
        words::squeeze_repeats(&self.back, &mut out.text, &mut out.spans);
    }
}

/// Characters with their original spans, the working form between stages.
#[derive(Clone, Debug, Default)]
struct CharBuffer {
    chars: Vec<char>,
    spans: Vec<Span>,
}

impl CharBuffer {
    fn clear(&mut self) {
        self.chars.clear();
        self.spans.clear();
    }

    fn push(&mut self, c: char, span: Span) {
        self.chars.push(c);
        self.spans.push(span);
    }
}

#[cfg(test)]
mod tests;
