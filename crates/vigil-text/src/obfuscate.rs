//! Adversarial obfuscation: the attack model the adversarial benchmark applies to each test split.
//!
//! A user evading a text filter rewrites some words so a human still reads
//! them and a naive matcher does not. [`obfuscate`] simulates that: it picks
//! about [`DEFAULT_WORD_RATE`] of the words of at least [`MIN_WORD_CHARS`]
//! characters and rewrites each with one [`Transform`] chosen at random —
//! leetspeak, homoglyphs from other scripts, zero-width characters, repeated
//! letters, spacing out, fullwidth and mathematical letters, random case and
//! stacked diacritics. The adversarial copy of a test split is this function
//! applied to every text, and the benchmark reports how much AUPRC a detector
//! loses on it.
//!
//! Everything is deterministic for a seed, so an adversarial split can be
//! rebuilt exactly. Every transform except [`Transform::Repeat`] is undone by
//! [`crate::normalize::normalize`] on a word that stands alone (see
//! [`Transform::is_invertible`]); a property test checks it.
//!
//! ```
//! use vigil_text::obfuscate::obfuscate;
//!
//! let attacked = obfuscate("you are a worthless idiot", 7);
//! assert_eq!(attacked, obfuscate("you are a worthless idiot", 7));
//! ```

use crate::normalize::lookalikes;

/// Share of eligible words that [`obfuscate`] rewrites.
pub const DEFAULT_WORD_RATE: f64 = 0.4;
/// Shortest word (in chars) that is rewritten; shorter words are rarely
/// what a filter looks for.
pub const MIN_WORD_CHARS: usize = 3;

/// One way of disguising a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transform {
    /// Letters replaced by digits and symbols: `idiot` → `1d10t`, `ass` → `@$s`.
    Leetspeak,
    /// Letters replaced by lookalikes from other scripts: `idiot` → `іdіοt`.
    Homoglyph,
    /// Zero-width and invisible characters inserted between letters.
    ZeroWidth,
    /// One letter doubled or tripled: `idiot` → `idiiiot`.
    Repeat,
    /// Letters spaced out with a space, `.`, `-`, `_` or `*`: `i.d.i.o.t`.
    Spacing,
    /// Fullwidth forms: `ｉｄｉｏｔ`.
    Fullwidth,
    /// Mathematical bold, sans-serif, monospace or circled letters: `𝐢𝐝𝐢𝐨𝐭`.
    MathLetters,
    /// Each letter's case flipped at random: `iDiOT`.
    RandomCase,
    /// Combining diacritics stacked on some letters: `i̷d̛iot`.
    Diacritics,
}

impl Transform {
    /// Every transform, in a fixed order.
    pub const ALL: [Transform; 9] = [
        Transform::Leetspeak,
        Transform::Homoglyph,
        Transform::ZeroWidth,
        Transform::Repeat,
        Transform::Spacing,
        Transform::Fullwidth,
        Transform::MathLetters,
        Transform::RandomCase,
        Transform::Diacritics,
    ];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Transform::Leetspeak => "leetspeak",
            Transform::Homoglyph => "homoglyph",
            Transform::ZeroWidth => "zero-width",
            Transform::Repeat => "repeat",
            Transform::Spacing => "spacing",
            Transform::Fullwidth => "fullwidth",
            Transform::MathLetters => "math-letters",
            Transform::RandomCase => "random-case",
            Transform::Diacritics => "diacritics",
        }
    }

    /// Whether normalisation restores a word of ASCII letters that this
    /// transform rewrote. Everything but [`Transform::Repeat`] is (a run of
    /// three becomes two, not one). Spacing is restored when the word does
    /// not sit beside other single letters.
    pub fn is_invertible(self) -> bool {
        self != Transform::Repeat
    }
}

/// How an adversarial copy is made: which share of words is rewritten, with
/// which transforms.
#[derive(Clone, Debug, PartialEq)]
pub struct AttackModel {
    /// Probability that an eligible word is rewritten, in `[0, 1]`.
    pub word_rate: f64,
    /// Transforms to choose from, uniformly; none means no rewriting.
    pub transforms: Vec<Transform>,
}

impl Default for AttackModel {
    fn default() -> Self {
        Self {
            word_rate: DEFAULT_WORD_RATE,
            transforms: Transform::ALL.to_vec(),
        }
    }
}

impl AttackModel {
    /// Rewrites `text`, deterministically for `seed`.
    pub fn apply(&self, text: &str, seed: u64) -> String {
        let mut rng = SplitMix64::new(seed);
        let mut out = String::with_capacity(text.len() * 2);
        let mut rest = text;
        while !rest.is_empty() {
            let word_len = rest
                .find(|c: char| !c.is_alphanumeric())
                .unwrap_or(rest.len());
            let (word, after) = rest.split_at(word_len);
            if word.chars().count() >= MIN_WORD_CHARS && rng.chance(self.word_rate) {
                match rng.pick(&self.transforms) {
                    Some(transform) => apply_transform(word, transform, &mut rng, &mut out),
                    None => out.push_str(word),
                }
            } else {
                out.push_str(word);
            }
            let gap_len = after.find(char::is_alphanumeric).unwrap_or(after.len());
            out.push_str(&after[..gap_len]);
            rest = &after[gap_len..];
        }
        out
    }
}

