//! Obfuscated variants of texts the shipped model flags stay flagged.
//!
//! Texts: the held-out test split of Vigil's seed data (in the repository)
//! that the shipped linear model puts at or above the default policy's
//! `unsafe` review threshold. Each is rewritten by the attack model with
//! three seeds; the share of variants still at or above the threshold is
//! checked.

use std::path::Path;

use vigil_core::Category;
use vigil_data::{Dataset, Split};
use vigil_text::default_model;
use vigil_text::obfuscate::obfuscate;

/// The default policy's review threshold for `unsafe`.
const REVIEW: f32 = 0.60;

#[test]
fn obfuscated_variants_of_flagged_texts_stay_flagged() {
    let (model, _) = default_model::load().expect("the shipped model loads");
    let u = model
        .outputs()
        .iter()
        .position(|c| *c == Category::Unsafe)
        .expect("an unsafe output");
    let seed_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/seed");
    let mut scorer = model.scorer();
    let (mut flagged, mut kept) = (0usize, 0usize);
    let mut lost = Vec::new();
    for entry in std::fs::read_dir(&seed_root).expect("data/seed exists") {
        let dataset = Dataset::open(&entry.expect("entry").path()).expect("a seed data set");
        for r in dataset.records.iter().filter(|r| r.split == Split::Test) {
            let Some(text) = r.item.text.as_deref() else {
                continue;
            };
            if scorer.score(text)[u] < REVIEW {
                continue;
            }
            for seed in 1..=3u64 {
                let variant = obfuscate(text, seed);
                flagged += 1;
                if scorer.score(&variant)[u] >= REVIEW {
                    kept += 1;
                } else {
                    lost.push(variant);
                }
            }
        }
    }
    assert!(flagged >= 150, "enough flagged texts to measure: {flagged}");
    let rate = kept as f64 / flagged as f64;
    eprintln!(
        "{kept} of {flagged} obfuscated variants stay flagged ({:.1}%)",
        100.0 * rate
    );
    assert!(
        rate >= 0.95,
        "only {:.1}% stay flagged; lost e.g. {:?}",
        100.0 * rate,
        &lost[..lost.len().min(5)]
    );
}
