//! Hashed n-gram features: word 1–2-grams and character 2–5-grams of the
//! normalised text, hashed into a fixed number of buckets.
//!
//! Each n-gram occurrence becomes one `(bucket, value)` entry; repeated
//! n-grams are not merged. Within each block (words, characters) every entry
//! has the value `block_weight / sqrt(entries in the block)`, so each block has
//! the same total weight whatever the text's length. Not merging duplicates
//! keeps extraction sort-free and allocation-free; training and scoring see
//! the same encoding, so nothing is lost but a little fidelity on texts that
//! repeat themselves.
//!
//! A block with fewer entries than its floor (`FeatureConfig::norm_floor`) is
//! scaled as if it had the floor's number: without a floor a three-word text's
//! few n-grams each weigh about three times what they weigh in a twenty-word
//! sentence, so the one n-gram a short text shares with the positives (say
//! "you") decides its score alone (BENCHMARKS.md, short everyday texts).

use serde::{Deserialize, Serialize};

/// How texts become features. Stored in every model manifest: a model must be
/// scored with the configuration it was trained with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureConfig {
    /// log2 of the number of hash buckets.
    pub buckets_log2: u8,
    /// Smallest and largest word n-gram.
    pub word_ngrams: (u8, u8),
    /// Smallest and largest character n-gram.
    pub char_ngrams: (u8, u8),
    /// Weight of the word block relative to the character block.
    pub word_weight: f32,
    /// Smallest entry counts the word and the character block are normalised
    /// by: a block with fewer entries gets the value `weight / sqrt(floor)`,
    /// so its norm is below its weight. Manifests written before the field
    /// existed read as `(1, 1)`, the unfloored scaling they were trained with.
    #[serde(default = "FeatureConfig::no_norm_floor")]
    pub norm_floor: (u16, u16),
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            buckets_log2: 18,
            word_ngrams: (1, 2),
            char_ngrams: (2, 5),
            word_weight: 1.0,
            norm_floor: (16, 128),
        }
    }
}

impl FeatureConfig {
    /// The floor of models trained before floors existed: none.
    fn no_norm_floor() -> (u16, u16) {
        (1, 1)
    }

    /// The number of buckets.
    pub fn buckets(&self) -> usize {
        1usize << self.buckets_log2
    }

    /// Whether the configuration can be used.
    pub fn validate(&self) -> Result<(), String> {
        let ok_range = |(lo, hi): (u8, u8)| lo >= 1 && lo <= hi && hi <= 8;
        if !(10..=24).contains(&self.buckets_log2) {
            return Err(format!(
                "buckets_log2 {} is outside 10..=24",
                self.buckets_log2
            ));
        }
        if !ok_range(self.word_ngrams) || !ok_range(self.char_ngrams) {
            return Err("n-gram ranges must satisfy 1 <= min <= max <= 8".to_owned());
        }
        if !(self.word_weight.is_finite() && self.word_weight >= 0.0) {
            return Err("word_weight must be a finite non-negative number".to_owned());
        }
        Ok(())
    }
}

/// A sparse feature vector: parallel bucket indices and values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    /// Bucket of each entry; may repeat.
    pub idx: Vec<u32>,
    /// Value of each entry.
    pub val: Vec<f32>,
}

