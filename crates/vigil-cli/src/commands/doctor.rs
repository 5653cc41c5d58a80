//! `vigil doctor`.

use std::process::ExitCode;

use anyhow::Result;
use vigil_cli::doctor::{examine, Status};
use vigil_cli::home::Home;

pub fn run(home: &Home) -> Result<ExitCode> {
    println!("vigil {}", env!("CARGO_PKG_VERSION"));
    println!("home     {}", home.root().display());
    println!("models   {}", home.model_dir().display());
    let findings = examine(&home.model_dir());
    for f in &findings {
        println!("{f}");
    }
    let missing = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Missing(_)))
        .count();
    println!(
        "{} of {} optional components found; text scanning needs none of them.",
        findings.len() - missing,
        findings.len()
    );
    Ok(ExitCode::SUCCESS)
}
