//! Fusion: one score per category from every signal of an item.
//!
//! Without a trained stacker each category takes its highest signal
//! ([`vigil_policy::fuse_max`]). A [`Stacker`] is a logistic regression per
//! category over a few features of the item's signals for that category
//! ([`FEATURES`]): for each modality whether it gave a signal and the
//! strongest one's log-odds, a bank match, how many signals flag it and for
//! how many seconds. It is
//! trained on labelled items (`vigil train fusion`), never on a test split,
//! and so turns, say, a transcript's noisy score and a caption's clean one
//! into one calibrated probability.
//!
//! Two rules hold whatever the weights say: a positive bank match's score is
//! a floor (a known-bad file is acted on however the models score it), and
//! a category the stacker was not trained for falls back to the maximum.
//! The evidence of a stacked score lists each modality's strongest signal,
//! the largest contribution first.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use vigil_core::{sha256_hex, Category, Evidence, Labels, Modality, Score, Signal};
use vigil_policy::{fuse_max, CategoryScore};

/// The features, in order.
pub const FEATURES: [&str; N] = [
    "text_present",
    "text_logit",
    "image_present",
    "image_logit",
    "audio_present",
    "audio_logit",
    "video_present",
    "video_logit",
    "bank_match",
    "ln_1p_flagged",
    "ln_1p_flagged_seconds",
];

/// How many features.
const N: usize = 11;

/// The first feature after the modalities' pairs.
const BANK: usize = 8;

/// The modalities whose strongest signal is a feature, in feature order.
const MODALITIES: [Modality; 4] = [
    Modality::Text,
    Modality::Image,
    Modality::Audio,
    Modality::Video,
];

/// Log-odds are clamped to ±this (a score of 0.0025 or 0.9975).
const LOGIT_CLAMP: f64 = 6.0;

/// A signal at or above this score counts as flagging its category.
const FLAG: f64 = 0.5;

/// The file format's name.
pub const FORMAT: &str = "vigil-fusion/1";

/// One category's logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryModel {
    /// One weight per feature, in [`FEATURES`] order.
    pub weights: Vec<f64>,
    /// The intercept.
    pub bias: f64,
    /// Labelled items it was fitted on.
    pub examples: usize,
    /// How many of them were positive.
    pub positives: usize,
}

/// A trained stacker, as saved (`docs/fusion.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackerFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The feature names, in order (checked on load).
    pub features: Vec<String>,
    /// What it was trained on, for people.
    pub trained_on: String,
    /// The L2 penalty used.
    pub l2: f64,
    /// Per category.
    pub categories: BTreeMap<Category, CategoryModel>,
}

/// Why a stacker could not be loaded or trained.
#[derive(Debug, thiserror::Error)]
pub enum FusionError {
    /// Unreadable file.
    #[error("cannot read the fusion stacker {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a stacker file.
    #[error("{path} is not a fusion stacker: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Nothing to learn from.
    #[error("cannot train a stacker for {category}: {message}")]
    Untrainable {
        /// The category.
        category: Category,
        /// Why.
        message: String,
    },
}

/// A loaded stacker and the digest of its file.
#[derive(Debug, Clone)]
pub struct Stacker {
    file: StackerFile,
    digest: String,
}

