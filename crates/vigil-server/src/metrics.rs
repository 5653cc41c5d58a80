//! The service's metrics in Prometheus text format: request latency,
//! decisions by category and action, model inference time, errors by kind,
//! cascade escalations and policy reloads.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

use vigil_core::Decision;

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: [f64; 20] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05,
    0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            self.counts[i] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.counts) {
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
            out
        })
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
