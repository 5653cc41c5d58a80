//! The Markdown summary of a report: the tables of the HTML page without the
//! plots, for a pull request, a ticket or a terminal.

use std::fmt::{self, Write};

use super::escape::escape_markdown_cell as cell;
use super::figures::{estimate, fraction, opt_fraction, rate, verdict_word};
use super::model::{CategoryReport, EvalReport};

/// Renders the report's summary as GitHub-flavoured Markdown: run metadata,
/// one summary row per category, then per category its obligation verdict,
/// threshold table and slices. Every string from the report is escaped, so
/// none can break a table or inject HTML.
///
/// ```
/// use vigil_eval::report::{render_markdown, EvalReport};
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
/// assert!(render_markdown(&report).starts_with("# Evaluation report"));
/// ```
pub fn render_markdown(report: &EvalReport) -> String {
    let mut out = String::new();
    write_report(&mut out, report).expect("writing into a String never fails");
    out
}

fn write_report(out: &mut String, report: &EvalReport) -> fmt::Result {
    writeln!(out, "# Evaluation report\n")?;
    writeln!(out, "| | |\n|---|---|")?;
    writeln!(
        out,
        "| Model | {} {} |",
        cell(&report.model),
        cell(&report.model_version)
    )?;
    writeln!(
        out,
        "| Policy | {} {} |",
        cell(&report.policy),
        cell(&report.policy_version)
    )?;
    writeln!(out, "| Split | {} |", cell(&report.split))?;
    writeln!(out, "| Created | {} |", cell(&report.created_at))?;
    for dataset in &report.datasets {
        writeln!(
            out,
            "| Data set | {} (items SHA-256 {}) |",
            cell(&dataset.name),
            cell(&dataset.items_sha256)
        )?;
    }
    writeln!(out, "\n## Summary\n")?;
    if report.categories.is_empty() {
        writeln!(out, "No categories were evaluated.")?;
    } else {
        write_summary(out, &report.categories)?;
    }
    for category in &report.categories {
        write_category(out, category)?;
    }
    writeln!(
        out,
        "\nIntervals are 95% confidence intervals; undefined figures are shown as –."
    )
}

fn write_summary(out: &mut String, categories: &[CategoryReport]) -> fmt::Result {
    writeln!(
        out,
        "| Category | n known | Positives | Prevalence | AUPRC [95% CI] | ROC AUC | Brier | ECE | Obligation |"
    )?;
    writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|---|")?;
    for c in categories {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&c.category),
            c.n_known,
            c.positives,
            fraction(c.prevalence),
            estimate(c.auprc),
            opt_fraction(c.roc_auc),
            opt_fraction(c.brier),
            opt_fraction(c.ece),
            c.obligation.as_ref().map_or("none", verdict_word),
        )?;
    }
    Ok(())
}

fn write_category(out: &mut String, c: &CategoryReport) -> fmt::Result {
    writeln!(out, "\n## {}\n", cell(&c.category))?;
    if let Some(verdict) = &c.obligation {
        writeln!(
            out,
            "**Obligation {}:** {} — {}\n",
            verdict_word(verdict),
            cell(&verdict.text),
            cell(&verdict.detail)
        )?;
    }
    if c.thresholds.is_empty() {
        writeln!(out, "The policy sets no threshold for this category.")?;
    } else {
        writeln!(
            out,
            "| Action | Threshold | Precision [95% CI] | Recall [95% CI] | F1 | FPR [95% CI] |"
        )?;
        writeln!(out, "|---|--:|--:|--:|--:|--:|")?;
        for t in &c.thresholds {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&t.action),
                fraction(t.threshold),
                estimate(t.precision),
                estimate(t.recall),
                opt_fraction(t.f1),
                estimate(t.fpr),
            )?;
        }
    }
    if c.slices.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n| Slice | n known | Positives | Prevalence | AUPRC |"
    )?;
    writeln!(out, "|---|--:|--:|--:|--:|")?;
    for s in &c.slices {
        writeln!(
            out,
            "| {} = {} | {} | {} | {} | {} |",
            cell(&s.field),
            cell(&s.value),
            s.n_known,
            s.positives,
            opt_fraction(rate(s.positives, s.n_known)),
            opt_fraction(s.auprc),
        )?;
    }
    Ok(())
}
