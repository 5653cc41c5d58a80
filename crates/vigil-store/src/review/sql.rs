//! The SQL text of the review queue's queries, portable as in
//! [`crate::sql`]: `$N` placeholders, each first appearing in numeric order
//! (SQLite numbers them by first appearance), reused freely after.

/// Queues an item: `$1` id, `$2` decision id, `$3` item id, `$4` reason,
/// `$5` priority, `$6` k, `$7` item JSON, `$8` gold labels JSON, `$9` time,
/// `$10` active-learning bucket (NULL: none), `$11` the bucket's cap on open
/// items. Inserts nothing when the bucket is full.
pub(crate) const INSERT_ITEM: &str = "\
    INSERT INTO review_items (id, decision_id, item_id, reason, priority, required_reviews, \
        reviews_done, status, item, gold_labels, created_at, bucket) \
    SELECT $1, $2, $3, $4, $5, $6, 0, 'open', $7, $8, $9, $10 \
    WHERE $10 IS NULL \
        OR (SELECT COUNT(*) FROM review_items WHERE bucket = $10 AND status = 'open') < $11";

/// Files an appeal: `$1` id, `$2` decision id, `$3` statement, `$4` review
/// item id, `$5` time.
pub(crate) const INSERT_APPEAL: &str = "\
    INSERT INTO appeals (id, decision_id, statement, review_item_id, submitted_at) \
    VALUES ($1, $2, $3, $4, $5)";

/// The claim half shared by both claims: take the row over when the
/// claimant holds it already (keeping when they first claimed it) or its
/// lease ran out (`$N` the time in unix ms is bound by the caller's text).
macro_rules! take_over {
    ($now:literal) => {
        concat!(
            " ON CONFLICT (item_id) DO UPDATE SET \
                claimed_at = CASE WHEN review_claims.reviewer = excluded.reviewer \
                    THEN review_claims.claimed_at ELSE excluded.claimed_at END, \
                reviewer = excluded.reviewer, lease_until = excluded.lease_until \
            WHERE review_claims.reviewer = excluded.reviewer OR review_claims.lease_until <= ",
            $now,
            " RETURNING item_id"
        )
    };
}

/// Claims for reviewer `$1` the highest-priority (then oldest) open item of
/// one of the reasons `$4` (a JSON array; any when NULL) that `$1` has not reviewed and no one else
/// holds at `$2` (unix ms), until `$3`. One statement, so atomic: SQLite
/// takes the write lock before it reads.
pub(crate) const CLAIM_NEXT: &str = concat!(
    "INSERT INTO review_claims (item_id, reviewer, claimed_at, lease_until) \
    SELECT i.id, $1, $2, $3 FROM review_items i \
    WHERE i.status = 'open' \
        AND ($4 IS NULL OR i.reason IN (SELECT value FROM json_each($4))) \
        AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.item_id = i.id AND r.reviewer = $1) \
        AND NOT EXISTS (SELECT 1 FROM review_claims c \
            WHERE c.item_id = i.id AND c.reviewer <> $1 AND c.lease_until > $2) \
    ORDER BY i.priority DESC, i.id LIMIT 1",
    take_over!("$2")
);

/// Claims item `$4` for reviewer `$1` at `$2` (unix ms) until `$3`, if it
/// is open, `$1` has not reviewed it and no one else holds it.
pub(crate) const CLAIM_ITEM: &str = concat!(
    "INSERT INTO review_claims (item_id, reviewer, claimed_at, lease_until) \
    SELECT i.id, $1, $2, $3 FROM review_items i \
    WHERE i.id = $4 AND i.status = 'open' \
        AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.item_id = i.id AND r.reviewer = $1)",
    take_over!("$2")
);

/// The claim row of item `$1`, live or not.
pub(crate) const GET_CLAIM: &str =
    "SELECT reviewer, claimed_at, lease_until FROM review_claims WHERE item_id = $1";

/// Drops reviewer `$2`'s claim on item `$1`.
pub(crate) const RELEASE: &str = "DELETE FROM review_claims WHERE item_id = $1 AND reviewer = $2";

/// Takes reviewer `$2`'s live claim (at `$3`, unix ms) on item `$1` to
/// record a verdict; returns when they claimed it.
pub(crate) const TAKE_CLAIM: &str = "\
    DELETE FROM review_claims WHERE item_id = $1 AND reviewer = $2 AND lease_until > $3 \
    RETURNING claimed_at";

/// Whether reviewer `$2` reviewed item `$1`.
pub(crate) const HAS_REVIEWED: &str =
    "SELECT COUNT(*) FROM reviews WHERE item_id = $1 AND reviewer = $2";

/// The reason and status of item `$1`.
pub(crate) const GET_REASON_STATUS: &str = "SELECT reason, status FROM review_items WHERE id = $1";

/// Records a verdict: `$1` id, `$2` item, `$3` reviewer, `$4` verdict JSON,
/// `$5` action, `$6` outcome, `$7` seconds spent, `$8` time.
pub(crate) const INSERT_REVIEW: &str = "\
    INSERT INTO reviews (id, item_id, reviewer, verdict, action, outcome, seconds_spent, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// One judged category of review `$1`.
pub(crate) const INSERT_LABEL: &str =
    "INSERT INTO review_labels (review_id, category, positive) VALUES ($1, $2, $3)";

/// Counts a verdict on item `$2`, marking it done at `$1` when it was the
/// k-th.
pub(crate) const COUNT_REVIEW: &str = "\
    UPDATE review_items SET reviews_done = reviews_done + 1, \
        status = CASE WHEN reviews_done + 1 >= required_reviews THEN 'done' ELSE 'open' END, \
        done_at = CASE WHEN reviews_done + 1 >= required_reviews THEN $1 ELSE NULL END \
    WHERE id = $2 AND status = 'open' \
    RETURNING reviews_done, required_reviews, status";

