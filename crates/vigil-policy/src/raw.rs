//! The policy file as written: serde types that mirror the TOML, with spans
//! kept so that validation can point at the offending line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;
use vigil_core::dsa::{DecisionGround, Keyword, StatementCategory, Visibility};
use vigil_core::{Action, Thresholds};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    pub policy: RawHeader,
    #[serde(default)]
    pub dsa: Option<Spanned<RawDsa>>,
    #[serde(default)]
    pub categories: BTreeMap<Spanned<String>, Spanned<RawCategory>>,
    #[serde(default)]
    pub obligations: BTreeMap<Spanned<String>, Spanned<RawObligation>>,
    #[serde(default)]
    pub blocklists: BTreeMap<Spanned<String>, Spanned<RawBlocklist>>,
    #[serde(default)]
    pub log: Option<RawLog>,
    #[serde(default)]
    pub images: Option<RawImages>,
    #[serde(default)]
    pub video: Option<RawVideo>,
    #[serde(default)]
    pub audio: Option<RawAudio>,
    #[serde(default)]
    pub banks: BTreeMap<Spanned<String>, Spanned<RawBankUse>>,
    #[serde(default)]
    pub review: Option<RawReview>,
    #[serde(default)]
    pub notices: Option<RawNotices>,
    #[serde(default)]
    pub alerts: Option<RawAlerts>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAlerts {
    #[serde(default)]
    pub min_precision: Option<Spanned<f64>>,
    #[serde(default)]
    pub max_psi: Option<Spanned<f64>>,
    #[serde(default)]
    pub max_prevalence: Option<Spanned<f64>>,
    #[serde(default)]
    pub categories: BTreeMap<Spanned<String>, RawAlertLimits>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAlertLimits {
    #[serde(default)]
    pub min_precision: Option<Spanned<f64>>,
    #[serde(default)]
    pub max_psi: Option<Spanned<f64>>,
    #[serde(default)]
    pub max_prevalence: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNotices {
    #[serde(default)]
    pub user: Option<Spanned<String>>,
    #[serde(default)]
    pub trusted_flagger: Option<Spanned<String>>,
    #[serde(default)]
    pub authority_order: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReview {
    #[serde(default)]
    pub required_reviews: Option<Spanned<i64>>,
    #[serde(default)]
    pub lease_seconds: Option<Spanned<i64>>,
    #[serde(default)]
    pub prevalence_rate: Option<Spanned<f64>>,
    #[serde(default)]
    pub audit_rate: Option<Spanned<f64>>,
    #[serde(default)]
    pub active_learning_rate: Option<Spanned<f64>>,
    #[serde(default)]
    pub active_learning_margin: Option<Spanned<f64>>,
    #[serde(default)]
    pub active_learning_per_bucket: Option<Spanned<i64>>,
    #[serde(default)]
    pub reach_field: Option<Spanned<String>>,
    #[serde(default)]
    pub content_retention_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVideo {
    #[serde(default)]
    pub frame_distance: Option<Spanned<i64>>,
    #[serde(default)]
    pub quality_floor: Option<Spanned<i64>>,
    #[serde(default)]
    pub match_percent: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAudio {
    #[serde(default)]
    pub max_bit_error_rate: Option<Spanned<f64>>,
    #[serde(default)]
    pub min_overlap_s: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawImages {
    #[serde(default)]
    pub match_distance: Option<Spanned<i64>>,
    #[serde(default)]
    pub quality_floor: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBankUse {
    #[serde(default)]
    pub category: Option<Spanned<String>>,
    #[serde(default)]
    pub suppress: Option<Spanned<bool>>,
    #[serde(default)]
    pub score: Option<Spanned<f64>>,
    #[serde(default)]
    pub match_distance: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLog {
    #[serde(default)]
    pub store_content: bool,
    #[serde(default)]
    pub retention_days: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBlocklist {
    pub category: Spanned<String>,
    #[serde(default)]
    pub terms: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub file: Option<Spanned<String>>,
    #[serde(default)]
    pub score: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHeader {
    pub name: Spanned<String>,
    pub version: Spanned<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDsa {
    #[serde(default)]
    pub decision_ground: Option<DecisionGround>,
    #[serde(default)]
    pub restrict_visibility: Option<Visibility>,
    #[serde(default)]
    pub block_visibility: Option<Visibility>,
    #[serde(default)]
    pub terms_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCategory {
    pub description: Spanned<String>,
    pub dsa_category: StatementCategory,
    #[serde(default)]
    pub dsa_keywords: Vec<Keyword>,
    #[serde(default)]
    pub decision_ground: Option<Spanned<DecisionGround>>,
    #[serde(default)]
    pub legal_ground: Option<Spanned<String>>,
    #[serde(default)]
    pub terms_ground: Option<Spanned<String>>,
    pub thresholds: Spanned<Thresholds>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawObligation {
    #[serde(default)]
    pub action: Option<Spanned<Action>>,
    #[serde(default)]
    pub min_precision: Option<Spanned<f64>>,
    #[serde(default)]
    pub min_recall: Option<Spanned<f64>>,
    pub confidence: Spanned<f64>,
}
