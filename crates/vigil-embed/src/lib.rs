//! Sentence embeddings with all-MiniLM-L6-v2, run by candle on the CPU.
//!
//! An [`Embedder`] is loaded once from a model directory holding
//! `model.safetensors`, `tokenizer.json` and `config.json` (Vigil's setup
//! script unpacks them under `$VIGIL_HOME/models/all-minilm-l6-v2/`; nothing is
//! ever downloaded). [`Embedder::embed`] turns a batch of texts into 384-float,
//! unit-length vectors, so the cosine similarity of two texts is the dot
//! product of their embeddings. [`Embedder::model_digest`] identifies the
//! weights for model manifests. Every failure is an [`EmbedError`].
//!
//! Inside, texts are tokenised without padding (word pieces with `[CLS]` and
//! `[SEP]`, truncated to [`MAX_TOKENS`]), sorted by length and
//! cut into micro-batches of [`MICRO_BATCH`] padded to their longest member;
//! candle's BERT encodes them with an attention mask, and the pooling head
//! averages the real tokens only and normalises.
//!
//! # Threads
//! This crate reads no environment variables; candle does, in the process
//! that embeds. Its matrix products (the `gemm` crate, most of the work) are
//! split across `RAYON_NUM_THREADS` threads of rayon's global pool, read at
//! every product, defaulting to the number of physical cores; its element-wise
//! kernels use a pool of `CANDLE_NUM_THREADS` threads (default: the same
//! number). Set `RAYON_NUM_THREADS=1` where requests are already embedded in
//! parallel (a server), so callers do not fight over cores; leave it unset for
//! one large batch job. In a release build one thread embedded about 185
//! short texts a second on the development machine (`benches/embed.rs`).
//!
//! # Example
//! ```no_run
//! use std::path::Path;
//! use vigil_embed::Embedder;
//!
//! let embedder = Embedder::load(Path::new(".vigil/models/all-minilm-l6-v2"))?;
//! let vectors = embedder.embed(&["A man is playing a guitar.", "Someone plays the guitar."])?;
//! let cosine: f32 = vectors[0].iter().zip(&vectors[1]).map(|(a, b)| a * b).sum();
//! assert_eq!(vectors[0].len(), embedder.dim());
//! println!("similarity {cosine:.3}, model {}", embedder.model_digest());
//! # Ok::<(), vigil_embed::EmbedError>(())
//! ```

mod embedder;
mod error;
mod model_files;
mod pooling;
mod tokenize;

pub use embedder::{Embedder, MAX_TOKENS, MICRO_BATCH};
pub use error::EmbedError;
pub use model_files::{CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE};
