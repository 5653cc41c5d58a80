//! Vigil's data sets: the canonical on-disk form, importers that turn public
//! data sets into it, deterministic splits, and label statistics.
//!
//! A data set is a folder holding `dataset.toml`, a [`Manifest`] (name,
//! licence, [`Provenance`], [`LabelSchema`], [`Counts`] and the digest of the
//! items), and `items.jsonl`, one [`Record`] a line: a
//! [`vigil_core::Item`] with its [`vigil_core::Labels`] and its [`Split`].
//! A label that is absent is *unknown*, never negative.
//!
//! - [`Dataset::open`] reads a folder and checks everything: the manifest's
//!   shape and consistency, the items' digest, every line, unique ids.
//! - [`Dataset::write`] writes one, renaming temporary files into place.
//! - [`import`] reads a public set ([`ImportKind`]) and writes its canonical
//!   form; malformed rows are skipped and listed, or fail the import
//!   ([`OnMalformed`]), never dropped silently. The label mapping of each
//!   importer is documented in its module and in `docs/datasets.md`.
//! - [`Split::for_id`] puts an item in train, validation or test from its id
//!   alone (80/10/10 by SHA-256).
//! - [`stats`] counts known and positive labels per split and category.
//!
//! ```
//! use vigil_core::{Category, Item, Labels};
//! use vigil_data::{Counts, Dataset, LabelSchema, Manifest, Provenance, Record, Split};
//!
//! let dir = tempfile::tempdir()?;
//! let record = Record {
//!     item: Item::text("seed-1", "buy cheap followers now"),
//!     labels: Labels::new().with(Category::SpamScam, true),
//!     split: Split::for_id("seed-1"),
//! };
//! let mut dataset = Dataset {
//!     manifest: Manifest {
//!         name: "seed".into(),
//!         version: "1".into(),
//!         license: "CC0-1.0".into(),
//!         description: "Hand-written examples.".into(),
//!         items_sha256: String::new(), // filled in by `write`
//!         provenance: Provenance {
//!             importer: "hand".into(),
//!             upstream: "none".into(),
//!             sources: vec![],
//!         },
//!         labels: LabelSchema {
//!             covered: vec![], // filled in by `write`
//!             mapping: [(Category::SpamScam, "written as spam -> 1".to_owned())].into(),
//!         },
//!         counts: Counts { rows_read: 1, ..Counts::default() },
//!     },
//!     records: vec![record],
//! };
//! dataset.write(dir.path())?;
//!
//! let stats = vigil_data::stats(dir.path())?;
//! assert_eq!(stats.all().label(Category::SpamScam).positive, 1);
//! print!("{stats}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod dataset;
mod error;
mod import;
mod manifest;
mod record;
mod stats;

pub use dataset::{Dataset, ITEMS_FILE, MANIFEST_FILE};
pub use error::DataError;
pub use import::{
    import, ImportKind, ImportReport, Malformed, MalformedReason, Note, OnMalformed,
    UnknownImportKind, IMPORT_VERSION,
};
pub use manifest::{Counts, LabelSchema, Manifest, Provenance, SourceFile, SplitCounts};
pub use record::{Record, Split, UnknownSplit};
pub use stats::{stats, LabelCount, SplitStats, Stats};
