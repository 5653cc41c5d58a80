//! Renders a hand-made report to JSON, HTML, Markdown and SVG through the
//! public API, checks the output's structure and escaping, and — where
//! Chromium is installed — opens the HTML in a headless browser and takes a
//! screenshot.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use vigil_eval::report::{
    pr_curve_svg, reliability_svg, render_html, render_markdown, roc_curve_svg, CategoryReport,
    DatasetRef, Estimate, EvalReport, ObligationVerdict, ReliabilityPoint, SliceReport,
    ThresholdReport,
};

const NASTY: &str = r#"<b>&""#;

fn est(value: f64, half_width: f64) -> Option<Estimate> {
    Some(Estimate {
        value,
        low: (value - half_width).max(0.0),
        high: (value + half_width).min(1.0),
    })
}

/// A category whose curves follow simple shapes; `skill` in (0, 1) bends them.
fn category(name: &str, skill: f64, holds: Option<bool>) -> CategoryReport {
    let steps = 40;
    let grid = (0..=steps).map(|i| f64::from(i) / f64::from(steps));
    let pr_curve = grid
        .clone()
        .map(|r| (r, 1.0 - (1.0 - skill) * r.powi(2)))
        .collect();
    let roc_curve = grid.map(|f| (f, f.powf(1.0 - skill))).collect();
    let reliability = (0..10)
        .map(|b: u32| {
            let p = (f64::from(b) + 0.5) / 10.0;
            ReliabilityPoint {
                mean_predicted: p,
                observed: (p * (0.8 + 0.2 * skill)).min(1.0),
                count: 400 / u64::from(b + 1),
            }
        })
        .collect();
    CategoryReport {
        category: name.to_string(),
        n_known: 1200,
        positives: 84,
        prevalence: 0.07,
        auprc: est(skill * 0.9, 0.03),
        roc_auc: Some(0.5 + skill / 2.0),
        brier: Some(0.05),
        ece: Some(0.021),
        thresholds: vec![
            ThresholdReport {
                action: "review".into(),
                threshold: 0.4,
                precision: est(0.62, 0.05),
                recall: est(0.88, 0.04),
                f1: Some(0.727),
                fpr: est(0.04, 0.01),
            },
            ThresholdReport {
                action: "block".into(),
                threshold: 0.9,
                precision: est(0.93, 0.03),
                recall: est(0.55, 0.06),
                f1: Some(0.691),
                fpr: est(0.003, 0.002),
            },
        ],
        pr_curve,
        roc_curve,
        reliability,
        slices: vec![
            SliceReport {
                field: "language".into(),
                value: "en".into(),
                n_known: 900,
                positives: 60,
                auprc: Some(0.8),
            },
            SliceReport {
                field: "source".into(),
                value: NASTY.into(),
                n_known: 300,
                positives: 0,
                auprc: None,
            },
        ],
        obligation: Some(ObligationVerdict {
            text: "recall ≥ 0.85 at review".into(),
            holds,
            detail: "recall 0.880 [0.840, 0.920] against 0.85".into(),
        }),
    }
}

fn sample_report() -> EvalReport {
    EvalReport {
        model: "text-linear".into(),
        model_version: "3".into(),
        policy: "default".into(),
        policy_version: "2025-01".into(),
        datasets: vec![DatasetRef {
            name: "seed".into(),
            items_sha256: format!("sha256:{}", "ab".repeat(32)),
        }],
        split: "test".into(),
        created_at: "2025-01-31T12:00:00Z".into(),
        categories: vec![
            category("hate", 0.7, Some(true)),
            category("self_harm", 0.4, Some(false)),
        ],
    }
}

/// Checks that every element opened is closed in order, ignoring text.
fn assert_balanced_tags(svg: &str) {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .expect("every tag is closed with '>'")
            + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                open.pop(),
                Some(name.trim()),
                "mismatched closing tag in SVG"
            );
        } else if !tag.ends_with('/') && !tag.starts_with('?') && !tag.starts_with('!') {
            open.push(tag.split_whitespace().next().unwrap_or(""));
        }
    }
    assert!(open.is_empty(), "unclosed SVG elements: {open:?}");
}

#[test]
fn svgs_are_standalone_plots() {
    let report = sample_report();
    for c in &report.categories {
        for svg in [pr_curve_svg(c), roc_curve_svg(c), reliability_svg(c)] {
            assert!(svg.trim_start().starts_with("<svg"), "{svg}");
            assert!(svg.trim_end().ends_with("</svg>"));
            assert!(svg.contains("<path") || svg.contains("<polyline"));
            assert!(svg.contains("<text"), "labels are SVG text");
            assert_balanced_tags(&svg);
        }
    }
    let pr = pr_curve_svg(&report.categories[0]);
    assert!(pr.contains("Recall") && pr.contains("Precision"));
    assert!(
        pr.contains("review ≥ 0.400") && pr.contains("block ≥ 0.900"),
        "thresholds are marked"
    );
    assert!(reliability_svg(&report.categories[0]).contains("perfect calibration"));
}

#[test]
fn empty_curves_still_draw_axes() {
    let mut c = category("hate", 0.5, None);
    c.pr_curve.clear();
    c.roc_curve.clear();
    c.reliability.clear();
    c.thresholds.clear();
    for svg in [pr_curve_svg(&c), roc_curve_svg(&c), reliability_svg(&c)] {
        assert!(svg.starts_with("<svg"));
        assert_balanced_tags(&svg);
    }
    assert!(pr_curve_svg(&c).contains("no curve"));
}

