//! Images: PDQ perceptual hashes (`pdq`), an exact within-distance match
//! index over them (`index`), and the hash type both share; text in images
//! (`ocr`); and the optional nudity detector (`nudity`, NudeNet's model run
//! by tract).

mod hash;
pub mod index;
pub mod nudity;
pub mod ocr;
pub mod pdq;

pub use hash::{InvalidHash, PdqHash};
pub use index::{EntryId, Match, MatchIndex};
pub use pdq::{
    pdq_dihedral_from_bytes, pdq_dihedral_from_image, pdq_dihedral_from_path, pdq_from_bytes,
    pdq_from_image, pdq_from_path, Dihedral, PdqDihedral, PdqError, PdqHasher, PdqOutput,
};
