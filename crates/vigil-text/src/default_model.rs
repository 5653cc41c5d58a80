//! The text model shipped with Vigil, compiled into the binary so that
//! scanning works on a fresh checkout with nothing else installed.
//!
//! Its files are `models/text-linear/` in the repository; it is rebuilt with
//! `scripts/train-default-model.sh` (deterministic) and its manifest says what
//! it was trained on and how well it did on validation data.

use std::path::Path;

use crate::linear::{artifact, ArtifactError, LinearModel, Manifest};

const MANIFEST: &str = include_str!("../../../models/text-linear/manifest.toml");
const WEIGHTS: &[u8] = include_bytes!("../../../models/text-linear/weights.bin");

const HEAD_MANIFEST: &str = include_str!("../../../models/text-head/manifest.toml");
const HEAD_WEIGHTS: &[u8] = include_bytes!("../../../models/text-head/head.bin");

/// The shipped transformer head (`models/text-head`), for the shipped linear
/// model and an embedder of `dim` dimensions.
pub fn load_head(
    linear_weights_sha256: &str,
    dim: usize,
) -> Result<crate::cascade::Head, ArtifactError> {
    crate::cascade::Head::parse(
        HEAD_MANIFEST,
        HEAD_WEIGHTS,
        Path::new("<built-in>/models/text-head"),
        linear_weights_sha256,
        dim,
    )
}

/// Load the shipped model (a few milliseconds: the weights are copied once).
pub fn load() -> Result<(LinearModel, Manifest), ArtifactError> {
    artifact::parse(
        MANIFEST,
        WEIGHTS,
        Path::new("<built-in>/models/text-linear"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_core::Category;

    #[test]
    fn the_shipped_model_loads_and_covers_every_category() {
        let (model, manifest) = load().expect("the shipped model loads");
        for c in Category::ALL {
            assert!(model.outputs().contains(&c), "{c} has no output");
        }
        assert_eq!(manifest.kind, "text-linear");
        let mut scorer = model.scorer();
        let unsafe_ix = model
            .outputs()
            .iter()
            .position(|c| *c == Category::Unsafe)
            .expect("unsafe is an output");
        // Either side of the default policy's review threshold for unsafe (0.6).
        let calm = scorer.score("Meeting moved to 3pm, bring the slides.")[unsafe_ix];
        let nasty = scorer.score("I will find you and beat you to death")[unsafe_ix];
        assert!(nasty > 0.8 && calm < 0.3, "calm {calm}, nasty {nasty}");
    }
}
