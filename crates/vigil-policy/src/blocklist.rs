//! Blocklists configured in a policy: named term lists, each tied to one
//! category, matched (by the text detectors) on normalised text.
//!
//! ```toml
//! [blocklists.scam_phrases]
//! category = "spam_scam"
//! score = 0.7                        # the signal score of a match; default 1.0
//! terms = ["claim your prize"]       # and/or
//! file = "blocklists/scam.txt"       # one term a line, `#` comments; relative to the policy file
//! ```

use std::path::Path;

use toml::Spanned;
use vigil_core::{Category, Score};

use crate::diagnostic::{Diagnostic, Locator};
use crate::raw::RawBlocklist;

/// A validated blocklist.
#[derive(Debug, Clone, PartialEq)]
pub struct BlocklistSpec {
    /// Its name in the policy.
    pub name: String,
    /// The category a match is evidence for.
    pub category: Category,
    /// The score a match gives that category.
    pub score: Score,
    /// The terms, as written (the matcher normalises them).
    pub terms: Vec<String>,
}

/// Validate one `[blocklists.NAME]` table; `base` is the policy's folder.
pub(crate) fn validate(
    loc: &Locator<'_>,
    name: &Spanned<String>,
    raw: Spanned<RawBlocklist>,
    base: Option<&Path>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<BlocklistSpec> {
    let raw = raw.into_inner();
    let before = diagnostics.len();
    let category = match raw.category.get_ref().parse::<Category>() {
        Ok(c) => Some(c),
        Err(e) => {
            diagnostics.push(loc.error(
                raw.category.span(),
                format!("in [blocklists.{}]: {e}", name.get_ref()),
            ));
            None
        }
    };
    let score = match &raw.score {
        None => Some(Score::ONE),
        Some(s) => match Score::new(*s.get_ref()) {
            Ok(v) => Some(v),
            Err(e) => {
                diagnostics.push(loc.error(s.span(), e.to_string()));
                None
            }
        },
    };
    let mut terms = Vec::new();
    if let Some(list) = &raw.terms {
        for t in list.get_ref() {
            if t.get_ref().trim().is_empty() {
                diagnostics.push(loc.error(t.span(), "a blocklist term must not be empty"));
            } else {
                terms.push(t.get_ref().clone());
            }
        }
    }
    if let Some(file) = &raw.file {
        let path = base.map_or_else(
            || Path::new(file.get_ref()).to_owned(),
            |b| b.join(file.get_ref()),
        );
        match std::fs::read_to_string(&path) {
            Ok(text) => terms.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_owned),
            ),
            Err(e) => diagnostics.push(loc.error(
                file.span(),
                format!("cannot read blocklist file {}: {e}", path.display()),
            )),
        }
    }
    if raw.terms.is_none() && raw.file.is_none() {
        diagnostics.push(loc.error(
            name.span(),
            format!(
                "blocklist `{}` has neither `terms` nor `file`",
                name.get_ref()
            ),
        ));
    } else if terms.is_empty() && diagnostics.len() == before {
        diagnostics.push(loc.error(
            name.span(),
            format!("blocklist `{}` has no terms", name.get_ref()),
        ));
    }
    if diagnostics.len() != before {
        return None;
    }
    Some(BlocklistSpec {
        name: name.get_ref().clone(),
        category: category?,
        score: score?,
        terms,
    })
}
