//! Content digests: what a decision records so it can be matched to its input
//! without storing the input.

use sha2::{Digest, Sha256};

/// A `sha256:`-prefixed hex digest of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Builds the digest of an item's content: its text and the bytes of each
/// media attachment, in order, each length-prefixed so that no two different
/// inputs share a byte stream. Metadata is not part of the digest: the same
/// content posted twice has the same digest.
#[derive(Debug, Clone, Default)]
pub struct InputDigest {
    hasher: Sha256,
}

impl InputDigest {
    /// An empty digest.
    pub fn new() -> InputDigest {
        InputDigest::default()
    }

    /// Add the item text.
    pub fn text(mut self, text: &str) -> InputDigest {
        self.part(b'T', text.as_bytes());
        self
    }

    /// Add one media attachment's bytes.
    pub fn media(mut self, bytes: &[u8]) -> InputDigest {
        self.part(b'M', bytes);
        self
    }

    fn part(&mut self, tag: u8, bytes: &[u8]) {
        self.hasher.update([tag]);
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
    }

    /// `sha256:` + hex.
    pub fn finish(self) -> String {
        format!("sha256:{}", hex::encode(self.hasher.finalize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_separated() {
        let a = InputDigest::new().text("ab").text("c").finish();
        let b = InputDigest::new().text("a").text("bc").finish();
        assert_ne!(a, b);
        let c = InputDigest::new().text("x").finish();
        let d = InputDigest::new().media(b"x").finish();
        assert_ne!(c, d);
        assert!(a.starts_with("sha256:") && a.len() == 7 + 64);
    }

    #[test]
    fn plain_digest_matches_a_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
