//! The character stage of normalisation: decomposition, confusables, marks, invisibles, case, whitespace.

use std::iter;

use unicode_normalization::char::{canonical_combining_class, decompose_compatible};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use super::confusables::fold_confusable;
use super::{CharBuffer, Span};

/// How many times a character is re-decomposed after lowercasing. Lowercasing
/// a decomposed character can yield a decomposable one (`ᴬ` → `A` needs a
/// second lowercasing); two rounds reach a fixed point for every code point,
/// which a test checks exhaustively.
const MAX_FOLD_DEPTH: u8 = 2;

/// Runs steps 1–7 of the pipeline over `input` into `out`; returns the length
/// of `input` in chars.
pub(super) fn fold_chars(input: &str, out: &mut CharBuffer) -> usize {
    out.clear();
    let len = if input.is_ascii() {
        // The common case: no decomposition, confusables or marks are
        // possible, so a byte loop with one match per byte does it all.
        for (i, &b) in input.as_bytes().iter().enumerate() {
            push_ascii(out, b, index(i));
        }
        input.len()
    } else {
        let mut stage = Folder { out };
        let mut len = 0;
        for (i, c) in input.chars().enumerate() {
            let at = index(i);
            if c.is_ascii() {
                push_ascii(stage.out, c as u8, at);
            } else {
                decompose_compatible(c, |d| stage.fold(d, at, 0));
            }
            len = i + 1;
        }
        len
    };
    while out.chars.last() == Some(&' ') {
        out.chars.pop();
        out.spans.pop();
    }
    len
}

/// Whether the buffer holds characters that canonical composition could
/// combine (step 8); false for any text without such characters, so the
/// recomposition pass is skipped for nearly all input.
pub(super) fn needs_recomposition(buffer: &CharBuffer) -> bool {
    buffer
        .chars
        .iter()
        .any(|&c| !c.is_ascii() && !starts_segment(c))
}

/// Canonical composition (step 8) from `src` into `dst`, segment by segment.
/// A segment is a character that nothing before it composes with, plus the
/// characters that may compose with it; characters of a segment whose
/// composition changed its length all map to the span of the whole segment.
pub(super) fn recompose(src: &CharBuffer, dst: &mut CharBuffer) {
    dst.clear();
    let mut start = 0;
    while start < src.chars.len() {
        let mut end = start + 1;
        while end < src.chars.len() && !starts_segment(src.chars[end]) {
            end += 1;
        }
        let segment = &src.chars[start..end];
        let spans = &src.spans[start..end];
        if segment.len() == 1 {
            dst.push(segment[0], spans[0]);
        } else {
            let before = dst.chars.len();
            dst.chars.extend(segment.iter().copied().nfc());
            let produced = dst.chars.len() - before;
            if produced == segment.len() {
                dst.spans.extend_from_slice(spans);
            } else {
                let whole = Span {
                    start: spans[0].start,
                    end: spans
                        .iter()
                        .map(|span| span.end)
                        .max()
                        .unwrap_or(spans[0].end),
                };
                dst.spans.resize(dst.spans.len() + produced, whole);
            }
        }
        start = end;
    }
}

/// A starter that no preceding character composes with.
fn starts_segment(c: char) -> bool {
    c.is_ascii()
        || (canonical_combining_class(c) == 0 && is_nfc_quick(iter::once(c)) != IsNormalized::Maybe)
}

/// Char index as stored in a [`Span`]; texts beyond 4 Gi chars saturate
/// rather than wrap (spans stay in bounds, merely coarse).
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn span_of(at: u32) -> Span {
    Span {
        start: at,
        end: at.saturating_add(1),
    }
}

fn push_ascii(out: &mut CharBuffer, b: u8, at: u32) {
    match b {
        b'A'..=b'Z' => out.push(char::from(b.to_ascii_lowercase()), span_of(at)),
        b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => push_space(out, at),
        // Other C0 controls and DEL carry no text; dropping them (rather than
        // spacing them) undoes `k\0ill`.
        0x00..=0x1F | 0x7F => {}
        _ => out.push(char::from(b), span_of(at)),
    }
}

/// Keeps at most two spaces in a row and none at the start: a double space
/// can separate spaced-out words (`k i l l  y o u`), so the word stage needs
/// to see it; it collapses every run to one space when it has looked.
fn push_space(out: &mut CharBuffer, at: u32) {
    let room = match out.chars.as_slice() {
        [] => false,
        [.., before, last] => *last != ' ' || *before != ' ',
        [last] => *last != ' ',
    };
    if room {
        out.push(' ', span_of(at));
    }
}

/// The non-ASCII half of the character stage.
struct Folder<'a> {
    out: &'a mut CharBuffer,
}

impl Folder<'_> {
    /// Folds one character of a compatibility decomposition.
    fn fold(&mut self, c: char, at: u32, depth: u8) {
        if c.is_ascii() {
            push_ascii(self.out, c as u8, at);
        } else if let Some(letter) = fold_confusable(c) {
            self.out.push(char::from(letter), span_of(at));
        } else if is_diacritic(c) {
            self.extend_last(at);
        } else if c.is_whitespace() || c == '\u{2800}' {
            push_space(self.out, at);
        } else if is_invisible(c) || c.is_control() {
            // Removed without a trace: the neighbours join up (`k\u{200B}ill`).
        } else if depth >= MAX_FOLD_DEPTH || is_lowercase_fixed_point(c) {
            self.out.push(c, span_of(at));
        } else {
            for lower in c.to_lowercase() {
                decompose_compatible(lower, |d| self.fold(d, at, depth + 1));
            }
        }
    }

    /// A dropped diacritic belongs to the letter it sat on, so that letter's
    /// span grows to cover it.
    fn extend_last(&mut self, at: u32) {
        if let (Some(&last), Some(span)) = (self.out.chars.last(), self.out.spans.last_mut()) {
            if last != ' ' {
                span.end = span.end.max(at.saturating_add(1));
            }
        }
    }
}

fn is_lowercase_fixed_point(c: char) -> bool {
    let mut lower = c.to_lowercase();
    lower.next() == Some(c) && lower.next().is_none()
}

/// Combining marks of the generic diacritic blocks (step 3).
fn is_diacritic(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'   // combining diacritical marks
        | '\u{0483}'..='\u{0489}' // combining cyrillic
        | '\u{1AB0}'..='\u{1AFF}' // combining diacritical marks extended
        | '\u{1DC0}'..='\u{1DFF}' // combining diacritical marks supplement
        | '\u{20D0}'..='\u{20FF}' // combining marks for symbols (keycaps, enclosing circles)
        | '\u{FE20}'..='\u{FE2F}' // combining half marks
    )
}

/// Characters that render as nothing (step 4).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{FE00}'..='\u{FE0F}'     // variation selectors
        | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
        | '\u{180B}'..='\u{180F}'   // mongolian free variation selectors and vowel separator
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // hangul fillers
        | '\u{17B4}' | '\u{17B5}'   // khmer inherent vowels
    ) || c.general_category() == GeneralCategory::Format
}