/// The features of `signals` for one category. A modality with no signal
/// has both its features at 0.
pub fn features(signals: &[Signal], category: Category) -> [f64; N] {
    let mut best = [None::<f64>; 4];
    let mut bank = 0.0;
    let mut flagged = 0usize;
    let mut seconds = 0.0;
    for s in signals.iter().filter(|s| s.category == category) {
        let p = f64::from(s.score.get());
        if let Some(i) = MODALITIES.iter().position(|m| *m == s.evidence.modality) {
            best[i] = Some(best[i].map_or(p, |b: f64| b.max(p)));
        }
        if s.evidence.detector.starts_with("bank:") {
            bank = 1.0;
        }
        if p >= FLAG {
            flagged += 1;
            if let Some(vigil_core::Location::TimeRange { start_s, end_s }) = s.evidence.location {
                seconds += (end_s - start_s).max(0.0);
            }
        }
    }
    let mut out = [0.0; N];
    for (i, b) in best.into_iter().enumerate() {
        if let Some(p) = b {
            out[2 * i] = 1.0;
            out[2 * i + 1] = logit(p);
        }
    }
    out[BANK] = bank;
    out[BANK + 1] = (flagged as f64).ln_1p();
    out[BANK + 2] = f64::ln_1p(seconds);
    out
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln().clamp(-LOGIT_CLAMP, LOGIT_CLAMP)
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl CategoryModel {
    fn z(&self, x: &[f64; N]) -> f64 {
        self.bias + self.weights.iter().zip(x).map(|(w, x)| w * x).sum::<f64>()
    }
}

impl Stacker {
    /// Reads a stacker file, checking its format and features.
    pub fn load(path: &Path) -> Result<Stacker, FusionError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| FusionError::Read {
            path: shown.clone(),
            source,
        })?;
        let invalid = |message: String| FusionError::Invalid {
            path: shown.clone(),
            message,
        };
        let file: StackerFile =
            serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
        if file.format != FORMAT {
            return Err(invalid(format!(
                "its format is `{}`, not `{FORMAT}`",
                file.format
            )));
        }
        if file.features != FEATURES {
            return Err(invalid(format!(
                "its features are {:?}; this Vigil computes {FEATURES:?}",
                file.features
            )));
        }
        for (category, m) in &file.categories {
            if m.weights.len() != FEATURES.len() || !m.bias.is_finite() {
                return Err(invalid(format!(
                    "{category}: {} weights for {} features, or a bias that is not a number",
                    m.weights.len(),
                    FEATURES.len()
                )));
            }
            if m.weights.iter().any(|w| !w.is_finite()) {
                return Err(invalid(format!("{category}: a weight is not a number")));
            }
        }
        Ok(Stacker {
            file,
            digest: sha256_hex(&bytes),
        })
    }

    /// A stacker from its file form (for training and tests).
    pub fn from_file(file: StackerFile) -> Stacker {
        let digest = serde_json::to_vec(&file).map_or_else(|_| String::new(), |b| sha256_hex(&b));
        Stacker { file, digest }
    }

    /// The file form.
    pub fn file(&self) -> &StackerFile {
        &self.file
    }

    /// `sha256:` of the file it was loaded from.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// Fits one logistic regression per category on labelled examples (the
    /// signals of each item and its labels; an absent label is unknown and
    /// the item is left out for that category). Categories with fewer than
    /// 10 labelled items, or only one class, are skipped and fall back to
    /// the maximum; `Err` only if no category could be trained.
    pub fn fit(
        examples: &[(Vec<Signal>, Labels)],
        categories: &[Category],
        l2: f64,
        trained_on: &str,
    ) -> Result<Stacker, FusionError> {
        let mut models = BTreeMap::new();
        let mut last_problem = None;
        for &category in categories {
            let rows: Vec<([f64; N], bool)> = examples
                .iter()
                .filter_map(|(signals, labels)| {
                    Some((features(signals, category), labels.get(category)?))
                })
                .collect();
            let positives = rows.iter().filter(|(_, y)| *y).count();
            if rows.len() < 10 || positives == 0 || positives == rows.len() {
                last_problem = Some(FusionError::Untrainable {
                    category,
                    message: format!(
                        "{} labelled items, {positives} positive: at least 10 with both classes \
                         are needed",
                        rows.len()
                    ),
                });
                continue;
            }
            let (weights, bias) = fit_logistic(&rows, l2);
            models.insert(
                category,
                CategoryModel {
                    weights,
                    bias,
                    examples: rows.len(),
                    positives,
                },
            );
        }
        if models.is_empty() {
            return Err(last_problem.unwrap_or(FusionError::Untrainable {
                category: Category::Unsafe,
                message: "no category was asked for".to_owned(),
            }));
        }
        Ok(Stacker::from_file(StackerFile {
            format: FORMAT.to_owned(),
            features: FEATURES.iter().map(|f| (*f).to_owned()).collect(),
            trained_on: trained_on.to_owned(),
            l2,
            categories: models,
        }))
    }

    /// One score per category: stacked where a model is trained (never
    /// below a positive bank match), the maximum elsewhere.
    pub fn fuse(&self, signals: &[Signal]) -> Vec<CategoryScore> {
        let mut fused = fuse_max(signals);
        for entry in &mut fused {
            let Some(model) = self.file.categories.get(&entry.category) else {
                continue;
            };
            let x = features(signals, entry.category);
            let mut score = sigmoid(model.z(&x));
            let bank_floor = signals
                .iter()
                .filter(|s| {
                    s.category == entry.category && s.evidence.detector.starts_with("bank:")
                })
                .map(|s| f64::from(s.score.get()))
                .fold(0.0, f64::max);
            score = score.max(bank_floor);
            entry.score = Score::saturating(score);
            entry.evidence = ordered_evidence(signals, entry.category, model, &x);
        }
        fused
    }
}

