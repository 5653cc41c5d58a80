//! What goes to human review and how: `[review]`.
//!
//! ```toml
//! [review]
//! required_reviews = 1          # independent reviews per queued item (1 to 5); default 1
//! lease_seconds = 900           # a claim lapses after this; default 900
//! prevalence_rate = 0.005       # share of allowed items sampled at random; default 0.005
//! audit_rate = 0.01             # share of restricted and blocked items audited at random; default 0.01
//! active_learning_rate = 0.05   # share of uncertain allowed items queued; default 0.05
//! active_learning_margin = 1.0  # "uncertain": within this many log-odds of a threshold; default 1
//! active_learning_per_bucket = 50  # open active-learning items per (category, language); default 50
//! reach_field = "reach"         # item meta field with the audience size; default none
//! content_retention_days = 90   # queued content is deleted this long after review; default 90
//! severity = { sexual_minors = 10.0, self_harm = 5.0 }  # priority weight per category; default 1
//! ```

use std::collections::BTreeMap;

use toml::Spanned;
use vigil_core::Category;

use crate::diagnostic::{Diagnostic, Locator};
use crate::media::in_range;
use crate::raw::RawReview;

/// How the review queue is filled and worked (`[review]`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSettings {
    /// Independent reviews an item needs before it is done (appeals need one).
    pub required_reviews: u32,
    /// How long a reviewer's claim on an item lasts before another may take it.
    pub lease_seconds: u32,
    /// Share of allowed items queued at random, whatever their scores, so
    /// that the prevalence of violating content among published items (and
    /// so recall) can be estimated without bias.
    pub prevalence_rate: f64,
    /// Share of restricted and blocked items queued at random, whatever
    /// their scores, so that the precision of automated restrictions can be
    /// estimated without bias (0 turns the audit off).
    pub audit_rate: f64,
    /// Share of allowed items with a score near a threshold that are queued
    /// for active learning.
    pub active_learning_rate: f64,
    /// An allowed item is uncertain when some category's score is within
    /// this many log-odds of one of its thresholds.
    pub active_learning_margin: f64,
    /// At most this many open active-learning items per (category,
    /// language), so the queue is not one cluster.
    pub active_learning_per_bucket: u32,
    /// The item meta field holding the audience size, which raises priority.
    pub reach_field: Option<String>,
    /// Days the queue keeps an item's content after its review is done.
    pub content_retention_days: u32,
    /// Priority weight per category; a category not listed weighs 1.
    pub severity: BTreeMap<Category, f64>,
}

impl Default for ReviewSettings {
    fn default() -> ReviewSettings {
        ReviewSettings {
            required_reviews: 1,
            lease_seconds: 900,
            prevalence_rate: 0.005,
            audit_rate: 0.01,
            active_learning_rate: 0.05,
            active_learning_margin: 1.0,
            active_learning_per_bucket: 50,
            reach_field: None,
            content_retention_days: 90,
            severity: BTreeMap::new(),
        }
    }
}

impl ReviewSettings {
    /// The priority weight of a category (1 unless `severity` says otherwise).
    pub fn severity_of(&self, category: Category) -> f64 {
        self.severity.get(&category).copied().unwrap_or(1.0)
    }
}

/// Validate `[review]`; absent keys take their defaults.
pub(crate) fn validate_review(
    loc: &Locator<'_>,
    raw: Option<RawReview>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ReviewSettings> {
    let mut s = ReviewSettings::default();
    let Some(raw) = raw else {
        return Some(s);
    };
    let before = diagnostics.len();
    if let Some(k) = int_in(
        loc,
        "[review] required_reviews",
        &raw.required_reviews,
        1,
        5,
        diagnostics,
    ) {
        s.required_reviews = k;
    }
    if let Some(l) = int_in(
        loc,
        "[review] lease_seconds",
        &raw.lease_seconds,
        10,
        86_400,
        diagnostics,
    ) {
        s.lease_seconds = l;
    }
    if let Some(r) = in_range(
        loc,
        "[review] prevalence_rate",
        &raw.prevalence_rate,
        0.0,
        1.0,
        diagnostics,
    ) {
        s.prevalence_rate = r;
    }
    if let Some(r) = in_range(
        loc,
        "[review] audit_rate",
        &raw.audit_rate,
        0.0,
        1.0,
        diagnostics,
    ) {
        s.audit_rate = r;
    }
    if let Some(r) = in_range(
        loc,
        "[review] active_learning_rate",
        &raw.active_learning_rate,
        0.0,
        1.0,
        diagnostics,
    ) {
        s.active_learning_rate = r;
    }
    if let Some(m) = in_range(
        loc,
        "[review] active_learning_margin",
        &raw.active_learning_margin,
        0.0,
        10.0,
        diagnostics,
    ) {
        s.active_learning_margin = m;
    }
    if let Some(b) = int_in(
        loc,
        "[review] active_learning_per_bucket",
        &raw.active_learning_per_bucket,
        1,
        100_000,
        diagnostics,
    ) {
        s.active_learning_per_bucket = b;
    }
    if let Some(d) = int_in(
        loc,
        "[review] content_retention_days",
        &raw.content_retention_days,
        1,
        3650,
        diagnostics,
    ) {
        s.content_retention_days = d;
    }
    if let Some(f) = raw.reach_field {
        if f.get_ref().trim().is_empty() {
            diagnostics.push(loc.error(f.span(), "[review] reach_field must name a meta field"));
        } else {
            s.reach_field = Some(f.into_inner());
        }
    }
    for (name, weight) in raw.severity {
        let category = match name.get_ref().parse::<Category>() {
            Ok(c) => c,
            Err(e) => {
                diagnostics.push(loc.error(name.span(), format!("in [review] severity: {e}")));
                continue;
            }
        };
        if let Some(w) = in_range(
            loc,
            "[review] severity",
            &Some(weight),
            0.0,
            1000.0,
            diagnostics,
        ) {
            s.severity.insert(category, w);
        }
    }
    (diagnostics.len() == before).then_some(s)
}

fn int_in(
    loc: &Locator<'_>,
    what: &str,
    raw: &Option<Spanned<i64>>,
    lo: u32,
    hi: u32,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<u32> {
    let raw = raw.as_ref()?;
    let v = *raw.get_ref();
    match u32::try_from(v) {
        Ok(u) if (lo..=hi).contains(&u) => Some(u),
        _ => {
            diagnostics.push(loc.error(
                raw.span(),
                format!("{what} must be a whole number from {lo} to {hi}; it is {v}"),
            ));
            None
        }
    }
}
