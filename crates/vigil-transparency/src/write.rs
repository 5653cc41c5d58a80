//! Writing a report: one CSV per section, `report.json`, `index.html`.
//! Each CSV row names the query its figures came from (`query`), which
//! `report.json` holds with its SQL text and parameters.

use std::path::{Path, PathBuf};

use vigil_store::{Detection, NoticeRow};

use crate::{html, ReportError, TransparencyReport};

/// What a missing fact reads as.
pub(crate) const NOT_PROVIDED: &str = "not provided";

/// Writes `report` into `dir` (created if missing) and returns the paths
/// written, in order.
pub fn write(report: &TransparencyReport, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut written = vec![
        own_initiative(report, dir)?,
        notices(report, dir, "notices.csv", |r| {
            r.reporter_type != "authority_order"
        })?,
        notices(report, dir, "orders.csv", |r| {
            r.reporter_type == "authority_order"
        })?,
        complaints(report, dir)?,
        automated_means(report, dir)?,
        crate::accuracy::write_csv(&report.accuracy, dir)?,
        facts(report, dir)?,
    ];
    let json = serde_json::to_string_pretty(report).expect("a report is plain data");
    written.push(put(dir, "report.json", json.as_bytes())?);
    written.push(put(dir, "index.html", html::summary(report).as_bytes())?);
    Ok(written)
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, ReportError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|source| ReportError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// Writes `rows` under `header` as `dir/name`.
pub(crate) fn csv_file(
    dir: &Path,
    name: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<PathBuf, ReportError> {
    let path = dir.join(name);
    let fail = |source| ReportError::Csv {
        path: path.clone(),
        source,
    };
    let mut out = csv::Writer::from_path(&path).map_err(fail)?;
    out.write_record(header).map_err(fail)?;
    for row in rows {
        out.write_record(&row).map_err(fail)?;
    }
    out.flush().map_err(|source| ReportError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// A median or ratio: empty when there is none.
fn opt(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.6}")).unwrap_or_default()
}

fn own_initiative(report: &TransparencyReport, dir: &Path) -> Result<PathBuf, ReportError> {
    let rows = report.own_initiative.rows.iter().map(|r| {
        let query = match r.detection {
            Detection::Automated => "automated_actions",
            Detection::Human => "human_actions",
        };
        vec![
            r.category.clone(),
            r.detection.as_str().to_owned(),
            r.restriction.clone(),
            r.actions.to_string(),
            query.to_owned(),
        ]
    });
    let header = ["category", "detection", "restriction", "actions", "query"];
    csv_file(dir, "own_initiative.csv", &header, rows)
}

fn notices(
    report: &TransparencyReport,
    dir: &Path,
    name: &str,
    keep: impl Fn(&NoticeRow) -> bool,
) -> Result<PathBuf, ReportError> {
    let rows = report.notices.rows.iter().filter(|r| keep(r)).map(|r| {
        vec![
            r.reporter_type.clone(),
            r.category.clone(),
            r.received.to_string(),
            r.action_taken.to_string(),
            r.no_action.to_string(),
            r.pending.to_string(),
            r.restricted.to_string(),
            r.blocked.to_string(),
            opt(r.median_time_to_act_s),
            "notices".to_owned(),
        ]
    });
    let header = [
        "reporter_type",
        "category",
        "received",
        "action_taken",
        "no_action",
        "pending",
        "restricted",
        "blocked",
        "median_time_to_act_s",
        "query",
    ];
    csv_file(dir, name, &header, rows)
}

fn complaints(report: &TransparencyReport, dir: &Path) -> Result<PathBuf, ReportError> {
    let rows = report.complaints.rows.iter().map(|r| {
        vec![
            r.category.clone(),
            r.appealed_action.clone(),
            r.filed.to_string(),
            r.upheld.to_string(),
            r.overturned.to_string(),
            r.overturned.to_string(),
            r.pending.to_string(),
            opt(r.median_handling_s),
            "appeals".to_owned(),
        ]
    });
    let header = [
        "category",
        "appealed_action",
        "filed",
        "upheld",
        "overturned",
        "reversals",
        "pending",
        "median_handling_s",
        "query",
    ];
    csv_file(dir, "complaints.csv", &header, rows)
}

fn automated_means(report: &TransparencyReport, dir: &Path) -> Result<PathBuf, ReportError> {
    let purposes = report
        .facts
        .as_ref()
        .and_then(|f| f.facts.automated_means_purposes.clone())
        .unwrap_or_else(|| NOT_PROVIDED.to_owned());
    let rows = report.automated_means.rows.iter().map(|r| {
        vec![
            r.counts.category.clone(),
            purposes.clone(),
            r.counts.scored.to_string(),
            r.counts.restricted.to_string(),
            r.counts.checked.to_string(),
            r.counts.upheld.to_string(),
            opt(r.precision),
            opt(r.precision_low),
            opt(r.precision_high),
            "automated_means".to_owned(),
        ]
    });
    let header = [
        "category",
        "purposes",
        "scored",
        "restricted",
        "appeal_checked",
        "appeal_upheld",
        "appeal_upheld_share",
        "appeal_upheld_share_low",
        "appeal_upheld_share_high",
        "query",
    ];
    csv_file(dir, "automated_means.csv", &header, rows)
}

/// The facts as `(name, value)` pairs, "not provided" where missing.
pub(crate) fn fact_rows(report: &TransparencyReport) -> Vec<(String, String)> {
    let facts = report.facts.as_ref().map(|f| &f.facts);
    let num = |v: Option<u64>| v.map_or_else(|| NOT_PROVIDED.to_owned(), |n| n.to_string());
    let mut rows = vec![(
        "monthly_active_recipients".to_owned(),
        num(facts.and_then(|f| f.monthly_active_recipients)),
    )];
    match facts.and_then(|f| f.moderation_staff.as_ref()) {
        Some(staff) => rows.extend(
            staff
                .iter()
                .map(|(lang, n)| (format!("moderation_staff.{lang}"), n.to_string())),
        ),
        None => rows.push(("moderation_staff".to_owned(), NOT_PROVIDED.to_owned())),
    }
    rows.push((
        "out_of_court_disputes".to_owned(),
        num(facts.and_then(|f| f.out_of_court_disputes)),
    ));
    rows.push((
        "suspensions".to_owned(),
        num(facts.and_then(|f| f.suspensions)),
    ));
    rows
}

fn facts(report: &TransparencyReport, dir: &Path) -> Result<PathBuf, ReportError> {
    let source = report.facts.as_ref().map_or_else(
        || NOT_PROVIDED.to_owned(),
        |f| format!("{} ({})", f.path.display(), f.sha256),
    );
    let rows = fact_rows(report)
        .into_iter()
        .map(|(name, value)| vec![name, value, source.clone()]);
    csv_file(dir, "facts.csv", &["fact", "value", "source"], rows)
}

/// Writes the template's sections into `dir/annex-i/` (created if
/// missing), with `sources.json` saying which of `report.json`'s queries
/// and which policy each file's figures came from; returns the paths
/// written, in order.
pub fn write_annex(annex: &crate::Annex, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let dir = dir.join(crate::ANNEX_DIR);
    std::fs::create_dir_all(&dir).map_err(|source| ReportError::Io {
        path: dir.clone(),
        source,
    })?;
    let mut written = Vec::with_capacity(annex.tables.len() + 1);
    for table in &annex.tables {
        let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
        written.push(csv_file(
            &dir,
            table.file,
            &header,
            table.rows.iter().cloned(),
        )?);
    }
    let json = serde_json::to_string_pretty(&annex.audit()).expect("an audit is plain data");
    written.push(put(&dir, "sources.json", json.as_bytes())?);
    Ok(written)
}
