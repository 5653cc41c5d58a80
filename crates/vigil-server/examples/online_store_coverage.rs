//! Coverage of the online report's precision and recall intervals, measured
//! through the store: the same study as `vigil-eval`'s `online_coverage`,
//! but every figure goes through the code a deployment runs.
//!
//! ```text
//! cargo run --release -p vigil-server --example online_store_coverage [RUNS] [AUDIT_RATE]
//! ```
//!
//! Each run (200 unless `RUNS` says otherwise, seeds fixed; the audit rate
//! 0.20 unless `AUDIT_RATE` says otherwise) creates a fresh
//! SQLite store in a temporary folder and logs a window of simulated
//! decisions with known truth:
//!
//! - each item violates `violence` with probability [`VIOLATING_SHARE`]; its
//!   score comes from the truth (a violating item scores at least 0.7 with
//!   probability [`CLASSIFIER_RECALL`], a clean one with probability
//!   [`FALSE_POSITIVE_RATE`]); `Policy::decide` turns the score into an
//!   action under the thresholds of [`POLICY`] (restrict 0.7, block 0.9);
//! - `vigil_server::review_entry` routes each decision under the policy's
//!   `[review]` (the prevalence sample of allowed items, the audit sample of
//!   restrictions, both drawn from the decision id), and
//!   `Store::log_decisions` writes each batch of decisions with their queue
//!   entries in one transaction, as the server's group-commit writer does;
//! - a simulated reviewer works the queue through the store's review API
//!   (`claim_next_review`, `submit_review`), labelling `violence` as the
//!   truth says (a perfect reviewer);
//! - `vigil_transparency::online::build_online_report`, the function behind
//!   `vigil report online`, builds the report of the window.
//!
//! A run covers when the report's 95 % precision interval holds the share
//! of the window's restrictions that truly violate, and likewise recall
//! (violating items restricted over all violating items; the policy has no
//! review band, so every decision is restricted or allowed) and prevalence
//! among allowed items. Decision ids are UUIDv7 with the time of the
//! decision and seeded random bits, so a run is the same every time.

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use vigil_core::{
    Action, Category, Decision, DecisionId, Item, Labels, QueueReason, Score, Verdict,
};
use vigil_eval::Confidence;
use vigil_policy::{AlertSettings, CategoryScore, DecisionInput, Policy};
use vigil_server::review_entry;
use vigil_store::{OnlineSlice, OnlineWindow, Store};
use vigil_transparency::online::{build_online_report, Estimate, OnlineReportRequest};

/// Runs unless given on the command line.
const DEFAULT_RUNS: usize = 200;
/// Decisions in each run's window.
const ITEMS: u64 = 5_000;
/// Share of items that truly violate.
const VIOLATING_SHARE: f64 = 0.10;
/// Share of violating items that score at or above the restrict threshold.
const CLASSIFIER_RECALL: f64 = 0.70;
/// Share of clean items that score at or above the restrict threshold.
const FALSE_POSITIVE_RATE: f64 = 0.01;
/// Decisions per `log_decisions` transaction, as a busy group commit.
const BATCH: usize = 250;
/// The window's start; each decision is one second after the previous.
const T0: OffsetDateTime = datetime!(2026-03-02 00:00 UTC);

/// The audit rate unless given on the command line.
const DEFAULT_AUDIT_RATE: f64 = 0.20;

/// One category, no review band; 10 % of allowed items in the prevalence
/// sample and `AUDIT_RATE` of restrictions in the audit, so one run of
/// 5 000 items expects about 460 sampled (15 violating) and, at the default
/// 20 %, 80 audited.
const POLICY: &str = r#"
[policy]
name = "coverage"
version = "1"

[categories.violence]
description = "Threats."
dsa_category = "STATEMENT_CATEGORY_VIOLENCE"
terms_ground = "Terms: violence"
thresholds = { restrict = 0.7, block = 0.9 }

[review]
prevalence_rate = 0.10
audit_rate = AUDIT_RATE
active_learning_rate = 0.0
required_reviews = 1
"#;

/// SplitMix64: a fixed seed gives the same run every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A UUIDv7 for a decision taken at `at`: the millisecond time, the
/// version and variant bits, and seeded random bits where `now_v7` puts
/// the operating system's.
fn seeded_v7(at: OffsetDateTime, rng: &mut Rng) -> DecisionId {
    let ms = (at.unix_timestamp_nanos() / 1_000_000) as u64;
    let hi = (ms << 16) | 0x7000 | (rng.next() & 0x0fff);
    let lo = (0b10u64 << 62) | (rng.next() >> 2);
    let v = (u128::from(hi) << 64) | u128::from(lo);
    let hex = format!("{v:032x}");
    let text = format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    text.parse()
        .expect("32 hex digits in 8-4-4-4-12 groups are a UUID")
}