/// The strongest signal's evidence of each modality, and every bank match,
/// ordered by contribution to the stacked log-odds (what the modality's two
/// features add), largest first.
fn ordered_evidence(
    signals: &[Signal],
    category: Category,
    model: &CategoryModel,
    x: &[f64; N],
) -> Vec<Evidence> {
    let mut picked: Vec<(f64, Evidence)> = Vec::new();
    for (i, modality) in MODALITIES.iter().enumerate() {
        let strongest = signals
            .iter()
            .filter(|s| s.category == category && s.evidence.modality == *modality)
            .max_by(|a, b| a.score.get().total_cmp(&b.score.get()));
        if let Some(s) = strongest {
            // A bank match decides whatever the weights say: it comes first.
            let contribution = if s.evidence.detector.starts_with("bank:") {
                f64::INFINITY
            } else {
                model.weights[2 * i] * x[2 * i] + model.weights[2 * i + 1] * x[2 * i + 1]
            };
            picked.push((contribution, s.evidence.clone()));
        }
    }
    for s in signals
        .iter()
        .filter(|s| s.category == category && s.evidence.detector.starts_with("bank:"))
    {
        if !picked.iter().any(|(_, e)| *e == s.evidence) {
            picked.push((f64::INFINITY, s.evidence.clone()));
        }
    }
    picked.sort_by(|a, b| b.0.total_cmp(&a.0));
    picked.into_iter().map(|(_, e)| e).collect()
}

