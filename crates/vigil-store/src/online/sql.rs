//! The SQL text of the online-report queries (docs/online-report.md).
//!
//! Every query begins with the same windowed, sliced set of decisions `w`,
//! so that its parameters first appear in the same order everywhere: `$1`
//! since and `$2` until (unix ms, half-open), `$3` language (NULL: any),
//! `$4` modality (NULL: any), then `$5` the category and `$6` the as-of
//! instant (RFC 3339, whole seconds, as the store stamps judgments: a
//! judgment counts when stamped at or before it) where a query has them.
//!
//! Portable SQL as in [`crate::sql`], except for the language and modality
//! slice: those facts live only in the decision's JSON body
//! (`content.lang`, `content.modalities`), read here with SQLite's JSON1
//! `json_extract` and `json_each`; a PostgreSQL backend would write
//! `body::jsonb #>> '{content,lang}'` and `jsonb_array_elements_text`.

/// The windowed, sliced decisions, as a `WITH` clause naming `w`.
macro_rules! windowed {
    ($rest:literal) => {
        concat!(
            "WITH w AS (SELECT d.id, d.action, d.latency_us FROM decisions d \
             WHERE d.decided_at_unix_ms >= $1 AND d.decided_at_unix_ms < $2 \
               AND ($3 IS NULL OR json_extract(d.body, '$.content.lang') = $3) \
               AND ($4 IS NULL OR EXISTS (SELECT 1 FROM json_each(d.body, '$.content.modalities') m \
                    WHERE m.value = $4))) ",
            $rest
        )
    };
}

/// The categories scored by at least one decision of the window, in order.
pub(crate) const CATEGORIES: &str = windowed!(
    "SELECT DISTINCT s.category FROM w JOIN decision_scores s ON s.decision_id = w.id \
     ORDER BY s.category"
);

/// Decisions of the window per overall action.
pub(crate) const ACTIONS: &str =
    windowed!("SELECT w.action, COUNT(*) FROM w GROUP BY w.action ORDER BY w.action");

/// Decisions of the window per the action taken for category `$5`.
pub(crate) const CATEGORY_ACTIONS: &str = windowed!(
    "SELECT s.action, COUNT(*) FROM w JOIN decision_scores s \
       ON s.decision_id = w.id AND s.category = $5 \
     GROUP BY s.action ORDER BY s.action"
);

/// Restrictions for category `$5` (its action `restrict` or `block`) and
/// how people who were asked to look at them judged them by `$6` (the
/// biased overturn figure; precision comes from [`AUDIT_SAMPLE`]): an appeal with an outcome counts as
/// that outcome; otherwise a done `policy` review item whose reviews
/// labelled `$5` counts, upheld when a strict majority of those labels is
/// positive. Each decision counts once.
pub(crate) const CHECKED_RESTRICTIONS: &str = windowed!(
    "SELECT COUNT(*) AS restricted, \
        COALESCE(SUM(CASE WHEN appeal IS NOT NULL THEN 1 ELSE 0 END), 0) AS appealed, \
        COALESCE(SUM(CASE WHEN appeal = 'upheld' THEN 1 ELSE 0 END), 0) AS appeal_upheld, \
        COALESCE(SUM(CASE WHEN appeal IS NULL AND labelled > 0 THEN 1 ELSE 0 END), 0) AS reviewed, \
        COALESCE(SUM(CASE WHEN appeal IS NULL AND labelled > 0 AND 2 * positive > labelled \
            THEN 1 ELSE 0 END), 0) AS review_upheld \
     FROM (SELECT w.id, \
            (SELECT a.outcome FROM appeals a \
              WHERE a.decision_id = w.id AND a.outcome IS NOT NULL AND a.decided_at <= $6) AS appeal, \
            (SELECT COUNT(*) FROM review_items i JOIN reviews v ON v.item_id = i.id \
               JOIN review_labels l ON l.review_id = v.id \
              WHERE i.decision_id = w.id AND i.reason = 'policy' AND i.status = 'done' \
                AND i.done_at <= $6 AND l.category = $5) AS labelled, \
            (SELECT COALESCE(SUM(l.positive), 0) FROM review_items i JOIN reviews v ON v.item_id = i.id \
               JOIN review_labels l ON l.review_id = v.id \
              WHERE i.decision_id = w.id AND i.reason = 'policy' AND i.status = 'done' \
                AND i.done_at <= $6 AND l.category = $5) AS positive \
           FROM w JOIN decision_scores s ON s.decision_id = w.id AND s.category = $5 \
          WHERE s.action IN ('restrict', 'block')) AS r"
);