/// What one run's window truly held, and what the report said.
struct RunResult {
    true_precision: f64,
    true_recall: f64,
    true_prevalence: f64,
    precision: Option<Estimate>,
    recall: Option<Estimate>,
    prevalence: Option<Estimate>,
    audited: u64,
    sampled: u64,
    violating_sampled: u64,
}

/// The truth of one window, counted as it is drawn.
#[derive(Default)]
struct Truth {
    restricted: u64,
    restricted_violating: u64,
    allowed: u64,
    allowed_violating: u64,
}

async fn run(policy: &Policy, run_index: usize) -> RunResult {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open_sqlite(&dir.path().join("vigil.db"))
        .await
        .expect("a fresh store");
    let mut rng = Rng(0x5107_e0c0_u64 ^ ((run_index as u64) << 32));
    let mut truth = Truth::default();
    let mut violating: HashMap<String, bool> = HashMap::new();
    let mut batch: Vec<(Decision, Item)> = Vec::with_capacity(BATCH);
    for i in 0..ITEMS {
        let is_violating = rng.unit() < VIOLATING_SHARE;
        let flagged = rng.unit()
            < if is_violating {
                CLASSIFIER_RECALL
            } else {
                FALSE_POSITIVE_RATE
            };
        let u = rng.unit();
        let score = if flagged { 0.7 + 0.3 * u } else { 0.7 * u };
        let item = Item::text(format!("r{run_index}-{i}"), "simulated");
        let mut decision = policy.decide(DecisionInput {
            item_id: item.id.clone(),
            input_digest: "sha256:00".into(),
            scores: vec![CategoryScore {
                category: Category::Violence,
                score: Score::new(score).expect("scores are drawn in [0, 1)"),
                evidence: Vec::new(),
            }],
            models: Vec::new(),
            content: Default::default(),
            latency_us: 100,
        });
        decision.decided_at = T0 + Duration::seconds(i as i64);
        decision.id = seeded_v7(decision.decided_at, &mut rng);
        match decision.action {
            Action::Restrict | Action::Block => {
                truth.restricted += 1;
                truth.restricted_violating += u64::from(is_violating);
            }
            Action::Allow => {
                truth.allowed += 1;
                truth.allowed_violating += u64::from(is_violating);
            }
            Action::Review => unreachable!("the policy has no review band"),
        }
        violating.insert(item.id.clone(), is_violating);
        batch.push((decision, item));
        if batch.len() == BATCH || i + 1 == ITEMS {
            log_batch(&store, policy, &batch).await;
            batch.clear();
        }
    }
    let judged = review_everything(&store, &violating).await;
    let report = build_online_report(
        &store,
        &OnlineReportRequest {
            window: OnlineWindow {
                since: T0,
                until: T0 + Duration::seconds(ITEMS as i64),
            },
            reference: None,
            slice: OnlineSlice::default(),
            as_of: OffsetDateTime::now_utc() + Duration::hours(1),
            confidence: Confidence::NINETY_FIVE,
            alerts: AlertSettings::default(),
        },
    )
    .await
    .expect("the online report");
    store.close().await;
    let figures = report
        .categories
        .into_iter()
        .find(|c| c.category == "violence")
        .expect("violence is scored in every run");
    let (audit, sample) = (figures.audit_sample.value, figures.prevalence_sample.value);
    // The report must count exactly what the reviewer judged.
    assert_eq!(audit.sampled, judged.audit, "run {run_index}: audit sample");
    assert_eq!(
        sample.sampled, judged.prevalence,
        "run {run_index}: prevalence sample"
    );
    let share = |k: u64, n: u64| k as f64 / n as f64;
    RunResult {
        true_precision: share(truth.restricted_violating, truth.restricted),
        true_recall: share(
            truth.restricted_violating,
            truth.restricted_violating + truth.allowed_violating,
        ),
        true_prevalence: share(truth.allowed_violating, truth.allowed),
        precision: figures.precision,
        recall: figures.recall,
        prevalence: figures.prevalence,
        audited: audit.sampled,
        sampled: sample.sampled,
        violating_sampled: sample.violating,
    }
}

/// Routes and logs a batch as the server's writer does: each decision's
/// queue entry from `review_entry`, all in one `log_decisions` transaction.
async fn log_batch(store: &Store, policy: &Policy, batch: &[(Decision, Item)]) {
    let decisions: Vec<Decision> = batch.iter().map(|(d, _)| d.clone()).collect();
    let entries: Vec<_> = batch
        .iter()
        .filter_map(|(d, item)| review_entry(policy, d, item))
        .collect();
    let refs: Vec<_> = entries.iter().collect();
    store
        .log_decisions(&decisions, &[], &refs)
        .await
        .expect("decisions and their queue entries logged");
}

