//! The audit record of a report figure: the query that produced it, the
//! values bound to it, how its rows were counted and how many it read.
//! The online report and the transparency report carry the same record,
//! so one reader follows any figure of either back to the store.

use serde::Serialize;

/// One value bound to a query, named for what it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoundParam {
    /// The placeholder, e.g. `$1`.
    pub placeholder: String,
    /// What it holds, e.g. `since_unix_ms`.
    pub name: &'static str,
    /// The value; `null` when a filter is off.
    pub value: serde_json::Value,
}

/// One query a report ran: run `sql` with `params` on the same store and
/// count its rows by `rule` to get the figure again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryRecord {
    /// A stable name, which figures refer to.
    pub name: &'static str,
    /// The SQL text exactly as it ran.
    pub sql: &'static str,
    /// The bound values, in placeholder order.
    pub params: Vec<BoundParam>,
    /// How the rows were counted into figures.
    pub rule: &'static str,
    /// How many rows the query returned.
    pub rows_read: usize,
}

/// The `n`th bound value (`$n`).
pub(crate) fn param(n: usize, name: &'static str, value: serde_json::Value) -> BoundParam {
    BoundParam {
        placeholder: format!("${n}"),
        name,
        value,
    }
}
