//! The online report over a store with a known, seeded history: every
//! count, interval, PSI, KS distance and latency percentile is checked
//! against a value computed here, independently, from what was generated.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use vigil_core::{
    Action, AppealOutcome, Category, CategoryDecision, Decision, DecisionId, Item, Labels,
    Modality, QueueReason, Score, Thresholds, Verdict, VersionRef,
};
use vigil_eval::Confidence;
use vigil_policy::{AlertLimits, AlertSettings};
use vigil_server::online_gauges::render_gauges;
use vigil_store::{NewReview, OnlineSlice, OnlineWindow, Store};
use vigil_transparency::online::{build_online_report, OnlineReport, OnlineReportRequest};

const LEASE: std::time::Duration = std::time::Duration::from_secs(600);
const T0: OffsetDateTime = datetime!(2026-03-02 00:00 UTC);

/// SplitMix64: a fixed seed gives the same history every run.
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

fn action_for(score: f64) -> Action {
    match score {
        s if s >= 0.9 => Action::Block,
        s if s >= 0.7 => Action::Restrict,
        s if s >= 0.5 => Action::Review,
        _ => Action::Allow,
    }
}

fn decision(at: OffsetDateTime, hate: f64, lang: &str, latency_us: u64) -> Decision {
    let action = action_for(hate);
    let cat = |category, score: f64, action| CategoryDecision {
        category,
        score: Score::new(score).expect("generated scores lie in [0, 1]"),
        action,
        thresholds: Thresholds::default(),
        evidence: Vec::new(),
    };
    let mut d = Decision {
        id: DecisionId::new(),
        item_id: format!("post-{}", DecisionId::new()),
        action,
        categories: vec![
            cat(Category::Hate, hate, action),
            cat(Category::Unsafe, 0.05, Action::Allow),
        ],
        reasons: Vec::new(),
        policy: VersionRef {
            name: "default".into(),
            version: "1".into(),
            digest: None,
        },
        models: Vec::new(),
        input_digest: "sha256:00".into(),
        latency_us,
        decided_at: at,
        content: Default::default(),
        not_analysed: Vec::new(),
        hash_matches: Vec::new(),
        media_matches: Vec::new(),
    };
    d.content.lang = Some(lang.to_owned());
    d.content.modalities = vec![Modality::Text];
    d
}

fn verdict(hate: bool) -> Verdict {
    Verdict {
        labels: Labels::new().with(Category::Hate, hate),
        action: if hate { Action::Block } else { Action::Allow },
        note: None,
    }
}

async fn review(store: &Store, d: &Decision, reason: QueueReason, hate: bool) {
    let id = store
        .enqueue_review(&NewReview {
            item: Item::text(&d.item_id, "text"),
            decision_id: d.id,
            reason,
            priority: 0.0,
            required_reviews: 1,
            bucket: None,
        })
        .await
        .expect("queue")
        .expect("queued");
    store.claim_review(id, "r1", LEASE).await.expect("claim");
    store
        .submit_review(id, "r1", &verdict(hate), None)
        .await
        .expect("verdict");
}

async fn appeal(store: &Store, d: &Decision, upheld: bool) {
    let a = store
        .file_appeal(d.id, "wrong", Some(&Item::text(&d.item_id, "text")))
        .await
        .expect("appeal");
    store
        .claim_review(a.review_item, "r1", LEASE)
        .await
        .expect("claim");
    let outcome = if upheld {
        AppealOutcome::Upheld
    } else {
        AppealOutcome::Overturned
    };
    store
        .submit_review(a.review_item, "r1", &verdict(upheld), Some(outcome))
        .await
        .expect("verdict");
}

/// What the generator did, counted as it went.
#[derive(Default)]
struct Truth {
    reference_scores: Vec<f64>,
    current_scores: Vec<f64>,
    latencies: Vec<u64>,
    current_actions: [u64; 4],
    reference_restricted: u64,
    reference_total: u64,
    fr_decisions: u64,
    appealed: u64,
    appeal_upheld: u64,
    reviewed: u64,
    review_upheld: u64,
    audited: u64,
    audit_upheld: u64,
    sampled: u64,
    violating: u64,
}

