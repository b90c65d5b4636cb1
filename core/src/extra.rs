//! [`Extra`]: the fields of a GitHub object that its model does not name.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// The fields GitHub sent that a model does not name, in the order GitHub
/// sent them. It reads and writes as a `serde_json::Map` (through `Deref`
/// and `DerefMut`) and serializes as one.
///
/// Cloning it is cheap: clones share one map until one of them is changed,
/// which then copies it. A listing page repeats the same owner (and often the
/// same repository) on every item; their clones share their unknown fields
/// instead of copying a dozen keys and values per item.
///
/// No unknown fields, the usual case, allocate nothing.
#[derive(Clone, Default)]
pub struct Extra(Option<Arc<Map<String, Value>>>);

/// What an empty `Extra` reads as.
static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

impl Extra {
    /// Whether `self` and `other` are clones of one map, or both empty:
    /// equal without comparing a field (`==` checks this first, then the
    /// fields).
    pub fn shares(&self, other: &Extra) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }

    /// The map itself, copied only when a clone still shares it.
    pub fn into_map(self) -> Map<String, Value> {
        self.0.map(Arc::unwrap_or_clone).unwrap_or_default()
    }
}

impl Deref for Extra {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Self::Target {
        self.0.as_deref().unwrap_or(&EMPTY)
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Self::Target {
        Arc::make_mut(self.0.get_or_insert_with(Arc::default))
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Self {
        Extra((!map.is_empty()).then(|| Arc::new(map)))
    }
}

impl From<Extra> for Map<String, Value> {
    fn from(extra: Extra) -> Self {
        extra.into_map()
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        self.shares(other) || **self == **other
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Map::deserialize(d).map(Extra::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extra(v: Value) -> Extra {
        match v {
            Value::Object(map) => map.into(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn clones_share_until_one_changes() {
        let a = extra(serde_json::json!({"node_id": "O_1", "gravatar_id": ""}));
        let mut b = a.clone();
        assert!(a.shares(&b));
        assert_eq!(a, b);
        b.insert("new".into(), Value::Bool(true));
        assert!(!a.shares(&b));
        assert_eq!(a.len(), 2);
        assert_eq!(b.len(), 3);
        assert_ne!(a, b);
        b.remove("new");
        // Equal fields, separate maps: still equal.
        assert!(!a.shares(&b));
        assert_eq!(a, b);
    }

    #[test]
    fn empty_holds_no_map_until_written() {
        let mut e = Extra::from(Map::new());
        assert!(e.0.is_none());
        assert_eq!(e, Extra::default());
        assert!(e.shares(&Extra::default()));
        assert!(e.is_empty());
        assert_eq!(serde_json::to_string(&e).unwrap(), "{}");
        assert_eq!(format!("{e:?}"), "{}");
        let decoded: Extra = serde_json::from_str("{}").unwrap();
        assert!(decoded.0.is_none());
        e.insert("k".into(), Value::from(1));
        assert!(!e.shares(&Extra::default()));
        assert_ne!(e, Extra::default());
        assert_eq!(e.into_map()["k"], 1);
        assert!(Extra::default().into_map().is_empty());
    }

    #[test]
    fn reads_and_writes_as_a_map() {
        let text = r#"{"z":1,"a":[true,null],"m":{"k":"v"}}"#;
        let e: Extra = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), text);
        assert_eq!(format!("{e:?}"), format!("{:?}", *e));
        assert_eq!(e["m"]["k"], "v");
        let shared = e.clone();
        let map: Map<String, Value> = e.into();
        assert_eq!(map, *shared);
        assert_eq!(shared.into_map(), map);
        assert!(serde_json::from_str::<Extra>("[1]").is_err());
    }
}
