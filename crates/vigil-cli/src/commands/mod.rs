//! One module per subcommand: its arguments and a `run` that calls the library.

pub mod bank;
pub mod classify;
pub mod data;
pub mod doctor;
pub mod eval;
pub mod from_reviews;
pub mod hash;
pub mod keys;
pub mod models;
pub mod notices;
pub mod policy;
pub mod promote;
pub mod registry;
pub mod report;
pub mod review;
pub mod scan;
pub mod serve;
pub mod store;
pub mod train;
pub mod train_fusion;
pub mod worker;

/// The `--db` flag of the commands that work on the store.
#[derive(Debug, clap::Args)]
pub struct StoreArg {
    /// The store: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// A progress bar on stderr when it is a terminal; `None` otherwise (CI, pipes).
pub fn progress_bar(len: u64, unit: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(len);
        let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} {{per_sec}} eta {{eta}}");
        bar.set_style(
            indicatif::ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}
