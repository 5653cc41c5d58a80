//! Checks the online drift and latency code against references on the
//! fixed samples in `tests/data/online_reference.json` (made by
//! `bench/fixtures/make_online_fixtures.py`): PSI against a hand-written
//! numpy PSI, the Kolmogorov–Smirnov statistic against
//! `scipy.stats.ks_2samp` and its p-value against `scipy.special.kolmogorov`,
//! all to 1e-9; latency percentiles exactly against numpy's
//! `inverted_cdf` percentiles.

use serde::Deserialize;
use std::collections::BTreeMap;
use vigil_eval::online::{ks_two_sample, latency_percentiles, psi, DriftLevel};

const TOLERANCE: f64 = 1e-9;

#[derive(Deserialize)]
struct Fixture {
    scipy_version: String,
    drift: Vec<DriftSet>,
    latency: Vec<LatencySet>,
}

#[derive(Deserialize)]
struct DriftSet {
    name: String,
    reference: Vec<f64>,
    current: Vec<f64>,
    psi: f64,
    psi_edges: Vec<f64>,
    psi_reference_shares: Vec<f64>,
    psi_current_shares: Vec<f64>,
    ks_statistic: f64,
    ks_p_kolmogorov: f64,
    ks_p_scipy_asymp: f64,
}

#[derive(Deserialize)]
struct LatencySet {
    name: String,
    latencies: Vec<u64>,
    percentiles: BTreeMap<String, u64>,
}

fn fixture() -> Fixture {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/online_reference.json"
    );
    let text = std::fs::read_to_string(path).expect("the committed fixture is readable");
    serde_json::from_str(&text).expect("the committed fixture parses")
}

fn close_all(name: &str, what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{name}: {what} lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() < TOLERANCE, "{name}: {what}[{i}] {g} vs {w}");
    }
}

#[test]
fn psi_matches_the_numpy_reference() {
    let f = fixture();
    assert!(f.drift.len() >= 8);
    for s in &f.drift {
        let p = psi(&s.reference, &s.current).expect("fixture samples are valid");
        assert!(
            (p.value - s.psi).abs() < TOLERANCE,
            "{}: {} vs {}",
            s.name,
            p.value,
            s.psi
        );
        assert_eq!(p.level, DriftLevel::from_psi(s.psi), "{}", s.name);
        close_all(&s.name, "edges", &p.edges, &s.psi_edges);
        close_all(
            &s.name,
            "reference shares",
            &p.reference_shares,
            &s.psi_reference_shares,
        );
        close_all(
            &s.name,
            "current shares",
            &p.current_shares,
            &s.psi_current_shares,
        );
    }
}

#[test]
fn ks_matches_scipy() {
    let f = fixture();
    for s in &f.drift {
        let t = ks_two_sample(&s.reference, &s.current).expect("fixture samples are valid");
        assert!(
            (t.statistic - s.ks_statistic).abs() < TOLERANCE,
            "{}: D {} vs {} (scipy {})",
            s.name,
            t.statistic,
            s.ks_statistic,
            f.scipy_version
        );
        // Relative, since some p-values are below 1e-100.
        let tolerance = TOLERANCE * s.ks_p_kolmogorov.max(f64::MIN_POSITIVE);
        assert!(
            (t.p_value - s.ks_p_kolmogorov).abs() <= tolerance.max(1e-300),
            "{}: p {} vs {}",
            s.name,
            t.p_value,
            s.ks_p_kolmogorov
        );
        // scipy's own asymptotic p-value uses a finite-n distribution; on a
        // few hundred scores or more the two stay within 0.02.
        if t.effective_n >= 100.0 {
            assert!(
                (t.p_value - s.ks_p_scipy_asymp).abs() < 0.02,
                "{}: p {} vs scipy asymp {}",
                s.name,
                t.p_value,
                s.ks_p_scipy_asymp
            );
        }
    }
}

#[test]
fn latency_percentiles_match_numpy_nearest_rank() {
    let f = fixture();
    for s in &f.latency {
        let p = latency_percentiles(&s.latencies).expect("fixture latencies are not empty");
        let want = |q: &str| s.percentiles[q];
        assert_eq!(
            (p.p50, p.p90, p.p99, p.max),
            (want("50"), want("90"), want("99"), want("100")),
            "{}",
            s.name
        );
    }
}
