//! Platt scaling: a logistic map from a raw logit to a calibrated probability,
//! fitted on the validation split.

use serde::{Deserialize, Serialize};

/// `p = 1 / (1 + exp(-(a · logit + b)))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platt {
    /// Slope.
    pub a: f32,
    /// Intercept.
    pub b: f32,
}

impl Default for Platt {
    /// The identity calibration: the model's own sigmoid.
    fn default() -> Self {
        Platt { a: 1.0, b: 0.0 }
    }
}

impl Platt {
    /// The calibrated probability of a logit.
    #[inline]
    pub fn probability(&self, logit: f32) -> f32 {
        sigmoid(self.a * logit + self.b)
    }

    /// Fit on `(logit, label)` pairs by Newton's method on the log loss, with
    /// Platt's smoothed targets (`(N₊+1)/(N₊+2)` and `1/(N₋+2)`), which keep
    /// the fit finite on separable data. `None` when either class has fewer
    /// than `min_per_class` examples.
    pub fn fit(pairs: &[(f32, bool)], min_per_class: usize) -> Option<Platt> {
        let pos = pairs.iter().filter(|(_, y)| *y).count();
        let neg = pairs.len() - pos;
        if pos < min_per_class || neg < min_per_class {
            return None;
        }
        let t_pos = (pos as f64 + 1.0) / (pos as f64 + 2.0);
        let t_neg = 1.0 / (neg as f64 + 2.0);
        let (mut a, mut b) = (1.0f64, 0.0f64);
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for &(s, y) in pairs {
                let s = f64::from(s);
                let t = if y { t_pos } else { t_neg };
                let p = 1.0 / (1.0 + (-(a * s + b)).exp());
                let d = p - t;
                let w = (p * (1.0 - p)).max(1e-12);
                ga += d * s;
                gb += d;
                haa += w * s * s;
                hab += w * s;
                hbb += w;
            }
            // A small ridge keeps the Hessian invertible.
            let (haa, hbb) = (haa + 1e-9, hbb + 1e-9);
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-18 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if da.abs() < 1e-9 && db.abs() < 1e-9 {
                break;
            }
        }
        (a.is_finite() && b.is_finite()).then_some(Platt {
            a: a as f32,
            b: b as f32,
        })
    }
}

/// The logistic function, safe for large magnitudes.
#[inline]
pub(crate) fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_logistic_relation() {
        // Labels drawn deterministically so that P(y | s) = sigmoid(2s - 1).
        let mut pairs = Vec::new();
        for i in 0..4000 {
            let s = (i % 200) as f32 / 40.0 - 2.5;
            let p = sigmoid(2.0 * s - 1.0);
            // A low-discrepancy sequence stands in for a random draw.
            let u = ((i as f64 * 0.618_033_988_75) % 1.0) as f32;
            pairs.push((s, u < p));
        }
        let fit = Platt::fit(&pairs, 5).expect("both classes present");
        assert!((fit.a - 2.0).abs() < 0.2, "{fit:?}");
        assert!((fit.b + 1.0).abs() < 0.2, "{fit:?}");
    }

    #[test]
    fn separable_data_stays_finite_and_too_little_data_is_refused() {
        let pairs: Vec<(f32, bool)> = (0..50).map(|i| (i as f32, i >= 25)).collect();
        let fit = Platt::fit(&pairs, 5).expect("fits");
        assert!(fit.a.is_finite() && fit.b.is_finite());
        assert!(fit.probability(49.0) > 0.9 && fit.probability(0.0) < 0.1);
        assert_eq!(Platt::fit(&pairs[..27], 5), None, "two positives only");
    }

    #[test]
    fn sigmoid_is_stable() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-7);
    }
}