/// L2-penalised logistic regression by Newton's method (the bias is not
/// penalised). Deterministic: the same rows give the same weights.
fn fit_logistic(rows: &[([f64; N], bool)], l2: f64) -> (Vec<f64>, f64) {
    const D: usize = N + 1; // the features and the bias, last
    let mut beta = [0.0f64; D];
    let x_of = |x: &[f64; N]| -> [f64; D] {
        let mut out = [1.0; D];
        out[..N].copy_from_slice(x);
        out
    };
    for _ in 0..50 {
        let mut grad = [0.0f64; D];
        let mut hess = [[0.0f64; D]; D];
        for (x, y) in rows {
            let xi = x_of(x);
            let z: f64 = xi.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let p = sigmoid(z);
            let r = p - if *y { 1.0 } else { 0.0 };
            let w = (p * (1.0 - p)).max(1e-9);
            for a in 0..D {
                grad[a] += r * xi[a];
                for b in 0..D {
                    hess[a][b] += w * xi[a] * xi[b];
                }
            }
        }
        for a in 0..N {
            grad[a] += l2 * beta[a];
            hess[a][a] += l2;
        }
        // A tiny ridge keeps the system solvable when a feature never varies.
        for (a, row) in hess.iter_mut().enumerate() {
            row[a] += 1e-9;
        }
        let Some(step) = solve(hess, grad) else { break };
        let mut moved = 0.0f64;
        for a in 0..D {
            beta[a] -= step[a];
            moved = moved.max(step[a].abs());
        }
        if moved < 1e-10 {
            break;
        }
    }
    (beta[..N].to_vec(), beta[N])
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve<const D: usize>(mut a: [[f64; D]; D], mut b: [f64; D]) -> Option<[f64; D]> {
    for col in 0..D {
        let pivot = (col..D).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-15 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col];
        for row in col + 1..D {
            let f = a[row][col] / pivot_row[col];
            for (cell, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *cell -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; D];
    for row in (0..D).rev() {
        let s: f64 = (row + 1..D).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_core::Location;

    fn signal(category: Category, modality: Modality, detector: &str, p: f64) -> Signal {
        Signal {
            category,
            score: Score::saturating(p),
            evidence: Evidence::new(modality, detector),
        }
    }

    #[test]
    fn features_take_each_modality_s_strongest_signal() {
        let mut spoken = signal(Category::Hate, Modality::Audio, "asr+text", 0.9);
        spoken.evidence.location = Some(Location::TimeRange {
            start_s: 2.0,
            end_s: 5.0,
        });
        let signals = [
            signal(Category::Hate, Modality::Text, "text-linear", 0.5),
            signal(Category::Hate, Modality::Text, "blocklist", 0.2),
            spoken,
            signal(Category::Sexual, Modality::Image, "nudity", 0.99),
        ];
        let x = features(&signals, Category::Hate);
        assert_eq!(x[0], 1.0);
        assert!(x[1].abs() < 1e-9, "logit(0.5) = 0: {x:?}");
        assert_eq!((x[2], x[3]), (0.0, 0.0), "no image signal for hate");
        assert_eq!(x[4], 1.0);
        // Scores are single precision.
        assert!((x[5] - (9.0f64).ln()).abs() < 1e-5, "{x:?}");
        assert_eq!((x[6], x[7]), (0.0, 0.0));
        assert_eq!(x[BANK], 0.0);
        assert!((x[BANK + 1] - 3.0f64.ln()).abs() < 1e-9, "two flag hate");
        assert!(
            (x[BANK + 2] - 4.0f64.ln()).abs() < 1e-9,
            "three seconds flagged"
        );
    }

    /// Items of two kinds: text whose score is informative, audio whose
    /// score is noise around a constant (below the flagging score, so that
    /// only the modalities' scores tell the items apart).
    fn examples() -> Vec<(Vec<Signal>, Labels)> {
        let mut out = Vec::new();
        for i in 0..200u32 {
            let positive = i % 2 == 0;
            let mut labels = Labels::new();
            labels.set(Category::Unsafe, positive);
            let jitter = f64::from(i % 7) / 100.0;
            let (modality, p) = if i % 4 < 2 {
                (Modality::Text, if positive { 0.8 } else { 0.2 } + jitter)
            } else {
                (Modality::Audio, 0.3 + jitter)
            };
            out.push((vec![signal(Category::Unsafe, modality, "x", p)], labels));
        }
        out
    }

    #[test]
    fn a_trained_stacker_trusts_the_informative_modality() {
        let stacker = Stacker::fit(
            &examples(),
            &[Category::Unsafe, Category::Hate],
            0.01,
            "test",
        )
        .expect("trains unsafe");
        let file = stacker.file();
        assert!(file.categories.contains_key(&Category::Unsafe));
        assert!(
            !file.categories.contains_key(&Category::Hate),
            "no hate labels"
        );
        let m = &file.categories[&Category::Unsafe];
        assert!(m.weights[1] > 1.0, "text is informative: {m:?}");
        assert!(
            m.weights[5].abs() < m.weights[1] / 4.0,
            "audio is not: {m:?}"
        );
        let score = |modality, p| {
            stacker.fuse(&[signal(Category::Unsafe, modality, "x", p)])[0]
                .score
                .get()
        };
        assert!(score(Modality::Text, 0.8) > 0.9);
        assert!(score(Modality::Text, 0.2) < 0.1);
        // Audio carries no information: about the base rate, whatever it says.
        assert!((score(Modality::Audio, 0.32) - 0.5).abs() < 0.15);
        // Same rows, same weights.
        let again = Stacker::fit(&examples(), &[Category::Unsafe], 0.01, "test").expect("trains");
        assert_eq!(again.file().categories, stacker.file().categories);
    }

    #[test]
    fn a_bank_match_is_a_floor_and_untrained_categories_take_the_maximum() {
        let stacker = Stacker::fit(&examples(), &[Category::Unsafe], 0.01, "test").expect("ok");
        let signals = [
            signal(Category::Unsafe, Modality::Audio, "asr+text", 0.3),
            signal(Category::Unsafe, Modality::Video, "bank:known", 1.0),
            signal(Category::Hate, Modality::Text, "text-linear", 0.7),
        ];
        let fused = stacker.fuse(&signals);
        let unsafe_ = fused
            .iter()
            .find(|c| c.category == Category::Unsafe)
            .expect("unsafe");
        assert_eq!(unsafe_.score.get(), 1.0);
        assert_eq!(
            unsafe_.evidence[0].detector, "bank:known",
            "{:?}",
            unsafe_.evidence
        );
        let hate = fused
            .iter()
            .find(|c| c.category == Category::Hate)
            .expect("hate");
        assert!((f64::from(hate.score.get()) - 0.7).abs() < 1e-6);
    }

    #[test]
    fn a_file_round_trips_and_bad_files_are_named() {
        let stacker = Stacker::fit(&examples(), &[Category::Unsafe], 0.01, "test").expect("ok");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("fusion.json");
        std::fs::write(&path, serde_json::to_vec(stacker.file()).expect("json")).expect("write");
        let loaded = Stacker::load(&path).expect("loads");
        assert_eq!(loaded.file(), stacker.file());
        assert!(loaded.digest().starts_with("sha256:"));
        let mut wrong = stacker.file().clone();
        wrong.features.pop();
        std::fs::write(&path, serde_json::to_vec(&wrong).expect("json")).expect("write");
        let err = Stacker::load(&path)
            .expect_err("features differ")
            .to_string();
        assert!(err.contains("features"), "{err}");
        std::fs::write(&path, b"{").expect("write");
        let err = Stacker::load(&path).expect_err("not JSON").to_string();
        assert!(err.contains("is not a fusion stacker"), "{err}");
    }
}
