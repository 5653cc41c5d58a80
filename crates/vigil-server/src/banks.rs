//! The hash banks the engine matches against: read from the store, indexed,
//! and rebuilt when the store's banks change.

use std::sync::Arc;
use std::time::Duration;

use vigil_engine::{BankEntryInfo, Banks, Engine};
use vigil_store::{BankKind, Store};

use crate::log;

/// Every enabled entry of every bank, indexed, at the store's current banks
/// version.
pub async fn load_banks(store: &Store) -> Result<Banks, String> {
    let version = store.banks_version().await.map_err(|e| e.to_string())?;
    let kinds: std::collections::HashMap<String, BankKind> = store
        .list_banks()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|b| (b.name, b.kind))
        .collect();
    let mut entries = Vec::new();
    for e in store
        .all_enabled_entries()
        .await
        .map_err(|e| e.to_string())?
    {
        let hash = e
            .hash
            .parse()
            .map_err(|err| format!("bank {} entry #{}: {err}", e.bank, e.id))?;
        entries.push((
            hash,
            BankEntryInfo {
                negative: kinds.get(&e.bank) == Some(&BankKind::Negative),
                bank: e.bank,
                entry: e.id,
                label: e.label,
                source: e.source,
            },
        ));
    }
    tokio::task::spawn_blocking(move || Banks::build(entries, version))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// What is wrong between the policy's `[banks.NAME]` and the store's banks:
/// a bank the policy names that does not exist, or whose kind disagrees.
pub async fn check_policy_banks(store: &Store, policy: &vigil_policy::Policy) -> Vec<String> {
    let Ok(banks) = store.list_banks().await else {
        return vec!["cannot list the store's hash banks".to_owned()];
    };
    let mut problems = Vec::new();
    for used in &policy.banks {
        match banks.iter().find(|b| b.name == used.name) {
            None => problems.push(format!(
                "the policy uses hash bank `{}`, which the store does not have (create it with `vigil bank create`)",
                used.name
            )),
            Some(b) if used.suppress && b.kind != BankKind::Negative => problems.push(format!(
                "the policy suppresses with bank `{}`, but it is a positive bank",
                used.name
            )),
            Some(b) if !used.suppress && b.kind == BankKind::Negative => problems.push(format!(
                "the policy signals `{}` from bank `{}`, but it is a negative bank",
                used.category.map_or("?", |c| c.as_str()),
                used.name
            )),
            Some(_) => {}
        }
    }
    problems
}

/// Rebuilds the engine's bank index whenever the store's banks change.
pub(crate) async fn watch_banks(engine: Arc<Engine>, store: Store, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Ok(version) = store.banks_version().await else {
            continue;
        };
        if version == engine.banks().version() {
            continue;
        }
        match load_banks(&store).await {
            Ok(banks) => {
                log(
                    "info",
                    format_args!(
                        "hash banks reloaded: {} entries at version {}",
                        banks.len(),
                        banks.version()
                    ),
                );
                engine.replace_banks(banks);
            }
            Err(e) => log("error", format_args!("hash banks not reloaded: {e}")),
        }
    }
}
