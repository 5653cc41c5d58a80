//! `report.html`: the whole report as one self-contained page — inline CSS,
//! inline SVG plots, no scripts and no outside requests (a Content Security
//! Policy in the page forbids both), so it can be mailed or archived as one
//! file and opened offline.

use std::fmt::{self, Write};

use super::escape::escape_html;
use super::figures::{estimate, fraction, opt_fraction, rate, verdict_word};
use super::model::{CategoryReport, EvalReport, ObligationVerdict};
use super::svg::{pr_curve_svg, reliability_svg, roc_curve_svg};

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 0 auto; max-width: 1280px; padding: 1.5rem; color: #1b1b1b; background: #fff; }
h1 { margin-bottom: .25rem; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: .25rem; margin-top: 2.5rem; }
h3 { margin-bottom: .4rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; word-break: break-all; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d0d0; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.figures { color: #444; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
.plots figure { margin: 0; border: 1px solid #e2e2e2; }
.plots svg { display: block; width: 100%; height: auto; }
.verdict { font-weight: 700; padding: .1rem .4rem; border-radius: 3px; white-space: nowrap; }
.verdict.holds { background: #dff3e3; color: #13632b; }
.verdict.violated { background: #fbe0e0; color: #9b1c1c; }
.verdict.undetermined { background: #fff1d0; color: #7a5200; }
.obligation { border-left: 6px solid; padding: .5rem .9rem; margin: .8rem 0; }
.obligation.holds { border-color: #2e9b4f; background: #f2fbf4; }
.obligation.violated { border-color: #d33; background: #fdf2f2; }
.obligation.undetermined { border-color: #e0a100; background: #fffaf0; }
.obligation p { margin: .25rem 0; }
.none { color: #777; font-style: italic; }
"#;

/// Renders the report as one self-contained HTML page: run metadata, a
/// summary table with a row per category, then per category its obligation
/// verdict, threshold table with intervals, the three plots and the slices.
/// Every string from the report is HTML-escaped.
///
/// ```
/// use vigil_eval::report::{render_html, EvalReport};
///
/// let report = EvalReport {
///     model: "text-linear".into(),
///     model_version: "1".into(),
///     policy: "default".into(),
///     policy_version: "1".into(),
///     datasets: vec![],
///     split: "test".into(),
///     created_at: "2025-01-31T12:00:00Z".into(),
///     categories: vec![],
/// };
/// let html = render_html(&report);
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert!(html.contains("text-linear"));
/// ```
pub fn render_html(report: &EvalReport) -> String {
    let mut out = String::with_capacity(64 * 1024 + report.categories.len() * 96 * 1024);
    write_page(&mut out, report).expect("writing into a String never fails");
    out
}

fn write_page(out: &mut String, report: &EvalReport) -> fmt::Result {
    let title = format!(
        "Vigil evaluation: {} {} under {} {}",
        report.model, report.model_version, report.policy, report.policy_version
    );
    writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    // No scripts, no fetches: only the inline styles and inline SVG run.
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    )?;
    writeln!(
        out,
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape_html(&title)
    )?;
    write_metadata(out, report)?;
    write_summary(out, &report.categories)?;
    for (index, category) in report.categories.iter().enumerate() {
        write_category(out, index, category)?;
    }
    writeln!(
        out,
        "<footer><p class=\"figures\">Intervals are 95% confidence intervals. \
         The same figures are in <code>report.json</code>.</p></footer>\n</body>\n</html>"
    )
}

fn write_metadata(out: &mut String, report: &EvalReport) -> fmt::Result {
    writeln!(
        out,
        "<header>\n<h1>Evaluation report</h1>\n<dl class=\"meta\">"
    )?;
    let rows = [
        (
            "Model",
            format!("{} {}", report.model, report.model_version),
        ),
        (
            "Policy",
            format!("{} {}", report.policy, report.policy_version),
        ),
        ("Split", report.split.clone()),
        ("Created", report.created_at.clone()),
    ];
    for (name, value) in rows {
        writeln!(out, "<dt>{name}</dt><dd>{}</dd>", escape_html(&value))?;
    }
    write!(out, "<dt>Data sets</dt><dd>")?;
    if report.datasets.is_empty() {
        write!(out, "<span class=\"none\">none recorded</span>")?;
    }
    for (i, dataset) in report.datasets.iter().enumerate() {
        if i > 0 {
            write!(out, "<br>")?;
        }
        write!(
            out,
            "{} <code title=\"SHA-256 of items.jsonl\">{}</code>",
            escape_html(&dataset.name),
            escape_html(&dataset.items_sha256)
        )?;
    }
    writeln!(out, "</dd>\n</dl>\n</header>")
}

fn write_summary(out: &mut String, categories: &[CategoryReport]) -> fmt::Result {
    writeln!(out, "<section id=\"summary\">\n<h2>Summary</h2>")?;
    if categories.is_empty() {
        return writeln!(
            out,
            "<p class=\"none\">No categories were evaluated.</p>\n</section>"
        );
    }
    writeln!(
        out,
        "<table>\n<thead><tr><th>Category</th><th>n known</th><th>Positives</th><th>Prevalence</th>\
         <th>AUPRC [95% CI]</th><th>ROC AUC</th><th>Brier</th><th>ECE</th><th>Obligation</th></tr></thead>\n<tbody>"
    )?;
    for (index, c) in categories.iter().enumerate() {
        writeln!(
            out,
            "<tr><td><a href=\"#category-{index}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            escape_html(&c.category),
            c.n_known,
            c.positives,
            fraction(c.prevalence),
            estimate(c.auprc),
            opt_fraction(c.roc_auc),
            opt_fraction(c.brier),
            opt_fraction(c.ece),
            c.obligation.as_ref().map_or_else(|| "<span class=\"none\">none</span>".to_string(), verdict_badge),
        )?;
    }
    writeln!(out, "</tbody>\n</table>\n</section>")
}

fn write_category(out: &mut String, index: usize, c: &CategoryReport) -> fmt::Result {
    writeln!(
        out,
        "<section class=\"category\" id=\"category-{index}\">\n<h2>{}</h2>",
        escape_html(&c.category)
    )?;
    writeln!(
        out,
        "<p class=\"figures\">{} items with a known label, {} positive (prevalence {}); \
         AUPRC {}, ROC AUC {}, Brier {}, ECE {}.</p>",
        c.n_known,
        c.positives,
        fraction(c.prevalence),
        estimate(c.auprc),
        opt_fraction(c.roc_auc),
        opt_fraction(c.brier),
        opt_fraction(c.ece),
    )?;
    if let Some(verdict) = &c.obligation {
        write_obligation(out, verdict)?;
    }
    write_thresholds(out, c)?;
    writeln!(out, "<h3>Plots</h3>\n<div class=\"plots\">")?;
    for (caption, svg) in [
        ("Precision–recall curve", pr_curve_svg(c)),
        ("ROC curve", roc_curve_svg(c)),
        ("Reliability diagram", reliability_svg(c)),
    ] {
        writeln!(out, "<figure aria-label=\"{caption}\">\n{svg}</figure>")?;
    }
    writeln!(out, "</div>")?;
    write_slices(out, c)?;
    writeln!(out, "</section>")
}

fn verdict_badge(verdict: &ObligationVerdict) -> String {
    let word = verdict_word(verdict);
    format!("<span class=\"verdict {word}\">{word}</span>")
}

fn write_obligation(out: &mut String, verdict: &ObligationVerdict) -> fmt::Result {
    writeln!(
        out,
        "<div class=\"obligation {}\">\n<p><strong>Obligation</strong> {}: {}</p>\n<p>{}</p>\n</div>",
        verdict_word(verdict),
        verdict_badge(verdict),
        escape_html(&verdict.text),
        escape_html(&verdict.detail),
    )
}

fn write_thresholds(out: &mut String, c: &CategoryReport) -> fmt::Result {
    writeln!(out, "<h3>Policy thresholds</h3>")?;
    if c.thresholds.is_empty() {
        return writeln!(
            out,
            "<p class=\"none\">The policy sets no threshold for this category.</p>"
        );
    }
    writeln!(
        out,
        "<table>\n<thead><tr><th>Action</th><th>Threshold</th><th>Precision [95% CI]</th>\
         <th>Recall [95% CI]</th><th>F1</th><th>False positive rate [95% CI]</th></tr></thead>\n<tbody>"
    )?;
    for t in &c.thresholds {
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape_html(&t.action),
            fraction(t.threshold),
            estimate(t.precision),
            estimate(t.recall),
            opt_fraction(t.f1),
            estimate(t.fpr),
        )?;
    }
    writeln!(out, "</tbody>\n</table>")
}

fn write_slices(out: &mut String, c: &CategoryReport) -> fmt::Result {
    writeln!(out, "<h3>Slices</h3>")?;
    if c.slices.is_empty() {
        return writeln!(out, "<p class=\"none\">No slices were measured.</p>");
    }
    writeln!(
        out,
        "<table>\n<thead><tr><th>Field</th><th>Value</th><th>n known</th><th>Positives</th>\
         <th>Prevalence</th><th>AUPRC</th></tr></thead>\n<tbody>"
    )?;
    for s in &c.slices {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape_html(&s.field),
            escape_html(&s.value),
            s.n_known,
            s.positives,
            opt_fraction(rate(s.positives, s.n_known)),
            opt_fraction(s.auprc),
        )?;
    }
    writeln!(out, "</tbody>\n</table>")
}