#[test]
fn html_is_self_contained_and_complete() {
    let html = render_html(&sample_report());
    assert!(html.starts_with("<!DOCTYPE html>"));
    for name in ["hate", "self_harm", "text-linear", "default", "seed"] {
        assert!(html.contains(name), "missing {name}");
    }
    assert_eq!(html.matches("<svg").count(), 6, "three plots per category");
    assert!(!html.to_lowercase().contains("<script"));
    for external in ["src=", "<link", "@import", "url("] {
        assert!(!html.contains(external), "external reference {external}");
    }
    assert!(html.contains("0.630 [0.600, 0.660]"), "AUPRC with interval");
    assert!(html.contains("verdict holds") && html.contains("verdict violated"));
    assert!(html.contains("recall ≥ 0.85 at review"));
}

#[test]
fn strings_are_escaped_everywhere() {
    let mut report = sample_report();
    report.categories[1].category = format!("spam {NASTY}");
    report.categories[0].slices[0].value = "<script>alert(1)</script>".into();
    let html = render_html(&report);
    assert!(!html.contains(NASTY));
    assert!(html.contains("&lt;b&gt;&amp;&quot;"));
    assert!(!html.to_lowercase().contains("<script"));
    for svg in [
        pr_curve_svg(&report.categories[1]),
        roc_curve_svg(&report.categories[1]),
    ] {
        assert!(!svg.contains(NASTY));
        assert!(svg.contains("spam &lt;b&gt;&amp;&quot;"));
    }
    let markdown = render_markdown(&report);
    assert!(!markdown.contains("<b>") && !markdown.to_lowercase().contains("<script"));
    assert!(markdown.contains("&lt;b&gt;&amp;"));
}

#[test]
fn markdown_summarises_every_category() {
    let markdown = render_markdown(&sample_report());
    assert!(markdown.starts_with("# Evaluation report"));
    assert!(markdown.contains("## hate") && markdown.contains(r"## self\_harm"));
    assert!(markdown.contains("| hate | 1200 | 84 | 0.070 | 0.630 [0.600, 0.660] |"));
    assert!(markdown.contains("| review | 0.400 | 0.620 [0.570, 0.670] |"));
    assert!(markdown.contains("**Obligation violated:**"));
    assert!(markdown.contains("| source = &lt;b&gt;&amp;\" | 300 | 0 | 0.000 | – |"));
}

#[test]
fn json_round_trips_with_the_documented_shapes() {
    let report = sample_report();
    let json = report.to_json();
    let back = EvalReport::from_json(&json).expect("a written report reads back");
    assert_eq!(back, report);
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let first = &value["categories"][0];
    assert_eq!(
        first["pr_curve"][0],
        serde_json::json!([0.0, 1.0]),
        "curves are [x, y] pairs"
    );
    assert_eq!(first["auprc"]["low"], serde_json::json!(0.6));
    assert!(
        value["categories"][0]["slices"][1]["auprc"].is_null(),
        "undefined is null"
    );
    assert!(EvalReport::from_json("{\"model\": 3}").is_err());
}

#[test]
fn the_documented_example_reads_and_renders() {
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/eval-report.md");
    let doc = std::fs::read_to_string(&doc_path).expect("docs/eval-report.md is readable");
    let marker = "```json eval-report\n";
    let start = doc.find(marker).expect("the doc has an example") + marker.len();
    let len = doc[start..]
        .find("```")
        .expect("the example block is closed");
    let report = EvalReport::from_json(&doc[start..start + len]).expect("the example parses");
    assert_eq!(report.categories[0].thresholds[0].action, "review");
    assert_eq!(
        report.categories[0]
            .obligation
            .as_ref()
            .and_then(|o| o.holds),
        Some(true)
    );
    assert!(render_html(&report).contains("recall ≥ 0.85 at review"));
    // Every key the code writes is a key the doc documents.
    let written: serde_json::Value =
        serde_json::from_str(&sample_report().to_json()).expect("valid JSON");
    let mut keys = Vec::new();
    collect_keys(&written, &mut keys);
    for key in keys {
        assert!(
            doc.contains(&format!("`{key}`")),
            "docs/eval-report.md does not document `{key}`"
        );
    }
}

fn collect_keys(value: &serde_json::Value, keys: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                keys.push(key.clone());
                collect_keys(inner, keys);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_keys(v, keys)),
        _ => {}
    }
}

fn unique_temp_dir(tag: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("vigil-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir can be created");
    dir
}

/// Runs Chromium headless on `html_path`, returning once it exits or after
/// `limit`, whichever comes first.
fn screenshot(chromium: &Path, html_path: &Path, shot: &Path, limit: Duration) {
    let profile = unique_temp_dir("chromium-profile");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1200,2000")
        .arg(format!("file://{}", html_path.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    while child
        .try_wait()
        .expect("chromium can be waited on")
        .is_none()
    {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = std::fs::remove_dir_all(profile);
}

#[test]
fn html_renders_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        println!("skipping: chromium not installed (apt-get install chromium)");
        return;
    }
    let dir = unique_temp_dir("report-html");
    let html_path = dir.join("report.html");
    std::fs::write(&html_path, render_html(&sample_report())).expect("report.html is written");
    let shot = dir.join("shot.png");
    screenshot(chromium, &html_path, &shot, Duration::from_secs(60));
    let size = std::fs::metadata(&shot).map_or(0, |m| m.len());
    assert!(
        size > 10_000,
        "screenshot is {size} bytes, expected a rendered page"
    );
    println!("screenshot: {}", shot.display());
}
