//! Turning an obligation ("precision at least 0.9, shown at 95 %
//! confidence") into a threshold: among the thresholds whose constrained
//! metric has a one-sided Wilson lower bound at or above the minimum, take
//! the one that maximises the free metric; when none qualifies, say how close
//! the best one comes and how many more labelled positives would close the gap.

use std::cmp::Ordering;

use super::{sweep, ConfusionCounts, OperatingPoint};
use crate::intervals::{wilson_bounds, wilson_lower_one_sided, Confidence, InvalidConfidence};
use crate::metrics::MetricError;

/// What an obligation asks of a category's threshold, validated: at least
/// one minimum set, each in `(0, 1)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdObligation {
    min_precision: Option<f64>,
    min_recall: Option<f64>,
    confidence: Confidence,
}

/// Why an obligation cannot be checked against any data.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum InvalidObligation {
    /// Neither a minimum precision nor a minimum recall.
    #[error("the obligation sets neither a minimum precision nor a minimum recall")]
    NothingConstrained,
    /// A minimum outside `(0, 1)`; 1 itself can never be shown from a finite sample.
    #[error("a minimum precision or recall must lie strictly between 0 and 1; it is {0}")]
    MinimumOutOfRange(f64),
    /// The confidence level is not strictly between 0 and 1.
    #[error(transparent)]
    Confidence(#[from] InvalidConfidence),
}

impl ThresholdObligation {
    /// Checks and builds an obligation.
    pub fn new(
        min_precision: Option<f64>,
        min_recall: Option<f64>,
        confidence: f64,
    ) -> Result<Self, InvalidObligation> {
        if min_precision.is_none() && min_recall.is_none() {
            return Err(InvalidObligation::NothingConstrained);
        }
        for m in min_precision.into_iter().chain(min_recall) {
            if !(m > 0.0 && m < 1.0) {
                return Err(InvalidObligation::MinimumOutOfRange(m));
            }
        }
        Ok(Self {
            min_precision,
            min_recall,
            confidence: Confidence::new(confidence)?,
        })
    }

    /// The minimum precision, if constrained.
    pub fn min_precision(&self) -> Option<f64> {
        self.min_precision
    }

    /// The minimum recall, if constrained.
    pub fn min_recall(&self) -> Option<f64> {
        self.min_recall
    }

    /// The confidence level of the one-sided lower bounds.
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }
}

/// One-sided Wilson lower bounds at a threshold (`None` where the proportion
/// is undefined: precision when nothing is flagged).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LowerBounds {
    /// Lower bound on precision.
    pub precision: Option<f64>,
    /// Lower bound on recall.
    pub recall: Option<f64>,
}

/// The outcome of [`choose_threshold`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ThresholdChoice {
    /// Some threshold meets every constrained minimum at its lower bound.
    Feasible {
        /// The chosen threshold (an observed score; flag `score >= threshold`).
        threshold: f64,
        /// Observed precision there.
        precision: f64,
        /// Observed recall there.
        recall: f64,
        /// Lower bounds on both metrics there.
        lower_bounds: LowerBounds,
        /// Counts there.
        counts: ConfusionCounts,
    },
    /// No threshold meets the obligation on this data.
    Infeasible {
        /// The threshold that comes closest: the smallest worst shortfall.
        at_threshold: f64,
        /// The lower bound of the constraint furthest from its minimum there.
        best_lower_bound: f64,
        /// Lower bounds on both metrics there.
        lower_bounds: LowerBounds,
        /// Counts there.
        counts: ConfusionCounts,
        /// How many more labelled positives (with flagged items growing in
        /// proportion) would lift the bounds at that threshold to the
        /// minimums if the observed rates stayed the same; `None` when an
        /// observed rate is at or below its minimum, so no amount would.
        positives_needed: Option<u64>,
    },
}

