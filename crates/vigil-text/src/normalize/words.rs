//! The word stage of normalisation: spaced-out letters, leetspeak and long repeats.
//!
//! All three work on "word characters": ASCII letters and digits plus `@` and
//! `$`, the symbols that stand for letters. Each is a linear pass; their order
//! (join, then leetspeak, then squeeze) is what makes the pipeline idempotent:
//! no later step can create work for an earlier one.

use super::{CharBuffer, Span};

/// Fewest spaced-out single characters that are joined into a word.
const MIN_SPACED_RUN: usize = 3;
/// Fewest ASCII letters among them (so `1 2 3` stays a list of numbers).
const MIN_SPACED_LETTERS: usize = 2;
/// Longest run of one character kept by [`squeeze_repeats`].
const MAX_REPEAT: usize = 2;

/// ASCII letters, digits and the letter-standing symbols `@` and `$`.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '@' || c == '$'
}

/// Separators of the spacing trick.
fn is_spacer(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '_' | '*')
}

/// Step 9: copies `src` into `dst`, joining runs of spaced-out single
/// characters (`k i l l`, `k.i.l.l`) into words, and collapsing the double
/// spaces the character stage left in place to single ones.
pub(super) fn join_spaced_letters(src: &CharBuffer, dst: &mut CharBuffer) {
    dst.clear();
    let chars = &src.chars;
    let mut at = 0;
    while at < chars.len() {
        let run = SpacedRun::starting_at(chars, at);
        if let Some(run) = run.as_ref().filter(|run| run.joinable) {
            run.emit(src, dst);
            at = run.last + 1;
            continue;
        }
        // A run too short to join is copied whole: every later start inside
        // it would be shorter still, and retrying each would make a long
        // list of numbers (`1 2 3 …`) quadratic. Its last character may yet
        // start a run with another spacer, so copying stops before it.
        let stop = run.map_or(at + 1, |run| run.last.max(at + 1));
        for (&c, &span) in chars[at..stop].iter().zip(&src.spans[at..stop]) {
            if c != ' ' || dst.chars.last() != Some(&' ') {
                dst.push(c, span);
            }
        }
        at = stop;
    }
}

/// Single word characters, each one spacer apart, or for spaces one or two
/// spaces apart: a double space may separate spaced-out words
/// (`k i l l  y o u`).
struct SpacedRun {
    first: usize,
    last: usize,
    spacer: char,
    /// Long enough, with letters enough, to be joined.
    joinable: bool,
}

impl SpacedRun {
    /// The longest run that starts at `first`, if a single character with a
    /// spacer after it stands there.
    fn starting_at(chars: &[char], first: usize) -> Option<Self> {
        if !is_single(chars, first) {
            return None;
        }
        let spacer = *chars.get(first + 1).filter(|c| is_spacer(**c))?;
        let mut last = first;
        let mut count = 1;
        let mut letters = usize::from(chars[first].is_ascii_alphabetic());
        while let Some(next) = next_single(chars, last, spacer) {
            last = next;
            count += 1;
            letters += usize::from(chars[last].is_ascii_alphabetic());
        }
        Some(SpacedRun {
            first,
            last,
            spacer,
            joinable: count >= MIN_SPACED_RUN && letters >= MIN_SPACED_LETTERS,
        })
    }

    /// Writes the run's characters without their spacers. A double space
    /// stays as one space only where at least two joined characters stand on
    /// each side of it, so every word the run becomes has two characters or
    /// more and a second pass finds nothing left to join.
    fn emit(&self, src: &CharBuffer, dst: &mut CharBuffer) {
        let chars = &src.chars;
        let mut at = self.first;
        let mut gap_before = 0;
        loop {
            dst.push(chars[at], src.spans[at]);
            let Some(next) = next_single(chars, at, self.spacer).filter(|n| *n <= self.last) else {
                break;
            };
            let gap = next - at - 1;
            let wide_after = next_single(chars, next, self.spacer) == Some(next + 2);
            if gap == 2 && gap_before == 1 && wide_after {
                dst.push(' ', src.spans[at + 1]);
            }
            gap_before = gap;
            at = next;
        }
    }
}

