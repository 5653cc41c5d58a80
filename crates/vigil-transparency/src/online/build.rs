//! Building an [`OnlineReport`] from the store's figures and
//! `vigil_eval::online`'s estimators.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_eval::online::{
    allowed_prevalence, estimated_accuracy, estimated_recall, ks_two_sample, latency_percentiles,
    psi, rate_change, Adequacy, AuditSource, ChangeDirection, DriftLevel, RateChange, Shortfall,
    WindowCounts,
};
use vigil_eval::{wilson, BootstrapConfig, Confidence, Interval};
use vigil_store::{ActionCounts, Audited, OnlineSlice, OnlineWindow, Store};

use vigil_policy::AlertSettings;

use super::{
    AppliedLimits, Breach, CategoryFigures, Drift, Estimate, Latency, OnlineReport,
    OnlineReportError, RateShift, ONLINE_REPORT_SCHEMA,
};

/// How recall's and accuracy's intervals are made.
const JEFFREYS_DRAWS: &str = "parametric bootstrap from Jeffreys posteriors";

/// What to report on.
#[derive(Debug, Clone)]
pub struct OnlineReportRequest {
    /// The window reported on.
    pub window: OnlineWindow,
    /// The reference window for drift and rate changes, if any.
    pub reference: Option<OnlineWindow>,
    /// Language and modality slice.
    pub slice: OnlineSlice,
    /// Judgments stamped up to this instant's second count; fixing it makes the report
    /// reproducible later.
    pub as_of: OffsetDateTime,
    /// Interval level.
    pub confidence: Confidence,
    /// The policy's `[alerts]` limits.
    pub alerts: AlertSettings,
}

/// Reads every figure of `request` from `store` and estimates from them.
pub async fn build_online_report(
    store: &Store,
    request: &OnlineReportRequest,
) -> Result<OnlineReport, OnlineReportError> {
    let (window, slice, c) = (request.window, &request.slice, request.confidence);
    let actions = store.online_action_counts(window, slice, None).await?;
    let reference_actions = match request.reference {
        Some(r) => Some(store.online_action_counts(r, slice, None).await?),
        None => None,
    };
    let latencies = store.online_latencies_us(window, slice).await?;
    let latency = Audited {
        value: latency_percentiles(&latencies.value).ok().map(|l| Latency {
            count: l.count,
            p50_us: l.p50,
            p90_us: l.p90,
            p99_us: l.p99,
            max_us: l.max,
        }),
        query: latencies.query,
    };
    let mut categories = Vec::new();
    for category in store.online_categories(window, slice).await?.value {
        categories.push(category_figures(store, request, &category, &actions.value).await?);
    }
    let breaches = breaches(&categories);
    Ok(OnlineReport {
        schema: ONLINE_REPORT_SCHEMA,
        window: window_text(window),
        reference_window: request.reference.map(window_text),
        lang: slice.lang.clone(),
        modality: slice.modality.map(|m| m.as_str().to_owned()),
        as_of: rfc3339(request.as_of.replace_nanosecond(0).unwrap_or(request.as_of)),
        confidence: c.level(),
        rate_shift: reference_actions
            .as_ref()
            .and_then(|r| restricted_shift(&r.value, &actions.value, c)),
        actions,
        latency,
        categories,
        breaches,
    })
}

async fn category_figures(
    store: &Store,
    request: &OnlineReportRequest,
    category: &str,
    overall: &ActionCounts,
) -> Result<CategoryFigures, OnlineReportError> {
    let (window, slice, c) = (request.window, &request.slice, request.confidence);
    let actions = store
        .online_action_counts(window, slice, Some(category))
        .await?;
    let audit = store
        .online_audit_sample(window, slice, category, request.as_of)
        .await?;
    let checked = store
        .online_checked_restrictions(window, slice, category, request.as_of)
        .await?;
    let sample = store
        .online_prevalence_sample(window, slice, category, request.as_of)
        .await?;
    let ch = checked.value;
    let precision = vigil_eval::online::restriction_precision(
        audit.value.upheld,
        audit.value.sampled,
        AuditSource::RandomAudit,
        c,
    )
    .ok();
    let overturned_checked = ch.checked() - ch.upheld();
    let overturn_rate = wilson(overturned_checked, ch.checked(), c).map(|i| {
        let why = "appeals and policy reviews, not a random sample of restrictions: biased";
        proportion(overturned_checked, ch.checked(), i, vec![why.to_owned()])
    });
    let overturned = ch.appealed - ch.appeal_upheld;
    let appeal_overturn_rate = wilson(overturned, ch.appealed, c)
        .map(|i| proportion(overturned, ch.appealed, i, Vec::new()));
    let prevalence = allowed_prevalence(sample.value.violating, sample.value.sampled, c).ok();
    let (recall, accuracy) = match (&precision, &prevalence) {
        (Some(p), Some(q)) => {
            let counts = WindowCounts {
                restricted: actions.value.restricted(),
                allowed: overall.get(vigil_core::Action::Allow),
            };
            let cfg = BootstrapConfig {
                confidence: c,
                ..BootstrapConfig::default()
            };
            let recall = estimated_recall(counts, p, q, &cfg).ok().map(|r| Estimate {
                numerator: r.caught,
                denominator: r.caught + r.missed,
                estimate: r.interval.estimate,
                low: r.interval.low,
                high: r.interval.high,
                method: JEFFREYS_DRAWS,
                meaningful: r.adequacy.is_meaningful(),
                shortfalls: shortfalls(&r.adequacy),
            });
            let accuracy = estimated_accuracy(counts, p, q, &cfg)
                .ok()
                .map(|a| Estimate {
                    numerator: a.correct,
                    denominator: a.decided as f64,
                    estimate: a.interval.estimate,
                    low: a.interval.low,
                    high: a.interval.high,
                    method: JEFFREYS_DRAWS,
                    meaningful: a.adequacy.is_meaningful(),
                    shortfalls: shortfalls(&a.adequacy),
                });
            (recall, accuracy)
        }
        _ => (None, None),
    };
    let (drift, rate_shift) = match request.reference {
        Some(reference) => {
            let ref_actions = store
                .online_action_counts(reference, slice, Some(category))
                .await?;
            (
                drift(store, request, reference, category).await?,
                restricted_shift(&ref_actions.value, &actions.value, c),
            )
        }
        None => (None, None),
    };
    Ok(CategoryFigures {
        category: category.to_owned(),
        precision: precision
            .map(|p| proportion(p.upheld, p.checked, p.interval, shortfalls(&p.adequacy))),
        overturn_rate,
        appeal_overturn_rate,
        prevalence: prevalence
            .map(|p| proportion(p.violating, p.sampled, p.interval, shortfalls(&p.adequacy))),
        recall,
        accuracy,
        drift,
        rate_shift,
        limits: limits_for(&request.alerts, category),
        actions,
        audit_sample: audit,
        checked,
        prevalence_sample: sample,
    })
}

