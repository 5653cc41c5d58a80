//! Probabilities in `[0, 1]`, checked once at construction.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A probability-like score in `[0, 1]`; never NaN.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Score(f32);

/// A number that is not a valid score.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("score {0} is outside [0, 1]")]
pub struct InvalidScore(pub f64);

impl Score {
    /// Zero.
    pub const ZERO: Score = Score(0.0);
    /// One.
    pub const ONE: Score = Score(1.0);

    /// A score from a number in `[0, 1]`.
    pub fn new(value: f64) -> Result<Score, InvalidScore> {
        if (0.0..=1.0).contains(&value) {
            Ok(Score(value as f32))
        } else {
            Err(InvalidScore(value))
        }
    }

    /// A score from any number, clamped into `[0, 1]`; NaN becomes 0.
    ///
    /// For model outputs that are probabilities up to rounding error.
    pub fn saturating(value: f64) -> Score {
        if value.is_nan() {
            Score(0.0)
        } else {
            Score(value.clamp(0.0, 1.0) as f32)
        }
    }

    /// The value as `f32`.
    pub fn get(self) -> f32 {
        self.0
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.4}", self.0)
    }
}

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f32(self.0)
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Score::new(v).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        assert!(Score::new(0.0).is_ok());
        assert!(Score::new(1.0).is_ok());
        assert!(Score::new(1.01).is_err());
        assert!(Score::new(-0.1).is_err());
        assert!(Score::new(f64::NAN).is_err());
        assert_eq!(Score::saturating(f64::NAN), Score::ZERO);
        assert_eq!(Score::saturating(3.0), Score::ONE);
    }

    #[test]
    fn json_rejects_out_of_range() {
        assert!(serde_json::from_str::<Score>("0.5").is_ok());
        assert!(serde_json::from_str::<Score>("1.5").is_err());
    }
}
