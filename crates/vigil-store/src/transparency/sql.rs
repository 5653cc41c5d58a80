//! The SQL text behind the transparency report, portable as in
//! [`crate::sql`]. Each query reads the rows of one section; the figures
//! are counted from them in [`super::aggregate`], so that the text shown in
//! a report's audit record is exactly what ran.
//!
//! Windows over text timestamps (`done_at`, `submitted_at`, `received_at`)
//! compare against bounds written `YYYY-MM-DDTHH:MM:SS` without a zone
//! designator: stored times are UTC RFC 3339 with a four-digit year, so a
//! stored time at or after the bound sorts at or after it as text, however
//! many fractional digits it carries.

/// Restrictive decisions in `[$1, $2)` (unix ms) not taken by a notice's
/// rescan, one row per category whose own action was restrictive, with
/// that action (no category: one row with NULL category and action), and
/// the item's language (`content.lang`, NULL when not given; SQLite's
/// JSON1 as in [`crate::online`]).
pub(crate) const AUTOMATED_ACTIONS: &str = "\
    SELECT d.id, d.action, s.category, s.action, json_extract(d.body, '$.content.lang') \
    FROM decisions d \
    LEFT JOIN decision_scores s \
        ON s.decision_id = d.id AND s.action IN ('restrict', 'block') \
    WHERE d.decided_at_unix_ms >= $1 AND d.decided_at_unix_ms < $2 \
        AND d.action IN ('restrict', 'block') \
        AND d.id NOT IN (SELECT rescan_decision_id FROM notices \
            WHERE rescan_decision_id IS NOT NULL) \
    ORDER BY d.id, s.category";

/// The reviews of policy-queue items done in `[$1, $2)`, one row per
/// review and category the review labelled positive (none: NULL), with the
/// language of the item's decision (NULL when not given or not stored).
pub(crate) const HUMAN_ACTIONS: &str = "\
    SELECT i.id, i.reviews_done, r.id, r.action, l.category, \
        json_extract(d.body, '$.content.lang') \
    FROM review_items i \
    JOIN reviews r ON r.item_id = i.id \
    LEFT JOIN review_labels l ON l.review_id = r.id AND l.positive = 1 \
    LEFT JOIN decisions d ON d.id = i.decision_id \
    WHERE i.reason = 'policy' AND i.status = 'done' \
        AND i.done_at >= $1 AND i.done_at < $2 \
    ORDER BY i.id, r.id, l.category";

/// Appeals filed in `[$1, $2)`, with the appealed decision's action (NULL
/// once retention removed it) and its restrictive categories, one row each.
pub(crate) const APPEALS: &str = "\
    SELECT a.id, a.submitted_at, a.outcome, a.decided_at, d.action, s.category \
    FROM appeals a \
    LEFT JOIN decisions d ON d.id = a.decision_id \
    LEFT JOIN decision_scores s \
        ON s.decision_id = a.decision_id AND s.action IN ('restrict', 'block') \
    WHERE a.submitted_at >= $1 AND a.submitted_at < $2 \
    ORDER BY a.id, s.category";

/// Notices and orders received in `[$1, $2)`, with the item they concern
/// and whether a person reviewed them (a notice with no review item was
/// handled by a rescan alone).
pub(crate) const NOTICES: &str = "\
    SELECT id, reporter_type, category, received_at, outcome, action, acted_at, item_id, \
        review_item_id IS NOT NULL \
    FROM notices \
    WHERE received_at >= $1 AND received_at < $2 \
    ORDER BY id";

/// Every category score of decisions in `[$1, $2)` (unix ms) not taken by
/// a notice's rescan, with the decision's action and its appeal, if any.
pub(crate) const AUTOMATED_MEANS: &str = "\
    SELECT d.id, d.action, s.category, s.action, a.outcome, a.decided_at \
    FROM decisions d \
    JOIN decision_scores s ON s.decision_id = d.id \
    LEFT JOIN appeals a ON a.decision_id = d.id \
    WHERE d.decided_at_unix_ms >= $1 AND d.decided_at_unix_ms < $2 \
        AND d.id NOT IN (SELECT rescan_decision_id FROM notices \
            WHERE rescan_decision_id IS NOT NULL) \
    ORDER BY d.id, s.category";
