//! Python arguments into core types, and JSON values into Python objects.
//! A value of the wrong Python type is a `TypeError`; a value of the right
//! type that cannot be used is an `InvalidArgumentError` (a `ValueError`).

use std::time::Duration;

use ghpkg::{Owner, PackageType, VersionState, Visibility};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDelta, PyDeltaAccess, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use pyo3::IntoPyObjectExt;
use serde_json::{Map, Number, Value};

use crate::errors::{invalid, to_pyerr, wrong_type};

/// A `str` argument (an enum member of `ghpkg` is a `str` too).
pub(crate) fn text(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    match obj.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(wrong_type(what, "a str", obj)),
    }
}

/// An optional `str` argument; `None` is absent.
pub(crate) fn opt_text(what: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    match obj {
        Some(o) if !o.is_none() => text(what, o).map(Some),
        _ => Ok(None),
    }
}

/// Parses a `str` or enum member with the core's parser.
fn parsed<T>(what: &str, class: &str, obj: &Bound<'_, PyAny>) -> PyResult<T>
where
    T: std::str::FromStr<Err = ghpkg::Error>,
{
    let Ok(s) = obj.cast::<PyString>() else {
        return Err(wrong_type(what, &format!("a str or ghpkg.{class}"), obj));
    };
    s.to_cow()?.parse().map_err(|e| to_pyerr(obj.py(), e))
}

pub(crate) fn package_type(obj: &Bound<'_, PyAny>) -> PyResult<PackageType> {
    parsed("package_type", "PackageType", obj)
}

pub(crate) fn visibility(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Visibility>> {
    match obj {
        Some(o) if !o.is_none() => parsed("visibility", "Visibility", o).map(Some),
        _ => Ok(None),
    }
}

pub(crate) fn version_state(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<VersionState>> {
    match obj {
        Some(o) if !o.is_none() => parsed("state", "VersionState", o).map(Some),
        _ => Ok(None),
    }
}

/// The owner from the `org=` and `user=` keywords; neither means the
/// authenticated user.
pub(crate) fn owner(
    py: Python<'_>,
    org: Option<&Bound<'_, PyAny>>,
    user: Option<&Bound<'_, PyAny>>,
) -> PyResult<Owner> {
    let (org, user) = (opt_text("org", org)?, opt_text("user", user)?);
    Owner::from_org_or_user(org, user).map_err(|e| to_pyerr(py, e))
}

/// A non-negative `int` that fits `u64` (`bool` is refused).
pub(crate) fn uint(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(wrong_type(what, "an int", obj));
    }
    match obj.extract::<u64>() {
        Ok(n) => Ok(n),
        Err(_) => Err(invalid(
            obj.py(),
            format!("{what} must be a non-negative integer below 2**64, got {obj}"),
        )),
    }
}

/// A package version id: a positive `int`.
pub(crate) fn version_id(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    let id = uint("version_id", obj)?;
    if id == 0 {
        return Err(invalid(
            obj.py(),
            "version_id must be a positive integer, got 0",
        ));
    }
    Ok(id)
}

/// A count that fits `u32` or `usize`.
pub(crate) fn small_uint(what: &str, obj: &Bound<'_, PyAny>, max: u64) -> PyResult<u64> {
    let n = uint(what, obj)?;
    if n > max {
        return Err(invalid(
            obj.py(),
            format!("{what} must be at most {max}, got {n}"),
        ));
    }
    Ok(n)
}

/// Seconds as an `int`, a `float` or a `datetime.timedelta`.
pub(crate) fn duration(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let secs = if let Ok(delta) = obj.cast::<PyDelta>() {
        f64::from(delta.get_days()) * 86_400.0
            + f64::from(delta.get_seconds())
            + f64::from(delta.get_microseconds()) / 1e6
    } else if obj.is_instance_of::<PyBool>() {
        return Err(wrong_type(
            what,
            "seconds (int or float) or a timedelta",
            obj,
        ));
    } else if obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>() {
        obj.extract::<f64>()?
    } else {
        return Err(wrong_type(
            what,
            "seconds (int or float) or a timedelta",
            obj,
        ));
    };
    Duration::try_from_secs_f64(secs).map_err(|_| {
        invalid(
            obj.py(),
            format!("{what} must be a finite, non-negative number of seconds, got {secs}"),
        )
    })
}

/// Catalog params: a mapping with `str` keys and JSON-compatible values,
/// merged with keyword arguments (which win).
pub(crate) fn params(
    positional: Option<&Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Map<String, Value>> {
    let mut out = Map::new();
    if let Some(p) = positional.filter(|p| !p.is_none()) {
        let Ok(dict) = p.cast::<PyDict>() else {
            return Err(wrong_type("params", "a dict", p));
        };
        merge(&mut out, dict)?;
    }
    if let Some(kw) = kwargs {
        merge(&mut out, kw)?;
    }
    Ok(out)
}

fn merge(out: &mut Map<String, Value>, dict: &Bound<'_, PyDict>) -> PyResult<()> {
    for (k, v) in dict.iter() {
        let key = text("a param name", &k)?;
        let value = to_json(&format!("param {key}"), &v, 0)?;
        out.insert(key, value);
    }
    Ok(())
}

/// A Python value as JSON: `None`, `bool`, `int`, `float`, `str`, lists,
/// tuples and dicts with `str` keys.
pub(crate) fn to_json(what: &str, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    const MAX_DEPTH: usize = 64;
    if depth > MAX_DEPTH {
        return Err(invalid(obj.py(), format!("{what} is nested too deeply")));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(Value::from(n));
        }
        if let Ok(n) = obj.extract::<u64>() {
            return Ok(Value::from(n));
        }
        return Err(invalid(
            obj.py(),
            format!("{what} is an integer too large to send"),
        ));
    }
    if obj.is_instance_of::<PyFloat>() {
        let f: f64 = obj.extract()?;
        return Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| invalid(obj.py(), format!("{what} must be a finite number")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for item in obj.try_iter()? {
            items.push(to_json(what, &item?, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = text(&format!("a key of {what}"), &k)?;
            map.insert(key, to_json(what, &v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    Err(wrong_type(
        what,
        "None, bool, int, float, str, list or dict",
        obj,
    ))
}

/// A JSON value as Python objects (dicts keep the JSON key order).
pub(crate) fn from_json<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_bound_py_any(py)
            } else if let Some(u) = n.as_u64() {
                u.into_bound_py_any(py)
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)
            }
        }
        Value::String(s) => s.into_bound_py_any(py),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(from_json(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => Ok(object(py, map)?.into_any()),
    }
}

/// A JSON object as a `dict`.
pub(crate) fn object<'py>(
    py: Python<'py>,
    map: &Map<String, Value>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, from_json(py, v)?)?;
    }
    Ok(dict)
}

/// Catalog rows, converted to a list of dicts under the GIL.
pub(crate) struct Rows(pub Vec<Map<String, Value>>);

impl<'py> IntoPyObject<'py> for Rows {
    type Target = PyList;
    type Output = Bound<'py, PyList>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for row in &self.0 {
            list.append(object(py, row)?)?;
        }
        Ok(list)
    }
}
