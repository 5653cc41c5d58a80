//! The `Embedder`: a loaded BERT sentence encoder and its batching.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};

use crate::model_files::{sha256_digest, ModelFiles};
use crate::pooling::mean_pool_normalised;
use crate::tokenize::SentenceTokenizer;
use crate::EmbedError;

/// Most word pieces per text, `[CLS]` and `[SEP]` included: all-MiniLM-L6-v2
/// was trained on 256 (its `max_seq_length`), although 512 positions exist.
pub const MAX_TOKENS: usize = 256;

/// Most texts run through the encoder together. Texts are sorted by length
/// before being cut into micro-batches, so each one pads little. On short
/// texts 16 measured as fast as or faster than 32 or 64 on one core (a
/// smaller batch keeps the 1536-wide intermediate activations in cache) and
/// clearly faster than 8 (smaller matrix products).
pub const MICRO_BATCH: usize = 16;

/// Token id written into padded positions. Its value never matters (padding
/// is masked out of attention and pooling); 0 is `[PAD]` in BERT vocabularies
/// and is always a valid row of the embedding table.
const PAD_ID: u32 = 0;

/// A sentence encoder loaded from a model directory, ready to embed text.
///
/// Load it once and share it (`Arc<Embedder>`): it is `Send + Sync`, and
/// [`Embedder::embed`] takes `&self`, so several threads may embed at once.
pub struct Embedder {
    model: BertModel,
    tokenizer: SentenceTokenizer,
    device: Device,
    dim: usize,
    digest: String,
}

impl Embedder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from
    /// `model_dir` onto the CPU.
    ///
    /// # Errors
    /// An [`EmbedError`] naming the missing, unreadable or corrupt file, or a
    /// configuration this crate cannot run.
    pub fn load(model_dir: &Path) -> Result<Embedder, EmbedError> {
        let files = ModelFiles::read(model_dir)?;
        let config = parse_config(&files)?;
        let max_tokens = MAX_TOKENS.min(config.max_position_embeddings);
        let tokenizer =
            SentenceTokenizer::from_bytes(&files.tokenizer_path, &files.tokenizer, max_tokens)?;
        if tokenizer.vocab_size() > config.vocab_size {
            return Err(EmbedError::ConfigUnsupported {
                path: files.config_path,
                reason: format!(
                    "tokenizer has {} tokens but the model only {} (mismatched files?)",
                    tokenizer.vocab_size(),
                    config.vocab_size
                ),
            });
        }
        let digest = sha256_digest(&files.weights);
        let device = Device::Cpu;
        let weights_path = files.weights_path;
        let invalid_weights = |source| EmbedError::Weights {
            path: weights_path.clone(),
            source,
        };
        let vars = VarBuilder::from_buffered_safetensors(files.weights, DType::F32, &device)
            .map_err(invalid_weights)?;
        let model = BertModel::load(vars, &config).map_err(invalid_weights)?;
        Ok(Embedder {
            model,
            tokenizer,
            device,
            dim: config.hidden_size,
            digest,
        })
    }

    /// Length of every embedding (384 for all-MiniLM-L6-v2).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// `sha256:<hex>` of `model.safetensors`, for model manifests.
    pub fn model_digest(&self) -> &str {
        &self.digest
    }

    /// Embeds each text into a unit-length vector of [`Embedder::dim`]
    /// floats, returned in input order.
    ///
    /// Texts longer than [`MAX_TOKENS`] word pieces are truncated; an empty
    /// text is fine. Internally texts are sorted by length and run in
    /// micro-batches of [`MICRO_BATCH`], each padded only to its longest
    /// member, so one long text does not slow the rest.
    ///
    /// # Errors
    /// [`EmbedError::Tokenize`] naming the text the tokenizer refused, or
    /// [`EmbedError::Inference`] if the forward pass fails.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let token_ids = self.tokenizer.encode_all(texts)?;
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&index| token_ids[index].len());

        let mut embeddings = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(MICRO_BATCH) {
            let batch: Vec<&[u32]> = chunk.iter().map(|&index| &token_ids[index][..]).collect();
            let vectors = self.embed_micro_batch(&batch)?;
            for (&index, vector) in chunk.iter().zip(vectors) {
                embeddings[index] = vector;
            }
        }
        Ok(embeddings)
    }

    /// Runs one padded batch through the encoder and the pooling head.
    fn embed_micro_batch(&self, batch: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let rows = batch.len();
        let seq_len = batch.iter().map(|ids| ids.len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(rows * seq_len);
        let mut mask = Vec::with_capacity(rows * seq_len);
        for row in batch {
            let row_end = ids.len() + seq_len;
            ids.extend_from_slice(row);
            ids.resize(row_end, PAD_ID);
            mask.resize(mask.len() + row.len(), 1f32);
            mask.resize(row_end, 0f32);
        }
        let ids = Tensor::from_vec(ids, (rows, seq_len), &self.device)?;
        let mask = Tensor::from_vec(mask, (rows, seq_len), &self.device)?;
        let type_ids = ids.zeros_like()?;
        let hidden = self.model.forward(&ids, &type_ids, Some(&mask))?;
        Ok(mean_pool_normalised(&hidden, &mask)?.to_vec2::<f32>()?)
    }
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("dim", &self.dim)
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

fn parse_config(files: &ModelFiles) -> Result<Config, EmbedError> {
    let config: Config =
        serde_json::from_slice(&files.config).map_err(|source| EmbedError::Config {
            path: files.config_path.clone(),
            source,
        })?;
    let unsupported = |reason: String| EmbedError::ConfigUnsupported {
        path: files.config_path.clone(),
        reason,
    };
    if config.hidden_size == 0 || config.num_attention_heads == 0 {
        return Err(unsupported(
            "hidden_size and num_attention_heads must be positive".into(),
        ));
    }
    if !config
        .hidden_size
        .is_multiple_of(config.num_attention_heads)
    {
        return Err(unsupported(format!(
            "hidden_size {} is not a multiple of num_attention_heads {}",
            config.hidden_size, config.num_attention_heads
        )));
    }
    // [CLS] + [SEP] need two positions even for an empty text.
    if config.max_position_embeddings < 2 {
        return Err(unsupported(format!(
            "max_position_embeddings {} leaves no room for [CLS] and [SEP]",
            config.max_position_embeddings
        )));
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn embedder_is_send_and_sync() {
        assert_send_sync::<Embedder>();
    }

    #[test]
    fn load_reports_missing_directory() {
        let dir = Path::new("/no/such/vigil/model");
        let err = Embedder::load(dir).expect_err("directory does not exist");
        assert!(matches!(err, EmbedError::ModelDirMissing { ref path } if path == dir));
        assert!(err.to_string().contains("/no/such/vigil/model"));
    }
}
