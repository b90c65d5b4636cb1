//! Decoding of the models that keep unknown fields in `extra`.
//!
//! `#[serde(flatten)]` would do the same, but it buffers every object into
//! an intermediate tree before reading the fields out of it, which made
//! decoding a page the largest share of a listing's CPU time. The visitor
//! [`with_extra!`] generates reads each key once: a known field goes
//! straight into its slot, anything else into `extra`. Keys are borrowed
//! from the input when they can be, so known fields allocate nothing for
//! their names.
//!
//! The rules are serde's: a field marked `required` that is missing is a
//! "missing field" error, a field marked `default` takes its `Default`
//! (`None` for options), and a field that appears twice is an error.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// An object key, borrowed from the input when it holds no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The value of a field once the object has been read.
pub(crate) fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// Implements `Deserialize` for a struct whose last field is
/// `extra: Map<String, Value>`, listing its other fields as
/// `field: "json name" => required | default`.
macro_rules! with_extra {
    ($ty:ident, $expecting:literal { $($field:ident : $json:literal => $how:ident),+ $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$ty, A::Error> {
                        $(let mut $field = None;)+
                        let mut extra = serde_json::Map::new();
                        while let Some($crate::decode::Key(key)) = map.next_key()? {
                            match key.as_ref() {
                                $($json => {
                                    if $field.is_some() {
                                        return Err(serde::de::Error::duplicate_field($json));
                                    }
                                    $field = Some(map.next_value()?);
                                })+
                                _ => {
                                    let value = map.next_value()?;
                                    extra.insert(key.into_owned(), value);
                                }
                            }
                        }
                        Ok($ty {
                            $($field: with_extra!(@finish $how, $field, $json),)+
                            extra,
                        })
                    }
                }
                d.deserialize_map(ObjectVisitor)
            }
        }
    };
    (@finish required, $slot:ident, $json:literal) => {
        $crate::decode::required($slot, $json)?
    };
    (@finish default, $slot:ident, $json:literal) => {
        $slot.unwrap_or_default()
    };
}

pub(crate) use with_extra;