/// Rewrites about [`DEFAULT_WORD_RATE`] of the words of `text` with random
/// transforms, deterministically for `seed`.
pub fn obfuscate(text: &str, seed: u64) -> String {
    AttackModel::default().apply(text, seed)
}

/// [`obfuscate`] over a whole split: text `i` gets a seed derived from
/// `seed` and `i`, so a split is rebuilt exactly from one seed.
pub fn obfuscate_all<S: AsRef<str>>(texts: &[S], seed: u64) -> Vec<String> {
    let model = AttackModel::default();
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| model.apply(text.as_ref(), item_seed(seed, i)))
        .collect()
}

/// Applies one transform to one word, deterministically for `seed`.
pub fn obfuscate_word(word: &str, transform: Transform, seed: u64) -> String {
    let mut out = String::with_capacity(word.len() * 4);
    apply_transform(word, transform, &mut SplitMix64::new(seed), &mut out);
    out
}

fn item_seed(seed: u64, index: usize) -> u64 {
    SplitMix64::new(seed ^ (index as u64).wrapping_mul(0xA076_1D64_78BD_642F)).next_u64()
}

fn apply_transform(word: &str, transform: Transform, rng: &mut SplitMix64, out: &mut String) {
    let chars: Vec<char> = word.chars().collect();
    match transform {
        Transform::Leetspeak => leetspeak(&chars, rng, out),
        Transform::Homoglyph => homoglyphs(&chars, rng, out),
        Transform::ZeroWidth => zero_width(&chars, rng, out),
        Transform::Repeat => repeat(&chars, rng, out),
        Transform::Spacing => spacing(&chars, rng, out),
        Transform::Fullwidth => out.extend(chars.iter().map(|&c| fullwidth(c))),
        Transform::MathLetters => math_letters(&chars, rng, out),
        Transform::RandomCase => random_case(&chars, rng, out),
        Transform::Diacritics => diacritics(&chars, rng, out),
    }
}

/// Leet forms that normalisation folds back. `l` becomes `|` rather than
/// `1`, and an `i` beside another `i` is left alone, because a run of `1`s
/// reads as `l`s.
fn leet_forms(word: &[char], at: usize) -> &'static [char] {
    let next_to_i = |j: Option<usize>| {
        j.and_then(|j| word.get(j))
            .is_some_and(|c| c.eq_ignore_ascii_case(&'i'))
    };
    match word[at].to_ascii_lowercase() {
        'a' => &['4', '@'],
        'b' => &['8'],
        'e' => &['3'],
        'g' => &['9'],
        'i' if !next_to_i(at.checked_sub(1)) && !next_to_i(Some(at + 1)) => &['1'],
        'l' => &['|'],
        'o' => &['0'],
        's' => &['5', '$'],
        't' => &['7'],
        _ => &[],
    }
}

fn leetspeak(word: &[char], rng: &mut SplitMix64, out: &mut String) {
    let candidates: Vec<usize> = (0..word.len())
        .filter(|&i| !leet_forms(word, i).is_empty())
        .collect();
    let letters = word.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let mut chosen: Vec<bool> = (0..word.len()).map(|_| rng.chance(0.5)).collect();
    for (i, flag) in chosen.iter_mut().enumerate() {
        *flag &= candidates.contains(&i);
    }
    if !chosen.contains(&true) {
        if let Some(i) = rng.pick(&candidates) {
            chosen[i] = true;
        }
    }
    // Keep a letter, or a word of digits would read as a number.
    let replaced = chosen.iter().filter(|&&flag| flag).count();
    if replaced >= letters {
        if let Some(i) = chosen.iter().position(|&flag| flag) {
            chosen[i] = false;
        }
    }
    for (i, &c) in word.iter().enumerate() {
        match rng.pick(leet_forms(word, i)).filter(|_| chosen[i]) {
            Some(form) => out.push(form),
            None => out.push(c),
        }
    }
}

fn homoglyphs(word: &[char], rng: &mut SplitMix64, out: &mut String) {
    let forced = rng.below(word.len());
    for (i, &c) in word.iter().enumerate() {
        let lookalike = if c.is_ascii_alphabetic() && (i == forced || rng.chance(0.5)) {
            let options: Vec<char> = lookalikes(c.to_ascii_lowercase() as u8).collect();
            rng.pick(&options)
        } else {
            None
        };
        out.push(lookalike.unwrap_or(c));
    }
}

const INVISIBLES: [char; 6] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}',
];

fn zero_width(word: &[char], rng: &mut SplitMix64, out: &mut String) {
    let inserts = 1 + rng.below(3);
    let gaps = word.len().saturating_sub(1);
    let positions: Vec<usize> = (0..inserts).map(|_| 1 + rng.below(gaps)).collect();
    for (i, &c) in word.iter().enumerate() {
        for _ in positions.iter().filter(|&&p| p == i) {
            out.push(rng.pick(&INVISIBLES).unwrap_or('\u{200B}'));
        }
        out.push(c);
    }
}

