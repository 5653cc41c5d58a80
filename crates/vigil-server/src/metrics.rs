//! The service's metrics in Prometheus text format: request latency,
//! decisions by category and action, model inference time, errors by kind,
//! cascade escalations, policy reloads, and scan jobs (queued, running,
//! done and failed, and how long each took), and the online report's
//! gauges over a trailing day.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

use vigil_core::Decision;

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: [f64; 20] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05,
    0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Upper bounds of the job duration buckets, in seconds: a job is a long
/// scan (video decoding, OCR of frames, speech to text).
const JOB_BUCKETS: [f64; 12] = [
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

#[derive(Debug, Clone)]
struct Histogram {
    bounds: &'static [f64],
    counts: Vec<u64>,
    count: u64,
    sum: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::with_bounds(&BUCKETS)
    }
}

impl Histogram {
    fn with_bounds(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: vec![0; bounds.len()],
            count: 0,
            sum: 0.0,
        }
    }

    fn observe(&mut self, seconds: f64) {
        if let Some(i) = self.bounds.iter().position(|b| seconds <= *b) {
            self.counts[i] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Debug, Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), Histogram>,
    decisions: BTreeMap<(String, String), u64>,
    decisions_by_action: BTreeMap<String, u64>,
    inference: BTreeMap<&'static str, Histogram>,
    scans: BTreeMap<&'static str, Histogram>,
    errors: BTreeMap<String, u64>,
    reloads: BTreeMap<&'static str, u64>,
    jobs_enqueued: u64,
    jobs_started: u64,
    jobs_finished: BTreeMap<&'static str, Histogram>,
    jobs_by_state: Vec<(&'static str, u64)>,
    /// The online report's gauges, rendered when last recomputed.
    online: String,
}

/// Counters and histograms, updated by handlers and rendered by `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        f(&mut self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// One HTTP request: its route template, method, status and duration.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.with(|m| {
            m.requests
                .entry((route.to_owned(), method.to_owned(), status))
                .or_default()
                .observe(seconds)
        });
    }

    /// One decision: its overall action and every category's action.
    pub fn decision(&self, d: &Decision) {
        self.with(|m| {
            *m.decisions_by_action
                .entry(d.action.as_str().to_owned())
                .or_default() += 1;
            for c in &d.categories {
                *m.decisions
                    .entry((c.category.as_str().to_owned(), c.action.as_str().to_owned()))
                    .or_default() += 1;
            }
        });
    }

    /// Time in a model: `text` (the whole text path, cascade included) or
    /// `transformer` (its share when the cascade consulted it).
    pub fn inference(&self, model: &'static str, seconds: f64) {
        self.with(|m| m.inference.entry(model).or_default().observe(seconds));
    }

    /// One scan request from receipt to stored decision, by the text path
    /// it took: `linear` or `cascade` (the transformer was consulted).
    pub fn scan(&self, path: &'static str, seconds: f64) {
        self.with(|m| m.scans.entry(path).or_default().observe(seconds));
    }

    /// One error response of this kind.
    pub fn error(&self, kind: &str) {
        self.with(|m| *m.errors.entry(kind.to_owned()).or_default() += 1);
    }

    /// One policy reload attempt: `applied` or `refused`.
    pub fn reload(&self, result: &'static str) {
        self.with(|m| *m.reloads.entry(result).or_default() += 1);
    }

    /// One item queued as a scan job.
    pub fn job_enqueued(&self) {
        self.with(|m| m.jobs_enqueued += 1);
    }

    /// One job claimed by a worker of this process.
    pub fn job_started(&self) {
        self.with(|m| m.jobs_started += 1);
    }

    /// One job finished by a worker of this process: `done`, `failed`,
    /// `lease_lost` (another worker had taken it over) or `store_error`;
    /// `seconds` from claim to result.
    pub fn job_finished(&self, result: &'static str, seconds: f64) {
        self.with(|m| {
            m.jobs_finished
                .entry(result)
                .or_insert_with(|| Histogram::with_bounds(&JOB_BUCKETS))
                .observe(seconds)
        });
    }

    /// The store's count of jobs in each state (`queued`, `running`,
    /// `done`, `failed`), every worker's included; read at each scrape.
    pub fn set_jobs_by_state(&self, counts: Vec<(&'static str, u64)>) {
        self.with(|m| m.jobs_by_state = counts);
    }

    /// Replaces the online report's gauges (rendered by
    /// [`crate::online_gauges::render_gauges`]).
    pub fn set_online(&self, rendered: String) {
        self.with(|m| m.online = rendered);
    }

    /// Everything, in Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.with(|m| {
            let mut out = String::new();
            out += "# HELP vigil_http_request_duration_seconds Time from request to response.\n";
            out += "# TYPE vigil_http_request_duration_seconds histogram\n";
            for ((route, method, status), h) in &m.requests {
                let labels = format!("route=\"{route}\",method=\"{method}\",status=\"{status}\"");
                h.render(&mut out, "vigil_http_request_duration_seconds", &labels);
            }
            out += "# HELP vigil_decisions_total Decisions by overall action.\n";
            out += "# TYPE vigil_decisions_total counter\n";
            for (action, n) in &m.decisions_by_action {
                let _ = writeln!(out, "vigil_decisions_total{{action=\"{action}\"}} {n}");
            }
            out += "# HELP vigil_category_decisions_total Category decisions by category and action.\n";
            out += "# TYPE vigil_category_decisions_total counter\n";
            for ((category, action), n) in &m.decisions {
                let _ = writeln!(
                    out,
                    "vigil_category_decisions_total{{category=\"{category}\",action=\"{action}\"}} {n}"
                );
            }
            out += "# HELP vigil_model_inference_seconds Time spent in a model per scan.\n";
            out += "# TYPE vigil_model_inference_seconds histogram\n";
            for (model, h) in &m.inference {
                h.render(&mut out, "vigil_model_inference_seconds", &format!("model=\"{model}\""));
            }
            out += "# HELP vigil_scan_duration_seconds Single-item scans from receipt to stored decision, by text path.\n";
            out += "# TYPE vigil_scan_duration_seconds histogram\n";
            for (path, h) in &m.scans {
                h.render(&mut out, "vigil_scan_duration_seconds", &format!("path=\"{path}\""));
            }
            out += "# HELP vigil_errors_total Error responses by kind.\n";
            out += "# TYPE vigil_errors_total counter\n";
            for (kind, n) in &m.errors {
                let _ = writeln!(out, "vigil_errors_total{{kind=\"{kind}\"}} {n}");
            }
            out += "# HELP vigil_policy_reloads_total Policy reload attempts by result.\n";
            out += "# TYPE vigil_policy_reloads_total counter\n";
            for (result, n) in &m.reloads {
                let _ = writeln!(out, "vigil_policy_reloads_total{{result=\"{result}\"}} {n}");
            }
            render_jobs(&mut out, m);
            out += &m.online;
            out
        })
    }
}

