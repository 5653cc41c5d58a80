//! Images: PDQ perceptual hashes (`pdq`), an exact within-distance match
//! index over them (`index`), and the hash type both share.

mod hash;
pub mod ocr;

pub use hash::{InvalidHash, PdqHash};
