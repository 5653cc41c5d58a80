//! Image matching against hash banks: the `[images]` settings and which
//! banks apply, and how (`[banks.NAME]`).
//!
//! ```toml
//! [images]
//! match_distance = 31    # a bank hash within this Hamming distance matches; default 31
//! quality_floor = 50     # an image hash below this PDQ quality is not matched; default 50
//!
//! [banks.known_terror]   # a positive bank: a match signals the category
//! category = "violence_graphic"
//! score = 1.0            # default 1.0
//!
//! [banks.benign_memes]   # a negative bank: a match suppresses positive matches
//! suppress = true
//! match_distance = 20    # overrides [images] for this bank
//! ```
//!
//! Whether a bank is positive or negative is recorded with the bank in the
//! store; the policy says what a match in it means. The policy is checked
//! without the store, so a bank the store lacks is found when the engine
//! loads the policy, not here.

use toml::Spanned;
use vigil_core::{Category, Score};

use crate::diagnostic::{Diagnostic, Locator, Severity};
use crate::raw::{RawBankUse, RawImages};

/// The most bits two PDQ hashes can differ in.
pub const MAX_MATCH_DISTANCE: u32 = 256;

/// The highest PDQ quality.
pub const MAX_QUALITY: u8 = 100;

/// The longest bank name, as the store allows it.
const MAX_BANK_NAME_CHARS: usize = 64;

/// How image hashes are matched (`[images]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageSettings {
    /// A bank hash within this many bits (Hamming distance, 0 to 256) of an
    /// image's hash matches it. Default 31, the threshold Meta publishes
    /// for PDQ.
    pub match_distance: u32,
    /// An image hash whose PDQ quality (0 to 100) is below this is not
    /// matched, because a flat or tiny image hashes close to many others;
    /// the decision reports it instead. Default 50.
    pub quality_floor: u8,
}

impl Default for ImageSettings {
    fn default() -> ImageSettings {
        ImageSettings {
            match_distance: 31,
            quality_floor: 50,
        }
    }
}

/// How one hash bank is used (`[banks.NAME]`): a positive bank signals a
/// category; a negative bank suppresses.
#[derive(Debug, Clone, PartialEq)]
pub struct BankUse {
    /// The bank's name in the store.
    pub name: String,
    /// The category a match signals; set exactly when `suppress` is not.
    pub category: Option<Category>,
    /// A match here suppresses positive matches within match distance of
    /// the same image (a negative bank).
    pub suppress: bool,
    /// The score of the signal a match gives (positive banks; 1.0 unless set).
    pub score: Score,
    /// This bank's own match distance, overriding [`ImageSettings::match_distance`].
    pub match_distance: Option<u32>,
}

impl BankUse {
    /// The match distance that applies to this bank under `images`.
    pub fn distance(&self, images: &ImageSettings) -> u32 {
        self.match_distance.unwrap_or(images.match_distance)
    }
}

