//! `vigil bank`: hash banks of known-bad (positive) and known-benign
//! (negative) PDQ hashes, kept in the store; import and export as hash-list
//! files (`hash_list`).

mod hash_list;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_cli::home::Home;
use vigil_image::PdqHash;
use vigil_store::{Bank, BankEntry, BankKind, NewEntry, Store};

use crate::commands::store::runtime;

/// Bad lines listed before the rest are only counted.
const BAD_LINES_SHOWN: usize = 20;

#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Create an empty bank (positive, known-bad, unless --negative).
    Create {
        /// The bank's name: 1 to 64 of a-z, 0-9, `_` and `-`; the policy's
        /// `[banks.NAME]` names it so.
        name: String,
        /// A bank of known-benign content: a match suppresses positive
        /// matches instead of signalling.
        #[arg(long)]
        negative: bool,
        /// Free text for people.
        #[arg(long, default_value = "", hide_default_value = true)]
        description: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Add hashes (64 hex digits each), given as arguments or in a file;
    /// a hash the bank holds already is left as it is.
    Add {
        /// The bank.
        name: String,
        /// The hashes.
        #[arg(value_name = "HASH", required_unless_present = "file")]
        hashes: Vec<String>,
        /// A hash-list file too: one hash a line, `#` comments (the format
        /// of `vigil bank import`).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// Where the hashes came from (default: the file's name, if any).
        #[arg(long)]
        source: Option<String>,
        /// What they are.
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Remove one hash from a bank.
    Remove {
        /// The bank.
        name: String,
        /// The hash.
        hash: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Keep a hash in its bank but stop matching it.
    Disable {
        /// The bank.
        name: String,
        /// The hash.
        hash: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Match a disabled hash again.
    Enable {
        /// The bank.
        name: String,
        /// The hash.
        hash: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// List the banks with their kinds and counts; with NAME, that bank's entries.
    List {
        /// A bank whose entries to list.
        name: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Write a bank as a hash-list file: `hash,label,source,added_at,enabled`
    /// rows under a `#` header naming the columns.
    Export {
        /// The bank.
        name: String,
        /// The file to write (default: stdout).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Add every hash of a hash-list file (ThreatExchange's: `HASH`,
    /// `HASH,more,...` or `HASH<TAB>label` lines, `#` comments), or nothing
    /// if any line is bad.
    Import {
        /// The bank.
        name: String,
        /// The file.
        file: PathBuf,
        /// The source of lines that name none (default: the file's name).
        #[arg(long)]
        source: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
}

#[derive(Debug, clap::Args)]
pub struct StoreArg {
    /// The store: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
}

impl BankCommand {
    /// The store URL the command names, else the home directory's store.
    fn store_url(&self, home: &Home) -> String {
        let (BankCommand::Create { store, .. }
        | BankCommand::Add { store, .. }
        | BankCommand::Remove { store, .. }
        | BankCommand::Disable { store, .. }
        | BankCommand::Enable { store, .. }
        | BankCommand::List { store, .. }
        | BankCommand::Export { store, .. }
        | BankCommand::Import { store, .. }) = self;
        store
            .db
            .clone()
            .unwrap_or_else(|| home.store_path().display().to_string())
    }
}

pub fn run(home: &Home, command: BankCommand) -> Result<ExitCode> {
    let url = command.store_url(home);
    runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let outcome = execute(&store, command).await;
        store.close().await;
        outcome
    })
}

async fn execute(store: &Store, command: BankCommand) -> Result<ExitCode> {
    match command {
        BankCommand::Create {
            name,
            negative,
            description,
            ..
        } => {
            let kind = if negative {
                BankKind::Negative
            } else {
                BankKind::Positive
            };
            store.create_bank(&name, kind, &description).await?;
            println!("created {kind} bank {name}");
        }
        BankCommand::Add {
            name,
            hashes,
            file,
            source,
            label,
            ..
        } => {
            let mut entries = argument_entries(&hashes, source.as_deref(), label.as_deref())?;
            if let Some(file) = &file {
                entries.extend(file_entries(file, source.as_deref(), label.as_deref())?);
            }
            add(store, &name, &entries).await?;
        }
        BankCommand::Import {
            name, file, source, ..
        } => {
            let entries = file_entries(&file, source.as_deref(), None)?;
            add(store, &name, &entries).await?;
        }
        BankCommand::Remove { name, hash, .. } => {
            let hash = argument_hash(&hash)?;
            if !store.remove_bank_entry(&name, &hash).await? {
                bail!("bank {name} holds no hash {hash}");
            }
            println!("removed {hash} from bank {name}");
        }
        BankCommand::Disable { name, hash, .. } => set_enabled(store, &name, &hash, false).await?,
        BankCommand::Enable { name, hash, .. } => set_enabled(store, &name, &hash, true).await?,
        BankCommand::List { name: None, .. } => print_banks(&store.list_banks().await?),
        BankCommand::List {
            name: Some(name), ..
        } => {
            let bank = known_bank(store, &name).await?;
            print_entries(&bank, &store.bank_entries(&name).await?);
        }
        BankCommand::Export { name, out, .. } => {
            let bank = known_bank(store, &name).await?;
            let entries = store.bank_entries(&name).await?;
            match &out {
                Some(path) => {
                    let file = std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    hash_list::write(file, &bank, &entries)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    println!(
                        "exported {} entries of bank {name} to {}",
                        entries.len(),
                        path.display()
                    );
                }
                None => hash_list::write(std::io::stdout().lock(), &bank, &entries)
                    .context("cannot write the export to stdout")?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Adds `entries` in one transaction and says what happened.
async fn add(store: &Store, bank: &str, entries: &[NewEntry]) -> Result<()> {
    let outcome = store.add_bank_entries(bank, entries).await?;
    println!(
        "bank {bank}: added {}, already present {}",
        outcome.added, outcome.already_present
    );
    Ok(())
}

async fn set_enabled(store: &Store, bank: &str, hash: &str, enabled: bool) -> Result<()> {
    let hash = argument_hash(hash)?;
    if !store.set_entry_enabled(bank, &hash, enabled).await? {
        bail!("bank {bank} holds no hash {hash}");
    }
    let done = if enabled { "enabled" } else { "disabled" };
    println!("{done} {hash} in bank {bank}");
    Ok(())
}

async fn known_bank(store: &Store, name: &str) -> Result<Bank> {
    match store.get_bank(name).await? {
        Some(bank) => Ok(bank),
        None => bail!("no bank is named `{name}`; `vigil bank list` shows them"),
    }
}

/// A hash given on the command line, in lower-case hex.
fn argument_hash(text: &str) -> Result<String> {
    Ok(text.trim().parse::<PdqHash>()?.to_hex())
}

/// Entries for hashes given on the command line; a bad one names its place.
fn argument_entries(
    hashes: &[String],
    source: Option<&str>,
    label: Option<&str>,
) -> Result<Vec<NewEntry>> {
    let source = one_line("--source", source)?;
    let label = one_line("--label", label)?;
    hashes
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let hash = argument_hash(text)
                .with_context(|| format!("hash {} of {}", i + 1, hashes.len()))?;
            Ok(NewEntry {
                source: source.to_owned(),
                label: label.to_owned(),
                ..NewEntry::new(hash)
            })
        })
        .collect()
}

/// Entries for every hash of a hash-list file, or every bad line's place
/// and problem. A line's own label and source come first; the defaults
/// fill the gaps, and the file's name is the last default source.
fn file_entries(path: &Path, source: Option<&str>, label: Option<&str>) -> Result<Vec<NewEntry>> {
    let default_source = match one_line("--source", source)? {
        "" => file_name(path),
        given => given.to_owned(),
    };
    let default_label = one_line("--label", label)?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let hashes = hash_list::parse(&text).map_err(|bad| {
        let mut message = bad
            .iter()
            .take(BAD_LINES_SHOWN)
            .map(|b| format!("{}:{}: {}", path.display(), b.line, b.message))
            .collect::<Vec<_>>()
            .join("\n");
        if bad.len() > BAD_LINES_SHOWN {
            message.push_str(&format!("\n… and {} more", bad.len() - BAD_LINES_SHOWN));
        }
        anyhow::anyhow!(
            "{message}\n{} bad line{} in {}; nothing was added",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" },
            path.display()
        )
    })?;
    Ok(hashes
        .into_iter()
        .map(|listed| NewEntry {
            hash: listed.hash.to_hex(),
            source: listed.source.unwrap_or_else(|| default_source.clone()),
            label: listed.label.unwrap_or_else(|| default_label.to_owned()),
            enabled: listed.enabled.unwrap_or(true),
        })
        .collect())
}

/// A flag's value if it is one line (an export writes one row per entry),
/// else an error; empty when absent.
fn one_line<'a>(flag: &str, value: Option<&'a str>) -> Result<&'a str> {
    let value = value.unwrap_or_default();
    if value.contains(['\n', '\r']) {
        bail!("{flag} must be one line");
    }
    Ok(value)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn print_banks(banks: &[Bank]) {
    let name_width = banks
        .iter()
        .map(|b| b.name.len())
        .max()
        .unwrap_or(0)
        .max("name".len());
    let row = |name: &str, kind: &str, entries: &str, enabled: &str, created: &str, about: &str| {
        println!(
            "{name:<name_width$}  {kind:<8}  {entries:>7}  {enabled:>7}  {created:<20}  {about}"
        );
    };
    row(
        "name",
        "kind",
        "entries",
        "enabled",
        "created",
        "description",
    );
    for bank in banks {
        row(
            &bank.name,
            bank.kind.as_str(),
            &bank.entries.to_string(),
            &bank.enabled.to_string(),
            &time_column(bank.created_at),
            &bank.description,
        );
    }
}

fn print_entries(bank: &Bank, entries: &[BankEntry]) {
    println!(
        "bank {} ({}): {} entries, {} enabled{}",
        bank.name,
        bank.kind,
        bank.entries,
        bank.enabled,
        if bank.description.is_empty() {
            String::new()
        } else {
            format!("; {}", bank.description)
        }
    );
    let id_width = entries
        .iter()
        .map(|e| e.id.to_string().len())
        .max()
        .unwrap_or(0)
        .max("id".len());
    let row = |id: &str, hash: &str, enabled: &str, added: &str, source: &str, label: &str| {
        println!("{id:>id_width$}  {hash:<64}  {enabled:<7}  {added:<20}  {source}  {label}");
    };
    row("id", "hash", "enabled", "added", "source", "label");
    for e in entries {
        row(
            &e.id.to_string(),
            &e.hash,
            if e.enabled { "yes" } else { "no" },
            &time_column(e.added_at),
            dash_if_empty(&e.source),
            dash_if_empty(&e.label),
        );
    }
}

fn dash_if_empty(text: &str) -> &str {
    if text.is_empty() {
        "-"
    } else {
        text
    }
}

fn time_column(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}
