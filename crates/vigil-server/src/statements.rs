//! Statements of reasons for the restrictive decisions in a time window:
//! one code path for `GET /v1/statements` and `vigil report sor`. A
//! decision a notice's rescan took has the notice as its source
//! (docs/notices.md).

use std::collections::HashMap;
use std::path::Path;

use time::OffsetDateTime;
use vigil_core::{Action, DecisionId};
use vigil_dsa::{
    statement_for, statement_for_rescan, NoticeSource, StatementOfReasons, StatementOptions,
};
use vigil_policy::Policy;
use vigil_store::{DecisionQuery, NoticeError, Store, StoreError, TimeOrder};

/// The statements of a window, and the decisions that could not be turned
/// into one (never dropped silently: each with its reason).
#[derive(Debug, Clone)]
pub struct Exported {
    /// One statement per restrictive decision, oldest first.
    pub statements: Vec<StatementOfReasons>,
    /// `(decision id, why)` for each restrictive decision left out.
    pub refused: Vec<(String, String)>,
    /// Restrictive decisions (and, for [`export_statements`], notices acted
    /// on) read: statements plus refusals.
    pub decisions: usize,
    /// When the last decision read was taken, and its id: the next page
    /// starts there ([`export_statements_page`]'s `since` and `after`).
    pub last_decided_at: Option<OffsetDateTime>,
    /// The id of the last decision read.
    pub last_id: Option<DecisionId>,
}

/// Where the policies of past decisions come from: the one in force, and
/// the store's record of every policy file decided under (parsed with
/// blocklist files resolved beside the policy in force).
pub struct PolicySource<'a> {
    /// The policy in force.
    pub current: &'a Policy,
    /// The folder of the policy file in force.
    pub base: Option<&'a Path>,
}

/// Every restrictive (`restrict` or `block`) decision taken in
/// `[since, until)`, at most `limit` of them, as statements checked against
/// the Transparency Database's rules, each under the policy that took it;
/// then every notice a reviewer's restrictive verdict acted on in the
/// window (`limit` does not bound them), under the policy in force
/// ([`crate::notice_statement`]). A notice that gives none is refused as
/// `notice ID`, with why.
pub async fn export_statements(
    store: &Store,
    policies: &PolicySource<'_>,
    options: &StatementOptions,
    since: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
    limit: Option<u32>,
) -> Result<Exported, StoreError> {
    let mut out =
        export_statements_page(store, policies, options, since, None, until, limit).await?;
    let acted = match store.reviewed_notices_acted(since, until).await {
        Ok(acted) => acted,
        Err(NoticeError::Store(e)) => return Err(e),
        Err(e) => {
            out.refused
                .push(("notices".to_owned(), format!("cannot be read: {e}")));
            Vec::new()
        }
    };
    for notice in &acted {
        out.decisions += 1;
        match crate::notice_statement(store, policies.current, options, notice).await {
            Ok(s) => out.statements.push(s),
            Err(e) => out
                .refused
                .push((format!("notice {}", notice.id), e.to_string())),
        }
    }
    Ok(out)
}

