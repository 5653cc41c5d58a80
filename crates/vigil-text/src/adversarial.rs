//! Adversarial copies of data sets: every text rewritten by the attack model
//! of [`crate::obfuscate`], labels and splits unchanged, to measure how much
//! quality obfuscation costs.

use vigil_data::Dataset;

use crate::obfuscate::obfuscate;

/// A copy of `dataset` with each text obfuscated. Each item gets its own seed
/// (derived from `seed` and its id), so the copy is reproducible and items
/// are not all attacked the same way. Named `<name>-adversarial`.
pub fn adversarial_copy(dataset: &Dataset, seed: u64) -> Dataset {
    let mut copy = dataset.clone();
    for record in &mut copy.records {
        if let Some(text) = &record.item.text {
            let item_seed = seed ^ fnv(record.item.id.as_bytes());
            record.item.text = Some(obfuscate(text, item_seed));
        }
    }
    let m = &mut copy.manifest;
    m.name = format!("{}-adversarial", m.name);
    m.description = format!(
        "{} Adversarial copy: every text obfuscated by Vigil's attack model (seed {seed}); labels and splits unchanged.",
        m.description
    );
    copy
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
