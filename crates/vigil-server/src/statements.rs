//! Statements of reasons for the restrictive decisions in a time window:
//! one code path for `GET /v1/statements` and `vigil report sor`.

use time::OffsetDateTime;
use vigil_core::{Action, DecisionId};
use vigil_dsa::{statement_for, StatementOfReasons, StatementOptions};
use vigil_policy::Policy;
use vigil_store::{DecisionQuery, Store, StoreError, TimeOrder};

/// The statements of a window, and the decisions that could not be turned
/// into one (never dropped silently: each with its reason).
#[derive(Debug, Clone)]
pub struct Exported {
    /// One statement per restrictive decision, oldest first.
    pub statements: Vec<StatementOfReasons>,
    /// `(decision id, why)` for each restrictive decision left out.
    pub refused: Vec<(String, String)>,
    /// Restrictive decisions read (statements plus refusals).
    pub decisions: usize,
    /// When the last decision read was taken, and its id: the next page
    /// starts there ([`export_statements_page`]'s `since` and `after`).
    pub last_decided_at: Option<OffsetDateTime>,
    /// The id of the last decision read.
    pub last_id: Option<DecisionId>,
}

/// Every restrictive (`restrict` or `block`) decision taken in
/// `[since, until)`, at most `limit` of them, as statements checked against
/// the Transparency Database's rules.
pub async fn export_statements(
    store: &Store,
    policy: &Policy,
    options: &StatementOptions,
    since: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
    limit: Option<u32>,
) -> Result<Exported, StoreError> {
    export_statements_page(store, policy, options, since, None, until, limit).await
}

/// Like [`export_statements`], for paging: with `after`, the decisions
/// taken in the millisecond of `since` are skipped up to and including the
/// decision `after`. The store keeps decision times to the millisecond, and
/// several decisions can share one, so a time alone cannot say where a page
/// ended; the previous page's last time and id can.
pub async fn export_statements_page(
    store: &Store,
    policy: &Policy,
    options: &StatementOptions,
    since: Option<OffsetDateTime>,
    after: Option<DecisionId>,
    until: Option<OffsetDateTime>,
    limit: Option<u32>,
) -> Result<Exported, StoreError> {
    let mut decisions = Vec::new();
    for action in [Action::Restrict, Action::Block] {
        let list = |since, until, limit| DecisionQuery {
            since,
            until,
            action: Some(action),
            limit,
            order: TimeOrder::OldestFirst,
        };
        match (since, after) {
            (Some(since), Some(after)) => {
                // The rest of the cursor's millisecond (few decisions), then
                // everything after it.
                let ms =
                    since - time::Duration::nanoseconds(i64::from(since.nanosecond() % 1_000_000));
                let next_ms = ms + time::Duration::milliseconds(1);
                let same_until = until.map_or(next_ms, |u| u.min(next_ms));
                let same = store
                    .list_decisions(&list(Some(ms), Some(same_until), None))
                    .await?;
                decisions.extend(same.into_iter().filter(|d| d.id > after));
                if until.is_none_or(|u| u > next_ms) {
                    decisions.extend(
                        store
                            .list_decisions(&list(Some(next_ms), until, limit))
                            .await?,
                    );
                }
            }
            _ => decisions.extend(store.list_decisions(&list(since, until, limit)).await?),
        }
    }
    // The store's order: millisecond, then id. A cursor relies on it.
    decisions.sort_by_key(|d| (unix_ms(d.decided_at), d.id));
    if let Some(limit) = limit {
        decisions.truncate(limit as usize);
    }
    let mut out = Exported {
        statements: Vec::new(),
        refused: Vec::new(),
        decisions: decisions.len(),
        last_decided_at: decisions.last().map(|d| d.decided_at),
        last_id: decisions.last().map(|d| d.id),
    };
    for d in &decisions {
        match statement_for(d, policy, options) {
            Ok(s) => match s.validate() {
                Ok(()) => out.statements.push(s),
                Err(violations) => out.refused.push((
                    d.id.to_string(),
                    violations
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                )),
            },
            Err(e) => out.refused.push((d.id.to_string(), e.to_string())),
        }
    }
    Ok(out)
}

/// Milliseconds since the Unix epoch, rounded down, as the store keeps them.
fn unix_ms(t: OffsetDateTime) -> i128 {
    t.unix_timestamp_nanos().div_euclid(1_000_000)
}