fn repeat(word: &[char], rng: &mut SplitMix64, out: &mut String) {
    let at = rng.below(word.len());
    for (i, &c) in word.iter().enumerate() {
        out.push(c);
        if i == at {
            for _ in 0..1 + rng.below(2) {
                out.push(c);
            }
        }
    }
}

fn spacing(word: &[char], rng: &mut SplitMix64, out: &mut String) {
    let spacer = rng.pick(&[' ', '.', '-', '_', '*']).unwrap_or(' ');
    for (i, &c) in word.iter().enumerate() {
        if i > 0 {
            out.push(spacer);
        }
        out.push(c);
    }
}

fn fullwidth(c: char) -> char {
    if c.is_ascii_graphic() {
        char::from_u32(u32::from(c) - 0x21 + 0xFF01).unwrap_or(c)
    } else {
        c
    }
}

/// First capital and first small letter of each style; every style runs
/// A–Z and a–z without holes.
const MATH_STYLES: [(u32, u32); 4] = [
    (0x1D400, 0x1D41A), // mathematical bold
    (0x1D5D4, 0x1D5EE), // mathematical sans-serif bold
    (0x1D670, 0x1D68A), // mathematical monospace
    (0x24B6, 0x24D0),   // circled letters
];

fn math_letters(word: &[char], rng: &mut SplitMix64, out: &mut String) {
    let (capital, small) = rng.pick(&MATH_STYLES).unwrap_or(MATH_STYLES[0]);
    for &c in word {
        let styled = match c {
            'A'..='Z' => char::from_u32(capital + u32::from(c) - u32::from('A')),
            'a'..='z' => char::from_u32(small + u32::from(c) - u32::from('a')),
            _ => None,
        };
        out.push(styled.unwrap_or(c));
    }
}

fn random_case(word: &[char], rng: &mut SplitMix64, out: &mut String) {
    let forced = rng.below(word.len());
    for (i, &c) in word.iter().enumerate() {
        if i == forced || rng.chance(0.5) {
            if c.is_lowercase() {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            out.push(c);
        }
    }
}

fn diacritics(word: &[char], rng: &mut SplitMix64, out: &mut String) {
    let forced = rng.below(word.len());
    for (i, &c) in word.iter().enumerate() {
        out.push(c);
        if i == forced || rng.chance(0.3) {
            for _ in 0..1 + rng.below(3) {
                let mark = 0x0300 + rng.below(0x70) as u32;
                out.push(char::from_u32(mark).unwrap_or('\u{0301}'));
            }
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): tiny, fast and good enough to
/// pick words and forms; not for anything secret.
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`; 0 when `n` is 0.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.below(items.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    const SENTENCE: &str = "you are a worthless idiot and everyone hates you";

    #[test]
    fn is_deterministic_for_a_seed() {
        assert_eq!(obfuscate(SENTENCE, 1), obfuscate(SENTENCE, 1));
        let variants: std::collections::HashSet<String> =
            (0..20).map(|seed| obfuscate(SENTENCE, seed)).collect();
        assert!(variants.len() > 10);
    }

    #[test]
    fn rewrites_about_the_word_rate() {
        let model = AttackModel {
            transforms: vec![Transform::Fullwidth],
            ..AttackModel::default()
        };
        let eligible = SENTENCE.split(' ').filter(|w| w.len() >= MIN_WORD_CHARS);
        let trials = 200 * eligible.count();
        let changed: usize = (0..200)
            .map(|seed| {
                let attacked = model.apply(SENTENCE, seed);
                attacked.split(' ').filter(|w| !w.is_ascii()).count()
            })
            .sum();
        let rate = changed as f64 / trials as f64;
        assert!((0.33..0.47).contains(&rate), "rate {rate}");
    }

    #[test]
    fn each_transform_changes_the_word_and_normalisation_undoes_it() {
        for transform in Transform::ALL {
            for seed in 0..50 {
                let attacked = obfuscate_word("worthless", transform, seed);
                assert_ne!(attacked, "worthless", "{transform:?} {seed}");
                if transform.is_invertible() {
                    assert_eq!(
                        normalize(&attacked).as_str(),
                        "worthless",
                        "{transform:?} {seed}: {attacked:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn leaves_short_words_and_punctuation_alone() {
        let model = AttackModel {
            word_rate: 1.0,
            transforms: vec![Transform::Fullwidth],
        };
        assert_eq!(model.apply("a to, be!", 3), "a to, be!");
        assert_eq!(model.apply("kill, now!", 3), "ｋｉｌｌ, ｎｏｗ!");
    }

    #[test]
    fn obfuscate_all_uses_one_seed_per_item() {
        let texts = [SENTENCE, SENTENCE];
        let attacked = obfuscate_all(&texts, 9);
        assert_eq!(attacked.len(), 2);
        assert_ne!(attacked[0], attacked[1]);
        assert_eq!(attacked, obfuscate_all(&texts, 9));
    }
}
