//! What `vigil bank list` prints: the banks as a table, and one bank's
//! entries (image hashes in full; a video or audio entry by its size and
//! the start of its SHA-256).

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_store::{Bank, BankEntry, BankMedia, MediaEntry};

pub fn print_banks(banks: &[Bank]) {
    let name_width = banks
        .iter()
        .map(|b| b.name.len())
        .max()
        .unwrap_or(0)
        .max("name".len());
    let row = |columns: [&str; 7]| {
        let [name, kind, entries, enabled, media, created, about] = columns;
        println!(
            "{name:<name_width$}  {kind:<8}  {entries:>7}  {enabled:>7}  {media:<5}  \
             {created:<20}  {about}"
        );
    };
    row([
        "name",
        "kind",
        "entries",
        "enabled",
        "media",
        "created",
        "description",
    ]);
    for bank in banks {
        row([
            &bank.name,
            bank.kind.as_str(),
            &bank.entries.to_string(),
            &bank.enabled.to_string(),
            bank.media.as_str(),
            &time_column(bank.created_at),
            &bank.description,
        ]);
    }
}

/// The line above a bank's entries.
fn print_bank_heading(bank: &Bank) {
    let media = match bank.media {
        BankMedia::Image => String::new(),
        media => format!(" {media}"),
    };
    println!(
        "bank {} ({}{media}): {} entries, {} enabled{}",
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
}

pub fn print_entries(bank: &Bank, entries: &[BankEntry]) {
    print_bank_heading(bank);
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

/// A video or audio bank's entries: the hash itself is too long to show,
/// so its size and the start of its SHA-256 stand for it.
pub fn print_media_entries(bank: &Bank, entries: &[MediaEntry]) {
    print_bank_heading(bank);
    let id_width = entries
        .iter()
        .map(|e| e.id.to_string().len())
        .max()
        .unwrap_or(0)
        .max("id".len());
    let parts = if bank.media == BankMedia::Video {
        "frames"
    } else {
        "values"
    };
    let row = |columns: [&str; 8]| {
        let [id, enabled, added, duration, size, digest, source, label] = columns;
        println!(
            "{id:>id_width$}  {enabled:<7}  {added:<20}  {duration:>10}  {size:>6}  {digest:<16}  \
             {source}  {label}"
        );
    };
    row([
        "id",
        "enabled",
        "added",
        "duration_s",
        parts,
        "sha256",
        "source",
        "label",
    ]);
    for e in entries {
        let size = match e.media {
            BankMedia::Video => e.content.lines().count(),
            _ => e.content.split(',').count(),
        };
        row([
            &e.id.to_string(),
            if e.enabled { "yes" } else { "no" },
            &time_column(e.added_at),
            &format!("{:.3}", e.duration_s),
            &size.to_string(),
            e.content_digest.get(..16).unwrap_or(&e.content_digest),
            dash_if_empty(&e.source),
            dash_if_empty(&e.label),
        ]);
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