/// Validate `[images]`; absent keys take their defaults.
pub(crate) fn validate_images(
    loc: &Locator<'_>,
    raw: Option<RawImages>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ImageSettings> {
    let mut settings = ImageSettings::default();
    let Some(raw) = raw else {
        return Some(settings);
    };
    let before = diagnostics.len();
    if let Some(d) = &raw.match_distance {
        if let Some(d) = distance(loc, "[images] match_distance", d, diagnostics) {
            settings.match_distance = d;
        }
    }
    if let Some(q) = &raw.quality_floor {
        if let Some(q) = quality(loc, "[images] quality_floor", q, diagnostics) {
            settings.quality_floor = q;
        }
    }
    (diagnostics.len() == before).then_some(settings)
}

/// A PDQ quality from 0 to [`MAX_QUALITY`], or an error at its place.
pub(crate) fn quality(
    loc: &Locator<'_>,
    what: &str,
    raw: &Spanned<i64>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<u8> {
    match u8::try_from(*raw.get_ref()) {
        Ok(v) if v <= MAX_QUALITY => Some(v),
        _ => {
            diagnostics.push(loc.error(
                raw.span(),
                format!(
                    "{what} must be a PDQ quality from 0 to {MAX_QUALITY}; it is {}",
                    raw.get_ref()
                ),
            ));
            None
        }
    }
}

/// Validate one `[banks.NAME]` table; `acted_on` are the categories the
/// policy has a table for (a bank signalling another is a warning).
pub(crate) fn validate_bank(
    loc: &Locator<'_>,
    name: &Spanned<String>,
    raw: Spanned<RawBankUse>,
    acted_on: &[Category],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<BankUse> {
    let raw = raw.into_inner();
    let before = diagnostics.len();
    let bank = name.get_ref();
    if let Some(reason) = bad_bank_name(bank) {
        diagnostics.push(loc.error(
            name.span(),
            format!("`{bank}` is not a bank name: {reason}"),
        ));
    }
    let category = raw
        .category
        .as_ref()
        .and_then(|c| match c.get_ref().parse::<Category>() {
            Ok(c) => Some(c),
            Err(e) => {
                diagnostics.push(loc.error(c.span(), format!("in [banks.{bank}]: {e}")));
                None
            }
        });
    if let (Some(c), Some(span)) = (category, &raw.category) {
        if !acted_on.contains(&c) {
            diagnostics.push(loc.warning(
                span.span(),
                format!(
                    "bank `{bank}` signals `{c}`, but the policy has no [categories.{c}], \
                     so its matches are never acted on"
                ),
            ));
        }
    }
    let suppress = raw.suppress.as_ref().is_some_and(|s| *s.get_ref());
    match (&raw.category, &raw.suppress) {
        (None, _) if !suppress => diagnostics.push(loc.error(
            name.span(),
            format!(
                "bank `{bank}` sets neither `category` (the category a match in a positive bank \
                 signals) nor `suppress = true` (a negative bank)"
            ),
        )),
        (Some(_), Some(s)) if suppress => diagnostics.push(loc.error(
            s.span(),
            format!(
                "bank `{bank}` sets both `category` and `suppress = true`; a positive bank \
                 signals a category, a negative bank suppresses: keep one"
            ),
        )),
        _ => {}
    }
    let score = match &raw.score {
        None => Score::ONE,
        Some(s) if suppress => {
            diagnostics.push(loc.error(
                s.span(),
                format!(
                    "bank `{bank}` suppresses, so it gives no signal and `score` means nothing; \
                     remove it"
                ),
            ));
            Score::ONE
        }
        Some(s) => Score::new(*s.get_ref()).unwrap_or_else(|e| {
            diagnostics.push(loc.error(s.span(), format!("in [banks.{bank}]: {e}")));
            Score::ONE
        }),
    };
    let match_distance = raw.match_distance.as_ref().and_then(|d| {
        distance(
            loc,
            &format!("[banks.{bank}] match_distance"),
            d,
            diagnostics,
        )
    });
    let errors = diagnostics[before..]
        .iter()
        .any(|d| d.severity == Severity::Error);
    (!errors).then(|| BankUse {
        name: bank.clone(),
        category,
        suppress,
        score,
        match_distance,
    })
}

/// A match distance from 0 to [`MAX_MATCH_DISTANCE`], or an error at its place.
pub(crate) fn distance(
    loc: &Locator<'_>,
    what: &str,
    raw: &Spanned<i64>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<u32> {
    match u32::try_from(*raw.get_ref()) {
        Ok(d) if d <= MAX_MATCH_DISTANCE => Some(d),
        _ => {
            diagnostics.push(loc.error(
                raw.span(),
                format!(
                    "{what} must be a number of bits from 0 to {MAX_MATCH_DISTANCE}; it is {}",
                    raw.get_ref()
                ),
            ));
            None
        }
    }
}

/// Why `name` cannot name a bank in the store (1 to 64 of `a-z`, `0-9`,
/// `_` and `-`), if it cannot.
fn bad_bank_name(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".to_owned());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
    {
        return Some(format!("it may hold only a-z, 0-9, `_` and `-`, not `{c}`"));
    }
    (name.len() > MAX_BANK_NAME_CHARS).then(|| {
        format!(
            "it is {} characters long; the most is {MAX_BANK_NAME_CHARS}",
            name.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bank_distance_overrides_the_global_one() {
        let images = ImageSettings::default();
        let mut bank = BankUse {
            name: "b".into(),
            category: Some(Category::Hate),
            suppress: false,
            score: Score::ONE,
            match_distance: None,
        };
        assert_eq!(bank.distance(&images), 31);
        bank.match_distance = Some(40);
        assert_eq!(bank.distance(&images), 40);
    }

    #[test]
    fn bank_names_follow_the_store() {
        assert_eq!(bad_bank_name("known_terror-2"), None);
        assert!(bad_bank_name("Known").is_some_and(|r| r.contains("`K`")));
        assert!(bad_bank_name(&"x".repeat(65)).is_some());
        assert_eq!(bad_bank_name(&"x".repeat(64)), None);
    }
}