/// A sweep point judged against an obligation.
struct Assessed {
    point: OperatingPoint,
    precision: f64,
    recall: f64,
    bounds: LowerBounds,
    /// `(shortfall, bound)` of the constraint furthest from its minimum;
    /// `None` when a constrained bound is undefined.
    worst: Option<(f64, f64)>,
}

fn assess(point: OperatingPoint, o: &ThresholdObligation) -> Assessed {
    let c = point.counts;
    let bounds = LowerBounds {
        precision: wilson_lower_one_sided(c.tp, c.flagged(), o.confidence),
        recall: wilson_lower_one_sided(c.tp, c.positives(), o.confidence),
    };
    let mut worst: Option<(f64, f64)> = None;
    let mut defined = true;
    for (min, bound) in [
        (o.min_precision, bounds.precision),
        (o.min_recall, bounds.recall),
    ] {
        let Some(min) = min else { continue };
        match bound {
            Some(b) if worst.is_none_or(|(s, _)| min - b > s) => worst = Some((min - b, b)),
            Some(_) => {}
            None => defined = false,
        }
    }
    Assessed {
        point,
        precision: c.precision().unwrap_or(0.0),
        recall: c.recall().unwrap_or(0.0),
        bounds,
        worst: worst.filter(|_| defined),
    }
}

/// Orders by the free metric, then the other one: recall first when
/// precision is constrained (alone or with recall), precision first when only
/// recall is.
fn by_objective(o: &ThresholdObligation) -> impl Fn(&&Assessed, &&Assessed) -> Ordering {
    let recall_first = o.min_precision.is_some();
    move |a, b| {
        let (ka, kb) = if recall_first {
            ((a.recall, a.precision), (b.recall, b.precision))
        } else {
            ((a.precision, a.recall), (b.precision, b.recall))
        };
        ka.0.total_cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    }
}

/// Picks the threshold an obligation calls for, from pairs with known labels.
///
/// A threshold is feasible when every constrained metric's one-sided Wilson
/// lower bound (at the obligation's confidence) reaches its minimum. Among
/// feasible thresholds the free metric is maximised: recall when precision is
/// constrained (or both are), precision when only recall is; ties go to the
/// better other metric. Candidate thresholds are the distinct scores.
///
/// Fails with [`MetricError::Empty`], [`MetricError::NaN`], or
/// [`MetricError::NoPositives`] (no threshold can be judged without a positive).
///
/// ```
/// use vigil_eval::{choose_threshold, ThresholdChoice, ThresholdObligation};
///
/// // 100 sure positives at 0.9, a mixed band at 0.5, negatives at 0.1.
/// let mut pairs = vec![(0.9, true); 100];
/// pairs.extend([(0.5, true), (0.5, false)].repeat(50));
/// pairs.extend(vec![(0.1, false); 100]);
/// let o = ThresholdObligation::new(Some(0.9), None, 0.95).unwrap();
/// match choose_threshold(&pairs, &o).unwrap() {
///     ThresholdChoice::Feasible { threshold, .. } => assert_eq!(threshold, 0.9),
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn choose_threshold(
    pairs: &[(f64, bool)],
    obligation: &ThresholdObligation,
) -> Result<ThresholdChoice, MetricError> {
    let points = sweep(pairs)?;
    if points.iter().all(|p| p.counts.positives() == 0) {
        return Err(MetricError::NoPositives);
    }
    let assessed: Vec<Assessed> = points.into_iter().map(|p| assess(p, obligation)).collect();
    let feasible = assessed
        .iter()
        .filter(|a| a.worst.is_some_and(|(shortfall, _)| shortfall <= 0.0))
        .max_by(by_objective(obligation));
    if let Some(a) = feasible {
        return Ok(ThresholdChoice::Feasible {
            threshold: a.point.threshold,
            precision: a.precision,
            recall: a.recall,
            lower_bounds: a.bounds,
            counts: a.point.counts,
        });
    }
    let objective = by_objective(obligation);
    let closest = assessed
        .iter()
        .filter_map(|a| a.worst.map(|w| (a, w)))
        .min_by(|(a, wa), (b, wb)| wa.0.total_cmp(&wb.0).then(objective(b, a)));
    // The lowest threshold flags every item, so its precision is defined and
    // some point always has every constrained bound.
    let Some((a, (_, bound))) = closest else {
        return Err(MetricError::NoFlagged);
    };
    Ok(ThresholdChoice::Infeasible {
        at_threshold: a.point.threshold,
        best_lower_bound: bound,
        lower_bounds: a.bounds,
        counts: a.point.counts,
        positives_needed: positives_needed(&a.point.counts, obligation),
    })
}