/// The single that follows the single at `at` in a run separated by `spacer`.
fn next_single(chars: &[char], at: usize, spacer: char) -> Option<usize> {
    if chars.get(at + 1) != Some(&spacer) {
        return None;
    }
    if is_single(chars, at + 2) {
        return Some(at + 2);
    }
    let double = spacer == ' ' && chars.get(at + 2) == Some(&' ') && is_single(chars, at + 3);
    double.then_some(at + 3)
}

/// A word character with no word character on either side.
fn is_single(chars: &[char], i: usize) -> bool {
    let is_word_at = |j: usize| chars.get(j).is_some_and(|&c| is_word_char(c));
    is_word_at(i) && !(i > 0 && is_word_at(i - 1)) && !is_word_at(i + 1)
}

/// Step 10, in place: folds `!` and `|` standing for letters, then digits and
/// `@`/`$` inside words that contain a letter.
pub(super) fn fold_leetspeak(chars: &mut [char]) {
    fold_letter_symbols(chars);
    fold_words(chars);
}

/// `!` → `i` and `|` → `l`. A run of these symbols is folded when word
/// characters stand on both sides (`sh!t`, `a!!b`), or, for a run of pipes
/// only, on one side (`ki||`, `|ol`); `hello!` and `a | b` keep theirs. The
/// decision depends only on the run's neighbours, which are not symbols and
/// so are never changed by this pass: the pass can run in place.
fn fold_letter_symbols(chars: &mut [char]) {
    let mut at = 0;
    while at < chars.len() {
        if !matches!(chars[at], '!' | '|') {
            at += 1;
            continue;
        }
        let start = at;
        let mut only_pipes = true;
        while at < chars.len() && matches!(chars[at], '!' | '|') {
            only_pipes &= chars[at] == '|';
            at += 1;
        }
        let before = start > 0 && is_word_char(chars[start - 1]);
        let after = chars.get(at).is_some_and(|&c| is_word_char(c));
        if (before && after) || (only_pipes && (before || after)) {
            for c in &mut chars[start..at] {
                *c = if *c == '!' { 'i' } else { 'l' };
            }
        }
    }
}

/// Folds every maximal run of word characters that holds an ASCII letter.
fn fold_words(chars: &mut [char]) {
    let mut at = 0;
    while at < chars.len() {
        if !is_word_char(chars[at]) {
            at += 1;
            continue;
        }
        let start = at;
        let mut has_letter = false;
        while at < chars.len() && is_word_char(chars[at]) {
            has_letter |= chars[at].is_ascii_alphabetic();
            at += 1;
        }
        if has_letter {
            fold_word(&mut chars[start..at]);
        }
    }
}

/// Replaces leetspeak digits and symbols in one word. A single `1` is an `i`
/// (`k1ll`), a run of them is `l`s (`ki11`, `a11`), as `ll` is far more
/// common in English than `ii`.
fn fold_word(word: &mut [char]) {
    let mut at = 0;
    while at < word.len() {
        if word[at] == '1' {
            let start = at;
            while at < word.len() && word[at] == '1' {
                at += 1;
            }
            let letter = if at - start == 1 { 'i' } else { 'l' };
            word[start..at].fill(letter);
            continue;
        }
        word[at] = match word[at] {
            '0' => 'o',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            '8' => 'b',
            '9' => 'g',
            other => other,
        };
        at += 1;
    }
}

