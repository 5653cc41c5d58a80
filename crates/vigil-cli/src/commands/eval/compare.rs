//! `vigil eval compare RUN_A RUN_B`: two runs' item scores (`scores.jsonl`)
//! compared on the items they share, with paired-bootstrap intervals.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use vigil_eval::report::EvalReport;
use vigil_eval::BootstrapConfig;

/// One scored item of a run: `scores.jsonl`, the input of `vigil eval compare`.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct ScoredItem {
    /// `<data set>/<item id>`.
    pub(super) id: String,
    pub(super) labels: vigil_core::Labels,
    pub(super) scores: std::collections::BTreeMap<vigil_core::Category, f32>,
}

fn read_run(dir: &Path) -> Result<(EvalReport, std::collections::HashMap<String, ScoredItem>)> {
    let report_path = dir.join("report.json");
    let text = std::fs::read_to_string(&report_path)
        .with_context(|| format!("cannot read {}", report_path.display()))?;
    let report = EvalReport::from_json(&text).with_context(|| report_path.display().to_string())?;
    let scores_path = dir.join("scores.jsonl");
    let text = std::fs::read_to_string(&scores_path)
        .with_context(|| format!("cannot read {}", scores_path.display()))?;
    let mut items = std::collections::HashMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let item: ScoredItem = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a scored item", scores_path.display(), n + 1))?;
        items.insert(item.id.clone(), item);
    }
    Ok((report, items))
}

pub(super) fn compare(run_a: &Path, run_b: &Path) -> Result<ExitCode> {
    use vigil_eval::{compare_auprc, compare_precision, compare_recall, PairedComparison, Verdict};

    let (report_a, items_a) = read_run(run_a)?;
    let (report_b, items_b) = read_run(run_b)?;
    let mut shared: Vec<&String> = items_a
        .keys()
        .filter(|id| items_b.contains_key(*id))
        .collect();
    shared.sort();
    if shared.is_empty() {
        bail!("the two runs share no items; compare runs on the same data");
    }
    println!(
        "A = {} {} ({}), B = {} {} ({}); {} shared items; differences are B − A",
        report_a.model,
        report_a.model_version,
        run_a.display(),
        report_b.model,
        report_b.model_version,
        run_b.display(),
        shared.len()
    );
    println!(
        "{:<18} {:<22} {:>8} {:>8} {:>28}  verdict",
        "category", "metric", "A", "B", "B − A [95% CI]"
    );
    let cfg = BootstrapConfig::default();
    let show = |category: &str, metric: &str, c: &PairedComparison, a: f64| {
        let verdict = match c.verdict {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::NoDetectableDifference => "no detectable difference",
        };
        let d = c.difference;
        println!(
            "{category:<18} {metric:<22} {a:>8.4} {:>8.4} {:>28}  {verdict}",
            a + d.estimate,
            format!("{:+.4} [{:+.4}, {:+.4}]", d.estimate, d.low, d.high)
        );
    };
    for ca in &report_a.categories {
        let Some(cb) = report_b
            .categories
            .iter()
            .find(|c| c.category == ca.category)
        else {
            continue;
        };
        let Ok(category) = ca.category.parse::<vigil_core::Category>() else {
            continue;
        };
        let (mut pa, mut pb) = (Vec::new(), Vec::new());
        for id in &shared {
            let (a, b) = (&items_a[*id], &items_b[*id]);
            let (Some(label), Some(sa), Some(sb)) = (
                a.labels.get(category),
                a.scores.get(&category),
                b.scores.get(&category),
            ) else {
                continue;
            };
            pa.push((f64::from(*sa), label));
            pb.push((f64::from(*sb), label));
        }
        if let Ok(c) = compare_auprc(&pa, &pb, &cfg) {
            let a = vigil_eval::average_precision(&pa).unwrap_or(f64::NAN);
            show(&ca.category, "AUPRC", &c, a);
        }
        for ta in &ca.thresholds {
            let Some(tb) = cb.thresholds.iter().find(|t| t.action == ta.action) else {
                continue;
            };
            if let Ok(c) = compare_precision(&pa, ta.threshold, &pb, tb.threshold, &cfg) {
                let a = vigil_eval::precision_at(&pa, ta.threshold).unwrap_or(f64::NAN);
                show(&ca.category, &format!("precision @ {}", ta.action), &c, a);
            }
            if let Ok(c) = compare_recall(&pa, ta.threshold, &pb, tb.threshold, &cfg) {
                let a = vigil_eval::recall_at(&pa, ta.threshold).unwrap_or(f64::NAN);
                show(&ca.category, &format!("recall @ {}", ta.action), &c, a);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