/// Beyond this many extra positives the answer is "not in practice".
const MAX_EXTRA_POSITIVES: u64 = 1 << 40;

/// The fewest extra labelled positives after which, with the observed rates
/// unchanged and flagged items growing in proportion to positives, every
/// constrained lower bound reaches its minimum.
fn positives_needed(c: &ConfusionCounts, o: &ThresholdObligation) -> Option<u64> {
    let z = o.confidence.one_sided_z();
    let positives = c.positives() as f64;
    let flagged = c.flagged() as f64;
    let precision = c.precision()?;
    let recall = c.recall()?;
    // A Wilson lower bound stays below the observed rate however large the
    // sample, so a rate at or below its minimum can never be shown.
    let reachable = [(o.min_precision, precision), (o.min_recall, recall)]
        .iter()
        .all(|&(min, rate)| min.is_none_or(|m| rate > m));
    if !reachable {
        return None;
    }
    let meets = |extra: u64| {
        let scale = (positives + extra as f64) / positives;
        let p_ok = o
            .min_precision
            .is_none_or(|m| wilson_bounds(precision, flagged * scale, z).0 >= m);
        let r_ok = o
            .min_recall
            .is_none_or(|m| wilson_bounds(recall, positives * scale, z).0 >= m);
        p_ok && r_ok
    };
    // The lower bound grows with the sample for a fixed rate, so double
    // until the minimum is met, then bisect for the smallest count.
    let mut high = 1u64;
    while !meets(high) {
        high = high.checked_mul(2).filter(|h| *h <= MAX_EXTRA_POSITIVES)?;
    }
    let mut low = high / 2; // fails, or is 0 (infeasible as it stands)
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if meets(mid) {
            high = mid;
        } else {
            low = mid;
        }
    }
    Some(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obligations_are_validated() {
        assert_eq!(
            ThresholdObligation::new(None, None, 0.95),
            Err(InvalidObligation::NothingConstrained)
        );
        assert_eq!(
            ThresholdObligation::new(Some(1.0), None, 0.95),
            Err(InvalidObligation::MinimumOutOfRange(1.0))
        );
        assert!(matches!(
            ThresholdObligation::new(Some(0.9), None, 1.0),
            Err(InvalidObligation::Confidence(_))
        ));
        let o = ThresholdObligation::new(None, Some(0.5), 0.9).unwrap();
        assert_eq!(
            (o.min_precision(), o.min_recall(), o.confidence().level()),
            (None, Some(0.5), 0.9)
        );
    }

    #[test]
    fn no_positives_is_an_error() {
        let o = ThresholdObligation::new(Some(0.5), None, 0.95).unwrap();
        assert_eq!(
            choose_threshold(&[(0.3, false)], &o),
            Err(MetricError::NoPositives)
        );
        assert_eq!(choose_threshold(&[], &o), Err(MetricError::Empty));
    }

    #[test]
    fn positives_needed_solves_the_all_correct_case() {
        // Rate 1 over n flagged: the bound is n / (n + z²), which reaches 0.9
        // first at n = ⌈9 z²⌉ = 25 for z = 1.6449 (one-sided 95 %).
        let c = ConfusionCounts {
            tp: 10,
            fp: 0,
            tn: 5,
            fn_: 0,
        };
        let o = ThresholdObligation::new(Some(0.9), None, 0.95).unwrap();
        assert_eq!(positives_needed(&c, &o), Some(15));
    }
}