async fn generate(store: &Store, seed: u64) -> Truth {
    let mut rng = Rng(seed);
    let mut t = Truth::default();
    // Reference window: 600 decisions, scores uniform on [0, 1).
    for i in 0..600 {
        let s = rng.unit();
        let d = decision(T0 - Duration::seconds(1_000 - i), s, "en", 100);
        t.reference_scores.push(f64::from(s as f32));
        t.reference_total += 1;
        t.reference_restricted += u64::from(d.action >= Action::Restrict);
        store.insert_decision(&d).await.expect("insert");
    }
    // Current window: 800 decisions, scores skewed high (u^0.6).
    for i in 0..800 {
        let s = rng.unit().powf(0.6);
        let lang = if rng.unit() < 0.3 { "fr" } else { "en" };
        let latency = 100 + rng.next() % 20_000;
        let d = decision(T0 + Duration::seconds(i), s, lang, latency);
        store.insert_decision(&d).await.expect("insert");
        t.current_scores.push(f64::from(s as f32));
        t.latencies.push(latency);
        t.fr_decisions += u64::from(lang == "fr");
        t.current_actions[d.action as usize] += 1;
        let u = rng.unit();
        let judged_hate = rng.unit();
        // The audit draws restrictions whatever else happens to them.
        let (audit_draw, audit_judged) = (rng.unit(), rng.unit());
        if d.action >= Action::Restrict && audit_draw < 0.4 {
            let upheld = audit_judged < 0.85;
            review(store, &d, QueueReason::Audit, upheld).await;
            t.audited += 1;
            t.audit_upheld += u64::from(upheld);
        }
        match d.action {
            Action::Restrict | Action::Block if u < 0.3 => {
                let upheld = judged_hate < 0.8;
                appeal(store, &d, upheld).await;
                t.appealed += 1;
                t.appeal_upheld += u64::from(upheld);
            }
            Action::Restrict | Action::Block if u < 0.5 => {
                let upheld = judged_hate < 0.9;
                review(store, &d, QueueReason::Policy, upheld).await;
                t.reviewed += 1;
                t.review_upheld += u64::from(upheld);
            }
            Action::Allow if u < 0.6 => {
                let violating = judged_hate < 0.12;
                review(store, &d, QueueReason::Prevalence, violating).await;
                t.sampled += 1;
                t.violating += u64::from(violating);
            }
            _ => {}
        }
    }
    t
}

/// Wilson's score interval at 95 %, written out from the formula.
fn wilson95(k: u64, n: u64) -> (f64, f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (p, centre - half, centre + half)
}

/// PSI on the reference's deciles (linear interpolation), shares floored
/// at 1e-4, bins closed on the right.
fn psi_by_hand(reference: &[f64], current: &[f64]) -> f64 {
    let mut r = reference.to_vec();
    r.sort_by(f64::total_cmp);
    let edges: Vec<f64> = (1..10)
        .map(|k| {
            let pos = k as f64 / 10.0 * (r.len() - 1) as f64;
            let (lo, frac) = (pos.floor() as usize, pos - pos.floor());
            r[lo] + frac * (r[(lo + 1).min(r.len() - 1)] - r[lo])
        })
        .collect();
    let shares = |xs: &[f64]| {
        let mut bins = [0.0; 10];
        for &x in xs {
            bins[edges.iter().filter(|&&e| e < x).count()] += 1.0;
        }
        bins.map(|b| (b / xs.len() as f64).max(1e-4))
    };
    let (a, b) = (shares(reference), shares(current));
    a.iter().zip(&b).map(|(a, b)| (b - a) * (b / a).ln()).sum()
}

/// The largest gap between the two empirical distribution functions.
fn ks_by_hand(a: &[f64], b: &[f64]) -> f64 {
    let cdf = |xs: &[f64], x: f64| xs.iter().filter(|&&v| v <= x).count() as f64 / xs.len() as f64;
    a.iter()
        .chain(b)
        .map(|&x| (cdf(a, x) - cdf(b, x)).abs())
        .fold(0.0, f64::max)
}

fn nearest_rank(sorted: &[u64], p: f64) -> u64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.max(1) - 1]
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

