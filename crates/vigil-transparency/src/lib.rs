//! The EU Digital Services Act transparency report (docs/transparency-report.md).
//!
//! A [`Period`] (`2026-H2`) names the span; [`build`] asks the store for
//! each section's figures (own-initiative actions, notices and orders,
//! complaints, automated means) and joins them with the [`Facts`] the
//! store cannot know; [`write`] puts one CSV per section, `report.json`
//! (every figure with the query that produced it) and a self-contained
//! `index.html` in a folder. The CLI (`vigil report transparency`) and any
//! server route are thin layers over these two calls.
//!
//! Outcomes count as of the report's `as_of` instant, which the report
//! records: building again later with the same period and `as_of` gives the
//! same figures, as long as retention has not removed the rows read.

mod accuracy;
pub mod annex;
mod facts;
mod html;
pub mod online;
mod period;
mod report;
mod write;

use std::path::PathBuf;

pub use accuracy::{AccuracySection, AccuracySlice};
pub use annex::{annex, Annex, AnnexTable, ANNEX_DIR};
pub use facts::{Facts, FactsSource};
pub use period::{Period, PeriodError};
pub use report::{build, AutomatedMeansFigure, TransparencyReport};
pub use write::{write, write_annex};

/// The report could not be built or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The store failed under a query.
    #[error(transparent)]
    Store(#[from] vigil_store::StoreError),
    /// The online figures of the accuracy section could not be built.
    #[error("cannot build the accuracy section")]
    Online(#[from] online::OnlineReportError),
    /// The facts file does not read as facts.
    #[error("facts file `{}`: {reason}", path.display())]
    Facts {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("cannot access `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// A CSV file could not be written.
    #[error("cannot write `{}`", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The failure.
        #[source]
        source: csv::Error,
    },
    /// `as_of` is not after the period's start: nothing of it has happened.
    #[error(
        "as_of {as_of} is not after the start of the period ({start}): there is nothing to report"
    )]
    AsOfBeforeStart {
        /// The instant given.
        as_of: String,
        /// The period's start.
        start: String,
    },
}
