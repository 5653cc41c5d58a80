//! Measures how often the online precision, prevalence and recall intervals
//! contain the true values on simulated streams with known truth, for
//! several prevalence-sample and audit rates, and prints a Markdown table.
//!
//! ```text
//! cargo run --release -p vigil-eval --example online_coverage [RUNS]
//! ```
//!
//! Each run is one window of 50 000 items (10 % violating, classifier
//! recall 0.8, false-positive rate 1 %: precision about 0.90, prevalence
//! among allowed items about 2.2 %); see `vigil_eval::online::simulate`.

use vigil_eval::online::simulate::{measure_coverage, Coverage, StreamConfig};
use vigil_eval::online::OnlineError;
use vigil_eval::Confidence;

/// Runs per configuration unless given on the command line.
const DEFAULT_RUNS: usize = 2_000;
/// Draws per recall interval.
const RESAMPLES: usize = 2_000;

fn main() -> Result<(), OnlineError> {
    let runs = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(DEFAULT_RUNS);
    println!("{runs} windows per row, 95 % intervals, {RESAMPLES} draws per recall interval\n");
    println!(
        "| prevalence sample | audit | sampled (violating) | audited | precision | prevalence | recall | meaningful | recall, meaningful only | mean recall width | no estimate |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for prevalence_rate in [0.005, 0.01, 0.02, 0.05] {
        for audit_rate in [0.01, 0.05, 0.2] {
            let config = StreamConfig {
                prevalence_rate,
                audit_rate,
                ..StreamConfig::default()
            };
            let seed =
                0x0c0e_7a6e ^ (prevalence_rate * 1e4) as u64 ^ ((audit_rate * 1e4) as u64) << 20;
            let c = measure_coverage(&config, runs, Confidence::NINETY_FIVE, RESAMPLES, seed)?;
            print_row(&config, &c);
        }
    }
    Ok(())
}

/// One row of the table; expected sample sizes come from the default
/// stream's shares (45 550 allowed, 1 000 of them violating; 4 450 restricted).
fn print_row(config: &StreamConfig, c: &Coverage) {
    let allowed = 45_550.0;
    let restricted = 4_450.0;
    let pct = |covered, of| format!("{:.3}", Coverage::rate(covered, of));
    println!(
        "| {:.1} % | {:.0} % | ~{:.0} (~{:.0}) | ~{:.0} | {} | {} | {} | {:.2} | {} | {:.3} | {} |",
        config.prevalence_rate * 100.0,
        config.audit_rate * 100.0,
        allowed * config.prevalence_rate,
        1_000.0 * config.prevalence_rate,
        restricted * config.audit_rate,
        pct(c.precision_covered, c.defined),
        pct(c.prevalence_covered, c.defined),
        pct(c.recall_covered, c.defined),
        Coverage::rate(c.meaningful, c.defined),
        pct(c.recall_covered_meaningful, c.meaningful),
        c.recall_width_sum / c.defined.max(1) as f64,
        c.runs - c.defined,
    );
}