async fn report(store: &Store, slice: OnlineSlice, alerts: AlertSettings) -> OnlineReport {
    let request = OnlineReportRequest {
        window: OnlineWindow {
            since: T0,
            until: T0 + Duration::seconds(1_000),
        },
        reference: Some(OnlineWindow {
            since: T0 - Duration::seconds(1_000),
            until: T0,
        }),
        slice,
        as_of: OffsetDateTime::now_utc() + Duration::hours(1),
        confidence: Confidence::NINETY_FIVE,
        alerts,
    };
    build_online_report(store, &request).await.expect("report")
}

#[tokio::test]
async fn every_figure_matches_the_generated_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_sqlite(&dir.path().join("v.db"))
        .await
        .expect("store");
    let truth = generate(&store, 20_260_302).await;
    // Limits for every category; `unsafe` (never restricted, scored 0.05
    // throughout) gets its own, which nothing crosses.
    let mut alerts = AlertSettings {
        default: AlertLimits {
            min_precision: Some(0.99),
            max_psi: Some(0.1),
            max_prevalence: Some(0.5),
        },
        ..AlertSettings::default()
    };
    alerts.categories.insert(
        Category::Unsafe,
        AlertLimits {
            max_psi: Some(1.0),
            ..AlertLimits::default()
        },
    );
    let r = report(&store, OnlineSlice::default(), alerts).await;

    // Counts by action.
    for (action, n) in &r.actions.value.0 {
        assert_eq!(*n, truth.current_actions[*action as usize], "{action}");
    }
    let hate = r
        .categories
        .iter()
        .find(|c| c.category == "hate")
        .expect("hate reported");
    let ch = hate.checked.value;
    assert_eq!(
        ch.restricted,
        truth.current_actions[2] + truth.current_actions[3]
    );
    assert_eq!(
        (ch.appealed, ch.appeal_upheld),
        (truth.appealed, truth.appeal_upheld)
    );
    assert_eq!(
        (ch.reviewed, ch.review_upheld),
        (truth.reviewed, truth.review_upheld)
    );
    assert!(
        truth.appealed > 30 && truth.sampled > 100 && truth.audited > 30,
        "the history exercises every path"
    );

    // Precision from the random audit, Wilson; meaningful from 30 judged.
    let a = hate.audit_sample.value;
    assert_eq!(
        (a.judged, a.sampled, a.upheld),
        (truth.audited, truth.audited, truth.audit_upheld)
    );
    let p = hate.precision.as_ref().expect("precision");
    let (e, lo, hi) = wilson95(truth.audit_upheld, truth.audited);
    close(p.estimate, e);
    close(p.low, lo);
    close(p.high, hi);
    assert!(p.meaningful, "{:?}", p.shortfalls);
    // The overturn rate over appeals and policy reviews, Wilson; biased,
    // so never meaningful.
    let checked = truth.appealed + truth.reviewed;
    let upheld = truth.appeal_upheld + truth.review_upheld;
    let ov = hate.overturn_rate.as_ref().expect("overturn rate");
    let (e, lo, hi) = wilson95(checked - upheld, checked);
    close(ov.estimate, e);
    close(ov.low, lo);
    close(ov.high, hi);
    assert!(!ov.meaningful);
    let o = hate.appeal_overturn_rate.as_ref().expect("overturn rate");
    let (e, lo, hi) = wilson95(truth.appealed - truth.appeal_upheld, truth.appealed);
    close(o.estimate, e);
    close(o.low, lo);
    close(o.high, hi);

    // Prevalence among allowed items.
    let s = hate.prevalence_sample.value;
    assert_eq!((s.sampled, s.violating), (truth.sampled, truth.violating));
    let q = hate.prevalence.as_ref().expect("prevalence");
    let (e, lo, hi) = wilson95(truth.violating, truth.sampled);
    close(q.estimate, e);
    close(q.low, lo);
    close(q.high, hi);

    // Recall: caught = restricted × precision, missed = allowed × prevalence.
    let caught = ch.restricted as f64 * (truth.audit_upheld as f64 / truth.audited as f64);
    let missed = truth.current_actions[0] as f64 * (truth.violating as f64 / truth.sampled as f64);
    let rc = hate.recall.as_ref().expect("recall");
    close(rc.estimate, caught / (caught + missed));
    assert!(rc.low <= rc.estimate && rc.estimate <= rc.high);
    // Accuracy: right restrictions plus right allows over both.
    let allowed = truth.current_actions[0] as f64;
    let correct = caught + allowed * (1.0 - truth.violating as f64 / truth.sampled as f64);
    let acc = hate.accuracy.as_ref().expect("accuracy");
    close(acc.numerator, correct);
    close(acc.estimate, correct / (ch.restricted as f64 + allowed));
    assert!(acc.low <= acc.estimate && acc.estimate <= acc.high);

    // Drift.
    let d = hate.drift.as_ref().expect("drift");
    assert_eq!((d.reference_n, d.current_n), (600, 800));
    close(
        d.psi,
        psi_by_hand(&truth.reference_scores, &truth.current_scores),
    );
    close(
        d.ks_statistic,
        ks_by_hand(&truth.reference_scores, &truth.current_scores),
    );
    assert!(d.psi > 0.1, "u^0.6 against uniform is a visible shift");

    // Decision-rate change.
    let shift = r.rate_shift.as_ref().expect("rate shift");
    let (e, lo, hi) = wilson95(truth.reference_restricted, truth.reference_total);
    close(shift.reference.estimate, e);
    close(shift.reference.low, lo);
    close(shift.reference.high, hi);
    assert_eq!(shift.direction, "increased");

    // Latency percentiles by nearest rank.
    let mut lat = truth.latencies.clone();
    lat.sort_unstable();
    let l = r.latency.value.expect("latency");
    assert_eq!(l.count, 800);
    assert_eq!(l.p50_us, nearest_rank(&lat, 50.0));
    assert_eq!(l.p90_us, nearest_rank(&lat, 90.0));
    assert_eq!(l.p99_us, nearest_rank(&lat, 99.0));
    assert_eq!(l.max_us, *lat.last().expect("non-empty"));

    // Alerts: precision below 0.99 and PSI above 0.1 for hate; prevalence
    // (about 0.12) stays under 0.5.
    let crossed: Vec<_> = r
        .breaches
        .iter()
        .map(|b| (b.category.as_str(), b.threshold))
        .collect();
    assert_eq!(crossed, [("hate", "min_precision"), ("hate", "max_psi")]);
    assert_eq!(hate.limits.min_precision, Some(0.99));

    // The JSON names the query behind each figure.
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["schema"], "vigil.online-report/2");
    let q = &json["categories"][0]["checked"]["query"];
    assert!(q["sql"].as_str().expect("sql").contains("FROM appeals"));
    assert_eq!(q["params"][4]["value"], "hate");
    let q = &json["categories"][0]["audit_sample"]["query"];
    assert!(q["sql"]
        .as_str()
        .expect("sql")
        .contains("i.reason = 'audit'"));
    assert_eq!(q["params"][4]["value"], "hate");
    assert_eq!(json["categories"][0]["category"], "hate");
    assert!(r.to_markdown().contains("| hate |"));
    assert!(r.to_html().starts_with("<!doctype html>"));

    // The same figures as Prometheus gauges on /metrics.
    let metrics = vigil_server::Metrics::default();
    metrics.set_online(render_gauges(&r, T0));
    let text = metrics.render();
    assert!(
        text.contains(&format!(
            "vigil_online_precision{{category=\"hate\",bound=\"estimate\"}} {}",
            p.estimate
        )),
        "{text}"
    );
    assert!(text.contains(&format!(
        "vigil_online_overturn_rate{{category=\"hate\",bound=\"estimate\"}} {}",
        ov.estimate
    )));
    assert!(text.contains(&format!(
        "vigil_online_audit_sampled{{category=\"hate\"}} {}",
        truth.audited
    )));
    assert!(text.contains(&format!("vigil_online_psi{{category=\"hate\"}} {}", d.psi)));
    assert!(text.contains("vigil_online_alert{category=\"hate\",limit=\"max_psi\"} 1"));
    assert!(text.contains(&format!(
        "vigil_online_latency_us{{quantile=\"0.99\"}} {}",
        l.p99_us
    )));
    assert!(text.contains(&format!(
        "vigil_online_computed_at_seconds {}",
        T0.unix_timestamp()
    )));

    // A slice: French decisions only.
    let fr = report(
        &store,
        OnlineSlice {
            lang: Some("fr".into()),
            modality: None,
        },
        AlertSettings::default(),
    )
    .await;
    assert_eq!(fr.actions.value.total(), truth.fr_decisions);
    assert!(fr.breaches.is_empty());
}
