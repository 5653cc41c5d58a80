//! Blocklists: term lists matched as whole words over normalised text, with Aho–Corasick.
//!
//! Terms go through the same [`normalize`] as the text, so one
//! entry `kill` finds `KILL`, `k.i.l.l`, `ki11`, `kіll` (Cyrillic `і`) and
//! `k\u{200B}ill`, while `skill` and `killer` are not matches: a match must
//! start and end at a word boundary (a character that is not alphanumeric, or
//! either end of the text). Matches are reported leftmost-longest and do not
//! overlap; spans are char ranges of the *original* text, ready to be shown
//! as evidence.
//!
//! ```
//! use vigil_text::blocklist::Blocklist;
//! use vigil_text::normalize::normalize;
//!
//! let list = Blocklist::new(["kill", "kill you"]).unwrap();
//! let text = normalize("I will K.I.L.L y0u, skill issue");
//! let found = list.find(&text);
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].term, 1);
//! assert_eq!((found[0].original_start, found[0].original_end), (7, 18));
//! ```

use aho_corasick::{AhoCorasick, MatchKind};

use crate::normalize::{normalize, Normalized, Normalizer};

/// A compiled term list; build once (per policy), share between threads.
#[derive(Clone, Debug)]
pub struct Blocklist {
    automaton: AhoCorasick,
    terms: usize,
}

/// One blocklist term found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlocklistMatch {
    /// Index of the term in the list given to [`Blocklist::new`].
    pub term: usize,
    /// First char of the match in the original text.
    pub original_start: usize,
    /// One past the last char of the match in the original text.
    pub original_end: usize,
}

/// Why a blocklist could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BlocklistError {
    /// A term is empty, or holds only characters that normalisation removes.
    #[error("blocklist term {index} ({term:?}) is empty after normalisation")]
    EmptyTerm {
        /// Index of the term in the list.
        index: usize,
        /// The term as given.
        term: String,
    },
    /// The automaton exceeded the matcher's size limits.
    #[error("cannot build the blocklist automaton: {0}")]
    Build(#[from] aho_corasick::BuildError),
}

impl Blocklist {
    /// Normalises and compiles `terms`. Duplicates (before or after
    /// normalisation) are allowed; a match reports the first of them.
    pub fn new(terms: impl IntoIterator<Item = impl AsRef<str>>) -> Result<Self, BlocklistError> {
        let mut normalizer = Normalizer::new();
        let mut normalized = Normalized::default();
        let mut patterns = Vec::new();
        for (index, term) in terms.into_iter().enumerate() {
            let term = term.as_ref();
            normalizer.normalize_into(term, &mut normalized);
            if normalized.as_str().is_empty() {
                return Err(BlocklistError::EmptyTerm {
                    index,
                    term: term.to_owned(),
                });
            }
            patterns.push(normalized.as_str().to_owned());
        }
        // Standard semantics with overlapping search: a longer term that
        // fails the word-boundary test must not hide a shorter one that
        // passes it ("kill you" in "kill youth" still finds "kill"), so
        // leftmost-longest is applied after the boundary filter, not by the
        // automaton.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)?;
        Ok(Self {
            automaton,
            terms: patterns.len(),
        })
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms
    }

    /// Whether the list has no terms (and so never matches).
    pub fn is_empty(&self) -> bool {
        self.terms == 0
    }

    /// Whole-word, leftmost-longest, non-overlapping matches in `text`, in
    /// order of position.
    pub fn find(&self, text: &Normalized) -> Vec<BlocklistMatch> {
        let haystack = text.as_str();
        let mut candidates: Vec<(usize, usize, usize)> = self
            .automaton
            .find_overlapping_iter(haystack)
            .filter(|m| is_whole_word(haystack, m.start(), m.end()))
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        candidates.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut found = Vec::new();
        let mut covered = 0;
        let mut cursor = CharCursor::new(haystack);
        for (start, end, term) in candidates {
            if start < covered {
                continue;
            }
            covered = end;
            let start = cursor.char_index(start);
            let end = cursor.char_index(end);
            let (original_start, original_end) = text.original_span(start, end);
            found.push(BlocklistMatch {
                term,
                original_start,
                original_end,
            });
        }
        found
    }

    /// Normalises `text` and finds the terms in it; see [`Blocklist::find`].
    pub fn find_in(&self, text: &str) -> Vec<BlocklistMatch> {
        self.find(&normalize(text))
    }
}