/// Step 11: copies `src` into the output text and spans, keeping at most
/// [`MAX_REPEAT`] of a run of one character (digits excepted, so numbers keep
/// their value). A dropped repeat's span joins the kept character before it.
pub(super) fn squeeze_repeats(src: &CharBuffer, text: &mut String, spans: &mut Vec<Span>) {
    text.clear();
    spans.clear();
    let mut previous = None;
    let mut run = 0;
    for (&c, &span) in src.chars.iter().zip(&src.spans) {
        run = if previous == Some(c) { run + 1 } else { 1 };
        previous = Some(c);
        if run > MAX_REPEAT && !c.is_ascii_digit() {
            if let Some(kept) = spans.last_mut() {
                kept.end = kept.end.max(span.end);
            }
            continue;
        }
        text.push(c);
        spans.push(span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffer(text: &str) -> CharBuffer {
        let mut buffer = CharBuffer::default();
        for (i, c) in text.chars().enumerate() {
            let i = i as u32;
            buffer.push(
                c,
                Span {
                    start: i,
                    end: i + 1,
                },
            );
        }
        buffer
    }

    fn joined(text: &str) -> String {
        let mut out = CharBuffer::default();
        join_spaced_letters(&buffer(text), &mut out);
        out.chars.iter().collect()
    }

    fn leet(text: &str) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        fold_leetspeak(&mut chars);
        chars.into_iter().collect()
    }

    #[test]
    fn joins_three_or_more_spaced_letters() {
        assert_eq!(joined("k i l l"), "kill");
        assert_eq!(joined("k.i.l.l."), "kill.");
        assert_eq!(joined("go k-i-l-l now"), "go kill now");
        assert_eq!(joined("k_i_l_l k*i*l*l"), "kill kill");
        assert_eq!(joined("i k.i.l.l"), "i kill");
    }

    #[test]
    fn double_spaces_separate_spaced_out_words() {
        assert_eq!(joined("k i l l  y o u r s e l f"), "kill yourself");
        assert_eq!(joined("k i l l y o u"), "killyou");
        assert_eq!(joined("f u c k  u"), "fucku");
        assert_eq!(joined("a  b  c"), "abc");
        assert_eq!(joined("a  b"), "a b");
        assert_eq!(joined("so  what"), "so what");
    }

    #[test]
    fn leaves_pairs_numbers_and_mixed_separators() {
        assert_eq!(joined("a b"), "a b");
        assert_eq!(joined("e.g. this"), "e.g. this");
        assert_eq!(joined("1 2 3"), "1 2 3");
        assert_eq!(joined("192.168.1.1"), "192.168.1.1");
        assert_eq!(joined("k.i l.l"), "k.i l.l");
        assert_eq!(joined("sk.i.l"), "sk.i.l");
        assert_eq!(joined("1 2 a.b.c"), "1 2 abc");
        assert_eq!(joined("1 2  3"), "1 2 3");
    }

    #[test]
    fn long_unjoinable_runs_take_linear_time() {
        let numbers = "1 ".repeat(200_000);
        let started = std::time::Instant::now();
        assert_eq!(joined(&numbers), numbers);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn folds_leetspeak_in_words_with_letters() {
        assert_eq!(leet("h3ll0 w0rld"), "hello world");
        assert_eq!(leet("k1ll ki11 a55 p@$$"), "kill kill ass pass");
        assert_eq!(leet("sh!t ki|| |ol"), "shit kill lol");
        assert_eq!(leet("gr8 n00b 5h1t"), "grb noob shit");
    }

    #[test]
    fn leaves_numbers_and_punctuation() {
        assert_eq!(leet("in 2024 i paid $100!"), "in 2024 i paid $100!");
        assert_eq!(leet("hello! a | b wow!!"), "hello! a | b wow!!");
        assert_eq!(leet("f*ck"), "f*ck");
    }

    #[test]
    fn squeezes_long_repeats_but_not_digits() {
        let mut text = String::new();
        let mut spans = Vec::new();
        squeeze_repeats(&buffer("fuuuuck!!!! 1000"), &mut text, &mut spans);
        assert_eq!(text, "fuuck!! 1000");
        assert_eq!(spans[2], Span { start: 2, end: 5 });
        assert_eq!(spans[6], Span { start: 8, end: 11 });
    }
}
