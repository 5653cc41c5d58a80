//! The online report's figures as Prometheus gauges on `/metrics`,
//! recomputed by the server over a trailing window. The report itself is
//! `vigil_transparency::online`'s; only its exposition as gauges lives here.
//!
//! Every [`REFRESH_EVERY`] the server builds the report over the last
//! [`TRAILING`] (the [`TRAILING`] before it as the drift reference), under
//! the `[alerts]` of the policy in force, logs each breach, and swaps the
//! rendered gauges into [`crate::Metrics`]. The cost is the report's: a
//! handful of aggregate queries per category, plus reading both windows'
//! scores of each category for PSI and KS.

use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use vigil_engine::Engine;
use vigil_eval::Confidence;
use vigil_store::{OnlineSlice, OnlineWindow, Store};

use vigil_transparency::online::{
    build_online_report, Estimate, OnlineReport, OnlineReportRequest,
};

use crate::Metrics;

/// How often the gauges are recomputed.
pub const REFRESH_EVERY: Duration = Duration::from_secs(300);

/// The trailing window the gauges cover.
pub const TRAILING: Duration = Duration::from_secs(24 * 3600);

/// Recomputes the gauges every [`REFRESH_EVERY`], forever.
pub async fn refresh_online_gauges(engine: Arc<Engine>, store: Store, metrics: Arc<Metrics>) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    loop {
        tick.tick().await;
        let now = OffsetDateTime::now_utc();
        let request = OnlineReportRequest {
            window: OnlineWindow {
                since: now - TRAILING,
                until: now,
            },
            reference: Some(OnlineWindow {
                since: now - TRAILING - TRAILING,
                until: now - TRAILING,
            }),
            slice: OnlineSlice::default(),
            as_of: now,
            confidence: Confidence::NINETY_FIVE,
            alerts: engine.policy().policy.alerts.clone(),
        };
        match build_online_report(&store, &request).await {
            Ok(report) => {
                for b in &report.breaches {
                    crate::log("warn", format_args!("online alert over the last 24 h: {b}"));
                }
                metrics.set_online(render_gauges(&report, now));
            }
            Err(e) => crate::log("error", format_args!("online gauges not refreshed: {e}")),
        }
    }
}

/// One gauge family: its name, help, and samples (labels, value).
struct Family {
    name: &'static str,
    help: &'static str,
    samples: Vec<(String, f64)>,
}

impl Family {
    fn new(name: &'static str, help: &'static str) -> Family {
        Family {
            name,
            help,
            samples: Vec::new(),
        }
    }

    fn render(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP {} {}", self.name, self.help);
        let _ = writeln!(out, "# TYPE {} gauge", self.name);
        for (labels, v) in &self.samples {
            let _ = writeln!(out, "{}{{{labels}}} {v}", self.name);
        }
    }
}

/// Pushes an estimate's value and interval as `bound="estimate|low|high"`.
fn push_estimate(f: &mut Family, category: &str, e: Option<&Estimate>) {
    if let Some(e) = e {
        for (bound, v) in [("estimate", e.estimate), ("low", e.low), ("high", e.high)] {
            f.samples
                .push((format!("category=\"{category}\",bound=\"{bound}\""), v));
        }
    }
}

/// The report as Prometheus gauges (text exposition format), stamped with
/// `computed_at`.
pub fn render_gauges(report: &OnlineReport, computed_at: OffsetDateTime) -> String {
    let mut precision = Family::new(
        "vigil_online_precision",
        "Restriction precision over the trailing window, from the random audit of restrictions.",
    );
    let mut checked_overturn = Family::new(
        "vigil_online_overturn_rate",
        "Share of restrictions overturned among those appealed or in policy review (biased: not a random sample).",
    );
    let mut overturn = Family::new(
        "vigil_online_appeal_overturn_rate",
        "Share of appealed restrictions overturned over the trailing window.",
    );
    let mut prevalence = Family::new(
        "vigil_online_prevalence",
        "Share of violating items among allowed items, from the prevalence sample.",
    );
    let mut recall = Family::new(
        "vigil_online_recall",
        "Recall estimated from precision and prevalence.",
    );
    let mut audited = Family::new(
        "vigil_online_audit_sampled",
        "Restrictions of the audit sample judged for the category in the trailing window.",
    );
    let mut checked = Family::new(
        "vigil_online_checked",
        "Restrictions a person judged (appeals and reviews) in the trailing window.",
    );
    let mut sampled = Family::new(
        "vigil_online_prevalence_sampled",
        "Allowed items of the prevalence sample judged for the category.",
    );
    let mut psi = Family::new(
        "vigil_online_psi",
        "Population stability index of the category's scores against the previous window.",
    );
    let mut ks = Family::new(
        "vigil_online_ks_statistic",
        "Kolmogorov-Smirnov distance of the category's scores against the previous window.",
    );
    let mut breach = Family::new(
        "vigil_online_alert",
        "1 for each [alerts] limit the trailing window crosses.",
    );
    for f in &report.categories {
        let c = f.category.as_str();
        push_estimate(&mut precision, c, f.precision.as_ref());
        push_estimate(&mut checked_overturn, c, f.overturn_rate.as_ref());
        push_estimate(&mut overturn, c, f.appeal_overturn_rate.as_ref());
        push_estimate(&mut prevalence, c, f.prevalence.as_ref());
        push_estimate(&mut recall, c, f.recall.as_ref());
        let label = format!("category=\"{c}\"");
        audited
            .samples
            .push((label.clone(), f.audit_sample.value.sampled as f64));
        checked
            .samples
            .push((label.clone(), f.checked.value.checked() as f64));
        sampled
            .samples
            .push((label.clone(), f.prevalence_sample.value.sampled as f64));
        if let Some(d) = &f.drift {
            psi.samples.push((label.clone(), d.psi));
            ks.samples.push((label, d.ks_statistic));
        }
    }
    for b in &report.breaches {
        breach.samples.push((
            format!("category=\"{}\",limit=\"{}\"", b.category, b.threshold),
            1.0,
        ));
    }
    let mut latency = Family::new(
        "vigil_online_latency_us",
        "Decision latency percentiles (nearest rank) over the trailing window, microseconds.",
    );
    if let Some(l) = &report.latency.value {
        for (q, v) in [("0.5", l.p50_us), ("0.9", l.p90_us), ("0.99", l.p99_us)] {
            latency
                .samples
                .push((format!("quantile=\"{q}\""), v as f64));
        }
    }
    let mut out = String::new();
    for f in [
        &precision,
        &checked_overturn,
        &overturn,
        &prevalence,
        &recall,
        &audited,
        &checked,
        &sampled,
        &psi,
        &ks,
        &breach,
        &latency,
    ] {
        f.render(&mut out);
    }
    let _ = writeln!(
        out,
        "# HELP vigil_online_computed_at_seconds When the online gauges were computed (Unix time).\n# TYPE vigil_online_computed_at_seconds gauge\nvigil_online_computed_at_seconds {}",
        computed_at.unix_timestamp()
    );
    out
}
