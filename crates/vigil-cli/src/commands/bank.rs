//! `vigil bank`: hash banks of known-bad (positive) and known-benign
//! (negative) content, kept in the store. Image banks hold PDQ hashes,
//! imported and exported as hash-list files (`hash_list`); video and audio
//! banks hold one vPDQ hash or Chromaprint fingerprint per file, made from
//! the files (`media_files`) and imported and exported as JSON Lines
//! (`media_list`).

mod hash_list;
mod listing;
mod media_files;
mod media_list;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use vigil_cli::home::Home;
use vigil_image::PdqHash;
use vigil_store::{Bank, BankKind, BankMedia, NewEntry, NewMediaEntry, Store, UnknownBankMedia};

use self::hash_list::BadLine;

use crate::commands::store::runtime;

/// Bad lines listed before the rest are only counted.
const BAD_LINES_SHOWN: usize = 20;

#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Create an empty bank (positive, known-bad, unless --negative) of
    /// image, video or audio hashes.
    Create {
        /// The bank's name: 1 to 64 of a-z, 0-9, `_` and `-`; the policy's
        /// `[banks.NAME]` names it so.
        name: String,
        /// A bank of known-benign content: a match suppresses positive
        /// matches instead of signalling.
        #[arg(long)]
        negative: bool,
        /// What it holds hashes of: image (PDQ), video (vPDQ) or audio
        /// (Chromaprint).
        #[arg(long, value_name = "image|video|audio", default_value = "image", value_parser = media_arg)]
        media: BankMedia,
        /// Free text for people.
        #[arg(long, default_value = "", hide_default_value = true)]
        description: String,
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
    /// Add to a bank: PDQ hashes (64 hex digits each, as arguments or in a
    /// hash-list file) to an image bank; the hash of each video or audio
    /// FILE to a video or audio bank. What the bank holds already is left
    /// as it is.
    Add {
        /// The bank.
        name: String,
        /// Image bank: the hashes. Video or audio bank: the files to hash
        /// (videos through ffmpeg; WAV, MP3, Ogg, FLAC or M4A audio).
        #[arg(value_name = "HASH|FILE", required_unless_present_any = ["file", "vpdq"])]
        items: Vec<String>,
        /// Image bank: a hash-list file too, one hash a line, `#` comments
        /// (the format of `vigil bank import`).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// Video bank: a reference vPDQ hash file (`frame,quality,hash,time`
        /// lines) to add as one entry; may be repeated.
        #[arg(long, value_name = "FILE")]
        vpdq: Vec<PathBuf>,
        /// Video bank: the ffmpeg program (ffprobe beside it) or a folder
        /// holding both; by default both are looked up on the PATH.
        #[arg(long, value_name = "PATH")]
        ffmpeg: Option<PathBuf>,
        /// Where the hashes came from (default: the file's name, if any).
        #[arg(long)]
        source: Option<String>,
        /// What they are.
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
    /// Remove one hash from a bank: by its hash in an image bank, by its id (`vigil bank
    /// list NAME`) in a video or audio bank.
    Remove {
        /// The bank.
        name: String,
        /// The hash (image bank) or entry id (video or audio bank).
        #[arg(value_name = "HASH|ID")]
        entry: String,
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
    /// Keep a hash in its bank but stop matching it: by its hash in an image bank, by its id (`vigil bank
    /// list NAME`) in a video or audio bank.
    Disable {
        /// The bank.
        name: String,
        /// The hash (image bank) or entry id (video or audio bank).
        #[arg(value_name = "HASH|ID")]
        entry: String,
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
    /// Match a disabled hash again: by its hash in an image bank, by its id (`vigil bank
    /// list NAME`) in a video or audio bank.
    Enable {
        /// The bank.
        name: String,
        /// The hash (image bank) or entry id (video or audio bank).
        #[arg(value_name = "HASH|ID")]
        entry: String,
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
    /// List the banks with their kinds and counts; with NAME, that bank's entries.
    List {
        /// A bank whose entries to list.
        name: Option<String>,
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
    /// Write a bank to a file: an image bank as a hash-list file
    /// (`hash,label,source,added_at,enabled` rows under a `#` header naming
    /// the columns), a video or audio bank as JSON Lines (`content`,
    /// `duration_s`, `label`, `source`, `enabled`).
    Export {
        /// The bank.
        name: String,
        /// The file to write (default: stdout).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
    /// Add every entry of a file, or nothing if any line is bad: for an
    /// image bank a hash-list file (ThreatExchange's: `HASH`,
    /// `HASH,more,...` or `HASH<TAB>label` lines, `#` comments), for a
    /// video or audio bank the JSON Lines that `export` writes.
    Import {
        /// The bank.
        name: String,
        /// The file.
        file: PathBuf,
        /// The source of lines that name none (default: the file's name).
        #[arg(long)]
        source: Option<String>,
        #[command(flatten)]
        store: crate::commands::StoreArg,
    },
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
        home.store_url(store.db.as_deref())
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
            media,
            description,
            ..
        } => {
            let kind = if negative {
                BankKind::Negative
            } else {
                BankKind::Positive
            };
            store
                .create_media_bank(&name, kind, media, &description)
                .await?;
            match media {
                BankMedia::Image => println!("created {kind} bank {name}"),
                media => println!("created {kind} {media} bank {name}"),
            }
        }
        BankCommand::Add {
            name,
            items,
            file,
            vpdq,
            ffmpeg,
            source,
            label,
            ..
        } => match media_of(store, &name).await? {
            BankMedia::Image => {
                if !vpdq.is_empty() {
                    bail!("--vpdq adds to video banks; bank {name} holds image hashes");
                }
                let mut entries = argument_entries(&items, source.as_deref(), label.as_deref())?;
                if let Some(file) = &file {
                    entries.extend(file_entries(file, source.as_deref(), label.as_deref())?);
                }
                add(store, &name, &entries).await?;
            }
            media => {
                if file.is_some() {
                    bail!(
                        "--file reads PDQ hash lists, for image banks; bank {name} holds {media} \
                         hashes: give its {media} files instead"
                    );
                }
                if !vpdq.is_empty() && media != BankMedia::Video {
                    bail!("--vpdq adds to video banks; bank {name} holds {media} hashes");
                }
                let files: Vec<PathBuf> = items.iter().map(PathBuf::from).collect();
                let entries = media_files::entries(
                    media,
                    &files,
                    &vpdq,
                    ffmpeg.as_deref(),
                    source.as_deref(),
                    label.as_deref(),
                )?;
                add_media(store, &name, &entries).await?;
            }
        },
        BankCommand::Import {
            name, file, source, ..
        } => match media_of(store, &name).await? {
            BankMedia::Image => {
                let entries = file_entries(&file, source.as_deref(), None)?;
                add(store, &name, &entries).await?;
            }
            media => {
                let entries = media_list::read_entries(media, &file, source.as_deref())?;
                add_media(store, &name, &entries).await?;
            }
        },
        BankCommand::Remove { name, entry, .. } => match media_of(store, &name).await? {
            BankMedia::Image => {
                let hash = argument_hash(&entry)?;
                if !store.remove_bank_entry(&name, &hash).await? {
                    bail!("bank {name} holds no hash {hash}");
                }
                println!("removed {hash} from bank {name}");
            }
            _ => {
                let id = entry_id(&name, &entry)?;
                if !store.remove_media_entry(&name, id).await? {
                    bail!("bank {name} holds no entry {id}; `vigil bank list {name}` shows them");
                }
                println!("removed entry {id} from bank {name}");
            }
        },
        BankCommand::Disable { name, entry, .. } => {
            set_enabled(store, &name, &entry, false).await?
        }
        BankCommand::Enable { name, entry, .. } => set_enabled(store, &name, &entry, true).await?,
        BankCommand::List { name: None, .. } => listing::print_banks(&store.list_banks().await?),
        BankCommand::List {
            name: Some(name), ..
        } => {
            let bank = known_bank(store, &name).await?;
            match bank.media {
                BankMedia::Image => {
                    listing::print_entries(&bank, &store.bank_entries(&name).await?)
                }
                _ => listing::print_media_entries(&bank, &store.media_entries(&name).await?),
            }
        }
        BankCommand::Export { name, out, .. } => {
            let bank = known_bank(store, &name).await?;
            let (written, count) = match bank.media {
                BankMedia::Image => {
                    let entries = store.bank_entries(&name).await?;
                    let count = entries.len();
                    (
                        export(&out, |w| hash_list::write(w, &bank, &entries)),
                        count,
                    )
                }
                _ => {
                    let entries = store.media_entries(&name).await?;
                    let count = entries.len();
                    (export(&out, |w| media_list::write(w, &entries)), count)
                }
            };
            written?;
            if let Some(path) = &out {
                println!(
                    "exported {count} entries of bank {name} to {}",
                    path.display()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes an export to `out`, or to stdout when there is none.
fn export(
    out: &Option<PathBuf>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    match out {
        Some(path) => {
            let mut file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            write(&mut file).with_context(|| format!("cannot write {}", path.display()))
        }
        None => write(&mut std::io::stdout().lock()).context("cannot write the export to stdout"),
    }
}

/// What bank `name` holds hashes of; an unknown bank is named.
async fn media_of(store: &Store, name: &str) -> Result<BankMedia> {
    Ok(store.bank_media(name).await?)
}

/// `--media`'s value.
fn media_arg(text: &str) -> Result<BankMedia, UnknownBankMedia> {
    text.parse()
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

/// Adds `entries` to a video or audio bank in one transaction and says what
/// happened.
async fn add_media(store: &Store, bank: &str, entries: &[NewMediaEntry]) -> Result<()> {
    let outcome = store.add_media_entries(bank, entries).await?;
    println!(
        "bank {bank}: added {}, already present {}",
        outcome.added, outcome.already_present
    );
    Ok(())
}

/// Enables or disables an entry: by hash in an image bank, by id in a
/// video or audio bank.
async fn set_enabled(store: &Store, bank: &str, entry: &str, enabled: bool) -> Result<()> {
    let done = if enabled { "enabled" } else { "disabled" };
    match media_of(store, bank).await? {
        BankMedia::Image => {
            let hash = argument_hash(entry)?;
            if !store.set_entry_enabled(bank, &hash, enabled).await? {
                bail!("bank {bank} holds no hash {hash}");
            }
            println!("{done} {hash} in bank {bank}");
        }
        _ => {
            let id = entry_id(bank, entry)?;
            if !store.set_media_entry_enabled(bank, id, enabled).await? {
                bail!("bank {bank} holds no entry {id}; `vigil bank list {bank}` shows them");
            }
            println!("{done} entry {id} in bank {bank}");
        }
    }
    Ok(())
}

/// An entry id given on the command line for a video or audio bank.
fn entry_id(bank: &str, text: &str) -> Result<i64> {
    text.trim().parse().map_err(|_| {
        anyhow::anyhow!(
            "`{text}` is not an entry id: entries of video and audio banks are named by \
             their id; `vigil bank list {bank}` shows them"
        )
    })
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
    let hashes = hash_list::parse(&text).map_err(|bad| bad_lines(path, &bad))?;
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

/// Every bad line of `path` as `FILE:LINE: problem` (the first
/// [`BAD_LINES_SHOWN`], then a count), and that nothing was added.
fn bad_lines(path: &Path, bad: &[BadLine]) -> anyhow::Error {
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
