//! Rewriting thresholds in a policy file, keeping its comments and layout,
//! so that `vigil calibrate` can propose a policy a person reviews as a diff.

use toml_edit::{value, DocumentMut, Item};
use vigil_core::{Action, Category};

use crate::{Checked, Policy, PolicyErrors};

/// One threshold to set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdChange {
    /// The category.
    pub category: Category,
    /// The action (`review`, `restrict` or `block`).
    pub action: Action,
    /// The new threshold.
    pub threshold: f64,
}

/// Why thresholds could not be rewritten.
#[derive(Debug, thiserror::Error)]
pub enum RewriteError {
    /// The policy text is not TOML.
    #[error("the policy is not valid TOML: {0}")]
    Parse(#[from] toml_edit::TomlError),
    /// A change names a category or action the file has no threshold table for.
    #[error("the policy has no [categories.{category}] thresholds to set `{action}` in")]
    Missing {
        /// The category.
        category: Category,
        /// The action.
        action: Action,
    },
    /// The rewritten policy does not validate (for example thresholds out of order).
    #[error("the rewritten policy is invalid:\n{0}")]
    Invalid(PolicyErrors),
}

/// Set thresholds in policy TOML, keeping everything else as written, and
/// check that the result is still a valid policy.
pub fn rewrite_thresholds(
    text: &str,
    file: &str,
    changes: &[ThresholdChange],
) -> Result<(String, Checked), RewriteError> {
    let mut doc: DocumentMut = text.parse()?;
    for c in changes {
        let missing = || RewriteError::Missing {
            category: c.category,
            action: c.action,
        };
        let thresholds = doc
            .get_mut("categories")
            .and_then(|t| t.get_mut(c.category.as_str()))
            .and_then(|t| t.get_mut("thresholds"))
            .ok_or_else(missing)?;
        // Four decimals: what a person can read in a diff.
        let rounded = (c.threshold * 1e4).round() / 1e4;
        match thresholds {
            Item::Value(v) => {
                let table = v.as_inline_table_mut().ok_or_else(missing)?;
                table.insert(c.action.as_str(), rounded.into());
            }
            Item::Table(t) => {
                t.insert(c.action.as_str(), value(rounded));
            }
            _ => return Err(missing()),
        }
    }
    let out = doc.to_string();
    let checked = Policy::from_toml(&out, file).map_err(RewriteError::Invalid)?;
    Ok((out, checked))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"# keep this comment
[policy]
name = "p"
version = "1"

[categories.hate]
description = "Hate."
dsa_category = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
terms_ground = "Terms"
thresholds = { review = 0.4, block = 0.9 }  # tuned by hand
"#;

    #[test]
    fn thresholds_change_and_comments_stay() {
        let (text, checked) = rewrite_thresholds(
            POLICY,
            "p.toml",
            &[ThresholdChange {
                category: Category::Hate,
                action: Action::Block,
                threshold: 0.876_543,
            }],
        )
        .expect("rewrites");
        assert!(
            text.contains("# keep this comment") && text.contains("# tuned by hand"),
            "{text}"
        );
        assert!(text.contains("block = 0.8765"), "{text}");
        let t = checked.policy.thresholds(Category::Hate);
        assert!((f64::from(t.block.expect("block set").get()) - 0.8765).abs() < 1e-6);
    }

    #[test]
    fn an_out_of_order_result_is_refused() {
        let err = rewrite_thresholds(
            POLICY,
            "p.toml",
            &[ThresholdChange {
                category: Category::Hate,
                action: Action::Block,
                threshold: 0.2,
            }],
        )
        .expect_err("block below review");
        assert!(err.to_string().contains("out of order"), "{err}");
    }

    #[test]
    fn a_missing_category_is_named() {
        let err = rewrite_thresholds(
            POLICY,
            "p.toml",
            &[ThresholdChange {
                category: Category::Sexual,
                action: Action::Block,
                threshold: 0.5,
            }],
        )
        .expect_err("no sexual table");
        assert!(err.to_string().contains("[categories.sexual]"), "{err}");
    }
}