/// The outcomes given on item `$1`.
pub(crate) const OUTCOMES: &str =
    "SELECT outcome FROM reviews WHERE item_id = $1 AND outcome IS NOT NULL";

/// Ends the appeal reviewed as item `$3` with outcome `$1` at `$2`.
pub(crate) const DECIDE_APPEAL: &str = "\
    UPDATE appeals SET outcome = $1, decided_at = $2 WHERE review_item_id = $3";

/// The columns of a queue entry, over `review_items i`, with `$1` the time
/// (unix ms) that decides whether a claim is live.
macro_rules! entry_columns {
    () => {
        "i.id, i.item_id, i.reason, i.priority, i.required_reviews, i.reviews_done, i.status, \
        i.decision_id, i.created_at, \
        EXISTS (SELECT 1 FROM review_claims c WHERE c.item_id = i.id AND c.lease_until > $1) \
            AS claimed"
    };
}

/// Open items at `$1` (unix ms) of the reasons `$2` (a JSON array; any
/// when NULL), highest priority then oldest, after item `$3` in that order
/// (from the start when NULL), at most `$4`: keyset paging on
/// (priority, id), so a page neither skips nor repeats an item while the
/// queue changes between pages.
pub(crate) const LIST_OPEN: &str = concat!(
    "SELECT ",
    entry_columns!(),
    " FROM review_items i WHERE i.status = 'open' \
        AND ($2 IS NULL OR i.reason IN (SELECT value FROM json_each($2))) \
        AND ($3 IS NULL OR EXISTS (SELECT 1 FROM review_items a WHERE a.id = $3 \
            AND (i.priority < a.priority OR (i.priority = a.priority AND i.id > a.id)))) \
    ORDER BY i.priority DESC, i.id LIMIT $4"
);

/// Whether review item `$1` exists (open or done).
pub(crate) const ITEM_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM review_items WHERE id = $1)";

/// Open items per reason.
pub(crate) const COUNT_OPEN: &str =
    "SELECT reason, COUNT(*) FROM review_items WHERE status = 'open' GROUP BY reason";

/// Item `$2` whole, with `$1` the time (unix ms) for its claim.
pub(crate) const GET_ITEM: &str = concat!(
    "SELECT ",
    entry_columns!(),
    ", i.item, i.gold_labels, i.done_at FROM review_items i WHERE i.id = $2"
);

/// The verdicts on item `$1`, oldest first.
pub(crate) const LIST_REVIEWS: &str = "\
    SELECT reviewer, verdict, outcome, seconds_spent, created_at FROM reviews \
    WHERE item_id = $1 ORDER BY created_at, id";

/// The appeal reviewed as item `$1`.
pub(crate) const GET_APPEAL_BY_ITEM: &str = "\
    SELECT id, decision_id, statement, review_item_id, submitted_at, outcome, decided_at \
    FROM appeals WHERE review_item_id = $1";

/// Clears the content of items done before `$1` (RFC 3339).
pub(crate) const PURGE_DONE_CONTENT: &str = "\
    UPDATE review_items SET item = NULL \
    WHERE status = 'done' AND done_at < $1 AND item IS NOT NULL";

/// Done items after id `$1` (all when NULL), oldest first, at most `$2`,
/// with their decision's models.
pub(crate) const EXPORT_ITEMS: &str = "\
    SELECT i.id, i.item_id, i.reason, i.item, i.decision_id, i.gold_labels, i.done_at, \
        d.models \
    FROM review_items i LEFT JOIN decisions d ON d.id = i.decision_id \
    WHERE i.status = 'done' AND ($1 IS NULL OR i.id > $1) \
    ORDER BY i.id LIMIT $2";

/// The verdicts on the done items with ids in `[$1, $2]`, by item.
pub(crate) const EXPORT_REVIEWS: &str = "\
    SELECT r.item_id, r.reviewer, r.verdict, r.outcome, r.seconds_spent, r.created_at \
    FROM reviews r JOIN review_items i ON i.id = r.item_id \
    WHERE i.status = 'done' AND r.item_id >= $1 AND r.item_id <= $2 \
    ORDER BY r.item_id, r.created_at, r.id";

/// Every verdict on a gold item, with the gold labels.
pub(crate) const GOLD_REVIEWS: &str = "\
    SELECT r.reviewer, r.item_id, i.gold_labels, r.verdict \
    FROM reviews r JOIN review_items i ON i.id = r.item_id \
    WHERE i.gold_labels IS NOT NULL ORDER BY r.reviewer, r.item_id";

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite numbers `$N` by first appearance; a text whose placeholders
    /// first appear out of order would bind the wrong values.
    #[test]
    fn placeholders_first_appear_in_order() {
        for text in [
            INSERT_ITEM,
            INSERT_APPEAL,
            CLAIM_NEXT,
            CLAIM_ITEM,
            TAKE_CLAIM,
            INSERT_REVIEW,
            COUNT_REVIEW,
            DECIDE_APPEAL,
            LIST_OPEN,
            GET_ITEM,
            EXPORT_ITEMS,
            EXPORT_REVIEWS,
        ] {
            let mut next = 1;
            let bytes = text.as_bytes();
            for (i, _) in text.match_indices('$') {
                let digits: String = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .map(|&b| char::from(b))
                    .collect();
                let n: usize = digits.parse().expect("a number after $");
                assert!(n <= next, "${n} before ${next} in {text}");
                if n == next {
                    next += 1;
                }
            }
        }
    }
}