impl SparseVec {
    /// Remove every entry, keeping the capacity.
    pub fn clear(&mut self) {
        self.idx.clear();
        self.val.clear();
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.idx.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.idx.is_empty()
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Seeds that keep word and character n-grams of the same bytes apart.
const WORD_SEED: u64 = 0x9e37_79b9_7f4a_7c15;
const CHAR_SEED: u64 = 0xc2b2_ae3d_27d4_eb4f;

#[inline]
fn fnv_step(h: u64, byte: u8) -> u64 {
    (h ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
}

/// Final avalanche so that the low bits used as the bucket depend on every byte.
#[inline]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Extracts features from normalised text, reusing its buffers.
#[derive(Debug, Clone)]
pub struct Featurizer {
    config: FeatureConfig,
    mask: u64,
    /// Byte offsets of character starts in the padded text (reused).
    char_starts: Vec<usize>,
    /// Hash of each word (reused).
    word_hashes: Vec<u64>,
    padded: String,
}

impl Featurizer {
    /// A featurizer for a validated configuration.
    pub fn new(config: FeatureConfig) -> Featurizer {
        Featurizer {
            mask: (config.buckets() as u64) - 1,
            config,
            char_starts: Vec::new(),
            word_hashes: Vec::new(),
            padded: String::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// Append the features of `normalized` (already normalised text) to `out`
    /// after clearing it.
    pub fn extract(&mut self, normalized: &str, out: &mut SparseVec) {
        out.clear();
        self.words(normalized, out);
        self.chars(normalized, out);
    }

    fn words(&mut self, text: &str, out: &mut SparseVec) {
        self.word_hashes.clear();
        for word in text
            .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '*'))
            .filter(|w| !w.is_empty())
        {
            let h = word.bytes().fold(FNV_OFFSET ^ WORD_SEED, fnv_step);
            self.word_hashes.push(h);
        }
        let (lo, hi) = self.config.word_ngrams;
        let start = out.len();
        for i in 0..self.word_hashes.len() {
            let mut h = 0u64;
            for n in 1..=usize::from(hi) {
                let Some(&w) = self.word_hashes.get(i + n - 1) else {
                    break;
                };
                // Combine word hashes order-dependently.
                h = h.rotate_left(17).wrapping_mul(FNV_PRIME) ^ w;
                if n >= usize::from(lo) {
                    out.idx.push((finish(h ^ n as u64) & self.mask) as u32);
                }
            }
        }
        scale_block(
            out,
            start,
            self.config.word_weight,
            self.config.norm_floor.0,
        );
    }

    fn chars(&mut self, text: &str, out: &mut SparseVec) {
        // Pad with spaces so that word starts and ends form their own n-grams.
        self.padded.clear();
        self.padded.push(' ');
        self.padded.push_str(text);
        self.padded.push(' ');
        self.char_starts.clear();
        self.char_starts
            .extend(self.padded.char_indices().map(|(i, _)| i));
        self.char_starts.push(self.padded.len());
        let bytes = self.padded.as_bytes();
        let (lo, hi) = (
            usize::from(self.config.char_ngrams.0),
            usize::from(self.config.char_ngrams.1),
        );
        let n_chars = self.char_starts.len() - 1;
        let start = out.len();
        // One pass per start position, extending the hash a character at a
        // time and emitting at each length in range: every byte is hashed at
        // most `hi` times and nothing is allocated.
        for i in 0..n_chars {
            let mut h = FNV_OFFSET ^ CHAR_SEED;
            for n in 1..=hi {
                if i + n > n_chars {
                    break;
                }
                for &b in &bytes[self.char_starts[i + n - 1]..self.char_starts[i + n]] {
                    h = fnv_step(h, b);
                }
                if n >= lo {
                    out.idx
                        .push((finish(h ^ (n as u64) << 56) & self.mask) as u32);
                }
            }
        }
        scale_block(out, start, 1.0, self.config.norm_floor.1);
    }
}

/// Give the entries from `start` on the value `weight / sqrt(max(count, floor))`.
fn scale_block(out: &mut SparseVec, start: usize, weight: f32, floor: u16) {
    let count = out.idx.len() - start;
    if count == 0 {
        return;
    }
    let v = weight / (count.max(usize::from(floor)) as f32).sqrt();
    out.val.resize(out.idx.len(), v);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Features without floors, so that every block has unit norm.
    fn features(text: &str) -> SparseVec {
        let mut f = Featurizer::new(FeatureConfig {
            norm_floor: (1, 1),
            ..FeatureConfig::default()
        });
        let mut out = SparseVec::default();
        f.extract(text, &mut out);
        out
    }

    #[test]
    fn counts_follow_the_ngram_ranges() {
        // "ab cd": words ab, cd, "ab cd" = 3; padded " ab cd " has 7 chars:
        // 2-grams 6, 3-grams 5, 4-grams 4, 5-grams 3 = 18.
        let v = features("ab cd");
        assert_eq!(v.len(), 3 + 18);
        assert_eq!(v.idx.len(), v.val.len());
    }

    #[test]
    fn each_block_has_unit_weight() {
        let v = features("hello there world");
        let words = 3 + 2;
        let word_sq: f32 = v.val[..words].iter().map(|x| x * x).sum();
        let char_sq: f32 = v.val[words..].iter().map(|x| x * x).sum();
        assert!((word_sq - 1.0).abs() < 1e-5, "{word_sq}");
        assert!((char_sq - 1.0).abs() < 1e-5, "{char_sq}");
    }

    #[test]
    fn a_block_under_its_floor_keeps_the_floor_value() {
        let cfg = FeatureConfig {
            norm_floor: (16, 128),
            ..FeatureConfig::default()
        };
        let mut f = Featurizer::new(cfg);
        let mut short = SparseVec::default();
        // 3 words: 3 + 2 word entries; 14 padded chars: 13 + 12 + 11 + 10 = 46.
        f.extract("see you soon", &mut short);
        assert_eq!(short.len(), 5 + 46);
        assert!((short.val[0] - 0.25).abs() < 1e-6, "1/sqrt(16)");
        assert!((short.val[5] - 1.0 / 128f32.sqrt()).abs() < 1e-6);
        // Over both floors a block keeps unit norm.
        let long = "a sentence that is comfortably longer than both floors of the blocks";
        let mut v = SparseVec::default();
        f.extract(long, &mut v);
        let words = 2 * 12 - 1;
        let word_sq: f32 = v.val[..words].iter().map(|x| x * x).sum();
        let char_sq: f32 = v.val[words..].iter().map(|x| x * x).sum();
        assert!((word_sq - 1.0).abs() < 1e-4 && (char_sq - 1.0).abs() < 1e-4);
    }

    #[test]
    fn manifests_without_a_floor_read_as_unfloored() {
        let old = r#"buckets_log2 = 18
word_ngrams = [1, 2]
char_ngrams = [2, 5]
word_weight = 1.0
"#;
        let cfg: FeatureConfig = toml::from_str(old).expect("an old manifest's features parse");
        assert_eq!(cfg.norm_floor, (1, 1));
    }

    #[test]
    fn extraction_is_deterministic_and_buckets_are_in_range() {
        let a = features("the same text");
        let b = features("the same text");
        assert_eq!(a, b);
        assert!(a
            .idx
            .iter()
            .all(|&i| (i as usize) < FeatureConfig::default().buckets()));
        assert_ne!(features("kill").idx, features("skill").idx);
    }

    #[test]
    fn empty_and_non_ascii_text_work() {
        assert_eq!(
            features("").len(),
            1,
            "the padded empty text has one 2-gram"
        );
        let v = features("naïve café 東京");
        assert!(!v.is_empty());
    }

    #[test]
    fn configurations_are_checked() {
        assert!(FeatureConfig::default().validate().is_ok());
        let bad = FeatureConfig {
            buckets_log2: 40,
            ..FeatureConfig::default()
        };
        assert!(bad.validate().is_err());
        let bad = FeatureConfig {
            char_ngrams: (5, 2),
            ..FeatureConfig::default()
        };
        assert!(bad.validate().is_err());
    }
}
