//! The SQL text of notices, portable as in [`crate::sql`]: `$N`
//! placeholders, each first appearing in numeric order.

/// Records a notice: `$1` id, `$2` item id, `$3` decision id, `$4` reporter
/// type, `$5` reporter id, `$6` reporter name, `$7` claimed category, `$8`
/// legal ground, `$9` explanation, `$10` received at, `$11` status, `$12`
/// review item id, `$13` rescan decision id, `$14` outcome, `$15` action,
/// `$16` acted at.
pub(crate) const INSERT_NOTICE: &str = "\
    INSERT INTO notices (id, item_id, decision_id, reporter_type, reporter_id, reporter_name, \
        category, legal_ground, explanation, received_at, status, review_item_id, \
        rescan_decision_id, outcome, action, acted_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";

/// The columns of a notice, in [`INSERT_NOTICE`]'s order.
macro_rules! notice_columns {
    () => {
        "SELECT id, item_id, decision_id, reporter_type, reporter_id, reporter_name, category, \
            legal_ground, explanation, received_at, status, review_item_id, rescan_decision_id, \
            outcome, action, acted_at FROM notices "
    };
}

/// The notice `$1`.
pub(crate) const GET_NOTICE: &str = concat!(notice_columns!(), "WHERE id = $1");

/// The notice whose rescan took decision `$1`.
pub(crate) const GET_BY_RESCAN: &str = concat!(notice_columns!(), "WHERE rescan_decision_id = $1");

/// The notice reviewed as review item `$1`.
pub(crate) const GET_BY_REVIEW_ITEM: &str = concat!(notice_columns!(), "WHERE review_item_id = $1");

/// The notices a reviewer's verdict acted on (outcome `action_taken`, with
/// a review item); the caller filters by `acted_at` and orders by
/// `received_at`, whose RFC 3339 text (fractions without trailing zeros)
/// does not sort as time.
pub(crate) const LIST_REVIEWED_ACTED: &str = concat!(
    notice_columns!(),
    "WHERE outcome = 'action_taken' AND review_item_id IS NOT NULL"
);

/// The actions of the verdicts on review item `$1`.
pub(crate) const VERDICT_ACTIONS: &str = "SELECT action FROM reviews WHERE item_id = $1";

/// Decides the notice reviewed as item `$4`: outcome `$1`, action `$2`, at `$3`.
pub(crate) const DECIDE_NOTICE: &str = "\
    UPDATE notices SET status = 'decided', outcome = $1, action = $2, acted_at = $3 \
    WHERE review_item_id = $4 AND status = 'in_review'";

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_first_appear_in_order() {
        for text in [
            super::INSERT_NOTICE,
            super::GET_NOTICE,
            super::GET_BY_RESCAN,
            super::DECIDE_NOTICE,
        ] {
            let mut next = 1;
            let mut rest = text;
            while let Some(at) = rest.find('$') {
                let digits: String = rest[at + 1..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let n: usize = digits.parse().unwrap();
                assert!(n <= next, "${n} before ${next} in {text}");
                if n == next {
                    next += 1;
                }
                rest = &rest[at + 1 + digits.len()..];
            }
        }
    }
}
