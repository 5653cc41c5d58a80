//! The text model as one scorer: the linear model alone, or the cascade
//! (the linear model settles clear cases; the transformer and head re-score
//! texts whose linear `unsafe` falls in the head's band).

use std::path::PathBuf;
use std::time::Instant;

use vigil_core::{Category, VersionRef};
use vigil_text::cascade::{score_cascade, Head};
use vigil_text::linear::{LinearModel, Manifest};

/// Which text models to load.
#[derive(Debug, Clone, Default)]
pub struct TextModels {
    /// A text-linear model folder; `None`: the model compiled into Vigil.
    pub linear: Option<PathBuf>,
    /// The content digest `linear`'s folder must have (a registered
    /// model's, `vigil_text::linear::artifact::folder_digest`); a folder
    /// changed since is refused. `None`: not checked.
    pub linear_digest: Option<String>,
    /// The cascade: `None` for the linear model alone.
    pub cascade: Option<CascadeModels>,
}

/// The transformer half of the cascade.
#[derive(Debug, Clone)]
pub struct CascadeModels {
    /// A head folder; `None`: the head compiled into Vigil.
    pub head: Option<PathBuf>,
    /// The all-MiniLM-L6-v2 folder.
    pub embedder: PathBuf,
    /// Replaces the head's uncertain band, `(low, high)`.
    pub band: Option<(f32, f32)>,
}

/// Why the text models did not load.
#[derive(Debug, thiserror::Error)]
pub enum TextModelError {
    /// The linear model.
    #[error("cannot load the text-linear model: {0}")]
    Linear(Box<vigil_text::linear::ArtifactError>),
    /// The transformer.
    #[error("cannot load the transformer from {path}: {source}")]
    Embedder {
        /// Its folder.
        path: PathBuf,
        /// Why.
        source: Box<vigil_embed::EmbedError>,
    },
    /// The head.
    #[error("cannot load the transformer head: {0}")]
    Head(Box<vigil_text::linear::ArtifactError>),
    /// The transformer failed on a text.
    #[error("the transformer failed: {0}")]
    Embed(Box<vigil_embed::EmbedError>),
}

/// The linear model's scores of one text.
#[derive(Debug, Clone)]
pub struct LinearPass {
    /// Calibrated probabilities, in [`TextScorer::outputs`] order.
    pub probs: Vec<f32>,
    logits: Vec<f32>,
    /// Whether the cascade still has to consult the transformer.
    pub needs_transformer: bool,
}

/// A text model ready to score.
pub struct TextScorer {
    linear: LinearModel,
    manifest: Manifest,
    cascade: Option<(Head, vigil_embed::Embedder)>,
}

/// The scores of one text.
#[derive(Debug, Clone)]
pub struct TextScores {
    /// Calibrated probabilities, in [`TextScorer::outputs`] order.
    pub probs: Vec<f32>,
    /// Microseconds spent in the transformer; `None` when it was not consulted.
    pub transformer_us: Option<u64>,
}

impl TextScorer {
    /// Loads the models named.
    pub fn load(models: &TextModels) -> Result<TextScorer, TextModelError> {
        let (linear, manifest) = match (&models.linear, &models.linear_digest) {
            (Some(dir), Some(digest)) => vigil_text::linear::artifact::load_verified(dir, digest),
            (Some(dir), None) => LinearModel::load(dir),
            (None, _) => vigil_text::default_model::load(),
        }
        .map_err(|e| TextModelError::Linear(Box::new(e)))?;
        let cascade = match &models.cascade {
            None => None,
            Some(c) => {
                let embedder = vigil_embed::Embedder::load(&c.embedder).map_err(|source| {
                    TextModelError::Embedder {
                        path: c.embedder.clone(),
                        source: Box::new(source),
                    }
                })?;
                let mut head = match &c.head {
                    Some(dir) => Head::load(dir, &manifest.weights_sha256, embedder.dim()),
                    None => vigil_text::default_model::load_head(
                        &manifest.weights_sha256,
                        embedder.dim(),
                    ),
                }
                .map_err(|e| TextModelError::Head(Box::new(e)))?;
                if let Some(band) = c.band {
                    head.manifest.band = band;
                }
                Some((head, embedder))
            }
        };
        Ok(TextScorer {
            linear,
            manifest,
            cascade,
        })
    }

