//! Active learning: choosing the unlabelled items whose labels teach a model most.
//!
//! Two questions, two tools:
//!
//! - *How doubtful is one score?* [`uncertainty`] measures how close a
//!   calibrated score lies to the nearest threshold of a category, in
//!   log-odds, so that 0.50 against 0.55 and 0.97 against 0.98 count as
//!   equally close calls. The live queue uses it for single decisions.
//! - *Which `n` of many unlabelled items should people label next?* A
//!   [`Selector`] picks a batch from [`Candidate`]s. [`Selector::UncertainDiverse`]
//!   takes the most uncertain items but penalises those whose content
//!   [`Signature`] resembles an item already picked, so the batch is not one
//!   cluster of near-copies; [`Selector::Random`] is the baseline with the same
//!   interface. Both are deterministic given a seed.
//!
//! ```
//! use vigil_core::{Score, Thresholds};
//! use vigil_review::active::{uncertainty, Candidate, Selector, Signature};
//!
//! let t = Thresholds { review: Some(Score::saturating(0.6)), ..Thresholds::default() };
//! let close = uncertainty(Score::saturating(0.58), &t).expect("a threshold is set");
//! let far = uncertainty(Score::saturating(0.02), &t).expect("a threshold is set");
//! assert!(close > far);
//!
//! let candidates = vec![
//!     Candidate { id: "a", uncertainty: close, signature: Signature::from_features([(1, 1.0)]) },
//!     Candidate { id: "b", uncertainty: far, signature: Signature::from_features([(2, 1.0)]) },
//! ];
//! let batch = Selector::default().select(&candidates, 1, 7).expect("uncertainties are finite");
//! assert_eq!(batch, vec!["a"]);
//! ```

use vigil_core::{Score, Thresholds};

/// Scores are clamped this far inside `(0, 1)` before taking log-odds, so a
/// score of exactly 0 or 1 has a finite distance to every threshold.
const LOG_ODDS_EPSILON: f32 = 1e-4;

fn log_odds(p: f32) -> f32 {
    let p = p.clamp(LOG_ODDS_EPSILON, 1.0 - LOG_ODDS_EPSILON);
    (p / (1.0 - p)).ln()
}

/// Distance in log-odds from `score` to the nearest of `thresholds`; `None`
/// when there are no thresholds (nothing is being decided, so nothing is
/// uncertain).
pub fn threshold_margin(score: Score, thresholds: &[Score]) -> Option<f32> {
    let s = log_odds(score.get());
    thresholds
        .iter()
        .map(|t| (s - log_odds(t.get())).abs())
        .min_by(f32::total_cmp)
}

/// Uncertainty of a calibrated score against a category's thresholds, in
/// `(0, 1]`: `exp(-margin)` where the margin is [`threshold_margin`] over the
/// thresholds that are set. 1 means the score sits on a threshold; `None`
/// when the category has no threshold.
pub fn uncertainty(score: Score, thresholds: &Thresholds) -> Option<f32> {
    let set: Vec<Score> = thresholds.set_actions().map(|(_, t)| t).collect();
    uncertainty_at(score, &set)
}

/// [`uncertainty`] against a plain list of thresholds.
pub fn uncertainty_at(score: Score, thresholds: &[Score]) -> Option<f32> {
    threshold_margin(score, thresholds).map(|m| (-m).exp())
}

/// A 64-bit SimHash of a weighted feature vector: texts that share most of
/// their (hashed n-gram) features get signatures a few bits apart, unrelated
/// texts about 32 bits apart. The fraction of differing bits estimates the
/// angle between the two vectors (Charikar's random-hyperplane argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Signature(pub u64);

impl Signature {
    /// The signature of a sparse vector given as `(feature index, weight)`,
    /// e.g. the hashed n-grams of `vigil_text::features`. Every feature votes
    /// its weight on each of 64 bits, the bit's sign fixed by a hash of the
    /// index; a bit is set where the votes sum above zero.
    pub fn from_features(features: impl IntoIterator<Item = (u32, f32)>) -> Signature {
        let mut votes = [0.0f32; 64];
        for (idx, w) in features {
            let h = mix64(u64::from(idx) ^ 0x9e37_79b9_7f4a_7c15);
            for (bit, v) in votes.iter_mut().enumerate() {
                if h >> bit & 1 == 1 {
                    *v += w;
                } else {
                    *v -= w;
                }
            }
        }
        let bits = votes
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0.0)
            .fold(0u64, |acc, (bit, _)| acc | 1 << bit);
        Signature(bits)
    }

    /// Number of differing bits, 0 to 64.
    pub fn hamming(self, other: Signature) -> u32 {
        (self.0 ^ other.0).count_ones()
    }

    /// Estimated cosine similarity of the two vectors, in `[-1, 1]`:
    /// `cos(π · hamming / 64)`.
    pub fn similarity(self, other: Signature) -> f32 {
        (std::f32::consts::PI * self.hamming(other) as f32 / 64.0).cos()
    }
}