/// No alphanumeric character touches the byte range `[start, end)`.
fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Converts byte offsets of a text to char indices, walking forward from the
/// previous offset, so the non-overlapping matches of one text (whose offsets
/// only grow) cost one pass over it in all.
struct CharCursor<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCursor<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The char index of `byte`, a char boundary of the text.
    fn char_index(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            (self.byte, self.chars) = (0, 0);
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(list: &Blocklist, text: &str) -> Vec<(usize, usize, usize)> {
        list.find_in(text)
            .into_iter()
            .map(|m| (m.term, m.original_start, m.original_end))
            .collect()
    }

    #[test]
    fn finds_obfuscated_occurrences() {
        let list = Blocklist::new(["kill"]).expect("defined for this input");
        for text in [
            "kill",
            "KILL",
            "k.i.l.l",
            "k i l l",
            "ki11",
            "k1ll",
            "k\u{0456}ll",
            "k\u{200B}i\u{200D}ll",
            "ｋｉｌｌ",
            "ḱïll",
            "killllll",
        ] {
            assert_eq!(list.find_in(text).len(), 1, "{text:?}");
        }
    }

    #[test]
    fn ignores_terms_inside_other_words() {
        let list = Blocklist::new(["kill", "ass"]).expect("defined for this input");
        for text in ["skill", "killer", "skillful", "class", "assassin", "passes"] {
            assert!(list.find_in(text).is_empty(), "{text:?}");
        }
        assert_eq!(spans(&list, "kill_ass"), vec![(0, 0, 4), (1, 5, 8)]);
    }

    #[test]
    fn spans_point_at_the_original_characters() {
        let list = Blocklist::new(["kill", "idiot"]).expect("defined for this input");
        assert_eq!(
            spans(&list, "you  1D10T, I will k.i.l.l you"),
            vec![(1, 5, 10), (0, 19, 26)]
        );
        // Non-ASCII before the match: char indices, not bytes.
        assert_eq!(spans(&list, "日本 ｋ\u{200B}ｉｌｌ"), vec![(0, 3, 8)]);
    }

    #[test]
    fn prefers_the_longest_whole_word_match() {
        let list = Blocklist::new(["kill", "kill you", "you"]).expect("defined for this input");
        assert_eq!(spans(&list, "i kill you"), vec![(1, 2, 10)]);
        assert_eq!(spans(&list, "i kill youth"), vec![(0, 2, 6)]);
        assert_eq!(spans(&list, "kill kill"), vec![(0, 0, 4), (0, 5, 9)]);
    }

    #[test]
    fn duplicate_terms_report_the_first() {
        let list = Blocklist::new(["KILL", "k1ll"]).expect("defined for this input");
        assert_eq!(spans(&list, "kill"), vec![(0, 0, 4)]);
    }

    #[test]
    fn empty_terms_are_refused_with_their_index() {
        let err = Blocklist::new(["kill", "  ", "x"]).unwrap_err();
        assert!(matches!(err, BlocklistError::EmptyTerm { index: 1, .. }));
        let err = Blocklist::new(["\u{200B}"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "blocklist term 0 (\"\\u{200b}\") is empty after normalisation"
        );
    }

    #[test]
    fn an_empty_list_matches_nothing() {
        let list = Blocklist::new(Vec::<String>::new()).expect("defined for this input");
        assert!(list.is_empty());
        assert!(list.find_in("anything at all").is_empty());
    }
}

/// The blocklists of a policy, ready to match: each match becomes a
/// [`vigil_core::Signal`] for the list's category with a span of the
/// original text as evidence.
#[derive(Debug)]
pub struct PolicyBlocklists {
    lists: Vec<(vigil_policy::BlocklistSpec, Blocklist)>,
}

impl PolicyBlocklists {
    /// Compile every blocklist of a policy.
    pub fn new(specs: &[vigil_policy::BlocklistSpec]) -> Result<PolicyBlocklists, BlocklistError> {
        let lists = specs
            .iter()
            .map(|s| Blocklist::new(&s.terms).map(|b| (s.clone(), b)))
            .collect::<Result<_, _>>()?;
        Ok(PolicyBlocklists { lists })
    }

    /// Signals for every whole-word match in `text` (already normalised as
    /// `normalized`, which maps spans back to the original).
    pub fn detect(&self, normalized: &Normalized) -> Vec<vigil_core::Signal> {
        use vigil_core::{Evidence, Location, Modality, Signal};
        let mut out = Vec::new();
        for (spec, list) in &self.lists {
            for m in list.find(normalized) {
                let term = spec.terms.get(m.term).map_or("", String::as_str);
                out.push(Signal {
                    category: spec.category,
                    score: spec.score,
                    evidence: Evidence::new(Modality::Text, format!("blocklist:{}", spec.name))
                        .at(Location::Span {
                            start: m.original_start,
                            end: m.original_end,
                        })
                        .detail(format!("matched `{term}`")),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;
    use vigil_core::{Category, Location};

    #[test]
    fn policy_blocklists_give_located_signals_through_obfuscation() {
        let policy = vigil_policy::Policy::from_toml(
            r#"
[policy]
name = "t"
version = "1"

[blocklists.scam]
category = "spam_scam"
score = 0.7
terms = ["claim your prize"]
"#,
            "t.toml",
        )
        .expect("valid policy")
        .policy;
        let lists = PolicyBlocklists::new(&policy.blocklists).expect("compiles");
        let text = "Hi! Cl4im y0ur PRIZE now";
        let signals = lists.detect(&crate::normalize::normalize(text));
        assert_eq!(signals.len(), 1, "{signals:?}");
        let s = &signals[0];
        assert_eq!(s.category, Category::SpamScam);
        assert!((s.score.get() - 0.7).abs() < 1e-6);
        assert_eq!(s.evidence.detector, "blocklist:scam");
        let Some(Location::Span { start, end }) = s.evidence.location else {
            panic!("a span: {:?}", s.evidence.location)
        };
        let original: String = text.chars().skip(start).take(end - start).collect();
        assert_eq!(original, "Cl4im y0ur PRIZE");
        assert!(lists
            .detect(&crate::normalize::normalize("no scams here"))
            .is_empty());
    }
}
