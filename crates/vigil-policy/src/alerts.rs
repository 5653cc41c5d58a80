//! Alert thresholds on the online report's figures: `[alerts]`
//! (docs/online-report.md).
//!
//! ```toml
//! [alerts]
//! min_precision = 0.8      # restriction precision (reviews and appeals) below this alerts
//! max_psi = 0.25           # score drift against the reference window above this alerts
//! max_prevalence = 0.02    # violating share among allowed items above this alerts
//!
//! [alerts.categories.hate] # one category's own limits; unset keys take the ones above
//! min_precision = 0.9
//! ```
//!
//! Every key is optional; a limit that is not set is not checked.

use std::collections::BTreeMap;

use vigil_core::Category;

use crate::diagnostic::{Diagnostic, Locator};
use crate::media::in_range;
use crate::raw::{RawAlertLimits, RawAlerts};

/// The limits on one category's figures; `None` checks nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AlertLimits {
    /// Alert when precision is below this (a share in `[0, 1]`).
    pub min_precision: Option<f64>,
    /// Alert when PSI is above this (0 to 100).
    pub max_psi: Option<f64>,
    /// Alert when prevalence among allowed items is above this (a share).
    pub max_prevalence: Option<f64>,
}

impl AlertLimits {
    /// `self`'s limits, and `fallback`'s where `self` sets none.
    fn or(self, fallback: AlertLimits) -> AlertLimits {
        AlertLimits {
            min_precision: self.min_precision.or(fallback.min_precision),
            max_psi: self.max_psi.or(fallback.max_psi),
            max_prevalence: self.max_prevalence.or(fallback.max_prevalence),
        }
    }
}

/// `[alerts]`: limits for every category, and per-category overrides.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertSettings {
    /// The limits of every category without its own.
    pub default: AlertLimits,
    /// A category's own limits (unset keys fall back to `default`).
    pub categories: BTreeMap<Category, AlertLimits>,
}

impl AlertSettings {
    /// The limits that apply to `category`.
    pub fn limits_for(&self, category: Category) -> AlertLimits {
        self.categories
            .get(&category)
            .map_or(self.default, |own| own.or(self.default))
    }
}

/// Validate `[alerts]`; absent, nothing is checked.
pub(crate) fn validate_alerts(
    loc: &Locator<'_>,
    raw: Option<RawAlerts>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<AlertSettings> {
    let Some(raw) = raw else {
        return Some(AlertSettings::default());
    };
    let before = diagnostics.len();
    let top = RawAlertLimits {
        min_precision: raw.min_precision,
        max_psi: raw.max_psi,
        max_prevalence: raw.max_prevalence,
    };
    let default = limits(loc, "[alerts]", &top, diagnostics);
    let mut categories = BTreeMap::new();
    for (name, own) in &raw.categories {
        match name.get_ref().parse::<Category>() {
            Ok(c) => {
                let what = format!("[alerts.categories.{}]", name.get_ref());
                categories.insert(c, limits(loc, &what, own, diagnostics));
            }
            Err(e) => diagnostics.push(loc.error(name.span(), format!("in [alerts]: {e}"))),
        }
    }
    (diagnostics.len() == before).then_some(AlertSettings {
        default,
        categories,
    })
}

fn limits(
    loc: &Locator<'_>,
    table: &str,
    raw: &RawAlertLimits,
    diagnostics: &mut Vec<Diagnostic>,
) -> AlertLimits {
    let mut check = |key: &str, v: &Option<toml::Spanned<f64>>, hi: f64| {
        in_range(loc, &format!("{table} {key}"), v, 0.0, hi, diagnostics)
    };
    AlertLimits {
        min_precision: check("min_precision", &raw.min_precision, 1.0),
        max_psi: check("max_psi", &raw.max_psi, 100.0),
        max_prevalence: check("max_prevalence", &raw.max_prevalence, 1.0),
    }
}
