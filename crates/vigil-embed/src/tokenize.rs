//! Word-piece tokenisation with the model's own `tokenizer.json`, unpadded and truncated.

use std::path::Path;

use tokenizers::{Tokenizer, TruncationParams};

use crate::EmbedError;

/// The model's tokenizer, reconfigured for batching by the embedder.
///
/// The shipped `tokenizer.json` pads every input to a fixed 128 tokens. We
/// turn that padding off: the embedder pads each micro-batch only to its own
/// longest member, which for short texts is a tenth of the work, and masks
/// the padding out of attention and pooling.
pub(crate) struct SentenceTokenizer {
    inner: Tokenizer,
}

impl SentenceTokenizer {
    /// Parses `tokenizer.json` and sets truncation to `max_tokens`, counting
    /// the `[CLS]` and `[SEP]` tokens the post-processor adds.
    pub fn from_bytes(
        path: &Path,
        bytes: &[u8],
        max_tokens: usize,
    ) -> Result<SentenceTokenizer, EmbedError> {
        let invalid = |source| EmbedError::Tokenizer {
            path: path.to_path_buf(),
            source,
        };
        let mut inner = Tokenizer::from_bytes(bytes).map_err(invalid)?;
        inner.with_padding(None);
        inner
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..TruncationParams::default()
            }))
            .map_err(invalid)?;
        Ok(SentenceTokenizer { inner })
    }

    /// Size of the vocabulary, including added special tokens.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// Token ids of each text, with special tokens, in input order.
    ///
    /// Texts are tokenised one by one so that an error names the offending
    /// text; tokenising costs microseconds next to the model's milliseconds.
    pub fn encode_all(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>, EmbedError> {
        texts
            .iter()
            .enumerate()
            .map(|(index, text)| {
                self.inner
                    .encode_fast(*text, true)
                    .map(|encoding| encoding.get_ids().to_vec())
                    .map_err(|source| EmbedError::Tokenize { index, source })
            })
            .collect()
    }
}
