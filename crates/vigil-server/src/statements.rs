//! Statements of reasons for the restrictive decisions in a time window:
//! one code path for `GET /v1/statements` and `vigil report sor`.

use time::OffsetDateTime;
use vigil_core::Action;
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
    /// When the last decision read was taken: the next page starts after it.
    pub last_decided_at: Option<OffsetDateTime>,
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
    let mut decisions = Vec::new();
    for action in [Action::Restrict, Action::Block] {
        decisions.extend(
            store
                .list_decisions(&DecisionQuery {
                    since,
                    until,
                    action: Some(action),
                    limit,
                    order: TimeOrder::OldestFirst,
                })
                .await?,
        );
    }
    decisions.sort_by_key(|d| (d.decided_at, d.id));
    if let Some(limit) = limit {
        decisions.truncate(limit as usize);
    }
    let mut out = Exported {
        statements: Vec::new(),
        refused: Vec::new(),
        decisions: decisions.len(),
        last_decided_at: decisions.last().map(|d| d.decided_at),
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
