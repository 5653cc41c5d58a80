//! The accuracy section: the indicators of accuracy of the automated means
//! per category and language (DSA Art. 15(1)(e)), taken from the online
//! report ([`crate::online`]) over the report's window, so that they are
//! the same estimates `vigil report online` gives, computed one way.
//!
//! One online report per slice: every decision (`all`), then each language
//! the window's decisions carry (`content.lang`, listed by the store's
//! `languages` query). Each row of `accuracy.csv` is one category of one
//! slice: precision of automated restrictions, prevalence of violating
//! content among allowed items, recall and accuracy estimated from the two,
//! each with its interval and whether its sample makes it meaningful.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use vigil_eval::Confidence;
use vigil_policy::AlertSettings;
use vigil_store::{OnlineSlice, OnlineWindow, QueryRecord, ReportWindow, Store, ALL};

use crate::online::OnlineReport;
use crate::online::{build_online_report, CategoryFigures, Estimate, OnlineReportRequest};
use crate::ReportError;

/// The accuracy indicators of the report's window, per language
/// (`Default`: an empty section).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AccuracySection {
    /// The confidence level of every interval.
    pub confidence: f64,
    /// `all` first, then each language in order.
    pub slices: Vec<AccuracySlice>,
    /// The query that listed the languages.
    pub queries: Vec<QueryRecord>,
}

/// The online report over one slice of the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccuracySlice {
    /// `all`, or the language every decision of the slice carries.
    pub lang: String,
    /// The online report: every figure with the query behind it.
    pub report: OnlineReport,
}

/// Builds the section over `window`'s span, counting judgments stamped up
/// to its `as_of`.
pub(crate) async fn build(
    store: &Store,
    window: &ReportWindow,
) -> Result<AccuracySection, ReportError> {
    let languages = store.transparency_languages(window).await?;
    let confidence = Confidence::NINETY_FIVE;
    let mut slices = Vec::with_capacity(languages.rows.len() + 1);
    for lang in std::iter::once(None).chain(languages.rows.into_iter().map(Some)) {
        let request = OnlineReportRequest {
            window: OnlineWindow {
                since: window.start,
                until: window.end,
            },
            reference: None,
            slice: OnlineSlice {
                lang: lang.clone(),
                modality: None,
            },
            as_of: window.as_of,
            confidence,
            alerts: AlertSettings::default(),
        };
        let report = build_online_report(store, &request).await?;
        slices.push(AccuracySlice {
            lang: lang.unwrap_or_else(|| ALL.to_owned()),
            report,
        });
    }
    Ok(AccuracySection {
        confidence: confidence.level(),
        slices,
        queries: languages.queries,
    })
}

/// The columns of `accuracy.csv` (docs/transparency-report.md).
pub(crate) const HEADER: [&str; 27] = [
    "lang",
    "category",
    "decisions",
    "restricted",
    "allowed",
    "precision_upheld",
    "precision_judged",
    "precision",
    "precision_low",
    "precision_high",
    "precision_meaningful",
    "prevalence_violating",
    "prevalence_sampled",
    "prevalence",
    "prevalence_low",
    "prevalence_high",
    "prevalence_meaningful",
    "recall",
    "recall_low",
    "recall_high",
    "recall_meaningful",
    "accuracy",
    "accuracy_low",
    "accuracy_high",
    "accuracy_meaningful",
    "query",
    "shortfalls",
];

/// A count, or empty.
fn count(e: Option<&Estimate>, pick: fn(&Estimate) -> f64) -> String {
    e.map(|e| format!("{:.0}", pick(e))).unwrap_or_default()
}

/// Estimate, low, high and meaningful, or four empty cells.
fn cells(e: Option<&Estimate>) -> [String; 4] {
    match e {
        Some(e) => [
            format!("{:.6}", e.estimate),
            format!("{:.6}", e.low),
            format!("{:.6}", e.high),
            e.meaningful.to_string(),
        ],
        None => Default::default(),
    }
}

/// Every distinct reason a figure of the row is not meaningful.
fn shortfalls(f: &CategoryFigures) -> String {
    let mut out: Vec<&str> = Vec::new();
    for e in [&f.precision, &f.prevalence, &f.recall, &f.accuracy]
        .into_iter()
        .flatten()
    {
        for s in &e.shortfalls {
            if !out.contains(&s.as_str()) {
                out.push(s);
            }
        }
    }
    out.join("; ")
}

/// One CSV row per category of each slice, `all` first.
pub(crate) fn rows(section: &AccuracySection) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for slice in &section.slices {
        let allowed = slice.report.actions.value.get(vigil_core::Action::Allow);
        for f in &slice.report.categories {
            let a = &f.actions.value;
            let mut row = vec![
                slice.lang.clone(),
                f.category.clone(),
                a.total().to_string(),
                a.restricted().to_string(),
                allowed.to_string(),
                count(f.precision.as_ref(), |e| e.numerator),
                count(f.precision.as_ref(), |e| e.denominator),
            ];
            row.extend(cells(f.precision.as_ref()));
            row.push(count(f.prevalence.as_ref(), |e| e.numerator));
            row.push(count(f.prevalence.as_ref(), |e| e.denominator));
            row.extend(cells(f.prevalence.as_ref()));
            row.extend(cells(f.recall.as_ref()));
            row.extend(cells(f.accuracy.as_ref()));
            row.push(format!(
                "accuracy.slices[lang={}].report.categories[category={}]",
                slice.lang, f.category
            ));
            row.push(shortfalls(f));
            out.push(row);
        }
    }
    out
}

/// Writes `accuracy.csv` into `dir`.
pub(crate) fn write_csv(section: &AccuracySection, dir: &Path) -> Result<PathBuf, ReportError> {
    crate::write::csv_file(dir, "accuracy.csv", &HEADER, rows(section))
}

/// `0.912 [0.880, 0.940]`, with `*` when not meaningful; `–` when absent.
fn shown(e: Option<&Estimate>) -> String {
    match e {
        None => "–".to_owned(),
        Some(e) => {
            let mut s = format!("{:.3} [{:.3}, {:.3}]", e.estimate, e.low, e.high);
            if !e.meaningful {
                s.push_str(" *");
            }
            s
        }
    }
}

/// The section's HTML table: one row per language and category.
pub(crate) fn html(section: &AccuracySection, out: &mut String) {
    let rows = section
        .slices
        .iter()
        .flat_map(|slice| {
            slice.report.categories.iter().map(|f| {
                vec![
                    slice.lang.clone(),
                    f.category.clone(),
                    f.actions.value.restricted().to_string(),
                    shown(f.precision.as_ref()),
                    shown(f.prevalence.as_ref()),
                    shown(f.recall.as_ref()),
                    shown(f.accuracy.as_ref()),
                ]
            })
        })
        .collect();
    crate::html::table(
        out,
        "Accuracy of automated means, per language and category",
        &[
            "language",
            "category",
            "restricted",
            "precision",
            "prevalence among allowed",
            "recall",
            "accuracy",
        ],
        rows,
    );
    let _ = writeln!(
        out,
        "<p>{:.0}% intervals. * not meaningful: the sample is too small or not random \
         (the reasons are in <code>accuracy.csv</code>, the queries in \
         <code>report.json</code>).</p>",
        section.confidence * 100.0
    );
}