/// The audit sample for category `$5`: done `audit` review items (done by
/// `$6`) of the window's decisions whose action for `$5` was `restrict` or
/// `block`; sampled when its reviews labelled `$5`, upheld when a strict
/// majority of those labels is positive. The audit draws restrictions
/// uniformly, whatever their scores, so upheld / sampled estimates the
/// precision of the window's restrictions for `$5` without bias.
pub(crate) const AUDIT_SAMPLE: &str = windowed!(
    "SELECT COUNT(*) AS judged, \
        COALESCE(SUM(CASE WHEN labelled > 0 THEN 1 ELSE 0 END), 0) AS sampled, \
        COALESCE(SUM(CASE WHEN labelled > 0 AND 2 * positive > labelled THEN 1 ELSE 0 END), 0) \
            AS upheld \
     FROM (SELECT i.id, \
            (SELECT COUNT(*) FROM reviews v JOIN review_labels l ON l.review_id = v.id \
              WHERE v.item_id = i.id AND l.category = $5) AS labelled, \
            (SELECT COALESCE(SUM(l.positive), 0) FROM reviews v JOIN review_labels l \
               ON l.review_id = v.id WHERE v.item_id = i.id AND l.category = $5) AS positive \
           FROM w JOIN decision_scores s ON s.decision_id = w.id AND s.category = $5 \
           JOIN review_items i ON i.decision_id = w.id \
          WHERE s.action IN ('restrict', 'block') AND i.reason = 'audit' AND i.status = 'done' \
            AND i.done_at <= $6) AS a"
);

/// The prevalence sample for category `$5`: done `prevalence` review items
/// (done by `$6`) of allowed decisions of the window; sampled when its
/// reviews labelled `$5`, violating when a strict majority of those labels
/// is positive.
pub(crate) const PREVALENCE_SAMPLE: &str = windowed!(
    "SELECT COUNT(*) AS judged, \
        COALESCE(SUM(CASE WHEN labelled > 0 THEN 1 ELSE 0 END), 0) AS sampled, \
        COALESCE(SUM(CASE WHEN labelled > 0 AND 2 * positive > labelled THEN 1 ELSE 0 END), 0) \
            AS violating \
     FROM (SELECT i.id, \
            (SELECT COUNT(*) FROM reviews v JOIN review_labels l ON l.review_id = v.id \
              WHERE v.item_id = i.id AND l.category = $5) AS labelled, \
            (SELECT COALESCE(SUM(l.positive), 0) FROM reviews v JOIN review_labels l \
               ON l.review_id = v.id WHERE v.item_id = i.id AND l.category = $5) AS positive \
           FROM w JOIN review_items i ON i.decision_id = w.id \
          WHERE w.action = 'allow' AND i.reason = 'prevalence' AND i.status = 'done' \
            AND i.done_at <= $6) AS p"
);

/// The scores of category `$5` in the window, ascending.
pub(crate) const SCORES: &str = windowed!(
    "SELECT s.score FROM w JOIN decision_scores s ON s.decision_id = w.id AND s.category = $5 \
     ORDER BY s.score"
);

/// The latencies (µs) of the window's decisions, ascending.
pub(crate) const LATENCIES: &str = windowed!("SELECT w.latency_us FROM w ORDER BY w.latency_us");

/// How each query's rows become figures, for its audit record.
pub(crate) mod rules {
    pub(crate) const CATEGORIES: &str = "one row per category scored in the window and slice";
    pub(crate) const ACTIONS: &str =
        "one row per overall action with its count; an action with no row counts 0";
    pub(crate) const CATEGORY_ACTIONS: &str =
        "one row per action taken for the category with its count; an action with no row counts 0";
    pub(crate) const CHECKED_RESTRICTIONS: &str = "one row of counts: restrictions for the \
        category, appealed with an outcome by as_of (and upheld), else judged in a done policy \
        review labelling the category (and upheld by a strict majority of labels)";
    pub(crate) const AUDIT_SAMPLE: &str = "one row of counts: done audit items of the window's \
        restrictions for the category, those labelled for it (sampled), and those upheld by a \
        strict majority of labels";
    pub(crate) const PREVALENCE_SAMPLE: &str = "one row of counts: done prevalence items of the \
        window's allowed decisions, those labelled for the category (sampled), and those violating \
        by a strict majority of labels";
    pub(crate) const SCORES: &str = "one row per decision scoring the category: its score";
    pub(crate) const LATENCIES: &str = "one row per decision: its latency in microseconds";
}