/// One unlabelled item offered to a [`Selector`].
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<I> {
    /// The caller's identifier, returned for the picked items.
    pub id: I,
    /// How doubtful the model is, higher is more doubtful (e.g. from
    /// [`uncertainty`]); must be finite.
    pub uncertainty: f32,
    /// A summary of the content, for diversity.
    pub signature: Signature,
}

/// Why a batch could not be chosen.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum SelectError {
    /// A candidate's uncertainty is NaN or infinite.
    #[error("candidate {index} has a non-finite uncertainty {value}")]
    NonFiniteUncertainty {
        /// Position of the candidate in the slice.
        index: usize,
        /// The offending value.
        value: f32,
    },
}

/// Settings of uncertainty sampling with a diversity penalty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Diversity {
    /// How strongly resemblance to an already picked item lowers a
    /// candidate's value: value = uncertainty × (1 − weight × max(0, similarity)).
    /// 0 is plain uncertainty sampling; 1 makes an exact copy worthless.
    pub weight: f32,
    /// Only the `shortlist × n` most uncertain candidates are considered, so
    /// diversity trades against uncertainty within a bounded band and the cost
    /// stays `O(shortlist × n²)` however large the pool.
    pub shortlist: usize,
    /// Candidates at least this similar to a picked item are near-duplicates
    /// and are taken only when nothing else is left in the shortlist.
    pub duplicate_similarity: f32,
    /// Fraction of the batch, in `[0, 1]`, drawn uniformly at random from the
    /// candidates the uncertain part left: exploration, so that a model whose
    /// scores are off on new traffic still sees a fair sample of it and the
    /// labels are not all from where it already draws its line.
    pub explore: f32,
}

impl Default for Diversity {
    fn default() -> Self {
        Diversity {
            weight: 0.5,
            shortlist: 10,
            duplicate_similarity: 0.9,
            explore: 0.0,
        }
    }
}

/// How a batch is chosen from the unlabelled pool.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Selector {
    /// The most uncertain items, spread over the content.
    UncertainDiverse(Diversity),
    /// A uniform random sample: the baseline.
    Random,
}

impl Default for Selector {
    fn default() -> Self {
        Selector::UncertainDiverse(Diversity::default())
    }
}

impl Selector {
    /// Pick up to `n` candidates (all of them if there are fewer), returning
    /// their ids in the order picked. The same candidates, `n` and `seed`
    /// always give the same batch; the seed breaks ties (and draws the
    /// random sample).
    pub fn select<I: Clone>(
        &self,
        candidates: &[Candidate<I>],
        n: usize,
        seed: u64,
    ) -> Result<Vec<I>, SelectError> {
        if let Some((index, c)) = candidates
            .iter()
            .enumerate()
            .find(|(_, c)| !c.uncertainty.is_finite())
        {
            return Err(SelectError::NonFiniteUncertainty {
                index,
                value: c.uncertainty,
            });
        }
        let picked = match self {
            Selector::Random => random_sample(candidates.len(), n, seed),
            Selector::UncertainDiverse(d) => {
                let explore = f64::from(d.explore.clamp(0.0, 1.0));
                let random_n = (n as f64 * explore).round() as usize;
                let mut picked = uncertain_diverse(candidates, n - random_n.min(n), seed, *d);
                let mut taken = vec![false; candidates.len()];
                for &i in &picked {
                    taken[i] = true;
                }
                let rest: Vec<usize> = (0..candidates.len()).filter(|&i| !taken[i]).collect();
                let draw = random_sample(
                    rest.len(),
                    n.min(candidates.len()) - picked.len(),
                    mix64(seed),
                );
                picked.extend(draw.into_iter().map(|k| rest[k]));
                picked
            }
        };
        Ok(picked
            .into_iter()
            .map(|i| candidates[i].id.clone())
            .collect())
    }
}

/// SplitMix64's finaliser: a fixed, well-mixed 64-bit hash.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `n` distinct indices below `len`, uniformly, by a partial Fisher–Yates
/// shuffle driven by SplitMix64.
fn random_sample(len: usize, n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut state = seed;
    let take = n.min(len);
    for i in 0..take {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let span = (len - i) as u64;
        let j = i + (mix64(state) % span) as usize;
        order.swap(i, j);
    }
    order.truncate(take);
    order
}

