//! The evaluation report: its data ([`EvalReport`], the stable schema of
//! `report.json`, documented in `docs/eval-report.md`) and its renderings —
//! a self-contained HTML page with plots ([`render_html`]), a Markdown
//! summary ([`render_markdown`]) and the plots alone as SVG
//! ([`pr_curve_svg`], [`roc_curve_svg`], [`reliability_svg`]).
//!
//! Computing the figures is the job of the rest of the crate; this module
//! only writes them down. Nothing here does I/O: every function returns a
//! `String` for the caller to write where it likes.
//!
//! ```
//! use vigil_eval::report::{render_html, render_markdown, EvalReport};
//!
//! let report = EvalReport {
//!     model: "text-linear".into(),
//!     model_version: "3".into(),
//!     policy: "default".into(),
//!     policy_version: "1".into(),
//!     datasets: vec![],
//!     split: "test".into(),
//!     created_at: "2025-01-31T12:00:00Z".into(),
//!     categories: vec![],
//! };
//! let json = report.to_json();
//! assert_eq!(EvalReport::from_json(&json).unwrap(), report);
//! assert!(render_html(&report).contains("text-linear"));
//! assert!(render_markdown(&report).contains("text-linear"));
//! ```

mod escape;
mod figures;
mod html;
mod markdown;
mod model;
mod svg;

pub use escape::escape_html;
pub use html::render_html;
pub use markdown::render_markdown;
pub use model::{
    CategoryReport, DatasetRef, Estimate, EvalReport, ObligationVerdict, ReliabilityPoint,
    ReportJsonError, SliceReport, ThresholdReport,
};
pub use svg::{pr_curve_svg, reliability_svg, roc_curve_svg};
