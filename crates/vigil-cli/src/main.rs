//! `vigil`: parse the command line, call the library, print the result.
//! Each subcommand lives in `commands/`, as thin as it can be.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use vigil_cli::home::Home;

use commands::{
    bank, classify, data, doctor, eval, hash, keys, models, notices, policy, promote, report,
    review, scan, serve, store, train, worker,
};

/// Vigil: a self-hosted trust & safety scanner.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about)]
struct Cli {
    /// Vigil's data directory (store, model cache). Default: $VIGIL_HOME,
    /// else $XDG_DATA_HOME/vigil, else ~/.local/share/vigil.
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with policy files.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Canonical data sets: import public sets, show statistics.
    #[command(subcommand)]
    Data(data::DataCommand),
    /// Train a model.
    #[command(subcommand)]
    Train(train::TrainCommand),
    /// Score canonical data set items with a text model.
    Classify(classify::ClassifyArgs),
    /// Measure a text model per category against a policy's thresholds and
    /// obligations; write report.json, report.html and report.md.
    Eval(eval::EvalArgs),
    /// Choose thresholds from the policy's obligations on a labelled split;
    /// write the policy with them (comments kept) and report infeasible ones.
    Calibrate(eval::CalibrateArgs),
    /// The model registry: list models, register a trained folder, and
    /// compare a candidate run in shadow with the decisions taken.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Judge a registered candidate on the golden set and make it the
    /// active model only if every policy obligation holds and no category
    /// is worse than the active model; otherwise record why it was refused
    /// and exit non-zero.
    Promote(promote::PromoteArgs),
    /// The embedded store (decision log).
    #[command(subcommand)]
    Store(store::StoreCommand),
    /// Run the scanning service (HTTP API, decision log, statements, metrics).
    Serve(serve::ServeArgs),
    /// Scan the jobs `vigil serve` queues (long audio and video) until
    /// stopped, beside or instead of the server's own workers.
    Worker(worker::WorkerArgs),
    /// Decide image files or a text with the service's engine, and log the decisions.
    Scan(scan::ScanArgs),
    /// Regulatory reports: DSA statements of reasons.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// API keys for the server: create (the secret is shown once), list, revoke.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Hash banks of known-bad and known-benign images (PDQ), videos (vPDQ)
    /// and audio (Chromaprint): create, add, remove, disable, list, import
    /// and export.
    #[command(subcommand)]
    Bank(bank::BankCommand),
    /// The human review queue: list it, mix in gold items, measure reviewers.
    #[command(subcommand)]
    Review(review::ReviewCommand),
    /// DSA notices (Art. 16): import a JSON Lines file of them.
    #[command(subcommand)]
    Notices(notices::NoticesCommand),
    /// Report which optional outside components are present.
    Doctor,
    /// Print PDQ hashes of image files (one tab-separated line per hash).
    Hash(hash::HashArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let home = Home::resolve(cli.home);
    match cli.command {
        Command::Policy(c) => policy::run(c),
        Command::Data(c) => data::run(&home, c),
        Command::Train(c) => train::run(&home, c),
        Command::Classify(a) => classify::run(&home, a),
        Command::Eval(a) => eval::run(&home, a),
        Command::Calibrate(a) => eval::calibrate(&home, a),
        Command::Models(c) => models::run(&home, c),
        Command::Promote(a) => promote::run(&home, a),
        Command::Store(c) => store::run(&home, c),
        Command::Keys(c) => keys::run(&home, c),
        Command::Bank(c) => bank::run(&home, c),
        Command::Serve(a) => serve::run(&home, a),
        Command::Scan(a) => scan::run(&home, a),
        Command::Worker(a) => worker::run(&home, a),
        Command::Report(c) => report::run(&home, c),
        Command::Review(c) => review::run(&home, c),
        Command::Notices(c) => notices::run(&home, c),
        Command::Doctor => doctor::run(&home),
        Command::Hash(a) => hash::run(a),
    }
}
