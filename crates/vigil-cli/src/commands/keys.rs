//! `vigil keys create`, `list` and `revoke`: the server's API keys, kept in the store.

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Subcommand;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_cli::home::Home;
use vigil_store::{ApiKey, Scope, Store};

use crate::commands::store::runtime;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print its secret on stdout.
    ///
    /// The secret is the only thing printed on stdout, so that scripts can
    /// capture it, and it is shown this once: only its SHA-256 is stored.
    Create {
        /// What the key may do: scan, review or admin (admin implies the
        /// others). Repeat for several.
        #[arg(long = "scope", value_name = "SCOPE", required = true)]
        scopes: Vec<Scope>,
        /// A name for people: who or what uses the key.
        #[arg(long, default_value = "", hide_default_value = true)]
        name: String,
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
    /// List every key, active and revoked (never their secrets).
    List {
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
    /// Revoke a key at once; its secret authenticates nothing afterwards.
    Revoke {
        /// The key's id (`vk_…`, as `vigil keys list` shows it).
        id: String,
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
}

impl KeysCommand {
    /// The store URL the command names, else the home directory's store.
    fn store_url(&self, home: &Home) -> String {
        let (KeysCommand::Create { store, .. }
        | KeysCommand::List { store }
        | KeysCommand::Revoke { store, .. }) = self;
        home.store_url(store.db.as_deref())
    }
}

pub fn run(home: &Home, command: KeysCommand) -> Result<ExitCode> {
    let url = command.store_url(home);
    runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let outcome = execute(&store, command).await;
        store.close().await;
        outcome
    })
}

async fn execute(store: &Store, command: KeysCommand) -> Result<ExitCode> {
    match command {
        KeysCommand::Create { scopes, name, .. } => {
            let (key, secret) = store.create_api_key(&name, &scopes).await?;
            // Only the secret goes to stdout, so that `$(vigil keys create …)`
            // captures exactly it.
            eprintln!(
                "created API key {} with scopes {}; its secret follows and is not shown again",
                key.id,
                scopes_column(&key)
            );
            println!("{secret}");
        }
        KeysCommand::List { .. } => print_table(&store.list_api_keys().await?),
        KeysCommand::Revoke { id, .. } => {
            if !store.revoke_api_key(&id).await? {
                match store.get_api_key(&id).await? {
                    Some(key) => bail!(
                        "API key {id} was already revoked at {}",
                        time_column(key.revoked_at)
                    ),
                    None => bail!("no API key has the id `{id}`; `vigil keys list` shows them"),
                }
            }
            println!("revoked API key {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(keys: &[ApiKey]) {
    let name_width = keys
        .iter()
        .map(|k| name_column(k).chars().count())
        .max()
        .unwrap_or(0)
        .max("name".len());
    let row = |id: &str, name: &str, scopes: &str, created: &str, revoked: &str| {
        println!("{id:<15}  {name:<name_width$}  {scopes:<18}  {created:<20}  {revoked}");
    };
    row("id", "name", "scopes", "created", "revoked");
    for key in keys {
        row(
            &key.id,
            name_column(key),
            &scopes_column(key),
            &time_column(Some(key.created_at)),
            &time_column(key.revoked_at),
        );
    }
}

fn name_column(key: &ApiKey) -> &str {
    if key.name.is_empty() {
        "-"
    } else {
        &key.name
    }
}

fn scopes_column(key: &ApiKey) -> String {
    key.scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// RFC 3339, or `-` for no time.
fn time_column(t: Option<OffsetDateTime>) -> String {
    t.map_or_else(
        || "-".to_owned(),
        |t| t.format(&Rfc3339).unwrap_or_else(|_| t.to_string()),
    )
}
