//! Evaluation metrics for scores against known labels.
//!
//! Every function takes `(score, label)` pairs where the label is *known*;
//! callers drop unknown labels before calling, so an absent label is never
//! counted as a negative. Ties are handled as scikit-learn does: tied scores
//! form one threshold step.
//!
//! ```
//! use vigil_eval::{average_precision, roc_auc};
//!
//! let pairs = [(0.9, true), (0.8, false), (0.7, true), (0.1, false)];
//! assert!((average_precision(&pairs).unwrap() - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
//! assert!((roc_auc(&pairs).unwrap() - 0.75).abs() < 1e-12);
//! ```

mod metrics;

pub use metrics::{average_precision, roc_auc, MetricError};
