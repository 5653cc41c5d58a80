//! The report as Markdown and as one self-contained HTML page (inline CSS
//! and SVG, nothing fetched).

use std::fmt::Write;

use super::{CategoryFigures, Drift, Estimate, OnlineReport};

fn est(e: Option<&Estimate>) -> String {
    match e {
        None => "—".to_owned(),
        Some(e) => format!(
            "{:.3} [{:.3}, {:.3}] ({}/{}){}",
            e.estimate,
            e.low,
            e.high,
            trim(e.numerator),
            trim(e.denominator),
            if e.meaningful { "" } else { " *" }
        ),
    }
}

fn trim(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// One row of the per-category table.
fn row(f: &CategoryFigures) -> [String; 10] {
    let a = &f.actions.value;
    let psi = f.drift.as_ref().map_or("—".to_owned(), |d: &Drift| {
        format!("{:.3} ({}), KS {:.3}", d.psi, d.psi_level, d.ks_statistic)
    });
    [
        f.category.clone(),
        a.total().to_string(),
        a.restricted().to_string(),
        est(f.precision.as_ref()),
        est(f.overturn_rate.as_ref()),
        est(f.appeal_overturn_rate.as_ref()),
        est(f.prevalence.as_ref()),
        est(f.recall.as_ref()),
        est(f.accuracy.as_ref()),
        psi,
    ]
}

const HEAD: [&str; 10] = [
    "category",
    "decisions",
    "restricted",
    "precision (random audit)",
    "overturn rate (appeals+reviews, biased)",
    "appeal overturn rate",
    "prevalence among allowed",
    "recall",
    "accuracy",
    "PSI",
];

impl OnlineReport {
    /// The report as Markdown: headline counts, the per-category table,
    /// breaches; `*` marks a figure that is not meaningful (see the JSON's
    /// `shortfalls`).
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# Online report\n");
        let _ = writeln!(
            s,
            "Window {} to {}; judgments up to {}; language {}; modality {}; {:.0} % intervals.\n",
            self.window[0],
            self.window[1],
            self.as_of,
            self.lang.as_deref().unwrap_or("all"),
            self.modality.as_deref().unwrap_or("all"),
            self.confidence * 100.0
        );
        let counts: Vec<String> = self
            .actions
            .value
            .0
            .iter()
            .map(|(a, n)| format!("{a}: {n}"))
            .collect();
        let _ = writeln!(s, "Decisions: {}.\n", counts.join(", "));
        if let Some(l) = &self.latency.value {
            let _ = writeln!(
                s,
                "Latency (µs, nearest rank, {} decisions): p50 {}, p90 {}, p99 {}, max {}.\n",
                l.count, l.p50_us, l.p90_us, l.p99_us, l.max_us
            );
        }
        if let Some(r) = &self.rate_shift {
            let _ = writeln!(
                s,
                "Restricted share: {} in the reference, {} now; change {:+.4} [{:+.4}, {:+.4}], {}.\n",
                est(Some(&r.reference)),
                est(Some(&r.current)),
                r.difference[0],
                r.difference[1],
                r.difference[2],
                r.direction
            );
        }
        let _ = writeln!(s, "| {} |", HEAD.join(" | "));
        let _ = writeln!(s, "|{}", "---|".repeat(HEAD.len()));
        for f in &self.categories {
            let _ = writeln!(s, "| {} |", row(f).join(" | "));
        }
        let _ = writeln!(
            s,
            "\n`*`: not meaningful (too small a sample; the overturn rate over appeals and reviews never is: they are not a random sample of restrictions, and it is not 1 − precision); the JSON says why and shows the query behind every figure.\n"
        );
        let _ = writeln!(s, "## Alerts\n");
        if self.breaches.is_empty() {
            let _ = writeln!(s, "No threshold crossed.");
        }
        for b in &self.breaches {
            let _ = writeln!(s, "- {b}");
        }
        s
    }

    /// The report as one HTML page: the same tables, and per category with
    /// drift an SVG of the reference's decile shares beside the current
    /// window's.
    pub fn to_html(&self) -> String {
        let mut s = String::from(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Vigil online report</title>\
             <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
             td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}\
             td:first-child{text-align:left}</style></head><body><h1>Online report</h1>",
        );
        let _ = write!(
            s,
            "<p>Window {} to {}; judgments up to {}; language {}; modality {}.</p><table><tr>",
            esc(&self.window[0]),
            esc(&self.window[1]),
            esc(&self.as_of),
            esc(self.lang.as_deref().unwrap_or("all")),
            esc(self.modality.as_deref().unwrap_or("all"))
        );
        for h in HEAD {
            let _ = write!(s, "<th>{}</th>", esc(h));
        }
        s.push_str("</tr>");
        for f in &self.categories {
            s.push_str("<tr>");
            for cell in row(f) {
                let _ = write!(s, "<td>{}</td>", esc(&cell));
            }
            s.push_str("</tr>");
        }
        s.push_str("</table><p>* not meaningful; see the JSON.</p><h2>Alerts</h2><ul>");
        for b in &self.breaches {
            let _ = write!(
                s,
                "<li>{}: {} = {:.4} crosses {}</li>",
                esc(&b.category),
                b.threshold,
                b.value,
                b.limit
            );
        }
        s.push_str("</ul>");
        for f in &self.categories {
            if let Some(d) = &f.drift {
                let _ = write!(
                    s,
                    "<h2>{}: score deciles, reference (grey) and current (blue)</h2>{}",
                    esc(&f.category),
                    shares_svg(d)
                );
            }
        }
        s.push_str("</body></html>\n");
        s
    }
}

/// Paired bars of the reference and current shares of each decile bin.
fn shares_svg(d: &Drift) -> String {
    let (w, h, pad) = (440.0, 160.0, 20.0);
    let top = d
        .reference_shares
        .iter()
        .chain(&d.current_shares)
        .fold(0.0f64, |m, &v| m.max(v))
        .max(1e-9);
    let n = d.reference_shares.len().max(1) as f64;
    let slot = (w - 2.0 * pad) / n;
    let mut s = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\">");
    for (i, (r, c)) in d.reference_shares.iter().zip(&d.current_shares).enumerate() {
        let x = pad + i as f64 * slot;
        for (k, (v, colour)) in [(r, "#999"), (c, "#36c")].into_iter().enumerate() {
            let bh = v / top * (h - 2.0 * pad);
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>",
                x + k as f64 * slot / 2.0,
                h - pad - bh,
                slot / 2.0 - 1.0,
                bh
            );
        }
    }
    s.push_str("</svg>");
    s
}

fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
