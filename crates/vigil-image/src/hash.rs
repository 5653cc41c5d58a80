//! A 256-bit PDQ hash: 64 hex digits in files and APIs, Hamming distance
//! between two.

use std::fmt;
use std::str::FromStr;

/// A 256-bit PDQ hash. The byte order is the hex order: `bytes[0]` is the
/// first two hex digits, as Meta's reference prints it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PdqHash(pub [u8; 32]);

/// Text that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a PDQ hash: expected 64 hex digits")]
pub struct InvalidHash {
    /// The text as given (cut to 80 characters).
    pub value: String,
}

impl PdqHash {
    /// The number of bits in which two hashes differ (0 to 256).
    pub fn distance(&self, other: &PdqHash) -> u32 {
        let (a, b) = (self.words(), other.words());
        (0..4).map(|i| (a[i] ^ b[i]).count_ones()).sum()
    }

    /// The hash as four big-endian 64-bit words (bits in hex order).
    pub fn words(&self) -> [u64; 4] {
        let mut out = [0u64; 4];
        for (i, w) in out.iter_mut().enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(&self.0[i * 8..i * 8 + 8]);
            *w = u64::from_be_bytes(b);
        }
        out
    }

    /// A hash from four big-endian 64-bit words.
    pub fn from_words(words: [u64; 4]) -> PdqHash {
        let mut out = [0u8; 32];
        for (i, w) in words.iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&w.to_be_bytes());
        }
        PdqHash(out)
    }

    /// The 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl FromStr for PdqHash {
    type Err = InvalidHash;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidHash {
            value: s.chars().take(80).collect(),
        };
        if s.len() != 64 {
            return Err(invalid());
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| invalid())?;
        Ok(PdqHash(out))
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({})", self.to_hex())
    }
}

impl serde::Serialize for PdqHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for PdqHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_distance_counts_bits() {
        let a: PdqHash = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
            .parse()
            .expect("valid");
        let b: PdqHash = "f8f8f0cee0f4a84f06370a2a038f63f0b36e26d596621e1d33e6b39c4e9c9b22"
            .parse()
            .expect("valid");
        assert_eq!(a.to_hex().parse::<PdqHash>(), Ok(a));
        assert_eq!(a.distance(&b), 2);
        assert_eq!(a.distance(&a), 0);
        assert_eq!(PdqHash::from_words(a.words()), a);
        assert!("abc".parse::<PdqHash>().is_err());
        assert!("zz".repeat(32).parse::<PdqHash>().is_err());
    }
}