    /// The categories scored, in output order.
    pub fn outputs(&self) -> &[Category] {
        self.linear.outputs()
    }

    /// Whether the transformer is loaded.
    pub fn has_cascade(&self) -> bool {
        self.cascade.is_some()
    }

    /// The model's name and version (the head's appended when it is used).
    pub fn name_version(&self) -> (String, String) {
        match &self.cascade {
            None => (self.manifest.name.clone(), self.manifest.version.clone()),
            Some((head, _)) => (
                format!("{}+{}", self.manifest.name, head.manifest.name),
                format!("{}+{}", self.manifest.version, head.manifest.version),
            ),
        }
    }

    /// Every model a decision names: the linear model, and with the cascade
    /// the head and the transformer (by digest).
    pub fn versions(&self) -> Vec<VersionRef> {
        let mut out = vec![VersionRef {
            name: self.manifest.name.clone(),
            version: self.manifest.version.clone(),
            digest: Some(self.manifest.weights_sha256.clone()),
        }];
        if let Some((head, embedder)) = &self.cascade {
            out.push(VersionRef {
                name: head.manifest.name.clone(),
                version: head.manifest.version.clone(),
                digest: Some(head.manifest.head_sha256.clone()),
            });
            out.push(VersionRef {
                name: "all-minilm-l6-v2".to_owned(),
                version: "1".to_owned(),
                digest: Some(embedder.model_digest().to_owned()),
            });
        }
        out
    }

    /// Scores one text: the linear model, then the transformer if the
    /// linear `unsafe` falls in the head's band.
    pub fn score_one(&self, text: &str) -> Result<TextScores, TextModelError> {
        let mut pass = self.linear_pass(text);
        let transformer_us = if pass.needs_transformer {
            Some(self.transformer_pass(text, &mut pass)?)
        } else {
            None
        };
        Ok(TextScores {
            probs: pass.probs,
            transformer_us,
        })
    }

    /// The fast half of [`TextScorer::score_one`]: the linear model, and
    /// whether the cascade must consult the transformer.
    pub fn linear_pass(&self, text: &str) -> LinearPass {
        let logits = self.linear.scorer().logits(text).to_vec();
        let mut probs = logits.clone();
        self.linear.calibrate_in_place(&mut probs);
        let needs_transformer = self.cascade.as_ref().is_some_and(|(head, _)| {
            self.outputs()
                .iter()
                .position(|c| *c == Category::Unsafe)
                .is_some_and(|u| head.in_band(probs[u]))
        });
        LinearPass {
            probs,
            logits,
            needs_transformer,
        }
    }

    /// The slow half: the transformer and head re-score `pass` in place.
    /// Returns the microseconds spent; 0 without a cascade.
    pub fn transformer_pass(
        &self,
        text: &str,
        pass: &mut LinearPass,
    ) -> Result<u64, TextModelError> {
        let Some((head, embedder)) = &self.cascade else {
            return Ok(0);
        };
        let started = Instant::now();
        // The transformer reads normalised text, as in training.
        let normalized = vigil_text::normalize::normalize(text);
        let embedding = embedder
            .embed(&[normalized.as_str()])
            .map_err(|e| TextModelError::Embed(Box::new(e)))?;
        head.combine(&self.linear, &pass.logits, &embedding[0], &mut pass.probs);
        pass.needs_transformer = false;
        Ok(started.elapsed().as_micros() as u64)
    }

    /// Calibrated probabilities per text on `threads` cores (0 = all), and
    /// how many texts consulted the transformer.
    pub fn score_batch(
        &self,
        texts: &[&str],
        threads: usize,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(Vec<Vec<f32>>, usize), TextModelError> {
        Ok(match &self.cascade {
            None => (
                vigil_text::batch::score_texts(&self.linear, texts, threads, progress),
                0,
            ),
            Some((head, embedder)) => {
                let s = score_cascade(&self.linear, head, embedder, texts, threads, progress)
                    .map_err(|e| TextModelError::Embed(Box::new(e)))?;
                (s.scores, s.consulted)
            }
        })
    }
}
