//! Request bodies read from JSON objects only. serde's derived structs also
//! accept an array of their fields in declaration order, so `["a", "hi"]`
//! would be scanned as an item with id `a` and text `hi`; no client means
//! that, and `deny_unknown_fields` cannot catch it.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// `T`, read from a JSON object and nothing else.
struct ObjectOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectVisitor(PhantomData))
            .map(ObjectOnly)
    }
}

/// Parses a body that must be a JSON object of `T`'s fields.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    serde_json::from_slice::<ObjectOnly<T>>(bytes).map(|o| o.0)
}

/// For `#[serde(deserialize_with)]`: a list whose elements must be objects.
pub fn objects<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let list = Vec::<ObjectOnly<T>>::deserialize(deserializer)?;
    Ok(list.into_iter().map(|o| o.0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Pair {
        a: String,
        #[serde(default, deserialize_with = "objects")]
        inner: Vec<Inner>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Inner {
        b: u8,
    }

    #[test]
    fn objects_are_read_and_arrays_refused_at_every_level() {
        let pair: Pair = from_slice(br#"{"a": "x", "inner": [{"b": 1}]}"#).expect("an object");
        assert_eq!(pair.inner, [Inner { b: 1 }]);
        for positional in [r#"["x"]"#, r#"{"a": "x", "inner": [[1]]}"#] {
            let err = from_slice::<Pair>(positional.as_bytes()).expect_err(positional);
            assert_eq!(err.classify(), serde_json::error::Category::Data, "{err}");
            assert!(err.to_string().contains("a JSON object"), "{err}");
        }
        let err = from_slice::<Pair>(br#"{"a": "x", "c": 1}"#).expect_err("unknown field");
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