async fn drift(
    store: &Store,
    request: &OnlineReportRequest,
    reference: OnlineWindow,
    category: &str,
) -> Result<Option<Drift>, OnlineReportError> {
    let slice = &request.slice;
    let before = store.online_scores(reference, slice, category).await?;
    let now = store.online_scores(request.window, slice, category).await?;
    let (Ok(p), Ok(ks)) = (
        psi(&before.value, &now.value),
        ks_two_sample(&before.value, &now.value),
    ) else {
        return Ok(None);
    };
    Ok(Some(Drift {
        reference_n: before.value.len(),
        current_n: now.value.len(),
        psi: p.value,
        psi_level: match p.level {
            DriftLevel::Stable => "stable",
            DriftLevel::Moderate => "moderate",
            DriftLevel::Major => "major",
        },
        reference_shares: p.reference_shares,
        current_shares: p.current_shares,
        ks_statistic: ks.statistic,
        ks_p_value: ks.p_value,
        reference_query: before.query,
        current_query: now.query,
    }))
}

/// The restricted share's change from `reference` to `current`.
fn restricted_shift(
    reference: &ActionCounts,
    current: &ActionCounts,
    c: Confidence,
) -> Option<RateShift> {
    let (rh, rt) = (reference.restricted(), reference.total());
    let (ch, ct) = (current.restricted(), current.total());
    let RateChange {
        reference: ri,
        current: ci,
        difference: d,
        direction,
    } = rate_change(rh, rt, ch, ct, c).ok()?;
    Some(RateShift {
        reference: proportion(rh, rt, ri, Vec::new()),
        current: proportion(ch, ct, ci, Vec::new()),
        difference: [d.estimate, d.low, d.high],
        direction: match direction {
            ChangeDirection::Increased => "increased",
            ChangeDirection::Decreased => "decreased",
            ChangeDirection::NoDetectableChange => "no_detectable_change",
        },
    })
}

/// A Wilson-interval proportion as an [`Estimate`].
fn proportion(num: u64, den: u64, i: Interval, shortfalls: Vec<String>) -> Estimate {
    Estimate {
        numerator: num as f64,
        denominator: den as f64,
        estimate: i.estimate,
        low: i.low,
        high: i.high,
        method: "wilson",
        meaningful: shortfalls.is_empty(),
        shortfalls,
    }
}

fn shortfalls(a: &Adequacy) -> Vec<String> {
    a.shortfalls()
        .iter()
        .map(|s| match s {
            Shortfall::TooFewChecked { checked, minimum } => {
                format!("only {checked} audited restrictions judged (needs {minimum})")
            }
            Shortfall::NotARandomSample => {
                "reviews and appeals, not a random audit: biased low".to_owned()
            }
            Shortfall::TooFewSampled { sampled, minimum } => {
                format!("only {sampled} allowed items sampled (needs {minimum})")
            }
            Shortfall::TooFewViolatingInSample { violating, minimum } => {
                format!("only {violating} violating items in the sample (needs {minimum})")
            }
        })
        .collect()
}

/// The limits `[alerts]` sets for `category`; a key the policy does not
/// know as a category (a model's output the policy dropped) gets the
/// limits of every category.
fn limits_for(alerts: &AlertSettings, category: &str) -> AppliedLimits {
    match category.parse::<vigil_core::Category>() {
        Ok(c) => alerts.limits_for(c).into(),
        Err(_) => alerts.default.into(),
    }
}

/// Every limit crossed, category by category.
fn breaches(categories: &[CategoryFigures]) -> Vec<Breach> {
    let mut out = Vec::new();
    for f in categories {
        let t = f.limits;
        let mut push = |threshold, limit, value, meaningful| {
            out.push(Breach {
                category: f.category.clone(),
                threshold,
                limit,
                value,
                meaningful,
            })
        };
        if let (Some(limit), Some(p)) = (t.min_precision, &f.precision) {
            if p.estimate < limit {
                push("min_precision", limit, p.estimate, p.meaningful);
            }
        }
        if let (Some(limit), Some(p)) = (t.max_prevalence, &f.prevalence) {
            if p.estimate > limit {
                push("max_prevalence", limit, p.estimate, p.meaningful);
            }
        }
        if let (Some(limit), Some(d)) = (t.max_psi, &f.drift) {
            if d.psi > limit {
                push("max_psi", limit, d.psi, true);
            }
        }
    }
    out
}

fn window_text(w: OnlineWindow) -> [String; 2] {
    [rfc3339(w.since), rfc3339(w.until)]
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}
