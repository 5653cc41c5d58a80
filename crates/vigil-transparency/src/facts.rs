//! Figures the store cannot know (recipients, staff, out-of-court
//! disputes, what the automated means are for), from a small TOML file
//! that the report names with its digest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ReportError;

/// The facts file's content. Every field is optional: a missing one reads
/// "not provided" in the report.
///
/// ```toml
/// monthly_active_recipients = 1200000
/// automated_means_purposes = "detect hate speech and spam before publication"
/// out_of_court_disputes = 2
/// [moderation_staff]
/// de = 4
/// en = 7
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Average monthly active recipients of the service in the period.
    pub monthly_active_recipients: Option<u64>,
    /// People moderating content, per language (ISO 639-1 code).
    pub moderation_staff: Option<BTreeMap<String, u64>>,
    /// What the automated means are used for, in words.
    pub automated_means_purposes: Option<String>,
    /// Disputes submitted to out-of-court settlement bodies (Art. 21).
    pub out_of_court_disputes: Option<u64>,
    /// Suspensions imposed under Art. 23.
    pub suspensions: Option<u64>,
    /// The provider's name (Annex I, section 1).
    pub provider_name: Option<String>,
    /// The service reported on (the templates' `Service` column).
    pub service_name: Option<String>,
    /// When this report is published, `YYYY-MM-DD`.
    pub publication_date: Option<String>,
    /// When the previous report was published, `YYYY-MM-DD`.
    pub previous_publication_date: Option<String>,
    /// Content moderators employed by the provider.
    pub internal_moderators: Option<u64>,
    /// Content moderators contracted from others.
    pub external_moderators: Option<u64>,
    /// Average monthly active recipients per Member State (ISO 3166-1
    /// alpha-2: `AT`, …, `SE`).
    pub monthly_active_recipients_by_member_state: Option<BTreeMap<String, u64>>,
    /// Art. 23 suspensions for manifestly illegal content.
    pub suspensions_manifestly_illegal_content: Option<u64>,
    /// Art. 23 suspensions for manifestly unfounded notices.
    pub suspensions_manifestly_unfounded_notices: Option<u64>,
    /// Art. 23 suspensions for manifestly unfounded complaints.
    pub suspensions_manifestly_unfounded_complaints: Option<u64>,
}

/// Facts read from a file, with where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactsSource {
    /// The file as given.
    pub path: PathBuf,
    /// `sha256:` of its bytes.
    pub sha256: String,
    /// What it says.
    pub facts: Facts,
}

impl FactsSource {
    /// Reads and checks the facts file at `path`.
    pub fn load(path: &Path) -> Result<FactsSource, ReportError> {
        let bytes = std::fs::read(path).map_err(|source| ReportError::Io {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|_| ReportError::Facts {
            path: path.to_owned(),
            reason: "not UTF-8".to_owned(),
        })?;
        let facts: Facts = toml::from_str(&text).map_err(|e| ReportError::Facts {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let date = time::macros::format_description!("[year]-[month]-[day]");
        for (key, value) in [
            ("publication_date", &facts.publication_date),
            (
                "previous_publication_date",
                &facts.previous_publication_date,
            ),
        ] {
            if let Some(v) = value {
                time::Date::parse(v, &date).map_err(|_| ReportError::Facts {
                    path: path.to_owned(),
                    reason: format!("{key} = `{v}` is not a date written YYYY-MM-DD"),
                })?;
            }
        }
        Ok(FactsSource {
            path: path.to_owned(),
            sha256: format!("sha256:{}", hex::encode(Sha256::digest(&bytes))),
            facts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_load_with_digest_and_refuse_unknown_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("facts.toml");
        std::fs::write(
            &path,
            "monthly_active_recipients = 5\n[moderation_staff]\nde = 2\n",
        )
        .unwrap();
        let loaded = FactsSource::load(&path).unwrap();
        assert_eq!(loaded.facts.monthly_active_recipients, Some(5));
        assert_eq!(loaded.facts.moderation_staff.unwrap()["de"], 2);
        assert!(loaded.sha256.starts_with("sha256:") && loaded.sha256.len() == 71);
        std::fs::write(&path, "monthly_recipients = 5\n").unwrap();
        let err = FactsSource::load(&path).unwrap_err();
        assert!(err.to_string().contains("monthly_recipients"), "{err}");
        assert!(FactsSource::load(&dir.path().join("missing.toml")).is_err());
        std::fs::write(&path, "publication_date = \"2027-02-30\"\n").unwrap();
        let err = FactsSource::load(&path).unwrap_err();
        assert!(err.to_string().contains("publication_date"), "{err}");
    }
}
