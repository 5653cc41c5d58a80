//! The report's HTML summary: one self-contained page (no scripts, no
//! outside styles), every text escaped.

use std::fmt::Write;

use crate::write::fact_rows;
use crate::TransparencyReport;

/// Escapes `text` for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A table of `rows` under `header`, every cell escaped.
pub(crate) fn table(out: &mut String, title: &str, header: &[&str], rows: Vec<Vec<String>>) {
    let _ = write!(out, "<h2>{}</h2>\n<table>\n<tr>", escape(title));
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(&cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn median(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |s| format!("{:.1} h", s / 3600.0))
}

/// The summary page of `report`: the `all` rows of each section, the facts.
pub(crate) fn summary(report: &TransparencyReport) -> String {
    let mut out = String::new();
    let title = format!("Transparency report {}", report.period);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #999;padding:.2em .6em;text-align:right}}</style></head><body>\n\
         <h1>{t}</h1>\n{i}<p>From {s} to {e} (exclusive), outcomes as of {a}. Every figure, with \
         the query that produced it, is in <code>report.json</code>; one CSV per section.</p>\n",
        t = escape(&title),
        i = if report.interim {
            "<p><strong>Interim report: the period had not ended when it was made; the \
             figures cover the period so far.</strong></p>\n"
        } else {
            ""
        },
        s = escape(&report.window.start.to_string()),
        e = escape(&report.window.end.to_string()),
        a = escape(&report.window.as_of.to_string()),
    );
    let own = report
        .own_initiative
        .rows
        .iter()
        .filter(|r| r.category == vigil_store::ALL)
        .map(|r| {
            vec![
                r.detection.as_str().to_owned(),
                r.restriction.clone(),
                r.actions.to_string(),
            ]
        })
        .collect();
    table(
        &mut out,
        "Own-initiative restrictions",
        &["detection", "restriction", "items"],
        own,
    );
    let notices = report
        .notices
        .rows
        .iter()
        .filter(|r| r.category == vigil_store::ALL)
        .map(|r| {
            vec![
                r.reporter_type.clone(),
                r.received.to_string(),
                r.action_taken.to_string(),
                r.no_action.to_string(),
                r.pending.to_string(),
                median(r.median_time_to_act_s),
            ]
        })
        .collect();
    table(
        &mut out,
        "Notices and orders",
        &[
            "reporter",
            "received",
            "action taken",
            "no action",
            "pending",
            "median time to act",
        ],
        notices,
    );
    let complaints = report
        .complaints
        .rows
        .iter()
        .filter(|r| r.category == vigil_store::ALL)
        .map(|r| {
            vec![
                r.filed.to_string(),
                r.upheld.to_string(),
                r.overturned.to_string(),
                r.pending.to_string(),
                median(r.median_handling_s),
            ]
        })
        .collect();
    table(
        &mut out,
        "Complaints (appeals)",
        &[
            "filed",
            "upheld",
            "reversed",
            "pending",
            "median handling time",
        ],
        complaints,
    );
    let means = report
        .automated_means
        .rows
        .iter()
        .map(|r| {
            let p = match (r.precision, r.precision_low, r.precision_high) {
                (Some(p), Some(l), Some(h)) => format!("{p:.3} [{l:.3}, {h:.3}]"),
                _ => "–".to_owned(),
            };
            vec![
                r.counts.category.clone(),
                r.counts.scored.to_string(),
                r.counts.restricted.to_string(),
                r.counts.checked.to_string(),
                p,
            ]
        })
        .collect();
    table(
        &mut out,
        "Automated means",
        &[
            "category",
            "scored",
            "restricted",
            "checked by appeal",
            "upheld on appeal (appeal overturn indicator, biased; 95% Wilson)",
        ],
        means,
    );
    crate::accuracy::html(&report.accuracy, &mut out);
    let facts = fact_rows(report)
        .into_iter()
        .map(|(n, v)| vec![n, v])
        .collect();
    table(
        &mut out,
        "Facts the store cannot know",
        &["fact", "value"],
        facts,
    );
    if let Some(f) = &report.facts {
        let _ = writeln!(
            out,
            "<p>Facts from <code>{}</code> ({}).</p>",
            escape(&f.path.display().to_string()),
            escape(&f.sha256)
        );
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            super::escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