fn uncertain_diverse<I>(
    candidates: &[Candidate<I>],
    n: usize,
    seed: u64,
    d: Diversity,
) -> Vec<usize> {
    // Most uncertain first; equal uncertainties in a seeded, fixed order.
    let tiebreak = |i: usize| mix64(seed ^ mix64(i as u64));
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| {
        candidates[b]
            .uncertainty
            .total_cmp(&candidates[a].uncertainty)
            .then_with(|| tiebreak(a).cmp(&tiebreak(b)))
    });
    order.truncate(n.saturating_mul(d.shortlist.max(1)).max(n));

    // Greedy: each round takes the shortlisted item of highest penalised
    // value. `closest[k]` is shortlist item k's highest similarity to any item
    // picked so far, updated once per pick, so a round costs one pass.
    let mut closest = vec![f32::NEG_INFINITY; order.len()];
    let mut taken = vec![false; order.len()];
    let mut picked = Vec::with_capacity(n.min(order.len()));
    while picked.len() < n.min(order.len()) {
        let value = |k: usize| {
            let c = &candidates[order[k]];
            let duplicate = closest[k] >= d.duplicate_similarity;
            let penalty = 1.0 - d.weight * closest[k].max(0.0);
            (!duplicate, c.uncertainty * penalty)
        };
        let mut best: Option<(usize, (bool, f32))> = None;
        for k in (0..order.len()).filter(|&k| !taken[k]) {
            let v = value(k);
            // Strictly better only, so ties keep the seeded order.
            let better = match best {
                None => true,
                Some((_, b)) => (v.0 && !b.0) || (v.0 == b.0 && v.1 > b.1),
            };
            if better {
                best = Some((k, v));
            }
        }
        let Some((k, _)) = best else { break };
        taken[k] = true;
        picked.push(order[k]);
        let sig = candidates[order[k]].signature;
        for (j, c) in closest.iter_mut().enumerate() {
            *c = c.max(candidates[order[j]].signature.similarity(sig));
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: f64) -> Score {
        Score::saturating(x)
    }

    fn sig_of(words: &[u32]) -> Signature {
        Signature::from_features(words.iter().map(|&w| (w, 1.0)))
    }

    #[test]
    fn uncertainty_peaks_at_a_threshold_and_is_symmetric_in_log_odds() {
        let t = Thresholds {
            review: Some(s(0.4)),
            block: Some(s(0.9)),
            ..Thresholds::default()
        };
        let on = uncertainty(s(0.9), &t).expect("thresholds set");
        assert!((on - 1.0).abs() < 1e-5, "{on}");
        // 0.4 and 0.9 are log(13.5) apart; halfway between in log-odds is
        // equally far from both, and anything else is closer to one.
        let mid = 1.0 / (1.0 + (-(log_odds(0.4) + log_odds(0.9)) / 2.0).exp());
        let at_mid = uncertainty(s(f64::from(mid)), &t).expect("thresholds set");
        let off_mid = uncertainty(s(f64::from(mid) + 0.05), &t).expect("thresholds set");
        assert!(off_mid > at_mid, "{off_mid} {at_mid}");
        assert!(uncertainty(s(0.01), &t) < uncertainty(s(0.2), &t));
        assert!(uncertainty(s(0.5), &Thresholds::default()).is_none());
    }

    #[test]
    fn extreme_scores_have_finite_small_uncertainty() {
        let u0 = uncertainty_at(Score::ZERO, &[s(0.5)]).expect("threshold");
        let u1 = uncertainty_at(Score::ONE, &[s(0.5)]).expect("threshold");
        assert!(u0 > 0.0 && u0 < 1e-3 && u1 > 0.0 && u1 < 1e-3, "{u0} {u1}");
    }

    #[test]
    fn simhash_separates_near_copies_from_unrelated_content() {
        let a: Vec<u32> = (0..200).collect();
        let mut near = a.clone();
        near[0] = 10_000; // one feature of 200 changed
        let other: Vec<u32> = (5_000..5_200).collect();
        let (sa, sn, so) = (sig_of(&a), sig_of(&near), sig_of(&other));
        assert!(sa.similarity(sn) > 0.9, "{}", sa.hamming(sn));
        assert!(sa.similarity(so) < 0.5, "{}", sa.hamming(so));
        assert_eq!(sa.similarity(sa), 1.0);
    }

    /// Ten near-copies that are the most uncertain, and ten unrelated items
    /// only slightly less uncertain.
    fn clustered_pool() -> Vec<Candidate<usize>> {
        let base: Vec<u32> = (0..100).collect();
        let mut pool = Vec::new();
        for i in 0..10u32 {
            let mut f = base.clone();
            f[0] = 1_000 + i;
            pool.push(Candidate {
                id: pool.len(),
                uncertainty: 0.95,
                signature: sig_of(&f),
            });
        }
        for i in 0..10u32 {
            let f: Vec<u32> = (10_000 * (i + 1)..10_000 * (i + 1) + 100).collect();
            pool.push(Candidate {
                id: pool.len(),
                uncertainty: 0.9,
                signature: sig_of(&f),
            });
        }
        pool
    }

    #[test]
    fn diverse_selection_skips_near_duplicates_when_alternatives_exist() {
        let pool = clustered_pool();
        let batch = Selector::default().select(&pool, 5, 1).expect("finite");
        let from_cluster = batch.iter().filter(|&&id| id < 10).count();
        assert_eq!(batch.len(), 5);
        assert_eq!(from_cluster, 1, "{batch:?}");
        // Plain uncertainty sampling would take the cluster: the test can fail.
        let plain = Selector::UncertainDiverse(Diversity {
            weight: 0.0,
            duplicate_similarity: f32::INFINITY,
            ..Diversity::default()
        });
        let batch = plain.select(&pool, 5, 1).expect("finite");
        assert!(batch.iter().all(|&id| id < 10), "{batch:?}");
    }

    #[test]
    fn selection_prefers_uncertainty_and_takes_everything_when_asked() {
        let pool = clustered_pool();
        let all = Selector::default().select(&pool, 50, 3).expect("finite");
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
        assert!(Selector::default()
            .select(&pool, 0, 3)
            .expect("finite")
            .is_empty());
        let empty: Vec<Candidate<usize>> = Vec::new();
        assert!(Selector::Random
            .select(&empty, 5, 3)
            .expect("finite")
            .is_empty());
    }

    #[test]
    fn selectors_are_deterministic_per_seed() {
        let pool: Vec<Candidate<usize>> = (0..200)
            .map(|i| Candidate {
                id: i,
                uncertainty: 0.5, // all tied: only the seed orders them
                signature: Signature(mix64(i as u64)),
            })
            .collect();
        for sel in [Selector::default(), Selector::Random] {
            let a = sel.select(&pool, 20, 42).expect("finite");
            let b = sel.select(&pool, 20, 42).expect("finite");
            let c = sel.select(&pool, 20, 43).expect("finite");
            assert_eq!(a, b);
            assert_ne!(a, c);
            let mut dedup = a.clone();
            dedup.sort_unstable();
            dedup.dedup();
            assert_eq!(dedup.len(), 20);
        }
    }

    #[test]
    fn random_sampling_is_roughly_uniform() {
        let pool: Vec<Candidate<usize>> = (0..10)
            .map(|i| Candidate {
                id: i,
                uncertainty: if i == 0 { 1.0 } else { 0.0 },
                signature: Signature::default(),
            })
            .collect();
        let mut counts = [0usize; 10];
        for seed in 0..2_000 {
            for id in Selector::Random.select(&pool, 3, seed).expect("finite") {
                counts[id] += 1;
            }
        }
        // Each id expected 600 times; uncertainty plays no part.
        assert!(
            counts.iter().all(|&c| (480..720).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn exploration_mixes_a_random_part_into_the_batch() {
        let pool = clustered_pool();
        let mixed = Selector::UncertainDiverse(Diversity {
            weight: 0.0,
            duplicate_similarity: f32::INFINITY,
            explore: 0.5,
            ..Diversity::default()
        });
        let batch = mixed.select(&pool, 6, 9).expect("finite");
        assert_eq!(batch.len(), 6);
        // The three uncertain picks come from the cluster; the random three
        // are from anywhere, distinct from those.
        assert!(batch[..3].iter().all(|&id| id < 10), "{batch:?}");
        let mut dedup = batch.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), 6);
        assert_eq!(batch, mixed.select(&pool, 6, 9).expect("finite"));
        assert_eq!(mixed.select(&pool, 50, 9).expect("finite").len(), 20);
    }

    #[test]
    fn non_finite_uncertainty_is_refused_with_its_position() {
        let pool = vec![
            Candidate {
                id: 0,
                uncertainty: 0.3,
                signature: Signature(1),
            },
            Candidate {
                id: 1,
                uncertainty: f32::NAN,
                signature: Signature(2),
            },
        ];
        let err = Selector::default().select(&pool, 1, 0).unwrap_err();
        assert!(matches!(
            err,
            SelectError::NonFiniteUncertainty { index: 1, .. }
        ));
    }
}