fn render_jobs(out: &mut String, m: &Inner) {
    *out += "# HELP vigil_jobs Scan jobs in the store by state, every worker's included.\n";
    *out += "# TYPE vigil_jobs gauge\n";
    for (state, n) in &m.jobs_by_state {
        let _ = writeln!(out, "vigil_jobs{{state=\"{state}\"}} {n}");
    }
    *out += "# HELP vigil_jobs_enqueued_total Items this server queued as scan jobs.\n";
    *out += "# TYPE vigil_jobs_enqueued_total counter\n";
    let _ = writeln!(out, "vigil_jobs_enqueued_total {}", m.jobs_enqueued);
    *out += "# HELP vigil_jobs_started_total Jobs claimed by this process's workers.\n";
    *out += "# TYPE vigil_jobs_started_total counter\n";
    let _ = writeln!(out, "vigil_jobs_started_total {}", m.jobs_started);
    *out += "# HELP vigil_job_duration_seconds Jobs of this process's workers from claim to result, by result.\n";
    *out += "# TYPE vigil_job_duration_seconds histogram\n";
    for (result, h) in &m.jobs_finished {
        h.render(
            out,
            "vigil_job_duration_seconds",
            &format!("result=\"{result}\""),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_end_with_inf() {
        let m = Metrics::default();
        m.request("/v1/scan", "POST", 200, 0.0003);
        m.request("/v1/scan", "POST", 200, 0.02);
        let text = m.render();
        let line = |le: &str| {
            let prefix = format!(
                "vigil_http_request_duration_seconds_bucket{{route=\"/v1/scan\",method=\"POST\",status=\"200\",le=\"{le}\"}} "
            );
            text.lines()
                .find_map(|l| l.strip_prefix(prefix.as_str()))
                .unwrap_or_else(|| panic!("no bucket {le} in\n{text}"))
                .to_owned()
        };
        assert_eq!(line("0.0001"), "0");
        assert_eq!(line("0.0005"), "1");
        assert_eq!(line("0.02"), "2");
        assert_eq!(line("+Inf"), "2");
        m.error("malformed_json");
        assert!(m
            .render()
            .contains("vigil_errors_total{kind=\"malformed_json\"} 1"));
    }
}