/// As [`export_statements`], one page: with `after`, decisions taken in
/// the millisecond of `since` are skipped up to and including that id, so a
/// page can start right after the last decision of the previous one even
/// when several share its millisecond (the store's resolution).
pub async fn export_statements_page(
    store: &Store,
    policies: &PolicySource<'_>,
    options: &StatementOptions,
    since: Option<OffsetDateTime>,
    after: Option<DecisionId>,
    until: Option<OffsetDateTime>,
    limit: Option<u32>,
) -> Result<Exported, StoreError> {
    // Pages follow the store's order (millisecond, then id), which a
    // cursor must match: ids and nanoseconds can disagree within a
    // millisecond when scans run at once.
    let skip = |d: &vigil_core::Decision| match (since, after) {
        (Some(t), Some(id)) => (unix_ms(d.decided_at), d.id) <= (unix_ms(t), id),
        _ => false,
    };
    // Fetch more than the page until enough remain after the skipped ones
    // (or the window is exhausted).
    let mut fetch = limit;
    let decisions = loop {
        let mut decisions = Vec::new();
        let mut exhausted = true;
        for action in [Action::Restrict, Action::Block] {
            let got = store
                .list_decisions(&DecisionQuery {
                    since,
                    until,
                    action: Some(action),
                    limit: fetch,
                    order: TimeOrder::OldestFirst,
                })
                .await?;
            exhausted &= fetch.is_none_or(|f| got.len() < f as usize);
            decisions.extend(got);
        }
        decisions.sort_by_key(|d| (unix_ms(d.decided_at), d.id));
        decisions.retain(|d| !skip(d));
        match (limit, fetch) {
            (Some(l), Some(f)) if decisions.len() < l as usize && !exhausted => {
                fetch = Some(f.saturating_mul(2));
            }
            _ => {
                if let Some(l) = limit {
                    decisions.truncate(l as usize);
                }
                break decisions;
            }
        }
    };
    let mut out = Exported {
        statements: Vec::new(),
        refused: Vec::new(),
        decisions: decisions.len(),
        last_decided_at: decisions.last().map(|d| d.decided_at),
        last_id: decisions.last().map(|d| d.id),
    };
    let mut past: HashMap<String, Result<Policy, String>> = HashMap::new();
    for d in &decisions {
        let policy = match d.policy.digest.as_deref() {
            None => Ok(policies.current),
            Some(digest) if Some(digest) == policies.current.version.digest.as_deref() => {
                Ok(policies.current)
            }
            Some(digest) => {
                if !past.contains_key(digest) {
                    let loaded = past_policy(store, digest, policies.base).await?;
                    past.insert(digest.to_owned(), loaded);
                }
                past[digest].as_ref().map_err(Clone::clone)
            }
        };
        let policy = match policy {
            Ok(p) => p,
            Err(why) => {
                out.refused.push((d.id.to_string(), why));
                continue;
            }
        };
        // A rescan's decision was taken because of a notice: the notice is
        // its source, not the platform's own initiative.
        let made = match rescan_source(store, d.id).await? {
            Ok(Some(source)) => statement_for_rescan(d, policy, options, &source),
            Ok(None) => statement_for(d, policy, options),
            Err(why) => {
                out.refused.push((d.id.to_string(), why));
                continue;
            }
        };
        match made {
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

/// Who sent the notice whose rescan took `decision`, if one did; a notice
/// that does not read back is the decision's refusal, not the page's.
async fn rescan_source(
    store: &Store,
    decision: DecisionId,
) -> Result<Result<Option<NoticeSource>, String>, StoreError> {
    match store.notice_for_rescan(decision).await {
        Ok(notice) => Ok(Ok(notice.map(|n| NoticeSource {
            reporter: n.reporter_type,
            name: n.reporter_name,
        }))),
        Err(NoticeError::Store(e)) => Err(e),
        Err(e) => Ok(Err(format!("its notice does not read back: {e}"))),
    }
}

/// A past policy from the store's record, or why it cannot be used.
async fn past_policy(
    store: &Store,
    digest: &str,
    base: Option<&Path>,
) -> Result<Result<Policy, String>, StoreError> {
    let Some(stored) = store.get_policy(digest).await? else {
        return Ok(Err(format!(
            "the policy it was decided under ({digest}) is not recorded in the store"
        )));
    };
    let file = format!("<stored policy {} {}>", stored.name, stored.version);
    Ok(Policy::from_toml_in(&stored.text, &file, base)
        .map(|c| c.policy)
        .map_err(|e| format!("the recorded policy {digest} no longer loads: {e}")))
}

/// Milliseconds since the Unix epoch, rounded down: the store's resolution.
fn unix_ms(t: OffsetDateTime) -> i128 {
    t.unix_timestamp_nanos().div_euclid(1_000_000)
}
