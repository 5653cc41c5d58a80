//! `vigil policy check`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use vigil_policy::Policy;

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate a policy file; print every problem with its line and column.
    Check {
        /// The policy TOML file.
        file: PathBuf,
    },
}

pub fn run(command: PolicyCommand) -> Result<ExitCode> {
    match command {
        PolicyCommand::Check { file } => check(&file),
    }
}

fn check(file: &Path) -> Result<ExitCode> {
    match Policy::load(file) {
        Ok(checked) => {
            for w in &checked.warnings {
                eprintln!("{w}");
            }
            let p = &checked.policy;
            println!(
                "{}: ok — policy {} {} ({} categories, {} obligations, {} warnings)",
                file.display(),
                p.version.name,
                p.version.version,
                p.categories.len(),
                p.obligations.len(),
                checked.warnings.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprintln!("{errors}");
            Ok(ExitCode::FAILURE)
        }
    }
}
