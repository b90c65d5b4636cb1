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
//! (`None` for options), and a field that appears twice is an error. A
//! field marked `repeated` is an optional object that a page of a listing
//! repeats item after item (the owner, often the repository): inside
//! [`with_repeats`], its text is compared with the previous one of its kind
//! and, when equal, the decoded value is cloned instead of decoded again.
//! Decoding a package's owner, with a dozen fields GitHub adds to it, was
//! most of decoding the package. A field marked `time` (or `time_or_null`)
//! is a timestamp read by [`Time`].

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, Visitor};
use serde_json::value::RawValue;

use crate::models::{MinimalRepository, SimpleUser};

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
/// `extra: Extra`, listing its other fields as `field: "json name" => how`:
/// `required` (missing is an error), `default` (missing is the default),
/// `time` (a required [`Time`]), `time_or_null` (an optional one, missing
/// or null is `None`) or `repeated` (an optional [`Repeated`]: a listing
/// page decodes a run of equal ones once).
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
                                    $field = Some(with_extra!(@read $how, map));
                                })+
                                _ => {
                                    let value = map.next_value()?;
                                    extra.insert(key.into_owned(), value);
                                }
                            }
                        }
                        Ok($ty {
                            $($field: with_extra!(@finish $how, $field, $json),)+
                            extra: extra.into(),
                        })
                    }
                }
                d.deserialize_map(ObjectVisitor)
            }
        }
    };
    (@read repeated, $map:ident) => {
        $map.next_value::<$crate::decode::Repeated<_>>()?.0
    };
    (@read time, $map:ident) => {
        $map.next_value::<$crate::decode::Time>()?.0
    };
    (@read time_or_null, $map:ident) => {
        $map.next_value::<Option<$crate::decode::Time>>()?.map(|t| t.0)
    };
    // Every kind is named here, so a misspelt one does not compile.
    (@read required, $map:ident) => {
        $map.next_value()?
    };
    (@read default, $map:ident) => {
        $map.next_value()?
    };
    // Once the object is read: `time` is required, `repeated` and
    // `time_or_null` are optional (their default is `None`).
    (@finish time, $slot:ident, $json:literal) => {
        with_extra!(@finish required, $slot, $json)
    };
    (@finish required, $slot:ident, $json:literal) => {
        $crate::decode::required($slot, $json)?
    };
    (@finish $how:ident, $slot:ident, $json:literal) => {
        $slot.unwrap_or_default()
    };
}

pub(crate) use with_extra;

/// A timestamp, read as chrono reads `DateTime<Utc>` (RFC 3339, any offset),
/// with a fast path for the form GitHub sends, `2024-01-31T12:00:00Z`:
/// chrono's general parser was a tenth of decoding a page.
pub(crate) struct Time(pub(crate) DateTime<Utc>);

impl Time {
    /// `YYYY-MM-DDTHH:MM:SSZ` with a valid date and time, else `None`.
    fn github_form(s: &str) -> Option<DateTime<Utc>> {
        let b = s.as_bytes();
        if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
            return None;
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let number = |from: usize, to: usize| {
            b[from..to].iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        let year = i32::try_from(number(0, 4)?).ok()?;
        let date = NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?)?;
        let time = date.and_hms_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?)?;
        Some(time.and_utc())
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TimeVisitor;
        impl Visitor<'_> for TimeVisitor {
            type Value = Time;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 formatted date and time string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Time, E> {
                if let Some(t) = Time::github_form(v) {
                    return Ok(Time(t));
                }
                // Anything else (offsets, fractions, a leap second, errors)
                // is chrono's to read, as its own Deserialize would.
                v.parse::<DateTime<FixedOffset>>()
                    .map(|t| Time(t.with_timezone(&Utc)))
                    .map_err(E::custom)
            }
        }
        d.deserialize_str(TimeVisitor)
    }
}

/// The last owner and repository decoded from the response body being read.
#[derive(Default)]
pub(crate) struct Repeats {
    owner: Option<(Box<str>, SimpleUser)>,
    repository: Option<(Box<str>, MinimalRepository)>,
}

thread_local! {
    /// Set only while [`with_repeats`] runs `serde_json::from_str`, so a
    /// [`Repeated`] field is read from serde_json's own deserializer (the
    /// only one that hands out raw text), and nothing outlives the body.
    static REPEATS: RefCell<Option<Repeats>> = const { RefCell::new(None) };
}