/// How many items of each sample the reviewer judged.
#[derive(Default)]
struct Judged {
    audit: u64,
    prevalence: u64,
}

/// The simulated reviewer: claims the next item until none is left and
/// labels `violence` as the truth says.
async fn review_everything(store: &Store, violating: &HashMap<String, bool>) -> Judged {
    let mut judged = Judged::default();
    let lease = StdDuration::from_secs(600);
    while let Some(item) = store
        .claim_next_review("simulated-reviewer", lease, &[])
        .await
        .expect("a claim")
    {
        let truth = violating[&item.entry.item_id];
        match item.entry.reason {
            QueueReason::Audit => judged.audit += 1,
            QueueReason::Prevalence => judged.prevalence += 1,
            other => panic!("only the two samples are queued, not {other}"),
        }
        let verdict = Verdict {
            labels: Labels::new().with(Category::Violence, truth),
            action: if truth { Action::Block } else { Action::Allow },
            note: None,
        };
        store
            .submit_review(item.entry.id, "simulated-reviewer", &verdict, None)
            .await
            .expect("a verdict");
    }
    judged
}

/// Coverage counts of one figure.
#[derive(Default)]
struct Tally {
    defined: usize,
    covered: usize,
    meaningful: usize,
    covered_meaningful: usize,
    width_sum: f64,
}

impl Tally {
    fn add(&mut self, e: Option<&Estimate>, truth: f64) {
        let Some(e) = e else { return };
        let covered = e.low <= truth && truth <= e.high;
        self.defined += 1;
        self.covered += usize::from(covered);
        self.width_sum += e.high - e.low;
        if e.meaningful {
            self.meaningful += 1;
            self.covered_meaningful += usize::from(covered);
        }
    }

    fn row(&self, name: &str, runs: usize) -> String {
        let rate = |k: usize, n: usize| {
            if n == 0 {
                "—".to_owned()
            } else {
                format!("{:.3}", k as f64 / n as f64)
            }
        };
        format!(
            "| {name} | {} | {} | {} | {} | {:.3} |",
            rate(self.covered, self.defined),
            runs - self.defined,
            rate(self.meaningful, self.defined),
            rate(self.covered_meaningful, self.meaningful),
            self.width_sum / self.defined.max(1) as f64,
        )
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let arg = |n: usize| std::env::args().nth(n);
    let runs = arg(1).and_then(|a| a.parse().ok()).unwrap_or(DEFAULT_RUNS);
    let audit_rate: f64 = arg(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(DEFAULT_AUDIT_RATE);
    let text = POLICY.replace("AUDIT_RATE", &audit_rate.to_string());
    let policy = match Policy::from_toml(&text, "coverage.toml") {
        Ok(checked) => checked.policy,
        Err(e) => {
            eprintln!("the audit rate {audit_rate} makes no valid policy:\n{e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let (mut precision, mut recall, mut prevalence) =
        (Tally::default(), Tally::default(), Tally::default());
    let (mut audited, mut sampled, mut violating) = (0u64, 0u64, 0u64);
    let (mut true_p, mut true_r) = (0.0, 0.0);
    for r in 0..runs {
        let res = run(&policy, r).await;
        precision.add(res.precision.as_ref(), res.true_precision);
        recall.add(res.recall.as_ref(), res.true_recall);
        prevalence.add(res.prevalence.as_ref(), res.true_prevalence);
        audited += res.audited;
        sampled += res.sampled;
        violating += res.violating_sampled;
        true_p += res.true_precision;
        true_r += res.true_recall;
    }
    let n = runs as f64;
    println!(
        "{runs} runs through the store, {ITEMS} decisions each, prevalence sample 10 %, \
         audit {:.0} %, 95 % intervals; {:.0} s wall\n",
        audit_rate * 100.0,
        started.elapsed().as_secs_f64()
    );
    println!(
        "mean per run: {:.1} audited restrictions, {:.1} sampled allowed items ({:.1} violating); \
         true precision {:.3}, true recall {:.3}\n",
        audited as f64 / n,
        sampled as f64 / n,
        violating as f64 / n,
        true_p / n,
        true_r / n
    );
    println!(
        "| figure | coverage | no estimate | meaningful | coverage, meaningful only | mean width |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    println!("{}", precision.row("precision (audit)", runs));
    println!("{}", prevalence.row("prevalence among allowed", runs));
    println!("{}", recall.row("recall", runs));
    let se = (0.95 * 0.05 / n).sqrt();
    println!(
        "\nAt {runs} runs a true 95 % coverage reads between {:.3} and {:.3} nineteen times in twenty.",
        0.95 - 1.96 * se,
        0.95 + 1.96 * se
    );
}
