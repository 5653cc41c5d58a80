//! `vigil data import`, `obfuscate`, `stats` and `from-reviews`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use vigil_data::{ImportKind, OnMalformed};

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Turn a public data set into canonical form (docs/datasets.md).
    Import {
        /// davidson, ethos, toxicchat, sms-spam, xstest, hatecheck or toxigen.
        kind: ImportKind,
        /// The source folder or file.
        src: PathBuf,
        /// The data set folder to write.
        #[arg(long)]
        out: PathBuf,
        /// What to do with a malformed source row: skip it (reported and
        /// counted in the manifest) or fail the import.
        #[arg(long, value_enum, default_value_t = MalformedFlag::Skip)]
        on_malformed: MalformedFlag,
    },
    /// Write an adversarial copy: every text obfuscated (leetspeak,
    /// homoglyphs, zero-width characters, spacing), labels and splits unchanged.
    Obfuscate {
        /// A data set folder.
        dir: PathBuf,
        /// The copy's folder.
        #[arg(long)]
        out: PathBuf,
        /// Seed of the attack.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Known and positive label counts per split and category.
    Stats {
        /// A data set folder.
        dir: PathBuf,
    },
    /// Write the items people reviewed as a canonical data set: adjudicated
    /// labels, reviewer ids hashed, review times, the models that routed
    /// each item (docs/review.md). Gold items are left out.
    FromReviews(crate::commands::from_reviews::FromReviewsArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum MalformedFlag {
    Skip,
    Fail,
}

pub fn run(home: &vigil_cli::home::Home, command: DataCommand) -> Result<ExitCode> {
    match command {
        DataCommand::Import {
            kind,
            src,
            out,
            on_malformed,
        } => {
            let on_malformed = match on_malformed {
                MalformedFlag::Skip => OnMalformed::Skip,
                MalformedFlag::Fail => OnMalformed::Fail,
            };
            let report = vigil_data::import(kind, &src, &out, on_malformed)?;
            println!("{report}");
        }
        DataCommand::Obfuscate { dir, out, seed } => {
            let dataset = vigil_data::Dataset::open(&dir)?;
            let mut copy = vigil_text::adversarial::adversarial_copy(&dataset, seed);
            copy.write(&out)?;
            println!(
                "{}: {} items obfuscated -> {}",
                copy.manifest.name,
                copy.records.len(),
                out.display()
            );
        }
        DataCommand::Stats { dir } => print!("{}", vigil_data::stats(&dir)?),
        DataCommand::FromReviews(args) => return crate::commands::from_reviews::run(home, args),
    }
    Ok(ExitCode::SUCCESS)
}