/// Parses `text` as `T`, cloning the owners and repositories that repeat
/// the previous ones instead of decoding them again.
pub(crate) fn with_repeats<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    struct Reset(Option<Repeats>);
    impl Drop for Reset {
        fn drop(&mut self) {
            REPEATS.with(|r| *r.borrow_mut() = self.0.take());
        }
    }
    let _reset = Reset(REPEATS.with(|r| r.borrow_mut().replace(Repeats::default())));
    serde_json::from_str(text)
}

/// A model that a page repeats, with its place among the [`Repeats`].
pub(crate) trait Repeatable: DeserializeOwned + Clone {
    fn slot(repeats: &mut Repeats) -> &mut Option<(Box<str>, Self)>;
}

impl Repeatable for SimpleUser {
    fn slot(repeats: &mut Repeats) -> &mut Option<(Box<str>, Self)> {
        &mut repeats.owner
    }
}

impl Repeatable for MinimalRepository {
    fn slot(repeats: &mut Repeats) -> &mut Option<(Box<str>, Self)> {
        &mut repeats.repository
    }
}

/// An optional field decoded through the [`Repeats`] when they are set.
pub(crate) struct Repeated<T>(pub(crate) Option<T>);

impl<'de, T: Repeatable> Deserialize<'de> for Repeated<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if REPEATS.with(|r| r.borrow().is_none()) {
            return Option::<T>::deserialize(d).map(Repeated);
        }
        let text = <&'de RawValue>::deserialize(d)?.get();
        if text == "null" {
            return Ok(Repeated(None));
        }
        let seen = REPEATS.with(|r| {
            let mut r = r.borrow_mut();
            match r.as_mut().and_then(|r| T::slot(r).as_ref()) {
                Some((last, value)) if **last == *text => Some(value.clone()),
                _ => None,
            }
        });
        if let Some(value) = seen {
            return Ok(Repeated(Some(value)));
        }
        // Decoded on its own, the object's errors would say where they are
        // in its text, and the body's position is added to this one.
        let value: T = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            let place = format!(" at line {} column {}", e.line(), e.column());
            de::Error::custom(message.strip_suffix(&place).unwrap_or(&message))
        })?;
        REPEATS.with(|r| {
            if let Some(r) = r.borrow_mut().as_mut() {
                *T::slot(r) = Some((text.into(), value.clone()));
            }
        });
        Ok(Repeated(Some(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Package;
    use serde_json::{json, Value};

    fn owner(login: &str, id: u64) -> Value {
        json!({"login": login, "id": id, "type": "Organization", "html_url": "h",
               "avatar_url": "a", "site_admin": false, "node_id": "MDEy\u{e9}", "gravatar_id": "",
               "followers_url": "f", "nested": {"k": [1, null]}})
    }

    fn package(id: u64, owner: Value, repository: Value) -> Value {
        json!({"id": id, "name": format!("p{id}"), "package_type": "container",
               "visibility": "public", "url": "u", "html_url": "h", "version_count": 1,
               "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
               "owner": owner, "repository": repository, "extra_field": id})
    }

    fn repository(id: u64, owner: Value) -> Value {
        json!({"id": id, "name": "r", "full_name": "o/r", "private": false,
               "html_url": "h", "owner": owner, "forks_url": "f"})
    }

    /// The page with repeats, the page without, and each item alone agree.
    fn decodes_alike(page: &Value) -> Vec<Package> {
        let text = serde_json::to_string(page).unwrap();
        let with: Vec<Package> = with_repeats(&text).unwrap();
        let without: Vec<Package> = serde_json::from_str(&text).unwrap();
        assert_eq!(with, without);
        for (item, json) in with.iter().zip(page.as_array().unwrap()) {
            assert_eq!(
                item,
                &serde_json::from_value::<Package>(json.clone()).unwrap()
            );
        }
        assert!(
            REPEATS.with(|r| r.borrow().is_none()),
            "nothing outlives the body"
        );
        with
    }

    #[test]
    fn repeated_owners_and_repositories_decode_as_themselves() {
        let (a, b) = (owner("a", 1), owner("b", 2));
        let page = json!([
            package(1, a.clone(), Value::Null),
            package(2, a.clone(), repository(10, a.clone())),
            package(3, a.clone(), repository(10, a.clone())),
            package(4, b.clone(), repository(11, b.clone())),
            package(5, a.clone(), repository(10, a.clone())),
            package(6, Value::Null, Value::Null),
            package(7, b.clone(), repository(10, a.clone())),
        ]);
        let items = decodes_alike(&page);
        assert_eq!(items[3].owner.as_ref().unwrap().login, "b");
        assert_eq!(items[4].owner.as_ref().unwrap().login, "a");
        assert_eq!(items[5].owner, None);
        assert_eq!(
            items[6]
                .repository
                .as_ref()
                .unwrap()
                .owner
                .as_ref()
                .unwrap()
                .login,
            "a"
        );
        assert_eq!(
            items[2].owner.as_ref().unwrap().extra["node_id"],
            "MDEy\u{e9}"
        );
        // A repeat is a clone: its unknown fields are the previous one's map.
        let extra_of = |i: usize| &items[i].owner.as_ref().unwrap().extra;
        assert!(extra_of(1).shares(extra_of(0)));
        assert!(extra_of(2).shares(extra_of(0)));
        assert!(!extra_of(3).shares(extra_of(2)));
        let repo_extra = |i: usize| &items[i].repository.as_ref().unwrap().extra;
        assert!(repo_extra(2).shares(repo_extra(1)));
        let plain: Vec<Package> = serde_json::from_value(page.clone()).unwrap();
        let plain_extra = |i: usize| &plain[i].owner.as_ref().unwrap().extra;
        assert!(!plain_extra(1).shares(plain_extra(0)));

        // Equal objects written differently (an escape, spacing) decode alike.
        let text = serde_json::to_string(&page).unwrap();
        let spaced = text.replacen(r#""login":"a""#, r#""login" : "\u0061""#, 2);
        assert_ne!(spaced, text);
        let with: Vec<Package> = with_repeats(&spaced).unwrap();
        assert_eq!(with, serde_json::from_str::<Vec<Package>>(&text).unwrap());
    }

    /// `Time` against chrono's own `Deserialize`: the same value or the same error.
    fn reads_as_chrono(value: &Value) {
        let ours = serde_json::from_value::<Time>(value.clone()).map(|t| t.0);
        let chronos = serde_json::from_value::<chrono::DateTime<chrono::Utc>>(value.clone());
        match (ours, chronos) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{value}"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{value}"),
            (a, b) => panic!("{value}: ours {a:?}, chrono's {b:?}"),
        }
    }

    #[test]
    fn timestamps_read_as_chrono_reads_them() {
        for s in [
            "2024-01-31T12:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-02-29T23:59:59Z",
            "2023-02-29T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-00-10T00:00:00Z",
            "2024-01-31T24:00:00Z",
            "2024-01-31T12:60:00Z",
            "2016-12-31T23:59:60Z",
            "2024-01-31t12:00:00Z",
            "2024-01-31 12:00:00Z",
            "2024-01-31T12:00:00z",
            "2024-01-31T12:00:00+02:00",
            "2024-01-31T12:00:00.123456Z",
            "+2024-01-31T12:00:00Z",
            "2024-01-31T12:00:0xZ",
            "2024-01-31T1:00:00ZZ",
            "2024-01-3１T12:00:00Z",
            "",
            "yesterday",
        ] {
            reads_as_chrono(&json!(s));
        }
        reads_as_chrono(&json!(20240131));
        reads_as_chrono(&Value::Null);
    }

    proptest::proptest! {
        #[test]
        fn any_twenty_characters_read_as_chrono_reads_them(s in "[0-9:TZ+. -]{20}") {
            reads_as_chrono(&json!(s));
        }

        #[test]
        fn any_valid_time_reads_as_chrono_reads_it(secs in 0i64..253_402_300_799) {
            let t = chrono::DateTime::from_timestamp(secs, 0).unwrap();
            reads_as_chrono(&json!(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        }
    }

    #[test]
    fn a_malformed_repeat_is_an_error_where_it_is() {
        let a = owner("a", 1);
        let mut bad = a.clone();
        bad.as_object_mut().unwrap().remove("login");
        let page = json!([
            package(1, a.clone(), Value::Null),
            package(2, bad, Value::Null)
        ]);
        let text = serde_json::to_string(&page).unwrap();
        let err = with_repeats::<Vec<Package>>(&text).unwrap_err();
        let plain = serde_json::from_str::<Vec<Package>>(&text).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("missing field `login` at line 1 column "),
            "{err}"
        );
        assert_eq!(err.to_string().matches(" at line ").count(), 1, "{err}");
        assert!(
            plain.to_string().starts_with("missing field `login`"),
            "{plain}"
        );
        assert!(
            REPEATS.with(|r| r.borrow().is_none()),
            "reset after an error too"
        );

        let wrong = text.replacen(r#""owner":{"#, r#""owner":["#, 1);
        assert!(with_repeats::<Vec<Package>>(&wrong).is_err());
        let kind = text.replacen(r#""owner":{"#, r#""owner":7,"x":{"#, 1);
        let err = with_repeats::<Vec<Package>>(&kind).unwrap_err();
        assert!(err.to_string().contains("struct SimpleUser"), "{err}");
    }
}
